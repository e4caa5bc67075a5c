"""The hand-written Newton logistic regression against statsmodels, and as a scikit-learn estimator."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.base import clone

from toolkit.deviance.logit import cross_fit_logit, extended_state, logit_state
from toolkit.deviance.logit_estimator import NewtonLogit


def _data(n: int = 4000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(50, 10, n), rng.integers(0, 2, n), rng.integers(0, 4, n)]).astype(float)
    eta = -4 + 0.06 * X[:, 0] - 0.8 * X[:, 1] + 0.3 * X[:, 2]
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def test_coefficients_equal_statsmodels_glm() -> None:
    X, y = _data()
    model = NewtonLogit().fit(X, y)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit()
    np.testing.assert_allclose(model.intercept_[0], reference.params[0], rtol=1e-4)
    np.testing.assert_allclose(model.coef_[0], reference.params[1:], rtol=1e-4)
    np.testing.assert_allclose(
        model.predict_proba(X)[:, 1], reference.fittedvalues, atol=1e-5
    )  # the tiny ridge


def test_sample_weight_equals_statsmodels_frequency_weights() -> None:
    X, y = _data(seed=8)
    weights = np.random.default_rng(1).integers(1, 5, len(y)).astype(float)
    model = NewtonLogit().fit(X, y, sample_weight=weights)
    reference = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), freq_weights=weights).fit()
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_[0]], reference.params, rtol=1e-4)
    repeated = NewtonLogit().fit(np.repeat(X, weights.astype(int), axis=0), np.repeat(y, weights.astype(int)))
    np.testing.assert_allclose(model.coef_, repeated.coef_, rtol=1e-6)  # a weight of 3 is three rows


def test_is_a_scikit_learn_estimator() -> None:
    X, y = _data(n=500)
    model = NewtonLogit(ridge=1e-3)
    copy = clone(model)
    assert copy.get_params() == {"ridge": 1e-3, "max_iter": 50, "tol": 1e-6}
    fitted = copy.fit(X, y)
    assert fitted.predict(X).shape == (500,)
    assert 0.5 < fitted.score(X, y) <= 1.0


def test_pattern_cross_fit_equals_fitting_each_fold_on_its_rows() -> None:
    """The fast cross-fit (counts per covariate pattern, warm start) gives each fold's own fit."""
    X, y = _data(n=3000, seed=11)
    X[:, 0] = np.round(X[:, 0] / 5)  # few patterns, as in a register of categories
    folds = np.array_split(np.random.default_rng(2).permutation(len(y)), 4)
    fast = cross_fit_logit(X, y, folds, zero_at_prediction=[], state=logit_state(X, y))
    for test in folds:
        train = np.setdiff1d(np.arange(len(y)), test)
        slow = NewtonLogit().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
        np.testing.assert_allclose(fast[test], slow, atol=1e-5)


def test_an_extended_state_is_the_state_of_the_whole_design() -> None:
    """The benchmark refits add unit indicators to a fitted design by its added columns alone; the start,
    patterns and cross-fit must be those of the design with the columns stacked on."""
    X, y = _data(n=3000, seed=13)
    X[:, 0] = np.round(X[:, 0] / 5)
    unit = np.random.default_rng(4).integers(0, 6, len(y))
    added = np.column_stack([unit == 2, unit == 5]).astype(float)
    whole = np.column_stack([X, added])
    extended, direct = extended_state(logit_state(X, y), added, y), logit_state(whole, y)
    np.testing.assert_allclose(extended.start, direct.start, atol=1e-7)
    assert len(extended.patterns) == len(direct.patterns)
    folds = np.array_split(np.random.default_rng(3).permutation(len(y)), 5)
    np.testing.assert_allclose(
        cross_fit_logit(X, y, folds, [3, 4], state=extended),
        cross_fit_logit(whole, y, folds, [3, 4]),
        atol=1e-6,
    )


@pytest.mark.parametrize("separated", [True])
def test_perfect_separation_stays_finite(separated: bool) -> None:
    X = np.arange(20, dtype=float)[:, None]
    y = (X[:, 0] >= 10).astype(float)
    model = NewtonLogit().fit(X, y)
    assert np.isfinite(model.coef_).all() and model.predict(X).tolist() == y.astype(int).tolist()
