"""Staggered adoption: group-time average treatment effects compared only with not-yet-treated units.

When municipalities adopt a practice in different years and its effect grows with time, the two-way fixed
effects regression compares late adopters with early adopters that are already treated, and the early
adopters' growing effect enters with a negative sign (see :func:`toolkit.effect.did.twfe_weights`). Callaway
& Sant'Anna (2021) avoid this by estimating one effect per adoption cohort g and period t,

    ATT(g, t) = E[Y_t − Y_{g−1} | G = g] − E[Y_t − Y_{g−1} | C_{g,t}],

where the comparison group C_{g,t} is every unit not yet treated at max(t, g−1) (including never-treated), or
only never-treated units. Each ATT(g, t) is a clean 2 × 2 comparison, and the cells are then averaged:
``simple`` (every post-adoption cell, weighted by cohort size), ``dynamic`` (by years since adoption, which is
also the event-study plot; cells before adoption are placebo checks) and ``group`` (by cohort).

Written here rather than taken from a package because the estimator without covariates is a few weighted
means, the Python ports of the R ``did`` package pull in heavy dependencies, and this version needs to follow
the toolkit's conventions (weights = number of people, small-cell suppression of cohort sizes, plain
readings). The universal base period g − 1 is used for every cell, so the dynamic plot reads like a TWFE
event study (zero at −1). Inference is a multiplier (Bayesian) bootstrap over units: each draw gives every
unit
an Exp(1) weight and recomputes every cell and aggregate, which keeps the dependence between a unit's years
and
between cells; intervals are normal with the bootstrap standard error, and the dynamic aggregate also gets a
simultaneous (sup-t) band.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.effect.did import (
    COHORT,
    NEVER,
    PERIOD,
    UNIT,
    PretrendTest,
    W,
    Y,
    effective_clusters,
    hotelling_pretrend,
    plot_event_time,
    single_threaded_blas,
)

ControlGroup = Literal["notyettreated", "nevertreated"]


@dataclass
class StaggeredResult:
    """Group-time ATTs and their aggregates, with bootstrap standard errors.

    Attributes
    ----------
    att_gt:
        One row per cohort × period: ``cohort, period, event_time, estimate, std_error, ci_low, ci_high,
        p_value, n_units, n_control_units, weight_sum`` (``weight_sum`` = the cohort's total weight, i.e. the
        number of people when weighted by ``n``).
    simple, dynamic, group:
        Aggregates as tidy frames (``simple`` has one row).
    pretrend:
        Joint test (bootstrap covariance, Hotelling small-sample F) that the pre-adoption dynamic estimates
        closest to adoption (event times −2 … −(max_leads + 1)) are zero.
    """

    att_gt: pd.DataFrame
    simple: pd.DataFrame
    dynamic: pd.DataFrame
    group: pd.DataFrame
    pretrend: PretrendTest
    control_group: ControlGroup
    weighted: bool
    n_boot: int
    notes: list[str] = field(default_factory=list)

    @property
    def estimate(self) -> float:
        return float(self.simple["estimate"].iloc[0])

    def summary(self) -> str:
        s = self.simple.iloc[0]
        lines = [
            f"Group-time ATT (Callaway–Sant'Anna; controls: {self.control_group}; "
            f"{'weighted' if self.weighted else 'unweighted'}; {self.n_boot} bootstrap draws)",
            f"  simple ATT: {s.estimate:.4f} (SE {s.std_error:.4f}, 95% CI {s.ci_low:.4f} to "
            f"{s.ci_high:.4f})",
        ]
        lines += [
            f"  e={int(r.event_time):+d}: {r.estimate:.4f} [{r.ci_low:.4f}, {r.ci_high:.4f}]"
            for r in self.dynamic.itertuples()
        ]
        lines.append("  " + self.pretrend.reading())
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def plot(
        self, *, ax: Any = None, scale: float = 1.0, ylabel: str = "effect", title: str | None = None
    ) -> Any:
        """The dynamic aggregate (event study) with pointwise 95% intervals."""
        return plot_event_time(
            self.dynamic,
            ax=ax,
            scale=scale,
            ylabel=ylabel,
            title=title or "Group-time ATT by years since adoption",
        )


def group_time_att(
    prepared: pd.DataFrame,
    *,
    weighted: bool = False,
    control_group: ControlGroup = "notyettreated",
    n_boot: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
    max_leads: int = 4,
) -> StaggeredResult:
    """Estimate ATT(g, t) for every adoption cohort g and period t, and aggregate them.

    ``prepared`` comes from :func:`toolkit.effect.did.prepare_panel`. The panel must be balanced for the units
    used: units missing a period are dropped (a note says how many), because each ATT(g, t) differences the
    same
    units' outcomes between t and g − 1. Cohorts that adopt in the first period have no pre-period and are
    dropped too. ``weighted`` weights units by their mean weight (e.g. mean number of young people), so the
    estimate is the effect on the pooled outcome of everyone in the adopting units. The pre-trend test uses
    the
    ``max_leads`` pre-adoption years closest to adoption (event times −2 … −(max_leads + 1)).
    """
    with single_threaded_blas():
        return _group_time_att(
            prepared,
            weighted=weighted,
            control_group=control_group,
            n_boot=n_boot,
            alpha=alpha,
            seed=seed,
            max_leads=max_leads,
        )


def _check_settings(control_group: str, n_boot: int, alpha: float) -> None:
    """Refuse settings the estimator cannot use (plain ``ValueError``: these are programming errors)."""
    if control_group not in ("notyettreated", "nevertreated"):
        raise ValueError(f"control_group must be 'notyettreated' or 'nevertreated', got {control_group!r}")
    if not isinstance(n_boot, int | np.integer) or n_boot < 99:
        raise ValueError(f"n_boot must be a whole number ≥ 99, got {n_boot!r}")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be between 0 and 0.5, got {alpha!r}")


ATT_GT_COLUMNS = [
    "cohort", "period", "event_time", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_units",
    "n_control_units", "weight_sum",
]  # fmt: skip


@dataclass
class _Sample:
    """The units the estimator can use: balanced outcomes by period, adoption cohort and weight per unit."""

    y: np.ndarray  # units × periods
    periods: list[int]
    cohort: np.ndarray  # adoption period per unit, NEVER for never-treated
    unit_w: np.ndarray
    notes: list[str]

    @property
    def cohorts(self) -> list[int]:
        """The adoption cohorts left, in order."""
        return sorted({int(g) for g in self.cohort if g != NEVER})


def _group_time_att(
    prepared: pd.DataFrame,
    *,
    weighted: bool,
    control_group: ControlGroup,
    n_boot: int,
    alpha: float,
    seed: int,
    max_leads: int,
) -> StaggeredResult:
    """The estimator: cells, their bootstrap draws, the three aggregates and the pre-trend test."""
    _check_settings(control_group, n_boot, alpha)
    sample = _balanced_sample(prepared, weighted=weighted)
    if control_group == "nevertreated" and not (sample.cohort == NEVER).any():
        raise ValueError("control_group='nevertreated' needs units that never adopt; use 'notyettreated'")
    rng = np.random.default_rng(seed)
    n_units = len(sample.y)
    multipliers = np.vstack(
        [np.ones(n_units), rng.exponential(1.0, size=(n_boot, n_units))]
    )  # row 0: estimate
    wb = multipliers * sample.unit_w  # (1 + B) × N unit weights per draw
    cells, draws = _cell_draws(sample, wb, control_group)
    att_gt = pd.concat([cells, _inference(draws, alpha)], axis=1)[ATT_GT_COLUMNS]
    # Cohort weights per draw: the cohort's total (bootstrap-reweighted) weight.
    cohort_weight = {g: wb[:, sample.cohort == g].sum(axis=1) for g in sample.cohorts}
    cell_g = att_gt["cohort"].to_numpy()
    cell_e = att_gt["event_time"].to_numpy()
    post = cell_e >= 0
    simple = pd.concat(
        [
            pd.DataFrame({"aggregation": ["simple"], "n_cells": [int(post.sum())]}),
            _inference(_aggregate(draws, cohort_weight, cell_g, post)[:, None], alpha),
        ],
        axis=1,
    )
    event_times = sorted(set(cell_e.tolist()))
    dyn_draws = np.column_stack([_aggregate(draws, cohort_weight, cell_g, cell_e == e) for e in event_times])
    return StaggeredResult(
        att_gt=att_gt,
        simple=simple,
        dynamic=_dynamic_table(att_gt, dyn_draws, event_times, sample, alpha),
        group=_group_table(draws, cell_g, post, sample, alpha),
        pretrend=_pretrend(dyn_draws, cell_g, cell_e, event_times, sample, alpha, max_leads),
        control_group=control_group,
        weighted=weighted,
        n_boot=int(n_boot),
        notes=sample.notes,
    )


def _balanced_sample(prepared: pd.DataFrame, *, weighted: bool) -> _Sample:
    """Units observed in every period and not adopting in the first one (notes say how many were left out)."""
    notes: list[str] = []
    wide = prepared.pivot(index=UNIT, columns=PERIOD, values=Y)
    complete = wide.notna().all(axis=1)
    if not complete.all():
        notes.append(
            f"{int((~complete).sum())} unit(s) with missing periods were left out (the estimator needs every "
            f"year)"
        )
        wide = wide.loc[complete]
    periods = [int(p) for p in wide.columns]
    unit_info = prepared.groupby(UNIT).agg(cohort=(COHORT, "first"), w=(W, "mean")).loc[wide.index]
    cohort = unit_info["cohort"].to_numpy(dtype=float)
    unit_w = unit_info["w"].to_numpy(dtype=float) if weighted else np.ones(len(wide))
    always = (cohort != NEVER) & (cohort <= periods[0])
    if always.any():
        notes.append(
            f"{int(always.sum())} unit(s) adopting in the first period were left out (no year before "
            f"adoption)"
        )
        keep = ~always
        wide, cohort, unit_w = wide.loc[keep], cohort[keep], unit_w[keep]
    return _Sample(y=wide.to_numpy(dtype=float), periods=periods, cohort=cohort, unit_w=unit_w, notes=notes)


def _cell_draws(
    sample: _Sample, wb: np.ndarray, control_group: ControlGroup
) -> tuple[pd.DataFrame, np.ndarray]:
    """ATT(g, t) of every cohort × period with a base year and controls: the cells, and (1 + B) × cells draws.

    Each cell is a 2 × 2 comparison: the change from g − 1 to t of cohort g against that of the controls
    (not yet treated at max(t, g − 1), or never treated), as weighted means under every draw's weights.
    """
    cohort, periods = sample.cohort, sample.periods
    col = {p: i for i, p in enumerate(periods)}
    cells: list[dict[str, Any]] = []
    draws: list[np.ndarray] = []
    for g in sample.cohorts:
        base = g - 1
        if base not in col:
            continue
        treated = cohort == g
        for t in periods:
            if t == base:
                continue
            if control_group == "nevertreated":
                controls = cohort == NEVER
            else:
                controls = (cohort > max(t, base)) & (cohort != g)
            if not controls.any():
                continue
            diff = sample.y[:, col[t]] - sample.y[:, col[base]]
            draws.append(_wmean(wb, treated, diff) - _wmean(wb, controls, diff))
            cells.append(
                {
                    "cohort": g,
                    "period": t,
                    "event_time": t - g,
                    "n_units": int(treated.sum()),
                    "n_control_units": int(controls.sum()),
                    "weight_sum": float(sample.unit_w[treated].sum()),
                }
            )
    if not cells:
        raise ValueError(
            "no cohort has both a year before adoption and comparison units; nothing to estimate"
        )
    return pd.DataFrame(cells), np.vstack(draws).T


def _aggregate(
    draws: np.ndarray, cohort_weight: dict[int, np.ndarray], cell_g: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """The cells in ``mask`` averaged with their cohorts' weights, per draw."""
    weights = np.column_stack([cohort_weight[int(g)] for g in cell_g[mask]])
    return (weights * draws[:, mask]).sum(axis=1) / weights.sum(axis=1)


