"""Learned code suggestions from human coding (toolkit.coding.learn)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.coding.autocode import coded_units, to_indicator_matrix
from toolkit.coding.codebook import default_codebook_path, load_codebook
from toolkit.coding.learn import ThemeLearner
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
    """Done-when: mean cross-validated kappa >= 0.7 (folds grouped by transcript)."""
    book, units, labels = labelled
    cv = ThemeLearner(book, seed=0).cross_validate(
        units["text"].tolist(), labels, groups=units["source"].tolist()
    )
    assert list(cv["code_id"]) == book.ids
    assert cv["cv"].str.contains("grouped by transcript").all()
    assert cv["kappa"].mean() >= 0.7


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
    assert learner.models_["helhet"] is None
    assert (learner.predict(units["text"].head(3).tolist())["helhet"] == 0).all()


@pytest.mark.parametrize("kwargs", [{"C": 0}, {"folds": 1}, {"min_positive": 0}])
def test_parameters_are_validated(labelled, kwargs):
    with pytest.raises(ValueError):
        ThemeLearner(labelled[0], **kwargs)
