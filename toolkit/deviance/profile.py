"""How positive deviants differ from comparable peers: standardised differences and a matched comparison.

Two views, because each answers a different question:

* **Descriptive profile**: deviants against *high-risk non-deviants* (same risk band, ordinary outcome) on
every
  observed variable, as standardised mean differences (SMD) with 95 % intervals. Categorical variables get one
  row per level (share of each group in that level).
* **Matched comparison**: within the high-risk group, each deviant is matched on the risk factors (propensity
  score, :func:`toolkit.deviance.propensity.match_att`) to similar non-deviants, so that the remaining
  differences
  in the *characterising* columns are not just differences in risk. The balance table shows the matching
  worked.

Neither view is causal: a characteristic of deviants may be a consequence of their success, or shared with an
unobserved cause. The report says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from toolkit.deviance.propensity import MatchResult, match_att
from toolkit.disclosure import DisclosurePolicy, suppress_small_cells

_MAX_LEVELS = 20


def smd_with_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Cohen's d (pooled SD) of ``a`` vs ``b`` with a 95 % interval from the Hedges–Olkin large-sample
    variance."""
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return np.nan, np.nan, np.nan
    pooled = np.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    if pooled == 0:
        return 0.0, 0.0, 0.0
    d = (a.mean() - b.mean()) / pooled
    se = np.sqrt((n1 + n2) / (n1 * n2) + d**2 / (2 * (n1 + n2)))
    return float(d), float(d - 1.959964 * se), float(d + 1.959964 * se)


def profile_columns(
    frame: pd.DataFrame, *, exclude: Sequence[str], characterise: Sequence[str] = ()
) -> list[str]:
    """Columns to profile: ``characterise`` if given, else every column not excluded (ids, outcome, units)."""
    if characterise:
        missing = [c for c in characterise if c not in frame.columns]
        if missing:
            from toolkit.errors import ProtocolError

            raise ProtocolError(
                f"key 'deviance.characterise' names '{missing[0]}', which is not a column of the register"
            )
        return list(characterise)
    excluded = set(exclude)
    return [c for c in frame.columns if c not in excluded]


def _only_zero_one(series: pd.Series) -> bool:
    """Whether a numeric column holds nothing but 0, 1 and missing values (a count in disguise)."""
    values = series.to_numpy(dtype=float, na_value=np.nan)
    return bool(np.all((values == 0) | (values == 1) | np.isnan(values)))


