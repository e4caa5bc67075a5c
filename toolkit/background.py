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
from collections.abc import Callable
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
        if self._process is not None:
            self._process.join(timeout=grace)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
            self._process = None
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


__all__ = ["Pending", "in_second_process"]
