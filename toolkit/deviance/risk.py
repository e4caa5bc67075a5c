"""Expected outcomes: what each young person's chance of the good outcome was, given only their risk factors.

Positive deviance is "better than expected", so everything rests on the expectation. Three rules keep it
honest:

* **Cross-fitting.** A person's expected probability comes from a model fitted on the *other* folds. A model
  that has seen a person's own outcome partly predicts it, which shrinks exactly the surprises we look for
  (an in-sample flexible model can memorise them away entirely; ``tests/test_deviance_risk.py`` shows it).
* **Only the controls.** The design matrix holds the protocol's risk factors and nothing else: units are where
  deviance is sought, and every other column is kept for *describing* deviants, never adjusted away.
* **Timing.** A "risk factor" measured after the outcome is a consequence of it; the protocol's
  ``deviance.timing`` can say so, and then the factor is refused.

Two model families are offered: a logistic regression (a GLM whose odds ratios go into the report) and
gradient boosting (scikit-learn's histogram boosting, which finds interactions and non-linearities on its own
and is fast on a million rows). ``model: auto`` keeps the logistic regression unless boosting's
cross-validated
log loss is better by more than twice the standard error of the paired difference: the simpler model wins
ties, because its odds ratios can be read.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from toolkit.background import Answer, HelperProcess
from toolkit.deviance.folds import stratified_test_folds
from toolkit.deviance.logit import LogitState, cross_fit_logit, extended_state, logit_state
from toolkit.deviance.logit import (
    fit_logistic_newton as fit_logistic_newton,  # re-export: deviance.propensity
)
from toolkit.deviance.metrics import brier_score, roc_auc
from toolkit.deviance.units import Coded, codes_of
from toolkit.errors import InputDataError, ProtocolError
from toolkit.progress import track

MODELS = ("logit", "boosting")
_EPS = 1e-6
_MAX_LEVELS = 30


# ---------------------------------------------------------------------------------------------------------
# input checks


def check_outcome(frame: pd.DataFrame, outcome: str) -> np.ndarray:
    """Return the outcome as an int8 array, refusing anything that is not a 0/1 column without gaps."""
    if outcome not in frame.columns:
        raise InputDataError(
            f"outcome column '{outcome}' is not in the register", fix="check 'outcome:' in the protocol"
        )
    values = frame[outcome]
    if pd.api.types.is_bool_dtype(values):
        values = values.astype("Int8")
    numeric = pd.to_numeric(values, errors="coerce")
    bad_text = numeric.isna() & values.notna()
    if bad_text.any():
        row = int(np.flatnonzero(bad_text.to_numpy())[0])
        raise InputDataError(
            f"outcome column '{outcome}' must be 0/1; row {row + 1} is not a number",
            fix="recode the outcome as 1 = good outcome, 0 = not",
        )
    if numeric.isna().any():
        row = int(np.flatnonzero(numeric.isna().to_numpy())[0])
        raise InputDataError(
            f"outcome column '{outcome}' is missing in row {row + 1} ({int(numeric.isna().sum())} rows in "
            f"all)",
            fix="drop rows without an outcome with the protocol's 'population:' filter, or recode them",
        )
    if not numeric.isin([0, 1]).all():
        row = int(np.flatnonzero(~numeric.isin([0, 1]).to_numpy())[0])
        raise InputDataError(
            f"outcome column '{outcome}' must be 0/1; row {row + 1} has another value",
            fix="recode the outcome as 1 = good outcome, 0 = not",
        )
    y = numeric.to_numpy(dtype=np.int8)
    if y.min() == y.max():
        raise InputDataError(
            f"outcome column '{outcome}' has only the value {int(y[0])}",
            fix="an expectation needs both successes and failures; check the population filter",
        )
    return y


def check_risk_factors(
    frame: pd.DataFrame,
    risk_factors: Sequence[str],
    *,
    outcome: str,
    units: Sequence[str] = (),
    timing: dict[str, str] | None = None,
) -> list[str]:
    """Refuse risk factors that are missing, duplicate the outcome or a unit, or were measured after the
    outcome."""
    risk_factors = list(risk_factors)
    if not risk_factors:
        raise ProtocolError("'risk_factors:' is empty", fix="list the controls the expectation adjusts for")
    timing = dict(timing or {})
    for name in timing:
        if name not in risk_factors:
            raise ProtocolError(
                f"key 'deviance.timing' names '{name}', which is not a risk factor",
                fix="timing is only needed for the columns listed under 'risk_factors:'",
            )
    for name in risk_factors:
        if name not in frame.columns:
            raise InputDataError(
                f"risk factor '{name}' is not a column of the register",
                fix="check 'risk_factors:' in the protocol",
            )
        if name == outcome:
            raise ProtocolError(
                f"the outcome '{name}' is also listed as a risk factor", fix="remove it from 'risk_factors:'"
            )
        if name in units:
            raise ProtocolError(
                f"'{name}' is both a risk factor and a unit",
                fix="units are where deviance is sought; adjusting for them would remove what we look for",
            )
        if timing.get(name) == "after":
            raise ProtocolError(
                f"risk factor '{name}' is marked as measured after the outcome (deviance.timing)",
                fix="remove it from 'risk_factors:'; a consequence of the outcome cannot explain it away",
            )
    return risk_factors


# ---------------------------------------------------------------------------------------------------------
# design matrix


def _is_categorical(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


@dataclass
class RiskDesign:
    """Turn risk-factor columns into a numeric matrix: one-hot categories, imputed numbers with indicators.

    Missing numbers are replaced by the median and flagged with an indicator column, so "not recorded" can
    carry its own risk (in registers it often does) instead of dropping the person. A missing category is its
    own level. Rare levels beyond the 30 most common are pooled as ``(other)``. Only the columns' own values
    are used, never the outcome, so fitting the design on the whole register does not leak outcomes.
    """

    risk_factors: list[str]
    numeric_: dict[str, float] = field(default_factory=dict)
    missing_indicator_: list[str] = field(default_factory=list)
    levels_: dict[str, list[str]] = field(default_factory=dict)
    reference_: dict[str, str] = field(default_factory=dict)
    feature_names_: list[str] = field(default_factory=list)

    def fit(self, frame: pd.DataFrame) -> RiskDesign:
        self.numeric_, self.missing_indicator_, self.levels_, self.reference_ = {}, [], {}, {}
        names: list[str] = []
        for col in self.risk_factors:
            series = frame[col]
            if _is_categorical(series):
                text = series.astype("string").fillna("(missing)")
                counts = text.value_counts()
                kept = [str(v) for v in counts.index[:_MAX_LEVELS]]
                if len(counts) > _MAX_LEVELS:
                    kept.append("(other)")
                reference = kept[0]
                self.levels_[col] = kept
                self.reference_[col] = reference
                names.extend(f"{col}={level}" for level in kept if level != reference)
            else:
                values = pd.to_numeric(series, errors="coerce").astype("float64")
                median = float(values.median()) if values.notna().any() else 0.0
                self.numeric_[col] = median
                names.append(col)
                if values.isna().any():
                    self.missing_indicator_.append(col)
                    names.append(f"{col}__missing")
        self.feature_names_ = names
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        n = len(frame)
        out = np.empty((n, len(self.feature_names_)), dtype=np.float64)
        j = 0
        for col in self.risk_factors:
            if col in self.levels_:
                # each distinct text is compared with the levels once, not a million times per level
                codes, distinct = pd.factorize(frame[col].astype("string").fillna("(missing)"))
                levels = self.levels_[col]
                known = set(levels)
                shown = [str(v) if "(other)" not in known or str(v) in known else "(other)" for v in distinct]
                for level in levels:
                    if level == self.reference_[col]:
                        continue
                    out[:, j] = np.array([v == level for v in shown], dtype=bool)[codes]
                    j += 1
            else:
                values = pd.to_numeric(frame[col], errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
                missing = np.isnan(values)
                out[:, j] = np.where(missing, self.numeric_[col], values)
                j += 1
                if col in self.missing_indicator_:
                    out[:, j] = missing
                    j += 1
        return out

    def fit_transform(self, frame: pd.DataFrame) -> np.ndarray:
        return self.fit(frame).transform(frame)

    def roles(self) -> pd.DataFrame:
        """One row per risk factor: how it enters the model (for the report's roles table)."""
        rows = []
        for col in self.risk_factors:
            if col in self.levels_:
                how = f"categorical, {len(self.levels_[col])} levels, reference '{self.reference_[col]}'"
            else:
                how = "numeric" + (
                    ", median-imputed with a missing indicator" if col in self.missing_indicator_ else ""
                )
            rows.append({"variable": col, "role": "risk factor (adjusted for)", "coding": how})
        return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------------
# estimators


def make_estimator(model: str | Any, seed: int = 0) -> Any:
    """A fresh scikit-learn classifier for ``model`` ('logit', 'boosting' or an estimator to clone).

    scikit-learn is imported here, when an estimator is asked for, not with this module: the logistic
    cross-fits of a large register never ask (see :func:`cross_fitted_probabilities`)."""
    if not isinstance(model, str):
        if not (hasattr(model, "fit") and hasattr(model, "predict_proba")):
            raise TypeError("model must be 'logit', 'boosting' or a classifier with fit and predict_proba")
        from sklearn.base import clone

        estimator = clone(model)
        if "random_state" in estimator.get_params():
            estimator.set_params(random_state=seed)
        return estimator
    if model == "logit":
        from toolkit.deviance.logit_estimator import NewtonLogit

        return NewtonLogit()
    if model == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            learning_rate=0.1,
            max_iter=300,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=10,
            random_state=seed,
        )
    raise ValueError(f"model must be one of {MODELS} or an estimator, got {model!r}")


