"""What the reviewer should look at twice: spans the de-identification was least sure of, and words it left
that look like identifiers.

For the replaced spans, the run's recognisers are run again on the original text to see *which* found each
span (``found_by``): a span found only by the NER model (``model_only``) or by none of them — only because the
same string was found elsewhere in the transcript or the batch (``consistency_only``) — is the kind most often
wrong. In the text left as it was, a suspect is

* ``unknown_word`` — a capitalised word that the Norwegian lexicon (Ordbank forms of spacy-lookups-data) does
  not know and that is not a common proper noun (``Facebook``, ``NAV``): names and places look like this;
* ``digits`` — a run of three or more digits (a plain year 1900–2099 excepted): numbers identify;
* ``after_cue`` — the word after a cue such as "heter", "bor i", "jobber på", when capitalised or unknown.

Suspects carry offsets into the original text and a reason, never the string. The recogniser run costs about
0.1 s per transcript after a ~3 s warm-up (model and regexes), so :class:`Analyser` does it in a background
worker process, the transcript on screen first.
"""

from __future__ import annotations

import multiprocessing
import re
import signal
import threading
from collections.abc import Callable, Container
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from toolkit.deidentify.deidentifier import _chunk_paragraphs
from toolkit.deidentify.gazetteers import load_gazetteers
from toolkit.deidentify.patterns import LOW, SPEAKER, UP, _words
from toolkit.deidentify.registry import RecognizerRegistry, RegistryConfig

MODEL = "NerRecognizer"
_WORD = re.compile(rf"[{UP}{LOW}][{UP}{LOW}0-9'’-]*")
_DIGITS = re.compile(r"(?<![\w.,])\d(?:[\d .\-/]*\d)?(?![\w])")
_YEAR = re.compile(r"(?:19|20)\d\d")
_CUES = (
    "heter|het|hette|kalles|kalt|kaller meg|navnet mitt er|bor i|bor på|bodde i|bodde på|bur i|budde i|"
    "jobber på|jobber i|jobber hos|jobbet på|jobbet i|jobbet hos|jobba på|jobba i|jobba hos|går på|gikk på|"
    "kommer fra|kom fra|flyttet til|flytta til|flyttet fra|flytta fra|vokste opp i|vokste opp på|"
    "praksis på|praksis hos|lærling hos|lærling på"
)
_CUE = re.compile(rf"(?<![\w])(?:{_CUES})\s+([{UP}{LOW}0-9][{UP}{LOW}0-9'’-]*)", re.IGNORECASE)
_NOT_AFTER_CUE = _words(
    "en ei et den det de der her hos sammen med meg seg deg ikke litt nå da på i til fra noe noen mange "
    "alltid egentlig bare også hjemme samme andre annen et ett to tre ganske veldig så jo vel"
)


# closed-class words that the Ordbank tables (nouns, verbs, adjectives, adverbs) do not list
_CLOSED_CLASS = _words(
    "hvis hver hvert hverandre enhver ethvert hos hvilke hvilken hvilket ingen intet noen noe slik sånn "
    "selv seg sjøl dersom fordi enn eller både verken hverken ifølge blant"
)


def known_words() -> frozenset[str]:
    """Lower-case Norwegian words that are not names: Ordbank forms (the lexicon of ``toolkit.coding``),
    spaCy's ``nb`` stop words and closed-class words. Loading takes 0.5–2 s (done in the analyser's thread)."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    from toolkit.language import load_lexicon

    return frozenset(load_lexicon().lookup) | frozenset(w.lower() for w in STOP_WORDS) | _CLOSED_CLASS


@dataclass
class Analysis:
    """One transcript's analysis: recognisers per replaced span and suspects in the untouched text."""

    found_by: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    suspects: list[dict] = field(default_factory=list)  # {start, end, reasons}
    failed: str | None = None  # why this transcript could not be analysed (an exception's class name)


