"""Logistic regression by Newton–Raphson, fast on a million rows: the fit and its cross-fitting.

Speed code, fenced off from :mod:`toolkit.deviance.risk`, which only asks for probabilities. Why hand-written:
phase 2 fits the same small model dozens of times on up to a million rows (five folds × five stability seeds,
plus the benchmark refits). Newton needs a handful of passes over the data (two or three from a warm start)
where L-BFGS needs dozens, and a register whose risk factors are mostly categorical has far fewer distinct
covariate patterns than rows, so every pass runs over the patterns with their counts as weights.
The same fit as a scikit-learn estimator is :class:`toolkit.deviance.logit_estimator.NewtonLogit`, in its
own module because importing scikit-learn costs about 0.6 s and phase 2 on a large register runs its
logistic fits without it (its scikit-learn work runs in the helper process);
``tests/test_deviance_logit.py`` checks both against statsmodels' GLM on the same data and weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_EPS = 1e-6


def fit_logistic_newton(
    X: np.ndarray,
    y: np.ndarray,
    *,
    ridge: float = 1e-6,
    init: np.ndarray | None = None,
    sample_weight: np.ndarray | None = None,
    fixed_hessian: np.ndarray | None = None,
    max_iter: int = 50,
    tol: float = 1e-6,
) -> np.ndarray:
    """Intercept and slopes of a logistic regression by Newton–Raphson (IRLS), with a tiny ridge on the
    slopes.

    Hand-written because phase 2 fits the same small model dozens of times on up to a million rows: Newton
    needs a handful of passes over the data (two or three from a warm start), where L-BFGS needs dozens. The
    ridge (``ridge * n`` on standardised columns, 1e-6 by default) changes nothing in practice but keeps the
    fit finite under perfect separation. The problem is convex, so the result does not depend on ``init``.
    ``sample_weight`` weights the rows: phase 2 passes each distinct covariate pattern once with its row count
    as weight and its success rate as ``y``, which is the same likelihood as the rows themselves (see
    :class:`LogitState`); weights of 0/1 fit on a subset of rows without copying the matrix.
    ``fixed_hessian`` (e.g. the all-rows Hessian scaled to the fold size) replaces the per-iteration Hessian:
    each step then costs two passes over the data instead of four, and from a warm start the iteration still
    converges to the exact fold optimum (the gradient, not the Hessian, decides where it stops).
    """
    n, p = X.shape
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    n_eff = n if sw is None else float(sw.sum())
    beta = np.zeros(p + 1) if init is None else np.asarray(init, dtype=np.float64).copy()
    if init is None:
        mean = float(np.clip(np.average(y, weights=sw), 1e-6, 1 - 1e-6))
        beta[0] = np.log(mean / (1 - mean))
    penalty = np.full(p + 1, ridge * n_eff)
    penalty[0] = 0.0

    def objective(eta: np.ndarray, coef: np.ndarray) -> float:
        """Penalised negative log-likelihood (what each step must decrease)."""
        rows = np.logaddexp(0.0, eta) - y * eta
        total = rows.sum() if sw is None else rows @ sw
        return float(total + 0.5 * np.sum(penalty * coef**2))

    eta = beta[0] + X @ beta[1:]
    loss = (
        objective(eta, beta) if fixed_hessian is None else 0.0
    )  # full steps with a fixed Hessian: no line search
    for _ in range(max_iter):
        mu = 1.0 / (1.0 + np.exp(-np.clip(eta, -30, 30)))
        w = mu * (1.0 - mu)
        resid = y - mu
        if sw is not None:
            w = w * sw
            resid = resid * sw
        grad = np.empty(p + 1)
        grad[0] = resid.sum()
        grad[1:] = X.T @ resid
        grad -= penalty * beta
        if fixed_hessian is not None:
            hess = fixed_hessian
        else:
            hess = logistic_hessian(X, w)
            hess[np.diag_indices_from(hess)] += penalty
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        # Step halving: plain Newton can overshoot and diverge (e.g. 185 treated among 16,000 controls). With
        # a
        # fixed Hessian the iteration starts next to the optimum (a fold of an all-rows fit) and takes full
        # steps.
        size = 1.0
        if fixed_hessian is not None:
            beta = beta + step
            eta = beta[0] + X @ beta[1:]
            if np.max(np.abs(step)) < tol:
                break
            continue
        while True:
            candidate = beta + size * step
            eta_c = candidate[0] + X @ candidate[1:]
            loss_c = objective(eta_c, candidate)
            if loss_c <= loss + 1e-10 * abs(loss) or size < 1e-6:
                break
            size /= 2
        beta, eta, loss = candidate, eta_c, loss_c
        if np.max(np.abs(size * step)) < tol:
            break
    return beta


def logistic_hessian(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``A' diag(w) A`` for ``A = [1, X]``: the observed information of a logistic regression."""
    p = X.shape[1]
    Xw = X * w[:, None]
    hess = np.empty((p + 1, p + 1))
    hess[0, 0] = w.sum()
    hess[0, 1:] = hess[1:, 0] = Xw.sum(axis=0)
    hess[1:, 1:] = X.T @ Xw
    return hess


