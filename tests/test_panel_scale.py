"""National-scale panel aggregation (issue 17): DuckDB and pandas agree, small cells are hidden, bad input fails
in one line. Small synthetic panels only; the 10M/100M figures are in bench/bench_panel_scale.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from toolkit.effect.panel_scale import PanelColumns, aggregate_status_panel
from toolkit.errors import InputDataError
from toolkit.synth.status_panel import STATUS_CODES, write_status_panel


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "panel.parquet"
    return write_status_panel(path, n_people=3_000, n_months=24, n_units=12, seed=5, people_per_block=700)


def test_writer_streams_row_groups_of_whole_people(panel: Path) -> None:
    meta = pq.read_metadata(panel)
    assert meta.num_rows == 3_000 * 24
    assert meta.num_row_groups == 5  # 700-person blocks: 4 full and one of 200
    frame = pd.read_parquet(panel)
    assert frame.groupby("person_id")["month"].nunique().eq(24).all()
    assert frame.groupby("person_id")["unit"].nunique().eq(1).all()
    assert set(frame["status"].astype(str)) <= set(STATUS_CODES)
    active = frame["status"].astype(str).isin(["arbeid", "utdanning"]).astype(int)
    assert (frame["outcome"] == active).all()


def test_duckdb_and_pandas_give_identical_tables(panel: Path, tmp_path: Path) -> None:
    by_duckdb = aggregate_status_panel(panel, 5, engine="duckdb", out_path=tmp_path / "agg.parquet")
    by_pandas = aggregate_status_panel(panel, 5, engine="pandas")
    pd.testing.assert_frame_equal(by_duckdb, by_pandas)
    assert len(by_duckdb) == 12 * 24
    assert not by_duckdb["suppressed"].all() and by_duckdb["suppressed"].any()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "agg.parquet"), by_duckdb, check_dtype=False)


def test_counts_match_a_direct_count(panel: Path) -> None:
    table = aggregate_status_panel(panel, 1, engine="duckdb")  # min_cell 1: nothing hidden
    frame = pd.read_parquet(panel)
    assert not table["suppressed"].any()
    assert table["n_people"].sum() == len(frame)
    assert table["n_outcome"].sum() == frame["outcome"].sum()
    status_cols = [c for c in table.columns if c.startswith("n_status_")]
    assert (table[status_cols].sum(axis=1) == table["n_people"]).all()


def test_small_cells_are_suppressed(tmp_path: Path) -> None:
    rows = [("0301", "2020-01", pid, "arbeid", 1) for pid in range(30)]
    rows += [("0301", "2020-01", 100 + pid, "ledig", 0) for pid in range(2)]  # 2 unemployed: too few
    rows += [("3401", "2020-01", 200 + pid, "arbeid", 1) for pid in range(20)]
    rows += [("3401", "2020-01", 300 + pid, "ledig", 0) for pid in range(20)]
    frame = pd.DataFrame(rows, columns=["unit", "month", "person_id", "status", "outcome"])
    csv = tmp_path / "panel.csv"
    frame.to_csv(csv, index=False)
    for engine in ("duckdb", "pandas"):
        table = aggregate_status_panel(csv, 5, engine=engine, margin_cols=None).set_index("unit")
        assert table.loc["0301", "suppressed"]
        assert pd.isna(table.loc["0301", "n_status_ledig"])
        assert pd.isna(table.loc["0301", "n_outcome"])  # 30 of 32: its complement is 2
        assert pd.isna(table.loc["0301", "outcome_share"])
        assert table.loc["3401", "n_status_ledig"] == 20
        assert table.loc["3401", "outcome_share"] == pytest.approx(0.5)
        assert not table.loc["3401", "suppressed"]


def test_missing_column_is_a_one_line_error(panel: Path) -> None:
    with pytest.raises(InputDataError, match="column 'kommune' is not in the status panel") as caught:
        aggregate_status_panel(panel, 5, columns=PanelColumns(unit="kommune"))
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match="status panel file not found") as caught:
        aggregate_status_panel(tmp_path / "nowhere.parquet", 5)
    assert "\n" not in str(caught.value)
