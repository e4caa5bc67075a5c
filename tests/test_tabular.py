"""Register anonymisation: k-anonymity and l-diversity checked against pycanon, errors, risk, Excel exports.

pycanon (test dependency, installed with ``pip install --no-deps pycanon``) is the independent implementation;
it drops rows with missing values from its groups, so missing values are filled with "*" first, which is the
"own category" convention pdtk enforces.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.anonymise.pseudonym import Key
from toolkit.anonymise.tabular import (
    anonymise_register,
    class_diversity,
    class_sizes,
    generalise,
    local_suppression,
    risk_measures,
    wildcard_class_sizes,
)
from toolkit.disclosure import LeakGuard
from toolkit.errors import DisclosureError, InputDataError, ProtocolError
from toolkit.io import read_table
from toolkit.protocol import PrivacySection

pycanon = pytest.importorskip("pycanon.anonymity")
KEY = Key(b"k" * 32)


def privacy(**overrides: Any) -> PrivacySection:
    settings_: dict[str, Any] = {
        "id_column": "fnr",
        "drop": ["navn", "adresse", "telefon"],
        "quasi_identifiers": {"fodselsdato": "year", "kjonn": "keep", "kommune": "keep", "postnr": "drop"},
        "sensitive": ["psykisk_helse_kontakt"],
        "k": 5,
        "key_file": "/nonexistent/k.key",
        "restricted_dir": "/nonexistent/restricted",
    }
    settings_.update(overrides)
    return PrivacySection(**settings_)


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    from toolkit.synth.register import make_register

    return make_register(5000, seed=17).register


def independent_k_and_l(data: pd.DataFrame, qis: list[str], sensitive: list[str]) -> tuple[int, int | None]:
    frame = data[qis + sensitive].astype("string").fillna("*").astype(object).reset_index(drop=True)
    k = pycanon.k_anonymity(frame, qis)
    l_div = pycanon.l_diversity(frame, qis, sensitive) if sensitive else None
    return int(k), (int(l_div) if l_div is not None else None)


# ----------------------------------------------------------------------------------------- done-when
def test_synthetic_cohort_meets_k5_with_at_most_5_percent_touched(register: pd.DataFrame) -> None:
    result = anonymise_register(register, privacy(), KEY, source="register.csv")
    d = result.disclosure
    qis = ["fodselsdato", "kjonn", "kommune"]
    k, l_div = independent_k_and_l(result.data, qis, ["psykisk_helse_kontakt"])
    assert k >= 5 and k == d["k_reached"]
    assert l_div >= 2 and l_div == d["l_reached"]["psykisk_helse_kontakt"]
    assert d["share_rows_touched"] <= 0.05
    assert list(result.data.columns)[0] == "pid"
    for gone in ("fnr", "navn", "adresse", "telefon", "postnr"):
        assert gone not in result.data.columns
    assert result.data["fodselsdato"].dropna().between(1900, 2030).all()
    assert d["ids"] == {"rows": 5000, "missing": 0, "invalid": 0, "duplicated": 0, "kinds": d["ids"]["kinds"]}
    assert sum(d["ids"]["kinds"].values()) == 5000
    assert d["risk"]["before"]["sample_uniques"] > d["risk"]["after"]["sample_uniques"] == 0
    assert d["risk"]["after"]["prosecutor_risk_max"] <= 1 / 5
    assert json.loads(json.dumps(d)) == d  # JSON-able without a custom encoder (disclosure.json)
    summary = result.tables["measures"]
    assert {"measure", "stage", "value", "definition"} <= set(summary.columns)
    assert "k requested / reached" in str(result.summary()) and "<table>" in result.summary()._repr_html_()
    assert (summary["definition"].str.contains("ARX")).any() and (
        summary["definition"].str.contains("sdcMicro")
    ).any()


def test_synthetic_identity_numbers_are_all_tenor_numbers(register: pd.DataFrame) -> None:
    """DOMAIN.md: synthetic data use Tenor numbers (month + 80, also for D-numbers) so none is a real person's."""
    result = anonymise_register(
        register.head(2000), privacy(k=2, max_suppressed_share=1.0), KEY, source="register.csv"
    )
    kinds = result.disclosure["ids"]["kinds"]
    assert set(kinds) == {"tenor"}, f"synthetic register has non-Tenor identity numbers: {kinds}"


