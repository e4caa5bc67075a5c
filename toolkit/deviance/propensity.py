"""Propensity-score matching for the average effect on the treated (ATT), with balance it must find by itself.

Used three ways: ``pdtk match`` (any CSV), the phase 2 profile (deviants against comparable high-risk peers)
and phase 3 (people reached by a new practice against similar people who were not).

The engine follows the standard recipe (Rosenbaum & Rubin 1985; Dehejia & Wahba 1999, 2002; Austin 2011;
Stuart 2010; the R package MatchIt):

1. a logistic propensity model on the covariates (categories one-hot, missing values imputed with indicators);
2. common-support trimming: treated people whose logit propensity lies outside the controls' range widened by
   the caliper cannot have a match and are set aside (and counted);
3. nearest-neighbour matching on the logit propensity, 1:k, with or without replacement, within a caliper of
   ``caliper`` standard deviations of the logit (0.2 by default: Austin 2011), and exactly within the levels
   of ``exact`` columns;
4. balance in the MatchIt/cobalt convention for an ATT: every standardised mean difference (before and after)
   is divided by the standard deviation of the *treated* group before matching, so the figures compare with
   what MatchIt's ``summary()`` prints; variance ratios and eCDF statistics beside them. While any
   ``|SMD| > 0.1``, a Dehejia–Wahba style specification search adds squares, cubes and interactions of the
   worst-balanced covariates to the propensity model one at a time (forward selection) and matches again; if
   that cannot reach balance, a second search may also match exactly on an unbalanced 0/1 covariate (as
   MatchIt's ``exact``; refused when it would leave more than 5% of the matched treated unmatched);
5. the number of controls per treated person ``k`` is chosen by balance when not given: the search runs for
   every ``k`` in :data:`K_CHOICES` and keeps the largest ``k`` whose worst ``|SMD|`` is within
   :data:`K_TOLERANCE` of the best one reached (more controls give a smaller variance; balance decides);
6. the ATT is the mean of treated-minus-matched-control differences with the Abadie–Imbens (2011) regression
   bias correction. Two standard errors are reported: Abadie–Imbens (2006), which treats the propensity score
   as known, and (the headline interval) a bootstrap that re-draws treated and controls, *re-estimates the
   score* with the chosen specification, matches again and re-estimates the ATT (Austin & Small 2014 found
   this bootstrap accurate for propensity matching; Abadie & Imbens 2008 show the naive bootstrap can fail for
   matching without bias correction, which is why the bias-corrected estimator is the one bootstrapped).

Hand-written rather than taken from a package because no Python package that installs cleanly here offers
calipers on the logit with exact matching, 1:k with or without replacement and the bias correction (DoWhy
downgrades SciPy and pulls in a solver stack; causalml pulls in 350 MB of GPU libraries); the tests compare
the balance statistics and the weighting estimator with libraries and re-implementations on the same data.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from toolkit.deviance.risk import RiskDesign, fit_logistic_newton
from toolkit.errors import InputDataError

SMD_TARGET = 0.1
K_CHOICES = (1, 2, 3, 4, 5)
K_TOLERANCE = 0.01  # a larger k is preferred while its worst |SMD| is this close to the best k's
N_BOOT = 199
Z95 = 1.959964
SMD_CONVENTION = (
    "mean difference / SD of the treated group before matching (MatchIt/cobalt convention for the ATT)"
)


# ---------------------------------------------------------------------------------------------------------
# balance


def smd(
    x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray | None = None, *, denominator: float | None = None
) -> float:
    """Standardised mean difference treated − controls (controls optionally weighted).

    The default denominator is the treated group's standard deviation, MatchIt's and cobalt's choice for an
    ATT: the treated are the population the effect is about, so their spread is the yardstick.
    """
    mean_c = np.average(x_c, weights=w_c) if len(x_c) else np.nan
    if denominator is None:
        denominator = float(np.std(x_t, ddof=1)) if len(x_t) > 1 else np.nan
    diff = np.mean(x_t) - mean_c
    if denominator == 0 or not np.isfinite(denominator):
        return 0.0 if diff == 0 else float(np.sign(diff) * np.inf)
    return float(diff / denominator)


def _weighted_var(x: np.ndarray, w: np.ndarray) -> float:
    mean = np.average(x, weights=w)
    return float(np.average((x - mean) ** 2, weights=w))


def _weighted_ecdf(x: np.ndarray, w: np.ndarray, at: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="stable")
    cumulative = np.cumsum(w[order]) / w.sum()
    position = np.searchsorted(x[order], at, side="right")
    return np.where(position > 0, cumulative[np.maximum(position - 1, 0)], 0.0)


def ecdf_distances(x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray | None = None) -> tuple[float, float]:
    """Mean and largest gap between the empirical CDFs of treated and (weighted) controls.

    Evaluated at every distinct value of either group, as MatchIt's ``eCDF Mean`` and ``eCDF Max`` (the latter
    is the Kolmogorov–Smirnov statistic). Mean differences can balance while the shapes differ; these catch
    that.
    """
    if len(x_t) == 0 or len(x_c) == 0:
        return np.nan, np.nan
    w_c = np.ones(len(x_c)) if w_c is None else np.asarray(w_c, dtype=float)
    at = np.unique(np.r_[x_t, x_c])
    gap = np.abs(_weighted_ecdf(x_t, np.ones(len(x_t)), at) - _weighted_ecdf(x_c, w_c, at))
    return float(gap.mean()), float(gap.max())


def _variance_ratio(x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray) -> float:
    var_c = _weighted_var(x_c, w_c)
    var_t = float(np.var(x_t, ddof=0))
    return var_t / var_c if var_c > 0 else (1.0 if var_t == 0 else np.inf)


BALANCE_COLUMNS = [
    "covariate", "smd_before", "smd_after", "variance_ratio_after", "variance_ratio_before",
    "ecdf_mean_before", "ecdf_max_before", "ecdf_mean_after", "ecdf_max_after", "binary",
]  # fmt: skip


def balance_table(
    X: np.ndarray,
    names: Sequence[str],
    treated: np.ndarray,
    matched_treated: np.ndarray,
    control_weights: np.ndarray,
) -> pd.DataFrame:
    """Balance of every column of ``X`` before and after matching (or weighting), MatchIt-style.

    ``treated`` marks all treated rows; ``matched_treated`` the treated rows that got a match;
    ``control_weights`` is each row's weight as a control (0 for unused rows). SMDs use the treated group's SD
    before matching as denominator for both columns (:data:`SMD_CONVENTION`), so before and after are on one
    scale.
    """
    rows = []
    used = control_weights > 0
    ones_c = np.ones(int((~treated).sum()))
    for j, name in enumerate(names):
        x = X[:, j]
        xt, xc = x[treated], x[~treated]
        denominator = float(np.std(xt, ddof=1)) if len(xt) > 1 else np.nan
        row: dict[str, Any] = {"covariate": name, "smd_before": smd(xt, xc, denominator=denominator)}
        row["variance_ratio_before"] = _variance_ratio(xt, xc, ones_c)
        row["ecdf_mean_before"], row["ecdf_max_before"] = ecdf_distances(xt, xc)
        if matched_treated.any() and used.any():
            xm, xu, wu = x[matched_treated], x[used], control_weights[used]
            row["smd_after"] = smd(xm, xu, wu, denominator=denominator)
            row["variance_ratio_after"] = _variance_ratio(xm, xu, wu)
            row["ecdf_mean_after"], row["ecdf_max_after"] = ecdf_distances(xm, xu, wu)
        else:
            row.update(
                smd_after=np.nan, variance_ratio_after=np.nan, ecdf_mean_after=np.nan, ecdf_max_after=np.nan
            )
        row["binary"] = bool(np.isin(np.unique(x), [0.0, 1.0]).all())
        rows.append(row)
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS)


# ---------------------------------------------------------------------------------------------------------
# propensity model and matching


def _term_matrix(X: np.ndarray, terms: Sequence[tuple[int, ...]]) -> np.ndarray:
    cols = [np.prod(X[:, list(t)], axis=1) for t in terms]
    return np.column_stack(cols) if cols else np.empty((len(X), 0))


def _standardised(X: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit (population) standard deviation, a constant column left at 0: what
    ``sklearn.preprocessing.StandardScaler().fit_transform`` gives (``tests/test_deviance_propensity.py``
    compares them), without importing scikit-learn into phase 2's own process."""
    n = X.shape[0]
    mean = X.mean(axis=0)
    var = X.var(axis=0)
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2  # scikit-learn's test for a constant column
    return (X - mean) / np.where(constant, 1.0, np.sqrt(var))


