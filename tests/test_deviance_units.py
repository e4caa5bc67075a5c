"""Unit-level deviance: observed vs expected, over-dispersion, shrinkage, flags and persistence (synthetic data)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from toolkit.deviance.units import (
    analyse_units,
    empirical_bayes,
    observed_expected,
    overdispersion,
    sign_persistence_p,
)


def _units_frame(
    n_units: int,
    per_unit: int,
    *,
    effects: dict[int, float] | None = None,
    spread: float = 0.0,
    seed: int = 0,
):
    """People in units with expected p; unit k's true log-odds shift is effects[k] (+ random spread)."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), per_unit)
    p = rng.uniform(0.3, 0.9, size=len(unit))
    shift = rng.normal(scale=spread, size=n_units) if spread else np.zeros(n_units)
    for k, v in (effects or {}).items():
        shift[k] += v
    logit = np.log(p / (1 - p)) + shift[unit]
    y = (rng.random(len(unit)) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame(
        {"skole": [f"S{u:02d}" for u in unit], "aar": rng.choice([2019, 2020, 2021], size=len(unit))}
    )
    return frame, y, p


def test_observed_expected_adds_up():
    frame = pd.DataFrame({"u": ["a", "a", "b"]})
    table = observed_expected(frame, "u", np.array([1, 0, 1]), np.array([0.5, 0.25, 0.8]))
    assert table["n"].tolist() == [2, 1]
    assert table["observed"].tolist() == [1, 1]
    np.testing.assert_allclose(table["expected"], [0.75, 0.8])
    np.testing.assert_allclose(table["variance"], [0.25 + 0.1875, 0.16])


def test_overdispersion_is_near_one_without_unit_effects_and_large_with_them():
    rng = np.random.default_rng(3)
    calm = overdispersion(rng.normal(size=60))
    wild = overdispersion(rng.normal(scale=2.0, size=60))
    assert calm["estimable"] and not calm["significant"] and 0.6 < calm["phi"] < 1.4
    assert wild["estimable"] and wild["significant"] and wild["phi"] > 2
    few = overdispersion(rng.normal(scale=2.0, size=7))
    assert not few["estimable"]


def test_a_unit_with_a_real_effect_is_flagged_above_and_the_others_are_not():
    frame, y, p = _units_frame(8, 400, effects={3: 0.9}, seed=1)
    result = analyse_units(frame, "skole", y, p, limit=0.998, min_unit_size=20)
    flags = dict(zip(result.table["unit"], result.table["flag"], strict=True))
    assert flags.pop("S03") == "above"
    assert set(flags.values()) == {""}
    assert not result.dispersion["estimable"] and not result.widened
    assert "cannot be told apart" in result.dispersion_note() and "NOT widened" in result.dispersion_note()
    row = result.table.set_index("unit").loc["S03"]
    assert row["o_e_ci_low"] > 1 and row["o_e"] > row["o_e_shrunk"] > 1


def test_limits_widen_only_with_enough_units_and_significant_dispersion():
    frame, y, p = _units_frame(30, 300, spread=0.5, seed=2)
    result = analyse_units(frame, "skole", y, p, limit=0.998, min_unit_size=20)
    assert result.dispersion["estimable"] and result.dispersion["significant"] and result.widened
    np.testing.assert_allclose(
        result.table["z_adjusted"], result.table["z"] / np.sqrt(result.dispersion["phi"])
    )
    assert "widened" in result.dispersion_note()
    # fewer flags after widening than the raw z-scores would give
    raw_flags = (result.table["z"].abs() > 3.09).sum()
    assert (result.table["flag"] != "").sum() <= raw_flags


def test_small_units_are_never_flagged_and_shrink_more():
    frame, y, p = _units_frame(6, 300, effects={0: 1.5}, seed=4)
    small = frame.iloc[:15].assign(skole="tiny")
    frame2 = pd.concat([frame, small], ignore_index=True)
    y2 = np.r_[y, np.ones(15, dtype=int)]
    p2 = np.r_[p, np.full(15, 0.3)]
    result = analyse_units(frame2, "skole", y2, p2, min_unit_size=20)
    tiny = result.table.set_index("unit").loc["tiny"]
    assert tiny["too_small"] and tiny["flag"] == ""
    shrunk, tau2 = empirical_bayes(np.array([0.1, 0.1]), np.array([0.0001, 0.01]))
    assert tau2 >= 0 and abs(shrunk[0]) >= abs(shrunk[1])


def test_persistence_counts_cohorts_above_expectation():
    frame, y, p = _units_frame(5, 600, effects={1: 1.0}, seed=5)
    result = analyse_units(frame, "skole", y, p, cohort="aar")
    per = result.persistence
    assert set(per.columns) >= {"unit", "cohort", "n", "observed", "expected", "z", "above_expected"}
    row = result.table.set_index("unit").loc["S01"]
    assert row["cohorts"] == 3 and row["cohorts_above_expected"] == 3
    assert sign_persistence_p(3, 3) == pytest.approx(0.125)


def test_funnel_plot_draws():
    frame, y, p = _units_frame(8, 200, effects={2: 1.0}, seed=6)
    fig = analyse_units(frame, "skole", y, p).funnel_plot()
    assert fig.axes[0].get_xlabel().startswith("precision")


def test_young_people_without_a_unit_are_listed_but_never_flagged_or_pooled():
    """Suppressed or missing unit codes form one '(missing)' row: it mixes many units, so it is not judged."""
    frame, y, p = _units_frame(20, 200, seed=4)
    frame["skole"] = frame["skole"].astype(object)
    frame.loc[:399, "skole"] = None  # 400 people without a school …
    y = y.copy()
    y[:400] = 1  # … who all succeeded: as a unit it would be far above its expectation
    result = analyse_units(frame, "skole", y, p, limit=0.998, min_unit_size=20)
    table = result.table.set_index("unit")
    assert table.loc["(missing)", "n"] == 400 and bool(table.loc["(missing)", "no_unit"])
    assert table.loc["(missing)", "flag"] == "" and table.loc["(missing)", "z"] > 5
    assert np.isnan(table.loc["(missing)", "excess_rate_shrunk"])
    assert result.dispersion["n_units"] == 18  # the 18 schools left with people in them; not the missing row
    result.funnel_plot()


def test_the_tail_probabilities_are_scipy_stats_own():
    """units.py takes the normal quantile, the chi-square tail and the binomial tail from scipy.special (not
    importing scipy.stats saves phase 2 0.4 s); they equal scipy.stats' values."""
    from scipy import stats

    for cohorts in range(1, 25):
        for above in range(cohorts + 1):
            expected = stats.binomtest(above, cohorts, 0.5, alternative="greater").pvalue
            assert sign_persistence_p(above, cohorts) == pytest.approx(expected, abs=1e-15)
    assert np.isnan(sign_persistence_p(0, 0))
    rng = np.random.default_rng(4)
    z = rng.normal(scale=1.4, size=40)
    found = overdispersion(z)
    low, high = np.quantile(z, [0.1, 0.9])
    q = stats.norm.ppf(0.9)
    null_mean = 0.8 - 2 * q * stats.norm.pdf(q) + 2 * 0.1 * q**2
    phi = float(np.mean(np.clip(z, low, high) ** 2) / null_mean)
    assert found["phi"] == pytest.approx(phi, rel=1e-12)
    assert found["p_value"] == pytest.approx(stats.chi2.sf(40 * phi, df=39), rel=1e-12)