class SuspectFinder:
    """Runs the recognisers and the lexical checks on one original text."""

    def __init__(self, registry: RecognizerRegistry, known_words: Container[str]):
        self.registry = registry
        self.known = known_words
        self.common_proper = load_gazetteers().common_proper

    def analyse(self, text: str, spans: list[tuple[int, int, str]]) -> Analysis:
        """``spans`` are the replaced spans ``(start, end, type)`` of the de-identification output."""
        analysis = Analysis(found_by=self._found_by(text, spans))
        for start, end, _type in spans:
            names = analysis.found_by[(start, end)]
            if not names or names == [MODEL]:
                reason = "model_only" if names else "consistency_only"
                analysis.suspects.append({"start": start, "end": end, "reasons": [reason]})
        occupied = sorted((s, e) for s, e, _t in spans)
        analysis.suspects += merge_suspects(
            [s for s in self._lexical(text) if not overlaps(occupied, s["start"], s["end"])]
        )
        analysis.suspects.sort(key=lambda s: s["start"])
        return analysis

    def _found_by(self, text: str, spans: list[tuple[int, int, str]]) -> dict[tuple[int, int], list[str]]:
        hits: list[tuple[int, int, str]] = []
        for offset, chunk in _chunk_paragraphs(text):
            for recognizer in self.registry:
                hits += [(s.start + offset, s.end + offset, recognizer.name) for s in recognizer.find(chunk)]
        hits.sort()
        found: dict[tuple[int, int], list[str]] = {}
        for start, end, _type in spans:
            names = {name for s, e, name in hits if s < end and e > start}
            found[(start, end)] = sorted(names)
        return found

    def _lexical(self, text: str) -> list[dict]:
        labels = {m.start(1) for m in SPEAKER.finditer(text)}
        found = []
        for m in _WORD.finditer(text):
            word = m.group(0)
            if not word[0].isupper() or len(word) < 2 or m.start() in labels:
                continue
            if word.lower() in self.known or word in self.common_proper:
                continue
            found.append({"start": m.start(), "end": m.end(), "reasons": ["unknown_word"]})
        for m in _DIGITS.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if len(digits) >= 3 and not _YEAR.fullmatch(m.group(0)):
                found.append({"start": m.start(), "end": m.end(), "reasons": ["digits"]})
        for m in _CUE.finditer(text):
            word = m.group(1)
            if word.lower() in _NOT_AFTER_CUE or (word[0].islower() and word.lower() in self.known):
                continue
            found.append({"start": m.start(1), "end": m.end(1), "reasons": ["after_cue"]})
        return found


