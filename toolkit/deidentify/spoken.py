"""Identifiers said aloud: numbers read out as words or digit groups, and e-mail addresses spelt in words.

Automatic transcription writes what was said: "null fire en to tre fire fem seks", "førtito tjueen trettito",
"kari punktum hansen krøllalfa gmail punktum com". The written-form recognisers cannot see these. Here:

* a **spoken number** is a run of number words and digit groups (separated by spaces, commas or "og") that
  stands for at least :data:`MIN_DIGITS` digits. Its type comes from a cue before it (telefon/mobil/nummeret →
  TELEFON; fødselsnummer/personnummer → FNR; sak/saksnummer/referanse/kundenummer … → ID) or else from its
  length (11 digits → FNR, 8 → TELEFON, otherwise ID). Counts, sums and years said in words are shorter than
  six digits and are left alone;
* a **spoken e-mail** is ``word (punktum|prikk|dot|strek word)* krøllalfa word (punktum word)+``.
"""

from __future__ import annotations

import re

from toolkit.deidentify.patterns import (
    _FUNCTION_WORDS,
    _STREET_PREFIX_WORDS,
    FNR_CUE_WORDS,
    _sentence_start,
    plausible_fnr_date,
)
from toolkit.deidentify.spans import Span

MIN_DIGITS = 6
_DIGIT_WORDS = {
    "null": 1, "en": 1, "ein": 1, "ett": 1, "eitt": 1, "to": 1, "tre": 1, "fire": 1, "fem": 1, "seks": 1,
    "sju": 1, "syv": 1, "åtte": 1, "ni": 1, "nie": 1,
    "ti": 2, "elleve": 2, "tolv": 2, "tretten": 2, "fjorten": 2, "femten": 2, "seksten": 2, "sytten": 2,
    "søtten": 2, "atten": 2, "nitten": 2,
    # English digits: young people who grew up abroad read numbers in English ("four-one, six-six, …")
    "zero": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1, "six": 1, "seven": 1, "eight": 1, "nine": 1,
}  # fmt: skip
_TENS = ("tjue", "tretti", "førti", "femti", "seksti", "sytti", "søtti", "åtti", "nitti")
_UNITS_AFTER_TENS = ("en", "ein", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni")
_TENS_WORDS = {t + u: 2 for t in _TENS for u in ("", *_UNITS_AFTER_TENS)}
# the old way of counting, still said by older people and in dialect: "åtteogførti", "enogtjue"
_OLD_TENS_WORDS = {u + "og" + t: 2 for t in _TENS for u in _UNITS_AFTER_TENS}
# a leading zero run together with the next digit ("nullåtte", "nullfire"), as speech recognition writes it
_ZERO_WORDS = {
    "null" + u: 2 for u in ("en", "ein", "to", "tre", "fire", "fem", "seks", "sju", "syv", "åtte", "ni")
}
_NUMBER_WORDS = _DIGIT_WORDS | _TENS_WORDS | _OLD_TENS_WORDS | _ZERO_WORDS | {"hundre": 3, "tusen": 4}
_AMBIGUOUS = frozenset(
    {"en", "ein", "ett", "eitt", "to", "ti", "ni", "fire", "one", "two", "three"}
)  # also ordinary words, or counting
_TOKEN = re.compile(r"\d+|[a-zæøå]+", re.IGNORECASE)
# hesitation between digit groups ("ni ni eh ni fire", "412 ... 34"): the number goes on
# (and as typed: "4 8 2 – æhh – 1 1 9", with dashes and a dialect's "æh")
_FILLERS = ("eh", "ehh", "ehm", "øh", "øhh", "øhm", "æh", "æhh", "æhm", "hm", "hmm")
_SEPARATOR = re.compile(
    r"^(?:[\s,./–—-]*|\s+(?:og|skråstrek|skrå|strek|bindestrek|komma|punktum)\s+|[\s,.–—-]+(?:"
    + "|".join(_FILLERS)
    + r")[\s,.–—-]+)$",
    re.IGNORECASE,
)
_JOINERS = frozenset({"og", "skråstrek", "skrå", "strek", "bindestrek", "komma", "punktum", *_FILLERS})
_AMOUNTS = frozenset({"hundre", "tusen"})  # "tolv tusen", "to hundre": a quantity, not a number read out

_CUES = (
    (
        "FNR",
        re.compile(
            rf"{FNR_CUE_WORDS}|fødselsdato\w*|"
            # a whole fødselsnummer just before: what follows corrects or repeats a part of it
            r"(?<![\d.,])\d{6}[ -]?\d{5}(?!\d)|"
            # the personal part asked for on its own ("og de fem siste?"), maybe in the interviewer's turn
            r"\b(?:de|dei|dæm|dem|di)\s+(?:fem|5)\s+(?:siste|sifrene)|\bsiste\s+(?:fem|5)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "ID",
        re.compile(
            r"(?:sak|saks|referanse|ref|journal|kunde|klient|elev|student|kandidat|ansatt|medlem|"
            r"organisasjons|org|konto|bruker|pasient|skilt|registrerings|kontrakt|vedtak|søknad)\w*|"
            # any other compound of "nummer" names a kind of ID ("kontraktnummeret", "lånenummer")
            r"\b(?!telefon|mobil|tlf|tele)[a-zæøå]{3,}(?:nummer|nr)",
            re.IGNORECASE,
        ),
    ),
    ("TELEFON", re.compile(r"(?:telefon|tlf|mobil|nummer|nummeret|ring|ringe|sms)\w*", re.IGNORECASE)),
)

_SPELLED_DOT = r"(?:punktum|prikk|dot|punkt)"
# "minus" and "dash" are how some say the hyphen of a domain ("sykehuset minus innlandet punktum no"); they
# only join inside a match that already has a spoken at-sign, so ordinary arithmetic is untouched
_SPELLED_JOIN = rf"(?:{_SPELLED_DOT}|strek|bindestrek|minus|dash|understrek|underscore|understrekning)"
_SPELLED_AT = r"(?:krøll[ -]?alfa(?:tegn)?|alfa[ -]?krøll|krølla|snabel[ -]?a|at[ -]tegn(?:et)?)"
_MAIL_WORD = r"[\wæøå][\wæøå-]*"
# top-level domains that make a bare "at" ("kari at gmail dot com") an at-sign: "at" is also a Norwegian word
_TLD = r"(?:com|no|net|org|se|dk|fi|nu|info|io|eu|de|uk|me|biz|edu)"
_PROVIDERS = r"(?:gmail|hotmail|outlook|yahoo|icloud|live|online|msn|protonmail|proton)"


def _number_word_pattern() -> str:
    """Number words said inside an e-mail's local part ("farah to tusen fire"): the modern forms only, which keeps
    the alternation (tried at every word of every text) short."""
    words = sorted(_DIGIT_WORDS | _TENS_WORDS | {"hundre": 3, "tusen": 4}, key=len, reverse=True)
    return "|".join(words)


# local part: words joined by spelt separators, digits or number words said after a word ("farah to tusen
# fire"); then the at-sign said as a word; then the domain with spelt dots
_LOCAL_PART = (
    rf"\b{_MAIL_WORD}(?:\s+{_SPELLED_JOIN}\s+{_MAIL_WORD}|\s+(?:\d+|{_number_word_pattern()})(?![\wæøå]))*"
)
_SPOKEN_EMAIL = re.compile(
    rf"{_LOCAL_PART}\s+(?:{_SPELLED_AT}\s+{_MAIL_WORD}(?:\s+{_SPELLED_JOIN}\s+{_MAIL_WORD})*"
    rf"\s+{_SPELLED_DOT}\s+{_MAIL_WORD}|"
    # a domain of two words said without their hyphen or join ("krøllalfa drammen eiendom punktum no"): only
    # before a top-level domain
    rf"{_SPELLED_AT}\s+{_MAIL_WORD}\s+{_MAIL_WORD}\s+{_SPELLED_DOT}\s+{_TLD}|"
    rf"(?:at|æt)\s+{_MAIL_WORD}(?:\s+{_SPELLED_DOT}\s+{_MAIL_WORD})*\s+{_SPELLED_DOT}\s+{_TLD}|"
    # a bare "at" before a well-known mail provider, the rest left unsaid ("stinemarie at hotmail")
    rf"(?:at|æt)\s+{_PROVIDERS})(?![\wæøå])",
    re.IGNORECASE,
)


_HUNDREDS = re.compile(r"^(?:en|ett|ein|eitt|to|tre|fire|fem|seks|sju|syv|åtte|ni)?hundre(?:og)?([a-zæøå]*)$")


def _digits(token: str) -> int:
    if token.isdigit():
        return len(token)
    low = token.lower()
    hundreds = _HUNDREDS.match(low)
    if hundreds and (not hundreds.group(1) or hundreds.group(1) in _NUMBER_WORDS):
        return 3  # "hundreogtolv", "tohundreogfem": a house number said as one word
    return _NUMBER_WORDS.get(low, 0)


def _runs(text: str) -> list[tuple[int, int, int, int]]:
    """Runs of number tokens: (start, end, digits, number of tokens)."""
    runs: list[tuple[int, int, int, int]] = []
    current: list[tuple[int, int, int]] = []
    for m in _TOKEN.finditer(text):
        if current and m.group(0).lower() in _JOINERS:
            continue  # "tjuefire skråstrek null null", "hundre og fem": the run goes on
        digits = _digits(m.group(0))
        joined = current and _SEPARATOR.match(text[current[-1][1] : m.start()])
        if digits and (not current or joined):
            current.append((m.start(), m.end(), digits))
            continue
        if current:
            runs.append(_close(current))
        current = [(m.start(), m.end(), digits)] if digits else []
    if current:
        runs.append(_close(current))
    return runs


def _close(tokens: list[tuple[int, int, int]]) -> tuple[int, int, int, int]:
    return tokens[0][0], tokens[-1][1], sum(t[2] for t in tokens), len(tokens)


def _cue(text: str, start: int) -> str | None:
    before = text[max(0, start - 60) : start]
    for kind, cue in _CUES:
        if cue.search(before):
            return kind
    return None


def _kind(text: str, start: int, digits: int) -> str:
    """The cue's type, or the type the length gives; a "nummer" cue before fewer than eight digits names some
    other number ("henvisning nummer v v åtte fire null null to"): no Norwegian phone number is that short."""
    kind = _cue(text, start) or {11: "FNR", 8: "TELEFON"}.get(digits, "ID")
    return "ID" if kind == "TELEFON" and digits < 8 else kind


def find_spoken_numbers(text: str) -> list[Span]:
    """Identifiers read out as number words or digit groups (≥ 6 digits, at least two tokens)."""
    runs = _runs(text)
    spans = _split_spoken_fnr(text, runs)
    restarts = _restarts(text, runs)
    for k, (start, end, digits, n_tokens) in enumerate(runs):
        first = len(spans)
        spans += _spoken_number(
            text, start, end, digits, n_tokens, runs[restarts[k]][0] if k in restarts else start
        )
        if k in restarts and len(spans) > first:  # the broken-off first try is the same number: mask it too
            spans.append(Span(runs[restarts[k]][0], runs[restarts[k]][1], spans[-1].type, 0.7))
    return spans


# a speaker who breaks off a number and reads it again ("fire åtte fem nei vent je må begynne på nytt fire åtte
# fem to åtte"): the words between the tries
_RESTART = re.compile(r"\b(?:nei|vent|unnskyld|sorry|feil|nytt|igjen)\b", re.IGNORECASE)


def _restarts(text: str, runs: list[tuple[int, int, int, int]]) -> dict[int, int]:
    """Runs that read again a number broken off just before (same first digits, a correction between, one
    line): {index of the new try: index of the broken-off one}. The new try keeps the cue the first one had."""
    found: dict[int, int] = {}
    for k in range(1, len(runs)):
        gap = text[runs[k - 1][1] : runs[k][0]]
        if len(gap) > 60 or "\n" in gap or not _RESTART.search(gap):
            continue
        before = [_value(t) for t in _TOKEN.findall(text[runs[k - 1][0] : runs[k - 1][1]])]
        after = [_value(t) for t in _TOKEN.findall(text[runs[k][0] : runs[k][1]])]
        if None not in before and len(after) > len(before) and after[: len(before)] == before:
            found[k] = k - 1
    return found


def _spoken_number(text: str, start: int, end: int, digits: int, n_tokens: int, cue_at: int) -> list[Span]:
    """The span for one run of number tokens, if it reads as an identifier; its cue is looked for before
    ``cue_at`` (the run's start, or the start of a first try it reads again)."""
    cued = _cue(text, cue_at) is not None
    spelt = _spelt_prefix(text, start, cued)
    short_ok = _cued_code(text, start)
    if (digits < MIN_DIGITS - cued - spelt and not (short_ok and digits >= 3)) or n_tokens < 2:
        return []  # a cue ("skilt", "saksnummer") lets five digits count: licence plates have five
    words = [w.lower() for w in _TOKEN.findall(text[start:end])]
    if all(w.isdigit() for w in words) and not ((cued or digits in (8, 11)) and _digit_by_digit(words)):
        return []  # digits alone are the written recognisers' job, unless read out one by one: after a cue,
        # or eight (a phone number) or eleven (a fødselsnummer) of them
    if all(w in _AMBIGUOUS for w in words) or _counted_up(words):
        return []  # "en to tre", "one two three four five six" counted up
    if _AMOUNTS.intersection(words) and not (_read_as_reference(text, start, end) or spelt or short_ok):
        return []  # "tjue tusen" kroner: not an identifier; "v b s tusen og tolv" after a cue is one
    plus = _PLUS.search(text, max(0, start - 8), start)
    if plus:  # "pluss førtiseks sju tre …": a country code said aloud, so a phone number with its "pluss"
        return [Span(plus.start(), end, "TELEFON", 0.75)]
    kind = _kind(text, cue_at, digits)
    return [Span(_prefix_start(text, start) if kind == "ID" else start, end, kind, 0.7)]


# a pause between the birth date and the personal part of a fødselsnummer read aloud ("en fire null tre null
# seks og så en null null sju seks", "… eh, resten er …")
_FNR_PAUSE = re.compile(
    r"^[\s,.…–-]*(?:(?:og|så|eh|ehm|æh|øh|altså|da|resten|er|det|kommer|nei|vent)[\s,.…–-]+){1,4}$",
    re.IGNORECASE,
)
_DIGITS_IN_ORDER = ("null", "en", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni")
_DIGIT_VALUES = {w: str(i) for i, w in enumerate(_DIGITS_IN_ORDER)} | {
    "ein": "1", "ett": "1", "eitt": "1", "syv": "7", "nie": "9", "ti": "10", "elleve": "11", "tolv": "12",
    "tretten": "13", "fjorten": "14", "femten": "15", "seksten": "16", "sytten": "17", "søtten": "17",
    "atten": "18", "nitten": "19", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip


def _value(token: str) -> str | None:
    """The digits a number token stands for ("tjuefire" → "24", "nullåtte" → "08", "731" → "731"); None for
    "hundre", "tusen" and words no digit reading has."""
    low = token.lower()
    if low.isdigit():
        return low
    if low in _DIGIT_VALUES:
        return _DIGIT_VALUES[low]
    if low.startswith("null") and low[4:] in _DIGIT_VALUES:
        return "0" + _DIGIT_VALUES[low[4:]]
    for tens, tens_value in _TENS_VALUES.items():
        rest = low[len(tens) :] if low.startswith(tens) else None
        if rest is not None and (rest == "" or rest in _UNITS_AFTER_TENS):
            return f"{tens_value}{_DIGIT_VALUES[rest] if rest else '0'}"  # "tjuefire", "tretti"
        unit = low[: -len(tens) - 2] if low.endswith("og" + tens) else None
        if unit in _UNITS_AFTER_TENS:
            return f"{tens_value}{_DIGIT_VALUES[unit]}"  # the old count: "enogtjue"
    return None


_TENS_VALUES = dict(zip(_TENS, (2, 3, 4, 5, 6, 7, 7, 8, 9), strict=True))


def _split_spoken_fnr(text: str, runs: list[tuple[int, int, int, int]]) -> list[Span]:
    """A fødselsnummer read aloud as date and personal part with a pause between, which the pause cuts into
    two runs: the two runs are one when their six and five digits pass the check digits, cue or none."""
    from stdnum.no import fodselsnummer

    spans = []
    for (start, end, digits, _), (start2, end2, digits2, _) in zip(runs, runs[1:], strict=False):
        if digits != 6 or digits2 != 5 or not _FNR_PAUSE.match(text[end:start2]):
            continue
        values = [_value(t) for t in _TOKEN.findall(text[start:end] + " " + text[start2:end2])]
        if None not in values and fodselsnummer.is_valid("".join(values)):  # type: ignore[arg-type]
            spans.append(Span(start, end2, "FNR", 0.85))
    return spans + _personal_part_after_date(text, runs)


def _personal_part_after_date(text: str, runs: list[tuple[int, int, int, int]]) -> list[Span]:
    """A birth date read as six digits, a pause, then four or five digits said as words ("tolv null ni seksti
    tre, og så nittito førtito"): the personal part, even misremembered so that the check digits fail. Only
    after six digits that read as a date (day, month) and only words on both sides: a pause word alone
    between two numbers joined ordinary counts and cost precision before."""
    spans = []
    for (start, end, digits, _), (start2, end2, digits2, n2) in zip(runs, runs[1:], strict=False):
        if digits not in (6, 7) or digits2 not in (4, 5) or n2 < 2 or not _FNR_PAUSE.match(text[end:start2]):
            continue
        first = _read_digits(_TOKEN.findall(text[start:end]))
        second = _TOKEN.findall(text[start2:end2])
        if first is None or any(t.isdigit() for t in second) or not _opens_fnr(first):
            continue
        spans.append(Span(start2, end2, "FNR", 0.6))
    return spans


def _opens_fnr(digits: str) -> bool:
    """Six digits that open a fødselsnummer (:func:`~toolkit.deidentify.patterns.plausible_fnr_date`)."""
    return len(digits) == 6 and digits.isdigit() and plausible_fnr_date(digits)


def _read_digits(tokens: list[str]) -> str | None:
    """The digits number words stand for, a tens word and a unit after it read as one ("seksti tre" → "63")."""
    values = [_value(t) for t in tokens]
    if None in values:
        return None
    out: list[str] = []
    for value in values:
        if out and len(value) == 1 and value != "0" and len(out[-1]) == 2 and out[-1].endswith("0"):  # type: ignore[arg-type]
            out[-1] = out[-1][0] + value  # type: ignore[operator]
        else:
            out.append(value)  # type: ignore[arg-type]
    return "".join(out)


# the spoken plus of an international number, right before its first number word
_PLUS = re.compile(r"\b(?:pluss|plus)\s+$", re.IGNORECASE)


def _counted_up(words: list[str]) -> bool:
    """Each word one more than the one before ("fire fem seks sju åtte ni"): counting, not a number read out."""
    values = [_value(w) for w in words]
    if None in values or any(len(v) != 1 for v in values):  # type: ignore[arg-type]
        return False
    return all(int(b) == int(a) + 1 for a, b in zip(values, values[1:], strict=False))  # type: ignore[arg-type]


def _digit_by_digit(words: list[str]) -> bool:
    """Most tokens a single digit ("9 6 5 ... 4 4 ... 1 2 0 8"): a number dictated, which no written form has."""
    return sum(len(w) == 1 for w in words) >= max(6, len(words) - 2)


def _read_as_reference(text: str, start: int, end: int) -> bool:
    """A number with "hundre"/"tusen" is an identifier only when read with a slash after an ID cue
    ("saksnummer tjueto skråstrek fire tusen fem hundre og tolv"), never a sum."""
    return (
        _cue(text, start) in ("ID", "FNR") and re.search(r"\bskrå(?:strek)?\b", text[start:end]) is not None
    )


# a kind of number named just before letters spelt out ("løyvenummer b fire fem sju", "kontraktnummeret er v b s
# tusen og tolv"): the letters say it is a code, so even three digits are one; "e", "i", "å" alone are words
_NUMBER_THEN_LETTERS = re.compile(
    r"\b(?:(?!telefon|mobil|tlf|tele)[a-zæøå]{3,}(?:nummer|nummeret|nr)|referansen|referanse)"
    r"\s+(?:(?:er|e|var|va)\s+)?"
    r"((?:[a-zæøå]\s+){1,4})$",
    re.IGNORECASE,
)


def _cued_code(text: str, start: int) -> bool:
    """Letters spelt just after a word for a kind of number (see :data:`_NUMBER_THEN_LETTERS`)."""
    m = _NUMBER_THEN_LETTERS.search(text, max(0, start - 40), start)
    return m is not None and m.group(1).split() not in (["e"], ["i"], ["å"], ["a"], ["o"])


_PREFIX = re.compile(r"(?:\b[a-zæøå]{1,3}\s+){1,2}$", re.IGNORECASE)


_LETTERS = re.compile(r"(?:\b[a-zæøå]\s+){2,4}$", re.IGNORECASE)


def _spelt_prefix(text: str, start: int, cued: bool) -> bool:
    """After a cue, letters spelt one by one before the digits ("referanse u g sju sju fem to") make even four
    digits a reference: no count or sum is said with letters in front."""
    return cued and _LETTERS.search(text, max(0, start - 10), start) is not None


def _prefix_start(text: str, start: int) -> int:
    """Include a spoken letter prefix of an ID ("el førtiåtte …", "b v to null …", "bup fem åtte …", "d p s …")."""
    spelt = _LETTERS.search(text, max(0, start - 10), start)
    if spelt:
        return (
            spelt.start()
        )  # letters spelt one by one: "b v n tjueein …", even when one is also a word ("e")
    m = _PREFIX.search(text, max(0, start - 12), start)
    if not m:
        return start
    words = m.group(0).split()
    while words and words[0].lower() in _FUNCTION_WORDS:
        words.pop(0)
    if not words or any(w.lower() in _FUNCTION_WORDS for w in words):
        return start
    return start - len(" ".join(words)) - (len(m.group(0)) - len(m.group(0).rstrip()))


_WORD_BEFORE = re.compile(r"([\wæøå.]+)\s+$")


def _with_street_title(text: str, begin: int) -> int:
    """A street named after a person keeps the title before the name ("keiser wilhelms gate 11", "kong oscars
    gate"): the title word is part of the address, and left behind it points to the street."""
    title = _WORD_BEFORE.search(text[max(0, begin - 20) : begin])
    if title and title.group(1).lower() in _STREET_PREFIX_WORDS:
        return begin - len(title.group(0))
    return begin


def _street_name_before_alle(text: str, begin: int) -> int | None:
    """Where a street said with a bare "alle" begins: at the name word before it ("moholt alle tjueåtte").

    Unaccented "alle" is mostly the word for "all" ("takk alle tre", "vi følgjer opp alle tre"), so it is a
    street word only after a name: a word capitalised inside a sentence, or one neither the Bokmål nor the
    Nynorsk dictionary knows, and no function word. ``None`` when there is none."""
    import simplemma

    before = re.search(r"([\wæøå-]+)\s+$", text[max(0, begin - 30) : begin])
    if before is None:
        return None
    name = before.group(1)
    low = name.lower()
    if low in _FUNCTION_WORDS or any(c.isdigit() for c in name):
        return None
    start = begin - len(before.group(0))
    capital = name[0].isupper() and not _sentence_start(text, start)  # "Takk alle tre" opens a sentence
    if not capital and (simplemma.is_known(low, lang="nb") or simplemma.is_known(low, lang="nn")):
        return None
    return _with_street_title(text, start)


def find_spoken_addresses(text: str, street_suffixes: tuple[str, ...]) -> list[Span]:
    """A street said with its number in words ("furuveien sytten", "bygdevegen hundre og fem", "moholt allé
    tjueåtte hybel fire"), and a postcode said in words before a place ("to null to null skedsmokorset")."""
    spans = []
    runs = {start: (end, digits) for start, end, digits, _n in _runs(text)}
    for m in re.finditer(r"\b([\wæøå-]+)\s+", text):
        word = m.group(1).lower()
        run = runs.get(m.end())
        if run and any(word.endswith(suffix) for suffix in street_suffixes):
            begin = m.start(1)
            # "moholt alle tjueåtte" is a street, "takk alle tre" and "dama sa alle elleve" are not
            if word == "alle":
                begin = _street_name_before_alle(text, begin)
                if begin is None:
                    continue
            elif word in street_suffixes:  # "kongens gate sekstien", "moholt allé tjueåtte"
                before = re.search(r"([\wæøå-]+)\s+$", text[max(0, begin - 30) : begin])
                if before and before.group(1).lower() not in _FUNCTION_WORDS:
                    begin -= len(before.group(0))  # the street's name stands before the bare street word
                    begin = _with_street_title(text, begin)
            end = run[0]
            # the house letter said after the number ("storgata fjorten a"); not "e", which is "er" in dialect
            letter = re.match(r"[ \t]+[abcdfgh](?![\wæøå])", text[end:], re.IGNORECASE)
            end += letter.end() if letter else 0
            flat = re.match(r"\s+(?:hybel|leilighet|oppgang)\s+[\wæøå]+", text[end:], re.IGNORECASE)
            place = re.match(r"\s+([\wæøå-]{3,})", text[end:])
            if flat:
                end += flat.end()
            elif run[1] >= 5 and place:  # house number and postcode said in one breath, then the place
                end += place.end()
            spans.append(Span(begin, end, "ADRESSE", 0.7))
    for start, (end, digits) in runs.items():
        place = re.match(r"\s+([\wæøå-]{3,})", text[end:])
        words = [w.lower() for w in _TOKEN.findall(text[start:end])]
        if digits == 4 and len(words) == 4 and place and not any(w.isdigit() for w in words):
            spans.append(Span(start, end + place.end(), "ADRESSE", 0.6))
    return spans


# "send til anita rustad krøllalfa …": a cue word, then a local part said as two words without "punktum"
_NAME_BEFORE_LOCAL_PART = re.compile(
    rf"\b(?:til|er|eller|mail|mailen|e-post|e-posten|epost|adresse|adressa|adressen)\s+({_MAIL_WORD})\s+$",
    re.IGNORECASE,
)


_WORD_BEFORE = re.compile(rf"(?<![\wæøå-])({_MAIL_WORD})\s+$", re.IGNORECASE)


def find_spoken_email(
    text: str, first_names: frozenset[str] = frozenset(), surnames: frozenset[str] = frozenset()
) -> list[Span]:
    """E-mail addresses spelt out: "kari punktum hansen krøllalfa gmail punktum com", "ous bindestrek hf".

    A local part said as two words without "punktum" starts one word earlier after a cue word ("e-post …"), or
    when that word is a first name ("sol dal nittisju krøllalfa …") or the local part begins with a surname
    ("rahel tesfay at gmail dot com")."""
    spans = []
    for m in _SPOKEN_EMAIL.finditer(text):
        start = m.start()
        before = _NAME_BEFORE_LOCAL_PART.search(text, max(0, start - 40), start)
        if before and before.group(1).lower() not in _FUNCTION_WORDS and not _digits(before.group(1)):
            start = before.start(1)
        elif first_names or surnames:
            word = _WORD_BEFORE.search(text, max(0, start - 40), start)
            first = _TOKEN.match(m.group(0))
            if word and word.group(1).lower() not in _FUNCTION_WORDS and not _digits(word.group(1)):
                low = word.group(1).lower()
                if low in first_names or (
                    first and first.group(0).lower() in surnames and low not in surnames
                ):
                    start = word.start(1)
        spans.append(Span(start, m.end(), "EPOST", 0.8))
    return spans
