"""Share one map over many items between a spawned second process and this one: where process parallelism
lives.

Why a process and not a thread: the work worth moving (e.g. actor extraction in ``pdtk autocode``, regular
expressions and Python loops over a million words) holds the GIL, so a thread would only take turns with the
caller. Why *spawn* and not fork: the caller may already run threads (the CLI's progress spinner, BLAS pools),
and a forked child can inherit a lock one of them held; a spawned child starts clean and pays about a second
of imports on the other core, so :func:`shared_map` only starts one when the work is large (``worth_it``).
The worker and the items go to the child over a pipe from helper threads, not with the process object: the
child reads them only after its imports, and a caller writing megabytes into a pipe nobody reads yet would sit
blocked for those imports. Small inputs — tests, the demo, a notebook's handful of transcripts — are mapped in
this process when the result is asked for, with the same result. The worker factory, its arguments, the
items and the results must pickle; if the second process cannot be started, cannot build its worker or dies,
its items are done here instead, so the answer never depends on the route. Used as a context manager, leaving
the block early (an error in the caller's own share) stops the child.

:class:`HelperProcess` is the other shape: one spawned child, started long before it is needed so that its
imports run while the caller works, that then runs whole calls for the caller (``pdtk phase2`` has it draw
the report's figures while the tables are written). The same rules hold: spawned, the calls and their results
must pickle, and a call the child cannot answer is made here, so the answer never depends on the route.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, Generic, TypeVar

T = TypeVar("T")


# ============================================================================================== shared map
IN_FLIGHT = 2
"""Items the child holds at once: the next one waits in the pipe while it works, so the child does not sit
idle while this process's helper thread waits for the GIL to hand it another."""


def _serve_items(connection: Connection) -> None:
    """The child's life in :func:`shared_map`: build the worker once, then answer ``(index, item)`` with
    ``("ok", index, worker(item))`` until told to stop (``None``); an error is sent back and ends it."""
    try:
        make_worker, args, kwargs = connection.recv()
        worker = make_worker(*args, **kwargs)
    except Exception:  # noqa: BLE001 - cannot work here: say nothing, the caller does every item
        connection.close()
        return
    try:
        while (message := connection.recv()) is not None:
            index, item = message
            try:
                connection.send(("ok", index, worker(item)))
            except Exception as error:  # noqa: BLE001 - the caller raises it
                connection.send(("error", index, error))
                break
    except (EOFError, OSError):
        pass  # the caller is gone or stopped us
    finally:
        connection.close()


