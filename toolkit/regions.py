"""Several regions in one study: pooling their registers, and which regions do better than their intake
predicts.

The method is meant to spread beyond one region (phase 3 goal 5, "spre til flere regioner"). A protocol names
the regions either as one register per region (``regions:``) or as a column of one register
(``region_column:``); this module reads them into one pooled register with a region column, splits it again
for the per-region runs, and compares the regions.

**One model across regions.** Regions are units one level above municipalities and schools, so the comparison
reuses phase 2's unit analysis rather than re-implementing it: the pooled register's cross-fitted expected
outcomes (one risk model fitted on every region's young people) are summed per region, and
:func:`toolkit.deviance.analysis.unit_analyses_with_benchmark` gives observed against expected with the same
z-scores, over-dispersion rule, funnel limits and two-pass benchmark as for municipalities. A separate model
per region would make every region equal to itself by construction; only a shared model asks whether a
region's young people did better than young people like them elsewhere. With a handful of regions
over-dispersion cannot be estimated (fewer than 15 units), so the limits are the plain binomial ones and a
flag is a hypothesis for fieldwork, not a verdict."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.deviance.analysis import unit_analyses_with_benchmark  # phase 2's two-pass unit analysis
from toolkit.deviance.risk import RiskModelResult, check_outcome
from toolkit.deviance.units import UnitAnalysis
from toolkit.disclosure import DisclosurePolicy, suppress_small_cells
from toolkit.errors import InputDataError, ProtocolError
from toolkit.mapping import risk_indicator
from toolkit.results import StepResult, Summary

REGIONS_DIR = "regions"
"""Results folder of the region comparison; each region's own phases go under ``regions/<folder>/``."""

DEVIANCE_COLUMNS = [
    "region",
    "n",
    "observed",
    "expected",
    "o_minus_e",
    "limit_low",
    "limit_high",
    "z",
    "flag",
]
"""The first columns of ``region_deviance.csv``, in this order (more may be added after them)."""


# --------------------------------------------------------------------------------------------- reading
def pool_registers(frames: Mapping[str, pd.DataFrame], *, column: str, label: Path | str) -> pd.DataFrame:
    """One register from one per region, with the region's name in ``column`` (added as the last column).

    The registers must have the same columns: a region whose extract lacks a column, or already has one
    called ``column``, is refused with the region named.
    """
    names = list(frames)
    first = list(frames[names[0]].columns)
    for name, frame in frames.items():
        if column in frame.columns:
            raise ProtocolError(
                f"regions: the register of region '{name}' already has a column '{column}'",
                file=label,
                fix=f"rename that column; pdtk adds '{column}' from the region names",
            )
        missing = [c for c in first if c not in frame.columns] or [c for c in frame.columns if c not in first]
        if missing:
            raise InputDataError(
                f"regions: the registers do not have the same columns ('{missing[0]}' is not in every "
                f"region's register; compare '{names[0]}' and '{name}')",
                file=label,
                fix="give every region the same register layout",
            )
    pooled = pd.concat(
        [frame[first].assign(**{column: name}) for name, frame in frames.items()], ignore_index=True
    )
    return pooled


