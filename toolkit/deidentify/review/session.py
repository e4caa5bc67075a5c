"""A review session: the original texts, the replaced spans, the decisions, and what the reviewer sees.

The spans shown for a transcript are the replaced spans of ``deidentification.jsonl`` with their status, plus
the review's own: spans the reviewer added, and every other occurrence of an added string (it will be replaced
too: whole words, any case, as the deny-list recogniser matches). A rejected string comes back everywhere, so
its other occurrences show as rejected, naming the transcript where it was decided (``inherited``); such a
span is changed where it was decided, not here.

Statuses: ``pending`` (replaced, not looked at), ``accepted``, ``rejected`` (the original word comes back),
``added``. Offsets are into the original text as :func:`toolkit.io.read_transcript` gives it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.deidentify.folder import SPANS_FILE, _output_name
from toolkit.deidentify.registry import deny_list_recognizer
from toolkit.deidentify.review.locate import ReviewPaths
from toolkit.deidentify.review.state import ReviewLog, now, span_id
from toolkit.deidentify.review.suspects import Analyser, Analysis, overlaps
from toolkit.deidentify.spans import TYPES
from toolkit.errors import InputDataError, PdtkError
from toolkit.io import Guard, read_transcript, sha256_file

MAX_ADDED_CHARS = 200


class ReviewConflict(PdtkError):
    """A decision that contradicts another (e.g. accepting a string rejected in another transcript)."""


class NotFound(PdtkError):
    """No such transcript or span."""


@dataclass
class ShownSpan:
    start: int
    end: int
    type: str
    status: str
    inherited: str | None = None  # the transcript where this string was decided, when it was not here
    replaced: bool = True  # in the current de-identified output

    @property
    def id(self) -> str:
        return span_id(self.start, self.end)


def read_spans(deid_dir: Path) -> dict[str, list[tuple[int, int, str]]]:
    """Replaced spans per source from ``deidentification.jsonl``."""
    spans: dict[str, list[tuple[int, int, str]]] = {}
    with open(deid_dir / SPANS_FILE, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                spans.setdefault(row["source"], []).append((row["start"], row["end"], row["type"]))
    return {name: sorted(rows) for name, rows in spans.items()}


class ReviewSession:
    """Everything the review app serves; every method is safe to call from several request threads."""

    def __init__(
        self,
        paths: ReviewPaths,
        *,
        reviewer: str,
        analyser: Analyser | None = None,
        guard: Guard | None = None,
    ):
        self.paths = paths
        self.guard = guard  # the study's leak guard: the applied files pass it like every output
        self.reviewer = reviewer
        self.raw = paths.sources()
        self.log = ReviewLog(paths.restricted_dir)
        self.lock = threading.RLock()
        self.analyser = analyser
        self._texts: dict[str, str] = {}
        self._base = read_spans(paths.deid_dir)
        self._shown: dict[str, list[ShownSpan]] = {}
        self._finder = None  # (log length, deny-list recogniser of added strings)

    # ------------------------------------------------------------------------------------------ reading
    @property
    def names(self) -> list[str]:
        return list(self.raw)

    def output_name(self, name: str) -> str:
        return _output_name(self.raw[name])

    def text(self, name: str) -> str:
        if name not in self.raw:
            raise NotFound("no such transcript in this review", file=name)
        with self.lock:
            if name not in self._texts:
                self._texts[name] = read_transcript(self.raw[name])
            return self._texts[name]

    def analysis_input(self, name: str) -> tuple[str, list[tuple[int, int, str]]]:
        """What the analyser needs: the original text and the replaced spans."""
        with self.lock:
            return self.text(name), list(self._base.get(name, []))

    def _added_finder(self):
        state = self.log.state
        if self._finder is None or self._finder[0] != len(self.log):
            entries = [(kind, text) for text, (kind, _src) in _originals(state).items()]
            self._finder = (len(self.log), deny_list_recognizer(entries) if entries else None)
        return self._finder[1]

    def shown(self, name: str) -> list[ShownSpan]:
        """The spans shown for one transcript, in reading order, with their status."""
        with self.lock:
            if name not in self._shown:
                self._shown[name] = self._compute_shown(name)
            return self._shown[name]

    def _compute_shown(self, name: str) -> list[ShownSpan]:
        text = self.text(name)
        state = self.log.state
        rejected, added = state.rejected_strings(), state.added_strings()
        explicit = state.decisions.get(name, {})
        out: dict[str, ShownSpan] = {}
        for start, end, kind in self._base.get(name, []):
            decision = explicit.get(span_id(start, end))
            string = text[start:end].casefold()
            if decision is not None:
                out[span_id(start, end)] = ShownSpan(start, end, kind, decision.status)
            elif string in rejected:
                out[span_id(start, end)] = ShownSpan(start, end, kind, "rejected", rejected[string])
            elif string in added:
                out[span_id(start, end)] = ShownSpan(start, end, kind, "added", added[string][1])
            else:
                out[span_id(start, end)] = ShownSpan(start, end, kind, "pending")
        for key, decision in explicit.items():
            if key not in out and decision.status in ("rejected", "added"):
                out[key] = ShownSpan(
                    decision.start, decision.end, decision.type, decision.status, replaced=False
                )
        finder = self._added_finder()
        if finder is not None:
            occupied = sorted((s.start, s.end) for s in out.values())
            for found in finder.find(text):
                if not overlaps(occupied, found.start, found.end):
                    source = added[text[found.start : found.end].casefold()][1]
                    out[span_id(found.start, found.end)] = ShownSpan(
                        found.start, found.end, found.type, "added", source, replaced=False
                    )
        return sorted(out.values(), key=lambda s: s.start)

    def _forget(self, name: str | None = None) -> None:
        """Drop cached spans: of one transcript, or (a string's status changed everywhere) of all."""
        if name is None:
            self._shown.clear()
        else:
            self._shown.pop(name, None)

    # ------------------------------------------------------------------------------------------ API views
    def progress(self, name: str) -> dict[str, Any]:
        shown = self.shown(name)
        pending = sum(1 for s in shown if s.status == "pending")
        return {"spans": len(shown), "decided": len(shown) - pending, "pending": pending}

    def listing(self) -> list[dict[str, Any]]:
        """``GET /api/sources``: one row per transcript."""
        rows = []
        for name in self.names:
            analysis = self.analyser.peek(name) if self.analyser is not None else None
            suspects = len(self._visible_suspects(name, analysis)) if analysis is not None else None
            rows.append(
                {
                    "name": name,
                    **self.progress(name),
                    "suspects": suspects,
                    "reviewed": name in self.log.state.marks,
                }
            )
        return rows

    def _visible_suspects(self, name: str, analysis: Analysis) -> list[dict[str, Any]]:
        """Suspects not covered by a span the reviewer kept or added (those on a replaced span stay)."""
        shown = self.shown(name)
        ids = {s.id for s in shown}
        occupied = sorted((s.start, s.end) for s in shown if s.status != "rejected")
        visible = []
        for suspect in analysis.suspects:
            key = span_id(suspect["start"], suspect["end"])
            if key in ids:
                visible.append({**suspect, "span": key})
            elif not overlaps(occupied, suspect["start"], suspect["end"]):
                visible.append(dict(suspect))
        return visible

    def detail(self, name: str, *, wait: float = 0.0) -> dict[str, Any]:
        """``GET /api/sources/{name}``: the original text, the spans and the suspects."""
        text = self.text(name)
        analysis = None
        if self.analyser is not None:
            analysis = self.analyser.wait(name, wait) if wait else self.analyser.get(name)
        mark = self.log.state.marks.get(name)
        return {
            "name": name,
            "output": self.output_name(name),
            "text": text,
            "spans": self.span_rows(name, analysis),
            "suspects": self._visible_suspects(name, analysis) if analysis is not None else [],
            "suspects_pending": self.analyser is not None and analysis is None,
            "analysis_error": (analysis.failed if analysis else None)
            or (self.analyser.error if self.analyser else None),
            "reviewed": mark is not None,
            "reviewed_by": mark.by if mark else None,
            "reviewed_at": mark.at if mark else None,
            "progress": self.progress(name),
        }

    def span_rows(self, name: str, analysis: Analysis | None = None) -> list[dict[str, Any]]:
        rows = []
        for s in self.shown(name):
            found_by = analysis.found_by.get((s.start, s.end)) if analysis is not None else None
            rows.append(
                {
                    "id": s.id,
                    "start": s.start,
                    "end": s.end,
                    "type": s.type,
                    "status": s.status,
                    "inherited": s.inherited,
                    "replaced": s.replaced,
                    "found_by": found_by,
                }
            )
        return rows

    # ------------------------------------------------------------------------------------------ decisions
    def _event(self, name: str, **fields: Any) -> dict[str, Any]:
        return {"source": name, "output": self.output_name(name), "by": self.reviewer, "at": now(), **fields}

    def decide(self, name: str, span: str, decision: str) -> dict[str, Any]:
        """``{"span": id, "decision": "accept"|"reject"|"undo"}``; returns the transcript's spans and progress."""
        if decision not in ("accept", "reject", "undo"):
            raise InputDataError("decision must be 'accept', 'reject' or 'undo'", file=name)
        text = self.text(name)
        with self.lock:
            found = {s.id: s for s in self.shown(name)}.get(str(span))
            if found is None:
                raise NotFound("no such span in this transcript", file=name)
            explicit = self.log.state.decisions.get(name, {}).get(found.id)
            if found.inherited is not None and decision != "undo":
                raise ReviewConflict(
                    f"this string was {found.status} in {found.inherited}; change it there", file=name
                )
            if explicit is not None and explicit.status == "added":
                if decision == "accept":
                    return self.changed(name)  # an addition is already accepted
                decision = "undo"  # rejecting one's own addition takes it back
            if decision == "undo" and explicit is None:
                return self.changed(name)
            event = self._event(
                name,
                event="decision",
                decision=decision,
                start=found.start,
                end=found.end,
                type=found.type,
                string=text[found.start : found.end],
            )
            self.log.append(event)
            global_change = decision in ("reject", "undo") or (
                explicit is not None and explicit.status != "accepted"
            )
            self._forget(None if global_change else name)
            return self.changed(name)

    def add(self, name: str, start: Any, end: Any, kind: Any) -> dict[str, Any]:
        """``{"add": {"start", "end", "type"}}``: a span the de-identification missed (snapped to whole words)."""
        text = self.text(name)
        if kind not in TYPES:
            raise InputDataError(f"type must be one of {', '.join(TYPES)}", file=name)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise InputDataError("start and end must be offsets into the text, start < end", file=name)
        start, end = snap_to_words(text, start, end)
        if start >= end or "\n" in text[start:end] or end - start > MAX_ADDED_CHARS:
            raise InputDataError(f"select one to {MAX_ADDED_CHARS} characters of text on one line", file=name)
        with self.lock:
            kept = sorted((s.start, s.end) for s in self.shown(name) if s.status != "rejected")
            if overlaps(kept, start, end):
                raise ReviewConflict("the selection overlaps a span already replaced or added", file=name)
            self.log.append(
                self._event(
                    name,
                    event="decision",
                    decision="add",
                    start=start,
                    end=end,
                    type=kind,
                    string=text[start:end],
                )
            )
            self._forget()
            return self.changed(name, added=span_id(start, end))

    def mark_reviewed(self, name: str, reviewed: bool = True) -> dict[str, Any]:
        """``POST /api/sources/{name}/reviewed``: records who, when, and the output file's hash approved."""
        self.text(name)
        output = self.paths.deid_dir / self.output_name(name)
        from toolkit.deidentify.review.apply import record_in_manifest

        with self.lock:
            self.log.append(
                self._event(name, event="reviewed", reviewed=bool(reviewed), sha256=sha256_file(output))
            )
            record_in_manifest(self.paths)
        return {"name": name, "reviewed": bool(reviewed), "progress": self.progress(name)}

    def apply(self) -> dict[str, Any]:
        """``POST /api/apply``: rewrite the de-identified folder from the decisions (see :mod:`.apply`)."""
        from toolkit.deidentify.review.apply import apply_review

        with self.lock:
            result = apply_review(self.paths, self.log, self.reviewer, guard=self.guard)
            self.reload()
        return result.as_dict()

    def changed(self, name: str, **extra: Any) -> dict[str, Any]:
        """What a decision returns: the transcript's spans (with recognisers when known) and progress."""
        analysis = self.analyser.peek(name) if self.analyser is not None else None
        return {
            "name": name,
            "spans": self.span_rows(name, analysis),
            "suspects": self._visible_suspects(name, analysis) if analysis is not None else [],
            "progress": self.progress(name),
            "unapplied": self.log.state.unapplied,
            **extra,
        }

    def status(self) -> dict[str, Any]:
        """``GET /api/status``: folder progress and whether decisions wait to be applied."""
        rows = self.listing()
        return {
            "transcripts": len(rows),
            "reviewed": sum(r["reviewed"] for r in rows),
            "spans": sum(r["spans"] for r in rows),
            "decided": sum(r["decided"] for r in rows),
            "unapplied": self.log.state.unapplied,
            "applied_at": self.log.state.applied_at,
            "reviewer": self.reviewer,
        }

    def close(self) -> None:
        """Stop the background analyser (call before the process ends)."""
        if self.analyser is not None:
            self.analyser.stop()

    def reload(self) -> None:
        """Read the rewritten ``deidentification.jsonl`` after an apply; analyses start again."""
        with self.lock:
            self._base = read_spans(self.paths.deid_dir)
            self._forget()
            if self.analyser is not None:
                self.analyser.invalidate()


def _originals(state) -> dict[str, tuple[str, str]]:
    """Added strings as the reviewer selected them: ``{string: (type, source)}`` (one spelling each)."""
    out: dict[str, tuple[str, str]] = {}
    for source, decisions in sorted(state.decisions.items()):
        for d in decisions.values():
            if d.status == "added":
                out.setdefault(d.string, (d.type, source))
    return out


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a selection to whole words and trim surrounding spaces and punctuation: the deny-list matches
    whole words, so a half-selected word would not be replaced by the next run."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-") and start < end:
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "-") and start < end:
        end += 1
    return start, end
