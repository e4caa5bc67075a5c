"""toolkit.language: shortcuts that skip importing spaCy give what spaCy itself gives."""


def test_stop_words_read_from_spacys_file_are_spacys_list():
    from spacy.lang.nb.stop_words import STOP_WORDS

    from toolkit.language import _spacy_nb_stop_words

    assert _spacy_nb_stop_words() == STOP_WORDS


def test_finding_a_trained_pipeline_asks_the_same_question_as_spacy():
    import spacy.util

    from toolkit.language import TRAINED_PIPELINES, trained_pipeline_name

    installed = [name for name in TRAINED_PIPELINES if spacy.util.is_package(name)]
    assert trained_pipeline_name() == (installed[0] if installed else None)


def test_simplemma_lemmas_from_the_cached_dictionaries_are_simplemmas(tmp_path, monkeypatch):
    import random

    import simplemma

    import toolkit.language as language

    monkeypatch.setenv(language.LEXICON_CACHE_ENV, str(tmp_path))
    forms = sorted(language.load_lexicon().lookup)
    words = random.Random(0).sample(forms, 3000) + ["skulen", "ikkje", "NAV-kontoret", "Veilederen", "spurte"]
    for attempt in ("built", "from the cache", "after a damaged cache"):
        language._simplemma_lemmatizer.cache_clear()
        for word in words:
            for lang in ("nb", "nn"):
                assert language.simplemma_lemma(word, lang) == simplemma.lemmatize(word, lang=lang), attempt
        assert sorted(p.name.split("-")[-2] for p in tmp_path.glob("simplemma-*.marshal")) == ["nb", "nn"]
        if attempt == "from the cache":
            for path in tmp_path.glob("simplemma-*.marshal"):
                path.write_bytes(b"not marshal")
    language._simplemma_lemmatizer.cache_clear()
