"""Run de-identification over a folder of transcripts, safely: staged output, restricted map, leak check."""

from __future__ import annotations

import codecs
import functools
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.background import end_with_parent
from toolkit.deidentify.consistency import present_strings
from toolkit.deidentify.deidentifier import (
    CHUNK_CHARS,
    ChunkSource,
    Deidentifier,
    DeidResult,
    _chunk_paragraphs,
)
from toolkit.deidentify.patterns import trie_alternation
from toolkit.deidentify.spans import DIRECT_TYPES, Span
from toolkit.errors import DisclosureError, InputDataError, PdtkError
from toolkit.files import is_within
from toolkit.io import (
    Guard,
    atomic_write_text,
    list_transcripts,
    read_transcript,
    restrict_permissions,
    staged_output,
)
from toolkit.progress import track

MAP_FILE = "deidentification_map.jsonl"
SPANS_FILE = "deidentification.jsonl"
KEY_FILE = "deidentification_key.txt"
RUN_FILE = "deidentification_run.json"  # raw folder and settings, for pdtk review
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


@dataclass
class _Detected:
    """Pass 1 for one transcript: spans per chunk and the strings they found (no output written yet)."""

    source: str
    path: Path
    encoding: str | None  # set for huge .txt files that are streamed rather than held in memory
    first: list[list[Span]]
    strings: dict[str, str]


def _chunks_of(path: Path, encoding: str | None) -> ChunkSource:
    if encoding is not None:
        return functools.partial(_stream_chunks, path, encoding)
    try:
        text = read_transcript(path)
    except PdtkError as exc:
        raise InputDataError(_short(exc, path), file=path.name, fix=exc.fix or "check the file") from None
    return list(_chunk_paragraphs(text))


def _detect_file(path: Path, deid: Deidentifier) -> _Detected:
    """Pass 1: read (or stream) one transcript and detect; raises InputDataError for an unreadable file."""
    huge = path.suffix.lower() == ".txt" and path.stat().st_size > STREAM_THRESHOLD_BYTES
    encoding = _detect_stream_encoding(path) if huge else None
    first, strings = deid.detect_chunks(_chunks_of(path, encoding))
    return _Detected(path.name, path, encoding, first, strings)


def _write_file(found: _Detected, target: Path, deid: Deidentifier, batch: dict[str, str]) -> tuple:
    """Pass 2: replace (with the batch's person names) into ``target``; returns (file row, spans, map rows).

    Raises DisclosureError, and removes ``target``, when an original direct identifier would remain."""
    originals: dict[tuple[str, str], str] = {}
    strings = dict(found.strings)
    for string, kind in batch.items():
        strings.setdefault(string, kind)
    # what a reviewer allowed is neither propagated nor checked for leaks (it is not an identifier)
    strings = {s: k for s, k in strings.items() if s.casefold() not in deid.registry.allow}
    words = 0
    surrogates = deid.mode == "surrogates"
    try:
        with open(target, "w", encoding="utf-8", newline="\n") as handle:

            def sink(new: str, chunk: str, spans: list[Span]) -> None:
                nonlocal words
                handle.write(new)
                words += len(chunk.split())
                for s in spans:
                    original = chunk[s.start : s.end]
                    originals.setdefault((s.type, original), deid._replacer.replace(s.type, original))
                _check_no_leak(new, strings, found.source, surrogates=surrogates)

            _, spans = deid.replace_chunks(_chunks_of(found.path, found.encoding), found.first, strings, sink)
    except PdtkError:
        target.unlink(missing_ok=True)
        raise
    span_rows = [{"source": found.source, "start": s.start, "end": s.end, "type": s.type} for s in spans]
    file_row = {"source": found.source, "output": target.name, "words": words, "spans": len(spans)}
    map_rows = [
        {"source": found.source, "type": t, "replacement": r, "original": o}
        for (t, o), r in originals.items()
    ]
    return file_row, span_rows, map_rows


def _batch_names(detected: list[_Detected]) -> dict[str, str]:
    """Person names found in any transcript of the batch: looked for in all of them."""
    names: dict[str, str] = {}
    for found in detected:
        names.update({s: k for s, k in found.strings.items() if k == "PERSON"})
    return names


def _safely(function: Callable, *args) -> tuple[str, object]:
    """Run one file's step; a PdtkError becomes ``("error", one line)`` so the other files go on."""
    try:
        return "ok", function(*args)
    except PdtkError as exc:
        return "error", _short(exc, args[0] if isinstance(args[0], Path) else args[0].path)


_WORKER: Deidentifier | None = None


def _worker_init(params: dict, key: bytes) -> None:
    global _WORKER
    end_with_parent()
    _WORKER = Deidentifier(**params, key=key)