def _fit_predict(
    model: str | Any,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    seed: int,
    zero_at_prediction: Sequence[int] = (),
    init: np.ndarray | None = None,
) -> np.ndarray:
    estimator = make_estimator(model, seed)
    if len(zero_at_prediction):
        X_test = X_test.copy()
        X_test[:, list(zero_at_prediction)] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        if _is_newton_logit(estimator):
            estimator.fit(X_train, y_train, init=init)
        else:
            estimator.fit(X_train, y_train)
    return estimator.predict_proba(X_test)[:, 1]


def _is_newton_logit(model: str | Any) -> bool:
    """Whether ``model`` is this module's logistic regression (by name, or as an estimator), without
    importing scikit-learn for a name."""
    if isinstance(model, str):
        return model == "logit"
    from toolkit.deviance.logit_estimator import NewtonLogit

    return isinstance(model, NewtonLogit)


def cross_fitted_probabilities(
    X: np.ndarray,
    y: np.ndarray,
    *,
    model: str | Any = "logit",
    folds: int = 5,
    seed: int = 0,
    zero_at_prediction: Sequence[int] = (),
    state: LogitState | None = None,
) -> np.ndarray:
    """Probability of ``y == 1`` for every row from a model that never saw that row (K-fold cross-fitting).

    Folds are stratified on the outcome and shuffled with ``seed``, so a different seed gives a different
    split; :func:`fit_risk` repeats this over several seeds to measure how stable each flag is. Columns listed
    in ``zero_at_prediction`` (benchmark indicators, see :func:`fit_risk`) are used in fitting and set to 0
    when predicting. ``state`` (from :func:`logit_state` on the same ``X`` and ``y``) skips recomputing the
    logistic start.
    """
    y = np.asarray(y)
    n_minority = int(min(y.sum(), len(y) - y.sum()))
    if folds > n_minority:
        raise InputDataError(
            f"{folds} cross-fitting folds need at least {folds} successes and {folds} failures; the data "
            f"have {n_minority}",
            fix="lower 'deviance.folds' or widen the population",
        )
    if _is_newton_logit(model):  # a name, or an estimator: cloning keeps its class, so ask it directly
        if state is None:
            return cross_fit_logit(X, y, stratified_test_folds(y, folds, seed), zero_at_prediction)
        if (folds, seed) not in state.folds:  # test rows only: a fold's training rows are all the others
            state.folds[(folds, seed)] = stratified_test_folds(y, folds, seed)
        return cross_fit_logit(X, y, state.folds[(folds, seed)], zero_at_prediction, state)
    p = np.empty(len(y), dtype=np.float64)
    every_row = np.arange(len(y))
    for test in stratified_test_folds(y, folds, seed):
        train = np.setdiff1d(every_row, test, assume_unique=True)
        p[test] = _fit_predict(model, X[train], y[train], X[test], seed, zero_at_prediction)
    return np.clip(p, _EPS, 1 - _EPS)