def test_hard_quasi_identifiers_are_suppressed_locally_and_agree_with_pycanon(register: pd.DataFrame) -> None:
    rules = {
        "fodselsdato": "month",
        "kjonn": "keep",
        "kommune": "keep",
        "landbakgrunn": "keep",
        "postnr": "keep",
    }
    result = anonymise_register(
        register, privacy(quasi_identifiers=rules, max_suppressed_share=1.0), KEY, source="register.csv"
    )
    d = result.disclosure
    qis = list(rules)
    k, l_div = independent_k_and_l(result.data, qis, ["psykisk_helse_kontakt"])
    assert k >= 5 and k == d["k_reached"]
    assert l_div >= 2 and l_div == d["l_reached"]["psykisk_helse_kontakt"]
    # local suppression: values, not whole rows, and far fewer cells than rows × quasi-identifiers
    assert d["cells_suppressed"] > 0 and d["rows_removed"] < 0.05 * len(register)
    assert d["cells_suppressed"] < d["rows_touched"] * len(qis)
    assert int(result.suppressed_cells.to_numpy().sum()) == d["cells_suppressed"]
    assert d["k_reached_wildcard"] >= d["k_reached"]
    assert all(0 <= v["granularity_loss"] <= 1 for v in d["information_loss"].values())


def test_excel_export_gives_identical_pseudonyms_and_release(register: pd.DataFrame, tmp_path: Path) -> None:
    small = register.head(800)
    utf8 = tmp_path / "register.csv"
    small.to_csv(utf8, index=False)
    excel = tmp_path / "register_excel.csv"
    buffer = io.StringIO()
    small.to_csv(buffer, sep=";", decimal=",", index=False)
    excel.write_bytes(buffer.getvalue().encode("cp1252"))
    a = anonymise_register(
        read_table(utf8, text_columns=["fnr"]), privacy(k=3, max_suppressed_share=1.0), KEY, source=str(utf8)
    )
    b = anonymise_register(
        read_table(excel, text_columns=["fnr"]),
        privacy(k=3, max_suppressed_share=1.0),
        KEY,
        source=str(excel),
    )
    assert a.data["pid"].tolist() == b.data["pid"].tolist()
    pd.testing.assert_frame_equal(a.data.astype(str), b.data.astype(str))


def test_released_register_passes_the_leak_guard_and_the_raw_one_does_not(
    register: pd.DataFrame, tmp_path: Path
) -> None:
    result = anonymise_register(
        register.head(1000), privacy(k=3, max_suppressed_share=1.0), KEY, source="register.csv"
    )
    forbidden = {c: set(register[c].astype(str)) for c in ["fnr", "navn", "adresse", "telefon"]}
    guard = LeakGuard(forbidden_values=forbidden)
    result.data.to_parquet(tmp_path / "register.parquet")
    guard(tmp_path / "register.parquet", None)
    register.head(50)[["fnr", "kommune"]].rename(columns={"fnr": "person"}).to_parquet(
        tmp_path / "raw.parquet"
    )
    with pytest.raises(DisclosureError, match="identity number"):
        guard(tmp_path / "raw.parquet", None)


# ----------------------------------------------------------------------------------------- missing values
def test_missing_values_are_their_own_category() -> None:
    codes = np.array([[1, 1]] * 5 + [[1, 0]] * 2)  # 0 = missing
    assert class_sizes(codes).tolist() == [5] * 5 + [2] * 2
    # under the wildcard convention the two records with a missing value could be any of the seven
    assert wildcard_class_sizes(codes).tolist() == [7] * 7
    frame = pd.DataFrame(
        {
            "fnr": [f"{i:011d}" for i in range(7)],
            "a": ["x"] * 7,
            "b": ["1"] * 5 + [None] * 2,
        }
    )
    result = anonymise_register(
        frame,
        privacy(
            drop=[],
            quasi_identifiers={"a": "keep", "b": "keep"},
            sensitive=[],
            k=3,
            invalid_ids="report",
            max_suppressed_share=1.0,
        ),
        KEY,
        source="t.csv",
    )
    # the two rows with b missing form a class of 2 < 3 (under the wildcard convention they would be safe);
    # suppressing a alone cannot help, so they are pooled with one donor from the large class: 3 rows with
    # both values missing, and no row removed
    assert result.disclosure["k_reached"] >= 3
    assert result.disclosure["rows_removed"] == 0
    both_missing = result.data["a"].isna() & result.data["b"].isna()
    assert both_missing.sum() == 3 and result.data["a"].notna().sum() == 4
    k, _ = independent_k_and_l(result.data, ["a", "b"], [])
    assert k >= 3


