"""Readers for register files and transcripts, and atomic writers.

Register extracts from SSB / microdata.no, NAV and NUDB arrive as CSV in whatever a Norwegian Excel or SAS
export produced (``;``-separated, decimal comma, cp1252 or UTF-8 with BOM), SPSS ``.sav``, Stata ``.dta``,
Excel and Parquet. :func:`read_table` reads them all into a pandas DataFrame with the same conventions:
identifier-like columns (leading zeros, or named by the caller) stay text, so ``01019912345`` never becomes
the float ``1019912345.0``.

Encoding detection is written here rather than taken from ``charset-normalizer`` because register files come
in exactly three encodings, and a deterministic rule (BOM → UTF-8 → cp1252 → latin-1) never guesses an exotic
code page for a short file, which statistical detectors do.

Writers are atomic: a file appears whole or not at all, and :func:`staged_output` makes a whole step's files
appear together (or none of them), after an optional guard has read every one of them.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from toolkit.errors import InputDataError

TABLE_SUFFIXES = {
    ".csv",
    ".txt",
    ".tsv",
    ".parquet",
    ".pq",
    ".sav",
    ".zsav",
    ".dta",
    ".xlsx",
    ".xlsm",
    ".xls",
}
TRANSCRIPT_SUFFIXES = {".txt", ".docx", ".vtt"}

_DELIMITERS = [";", ",", "\t", "|"]
_NUMBER_DOT = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NUMBER_COMMA = re.compile(r"^[+-]?\d+(,\d+)?$")
_LEADING_ZERO = re.compile(r"^0\d")


# --------------------------------------------------------------------------------------------- decoding
def decode_bytes(raw: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode file bytes as UTF-8 (with or without BOM), else cp1252, else latin-1.

    Returns ``(text, encoding)``. Raises :class:`InputDataError` for empty or binary content.
    """
    if not raw.strip():
        raise InputDataError(
            "the file is empty", file=path, fix="export the data again; the file has no rows"
        )
    if b"\x00" in raw[:65536]:
        # UTF-16 exports (Excel "Unicode text") carry NULs; say so rather than calling it binary.
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return raw.decode("utf-16"), "utf-16"
            except UnicodeDecodeError:
                pass
        raise InputDataError(
            "the file is binary, not text",
            file=path,
            fix="export it as CSV/text (UTF-8) or use a supported format",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputDataError("unknown text encoding", file=path, fix="save the file as UTF-8")  # pragma: no cover


def read_text(path: str | Path) -> str:
    """Read a text file with encoding detection; CRLF and CR become LF."""
    path = Path(path)
    _require_file(path)
    text, _ = decode_bytes(path.read_bytes(), path)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _require_file(path: Path) -> None:
    if not path.exists():
        raise InputDataError(
            "file not found", file=path, fix="check the path in the protocol or on the command line"
        )
    if path.is_dir():
        raise InputDataError("is a folder, not a file", file=path, fix="name a file")


# --------------------------------------------------------------------------------------------- tables
def sniff_delimiter(sample: str) -> str:
    """The delimiter among ``; , tab |`` that splits the first lines into the most consistent columns."""
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if not lines:
        return ","
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(_DELIMITERS))
        if dialect.delimiter in _DELIMITERS:
            # The sniffer happily picks ',' in '1,5;2,5' files; prefer ';' when it splits the header too.
            if dialect.delimiter == "," and lines[0].count(";") >= 1:
                return ";"
            return dialect.delimiter
    except csv.Error:
        pass
    best, best_score = ",", -1.0
    for delim in _DELIMITERS:
        counts = [ln.count(delim) for ln in lines]
        if counts[0] == 0:
            continue
        score = counts[0] * (sum(c == counts[0] for c in counts) / len(counts))
        if score > best_score:
            best, best_score = delim, score
    return best


def _column_kinds(sample: pd.DataFrame, text_columns: set[str]) -> tuple[dict[str, str], set[str], str]:
    """Decide per column: 'text' or 'number'; which columns look numeric; whether the file uses a decimal
    comma.

    "Looks numeric" (only digits, signs, separators and spaces) marks the text columns pandas would otherwise
    turn into numbers (ids, codes with leading zeros). Plain ``re`` over the sample's Python strings: for
    2,000 rows this is several times faster than pandas' string methods column by column.
    """
    kinds: dict[str, str] = {}
    looks_numeric: set[str] = set()
    comma_votes = dot_votes = 0
    numeric_text = re.compile(r"^[+-]?[\d.,\s]+$")
    for col in sample.columns:
        values = [str(v).strip() for v in sample[col].dropna().tolist()]
        if all(numeric_text.match(v) for v in values):
            looks_numeric.add(col)
        values = [v for v in values if v]
        if col in text_columns or not values:
            kinds[col] = "text"
            continue
        if any(_LEADING_ZERO.match(v) for v in values):
            kinds[col] = "text"  # codes such as postnr 0150, kommune 0301, fødselsnummer
            continue
        if all(_NUMBER_DOT.match(v) for v in values):
            kinds[col] = "number"
            dot_votes += any("." in v for v in values)
        elif all(_NUMBER_COMMA.match(v) for v in values):
            kinds[col] = "number"
            comma_votes += any("," in v for v in values)
        else:
            kinds[col] = "text"
    decimal = "," if comma_votes > dot_votes else "."
    return kinds, looks_numeric, decimal


