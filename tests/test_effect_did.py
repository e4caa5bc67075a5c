"""Difference-in-differences on the synthetic panel: it finds the planted effect, and its pre-trend test works."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.effect.did import PanelSpec, event_study, prepare_panel, twfe_did, twfe_weights
from toolkit.errors import InputDataError
from toolkit.synth.panel import make_panel, staggered_effect

SPEC = PanelSpec(unit="kommune", period="aar", outcome="andel_neet", treated_from="innfort_fra", weight="n")


@pytest.fixture(scope="module")
def data():
    return make_panel(2021)


@pytest.fixture(scope="module")
def prepared(data):
    return prepare_panel(data.panel, SPEC)


@pytest.mark.parametrize("weighted", [False, True])
def test_did_interval_covers_planted_effect_and_excludes_zero(data, prepared, weighted):
    planted = data.truth["simple"]["effect"]
    did = twfe_did(prepared, weighted=weighted)
    print(did.summary())
    assert did.ci_low <= planted <= did.ci_high
    assert did.ci_high < 0
    assert did.n_treated_units == 14 and did.n_units == 46


@pytest.mark.parametrize("weighted", [False, True])
def test_pretrend_test_does_not_reject_when_trends_are_parallel(prepared, weighted):
    es = event_study(prepared, weighted=weighted)
    print(es.summary())
    assert es.pretrend.df == 4
    assert not es.pretrend.rejects
    coefs = es.coefficients.set_index("event_time")
    assert coefs.loc[-1, "estimate"] == 0  # reference year
    assert coefs.loc[0, "ci_high"] < 0 and coefs.loc[1, "ci_high"] < 0


def test_pretrend_test_rejects_when_adopters_were_already_diverging():
    bad = make_panel(2021, pretrend=0.006)  # adopters' NEET share falls 0.6 pp a year before they adopt
    es = event_study(prepare_panel(bad.panel, SPEC), weighted=True)
    assert es.pretrend.rejects, es.pretrend


def test_did_coverage_over_seeds():
    """A small Monte Carlo: the 95% interval should cover the planted effect in most draws (not only seed 2021)."""
    covered = []
    for seed in range(20):
        did = twfe_did(prepare_panel(make_panel(seed).panel, SPEC), weighted=True)
        covered.append(did.ci_low <= -0.03 <= did.ci_high)
    assert np.mean(covered) >= 0.8


@pytest.mark.filterwarnings(
    "ignore:invalid value encountered in sqrt"
)  # the noise-free fit has zero residuals
def test_twfe_weights_sum_to_one_and_turn_negative_under_staggered_adoption(data):
    spec = PanelSpec(outcome="andel_neet_trinnvis", treated_from="innfort_fra_trinnvis", period="aar")
    prepared = prepare_panel(data.panel, spec)
    weights = twfe_weights(prepared)
    assert weights["weight"].sum() == pytest.approx(1.0)
    assert (weights["weight"] < 0).any()
    # the negative weights sit on the early adopters' late years
    assert weights.loc[weights["weight"] < 0, "cohort"].eq(2017).all()
    # On a noise-free panel y = α_i + λ_t + τ(g, t), TWFE returns exactly Σ ω·τ (Frisch–Waugh–Lovell)
    rng = np.random.default_rng(0)
    alpha = {u: rng.normal() for u in prepared["_unit"].unique()}
    cohort, period = prepared["_cohort"], prepared["_period"]
    tau = np.where(
        period >= cohort,
        [
            staggered_effect(int(g), int(t - g)) if np.isfinite(g) else 0.0
            for g, t in zip(cohort, period, strict=True)
        ],
        0.0,
    )
    clean = prepared.assign(_y=prepared["_unit"].map(alpha) + 0.01 * (period - 2014) + tau)
    implied = sum(r.weight * staggered_effect(r.cohort, r.period - r.cohort) for r in weights.itertuples())
    assert twfe_did(clean).estimate == pytest.approx(implied, abs=1e-10)
    # a single adoption date has only positive weights
    single = twfe_weights(
        prepare_panel(data.panel, PanelSpec(outcome="andel_neet", treated_from="innfort_fra", period="aar"))
    )
    assert (single["weight"] > 0).all()


def test_prepare_panel_errors_name_the_column(data):
    with pytest.raises(InputDataError, match="'year' is not in the panel"):
        prepare_panel(data.panel, PanelSpec(period="year"))
    dup = data.panel.iloc[[0, 0, 1]]
    with pytest.raises(InputDataError, match="appears twice"):
        prepare_panel(dup, SPEC)
    varying = data.panel.copy()
    varying.loc[varying.index[0], "innfort_fra"] = 2020
    varying["innfort_fra"] = varying["innfort_fra"].astype("Int64")
    with pytest.raises(InputDataError, match="changes within a unit"):
        prepare_panel(varying, SPEC)
    text = data.panel.astype({"andel_neet": "object"})
    text.loc[text.index[3], "andel_neet"] = "mye"
    with pytest.raises(InputDataError, match="row 5"):
        prepare_panel(text, SPEC)
    never = data.panel.assign(innfort_fra=None)
    with pytest.raises(InputDataError, match="no unit adopts"):
        prepare_panel(never, SPEC)
