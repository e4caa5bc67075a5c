"""The whole phase 2 engine on the SYNTHETIC cohort with planted deviance (``toolkit.synth.register``, n = 5000).

Done-when checks: the planted municipality and school are flagged ``above`` and no other unit is; planted
individual deviants rank nearly as well as with the true risk; outputs follow the contract; published tables
contain no small cells; the report has every section.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from toolkit.deviance.analysis import DevianceResult, analyse_deviance
from toolkit.deviance.sampling import allocate
from toolkit.errors import InputDataError, ProtocolError
from toolkit.protocol import DevianceSection

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
MIN_CELL = 5


@pytest.fixture(scope="module")
def synthetic():
    from toolkit.synth.register import make_register

    return make_register(n=5000, seed=2021)


@pytest.fixture(scope="module")
def frame(synthetic) -> pd.DataFrame:
    """The register as phase 2 sees it: pseudonyms instead of identity numbers, direct identifiers dropped."""
    register = synthetic.register.drop(columns=["fnr", "navn", "adresse", "telefon", "fodselsdato", "postnr"])
    return register.assign(pid=[f"P{i:05d}" for i in range(len(register))])


def _phase2(frame: pd.DataFrame, helper=None) -> DevianceResult:  # noqa: ANN001 - a HelperProcess
    """Phase 2 on the test cohort with the settings every test here uses (``helper``: a started one)."""
    config = DevianceSection(model="auto", folds=5, stability_seeds=2, cohort="fodselsar", characterise=[])
    return analyse_deviance(
        frame,
        outcome="fullfort_vgs_5aar",
        risk_factors=RISK_FACTORS,
        units=["kommune", "vgs_skole"],
        config=config,
        seed=2021,
        disclosure=MIN_CELL,
        helper=helper,
    )


@pytest.fixture(scope="module")
def result(frame) -> DevianceResult:
    return _phase2(frame)


def test_planted_municipality_and_school_are_the_only_units_flagged(result, synthetic):
    planted = synthetic.meta["planted"]
    flagged = result.units.loc[result.units["flag"] != "", ["unit_var", "unit", "flag"]]
    assert sorted(map(tuple, flagged.to_numpy())) == sorted(
        [("kommune", planted["kommune"], "above"), ("vgs_skole", planted["vgs_skole"], "above")]
    ), result.units[["unit_var", "unit", "n", "observed", "expected", "z", "flag"]]


def test_units_follow_the_contract(result):
    assert list(result.units.columns[:7]) == ["unit_var", "unit", "n", "observed", "expected", "z", "flag"]
    assert set(result.units["flag"]) <= {"above", "below", ""}
    assert {"o_e", "o_e_ci_low", "o_e_ci_high", "o_e_shrunk", "in_benchmark", "z_first_pass"} <= set(
        result.units.columns
    )
    # the benchmark pass moved the flagged units out of the benchmark
    assert (~result.units.loc[result.units["flag"] == "above", "in_benchmark"]).all()


def test_individuals_follow_the_contract_and_rank_planted_deviants(result, frame, synthetic):
    ind = result.individuals
    assert list(ind.columns[:5]) == ["pid", "p_expected", "outcome", "pd_score", "is_deviant"]
    assert ind["pid"].tolist() == frame["pid"].tolist()
    assert ind["p_expected"].between(0, 1).all()
    success = ind["outcome"] == 1
    # pd_score grows as the expected chance of a success falls
    s = ind[success].sort_values("p_expected")
    assert s["pd_score"].is_monotonic_decreasing
    # deviants: successes, high risk, passing the score rule
    dev = ind[ind["is_deviant"]]
    assert (dev["outcome"] == 1).all() and dev["high_risk"].all() and (dev["pd_score"] >= 2.0).all()
    assert (
        ind["flagged_share"].between(0, 1).all() and (ind.loc[ind["is_deviant"], "flagged_share"] > 0).all()
    )
    neg = ind[ind["is_negative_deviant"]]
    assert (neg["outcome"] == 0).all() and (neg["pd_score"] <= -2.0).all() and not neg["high_risk"].any()
    scored = success & ind["high_risk"]
    assert (
        ind.loc[scored, "isolation_score"].notna().all() and ind.loc[~scored, "isolation_score"].isna().all()
    )
    truth = synthetic.truth["planted_deviant"].to_numpy()[success.to_numpy()]
    auc = roc_auc_score(truth, ind.loc[success, "pd_score"])
    assert auc > 0.85, auc  # the tight comparison with the true risk is in test_deviance_risk.py


def test_sampling_frame_is_pseudonymous_and_stratified(result, frame):
    sf = result.sampling_frame
    assert list(sf.columns[:3]) == ["pid", "role", "stratum"]
    assert set(sf["role"]) == {"deviant", "negative_deviant", "typical"}
    assert sf["pid"].isin(frame["pid"]).all() and sf["pid"].is_unique
    n_deviants = int(result.individuals["is_deviant"].sum())
    assert (sf["role"] == "deviant").sum() == min(30, n_deviants)
    assert (sf["role"] != "deviant").sum() == 100
    assert sf["stratum"].str.contains("kommune=").all() and sf["stratum"].str.contains("kjonn=").all()
    deviant_strata = set(
        result.individuals.loc[result.individuals["is_deviant"]]
        .pipe(lambda d: d["pid"])
        .map(dict(zip(frame["pid"], frame["kommune"], strict=True)))
    )
    assert len(deviant_strata) >= 2  # not all from one municipality


def test_published_tables_have_no_small_cells(result):
    count_columns = {"n", "observed", "n_deviants", "n_comparison"}
    tables = {"units": result.units, **result.tables}
    for name, table in tables.items():
        for col in count_columns & set(table.columns):
            values = pd.to_numeric(table[col], errors="coerce").dropna()
            assert ((values == 0) | (values >= MIN_CELL)).all(), (name, col)
    profile = result.tables["profile"]
    assert {"variable", "smd", "ci_low", "ci_high"} <= set(profile.columns)
    assert set(RISK_FACTORS) <= set(profile["variable"])
    assert "neet_25" in set(profile["variable"])  # other columns characterise deviants


def test_report_has_every_section(result, tmp_path):
    from toolkit.report import Report

    report = Report("Phase 2", synthetic=True)
    result.add_to_report(report)
    html = report.write(tmp_path / "report.html").read_text()
    for section in (
        "Variable roles",
        "Expected outcome",
        "Calibration",
        "Risk distribution",
        "Base-rate check",
        "Stability",
        "Funnel plot",
        "Persistence",
        "Profile",
        "Love plot",
        "Interview sampling frame",
        "Limitations",
        "regression to the mean",
        "Omitted variables",
        "isolation forest",
        "cannot be told apart",
    ):
        assert section.lower() in html.lower(), section
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert not re.search(r"P\d{5}", text)  # no pseudonym in the report
    assert result.summary().frame["item"].tolist()[0] == "people"
    assert "positive deviants" in str(result.summary()) and "<table>" in result.summary()._repr_html_()
    assert "positive deviants" in result.summary_line()
    assert list(result.outputs())[:3] == ["individuals.csv", "units.csv", "interview_sampling_frame.csv"]


def test_refusals(frame):
    config = DevianceSection()
    kwargs = dict(
        outcome="fullfort_vgs_5aar",
        risk_factors=RISK_FACTORS,
        units=["kommune"],
        config=config,
        seed=1,
        disclosure=5,
    )
    with pytest.raises(InputDataError, match="no 'pid' column"):
        analyse_deviance(frame.drop(columns="pid"), **kwargs)
    with pytest.raises(ProtocolError, match="measured after the outcome"):
        analyse_deviance(frame, **{**kwargs, "config": DevianceSection(timing={"fravaer_prosent": "after"})})
    with pytest.raises(ProtocolError, match="deviance.cohort"):
        analyse_deviance(frame, **{**kwargs, "config": DevianceSection(cohort="nope")})
    with pytest.raises(InputDataError, match="must be 0/1"):
        analyse_deviance(frame.assign(fullfort_vgs_5aar=frame["fullfort_vgs_5aar"] * 3), **kwargs)


def test_allocation_is_proportional_and_covers_strata():
    places = allocate(pd.Series({"a": 100, "b": 50, "c": 3, "d": 0}), 20)
    assert places.sum() == 20 and places["c"] >= 1 and "d" not in places.index
    assert places["a"] > places["b"] > places["c"]
    assert allocate(pd.Series({"a": 2, "b": 1}), 10).tolist() == [2, 1]  # never more than there are people
    assert np.array_equal(allocate(pd.Series({"a": 5, "b": 4, "c": 3}), 2).to_numpy(), [1, 1, 0])


def test_a_report_drawn_in_the_helper_process_has_the_same_bytes_as_one_drawn_here(result):
    from toolkit.background import Answer, HelperProcess
    from toolkit.deviance.helper import PRELOAD
    from toolkit.report import Report

    def report(drawer, language):
        made = Report("Phase 2", subtitle="test", language=language, drawer=drawer)
        result.add_to_report(made)
        return made

    with HelperProcess(PRELOAD) as helper:
        for language in ("en", "nb"):
            apart = report(helper, language)
            answers = [block.content for block in apart.blocks if isinstance(block.content, Answer)]
            html = apart.render()
            assert len(answers) >= 6 and all(answer.made_apart for answer in answers)
            assert html == report(None, language).render()


def test_the_isolation_forest_grown_in_the_helper_process_gives_the_same_scores(result, frame):
    from toolkit.background import HelperProcess
    from toolkit.deviance.helper import PRELOAD

    with HelperProcess(PRELOAD) as helper:
        apart = _phase2(frame, helper)
    assert apart.individuals["isolation_score"].notna().sum() > 100
    pd.testing.assert_frame_equal(apart.individuals, result.individuals)
    for name, table in result.tables.items():
        pd.testing.assert_frame_equal(apart.tables[name], table)


def test_isolation_scores_are_put_in_place_as_a_merge_on_pid_would(result):
    from toolkit.deviance import individuals as ind

    people = result.individuals.drop(columns="isolation_score")
    view = ind.isolation_view(result.risk.X, people, seed=2021)
    placed = ind.with_isolation_scores(people, view)
    pd.testing.assert_frame_equal(placed, people.merge(view, on="pid", how="left"))
    assert placed["isolation_score"].notna().sum() == len(view) > 100


_PHASE2_WITH_A_HELPER = """
import json, sys
from pathlib import Path
import yaml
import toolkit.deviance.helper as helper
helper.HELPER_FROM_ROWS = 0  # a helper process even for this small register, as for a large one
from toolkit.study import Study
from toolkit.synth.register import make_register
work = Path(sys.argv[1])
register = make_register(n=3000, seed=2021).register
register = register.drop(columns=["fnr", "navn", "adresse", "telefon", "fodselsdato", "postnr"])
register.insert(0, "pid", [f"P{i:05d}" for i in range(len(register))])
register.to_csv(work / "register.csv", index=False)
protocol = {
    "study": "helper-route", "seed": 2021,
    "data": {"register": str(work / "register.csv"), "results": str(work / "results")},
    "outcome": "fullfort_vgs_5aar",
    "risk_factors": ["foreldre_utdanning", "barnevern", "grunnskolepoeng", "fravaer_prosent"],
    "units": ["kommune"], "deviance": {"model": "auto", "folds": 5, "cohort": "fodselsar"},
}
(work / "p.yml").write_text(yaml.safe_dump(protocol))
study = Study(work / "p.yml")
with study.phase2_helper() as started:
    study.check()
    result = study.phase2()
    apart = started.apart
print(json.dumps({"apart": apart, "boosting": len(result.risk.comparison),
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "matplotlib"))}))
"""


def test_phase_2_with_a_helper_process_imports_neither_scikit_learn_nor_matplotlib_itself(tmp_path):
    """On a large register the model comparison's boosting, the isolation forest and the figures are made in
    the helper process, and the folds, AUC and Brier score by ``toolkit.deviance.folds``/``metrics``: phase
    2's own process never pays scikit-learn's import (0.6 s) or matplotlib's. Nor does importing the phase 2
    modules import ``scipy.stats`` (0.4 s); statsmodels, which the odds ratios use up to 200,000 rows, does."""
    import json
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-c", _PHASE2_WITH_A_HELPER, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["apart"] and found["boosting"] == 2
    assert found["loaded"] == []
    imports = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, toolkit.study, toolkit.deviance.analysis, toolkit.deviance.figures; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn' or m.startswith('scipy.stats')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imports.stdout.strip() == "[]"