_HEAD_BYTES = 1 << 18


def read_csv_detected(path: str | Path, *, text_columns: Iterable[str] = ()) -> pd.DataFrame:
    """Read a CSV whatever its encoding, delimiter and decimal mark.

    Detection runs on the first 256 KiB; the whole file is then parsed once by pandas' C parser with the
    detected settings (so a million-row file costs little more than a plain ``pandas.read_csv``). If a later
    part of the file is not valid in the detected encoding, the next encoding (cp1252, then latin-1) is tried.
    ``text_columns`` (e.g. the protocol's ``id_column``) are always read as text.
    """
    path = Path(path)
    _require_file(path)
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
        whole = not handle.read(1)
    if not whole and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]
    text, encoding = decode_bytes(head, path)
    delimiter = sniff_delimiter(text[:20000])
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=delimiter), [])
    header = [h.strip() for h in header]
    if not any(header):
        raise InputDataError(
            "the first line has no column names", file=path, fix="put the column names on line 1"
        )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise InputDataError(
                f"column '{name}' appears twice in the header",
                file=path,
                fix="rename or remove one of the two columns",
            )
        seen.add(name)
    # Spaces after the delimiter ("a, b, \"c, d\"") are skipped only where the head of the file has them:
    # pandas' skipinitialspace makes the whole parse about 1.5× slower. Leading spaces that appear only later
    # in the file are stripped from the text columns after the parse.
    spaced = re.search(re.escape(delimiter) + r"[ \t]", text) is not None
    read_kw: dict[str, Any] = dict(sep=delimiter, keep_default_na=True, skipinitialspace=spaced)
    try:
        sample = pd.read_csv(io.StringIO(text), nrows=2000, dtype=str, **read_kw)
    except pd.errors.ParserError as exc:
        raise InputDataError(
            f"cannot parse as CSV ({_first_line(exc)})", file=path, fix="check quoting and delimiters"
        ) from None
    sample.columns = [str(c).strip() for c in sample.columns]
    kinds, looks_numeric, decimal = _column_kinds(sample, set(text_columns))
    # One typed pass: text columns as str, the rest parsed by pandas with the detected decimal mark. A numeric
    # column that holds text after the sample comes back as text, so no value is lost.
    # Only columns that *look* numeric but must stay text (ids, codes with leading zeros) are forced to str:
    # pandas already reads real text as text, and forcing dtype=str on every text column is ~5× slower.
    # Forced as Arrow strings (about 4× faster in pandas' C parser than dtype=str), then turned into pandas'
    # ordinary string dtype below, so callers see the same dtype as for any other text column.
    forced_text = [col for col, kind in kinds.items() if kind == "text" and col in looks_numeric]
    read_kw["dtype"] = {col: pd.ArrowDtype(pa.large_string()) for col in forced_text}  # pandas' "str" storage
    read_kw["decimal"] = decimal
    frame = None
    fallbacks = {"utf-8": ["cp1252", "latin-1"], "utf-8-sig": ["cp1252", "latin-1"], "cp1252": ["latin-1"]}
    for attempt in [encoding, *fallbacks.get(encoding, [])]:
        try:
            frame = pd.read_csv(path, encoding=attempt, **read_kw)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputDataError(
                f"cannot parse as CSV ({_first_line(exc)})", file=path, fix="check quoting and delimiters"
            ) from None
    if frame is None:  # pragma: no cover - latin-1 decodes every byte
        raise InputDataError("unknown text encoding", file=path, fix="save the file as UTF-8")
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputDataError("the file has a header but no rows", file=path, fix="export the data again")
    if forced_text:
        frame = frame.astype(dict.fromkeys(forced_text, "str"))
    if not spaced:
        _strip_initial_spaces(frame)
    for col, kind in kinds.items():
        if kind == "number" and not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype("string").str.strip()
    return frame


