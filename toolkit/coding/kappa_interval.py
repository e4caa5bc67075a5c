"""How sure an agreement figure is: Cohen's kappa with a bootstrap interval over interviews.

A coding study has a dozen interviews, not hundreds of independent turns: the turns of one interview share a
speaker, a topic and a coder's reading of that person, so the interval resamples whole interviews with
replacement (a cluster bootstrap) and takes the percentiles of the statistic over the resamples — per code,
and for the mean over codes that the evaluation and the reliability table report. It answers the reviewer's
question "would another dozen interviews from the same study give the same figure?": on the blind tuning
sets, within about ±0.06 for the mean over codes and ±0.2 for one code. (Resampling single turns instead
gave somewhat wider intervals there, 0.13–0.16 against 0.08–0.13 for the mean: those sets' interviews do not
bunch disagreement much; where they do, only the interview-level interval stays honest.)

Why by hand: scikit-learn's ``cohen_kappa_score`` takes one pair of label vectors per call, and
``scipy.stats.bootstrap`` resamples observations, not clusters; computing kappa from per-interview confusion
tables lets one matrix product score a thousand resamples of every code at once. The kappa itself is checked
against scikit-learn, and the interval's width against statsmodels' asymptotic one where every unit is its
own interview (``tests/test_coding_kappa_interval.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

RESAMPLES = 2000
"""Bootstrap resamples: enough for stable 2.5 and 97.5 percentiles (Efron and Tibshirani suggest ≥ 1,000)."""
LEVEL = 0.95


def kappa_from_tables(tables: np.ndarray) -> np.ndarray:
    """Cohen's kappa of confusion tables ``(..., k, k)`` (rows one coder, columns the other).

    NaN where the chance agreement is 1 (both coders gave one and the same label everywhere: agreement is
    not measurable), as :func:`toolkit.coding.evaluate.mean_kappa` counts it.
    """
    tables = np.asarray(tables, dtype=float)
    total = tables.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.trace(tables, axis1=-2, axis2=-1) / total
        expected = (tables.sum(axis=-1) * tables.sum(axis=-2)).sum(axis=-1) / total**2
        kappa = (observed - expected) / (1 - expected)
    return np.where(np.isclose(expected, 1.0) | (total == 0), np.nan, kappa)


def cluster_tables(
    first: np.ndarray, second: np.ndarray, clusters: Sequence[object], labels: Sequence[object] | None = None
) -> tuple[np.ndarray, list[object]]:
    """Per-cluster confusion tables of two coders: ``(clusters, codes, k, k)`` and the cluster names.

    ``first`` and ``second`` are units × codes label matrices (a 1-d array is one code); ``labels`` the
    label values in table order (default the sorted values seen, e.g. 0/1 or the four tones).
    """
    first, second = _as_matrix(first), _as_matrix(second)
    if first.shape != second.shape:
        raise ValueError("the two codings must have the same units and codes")
    if len(clusters) != first.shape[0]:
        raise ValueError("one cluster (interview) per unit is needed")
    values = list(labels) if labels is not None else sorted(set(first.ravel()) | set(second.ravel()))
    index = {value: i for i, value in enumerate(values)}
    unknown = (set(first.ravel()) | set(second.ravel())) - set(index)
    if unknown:
        raise ValueError(f"label {sorted(map(str, unknown))[0]!r} is not among the labels {values}")
    names, member = np.unique(np.asarray(clusters, dtype=object).astype(str), return_inverse=True)
    tables = np.zeros((len(names), first.shape[1], len(values), len(values)))
    rows = np.vectorize(index.__getitem__, otypes=[int])(first)
    columns = np.vectorize(index.__getitem__, otypes=[int])(second)
    codes = np.broadcast_to(np.arange(first.shape[1]), first.shape)
    np.add.at(tables, (member[:, None], codes, rows, columns), 1)
    return tables, list(names)


def _as_matrix(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=object)
    return values[:, None] if values.ndim == 1 else values


def resampled_kappas(tables: np.ndarray, *, resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """Kappa per code in each bootstrap resample of the clusters: ``(resamples, codes)``.

    A resample draws as many clusters as there are, with replacement; its table is the sum of theirs.
    """
    n_clusters = tables.shape[0]
    draws = np.random.default_rng(seed).integers(0, n_clusters, size=(resamples, n_clusters))
    weights = np.zeros((resamples, n_clusters))
    np.add.at(weights, (np.arange(resamples)[:, None], draws), 1)
    summed = np.tensordot(weights, tables, axes=(1, 0))
    return kappa_from_tables(summed)


def percentile_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """The central ``level`` percentile interval of a statistic's resampled values (NaN values left out)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[~np.isnan(finite)]
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def kappa_intervals(
    codings: Sequence[np.ndarray],
    clusters: Sequence[object],
    *,
    labels: Sequence[object] | None = None,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = 0,
) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """Intervals of each code's kappa and of the mean over codes, resampling interviews.

    With more than two codings the statistic is, per code, the mean of the pairwise kappas (Light's kappa,
    as :func:`toolkit.coding.reliability.compare_coders` reports); the mean over codes skips codes whose
    kappa is not measurable in a resample. Fewer than two clusters give NaN intervals: one interview says
    nothing about another.
    """
    if len(codings) < 2:
        raise ValueError("kappa_intervals needs at least two codings")
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1, e.g. 0.95")
    per_pair = []
    for i in range(len(codings)):
        for j in range(i + 1, len(codings)):
            tables, names = cluster_tables(codings[i], codings[j], clusters, labels)
            if len(names) < 2:
                n_codes = tables.shape[1]
                return [(float("nan"), float("nan"))] * n_codes, (float("nan"), float("nan"))
            per_pair.append(resampled_kappas(tables, resamples=resamples, seed=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN resample is left out, not an error
        per_code = np.nanmean(np.stack(per_pair), axis=0)
        means = np.nanmean(per_code, axis=1)
    codes = [percentile_interval(per_code[:, code], level) for code in range(per_code.shape[1])]
    return codes, percentile_interval(means, level)


def with_interval_columns(table: pd.DataFrame, intervals: Sequence[tuple[float, float]]) -> pd.DataFrame:
    """``table`` (one row per code, a ``kappa`` column) with ``kappa_low`` and ``kappa_high`` right after
    ``kappa``: the layout of ``reliability.csv`` and ``learned_cv.csv``."""
    at = table.columns.get_loc("kappa") + 1
    table.insert(at, "kappa_low", [low for low, _ in intervals])
    table.insert(at + 1, "kappa_high", [high for _, high in intervals])
    return table
