"""The SYNTHETIC phase 3 panel: shape, labelling, determinism and that its truth file says what was planted."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from toolkit.io import read_table
from toolkit.synth.panel import KONGSVINGER_REGION, make_panel, staggered_effect, write_panel


@pytest.fixture(scope="module")
def data():
    return make_panel(2021)


def test_panel_is_a_unit_by_year_table_of_municipalities(data):
    panel = data.panel
    assert set(KONGSVINGER_REGION) == {"3401", "3414", "3415", "3416", "3417", "3418", "3419"}
    assert set(KONGSVINGER_REGION) <= set(panel["kommune"])
    assert panel["kommune"].str.fullmatch(r"\d{4}").all()
    assert panel["kommune"].nunique() >= 40
    assert not panel.duplicated(["kommune", "aar"]).any()
    assert panel.groupby("kommune")["aar"].nunique().eq(panel["aar"].nunique()).all()  # balanced
    assert panel["andel_neet"].between(0, 1).all()
    assert np.allclose(panel["andel_neet"], panel["antall_neet"] / panel["n"])
    # never-adopters have an empty adoption year; adopters one year in every row
    simple_adopters = set(panel.loc[panel["innfort_fra"].notna(), "kommune"])
    assert simple_adopters == set(data.truth["simple"]["treated_units"])
    assert set(KONGSVINGER_REGION) <= simple_adopters
    assert panel.groupby("kommune")["innfort_fra_trinnvis"].nunique(dropna=False).eq(1).all()
    assert sorted(panel["innfort_fra_trinnvis"].dropna().unique()) == [2017, 2019, 2021]


def test_everything_is_labelled_synthetic(data):
    assert data.meta["synthetic"] is True
    assert data.truth["synthetic"] is True


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = make_panel(7), make_panel(7), make_panel(8)
    pd.testing.assert_frame_equal(a.panel, b.panel)
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.individuals, b.individuals)
    assert not a.panel["andel_neet"].equals(c.panel["andel_neet"])


def test_staggered_truth_is_the_cohort_weighted_average_of_planted_cells(data):
    """Recompute the aggregated target from the planted cell effects, independently of the generator."""
    truth = data.truth["staggered"]
    cohort_sizes = {int(g): len(units) for g, units in truth["cohorts"].items()}
    cells = [(g, t) for g in cohort_sizes for t in range(2014, 2025) if t >= g]
    expected = sum(cohort_sizes[g] * staggered_effect(g, t - g) for g, t in cells) / sum(
        cohort_sizes[g] for g, _ in cells
    )
    assert truth["unit"]["att_simple"] == pytest.approx(expected)
    # effects grow with time since adoption and are larger for early adopters: what biases plain TWFE
    assert staggered_effect(2017, 3) < staggered_effect(2017, 0) < 0
    assert staggered_effect(2017, 2) < staggered_effect(2021, 2)
    assert staggered_effect(2017, -1) == 0


def test_series_and_individuals(data):
    s = data.series
    assert s["maaned"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert (s["kommune"] == "3401").all()
    assert data.interruption == "2023-01"
    ind = data.individuals
    assert set(ind["deltok"].unique()) == {0, 1}
    assert set(ind["i_aktivitet"].unique()) == {0, 1}
    assert set(data.truth["individuals"]["covariates"]) <= set(ind.columns)
    # confounding: participants have more risk factors than non-participants
    assert (
        ind.loc[ind["deltok"] == 1, "grunnskolepoeng"].mean()
        < ind.loc[ind["deltok"] == 0, "grunnskolepoeng"].mean()
    )


def test_write_panel_writes_the_four_files(tmp_path):
    written = write_panel(tmp_path / "panel", seed=3)
    assert set(written) == {"panel.csv", "series.csv", "individuals.csv", "truth/panel_truth.json"}
    assert all(p.is_file() for p in written.values())
    back = read_table(written["panel.csv"], text_columns=["kommune"])
    assert back["kommune"].str.fullmatch(r"\d{4}").all()
    assert back["innfort_fra"].isna().sum() > 0
    truth = json.loads(written["truth/panel_truth.json"].read_text(encoding="utf-8"))
    assert truth["meta"]["synthetic"] is True
    assert truth["simple"]["effect"] == pytest.approx(-0.03)
