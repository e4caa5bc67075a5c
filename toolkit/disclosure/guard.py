"""The output leak guard: nothing under ``results/`` may hold an identity number or a dropped column's value.

:class:`LeakGuard` is the second safety net after small-cell suppression. It is called for every file a step
stages (``io.staged_output(final_dir, guard=...)``) and refuses the whole step with ``DisclosureError`` when
it finds a valid identity number or a value of a column dropped as a direct identifier. Tables are best
scanned in memory, before they are written (:meth:`LeakGuard.scan_frame`, :meth:`LeakGuard.scan_table`,
:meth:`LeakGuard.serialise`): their types say which columns cannot hold an identifier (booleans, dates,
numbers below :data:`~toolkit.disclosure.policy.SMALLEST_IDENTIFIER`, fractions), so no text is parsed back.
A file whose bytes are exactly those of a scanned table is then not read again; any other file is read and
scanned. Text is read as a reader reads it: decimal digits of other scripts (``٠١٢``, ``０１２``) count as the
ASCII digits they stand for (:func:`ascii_digits`).
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from toolkit.anonymise.identifiers import FNR_PATTERN, IdentifierPolicy, is_valid, valid_mask
from toolkit.disclosure._needles import ARROW_STRING, DIGITISH_FULL, DigitSet, index_column
from toolkit.disclosure.policy import DisclosurePolicy
from toolkit.errors import DisclosureError

if TYPE_CHECKING:
    import pyarrow as pa

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
_PHONE_IN_TEXT = re.compile(r"(?<![\w.,])\+?\d[\d \-.]{4,}\d(?![\w])")
_NUMBER = re.compile(r"^\s*[+-]?(\d+)([.,]\d+)?([eE][+-]?\d+)?\s*$")
_CANDIDATE = r"(?:^|\D)\d{6} ?\d{5}(?:\D|$)"
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
"""A decimal digit of another script (Arabic-Indic ``٣``, Devanagari ``३``, full-width ``３`` …)."""


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of another script written as the ASCII digit of the same value.

    Why: an identity number or a phone number typed with Arabic-Indic or full-width digits is the same
    number to a reader (and to ``int``), but the identifier checks and the digit index compare ASCII
    digits. Folding before scanning makes the guard see what a reader sees; ASCII text is returned as is.
    """
    if text.isascii():
        return text
    return _NON_ASCII_DIGIT.sub(lambda match: str(unicodedata.decimal(match.group())), text)


