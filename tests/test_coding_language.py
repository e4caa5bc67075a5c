"""Norwegian lemmas, compounds, Nynorsk forms and stems for auto-coding (toolkit.language)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.language import (
    DEFAULT_BACKEND,
    NorwegianAnalyzer,
    blank_nb_with_lemmas,
    get_analyzer,
    load_lexicon,
    stop_words,
    trained_pipeline_name,
)

DATA = Path(__file__).parent / "data" / "coding"


@pytest.fixture(scope="module")
def analyzer() -> NorwegianAnalyzer:
    return get_analyzer("spacy")


def test_large_ordbank_table_is_loaded_through_the_lemmatizer():
    nlp = blank_nb_with_lemmas()
    lemmatizer = nlp.get_pipe("lemmatizer")
    table = lemmatizer.lookups.get_table("lemma_lookup")
    assert len(table) > 500_000  # the small nb_lemma_lookup table has ~1,600 entries
    assert [t.lemma_ for t in nlp("skolehverdagen veilederne")] == ["skolehverdag", "veileder"]


def test_known_traps(analyzer):
    assert analyzer.lemma("Veilederen") == "veileder"  # case: retried in lower case
    assert analyzer.lemma("veileder") == "veileder"  # a form that is itself a lemma keeps itself
    assert analyzer.lemma("søker") == "søker"
    assert "søke" in analyzer.analyse("søker").keys  # ... but the verb still matches
    assert "regel" in analyzer.analyse("regler").keys  # Ordbank keeps only 'regle'; simplemma adds 'regel'
    assert load_lexicon().lookup["veileder"] == "veileder"


@pytest.mark.parametrize(
    ("form", "parts"),
    [
        ("skolehverdagen", ("skole", "hverdag")),
        ("NAV-veilederen", ("nav", "veileder")),
        ("fotballaget", ("fotball", "lag")),
        ("arbeidspraksisen", ("arbeid", "praksis")),
        ("oppfølgingstjenesten", ("oppfølging", "tjeneste")),
    ],
)
def test_compounds_split_against_the_lexicon(analyzer, form, parts):
    analysis = analyzer.analyse(form)
    assert analysis.parts == parts
    assert set(parts) <= set(analysis.keys)


def test_no_split_without_lexicon_parts(analyzer):
    assert analyzer.analyse("vennlig").parts == ()
    assert analyzer.compound_parts("skole") is None


@pytest.mark.parametrize(
    ("form", "bokmal"),
    [
        ("skulen", "skole"),
        ("ikkje", "ikke"),
        ("heime", "hjemme"),
        ("eg", "jeg"),
        ("vaksne", "voksen"),
        ("kjenslene", "følelse"),
        ("fråværet", "fravær"),
    ],
)
def test_nynorsk_and_dialect_forms_map_to_bokmal(analyzer, form, bokmal):
    assert analyzer.analyse(form).lemma == bokmal


def test_unknown_words_fall_back_to_the_snowball_stem(analyzer):
    keys = analyzer.analyse("trufsingene").keys
    assert any(k.startswith("~") for k in keys)
    assert set(analyzer.keyword_keys("trufsing")) & set(keys)
    assert not any(k.startswith("~") for k in analyzer.analyse("skolen").keys)  # known words get no stem


def test_stop_words_are_spacys_norwegian_list():
    from spacy.lang.nb.stop_words import STOP_WORDS

    assert stop_words() >= STOP_WORDS
    assert {"og", "ikkje"} <= stop_words()


def test_auto_backend_uses_the_trained_pipeline_only_when_installed():
    analyzer = NorwegianAnalyzer("auto")
    expected = "pipeline" if trained_pipeline_name() else DEFAULT_BACKEND
    assert analyzer.backend == expected
    if trained_pipeline_name() is None:
        with pytest.raises(ValueError, match="nb_core_news"):
            NorwegianAnalyzer("pipeline")
    with pytest.raises(ValueError, match="backend"):
        NorwegianAnalyzer("stanza")


def test_lemma_accuracy_on_the_gold_list():
    gold = pd.read_csv(DATA / "lemma_gold.csv")
    scores = {}
    for backend in ("spacy", "simplemma"):
        analyzer = get_analyzer(backend)
        scores[backend] = sum(
            analyzer.analyse(f).lemma == lemma for f, lemma in zip(gold["form"], gold["lemma"], strict=True)
        ) / len(gold)
    assert scores["spacy"] >= 0.9
    assert scores[DEFAULT_BACKEND] == max(scores.values())


def test_analysis_is_cached_per_form(analyzer):
    first = analyzer.analyse("ungdomsskolen")
    assert analyzer.analyse("ungdomsskolen") is first


def test_pipeline_path_puts_the_context_lemma_first():
    """The trained-pipeline path, exercised with the table pipeline standing in for nb_core_news_*."""
    analyzer = NorwegianAnalyzer("spacy")
    analyzer._pipeline = blank_nb_with_lemmas()
    words, keys = analyzer.text_keys("skolen min, NAV-veilederen.")
    assert words == ["skolen", "min", "NAV-veilederen"]  # punctuation tokens dropped
    assert keys[0][0] == "skole"  # the pipeline's lemma first ...
    assert {"nav", "veileder"} <= set(keys[2])  # ... then the table keys of the form
    plain_words, plain_keys = get_analyzer("spacy").text_keys("Veilederen min")
    assert plain_words == ["Veilederen", "min"] and plain_keys[0][0] == "veileder"
