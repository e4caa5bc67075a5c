"""Agreement between coders (toolkit.coding.reliability), cross-checked against nltk and scikit-learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score

from toolkit.coding.reliability import character_kappa, compare_coders, krippendorff_alpha

CODES = ["a", "b"]


def _units(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["s.txt"] * n,
            "turn_index": range(n),
            "start": [10 * i for i in range(n)],
            "end": [10 * i + 9 for i in range(n)],
            "text": [f"tekst {i}" for i in range(n)],
        }
    )


def _coding(units: pd.DataFrame, flags: dict[str, np.ndarray]) -> pd.DataFrame:
    rows = []
    for code, values in flags.items():
        for i in np.flatnonzero(values):
            rows.append(
                {
                    "source": "s.txt",
                    "turn_index": int(i),
                    "start": int(units.start[i]),
                    "end": int(units.end[i]),
                    "code_id": code,
                }
            )
    return pd.DataFrame(rows, columns=["source", "turn_index", "start", "end", "code_id"])


@pytest.fixture(scope="module")
def three_coders():
    rng = np.random.default_rng(7)
    units = _units()
    truth = {c: rng.random(len(units)) < 0.35 for c in CODES}
    coders = {}
    for name, noise in (("anne", 0.05), ("bjorn", 0.15), ("machine", 0.25)):
        coders[name] = {c: np.where(rng.random(len(units)) < noise, ~truth[c], truth[c]) for c in CODES}
    return units, coders


def test_kappa_and_agreement_match_sklearn(three_coders):
    units, coders = three_coders
    result = compare_coders(units, {n: _coding(units, coders[n]) for n in ("anne", "machine")}, CODES)
    for code in CODES:
        row = result.per_code.set_index("code_id").loc[code]
        a, m = coders["anne"][code].astype(int), coders["machine"][code].astype(int)
        assert row["kappa"] == pytest.approx(cohen_kappa_score(a, m))
        assert row["percent_agreement"] == pytest.approx((a == m).mean())
    assert "optional in reflexive thematic analysis" in result.summary()


def test_krippendorff_alpha_matches_nltk_for_three_coders(three_coders):
    units, coders = three_coders
    result = compare_coders(units, {n: _coding(units, coders[n]) for n in coders}, CODES)
    for code in CODES:
        data = [(name, str(i), str(int(v))) for name in coders for i, v in enumerate(coders[name][code])]
        task = AnnotationTask(data=data)
        alpha = result.per_code.set_index("code_id").loc[code, "alpha"]
        assert alpha == pytest.approx(task.alpha(), abs=1e-9)
        light = result.per_code.set_index("code_id").loc[code, "kappa"]
        assert light == pytest.approx(task.kappa(), abs=1e-9)  # nltk's kappa = mean pairwise Cohen's kappa


def test_disagreement_table_lists_every_difference(three_coders):
    units, coders = three_coders
    result = compare_coders(units, {n: _coding(units, coders[n]) for n in ("anne", "bjorn")}, CODES)
    expected = sum(int((coders["anne"][c] != coders["bjorn"][c]).sum()) for c in CODES)
    table = result.disagreements
    assert len(table) == expected
    assert set(table["coded_by"]) <= {"anne", "bjorn"}
    assert table["text"].str.startswith("tekst").all()


def test_identical_coders_agree_perfectly_and_constant_codes_are_missing(three_coders):
    units, coders = three_coders
    coding = _coding(units, coders["anne"])
    result = compare_coders(units, {"x": coding, "y": coding.copy()}, [*CODES, "never"])
    table = result.per_code.set_index("code_id")
    assert table.loc["a", "kappa"] == pytest.approx(1.0)
    assert np.isnan(table.loc["never", "kappa"]) and np.isnan(table.loc["never", "alpha"])
    assert table.loc["never", "percent_agreement"] == 1.0


def test_character_kappa_rewards_overlap():
    texts = {"s.txt": "x" * 100}
    a = pd.DataFrame({"source": ["s.txt"], "start": [10], "end": [50], "code_id": ["a"]})
    b = pd.DataFrame({"source": ["s.txt"], "start": [20], "end": [50], "code_id": ["a"]})
    expected = cohen_kappa_score(
        np.r_[np.zeros(10), np.ones(40), np.zeros(50)], np.r_[np.zeros(20), np.ones(30), np.zeros(50)]
    )
    assert character_kappa(texts, a, b, "a") == pytest.approx(expected)
    assert character_kappa(texts, a, a, "a") == pytest.approx(1.0)


def test_alpha_handles_missing_values():
    matrix = np.array([[1, 0, 1, np.nan], [1, 0, 0, 1], [1, 1, 1, 1]], dtype=float)
    assert -1 <= krippendorff_alpha(matrix) <= 1


def test_needs_two_coders():
    with pytest.raises(ValueError, match="two coders"):
        compare_coders(_units(), {"x": _coding(_units(), {})}, CODES)
