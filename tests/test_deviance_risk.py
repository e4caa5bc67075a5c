"""Expected outcomes: input refusals, design matrix, cross-fitting, model choice, and the planted-deviant ranking.

The ranking tests use the SYNTHETIC cohort of ``toolkit.synth.register`` (n = 5000) whose planted deviants are
known. Their benchmark ("ranking by the true risk") is the true outcome model's linear predictor on the observed
risk factors, computed from the generator's own coefficients: it is the best ranking any analysis of the register
can reach. (The truth file's ``true_p_without_practice`` also contains the generator's latent noise, sd 0.6, which
no register column carries; its AUC is recorded in the assertion message for comparison.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

from toolkit.deviance.risk import (
    RiskDesign,
    check_outcome,
    check_risk_factors,
    cross_fitted_probabilities,
    fit_risk,
    in_sample_probabilities,
)
from toolkit.errors import InputDataError, PdtkError, ProtocolError

RISK_FACTORS = [
    "foreldre_utdanning",
    "husholdning_lavinntekt",
    "barnevern",
    "foreldre_trygd",
    "psykisk_helse_kontakt",
    "grunnskolepoeng",
    "fravaer_prosent",
    "kjonn",
]
# A flexible model that can memorise its training rows (deep trees, leaves of one person, no early stopping).
FLEXIBLE = HistGradientBoostingClassifier(
    max_iter=100, max_leaf_nodes=63, min_samples_leaf=1, learning_rate=0.5, early_stopping=False
)


@pytest.fixture(scope="module")
def cohort():
    from toolkit.synth.register import make_register

    synthetic = make_register(n=5000, seed=2021)
    frame = synthetic.register.drop(columns=["navn", "adresse", "telefon", "fodselsdato", "postnr"])
    frame = frame.rename(columns={"fnr": "pid"}).assign(pid=[f"P{i:05d}" for i in range(len(frame))])
    return frame, synthetic.truth.reset_index(drop=True)


def oracle_score(frame: pd.DataFrame) -> np.ndarray:
    """The true model's linear predictor on the observed risk factors (generator coefficients, no noise)."""
    from toolkit.synth.register import SUCCESS_COEFFICIENTS as c

    return (
        c["foreldre_utdanning=Grunnskole"] * (frame["foreldre_utdanning"] == "Grunnskole")
        + c["foreldre_utdanning=Videregående"] * (frame["foreldre_utdanning"] == "Videregående")
        + c["husholdning_lavinntekt"] * frame["husholdning_lavinntekt"]
        + c["barnevern"] * frame["barnevern"]
        + c["foreldre_trygd"] * frame["foreldre_trygd"]
        + c["psykisk_helse_kontakt"] * frame["psykisk_helse_kontakt"]
        + c["grunnskolepoeng (per poeng over 41)"] * (frame["grunnskolepoeng"] - 41.0)
        + c["fravaer_prosent (per prosentpoeng over 6)"] * (frame["fravaer_prosent"] - 6.0)
        + c["kjonn=M"] * (frame["kjonn"] == "M")
    ).to_numpy(dtype=float)


def planted_auc(frame: pd.DataFrame, truth: pd.DataFrame, p_success: np.ndarray) -> float:
    """AUC of 'low expected success' for telling planted deviants from the other successes."""
    success = frame["fullfort_vgs_5aar"].to_numpy() == 1
    return roc_auc_score(truth["planted_deviant"].to_numpy()[success], -np.asarray(p_success)[success])