def in_sample_probabilities(
    X: np.ndarray, y: np.ndarray, *, model: str | Any = "logit", seed: int = 0
) -> np.ndarray:
    """Probabilities from one model fitted on every row, predicting the same rows.

    Not used by the pipeline: it exists so that tests and teaching material can show what cross-fitting
    prevents (a flexible model fitted in-sample explains successes away).
    """
    return np.clip(_fit_predict(model, X, y, X, seed), _EPS, 1 - _EPS)


def model_metrics(y: np.ndarray, p: np.ndarray, order: np.ndarray | None = None) -> dict[str, float]:
    """Log loss, Brier score and AUC of probabilities ``p`` for outcomes ``y`` (``order``: ``p``'s stable
    argsort, if already made)."""
    return {
        "log_loss": float(np.mean(_row_log_loss(y, np.clip(p, _EPS, 1 - _EPS)))),
        "brier": brier_score(y, p),
        "auc": roc_auc(y, p, order),
    }


def _row_log_loss(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    return -(y * np.log(p) + (1 - y) * np.log1p(-p))


def odds_ratio_table(
    X: np.ndarray,
    y: np.ndarray,
    feature_names: Sequence[str],
    *,
    state: LogitState | None = None,
    statsmodels_rows: int = 200_000,
) -> pd.DataFrame:
    """Odds ratios with 95 % Wald intervals of a binomial GLM on all rows (for reading, not flagging).

    Fitted on the whole register because the table describes the population; the probabilities that flag
    people always come from cross-fitting. Up to ``statsmodels_rows`` rows the GLM is statsmodels' (started
    from the Newton solution). Above that the same maximum-likelihood estimates and the same covariance
    (the inverse information ``(X'WX)^-1``) are taken from the Newton fit the cross-fitting already made,
    which saves a full IRLS pass over a million rows; ``tests/test_deviance_risk.py`` checks that both
    routes give the same table. Returns an empty table with a ``note`` when the fit fails (e.g. perfect
    separation) rather than failing the phase.
    """
    from scipy.special import ndtr, ndtri  # the normal distribution without importing scipy.stats (0.4 s)

    names = ["(intercept)", *feature_names]
    try:
        state = state if state is not None else logit_state(X, y)
        mean, scale, beta_std, hessian = state.mean, state.scale, state.start, state.hessian
        k = len(beta_std)
        # map standardised coefficients to the original scale: slope_j = b_j / s_j, intercept shifts by the
        # means
        T = np.zeros((k, k))
        T[0, 0] = 1.0
        T[0, 1:] = -mean / scale
        T[1:, 1:] = np.diag(1.0 / scale)
        params = T @ beta_std
        if len(y) <= statsmodels_rows:
            import statsmodels.api as sm

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = sm.GLM(y, sm.add_constant(X, has_constant="add"), family=sm.families.Binomial()).fit(
                    start_params=params
                )
            params, se = np.asarray(fit.params), np.asarray(fit.bse)
        else:
            cov = T @ np.linalg.inv(hessian) @ T.T
            se = np.sqrt(np.diag(cov))
    except Exception as exc:  # noqa: BLE001 - statsmodels/numpy raise several types; the report says why
        return pd.DataFrame(
            {
                "term": [],
                "odds_ratio": [],
                "ci_low": [],
                "ci_high": [],
                "p_value": [],
                "note": [str(exc)[:80]],
            }
        )
    z = ndtri(0.975)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "term": names,
                "odds_ratio": np.exp(params),
                "ci_low": np.exp(params - z * se),
                "ci_high": np.exp(params + z * se),
                "p_value": 2 * ndtr(-np.abs(params / se)),
            }
        )