def overlaps(occupied: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when [start, end) overlaps one of the sorted, non-overlapping ranges."""
    import bisect

    i = bisect.bisect_right(occupied, (start, float("inf")))
    if i > 0 and occupied[i - 1][1] > start:
        return True
    return i < len(occupied) and occupied[i][0] < end


def merge_suspects(suspects: list[dict]) -> list[dict]:
    """One suspect per stretch of text, with every reason that pointed at it."""
    merged: list[dict] = []
    for s in sorted(suspects, key=lambda s: (s["start"], -s["end"])):
        if merged and s["start"] < merged[-1]["end"]:
            last = merged[-1]
            last["end"] = max(last["end"], s["end"])
            last["reasons"] = sorted(set(last["reasons"]) | set(s["reasons"]))
        else:
            merged.append(dict(s))
    return merged


@dataclass
class FinderSpec:
    """What a worker process needs to build the :class:`SuspectFinder` (picklable)."""

    config: RegistryConfig
    allow: list[str] = field(default_factory=list)
    deny: list[tuple[str, str]] = field(default_factory=list)


_WORKER_FINDER: SuspectFinder | None = None


def _start_worker(spec: FinderSpec) -> None:
    """In the worker process: build the finder once (model, regexes, lexicon); Ctrl-C is the parent's."""
    global _WORKER_FINDER
    from toolkit.background import end_with_parent
    from toolkit.deidentify.review.settings import review_registry

    end_with_parent()  # a review server killed outright does not leave this worker behind
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_FINDER = SuspectFinder(review_registry(spec.config, spec.allow, spec.deny), known_words())


def _analyse_in_worker(text: str, spans: list[tuple[int, int, str]]) -> Analysis:
    assert _WORKER_FINDER is not None
    return _WORKER_FINDER.analyse(text, spans)


class Analyser:
    """Analyses transcripts in the background: the one asked for first, then the rest in order.

    The work runs in one worker *process* (spawned, so it shares no locks with the server's threads): the model
    and the regexes hold the GIL for long stretches, and in a thread they made the server's answers wait
    (a decision took ~100 ms instead of ~15 ms while the folder was analysed, measured). A thread of the server
    feeds the worker and keeps the results. ``spec`` gives the registry settings (asked again after
    :meth:`invalidate`, when the review's lists have changed); ``load`` a transcript's text and replaced spans.
    """

    def __init__(
        self,
        spec: Callable[[], FinderSpec],
        names: list[str],
        load: Callable[[str], tuple[str, list[tuple[int, int, str]]]],
    ):
        self._spec = spec
        self._names = list(names)
        self._load = load
        self._done: dict[str, Analysis] = {}
        self._wanted: list[str] = []
        self._cond = threading.Condition()
        self._generation = 0
        self._stopping = False
        self._pool: ProcessPoolExecutor | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="pdtk-review-analyser", daemon=True)

    def start(self) -> Analyser:
        self._thread.start()
        return self

    def peek(self, name: str) -> Analysis | None:
        """The analysis when ready, without asking for it."""
        with self._cond:
            return self._done.get(name)

    def get(self, name: str) -> Analysis | None:
        """The analysis when ready; otherwise None, and ``name`` goes to the front of the queue."""
        with self._cond:
            if name in self._done:
                return self._done[name]
            if name not in self._wanted:
                self._wanted.insert(0, name)
                self._cond.notify_all()
            return None

    def wait(self, name: str, timeout: float) -> Analysis | None:
        """Block until ``name`` is analysed (or ``timeout`` seconds pass)."""
        self.get(name)
        with self._cond:
            self._cond.wait_for(lambda: name in self._done or self.error is not None, timeout=timeout)
            return self._done.get(name)

    def stop(self, timeout: float = 10.0) -> None:
        """End the feeding thread and the worker process (before the server's process ends)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._close_pool()

    def invalidate(self) -> None:
        """Forget every analysis (the replaced spans changed: the review was applied)."""
        with self._cond:
            self._done.clear()
            self._generation += 1
            self._cond.notify_all()

    def _next(self) -> tuple[str, int] | None:
        with self._cond:
            while not self._stopping:
                pending = [n for n in self._wanted + self._names if n not in self._done]
                if pending:
                    if pending[0] in self._wanted:
                        self._wanted.remove(pending[0])
                    return pending[0], self._generation
                self._cond.wait()
            return None

    def _open_pool(self) -> ProcessPoolExecutor:
        self._close_pool()
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self._spec(),),
        )
        return self._pool

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _run(self) -> None:
        try:
            pool, built_for = self._open_pool(), self._generation
            while (job := self._next()) is not None:
                name, generation = job
                if generation != built_for:  # the review was applied: its lists are in the registry now
                    pool, built_for = self._open_pool(), generation
                try:
                    text, spans = self._load(name)
                except Exception as exc:  # one unreadable transcript does not stop the others
                    analysis = Analysis(failed=type(exc).__name__)
                else:
                    analysis = pool.submit(_analyse_in_worker, text, spans).result()
                with self._cond:
                    if generation == self._generation:
                        self._done[name] = analysis
                    self._cond.notify_all()
        except Exception as exc:  # the review goes on without suspects; the reason is shown, not the text
            with self._cond:
                self.error = type(exc).__name__
                self._cond.notify_all()