def test_wildcard_sizes_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 3, size=(60, 3))
    brute = [sum(all(r[j] == s[j] or r[j] == 0 or s[j] == 0 for j in range(3)) for s in codes) for r in codes]
    assert wildcard_class_sizes(codes).tolist() == brute


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda q: st.lists(st.lists(st.integers(0, 4), min_size=q, max_size=q), min_size=1, max_size=60)
    ),
    st.integers(2, 5),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_local_suppression_reaches_k_and_l_and_only_suppresses(
    rows: list[list[int]], k: int, with_l: bool, random: Any
) -> None:
    codes = np.array(rows, dtype=np.int64)
    sensitive = [np.array([random.randint(1, 3) for _ in rows])] if with_l else []
    after, suppressed, removed = local_suppression(codes, k=k, sensitive=sensitive, l_div=2 if with_l else 1)
    kept = after[~removed]
    if len(kept):
        assert class_sizes(kept).min() >= k
        if with_l:
            assert class_diversity(kept, sensitive[0][~removed]).min() >= 2
    changed = after != codes
    assert (changed == (suppressed & (codes != 0))).all()
    assert (after[changed] == 0).all()


# ----------------------------------------------------------------------------------------- generalisation
def test_generalisation_rules() -> None:
    dates = pd.Series(["24.03.2001", "01.12.1999", None])
    assert generalise(dates, "year", column="d").tolist()[:2] == [2001, 1999]
    assert generalise(pd.Series(["2001-03-24"]), "month", column="d").tolist() == ["2001-03"]
    assert generalise(pd.Series([5, 20, 35.5, 60]), [20, 40], column="x").tolist() == [
        "<20",
        "[20, 40)",
        "[20, 40)",
        ">=40",
    ]
    assert generalise(pd.Series(["2212", "2100", "9999"]), "municipality", column="postnr").tolist()[:2] == [
        "3401",
        "3415",
    ]
    assert generalise(pd.Series(["9999"]), "municipality", column="postnr").isna().all()
    region = generalise(pd.Series([3401, 3419, 3403]), "region", column="kommune").tolist()
    assert region == ["Kongsvingerregionen", "Kongsvingerregionen", "fylke 34"]
    assert (
        generalise(pd.Series(["2212", "2436"]), "region", column="postnr").tolist()
        == ["Kongsvingerregionen"] * 2
    )
    user = {"postnr_to_kommune": {"0150": "0301"}, "kommune_to_region": {"0301": "Oslo"}}
    assert generalise(pd.Series([150]), "region", column="postnr", code_tables=user).tolist() == ["Oslo"]
    with pytest.raises(InputDataError, match="'d' is not a date"):
        generalise(pd.Series(["hello"]), "year", column="d", source="r.csv")
    with pytest.raises(InputDataError, match="non-numeric"):
        generalise(pd.Series(["a", "1"]), [1, 2], column="x")


def test_risk_measures_on_a_hand_computed_example() -> None:
    frame = pd.DataFrame({"a": ["x", "x", "x", "y", "z"]})
    risk = risk_measures(frame, ["a"], k=2)
    assert risk["sample_uniques"] == 2
    assert risk["prosecutor_risk_max"] == 1.0
    assert risk["prosecutor_risk_mean"] == pytest.approx((3 * (1 / 3) + 1 + 1) / 5)
    assert risk["records_at_risk"] == pytest.approx(2 / 5)
    assert risk["expected_reidentifications"] == pytest.approx(3.0)
    assert risk["equivalence_classes"] == 3