# ---------------------------------------------------------------------------------------------------------
# the whole expected-outcome step


@dataclass
class RiskModelResult:
    """Cross-fitted expectations and everything the report says about the model that made them.

    ``p_runs`` has one column per stability seed (column 0 is the main run, seed ``seed``).
    """

    model: str
    p_expected: np.ndarray
    p_runs: np.ndarray
    comparison: pd.DataFrame
    metrics: dict[str, float]
    odds_ratios: pd.DataFrame
    design: RiskDesign
    seeds: list[int]
    calibration: pd.DataFrame
    X: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)
    logit_state: LogitState | None = field(default=None, repr=False)
    made_while_waiting: Any = field(default=None, repr=False)
    """The value of :func:`fit_risk`'s ``while_waiting`` on ``p_runs``, when it was made while boosting
    was fitted and the logistic model was chosen; else ``None``."""

    def reliability_plot(self):
        """Observed success rate against mean predicted probability by tenth of predicted probability."""
        from toolkit.deviance.figures import reliability

        return reliability(self.calibration, self.model)


def calibration_table(
    y: np.ndarray, p: np.ndarray, bins: int = 10, order: np.ndarray | None = None
) -> pd.DataFrame:
    """Mean prediction and observed rate per quantile bin of ``p`` (bins hold ~n/bins people each).

    People are ranked by ``p``, ties in order of appearance (``rank(method="first")``, from ``p``'s stable
    argsort ``order``, which :func:`model_metrics` shares), and the ranks cut into ``bins`` quantile bins.
    """
    order = np.argsort(p, kind="stable") if order is None else order
    first = np.empty(len(p), dtype=np.float64)
    first[order] = np.arange(1, len(p) + 1)
    binned = pd.qcut(pd.Series(first), q=min(bins, len(p)), labels=False)
    frame = pd.DataFrame({"bin": binned.to_numpy(), "p": p, "y": y})
    table = (
        frame.groupby("bin")
        .agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
        .reset_index()
    )
    return table


