"""Run one pure function in a second process while this one goes on: where process parallelism lives.

Why a process and not a thread: the work worth moving (e.g. actor extraction in ``pdtk autocode``, regular
expressions and Python loops over a million words) holds the GIL, so a thread would only take turns with the
caller. Why *spawn* and not fork: the caller may already run threads (the CLI's progress spinner, BLAS pools),
and a forked child can inherit a lock one of them held; a spawned child starts clean and pays about a second
of imports on the other core, so :func:`in_second_process` only starts one when the work is large
(``worth_it``). The call and its arguments go to the child over a pipe from a helper thread, not with the
process object: the child reads them only after its imports, and a caller writing megabytes of arguments
into a pipe nobody reads yet sat blocked for those imports (~1 s of ``pdtk autocode``'s own path). Small
inputs — tests, the demo, a notebook's handful of transcripts — run in this process when the result is asked
for, with the same result. The function and its arguments must pickle; if the second
process cannot be started or dies, the work is done here instead, so the answer never depends on the route.
Used as a context manager, leaving the block early (an error in the caller's own share) stops the child.
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


def _run_and_send(connection: Connection, task: Connection) -> None:
    """The child's whole life: read the call, make it, send back ``("ok", value)`` or ``("error", error)``.

    A call that cannot be read here (e.g. its function does not import in the child) gets no answer at all:
    the caller then reads EOF and does the work itself, as for a child that died."""
    try:
        function, args, kwargs = task.recv()
    except Exception:  # noqa: BLE001 - the call could not be read here: say nothing, the caller does it
        connection.close()
        return
    finally:
        task.close()
    try:
        message: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - every error goes back to the caller, who raises it
        message = ("error", error)
    try:
        connection.send(message)
    except Exception as unpicklable:  # noqa: BLE001 - e.g. an exception class that cannot be rebuilt
        connection.send(("error", RuntimeError(f"{type(unpicklable).__name__}: {unpicklable}")))
    finally:
        connection.close()


def _hand_over(task: Connection, payload: bytes) -> None:
    """Write the pickled call to the child (a helper thread's whole life); a child that died has no reader."""
    try:
        task.send_bytes(payload)
    except OSError:  # BrokenPipeError: the child is gone; result() then does the work in this process
        pass
    finally:
        task.close()


def _stopped(process: Any, grace: float | None) -> None:
    """Wait up to ``grace`` seconds (``None``: as long as it takes) for a child to end, then stop it."""
    if process is not None:
        process.join(timeout=grace)
        if process.is_alive():
            process.terminate()
            process.join()
    return None


class Pending(Generic[T]):
    """A result being computed elsewhere (or not yet computed); :meth:`result` waits for it once."""

    def __init__(self, function: Callable[..., T], args: tuple, kwargs: dict[str, Any]) -> None:
        self._function, self._args, self._kwargs = function, args, kwargs
        self._process: Any = None
        self._connection: Connection | None = None
        self._done = False
        self._value: T | None = None
        self._handed_over = False
        self._feeder: threading.Thread | None = None

    def start(self) -> Pending[T]:
        """Start a spawned child for the call; on any start-up failure stay in this process.

        The call is pickled here (an argument that cannot pickle fails in the caller, as before) and written
        to the child by a helper thread, so this returns as soon as the child is started.
        """
        payload = ForkingPickler.dumps((self._function, self._args, self._kwargs))
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        task_receiver, task_sender = context.Pipe(duplex=False)
        try:
            self._process = context.Process(target=_run_and_send, args=(sender, task_receiver), daemon=True)
            self._process.start()
        except (OSError, RuntimeError):
            self._process = None
            receiver.close()
            task_sender.close()
            return self
        finally:
            sender.close()  # the child holds its own copies; ours must go so a dead child reads as EOF
            task_receiver.close()
        self._feeder = threading.Thread(target=_hand_over, args=(task_sender, payload), daemon=True)
        self._feeder.start()
        self._connection, self._handed_over = receiver, True
        return self

    @property
    def in_second_process(self) -> bool:
        """Whether the work was done (or is being done) by a second process."""
        return self._handed_over

    def result(self) -> T:
        """The function's return value; an exception it raised is raised here."""
        if not self._done:
            self._value = self._collect()
            self._done = True
            self._function, self._args, self._kwargs = None, (), {}  # type: ignore[assignment]
        return self._value  # type: ignore[return-value]

    def _collect(self) -> T:
        if self._connection is not None:
            try:
                status, value = self._connection.recv()
            except (EOFError, OSError):  # the child died (e.g. out of memory): do the work here
                self._handed_over = False
            else:
                if status == "error":
                    raise value
                return value
            finally:
                self.close(grace=5.0)
        return self._function(*self._args, **self._kwargs)

    def close(self, grace: float = 0.0) -> None:
        """Release the child, stopping it if it still runs after ``grace`` seconds (on leaving early: 0)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._process = _stopped(self._process, grace)
        if self._feeder is not None:
            self._feeder.join()  # the child is gone, so its pipe is closed and the write has ended
            self._feeder = None

    def __enter__(self) -> Pending[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def in_second_process(
    function: Callable[..., T], *args: Any, worth_it: bool = True, **kwargs: Any
) -> Pending[T]:
    """``function(*args, **kwargs)`` started in a spawned process when ``worth_it``, else run on ``result()``.

    ``function`` must be importable by name (a module-level function) and its arguments and result must
    pickle. Call :meth:`Pending.result` once the caller has done its own share of the work; use the pending
    result as a context manager so that an error before that stops the child.
    """
    pending: Pending[T] = Pending(function, args, kwargs)
    return pending.start() if worth_it else pending


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
        self._process = _stopped(self._process, grace)
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


__all__ = ["Pending", "SharedMap", "in_second_process", "shared_map"]
