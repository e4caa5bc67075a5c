"""Run de-identification over a folder of transcripts, safely: staged output, restricted map, leak check."""

from __future__ import annotations

import codecs
import functools
import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.deidentify.deidentifier import CHUNK_CHARS, Deidentifier, DeidResult, _chunk_paragraphs
from toolkit.deidentify.patterns import _alternation
from toolkit.deidentify.spans import DIRECT_TYPES, Span
from toolkit.errors import DisclosureError, InputDataError, PdtkError
from toolkit.io import list_transcripts, read_transcript, staged_output

MAP_FILE = "deidentification_map.jsonl"
SPANS_FILE = "deidentification.jsonl"
KEY_FILE = "deidentification_key.txt"
STREAM_THRESHOLD_BYTES = 16 * 1024 * 1024


# =============================================================================================== files
def _output_name(path: Path) -> str:
    """Output file name: the same name for .txt; ``.docx``/``.vtt`` inputs become ``<name>.txt`` (plain text:
    the de-identified text is what ``read_transcript`` gives, and the offsets in the JSONL refer to it)."""
    return path.name if path.suffix.lower() == ".txt" else path.stem + ".txt"


def _detect_stream_encoding(path: Path) -> str:
    """Encoding of a huge text file, decided by reading it once in blocks (UTF-8 → cp1252 → latin-1)."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise InputDataError("the file is empty", file=path.name, fix="check the transcript export")
    if b"\x00" in head:
        raise InputDataError(
            "the file is binary, not text", file=path.name, fix="export the transcript as UTF-8 .txt or .docx"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while block := handle.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _stream_chunks(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """Paragraph chunks of a text file read line by line (universal newlines: CRLF/CR become LF)."""
    offset = 0
    buf: list[str] = []
    size = 0
    with open(path, encoding=encoding, newline=None) as handle:
        for line in handle:
            buf.append(line)
            size += len(line)
            if (size >= CHUNK_CHARS and not line.strip()) or size >= 16 * CHUNK_CHARS:
                chunk = "".join(buf)
                yield offset, chunk
                offset += len(chunk)
                buf, size = [], 0
    if buf:
        yield offset, "".join(buf)


def _key_for(restricted_dir: Path | None, seed: int, mode: str) -> bytes | None:
    if mode != "surrogates" or restricted_dir is None:
        return None
    key_path = Path(restricted_dir) / KEY_FILE
    if key_path.exists():
        return key_path.read_text(encoding="utf-8").strip().encode()
    return None


def _deidentify_file(
    path: Path, target: Path, deid: Deidentifier, *, source: str
) -> tuple[dict, list[dict], list[dict]]:
    """De-identify one transcript into ``target``; returns (file row, span rows, map rows)."""
    originals: dict[tuple[str, str], str] = {}
    huge = path.suffix.lower() == ".txt" and path.stat().st_size > STREAM_THRESHOLD_BYTES
    if huge:
        encoding = _detect_stream_encoding(path)
        chunks: list[tuple[int, str]] | Callable = functools.partial(_stream_chunks, path, encoding)
    else:
        try:
            text = read_transcript(path)
        except PdtkError as exc:
            raise InputDataError(_short(exc, path), file=path.name, fix=exc.fix or "check the file") from None
        chunks = list(_chunk_paragraphs(text))
    words = 0
    surrogates = deid.mode == "surrogates"
    with open(target, "w", encoding="utf-8", newline="\n") as handle:

        def sink(new: str, chunk: str, spans: list[Span]) -> None:
            nonlocal words
            handle.write(new)
            words += len(chunk.split())
            for s in spans:
                original = chunk[s.start : s.end]
                originals.setdefault((s.type, original), deid._replacer.replace(s.type, original))
            _check_no_leak(new, chunk, spans, path.name, surrogates=surrogates)

        _, spans = deid._deidentify_chunks(chunks, sink=sink)
    span_rows = [{"source": source, "start": s.start, "end": s.end, "type": s.type} for s in spans]
    file_row = {"source": source, "output": target.name, "words": words, "spans": len(spans)}
    map_rows = [
        {"source": source, "type": t, "replacement": r, "original": o} for (t, o), r in originals.items()
    ]
    return file_row, span_rows, map_rows


_WORKER: Deidentifier | None = None


def _worker_init(mode: str, seed: int, engine: str, key: bytes | None) -> None:
    global _WORKER
    _WORKER = Deidentifier(mode=mode, seed=seed, engine=engine, key=key)


def _worker_run(args: tuple[Path, Path, str]) -> tuple[dict, list[dict], list[dict]]:
    path, target, source = args
    assert _WORKER is not None
    return _deidentify_file(path, target, _WORKER, source=source)


def _run_parallel(jobs: list[tuple[Path, Path, str]], deid: Deidentifier, n_jobs: int) -> list:
    """Spread transcripts over processes. With ``fork`` the workers inherit the built recognisers (saves ~1 s
    of start-up each); elsewhere each worker builds its own from the same parameters."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER
    workers = min(n_jobs, len(jobs))
    if "fork" in mp.get_all_start_methods():
        deid.analyze("Kari bor i Oslo.")  # build regexes (and Presidio's engine) before forking
        _WORKER = deid
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
                return list(pool.map(_worker_run, jobs))
        finally:
            _WORKER = None
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=(deid.mode, deid.seed, deid.engine, deid.key)
    ) as pool:
        return list(pool.map(_worker_run, jobs))


