"""The coding review's decisions as data: ``coding_review.jsonl`` in the restricted folder, and the hand
coding folded from it.

One click is one event, written before the answer goes back to the browser (the file is rewritten whole
through a temporary file, fsync and ``os.replace``, created 0600 in a 0700 folder, as the de-identification
review does with ``review.jsonl``). Events hold transcript names, turn numbers and code ids, never text.

* ``{"event": "decision", "source", "turn_index", "code", "decision": "accept"|"reject"|"add"|"undo", "done":
  bool, "by", "at"}`` — a word on one code of one turn; ``done`` when it left the turn without a pending
  suggestion, so the turn is coded from then on;
* ``{"event": "done", "source", "turn_index", "reject": [codes], "by", "at"}`` — the reviewer closed the turn:
  the suggestions still pending then (listed, because suggestions change with every refit) are rejected.

A *coded* turn is hand coding: its accepted and added codes are its codes, every other code is absent — which
is what the learner needs (a coded turn without codes is a negative example for every theme).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.deidentify.review.state import private_folder, read_events, write_private
from toolkit.errors import InputDataError

DECISIONS_FILE = "coding_review.jsonl"
HAND_CODING_FILE = "coding_review_hand_coded.csv"
DECISIONS = ("accept", "reject", "add", "undo")
STATUS_OF = {"accept": "accepted", "reject": "rejected", "add": "added"}
KEPT = ("accepted", "added")
"""Statuses that make a code part of the turn's hand coding."""

TurnKey = tuple[str, int]


@dataclass
class TurnDecisions:
    """What the reviewer said about one turn: a status per code, whether the turn is coded, and by whom."""

    codes: dict[str, str] = field(default_factory=dict)  # code id -> accepted | rejected | added
    done: bool = False
    done_by: str = ""

    def kept(self) -> list[str]:
        """The turn's hand codes (accepted or added)."""
        return [code for code, status in self.codes.items() if status in KEPT]


@dataclass
class CodingState:
    """The fold of the log: decisions per turn ``(source, turn_index)``."""

    turns: dict[TurnKey, TurnDecisions] = field(default_factory=dict)

    def apply_event(self, event: dict[str, Any]) -> None:
        key = (str(event["source"]), int(event["turn_index"]))
        turn = self.turns.setdefault(key, TurnDecisions())
        if event["event"] == "decision":
            if event["decision"] == "undo":
                turn.codes.pop(event["code"], None)
            else:
                turn.codes[event["code"]] = STATUS_OF[event["decision"]]
            if event.get("done") and not turn.done:
                turn.done, turn.done_by = True, event["by"]
        elif event["event"] == "done":
            for code in event.get("reject", []):
                turn.codes.setdefault(code, "rejected")
            if not turn.done:
                turn.done, turn.done_by = True, event["by"]

    def coded(self) -> dict[TurnKey, TurnDecisions]:
        """The coded turns (hand coding), in transcript order."""
        return {key: turn for key, turn in sorted(self.turns.items()) if turn.done}


class CodingLog:
    """``coding_review.jsonl``: the events in order, rewritten atomically on every append (thread-safe).

    The actor view's log (:class:`toolkit.coding.review.actor_decisions.ActorLog`) is this log with its own
    file, state and check."""

    file_name = DECISIONS_FILE

    def __init__(self, folder: Path, code_ids: list[str]):
        self.path = Path(folder) / self.file_name
        self.code_ids = set(code_ids)
        self._lines: list[str] = []
        self.state = self._new_state()
        self._lock = threading.Lock()
        if self.path.exists():
            for event in read_events(self.path):
                self._check(event)
                self._lines.append(json.dumps(event, ensure_ascii=False))
                self.state.apply_event(event)

    def _new_state(self) -> Any:
        return CodingState()

    def _check(self, event: dict[str, Any]) -> None:
        codes = [event.get("code")] if event.get("event") == "decision" else event.get("reject", [])
        unknown = [c for c in codes if c not in self.code_ids]
        if unknown:
            raise InputDataError(
                f"the coding review log names code '{unknown[0]}', which is not in this codebook",
                file=self.path,
                fix="review with the codebook these decisions were made with, or give another --restricted",
            )

    def append(self, event: dict[str, Any]) -> None:
        """Record one event on disk first, then in the state (so a failed write changes nothing)."""
        with self._lock:
            line = json.dumps(event, ensure_ascii=False)
            private_folder(self.path.parent)
            write_private(self.path, ("\n".join([*self._lines, line]) + "\n").encode("utf-8"))
            self._lines.append(line)
            self.state.apply_event(event)

    def __len__(self) -> int:
        return len(self._lines)


def hand_coding_frame(state: CodingState, units: pd.DataFrame, sources: list[str]) -> pd.DataFrame:
    """Hand coding of ``sources`` in the shape ``pdtk autocode --hand-coded`` reads: the ``segments.csv``
    contract columns plus ``coder``, one row per coded turn and kept code, and a row with an empty
    ``code_id`` for a turn closed without any code (so a transcript with no codes is still named as coded).

    ``coder`` is one name for the whole file — the reviewers who closed its turns, ``+``-joined:
    ``--hand-coded`` reads several coder names as several coders of the *same* transcripts (reliability
    between them, learning from the first), which turns closed by different reviewers are not."""
    columns = ["source", "turn_index", "speaker", "start", "end", "code_id", "coder"]
    wanted = set(sources)
    coded = {key: turn for key, turn in state.coded().items() if key[0] in wanted}
    coder = "+".join(sorted({turn.done_by for turn in coded.values()}))
    where = units.set_index(["source", "turn_index"])
    rows = []
    for (source, turn_index), turn in coded.items():
        unit = where.loc[(source, turn_index)]
        for code in turn.kept() or [""]:  # "": read, and no code kept (every suggestion rejected)
            rows.append(
                (source, turn_index, unit["speaker"], int(unit["start"]), int(unit["end"]), code, coder)
            )
    return pd.DataFrame(rows, columns=columns)


def write_private_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write a review's CSV (the hand coding, the actor review) privately (0600 in a 0700 folder),
    atomically."""
    private_folder(path.parent)
    write_private(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
