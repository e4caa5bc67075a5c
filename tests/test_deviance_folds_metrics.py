"""Phase 2's own fold splits and model scores against the scikit-learn/SciPy functions they stand in for.

``toolkit.deviance.folds`` and ``toolkit.deviance.metrics`` exist so that ``pdtk phase2`` does not import
scikit-learn in its own process (0.6 s); these tests pin them to the library on generated data.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from toolkit.deviance.folds import stratified_test_folds
from toolkit.deviance.metrics import average_ranks, brier_score, roc_auc
from toolkit.deviance.propensity import _standardised


def _library_folds(y: np.ndarray, n_splits: int, seed: int) -> list[np.ndarray]:
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(y)), y)]


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(min_value=12, max_value=400),
    share=st.floats(min_value=0.05, max_value=0.95),
    n_splits=st.integers(min_value=2, max_value=6),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    data_seed=st.integers(min_value=0, max_value=1000),
)
def test_the_folds_are_scikit_learns_for_any_outcome_fold_count_and_seed(n, share, n_splits, seed, data_seed):
    y = (np.random.default_rng(data_seed).random(n) < share).astype(np.int8)
    if min(y.sum(), n - y.sum()) < n_splits:
        return  # scikit-learn warns and still splits; covered below
    ours, theirs = stratified_test_folds(y, n_splits, seed), _library_folds(y, n_splits, seed)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_folds_agree_on_a_large_register_with_three_classes_and_warn_and_refuse_as_scikit_learn():
    y = np.random.default_rng(5).integers(0, 3, size=200_000)
    for a, b in zip(stratified_test_folds(y, 5, 2021), _library_folds(y, 5, 2021), strict=True):
        np.testing.assert_array_equal(a, b)
    rare = np.array([0] * 30 + [1] * 3)
    with pytest.warns(UserWarning, match="least populated class"):
        ours = stratified_test_folds(rare, 5, 1)
    with pytest.warns(UserWarning):
        theirs = _library_folds(rare, 5, 1)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="cannot be greater"):
        stratified_test_folds(np.array([0, 0, 1, 1]), 5, 0)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=500),
    distinct=st.integers(min_value=1, max_value=50),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_auc_brier_and_ranks_equal_the_librarys_with_and_without_ties(n, distinct, seed):
    rng = np.random.default_rng(seed)
    p = rng.integers(0, distinct, size=n) / distinct  # few distinct values: many ties
    y = (rng.random(n) < 0.4).astype(np.int8)
    np.testing.assert_array_equal(average_ranks(p), rankdata(p, method="average"))
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-15)
    if 0 < y.sum() < n:
        assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    else:
        with pytest.raises(ValueError, match="Only one class"):
            roc_auc(y, p)


def test_auc_equals_the_librarys_on_a_million_continuous_probabilities():
    rng = np.random.default_rng(1)
    p = rng.random(1_000_000)
    y = (rng.random(1_000_000) < p).astype(np.int8)
    assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_the_propensity_design_is_standardised_as_standard_scaler_does_constant_columns_included():
    rng = np.random.default_rng(3)
    X = np.column_stack(
        [rng.normal(5, 2, 1000), rng.integers(0, 2, 1000), np.full(1000, 7.0), np.zeros(1000)]
    )
    np.testing.assert_allclose(_standardised(X), StandardScaler().fit_transform(X), rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(1, 300), runs=st.integers(1, 12), seed=st.integers(0, 10_000))
def test_the_row_sd_of_the_stability_runs_is_numpys_bit_for_bit(rows, runs, seed):
    from toolkit.deviance.individuals import row_sd

    p = np.random.default_rng(seed).random((rows, runs))
    np.testing.assert_array_equal(row_sd(p), p.std(axis=1, ddof=0))


def test_the_calibration_bins_are_pandas_first_rank_quantile_bins_with_ties():
    import pandas as pd

    from toolkit.deviance.risk import calibration_table

    rng = np.random.default_rng(8)
    for n in (1, 3, 9, 10, 11, 57, 5_000):
        p = rng.integers(0, 7, size=n) / 7  # heavy ties: the first-rank tie order matters
        y = (rng.random(n) < 0.5).astype(np.int8)
        binned = pd.qcut(pd.Series(p).rank(method="first"), q=min(10, n), labels=False)
        expected = (
            pd.DataFrame({"bin": binned.to_numpy(), "p": p, "y": y})
            .groupby("bin")
            .agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
            .reset_index()
        )
        pd.testing.assert_frame_equal(calibration_table(y, p), expected, check_exact=True)
