"""Review de-identified transcripts in the browser before anything leaves the project (``pdtk review``).

No automatic de-identification is perfect. The reviewer sees each transcript in its original text with every
replaced span highlighted by type and the *suspects* marked (spans the recognisers were least sure of, unknown
capitalised words, digit runs, words after cues such as "heter" or "bor i"); accepts or rejects spans, adds the
ones that were missed, and marks the transcript reviewed. The decisions are data, in ``review.jsonl`` in the
study's restricted folder; applying them re-runs the de-identification with the review's allow- and deny-lists.

Modules, in the order they build on each other:

* ``state`` — ``review.jsonl`` (0600, atomic writes), the state folded from it, the ``require_review`` check;
* ``locate`` — the raw folder, restricted folder and study of a de-identified folder;
* ``settings`` — the recorded run's settings and the registry with the review's lists;
* ``suspects`` — which recogniser found each span, lexical suspects, the background analyser;
* ``session`` — what the reviewer sees and the decisions (the model behind the HTTP API);
* ``apply`` — rewriting the folder from the decisions, and the manifest record;
* ``app`` — the Starlette app (token, Host check, CSP) with the contract of ``docs/REVIEW_API.md``;
* ``server`` — binding 127.0.0.1, printing the address, uvicorn.
"""

from toolkit.deidentify.review.locate import ReviewPaths, locate
from toolkit.deidentify.review.state import REVIEW_FILE, manifest_record, unreviewed

__all__ = ["REVIEW_FILE", "ReviewPaths", "locate", "manifest_record", "unreviewed"]