def _dynamic_table(
    att_gt: pd.DataFrame, dyn_draws: np.ndarray, event_times: list[int], sample: _Sample, alpha: float
) -> pd.DataFrame:
    """The event study: one row per years since adoption, pointwise intervals and a simultaneous band."""
    cell_e = att_gt["event_time"].to_numpy()
    dynamic = pd.concat(
        [
            pd.DataFrame(
                {
                    "event_time": event_times,
                    "n_cohorts": [int((cell_e == e).sum()) for e in event_times],
                    "n_units": [int(att_gt.loc[cell_e == e, "n_units"].sum()) for e in event_times],
                }
            ),
            _inference(dyn_draws, alpha),
        ],
        axis=1,
    )
    crit = _sup_t_critical(dyn_draws, alpha)
    dynamic["band_low"] = dynamic["estimate"] - crit * dynamic["std_error"]
    dynamic["band_high"] = dynamic["estimate"] + crit * dynamic["std_error"]
    # The reference period −1 is zero by construction (base period g − 1); show it as in a TWFE event study.
    if -1 in event_times:
        return dynamic
    ref = {c: 0.0 for c in ("estimate", "std_error", "ci_low", "ci_high", "band_low", "band_high")}
    ref.update(
        {
            "event_time": -1,
            "n_cohorts": len(sample.cohorts),
            "n_units": int((sample.cohort != NEVER).sum()),
            "p_value": np.nan,
        }
    )
    return (
        pd.concat([dynamic, pd.DataFrame([ref])], ignore_index=True)
        .sort_values("event_time")
        .reset_index(drop=True)
    )


