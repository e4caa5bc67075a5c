"""Small-cell suppression: the one function every published table of counts goes through.

A count that is positive but below ``min_cell`` is hidden (primary suppression); so is a count whose
complement within its row (``total - count``) is positive but below ``min_cell``, because "18 of 20 completed"
discloses the two who did not. Hidden cells are then protected against recovery from published margins
(secondary suppression, unless the policy turns it off), and rates computed from hidden counts are hidden too.

Zeros are shown. Statistics Norway (SSB) shows zero cells in its published tables, and hiding every zero
would make most tables of a small region unreadable. The cost is that a zero can disclose that *nobody* in a
group had an outcome; where that matters, aggregate the groups before publishing.

Written here rather than taken from ``sdcTable``/``tau-Argus`` because those are R/Java tools for large
hierarchical tables; the toolkit's tables are small (a few rows per municipality or school) and need the same
simple, explainable rule every time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.disclosure.policy import DisclosurePolicy

SUPPRESSED_COLUMN = "suppressed"


def _as_counts(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table.columns:
        raise KeyError(
            f"count column '{column}' is not in the table (columns: {', '.join(map(str, table.columns))})"
        )
    values = pd.to_numeric(table[column], errors="coerce")
    present = values.dropna()
    if ((present < 0) | (present != np.floor(present))).any():
        raise ValueError(f"column '{column}' must hold non-negative whole counts")
    return values.astype("Float64").round().astype("Int64")


def suppress_small_cells(
    table: pd.DataFrame,
    policy: DisclosurePolicy | int | None = None,
    *,
    count_cols: Sequence[str],
    total_col: str | None = None,
    derived: Mapping[str, Sequence[str]] | None = None,
    group_cols: Sequence[str] | None = (),
    min_cell: int | None = None,
) -> pd.DataFrame:
    """Hide counts that could identify a few people, and every cell that would let them be recovered.

    Parameters
    ----------
    table:
        One row per published cell group (e.g. one row per municipality). Not modified.
    policy:
        The study's :class:`DisclosurePolicy` (``min_cell``, whether secondary suppression runs). A bare int,
        or the keyword ``min_cell=``, is the older spelling and means ``DisclosurePolicy(min_cell=...)``.
    count_cols:
        Columns holding counts of people. A count ``c`` with ``0 < c < min_cell`` is suppressed. Zeros are
        shown (see the module docstring).
    total_col:
        The row's total count ``n``. It is checked like a count; when it is suppressed, every count of the row
        is suppressed too. For each count column the complement ``n - c`` is checked as well: a complement in
        ``(0, min_cell)`` suppresses ``c``. When the count columns add up to ``n`` in every row (e.g.
        ``n_success`` and ``n_fail``), they are parts of the row total, so a row with a single hidden part
        gets a
        second one hidden (row-wise secondary suppression).
    derived:
        ``{"rate": ["n_success", "n"]}``: a derived column is hidden in every row where any of its sources is.
    group_cols:
        Rows that share these columns add up to a published margin (e.g. the rows of one municipality add up
        to
        its total). Within each group and count column, a single hidden cell would be recoverable from the
        margin, so the smallest other positive cell is hidden too (secondary suppression), repeated until
        stable. The default ``()`` treats the whole table as one group, which is the safe assumption when a
        total row is published; pass ``None`` when the rows do not add up to anything published.

    Returns
    -------
    A copy with suppressed cells set to ``<NA>`` (count columns become ``Int64``, derived numeric columns
    ``Float64``) and a boolean column ``suppressed`` that is True for every row with at least one hidden cell.
    Counts that were already missing stay missing and count as hidden cells for the secondary rule.
    """
    if (policy is None) == (min_cell is None):
        raise ValueError("give either a DisclosurePolicy (or min_cell int) or min_cell=, exactly one")
    policy = DisclosurePolicy.coerce(policy if policy is not None else min_cell)  # type: ignore[arg-type]
    count_cols, derived, group_list = _check_arguments(table, count_cols, total_col, derived, group_cols)
    cells = [*count_cols, *([total_col] if total_col else [])]
    counts = {col: _as_counts(table, col) for col in cells}
    hidden = _primary(counts, count_cols, total_col, policy.min_cell)
    if policy.secondary:
        _secondary(table, hidden, counts, count_cols, total_col, group_list)
    elif total_col is not None:
        hidden.loc[hidden[total_col], count_cols] = True

    out = table.copy()
    for col in cells:
        out[col] = counts[col].mask(hidden[col].to_numpy())
    row_hidden = hidden.any(axis=1).to_numpy(dtype=bool, copy=True)
    for name, sources in derived.items():
        mask = np.zeros(len(out), dtype=bool)
        for source in sources:
            mask |= hidden[source].to_numpy()
        column = out[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            column = column.astype("Float64")
        else:
            column = column.astype("object")
        out[name] = column.mask(mask)
        row_hidden |= mask
    out[SUPPRESSED_COLUMN] = row_hidden
    return out


def _check_arguments(
    table: pd.DataFrame,
    count_cols: Sequence[str],
    total_col: str | None,
    derived: Mapping[str, Sequence[str]] | None,
    group_cols: Sequence[str] | None,
) -> tuple[list[str], dict[str, Sequence[str]], list[str] | None]:
    """Validate the column arguments; the count columns (without the total), derived map and group list."""
    count_cols = [c for c in count_cols if c != total_col]
    if not count_cols and total_col is None:
        raise ValueError("give at least one count column (count_cols) or a total column (total_col)")
    derived = dict(derived or {})
    group_list = None if group_cols is None else list(group_cols)
    sources = {s for cols in derived.values() for s in cols}
    for col in [*(group_list or []), *sorted(sources), *derived]:
        if col not in table.columns:
            raise KeyError(
                f"column '{col}' is not in the table (columns: {', '.join(map(str, table.columns))})"
            )
    unknown_sources = sources - set(count_cols) - {total_col}
    if unknown_sources:
        raise ValueError(
            f"derived columns must come from count_cols or total_col; '{sorted(unknown_sources)[0]}' is "
            f"neither"
        )
    return count_cols, derived, group_list


def _primary(
    counts: dict[str, pd.Series], count_cols: list[str], total_col: str | None, min_cell: int
) -> pd.DataFrame:
    """Cells hidden by the primary rule: small counts, small complements, small totals (and missing
    counts)."""

    def small(values: pd.Series) -> np.ndarray:
        return ((values > 0) & (values < min_cell)).fillna(False).to_numpy(dtype=bool)

    index = next(iter(counts.values())).index
    hidden = pd.DataFrame({col: counts[col].isna().to_numpy() for col in counts}, index=index)
    for col in count_cols:
        hidden[col] |= small(counts[col])
        if total_col is not None:
            hidden[col] |= small(counts[total_col] - counts[col])
    if total_col is not None:
        hidden[total_col] |= small(counts[total_col])
    return hidden


def _secondary(
    table: pd.DataFrame,
    hidden: pd.DataFrame,
    counts: dict[str, pd.Series],
    count_cols: list[str],
    total_col: str | None,
    group_list: list[str] | None,
) -> None:
    """Hide, until stable, every cell from which a hidden one could be recovered through a margin."""
    cells = list(counts)
    parts_of_total = False
    if total_col is not None and count_cols:
        summed = sum(counts[c].astype("Float64") for c in count_cols)
        parts_of_total = bool((summed == counts[total_col].astype("Float64")).fillna(False).all())
    values = pd.DataFrame(
        {col: counts[col].astype("Float64").fillna(np.inf).to_numpy() for col in cells}, index=table.index
    )
    groups = _margin_groups(table, group_list)
    for _ in range(len(table) * len(cells) + 1):  # each pass hides at least one more cell, so this terminates
        before = hidden.to_numpy().sum()
        if total_col is not None:
            hidden.loc[hidden[total_col], count_cols] = True
            if parts_of_total and len(count_cols) >= 2:
                _hide_second(hidden, values, count_cols, rows=None)
        for col in cells:
            for rows in groups:
                _hide_second_in_column(hidden, values, col, rows)
        if hidden.to_numpy().sum() == before:
            break


def _margin_groups(table: pd.DataFrame, group_list: list[str] | None) -> list[np.ndarray]:
    """Row positions of each group of rows that add up to a published margin (none when ``None``)."""
    if group_list is None:
        return []
    if not group_list:
        return [table.index.to_numpy()]
    keys = table[group_list].astype("string").fillna("<NA>").agg("\x1f".join, axis=1)
    return [idx.to_numpy() for idx in keys.groupby(keys, sort=False).groups.values()]


def _hide_second_in_column(hidden: pd.DataFrame, values: pd.DataFrame, col: str, rows: np.ndarray) -> None:
    """If exactly one cell of ``col`` among ``rows`` is hidden, hide the smallest other positive one."""
    if len(rows) < 2:
        return
    flags = hidden.loc[rows, col].to_numpy()
    if flags.sum() != 1:
        return
    candidates = values.loc[rows, col].to_numpy()
    order = _complement_order(candidates, flags)
    if order is not None:
        hidden.loc[rows[order], col] = True


def _hide_second(
    hidden: pd.DataFrame, values: pd.DataFrame, cols: list[str], rows: np.ndarray | None
) -> None:
    """Row-wise: where exactly one part of a row total is hidden, hide the smallest other positive part."""
    flags = hidden[cols].to_numpy()
    single = np.flatnonzero(flags.sum(axis=1) == 1)
    vals = values[cols].to_numpy()
    for i in single:
        j = _complement_order(vals[i], flags[i])
        if j is not None:
            hidden.iloc[i, hidden.columns.get_loc(cols[j])] = True


def _complement_order(candidates: np.ndarray, flags: np.ndarray) -> int | None:
    """Position of the complementary cell: smallest positive unhidden value, else smallest unhidden (a
    zero)."""
    positive = np.where(~flags & (candidates > 0), candidates, np.inf)
    if np.isfinite(positive).any():
        return int(np.argmin(positive))
    rest = np.where(~flags, candidates, np.inf)
    if np.isfinite(rest).any():
        return int(np.argmin(rest))
    return None


def table_note(policy: DisclosurePolicy | int, *, language: str = "en") -> str:
    """One sentence for a report's table caption that says how small cells were handled."""
    min_cell = DisclosurePolicy.coerce(policy).min_cell
    if language == "nb":
        return (
            f"Antall under {min_cell} er skjult (tomme celler), sammen med celler de kan regnes ut fra og "
            f"andeler "
            "beregnet fra skjulte antall; nuller vises."
        )
    return (
        f"Counts below {min_cell} are suppressed (blank), together with cells from which they could be "
        f"recovered "
        "and rates computed from suppressed counts; zeros are shown."
    )