# ----------------------------------------------------------------------------------------- errors
def test_bad_input_gives_one_line_errors_without_values(register: pd.DataFrame) -> None:
    small = register.head(200).copy()
    cases = [
        (small.drop(columns=["fnr"]), {}, InputDataError, "id column 'fnr'"),
        (
            small,
            {"quasi_identifiers": {"fodselsdag": "year"}},
            InputDataError,
            "quasi-identifier column 'fodselsdag'",
        ),
        (small, {"drop": ["navnn"]}, InputDataError, "drop column 'navnn'"),
        (small, {"sensitive": ["helse"]}, InputDataError, "sensitive column 'helse'"),
        (small.assign(fnr=small["fnr"].astype(float)), {}, InputDataError, "read as numbers"),
        (small.assign(fnr=small["fnr"].astype(float).astype(str)), {}, InputDataError, "decimals"),
        (pd.concat([small, small.head(3)]), {}, InputDataError, "3 duplicated"),
        (small.assign(fnr=small["fnr"].str.slice(0, 10) + "0"), {}, InputDataError, "invalid"),
        (
            small,
            {"quasi_identifiers": {"fodselsdato": "month", "postnr": "keep", "landbakgrunn": "keep"}},
            ProtocolError,
            "max_suppressed_share",
        ),
    ]
    for frame, overrides, error, text in cases:
        with pytest.raises(error) as info:
            anonymise_register(frame, privacy(**overrides), KEY, source="register.csv")
        message = str(info.value)
        assert text in message and "register.csv" in message and "Fix:" in message and "\n" not in message
        for value in small["fnr"].head(20):
            assert value not in message and value[:10] not in message


def test_invalid_ids_can_be_reported_instead(register: pd.DataFrame) -> None:
    frame = pd.concat([register.head(300), register.head(2)]).reset_index(drop=True)
    frame.loc[5, "fnr"] = "12345678901"
    frame.loc[6, "fnr"] = None
    result = anonymise_register(
        frame, privacy(invalid_ids="report", k=2, max_suppressed_share=1.0), KEY, source="r.csv"
    )
    ids = result.disclosure["ids"]
    assert (ids["invalid"], ids["missing"], ids["duplicated"]) == (1, 1, 2)
    assert result.data["pid"].isna().sum() == 1
    assert "12345678901" not in str(result.disclosure)


def test_granularity_loss_on_a_hand_computed_example() -> None:
    from toolkit.anonymise.tabular import _granularity_loss

    dates = pd.Series(["2001-01-01", "2001-05-01", "2002-01-01", "2003-01-01"])
    years = generalise(dates, "year", column="d")
    # 2001 merges two of four dates: (2 - 1) / (4 - 1) for two cells, 0 for the others
    assert _granularity_loss(dates, years) == pytest.approx((1 / 3 + 1 / 3) / 4)
    suppressed = years.astype(object).where([True, True, True, False], None)
    assert _granularity_loss(dates, suppressed) == pytest.approx((1 / 3 + 1 / 3 + 0 + 1) / 4)


@given(
    st.integers(min_value=1, max_value=60),
    st.lists(st.sampled_from([2, 3, 40, 5000, 2**40]), min_size=1, max_size=4),
    st.integers(min_value=0, max_value=2**31),
)
@settings(max_examples=80, deadline=None)
def test_class_sizes_equal_a_groupby_in_every_key_space(rows: int, ranges: list[int], seed: int) -> None:
    """Small key spaces (lookup table), large ones (hashing) and ones beyond 62 bits (column by column) agree."""
    rng = np.random.default_rng(seed)
    codes = np.column_stack([rng.integers(0, r, rows) for r in ranges]).astype(np.int64)
    codes[rng.random(rows) < 0.3, 0] = 0  # some missing values
    expected = pd.DataFrame(codes).groupby(list(range(codes.shape[1])))[0].transform("size").to_numpy()
    assert class_sizes(codes).tolist() == expected.tolist()


def test_pseudonyms_are_the_same_whether_hashed_per_row_or_per_distinct_id(register: pd.DataFrame) -> None:
    """One row per person is hashed row by row, a register with repeated ids per distinct id: same pid per id."""
    from toolkit.anonymise._hashing import _mostly_distinct

    people = register.copy()
    people.loc[7, "fnr"] = None
    panel = pd.concat([people, people], ignore_index=True)  # every id twice: the per-distinct-id path
    assert _mostly_distinct(people["fnr"]) and not _mostly_distinct(panel["fnr"])
    settings_ = {"invalid_ids": "report", "max_suppressed_share": 1.0}
    by_row = anonymise_register(people, privacy(**settings_), KEY, source="r.csv").data["pid"]
    by_id = anonymise_register(panel, privacy(**settings_), KEY, source="r.csv").data["pid"]
    assert by_row.isna().tolist() == people["fnr"].isna().tolist()
    assert by_row.tolist() == by_id.iloc[: len(people)].tolist() == by_id.iloc[len(people) :].tolist()
