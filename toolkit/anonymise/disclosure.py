"""Disclosure control for everything the toolkit publishes: small-cell suppression and the output leak guard.

Two independent safety nets:

* :func:`suppress_small_cells` is the one function every published table goes through. A count that is
  positive but below ``min_cell`` is hidden (primary suppression); so is a count whose complement within its
  row (``total - count``) is positive but below ``min_cell``, because "18 of 20 completed" discloses the two
  who did not. Hidden cells are then protected against recovery from published margins (secondary
  suppression), and rates computed from hidden counts are hidden too.
* :class:`LeakGuard` reads every file a step is about to publish and refuses (``DisclosureError``) when it
  finds a valid identity number or a value of a column that was dropped as a direct identifier.

Zeros are shown. Statistics Norway (SSB) shows zero cells in its published tables, and hiding every zero
would make most tables of a small region unreadable. The cost is that a zero can disclose that *nobody* in a
group had an outcome; where that matters, aggregate the groups before publishing.

Written here rather than taken from ``sdcTable``/``tau-Argus`` because those are R/Java tools for large
hierarchical tables; the toolkit's tables are small (a few rows per municipality or school) and need the same
simple, explainable rule every time.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

from toolkit.anonymise.identifiers import ANY, FNR_PATTERN, IdentifierPolicy, is_valid, valid_mask
from toolkit.errors import DisclosureError

SUPPRESSED_COLUMN = "suppressed"
_ARROW_STRING = pd.StringDtype("pyarrow")

# ---------------------------------------------------------------------------------------------------------
# small-cell suppression


def _as_counts(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table.columns:
        raise KeyError(
            f"count column '{column}' is not in the table (columns: {', '.join(map(str, table.columns))})"
        )
    values = pd.to_numeric(table[column], errors="coerce")
    present = values.dropna()
    if ((present < 0) | (present != np.floor(present))).any():
        raise ValueError(f"column '{column}' must hold non-negative whole counts")
    return values.astype("Float64").round().astype("Int64")


def suppress_small_cells(
    table: pd.DataFrame,
    *,
    min_cell: int,
    count_cols: Sequence[str],
    total_col: str | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
    group_cols: Sequence[str] | None = (),
) -> pd.DataFrame:
    """Hide counts that could identify a few people, and every cell that would let them be recovered.

    Parameters
    ----------
    table:
        One row per published cell group (e.g. one row per municipality). Not modified.
    min_cell:
        Smallest positive count that may be shown (``privacy.min_cell``; SSB's own rule is 3, the default 5).
    count_cols:
        Columns holding counts of people. A count ``c`` with ``0 < c < min_cell`` is suppressed. Zeros are
        shown (see the module docstring).
    total_col:
        The row's total count ``n``. It is checked like a count; when it is suppressed, every count of the row
        is suppressed too. For each count column the complement ``n - c`` is checked as well: a complement in
        ``(0, min_cell)`` suppresses ``c``. When the count columns add up to ``n`` in every row (e.g.
        ``n_success`` and ``n_fail``), they are parts of the row total, so a row with a single hidden part gets a
        second one hidden (row-wise secondary suppression).
    derived:
        ``{"rate": ["n_success", "n"]}``: a derived column is hidden in every row where any of its sources is.
    group_cols:
        Rows that share these columns add up to a published margin (e.g. the rows of one municipality add up to
        its total). Within each group and count column, a single hidden cell would be recoverable from the
        margin, so the smallest other positive cell is hidden too (secondary suppression), repeated until
        stable. The default ``()`` treats the whole table as one group, which is the safe assumption when a
        total row is published; pass ``None`` when the rows do not add up to anything published.

    Returns
    -------
    A copy with suppressed cells set to ``<NA>`` (count columns become ``Int64``, derived numeric columns
    ``Float64``) and a boolean column ``suppressed`` that is True for every row with at least one hidden cell.
    Counts that were already missing stay missing and count as hidden cells for the secondary rule.
    """
    if isinstance(min_cell, bool) or not isinstance(min_cell, int | np.integer) or min_cell < 1:
        raise ValueError(f"min_cell must be a positive whole number, got {min_cell!r}")
    count_cols = list(count_cols)
    if not count_cols and total_col is None:
        raise ValueError("give at least one count column (count_cols) or a total column (total_col)")
    if total_col is not None and total_col in count_cols:
        count_cols = [c for c in count_cols if c != total_col]
    derived = dict(derived or {})
    group_list = None if group_cols is None else list(group_cols)
    for col in [*(group_list or []), *[s for sources in derived.values() for s in sources], *derived]:
        if col not in table.columns:
            raise KeyError(
                f"column '{col}' is not in the table (columns: {', '.join(map(str, table.columns))})"
            )
    unknown_sources = {s for sources in derived.values() for s in sources} - set(count_cols) - {total_col}
    if unknown_sources:
        raise ValueError(
            f"derived columns must come from count_cols or total_col; '{sorted(unknown_sources)[0]}' is neither"
        )

    out = table.copy()
    cells = [*count_cols, *([total_col] if total_col else [])]
    counts = {col: _as_counts(table, col) for col in cells}
    for col in cells:
        out[col] = counts[col]
    hidden = pd.DataFrame({col: counts[col].isna().to_numpy() for col in cells}, index=table.index)

    def small(values: pd.Series) -> np.ndarray:
        return ((values > 0) & (values < min_cell)).fillna(False).to_numpy(dtype=bool)

    # Primary suppression: small counts, small complements, small totals.
    for col in count_cols:
        hidden[col] |= small(counts[col])
        if total_col is not None:
            hidden[col] |= small(counts[total_col] - counts[col])
    if total_col is not None:
        hidden[total_col] |= small(counts[total_col])

    parts_of_total = False
    if total_col is not None and count_cols:
        summed = sum(counts[c].astype("Float64") for c in count_cols)
        parts_of_total = bool((summed == counts[total_col].astype("Float64")).fillna(False).all())

    values = pd.DataFrame(
        {col: counts[col].astype("Float64").fillna(np.inf).to_numpy() for col in cells}, index=table.index
    )
    for _ in range(len(table) * len(cells) + 1):  # each pass hides at least one more cell, so this terminates
        before = hidden.to_numpy().sum()
        if total_col is not None:
            hidden.loc[hidden[total_col], count_cols] = True
            if parts_of_total and len(count_cols) >= 2:
                _hide_second(hidden, values, count_cols, rows=None)
        if group_list is not None:
            if group_list:
                keys = table[group_list].astype("string").fillna("<NA>").agg("\x1f".join, axis=1)
                groups = [idx.to_numpy() for idx in keys.groupby(keys, sort=False).groups.values()]
            else:
                groups = [table.index.to_numpy()]
            for col in cells:
                for rows in groups:
                    _hide_second_in_column(hidden, values, col, rows)
        if hidden.to_numpy().sum() == before:
            break

    for col in cells:
        out[col] = counts[col].mask(hidden[col].to_numpy())
    row_hidden = hidden.any(axis=1).to_numpy(dtype=bool, copy=True)
    for name, sources in derived.items():
        mask = np.zeros(len(out), dtype=bool)
        for source in sources:
            mask |= hidden[source].to_numpy()
        column = out[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            column = column.astype("Float64")
        else:
            column = column.astype("object")
        out[name] = column.mask(mask)
        row_hidden |= mask
    out[SUPPRESSED_COLUMN] = row_hidden
    return out


def _hide_second_in_column(hidden: pd.DataFrame, values: pd.DataFrame, col: str, rows: np.ndarray) -> None:
    """If exactly one cell of ``col`` among ``rows`` is hidden, hide the smallest other positive one."""
    if len(rows) < 2:
        return
    flags = hidden.loc[rows, col].to_numpy()
    if flags.sum() != 1:
        return
    candidates = values.loc[rows, col].to_numpy()
    order = _complement_order(candidates, flags)
    if order is not None:
        hidden.loc[rows[order], col] = True


def _hide_second(
    hidden: pd.DataFrame, values: pd.DataFrame, cols: list[str], rows: np.ndarray | None
) -> None:
    """Row-wise: where exactly one part of a row total is hidden, hide the smallest other positive part."""
    flags = hidden[cols].to_numpy()
    single = np.flatnonzero(flags.sum(axis=1) == 1)
    vals = values[cols].to_numpy()
    for i in single:
        j = _complement_order(vals[i], flags[i])
        if j is not None:
            hidden.iloc[i, hidden.columns.get_loc(cols[j])] = True


def _complement_order(candidates: np.ndarray, flags: np.ndarray) -> int | None:
    """Position of the complementary cell: smallest positive unhidden value, else smallest unhidden (a zero)."""
    positive = np.where(~flags & (candidates > 0), candidates, np.inf)
    if np.isfinite(positive).any():
        return int(np.argmin(positive))
    rest = np.where(~flags, candidates, np.inf)
    if np.isfinite(rest).any():
        return int(np.argmin(rest))
    return None


def table_note(min_cell: int, *, language: str = "en") -> str:
    """One sentence for a report's table caption that says how small cells were handled."""
    if language == "nb":
        return (
            f"Antall under {min_cell} er skjult (tomme celler), sammen med celler de kan regnes ut fra og andeler "
            "beregnet fra skjulte antall; nuller vises."
        )
    return (
        f"Counts below {min_cell} are suppressed (blank), together with cells from which they could be recovered "
        "and rates computed from suppressed counts; zeros are shown."
    )


# ---------------------------------------------------------------------------------------------------------
# leak guard

_TEXT_SUFFIXES = {
    ".txt",
    ".json",
    ".jsonl",
    ".html",
    ".htm",
    ".md",
    ".svg",
    ".xml",
    ".yml",
    ".yaml",
    ".log",
    ".qde",
}
_CSV_SUFFIXES = {".csv", ".tsv"}
_ZIP_SUFFIXES = {".zip", ".qdpx", ".docx", ".xlsx"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_DIGITISH = re.compile(r"^[\s\d+().\-/]+$")
# for str.contains: written without "\s"/"\d" so pandas runs it in pyarrow's regex engine, not per value
_DIGITISH_FULL = "^[ \t\r\n\xa00-9+().\\-/]+$"
_PHONE_IN_TEXT = re.compile(r"(?<![\w.,])\+?\d[\d \-.]{4,}\d(?![\w])")
_NUMBER = re.compile(r"^\s*[+-]?(\d+)([.,]\d+)?([eE][+-]?\d+)?\s*$")
_CANDIDATE = r"(?:^|\D)\d{6} ?\d{5}(?:\D|$)"
_MAX_PHRASE = 8

# Tokens that are never identifying by themselves: a phrase made only of these (or of numbers) is not searched.
_COMMON_WORDS = frozenset(
    """
    og i på til av for med som er det den de en et ei ikke at fra om har var vi jeg du han hun seg sin sitt sine
    ved under over etter før mot uten hos bak mellom nord sør øst vest nedre øvre gamle nye store lille
    vei veg vegen veien gate gata gaten plass torg allé alle the of and to in at on by street road
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# a phrase made only of common words and numbers, for Arrow's RE2 (\p{Nd} = Python's \d)
_ONLY_COMMON_RE2 = (
    r"^(?:(?:" + "|".join(sorted(_COMMON_WORDS, key=len, reverse=True)) + r"|\p{Nd}+)(?: |$))+$"
)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


class LeakGuard:
    """Refuse to publish a file that contains an identity number or a value of a dropped column.

    Used as ``io.staged_output(final_dir, guard=LeakGuard(...))``: it is called with ``(staged_path,
    final_path)`` for every staged file and raises :class:`DisclosureError` naming the file and the column (or
    kind of identifier) — never the value — so the whole step writes nothing.

    What is searched, and why:

    * Identity numbers: every run of 11 digits (optionally ``DDMMYY NNNNN``) that is valid under ``policy``. In
      tables, numbers are checked by their integer part only, so the fraction digits of ``0.31415926535`` cannot
      raise a false alarm, while an identity number stored as a float (``31129912345.0``) is caught. In
      numeric Parquet columns, whole numbers from 10⁹ to 10¹¹ are zero-padded to 11 digits and checked, which
      catches identity numbers that lost their leading zero.
    * Values of dropped columns (``forbidden_values``: column name → raw values, e.g. names, addresses, phone
      numbers). Matching is on whole tokens, case-insensitive. A text value is searched only when it has at
      least two tokens and at least one of them is not a common word — a lone first name ("Per") or street word
      would match ordinary text and other people everywhere, while the full value is what identifies. Values
      that are mostly digits (phone numbers) are compared digits-only, with or without the +47/0047 prefix, and
      only when they have at least ``max(min_length, 6)`` digits (postcodes and years would collide with counts).
      Values shorter than ``min_length`` characters are ignored.
    * A column in a published table named like a dropped column is reported too.

    File kinds: Parquet (string columns, and numeric columns for identity numbers), CSV/TSV (parsed, as text),
    text formats (JSON, HTML, Markdown, SVG, XML, YAML, plain text), and ZIP containers (``.qdpx``, ``.docx``,
    ``.xlsx``: their text members). Raster images and PDFs are not searched. A table can also be scanned before
    it is written (:meth:`scan_frame`, :meth:`scan_table`); see :meth:`accept_scanned` for not parsing its
    Parquet file again.

    Building indexes the dropped columns ``workers`` at a time in threads (a million values per column take a
    few tenths of a second each).
    """

    def __init__(
        self,
        *,
        forbidden_values: Mapping[str, Iterable[object]] | None = None,
        policy: IdentifierPolicy = ANY,
        min_length: int = 4,
        workers: int = 2,
    ) -> None:
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        self.policy = policy
        self.min_length = int(min_length)
        self.forbidden_columns = {str(c).casefold() for c in (forbidden_values or {})}
        # Needles: phrases (tokens joined by one space) and digit strings, as plain Python sets of all dropped
        # columns together (built in C, fast for the small subsets a scan tests); per column only a list, to
        # name the column after a hit.
        self._phrase_lists: dict[str, list[str]] = {}
        self._digit_lists: dict[str, _DigitSet] = {}
        self._phrase_lengths: set[int] = set()
        self._all_phrases: set[str] = set()
        self._tokens: set[str] = set()
        self._accepted: set[bytes] = set()  # SHA-256 of Parquet bytes whose table was scanned before writing
        columns = [(str(column), values) for column, values in (forbidden_values or {}).items()]
        if workers > 1 and len(columns) > 1:
            # columns are indexed side by side: Arrow's kernels and numpy's sort release the GIL
            with ThreadPoolExecutor(
                max_workers=min(workers, len(columns)), thread_name_prefix="pdtk-guard-index"
            ) as pool:
                indexes = list(pool.map(lambda item: _index_column(item[1], self.min_length), columns))
        else:
            indexes = [_index_column(values, self.min_length) for _, values in columns]
        for (column, _), index in zip(columns, indexes, strict=True):
            known = self._digit_lists.get(column)
            self._digit_lists[column] = (
                index.digits if known is None else _DigitSet.merge([known, index.digits])
            )
            if index.phrases:
                self._phrase_lists.setdefault(column, []).extend(index.phrases)
                self._all_phrases.update(index.phrases)
                self._tokens |= index.tokens
                self._phrase_lengths |= index.lengths
        self._all_digits = _DigitSet.merge(list(self._digit_lists.values()))

    # ----------------------------------------------------------------------------------- calling
    def __call__(self, staged_path: Path, final_path: Path | None = None) -> None:
        """Scan ``staged_path``; name ``final_path`` (the file the user would see) in any error."""
        staged_path = Path(staged_path)
        shown = Path(final_path) if final_path is not None else staged_path
        suffix = staged_path.suffix.lower()
        if suffix in _PARQUET_SUFFIXES:
            self._scan_parquet(staged_path, shown)
        elif suffix in _CSV_SUFFIXES:
            self._scan_csv(staged_path.read_bytes(), shown, sep="\t" if suffix == ".tsv" else None)
        elif suffix in _ZIP_SUFFIXES:
            self._scan_zip(staged_path, shown)
        elif suffix in _TEXT_SUFFIXES or suffix == "":
            self._scan_text(_decode(staged_path.read_bytes()), shown, where="text")

    def scan_frame(self, frame: pd.DataFrame, shown: Path | str = "<table>") -> None:
        """Scan a DataFrame about to be published (same rules as for a Parquet file)."""
        self._check_column_names(frame.columns, Path(str(shown)))
        for column in frame.columns:
            self._scan_series(frame[column], Path(str(shown)), str(column))

    def scan_table(self, table: pa.Table, shown: Path | str = "<table>") -> None:
        """Scan an Arrow table about to be written (same rules as for a Parquet file).

        With :meth:`accept_scanned` this lets a large table be scanned while it is being serialised, instead of
        reading the written file back (see ``Study.anonymise``).
        """
        shown = Path(str(shown))
        self._check_column_names(table.column_names, shown)
        for name in table.column_names:
            self._scan_arrow_column(table.column(name), shown, name)

    def accept_scanned(self, data: bytes) -> None:
        """Record Parquet bytes serialised from a table that passed :meth:`scan_table`.

        A staged file whose bytes are exactly these (compared by SHA-256) is not parsed again: its content is the
        scanned table's. Any other file, or a changed one, is scanned as usual.
        """
        self._accepted.add(hashlib.sha256(data).digest())

    # ----------------------------------------------------------------------------------- file kinds
    def _scan_parquet(self, path: Path, shown: Path) -> None:
        import pyarrow.parquet as pq

        if self._accepted:
            with open(path, "rb") as handle:
                if hashlib.file_digest(handle, "sha256").digest() in self._accepted:
                    return
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        self._check_column_names(names, shown)
        for batch_start in range(0, len(names), 8):  # a few columns at a time keeps peak memory low
            table = parquet.read(columns=names[batch_start : batch_start + 8])
            for name in table.column_names:
                self._scan_arrow_column(table.column(name), shown, name)

    def _scan_arrow_column(self, column: pa.ChunkedArray, shown: Path, name: str) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = _could_leak(column.cast(pa.large_string()))
            # distinct values in Arrow, without a round trip through Python objects
            uniques = pc.drop_null(pc.unique(column))
            if len(uniques):
                series = pd.Series(uniques.to_pandas(types_mapper={pa.large_string(): _ARROW_STRING}.get))
                self._scan_strings(series.astype(_ARROW_STRING), shown, f"column '{name}'")
            return
        if _below(column, 10_000_000):  # counts, flags, years, amounts: no identity or phone number fits
            return
        self._scan_series(column.to_pandas(), shown, name)

    def _scan_csv(self, raw: bytes, shown: Path, sep: str | None) -> None:
        from toolkit.io import sniff_delimiter

        text = _decode(raw)
        if not text.strip():
            return
        delimiter = sep or sniff_delimiter(text[:20000])
        try:
            frame = pd.read_csv(
                io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, header=None
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError):
            self._scan_text(text, shown, where="text")
            return
        if len(frame):
            header = frame.iloc[0].tolist()
            self._check_column_names(header, shown)
            frame.columns = [str(h) if str(h) else f"column {i + 1}" for i, h in enumerate(header)]
        for position in range(frame.shape[1]):
            self._scan_series(frame.iloc[1:, position], shown, str(frame.columns[position]))

    def _scan_zip(self, path: Path, shown: Path) -> None:
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            self._scan_text(_decode(path.read_bytes()), shown, where="text")
            return
        with archive:
            for info in archive.infolist():
                member = info.filename
                suffix = Path(member).suffix.lower()
                if info.is_dir() or not (suffix in _TEXT_SUFFIXES or suffix in _CSV_SUFFIXES or suffix == ""):
                    continue
                self._scan_text(_decode(archive.read(info)), shown, where=f"member {member}")

    # ----------------------------------------------------------------------------------- scanners
    def _check_column_names(self, names: Iterable[object], shown: Path) -> None:
        for name in names:
            if str(name).strip().casefold() in self.forbidden_columns:
                raise DisclosureError(
                    f"the output has a column '{name}', which is a dropped direct identifier; nothing was written",
                    file=shown,
                    fix="remove the column before publishing",
                )

    def _scan_series(self, series: pd.Series, shown: Path, column: str) -> None:
        if pd.api.types.is_bool_dtype(series):
            return
        if pd.api.types.is_numeric_dtype(series):
            self._scan_numbers(series, shown, column)
            return
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = pd.Series(series.cat.categories)
        if pd.api.types.is_datetime64_any_dtype(series) or isinstance(series.dtype, pd.PeriodDtype):
            return
        values = series.dropna()
        if values.empty:
            return
        uniques = pd.Series(pd.unique(values.astype(str).to_numpy()), dtype="string")
        self._scan_strings(uniques, shown, f"column '{column}'")

    def _scan_numbers(self, series: pd.Series, shown: Path, column: str) -> None:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        whole_numbers = np.isfinite(values) & (values == np.floor(values)) & (values >= 0) & (values < 1e15)
        long_numbers = whole_numbers & (values >= 1e7)
        if self._all_digits and long_numbers.any():
            # phone numbers (8 digits) or ids of dropped columns stored as numbers; shorter whole numbers in a
            # numeric column are counts and amounts, which would collide with short codes by chance
            distinct = pd.Series(np.unique(values[long_numbers]).astype(np.int64)).astype(str)
            hit = self._all_digits.contains(distinct)
            if hit.any():
                self._raise_value(shown, f"column '{column}'", distinct[hit].iloc[0])
        whole = whole_numbers & (values >= 1e9) & (values < 1e11)
        if not whole.any():
            return
        candidates = pd.Series(np.unique(values[whole]).astype(np.int64)).map("{:011d}".format)
        if valid_mask(candidates, self.policy).any():
            self._raise_fnr(shown, f"column '{column}'")

    def _scan_strings(self, uniques: pd.Series, shown: Path, where: str) -> None:
        """Scan distinct strings: vectorised pre-filters, Python only for the few values that need it."""
        # 1. identity numbers: numbers by their integer part, other text by bounded 11-digit runs
        has_candidate = uniques.str.contains(_CANDIDATE, regex=True).fillna(False).to_numpy(dtype=bool)
        if has_candidate.any():
            subset = uniques[has_candidate]
            integer_part = subset.str.extract(_NUMBER.pattern)[0]
            is_number = integer_part.notna().to_numpy(dtype=bool)
            if is_number.any() and valid_mask(integer_part[is_number], self.policy).any():
                self._raise_fnr(shown, where)
            found = subset[~is_number].str.extractall(FNR_PATTERN.pattern)
            if len(found) and valid_mask(found[0] + found[1], self.policy).any():
                self._raise_fnr(shown, where)
        # 2. digit values of dropped columns (phone numbers)
        if self._all_digits:
            digitish = uniques.str.contains(_DIGITISH_FULL, regex=True).fillna(False).to_numpy(dtype=bool)
            if digitish.any():
                digits = uniques[digitish].str.replace(r"\D", "", regex=True)
                hit = self._all_digits.contains(digits)
                if hit.any():
                    self._raise_value(shown, where, digits[hit].iloc[0])
            rest = uniques[~digitish]
            has_run = rest.str.contains(r"\d[\d \-.]{4,}\d", regex=True).fillna(False).to_numpy(dtype=bool)
            for text in rest[has_run]:
                self._text_digit_values(text, shown, where)
        # 3. phrases of dropped columns (names, addresses): only values holding two tokens of some phrase
        if self._all_phrases:
            multi = uniques.str.contains(r"\w\W+\w", regex=True).fillna(False).to_numpy(dtype=bool)
            if multi.any():
                tokens = uniques[multi].str.casefold().str.findall(_TOKEN.pattern).explode()
                known = pd.Series(_member(tokens, self._tokens), index=tokens.index)
                per_value = known.groupby(level=0).sum()
                for text in uniques.loc[per_value.index[per_value.to_numpy() >= 2]]:
                    self._text_phrases(text, shown, where)

    def _scan_text(self, text: str, shown: Path, where: str) -> None:
        for match in FNR_PATTERN.finditer(text):
            start = match.start()
            if start >= 2 and text[start - 1] == "." and text[start - 2].isdigit():
                continue  # the fraction digits of a decimal number
            if is_valid(match.group(1) + match.group(2), self.policy):
                self._raise_fnr(shown, where)
        if self._all_digits:
            self._text_digit_values(text, shown, where)
        if self._all_phrases:
            self._text_phrases(text, shown, where)

    def _text_has_fnr(self, text: str) -> bool:
        return any(is_valid(m.group(1) + m.group(2), self.policy) for m in FNR_PATTERN.finditer(text))

    def _text_digit_values(self, text: str, shown: Path, where: str) -> None:
        """Digit groups in text ("912 34 567"): every run of consecutive groups is compared digits-only."""
        for match in _PHONE_IN_TEXT.finditer(text):
            groups = re.findall(r"\d+", match.group(0))
            for i in range(len(groups)):
                joined = ""
                for group in groups[i:]:
                    joined += group
                    if self._all_digits.has(joined):
                        self._raise_value(shown, where, joined)
                    if len(joined) > 15:
                        break

    def _text_phrases(self, text: str, shown: Path, where: str) -> None:
        # fold first, then split, exactly as the index was built: folding can add marks that split a word
        # ("İlker" → "i̇lker", whose combining dot is not a word character)
        tokens = _TOKEN.findall(text.casefold())
        for size in self._phrase_lengths:
            for i in range(len(tokens) - size + 1):
                gram = " ".join(tokens[i : i + size])
                if gram in self._all_phrases:
                    self._raise_phrase(shown, where, gram)

    # ----------------------------------------------------------------------------------- errors
    @staticmethod
    def _raise_fnr(shown: Path, where: str) -> None:
        raise DisclosureError(
            f"{where} contains a valid identity number (fødselsnummer/D-number); nothing was written",
            file=shown,
            fix="publish only the pseudonym 'pid', never the id column or text that quotes it",
        )

    def _raise_value(self, shown: Path, where: str, digits: str) -> None:
        column = next(
            (c for c, values in self._digit_lists.items() if values.has(digits)), "a dropped column"
        )
        raise DisclosureError(
            f"{where} contains a value of the dropped column '{column}'; nothing was written",
            file=shown,
            fix=f"remove '{column}' values from the output",
        )

    def _raise_phrase(self, shown: Path, where: str, gram: str) -> None:
        column = next((c for c, values in self._phrase_lists.items() if gram in values), "a dropped column")
        raise DisclosureError(
            f"{where} contains a value of the dropped column '{column}'; nothing was written",
            file=shown,
            fix=f"remove '{column}' values from the output",
        )


@dataclass(frozen=True)
class _ColumnIndex:
    """What the guard searches for one dropped column: digit needles, and phrases with their tokens and lengths."""

    digits: _DigitSet
    phrases: list[str]
    tokens: set[str]
    lengths: set[int]


def _index_column(values: Iterable[object], min_length: int) -> _ColumnIndex:
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
    digitish = pc.match_substring_regex(rest, _DIGITISH_FULL)
    typed = pc.replace_substring_regex(rest.filter(digitish), "[^0-9]", "")  # "+47 912 34 567"
    digits = pa.concat_arrays([arrow.filter(plain), typed])
    digits = digits.filter(pc.greater_equal(pc.binary_length(digits), max(min_length, 6)))
    needles = [digits]
    for prefix in ("0047", "47"):  # +47 12345678 is also published as 12345678 (8 digits)
        national = pc.and_(
            pc.starts_with(digits, prefix), pc.equal(pc.binary_length(digits), len(prefix) + 8)
        )
        needles.append(pc.utf8_slice_codeunits(digits.filter(national), len(prefix)))
    found = _DigitSet.from_arrow(pa.concat_arrays(needles))
    found.keys  # noqa: B018 - sorted here, in the indexing thread; merging sorted columns later is cheap
    text = rest.filter(pc.invert(digitish))
    if not len(text):
        return _ColumnIndex(found, [], set(), set())
    # tokens as the scan finds them (Python's [^\W_]+ = RE2's [\pL\pN]+), joined by one space, case-folded
    phrases = _casefold(text)
    dirty = pc.match_substring_regex(
        phrases, r"[^\pL\pN ]|  |^ | $"
    )  # most values are already "ola nordmann"
    if pc.any(dirty).as_py():
        fixed = pc.utf8_trim(pc.replace_substring_regex(phrases.filter(dirty), r"[^\pL\pN]+", " "), " ")
        phrases = pc.replace_with_mask(phrases, dirty, fixed)
    counts = pc.add(pc.count_substring(phrases, " "), 1)
    keep = pc.and_(pc.greater_equal(counts, 2), pc.less_equal(counts, _MAX_PHRASE))
    phrases, counts = phrases.filter(keep), counts.filter(keep)
    common = pc.match_substring_regex(phrases, _ONLY_COMMON_RE2)
    phrases, counts = phrases.filter(pc.invert(common)), counts.filter(pc.invert(common))
    if not len(phrases):
        return _ColumnIndex(found, [], set(), set())
    return _ColumnIndex(
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
    later (digit needles are held as sorted integers, where duplicates are harmless). Numbers are de-duplicated
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
            and pc.sum(pc.match_substring_regex(sample, _DIGITISH_FULL)).as_py() > 0.9 * len(sample)
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


def _below(column: pa.ChunkedArray, limit: float) -> bool:
    """True for a numeric Arrow column whose values are all below ``limit`` (one min/max pass, no conversion).

    :meth:`LeakGuard._scan_numbers` only looks at whole numbers of at least 10⁷, so such a column is skipped.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        return False
    largest = pc.max(column).as_py()
    return largest is None or largest < limit


def _could_leak(column: object) -> object:
    """Drop, from a column of many distinct strings, the values no check of ``_scan_strings`` could flag.

    Why: a column of pseudonyms has a million distinct values, and hashing them all to find the distinct ones
    costs more than the scan itself. Every check needs either a run of six digits (an identity number, a phone
    number written without spaces) or two word characters separated by a non-word one (a phone number written
    with separators, a name or address phrase): needles have at least six digits, phrases at least two tokens.
    Kept: values with six ASCII digits in a row or with any character other than ``[0-9A-Za-z_]`` (so every
    non-ASCII value, whatever Unicode calls a word character). Columns with few distinct values (judged on a
    sample) are left whole, as their distinct values are cheap to find.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(column) < 50_000:
        return column
    sample = column.slice(0, 10_000)
    if len(pc.unique(sample)) < len(sample) // 2:
        return column
    # one RE2 pass: six digits, or any character that is not an ASCII letter, digit or "_" (a separator, or any
    # non-ASCII letter) — a superset of what the checks need, so nothing they could flag is dropped
    keep = pc.match_substring_regex(column, "[0-9]{6}|[^0-9A-Za-z_]")
    return (
        column.filter(pc.fill_null(keep, False)) if isinstance(column, pa.ChunkedArray | pa.Array) else column
    )


class _DigitSet:
    """A set of digit strings (phone numbers, ids of dropped columns) held as sorted integers.

    Why not a Python ``set``: a dropped id column and a phone column are two million strings, and building a set
    of them (one Python ``str`` each) took longer than the whole scan. Here each string of up to 17 ASCII digits
    is the integer ``int(digits) * 32 + len(digits)`` (the length keeps leading zeros apart: ``0123`` ≠ ``123``),
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
    def merge(cls, parts: Sequence[_DigitSet]) -> _DigitSet:
        """One set of several, sorted at once: timsort merges the already sorted parts in linear time."""
        merged = cls([p.keys for p in parts], [p.long for p in parts])
        merged._keys = np.sort(merged._keys, kind="stable")
        merged._sorted = True
        return merged

    @classmethod
    def from_arrow(cls, digits: pa.LargeStringArray) -> _DigitSet:
        """From strings of ASCII digits (as the needles are built)."""
        keys, long = cls._encode(digits)
        return cls([keys[keys >= 0]], [long])

    @classmethod
    def _encode(cls, values: pd.Series | pa.LargeStringArray) -> tuple[np.ndarray, set[str]]:
        """Keys for each value (-1 where not a string of 1–17 ASCII digits) and the longer digit strings."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(values, pd.Series):
            arrow = pa.array(values.astype(_ARROW_STRING).array, type=pa.large_string())
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


def _member(values: pd.Series, needles: set[str]) -> np.ndarray:
    """Vectorised-enough membership test against a Python set (hashing in C; no per-call set rebuild)."""
    array = values.to_numpy(dtype=object)
    return np.fromiter((v in needles for v in array), dtype=bool, count=len(array))


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


__all__ = ["LeakGuard", "SUPPRESSED_COLUMN", "suppress_small_cells", "table_note"]