def _group_table(
    draws: np.ndarray, cell_g: np.ndarray, post: np.ndarray, sample: _Sample, alpha: float
) -> pd.DataFrame:
    """One row per cohort with post-adoption cells: the plain mean of its cells."""
    cohort = sample.cohort
    group_rows = [g for g in sample.cohorts if ((cell_g == g) & post).any()]
    group_draws = np.column_stack([draws[:, (cell_g == g) & post].mean(axis=1) for g in group_rows])
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "cohort": group_rows,
                    "n_units": [int((cohort == g).sum()) for g in group_rows],
                    "weight_sum": [float(sample.unit_w[cohort == g].sum()) for g in group_rows],
                }
            ),
            _inference(group_draws, alpha),
        ],
        axis=1,
    )


def _pretrend(
    dyn_draws: np.ndarray,
    cell_g: np.ndarray,
    cell_e: np.ndarray,
    event_times: list[int],
    sample: _Sample,
    alpha: float,
    max_leads: int,
) -> PretrendTest:
    """Joint test that the dynamic estimates at event times −2 … −(max_leads + 1) are zero.

    The small-sample F counts as clusters the effective number of units in the cohorts behind those cells.
    """
    pre_mask = [-(max_leads + 1) <= e <= -2 for e in event_times]
    pre_cohorts = sorted({int(g) for g, e in zip(cell_g, cell_e, strict=True) if -(max_leads + 1) <= e <= -2})
    pre_units = np.isin(sample.cohort, pre_cohorts)
    return _wald(dyn_draws[:, pre_mask], alpha, effective_clusters(sample.unit_w[pre_units]))


