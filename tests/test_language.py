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
