"""Staggered adoption: the group-time estimator recovers the planted effect where plain TWFE is biased."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.effect.did import PanelSpec, prepare_panel, twfe_did
from toolkit.effect.staggered import group_time_att
from toolkit.synth.panel import make_panel

STAGGERED = PanelSpec(
    unit="kommune",
    period="aar",
    outcome="andel_neet_trinnvis",
    treated_from="innfort_fra_trinnvis",
    weight="n",
)
TOLERANCE = 0.006  # 0.6 percentage points, a fifth of the planted average effect


@pytest.fixture(scope="module")
def data():
    return make_panel(2021)


@pytest.fixture(scope="module")
def prepared(data):
    return prepare_panel(data.panel, STAGGERED)


@pytest.mark.parametrize(("level", "weighted"), [("unit", False), ("region", True)])
def test_group_time_recovers_the_effect_where_twfe_is_biased(data, prepared, level, weighted):
    truth = data.truth["staggered"][level]["att_simple"]
    cs = group_time_att(prepared, weighted=weighted, seed=1)
    twfe = twfe_did(prepared, weighted=weighted)
    s = cs.simple.iloc[0]
    print(
        f"{level}: truth {truth:.4f}; group-time {s.estimate:.4f} [{s.ci_low:.4f}, {s.ci_high:.4f}]; TWFE {twfe.summary()}"
    )
    # the group-time estimator: inside the tolerance, interval covers the planted value
    assert abs(s.estimate - truth) < TOLERANCE
    assert s.ci_low <= truth <= s.ci_high
    assert s.ci_high < 0
    # plain TWFE on the same data: outside the tolerance, interval misses the planted value
    assert abs(twfe.estimate - truth) > TOLERANCE
    assert not (twfe.ci_low <= truth <= twfe.ci_high)
    assert twfe.estimate > truth  # pulled toward zero by the forbidden comparisons


@pytest.mark.parametrize(("level", "weighted"), [("unit", False), ("region", True)])
def test_dynamic_effects_follow_the_planted_build_up(data, prepared, level, weighted):
    cs = group_time_att(prepared, weighted=weighted, seed=1)
    dyn = cs.dynamic.set_index("event_time")
    for e, planted in data.truth["staggered"][level]["dynamic"].items():
        row = dyn.loc[int(e)]
        assert row.band_low <= planted <= row.band_high, (e, planted, row.estimate)  # simultaneous 95% band
    assert dyn.loc[5, "estimate"] < dyn.loc[0, "estimate"] < 0
    assert not cs.pretrend.rejects
    assert cs.pretrend.df == 4


def test_bias_holds_across_seeds():
    """Not one lucky draw: over several seeds the group-time error averages ~0 and TWFE's does not."""
    cs_err, twfe_err = [], []
    for seed in range(8):
        d = make_panel(seed)
        prep = prepare_panel(d.panel, STAGGERED)
        truth = d.truth["staggered"]["unit"]["att_simple"]
        cs_err.append(group_time_att(prep, n_boot=99, seed=seed).estimate - truth)
        twfe_err.append(twfe_did(prep).estimate - truth)
    assert abs(np.mean(cs_err)) < 0.002
    assert np.mean(twfe_err) > 0.009
    assert min(twfe_err) > 0.005


def test_one_cell_is_the_two_by_two_difference_of_means(data):
    """ATT(2019, 2021) by hand: change 2018→2021 in the 2019 cohort minus the change in units not yet treated in 2021."""
    panel = data.panel
    cs = group_time_att(prepare_panel(panel, STAGGERED), seed=0)
    wide = panel.pivot(index="kommune", columns="aar", values="andel_neet_trinnvis")
    cohort = (
        panel.groupby("kommune")["innfort_fra_trinnvis"]
        .first()
        .astype("Float64")
        .fillna(np.inf)
        .astype(float)
    )
    change = wide[2021] - wide[2018]
    by_hand = change[cohort == 2019].mean() - change[cohort > 2021].mean()
    cell = cs.att_gt.set_index(["cohort", "period"]).loc[(2019, 2021)]
    assert cell.estimate == pytest.approx(by_hand)
    assert cell.n_units == 12 and cell.n_control_units == int((cohort > 2021).sum())


def test_never_treated_controls_and_parameter_checks(prepared):
    never = group_time_att(prepared, control_group="nevertreated", n_boot=199)
    nyt = group_time_att(prepared, n_boot=199)
    assert never.estimate == pytest.approx(nyt.estimate, abs=0.01)
    assert set(never.att_gt["n_control_units"]) == {12}
    with pytest.raises(ValueError, match="control_group"):
        group_time_att(prepared, control_group="others")
    with pytest.raises(ValueError, match="n_boot"):
        group_time_att(prepared, n_boot=10)


def test_unbalanced_units_and_first_period_adopters_are_left_out_with_a_note(data):
    panel = data.panel.copy()
    panel = panel.drop(panel.index[(panel["kommune"] == "3401") & (panel["aar"] == 2016)])
    panel["innfort_fra_trinnvis"] = panel["innfort_fra_trinnvis"].astype("Float64")
    panel.loc[panel["kommune"] == "3403", "innfort_fra_trinnvis"] = 2014
    cs = group_time_att(prepare_panel(panel, STAGGERED), n_boot=99)
    assert any("missing periods" in n for n in cs.notes)
    assert any("first period" in n for n in cs.notes)
    assert isinstance(cs.att_gt, pd.DataFrame) and np.isfinite(cs.estimate)


def test_group_time_att_equals_the_differences_package(prepared):
    """Same cells and aggregate as ``differences.ATTgt`` (Callaway–Sant'Anna, not-yet-treated, universal base)."""
    differences = pytest.importorskip("differences")
    from toolkit.effect.did import COHORT, NEVER, PERIOD, UNIT, Y

    ours = group_time_att(prepared, n_boot=199, seed=0)
    frame = pd.DataFrame(
        {
            "unit": prepared[UNIT].astype(str),
            "time": prepared[PERIOD].astype(int),
            "y": prepared[Y].astype(float),
            "cohort": prepared[COHORT].where(prepared[COHORT] != NEVER, np.nan).astype(float),
        }
    ).set_index(["unit", "time"])
    model = differences.ATTgt(data=frame, cohort_column="cohort", base_period="universal")
    cells = model.fit(formula="y", control_group="not_yet_treated", progress_bar=False).to_pandas()
    theirs = cells.droplevel([0, 1], axis=1)["ATT"].droplevel("base_period")
    theirs.index = theirs.index.set_levels([lv.astype(int) for lv in theirs.index.levels])
    mine = ours.att_gt.set_index(["cohort", "period"])["estimate"]
    joined = pd.concat([mine.rename("ours"), theirs.rename("theirs")], axis=1, join="inner")
    assert len(joined) == len(mine)
    np.testing.assert_allclose(joined["ours"], joined["theirs"], atol=1e-10)
    simple = model.aggregate("simple").droplevel([0, 1], axis=1)
    assert ours.estimate == pytest.approx(float(simple["ATT"].iloc[0]), abs=1e-10)
    # our multiplier-bootstrap SE against their analytic (influence-function) SE
    assert float(ours.simple["std_error"].iloc[0]) == pytest.approx(
        float(simple["std_error"].iloc[0]), rel=0.2
    )