def _one_openmp_thread(function: Callable[..., np.ndarray], *args: Any, **kwargs: Any) -> np.ndarray:
    """Call ``function`` with OpenMP capped at one thread *in this thread*.

    OpenMP's thread count is a per-thread setting, so the cap that
    :func:`~toolkit.deviance.analysis.analyse_deviance` sets on the main thread does not reach a worker.
    Uncapped, histogram boosting on the worker spins two OpenMP threads against the logistic fits of the main
    thread: on a shared two-core machine its five model-selection fits on 50,000 rows took 6–38 s instead of
    1.5 s (measured 2026-12-05 under load 2–3).
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        return function(*args, **kwargs)


def _start_apart(
    name: str,
    Xs: np.ndarray,
    ys: np.ndarray,
    *,
    folds: int,
    seed: int,
    zero: Sequence[int],
    pool: Any,
    helper: HelperProcess | None,
) -> Future | Answer:
    """Start cross-fitting candidate ``name`` on the selection sample away from this thread.

    In the helper process when there is one: its scikit-learn is imported there (about 0.6 s this process
    then never spends) and its Python between the histogram calls does not take turns with this thread's
    logistic fits for the GIL; the sample is a few megabytes. Else on ``pool``'s worker thread. Either way
    with one OpenMP thread, so the probabilities are the same bits on both routes.
    """
    call = partial(
        _one_openmp_thread,
        cross_fitted_probabilities,
        Xs,
        ys,
        model=name,
        folds=folds,
        seed=seed,
        zero_at_prediction=tuple(zero),
    )
    if helper is not None and helper.apart:
        return helper.submit(call)
    return pool.submit(call)


def _compare_candidates(
    X: np.ndarray,
    y: np.ndarray,
    sample: np.ndarray,
    candidates: Sequence[str],
    *,
    folds: int,
    seed: int,
    stability_seeds: int,
    zero: Sequence[int],
    base_state: LogitState | None,
    while_waiting: Callable[[np.ndarray], Any] | None = None,
    helper: HelperProcess | None = None,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Cross-fit every candidate on ``sample``; with ``auto``, boosting runs apart meanwhile (in ``helper``'s
    process when it has one, else on a second thread: :func:`_start_apart`).

    Boosting's model-selection fits are the longest single step of phase 2 and its histogram code releases
    the GIL, so on a machine with two cores it runs on a background thread while this thread fits the
    logistic regression on the sample and then, speculatively, the all-rows logistic start and as many
    stability runs as it can before boosting is done. Every piece is a pure function of the data and its
    seed, so the results do not depend on which thread finished first: only the time does. If boosting wins
    the comparison, the speculative logistic work is simply unused. If every stability run is done and
    boosting is still running, ``while_waiting(runs)`` is called too (one column per stability seed, the
    main seed first: the logistic model's metrics and calibration, and the caller's own work on the runs —
    the main thread would otherwise sit idle). It must import nothing new: scikit-learn on the
    boosting thread looks ``polars`` up in ``sys.modules`` on every fit, and a module this thread is still
    importing there (statsmodels brings in polars) is half-built (an AttributeError, seen in notebook 02). So
    the odds ratios, whose small-register route imports statsmodels, are made after the join. Returns the
    sample probabilities per candidate and
    ``{"state": ..., "runs": {seed: probabilities}, "while_waiting": its value}`` (empty when nothing was
    speculated; no ``while_waiting`` key when it was not called).
    """
    from concurrent.futures import ThreadPoolExecutor

    Xs, ys = X[sample], y[sample]
    if "logit" not in candidates or len(candidates) == 1:
        return {
            name: cross_fitted_probabilities(
                Xs, ys, model=name, folds=folds, seed=seed, zero_at_prediction=zero
            )
            for name in candidates
        }, {}
    found: dict[str, np.ndarray] = {}
    speculative: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = {
            name: _start_apart(name, Xs, ys, folds=folds, seed=seed, zero=zero, pool=pool, helper=helper)
            for name in candidates
            if name != "logit"
        }
        found["logit"] = cross_fitted_probabilities(
            Xs, ys, model="logit", folds=folds, seed=seed, zero_at_prediction=zero
        )
        if len(sample) < len(y) or stability_seeds > 1:
            state = logit_state(X, y, base=base_state)
            runs: dict[int, np.ndarray] = {}
            for i in range(stability_seeds):
                if all(f.done() for f in pending.values()):
                    break
                s = seed + 1000 * i
                if s == seed and len(sample) == len(y):  # the sample is every row: already cross-fitted
                    runs[s] = found["logit"]
                    continue
                runs[s] = cross_fitted_probabilities(
                    X, y, model="logit", folds=folds, seed=s, zero_at_prediction=zero, state=state
                )
            speculative = {"state": state, "runs": runs}
            idle = len(runs) == stability_seeds and not all(f.done() for f in pending.values())
            if while_waiting is not None and idle:
                every_run = np.column_stack([runs[seed + 1000 * i] for i in range(stability_seeds)])
                speculative["while_waiting"] = while_waiting(every_run)
        for name, future in pending.items():
            found[name] = future.result()
    return {name: found[name] for name in candidates}, speculative


