"""analyse_effects: every level, tidy estimates with readings, suppressed small cells, report and summary."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from toolkit.effect.analysis import ESTIMATE_COLUMNS, analyse_effects, plain_reading
from toolkit.errors import InputDataError
from toolkit.protocol import Phase3Section
from toolkit.report import Report
from toolkit.synth.panel import make_panel

HAS_MATCHING = importlib.util.find_spec("toolkit.deviance.propensity") is not None


@pytest.fixture(scope="module")
def data():
    return make_panel(2021)


def config(data, **overrides) -> Phase3Section:
    values = {
        "period": "aar",
        "treatment": "deltok",
        "individual_outcome": "i_aktivitet",
        "covariates": data.truth["individuals"]["covariates"],
        "interruption": "2023-01",
        "series_unit": "3401",
    }
    values.update(overrides)
    return Phase3Section(**values)


@pytest.fixture(scope="module")
def panel_result(data):
    return analyse_effects(data.panel, config=config(data), series=data.series, seed=3)


def test_estimates_are_tidy_with_intervals_and_readings(data, panel_result):
    est = panel_result.estimates
    assert list(est.columns) == ESTIMATE_COLUMNS
    assert set(est["level"]) == {"unit", "region"}
    assert est[["estimate", "ci_low", "ci_high"]].notna().all().all()
    assert (est["ci_low"] <= est["estimate"]).all() and (est["estimate"] <= est["ci_high"]).all()
    assert est["reading"].str.len().gt(20).all()
    # exactly one primary estimate per level among the panel methods; single adoption date → TWFE is primary
    primary = est[est["primary"]]
    assert sorted(primary["level"]) == ["region", "unit"]
    assert primary["method"].str.startswith("DiD, two-way fixed effects").all()
    planted = data.truth["simple"]["effect"]
    for row in primary.itertuples():
        assert row.ci_low <= planted <= row.ci_high and row.ci_high < 0
        assert row.reading.startswith(("The practice lowered the NEET share by", "In the region as a whole"))
        assert "percentage points (95% CI" in row.reading
    region = panel_result.estimate("region")
    assert "fewer young people NEET" in region.reading
    assert not panel_result.is_staggered


def test_pretrend_tables_and_event_study(panel_result):
    for level in ("unit", "region"):
        pre = panel_result.tables[f"pretrend_{level}"]
        assert len(pre) == 2 and not pre["rejects"].any()
        assert {"event_time", "estimate", "ci_low", "ci_high"} <= set(
            panel_result.tables[f"event_study_{level}"].columns
        )


def test_its_rows(data, panel_result):
    its = panel_result.estimates[panel_result.estimates["method"].str.startswith("Interrupted")]
    level = its[its["estimand"].str.startswith("change in level")].iloc[0]
    assert level.ci_low <= data.truth["series"]["level_change"] <= level.ci_high
    assert "lowered the monthly number of young people registered with NAV" in level.reading
    assert "its_fit" in panel_result.tables


def test_descriptives_suppress_small_people_counts(data):
    panel = data.panel.copy()
    panel = panel[~panel["kommune"].isin(data.truth["simple"]["treated_units"][1:])]  # one adopter left: 3401
    panel.loc[panel["kommune"] == "3401", "n"] = 3  # pretend it is tiny
    res = analyse_effects(panel, config=config(data), seed=0, n_boot=199)
    desc = res.tables["descriptives"]
    tiny = desc[desc["group"] == "has the practice"]
    assert tiny["n_people"].isna().all() and tiny["mean_outcome"].isna().all() and tiny["suppressed"].all()
    att = res.tables["group_time_att_region"]
    assert att["n_people"].isna().all() and att["estimate"].isna().all()
    assert any("Only 1 units adopted" in n for n in res.notes)


def test_staggered_config_makes_group_time_primary_and_explains_twfe_bias(data):
    cfg = config(data, outcome="andel_neet_trinnvis", treated_from="innfort_fra_trinnvis")
    res = analyse_effects(data.panel, config=cfg, seed=3)
    assert res.is_staggered
    for level in ("unit", "region"):
        primary = res.estimate(level)
        truth = data.truth["staggered"][level]["att_simple"]
        assert primary["method"].startswith("DiD, group-time ATT")
        assert primary["ci_low"] <= truth <= primary["ci_high"]
        check = res.tables[f"twfe_check_{level}"]
        assert len(check) == 2
        twfe = res.estimate(
            level, method=check["method"].iloc[0] + (" (weighted)" if level == "region" else "")
        )
        assert "can be biased" in twfe["reading"]
    assert any("negative weight" in n for n in res.notes)


@pytest.mark.skipif(
    not HAS_MATCHING,
    reason="toolkit.deviance.propensity.match_att is not there yet (another helper writes it)",
)
def test_matched_comparison_of_individuals(data):
    res = analyse_effects(None, config=config(data), individuals=data.individuals, seed=2)
    row = res.estimate("individual")
    planted = data.truth["individuals"]["att"]
    print(row.reading)
    assert row.ci_low <= planted <= row.ci_high
    assert row.ci_low > 0
    assert row.reading.startswith("Receiving the practice raised the chance of 'i_aktivitet'")
    assert "balance" in res.tables
    # issue 15: entropy balancing beside matching, refuters and the E-value in the tables and notes
    weighting = res.estimate("individual", method="Entropy balancing (reweighted comparison)")
    assert not weighting.primary and weighting.ci_low > 0
    assert res.tables["balance_weighting"]["smd_after"].abs().max() < 1e-6
    refutation = res.tables["refutation"].set_index("refuter")
    assert len(refutation) == 3 and bool(refutation.loc["placebo treatment", "passed"])
    assert abs(refutation.loc["placebo treatment", "new_mean"]) < 0.03
    assert res.tables["sensitivity"]["e_value"].iloc[0] > 1
    assert any(n.startswith("Matched comparison refuters") for n in res.notes)
    # fewer treated people than min_cell: the estimate is not shown
    few = pd.concat(
        [
            data.individuals[data.individuals["deltok"] == 0],
            data.individuals[data.individuals["deltok"] == 1].head(3),
        ]
    )
    hidden_result = analyse_effects(None, config=config(data), individuals=few, min_cell=5, seed=2)
    hidden = hidden_result.estimate("individual")
    assert np.isnan(hidden["estimate"]) and hidden["reading"].startswith("Not shown")
    # nor the weighting estimate and the refuters, which would show what the small-cell rule hides
    assert "refutation" not in hidden_result.tables and len(hidden_result.estimates) == 1


def test_report_summary_and_tables_written(tmp_path, panel_result):
    rep = Report("Phase 3", synthetic=True)
    panel_result.add_to_report(rep)
    html_path = rep.write(tmp_path / "report.html")
    html = html_path.read_text(encoding="utf-8")
    assert "Event study — unit level" in html and "data:image/png;base64" in html
    text = panel_result.summary()
    assert "lowered the NEET share" in text and "Pre-trend test" in text
    written = panel_result.write_tables(tmp_path / "tables")
    assert (tmp_path / "tables" / "estimates.csv").is_file() and "event_study_unit" in written


def test_interruption_taken_from_the_panel_when_not_given(data):
    res = analyse_effects(
        data.panel, config=config(data, interruption=None), series=data.series, seed=0, n_boot=199
    )
    assert res.its is not None and res.its.interruption == "2023-01"
    assert any("interruption taken as 2023-01" in n for n in res.notes)


def test_clear_errors(data):
    with pytest.raises(InputDataError, match="'periode' is not in the panel"):
        analyse_effects(
            data.panel, config=Phase3Section(period="periode")
        )  # a period column this panel lacks
    with pytest.raises(InputDataError, match="nothing to analyse"):
        analyse_effects(None, config=config(data))
    with pytest.raises(InputDataError, match="column 'deltok_x'"):
        analyse_effects(None, config=config(data, treatment="deltok_x"), individuals=data.individuals)
    with pytest.raises(InputDataError, match="month the practice started"):
        analyse_effects(None, config=config(data, interruption=None), series=data.series)
    with pytest.raises(InputDataError, match="no 'kommune' column"):
        analyse_effects(None, config=config(data), series=data.series.drop(columns="kommune"))


def test_plain_reading_says_when_the_interval_includes_zero():
    from toolkit.effect.analysis import _Scale

    pp = _Scale(label="the NEET share", factor=100, unit="percentage points", decimals=1)
    assert plain_reading(-0.031, -0.050, -0.012, pp) == (
        "The practice lowered the NEET share by 3.1 percentage points (95% CI 1.2 to 5.0)."
    )
    assert "cannot be told from no effect" in plain_reading(-0.01, -0.03, 0.01, pp)
    assert plain_reading(float("nan"), float("nan"), float("nan"), pp).startswith("Not shown")