def _worker_detect(path: Path) -> tuple[str, object]:
    assert _WORKER is not None
    return _safely(_detect_file, path, _WORKER)


def _worker_write(args: tuple[_Detected, Path, dict[str, str]]) -> tuple[str, object]:
    found, target, batch = args
    assert _WORKER is not None
    return _safely(_write_file, found, target, _WORKER, batch)


class _Runner:
    """Runs both passes over the files, in this process or in a pool of worker processes."""

    def __init__(self, deid: Deidentifier, n_jobs: int, n_files: int):
        self.deid = deid
        self.workers = min(n_jobs, n_files)
        self.pool = None

    def __enter__(self) -> _Runner:
        if self.workers > 1:
            self.pool = _start_pool(self.deid, self.workers)
        return self

    def __exit__(self, *exc) -> None:
        global _WORKER
        if self.pool is not None:
            self.pool.shutdown()
        _WORKER = None

    def detect(self, paths: list[Path]) -> list[tuple[str, object]]:
        if self.pool is not None:
            return list(track(self.pool.map(_worker_detect, paths), "reading transcripts", total=len(paths)))
        return [_safely(_detect_file, p, self.deid) for p in track(paths, "reading transcripts")]

    def write(self, jobs: list[tuple[_Detected, Path, dict[str, str]]]) -> list[tuple[str, object]]:
        if self.pool is not None:
            return list(
                track(self.pool.map(_worker_write, jobs), "de-identifying transcripts", total=len(jobs))
            )
        return [
            _safely(_write_file, found, target, self.deid, batch)
            for found, target, batch in track(jobs, "de-identifying transcripts")
        ]


_WARM_UP = (
    "Kari (17) bor i Storgata 5, 2000 Lillestrøm, tlf. 412 34 567, kari@example.no, født 12. mars 2007."
)
"""One sentence that reaches every recogniser's lazily built parts: those behind a cheap gate ("@" for the
e-mail recogniser and its suffix list, digits for the number recognisers) would otherwise be built again in
every forked worker (the e-mail one alone took ~0.8 s of CPU per worker)."""