def fit_risk(
    frame: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: Sequence[str],
    model: str = "auto",
    folds: int = 5,
    seed: int = 0,
    stability_seeds: int = 1,
    units: Sequence[str] = (),
    timing: dict[str, str] | None = None,
    outside_benchmark: dict[str, Sequence[str]] | None = None,
    odds_ratios: bool = True,
    selection_rows: int = 50_000,
    metrics: bool = True,
    prepared: tuple[RiskDesign, np.ndarray, LogitState | None] | None = None,
    helper: HelperProcess | None = None,
    while_waiting: Callable[[np.ndarray], Any] | None = None,
    coded: Coded | None = None,
) -> RiskModelResult:
    """Check inputs, build the design, choose the model and cross-fit it over ``stability_seeds`` seeds.

    With ``model='auto'`` both families are cross-fitted on the main seed and compared on per-person log loss;
    the other seeds re-fit only the chosen family (different fold splits), which is what stability measures.
    On registers larger than ``selection_rows`` the comparison is made on a seeded random sample of that many
    rows (ample to see any difference in log loss that matters) and only the chosen family is cross-fitted on
    every row; this keeps a million-row register fast. ``odds_ratios=False`` skips the GLM table and
    ``metrics=False`` the calibration summaries (for the internal benchmark refits). ``helper`` (phase 2's
    helper process) makes boosting's comparison fits there (same result). ``while_waiting(p_runs)``, the
    caller's next step, is made while boosting is fitted, if it still is: ``made_while_waiting``.

    ``outside_benchmark`` (``{unit column: [units]}``) keeps units out of the *benchmark*: each gets an
    indicator column in the fit (so its own level is absorbed by its indicator rather than by the intercept),
    and every expectation is predicted with the indicators at 0, i.e. "as in an ordinary unit". Without this,
    a unit with a strong practice raises the intercept and so everybody else's expectation, making ordinary
    units look worse than they are (see :func:`toolkit.deviance.analysis.analyse_deviance`); ``coded`` has
    their columns' codes when the caller made them (:data:`~toolkit.deviance.units.Coded`)."""
    if model not in ("auto", *MODELS):
        raise ProtocolError(f"key 'deviance.model' must be auto, logit or boosting (got {model!r})")
    y = check_outcome(frame, outcome)
    risk_factors = check_risk_factors(frame, risk_factors, outcome=outcome, units=units, timing=timing)
    # design, matrix and logistic start of an earlier call on the same frame, or a new design
    design, X, base_state = prepared if prepared is not None else _new_design(frame, risk_factors)
    added, zero, benchmark_names = _benchmark_indicators(frame, X.shape[1], outside_benchmark or {}, coded)
    logistic_refit = base_state is not None and model == "logit"  # extends its start by the indicators alone
    if added.shape[1] and (not logistic_refit or odds_ratios):
        X = np.column_stack([X, added])

    candidates = list(MODELS) if model == "auto" else [model]
    sample = np.arange(len(y))
    if model == "auto" and len(y) > selection_rows:
        sample = np.sort(np.random.default_rng(seed).choice(len(y), size=selection_rows, replace=False))
    ys = y[sample]
    summaries = partial(_summaries, y, metrics=metrics)
    speculative: dict[str, Any] = {}
    if logistic_refit:  # nothing to compare; cross-fit once below, from the warm start
        first: dict[str, np.ndarray | None] = {"logit": None}
    else:
        first, speculative = _compare_candidates(
            X,
            y,
            sample,
            candidates,
            folds=folds,
            seed=seed,
            stability_seeds=stability_seeds,
            zero=zero,
            base_state=base_state,
            while_waiting=partial(_while_waiting, summaries, while_waiting),
            helper=helper,
        )
    comparison, chosen = _choose(first, ys, len(sample), auto=model == "auto")
    reused = len(sample) < len(y) or stability_seeds > 1
    state, done_runs = _logistic_start(chosen, speculative, X, y, base=base_state, added=added, reused=reused)
    if seed in done_runs:
        first[chosen] = done_runs[seed]
    elif len(sample) < len(y) or (base_state is not None and chosen == "logit"):
        first[chosen] = cross_fitted_probabilities(
            X, y, model=chosen, folds=folds, seed=seed, zero_at_prediction=zero, state=state
        )
    seeds = [seed + 1000 * i for i in range(stability_seeds)]
    runs = _stability_runs(X, y, first[chosen], chosen, seeds, done_runs, folds=folds, zero=zero, state=state)
    ready = speculative.get("while_waiting") if chosen == "logit" else None  # made while boosting ran
    (model_metric, calibration), made = ready or (summaries(runs[:, 0]), None)
    names = [*design.feature_names_, *benchmark_names]
    odds = odds_ratio_table(X, y, names, state=state) if odds_ratios else pd.DataFrame()
    return RiskModelResult(
        model=chosen,
        p_expected=runs[:, 0],
        p_runs=runs,
        comparison=comparison,
        metrics=model_metric,
        odds_ratios=odds,
        design=design,
        seeds=seeds,
        calibration=calibration,
        X=X[:, : len(design.feature_names_)],
        logit_state=state if not zero else None,
        made_while_waiting=made,
    )