# ---------------------------------------------------------------------------------------------- refusals
def test_outcome_that_is_not_binary_is_refused_in_one_line():
    frame = pd.DataFrame({"y": [0, 1, 2, 1], "x": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(InputDataError) as err:
        check_outcome(frame, "y")
    message = str(err.value)
    assert "'y'" in message and "0/1" in message and "row 3" in message and "\n" not in message


def test_outcome_with_gaps_or_text_is_refused():
    with pytest.raises(InputDataError, match="missing in row 2"):
        check_outcome(pd.DataFrame({"y": [1, None, 0]}), "y")
    with pytest.raises(InputDataError, match="not a number"):
        check_outcome(pd.DataFrame({"y": ["1", "ja", "0"]}), "y")
    with pytest.raises(InputDataError, match="only the value 1"):
        check_outcome(pd.DataFrame({"y": [1, 1, 1]}), "y")


def test_risk_factor_measured_after_the_outcome_is_refused():
    frame = pd.DataFrame({"y": [0, 1], "a": [1, 2], "b": [3, 4]})
    with pytest.raises(ProtocolError, match="'b' is marked as measured after the outcome"):
        check_risk_factors(frame, ["a", "b"], outcome="y", timing={"a": "before", "b": "after"})
    assert check_risk_factors(frame, ["a", "b"], outcome="y", timing={"a": "before"}) == ["a", "b"]


def test_unit_or_outcome_as_risk_factor_is_refused():
    frame = pd.DataFrame({"y": [0, 1], "a": [1, 2], "kommune": ["1", "2"]})
    with pytest.raises(PdtkError, match="both a risk factor and a unit"):
        check_risk_factors(frame, ["a", "kommune"], outcome="y", units=["kommune"])
    with pytest.raises(PdtkError, match="also listed as a risk factor"):
        check_risk_factors(frame, ["y"], outcome="y")
    with pytest.raises(InputDataError, match="'zz' is not a column"):
        check_risk_factors(frame, ["zz"], outcome="y")


# ---------------------------------------------------------------------------------------------- design
def test_design_one_hot_codes_categories_and_imputes_numbers_with_indicators():
    frame = pd.DataFrame({"grade": [30.0, np.nan, 50.0, 40.0], "edu": ["low", "high", None, "high"]})
    design = RiskDesign(["grade", "edu"]).fit(frame)
    X = design.transform(frame)
    assert design.feature_names_ == ["grade", "grade__missing", "edu=low", "edu=(missing)"]
    np.testing.assert_array_equal(X[:, 0], [30.0, 40.0, 50.0, 40.0])  # median of 30, 50, 40
    np.testing.assert_array_equal(X[:, 1], [0, 1, 0, 0])
    np.testing.assert_array_equal(X[:, 2], [1, 0, 0, 0])
    np.testing.assert_array_equal(X[:, 3], [0, 0, 1, 0])
    assert "missing indicator" in design.roles().loc[0, "coding"]


# ---------------------------------------------------------------------------------------------- cross-fitting
def test_cross_fitting_never_uses_a_persons_own_row():
    # A 1-nearest-neighbour model predicts each training row's own outcome exactly: in-sample it is perfect.
    # Cross-fitted, the nearest neighbour is always someone else, so on pure-noise outcomes it is at chance.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    y = rng.integers(0, 2, size=600)
    one_nn = KNeighborsClassifier(n_neighbors=1)
    in_sample = in_sample_probabilities(X, y, model=one_nn)
    crossed = cross_fitted_probabilities(X, y, model=one_nn, folds=5, seed=1)
    assert np.mean((in_sample > 0.5) == y) == 1.0
    assert 0.4 < np.mean((crossed > 0.5) == y) < 0.6


def test_folds_follow_the_seed():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 2))
    y = (rng.random(400) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
    a = cross_fitted_probabilities(X, y, seed=3)
    assert np.array_equal(a, cross_fitted_probabilities(X, y, seed=3))
    assert not np.array_equal(a, cross_fitted_probabilities(X, y, seed=4))


def test_auto_keeps_the_logit_for_a_logistic_truth_and_picks_boosting_for_a_nonlinear_one():
    rng = np.random.default_rng(5)
    n = 3000
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    linear = pd.DataFrame(
        {"x": x, "z": z, "y": (rng.random(n) < 1 / (1 + np.exp(-(0.8 * x - 0.5 * z)))).astype(int)}
    )
    bumpy = pd.DataFrame(
        {"x": x, "z": z, "y": (rng.random(n) < 1 / (1 + np.exp(-(2.5 - 2.0 * x**2)))).astype(int)}
    )
    with threadpool_limits(limits=1):
        assert fit_risk(linear, outcome="y", risk_factors=["x", "z"], model="auto", seed=1).model == "logit"
        result = fit_risk(bumpy, outcome="y", risk_factors=["x", "z"], model="auto", seed=1)
    assert result.model == "boosting"
    assert (
        result.comparison.loc[result.comparison["model"] == "boosting", "log_loss_gain_vs_logit"].item() > 0
    )


# ---------------------------------------------------------------------------------------------- done-when
def test_planted_deviants_rank_nearly_as_well_as_the_true_risk(cohort):
    frame, truth = cohort
    with threadpool_limits(limits=1):
        result = fit_risk(
            frame, outcome="fullfort_vgs_5aar", risk_factors=RISK_FACTORS, model="auto", folds=5, seed=2021
        )
    ours = planted_auc(frame, truth, result.p_expected)
    oracle = planted_auc(frame, truth, oracle_score(frame))
    with_noise = planted_auc(frame, truth, truth["true_p_without_practice"].to_numpy())
    assert ours >= oracle - 0.02, (
        f"model {result.model}: AUC {ours:.3f} vs true-risk AUC {oracle:.3f} (with latent noise {with_noise:.3f})"
    )
    # calibration and the odds-ratio table the report shows
    assert result.metrics["brier"] < 0.16 and result.metrics["auc"] > 0.7
    assert set(result.odds_ratios.columns) >= {"term", "odds_ratio", "ci_low", "ci_high"}
    assert (result.odds_ratios["ci_low"] <= result.odds_ratios["odds_ratio"]).all()


def test_an_in_sample_flexible_model_fails_the_same_test(cohort):
    frame, truth = cohort
    X = RiskDesign(RISK_FACTORS).fit_transform(frame)
    y = frame["fullfort_vgs_5aar"].to_numpy()
    oracle = planted_auc(frame, truth, oracle_score(frame))
    with threadpool_limits(limits=1):  # small fits: threads only add overhead on a shared machine
        in_sample = planted_auc(frame, truth, in_sample_probabilities(X, y, model=FLEXIBLE, seed=1))
        crossed = planted_auc(frame, truth, cross_fitted_probabilities(X, y, model=FLEXIBLE, folds=5, seed=1))
    # In-sample, the model has seen (and memorised) the surprising successes, so it stops finding them.
    assert in_sample < oracle - 0.1, f"in-sample AUC {in_sample:.3f} vs true-risk AUC {oracle:.3f}"
    # The same model cross-fitted ranks them far better: cross-fitting is what matters.
    assert crossed > in_sample + 0.05, f"cross-fitted {crossed:.3f} vs in-sample {in_sample:.3f}"


def test_odds_ratios_from_the_newton_fit_match_statsmodels():
    from toolkit.deviance.risk import odds_ratio_table

    rng = np.random.default_rng(7)
    n = 3000
    X = np.column_stack([rng.normal(40, 8, n), rng.integers(0, 2, n)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(-4 + 0.1 * X[:, 0] - 0.7 * X[:, 1])))).astype(int)
    via_statsmodels = odds_ratio_table(X, y, ["poeng", "barnevern"])
    via_newton = odds_ratio_table(X, y, ["poeng", "barnevern"], statsmodels_rows=0)
    for col in ("odds_ratio", "ci_low", "ci_high", "p_value"):
        np.testing.assert_allclose(via_newton[col], via_statsmodels[col], rtol=1e-4, atol=1e-12)
    assert via_newton.loc[1, "ci_low"] < np.exp(0.1) < via_newton.loc[1, "ci_high"]


