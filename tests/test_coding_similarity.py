"""Evidence from the hand-coded turns' words, weighted by grouped cross-validation (toolkit.coding.similarity)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.coding import evidence as ev
from toolkit.coding.similarity import WEIGHTS, CodedSimilarity, mean_kappa

FILLER = ["vi", "snakket", "litt", "om", "dagen", "og", "hva", "som", "skjedde", "etterpå"]


def _study(n_transcripts: int = 8, turns: int = 10, seed: int = 0) -> tuple[list[str], np.ndarray, list[str]]:
    """Turns of synthetic interviews: theme 0 is spoken of in words no codebook lists ('båt', 'fiske'),
    theme 1 is what the rules see; every transcript has both kinds of turn."""
    rng = np.random.default_rng(seed)
    texts, labels, groups = [], [], []
    for transcript in range(n_transcripts):
        for turn in range(turns):
            words = list(rng.choice(FILLER, 6))
            theme0 = turn % 3 == 0
            theme1 = turn % 4 == 1
            if theme0:
                words += ["båt", "fiske"] if turn % 2 else ["båt", "sjøen"]
            if theme1:
                words += ["skole"]
            texts.append(" ".join(words))
            labels.append([int(theme0), int(theme1)])
            groups.append(f"t{transcript}")
    return texts, np.array(labels), groups


def _splits(groups: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    names = np.array(groups)
    return [(np.flatnonzero(names != g), np.flatnonzero(names == g)) for g in sorted(set(groups))]


def test_words_the_rules_miss_get_a_weight_and_code_the_turns():
    texts, labels, groups = _study()
    scores = np.zeros(labels.shape, dtype=float)
    scores[:, 1] = labels[:, 1] * 1.0  # the rules see theme 1 perfectly, theme 0 not at all
    thresholds = np.array([0.5, 0.5])
    similarity = CodedSimilarity(str.split).fit(texts, labels, scores, thresholds, _splits(groups))
    assert similarity.weight_ > 0
    assert set(similarity.cv_kappa_) == set(WEIGHTS)
    assert similarity.cv_kappa_[similarity.weight_] > similarity.cv_kappa_[0.0]
    new_texts, new_labels, _ = _study(n_transcripts=2, seed=1)
    new_scores = np.zeros(new_labels.shape, dtype=float)
    new_scores[:, 1] = new_labels[:, 1] * 1.0
    before = ev.coded_mask(new_scores, thresholds)
    after = ev.coded_mask(similarity.adjust(new_texts, new_scores, thresholds), thresholds)
    assert mean_kappa(new_labels, after) > mean_kappa(new_labels, before) + 0.3


def test_rules_that_already_agree_keep_weight_zero():
    texts, labels, groups = _study()
    scores = labels * 1.0  # the rules agree with the coders on every turn
    thresholds = np.array([0.5, 0.5])
    similarity = CodedSimilarity(str.split).fit(texts, labels, scores, thresholds, _splits(groups))
    assert similarity.weight_ == 0.0
    assert similarity.adjust(texts, scores, thresholds) is scores


def test_adjusted_evidence_is_never_negative_and_a_theme_without_coding_is_left_alone():
    texts, labels, groups = _study()
    labels[:, 1] = 0  # nobody coded theme 1: no direction for it
    scores = np.full(labels.shape, 0.2)
    thresholds = np.array([0.5, 0.5])
    similarity = CodedSimilarity(str.split).fit(texts, labels, scores, thresholds, _splits(groups))
    similarity.weight_ = max(WEIGHTS)
    adjusted = similarity.adjust(texts, scores, thresholds)
    assert (adjusted >= 0).all()
    assert np.allclose(adjusted[:, 1], scores[:, 1])
    assert not np.allclose(adjusted[:, 0], scores[:, 0])


def test_mean_kappa_counts_columns_as_the_evaluation_does():
    from toolkit.coding.evaluate import mean_kappa as evaluation_mean_kappa

    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, (40, 4))
    predicted = rng.integers(0, 2, (40, 4))
    labels[:, 2] = 0
    predicted[:, 2] = 0  # nobody coded it: skipped
    labels[:, 3] = 0  # only the prediction varies: counts 0
    expected, _ = evaluation_mean_kappa(pd.DataFrame(labels), pd.DataFrame(predicted))
    assert mean_kappa(labels, predicted) == pytest.approx(expected)


def test_too_few_words_leave_the_rules_unchanged():
    texts = ["a", "b", "c", "d"]
    labels = np.array([[1], [0], [1], [0]])
    scores = np.array([[0.1], [0.0], [0.2], [0.0]])
    splits = _splits(["x", "x", "y", "y"])
    similarity = CodedSimilarity(str.split).fit(texts, labels, scores, np.array([0.5]), splits)
    assert similarity.weight_ == 0.0
    assert similarity.adjust(texts, scores, np.array([0.5])) is scores


def test_a_form_the_tokens_never_saw_reaches_its_theme_through_character_ngrams(monkeypatch):
    """'fisket' is no token of the coded turns (their word is 'fiske'); its letters still point to theme 0,
    as a dialect form or an ASR slip the analyzer does not lemmatise would."""
    from toolkit.coding import similarity as module

    texts, labels, groups = _study()
    scores = np.zeros(labels.shape, dtype=float)
    thresholds = np.array([0.5, 0.5])
    probe = ["vi snakket litt om fisket", "vi snakket litt om dagen"]

    def theme0_evidence(char_weight: float) -> np.ndarray:
        monkeypatch.setattr(module, "CHAR_WEIGHT", char_weight)
        similarity = CodedSimilarity(str.split).fit(texts, labels, scores, thresholds, _splits(groups))
        similarity.weight_ = max(WEIGHTS)
        return similarity.adjust(probe, np.ones((2, 2)), thresholds)[:, 0]

    lemmas_only = theme0_evidence(0.0)
    with_chars = theme0_evidence(0.4)
    assert lemmas_only[0] == pytest.approx(lemmas_only[1], abs=0.05)
    assert with_chars[0] > with_chars[1] + 0.05