class SharedMap(Generic[T]):
    """``[worker(item) for item in items]`` with ``worker = make_worker(*args, **kwargs)``, worked through
    from the front by a spawned child as soon as it starts and from the back by this process once it asks
    for :meth:`result`, so that neither waits long for the other whatever else this process had to do first.

    Two helper threads talk to the child: one hands it items (at most :data:`IN_FLIGHT` unanswered), one
    reads its results, so neither side can block the other on a full pipe. Results come back in the items'
    order whichever process made them, and each process builds its worker once (per-word caches stay warm).
    A child that cannot start, cannot build its worker or dies leaves its items to this process; an error a
    worker raises is raised by :meth:`result`.
    """

    def __init__(
        self, make_worker: Callable[..., Callable[[Any], T]], items: list, args: tuple, kwargs: dict
    ):
        self._make_worker, self._args, self._kwargs = make_worker, args, kwargs
        self._queue: deque[tuple[int, Any]] = deque(enumerate(items))
        self._in_flight: dict[int, Any] = {}
        self._results: list[Any] = [None] * len(items)
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(IN_FLIGHT)
        self._closed = False
        self._error: BaseException | None = None
        self._process: Any = None
        self._connection: Connection | None = None
        self._threads: list[threading.Thread] = []
        self.in_second_process = False
        """Whether a second process was started for the items."""
        self.items_done_apart = 0
        """How many items the second process did."""

    def start(self) -> SharedMap[T]:
        """Start the child and the helper threads; on a start-up failure stay in this process."""
        payload = ForkingPickler.dumps((self._make_worker, self._args, self._kwargs))
        context = multiprocessing.get_context("spawn")
        here, there = context.Pipe(duplex=True)
        try:
            self._process = context.Process(target=_serve_items, args=(there,), daemon=True)
            self._process.start()
        except (OSError, RuntimeError):
            self._process = None
            here.close()
            return self
        finally:
            there.close()
        self._connection, self.in_second_process = here, True
        self._threads = [
            threading.Thread(target=self._send_items, args=(here, payload), daemon=True),
            threading.Thread(target=self._receive_results, args=(here,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def _take(self, *, front: bool) -> tuple[int, Any] | None:
        with self._lock:
            if not self._queue or self._error is not None:
                return None
            taken = self._queue.popleft() if front else self._queue.pop()
            if front:
                self._in_flight[taken[0]] = taken[1]
            return taken

    def _send_items(self, connection: Connection, payload: bytes) -> None:
        """Helper thread: the worker's recipe, then items from the front while there are free slots."""
        taken = None
        try:
            connection.send_bytes(payload)
            while True:
                self._slots.acquire()
                if self._closed:
                    return
                taken = self._take(front=True)
                connection.send(taken)  # None: no more items
                if taken is None:
                    return
        except OSError:  # the child is gone: an item it never got comes back to the queue
            with self._lock:
                if taken is not None and self._in_flight.pop(taken[0], None) is not None:
                    self._queue.append(taken)

    def _receive_results(self, connection: Connection) -> None:
        """Helper thread: store the child's results until it closes; what it held comes back to the queue."""
        try:
            while True:
                status, index, value = connection.recv()
                with self._lock:
                    self._in_flight.pop(index, None)
                if status == "error":
                    self._error = value
                    return
                self._results[index] = value
                self.items_done_apart += 1
                self._slots.release()
        except (EOFError, OSError):
            pass  # done (the child closes after the last item), stopped, or dead
        finally:
            with self._lock:
                self._queue.extend(self._in_flight.items())
                self._in_flight.clear()
                self._closed = True
            self._slots.release()  # the sender may be waiting for a slot

    def result(self) -> list[T]:
        """The results in the items' order, this process working from the back until the queue is empty."""
        worker = None
        for _round in ("beside the child", "what a child that died left"):
            while (taken := self._take(front=False)) is not None:
                worker = worker or self._make_worker(*self._args, **self._kwargs)
                self._results[taken[0]] = worker(taken[1])
            with self._lock:
                holding = bool(self._in_flight)
            self.close(grace=None if holding else 0.0)  # it finishes what it holds; holding nothing, it stops
        if self._error is not None:
            raise self._error
        return self._results

    def close(self, grace: float | None = 0.0) -> None:
        """Release the child (``grace=None``: after it has answered what it holds) and the helper threads."""
        if self._process is not None:
            self._process.join(timeout=grace)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
            self._process = None
        for thread in self._threads:
            thread.join()
        self._threads = []
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> SharedMap[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def shared_map(
    make_worker: Callable[..., Callable[[Any], T]],
    items: Sequence[Any],
    *args: Any,
    worth_it: bool = True,
    **kwargs: Any,
) -> SharedMap[T]:
    """``[make_worker(*args, **kwargs)(item) for item in items]``, shared with a spawned process when
    ``worth_it`` (:class:`SharedMap`); else all of it done here when :meth:`SharedMap.result` is asked for.

    ``make_worker`` must be importable by name, its arguments, the items and the results must pickle.
    """
    pending: SharedMap[T] = SharedMap(make_worker, list(items), args, kwargs)
    return pending.start() if worth_it and items else pending


# ========================================================================================= worker processes
def end_with_parent() -> None:
    """In a worker process: end it as soon as the process that started it is gone.

    A ``ProcessPoolExecutor`` worker waits on its call queue for the next task, and only its parent sends the
    sentinel that stops it: when the parent is killed (``kill -9``, a closed terminal, a test tearing down
    its review server) the worker waited forever, holding its memory (found as orphans after the browser
    tests). A daemon thread here waits on the parent's sentinel and ends the process. Every pool initializer
    of the toolkit calls this first.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # not started by multiprocessing
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="pdtk-end-with-parent", daemon=True).start()


# ============================================================================================ helper process
def _preload(modules: Sequence[str]) -> None:
    """The helper's first work: import what its calls will need, before the first call arrives.

    Then everything imported is moved to the garbage collector's permanent generation: it lives as long as
    the helper, and a spawned child ends through the interpreter's full shutdown, whose collections would
    otherwise walk all of it (0.3 s with matplotlib and pandas loaded, a wait for whoever closes the helper).
    """
    end_with_parent()
    for name in modules:
        importlib.import_module(name)
    gc.freeze()


class Answer(Generic[T]):
    """What :meth:`HelperProcess.submit` returns: :meth:`result` is the call's value, made by the helper
    process or — when it cannot answer (it did not start, died, or the call failed there) — made here."""

    def __init__(self, call: Callable[..., T], args: tuple, future: Future | None = None):
        self._call, self._args, self._future = call, args, future
        self._value: T | None = None
        self._done = future is None
        if self._done:
            self._value = call(*args)
        self.made_apart = False
        """Whether the helper process made the value."""

    def done(self) -> bool:
        """Whether :meth:`result` would return without waiting for the helper (as ``Future.done``)."""
        return self._done or (self._future is not None and self._future.done())

    def result(self) -> T:
        """The call's value (waits for the helper; an error of the call itself is raised by the call here)."""
        if not self._done:
            assert self._future is not None
            try:
                self._value = self._future.result()
                self.made_apart = True
            except Exception:  # noqa: BLE001 - whatever went wrong apart, the call made here decides
                self._value = self._call(*self._args)
            self._future, self._done = None, True
        return self._value  # type: ignore[return-value]


class HelperProcess:
    """One spawned child that imports ``preload`` as soon as it starts, then runs calls for this process
    (and imports ``then_import`` right after the first call, for the calls that come later).

    Why start it early: a fresh interpreter needs a second or more to import NumPy, pandas or matplotlib,
    and the point is to have that happen on the other core while this process is busy with work that needs
    it less (its own imports, a model fit), so that the child is ready when the calls come. Why a process:
    the calls worth handing over (drawing figures) hold the GIL. ``worth_it=False`` starts nothing and every
    :meth:`submit` runs its call at once, here. Calls and their arguments must be importable by name and
    pickle; a child that cannot start, dies, or cannot answer leaves the call to this process
    (:class:`Answer`). Used as a context manager, the child is shut down on leaving the block.
    """

    def __init__(
        self, preload: Sequence[str] = (), *, then_import: Sequence[str] = (), worth_it: bool = True
    ):
        self._pool: ProcessPoolExecutor | None = None
        self._then_import = tuple(then_import)
        if worth_it:
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_preload,
                    initargs=(tuple(preload),),
                )
                self._pool.submit(int)  # the child starts (and imports) now, not at the first real call
            except (OSError, RuntimeError):
                self._pool = None

    @property
    def apart(self) -> bool:
        """Whether a child process was started for the calls."""
        return self._pool is not None

    def submit(self, call: Callable[..., T], *args: Any) -> Answer[T]:
        """``call(*args)``, in the child when there is one (see :class:`Answer`), else at once, here."""
        if self._pool is not None:
            try:
                answer = Answer(call, args, self._pool.submit(call, *args))
                if self._then_import:  # right behind the first call (the child runs calls in order)
                    self._pool.submit(_preload, self._then_import)
                    self._then_import = ()
                return answer
            except RuntimeError:  # shut down or broken: do it here
                pass
        return Answer(call, args)

    def close(self) -> None:
        """Stop the child (calls not yet started are cancelled: an :class:`Answer` not yet made is made
        here)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def stop_now(self) -> None:
        """Stop the child at once, whatever it is doing (its imports included): when the caller failed and
        nothing the child makes will be asked for, the error should not wait for them."""
        if self._pool is not None:
            # the executor has no public way to end a worker mid-task before Python 3.14's terminate_workers
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> HelperProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        if exc_type is not None:
            self.stop_now()
        self.close()


__all__ = ["Answer", "HelperProcess", "SharedMap", "end_with_parent", "shared_map"]
