"""Consistent replacement: once a string is an identifier somewhere, it is one everywhere.

A model or a rule may find "Holmenkollen" in one sentence and miss it in the next; a transcript with one
occurrence left would still name the place. So after detection, the surface strings of every detected person,
place and organisation become a per-document deny-list (and, for person names, a per-batch one: a name said in
one interview is a name in the others), and every other occurrence is replaced with the same tag.

Names are matched as whole words with their possessive forms (``Karis``, ``Kari's``). Case: the string as found,
its capitalised form, and — only when it was itself found in lower case (ASR transcripts) — the lower-case form,
so a name found as "Per" never turns "per dag" into a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from toolkit.deidentify.gazetteers import Gazetteers
from toolkit.deidentify.ner import ordinary_words
from toolkit.deidentify.patterns import _FUNCTION_WORDS, WORD, trie_alternation
from toolkit.deidentify.spans import Span

CONSISTENT_TYPES = ("PERSON", "STED", "ORG", "ADRESSE", "FNR", "TELEFON", "EPOST", "ID")  # not DATO/ALDER
_MIN_LENGTH = 3


def person_words(text: str, span: Span, g: Gazetteers) -> set[str]:
    """Name words of a PERSON span worth looking for again (not function words or common proper nouns).

    A lower-case word counts when it was found alone ("lykke" answering "hva heter du") or is no ordinary
    word: in "kari bor" (a model's boundary error) "bor" must not make every "bor" a name."""
    names: set[str] = set()
    words = WORD.findall(text[span.start : span.end])
    for w in words:
        low = w.lower()
        if not _could_be_name(w, g):
            continue
        if w[0].isupper():
            names.add(w)
        elif low not in g.ambiguous and (
            len(words) == 1 or low in g.first_names or low not in ordinary_words()
        ):
            names.add(w)
            names.add(w[0].upper() + w[1:])
    return names


def _could_be_name(word: str, g: Gazetteers) -> bool:
    low = word.lower()
    if len(word) < 2 or word[0].isdigit() or (word in g.common_proper and low not in g.first_names):
        return False
    return low not in _FUNCTION_WORDS or (word[0].isupper() and low in g.first_names)


def drop_nameless(text: str, spans: list[Span], g: Gazetteers) -> list[Span]:
    """Drop PERSON spans made only of function words ("Hvordan" at a sentence start): not a name anywhere.

    Lenient on purpose: a lower-case name that is also a word ("sander", "rune") keeps its span here, though
    :func:`person_words` will not look for it elsewhere."""
    return [
        s
        for s in spans
        if s.type != "PERSON"
        or any(_could_be_name(w, g) for w in WORD.findall(text[s.start : s.end]))
        or sum(len(w) == 1 for w in WORD.findall(text[s.start : s.end])) >= 4  # a name spelt letter by letter
    ]


def surface_strings(text: str, spans: list[Span], g: Gazetteers) -> dict[str, str]:
    """``{string: type}``: person names per word; places, organisations, numbers, addresses as whole strings."""
    found: dict[str, str] = {}
    for span in spans:
        if span.type == "PERSON":
            for word in person_words(text, span, g):
                found.setdefault(word, "PERSON")
        elif span.type in CONSISTENT_TYPES:
            string = text[span.start : span.end].strip(" .,:;!?«»\"'()")
            if (
                len(string) < _MIN_LENGTH
                or string.lower() in _FUNCTION_WORDS
                or not any(c.isalpha() for c in string)
            ):
                continue
            found.setdefault(string, span.type)
            if string[0].islower():
                found.setdefault(string[0].upper() + string[1:], span.type)
    return found


_RUN = re.compile(r"\w+")
"""A maximal run of word characters: the unit :func:`present_strings` compares."""


def present_strings(strings: dict[str, str], texts: Iterable[str]) -> dict[str, str]:
    """The strings that could occur as whole words in ``texts`` (a cheap, exact pre-filter).

    Speed code: a batch's deny-list holds every person name of the batch, and compiling it into one pattern per
    file was ~3 % of de-identification, though most names never occur in a given file. A whole-word match of a
    string that starts with a word character begins a run of word characters in the text, and that run is the
    string's first run (or, for a one-word string with a possessive ``s``, that run plus ``s``), so a string
    whose first run is not among the text's runs cannot match: dropping it changes no match. Strings that start
    with another character are kept."""
    runs: set[str] = set()
    for text in texts:
        runs.update(_RUN.findall(text))
    kept: dict[str, str] = {}
    for string, kind in strings.items():
        first = _RUN.match(string)
        if first is None or first.group(0) in runs or (first.end() == len(string) and string + "s" in runs):
            kept[string] = kind
    return kept


def seen_finder(strings: dict[str, str]) -> Callable[[str], list[Span]] | None:
    """A finder for every occurrence of the given strings (whole words, possessive forms), typed as given.

    Pass the strings through :func:`present_strings` first when the texts are known: same matches, less to
    compile."""
    if not strings:
        return None
    forms: dict[str, str] = {}
    for string, kind in strings.items():
        for form in (string, string + "s", string + "'s", string + "’s"):
            forms.setdefault(form, kind)
    # longest form first, written as a trie: the same matches, compiled several times faster
    pattern = re.compile(rf"(?:^|(?<=\W))({trie_alternation(forms)})(?:(?=\W)|$)", re.MULTILINE)
    return lambda text: [Span(m.start(1), m.end(1), forms[m.group(1)], 0.7) for m in pattern.finditer(text)]