def deidentify_folder(
    in_dir: Path | str,
    out_dir: Path | str,
    *,
    mode: str = "tags",
    seed: int = 0,
    restricted_dir: Path | str | None = None,
    engine: str = "presidio",
    n_jobs: int = 1,
) -> DeidResult:
    """De-identify every transcript (.txt, .docx, .vtt) in ``in_dir`` into ``out_dir``.

    Writes one de-identified text per transcript (same name; .docx and .vtt become ``<stem>.txt``) and
    ``deidentification.jsonl`` with one ``{"source", "start", "end", "type"}`` line per replaced span, offsets
    into the text :func:`toolkit.io.read_transcript` gives, never the original text. The map from replacements
    to originals (and, for surrogates, the study key) goes only into ``restricted_dir`` when it is given.
    All files appear together or not at all (``staged_output``); a final check refuses to write if an original
    direct identifier survives in an output text. ``n_jobs`` > 1 spreads transcripts over processes.
    """
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive int, got {n_jobs!r}")
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    files = list_transcripts(in_dir)
    if not files:
        raise InputDataError(
            "no transcripts (.txt, .docx, .vtt) in the folder", file=in_dir, fix="check IN_DIR"
        )
    names = Counter(_output_name(p).lower() for p in files)
    clash = [n for n, c in names.items() if c > 1]
    if clash:
        raise InputDataError(
            f"two transcripts would both be written as '{clash[0]}'",
            file=in_dir,
            fix="rename one of them (e.g. the .docx copy)",
        )
    restricted = Path(restricted_dir) if restricted_dir is not None else None
    key = _key_for(restricted, seed, mode)
    new_key = None
    if mode == "surrogates" and restricted is not None and key is None:
        new_key = secrets.token_hex(32)
        key = new_key.encode()
    deid = Deidentifier(mode=mode, seed=seed, engine=engine, key=key)  # validates the parameters up front
    span_rows: list[dict] = []
    file_rows: list[dict] = []
    map_rows: list[dict] = []
    with staged_output(out_dir) as stage:
        jobs = [(path, stage / _output_name(path), path.name) for path in files]
        if n_jobs == 1 or len(jobs) == 1:
            results = [_deidentify_file(p, t, deid, source=src) for p, t, src in jobs]
        else:
            results = _run_parallel(jobs, deid, n_jobs)
        for file_row, rows, mapped in results:
            file_rows.append(file_row)
            span_rows += rows
            map_rows += mapped
        with open(stage / SPANS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            for row in span_rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        map_path = None
        if restricted is not None:
            with staged_output(restricted) as rstage:
                with open(rstage / MAP_FILE, "w", encoding="utf-8", newline="\n") as handle:
                    for row in map_rows:
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                if new_key is not None:
                    (rstage / KEY_FILE).write_text(new_key + "\n", encoding="utf-8")
                    os.chmod(rstage / KEY_FILE, 0o600)
            map_path = restricted / MAP_FILE
    spans_df = pd.DataFrame(span_rows, columns=["source", "start", "end", "type"])
    files_df = pd.DataFrame(file_rows, columns=["source", "output", "words", "spans"])
    return DeidResult(spans=spans_df, files=files_df, out_dir=out_dir, mode=mode, restricted_map=map_path)


def _short(exc: PdtkError, path: Path) -> str:
    message = str(exc)
    prefix = f"{path}:"
    if message.startswith(prefix):
        message = message[len(prefix) :].strip()
    return message.split(" Fix:")[0].rstrip(".")


def _check_no_leak(new: str, chunk: str, spans: list[Span], source: str, *, surrogates: bool = False) -> None:
    """Refuse to write when an original direct identifier (≥ 4 characters) still occurs in the output text.

    With surrogates a made-up name may by chance equal a real one elsewhere, so only numbers and e-mail
    addresses are checked then. One combined pattern per chunk keeps this linear in the text."""
    checked = {"FNR", "TELEFON", "EPOST", "ID"} if surrogates else DIRECT_TYPES
    originals = {chunk[s.start : s.end] for s in spans if s.type in checked and s.end - s.start >= 4}
    if not originals:
        return
    pattern = re.compile(rf"(?<![\w-])(?:{_alternation(originals)})(?![\w-])")
    found = pattern.search(new)
    if found:
        kind = next(s.type for s in spans if chunk[s.start : s.end] == found.group(0))
        raise DisclosureError(
            f"an original {kind} value would remain in the de-identified text",
            file=source,
            fix="report this as a bug",
        )
