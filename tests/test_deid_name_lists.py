"""Given names and surnames the lists once missed (common Norwegian names, names of large immigrant groups, Sámi
names), and names that are also words, which need a capital or a cue. All sentences and people are invented."""

from __future__ import annotations

import pytest

from toolkit.deidentify import Deidentifier
from toolkit.deidentify.gazetteers import load_gazetteers


@pytest.fixture(scope="module")
def found():
    d = Deidentifier(engine="direct")

    def run(text: str) -> set[tuple[str, str]]:
        return {(s.type, text[s.start : s.end]) for s in d.analyze(text)}

    return run


def test_names_once_missing_are_listed() -> None:
    g = load_gazetteers()
    added = {"ingunn", "runar", "torunn", "hallvard", "nour", "imran", "tesfay", "agnieszka", "ánte"}
    assert added <= g.first_names
    assert {"grande", "vold", "foss"} <= g.surnames
    # also ordinary words: tagged only with a capital, a cue or a neighbouring name
    assert {"lina", "rasa", "trang", "ante", "vold", "foss"} <= g.ambiguous


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("d: kontakten min på kontoret var torunn grande ho er flink", "torunn grande"),
        ("d: eg prata med hallvard vold han er rådgjevar der", "hallvard vold"),
        ("d: Min kollega Rasa hjelper meg med brevene.", "Rasa"),
    ],
)
def test_lower_case_and_word_like_names(found, text: str, name: str) -> None:
    assert ("PERSON", name) in found(text)


def test_ambiguous_words_stay_words_without_a_cue(found) -> None:
    spans = found("d: det var trang plass og vold er aldri greitt, men eg ante ingenting")
    assert not [t for kind, t in spans if kind == "PERSON"]
