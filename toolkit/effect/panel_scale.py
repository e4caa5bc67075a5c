"""Aggregate a national person × month status panel to unit × month, out of core when it does not fit pandas.

A whole Norwegian youth cohort with a monthly NAV status (≈ 1.2M people × 120 months ≈ 144M rows) needs
tens of GB as a pandas frame; the unit × month aggregate the effect estimators use is a few tens of thousands
of rows. :func:`aggregate_status_panel` therefore lets DuckDB (an existing out-of-core engine: it streams the
Parquet file, and spills to a temporary folder past ``memory_limit``) do the group-by, and keeps pandas for
panels that fit (``engine="pandas"``, or ``"auto"`` below :data:`PANDAS_MAX_ROWS`). Both paths end in the same
normalisation and the same small-cell suppression, so they give identical tables (tested).

The panel must hold one row per person and month; people are counted as rows (a distinct count over 100M ids
would cost far more than the group-by itself).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from toolkit.disclosure import DisclosurePolicy
from toolkit.disclosure.cells import SUPPRESSED_COLUMN, suppress_small_cells
from toolkit.errors import InputDataError
from toolkit.io import atomic_write_bytes, parquet_bytes

# pandas needs ≈ 1.8 GB per 10M panel rows to read and group (bench/bench_panel_scale.py); past this, DuckDB
PANDAS_MAX_ROWS = 20_000_000
# the aggregate is returned as a DataFrame only when it is at most this many rows (otherwise: Parquet only)
RETURN_MAX_ROWS = 2_000_000


@dataclass(frozen=True)
class PanelColumns:
    """Names of the panel's columns (the synthetic panel's names by default)."""

    person: str = "person_id"
    unit: str = "unit"
    month: str = "month"
    status: str = "status"
    outcome: str = "outcome"

    def all(self) -> list[str]:
        return [self.person, self.unit, self.month, self.status, self.outcome]


def _check_source(source: Path, columns: PanelColumns) -> list[str]:
    """The panel's column names; one-line errors for a missing file or a missing column."""
    if not source.exists():
        raise InputDataError("status panel file not found", file=source.name, fix="check the path")
    if source.suffix.lower() == ".parquet":
        present = list(pq.read_schema(source).names)
    else:
        present = list(pd.read_csv(source, nrows=0).columns)
    for column in columns.all():
        if column not in present:
            raise InputDataError(
                f"column '{column}' is not in the status panel (columns: {', '.join(present)})",
                file=source.name,
                fix="rename the column or pass PanelColumns(...) naming it",
            )
    return present


def _panel_rows(source: Path) -> int | None:
    """Row count from Parquet metadata (free); None for CSV."""
    if source.suffix.lower() == ".parquet":
        return int(pq.read_metadata(source).num_rows)
    return None