def _wmean(wb: np.ndarray, mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Weighted mean of ``values`` over ``mask`` for every row (draw) of the weight matrix ``wb``."""
    w = wb[:, mask]
    return (w @ values[mask]) / w.sum(axis=1)


def _inference(draws: np.ndarray, alpha: float) -> pd.DataFrame:
    """Row 0 of ``draws`` is the estimate, the rest bootstrap draws → estimate, SE, normal CI, p-value."""
    estimate = draws[0]
    se = draws[1:].std(axis=0, ddof=1)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(se > 0, 2 * stats.norm.sf(np.abs(estimate / se)), np.nan)
    return pd.DataFrame(
        {
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - z * se,
            "ci_high": estimate + z * se,
            "p_value": p,
        }
    )


def _sup_t_critical(draws: np.ndarray, alpha: float) -> float:
    """Critical value for a simultaneous band: quantile of the largest standardised deviation across
    columns."""
    se = draws[1:].std(axis=0, ddof=1)
    ok = se > 0
    if not ok.any():
        return float(stats.norm.ppf(1 - alpha / 2))
    t_max = np.max(np.abs(draws[1:, ok] - draws[0, ok]) / se[ok], axis=1)
    return float(np.quantile(t_max, 1 - alpha))


def _wald(draws: np.ndarray, alpha: float, clusters: float) -> PretrendTest:
    """Joint test that every column's estimate is zero: bootstrap covariance, Hotelling small-sample F."""
    k = draws.shape[1]
    if k == 0:
        return PretrendTest(statistic=np.nan, df=0, p_value=np.nan, test="bootstrap Wald", alpha=alpha)
    estimate = draws[0]
    cov = np.atleast_2d(np.cov(draws[1:], rowvar=False))
    statistic = float(estimate @ np.linalg.pinv(cov) @ estimate)
    return hotelling_pretrend(
        statistic, int(np.linalg.matrix_rank(cov)), clusters, alpha=alpha, test="bootstrap Wald"
    )
