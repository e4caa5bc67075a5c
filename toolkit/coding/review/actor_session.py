"""The actor view of a coding review: each transcript × actor the extractor found, the turns that name or
judge it with the mention and the evaluative words marked, and the reviewer's tone.

Why a view of its own: tone is where the extractor cannot be trusted on other people's transcripts (issue 17:
tone kappa 0.19–0.32 on the report-only sets, against 0.79–0.94 between two human readers), while the
mentions hold (F1 ≥ 0.92). So the page shows the evidence a human needs to judge quickly — every turn in
which the actor is named or evaluated — and takes one key per actor. Decisions go to
:class:`~toolkit.coding.review.actor_decisions.ActorLog` first, then ``actor_review.csv`` is rewritten, which
``pdtk autocode --actor-review`` applies.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.coding.actor_vocabulary import actor_ids_of, load_actor_vocabulary
from toolkit.coding.actors import ActorExtractor
from toolkit.coding.review.actor_decisions import (
    ACTOR_DECISIONS,
    ACTOR_REVIEW_FILE,
    NOT_MENTIONED,
    ActorLog,
)
from toolkit.coding.review.decisions import write_private_csv
from toolkit.coding.segments import offset_spans, turn_columns
from toolkit.deidentify.review.session import NotFound
from toolkit.deidentify.review.state import now
from toolkit.errors import InputDataError


@dataclass
class FoundActor:
    """What the extractor said about one transcript × actor, with offsets into the transcript text."""

    source: str
    actor: str
    tone: str = ""
    n_turns: int = 0
    mentions: list[tuple[int, int]] = field(default_factory=list)
    evidence: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, "+" or "-")


def found_actors(texts: Mapping[str, str], extractor: ActorExtractor) -> dict[tuple[str, str], FoundActor]:
    """Every mentioned transcript × actor of ``texts``, in transcript and vocabulary order."""
    found: dict[tuple[str, str], FoundActor] = {}
    for source, text in texts.items():
        table = extractor.transcript_actors(text, source)
        for row in table[table["mentioned"] == 1].itertuples(index=False):
            found[(source, row.actor)] = FoundActor(
                source,
                row.actor,
                str(row.tone),
                int(row.n_turns),
                [(s, e) for s, e, _ in offset_spans(row.mention_offsets)],
                offset_spans(row.tone_evidence),
            )
    return found


class ActorView:
    """The actor view's data and decisions; every method is safe to call from several request threads."""

    def __init__(
        self,
        texts: Mapping[str, str],
        restricted_dir: Path,
        *,
        reviewer: str,
        extensions: tuple[Path, ...] = (),
    ):
        vocabulary = load_actor_vocabulary(extensions=extensions)
        self.labels = {a: vocabulary[a].label or a for a in actor_ids_of(vocabulary)}
        self.texts = dict(texts)
        self.reviewer = reviewer
        self.review_file = Path(restricted_dir) / ACTOR_REVIEW_FILE
        self.found = found_actors(self.texts, ActorExtractor(vocabulary))
        self.turns = {source: _participant_turns(text, source) for source, text in self.texts.items()}
        self.log = ActorLog(restricted_dir, list(self.labels))
        self.lock = threading.RLock()
        self.keys = list(self.found)
        self.keys += [k for k in sorted(self.log.state.decided) if k not in self.found and k[0] in self.texts]

    # -------------------------------------------------------------------------------------------- reading
    def listing(self) -> dict[str, Any]:
        """``GET /api/actors``: every item with the extractor's tone and the reviewer's decision."""
        with self.lock:
            items = [self._summary(i) for i in range(len(self.keys))]
            return {
                "actors": items,
                "decisions": list(ACTOR_DECISIONS[:-1]),
                "vocabulary": [{"actor": a, "label": label} for a, label in self.labels.items()],
                "sources": list(self.texts),
                "progress": self.progress(),
            }

    def _summary(self, index: int) -> dict[str, Any]:
        source, actor = self.keys[index]
        found = self.found.get((source, actor))
        decided = self.log.state.decided.get((source, actor))
        return {
            "id": index,
            "source": source,
            "actor": actor,
            "label": self.labels[actor],
            "suggested": found.tone if found else "",
            "n_turns": found.n_turns if found else 0,
            "decision": decided[0] if decided else "",
        }

    def item(self, item_id: Any) -> dict[str, Any]:
        """``GET /api/actors/{id}``: the item and its quotes (the turns naming or judging the actor)."""
        index = self._index(item_id)
        with self.lock:
            found = self.found.get(self.keys[index])
            return {**self._summary(index), "quotes": self._quotes(found), "progress": self.progress()}

    def _quotes(self, found: FoundActor | None) -> list[dict[str, Any]]:
        """Per turn holding a mention or evidence: its text and the marks, offsets relative to the turn."""
        if found is None:
            return []
        starts, spans = self.turns[found.source]
        marks: dict[int, list[dict[str, Any]]] = {}
        items = [(s, e, "mention") for s, e in found.mentions]
        items += [(s, e, "positive" if sign == "+" else "negative") for s, e, sign in found.evidence]
        for start, end, kind in items:
            turn = bisect_right(starts, start) - 1
            if turn < 0 or start >= spans[turn][1]:
                continue
            offset = spans[turn][0]
            marks.setdefault(turn, []).append({"start": start - offset, "end": end - offset, "kind": kind})
        text = self.texts[found.source]
        return [
            {
                "turn_index": spans[turn][2],
                "text": text[spans[turn][0] : spans[turn][1]],
                "marks": sorted(turn_marks, key=lambda m: (m["start"], m["end"])),
            }
            for turn, turn_marks in sorted(marks.items())
        ]

    def _index(self, item_id: Any) -> int:
        try:
            index = int(item_id)
        except (TypeError, ValueError):
            raise NotFound("no such actor item") from None
        if not 0 <= index < len(self.keys):
            raise NotFound("no such actor item")
        return index

    # -------------------------------------------------------------------------------------------- deciding
    def decide(self, item_id: Any, decision: Any) -> dict[str, Any]:
        """A tone, ``not_mentioned`` or ``undo`` on one item; returns the item."""
        index = self._index(item_id)
        self._append(*self.keys[index], decision)
        return self.item(index)

    def add(self, source: Any, actor: Any, decision: Any) -> dict[str, Any]:
        """An actor the extractor missed: a new item for ``(source, actor)`` with a tone (or the existing
        item, decided)."""
        if source not in self.texts:
            raise NotFound("no such transcript")
        if actor not in self.labels:
            raise NotFound("no such actor in the vocabulary")
        with self.lock:
            if (source, actor) not in self.keys:
                self.keys.append((source, actor))
            index = self.keys.index((source, actor))
        return self.decide(index, decision)

    def _append(self, source: str, actor: str, decision: Any) -> None:
        if decision not in ACTOR_DECISIONS:
            raise InputDataError(f"decision must be one of {', '.join(ACTOR_DECISIONS)}")
        with self.lock:
            event = {"event": "actor", "source": source, "actor": actor, "decision": decision}
            self.log.append({**event, "by": self.reviewer, "at": now()})
            write_private_csv(self.review_file, self.log.state.frame())

    def progress(self) -> dict[str, int]:
        decided = self.log.state.decided
        return {
            "actors": len(self.keys),
            "reviewed": sum(1 for key in self.keys if key in decided),
            "struck": sum(1 for key in self.keys if decided.get(key, ("",))[0] == NOT_MENTIONED),
        }


def _participant_turns(text: str, source: str) -> tuple[list[int], list[tuple[int, int, int]]]:
    """A transcript's participant turns: their starts (for bisection) and ``(start, end, turn_index)``."""
    turns = turn_columns(text, source)
    spans = [
        (start, end, index)
        for start, end, index, role in zip(
            turns["start"], turns["end"], turns["turn_index"], turns["role"], strict=True
        )
        if role == "participant"
    ]
    return [s for s, _, _ in spans], spans


__all__ = ["ActorView", "FoundActor", "found_actors"]
