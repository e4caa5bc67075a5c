"""Refitting the learner on the reviewer's coding without slowing the page down.

A refit (:class:`~toolkit.coding.learn.ThemeLearner`: features, grouped cross-validation per theme, the final
models) takes one to several seconds, and much of it is pure Python (lemmatising every turn) that would hold
the interpreter lock against the request threads. It therefore runs in **one worker process** (``spawn``: a
clean interpreter), which loads the Norwegian analyzer and receives the study's turns once; each refit sends
only the coded turns' row numbers and their 0/1 codes, and gets back every uncoded turn's score per code.

Refits are coalesced: while one runs, any number of requests make exactly one more when it ends (with the
coding as it is then), so a fast reviewer never queues up stale refits.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np

from toolkit.coding.codebook import Codebook

MIN_CODED_TURNS = 6
"""Fewer coded turns than this cannot be cross-validated: the rules' suggestions stay."""


@dataclass
class RefitJob:
    """What one refit learns from: row numbers (into the study's turns) of the coded turns and their codes."""

    coded_rows: np.ndarray
    labels: np.ndarray  # coded turns × codebook codes, 0/1
    seed: int = 0


@dataclass
class RefitOutcome:
    """Scores of every turn (0.5 at each code's threshold), the origin per code and how long it took."""

    proba: np.ndarray  # turns × codes
    origin: dict[str, str]
    n_coded: int
    seconds: float
    cv_kappa: dict[str, dict[str, float]] = field(default_factory=dict)
    cv_interval: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per code, the 95 % interval of the chosen coder's out-of-fold kappa
    (:meth:`~toolkit.coding.learn.ThemeLearner.origin_intervals`)."""


_WORKER: dict[str, object] = {}


def _start_worker(codebook: Codebook, texts: list[str], questions: list[str], sources: list[str]) -> None:
    """Worker initializer: the analyzer is loaded once, the turns are kept for every refit. Ctrl-C in a
    terminal reaches the whole process group: the worker ignores it and is stopped by the server instead
    (else it printed a traceback of its own)."""
    import signal

    from toolkit.background import end_with_parent
    from toolkit.language import get_analyzer

    end_with_parent()  # a server killed outright does not leave this worker behind
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    _WORKER.update(codebook=codebook, texts=texts, questions=questions, sources=sources)
    _WORKER["analyzer"] = get_analyzer()


def _ready() -> bool:
    """A first job, so that the worker process starts (and loads the analyzer) before it is needed."""
    return "analyzer" in _WORKER


def refit(job: RefitJob) -> RefitOutcome:
    """Fit the learner on the coded turns, score every turn (runs in the worker process)."""
    import pandas as pd

    from toolkit.coding.learn import ThemeLearner

    started = time.perf_counter()
    codebook: Codebook = _WORKER["codebook"]  # type: ignore[assignment]
    texts: list[str] = _WORKER["texts"]  # type: ignore[assignment]
    questions: list[str] = _WORKER["questions"]  # type: ignore[assignment]
    sources: list[str] = _WORKER["sources"]  # type: ignore[assignment]
    rows = [int(r) for r in job.coded_rows]
    learner = ThemeLearner(codebook, analyzer=_WORKER["analyzer"], seed=job.seed)  # type: ignore[arg-type]
    learner.fit(
        [texts[r] for r in rows],
        pd.DataFrame(job.labels, columns=codebook.ids),
        groups=[sources[r] for r in rows],
        questions=[questions[r] for r in rows],
        corpus=texts,
        corpus_questions=questions,
    )
    proba = learner.predict_proba(texts, questions=questions).reindex(columns=codebook.ids, fill_value=0.0)
    return RefitOutcome(
        proba.to_numpy(dtype=float),
        dict(learner.origin_),
        len(rows),
        time.perf_counter() - started,
        {code: dict(kappas) for code, kappas in learner.cv_kappa_.items()},
        learner.origin_intervals(),
    )


class Refitter:
    """One worker process and the coalescing of refit requests; ``on_result`` gets each outcome."""

    def __init__(
        self,
        codebook: Codebook,
        texts: list[str],
        questions: list[str],
        sources: list[str],
        *,
        snapshot: Callable[[], RefitJob | None],
        on_result: Callable[[RefitOutcome], None],
    ):
        self._snapshot = snapshot
        self._on_result = on_result
        self._initargs = (codebook, texts, questions, sources)
        self._executor = self._new_executor()
        # start the worker now: ProcessPoolExecutor spawns it on the first submit, which took 0.6-1.3 s of the
        # decision that first asked for a refit (measured, bench/bench_coding_review.py)
        self._executor.submit(_ready)
        self._lock = threading.Lock()
        self._running: Future | None = None
        self._again = False
        self._idle = threading.Event()
        self._idle.set()
        self.error: str | None = None
        self.refits = 0

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=self._initargs,
        )

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def request(self) -> bool:
        """Ask for a refit; False when there is not enough coding to learn from yet."""
        with self._lock:
            if self._running is not None:
                self._again = True
                return True
            return self._submit()

    def _submit(self) -> bool:
        """Start a refit on the coding as it is now (call with the lock held)."""
        job = self._snapshot()
        if job is None:
            return False
        try:
            future = self._executor.submit(refit, job)
        except BrokenProcessPool:  # the worker died (killed, out of memory): start a new one
            self._executor = self._new_executor()
            try:
                future = self._executor.submit(refit, job)
            except Exception as exc:  # never fail the decision that asked for the refit
                self.error = f"the refit could not start ({type(exc).__name__})"
                return False
        except RuntimeError as exc:  # shut down
            self.error = f"the refit could not start ({type(exc).__name__})"
            return False
        self._idle.clear()
        self._running = future
        future.add_done_callback(self._finished)
        return True

    def _finished(self, future: Future) -> None:
        try:
            outcome = future.result()
        except Exception as exc:  # the class name only: a message could hold a piece of a turn
            self.error = f"the refit failed ({type(exc).__name__})"
        else:
            self.error = None
            self.refits += 1
            self._on_result(outcome)
        with self._lock:
            self._running = None
            if self._again:
                self._again = False
                if self._submit():
                    return
            self._idle.set()

    def wait(self, timeout: float) -> bool:
        """Wait until no refit runs or is due; True when idle."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Stop the worker (a refit in flight is abandoned: it is recomputed from the log next time)."""
        with self._lock:
            self._again = False
        self._executor.shutdown(wait=False, cancel_futures=True)