def test_summaries_made_while_boosting_runs_equal_those_made_after(cohort, monkeypatch):
    """With ``model: auto`` the logistic model's metrics, calibration and odds ratios are computed while the
    boosting comparison still runs (when the main thread has nothing else to do); they must be the very
    figures a logistic-only fit computes afterwards."""
    import time

    from toolkit.deviance import risk as risk_module

    frame, _ = cohort
    settings = dict(
        outcome="fullfort_vgs_5aar", risk_factors=RISK_FACTORS, folds=3, seed=7, stability_seeds=2
    )
    after = fit_risk(frame, model="logit", **settings)

    calls: list[int] = []
    summaries = risk_module._summaries
    monkeypatch.setattr(risk_module, "_summaries", lambda *a, **k: calls.append(1) or summaries(*a, **k))
    one_thread = risk_module._one_openmp_thread
    monkeypatch.setattr(  # slow boosting down, so the logistic work surely ends first
        risk_module, "_one_openmp_thread", lambda *a, **k: time.sleep(2.0) or one_thread(*a, **k)
    )
    waiting = fit_risk(frame, model="auto", selection_rows=1000, **settings)

    assert waiting.model == "logit" and calls == [1]  # made once, while waiting, and not again after
    assert waiting.metrics == after.metrics
    pd.testing.assert_frame_equal(waiting.calibration, after.calibration)
    pd.testing.assert_frame_equal(waiting.odds_ratios, after.odds_ratios)
    np.testing.assert_array_equal(waiting.p_runs, after.p_runs)


