"""The review's decisions as data: ``review.jsonl`` in the restricted folder, an append-only log of events.

Every click is one event (a decision on a span, an added span, a transcript marked reviewed, an apply), written
before the answer goes back to the browser, so stopping the server loses nothing. The file is rewritten whole
through a temporary file and ``os.replace`` (a crash leaves the old or the new file, never half a line), created
0600 in a 0700 folder: it holds the original strings a reviewer rejected or added, which is what the next run's
allow- and deny-lists are made of. It never lies under ``results/``.

The current state is a fold over the events (:class:`ReviewState`); the log keeps who decided what and when, and
the manifest shows counts from it (:func:`manifest_record`), never strings.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from toolkit.errors import InputDataError
from toolkit.io import atomic_write_bytes, sha256_file

REVIEW_FILE = "review.jsonl"
ALLOW_FILE = "review_allow_list.txt"
DENY_FILE = "review_deny_list.txt"
STATUSES = ("pending", "accepted", "rejected", "added")


def now() -> str:
    """UTC time to the second, as the log and the manifest record it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def span_id(start: int, end: int) -> str:
    """A span's id: its offsets in the original text, which do not change when the review is applied."""
    return f"{start}-{end}"


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically by a 0600 file (fsync before the rename)."""
    atomic_write_bytes(path, data, private=True)


def private_folder(folder: Path) -> Path:
    """Create the restricted folder if needed and make it 0700."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


@dataclass
class Decision:
    """A reviewer's word on one span of one transcript (the string is kept: it becomes a list entry)."""

    start: int
    end: int
    type: str
    status: str  # accepted | rejected | added
    string: str
    by: str
    at: str


@dataclass
class Mark:
    """A transcript marked reviewed: by whom, when, and the de-identified file's hash approved since."""

    by: str
    at: str
    output: str
    approved_sha256: str | None


