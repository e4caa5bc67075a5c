"""Fødselsnumre found in a digit stream, whatever the grouping, the words or the hesitations.

People read a fødselsnummer out in every shape: digits in odd groups ("190 299 292 81"), digit words in dialect
("tjue null fæmm null fir"), pairs and hundreds ("to hundre og femti, to hundre og sju, …"), with a pause or a
correction inside ("… null to eh vent eg ser ikkje eh åtte tre …"), glued to a label ("f.nr.1108…"), or the date
part and the personal part a turn apart. Each new transcript set showed a shape the recognisers before it did not
know. Rather than a pattern per shape, this recogniser turns the text into a stream of digits — each number token
(a digit group or a number word) with its character offsets — joined over separators and fillers, and looks at
the digits only:

* eleven digits that pass both mod-11 control digits (fødselsnummer or D-nummer) are one whatever the grouping:
  a random eleven-digit stretch passes with a chance of about one in 121, and must also open with a birth date;
* eleven digits that fail the check digits count only after a fødselsnummer cue (a typo'd or misheard number);
* six digits that read as a birth date and, within a turn or two, five digits that make a valid number with them
  are both masked (each part alone still narrows down who it is).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from stdnum.no import fodselsnummer

from toolkit.deidentify.patterns import (
    AMOUNT_UNITS,
    FNR_CUE,
    plausible_fnr_date,
    trie_alternation,
)
from toolkit.deidentify.spans import Span

# the digit each word stands for, Bokmål, Nynorsk and dialect forms (Trøndersk "fæmm", "fir"; western "tri")
_UNIT_WORDS = {
    "null": 0, "nul": 0, "nøll": 0, "nulle": 0,
    "en": 1, "ein": 1, "ett": 1, "eitt": 1, "éin": 1, "én": 1,
    "to": 2, "tå": 2, "tvo": 2,
    "tre": 3, "tri": 3,
    "fire": 4, "fir": 4, "fira": 4, "firre": 4,
    "fem": 5, "fæm": 5, "fæmm": 5, "femm": 5,
    "seks": 6, "sæks": 6, "sekks": 6,
    "sju": 7, "syv": 7, "sjau": 7, "sjuu": 7,
    "åtte": 8, "åtta": 8, "ått": 8,
    "ni": 9, "nie": 9, "ni'e": 9,
}  # fmt: skip
_TEEN_WORDS = {
    "ti": 10, "elleve": 11, "ellve": 11, "elve": 11, "tolv": 12, "tretten": 13, "trettan": 13, "trættan": 13,
    "fjorten": 14, "fjortan": 14, "femten": 15, "femtan": 15, "fæmten": 15, "fæmtan": 15, "seksten": 16,
    "sekstan": 16, "sæksten": 16, "sytten": 17, "syttan": 17, "søtten": 17, "søttan": 17, "atten": 18,
    "attan": 18, "nitten": 19, "nittan": 19,
}  # fmt: skip
_TENS_WORDS = {
    "tjue": 2, "tju": 2, "kjue": 2, "tyve": 2, "tretti": 3, "tredve": 3, "trædve": 3, "førti": 4, "førr": 4,
    "femti": 5, "fæmti": 5, "seksti": 6, "sæksti": 6, "sytti": 7, "søtti": 7, "åtti": 8, "nitti": 9,
}  # fmt: skip
# unit words that end a tens word ("tjuefire", "åttifem", "trettien")
_TENS_UNITS = {w: v for w, v in _UNIT_WORDS.items() if v and w not in ("tå", "tvo", "ni'e")}


@functools.lru_cache(maxsize=1)
def _word_values() -> dict[str, str]:
    """Every number word with the digits it stands for: units, teens, tens, tens with a unit ("tjuefire" → 24),
    the old count ("fireogtjue" → 24) and a zero run together with a digit ("nullåtte" → 08)."""
    values = {w: str(v) for w, v in _UNIT_WORDS.items()} | {w: str(v) for w, v in _TEEN_WORDS.items()}
    for tens, t in _TENS_WORDS.items():
        values[tens] = f"{t}0"
        for unit, u in _TENS_UNITS.items():
            values[tens + unit] = f"{t}{u}"
            values[unit + "og" + tens] = f"{t}{u}"
    for unit, u in _UNIT_WORDS.items():
        if u:
            values["null" + unit] = f"0{u}"
    return values


@functools.lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern[str]:
    """Digit groups anywhere (also glued to a label: "f.nr.1108…", "Søknad_0710…") and whole number words."""
    words = trie_alternation([*_word_values(), "hundre", "hundrede"])
    return re.compile(rf"\d+|\b(?:{words})\b", re.IGNORECASE)


# what may stand between two pieces of one number: separators, "og", hesitations and corrections
_FILLER_WORDS = (
    "og", "så", "eh", "ehh", "ehm", "æh", "æhm", "øh", "øhm", "hm", "hmm", "altså", "da", "resten", "er", "e",
    "det", "kommer", "nei", "vent", "vänta", "unnskyld", "sorry", "liksom", "ja", "komma", "strek", "bindestrek",
    "skråstrek", "punktum",
)  # fmt: skip
_SEPARATORS = r"[\s,.:;/_*()–—…'\"-]"
_GAP = re.compile(rf"^{_SEPARATORS}*(?:(?:{'|'.join(_FILLER_WORDS)}){_SEPARATORS}+)*$", re.IGNORECASE)
# a hesitation that may carry a few other words with it ("eh vent eg ser ikkje eh"): the check digits decide
_HESITATION = re.compile(r"\b(?:eh|ehm|æh|øh|hm|vent|nei|unnskyld|sorry)\b", re.IGNORECASE)
_LONG_GAP = re.compile(rf"^(?:{_SEPARATORS}*[^\W\d]+){{1,7}}{_SEPARATORS}*$")

Piece = tuple[str, int, int]  # the digits, start, end


def _pieces(text: str) -> list[Piece]:
    """Number tokens in order, with "X hundre og Y" read as three digits ("to hundre og sju" → 207)."""
    values = _word_values()
    pieces: list[Piece] = []
    for m in _token_pattern().finditer(text):
        token = m.group(0).lower()
        if token.startswith("hundre"):
            pieces = _hundreds(pieces, m.start(), m.end(), text)
            continue
        pieces.append((token if token.isdigit() else values[token], m.start(), m.end()))
    return pieces


def _hundreds(pieces: list[Piece], start: int, end: int, text: str) -> list[Piece]:
    """Fold "hundre" into the unit before it (or one hundred alone); the tens after it are added when read."""
    head = pieces[-1] if pieces and len(pieces[-1][0]) == 1 and not text[pieces[-1][1]].isdigit() else None
    if head and _GAP.match(text[head[2] : start]) and text[head[2] : start].strip() == "":
        return [*pieces[:-1], (f"{head[0]}00", head[1], end)]
    return [*pieces, ("100", start, end)]


def _merge_hundreds(text: str, pieces: list[Piece]) -> list[Piece]:
    """ "to hundre og femti" → 250: a two-digit or one-digit piece after "N00 og" fills the hundred."""
    merged: list[Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if (
            last
            and len(last[0]) == 3
            and last[0].endswith("00")
            and not text[last[1]].isdigit()
            and not text[piece[1]].isdigit()
            and len(piece[0]) <= 2
            and re.fullmatch(r"\s+og\s+|\s+", text[last[2] : piece[1]])
        ):
            merged[-1] = (f"{int(last[0]) + int(piece[0]):03d}", last[1], piece[2])
            continue
        merged.append(piece)
    return merged


def _joined(text: str, left: Piece, right: Piece) -> bool:
    """Two pieces belong to one number read out: only separators and fillers between them, or a hesitation
    with a few words in one line ("eh vent eg ser ikkje eh")."""
    gap = text[left[2] : right[1]]
    if len(gap) > 60 or "\n" in gap:
        return False
    if _GAP.match(gap):
        return True
    return _HESITATION.search(gap) is not None and _LONG_GAP.match(gap) is not None


def _sequences(text: str, pieces: list[Piece]) -> Iterator[list[Piece]]:
    """Maximal runs of joined pieces."""
    run: list[Piece] = []
    for piece in pieces:
        if run and not _joined(text, run[-1], piece):
            yield run
            run = []
        run.append(piece)
    if run:
        yield run


def _windows(run: list[Piece], size: int) -> Iterator[tuple[int, int, str]]:
    """Stretches of whole pieces whose digits number exactly ``size``: (first index, last index, digits)."""
    for i in range(len(run)):
        digits = ""
        for j in range(i, len(run)):
            digits += run[j][0]
            if len(digits) >= size:
                if len(digits) == size:
                    yield i, j, digits
                break


# a word for another kind of number between the cue and the digits: they are that number ("så fødselsnummer, så
# kontonummer i DNB, 1207 …")
_OTHER_NUMBER = re.compile(
    r"konto|telefon|mobil|tlf|org\.?\s*n|(?<!føds)(?<!fødsels)(?<!person)(?<!d-)(?<!d )nummer(?!et mitt)",
    re.IGNORECASE,
)
_CORRECTION = re.compile(r"\b(?:nei|vent|unnskyld|sorry|feil|trur|tror)\b", re.IGNORECASE)


def _cued(text: str, start: int) -> bool:
    """A fødselsnummer cue in the 60 characters before, with no other kind of number named after it."""
    cues = list(FNR_CUE.finditer(text, max(0, start - 60), start))
    return bool(cues) and not _OTHER_NUMBER.search(text, cues[-1].end(), start)


def _uncorrected(text: str, run: list[Piece], i: int, j: int) -> bool:
    """No correction inside the window ("… nei vent, en fem …"): an unchecked window must not join a number and
    its correction."""
    return _CORRECTION.search(text, run[i][2], run[j][1]) is None


def find_fnr_in_digit_stream(text: str) -> list[Span]:
    """Fødselsnumre and D-numre read in any shape (see the module's docstring)."""
    pieces = _merge_hundreds(text, _pieces(text))
    cued = _cued_parts(text, pieces)
    if sum(len(p[0]) for p in pieces) < 11:
        return _outermost(cued + _masked_tails(text))
    spans: list[Span] = []
    runs = [run for run in _sequences(text, pieces) if len(run) > 1 or len(run[0][0]) >= 6]
    for run in runs:
        for i, j, digits in _windows(run, 11):
            if not plausible_fnr_date(digits):
                continue
            if fodselsnummer.is_valid(digits):
                spans.append(Span(run[i][1], run[j][2], "FNR", 0.9))
            elif i == 0 and _uncorrected(text, run, i, j) and _cued(text, run[i][1]):
                spans.append(Span(run[i][1], run[j][2], "FNR", 0.7))
    return _outermost(spans + cued + _parts_apart(text, runs) + _masked_tails(text))


def _outermost(spans: list[Span]) -> list[Span]:
    """Each span once, without those inside another (the ways above find some parts twice), in text order."""
    unique = sorted({(s.start, s.end): s for s in spans}.values(), key=lambda s: (s.start, -s.end))
    kept: list[Span] = []
    for span in unique:
        if not any(k.start <= span.start and span.end <= k.end for k in kept):
            kept.append(span)
    return kept


# how far after a fødselsnummer cue its parts are still taken to be its parts: a speaker explains where it
# stands, stops to look at a card, is interrupted by the interviewer, then reads on
_CUE_REACH = 300
# a number followed by a unit is an amount, a distance or a time, not the five personal digits
_UNIT_AFTER = re.compile(rf"\s*(?:{AMOUNT_UNITS}|krone|nok\b|mil\b|km\b|meter|måneder|stk\b)", re.IGNORECASE)


def _cued_parts(text: str, pieces: list[Piece]) -> list[Span]:
    """After a fødselsnummer cue, its parts whatever the check digits: within :data:`_CUE_REACH` characters
    (and before another kind of number is named) a group of six digits that reads as a birth date, a group of
    exactly five digits that is not an amount ("det er ikke 45288, det er 45388"; "298 40"; "fire seks tre to
    en" said after looking at the card) and eleven digits that open with a birth date. A group is digits and
    digit words with nothing but spaces between them. Recall first: a person who says their number twice, or
    misremembers it, has said it either way. Beside :func:`toolkit.deidentify.identifiers.find_partial_fnr`'s
    personal parts (five written digits within 80 characters of a personal-part cue or of a whole number), this
    reaches further, reads digit words and takes the date part too; both leave out the same amounts
    (:data:`~toolkit.deidentify.patterns.AMOUNT_UNITS`)."""
    spans: list[Span] = []
    for cue in FNR_CUE.finditer(text):
        other = _OTHER_NUMBER.search(text, cue.end(), cue.end() + _CUE_REACH)
        reach = other.start() if other else cue.end() + _CUE_REACH
        for digits, start, end in _spaced_groups(text, [p for p in pieces if cue.end() <= p[1] < reach]):
            dated = len(digits) in (6, 11) and plausible_fnr_date(digits)
            # "18 000", "16 800": a round sum said without its unit is an amount, not five personal digits
            personal = len(digits) == 5 and not digits.endswith("00") and not _UNIT_AFTER.match(text, end)
            if dated or personal:
                spans.append(Span(start, end, "FNR", 0.6))
    return spans


def _spaced_groups(text: str, pieces: list[Piece]) -> Iterator[tuple[str, int, int]]:
    """Pieces joined by spaces only ("298 40", "fire seks tre to en"): their digits, start and end."""
    group: list[Piece] = []
    for piece in pieces:
        if group and not (
            text[group[-1][2] : piece[1]].isspace() and "\n" not in text[group[-1][2] : piece[1]]
        ):
            yield "".join(p[0] for p in group), group[0][1], group[-1][2]
            group = []
        group.append(piece)
    if group:
        yield "".join(p[0] for p in group), group[0][1], group[-1][2]


# a fødselsnummer as a screen or letter shows it, the personal part hidden ("161002 *****", "161002-xxxxx"):
# the birth date is still there
_MASKED_TAIL = re.compile(r"(?<![\d.,/+-])(\d{6})[ -]?(?:\*{5}|[xX]{5}|•{5})(?![*\w•])")


def _masked_tails(text: str) -> list[Span]:
    """A plausible birth date with its five personal digits masked (see :data:`_MASKED_TAIL`)."""
    if "*****" not in text and "xxxxx" not in text.lower() and "•••••" not in text:
        return []
    return [
        Span(m.start(), m.end(), "FNR", 0.8)
        for m in _MASKED_TAIL.finditer(text)
        if plausible_fnr_date(m.group(1))
    ]


def _parts_apart(text: str, runs: list[list[Piece]]) -> list[Span]:
    """A date part and, within 120 characters after it (over the interviewer's "Ja?"), five digits that make a
    valid number with it: "05 06 09" … "977 23"."""
    spans: list[Span] = []
    for k, run in enumerate(runs):
        for i, j, date in _windows(run, 6):
            if j != len(run) - 1 or not plausible_fnr_date(date):  # the date part ends what was said
                continue
            end = run[j][2]
            for later in runs[k + 1 :]:
                if later[0][1] - end > 120:
                    break
                part = next((w for w in _windows(later, 5) if w[0] == 0), None)
                if part and fodselsnummer.is_valid(date + part[2]):
                    spans += [
                        Span(run[i][1], end, "FNR", 0.8),
                        Span(later[0][1], later[part[1]][2], "FNR", 0.8),
                    ]
                    break
    return spans