def _start_pool(deid: Deidentifier, workers: int):
    """With ``fork`` the workers inherit the built recognisers and model (saves their start-up); elsewhere each
    worker builds its own from the same parameters."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER
    if "fork" in mp.get_all_start_methods():
        # build the regexes, the model and the lazy parts (Presidio, tldextract) once, before forking
        deid.analyze(_WARM_UP)
        _WORKER = deid
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=mp.get_context("fork"), initializer=end_with_parent
        )
    return ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=(deid.get_params(), deid.key)
    )


def _refuse_inside(in_dir: Path, out_dir: Path, restricted: Path | None) -> None:
    """The command never writes into its input folder (it would overwrite or mix with the raw transcripts)."""
    for name, folder in (("OUT_DIR", out_dir), ("the restricted folder", restricted)):
        if folder is not None and is_within(folder, in_dir):
            raise InputDataError(
                f"{name} is inside the transcript folder; nothing was written",
                file=folder,
                fix="choose an output folder outside IN_DIR",
            )


def _check_names(files: list[Path], in_dir: Path) -> None:
    names = Counter(_output_name(p).lower() for p in files)
    clash = [n for n, c in names.items() if c > 1]
    if clash:
        raise InputDataError(
            f"two transcripts would both be written as '{clash[0]}'",
            file=in_dir,
            fix="rename one of them (e.g. the .docx copy)",
        )


def _write_restricted(restricted: Path, map_rows: list[dict], new_key: str | None) -> Path:
    """The map from replacements to originals (and a new surrogate key): 0600 files in a 0700 folder."""
    with staged_output(restricted) as rstage:
        with open(rstage / MAP_FILE, "w", encoding="utf-8", newline="\n") as handle:
            for row in map_rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        if new_key is not None:
            (rstage / KEY_FILE).write_text(new_key + "\n", encoding="utf-8")
    restrict_permissions(restricted)
    return restricted / MAP_FILE


def _write_run_record(restricted: Path, in_dir: Path, out_dir: Path, deid: Deidentifier) -> None:
    """Where this output's raw transcripts are and how they were de-identified, for ``pdtk review``.

    Kept in the restricted folder (0600) because it names the raw folder, which nothing under results/ does."""
    record = {
        "transcripts": str(in_dir.resolve()),
        "output": str(out_dir.resolve()),
        **deid.get_params(),
        "recognizers": deid.registry.names,
    }
    atomic_write_text(restricted / RUN_FILE, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    restrict_permissions(restricted)


def deidentify_folder(
    in_dir: Path | str,
    out_dir: Path | str,
    *,
    mode: str = "tags",
    seed: int = 0,
    restricted_dir: Path | str | None = None,
    engine: str = "presidio",
    n_jobs: int = 1,
    deidentifier: Deidentifier | None = None,
    guard: Guard | None = None,
) -> DeidResult:
    """De-identify every transcript (.txt, .docx, .vtt) in ``in_dir`` into ``out_dir``.

    Writes one de-identified text per transcript (same name; .docx and .vtt become ``<stem>.txt``) and
    ``deidentification.jsonl`` with one ``{"source", "start", "end", "type"}`` line per replaced span, offsets
    into the text :func:`toolkit.io.read_transcript` gives, never the original text. The map from replacements
    to originals (and, for surrogates, the study key) goes only into ``restricted_dir`` when it is given, as 0600
    files in a 0700 folder.

    Two passes: detection in every file, then replacement with every string found in the same file and every
    person name found in the batch. A file that cannot be read (empty, binary, damaged), or whose output would
    still hold an original identifier, is listed in ``result.skipped`` and gets no output; the others are
    written (the caller exits non-zero when anything was skipped). ``out_dir`` inside ``in_dir`` is refused.
    ``deidentifier`` replaces the default one (e.g. with a protocol-configured registry). ``guard`` (a study's
    leak guard) reads every staged file before any is moved into ``out_dir``; if it refuses one, nothing there
    changes.
    """
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive int, got {n_jobs!r}")
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    restricted = Path(restricted_dir) if restricted_dir is not None else None
    _refuse_inside(in_dir, out_dir, restricted)
    files = list_transcripts(in_dir)
    if not files:
        raise InputDataError(
            "no transcripts (.txt, .docx, .vtt) in the folder", file=in_dir, fix="check IN_DIR"
        )
    _check_names(files, in_dir)
    key = _key_for(restricted, seed, mode)
    new_key = None
    if mode == "surrogates" and restricted is not None and key is None:
        new_key = secrets.token_hex(32)
        key = new_key.encode()
    if deidentifier is None:
        deidentifier = Deidentifier(mode=mode, seed=seed, engine=engine, key=key)
    elif key is not None:
        deidentifier = deidentifier.with_key(key)
    skipped: list[tuple[str, str]] = []
    file_rows, span_rows, map_rows = [], [], []
    with staged_output(out_dir, guard=guard) as stage, _Runner(deidentifier, n_jobs, len(files)) as runner:
        detected = []
        for path, (status, value) in zip(files, runner.detect(files), strict=True):
            (detected.append(value) if status == "ok" else skipped.append((path.name, value)))
        batch = _batch_names(detected)
        jobs = [(found, stage / _output_name(found.path), batch) for found in detected]
        for found, (status, value) in zip(detected, runner.write(jobs), strict=True):
            if status != "ok":
                skipped.append((found.source, value))
                continue
            file_rows.append(value[0])
            span_rows += value[1]
            map_rows += value[2]
        with open(stage / SPANS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            for row in span_rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    map_path = _write_restricted(restricted, map_rows, new_key) if restricted is not None else None
    if restricted is not None:
        _write_run_record(restricted, in_dir, out_dir, deidentifier)
    return DeidResult(
        spans=pd.DataFrame(span_rows, columns=["source", "start", "end", "type"]),
        files=pd.DataFrame(file_rows, columns=["source", "output", "words", "spans"]),
        out_dir=out_dir,
        mode=deidentifier.mode,
        restricted_map=map_path,
        skipped=sorted(skipped),
    )


def _short(exc: PdtkError, path: Path) -> str:
    message = str(exc)
    for prefix in (f"{path}:", f"{path.name}:"):
        if message.startswith(prefix):
            message = message[len(prefix) :].strip()
    return message.split(" Fix:")[0].rstrip(".")


def _check_no_leak(new: str, strings: dict[str, str], source: str, *, surrogates: bool = False) -> None:
    """Refuse to write when a direct identifier found in this document (≥ 4 characters) is still in the output.

    Every such string was looked for everywhere by the consistency pass, so this fires only on a bug — then
    this file is reported and not written, and the others are. With surrogates a made-up name may by chance
    equal a real one elsewhere, so only numbers and e-mail addresses are checked then. One combined pattern
    per chunk keeps this linear in the text."""
    checked = {"FNR", "TELEFON", "EPOST", "ID"} if surrogates else DIRECT_TYPES
    originals = present_strings({s: k for s, k in strings.items() if k in checked and len(s) >= 4}, [new])
    if not originals:
        return
    pattern = re.compile(rf"(?<![\w-])(?:{trie_alternation(originals)})(?![\w-])")
    found = pattern.search(new)
    if found:
        raise DisclosureError(
            f"an original {originals[found.group(0)]} value would remain in the de-identified text",
            file=source,
            fix="report this as a bug; the other files were written",
        )
