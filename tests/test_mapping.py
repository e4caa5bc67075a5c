"""Phase 1 mapping: the tables are right and no published count falls below min_cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.mapping import map_risk, risk_indicator


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 2500
    frame = pd.DataFrame(
        {
            "pid": [f"k_{i:06d}" for i in range(n)],
            "barnevern": rng.binomial(1, 0.06, n),
            "lavinntekt": rng.binomial(1, 0.11, n),
            "grunnskolepoeng": rng.normal(41, 8, n).round(1),
            "utdanning": rng.choice(["Grunnskole", "Videregående", "Høyere"], n, p=[0.15, 0.4, 0.45]),
            "kjonn": rng.choice(["K", "M"], n),
            # one tiny unit that must be suppressed
            "kommune": rng.choice(["3401", "3414", "3416", "9999"], n, p=[0.6, 0.2, 0.199, 0.001]),
        }
    )
    logit = 1.6 - 1.2 * frame.barnevern - 0.8 * frame.lavinntekt + 0.09 * (frame.grunnskolepoeng - 41)
    frame["fullfort"] = rng.binomial(1, 1 / (1 + np.exp(-logit)))
    return frame


def test_tables_match_direct_computation(cohort):
    result = map_risk(
        cohort,
        outcome="fullfort",
        risk_factors=["barnevern", "lavinntekt", "grunnskolepoeng", "utdanning"],
        units=["kommune"],
        min_cell=5,
    )
    assert result.n == len(cohort)
    assert result.overall_rate == pytest.approx(cohort.fullfort.mean())
    levels = result.tables["risk_factors"]
    row = levels[(levels.variable == "barnevern") & (levels.level == "1")].iloc[0]
    assert row["n"] == cohort.barnevern.sum()
    assert row["success_rate"] == pytest.approx(cohort.loc[cohort.barnevern == 1, "fullfort"].mean())
    summary = result.summary().set_index("risk_factor")
    assert summary.loc["barnevern", "prevalence"] == pytest.approx(cohort.barnevern.mean())
    assert summary.loc["barnevern", "gap"] > 0.1  # child welfare goes with a lower completion rate
    by_count = result.tables["outcome_by_risk_count"].dropna(subset=["success_rate"])
    rates = by_count["success_rate"].astype(float).tolist()
    assert rates == sorted(rates, reverse=True)  # more risk factors, lower success


def test_no_published_count_below_min_cell(cohort):
    result = map_risk(
        cohort,
        outcome="fullfort",
        risk_factors=["barnevern", "lavinntekt", "grunnskolepoeng", "utdanning"],
        units=["kommune"],
        min_cell=10,
    )
    for name, table in result.tables.items():
        for col in table.columns:
            if col in {"n", "n_success", "n_with", "n_without", "count"}:
                shown = pd.to_numeric(table[col], errors="coerce").dropna()
                assert ((shown == 0) | (shown >= 10)).all(), (name, col)
    tiny = result.tables["by_kommune"].set_index("level").loc["9999"]
    assert pd.isna(tiny["n"]) and pd.isna(tiny["success_rate"])


def test_risk_indicator_rules(cohort):
    success = cohort.fullfort
    assert risk_indicator(cohort.barnevern, success).equals(cohort.barnevern.astype(int))
    low_points = risk_indicator(cohort.grunnskolepoeng, success)
    assert (
        cohort.loc[low_points == 1, "grunnskolepoeng"].max() < cohort.grunnskolepoeng.median()
    )  # lowest quartile
    worst_level = risk_indicator(cohort.utdanning, success)
    assert worst_level.sum() > 0
