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
from pathlib import Path

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
    labels = list(_LABEL.finditer(text))
    spans: list[tuple[str, int, int]] = []
    if labels:
        for i, match in enumerate(labels):
            content_start = match.end()
            content_end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
            spans.append((match.group("label").strip(), content_start, content_end))
    else:
        for para in re.finditer(r"[^\n](?:.|\n(?!\s*\n))*", text):
            spans.append(("", para.start(), para.end()))
    rows = []
    for index, (speaker, start, end) in enumerate(spans):
        start, end = _strip_span(text, start, end)
        rows.append(
            {
                "source": source,
                "turn_index": index,
                "speaker": speaker,
                "role": speaker_role(speaker) if speaker else "participant",
                "start": start,
                "end": end,
                "text": text[start:end],
            }
        )
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    return frame.astype({"turn_index": "int64", "start": "int64", "end": "int64"})


def split_sentences(turns: pd.DataFrame) -> pd.DataFrame:
    """Split turns into sentences; each keeps its turn's ``turn_index`` and gets a ``sentence_index``."""
    rows = []
    for turn in turns.itertuples(index=False):
        text = turn.text
        bounds, begin = [], 0
        for gap in _SENTENCE_END.finditer(text):
            if text[begin : gap.start()].lower().endswith(_ABBREVIATIONS):
                continue  # "f.eks. Kari" does not end a sentence
            bounds.append((begin, gap.start()))
            begin = gap.end()
        bounds.append((begin, len(text)))
        for s_index, (first, last) in enumerate(bounds):
            start, end = _strip_span(text, first, last)
            row = turn._asdict()
            row.update(
                start=turn.start + start, end=turn.start + end, text=text[start:end], sentence_index=s_index
            )
            rows.append(row)
    frame = pd.DataFrame(rows, columns=[*SEGMENT_COLUMNS, "sentence_index"])
    return frame.astype({"turn_index": "int64", "start": "int64", "end": "int64", "sentence_index": "int64"})


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
