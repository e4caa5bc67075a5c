"""Propensity-score matching for the average effect on the treated (ATT), with balance checks that must pass.

Used three ways: ``pdtk match`` (any CSV), the phase 2 profile (deviants against comparable high-risk peers)
and phase 3 (people reached by a new practice against similar people who were not).

The engine follows the standard recipe (Rosenbaum & Rubin 1985; Austin 2011; Stuart 2010):

1. a logistic propensity model on the covariates (categories one-hot, missing values imputed with indicators);
2. common-support trimming: treated people whose logit propensity lies outside the controls' range widened by
   the caliper cannot have a match and are set aside (and counted);
3. nearest-neighbour matching on the logit propensity, 1:k, with or without replacement, within a caliper of
   ``caliper`` standard deviations of the logit (0.2 by default: Austin 2011), and exactly within the levels of
   ``exact`` columns;
4. balance: standardised mean differences (denominator from the unmatched groups, so before and after are
   comparable) and variance ratios; if any ``|SMD| > 0.1`` the propensity model is *refined* by adding squares
   of, and then interactions with, the worst-balanced covariates, and matching is redone — until every
   ``|SMD| <= 0.1`` or the refinements run out, in which case the result says so (``all_balanced = False``);
5. the ATT is the mean of treated-minus-matched-control differences, with the Abadie–Imbens (2006) standard
   error for matching estimators (conditional variances from each control's nearest same-group neighbour).
   Bootstrap is not used because it is invalid for nearest-neighbour matching (Abadie & Imbens 2008). Like
   most software's default, the standard error treats the propensity score as known.

Hand-written rather than taken from a package because the maintained Python options either lack calipers on
the logit with exact matching and 1:k without replacement, or pull in R; the algorithm is short and tested.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from toolkit.deviance.risk import RiskDesign, fit_logistic_newton
from toolkit.errors import InputDataError

SMD_TARGET = 0.1


# ---------------------------------------------------------------------------------------------------------
# balance


def smd(
    x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray | None = None, *, denominator: float | None = None
) -> float:
    """Standardised mean difference treated − controls (controls optionally weighted)."""
    mean_c = np.average(x_c, weights=w_c) if len(x_c) else np.nan
    if denominator is None:
        denominator = np.sqrt((np.var(x_t, ddof=1) + np.var(x_c, ddof=1)) / 2)
    diff = np.mean(x_t) - mean_c
    if denominator == 0 or not np.isfinite(denominator):
        return 0.0 if diff == 0 else float(np.sign(diff) * np.inf)
    return float(diff / denominator)


def _weighted_var(x: np.ndarray, w: np.ndarray) -> float:
    mean = np.average(x, weights=w)
    return float(np.average((x - mean) ** 2, weights=w))


def balance_table(
    X: np.ndarray,
    names: Sequence[str],
    treated: np.ndarray,
    matched_treated: np.ndarray,
    control_weights: np.ndarray,
) -> pd.DataFrame:
    """SMD before/after and variance ratio after matching for every column of ``X``.

    ``treated`` marks all treated rows; ``matched_treated`` the treated rows that got a match; ``control_weights``
    is each row's weight as a matched control (0 for unused rows).
    """
    rows = []
    used = control_weights > 0
    for j, name in enumerate(names):
        x = X[:, j]
        xt, xc = x[treated], x[~treated]
        denom = (
            np.sqrt((np.var(xt, ddof=1) + np.var(xc, ddof=1)) / 2) if len(xt) > 1 and len(xc) > 1 else np.nan
        )
        before = smd(xt, xc, denominator=denom)
        if matched_treated.any() and used.any():
            after = smd(x[matched_treated], x[used], control_weights[used], denominator=denom)
            var_c = _weighted_var(x[used], control_weights[used])
            var_t = float(np.var(x[matched_treated], ddof=0))
            ratio = var_t / var_c if var_c > 0 else (1.0 if var_t == 0 else np.inf)
        else:
            after, ratio = np.nan, np.nan
        rows.append(
            {"covariate": name, "smd_before": before, "smd_after": after, "variance_ratio_after": ratio}
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------------------
# propensity model and matching


def _term_matrix(X: np.ndarray, terms: Sequence[tuple[int, ...]]) -> np.ndarray:
    cols = [X[:, t[0]] if len(t) == 1 else X[:, t[0]] * X[:, t[1]] for t in terms]
    return np.column_stack(cols) if cols else np.empty((len(X), 0))


def propensity_logit(X: np.ndarray, treated: np.ndarray, terms: Sequence[tuple[int, ...]]) -> np.ndarray:
    """Linear predictor (logit) of a logistic propensity model on ``terms`` of ``X``."""
    design = StandardScaler().fit_transform(_term_matrix(X, terms))
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
    """Match every treated row to up to ``k`` controls nearest on ``score`` within ``caliper`` (absolute units).

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
    """For each row in ``idx``, the outcome of its nearest other row in ``idx`` on ``score`` (for σ² estimates)."""
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

    def control_weights(self) -> np.ndarray:
        """Weight of every row as a matched control (0 if unused)."""
        w = np.zeros(len(self.treated))
        if len(self.matches):
            inv = 1.0 / self.matches.groupby("treated")["control"].transform("size").to_numpy()
            np.add.at(w, self.matches["control"].to_numpy(), inv)
        return w

    def summary(self) -> pd.DataFrame:
        """One row per headline number, for printing and reports."""
        e = self.effect
        rows = [
            ("estimand", e["estimand"]),
            ("estimate", e["estimate"]),
            ("95% CI", f"{e['ci_low']:.3f} to {e['ci_high']:.3f}"),
            ("standard error", e["se"]),
            ("treated matched / all treated", f"{e['n_treated']} / {e['n_treated_total']}"),
            ("controls used", e["n_controls"]),
            ("max |SMD| after matching", float(self.balance["smd_after"].abs().max())),
            ("all |SMD| <= 0.1", self.all_balanced),
            ("propensity terms", ", ".join(self.terms)),
            ("method", e["method"]),
        ]
        return pd.DataFrame(rows, columns=["item", "value"])

    def love_plot(self):
        """|SMD| of each covariate before and after matching, with the 0.1 line."""
        import matplotlib.pyplot as plt

        b = self.balance.iloc[::-1]
        fig, ax = plt.subplots(figsize=(5.5, 0.32 * len(b) + 1.4))
        y = np.arange(len(b))
        ax.scatter(
            b["smd_before"].abs(), y, marker="o", facecolors="none", edgecolors="tab:red", label="before"
        )
        ax.scatter(b["smd_after"].abs(), y, marker="o", color="tab:blue", label="after matching")
        ax.axvline(SMD_TARGET, color="grey", ls="--", lw=1)
        ax.set_yticks(y)
        ax.set_yticklabels(b["covariate"], fontsize=8)
        ax.set_xlabel("|standardised mean difference|")
        ax.legend(fontsize=8, loc="lower right")
        ax.set_title("Covariate balance (Love plot)")
        fig.tight_layout()
        return fig

    def overlap_plot(self):
        """Distributions of the logit propensity score for treated and controls (overlap / common support)."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5.5, 3.6))
        s = self.logit_propensity
        finite = np.isfinite(s)
        bins = np.linspace(np.nanmin(s[finite]), np.nanmax(s[finite]), 40)
        ax.hist(s[~self.treated & finite], bins=bins, density=True, alpha=0.5, label="controls")
        ax.hist(s[self.treated & finite], bins=bins, density=True, alpha=0.5, label="treated")
        ax.set_xlabel("logit of the propensity score")
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        ax.set_title("Overlap of propensity scores")
        fig.tight_layout()
        return fig


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


def _refinement_candidates(
    X: np.ndarray, names: list[str], balance: pd.DataFrame, terms: list[tuple[int, ...]]
) -> list[tuple[int, ...]]:
    """Terms to try next: squares of the worst continuous covariates, then their interactions with the others."""
    worst = balance.assign(a=balance["smd_after"].abs()).sort_values("a", ascending=False)
    worst = worst[worst["a"] > SMD_TARGET]
    index = {n: i for i, n in enumerate(names)}
    present = set(terms)
    out: list[tuple[int, ...]] = []
    for name in worst["covariate"]:
        i = index[name]
        if len(np.unique(X[:, i])) > 2 and (i, i) not in present:
            out.append((i, i))
    for i in range(len(names)):
        if len(np.unique(X[:, i])) > 2 and (i, i) not in present and (i, i) not in out:
            out.append((i, i))
    for name in worst["covariate"]:
        i = index[name]
        for j in range(len(names)):
            pair = (min(i, j), max(i, j))
            if i != j and pair not in present and pair not in out:
                out.append(pair)
    return out


def _match_att(
    frame: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    k: int = 1,
    caliper: float = 0.2,
    replace: bool = True,
    exact: Sequence[str] = (),
    seed: int = 0,
    refine: bool = True,
    max_terms: int = 40,
    max_steps: int = 8,
    max_candidates: int = 24,
    bias_correction: bool = True,
) -> MatchResult:
    """Estimate the ATT of ``treatment`` on ``outcome`` by propensity-score matching with balance refinement.

    Parameters
    ----------
    k: controls per treated person (1:k). caliper: in standard deviations of the logit propensity.
    replace: a control may serve several treated people. exact: columns matched exactly (e.g. sex).
    refine: add squares/interactions to the propensity model until every ``|SMD| <= 0.1`` (at most
    ``max_steps`` forward-selection steps, each trying up to ``max_candidates`` terms).
    bias_correction: regression adjustment of matched outcomes for residual covariate differences. The balance is always judged on the covariates as given (after one-hot coding).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    if caliper is not None and caliper <= 0:
        raise ValueError("caliper must be positive (in SDs of the logit propensity) or None")
    covariates, exact = list(covariates), list(exact)
    _check_inputs(frame, treatment, outcome, covariates, exact)
    design = RiskDesign(covariates).fit(frame)
    X = design.transform(frame)
    names = design.feature_names_
    treated = pd.to_numeric(frame[treatment]).to_numpy() == 1
    y = pd.to_numeric(frame[outcome]).to_numpy(dtype=float)
    strata = None
    if exact:
        strata = frame[exact].astype("string").fillna("(missing)").agg("\x1f".join, axis=1).factorize()[0]

    def attempt(terms: list[tuple[int, ...]]) -> tuple[float, float, tuple]:
        logit = propensity_logit(X, treated, terms)
        cal = caliper * float(np.std(logit, ddof=1)) if caliper is not None else None
        lo, hi = logit[~treated].min(), logit[~treated].max()
        margin = cal or 0.0
        support = ~treated | ((logit >= lo - margin) & (logit <= hi + margin))
        matches = nearest_neighbour_match(
            logit, treated, k=k, caliper=cal, replace=replace, strata=strata, eligible=support, seed=seed
        )
        weights = np.zeros(len(frame))
        matched_treated = np.zeros(len(frame), dtype=bool)
        if len(matches):
            inv = 1.0 / matches.groupby("treated")["control"].transform("size").to_numpy()
            np.add.at(weights, matches["control"].to_numpy(), inv)
            matched_treated[matches["treated"].unique()] = True
        balance = balance_table(X, names, treated, matched_treated, weights)
        absolute = balance["smd_after"].abs().fillna(np.inf)
        return (
            float(absolute.max()),
            float(absolute.mean()),
            (logit, matches, balance, list(terms), ~support & treated),
        )

    terms: list[tuple[int, ...]] = [(i,) for i in range(X.shape[1]) if np.ptp(X[:, i]) > 0]
    refinements: list[str] = []
    worst, mean_abs, state = attempt(terms)
    best = (worst, mean_abs, state, [])
    steps = 0
    while refine and best[0] > SMD_TARGET and steps < max_steps and len(terms) < max_terms:
        candidates = _refinement_candidates(X, names, state[2], terms)[:max_candidates]
        if not candidates:
            break
        # Forward selection: try each candidate term and keep the one that leaves the worst covariate best balanced.
        tried = [(attempt([*terms, c]), c) for c in candidates]
        (worst, mean_abs, state), chosen = min(tried, key=lambda item: (item[0][0], item[0][1]))
        terms.append(chosen)
        refinements.append(_term_name(chosen, names))
        steps += 1
        if (worst, mean_abs) < (best[0], best[1]):
            best = (worst, mean_abs, state, list(refinements))
    worst, _, (logit, matches, balance, terms_used, trimmed), refinements = best
    if len(matches) == 0:
        raise InputDataError(
            "no treated person has a control within the caliper", fix="widen --caliper or check overlap"
        )
    est = att_from_matches(y, logit, treated, matches, X if bias_correction else None)
    all_balanced = bool(worst <= SMD_TARGET)
    message = (
        "every |SMD| <= 0.1 after matching"
        if all_balanced
        else f"could not reach |SMD| <= 0.1 for every covariate (worst {worst:.3f}, after trying {steps} refinement steps); "
        "treat the estimate with caution"
    )
    effect = {
        "estimand": "ATT",
        "estimate": est["estimate"],
        "ci_low": est["estimate"] - 1.959964 * est["se"],
        "ci_high": est["estimate"] + 1.959964 * est["se"],
        "n_treated": est["n_treated_matched"],
        "n_controls": est["n_controls_used"],
        "se": est["se"],
        "n_treated_total": int(treated.sum()),
        "n_treated_trimmed": int(trimmed.sum()),
        "method": (
            f"nearest-neighbour 1:{k} propensity matching on the logit, caliper {caliper} SD, "
            f"{'with' if replace else 'without'} replacement"
            + (f", exact on {', '.join(exact)}" if exact else "")
            + ("; Abadie-Imbens bias correction" if bias_correction else "")
            + "; Abadie-Imbens standard error"
        ),
        "refinements": refinements,
        "all_balanced": all_balanced,
        "max_abs_smd_after": worst,
    }
    return MatchResult(
        effect=effect,
        balance=balance,
        matches=matches,
        logit_propensity=logit,
        treated=treated,
        terms=[_term_name(t, names) for t in terms_used],
        refinements=refinements,
        all_balanced=all_balanced,
        message=message,
        trimmed_treated=trimmed,
    )


