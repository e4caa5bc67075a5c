"""Disclosure control for everything the toolkit publishes, whatever the phase.

* :class:`DisclosurePolicy` — ``min_cell``, secondary suppression on or off, what counts as an identifier;
* :func:`suppress_small_cells` and :func:`table_note` — small-cell suppression of published tables;
* :class:`LeakGuard` — the output guard every file under ``results/`` passes.
"""

from toolkit.disclosure.cells import SUPPRESSED_COLUMN, suppress_small_cells, table_note
from toolkit.disclosure.guard import LeakGuard
from toolkit.disclosure.policy import SMALLEST_IDENTIFIER, DisclosurePolicy

__all__ = [
    "SMALLEST_IDENTIFIER",
    "SUPPRESSED_COLUMN",
    "DisclosurePolicy",
    "LeakGuard",
    "suppress_small_cells",
    "table_note",
]
