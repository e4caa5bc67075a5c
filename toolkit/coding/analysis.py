"""Tables of coded themes: frequencies, co-occurrence, and themes by group with exact tests.

Every count below ``min_cell`` (and above 0) is suppressed in published tables — shown as missing with a
``suppressed`` flag — and so is its complement within the group, which would give it away by subtraction.
Everything computed from a hidden count is hidden with it: the shares, the number of interviews, and in
themes by
group the odds ratio, p- and q-value and the other groups' share (each of them, with the published margins,
solves
back to the hidden count). Within a code the groups partition the turns and add up to the code's published
frequency, so one hidden group gets a second one hidden (secondary suppression).

Themes by group compare each group (positive deviants, comparison youths, advisers) with all other groups
with Fisher's exact test on the 2×2 table *turns coded with the theme / other turns*, and Benjamini–Hochberg
q-values across the tests. Turns of one interview are not independent, so the p-values are descriptive
(they say where to look, not what is proven); ``n_sources`` says how many interviews carry each count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.coding.autocode import to_indicator_matrix
from toolkit.coding.codebook import Codebook
from toolkit.disclosure import suppress_small_cells


def suppress(
    frame: pd.DataFrame, count_columns: list[str], min_cell: int, *, totals: str | None = None
) -> pd.DataFrame:
    """Small-cell suppression of a coding table through the toolkit's one suppression rule.

    Counts in ``1..min_cell-1`` (and counts whose complement to ``totals`` is that small) are blanked, and so
    are
    the ``share*`` columns computed from them; adds the boolean ``suppressed`` column. No secondary
    suppression:
    a code's rows do not add up to a published margin (one turn may carry several codes).
    """
    shares = [c for c in frame.columns if c.startswith("share")]
    return suppress_small_cells(
        frame,
        min_cell=min_cell,
        count_cols=count_columns,
        total_col=totals,
        derived={column: list(count_columns) for column in shares},
        group_cols=None,
    )


def code_frequencies(
    coded: pd.DataFrame, units: pd.DataFrame, codebook: Codebook, *, min_cell: int = 5
) -> pd.DataFrame:
    """Per code: segments coded, share of all codable units, number of transcripts (small counts
    suppressed)."""
    matrix = to_indicator_matrix(units, coded, codebook.ids)
    sources = matrix.index.get_level_values(0)
    rows = []
    for code in codebook:
        column = matrix[code.id]
        rows.append(
            {
                "code_id": code.id,
                "name": code.name,
                "n_segments": int(column.sum()),
                "share_of_units": float(column.mean()) if len(column) else float("nan"),
                "n_sources": int(pd.Series(sources[column.to_numpy() == 1]).nunique()),
                "n_units": len(column),
            }
        )
    table = pd.DataFrame(rows)
    out = suppress(table, ["n_segments"], min_cell)
    out["n_sources"] = out["n_sources"].astype("Int64").mask(out["suppressed"])
    return out


def cooccurrence(
    coded: pd.DataFrame, units: pd.DataFrame, code_ids: list[str], *, min_cell: int = 5
) -> pd.DataFrame:
    """Pairs of codes on the same unit: ``code_a, code_b, n_both, jaccard`` (small counts suppressed)."""
    matrix = to_indicator_matrix(units, coded, code_ids).to_numpy()
    both = matrix.T @ matrix
    rows = []
    for i, a in enumerate(code_ids):
        for j in range(i + 1, len(code_ids)):
            union = both[i, i] + both[j, j] - both[i, j]
            rows.append(
                {
                    "code_a": a,
                    "code_b": code_ids[j],
                    "n_both": int(both[i, j]),
                    "jaccard": float(both[i, j] / union) if union else 0.0,
                }
            )
    table = pd.DataFrame(rows, columns=["code_a", "code_b", "n_both", "jaccard"])
    table = table.sort_values(["n_both", "jaccard"], ascending=False, kind="stable").reset_index(drop=True)
    out = suppress(table, ["n_both"], min_cell)
    out["jaccard"] = out["jaccard"].astype("Float64").mask(out["suppressed"])
    return out


def cooccurrence_matrix(coded: pd.DataFrame, units: pd.DataFrame, code_ids: list[str]) -> pd.DataFrame:
    """Square code × code matrix of co-coded units (unsuppressed; for plots kept inside the study)."""
    matrix = to_indicator_matrix(units, coded, code_ids)
    return pd.DataFrame(matrix.to_numpy().T @ matrix.to_numpy(), index=code_ids, columns=code_ids)


def themes_by_group(
    coded: pd.DataFrame,
    units: pd.DataFrame,
    groups: pd.DataFrame,
    code_ids: list[str],
    *,
    min_cell: int = 5,
) -> pd.DataFrame:
    """Each code × group: units coded, share, odds ratio vs the other groups, Fisher exact p and BH q.

    ``groups`` maps ``source`` → ``group``; units of transcripts without a group are left out.
    """
    # imported here: scipy.stats and statsmodels take ~0.6 s to import; only a study with groups needs them
    from scipy.stats import fisher_exact
    from statsmodels.stats.multitest import multipletests

    mapping = dict(zip(groups["source"].astype(str), groups["group"].astype(str), strict=False))
    matrix = to_indicator_matrix(units, coded, code_ids)
    unit_groups = pd.Series([mapping.get(s) for s in matrix.index.get_level_values(0)], index=matrix.index)
    keep = unit_groups.notna().to_numpy()
    matrix, unit_groups = matrix[keep], unit_groups[keep]
    sources = pd.Series(matrix.index.get_level_values(0), index=matrix.index)
    rows = []
    for code_id in code_ids:
        column = matrix[code_id]
        for group in sorted(unit_groups.unique()):
            inside = (unit_groups == group).to_numpy()
            a = int(column[inside].sum())
            b = int(inside.sum() - a)
            c = int(column[~inside].sum())
            d = int((~inside).sum() - c)
            if (~inside).sum() and inside.sum():
                odds, p_value = fisher_exact([[a, b], [c, d]])
            else:
                odds, p_value = float("nan"), float("nan")
            rows.append(
                {
                    "code_id": code_id,
                    "group": group,
                    "n_units": int(inside.sum()),
                    "n_coded": a,
                    "share": a / inside.sum() if inside.sum() else float("nan"),
                    "share_other_groups": c / (~inside).sum() if (~inside).sum() else float("nan"),
                    "n_sources": int(sources[inside & (column.to_numpy() == 1)].nunique()),
                    "odds_ratio": float(odds),
                    "p_value": float(p_value),
                }
            )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    valid = table["p_value"].notna()
    table["q_value"] = np.nan
    if valid.any():
        table.loc[valid, "q_value"] = multipletests(table.loc[valid, "p_value"], method="fdr_bh")[1]
    derived = ["share", "share_other_groups", "n_sources", "odds_ratio", "p_value", "q_value"]
    out = suppress_small_cells(
        table,
        min_cell=min_cell,
        count_cols=["n_coded"],
        total_col="n_units",
        derived={column: ["n_coded"] for column in derived},
        group_cols=["code_id"],
    )
    out["n_sources"] = out["n_sources"].astype("Int64")
    return out