def row_patterns(X: np.ndarray, start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Index of each row's covariate pattern (distinct row of ``X``) and the first row showing each pattern.

    Patterns are numbered in order of first appearance, so the numbering depends only on the data. ``start``
    (pattern indices of the first columns, from an earlier call) saves re-coding those columns. Each column is
    hash-coded with :func:`pandas.factorize` and the codes combined in mixed radix, re-coding the running key
    whenever it could overflow, so this costs a few passes over the rows rather than a row sort.
    """
    n = X.shape[0]
    key = np.zeros(n, dtype=np.int64) if start is None else np.asarray(start, dtype=np.int64)
    levels = 1 if start is None else int(key.max(initial=0)) + 1
    for j in range(X.shape[1]):
        codes, uniques = pd.factorize(X[:, j])
        if levels * len(uniques) >= 2**62:
            key, found = pd.factorize(key)
            levels = len(found)
        key = key * len(uniques) + codes
        levels *= len(uniques)
    index, found = pd.factorize(key)
    first = np.empty(len(found), dtype=np.intp)
    first[index[::-1]] = np.arange(n - 1, -1, -1)
    return index.astype(np.intp), first


@dataclass
class LogitState:
    """The shared start of every logistic cross-fit on one design: patterns, standardisation, all-rows fit.

    ``patterns`` holds each distinct row of the standardised design once (column-major) and ``row_pattern``
    each row's pattern. The log-likelihood of a logistic regression depends on the rows only through the
    number of rows and of successes per pattern, so every Newton pass runs over the patterns with those
    counts as weights: exactly the same fit as on the rows (up to the order of floating-point sums), and on a
    register whose risk factors are mostly categorical there are far fewer patterns than rows (a million
    synthetic rows with two continuous scores: about 380,000).
    ``folds`` keeps the fold splits already drawn for these rows and outcomes (by number of folds and seed),
    shared with the states derived from this one: the benchmark refits use the main run's seed.
    """

    patterns: np.ndarray
    row_pattern: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    start: np.ndarray
    hessian: np.ndarray
    folds: dict[tuple[int, int], list[np.ndarray]] = field(default_factory=dict)


def _pattern_mean_scale(raw: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations of the rows, computed from their distinct rows and counts.

    The same figures as ``X.mean(axis=0)`` and ``X.std(axis=0)`` from a fraction of the work; a constant
    column gets scale 1 (it then stays constant at 0 after standardising).
    """
    n = counts.sum()
    mean = counts @ raw / n
    scale = np.sqrt(counts @ (raw - mean) ** 2 / n)
    constant = raw.min(axis=0, initial=np.inf) == raw.max(axis=0, initial=-np.inf)
    return mean, np.where(constant | ~(scale > 0), 1.0, scale)


def logit_state(X: np.ndarray, y: np.ndarray, base: LogitState | None = None) -> LogitState:
    """Distinct standardised rows, their means and scales, the all-rows fit and its Hessian: the start of
    every fold.

    The stability seeds re-cross-fit the same design with different fold splits, so :func:`fit_risk` computes
    this once per design and passes it to every run instead of once per seed. ``base`` is the state of a
    design whose columns are the first columns of ``X`` (see :func:`extended_state`).
    """
    if base is not None and base.patterns.shape[1] <= X.shape[1]:
        return extended_state(base, X[:, base.patterns.shape[1] :], y)
    row_pattern, first = row_patterns(X)
    counts = np.bincount(row_pattern, minlength=len(first)).astype(np.float64)
    raw = X[first].astype(np.float64)
    mean, scale = _pattern_mean_scale(raw, counts)
    patterns = np.asfortranarray((raw - mean) / scale)
    folds = base.folds if base is not None else {}
    return _fitted_state(patterns, row_pattern, counts, y, mean, scale, init=None, folds=folds)


def extended_state(base: LogitState, added: np.ndarray, y: np.ndarray) -> LogitState:
    """The state of ``base``'s design with the columns ``added`` after its own (the benchmark refits add unit
    indicators): its patterns and standardisation are reused and its fit is the starting point, with 0 for
    the added columns. Only the added columns are passed, so the full matrix is never copied to add them.
    """
    row_pattern, first = row_patterns(added, start=base.row_pattern)
    counts = np.bincount(row_pattern, minlength=len(first)).astype(np.float64)
    added_raw = added[first].astype(np.float64)
    added_mean, added_scale = _pattern_mean_scale(added_raw, counts)
    k = base.patterns.shape[1]
    # column-major: the Newton passes are matrix-vector products, about 3x faster on column-major data
    patterns = np.empty((len(first), k + added.shape[1]), order="F")
    patterns[:, :k] = base.patterns[base.row_pattern[first]]
    patterns[:, k:] = (added_raw - added_mean) / added_scale
    init = np.r_[base.start, np.zeros(added.shape[1])]
    mean, scale = np.r_[base.mean, added_mean], np.r_[base.scale, added_scale]
    return _fitted_state(patterns, row_pattern, counts, y, mean, scale, init=init, folds=base.folds)


def _fitted_state(
    patterns: np.ndarray,
    row_pattern: np.ndarray,
    counts: np.ndarray,
    y: np.ndarray,
    mean: np.ndarray,
    scale: np.ndarray,
    *,
    init: np.ndarray | None,
    folds: dict,
) -> LogitState:
    """The all-rows fit on the patterns (successes per pattern as rates, counts as weights), its Hessian."""
    successes = np.bincount(row_pattern, weights=y, minlength=len(counts))
    start = fit_logistic_newton(patterns, successes / counts, sample_weight=counts, init=init)
    mu = 1.0 / (1.0 + np.exp(-np.clip(start[0] + patterns @ start[1:], -30, 30)))
    hessian = logistic_hessian(patterns, counts * mu * (1 - mu))
    return LogitState(patterns, row_pattern, mean, scale, start, hessian, folds)


def cross_fit_logit(
    X: np.ndarray,
    y: np.ndarray,
    test_folds: Sequence[np.ndarray],
    zero_at_prediction: Sequence[int],
    state: LogitState | None = None,
) -> np.ndarray:
    """Cross-fitted logistic regression, fast: one standardisation, folds as pattern counts, warm-started
    Newton.

    Each fold is fitted on its training rows' counts per covariate pattern (see :class:`LogitState`), which is
    the same likelihood as the training rows themselves. Every fold's Newton iterations start from the
    all-rows fit and converge to the fold's own optimum (the problem is convex), so no row's outcome reaches
    its own prediction; the warm start only saves passes (two or three per fold instead of six).
    Standardising with all rows' means uses no outcomes.
    """
    state = state if state is not None else logit_state(X, y)
    patterns, row_pattern = state.patterns, state.row_pattern
    n_patterns = len(patterns)
    yf = y.astype(np.float64)
    zero = list(zero_at_prediction)
    predict_at = patterns
    if zero:
        predict_at = patterns.copy(order="F")
        predict_at[:, zero] = -state.mean[zero] / state.scale[zero]
    p = np.empty(len(y), dtype=np.float64)
    all_counts = np.bincount(row_pattern, minlength=n_patterns).astype(np.float64)
    all_successes = np.bincount(row_pattern, weights=yf, minlength=n_patterns)
    for test in test_folds:
        # training counts = all rows' counts minus the (smaller) test fold's: whole numbers, so exact
        test_pattern = row_pattern[test]
        counts = all_counts - np.bincount(test_pattern, minlength=n_patterns)
        successes = all_successes - np.bincount(test_pattern, weights=yf[test], minlength=n_patterns)
        rate = np.divide(successes, counts, out=np.zeros(n_patterns), where=counts > 0)
        share = (len(y) - len(test)) / len(y)
        beta = fit_logistic_newton(
            patterns,
            rate,
            init=state.start,
            sample_weight=counts,
            fixed_hessian=state.hessian * share,
            tol=1e-5,
        )
        p_pattern = 1.0 / (1.0 + np.exp(-np.clip(beta[0] + predict_at @ beta[1:], -30, 30)))
        p[test] = p_pattern[test_pattern]
    return np.clip(p, _EPS, 1 - _EPS)
