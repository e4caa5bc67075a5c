"""Progress of long loops, reported to whoever listens (the CLI's progress bars), silent otherwise.

A step that loops over transcripts, folds or seeds wraps the loop in :func:`track`; the CLI installs a
listener
with :func:`listening` that draws a bar with counts and time left. Notebooks and tests install none, so the
toolkit's modules never print and never depend on a terminal library.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Protocol, TypeVar

T = TypeVar("T")


class Listener(Protocol):
    """Receives one loop's progress: ``start(description, total)`` returns a function ``advance()``."""

    def __call__(self, description: str, total: int | None) -> Callable[[], None]: ...


_LISTENER: ContextVar[Listener | None] = ContextVar("pdtk_progress", default=None)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Yield ``items`` and report each one to the listener, if there is one."""
    listener = _LISTENER.get()
    if listener is None:
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    advance = listener(description, total)
    for item in items:
        yield item
        advance()


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Report every :func:`track` loop run inside this block to ``listener``."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


__all__ = ["Listener", "listening", "track"]