@functools.wraps(_match_att)
def match_att(*args: Any, **kwargs: Any) -> MatchResult:
    # Small matrices: a multithreaded BLAS spends more time synchronising threads than computing (13x slower on
    # a busy 2-core machine), so the whole engine runs single-threaded.
    with threadpool_limits(limits=1, user_api="blas"):
        return _match_att(*args, **kwargs)


def _term_name(term: tuple[int, ...], names: Sequence[str]) -> str:
    if len(term) == 1:
        return names[term[0]]
    if term[0] == term[1]:
        return f"{names[term[0]]}^2"
    return f"{names[term[0]]}*{names[term[1]]}"


def write_match_outputs(
    path: str | Path,
    out_dir: str | Path,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    k: int = 1,
    caliper: float = 0.2,
    replace: bool = True,
    exact: Sequence[str] = (),
    seed: int = 0,
) -> MatchResult:
    """``pdtk match``: read a data file, match, and write ``effect.json`` and ``balance.csv`` (all or nothing)."""
    from toolkit.io import read_table, staged_output, write_csv, write_json

    frame = read_table(path)
    try:
        result = match_att(
            frame,
            treatment,
            outcome,
            covariates,
            k=k,
            caliper=caliper,
            replace=replace,
            exact=exact,
            seed=seed,
        )
    except InputDataError as exc:
        raise InputDataError(str(exc).rstrip("."), file=path) from None
    effect = {
        key: (value.item() if isinstance(value, np.generic) else value)
        for key, value in result.effect.items()
    }
    effect["message"] = result.message
    with staged_output(out_dir) as out:
        write_json(out / "effect.json", effect)
        write_csv(out / "balance.csv", result.balance)
    return result


__all__ = [
    "MatchResult",
    "match_att",
    "balance_table",
    "nearest_neighbour_match",
    "att_from_matches",
    "smd",
    "write_match_outputs",
]
