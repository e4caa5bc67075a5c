"""The coding view of the review app (``pdtk code-review IN_DIR CODEBOOK CODING_DIR``): review the coder's
suggestions turn by turn in the browser, by keyboard; the decisions become hand coding, the learner refits on
them in a worker process, and the queue of turns to code next is re-ranked by uncertainty.

It lives beside the coder, not in :mod:`toolkit.deidentify.review`, because it needs the coder and the learner
and de-identification sits below coding in the import layers; it reuses that app's security (token, Host
check, CSP), socket, uvicorn settings and private atomic writes.

Modules, in the order they build on each other:

* ``decisions`` — ``coding_review.jsonl`` (0600 in a 0700 restricted folder), its fold, the hand coding CSV;
* ``locate`` — the autocode run's inputs and the restricted folder;
* ``refit`` — the learner refitted in a worker process, requests coalesced;
* ``session`` — turns, suggestions, evidence offsets, decisions and the uncertainty queue;
* ``app`` — the Starlette app (the HTTP contract in ``docs/REVIEW_API.md``, "Coding view");
* ``server`` — binding 127.0.0.1, printing the address, serving.
"""

from toolkit.coding.review.decisions import DECISIONS_FILE, HAND_CODING_FILE
from toolkit.coding.review.locate import CodingPaths, locate_coding

__all__ = ["DECISIONS_FILE", "HAND_CODING_FILE", "CodingPaths", "locate_coding"]
