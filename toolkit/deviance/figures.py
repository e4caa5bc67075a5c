"""Phase 2's figures, each a function of the small tables and arrays it shows.

Why functions and not only methods: the report can then hand a figure to a second process as
``functools.partial(function, *inputs)`` — the inputs pickle in milliseconds, where the result objects the
methods hang on hold the million-row design — and that process draws it while this one writes the tables
(:mod:`toolkit.deviance.helper`). The methods that drew these figures (``RiskModelResult.reliability_plot``,
``UnitAnalysis.funnel_plot``, ``MatchResult.love_plot`` and ``overlap_plot``) call these functions, so a
notebook gets the same figure either way. Nothing here imports scikit-learn or SciPy at import, and matplotlib
is imported only when a figure is drawn: a process that never draws (the analysis process when a helper draws)
never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from toolkit.deviance.units import UnitAnalysis


def reliability(calibration: pd.DataFrame, model: str) -> Any:
    """Observed success rate against mean predicted probability by tenth of predicted probability."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--", label="perfect calibration")
    ax.plot(
        calibration["mean_predicted"],
        calibration["observed_rate"],
        "o-",
        label=f"{model} (cross-fitted)",
    )
    ax.set_xlabel("predicted probability of the good outcome")
    ax.set_ylabel("observed share with the good outcome")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def risk_distribution(risk: np.ndarray, high_risk_quantile: float) -> Any:
    """The distribution of predicted risk, with the high-risk cut-off marked."""
    import matplotlib.pyplot as plt

    cut = float(np.quantile(risk, high_risk_quantile))
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.hist(risk, bins=30, density=True, color="tab:blue", alpha=0.7)
    ax.axvline(cut, color="tab:red", lw=1.2, label="high-risk cut-off")
    ax.set_xlabel("predicted risk of the bad outcome (cross-fitted)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def stability(share: pd.Series, runs: int) -> Any:
    """The share of cross-fitting runs in which each person flagged at least once was flagged."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    if len(share):
        ax.hist(
            share,
            bins=np.linspace(0, 1, runs + 2) if runs > 1 else 3,
            color="tab:green",
            alpha=0.8,
            density=True,
        )
    else:
        ax.text(0.5, 0.5, "nobody was flagged in any run", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("share of runs flagged (people flagged at least once)")
    ax.set_ylabel("density")
    fig.tight_layout()
    return fig


def funnel_inputs(analysis: UnitAnalysis) -> tuple[pd.DataFrame, str, list[tuple[float, float]]]:
    """What :func:`funnel` draws for ``analysis``: its table, its unit column and each limit with its
    critical value (95 % and ``unit_limit``, times √φ when the limits are widened).

    The critical values are worked out here, so that a process that only draws needs no SciPy (and with
    ``scipy.special``'s normal quantile, which is what ``scipy.stats.norm.ppf`` calls, so that phase 2's own
    process does not import ``scipy.stats`` for two numbers).
    """
    from scipy.special import ndtri

    inflate = np.sqrt(analysis.dispersion["phi"]) if analysis.widened else 1.0
    limits = [(level, ndtri(1 - (1 - level) / 2) * inflate) for level in (0.95, analysis.limit)]
    return analysis.table, analysis.unit_var, limits


def funnel(table: pd.DataFrame, unit_var: str, limits: list[tuple[float, float]]) -> Any:
    """O/E against precision E²/V with the ``limits`` (level, critical value): see :func:`funnel_inputs`."""
    import matplotlib.pyplot as plt

    t = table
    ok = (t["variance"] > 0) & ~t.get("no_unit", pd.Series(False, index=t.index))
    precision = (t.loc[ok, "expected"] ** 2 / t.loc[ok, "variance"]).to_numpy(dtype=float)
    ratio = (t.loc[ok, "observed"] / t.loc[ok, "expected"]).to_numpy(dtype=float)
    grid = (
        np.linspace(max(precision.min() * 0.8, 1e-3), precision.max() * 1.1, 200)
        if len(precision)
        else np.array([1.0])
    )
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for (level, zc), style in zip(limits, ("--", "-"), strict=True):
        ax.plot(grid, 1 + zc / np.sqrt(grid), color="grey", ls=style, lw=1, label=f"{level:.1%} limits")
        ax.plot(grid, 1 - zc / np.sqrt(grid), color="grey", ls=style, lw=1)
    colours = t.loc[ok, "flag"].map({"above": "tab:green", "below": "tab:red"}).fillna("tab:blue")
    ax.scatter(precision, ratio, c=list(colours), s=28, zorder=3)
    for x, r, f, u in zip(precision, ratio, t.loc[ok, "flag"], t.loc[ok, "unit"], strict=True):
        if f:
            ax.annotate(str(u), (x, r), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axhline(1, color="black", lw=0.8)
    ax.set_xlabel("precision (expected² / variance)")
    ax.set_ylabel("observed / expected successes")
    ax.set_title(f"Funnel plot: {unit_var}")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def love(balance: pd.DataFrame, target: float) -> Any:
    """|SMD| of each covariate before and after matching, with the ``target`` line (0.1)."""
    import matplotlib.pyplot as plt

    b = balance.iloc[::-1]
    fig, ax = plt.subplots(figsize=(5.5, 0.32 * len(b) + 1.4))
    y = np.arange(len(b))
    ax.scatter(b["smd_before"].abs(), y, marker="o", facecolors="none", edgecolors="tab:red", label="before")
    ax.scatter(b["smd_after"].abs(), y, marker="o", color="tab:blue", label="after matching")
    ax.axvline(target, color="grey", ls="--", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels(b["covariate"], fontsize=8)
    ax.set_xlabel("|standardised mean difference| (treated SD)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Covariate balance (Love plot)")
    fig.tight_layout()
    return fig


def overlap(logit_propensity: np.ndarray, treated: np.ndarray) -> Any:
    """Distributions of the logit propensity score for treated and controls (overlap / common support)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    s = logit_propensity
    finite = np.isfinite(s)
    bins = np.linspace(np.nanmin(s[finite]), np.nanmax(s[finite]), 40)
    ax.hist(s[~treated & finite], bins=bins, density=True, alpha=0.5, label="controls")
    ax.hist(s[treated & finite], bins=bins, density=True, alpha=0.5, label="treated")
    ax.set_xlabel("logit of the propensity score")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.set_title("Overlap of propensity scores")
    fig.tight_layout()
    return fig


__all__ = [
    "funnel",
    "funnel_inputs",
    "love",
    "overlap",
    "reliability",
    "risk_distribution",
    "stability",
]
