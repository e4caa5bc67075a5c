"""The guard's needles: what it searches for, indexed fast (speed code, fenced off behind :class:`LeakGuard`).

A million dropped names, addresses and phone numbers must be indexed in well under a second, so this module
works in Arrow kernels (which release the GIL, letting columns be indexed side by side) and holds digit
needles as sorted integers. Nothing here decides *what* is a leak; :mod:`toolkit.disclosure.guard` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

ARROW_STRING = pd.StringDtype("pyarrow")
# for str.contains: written without "\s"/"\d" so pandas runs it in pyarrow's regex engine, not per value
DIGITISH_FULL = "^[ \t\r\n\xa00-9+().\\-/]+$"
MAX_PHRASE = 8

# Tokens that are never identifying by themselves: a phrase made only of these (or of numbers) is not
# searched.
COMMON_WORDS = frozenset(
    """
    og i på til av for med som er det den de en et ei ikke at fra om har var vi jeg du han hun seg sin
    sitt sine
    ved under over etter før mot uten hos bak mellom nord sør øst vest nedre øvre gamle nye store lille
    vei veg vegen veien gate gata gaten plass torg allé alle the of and to in at on by street road
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# a phrase made only of common words and numbers, for Arrow's RE2 (\p{Nd} = Python's \d)
_ONLY_COMMON_RE2 = r"^(?:(?:" + "|".join(sorted(COMMON_WORDS, key=len, reverse=True)) + r"|\p{Nd}+)(?: |$))+$"


@dataclass(frozen=True)
class ColumnIndex:
    """What the guard searches for one dropped column: digit needles, and phrases with their tokens and
    lengths."""

    digits: DigitSet
    phrases: list[str]
    tokens: set[str]
    lengths: set[int]


def index_column(values: Iterable[object], min_length: int) -> ColumnIndex:
    """Index one dropped column, in Arrow kernels (they release the GIL, so columns are indexed side by side).

    A million names, addresses or phone numbers take a few tenths of a second: distinct values first (names
    and addresses repeat; ids and phone numbers are nearly all distinct and skip it), then one pass per
    step over the whole column, never a Python object per value except for the few non-ASCII phrases and
    the final phrase list.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = pc.utf8_trim_whitespace(_distinct_strings(values))
    arrow = arrow.filter(pc.greater_equal(pc.utf8_length(arrow), min_length))
    # plain digit strings (ids, most phone numbers) by a cheap kernel; the regex only for the rest
    plain = pc.fill_null(pc.ascii_is_decimal(arrow), False)
    rest = arrow.filter(pc.invert(plain))
    digitish = pc.match_substring_regex(rest, DIGITISH_FULL)
    typed = pc.replace_substring_regex(rest.filter(digitish), "[^0-9]", "")  # "+47 912 34 567"
    digits = pa.concat_arrays([arrow.filter(plain), typed])
    digits = digits.filter(pc.greater_equal(pc.binary_length(digits), max(min_length, 6)))
    needles = [digits]
    for prefix in ("0047", "47"):  # +47 12345678 is also published as 12345678 (8 digits)
        national = pc.and_(
            pc.starts_with(digits, prefix), pc.equal(pc.binary_length(digits), len(prefix) + 8)
        )
        needles.append(pc.utf8_slice_codeunits(digits.filter(national), len(prefix)))
    found = DigitSet.from_arrow(pa.concat_arrays(needles))
    found.keys  # noqa: B018 - sorted here, in the indexing thread; merging sorted columns later is cheap
    text = rest.filter(pc.invert(digitish))
    if not len(text):
        return ColumnIndex(found, [], set(), set())
    # tokens as the scan finds them (Python's [^\W_]+ = RE2's [\pL\pN]+), joined by one space, case-folded
    phrases = _casefold(text)
    dirty = pc.match_substring_regex(
        phrases, r"[^\pL\pN ]|  |^ | $"
    )  # most values are already "ola nordmann"
    if pc.any(dirty).as_py():
        fixed = pc.utf8_trim(pc.replace_substring_regex(phrases.filter(dirty), r"[^\pL\pN]+", " "), " ")
        phrases = pc.replace_with_mask(phrases, dirty, fixed)
    counts = pc.add(pc.count_substring(phrases, " "), 1)
    keep = pc.and_(pc.greater_equal(counts, 2), pc.less_equal(counts, MAX_PHRASE))
    phrases, counts = phrases.filter(keep), counts.filter(keep)
    common = pc.match_substring_regex(phrases, _ONLY_COMMON_RE2)
    phrases, counts = phrases.filter(pc.invert(common)), counts.filter(pc.invert(common))
    if not len(phrases):
        return ColumnIndex(found, [], set(), set())
    return ColumnIndex(
        found,
        phrases.to_pylist(),
        set(pc.unique(pc.list_flatten(pc.split_pattern(phrases, " "))).to_pylist()),
        set(pc.unique(counts).to_pylist()),
    )


def _distinct_strings(values: Iterable[object]) -> pa.LargeStringArray:
    """The distinct non-missing values of ``values`` as an Arrow ``large_string`` array.

    Text columns are de-duplicated by Arrow's hash kernel (about 3× faster than ``pd.unique`` on a million
    distinct identity numbers) — except columns of (nearly) all distinct digit strings such as identity and
    phone numbers, where hashing a million values only to drop a few repeats costs more than the repeats do
    later (digit needles are held as sorted integers, where duplicates are harmless). Numbers are
    de-duplicated
    first and only then turned into text, once each.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
        from toolkit.io import arrow_strings

        arrow = pc.drop_null(arrow_strings(series))
        sample = arrow.slice(0, 10_000)
        if (
            len(arrow) > 50_000
            and len(pc.unique(sample)) > 0.9 * len(sample)
            and pc.sum(pc.match_substring_regex(sample, DIGITISH_FULL)).as_py() > 0.9 * len(sample)
        ):
            return arrow
        return pc.unique(arrow)
    distinct = pd.Series(pd.unique(series.dropna())).astype(str)
    return pa.array(distinct.to_numpy(dtype=object), type=pa.large_string())