class LeakGuard:
    """Refuse to publish a file that contains an identity number or a value of a dropped column.

    Used as ``io.staged_output(final_dir, guard=LeakGuard(...))``: it is called with ``(staged_path,
    final_path)`` for every staged file and raises :class:`DisclosureError` naming the file and the column (or
    kind of identifier) — never the value — so the whole step writes nothing.

    What is searched, and why:

    * Identity numbers: every run of 11 digits (optionally ``DDMMYY NNNNN``) that is valid under ``policy``.
    In
      tables, numbers are checked by their integer part only, so the fraction digits of ``0.31415926535``
      cannot
      raise a false alarm, while an identity number stored as a float (``31129912345.0``) is caught. In
      numeric Parquet columns, whole numbers from 10⁹ to 10¹¹ are zero-padded to 11 digits and checked, which
      catches identity numbers that lost their leading zero.
    * Values of dropped columns (``forbidden_values``: column name → raw values, e.g. names, addresses, phone
      numbers). Matching is on whole tokens, case-insensitive. A text value is searched only when it has at
      least two tokens and at least one of them is not a common word — a lone first name ("Per") or street
      word
      would match ordinary text and other people everywhere, while the full value is what identifies. Values
      that are mostly digits (phone numbers) are compared digits-only, with or without the +47/0047 prefix,
      and
      only when they have at least ``max(min_length, 6)`` digits (postcodes and years would collide with
      counts).
      Values shorter than ``min_length`` characters are ignored.
    * A column in a published table named like a dropped column is reported too.

    File kinds: Parquet (string columns, and numeric columns for identity numbers), CSV/TSV (parsed, as text),
    text formats (JSON, HTML, Markdown, SVG, XML, YAML, plain text), and ZIP containers (``.qdpx``, ``.docx``,
    ``.xlsx``: their text members). Raster images and PDFs are not searched.

    In memory: :meth:`scan_frame` and :meth:`scan_table` scan a table before it is written, by its types;
    :meth:`serialise` scans while the caller's serialiser runs and returns bytes the guard then recognises (by
    SHA-256) when the staged file holding them passes through :meth:`__call__`.

    The dropped columns are indexed on first use, ``workers`` at a time in threads (a million values per
    column
    take a few tenths of a second each), so building a guard is free and indexing can overlap other work.
    """

    def __init__(
        self,
        *,
        forbidden_values: Mapping[str, Iterable[object]] | None = None,
        policy: DisclosurePolicy | IdentifierPolicy | None = None,
        min_length: int = 4,
        workers: int = 2,
    ) -> None:
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        if isinstance(policy, IdentifierPolicy):
            policy = DisclosurePolicy(identifiers=policy)
        self.policy: DisclosurePolicy = policy or DisclosurePolicy()
        self.min_length = int(min_length)
        self.workers = workers
        self.forbidden_columns = {str(c).casefold() for c in (forbidden_values or {})}
        self._columns = [(str(column), values) for column, values in (forbidden_values or {}).items()]
        self._index_lock = threading.Lock()
        self._indexed = False
        # Needles: phrases (tokens joined by one space) and digit strings, as plain Python sets of all dropped
        # columns together (built in C, fast for the small subsets a scan tests); per column only a list, to
        # name the column after a hit.
        self._phrase_lists: dict[str, list[str]] = {}
        self._digit_lists: dict[str, DigitSet] = {}
        self._phrase_lengths: set[int] = set()
        self._all_phrases: set[str] = set()
        self._tokens: set[str] = set()
        self._all_digits = DigitSet([])
        self._accepted: dict[
            int, set[bytes]
        ] = {}  # size → SHA-256 of bytes whose table was scanned in memory

    @property
    def _ids(self) -> IdentifierPolicy:
        return self.policy.identifiers

    def _ensure_index(self) -> None:
        """Index the dropped columns once (thread-safe: a scan in a thread may be the first user)."""
        with self._index_lock:
            if self._indexed:
                return
            columns = self._columns
            if self.workers > 1 and len(columns) > 1:
                # columns are indexed side by side: Arrow's kernels and numpy's sort release the GIL
                with ThreadPoolExecutor(
                    max_workers=min(self.workers, len(columns)), thread_name_prefix="pdtk-guard-index"
                ) as pool:
                    indexes = list(pool.map(lambda item: index_column(item[1], self.min_length), columns))
            else:
                indexes = [index_column(values, self.min_length) for _, values in columns]
            for (column, _), index in zip(columns, indexes, strict=True):
                known = self._digit_lists.get(column)
                self._digit_lists[column] = (
                    index.digits if known is None else DigitSet.merge([known, index.digits])
                )
                if index.phrases:
                    self._phrase_lists.setdefault(column, []).extend(index.phrases)
                    self._all_phrases.update(index.phrases)
                    self._tokens |= index.tokens
                    self._phrase_lengths |= index.lengths
            self._all_digits = DigitSet.merge(list(self._digit_lists.values()))
            self._columns = []  # the raw values are no longer needed
            self._indexed = True

    # ----------------------------------------------------------------------------------- calling
    def __call__(self, staged_path: Path, final_path: Path | None = None) -> None:
        """Scan ``staged_path``; name ``final_path`` (the file the user would see) in any error.

        A file whose bytes were returned by :meth:`serialise` or recorded by :meth:`accept` is not read again.
        """
        staged_path = Path(staged_path)
        shown = Path(final_path) if final_path is not None else staged_path
        if self._was_scanned(staged_path):
            return
        self._ensure_index()
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
        """Scan a DataFrame about to be published, by its column types (nothing is turned into text first).

        Booleans, dates, and numeric columns whose values are all below the policy's smallest identifier are
        skipped at once; text columns go through Arrow, like a Parquet file's.
        """
        import pyarrow as pa

        self._ensure_index()
        shown = Path(str(shown))
        self._check_column_names(frame.columns, shown)
        for column in frame.columns:
            series = frame[column]
            if pd.api.types.is_string_dtype(series) and not isinstance(series.dtype, pd.CategoricalDtype):
                try:
                    arrow = pa.array(series, from_pandas=True)
                except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed objects: scan their text
                    arrow = pa.array(series.dropna().astype(str), from_pandas=True)
                if not isinstance(arrow, pa.ChunkedArray):  # Arrow-backed columns come chunked already;
                    arrow = pa.chunked_array([arrow])  # wrapping those again would copy them value by value
                self._scan_arrow_column(arrow, shown, str(column))
            else:
                self._scan_series(series, shown, str(column))

    def scan_table(self, table: pa.Table, shown: Path | str = "<table>") -> None:
        """Scan an Arrow table about to be written (same rules as for a Parquet file)."""
        self._ensure_index()
        shown = Path(str(shown))
        self._check_column_names(table.column_names, shown)
        for name in table.column_names:
            self._scan_arrow_column(table.column(name), shown, name)

    def serialise(
        self, table: pd.DataFrame | pa.Table, to_bytes: Callable[[object], bytes], shown: Path | str
    ) -> bytes:
        """``to_bytes(table)``, with the table scanned in a thread meanwhile; the bytes are then accepted.

        Why a thread: for a large register, indexing the dropped values and scanning the table (Arrow kernels
        and numpy sorts, which release the GIL) take about as long as serialising it (Arrow's writer releases
        the GIL too), so the two overlap on two cores. Raises the scan's ``DisclosureError`` after the
        serialiser finished.
        """
        import pyarrow as pa

        def scan() -> None:
            if isinstance(table, pa.Table):
                self.scan_table(table, shown)
            else:
                self.scan_frame(table, shown)

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdtk-guard") as pool:
            scanned = pool.submit(scan)
            data = to_bytes(table)
            scanned.result()  # re-raises DisclosureError
        self.accept(data)
        return data

    def accept(self, data: bytes) -> None:
        """Record bytes serialised from a table that passed :meth:`scan_frame` or :meth:`scan_table`.

        A staged file whose bytes are exactly these (compared by size, then SHA-256) is not parsed again: its
        content is the scanned table's. Any other file, or a changed one, is scanned as usual.
        """
        self._accepted.setdefault(len(data), set()).add(hashlib.sha256(data).digest())

    def _was_scanned(self, path: Path) -> bool:
        digests = self._accepted.get(path.stat().st_size)
        if not digests:
            return False
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest() in digests

    # ----------------------------------------------------------------------------------- file kinds
    def _scan_parquet(self, path: Path, shown: Path) -> None:
        import pyarrow.parquet as pq

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
            column = _could_leak(
                column.cast(pa.large_string()), needles=bool(self._all_digits or self._all_phrases)
            )
            # distinct values in Arrow, without a round trip through Python objects
            uniques = pc.drop_null(pc.unique(column))
            if len(uniques):
                series = pd.Series(uniques.to_pandas(types_mapper={pa.large_string(): ARROW_STRING}.get))
                self._scan_strings(series.astype(ARROW_STRING), shown, f"column '{name}'")
            return
        if _below(column, self.policy.smallest_identifier):  # counts, flags, years, amounts: no id fits
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
                    f"the output has a column '{name}', which is a dropped direct identifier; nothing was "
                    f"written",
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
        long_numbers = values >= self.policy.smallest_identifier  # NaN compares False
        if not long_numbers.any():  # counts, years, amounts, shares: no identifier fits
            return
        whole_numbers = np.isfinite(values) & (values == np.floor(values)) & (values < 1e15)
        long_numbers &= whole_numbers
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
        if valid_mask(candidates, self._ids).any():
            self._raise_fnr(shown, f"column '{column}'")

    def _scan_strings(self, uniques: pd.Series, shown: Path, where: str) -> None:
        """Scan distinct strings: vectorised pre-filters, Python only for the few values that need it."""
        uniques = _fold_digits(uniques)
        # 1. identity numbers: numbers by their integer part, other text by bounded 11-digit runs
        has_candidate = uniques.str.contains(_CANDIDATE, regex=True).fillna(False).to_numpy(dtype=bool)
        if has_candidate.any():
            subset = uniques[has_candidate]
            integer_part = subset.str.extract(_NUMBER.pattern)[0]
            is_number = integer_part.notna().to_numpy(dtype=bool)
            if is_number.any() and valid_mask(integer_part[is_number], self._ids).any():
                self._raise_fnr(shown, where)
            found = subset[~is_number].str.extractall(FNR_PATTERN.pattern)
            if len(found) and valid_mask(found[0] + found[1], self._ids).any():
                self._raise_fnr(shown, where)
        # 2. digit values of dropped columns (phone numbers)
        if self._all_digits:
            digitish = uniques.str.contains(DIGITISH_FULL, regex=True).fillna(False).to_numpy(dtype=bool)
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
        text = ascii_digits(text)
        for match in FNR_PATTERN.finditer(text):
            start = match.start()
            if start >= 2 and text[start - 1] == "." and text[start - 2].isdigit():
                continue  # the fraction digits of a decimal number
            if _inside_digest(text, start, match.end()):
                continue  # part of a hash (manifest.json's SHA-256 values), not a number someone wrote
            if is_valid(match.group(1) + match.group(2), self._ids):
                self._raise_fnr(shown, where)
        if self._all_digits:
            self._text_digit_values(text, shown, where)
        if self._all_phrases:
            self._text_phrases(text, shown, where)

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