def propensity_logit(X: np.ndarray, treated: np.ndarray, terms: Sequence[tuple[int, ...]]) -> np.ndarray:
    """Linear predictor (logit) of a logistic propensity model on ``terms`` of ``X``."""
    design = _standardised(_term_matrix(X, terms))
    beta = fit_logistic_newton(design, treated.astype(float), ridge=1e-4)
    return beta[0] + design @ beta[1:]


def nearest_neighbour_match(
    score: np.ndarray,
    treated: np.ndarray,
    *,
    k: int = 1,
    caliper: float | None = None,
    replace: bool = True,
    strata: np.ndarray | None = None,
    eligible: np.ndarray | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Match every treated row to up to ``k`` controls nearest on ``score`` within ``caliper`` (absolute).

    Without replacement, treated rows are matched greedily in a seeded random order (order matters for greedy
    matching; a random order avoids favouring the highest scores). Returns rows ``treated, control, distance``
    with positional indices. ``eligible`` (default: all) limits which treated rows are matched, e.g. after
    common-support trimming; controls are always every row with ``treated == False``.
    """
    rng = np.random.default_rng(seed)
    strata = np.zeros(len(score), dtype=np.int64) if strata is None else strata
    pairs_t, pairs_c, pairs_d = [], [], []
    for stratum in np.unique(strata):
        in_stratum = strata == stratum
        t_idx = np.flatnonzero(in_stratum & treated & (True if eligible is None else eligible))
        c_idx = np.flatnonzero(in_stratum & ~treated)
        if len(t_idx) == 0 or len(c_idx) == 0:
            continue
        order = np.argsort(score[c_idx], kind="stable")
        c_sorted = c_idx[order]
        s_sorted = score[c_sorted]
        if replace:
            # Vectorised: the k nearest controls lie among the k on either side of the insertion point.
            kk = min(k, len(c_sorted))
            right = np.searchsorted(s_sorted, score[t_idx])
            window = right[:, None] + np.arange(-kk, kk)[None, :]
            valid = (window >= 0) & (window < len(s_sorted))
            pos = np.clip(window, 0, len(s_sorted) - 1)
            dist = np.where(valid, np.abs(s_sorted[pos] - score[t_idx][:, None]), np.inf)
            nearest = np.argsort(dist, axis=1, kind="stable")[:, :kk]
            chosen_pos = np.take_along_axis(pos, nearest, axis=1)
            chosen_d = np.take_along_axis(dist, nearest, axis=1)
            keep = np.isfinite(chosen_d) & (chosen_d <= (np.inf if caliper is None else caliper))
            rows, cols = np.nonzero(keep)
            pairs_t.extend(t_idx[rows])
            pairs_c.extend(c_sorted[chosen_pos[rows, cols]])
            pairs_d.extend(chosen_d[rows, cols])
        else:
            available = np.ones(len(c_sorted), dtype=bool)
            for t in rng.permutation(t_idx):
                chosen = _k_nearest(s_sorted, score[t], k, available)
                for pos in chosen:
                    d = abs(s_sorted[pos] - score[t])
                    if caliper is None or d <= caliper:
                        pairs_t.append(t)
                        pairs_c.append(c_sorted[pos])
                        pairs_d.append(d)
                        available[pos] = False
    return pd.DataFrame(
        {
            "treated": np.asarray(pairs_t, dtype=np.int64),
            "control": np.asarray(pairs_c, dtype=np.int64),
            "distance": np.asarray(pairs_d, dtype=float),
        }
    )


def _k_nearest(sorted_scores: np.ndarray, value: float, k: int, available: np.ndarray | None) -> list[int]:
    """Positions of the k nearest (available) entries of a sorted array, by walking outward from ``value``."""
    n = len(sorted_scores)
    right = int(np.searchsorted(sorted_scores, value))
    left = right - 1
    chosen: list[int] = []
    while len(chosen) < k and (left >= 0 or right < n):
        if available is not None:
            while left >= 0 and not available[left]:
                left -= 1
            while right < n and not available[right]:
                right += 1
        take_left = left >= 0 and (right >= n or value - sorted_scores[left] <= sorted_scores[right] - value)
        if take_left:
            chosen.append(left)
            left -= 1
        elif right < n:
            chosen.append(right)
            right += 1
    return chosen


def _nearest_same_group_outcome(score: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """For each row in ``idx``, the outcome of its nearest other row in ``idx`` on ``score`` (for σ²)."""
    if len(idx) < 2:
        return y[idx].astype(float)
    order = np.argsort(score[idx], kind="stable")
    s, v = score[idx][order], y[idx][order].astype(float)
    left_gap = np.r_[np.inf, np.diff(s)]
    right_gap = np.r_[np.diff(s), np.inf]
    neighbour = np.where(left_gap <= right_gap, np.r_[v[0], v[:-1]], np.r_[v[1:], v[-1]])
    out = np.empty(len(idx))
    out[order] = neighbour
    return out


def att_from_matches(
    y: np.ndarray, score: np.ndarray, treated: np.ndarray, matches: pd.DataFrame, X: np.ndarray | None = None
) -> dict[str, float]:
    """ATT and its Abadie–Imbens (2006) standard error from matched pairs (variable match-set sizes allowed).

    With covariates ``X``, each matched control's outcome is bias-corrected (Abadie & Imbens 2011):
    ``Y_j + m(X_i) - m(X_j)`` with ``m`` a linear regression of the outcome on ``X`` among the controls used,
    which removes the part of the treated–control difference that is due to imperfect matches.
    """
    y = np.asarray(y, dtype=float)
    set_size = matches.groupby("treated")["control"].transform("size").to_numpy()
    inv = 1.0 / set_size
    t_of_pair = matches["treated"].to_numpy()
    c_of_pair = matches["control"].to_numpy()
    y_control = y[c_of_pair]
    if X is not None:
        used = np.unique(c_of_pair)
        design = np.column_stack([np.ones(len(used)), X[used]])
        coef, *_ = np.linalg.lstsq(design, y[used], rcond=None)
        y_control = y_control + (X[t_of_pair] - X[c_of_pair]) @ coef[1:]
    y0_hat = pd.Series(y_control * inv).groupby(t_of_pair).sum()
    t_rows = y0_hat.index.to_numpy()
    tau_i = y[t_rows] - y0_hat.to_numpy()
    n1 = len(t_rows)
    att = float(tau_i.mean())
    controls = matches["control"].to_numpy()
    weight = pd.Series(inv).groupby(controls).sum()  # w_j = sum over match sets of 1/|J_i|
    weight_sq = pd.Series(inv**2).groupby(controls).sum()  # part already inside the treated term
    c_rows = weight.index.to_numpy()
    control_pool = np.flatnonzero(~treated)
    neighbour_y = pd.Series(_nearest_same_group_outcome(score, y, control_pool), index=control_pool)
    sigma2 = 0.5 * (y[c_rows] - neighbour_y.loc[c_rows].to_numpy()) ** 2
    extra = float(np.sum((weight.to_numpy() ** 2 - weight_sq.to_numpy()) * sigma2))
    variance = (float(np.sum((tau_i - att) ** 2)) + extra) / n1**2
    return {
        "estimate": att,
        "se": float(np.sqrt(max(variance, 0.0))),
        "n_treated_matched": n1,
        "n_controls_used": len(c_rows),
    }


# ---------------------------------------------------------------------------------------------------------
# result


@dataclass
class MatchResult:
    """What :func:`match_att` found: the effect, the balance, the matches and how the model was refined."""

    effect: dict[str, Any]
    balance: pd.DataFrame
    matches: pd.DataFrame
    logit_propensity: np.ndarray
    treated: np.ndarray
    terms: list[str]
    refinements: list[str] = field(default_factory=list)
    all_balanced: bool = False
    message: str = ""
    trimmed_treated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    k_search: pd.DataFrame = field(default_factory=pd.DataFrame)
    bootstrap_estimates: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def control_weights(self) -> np.ndarray:
        """Weight of every row as a matched control (0 if unused)."""
        w = np.zeros(len(self.treated))
        if len(self.matches):
            inv = 1.0 / self.matches.groupby("treated")["control"].transform("size").to_numpy()
            np.add.at(w, self.matches["control"].to_numpy(), inv)
        return w

    def matched_data(self, frame: pd.DataFrame, columns: Sequence[str] = ()) -> pd.DataFrame:
        """The matched sample in the long form of MatchIt's ``get_matches()``: one row per unit and match set.

        ``subclass`` numbers the match sets (one per matched treated person); ``row`` is the 1-based data row
        of the input, so the sample can be joined back without copying identifiers; ``weights`` is 1 for the
        treated and 1/(number of controls in the set) for each control, so each set's controls weigh as much
        as its treated person. With replacement a control appears once in every set that uses it. ``distance``
        is the propensity score. Only ``columns`` of ``frame`` are copied (e.g. treatment, outcome,
        covariates).
        """
        m = self.matches.sort_values(["treated", "distance"], kind="stable")
        subclass = pd.factorize(m["treated"], sort=True)[0] + 1
        set_size = m.groupby("treated")["control"].transform("size").to_numpy()
        first = ~m["treated"].duplicated().to_numpy()
        parts = pd.DataFrame(
            {
                "subclass": np.r_[subclass[first], subclass],
                "position": np.r_[m["treated"].to_numpy()[first], m["control"].to_numpy()],
                "weights": np.r_[np.ones(int(first.sum())), 1.0 / set_size],
            }
        ).sort_values(["subclass", "weights"], ascending=[True, False], kind="stable")
        position = parts["position"].to_numpy()
        out = pd.DataFrame({"row": position + 1, "subclass": parts["subclass"].to_numpy()})
        out["treated"] = self.treated[position].astype(int)
        out["weights"] = parts["weights"].to_numpy()
        out["distance"] = 1.0 / (1.0 + np.exp(-self.logit_propensity[position]))
        for column in columns:
            out[column] = frame[column].to_numpy()[position]
        return out.reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """One row per headline number, for printing and reports."""
        e = self.effect
        rows = [
            ("estimand", e["estimand"]),
            ("estimate", e["estimate"]),
            ("95% CI", f"{e['ci_low']:.3f} to {e['ci_high']:.3f} ({e['ci_method']})"),
            ("standard error", e["se"]),
            ("treated matched / all treated", f"{e['n_treated']} / {e['n_treated_total']}"),
            ("controls used", e["n_controls"]),
            ("controls per treated (k)", f"{e['k']} ({e['k_chosen_by']})"),
            ("max |SMD| after matching", float(self.balance["smd_after"].abs().max())),
            ("all |SMD| <= 0.1", self.all_balanced),
            ("SMD convention", SMD_CONVENTION),
            ("propensity terms", ", ".join(self.terms)),
            ("method", e["method"]),
            ("balance", self.message),
        ]
        return pd.DataFrame(rows, columns=["item", "value"])

    def love_plot(self):
        """|SMD| of each covariate before and after matching, with the 0.1 line."""
        from toolkit.deviance.figures import love

        return love(self.balance, SMD_TARGET)

    def overlap_plot(self):
        """Distributions of the logit propensity score for treated and controls (overlap / common support)."""
        from toolkit.deviance.figures import overlap

        return overlap(self.logit_propensity, self.treated)


# ---------------------------------------------------------------------------------------------------------
# the engine


def _check_inputs(
    frame: pd.DataFrame, treatment: str, outcome: str, covariates: Sequence[str], exact: Sequence[str]
) -> None:
    for role, cols in (
        ("treatment", [treatment]),
        ("outcome", [outcome]),
        ("covariate", covariates),
        ("exact-match column", exact),
    ):
        for c in cols:
            if c not in frame.columns:
                raise InputDataError(
                    f"{role} column '{c}' is not in the data",
                    fix="check the column names (they are case-sensitive)",
                )
    if not covariates:
        raise InputDataError(
            "no covariates given", fix="list the columns to balance, e.g. --covariates age,educ"
        )
    t = pd.to_numeric(frame[treatment], errors="coerce")
    if t.isna().any() or not t.isin([0, 1]).all():
        raise InputDataError(
            f"treatment column '{treatment}' must be 0/1 with no gaps",
            fix="recode it as 1 = treated, 0 = control",
        )
    if t.sum() == 0 or t.sum() == len(t):
        raise InputDataError(f"treatment column '{treatment}' needs both treated (1) and controls (0)")
    y = pd.to_numeric(frame[outcome], errors="coerce")
    if y.isna().any():
        row = int(np.flatnonzero(y.isna().to_numpy())[0])
        raise InputDataError(
            f"outcome column '{outcome}' is missing or not a number in row {row + 1}",
            fix="drop or recode those rows",
        )


@dataclass
class _Data:
    """The numeric problem: one-hot covariates, treatment, outcome and exact-matching strata."""

    X: np.ndarray
    names: list[str]
    treated: np.ndarray
    y: np.ndarray
    strata: np.ndarray | None

    def take(self, rows: np.ndarray) -> _Data:
        strata = None if self.strata is None else self.strata[rows]
        return _Data(self.X[rows], self.names, self.treated[rows], self.y[rows], strata)


@dataclass(frozen=True)
class _Settings:
    caliper: float | None
    replace: bool
    seed: int


@dataclass
class _Attempt:
    """One propensity specification and k, matched: how balanced it is and what it matched."""

    worst: float
    mean_abs: float
    abs_smd: np.ndarray
    logit: np.ndarray
    matches: pd.DataFrame
    terms: list[tuple[int, ...]]
    trimmed: np.ndarray
    k: int
    exact: tuple[int, ...] = ()
    n_matched: int = 0
    refinements: list[str] = field(default_factory=list)
    steps: int = 0

    @property
    def key(self) -> tuple[float, float]:
        return (self.worst, self.mean_abs)


def _strata_with(data: _Data, exact: Sequence[int]) -> np.ndarray | None:
    """The user's exact-matching strata refined by the 0/1 design columns ``exact`` the search added."""
    if not exact:
        return data.strata
    base = np.zeros(len(data.y)) if data.strata is None else data.strata
    keys = np.column_stack([base, data.X[:, list(exact)]])
    return np.unique(keys, axis=0, return_inverse=True)[1].ravel()


def _fit_and_match(
    data: _Data, terms: Sequence[tuple[int, ...]], k: int, settings: _Settings, exact: Sequence[int] = ()
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """Logit propensity on ``terms``, common-support trimming and matching (exactly within ``exact`` columns
    as well as the user's); returns (logit, matches, trimmed)."""
    treated = data.treated
    logit = propensity_logit(data.X, treated, terms)
    cal = settings.caliper * float(np.std(logit, ddof=1)) if settings.caliper is not None else None
    lo, hi = logit[~treated].min(), logit[~treated].max()
    margin = cal or 0.0
    support = ~treated | ((logit >= lo - margin) & (logit <= hi + margin))
    matches = nearest_neighbour_match(
        logit,
        treated,
        k=k,
        caliper=cal,
        replace=settings.replace,
        strata=_strata_with(data, exact),
        eligible=support,
        seed=settings.seed,
    )
    return logit, matches, ~support & treated


def _weights_of(matches: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's weight as a matched control, and which treated rows got a match."""
    weights = np.zeros(n)
    matched_treated = np.zeros(n, dtype=bool)
    if len(matches):
        inv = 1.0 / matches.groupby("treated")["control"].transform("size").to_numpy()
        np.add.at(weights, matches["control"].to_numpy(), inv)
        matched_treated[matches["treated"].unique()] = True
    return weights, matched_treated


def _attempt(
    data: _Data, terms: list[tuple[int, ...]], k: int, settings: _Settings, exact: tuple[int, ...] = ()
) -> _Attempt:
    """Match with one specification and return its balance (|SMD| after, treated-SD convention)."""
    logit, matches, trimmed = _fit_and_match(data, terms, k, settings, exact)
    weights, matched_treated = _weights_of(matches, len(data.y))
    abs_smd = np.full(data.X.shape[1], np.inf)
    if matched_treated.any() and weights.sum() > 0:
        sd_treated = data.X[data.treated].std(axis=0, ddof=1)
        diff = data.X[matched_treated].mean(axis=0) - weights @ data.X / weights.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            abs_smd = np.where(sd_treated > 0, np.abs(diff) / sd_treated, np.where(diff == 0, 0.0, np.inf))
    return _Attempt(
        worst=float(abs_smd.max()),
        mean_abs=float(abs_smd.mean()),
        abs_smd=abs_smd,
        logit=logit,
        matches=matches,
        terms=list(terms),
        trimmed=trimmed,
        k=k,
        exact=exact,
        n_matched=int(matched_treated.sum()),
    )


def _is_continuous(x: np.ndarray) -> bool:
    return len(np.unique(x[: min(len(x), 5000)])) > 2


def _refinement_candidates(
    X: np.ndarray, abs_smd: np.ndarray, terms: list[tuple[int, ...]]
) -> list[tuple[int, ...]]:
    """Terms to try next, Dehejia–Wahba style: squares and cubes of the worst-balanced continuous covariates,
    squares of the other continuous ones, then interactions of the worst with every other covariate."""
    order = np.argsort(-abs_smd, kind="stable")
    worst = [int(i) for i in order if abs_smd[i] > SMD_TARGET]
    continuous = [i for i in range(X.shape[1]) if _is_continuous(X[:, i])]
    ordered: list[tuple[int, ...]] = []
    ordered += [(i, i) for i in worst if i in continuous]
    ordered += [(i, i, i) for i in worst if i in continuous]
    ordered += [(i, i) for i in continuous]
    ordered += [(min(i, j), max(i, j)) for i in worst for j in range(X.shape[1]) if i != j]
    present = set(terms)
    out: list[tuple[int, ...]] = []
    for term in ordered:
        if term not in present and term not in out:
            out.append(term)
    return out


def _exact_candidates(X: np.ndarray, abs_smd: np.ndarray, exact: tuple[int, ...]) -> list[int]:
    """0/1 covariates still out of balance, worst first: matching exactly on one removes its imbalance."""
    order = np.argsort(-abs_smd, kind="stable")
    return [
        int(j)
        for j in order
        if abs_smd[j] > SMD_TARGET and j not in exact and np.isin(np.unique(X[:, j]), [0.0, 1.0]).all()
    ]


def _search_terms(
    data: _Data,
    k: int,
    settings: _Settings,
    *,
    refine: bool,
    max_terms: int,
    max_steps: int,
    max_candidates: int,
) -> _Attempt:
    """Dehejia–Wahba search first (propensity terms only); if that cannot balance, a second search that may
    also match exactly on unbalanced 0/1 covariates, and the better of the two."""
    options = dict(refine=refine, max_terms=max_terms, max_steps=max_steps, max_candidates=max_candidates)
    terms_only = _forward_search(data, k, settings, allow_exact=False, **options)
    if terms_only.worst <= SMD_TARGET or not refine:
        return terms_only
    with_exact = _forward_search(data, k, settings, allow_exact=True, **options)
    return with_exact if with_exact.key < terms_only.key else terms_only


def _forward_search(
    data: _Data,
    k: int,
    settings: _Settings,
    *,
    allow_exact: bool,
    refine: bool,
    max_terms: int,
    max_steps: int,
    max_candidates: int,
) -> _Attempt:
    """Forward selection until every |SMD| <= 0.1 (or the steps run out); returns the best attempt seen.

    Each step tries adding one propensity term (:func:`_refinement_candidates`) or, with ``allow_exact``,
    matching exactly on one unbalanced 0/1 covariate (as MatchIt's ``exact =``), and keeps whichever leaves
    the worst covariate best balanced. An exact step is refused if it would leave more than 5% of the matched
    treated without a match, so the search cannot buy balance by quietly changing whom the ATT is about.
    """
    terms: list[tuple[int, ...]] = [(i,) for i in range(data.X.shape[1]) if np.ptp(data.X[:, i]) > 0]
    exact: tuple[int, ...] = ()
    current = _attempt(data, terms, k, settings)
    best = current
    refinements: list[str] = []
    steps = 0
    while refine and best.worst > SMD_TARGET and steps < max_steps and len(terms) < max_terms:
        exact_steps = _exact_candidates(data.X, current.abs_smd, exact) if allow_exact else []
        steps_to_try = [("exact", j) for j in exact_steps] + [
            ("term", t) for t in _refinement_candidates(data.X, current.abs_smd, terms)
        ]
        tried = []
        for kind, value in steps_to_try[:max_candidates]:
            if kind == "term":
                tried.append((_attempt(data, [*terms, value], k, settings, exact), kind, value))
            else:
                attempt = _attempt(data, terms, k, settings, (*exact, value))
                if attempt.n_matched >= 0.95 * current.n_matched:
                    tried.append((attempt, kind, value))
        if not tried:
            break
        current, kind, value = min(tried, key=lambda item: item[0].key)
        if kind == "term":
            terms.append(value)
            refinements.append(_term_name(value, data.names))
        else:
            exact = (*exact, value)
            refinements.append(f"exact on {data.names[value]}")
        steps += 1
        current.refinements, current.steps = list(refinements), steps
        if current.key < best.key:
            best = current
    best.steps = steps
    return best


def _choose_k(
    data: _Data, ks: Sequence[int], settings: _Settings, **search: Any
) -> tuple[_Attempt, pd.DataFrame]:
    """Run the specification search for every k and keep the largest k whose balance is (nearly) the best."""
    found = [_search_terms(data, k, settings, **search) for k in ks]
    best_worst = min(a.worst for a in found)
    chosen = max((a for a in found if a.worst <= best_worst + K_TOLERANCE), key=lambda a: a.k)
    table = pd.DataFrame(
        {
            "k": [a.k for a in found],
            "max_abs_smd": [a.worst for a in found],
            "mean_abs_smd": [a.mean_abs for a in found],
            "refinements": ["; ".join(a.refinements) for a in found],
            "chosen": [a is chosen for a in found],
        }
    )
    return chosen, table


def _bootstrap_att(
    data: _Data, chosen: _Attempt, settings: _Settings, n_boot: int, bias_correction: bool
) -> np.ndarray:
    """ATT in ``n_boot`` resamples (treated and controls drawn separately), each re-estimating the propensity
    score with the chosen specification and k, matching again and bias-correcting again."""
    rng = np.random.default_rng([settings.seed, 15])
    t_idx, c_idx = np.flatnonzero(data.treated), np.flatnonzero(~data.treated)
    estimates = []
    for _ in range(n_boot):
        rows = np.r_[rng.choice(t_idx, len(t_idx)), rng.choice(c_idx, len(c_idx))]
        sample = data.take(rows)
        logit, matches, _ = _fit_and_match(sample, chosen.terms, chosen.k, settings, chosen.exact)
        if len(matches):
            X = sample.X if bias_correction else None
            estimates.append(att_from_matches(sample.y, logit, sample.treated, matches, X)["estimate"])
    return np.asarray(estimates)


def _balance_message(chosen: _Attempt, balance: pd.DataFrame) -> str:
    """One sentence for the summary: balanced or not, and if not, what to try."""
    if chosen.worst <= SMD_TARGET:
        return f"every |SMD| <= 0.1 after matching (worst {chosen.worst:.3f}; {SMD_CONVENTION})"
    worst_name = str(balance.loc[balance["smd_after"].abs().idxmax(), "covariate"])
    return (
        f"could not reach |SMD| <= 0.1 for every covariate (worst {chosen.worst:.3f} on {worst_name}, after "
        f"trying {chosen.steps} refinement steps): NOT balanced, treat the estimate with caution. Try exact "
        f"matching on {worst_name} (--exact), a tighter caliper (--caliper 0.1), more refinement steps, "
        "or read "
        "the entropy-balancing estimate reported beside it, which balances the means by construction"
    )


def _prepare(
    frame: pd.DataFrame, treatment: str, outcome: str, covariates: list[str], exact: list[str]
) -> _Data:
    _check_inputs(frame, treatment, outcome, covariates, exact)
    design = RiskDesign(covariates).fit(frame)
    strata = None
    if exact:
        strata = frame[exact].astype("string").fillna("(missing)").agg("\x1f".join, axis=1).factorize()[0]
    return _Data(
        X=design.transform(frame),
        names=list(design.feature_names_),
        treated=pd.to_numeric(frame[treatment]).to_numpy() == 1,
        y=pd.to_numeric(frame[outcome]).to_numpy(dtype=float),
        strata=strata,
    )


def _match_att(
    frame: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    k: int | None = None,
    caliper: float | None = 0.2,
    replace: bool = True,
    exact: Sequence[str] = (),
    seed: int = 0,
    refine: bool = True,
    max_terms: int = 40,
    max_steps: int = 8,
    max_candidates: int = 24,
    bias_correction: bool = True,
    n_boot: int = N_BOOT,
) -> MatchResult:
    """ATT of ``treatment`` on ``outcome`` by propensity-score matching that searches for balance.

    Parameters
    ----------
    k: controls per treated person (1:k); ``None`` (default) chooses it by balance from :data:`K_CHOICES`.
    caliper: in standard deviations of the logit propensity. replace: a control may serve several treated
    people. exact: columns matched exactly (e.g. sex). refine: add squares/cubes/interactions to the
    propensity model until every ``|SMD| <= 0.1`` (at most ``max_steps`` forward-selection steps, each trying
    up to ``max_candidates`` terms). bias_correction: regression adjustment of matched outcomes for residual
    covariate differences. n_boot: bootstrap draws that re-estimate the score (0: Abadie–Imbens interval
    only). Balance is always judged on the covariates as given (after one-hot coding).
    """
    if k is not None and k < 1:
        raise ValueError("k must be at least 1")
    if caliper is not None and caliper <= 0:
        raise ValueError("caliper must be positive (in SDs of the logit propensity) or None")
    data = _prepare(frame, treatment, outcome, list(covariates), list(exact))
    settings = _Settings(caliper=caliper, replace=replace, seed=seed)
    search = dict(refine=refine, max_terms=max_terms, max_steps=max_steps, max_candidates=max_candidates)
    chosen, k_table = _choose_k(data, K_CHOICES if k is None else (k,), settings, **search)
    if len(chosen.matches) == 0:
        raise InputDataError(
            "no treated person has a control within the caliper", fix="widen --caliper or check overlap"
        )
    weights, matched_treated = _weights_of(chosen.matches, len(data.y))
    balance = balance_table(data.X, data.names, data.treated, matched_treated, weights)
    est = att_from_matches(
        data.y, chosen.logit, data.treated, chosen.matches, data.X if bias_correction else None
    )
    boot = _bootstrap_att(data, chosen, settings, n_boot, bias_correction) if n_boot > 0 else np.zeros(0)
    effect = _effect_record(
        est, boot, chosen, data, settings, exact, bias_correction, chosen_by_balance=k is None
    )
    return MatchResult(
        effect=effect,
        balance=balance,
        matches=chosen.matches,
        logit_propensity=chosen.logit,
        treated=data.treated,
        terms=[_term_name(t, data.names) for t in chosen.terms],
        refinements=chosen.refinements,
        all_balanced=bool(chosen.worst <= SMD_TARGET),
        message=_balance_message(chosen, balance),
        trimmed_treated=chosen.trimmed,
        k_search=k_table,
        bootstrap_estimates=boot,
    )


def _effect_record(
    est: dict[str, float],
    boot: np.ndarray,
    chosen: _Attempt,
    data: _Data,
    settings: _Settings,
    exact: Sequence[str],
    bias_correction: bool,
    *,
    chosen_by_balance: bool,
) -> dict[str, Any]:
    """The ``effect.json`` record: estimate, headline interval (bootstrap if drawn), the Abadie–Imbens one."""
    estimate, se_ai = est["estimate"], est["se"]
    use_boot = len(boot) >= 20
    se = float(np.std(boot, ddof=1)) if use_boot else se_ai
    method = (
        f"nearest-neighbour 1:{chosen.k} propensity matching on the logit, caliper {settings.caliper} SD, "
        f"{'with' if settings.replace else 'without'} replacement"
        + (f", exact on {', '.join(exact)}" if exact else "")
        + (
            f", exact on {', '.join(data.names[j] for j in chosen.exact)} (added by the search)"
            if chosen.exact
            else ""
        )
        + ("; Abadie-Imbens bias correction" if bias_correction else "")
    )
    return {
        "estimand": "ATT",
        "estimate": estimate,
        "ci_low": estimate - Z95 * se,
        "ci_high": estimate + Z95 * se,
        "n_treated": est["n_treated_matched"],
        "n_controls": est["n_controls_used"],
        "se": se,
        "ci_method": (
            f"bootstrap SE, score re-estimated in each of {len(boot)} draws"
            if use_boot
            else "Abadie-Imbens SE (propensity score treated as known)"
        ),
        "se_abadie_imbens": se_ai,
        "ci_low_abadie_imbens": estimate - Z95 * se_ai,
        "ci_high_abadie_imbens": estimate + Z95 * se_ai,
        "ci_low_bootstrap_percentile": float(np.quantile(boot, 0.025)) if use_boot else None,
        "ci_high_bootstrap_percentile": float(np.quantile(boot, 0.975)) if use_boot else None,
        "n_boot": int(len(boot)),
        "n_treated_total": int(data.treated.sum()),
        "n_treated_trimmed": int(chosen.trimmed.sum()),
        "k": chosen.k,
        "k_chosen_by": "balance" if chosen_by_balance else "user",
        "caliper_sd": settings.caliper,
        "method": method,
        "refinements": chosen.refinements,
        "all_balanced": bool(chosen.worst <= SMD_TARGET),
        "max_abs_smd_after": chosen.worst,
        "smd_convention": SMD_CONVENTION,
    }


@functools.wraps(_match_att)
def match_att(*args: Any, **kwargs: Any) -> MatchResult:
    # Small matrices: a multithreaded BLAS spends more time synchronising threads than computing (13x slower
    # on a busy 2-core machine), so the whole engine runs single-threaded.
    with threadpool_limits(limits=1, user_api="blas"):
        return _match_att(*args, **kwargs)


def _term_name(term: tuple[int, ...], names: Sequence[str]) -> str:
    if len(term) == 1:
        return names[term[0]]
    if len(set(term)) == 1:
        return f"{names[term[0]]}^{len(term)}"
    return "*".join(names[i] for i in term)


def _is_binary(values: np.ndarray) -> bool:
    return bool(np.isin(np.unique(values), [0.0, 1.0]).all())


def sensitivity_of(result: MatchResult, y: np.ndarray) -> dict[str, Any]:
    """E-value of the matched ATT: outcome SD (or baseline risk for 0/1 outcomes) taken among the treated."""
    from toolkit.effect.refute import e_value

    e = result.effect
    y_treated = y[result.treated]
    if _is_binary(y):
        return e_value(
            e["estimate"], e["ci_low"], e["ci_high"], baseline_risk=y_treated.mean() - e["estimate"]
        )
    return e_value(e["estimate"], e["ci_low"], e["ci_high"], outcome_sd=float(np.std(y_treated, ddof=1)))


def refute_matching(
    frame: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    result: MatchResult,
    **options: Any,
) -> pd.DataFrame:
    """DoWhy-style refuters (:func:`toolkit.effect.refute.refute`) applied to the matcher with the chosen k.

    Each re-run searches its own propensity specification but keeps the chosen k and uses the Abadie–Imbens
    interval (no bootstrap), so fifteen re-runs stay affordable.
    """
    from toolkit.effect.refute import refute

    def estimator(data: pd.DataFrame, t: str, y: str, x: list[str]) -> dict[str, Any]:
        return match_att(data, t, y, x, **{**options, "k": result.effect["k"], "n_boot": 0}).effect

    return refute(
        estimator, frame, treatment, outcome, covariates, result.effect, seed=options.get("seed", 0)
    )


def write_match_outputs(
    path: str | Path,
    out_dir: str | Path,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    k: int | None = None,
    caliper: float = 0.2,
    replace: bool = True,
    exact: Sequence[str] = (),
    seed: int = 0,
    n_boot: int = N_BOOT,
    refute: bool = True,
) -> MatchResult:
    """``pdtk match``: match, weight, refute and bound, then write every output at once (all or nothing).

    Writes ``effect.json`` (the matched ATT, the entropy-balancing ATT beside it, the refuters and the
    E-value), ``balance.csv`` (matching), ``balance_weighting.csv`` (entropy balancing), ``matched.csv``
    (MatchIt-style matched sample with ``subclass`` and ``weights``), ``k_search.csv``, ``refutation.csv`` and
    ``love_plot.png``.
    """
    import matplotlib

    matplotlib.use("Agg")
    from toolkit.effect.weighting import entropy_balance_att
    from toolkit.io import read_table, staged_output, write_csv, write_json

    frame = read_table(path)
    options = dict(caliper=caliper, replace=replace, exact=list(exact), seed=seed)
    try:
        result = match_att(frame, treatment, outcome, covariates, k=k, n_boot=n_boot, **options)
        data = _prepare(frame, treatment, outcome, list(covariates), list(exact))
        weighting = entropy_balance_att(data.X, data.names, data.treated, data.y, n_boot=n_boot, seed=seed)
        refutation = (
            refute_matching(frame, treatment, outcome, covariates, result, **options) if refute else None
        )
    except InputDataError as exc:
        raise InputDataError(str(exc).rstrip("."), file=path) from None
    effect = _json_ready({**result.effect, "message": result.message})
    effect["entropy_balancing"] = _json_ready(weighting.effect)
    effect["sensitivity"] = _json_ready(sensitivity_of(result, data.y))
    if refutation is not None:
        effect["refutation"] = _json_ready(refutation.to_dict(orient="records"))
    used = list(dict.fromkeys([treatment, outcome, *covariates]))
    with staged_output(out_dir) as out:
        write_json(out / "effect.json", effect)
        write_csv(out / "balance.csv", result.balance)
        write_csv(out / "balance_weighting.csv", weighting.balance)
        write_csv(out / "matched.csv", result.matched_data(frame, used))
        write_csv(out / "k_search.csv", result.k_search)
        if refutation is not None:
            write_csv(out / "refutation.csv", refutation)
        figure = result.love_plot()
        figure.savefig(out / "love_plot.png", dpi=120)
        import matplotlib.pyplot as plt

        plt.close(figure)
    return result


def _json_ready(value: Any) -> Any:
    """numpy scalars → Python numbers and NaN → None, recursively, for ``write_json``."""
    if isinstance(value, dict):
        return {key: _json_ready(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


__all__ = [
    "MatchResult",
    "match_att",
    "balance_table",
    "nearest_neighbour_match",
    "att_from_matches",
    "smd",
    "write_match_outputs",
    "refute_matching",
    "sensitivity_of",
    "ecdf_distances",
]
