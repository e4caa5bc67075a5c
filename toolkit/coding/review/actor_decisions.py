"""The actor view's decisions as data: ``actor_review.jsonl`` in the restricted folder, and the
``actor_review.csv`` that ``pdtk autocode --actor-review`` reads (:mod:`toolkit.coding.actor_corrections`).

One key press is one event, written before the answer goes back to the browser, private and atomic as the
coding decisions are (:class:`~toolkit.coding.review.decisions.CodingLog`). Events hold transcript names,
actor ids and tones, never text:

``{"event": "actor", "source", "actor", "decision", "by", "at"}`` with ``decision`` a tone
(:data:`~toolkit.coding.actor_vocabulary.TONES`: the actor is part of this young person's help, in that tone),
``not_mentioned`` (the extractor was wrong: not part of the help) or ``undo`` (back to the extractor's word).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.coding.actor_corrections import REVIEW_COLUMNS
from toolkit.coding.actor_vocabulary import TONES
from toolkit.coding.review.decisions import CodingLog
from toolkit.errors import InputDataError

ACTOR_DECISIONS_FILE = "actor_review.jsonl"
ACTOR_REVIEW_FILE = "actor_review.csv"
NOT_MENTIONED = "not_mentioned"
ACTOR_DECISIONS = (*TONES, NOT_MENTIONED, "undo")

ActorKey = tuple[str, str]


@dataclass
class ActorState:
    """The fold of the log: the reviewer's decision and name per ``(source, actor)``."""

    decided: dict[ActorKey, tuple[str, str]] = field(default_factory=dict)

    def apply_event(self, event: dict[str, Any]) -> None:
        key = (str(event["source"]), str(event["actor"]))
        if event["decision"] == "undo":
            self.decided.pop(key, None)
        else:
            self.decided[key] = (str(event["decision"]), str(event["by"]))

    def frame(self) -> pd.DataFrame:
        """The decisions as ``actor_review.csv`` rows, sorted by transcript and actor."""
        rows = [
            (source, actor, int(decision != NOT_MENTIONED), "" if decision == NOT_MENTIONED else decision, by)
            for (source, actor), (decision, by) in sorted(self.decided.items())
        ]
        return pd.DataFrame(rows, columns=[*REVIEW_COLUMNS, "reviewer"])


class ActorLog(CodingLog):
    """``actor_review.jsonl``: :class:`CodingLog`'s storage with the actor view's events."""

    file_name = ACTOR_DECISIONS_FILE

    def _new_state(self) -> ActorState:
        return ActorState()

    def _check(self, event: dict[str, Any]) -> None:
        if event.get("actor") not in self.code_ids or event.get("decision") not in ACTOR_DECISIONS:
            raise InputDataError(
                f"the actor review log names actor '{event.get('actor')}' or decision "
                f"'{event.get('decision')}', which this vocabulary does not have",
                file=self.path,
                fix="review with the actor vocabulary these decisions were made with, or give another "
                "--restricted",
            )


__all__ = [
    "ACTOR_DECISIONS",
    "ACTOR_DECISIONS_FILE",
    "ACTOR_REVIEW_FILE",
    "NOT_MENTIONED",
    "ActorLog",
    "ActorState",
]
