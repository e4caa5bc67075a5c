"""Refute and bound an effect estimate, as explicit steps after estimation (in the manner of DoWhy).

An estimate from observational data rests on assumptions no estimate can check by itself. Three refuters
re-run the *same* estimator on altered data, where the answer is known in advance (Sharma & Kiciman's DoWhy
refuters, re-implemented here because DoWhy does not install cleanly next to this toolkit: it downgrades
SciPy):

* **placebo treatment** — the treatment column is randomly permuted, so it can have no effect: the estimates
  should scatter around 0 and their intervals should cover 0;
* **random common cause** — an independent random covariate is added: a sound estimator barely moves;
* **data subset** — the estimate is repeated on random 80% subsets: it should stay within its own uncertainty.

None of them can detect an *unmeasured* confounder. For that the E-value (VanderWeele & Ding 2017) says how
strong such a confounder would have to be — as a risk ratio with both treatment and outcome — to explain the
estimate away, and to move its interval to include 0. Continuous outcomes are put on the risk-ratio scale
with the standardised-difference approximation RR ≈ exp(0.91·d) (VanderWeele 2017).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

Estimator = Callable[[pd.DataFrame, str, str, list[str]], dict[str, Any]]
"""(frame, treatment, outcome, covariates) → a record with ``estimate``, ``ci_low``, ``ci_high``, ``se``."""

REFUTATION_COLUMNS = ["refuter", "original", "new_mean", "new_min", "new_max", "n_runs", "passed", "reading"]


def _runs(estimator: Estimator, frames: Sequence[pd.DataFrame], t: str, y: str, x: list[str]) -> pd.DataFrame:
    return pd.DataFrame([estimator(f, t, y, x) for f in frames])


def _row(refuter: str, original: float, runs: pd.DataFrame, passed: bool, reading: str) -> dict[str, Any]:
    return {
        "refuter": refuter,
        "original": original,
        "new_mean": float(runs["estimate"].mean()),
        "new_min": float(runs["estimate"].min()),
        "new_max": float(runs["estimate"].max()),
        "n_runs": len(runs),
        "passed": bool(passed),
        "reading": reading,
    }


def refute(
    estimator: Estimator,
    frame: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    original: dict[str, Any],
    *,
    n_runs: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Run the three refuters, each ``n_runs`` times, and say for each whether the estimate passed.

    Pass rules: placebo — the intervals of at least ``n_runs − 1`` runs cover 0 (each covers 0 with 95%
    probability when the estimator is sound); random common cause and data subset — the mean new estimate lies
    within one original standard error of the original estimate.
    """
    rng = np.random.default_rng([seed, 17])
    covariates = list(covariates)
    estimate, se = float(original["estimate"]), float(original["se"])
    placebo_frames = [
        frame.assign(**{treatment: rng.permutation(frame[treatment].to_numpy())}) for _ in range(n_runs)
    ]
    placebo = _runs(estimator, placebo_frames, treatment, outcome, covariates)
    covered = int(((placebo["ci_low"] <= 0) & (placebo["ci_high"] >= 0)).sum())
    rows = [
        _row(
            "placebo treatment",
            estimate,
            placebo,
            covered >= n_runs - 1,
            f"with the treatment randomly permuted, {covered} of {n_runs} intervals cover 0 "
            f"(mean placebo effect {placebo['estimate'].mean():.3g})",
        )
    ]
    name = "_random_common_cause"
    common = [frame.assign(**{name: rng.normal(size=len(frame))}) for _ in range(n_runs)]
    moved = _runs(estimator, common, treatment, outcome, [*covariates, name])
    shift = float(moved["estimate"].mean() - estimate)
    rows.append(
        _row(
            "random common cause",
            estimate,
            moved,
            abs(shift) <= se,
            f"adding a random covariate moves the estimate by {shift:.3g} on average "
            f"({abs(shift) / se:.2f} SE)",
        )
    )
    subsets = [frame.sample(frac=0.8, random_state=int(rng.integers(2**31))) for _ in range(n_runs)]
    sub = _runs(estimator, [s.reset_index(drop=True) for s in subsets], treatment, outcome, covariates)
    shift = float(sub["estimate"].mean() - estimate)
    rows.append(
        _row(
            "data subset (80%)",
            estimate,
            sub,
            abs(shift) <= se,
            f"on random 80% subsets the estimate moves by {shift:.3g} on average ({abs(shift) / se:.2f} SE)",
        )
    )
    return pd.DataFrame(rows, columns=REFUTATION_COLUMNS)


def _e_value_of_ratio(rr: float) -> float:
    """E-value of a risk ratio: RR + sqrt(RR·(RR − 1)), after turning a protective RR above 1."""
    if not np.isfinite(rr) or rr <= 0:
        return float("nan")
    rr = 1.0 / rr if rr < 1 else rr
    return float(rr + np.sqrt(rr * (rr - 1.0)))


def e_value(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    outcome_sd: float | None = None,
    baseline_risk: float | None = None,
) -> dict[str, Any]:
    """E-values of an effect on a difference scale, for the estimate and for the interval limit nearest 0.

    Give ``outcome_sd`` for a continuous outcome (difference → standardised d → RR ≈ exp(0.91·d)), or
    ``baseline_risk`` (the treated group's risk without treatment) for a 0/1 outcome (risk difference → risk
    ratio). The E-value of the interval is 1 when the interval already includes 0.
    """
    if baseline_risk is not None:
        p0 = float(np.clip(baseline_risk, 1e-6, 1 - 1e-6))

        def to_rr(diff: float) -> float:
            return float(np.clip(p0 + diff, 1e-6, 1.0) / p0)

        scale = f"risk ratio (baseline risk {p0:.3g})"
    else:
        sd = float(outcome_sd) if outcome_sd else float("nan")

        def to_rr(diff: float) -> float:
            return float(np.exp(0.91 * diff / sd))

        scale = f"risk ratio ≈ exp(0.91·d), d = difference / {sd:.3g} (outcome SD)"
    point = _e_value_of_ratio(to_rr(estimate))
    crosses = ci_low <= 0 <= ci_high
    nearest = 0.0 if crosses else (ci_low if estimate > 0 else ci_high)
    limit = 1.0 if crosses else _e_value_of_ratio(to_rr(nearest))
    reading = (
        "to explain the estimate away, an unmeasured confounder would need a risk ratio of at least "
        f"{point:.2f} "
        f"with both the treatment and the outcome (beyond the measured covariates); "
        + (
            "the interval already includes 0, so no confounding is needed to make it compatible "
            "with no effect"
            if crosses
            else f"to move the interval to include 0, at least {limit:.2f}"
        )
    )
    return {"e_value": point, "e_value_ci": limit, "scale": scale, "reading": reading}


__all__ = ["refute", "e_value", "REFUTATION_COLUMNS"]
