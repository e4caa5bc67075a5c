"""Learned code suggestions from human coding (toolkit.coding.learn)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.coding.autocode import coded_units, to_indicator_matrix
from toolkit.coding.codebook import default_codebook_path, load_codebook
from toolkit.coding.learn import ThemeLearner, theme_trust
from toolkit.coding.segments import read_segments

DATA = Path(__file__).parent / "data" / "coding"


@pytest.fixture(scope="module")
def labelled():
    book = load_codebook(default_codebook_path())
    segments, _ = read_segments(DATA / "transcripts")
    units = coded_units(segments)
    labels = to_indicator_matrix(units, pd.read_csv(DATA / "hand_coded.csv"), book.ids).reset_index(drop=True)
    return book, units, labels


def test_cross_validated_kappa_of_learned_suggestions(labelled):
    """Mean cross-validated kappa (folds grouped by transcript) stays at the level measured (0.74)."""
    book, units, labels = labelled
    cv = ThemeLearner(book, seed=0).cross_validate(
        units["text"].tolist(), labels, groups=units["source"].tolist()
    )
    assert list(cv["code_id"]) == book.ids
    assert cv["cv"].str.contains("grouped by transcript").all()
    assert set("/".join(cv["origin"]).split("/")) <= {"rule", "learned", "adapted"}
    assert cv["kappa"].mean() >= 0.7


def test_best_threshold_maximises_kappa():
    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    from toolkit.coding.learn import best_threshold

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 80)
    score = y * 0.5 + rng.random(80)
    threshold, kappa = best_threshold(y, score)
    assert kappa == pytest.approx(cohen_kappa_score(y, (score >= threshold).astype(int)))
    for other in np.linspace(0.05, 1.45, 29):
        assert cohen_kappa_score(y, (score >= other).astype(int)) <= kappa + 1e-12


def test_fit_predict_and_uncertainty_queue(labelled):
    book, units, labels = labelled
    train = units["source"] != "10_veileder_b.txt"
    learner = ThemeLearner(book).fit(units.loc[train, "text"].tolist(), labels[train.to_numpy()])
    rest = units[~train].reset_index(drop=True)
    proba = learner.predict_proba(rest["text"].tolist())
    assert proba.shape == (len(rest), len(book.ids))
    assert ((proba >= 0) & (proba <= 1)).all().all()
    queue = learner.uncertainty_queue(rest, n=5)
    assert len(queue) == 5
    assert queue["uncertainty"].is_monotonic_decreasing
    assert set(queue.columns) == {"source", "turn_index", "uncertainty", "suggested", "text"}


def test_too_few_examples_are_not_learned(labelled):
    book, units, labels = labelled
    few = labels.copy()
    few["helhet"] = 0
    few.loc[0, "helhet"] = 1
    learner = ThemeLearner(book, min_positive=3).fit(units["text"].tolist(), few)
    assert learner.models_["helhet"] is None and learner.origin_["helhet"] == "rule"
    rules_only = ThemeLearner(book, min_positive=3, rule_features=False).fit(units["text"].tolist(), few)
    assert (rules_only.predict(units["text"].head(3).tolist())["helhet"] == 0).all()


@pytest.mark.parametrize("kwargs", [{"C": 0}, {"folds": 1}, {"min_positive": 0}])
def test_parameters_are_validated(labelled, kwargs):
    with pytest.raises(ValueError):
        ThemeLearner(labelled[0], **kwargs)


def test_a_model_replaces_the_rules_only_with_enough_hand_coded_positives(labelled, monkeypatch):
    """With few positives per theme (a third of a study coded) every theme keeps the rules, whatever the
    out-of-fold kappas say; with the bar lowered, a model may replace them."""
    import toolkit.coding.learn as learn

    book, units, labels = labelled
    texts, groups = units["text"].tolist(), units["source"].tolist()
    monkeypatch.setattr(learn, "SWITCH_MARGIN", -1.0)  # any model would win on kappa
    monkeypatch.setattr(learn, "MIN_POSITIVE_TO_REPLACE", int(labels.sum().max()) + 1)
    kept = ThemeLearner(book).fit(texts, labels, groups=groups)
    assert set(kept.origin_.values()) == {"rule"}
    monkeypatch.setattr(learn, "MIN_POSITIVE_TO_REPLACE", 1)
    replaced = ThemeLearner(book).fit(texts, labels, groups=groups)
    assert set(replaced.origin_.values()) & {"learned", "adapted"}


def test_threshold_calibration_moves_with_the_amount_of_hand_coding(labelled, monkeypatch):
    """Thresholds move from the rules' towards the hand-coded prevalence by n / (n + prior) of the way: not
    at all with an overwhelming prior, and to coded shares nearer the coders' with none."""
    import numpy as np

    import toolkit.coding.learn as learn
    from toolkit.coding import evidence as ev

    book, units, labels = labelled
    texts = units["text"].tolist()

    def fitted(prior: float) -> ThemeLearner:
        monkeypatch.setattr(learn, "CALIBRATION_PRIOR_TURNS", prior)
        return ThemeLearner(book).fit(texts, labels)

    still, full = fitted(1e12), fitted(0.0)
    scores = still.coder_.score_texts(texts)[0]
    bounded = ev.prevalence_bounded_thresholds(scores, still.coder_.base_thresholds)
    assert np.allclose(still.coder_.thresholds, bounded)
    assert not np.allclose(full.coder_.thresholds, bounded)
    coded = labels[book.ids].mean().to_numpy()

    def gap(learner: ThemeLearner) -> float:
        return float(np.abs(ev.coded_mask(scores, learner.coder_.thresholds).mean(axis=0) - coded).sum())

    assert gap(full) < gap(still)


