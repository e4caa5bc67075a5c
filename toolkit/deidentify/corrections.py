"""A name the speaker corrects at once is the same kind of identifier: "line nei lene", "dr hagen nei hagerup",
"lunde eh lunde", "i ski nei skien", "fredag 13. desember ... nei, torsdag 12."; so is a person's other name
given with "eller" ("rune eller runar").

Speakers (and speech recognisers) often get a name slightly wrong and correct it straight away. One of the two
words is usually found (a first-name list, a place list, the model), the other is a mis-hearing or a rarer form
that no list holds. Found next to a correction word, both name the same thing, so the unfound one takes the
found one's type. Applied once per chunk after composing; the literal check on the correction words keeps it off
most text.
"""

from __future__ import annotations

import re

from toolkit.deidentify.gazetteers import load_gazetteers
from toolkit.deidentify.patterns import _FUNCTION_WORDS
from toolkit.deidentify.spans import Span, merge_spans

_NAME_TYPES = frozenset({"PERSON", "STED", "ORG"})
_WORD = r"[^\W\d_][^\W\d_'-]*(?:-[^\W\d_]+)?"
# "<span> nei <word>", "<span>, eh, <word>", "<span>... nei vent, <word>", "<span> nei det er <word>"
_AFTER = re.compile(
    r"[ \t]*(?:,|\.{2,3}|…)?[ \t]*(?:nei|eh|ehm|æh|unnskyld)(?:[ \t]+vent)?[ \t]*(?:,|\.{2,3}|…)?[ \t]+"
    rf"(?:(?:det|hu|ho|hun|han)[ \t]+(?:er|e|æ|var|va|heter|heiter|het)[ \t]+)?({_WORD})",
    re.IGNORECASE,
)
# "<word> nei <span>": the corrected word just before the correction word
_BEFORE = re.compile(
    rf"(?<![\w-])({_WORD})[ \t]*(?:,|\.{{2,3}}|…)?[ \t]*(?:nei|eh|ehm|æh)[ \t]*(?:,|\.{{2,3}}|…)?[ \t]+$",
    re.IGNORECASE,
)
# a day of the month corrected: "13. desember... nei, torsdag 12."
_DAY_AFTER = re.compile(
    r"[ \t]*(?:,|\.{2,3}|…)?[ \t]*nei[ \t]*,?[ \t]+(?:(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|"
    r"måndag|tysdag|laurdag|sundag)[ \t]+)?(?:den[ \t]+)?((?:0?[1-9]|[12]\d|3[01])\.)(?!\d)",
    re.IGNORECASE,
)
# a person's other name or fuller form: "rune eller runar", "ahmed eller ahmed al-sayed"
_OR_AFTER = re.compile(rf"[ \t]*,?[ \t]+eller[ \t]+(?:bare[ \t]+|berre[ \t]+)?({_WORD})", re.IGNORECASE)
_CUE = re.compile(r"\b(?:nei|eh|ehm|æh|unnskyld|eller)\b", re.IGNORECASE)
_BEFORE_WINDOW = 40
_BLANKS = re.compile(r"[ \t]*")


def corrected(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` plus the words a correction ties to them (same type); unchanged when no correction word occurs."""
    if not _CUE.search(text):
        return spans
    added = [s for span in spans for s in _partners(text, span)]
    return merge_spans([*spans, *added]) if added else spans


def _partners(text: str, span: Span) -> list[Span]:
    """The corrected word before ``span`` and the correcting word after it, when they look like the same name."""
    out: list[Span] = []
    if span.type == "DATO":
        m = _DAY_AFTER.match(text, span.end)
        if m:
            out.append(Span(m.start(1), m.end(1), "DATO", span.score, "correction"))
        return out
    if span.type not in _NAME_TYPES:
        return out
    first, last = _first_word(text[span.start : span.end]), _last_word(text[span.start : span.end])
    m = _AFTER.match(text, span.end)
    repeated = _repeated_tail(text, m.end(1), text[span.start : span.end]) if m else None
    if m and repeated and m.group(1).lower() not in _FUNCTION_WORDS:
        out.append(Span(m.start(1), repeated, span.type, span.score, "correction"))
    elif m and _plausible(m.group(1), last, span.type):
        out.append(Span(m.start(1), m.end(1), span.type, span.score, "correction"))
    elif span.type == "PERSON":
        alt = _OR_AFTER.match(text, span.end)
        if alt and _other_name(alt.group(1), text[span.start : span.end]):
            out.append(Span(alt.start(1), alt.end(1), "PERSON", span.score, "correction"))
    window_start = max(0, span.start - _BEFORE_WINDOW)
    b = _BEFORE.search(text, window_start, span.start)
    if b and _similar(b.group(1), first):
        out.append(Span(b.start(1), b.end(1), span.type, span.score, "correction"))
    return out


def _repeated_tail(text: str, pos: int, found: str) -> int | None:
    """The end of the found name's last word said again after the corrected word ("mjøndalen bygg nei moen
    bygg"): the speaker swapped the first word of one name, so both words name the same kind of thing."""
    words = found.split()
    if len(words) < 2:
        return None
    start = _BLANKS.match(text, pos).end()  # type: ignore[union-attr]
    end = start + len(words[-1])
    if start == pos or text[start:end].lower() != words[-1].lower():
        return None
    return end if end == len(text) or not (text[end].isalnum() or text[end] == "-") else None


def _plausible(word: str, found: str, kind: str) -> bool:
    """The word after a correction names something: not a function word, and spelt like the found name, or a
    capitalised word, or a first name (for a person)."""
    lw = word.lower()
    if lw in _FUNCTION_WORDS or len(lw) < 2:
        return False
    if _similar(word, found) or word[0].isupper():
        return True
    return kind == "PERSON" and lw in load_gazetteers().first_names


def _other_name(word: str, found: str) -> bool:
    """The word after "<name> eller" is the same person's other name: spelt like one of the found name's words
    ("rune eller runar"), or a first name, and no function word ("kari eller noen andre")."""
    lw = word.lower()
    if lw in _FUNCTION_WORDS or len(lw) < 2:
        return False
    return any(_similar(word, w) for w in found.split()) or lw in load_gazetteers().first_names


def _similar(word: str, found: str) -> bool:
    """Two spellings of one name begin alike ("line"/"lene", "hagen"/"hagerup", "ski"/"skien")."""
    a, b = word.lower(), found.lower()
    return len(a) >= 2 and a not in _FUNCTION_WORDS and a[0] == b[:1] and (a[:2] == b[:2] or len(a) == len(b))


def _first_word(s: str) -> str:
    return s.split()[0] if s.split() else s


def _last_word(s: str) -> str:
    return s.split()[-1] if s.split() else s
