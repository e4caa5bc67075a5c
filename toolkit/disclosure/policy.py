"""One small object that says how cautious a study's outputs must be.

Why an object and not a bare ``min_cell`` int: the same three decisions (how small a count may be shown,
whether hidden cells are protected against recovery from margins, and which numbers count as identity numbers)
are needed by every phase's tables and by the leak guard. Passed around together they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.anonymise.identifiers import ANY, IdentifierPolicy

# The smallest number an identifier the guard searches for can be: Norwegian phone numbers have 8 digits, an
# identity number 11 (10 once its leading zero is lost in a numeric column). Anything smaller is a count, a
# year, an amount or a code and is never compared with the needles.
SMALLEST_IDENTIFIER = 10_000_000


@dataclass(frozen=True)
class DisclosurePolicy:
    """How small cells are hidden and what counts as an identifier in an output.

    ``min_cell``
        Smallest positive count that may be shown (``privacy.min_cell``; SSB's own rule is 3, the default 5).
    ``secondary``
        Also hide the cells from which a hidden one could be recovered through a published margin. Turning
        it off is only for tables whose margins are not published; the default is on.
    ``identifiers``
        Which kinds of fødselsnummer the leak guard treats as valid (by default every kind, test kinds too).
    ``smallest_identifier``
        Numbers below this are never compared with identifiers by the guard (counts, years, amounts).
    """

    min_cell: int = 5
    secondary: bool = True
    identifiers: IdentifierPolicy = ANY
    smallest_identifier: int = SMALLEST_IDENTIFIER

    def __post_init__(self) -> None:
        if isinstance(self.min_cell, bool) or not isinstance(self.min_cell, int) or self.min_cell < 1:
            raise ValueError(f"min_cell must be a positive whole number, got {self.min_cell!r}")

    @classmethod
    def coerce(cls, value: DisclosurePolicy | int) -> DisclosurePolicy:
        """A policy from a policy or from a bare ``min_cell`` (the older spelling, still accepted)."""
        if isinstance(value, DisclosurePolicy):
            return value
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise ValueError(f"min_cell must be a positive whole number, got {value!r}")
        return cls(min_cell=int(value))

    def shown_count(self, value: int) -> int | str:
        """A single count as it may be printed in a sentence: itself, or ``"< min_cell"`` when small.

        Zeros are shown (see :mod:`toolkit.disclosure.cells`). For counts in tables use
        :func:`toolkit.disclosure.suppress_small_cells`, which also protects against recovery from margins.
        """
        value = int(value)
        return value if value == 0 or value >= self.min_cell else f"< {self.min_cell}"
