"""The Newton–Raphson logistic regression of :mod:`toolkit.deviance.logit` as a scikit-learn estimator.

A module of its own so that :mod:`toolkit.deviance.logit` imports no scikit-learn: ``pdtk phase2`` on a large
register fits every logistic model through the functions there, and importing scikit-learn (with SciPy's
statistics) costs about 0.6 s of a run whose budget is a few seconds. Whoever wants the estimator API —
``clone``, ``get_params``, pipelines, ``sample_weight`` — imports it from here.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from toolkit.deviance.logit import fit_logistic_newton


class NewtonLogit(ClassifierMixin, BaseEstimator):
    """Logistic regression (intercept and slopes) by Newton–Raphson on standardised columns, tiny ridge.

    A scikit-learn estimator: ``clone``, ``get_params`` and pipelines work, ``fit`` takes ``sample_weight``
    (frequency weights: a row of weight 3 counts as three rows), ``predict_proba`` gives both classes.
    ``ridge`` (times the weighted row count, on standardised columns) only keeps the fit finite under perfect
    separation; at the default 1e-6 the coefficients equal the maximum-likelihood ones to about six digits.
    ``coef_`` and ``intercept_`` are on the original scale of ``X``.
    """

    def __init__(self, ridge: float = 1e-6, max_iter: int = 50, tol: float = 1e-6) -> None:
        self.ridge = ridge
        self.max_iter = max_iter
        self.tol = tol

    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
        init: np.ndarray | None = None,
    ) -> NewtonLogit:
        """Fit on ``X`` and 0/1 (or, with weights, rate) ``y``; ``init`` warm-starts on the standardised
        scale."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        weights = np.ones(len(y)) if sw is None else sw
        self.mean_ = weights @ X / weights.sum()
        scale = np.sqrt(weights @ (X - self.mean_) ** 2 / weights.sum())
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.coef_std_ = fit_logistic_newton(
            (X - self.mean_) / self.scale_,
            y,
            ridge=self.ridge,
            init=init,
            sample_weight=sw,
            max_iter=self.max_iter,
            tol=self.tol,
        )
        slopes = self.coef_std_[1:] / self.scale_
        self.coef_ = slopes[None, :]
        self.intercept_ = np.array([self.coef_std_[0] - self.mean_ @ slopes])
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """The linear predictor (log odds of class 1)."""
        return self.intercept_[0] + np.asarray(X, dtype=np.float64) @ self.coef_[0]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities of class 0 and class 1, one row each."""
        p = 1.0 / (1.0 + np.exp(-np.clip(self.decision_function(X), -30, 30)))
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class 1 where its probability is at least one half."""
        return (self.decision_function(X) >= 0).astype(int)


__all__ = ["NewtonLogit"]