_IMPORTS_WHILE_WAITING = """
import sys, time
from functools import partial
import numpy as np
import pandas as pd
from toolkit.deviance import risk
from toolkit.deviance.individuals import individual_table

rng = np.random.default_rng(3)
frame = pd.DataFrame({"a": rng.normal(size=3000), "b": rng.integers(0, 3, 3000).astype(str)})
frame["y"] = (rng.random(3000) < 1 / (1 + np.exp(-frame["a"]))).astype(int)
waiting, new, made = risk._while_waiting, [], []

def recording(*args, **kwargs):
    before = set(sys.modules)
    result = waiting(*args, **kwargs)
    new.extend(sorted(set(sys.modules) - before))
    made.append(result)
    return result

one_thread = risk._one_openmp_thread
risk._while_waiting = recording
risk._one_openmp_thread = lambda *a, **k: time.sleep(2.0) or one_thread(*a, **k)
pids = np.array([f"P{i}" for i in range(len(frame))], dtype=object)
result = risk.fit_risk(frame, outcome="y", risk_factors=["a", "b"], model="auto", folds=3, stability_seeds=2,
                       selection_rows=1000, while_waiting=partial(individual_table, pids, frame["y"].to_numpy()))
assert made, "the waiting work was not done while boosting ran"
assert result.model != "logit" or result.made_while_waiting is not None
print(new)
"""


def test_what_runs_while_boosting_runs_imports_nothing():
    """scikit-learn on the boosting thread looks polars up in ``sys.modules``; a module the main thread is still
    importing then is half-built (notebook 02 failed so when the odds ratios, which import statsmodels and with
    it polars, were made while waiting). A fresh interpreter shows what the waiting work imports: the model's
    summaries and phase 2's per-person table."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _IMPORTS_WHILE_WAITING], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_prepared_refit_of_another_model_still_sees_its_benchmark_indicators(cohort):
    """Only a logistic refit extends its start by the unit indicators alone; a refit that compares or boosts
    needs them in the design (the zeroed columns of prediction are among its columns)."""
    frame, _ = cohort
    settings = dict(
        outcome="fullfort_vgs_5aar", risk_factors=RISK_FACTORS, folds=3, seed=3, stability_seeds=2
    )
    main = fit_risk(frame, model="logit", **settings)
    unit = frame["kommune"].astype(str).value_counts().index[0]
    refit = fit_risk(
        frame,
        model="auto",
        outside_benchmark={"kommune": [unit]},
        prepared=(main.design, main.X, main.logit_state),
        odds_ratios=False,
        **settings,
    )
    assert refit.p_expected.shape == main.p_expected.shape and np.isfinite(refit.p_expected).all()