def _strip_initial_spaces(frame: pd.DataFrame) -> None:
    """What ``skipinitialspace`` would have done to text columns whose values start with a space (in place).

    Checked with a cheap Arrow kernel per column, so files without such spaces (nearly all) pay almost
    nothing.
    """
    import pyarrow.compute as pc

    for col in frame.columns:
        values = frame[col]
        if not pd.api.types.is_string_dtype(values):
            continue
        arrow = pa.array(values.array) if not pd.api.types.is_object_dtype(values) else None
        if arrow is not None:
            if pc.any(pc.starts_with(arrow, " ")).as_py():
                frame[col] = values.str.lstrip(" ")
        elif values.map(lambda v: isinstance(v, str) and v.startswith(" ")).any():
            frame[col] = values.str.lstrip(" ")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def read_table(path: str | Path, *, text_columns: Iterable[str] = ()) -> pd.DataFrame:
    """Read a register file (CSV/TSV, Parquet, SPSS, Stata, Excel) into a DataFrame.

    SPSS and Stata value labels are applied (``1 → "Kvinne"``), so categories read the same as in SPSS.
    """
    path = Path(path)
    _require_file(path)
    suffix = path.suffix.lower()
    text_columns = list(text_columns)
    try:
        if suffix in {".csv", ".txt", ".tsv"}:
            return read_csv_detected(path, text_columns=text_columns)
        if suffix in {".parquet", ".pq"}:
            frame = pd.read_parquet(path)
        elif suffix in {".sav", ".zsav", ".dta"}:
            import pyreadstat

            reader = pyreadstat.read_sav if suffix != ".dta" else pyreadstat.read_dta
            frame, _meta = reader(str(path), apply_value_formats=True, formats_as_category=False)
        elif suffix in {".xlsx", ".xlsm", ".xls"}:
            frame = pd.read_excel(path, dtype={c: str for c in text_columns})
        else:
            raise InputDataError(
                f"unsupported file type '{suffix}'",
                file=path,
                fix="use .csv, .parquet, .sav, .dta or .xlsx",
            )
    except InputDataError:
        raise
    except Exception as exc:  # the libraries' own errors are not plain language; name the file instead
        raise InputDataError(
            f"cannot read the {suffix} file ({type(exc).__name__}: {_first_line(exc)[:120]})",
            file=path,
            fix="check that the file is not damaged and opens in its own program",
        ) from None
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise InputDataError(
            f"column '{dup}' appears twice", file=path, fix="rename or remove one of the two columns"
        )
    if frame.empty:
        raise InputDataError("the file has no rows", file=path, fix="export the data again")
    for col in text_columns:
        if col in frame.columns and not pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].astype("string")
    return frame


