"""Norwegian national identity numbers: fødselsnummer, D-number, H-number / NAV Dolly, Tenor, the 2032 rule.

An 11-digit number ``DDMMYY III K1 K2``. Variants shift the date part:

* D-number: first digit + 4 (day 41–71);
* H-number (and NAV's Dolly test numbers): month + 40;
* Skatteetaten's Tenor synthetic test numbers: month + 80 (also in D-number form, day + 40 and month + 80) —
  the only kind pdtk ever generates, so no synthetic number can be a real person's;
* from 2032 the first check digit may leave remainder 0, 1, 2 or 3 (the second rule is unchanged).

Written by hand because no library covers these: ``python-stdnum``'s ``no.fodselsnummer`` knows ordinary,
D- and H-numbers but rejects Tenor and 2032 numbers (and birth dates in the future). The tests check this
module against ``stdnum`` where they overlap. Values are always text: leading zeros are part of the number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.io import arrow_strings

if TYPE_CHECKING:
    import pyarrow as pa

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
FNR_PATTERN = re.compile(r"(?<!\d)(\d{6})[ ]?(\d{5})(?!\d)")

KINDS = ("ordinary", "d_number", "h_number", "tenor")


@dataclass(frozen=True)
class IdentifierPolicy:
    """Which kinds of identity number count as valid.

    The defaults accept what a real register holds today (ordinary numbers and D-numbers) plus the
    synthetic kinds used in test data (Tenor, H/Dolly) and the 2032 check-digit rule, since a validator that
    rejects them would flag good test files and, from 2032, real people.
    """

    ordinary: bool = True
    d_number: bool = True
    h_number: bool = True
    tenor: bool = True
    rule_2032: bool = True

    def allows(self, kind: str) -> bool:
        return bool(getattr(self, kind))


STRICT_REAL = IdentifierPolicy(h_number=False, tenor=False, rule_2032=False)
ANY = IdentifierPolicy()


@dataclass(frozen=True)
class FnrCheck:
    """The outcome of checking one number; ``reason`` says why it failed (never repeats the value)."""

    valid: bool
    kind: str | None = None
    birth_date: dt.date | None = None
    reason: str = ""


def normalise(value: object) -> str:
    """Digits only: strips spaces, dots and dashes that people type inside identity numbers."""
    return re.sub(r"[\s.\-]", "", str(value)) if value is not None else ""


def check_digits(first9: str, *, rule_2032: bool = False) -> list[str]:
    """Check-digit pairs ``K1K2`` valid for the first nine digits (one before 2032, up to four after)."""
    digits = [int(c) for c in first9]
    s1 = sum(w * d for w, d in zip(W1, digits, strict=True))
    candidates: list[int] = []
    for remainder in (0, 1, 2, 3) if rule_2032 else (0,):
        k1 = (remainder - s1) % 11
        if k1 == 10:
            continue
        if not rule_2032 and k1 != (11 - s1 % 11) % 11:
            continue
        candidates.append(k1)
    pairs = []
    for k1 in candidates:
        s2 = sum(w * d for w, d in zip(W2, [*digits, k1], strict=True))
        k2 = (11 - s2 % 11) % 11
        if k2 != 10:
            pairs.append(f"{k1}{k2}")
    return pairs


def _century(year2: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and year2 >= 54:
        return 1800
    if year2 <= 39:
        return 2000
    if individual >= 900:
        return 1900
    return None


def check(value: object, policy: IdentifierPolicy = ANY) -> FnrCheck:
    """Check one identity number against ``policy``: length, date part, century and both check digits."""
    text = normalise(value)
    if len(text) != 11 or not text.isdigit():
        return FnrCheck(False, reason="not 11 digits")
    day, month, year2, individual = int(text[0:2]), int(text[2:4]), int(text[4:6]), int(text[6:9])
    kind = "ordinary"
    d_form = day > 40
    if d_form:
        kind, day = "d_number", day - 40
    if month > 80:
        kind, month = "tenor", month - 80  # Tenor has synthetic D-numbers too (day + 40 and month + 80)
    elif month > 40:
        if d_form:
            return FnrCheck(False, reason="D-number with an H-number month")
        kind, month = "h_number", month - 40
    if not policy.allows(kind):
        return FnrCheck(False, kind=kind, reason=f"{kind.replace('_', '-')} not allowed")
    if kind == "tenor" and d_form and not policy.d_number:
        return FnrCheck(False, kind=kind, reason="d-number not allowed")
    century = _century(year2, individual)
    if century is None:
        return FnrCheck(False, kind=kind, reason="individual number does not fit the year")
    try:
        born = dt.date(century + year2, month, day)
    except ValueError:
        return FnrCheck(False, kind=kind, reason="no such date")
    if text[9:] not in check_digits(text[:9], rule_2032=policy.rule_2032):
        return FnrCheck(False, kind=kind, reason="check digits do not match")
    return FnrCheck(True, kind=kind, birth_date=born)


def is_valid(value: object, policy: IdentifierPolicy = ANY) -> bool:
    """True when ``value`` is a valid identity number under ``policy``."""
    return check(value, policy).valid


#: the kinds :func:`classify_ids` reports, by code (sorted by name, as reports list them)
KIND_NAMES = ("d_number", "h_number", "ordinary", "tenor")


def valid_mask(values: pd.Series, policy: IdentifierPolicy = ANY) -> np.ndarray:
    """Vectorised :func:`is_valid` for a column (well under a second per million values).

    The same rules as :func:`check` (a test compares them on random and on valid numbers of every kind), in
    numpy: length and digits, both check digits, kind flags, century and calendar date.
    """
    return classify_ids(values, policy)[0]


def classify_ids(values: pd.Series, policy: IdentifierPolicy = ANY) -> tuple[np.ndarray, np.ndarray]:
    """:func:`valid_mask` and, per value, the kind's code in :data:`KIND_NAMES` (-1 where not 11 digits).

    Spaces, dots and dashes typed inside a number are ignored, as in :func:`check`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = arrow_strings(values)
    # cheap kernels first: a clean column (11 ASCII digits everywhere) never meets a regex
    clean = pc.fill_null(pc.ascii_is_decimal(arrow), False)
    if not pc.all(clean).as_py():
        typed = pc.and_(pc.invert(clean), pc.is_valid(arrow))
        if pc.any(typed).as_py():  # only where separators were typed
            arrow = pc.if_else(typed, pc.replace_substring_regex(arrow, r"[\s.\-]", ""), arrow)
            clean = pc.fill_null(pc.ascii_is_decimal(arrow), False)
    ok = np.asarray(
        pc.and_(clean, pc.equal(pc.binary_length(arrow), 11)).to_numpy(zero_copy_only=False), dtype=bool
    )
    result = np.zeros(len(arrow), dtype=bool)
    kinds = np.full(len(arrow), -1, dtype=np.int8)
    if not ok.any():
        return result, kinds
    digits = _digit_matrix(arrow.filter(pa.array(ok)))
    # int32 column sums rather than an int64 matrix product: numpy has no BLAS for integers, and the narrow
    # type halves the memory traffic (the largest sum is 11 * 9 * 10 = 990)
    r1 = (_weighted_sum(digits[:, :9], W1) + digits[:, 9]) % 11
    k1_ok = r1 <= 3 if policy.rule_2032 else r1 == 0
    k2_ok = (_weighted_sum(digits[:, :10], W2) + digits[:, 10]) % 11 == 0

    day = digits[:, 0] * 10 + digits[:, 1]
    month = digits[:, 2] * 10 + digits[:, 3]
    year2 = digits[:, 4] * 10 + digits[:, 5]
    individual = digits[:, 6] * 100 + digits[:, 7] * 10 + digits[:, 8]
    d_form = day > 40
    tenor = month > 80
    h_form = (month > 40) & ~tenor
    allowed = np.where(
        tenor,
        policy.tenor & (~d_form | policy.d_number),
        np.where(h_form, policy.h_number & ~d_form, np.where(d_form, policy.d_number, policy.ordinary)),
    )
    kinds[ok] = np.select([tenor, d_form, h_form], [3, 0, 1], default=2)
    day = day - 40 * d_form
    month = month - 80 * tenor - 40 * h_form
    century = np.select(
        [individual <= 499, (individual <= 749) & (year2 >= 54), year2 <= 39, individual >= 900],
        [1900, 1800, 2000, 1900],
        default=0,
    )
    year = century + year2
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    month_ok = (month >= 1) & (month <= 12)
    days_in_month = month_days[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    date_ok = month_ok & (day >= 1) & (day <= days_in_month) & (century > 0)
    result[ok] = k1_ok & k2_ok & allowed & date_ok
    return result, kinds


def _digit_matrix(arrow: pa.LargeStringArray) -> np.ndarray:
    """Values of exactly 11 ASCII digits as an ``(n, 11)`` int32 array of digits.

    Read straight from the Arrow string buffer (every value is 11 bytes, so the bytes reshape into a matrix)
    instead of building a million Python strings.
    """
    offsets = np.frombuffer(arrow.buffers()[1], dtype=np.int64)[arrow.offset : arrow.offset + len(arrow) + 1]
    data = np.frombuffer(arrow.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(-1, 11).astype(np.int32) - 48


def _weighted_sum(digits: np.ndarray, weights: tuple[int, ...] | list[int]) -> np.ndarray:
    total = np.zeros(len(digits), dtype=np.int32)
    for column, weight in enumerate(weights):
        total += digits[:, column] * np.int32(weight)
    return total


def make_tenor_number(born: dt.date, rng: np.random.Generator, *, d_number: bool = False) -> str:
    """A synthetic identity number of the Tenor kind (month + 80), with valid check digits.

    ``d_number=True`` gives Tenor's synthetic D-number form (day + 40 *and* month + 80), which the ordinary
    validators reject; used sparingly so synthetic data exercise both code paths.
    """
    year2 = born.year % 100
    if born.year >= 2000:
        low, high = 500, 999
    elif born.year >= 1900:
        low, high = 0, 499
    else:  # pragma: no cover - the toolkit's cohorts are born after 1900
        raise ValueError("birth years before 1900 are not generated")
    day = born.day + (40 if d_number else 0)
    month = born.month + 80  # always a Tenor month, so no generated number can be a real person's
    for _ in range(200):
        individual = int(rng.integers(low, high + 1))
        first9 = f"{day:02d}{month:02d}{year2:02d}{individual:03d}"
        pairs = check_digits(first9)
        if pairs:
            return first9 + pairs[0]
    raise RuntimeError("could not find check digits")  # pragma: no cover - astronomically unlikely


def find_in_text(text: str, policy: IdentifierPolicy = ANY) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of valid identity numbers in free text (with or without a space after the
    date)."""
    spans = []
    for match in FNR_PATTERN.finditer(text):
        if is_valid(match.group(1) + match.group(2), policy):
            spans.append((match.start(), match.end()))
    return spans