@dataclass
class ReviewState:
    """The fold of the log: decisions per transcript, reviewed marks, what the last apply wrote."""

    decisions: dict[str, dict[str, Decision]] = field(default_factory=dict)
    marks: dict[str, Mark] = field(default_factory=dict)
    applied_at: str | None = None
    unapplied: int = 0  # decisions since the last apply

    def apply_event(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        source = event.get("source", "")
        if kind == "decision":
            self._decide(source, event)
            self.unapplied += 1
        elif kind == "reviewed":
            if event.get("reviewed", True):
                self.marks[source] = Mark(event["by"], event["at"], event["output"], event.get("sha256"))
            else:
                self.marks.pop(source, None)
        elif kind == "applied":
            self.applied_at = event["at"]
            self.unapplied = 0
            for mark in self.marks.values():
                mark.approved_sha256 = event.get("outputs", {}).get(mark.output, mark.approved_sha256)

    def _decide(self, source: str, event: dict[str, Any]) -> None:
        decisions = self.decisions.setdefault(source, {})
        key = span_id(event["start"], event["end"])
        if event["decision"] == "undo":
            decisions.pop(key, None)
            return
        status = {"accept": "accepted", "reject": "rejected", "add": "added"}[event["decision"]]
        decisions[key] = Decision(
            event["start"], event["end"], event["type"], status, event["string"], event["by"], event["at"]
        )

    # ------------------------------------------------------------------------------------------ lists
    def rejected_strings(self) -> dict[str, str]:
        """``{casefolded string: source}`` of every rejected span: these come back everywhere."""
        return {
            d.string.casefold(): source
            for source, decisions in sorted(self.decisions.items())
            for d in decisions.values()
            if d.status == "rejected"
        }

    def added_strings(self) -> dict[str, tuple[str, str]]:
        """``{casefolded string: (type, source)}`` of every added span: these are replaced everywhere."""
        return {
            d.string.casefold(): (d.type, source)
            for source, decisions in sorted(self.decisions.items())
            for d in decisions.values()
            if d.status == "added"
        }

    def allow_list(self) -> list[str]:
        """The next run's allow-list: the rejected strings, whole. Not their words one by one: a surname of a
        rejected "name" may be the surname of a real person elsewhere, and stays replaced there (the apply
        counts such partly replaced rejections as ``still_replaced``)."""
        entries = {
            d.string
            for decisions in self.decisions.values()
            for d in decisions.values()
            if d.status == "rejected"
        }
        return sorted(entries, key=str.casefold)

    def deny_list(self) -> list[tuple[str, str]]:
        """The next run's deny-list: ``(type, string)`` of every added span."""
        entries = {
            (d.type, d.string)
            for decisions in self.decisions.values()
            for d in decisions.values()
            if d.status == "added"
        }
        return sorted(entries, key=lambda e: (e[0], e[1].casefold()))

    def counts(self, source: str) -> dict[str, int]:
        """Decisions made in one transcript, by kind (for progress and the manifest)."""
        statuses = [d.status for d in self.decisions.get(source, {}).values()]
        counts = {s: statuses.count(s) for s in ("accepted", "rejected", "added")}
        counts["changes"] = counts["rejected"] + counts["added"]
        return counts


class ReviewLog:
    """``review.jsonl``: the events in order, rewritten atomically on every append (thread-safe)."""

    def __init__(self, restricted_dir: Path):
        self.path = Path(restricted_dir) / REVIEW_FILE
        self._lines: list[str] = []
        self.state = ReviewState()
        self._lock = threading.Lock()
        if self.path.exists():
            for event in read_events(self.path):
                self._lines.append(json.dumps(event, ensure_ascii=False))
                self.state.apply_event(event)

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


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events of a review log; a damaged line is an error naming its number (never its content)."""
    events = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                raise InputDataError(
                    f"line {number} of the review log is not JSON",
                    file=path,
                    fix="restore review.jsonl from a backup; nothing was changed",
                ) from None
    return events


def load_state(restricted_dir: Path | None) -> ReviewState:
    """The review state of a restricted folder (empty when there is no review yet)."""
    state = ReviewState()
    if restricted_dir is not None and (Path(restricted_dir) / REVIEW_FILE).exists():
        for event in read_events(Path(restricted_dir) / REVIEW_FILE):
            state.apply_event(event)
    return state


# ============================================================================================ checks
def unreviewed(deid_dir: Path, restricted_dir: Path | None) -> list[tuple[str, str]]:
    """``(file, reason)`` for each de-identified transcript in ``deid_dir`` that may not be used yet.

    A transcript is cleared when it was marked reviewed, every decision has been applied, and the file is the
    one the reviewer approved (its hash when marked, or what the last apply wrote): a later run that changes it
    (e.g. without the review's lists) needs a new review."""
    state = load_state(restricted_dir)
    by_output = {mark.output: mark for mark in state.marks.values()}
    outputs = sorted(p for p in Path(deid_dir).glob("*.txt") if p.is_file())
    problems = []
    for path in outputs:
        mark = by_output.get(path.name)
        if mark is None:
            problems.append((path.name, "not reviewed"))
        elif state.unapplied:
            problems.append((path.name, f"{state.unapplied} review decision(s) not applied yet"))
        elif mark.approved_sha256 != sha256_file(path):
            problems.append((path.name, "changed since it was reviewed"))
    return problems


def manifest_record(restricted_dir: Path | None, deid_dir: Path) -> dict[str, Any] | None:
    """What the manifest says about the review: per reviewed transcript who, when and how many changes.

    Counts only, never a string; None when nothing was reviewed."""
    state = load_state(restricted_dir)
    if not state.marks:
        return None
    present = {p.name for p in Path(deid_dir).glob("*.txt")}
    transcripts = {
        mark.output: {"reviewer": mark.by, "reviewed_at": mark.at, **state.counts(source)}
        for source, mark in sorted(state.marks.items())
        if mark.output in present
    }
    return {
        "folder": Path(deid_dir).name,
        "reviewed": len(transcripts),
        "transcripts": len(present),
        "applied_at": state.applied_at,
        "unapplied_decisions": state.unapplied,
        "by_transcript": transcripts,
    }