def _casefold(text: pa.LargeStringArray) -> pa.LargeStringArray:
    """``str.casefold`` of every value: Arrow's ASCII kernel for ASCII values, Python only for the others.

    Why not ``utf8_lower``: case folding differs from lower-casing for some letters (``ß`` → ``ss``), and the
    scan folds what it reads with Python's ``casefold``; both sides must fold the same way to match.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    lowered = pc.ascii_lower(text)
    other = pc.invert(pc.fill_null(pc.string_is_ascii(text), True))
    if not pc.any(other).as_py():
        return lowered
    folded = pa.array([v.casefold() for v in text.filter(other).to_pylist()], type=pa.large_string())
    return pc.replace_with_mask(lowered, other, folded)


class DigitSet:
    """A set of digit strings (phone numbers, ids of dropped columns) held as sorted integers.

    Why not a Python ``set``: a dropped id column and a phone column are two million strings, and building a
    set
    of them (one Python ``str`` each) took longer than the whole scan. Here each string of up to 17 ASCII
    digits
    is the integer ``int(digits) * 32 + len(digits)`` (the length keeps leading zeros apart: ``0123`` ≠
    ``123``),
    built by Arrow in C and looked up with a binary search; longer strings (rare) stay in a Python set.
    """

    _MAX_DIGITS = 17  # 10**17 * 32 < 2**63

    def __init__(self, keys: Sequence[np.ndarray], long: Sequence[set[str]] = ()) -> None:
        # sorted lazily: a per-column set is only searched to name the column after a hit
        self._keys = np.concatenate(list(keys)) if keys else np.zeros(0, dtype=np.int64)
        self._sorted = False
        self.long: set[str] = set().union(*long) if long else set()

    @property
    def keys(self) -> np.ndarray:
        """The keys, sorted (duplicates are harmless for the binary search)."""
        if not self._sorted:
            self._keys = np.sort(self._keys)
            self._sorted = True
        return self._keys

    def __bool__(self) -> bool:
        return bool(len(self._keys) or self.long)

    @classmethod
    def merge(cls, parts: Sequence[DigitSet]) -> DigitSet:
        """One set of several, sorted at once: timsort merges the already sorted parts in linear time."""
        merged = cls([p.keys for p in parts], [p.long for p in parts])
        merged._keys = np.sort(merged._keys, kind="stable")
        merged._sorted = True
        return merged

    @classmethod
    def from_arrow(cls, digits: pa.LargeStringArray) -> DigitSet:
        """From strings of ASCII digits (as the needles are built)."""
        keys, long = cls._encode(digits)
        return cls([keys[keys >= 0]], [long])

    @classmethod
    def _encode(cls, values: pd.Series | pa.LargeStringArray) -> tuple[np.ndarray, set[str]]:
        """Keys for each value (-1 where not a string of 1–17 ASCII digits) and the longer digit strings."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(values, pd.Series):
            arrow = pa.array(values.astype(ARROW_STRING).array, type=pa.large_string())
        else:
            arrow = values
        is_digits = pc.fill_null(pc.ascii_is_decimal(arrow), False)  # non-empty, ASCII 0-9 only
        lengths = pc.fill_null(pc.binary_length(arrow), 0).to_numpy(zero_copy_only=False).astype(np.int64)
        digit_mask = np.asarray(is_digits.to_numpy(zero_copy_only=False), dtype=bool)
        short = digit_mask & (lengths <= cls._MAX_DIGITS)
        keys = np.full(len(arrow), -1, dtype=np.int64)
        if short.any():
            numbers = pc.cast(arrow.filter(pa.array(short)), pa.int64()).to_numpy(zero_copy_only=False)
            keys[short] = numbers * 32 + lengths[short]
        long_mask = digit_mask & ~short
        long = set(arrow.filter(pa.array(long_mask)).to_pylist()) if long_mask.any() else set()
        return keys, long

    def contains(self, values: pd.Series) -> np.ndarray:
        """Membership of each value, as a bool array."""
        if not len(values):
            return np.zeros(0, dtype=bool)
        keys, _ = self._encode(values)
        found = np.zeros(len(keys), dtype=bool)
        if len(self.keys):
            position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            found = (self.keys[position] == keys) & (keys >= 0)
        if self.long:
            found |= np.fromiter(
                (v in self.long for v in values.to_numpy(dtype=object)), dtype=bool, count=len(values)
            )
        return found

    def has(self, digits: str) -> bool:
        """Membership of one string (pure Python: called for every digit group of a text file)."""
        if not (digits.isascii() and digits.isdigit()):
            return False
        if len(digits) > self._MAX_DIGITS:
            return digits in self.long
        key = int(digits) * 32 + len(digits)
        position = int(np.searchsorted(self.keys, key))
        return position < len(self.keys) and int(self.keys[position]) == key
