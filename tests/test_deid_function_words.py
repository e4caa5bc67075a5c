"""Closed-class words (pronouns, articles, question words, auxiliaries, titles) of Bokmål, Nynorsk and the dialects
are never a name on their own, nor spread as one; given names that are also such words ("Andre", "Jo") keep their
capital. All sentences and names are invented."""

from __future__ import annotations

import pytest

from toolkit.deidentify import Deidentifier
from toolkit.deidentify.gazetteers import read_list
from toolkit.deidentify.ner import function_word_names
from toolkit.deidentify.patterns import _FUNCTION_WORDS


@pytest.fixture(scope="module")
def deid() -> Deidentifier:
    return Deidentifier(engine="direct")


@pytest.fixture(scope="module")
def found(deid):
    def run(text: str) -> set[tuple[str, str]]:
        return {(s.type, text[s.start : s.end]) for s in deid.analyze(text)}

    return run


def _words(spans: set[tuple[str, str]]) -> set[str]:
    return {w.lower() for _kind, text in spans for w in text.split()}


def test_the_list_is_read_into_the_function_words() -> None:
    listed = {w.lower() for w in read_list("function_words.txt")}
    assert {"ein", "eit", "dei", "kordan", "korleis", "kva", "ha", "dr"} <= listed <= _FUNCTION_WORDS
    # words that are also given names stay out of it: a capital or a cue decides for them
    assert not listed & function_word_names()
    assert "alle" not in listed  # also a street word ("moholt alle tjueåtte")


def test_nynorsk_article_after_og_and_a_name_is_no_name(deid) -> None:
    text = (
        "d: det var sunniva og ein kar frå lageret som hjelpte meg\n"
        "d: ein dag kom ho att med ein kollega og eit brev\n"
    )
    new, spans = deid.deidentify(text)
    assert "sunniva" not in new
    assert new.count("ein ") == 3 and "eit brev" in new
    assert not [s for s in spans if text[s["start"] : s["end"]] in ("ein", "eit")]


def test_dialect_question_word_after_si_is_no_nickname(deid) -> None:
    text = "i: kan du si kordan det gjekk\nd: kordan det gjekk veit eg ikkje\ni: Kordan då?\n"
    new, _spans = deid.deidentify(text)
    assert new == text


def test_auxiliary_ha_with_a_capital_inside_a_sentence_is_no_name(found) -> None:
    spans = found("d: Damen sa «kan du ta det på norsk?» Ha ha. Så tok eg det på nytt.")
    assert "ha" not in _words(spans)


def test_title_dr_is_no_part_of_the_name_nor_spread(deid) -> None:
    text = "d: fastlegen min er dr solbakk ingrid solbakk på legesenteret\nd: og dr solbakk sa det same\n"
    new, _spans = deid.deidentify(text)
    assert "solbakk" not in new
    assert new.count("dr ") == 2


def test_pronoun_dei_before_an_age_is_no_name_and_the_age_is_found(found) -> None:
    spans = found("d: Eg er trenar for dei minste no. Dei er ni og ti år, og dei er så flinke.")
    assert ("ALDER", "ni") in spans
    assert not [t for kind, t in spans if kind == "PERSON"]


def test_dictionary_word_before_sitt_in_a_written_turn_is_no_name(found) -> None:
    spans = found("d: Dei ringer meg mest på skulen sitt nummer. Mitt nummer brukar eg lite.")
    assert "skulen" not in _words(spans)
    # in a turn without capitals a name has none either, so there the cue still counts
    assert ("PERSON", "tuvsen") in found("d: eg låner tuvsen sitt rom når eg er i byen")


@pytest.mark.parametrize(
    "text",
    [
        "i: Takk alle tre.\n",
        "d: og så sa dama alle elleve takk og eg sa det\n",
        "d: Vi følgjer opp alle tre no.\n",
    ],
)
def test_all_and_a_number_is_no_street(found, text: str) -> None:
    assert not [t for kind, t in found(text) if kind == "ADRESSE"]


def test_a_street_said_with_bare_alle_keeps_its_name(found) -> None:
    assert ("ADRESSE", "moholt alle tjueåtte") in found("d: eg bur i moholt alle tjueåtte no\n")


def test_model_organisation_of_a_closed_class_name_word_is_dropped(found) -> None:
    text = "I: Den andre?\nR: Siri Halvorsen, 17 år.\nI: Noe mer?\nR: Nei. Jo, forresten, bussen er sein.\n"
    words = _words(found(text))
    assert "andre" not in words and "jo" not in words


def test_given_names_that_are_function_words_keep_their_capital(found) -> None:
    spans = found("d: Treneren min heter Andre Solvang, og kona hans heter Jo.")
    assert "andre" in _words(spans)
    assert ("PERSON", "Jo") in spans
