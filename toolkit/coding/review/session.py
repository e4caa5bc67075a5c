"""A coding review session: the participant turns, the coder's suggestions with their evidence words, the
reviewer's decisions, and the queue of turns to code next.

* **Suggestions** start as ``segments.csv`` of the ``pdtk autocode`` run (its codes, ``confidence`` and
  ``origin``); after each refit they are the learner's: every code scoring at least 0.5 (each code's threshold
  sits at 0.5) on a turn not yet coded.
* **Evidence** is the words that carried a theme in a turn, as the rule coder keeps them
  (:meth:`~toolkit.coding.autocode.AutoCoder.evidence_lists`), found again in the turn's text as offsets, so
  the page can highlight them.
* **The queue** lists the turns not yet coded, the most uncertain first (uncertainty sampling,
  :func:`toolkit.coding.learn.uncertainty`), then the coded ones; it is re-ranked after each refit.
* **Decisions** go to :class:`~toolkit.coding.review.decisions.CodingLog` before the answer is sent; closing a
  turn asks the :class:`~toolkit.coding.review.refit.Refitter` for a refit, which runs after the answer, in
  another process.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit.coding import evidence as ev
from toolkit.coding.autocode import AutoCoder, question_texts
from toolkit.coding.codebook import load_codebook
from toolkit.coding.learn import TRUST_KAPPA, is_trusted, needs_more_checking, origin_kappa, uncertainty
from toolkit.coding.review.actor_session import ActorView
from toolkit.coding.review.decisions import (
    DECISIONS,
    CodingLog,
    TurnDecisions,
    hand_coding_frame,
    write_private_csv,
)
from toolkit.coding.review.locate import CodingPaths
from toolkit.coding.review.refit import MIN_CODED_TURNS, RefitJob, RefitOutcome, Refitter
from toolkit.coding.segments import read_segments
from toolkit.deidentify.review.session import NotFound
from toolkit.deidentify.review.state import now
from toolkit.errors import InputDataError
from toolkit.io import read_table
from toolkit.language import get_analyzer


@dataclass
class Model:
    """The suggestions in force: scores per turn and code (0.5 = the code's threshold) and where they came
    from. ``version`` 0 is the ``pdtk autocode`` run; each refit adds one."""

    proba: np.ndarray
    origin: dict[str, str]
    version: int = 0
    n_coded: int = 0
    seconds: float = 0.0
    kappa: dict[str, float] = field(default_factory=dict)
    """Per code, the refit's out-of-fold kappa against the coded turns (:func:`learn.origin_kappa`); empty
    before the first refit."""
    interval: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per code, that kappa's 95 % interval over the coded transcripts; empty before the first refit."""


def _rounded(value: float) -> float | None:
    """A kappa for the page: three decimals, None where it is not measurable (NaN)."""
    return round(value, 3) if value == value else None


def evidence_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Offsets in ``text`` of every occurrence of the evidence words (a multi-word match may have punctuation
    between its words); case-insensitive, whole words."""
    spans = []
    for word in words:
        parts = [re.escape(p) for p in re.findall(r"\w+", word)]
        if not parts:
            continue
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)", re.IGNORECASE)
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    return sorted(set(spans))


def merge_marks(marks: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """Overlapping ``(start, end, code)`` marks merged into non-overlapping ones carrying every code."""
    merged: list[dict[str, Any]] = []
    for start, end, code in sorted(marks):
        if merged and start < merged[-1]["end"]:
            last = merged[-1]
            last["end"] = max(last["end"], end)
            if code not in last["codes"]:
                last["codes"].append(code)
        else:
            merged.append({"start": start, "end": end, "codes": [code]})
    return merged


class CodingSession:
    """Everything the coding view serves; every method is safe to call from several request threads."""

    def __init__(self, paths: CodingPaths, *, reviewer: str, background: bool = True, seed: int = 0):
        self.paths = paths
        self.reviewer = reviewer
        self.seed = seed
        self.codebook = load_codebook(paths.codebook)
        self.lock = threading.RLock()
        segments, texts = read_segments(paths.transcripts, unit="turn")
        coder = AutoCoder(self.codebook, analyzer=get_analyzer())
        units, scores, matches = coder.unit_scores(segments)
        self.units = units[["source", "turn_index", "speaker", "start", "end", "text"]].reset_index(drop=True)
        self.questions = question_texts(segments, units)
        self.keys = [(str(s), int(t)) for s, t in zip(units["source"], units["turn_index"], strict=True)]
        self.row_of = {key: i for i, key in enumerate(self.keys)}
        self.texts = [str(t) for t in units["text"]]
        self.speakers = [str(s) for s in units["speaker"]]
        self.evidence = self._evidence(coder, matches)
        self.model = self._initial_model(coder, scores)
        self.log = CodingLog(paths.restricted_dir, self.codebook.ids)
        self.actors = ActorView(
            texts, paths.restricted_dir, reviewer=reviewer, extensions=paths.actor_extensions
        )
        self.queue = self._rank()
        self._write_hand_coding(set(self.units["source"]))
        self.refitter: Refitter | None = None
        if background:
            self.refitter = Refitter(
                self.codebook,
                self.units["text"].tolist(),
                self.questions,
                self.units["source"].tolist(),
                snapshot=self.refit_job,
                on_result=self.take_refit,
            )
            self.refitter.request()

    # ------------------------------------------------------------------------------------------ loading
    def _evidence(self, coder: AutoCoder, matches: Any) -> dict[tuple[int, str], list[str]]:
        """Evidence words per (turn row, code) wherever the rules saw any."""
        if not len(matches.entry):
            return {}
        pairs = np.unique(np.stack([matches.text_index, coder.entry_theme[matches.entry]]), axis=1)
        lists = coder.evidence_lists(matches, pairs[0], pairs[1])
        return {
            (int(row), self.codebook.ids[int(theme)]): words
            for row, theme, (_labels, words) in zip(pairs[0], pairs[1], lists, strict=True)
            if words
        }

    def _initial_model(self, coder: AutoCoder, scores: np.ndarray) -> Model:
        """The rules' confidence below each threshold (for the uncertainty of the first queue), and the
        codes of ``segments.csv`` (the run's, which may be learned ones) above it: a code is suggested only
        where the run coded it."""
        proba = np.minimum(ev.confidence(scores, coder.thresholds), 0.4999)
        coded = read_table(self.paths.coding_dir / "segments.csv")
        missing = {"source", "turn_index", "code_id"} - set(coded.columns)
        if missing:
            raise InputDataError(
                f"segments.csv has no column '{sorted(missing)[0]}'", file=self.paths.coding_dir
            )
        origin = {code: "rule" for code in self.codebook.ids}
        column = {code: j for j, code in enumerate(self.codebook.ids)}
        for row in coded.itertuples(index=False):
            i, j = self.row_of.get((str(row.source), int(row.turn_index))), column.get(str(row.code_id))
            if i is None or j is None:
                continue
            given = getattr(row, "confidence", None)
            # the main theme of a turn is coded below its threshold (confidence < 0.5): borderline, so 0.5
            proba[i, j] = max(float(given), 0.5) if given is not None and pd.notna(given) else 0.75
            if isinstance(getattr(row, "origin", None), str) and row.origin != "human":
                origin[self.codebook.ids[j]] = row.origin
        return Model(proba, origin)

    # ------------------------------------------------------------------------------------------ the queue
    def _rank(self) -> list[int]:
        """Rows of the turns not yet coded, most uncertain first, then the coded turns in reading order."""
        coded = {self.row_of[k] for k in self.log.state.coded() if k in self.row_of}
        self.unsure = uncertainty(pd.DataFrame(self.model.proba, columns=self.codebook.ids)).to_numpy()
        open_rows = [i for i in range(len(self.units)) if i not in coded]
        open_rows.sort(key=lambda i: (-self.unsure[i], i))
        return open_rows + sorted(coded)

    def queue_rows(self) -> dict[str, Any]:
        """``GET /api/queue``: the turns in review order (uncoded by uncertainty, then coded)."""
        with self.lock:
            coded = self.log.state.turns
            rows = [
                {
                    "id": i,
                    "source": self.keys[i][0],
                    "turn_index": self.keys[i][1],
                    "coded": self.keys[i] in coded and coded[self.keys[i]].done,
                    "uncertainty": round(float(self.unsure[i]), 4),
                }
                for i in self.queue
            ]
            return {"model_version": self.model.version, "turns": rows}

    # ------------------------------------------------------------------------------------------ a turn
    def _key(self, row: int) -> tuple[str, int]:
        return self.keys[row]

    def _row(self, turn_id: Any) -> int:
        try:
            row = int(turn_id)
        except (TypeError, ValueError):
            raise NotFound("no such turn") from None
        if not 0 <= row < len(self.units):
            raise NotFound("no such turn")
        return row

    def _decisions(self, row: int) -> TurnDecisions:
        return self.log.state.turns.get(self._key(row), TurnDecisions())

    def _suggested(self, row: int) -> list[str]:
        return [c for j, c in enumerate(self.codebook.ids) if self.model.proba[row, j] >= 0.5]

    def _pending(self, row: int) -> list[str]:
        decisions = self._decisions(row)
        if decisions.done:
            return []
        return [c for c in self._suggested(row) if c not in decisions.codes]

    def turn(self, turn_id: Any) -> dict[str, Any]:
        """``GET /api/turns/{id}``: the turn's text, its codes with status and evidence, and the question."""
        row = self._row(turn_id)
        with self.lock:
            decisions = self._decisions(row)
            shown = [*self._pending(row), *decisions.codes]
            ordered = [c for c in self.codebook.ids if c in shown]
            text = self.texts[row]
            codes, marks = [], []
            for code in ordered:
                j = self.codebook.ids.index(code)
                spans = evidence_spans(text, self.evidence.get((row, code), []))
                marks.extend((s, e, code) for s, e in spans)
                codes.append(
                    {
                        "code": code,
                        "number": j + 1,
                        "name": self.codebook[code].name,
                        "status": decisions.codes.get(code, "pending"),
                        "suggested": bool(self.model.proba[row, j] >= 0.5) and not decisions.done,
                        "confidence": round(float(self.model.proba[row, j]), 4),
                        "origin": self.model.origin.get(code, "rule"),
                        "evidence": [text[s:e] for s, e in spans],
                    }
                )
            source, turn_index = self._key(row)
            return {
                "id": row,
                "source": source,
                "turn_index": turn_index,
                "speaker": self.speakers[row],
                "question": self.questions[row],
                "text": text,
                "codes": codes,
                "marks": merge_marks(marks),
                "coded": decisions.done,
                "model_version": self.model.version,
                "progress": self.progress(),
            }

    # ------------------------------------------------------------------------------------------ decisions
    def decide(self, turn_id: Any, code: Any, decision: Any) -> dict[str, Any]:
        """``{"code": id, "decision": "accept"|"reject"|"add"|"undo"}`` on one turn; returns the turn."""
        row = self._row(turn_id)
        if decision not in DECISIONS:
            raise InputDataError(f"decision must be one of {', '.join(DECISIONS)}")
        if code not in self.codebook:
            raise NotFound("no such code in the codebook")
        with self.lock:
            decisions = self._decisions(row)
            if decision == "undo" and code not in decisions.codes:
                return self.turn(row)
            if decision == "accept" and code not in self._suggested(row) and code not in decisions.codes:
                decision = "add"  # accepting a code nobody suggested is adding it
            pending_after = [c for c in self._pending(row) if c != code]
            closes = not decisions.done and decision != "undo" and not pending_after
            source, turn_index = self._key(row)
            self.log.append(
                {
                    "event": "decision",
                    "source": source,
                    "turn_index": turn_index,
                    "code": code,
                    "decision": decision,
                    "done": closes,
                    "by": self.reviewer,
                    "at": now(),
                }
            )
            closed = closes or decisions.done
            if closed:
                self._write_hand_coding({source})
        if closed:
            self._ask_refit()
        return self.turn(row)

    def close_turn(self, turn_id: Any) -> dict[str, Any]:
        """``{"decision": "done"}``: the turn's coding is complete; suggestions still pending are rejected."""
        row = self._row(turn_id)
        with self.lock:
            if self._decisions(row).done:
                return self.turn(row)
            source, turn_index = self._key(row)
            self.log.append(
                {
                    "event": "done",
                    "source": source,
                    "turn_index": turn_index,
                    "reject": self._pending(row),
                    "by": self.reviewer,
                    "at": now(),
                }
            )
            self._write_hand_coding({source})
        self._ask_refit()
        return self.turn(row)

    def _ask_refit(self) -> None:
        """The hand coding changed: ask for a refit. Never with the session's lock held — the refitter takes
        its own lock and then (for the coding to learn from) this one: the other order could deadlock."""
        if self.refitter is not None:
            self.refitter.request()

    # ------------------------------------------------------------------------------------------ learning
    def complete_sources(self) -> list[str]:
        """Transcripts whose every participant turn is coded."""
        turns = self.log.state.turns
        done: dict[str, bool] = {}
        for key in self.keys:
            done[key[0]] = done.get(key[0], True) and key in turns and turns[key].done
        return sorted(s for s, complete in done.items() if complete)

    def _write_hand_coding(self, touched: set[str]) -> None:
        """``coding_review_hand_coded.csv``: the complete transcripts, in the shape ``--hand-coded`` reads
        (``pdtk autocode`` takes every turn of a named transcript as coded, so only complete ones go in)."""
        complete = self.complete_sources()
        if not touched & set(complete) and self.paths.hand_coding.exists():
            return
        write_private_csv(self.paths.hand_coding, hand_coding_frame(self.log.state, self.units, complete))

    def labels(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the coded turns and their 0/1 codes (the learner's training data)."""
        coded = self.log.state.coded()
        rows = np.array([self.row_of[k] for k in coded if k in self.row_of], dtype=int)
        matrix = np.zeros((len(rows), len(self.codebook)), dtype=int)
        column = {c: j for j, c in enumerate(self.codebook.ids)}
        for i, key in enumerate(k for k in coded if k in self.row_of):
            for code in coded[key].kept():
                matrix[i, column[code]] = 1
        return rows, matrix

    def refit_job(self) -> RefitJob | None:
        """What the next refit learns from, or None while too few turns are coded."""
        with self.lock:
            rows, matrix = self.labels()
        if len(rows) < MIN_CODED_TURNS:
            return None
        return RefitJob(rows, matrix, self.seed)

    def take_refit(self, outcome: RefitOutcome) -> None:
        """Put a refit's suggestions in force and re-rank the queue."""
        with self.lock:
            self.model = Model(
                outcome.proba,
                outcome.origin,
                self.model.version + 1,
                outcome.n_coded,
                outcome.seconds,
                origin_kappa(outcome.cv_kappa, outcome.origin),
                dict(outcome.cv_interval),
            )
            self.queue = self._rank()

    def refit_now(self, wait: float = 0.0) -> dict[str, Any]:
        # not under self.lock: see _ask_refit
        """``POST /api/refit``: ask for a refit (and wait up to ``wait`` seconds for it)."""
        started = self.refitter.request() if self.refitter is not None else False
        if started and wait > 0:
            self.refitter.wait(wait)
        return self.status()

    # ------------------------------------------------------------------------------------------ status
    def progress(self) -> dict[str, int]:
        turns = self.log.state.turns
        return {
            "turns": len(self.keys),
            "coded": sum(1 for k, t in turns.items() if t.done and k in self.row_of),
            "transcripts": int(self.units["source"].nunique()),
            "complete": len(self.complete_sources()),
        }

    def codes(self) -> list[dict[str, Any]]:
        """``GET /api/codebook``: the codes with their picker numbers."""
        return [
            {"code": c.id, "number": j + 1, "name": c.name, "description": c.description}
            for j, c in enumerate(self.codebook.codes)
        ]

    def status(self) -> dict[str, Any]:
        """``GET /api/status``: progress, the model in force and the refitter's state."""
        with self.lock:
            refitter = self.refitter
            return {
                **self.progress(),
                "reviewer": self.reviewer,
                "model": {
                    "version": self.model.version,
                    "coded_turns": self.model.n_coded,
                    "seconds": round(self.model.seconds, 2),
                    "origin": dict(self.model.origin),
                    "refitting": bool(refitter is not None and refitter.busy),
                    "min_coded_turns": MIN_CODED_TURNS,
                    "error": refitter.error if refitter is not None else None,
                    **self._trust(),
                },
            }

    def _trust(self) -> dict[str, Any]:
        """Per code the refit's out-of-fold kappa with its interval, the codes to code by hand (below
        :data:`~toolkit.coding.learn.TRUST_KAPPA` or not measurable) and the usable ones whose interval
        reaches below it (check more of them), as ``pdtk autocode`` advises: the coding view says which
        suggestions not to rely on. Nothing before the first refit."""
        kappa, interval = self.model.kappa, self.model.interval
        trusted = [c for c in self.codebook.ids if c in kappa and is_trusted(kappa[c])]
        unsure = [c for c in trusted if needs_more_checking(kappa[c], interval.get(c, (None, None))[0])]
        return {  # judged on the kappas as computed, as theme_trust does; rounded only for the page
            "kappa": {c: _rounded(k) for c, k in kappa.items()},
            "kappa_low": {c: _rounded(lo) for c, (lo, _) in interval.items()},
            "kappa_high": {c: _rounded(hi) for c, (_, hi) in interval.items()},
            "trust_kappa": TRUST_KAPPA,
            "code_by_hand": [c for c in self.codebook.ids if c in kappa and c not in trusted],
            "check_more": unsure,
        }

    def close(self) -> None:
        """Stop the refit worker (call before the process ends)."""
        if self.refitter is not None:
            self.refitter.close()
