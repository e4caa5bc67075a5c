"""Speaker turns (and sentences) of interview transcripts, with character offsets into the source text.

A turn is a paragraph, or a line, that starts with a speaker label and a colon (``I:``, ``U:``,
``Intervjuer:``, ``Deltaker 2:``, ``Kari:`` …); lines without a label continue the turn above. Offsets are
code-point offsets into the text that :func:`toolkit.io.read_transcript` returns (UTF-8, LF), half-open
``[start, end)``, and span the *content* of the turn after the label — the part a human coder would select in
NVivo or ATLAS.ti — so offsets from here, from ``segments.csv`` and from a REFI-QDA export agree.

``turn_index`` counts every turn of a file from 0, interviewer turns included, so a row can always be
found again in the transcript even when only participants' turns are coded.

The turn splitter is hand-written (a regular expression) because transcript conventions are the only thing
it has to know about; a general sentence splitter is not needed for turns. Sentences (the optional finer
unit) are split on end punctuation followed by an upper-case start, which is how Norwegian transcripts are
punctuated; common abbreviations (``f.eks.``, ``bl.a.``, ``osv.``) do not end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.errors import InputDataError
from toolkit.io import list_transcripts, read_transcript

# One to three label words, each starting with an upper-case letter or a digit ("Deltaker 2", "NAV-veileder",
# "Kari"), or a single short lower-case role code ("i", "u"); then a colon and white space or end of line.
_LABEL = re.compile(
    r"^[ \t]*(?P<label>(?:[A-ZÆØÅ0-9][\wÆØÅæøå.\-()]*(?:[ "
    r"\t]+[A-ZÆØÅ0-9(][\wÆØÅæøå.\-()]*){0,2})|[a-zæøå]{1,3})"
    r"[ \t]*:(?:[ \t]+|$)",
    re.MULTILINE,
)
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"»”']))\s+(?=[\"«“(]?[A-ZÆØÅ0-9])")

INTERVIEWER_LABELS = frozenset(
    {
        "i",
        "int",
        "intervjuer",
        "intervjuar",
        "interviewer",
        "forsker",
        "moderator",
        "intervju",
        "spørsmål",
        "q",
    }
)
"""Labels (lower-cased, digits and spaces removed) that mark the interviewer; every other label is a
participant."""

_ABBREVIATIONS = (
    "f.eks.",
    "bl.a.",
    "osv.",
    "dvs.",
    "ca.",
    "nr.",
    "mv.",
    "mfl.",
    "evt.",
    "ev.",
    "jf.",
    "pga.",
    "kl.",
    "t.d.",
)

SEGMENT_COLUMNS = ["source", "turn_index", "speaker", "role", "start", "end", "text"]


def speaker_role(label: str) -> str:
    """``interviewer`` for interviewer labels (``I``, ``Intervjuer`` …), else ``participant``."""
    key = re.sub(r"[\d\s.()]+", "", label).lower()
    return "interviewer" if key in INTERVIEWER_LABELS else "participant"


def split_turns(text: str, source: str = "") -> pd.DataFrame:
    """Split one transcript's text into speaker turns.

    Returns one row per turn with ``source, turn_index, speaker, role, start, end, text``; ``text`` is
    ``source_text[start:end]``. Text before the first label (a title, a header) is not a turn. A file without
    any label is read as unlabelled paragraphs, each one turn with an empty speaker.
    """
    return _segment_frame(turn_columns(text, source))


def offset_spans(value: object) -> list[tuple[int, int, str]]:
    """Offsets into a transcript as ``actors.csv`` writes them — ``"12-15;40-47:+"`` (mentions ``start-end``,
    tone evidence ``start-end:+`` or ``:-``) — as ``[(12, 15, ""), (40, 47, "+")]``; empty or missing:
    ``[]``."""
    if not isinstance(value, str):
        return []
    spans = []
    for item in filter(None, value.split(";")):
        offsets, _, sign = item.partition(":")
        start, end = offsets.split("-")
        spans.append((int(start), int(end), sign))
    return spans


def turn_columns(text: str, source: str = "") -> dict[str, list]:
    """:func:`split_turns` as lists, one per column (``SEGMENT_COLUMNS``), without building the table.

    For readers that walk the turns one by one (the actor extraction reads every transcript's turns and
    sentences so): building pandas' text columns only to read them back was a tenth of that work.
    """
    labels = list(_LABEL.finditer(text))
    spans: list[tuple[str, int, int]] = []
    if labels:
        for i, match in enumerate(labels):
            content_end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
            spans.append((match.group("label").strip(), match.end(), content_end))
    else:
        for para in re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", text):
            spans.append(("", para.start(), para.end()))
    roles = {speaker: speaker_role(speaker) if speaker else "participant" for speaker, _, _ in spans}
    columns: dict[str, list] = {name: [] for name in ("speaker", "role", "start", "end", "text")}
    for speaker, start, end in spans:
        start, end = _strip_span(text, start, end)
        for name, value in zip(columns, (speaker, roles[speaker], start, end, text[start:end]), strict=True):
            columns[name].append(value)
    return {"source": [source] * len(spans), "turn_index": list(range(len(spans))), **columns}


def split_sentences(turns: pd.DataFrame) -> pd.DataFrame:
    """Split turns into sentences; each keeps its turn's ``turn_index`` and gets a ``sentence_index``."""
    columns = sentence_columns({c: turns[c].tolist() for c in SEGMENT_COLUMNS if c != "end"})
    return _segment_frame(columns, [*SEGMENT_COLUMNS, "sentence_index"])