# --------------------------------------------------------------------------------------------- transcripts
def read_transcript(path: str | Path) -> str:
    """Read an interview transcript as plain text with LF line endings.

    ``.txt`` is decoded with detection; ``.docx`` paragraphs become lines separated by blank lines;
    ``.vtt`` cues become ``Speaker: text`` paragraphs (speaker from ``<v Name>`` voice tags).
    Offsets reported by later steps refer to this text.
    """
    path = Path(path)
    _require_file(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return read_text(path)
    if suffix == ".docx":
        try:
            import docx

            document = docx.Document(str(path))
        except Exception as exc:
            raise InputDataError(
                f"cannot read the Word file ({type(exc).__name__})",
                file=path,
                fix="save it again as .docx or as UTF-8 .txt",
            ) from None
        paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
        if not paragraphs:
            raise InputDataError(
                "the Word file has no text", file=path, fix="check that the transcript was saved"
            )
        return "\n\n".join(paragraphs) + "\n"
    if suffix == ".vtt":
        return _read_vtt(path)
    raise InputDataError(f"unsupported transcript type '{suffix}'", file=path, fix="use .txt, .docx or .vtt")


_VOICE = re.compile(r"<v(?:\.[^ >]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")


def _read_vtt(path: Path) -> str:
    import webvtt

    try:
        captions = webvtt.from_buffer(io.StringIO(read_text(path)))
    except Exception as exc:
        raise InputDataError(
            f"cannot read the WebVTT file ({type(exc).__name__})",
            file=path,
            fix="check that it starts with 'WEBVTT'",
        ) from None
    turns: list[tuple[str, str]] = []
    for caption in captions:
        raw = caption.raw_text if hasattr(caption, "raw_text") else caption.text
        voice = _VOICE.search(raw)
        speaker = voice.group(1).strip() if voice else (getattr(caption, "voice", None) or "")
        text = " ".join(_TAG.sub("", raw).split())
        if ":" in text and not speaker:
            head, _, rest = text.partition(":")
            if 0 < len(head) <= 30:
                speaker, text = head.strip(), rest.strip()
        if not text:
            continue
        if turns and turns[-1][0] == speaker:
            turns[-1] = (speaker, turns[-1][1] + " " + text)  # consecutive cues of one voice are one turn
        else:
            turns.append((speaker, text))
    if not turns:
        raise InputDataError("the WebVTT file has no captions", file=path, fix="check the export")
    return "\n\n".join(f"{s}: {t}" if s else t for s, t in turns) + "\n"


def list_transcripts(folder: str | Path) -> list[Path]:
    """Transcript files in a folder (not recursive), sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputDataError("transcript folder not found", file=folder, fix="check the path")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in TRANSCRIPT_SUFFIXES)


# --------------------------------------------------------------------------------------------- hashing
def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_path(path: str | Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and bytes, sorted)."""
    path = Path(path)
    if path.is_file():
        return sha256_file(path)
    digest = hashlib.sha256()
    for child in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(child.relative_to(path)).encode())
        digest.update(sha256_file(child).encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------- writing
def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _default_file_mode()


def atomic_write_bytes(path: str | Path, data: bytes, *, private: bool = False) -> Path:
    """Write bytes so that ``path`` holds either its old content or all of ``data``, never a part.

    ``private=True`` keeps the file 0600 (restricted files: review decisions, allow/deny lists)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if not private:
            os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; outputs get the mode an ordinary file would
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text (no BOM, LF) atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def json_text(obj: Any) -> str:
    """JSON as the toolkit publishes it: UTF-8, sorted keys, indented, numpy numbers as plain numbers."""
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=_json_default) + "\n"


def write_json(path: str | Path, obj: Any) -> Path:
    """Write JSON (UTF-8, sorted keys, indented) atomically."""
    return atomic_write_text(path, json_text(obj))


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, pd.Timestamp):
        return obj.isoformat()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A DataFrame as the toolkit publishes it: UTF-8 CSV, ``,`` separator, ``.`` decimals, no index.

    The bytes are pandas' ``to_csv``; :func:`toolkit.csv_text.csv_text` builds the same bytes faster for the
    common column types (a million-row ``individuals.csv`` in ~2 s instead of ~7 s); pandas writes the rest.
    """
    from toolkit.csv_text import csv_text

    fast = csv_text(frame)
    return fast if fast is not None else frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    """Write a DataFrame as UTF-8 CSV with ``,`` separator and ``.`` decimals, atomically."""
    return atomic_write_bytes(path, csv_bytes(frame))


def arrow_strings(values: pd.Series) -> pa.LargeStringArray:
    """A column as one Arrow ``large_string`` array (numbers and objects as their text; missing stays null).

    The form the vectorised identifier, pseudonym and leak-guard code works on: one contiguous buffer, which
    pandas' Arrow-backed text columns give without a copy.
    """
    if not (pd.api.types.is_string_dtype(values) and not pd.api.types.is_object_dtype(values)):
        values = values.astype("string")
    arrow = pa.array(values.array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    return arrow.cast(pa.large_string())


def parquet_bytes(data: pd.DataFrame | pa.Table) -> bytes:
    """A DataFrame (without its index) or an Arrow table as the bytes of a Parquet file.

    zstd: smaller than the default snappy and faster to read back.
    """
    import pyarrow.parquet as pq

    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


Guard = Callable[[Path, Path], None]
"""A guard reads one staged file (staged path, final path) and raises to stop the whole step."""


def restrict_permissions(folder: str | Path) -> None:
    """Make a restricted folder private: the folder (and sub-folders) 0700, every file in it 0600.

    Restricted files (keys, contact lists, re-identification maps, review decisions) must not be readable by
    other users of a shared research server, whatever the umask was when they were written."""
    folder = Path(folder)
    os.chmod(folder, 0o700)
    for path in folder.rglob("*"):
        os.chmod(path, 0o700 if path.is_dir() else 0o600)


@contextlib.contextmanager
def staged_output(
    final_dir: str | Path, *, guard: Guard | None = None, clear: bool = False
) -> Iterator[Path]:
    """Stage a step's files in a temporary folder and move them into ``final_dir`` only if all succeed.

    The step writes into the yielded folder. On success the guard (e.g. the leak guard) reads every staged
    file; only if none raises are the files moved into place. On any error nothing under ``final_dir``
    changes. ``clear=True`` removes files of an earlier run of the same step that the new run did not write.
    """
    final_dir = Path(final_dir)
    final_dir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{final_dir.name}.staging.", dir=final_dir.parent))
    try:
        yield stage
        staged = sorted(p for p in stage.rglob("*") if p.is_file())
        if guard is not None:
            for file in staged:
                guard(file, final_dir / file.relative_to(stage))
        if clear and final_dir.exists():
            shutil.rmtree(final_dir)
        final_dir.mkdir(parents=True, exist_ok=True)
        for file in staged:
            target = final_dir / file.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
