"""Second estimator, refuters and sensitivity: entropy balancing against a library, DoWhy-style refuters on data
with a known effect, a placebo outcome, and the E-value on data with a planted unobserved confounder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.deviance.propensity import match_att, refute_matching, sensitivity_of
from toolkit.effect.refute import e_value
from toolkit.effect.weighting import entropy_balance_att, entropy_balance_weights


def _confounded(n: int = 1500, seed: int = 0, effect: float = 2.0, hidden: float = 0.0) -> pd.DataFrame:
    """x1, x2 measured confounders; ``u`` (0/1) an unmeasured one of strength ``hidden`` on both T and Y."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.binomial(1, 0.4, size=n)
    u = rng.binomial(1, 0.5, size=n)
    logit = -1.0 + 0.8 * x1 + 0.6 * x2 + hidden * u
    treated = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    y = 1.0 + 1.5 * x1 + 1.0 * x2 + hidden * u + effect * treated + rng.normal(size=n)
    placebo = 1.0 + 1.5 * x1 + 1.0 * x2 + rng.normal(size=n)  # never affected by the treatment
    return pd.DataFrame({"t": treated, "y": y, "placebo_y": placebo, "x1": x1, "x2": x2, "u": u})


def test_entropy_balancing_weights_agree_with_empirical_calibration():
    ec = pytest.importorskip("empirical_calibration")
    data = _confounded(seed=3)
    C = data[["x1", "x2"]].to_numpy(dtype=float)
    C = np.column_stack([C, C[:, 0] ** 2])
    treated = data["t"].to_numpy() == 1
    ours = entropy_balance_weights(C[~treated], C[treated].mean(axis=0))
    theirs, converged = ec.calibrate(C[~treated], C[treated], objective=ec.Objective.ENTROPY, max_weight=1.0)
    assert converged
    np.testing.assert_allclose(ours, theirs / theirs.sum(), rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(ours @ C[~treated], C[treated].mean(axis=0), atol=1e-8)


def test_entropy_balancing_recovers_a_known_effect_with_exact_mean_balance():
    data = _confounded(seed=4)
    X = data[["x1", "x2"]].to_numpy(dtype=float)
    result = entropy_balance_att(X, ["x1", "x2"], data["t"].to_numpy() == 1, data["y"].to_numpy(), n_boot=60)
    e = result.effect
    assert e["ci_low"] < 2.0 < e["ci_high"] and abs(e["estimate"] - 2.0) < 0.2
    assert e["max_abs_smd_after"] < 1e-6 and e["all_balanced"]


def test_refuters_pass_on_data_with_a_known_effect_and_a_placebo_outcome_covers_zero():
    data = _confounded(seed=5)
    result = match_att(data, "t", "y", ["x1", "x2"], k=2, n_boot=60, seed=5)
    assert result.effect["ci_low"] < 2.0 < result.effect["ci_high"]
    table = refute_matching(data, "t", "y", ["x1", "x2"], result, seed=5)
    assert table["passed"].all(), table[["refuter", "new_mean", "reading"]]
    placebo = table.set_index("refuter").loc["placebo treatment"]
    assert abs(placebo["new_mean"]) < 0.3  # the real effect is 2.0
    outcome = match_att(data, "t", "placebo_y", ["x1", "x2"], k=2, n_boot=60, seed=5).effect
    assert outcome["ci_low"] < 0 < outcome["ci_high"], outcome


def test_refuters_fail_an_estimator_that_leans_on_whatever_covariate_it_is_given():
    from toolkit.effect.refute import refute

    data = _confounded(seed=6)

    def fragile(frame, t, y, x):  # "effect" = 1 + 10 × the mean of the last covariate listed: not robust
        value = 1.0 + 10 * float(frame[x[-1]].mean())
        return {"estimate": value, "ci_low": value - 0.1, "ci_high": value + 0.1, "se": 0.05}

    table = refute(fragile, data, "t", "y", ["x1", "x2"], fragile(data, "t", "y", ["x1", "x2"]), seed=6)
    verdict = table.set_index("refuter")["passed"]
    assert not verdict["random common cause"] and not verdict["placebo treatment"]


def test_e_value_says_how_strong_the_planted_unobserved_confounder_had_to_be():
    hidden = 1.6
    data = _confounded(n=4000, seed=7, effect=0.0, hidden=hidden)
    result = match_att(data, "t", "y", ["x1", "x2"], k=2, n_boot=60, seed=7)
    e = result.effect
    assert e["ci_low"] > 0, "the hidden confounder must bias the estimate away from the true 0"
    sens = sensitivity_of(result, data["y"].to_numpy(dtype=float))
    # the planted confounder's strength on the risk-ratio scale, measured in the data
    t, u = data["t"].to_numpy(), data["u"].to_numpy()
    rr_treatment = t[u == 1].mean() / t[u == 0].mean()
    y_treated_sd = data.loc[data["t"] == 1, "y"].std()
    rr_outcome = float(np.exp(0.91 * hidden / y_treated_sd))
    # it explained the whole estimate away, so it must be at least as strong as the E-value says
    assert 1 < sens["e_value"] <= max(rr_treatment, rr_outcome), (sens, rr_treatment, rr_outcome)
    assert sens["e_value_ci"] <= sens["e_value"]
    # and with the confounder measured, the estimate is unbiased again
    adjusted = match_att(data, "t", "y", ["x1", "x2", "u"], k=2, n_boot=0, seed=7).effect
    assert adjusted["ci_low_abadie_imbens"] < 0 < adjusted["ci_high_abadie_imbens"]


def test_e_value_formula_matches_vanderweele_and_ding():
    # VanderWeele & Ding (2017): RR 3.9 gives an E-value of 7.26; a protective RR 0.8 gives 1.81
    assert e_value(np.log(3.9) / 0.91, 1.0, 2.0, outcome_sd=1.0)["e_value"] == pytest.approx(7.26, abs=0.01)
    binary = e_value(-0.02, -0.05, 0.01, baseline_risk=0.10)
    assert binary["e_value"] == pytest.approx(0.8**-1 + np.sqrt(1.25 * 0.25), abs=1e-6)
    assert binary["e_value_ci"] == 1.0
