"""The Presidio analyzer for ``nb``: a spaCy NLP engine around an already built pipeline, the lemma context
enhancer, and the column-wise lookup lemmatizer."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.deidentify.registry import RecognizerRegistry
from toolkit.deidentify.spans import LANGUAGE, Span

_KEYWORD_SETS: dict[int, tuple[list, frozenset]] = {}


def _keyword_set(keywords: list[str]) -> frozenset[str]:
    """A set view of Presidio's per-text keyword list, built once per list object."""
    cached = _KEYWORD_SETS.get(id(keywords))
    if cached is None or cached[0] is not keywords:
        _KEYWORD_SETS.clear()
        cached = (keywords, frozenset(keywords))
        _KEYWORD_SETS[id(keywords)] = cached
    return cached[1]


def _build_nlp():
    """The language layer's blank Norwegian pipeline with lookup lemmas (tokens and lemmas for Presidio's
    context words). The NER model is not run here: it is a recogniser of the registry
    (``ner.NerRecognizer``), so both engines see the same entities."""
    from toolkit.language import blank_nb_with_lookup_lemmas

    return blank_nb_with_lookup_lemmas()


def build_analyzer(registry: RecognizerRegistry):
    """A Presidio ``AnalyzerEngine`` for ``nb``: own registry, loaded spaCy engine, lemma context enhancer.

    Presidio's ``SpacyNlpEngine`` only loads models by name (and would try to download a missing one), so a
    subclass hands it the already built ``Language`` object, as the Presidio maintainers suggest (issue #822).
    """
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer import RecognizerRegistry as PresidioRegistry
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    ner_config = NerModelConfiguration(model_to_presidio_entity_mapping={}, labels_to_ignore=[])

    class LoadedSpacyNlpEngine(SpacyNlpEngine):
        """A spaCy NLP engine around an already built pipeline (no ``spacy.load`` by name, no download)."""

        def __init__(self, nlp):  # noqa: ANN001
            super().__init__(
                models=[{"lang_code": LANGUAGE, "model_name": "blank"}], ner_model_configuration=ner_config
            )
            self.nlp = {LANGUAGE: nlp}

        def load(self) -> None:
            return None

        @functools.lru_cache(maxsize=65536)  # noqa: B019 - one engine per process, words repeat
        def is_stopword(self, word: str, language: str) -> bool:
            return super().is_stopword(word, language)

        @functools.lru_cache(maxsize=65536)  # noqa: B019
        def is_punct(self, word: str, language: str) -> bool:
            return super().is_punct(word, language)

        def _doc_to_nlp_artifact(self, doc, language):  # noqa: ANN001, ANN202
            # Same artifacts as Presidio's, read column-wise (doc.to_array) instead of creating a Python
            # Token object per word, which was a third of the run time.
            from presidio_analyzer.nlp_engine import NlpArtifacts
            from spacy.attrs import IDX, LEMMA

            array = doc.to_array([LEMMA, IDX])
            strings = doc.vocab.strings
            lemmas = [strings[int(h)] for h in array[:, 0]] if len(doc) else []
            entities, scores = self._get_updated_entities(
                self._get_entities(doc), self._get_scores_for_entities(doc)
            )
            return NlpArtifacts(
                entities=entities,
                tokens=doc,
                tokens_indices=array[:, 1].tolist() if len(doc) else [],
                lemmas=lemmas,
                nlp_engine=self,
                language=language,
                scores=scores,
            )

    class BisectLemmaContextAwareEnhancer(LemmaContextAwareEnhancer):
        """Presidio's lemma context enhancer, but finding a match's token by bisection.

        The stock version scans every token of the text for every result (quadratic: 57 s for 13,000 words
        analysed at once); the answer is the same.
        """

        @staticmethod
        def _find_index_of_match_token(word, start, tokens, tokens_indices):  # noqa: ANN001, ANN205
            i = bisect.bisect_right(tokens_indices, start) - 1
            if i >= 0 and start < tokens_indices[i] + len(tokens[i]):
                return i
            if i + 1 < len(tokens_indices):
                return i + 1
            raise ValueError("match token not found")

        @staticmethod
        def _add_n_words(index, n_words, lemmas, lemmatized_filtered_keywords, is_backward):  # noqa: ANN001, ANN205
            # Same walk as Presidio's, with a set instead of a list for the membership test (quadratic otherwise).
            keywords = _keyword_set(lemmatized_filtered_keywords)
            i, words, remaining = index, [], n_words + 1
            while 0 <= i < len(lemmas) and remaining > 0:
                lower = lemmas[i].lower()
                if lower in keywords:
                    words.append(lower)
                    remaining -= 1
                i = i - 1 if is_backward else i + 1
            return words

    engine = LoadedSpacyNlpEngine(_build_nlp())
    presidio_registry = PresidioRegistry(supported_languages=[LANGUAGE])
    for recognizer in presidio_recognizers(registry):
        presidio_registry.add_recognizer(recognizer)
    return AnalyzerEngine(
        registry=presidio_registry,
        nlp_engine=engine,
        supported_languages=[LANGUAGE],
        context_aware_enhancer=BisectLemmaContextAwareEnhancer(
            context_similarity_factor=0.2, min_score_with_context_similarity=0.5
        ),
    )


# =============================================================================================== presidio glue
def presidio_recognizers(registry: RecognizerRegistry) -> list:
    """One Presidio ``EntityRecognizer`` per recogniser of the registry (the allow-list applied to each)."""
    from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

    class NorwegianRecognizer(EntityRecognizer):
        """A Presidio recogniser wrapping one ``NorwegianDetector.find_*`` method."""

        def __init__(
            self, name: str, entities: list[str], finder: Callable[[str], list[Span]], context: list[str]
        ):
            self._finder = finder
            super().__init__(
                supported_entities=entities, name=name, supported_language=LANGUAGE, context=context
            )

        def load(self) -> None:  # noqa: D102 - nothing to load: gazetteers are loaded by the detector
            return None

        def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001 - Presidio's signature
            return [
                RecognizerResult(
                    s.type,
                    s.start,
                    s.end,
                    s.score,
                    analysis_explanation=AnalysisExplanation(
                        self.name, s.score, textual_explanation=self.name
                    ),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
                for s in self._finder(text)
                if s.type in entities and not registry.allowed(text, s)
            ]

    return [
        NorwegianRecognizer(r.name, list(r.entities), r.find, list(r.context)) for r in registry if r.entities
    ]
