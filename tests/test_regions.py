"""Several regions (issue 17): protocol forms, the three-region synthetic study, and small cells per region.

The done-when test runs the whole study on three synthetic regions with the practice planted in one of them
(and a harder intake in another) and asserts that region deviance flags the planted region and only that one;
the control study, generated without any planted region, must flag none (so the test can fail).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from toolkit.check import CheckFailed
from toolkit.deviance.risk import fit_risk
from toolkit.disclosure import DisclosurePolicy
from toolkit.errors import InputDataError, ProtocolError
from toolkit.protocol import DevianceSection, Protocol
from toolkit.regions import DEVIANCE_COLUMNS, compare_regions, pool_registers, region_folder
from toolkit.study import Study
from toolkit.synth.regions import REGION_SUCCESS_INTERCEPT, make_regions, write_regions
from toolkit.synth.register import make_register

RISK_FACTORS = [
    "foreldre_utdanning",
    "husholdning_lavinntekt",
    "barnevern",
    "foreldre_trygd",
    "psykisk_helse_kontakt",
    "grunnskolepoeng",
    "fravaer_prosent",
]
PRIVACY = {
    "id_column": "fnr",
    "drop": ["navn", "adresse", "telefon"],
    "quasi_identifiers": {"fodselsdato": "drop", "fodselsar": "keep", "postnr": "drop", "kjonn": "keep"},
    "k": 5,
    "min_cell": 5,
    "key_file": "keys/regions.key",
    "restricted_dir": "restricted",
}


def _protocol(**regions_part) -> dict:
    return {
        "study": "regions-test",
        "seed": 5,
        **regions_part,
        "privacy": copy.deepcopy(PRIVACY),
        "outcome": "fullfort_vgs_5aar",
        "risk_factors": RISK_FACTORS,
        "units": ["kommune", "vgs_skole"],
        "deviance": {"model": "logit", "stability_seeds": 1},
        "report": {"language": "nb"},
    }


def _list_form(names: list[str]) -> dict:
    return {
        "regions": [{"name": n, "register": f"data/{n}/register.csv"} for n in names],
        "data": {"results": "results"},
    }


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / "protocol.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------- the protocol
@pytest.fixture(scope="module")
def three_regions(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("regions")
    write_regions(folder / "data", n_regions=3, n=1500, seed=5, planted="midt")
    return folder


def test_list_form_resolves_every_register(three_regions):
    protocol = Protocol.load(_write(three_regions, _protocol(**_list_form(["nord", "midt", "sor"]))))
    assert protocol.region_key == "region" and protocol.has_regions
    assert protocol.data.register is None
    assert protocol.register_files()["regions.midt.register"] == three_regions / "data/midt/register.csv"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.update(_list_form(["nord", "Nord"])), r"region name 'Nord' is given twice"),
        (lambda raw: raw.update(_list_form(["nord"])), r"names 1 region; a comparison needs at least two"),
        (
            lambda raw: raw["data"].update(register="data/nord/register.csv"),
            r"either 'data.register' or 'regions:'",
        ),
        (lambda raw: raw.update(region_column="region"), r"'region_column' names a column of data.register"),
        (lambda raw: raw["regions"][0].update(name="no/rth"), r"letters, digits, '-' and '_' only"),
        (lambda raw: raw["regions"][0].update(register="data/vest/register.csv"), r"regions\.nord\.register"),
    ],
)
def test_list_form_errors_are_one_line(three_regions, change, message):
    raw = _protocol(**_list_form(["nord", "midt", "sor"]))
    change(raw)
    with pytest.raises(ProtocolError, match=message) as caught:
        Protocol.load(_write(three_regions, raw))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda raw: raw.update(region_column="telefon"),
            r"region_column 'telefon' is removed by the privacy",
        ),
        (lambda raw: raw.update(region_column="kommune"), r"also the outcome, a risk factor or a unit"),
        (lambda raw: raw.pop("data"), r"missing key 'data'"),
        (lambda raw: raw["data"].pop("register"), r"missing key 'data.register'"),
    ],
)
def test_column_form_errors_are_one_line(three_regions, change, message):
    raw = _protocol(data={"register": "data/nord/register.csv", "results": "results"})
    change(raw)
    with pytest.raises(ProtocolError, match=message):
        Protocol.load(_write(three_regions, raw))


def test_unknown_or_single_region_column_stops_the_check(tmp_path):
    cohort = make_register(300, seed=1)
    (tmp_path / "data").mkdir()
    cohort.register.assign(region="nord").to_csv(tmp_path / "data/one.csv", index=False)
    raw = _protocol(data={"register": "data/one.csv", "results": "results"}, region_column="regoin")
    with pytest.raises(CheckFailed, match=r"region_column.*'regoin' is not in the register.*'region'"):
        Study(_write(tmp_path, raw)).check()
    raw["region_column"] = "region"
    with pytest.raises(CheckFailed, match=r"holds 1 region; a comparison needs at least two"):
        Study(_write(tmp_path, raw)).check()
    assert not (tmp_path / "results").exists()


def test_single_region_protocol_hash_has_no_region_keys(tmp_path):
    """A protocol without regions hashes as before regions existed (its reports stay byte-identical)."""
    (tmp_path / "register.csv").write_text("fnr\n1\n", encoding="utf-8")
    raw = _protocol(data={"register": "register.csv", "results": "results"})
    protocol = Protocol.load(_write(tmp_path, raw))
    dumped = Protocol.model_validate(raw).model_dump(mode="json")  # paths as written, as the hash takes them
    assert dumped["regions"] is None and dumped["region_column"] is None
    from toolkit.protocol import _content_hash

    del dumped["regions"], dumped["region_column"]
    assert protocol.content_hash == _content_hash(dumped)


# ----------------------------------------------------------------------------------------- the generator
def test_generator_plants_the_practice_in_one_region_only():
    regions = make_regions(3, n=1500, seed=5, planted="midt")
    truth = {row["region"]: row for row in regions.meta["regions"]}
    assert [name for name, row in truth.items() if row["planted"]] == ["midt"]
    assert truth["midt"]["true_gain_pp"] > 4 * max(
        truth["nord"]["true_gain_pp"], truth["sor"]["true_gain_pp"]
    )
    assert (
        truth["sor"]["harder_intake"]
        and truth["sor"]["observed_completion"] < truth["nord"]["observed_completion"]
    )
    pooled = regions.pooled()
    assert pooled["fnr"].is_unique
    units = pooled.groupby("kommune")["region"].nunique()
    assert (units == 1).all()  # every municipality belongs to one region
    control = make_regions(3, n=1500, seed=5, planted=None)
    assert not any(row["planted"] for row in control.meta["regions"])


def test_shared_intercept_gives_the_single_cohort_target():
    """REGION_SUCCESS_INTERCEPT was found by bisection; on other seeds the mean completion stays on target."""
    flat = {"baseline": 0.05, "planted_kommune": 0.05, "planted_skole": 0.05}
    for seed in (11, 12):
        cohort = make_register(
            40_000, seed=seed, practice_share=flat, success_intercept=REGION_SUCCESS_INTERCEPT
        )
        assert abs(cohort.truth["true_p"].mean() - 0.78) < 0.005


# ----------------------------------------------------------------------------------------- done when
def _flags(results: Path) -> dict[str, str]:
    table = pd.read_csv(results / "regions" / "region_deviance.csv", keep_default_na=False)
    assert list(table.columns[: len(DEVIANCE_COLUMNS)]) == DEVIANCE_COLUMNS
    return dict(zip(table["region"], table["flag"], strict=True))


def test_three_region_study_flags_the_planted_region_and_only_it(three_regions, monkeypatch):
    from toolkit.disclosure import LeakGuard

    seen: set[Path] = set()
    check = LeakGuard.__call__

    def recording(self, staged_path, final_path=None):  # type: ignore[no-untyped-def]
        seen.add(Path(final_path if final_path is not None else staged_path).resolve())
        return check(self, staged_path, final_path)

    monkeypatch.setattr(LeakGuard, "__call__", recording)
    raw = _protocol(**_list_form(["nord", "midt", "sor"]))
    raw["phase3"] = {"panel": "data/panel/panel.csv", "unit": "kommune", "outcome": "andel_neet"}
    study = Study(_write(three_regions, raw))
    run = study.run()
    written = [p.resolve() for p in (three_regions / "results").rglob("*") if p.is_file()]
    assert [p for p in written if p not in seen] == []  # every file, per region too, passed the guard
    assert [s.name for s in run.steps] == ["anonymise", "phase1", "phase2", "regions", "phase3"]
    assert _flags(three_regions / "results") == {"nord": "", "midt": "above", "sor": ""}
    for name in ("nord", "midt", "sor"):  # phase 3 per region finds the panel's planted -3 points in each
        estimates = pd.read_csv(three_regions / "results/regions" / name / "phase3/estimates.csv")
        primary = estimates[(estimates["level"] == "unit") & estimates["primary"]].iloc[0]
        assert primary["ci_low"] < -0.03 < primary["ci_high"] or abs(primary["estimate"] + 0.03) < 0.006
    truth = json.loads((three_regions / "data/truth/regions.json").read_text())
    assert truth["planted_region"] == "midt"
    for name in ("nord", "midt", "sor"):
        for phase in ("phase1", "phase2"):
            assert (three_regions / "results/regions" / region_folder(name) / phase / "report.html").is_file()
        assert (three_regions / "results/regions" / name / "phase2" / "units.csv").is_file()
    own = (three_regions / "results/regions/sor/phase2/report.html").read_text(encoding="utf-8")
    assert "Studie regions-test, region sor" in own
    report = (three_regions / "results/regions/report.html").read_text(encoding="utf-8")
    assert "Regioner sammenlignet" in report and "Traktplott" in report and "data:image/png" in report
    manifest = json.loads((three_regions / "results/manifest.json").read_text())
    assert {"register nord", "register midt", "register sor"} <= set(manifest["inputs"])
    _assert_small_cells_hidden(three_regions / "results" / "regions", min_cell=PRIVACY["min_cell"])


def test_control_study_without_a_planted_region_flags_none(tmp_path):
    """The same study on regions generated without the practice (column form): no region may be flagged."""
    control = make_regions(3, n=1500, seed=5, planted=None)
    (tmp_path / "data").mkdir()
    control.pooled("region").to_csv(tmp_path / "data/pooled.csv", index=False)
    raw = _protocol(data={"register": "data/pooled.csv", "results": "results"}, region_column="region")
    Study(_write(tmp_path, raw)).run()
    assert _flags(tmp_path / "results") == {"nord": "", "midt": "", "sor": ""}


def _assert_small_cells_hidden(folder: Path, min_cell: int) -> None:
    """No published count of people in the comparison or in a region's phase 1 and unit tables lies strictly
    between 0 and min_cell."""
    count_prefixes = ("n_with", "n_without", "n_success", "n_high_risk")
    checked = 0
    tables = [*folder.glob("*.csv"), *folder.glob("*/phase1/*.csv"), *folder.glob("*/phase2/units.csv")]
    for csv in tables:
        table = pd.read_csv(csv)
        for column in table.columns:
            is_count = column in ("n", "observed") or column.startswith(count_prefixes)
            if is_count and pd.api.types.is_numeric_dtype(table[column].dropna()):
                values = table[column].dropna()
                assert not ((values > 0) & (values < min_cell)).any(), (csv.name, column)
                checked += 1
    assert checked > 10


# ----------------------------------------------------------------------------------------- small cells
def test_small_region_counts_are_suppressed():
    """A region with fewer young people than min_cell shows no counts (and nothing derived from them)."""
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "pid": [f"p{i}" for i in range(n)],
            "risk": rng.integers(0, 2, n),
            "region": ["stor"] * 200 + ["mellom"] * 197 + ["liten"] * 3,
        }
    )
    frame["utfall"] = (rng.random(n) < np.where(frame["risk"] == 1, 0.5, 0.8)).astype(int)
    config = DevianceSection(model="logit", min_unit_size=20)
    risk = fit_risk(frame, outcome="utfall", risk_factors=["risk"], model="logit", seed=1, units=["region"])
    comparison = compare_regions(
        frame,
        region_column="region",
        risk=risk,
        outcome="utfall",
        risk_factors=["risk"],
        config=config,
        seed=1,
        disclosure=DisclosurePolicy(min_cell=5),
    )
    deviance = comparison.tables["region_deviance"].set_index("region")
    assert pd.isna(deviance.loc["liten", "n"]) and pd.isna(deviance.loc["liten", "observed"])
    assert pd.isna(deviance.loc["liten", "o_minus_e"]) and pd.isna(deviance.loc["liten", "z"])
    assert deviance.loc["liten", "flag"] == ""  # too small to be flagged at all
    assert deviance.loc["stor", "n"] == 200
    intake = comparison.tables["regions"].set_index("region")
    assert pd.isna(intake.loc["liten", "observed"]) and pd.isna(intake.loc["liten", "observed_rate"])
    assert pd.isna(intake.loc["liten", "n_with_risk"])


def test_pooling_refuses_registers_that_do_not_match():
    a = pd.DataFrame({"pid": ["1"], "x": [1]})
    pooled = pool_registers({"nord": a, "sor": a.assign(pid="2")}, column="region", label="p.yml")
    assert pooled["region"].tolist() == ["nord", "sor"] and list(pooled.columns) == ["pid", "x", "region"]
    with pytest.raises(
        InputDataError, match=r"'y' is not in every region's register; compare 'nord' and 'sor'"
    ):
        pool_registers({"nord": a, "sor": a.assign(y=2)}, column="region", label="p.yml")
    with pytest.raises(ProtocolError, match=r"region 'sor' already has a column 'region'"):
        pool_registers({"nord": a, "sor": a.assign(region="x")}, column="region", label="p.yml")


def test_regions_step_needs_regions(tmp_path):
    (tmp_path / "register.csv").write_text("pid,fullfort_vgs_5aar\n1,1\n", encoding="utf-8")
    raw = _protocol(data={"register": "register.csv", "results": "results"})
    del raw["privacy"]
    with pytest.raises(ProtocolError, match=r"'pdtk regions' needs 'regions:' or 'region_column:'"):
        Study(_write(tmp_path, raw)).regions()
    assert [name for name, _ in Study(_write(tmp_path, raw)).steps()] == ["phase1", "phase2"]


def test_the_shipped_regions_protocol_is_valid():
    protocol = Protocol.load(Path(__file__).parents[1] / "protocols/regions_demo.yml", check_files=False)
    assert [r.name for r in protocol.regions] == ["nord", "midt", "sor"] and protocol.phase3 is not None
