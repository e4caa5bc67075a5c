"""The consistency pass's pre-filter (``present_strings``) must never change what is found.

It drops strings that cannot occur as whole words in the text before the deny-list is compiled; a string it
wrongly dropped would stay in the de-identified output, so the property is checked on generated texts and
strings (and the leak check, which uses it too, on its own boundaries).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.deidentify.consistency import present_strings, seen_finder
from toolkit.deidentify.patterns import trie_alternation

_CHARS = "aAbKkrisæøåÅ0147 -'’.,:@+/\n_"
texts = st.text(alphabet=_CHARS, min_size=0, max_size=80)
words = st.text(alphabet=_CHARS, min_size=1, max_size=12)


def _found(strings: dict[str, str], text: str) -> list[tuple[int, int, str]]:
    finder = seen_finder(strings)
    return [] if finder is None else [(s.start, s.end, s.type) for s in finder(text)]


@st.composite
def text_and_strings(draw) -> tuple[str, dict[str, str]]:
    text = draw(texts)
    pieces = draw(st.lists(st.tuples(st.integers(0, 80), st.integers(1, 12)), max_size=6))
    strings = {text[a : a + n]: "PERSON" for a, n in pieces if text[a : a + n].strip()}
    strings.update({w: "ORG" for w in draw(st.lists(words, max_size=6))})
    strings.update({w[:-1]: "PERSON" for w in re.findall(r"\w+s\b", text)})  # possessives: "Karis"
    return text, strings


@settings(max_examples=400, deadline=None)
@given(text_and_strings())
def test_prefilter_changes_no_consistency_match(case: tuple[str, dict[str, str]]) -> None:
    text, strings = case
    assert _found(present_strings(strings, [text]), text) == _found(strings, text)


@settings(max_examples=400, deadline=None)
@given(text_and_strings())
def test_prefilter_changes_no_leak_check_match(case: tuple[str, dict[str, str]]) -> None:
    text, strings = case

    def first_leak(originals: dict[str, str]) -> str | None:
        if not originals:
            return None
        found = re.search(rf"(?<![\w-])(?:{trie_alternation(originals)})(?![\w-])", text)
        return found.group(0) if found else None

    assert first_leak(present_strings(strings, [text])) == first_leak(strings)


def test_prefilter_keeps_possessives_and_drops_absent_names() -> None:
    strings = {"Kari": "PERSON", "Ola": "PERSON", "Rema 1000 Mortensrud": "ORG", "+47 22": "TELEFON"}
    kept = present_strings(strings, ["Karis bror jobber på Rema 1000 Mortensrud."])
    assert kept == {"Kari": "PERSON", "Rema 1000 Mortensrud": "ORG", "+47 22": "TELEFON"}