def sentence_columns(turns: Mapping[str, list]) -> dict[str, list]:
    """:func:`split_sentences` on turns given as column lists (:func:`turn_columns`), as column lists."""
    carried = {c: turns[c] for c in SEGMENT_COLUMNS if c not in ("start", "end", "text")}
    columns: dict[str, list] = {c: [] for c in [*carried, "start", "end", "text", "sentence_index"]}
    for row, (turn_start, text) in enumerate(zip(turns["start"], turns["text"], strict=True)):
        bounds = _sentence_bounds(text)
        for name, values in carried.items():
            columns[name].extend([values[row]] * len(bounds))
        for s_index, (first, last) in enumerate(bounds):
            start, end = _strip_span(text, first, last)
            columns["start"].append(turn_start + start)
            columns["end"].append(turn_start + end)
            columns["text"].append(text[start:end])
            columns["sentence_index"].append(s_index)
    return columns


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    """``(first, last)`` character bounds of each sentence of ``text`` (before stripping white space)."""
    bounds, begin = [], 0
    for gap in _SENTENCE_END.finditer(text):
        if text[begin : gap.start()].lower().endswith(_ABBREVIATIONS):
            continue  # "f.eks. Kari" does not end a sentence
        bounds.append((begin, gap.start()))
        begin = gap.end()
    bounds.append((begin, len(text)))
    return bounds


_INT_COLUMNS = ("turn_index", "start", "end", "sentence_index")


def _segment_frame(columns: dict[str, list], order: list[str] | None = None) -> pd.DataFrame:
    """A segment table from column lists: offsets and indices as int64, text columns as pandas' text type.

    Built column by column (not from one dict per row) because transcripts have tens of thousands of turns
    and three readers split each of them; an empty table keeps the columns and dtypes of a full one.
    """
    order = order or SEGMENT_COLUMNS
    if not columns["start"]:
        frame = pd.DataFrame(columns=order)
        return frame.astype({c: "int64" for c in _INT_COLUMNS if c in order})
    data = {c: np.asarray(columns[c], dtype=np.int64) if c in _INT_COLUMNS else columns[c] for c in order}
    return pd.DataFrame(data, columns=order)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def read_segments(paths: Path | list[Path], *, unit: str = "turn") -> tuple[pd.DataFrame, dict[str, str]]:
    """Read transcripts (a folder or a list of files) into segments; also return ``{source: text}``.

    ``source`` is the file name, as in ``segments.csv``. ``unit`` is ``turn`` or ``sentence``.
    """
    if unit not in {"turn", "sentence"}:
        raise InputDataError(f"unknown coding unit '{unit}'", fix="use 'turn' or 'sentence'")
    files = list_transcripts(paths) if isinstance(paths, Path | str) else [Path(p) for p in paths]
    if not files:
        raise InputDataError(
            "no transcripts (.txt, .docx, .vtt) in the folder", file=paths, fix="check the folder"
        )
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise InputDataError("two transcripts have the same file name", fix="rename one of them")
    texts: dict[str, str] = {}
    frames = []
    for path in files:
        text = read_transcript(path)
        texts[path.name] = text
        frames.append(split_turns(text, path.name))
    turns = pd.concat(frames, ignore_index=True)
    return (split_sentences(turns) if unit == "sentence" else turns), texts