def check_region_column(frame: pd.DataFrame, column: str, label: Path | str) -> None:
    """The protocol's ``region_column`` is in the register and names at least two regions."""
    if column not in frame.columns:
        close = difflib.get_close_matches(column, [str(c) for c in frame.columns], n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ProtocolError(
            f"key 'region_column': column '{column}' is not in the register{hint}",
            file=label,
            fix="name the register column that holds the region",
        )
    if frame[column].isna().any():
        raise ProtocolError(
            f"key 'region_column': column '{column}' is empty in {int(frame[column].isna().sum())} rows",
            file=label,
            fix="give every row its region (or leave the rows without one out of the extract)",
        )
    found = frame[column].nunique()
    if found < 2:
        raise ProtocolError(
            f"key 'region_column': column '{column}' holds {found} region; a comparison needs at least two",
            file=label,
            fix="for a single region, leave 'region_column' out of the protocol",
        )


def region_folder(name: object) -> str:
    """A folder name for a region: its name with anything but letters, digits, '-' and '_' replaced."""
    text = re.sub(r"[^\w\-]+", "_", str(name), flags=re.UNICODE).strip("_")
    return text or "region"


def split_regions(frame: pd.DataFrame, column: str) -> dict[str, pd.DataFrame]:
    """The pooled register per region (sorted by name), each with a fresh index.

    Rows whose region was suppressed by k-anonymity (when the protocol lists the region column among the
    quasi-identifiers) belong to no region: they count in the pooled analysis and in the comparison's
    '(missing)' row, never in a region's own run.
    """
    known = frame[frame[column].notna()]
    return {
        str(name): part.reset_index(drop=True)
        for name, part in known.groupby(known[column].astype(str), sort=True)
    }


# --------------------------------------------------------------------------------------------- comparing
@dataclass
class RegionComparison(StepResult):
    """Regions side by side: intake, observed against expected on one pooled model, flags and a funnel
    plot."""

    region_column: str
    analysis: UnitAnalysis
    tables: dict[str, pd.DataFrame]
    disclosure: DisclosurePolicy
    settings: dict[str, Any] = field(default_factory=dict)

    def outputs(self) -> dict[str, pd.DataFrame]:
        """``region_deviance.csv`` (observed, expected, O−E, limits, flag) and ``regions.csv`` (intake)."""
        return {f"{name}.csv": table for name, table in self.tables.items()}

    @property
    def flagged(self) -> pd.DataFrame:
        """The regions flagged above or below their expectation."""
        table = self.tables["region_deviance"]
        return table[table["flag"].fillna("") != ""]

    def summary_line(self) -> str:
        flagged = (
            "; ".join(f"{r.region} ({r.flag})" for r in self.flagged.itertuples()) or "no region flagged"
        )
        return f"{len(self.tables['region_deviance'])} regions on one model; {flagged}"

    def summary(self) -> Summary:
        summary = Summary(
            "Regions",
            [
                ("regions", len(self.tables["region_deviance"])),
                ("people", int(self.tables["region_deviance"]["n"].sum())),
                ("flagged", self.summary_line().split("; ", 1)[1]),
            ],
        )
        summary.add_table("Observed against expected per region", self.tables["region_deviance"])
        return summary

    @property
    def figures(self) -> dict[str, Any]:
        return {"funnel": self.funnel_plot()}

    def funnel_plot(self, language: str = "en"):
        """The regions' funnel plot (phase 2's unit funnel plot, axis texts in the report's language)."""
        fig = self.analysis.funnel_plot()
        if language == "nb":
            ax = fig.axes[0]
            ax.set_xlabel("presisjon (forventet² / varians)")
            ax.set_ylabel("observert / forventet antall som lyktes")
            ax.set_title("Traktplott: regioner")
            for text in ax.get_legend().get_texts():
                text.set_text(text.get_text().replace("limits", "grenser"))
        return fig

    def add_to_report(self, report: Any) -> None:
        """The comparison report's sections (see :mod:`toolkit.report.regions`)."""
        from toolkit.report.regions import add_region_sections

        add_region_sections(report, self)


def compare_regions(
    frame: pd.DataFrame,
    *,
    region_column: str,
    risk: RiskModelResult,
    outcome: str,
    risk_factors: list[str],
    config: Any,
    seed: int,
    disclosure: DisclosurePolicy,
) -> RegionComparison:
    """Observed against expected per region, from ``risk`` (the pooled phase 2 model on ``frame``).

    ``frame`` must be the pooled analysis register in the row order the risk model was fitted on. Regions
    flagged above in a first pass leave the benchmark (phase 2's two-pass rule), so one region's practice
    does not make the others look worse than they are.
    """
    frame = frame.reset_index(drop=True)
    y = check_outcome(frame, outcome)
    analysis = unit_analyses_with_benchmark(
        frame, y, risk, outcome, risk_factors, [region_column], config, seed
    )[0]
    deviance = _deviance_table(analysis, config.unit_limit)
    intake = _intake_table(frame, region_column, y, risk, risk_factors, config.high_risk_quantile)
    intake = intake.merge(deviance[["region", "expected", "flag"]], on="region", how="left")
    tables = {
        "region_deviance": _suppress(deviance, disclosure, ["observed"], _DERIVED_FROM_OBSERVED),
        "regions": _suppress(
            intake,
            disclosure,
            ["observed", "n_high_risk", *[f"n_with_{f}" for f in risk_factors]],
            {"observed_rate": ["observed"], "share_high_risk": ["n_high_risk"]}
            | {f"share_with_{f}": [f"n_with_{f}"] for f in risk_factors},
        ),
    }
    settings = {
        "unit_limit": config.unit_limit,
        "min_unit_size": config.min_unit_size,
        "outcome": outcome,
        "model": risk.model,
        "risk_factors": list(risk_factors),
    }
    return RegionComparison(region_column, analysis, tables, disclosure, settings)


_DERIVED_FROM_OBSERVED = {
    c: ["observed"]
    for c in (
        "o_minus_e",
        "z",
        "o_e",
        "o_e_ci_low",
        "o_e_ci_high",
        "o_e_shrunk",
        "z_adjusted",
        "observed_rate",
    )
}


def _deviance_table(analysis: UnitAnalysis, limit: float) -> pd.DataFrame:
    """Per region: the unit analysis's columns plus O−E and the funnel's limits for the observed count."""
    t = analysis.table
    inflate = float(np.sqrt(analysis.dispersion["phi"])) if analysis.widened else 1.0
    half = stats.norm.ppf(1 - (1 - limit) / 2) * np.sqrt(t["variance"].to_numpy()) * inflate
    half95 = stats.norm.ppf(0.975) * np.sqrt(t["variance"].to_numpy()) * inflate
    expected = t["expected"].to_numpy()
    out = pd.DataFrame(
        {
            "region": t["unit"].astype(str),
            "n": t["n"],
            "observed": t["observed"],
            "expected": expected,
            "o_minus_e": t["observed"] - expected,
            "limit_low": np.maximum(expected - half, 0),
            "limit_high": np.minimum(expected + half, t["n"].to_numpy()),
            "z": t["z"],
            "flag": t["flag"],
            "limit_95_low": np.maximum(expected - half95, 0),
            "limit_95_high": np.minimum(expected + half95, t["n"].to_numpy()),
            "o_e": t["o_e"],
            "o_e_ci_low": t["o_e_ci_low"],
            "o_e_ci_high": t["o_e_ci_high"],
            "o_e_shrunk": t["o_e_shrunk"],
            "z_adjusted": t["z_adjusted"],
            "observed_rate": t["observed_rate"],
            "expected_rate": t["expected_rate"],
            "in_benchmark": t["in_benchmark"],
            "flag_first_pass": t["flag_first_pass"],
            "too_small": t["too_small"],
        }
    )
    return out[[*DEVIANCE_COLUMNS, *[c for c in out.columns if c not in DEVIANCE_COLUMNS]]]


def _intake_table(
    frame: pd.DataFrame,
    region_column: str,
    y: np.ndarray,
    risk: RiskModelResult,
    risk_factors: list[str],
    high_risk_quantile: float,
) -> pd.DataFrame:
    """Per region: who came in (risk-factor shares, mean predicted risk, share at high risk), and the
    outcome."""
    p = np.asarray(risk.p_expected, dtype=float)
    success = pd.Series(y.astype(int), index=frame.index)
    work = pd.DataFrame(
        {
            "region": frame[region_column].astype(str),
            "observed": y,
            "predicted_risk": 1 - p,
            "high_risk": (1 - p) >= np.quantile(1 - p, high_risk_quantile),
        }
    )
    for factor in risk_factors:
        work[f"n_with_{factor}"] = risk_indicator(frame[factor], success).to_numpy()
    grouped = work.groupby("region", sort=True)
    table = grouped.agg(
        n=("observed", "size"),
        observed=("observed", "sum"),
        mean_predicted_risk=("predicted_risk", "mean"),
        n_high_risk=("high_risk", "sum"),
        **{f"n_with_{f}": (f"n_with_{f}", "sum") for f in risk_factors},
    ).reset_index()
    for column in ["observed", "n_high_risk", *[f"n_with_{f}" for f in risk_factors]]:
        table[column] = table[column].astype(np.int64)
    table["observed_rate"] = table["observed"] / table["n"]
    table["share_high_risk"] = table["n_high_risk"] / table["n"]
    for factor in risk_factors:
        table[f"share_with_{factor}"] = table[f"n_with_{factor}"] / table["n"]
    return table


def _suppress(
    table: pd.DataFrame, disclosure: DisclosurePolicy, counts: list[str], derived: Mapping[str, list[str]]
) -> pd.DataFrame:
    """Small cells hidden per region (and what is derived from them); regions add up to no published margin
    of these counts except the pooled phase-2 figures, so the whole table is one group for the secondary
    rule."""
    present = {k: v for k, v in derived.items() if k in table.columns}
    return suppress_small_cells(table, disclosure, count_cols=counts, total_col="n", derived=present).drop(
        columns="suppressed"
    )
