"""How good a model's probabilities are: AUC and Brier score, as scikit-learn defines them, in NumPy.

Why not ``sklearn.metrics``: phase 2 scores every candidate model and the chosen model's main run, and
importing ``sklearn.metrics`` (scikit-learn, which imports SciPy's statistics) costs about 0.6 s — a tenth of
``pdtk phase2`` on a million rows — for two formulas of one line each. ``tests/test_deviance_metrics.py``
checks both against ``roc_auc_score`` and ``brier_score_loss`` on random data with and without ties.
"""

from __future__ import annotations

import numpy as np


def average_ranks(values: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """1-based ranks of ``values``, ties sharing the mean of their ranks (``scipy.stats.rankdata``'s
    ``average``). ``order`` is ``np.argsort(values, kind="stable")`` when the caller has it already."""
    values = np.asarray(values)
    order = np.argsort(values, kind="stable") if order is None else order
    in_order = values[order]
    starts = np.flatnonzero(np.r_[True, in_order[1:] != in_order[:-1]])
    ends = np.r_[starts[1:], len(values)]
    shared = (starts + 1 + ends) / 2.0  # mean of the ranks start+1 .. end: exact in float64
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(shared, ends - starts)
    return ranks


def roc_auc(y: np.ndarray, p: np.ndarray, order: np.ndarray | None = None) -> float:
    """Area under the ROC curve: the chance that a random success gets a higher ``p`` than a random failure,
    ties counting one half (the Mann–Whitney statistic over ``n1 * n0``), as ``roc_auc_score(y, p)``.
    ``order``: as for :func:`average_ranks`."""
    success = np.asarray(y) == 1
    n1 = int(success.sum())
    n0 = len(success) - n1
    if n1 == 0 or n0 == 0:
        raise ValueError("Only one class present in y_true. ROC AUC score is not defined in that case.")
    rank_sum = float(average_ranks(p, order)[success].sum())
    return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def brier_score(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between the 0/1 outcome and its probability, as ``brier_score_loss(y, p)``."""
    return float(np.mean((np.asarray(y, dtype=np.float64) - np.asarray(p, dtype=np.float64)) ** 2))


__all__ = ["average_ranks", "brier_score", "roc_auc"]