def _duckdb_aggregate(source: Path, columns: PanelColumns, memory_limit: str, threads: int) -> pd.DataFrame:
    """Group in DuckDB with a memory ceiling and a temporary spill folder; only the aggregate comes back."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="pdtk-duckdb-") as spill:
        con = duckdb.connect(config={"memory_limit": memory_limit, "threads": threads})
        try:
            con.execute(f"SET temp_directory = '{spill}'")
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET enable_progress_bar = false")  # it writes to stdout, which may be a pipe
            if source.suffix.lower() == ".parquet":
                relation = con.read_parquet(str(source))
            else:
                relation = con.read_csv(
                    str(source), dtype={columns.unit: "VARCHAR", columns.status: "VARCHAR"}
                )
            con.register("panel", relation)
            u, m, s, o = (f'"{c}"' for c in (columns.unit, columns.month, columns.status, columns.outcome))
            statuses = [
                row[0] for row in con.execute(f"SELECT DISTINCT CAST({s} AS VARCHAR) FROM panel").fetchall()
            ]
            per_status = ", ".join(
                f'count(*) FILTER (WHERE CAST({s} AS VARCHAR) = ?) AS "{_status_column(code)}"'
                for code in statuses
            )
            sql = (
                f'SELECT CAST({u} AS VARCHAR) AS "{columns.unit}", {m} AS "{columns.month}", '
                f"count(*) AS n_people, sum({o}) AS n_outcome"
                + (f", {per_status}" if per_status else "")
                + f" FROM panel GROUP BY {u}, {m}"
            )
            return con.execute(sql, [str(code) for code in statuses]).df()
        finally:
            con.close()


def _pandas_aggregate(source: Path, columns: PanelColumns) -> pd.DataFrame:
    """The same aggregate with pandas, for panels that fit in memory."""
    if source.suffix.lower() == ".parquet":
        panel = pd.read_parquet(source, columns=columns.all())
    else:
        panel = pd.read_csv(source, dtype={columns.unit: str, columns.status: str}, usecols=columns.all())
    keys = [panel[columns.unit].astype(str), panel[columns.month]]
    grouped = panel.groupby(keys, observed=True, sort=False)
    table = grouped.size().rename("n_people").to_frame()
    table["n_outcome"] = grouped[columns.outcome].sum()
    status = panel[columns.status].astype(str)
    counts = pd.crosstab([keys[0], keys[1]], status)
    counts.columns = [_status_column(code) for code in counts.columns]
    return table.join(counts).fillna(0).reset_index()


def _status_column(code: object) -> str:
    return f"n_status_{code}"


def _normalise(table: pd.DataFrame, columns: PanelColumns) -> pd.DataFrame:
    """One layout for both engines: month as ``YYYY-MM`` text, sorted rows and status columns, Int64
    counts."""
    month = table[columns.month]
    if not pd.api.types.is_string_dtype(month) or pd.api.types.is_object_dtype(month):
        try:
            month = pd.to_datetime(month).dt.strftime("%Y-%m")
        except (ValueError, TypeError):
            month = month.astype(str)
    out = pd.DataFrame({columns.unit: table[columns.unit].astype(str), columns.month: month.astype(str)})
    status_cols = sorted(c for c in table.columns if c.startswith("n_status_"))
    for col in ["n_people", "n_outcome", *status_cols]:
        out[col] = pd.to_numeric(table[col]).astype("Int64")
    out = out.sort_values([columns.unit, columns.month], kind="stable").reset_index(drop=True)
    return out


def _suppress(
    table: pd.DataFrame, policy: DisclosurePolicy, margin_cols: Sequence[str] | None
) -> pd.DataFrame:
    """Hide small cells: status counts as parts of n_people, then the outcome count and its share."""
    status_cols = [c for c in table.columns if c.startswith("n_status_")]
    table = table.assign(outcome_share=table["n_outcome"] / table["n_people"])
    groups = None if margin_cols is None else list(margin_cols)
    first = suppress_small_cells(
        table, policy, count_cols=status_cols, total_col="n_people", group_cols=groups
    )
    second = suppress_small_cells(
        first.drop(columns=SUPPRESSED_COLUMN),
        policy,
        count_cols=["n_outcome"],
        total_col="n_people",
        derived={"outcome_share": ["n_outcome", "n_people"]},
        group_cols=groups,
    )
    second[SUPPRESSED_COLUMN] = second[SUPPRESSED_COLUMN].to_numpy() | first[SUPPRESSED_COLUMN].to_numpy()
    return second


def aggregate_status_panel(
    source: str | Path,
    policy: DisclosurePolicy | int,
    *,
    out_path: str | Path | None = None,
    columns: PanelColumns | None = None,
    engine: str = "auto",
    memory_limit: str = "4GB",
    threads: int = 2,
    margin_cols: Sequence[str] | None = ("month",),
) -> pd.DataFrame | None:
    """Aggregate a person × month status panel (Parquet or CSV) to unit × month, small cells suppressed.

    Columns of the result: unit, month (``YYYY-MM``), ``n_people``, ``n_outcome``, one ``n_status_<code>``
    per status, ``outcome_share`` and ``suppressed``. ``policy`` is the study's disclosure policy (or its
    ``min_cell``); ``margin_cols`` are the columns whose rows add up to a published margin (by default the
    units of a month add up to the national month). ``engine`` is ``"duckdb"``, ``"pandas"`` or ``"auto"``
    (pandas up to :data:`PANDAS_MAX_ROWS` Parquet rows, DuckDB past it and for CSV of unknown size).

    Only the suppressed table is written to ``out_path`` (Parquet). The table is returned as a DataFrame when
    it has at most :data:`RETURN_MAX_ROWS` rows, else None (read the Parquet file in parts).
    """
    columns = columns or PanelColumns()
    path = Path(source)
    _check_source(path, columns)
    if engine == "auto":
        rows = _panel_rows(path)
        engine = "pandas" if rows is not None and rows <= PANDAS_MAX_ROWS else "duckdb"
    if engine == "duckdb":
        raw = _duckdb_aggregate(path, columns, memory_limit, threads)
    elif engine == "pandas":
        raw = _pandas_aggregate(path, columns)
    else:
        raise ValueError(f"engine must be 'auto', 'duckdb' or 'pandas', not '{engine}'")
    table = _suppress(_normalise(raw, columns), DisclosurePolicy.coerce(policy), margin_cols)
    if out_path is not None:
        atomic_write_bytes(out_path, parquet_bytes(table))
    return table if len(table) <= RETURN_MAX_ROWS else None