def test_the_hand_coded_words_join_the_rule_evidence_at_the_weight_chosen(labelled):
    """The learner keeps a similarity to the hand coding whose weight the grouped folds chose among the
    candidates; at weight 0 its suggestions are the rules' decisions, at a positive weight they move."""
    import numpy as np

    from toolkit.coding import evidence as ev
    from toolkit.coding.similarity import WEIGHTS

    book, units, labels = labelled
    train = ~units["source"].isin(["10_veileder_b.txt", "01_ung_avvik_a.txt"]).to_numpy()
    texts = units["text"].tolist()
    learner = ThemeLearner(book).fit(
        [t for t, k in zip(texts, train, strict=True) if k],
        labels[train].reset_index(drop=True),
        groups=units.loc[train, "source"].tolist(),
        corpus=texts,
    )
    assert set(learner.similarity_.cv_kappa_) == set(WEIGHTS)
    assert learner.similarity_.weight_ in WEIGHTS
    rest = [t for t, k in zip(texts, train, strict=True) if not k]
    learner.similarity_.weight_ = 0.0
    scores = learner.coder_.score_texts(rest)[0]
    rules = ev.coded_mask(scores, learner.coder_.thresholds).astype(int)
    at_zero = learner.predict(rest)
    ruled = [c for c in at_zero.columns if learner.origin_[c] == "rule"]
    assert ruled
    columns = [book.ids.index(c) for c in ruled]
    assert np.array_equal(at_zero[ruled].to_numpy(), rules[:, columns])
    learner.similarity_.weight_ = max(WEIGHTS)
    assert not at_zero.equals(learner.predict(rest))


def test_theme_trust_advises_hand_coding_where_agreement_is_low_or_unknown():
    cv = pd.DataFrame(
        {
            "code_id": ["a", "b", "c", "d"],
            "n_positive": [20, 15, 2, 0],
            "learned": [True, True, False, False],
            "kappa": [0.62, 0.31, 0.9, float("nan")],
        }
    )
    judged = theme_trust(cv)
    assert judged["trusted"].tolist() == [True, False, True, False]
    assert judged["advice"].tolist() == [
        "usable; spot-check",
        "code by hand: cross-validated kappa 0.31 < 0.40",
        "usable; spot-check",
        "code by hand: agreement not measurable (0 hand-coded turns with the code)",
    ]
    assert theme_trust(cv, min_kappa=0.3)["trusted"].tolist() == [True, True, True, False]
    unsure = theme_trust(
        cv.assign(kappa_low=[0.45, 0.1, 0.35, float("nan")], kappa_high=[0.8, 0.5, 1.0, float("nan")])
    )
    assert unsure["trusted"].tolist() == [True, False, True, False]
    assert unsure["advice"].tolist()[:3] == [
        "usable; spot-check",
        "code by hand: cross-validated kappa 0.31 < 0.40",
        "usable; check more of it: kappa 0.90, 95 % interval 0.35–1.00 reaches below 0.40",
    ]
    with pytest.raises(ValueError, match="min_kappa"):
        theme_trust(cv, min_kappa=1.5)


def test_origin_intervals_bound_the_kappa_the_coding_view_shows(labelled):
    """The out-of-fold decisions kept per code give back the kappa :func:`origin_kappa` reports for the
    chosen coder, and its interval over the coded transcripts holds it."""
    from toolkit.coding.learn import _kappa, origin_kappa

    book, units, labels = labelled
    learner = ThemeLearner(book, seed=0).fit(units["text"].tolist(), labels, groups=units["source"].tolist())
    shown = origin_kappa(learner.cv_kappa_, learner.origin_)
    intervals = learner.origin_intervals()
    assert set(intervals) == set(shown) == set(learner.code_ids_)
    key = {"rule": "rules", "learned": "learned", "adapted": "adapted"}
    for code, (low, high) in intervals.items():
        decision = learner.oof_decisions_[code][key[learner.origin_[code]]]
        y = labels[code].to_numpy()
        assert _kappa(y, decision) == pytest.approx(shown[code])
        if y.sum() >= 3:
            assert low <= shown[code] + 1e-9 and shown[code] <= high + 1e-9
