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
"""

from __future__ import annotations

import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Sequence
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


__all__ = ["SharedMap", "shared_map"]