def _new_design(frame: pd.DataFrame, risk_factors: list[str]) -> tuple[RiskDesign, np.ndarray, None]:
    """The risk factors' design fitted on ``frame``, its matrix, and no logistic start yet."""
    design = RiskDesign(risk_factors).fit(frame)
    return design, design.transform(frame), None


def _logistic_start(
    chosen: str,
    speculative: dict[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    *,
    base: LogitState | None,
    added: np.ndarray,
    reused: bool,
) -> tuple[LogitState | None, dict[int, np.ndarray]]:
    """The logistic start the chosen model's cross-fits share, and the stability runs already made with it.

    Made while boosting ran, if it was; for a benchmark refit, ``base`` extended by the ``added`` indicator
    columns; otherwise computed here when more than one cross-fit will use it (``reused``)."""
    if chosen != "logit":
        return None, {}
    if "state" in speculative:
        return speculative["state"], speculative["runs"]
    if base is not None:
        return extended_state(base, added, y), {}
    return (logit_state(X, y) if reused else None), {}


def _while_waiting(
    summaries: Callable[[np.ndarray], Any], callers: Callable[[np.ndarray], Any] | None, runs: np.ndarray
) -> tuple[Any, Any]:
    """What the main thread makes from the logistic runs while boosting is still fitted: the model's
    summaries (main run) and the caller's ``while_waiting`` value."""
    return summaries(runs[:, 0]), (callers(runs) if callers is not None else None)


def _summaries(y: np.ndarray, p: np.ndarray, *, metrics: bool) -> tuple[dict[str, float], pd.DataFrame]:
    """What the report says about the chosen model's main run ``p``: its metrics and calibration table."""
    if not metrics:
        return {}, pd.DataFrame()
    order = np.argsort(p, kind="stable")  # one sort for the AUC and the calibration bins
    return model_metrics(y, p, order), calibration_table(y, p, order=order)


def _stability_runs(
    X: np.ndarray,
    y: np.ndarray,
    first: np.ndarray,
    chosen: str,
    seeds: list[int],
    done_runs: dict[int, np.ndarray],
    *,
    folds: int,
    zero: Sequence[int],
    state: LogitState | None,
) -> np.ndarray:
    """Cross-fitted probabilities, one column per seed (the first is ``first``; runs done are reused)."""
    runs = np.empty((len(y), len(seeds)), dtype=np.float64)
    runs[:, 0] = first
    for i, s in track(list(enumerate(seeds[1:], start=1)), "cross-fitting over seeds"):
        if s in done_runs:
            runs[:, i] = done_runs[s]
        else:
            runs[:, i] = cross_fitted_probabilities(
                X, y, model=chosen, folds=folds, seed=s, zero_at_prediction=zero, state=state
            )
    return runs


def _benchmark_indicators(
    frame: pd.DataFrame,
    first_column: int,
    outside_benchmark: dict[str, Sequence[str]],
    coded: Coded | None = None,
) -> tuple[np.ndarray, list[int], list[str]]:
    """One 0/1 column per unit kept out of the benchmark (rows × units), their positions in the design once
    added after its ``first_column`` columns, and their names."""
    zero: list[int] = []
    benchmark_names: list[str] = []
    indicators: list[np.ndarray] = []
    for unit_var, members in outside_benchmark.items():
        # compare integer codes, not a million strings per member; labels as in the unit tables
        codes, labels = codes_of(frame, unit_var, coded)
        label_code = {str(label): i for i, label in enumerate(labels)}
        for member in members:
            indicators.append(codes == label_code.get(str(member), -2))
            zero.append(first_column + len(indicators) - 1)
            benchmark_names.append(f"{unit_var}={member} (outside benchmark)")
    added = np.column_stack(indicators) if indicators else np.empty((len(frame), 0))
    return added.astype(np.float64), zero, benchmark_names


def _choose(
    first: dict[str, np.ndarray | None], ys: np.ndarray, rows_compared: int, *, auto: bool
) -> tuple[pd.DataFrame, str]:
    """The comparison table of the candidates and the chosen family.

    With ``auto`` the logistic regression is kept unless boosting's per-person log loss is better by more than
    twice the standard error of the paired difference.
    """
    no_metrics = {"log_loss": np.nan, "brier": np.nan, "auc": np.nan}
    comparison = pd.DataFrame(
        [
            {"model": name, **(model_metrics(ys, p) if p is not None else no_metrics)}
            for name, p in first.items()
        ]
    )
    comparison.insert(1, "rows_compared", rows_compared)
    chosen = next(iter(first))
    if auto:
        diff = _row_log_loss(ys, first["logit"]) - _row_log_loss(ys, first["boosting"])
        gain, se = float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(len(diff)))
        chosen = "boosting" if gain > 2 * se and gain > 0 else "logit"
        comparison["log_loss_gain_vs_logit"] = [0.0, gain]
        comparison["gain_se"] = [np.nan, se]
    comparison["chosen"] = comparison["model"] == chosen
    return comparison, chosen