_HEX = frozenset("0123456789abcdefABCDEF")


def _inside_digest(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` lies in a run of at least 32 hex characters holding a letter: a digest.

    A SHA-256 written in hex has runs of 11 digits between its letters by chance, and one in a few hundred of
    those is a valid identity number; nobody writes an identity number glued into such a run.
    """
    left, right = start, end
    while left > 0 and text[left - 1] in _HEX:
        left -= 1
    while right < len(text) and text[right] in _HEX:
        right += 1
    if right - left < 32:
        return False
    return any(c.isalpha() for c in text[left:right])


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


def _could_leak(column: object, *, needles: bool = True) -> object:
    """Drop, from a column of many distinct strings, the values no check of ``_scan_strings`` could flag.

    Why: a column of pseudonyms has a million distinct values, and hashing them all to find the distinct ones
    costs more than the scan itself. Every check needs either a run of six digits (an identity number, a phone
    number written without spaces) or two word characters separated by a non-word one (a phone number written
    with separators, a name or address phrase): needles have at least six digits, phrases at least two tokens.
    Kept: values with six ASCII digits in a row or with any character other than ``[0-9A-Za-z_]`` (so every
    non-ASCII value, whatever Unicode calls a word character). Without ``needles`` (a study with no dropped
    columns: only identity numbers are looked for) only values with an identity number's eleven ASCII digits
    (``DDMMYY NNNNN``, the space optional) or any non-ASCII character (Unicode digits) are kept: a pseudonym
    such as ``P0012345`` is then dropped too. Columns with few distinct values (judged on a sample) are left
    whole, as their distinct values are cheap to find.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(column) < 50_000:
        return column
    sample = column.slice(0, 10_000)
    if len(pc.unique(sample)) < len(sample) // 2:
        return column
    # one RE2 pass: six digits, or any character that is not an ASCII letter, digit or "_" (a separator, or
    # any
    # non-ASCII letter) — a superset of what the checks need, so nothing they could flag is dropped
    pattern = "[0-9]{6}|[^0-9A-Za-z_]" if needles else "[0-9]{6} ?[0-9]{5}|[^\\x00-\\x7f]"
    keep = pc.match_substring_regex(column, pattern)
    return (
        column.filter(pc.fill_null(keep, False)) if isinstance(column, pa.ChunkedArray | pa.Array) else column
    )


def _fold_digits(uniques: pd.Series) -> pd.Series:
    """:func:`ascii_digits` on the values holding a digit of another script, found by one RE2 pass first
    (``[^\\P{Nd}0-9]``: a decimal digit that is not ASCII). Why RE2 first: Norwegian text is mostly
    non-ASCII, and folding every such value in Python cost ~2 s per million values."""
    import pyarrow.compute as pc

    from toolkit.io import arrow_strings

    found = pc.fill_null(pc.match_substring_regex(arrow_strings(uniques), r"[^\P{Nd}0-9]"), False)
    foreign = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    if not foreign.any():
        return uniques
    folded = uniques.copy()
    folded[foreign] = uniques[foreign].map(ascii_digits)
    return folded


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