def _level_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's level as an integer code, and the levels as text in order of frequency (most common first).

    Missing values are the level ``(missing)``. Integer codes make the per-level indicators a comparison of
    integers instead of a million strings per level; the order is ``value_counts``' (ties: first seen).
    """
    # code the raw values, then turn only the distinct values into text (merging any that read the same)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    text = pd.Series(uniques, dtype=series.dtype).astype("string").fillna("(missing)")
    text_codes, text_uniques = pd.factorize(text)
    codes, uniques = text_codes[codes], text_uniques
    counts = np.bincount(codes, minlength=len(uniques))
    order = np.argsort(-counts, kind="stable")
    remap = np.empty(len(order), dtype=np.intp)
    remap[order] = np.arange(len(order))
    return remap[codes], [str(uniques[i]) for i in order]


def smd_profile(
    frame: pd.DataFrame,
    group: np.ndarray,
    comparison: np.ndarray,
    columns: Sequence[str],
    *,
    roles: dict[str, str] | None = None,
    disclosure: DisclosurePolicy = DisclosurePolicy(),
) -> pd.DataFrame:
    """SMD (with CI) of ``group`` vs ``comparison`` rows on each column; one row per level for categories.

    Category rows carry counts, which go through small-cell suppression (a hidden count hides its share and
    SMD too). Categorical columns with more than 20 levels are skipped (they are units or identifiers).
    """
    roles = roles or {}
    numeric_rows, category_rows = [], []
    # only rows of either group enter a comparison: take them once (a quarter of a register, not all of it)
    rows = np.flatnonzero(np.asarray(group, dtype=bool) | np.asarray(comparison, dtype=bool))
    group, comparison = np.asarray(group, dtype=bool)[rows], np.asarray(comparison, dtype=bool)[rows]
    for col in columns:
        series = frame[col]
        role = roles.get(col, "characterising")
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        # 0/1 columns are counts in disguise (a group mean times its size is a count), so they are treated as
        # categories and go through small-cell suppression.
        binary = numeric and _only_zero_one(series)
        if numeric and not binary:
            values = pd.to_numeric(series.iloc[rows], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            a, b = values[group], values[comparison]
            d, lo, hi = smd_with_ci(a, b)
            numeric_rows.append(
                {
                    "variable": col,
                    "level": "",
                    "role": role,
                    "mean_deviants": np.nanmean(a) if len(a) else np.nan,
                    "mean_comparison": np.nanmean(b) if len(b) else np.nan,
                    "smd": d,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
        else:
            codes, levels = _level_codes(series)
            if len(levels) > _MAX_LEVELS:
                continue
            codes = codes[rows]
            for code, level in enumerate(levels):
                indicator = (codes == code).astype(float)
                a, b = indicator[group], indicator[comparison]
                d, lo, hi = smd_with_ci(a, b)
                category_rows.append(
                    {
                        "variable": col,
                        "level": str(level),
                        "role": role,
                        "n_deviants": int(a.sum()),
                        "n_comparison": int(b.sum()),
                        "mean_deviants": a.mean() if len(a) else np.nan,
                        "mean_comparison": b.mean() if len(b) else np.nan,
                        "smd": d,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
    table = pd.DataFrame(numeric_rows)
    if category_rows:
        cats = pd.DataFrame(category_rows)
        derived_a = ["mean_deviants", "smd", "ci_low", "ci_high"]
        cats = suppress_small_cells(
            cats,
            disclosure,
            count_cols=["n_deviants", "n_comparison"],
            derived={
                **{c: ["n_deviants", "n_comparison"] for c in derived_a},
                "mean_comparison": ["n_comparison"],
            },
            group_cols=["variable"],
        ).drop(columns="suppressed")
        table = pd.concat([table, cats], ignore_index=True) if len(table) else cats
    if len(table):
        order = table["smd"].astype("Float64").abs().fillna(-1).to_numpy(dtype=float)
        table = table.iloc[np.argsort(-order, kind="stable")].reset_index(drop=True)
    return table


def matched_comparison(
    frame: pd.DataFrame,
    individuals: pd.DataFrame,
    *,
    risk_factors: Sequence[str],
    characterise: Sequence[str],
    exact: Sequence[str] = (),
    seed: int = 0,
    k: int = 3,
    disclosure: DisclosurePolicy = DisclosurePolicy(),
    max_controls: int = 50_000,
) -> tuple[MatchResult, pd.DataFrame] | None:
    """Match deviants to high-risk non-deviants on the risk factors; compare characterising columns after
    matching.

    Returns the :class:`MatchResult` (its balance table covers the risk factors) and a table of weighted SMDs
    on the characterising numeric/binary columns, or None when there are too few deviants (< ``min_cell``).
    On very large registers the control pool is a seeded random sample of ``max_controls`` to keep matching
    fast.
    """
    min_cell = disclosure.min_cell
    needed = [*risk_factors, *characterise, *exact]
    sub = matching_rows(
        frame, individuals, seed=seed, min_cell=min_cell, max_controls=max_controls, columns=needed
    )
    if sub is None:
        return None
    return compare_matched(
        sub,
        risk_factors=risk_factors,
        characterise=characterise,
        exact=exact,
        seed=seed,
        k=k,
        min_cell=min_cell,
    )


def matching_rows(
    frame: pd.DataFrame,
    individuals: pd.DataFrame,
    *,
    seed: int,
    min_cell: int,
    max_controls: int = 50_000,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame | None:
    """The rows :func:`matched_comparison` matches: every deviant and the high-risk non-deviants (a seeded
    sample of ``max_controls`` of them on a large register), with ``_deviant`` and ``_outcome`` (pd_score)
    columns; ``None`` when either group is below ``min_cell``. ``columns`` keeps only what the comparison
    reads. A few megabytes, so phase 2 can hand them to its helper process (:func:`compare_matched`
    there)."""
    high = individuals["high_risk"].to_numpy()
    deviant = individuals["is_deviant"].to_numpy()
    if deviant.sum() < max(min_cell, 2) or (high & ~deviant).sum() < max(min_cell, 2):
        return None
    pool = np.flatnonzero(high & ~deviant)
    if len(pool) > max_controls:
        pool = np.sort(np.random.default_rng(seed).choice(pool, size=max_controls, replace=False))
    rows = np.sort(np.r_[np.flatnonzero(deviant), pool])
    kept = frame if columns is None else frame[list(dict.fromkeys(c for c in columns if c in frame.columns))]
    sub = kept.iloc[rows].reset_index(drop=True)
    return sub.assign(_deviant=deviant[rows].astype(int), _outcome=individuals["pd_score"].to_numpy()[rows])


def compare_matched(
    sub: pd.DataFrame,
    *,
    risk_factors: Sequence[str],
    characterise: Sequence[str],
    exact: Sequence[str] = (),
    seed: int = 0,
    k: int = 3,
    min_cell: int = 5,
    blas_threads: int | None = None,
) -> tuple[MatchResult, pd.DataFrame]:
    """Match on :func:`matching_rows`' rows and compare the characterising columns after matching (see
    :func:`matched_comparison`). ``blas_threads`` caps BLAS/OpenMP threads for the call (the helper process
    passes phase 2's cap, so that its fits give the same bits as this process's)."""
    capped = threadpool_limits(limits=blas_threads) if blas_threads is not None else contextlib.nullcontext()
    with capped:
        result = match_att(
            sub,
            "_deviant",
            "_outcome",
            list(risk_factors),
            k=k,
            replace=True,
            exact=list(exact),
            seed=seed,
            refine=True,
            max_steps=3,
            max_candidates=6,
            bias_correction=False,
            n_boot=0,  # the profile describes differences; it reports no interval for the matched outcome
        )
    weights = result.control_weights()
    matched_t = np.zeros(len(sub), dtype=bool)
    matched_t[result.matches["treated"].unique()] = True
    out = [
        row
        for col in characterise
        if col in sub.columns
        and (row := _weighted_smd_row(sub[col], col, matched_t, weights, min_cell)) is not None
    ]
    table = pd.DataFrame(out)
    if len(table):
        table = table.iloc[np.argsort(-table["smd"].abs().to_numpy(), kind="stable")].reset_index(drop=True)
    return result, table


def _weighted_smd_row(
    series: pd.Series, col: str, matched_t: np.ndarray, weights: np.ndarray, min_cell: int
) -> dict[str, object] | None:
    """Matched deviants against their weighted matched peers on one column: means, SMD and its interval.

    A binary column whose count (or complement) among matched deviants is small is listed with blanks; a
    column with fewer than two usable values on either side, or a text column that is not binary, gives none.
    """
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        if series.astype("string").nunique() != 2:
            return None
        top = series.astype("string").value_counts().index[0]
        values = (series.astype("string") == top).to_numpy(dtype=float)
        name = f"{col}={top}"
    else:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        name = col
    ok = np.isfinite(values)
    a = values[matched_t & ok]
    used = (weights > 0) & ok
    if len(a) < 2 or used.sum() < 2:
        return None
    b, w = values[used], weights[used]
    mean_b = np.average(b, weights=w)
    var_b = np.average((b - mean_b) ** 2, weights=w)
    pooled = np.sqrt((a.var(ddof=1) + var_b) / 2)
    d = (a.mean() - mean_b) / pooled if pooled > 0 else 0.0
    n_eff = w.sum() ** 2 / np.sum(w**2)
    se = np.sqrt(1 / len(a) + 1 / n_eff + d**2 / (2 * (len(a) + n_eff)))
    if np.isin(values[ok], (0.0, 1.0)).all():
        count = a.sum()
        if 0 < count < min_cell or 0 < len(a) - count < min_cell:
            return {
                "variable": name,
                "mean_deviants": np.nan,
                "mean_matched_peers": np.nan,
                "smd": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
            }
    return {
        "variable": name,
        "mean_deviants": a.mean(),
        "mean_matched_peers": mean_b,
        "smd": d,
        "ci_low": d - 1.959964 * se,
        "ci_high": d + 1.959964 * se,
    }
