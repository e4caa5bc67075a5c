"""Stratified, shuffled K-fold splits: scikit-learn's ``StratifiedKFold(shuffle=True)``, without importing it.

Why not the library: every cross-fit of phase 2 draws its folds here, and importing
``sklearn.model_selection`` (scikit-learn, which imports SciPy's statistics) costs about 0.6 s — a tenth of
``pdtk phase2`` on a million rows, whose scikit-learn work (the boosting comparison, the isolation forest)
otherwise runs in the helper process. The split is scikit-learn's own algorithm, step for step:
``tests/test_deviance_folds.py`` checks that the test sets are identical to ``StratifiedKFold``'s for
random outcomes, class balances, fold counts and seeds, so a protocol's folds (and so every expectation) are
the same as they were with the library.
"""

from __future__ import annotations

import warnings

import numpy as np


def stratified_test_folds(y: np.ndarray, n_splits: int, seed: int) -> list[np.ndarray]:
    """The row indices of each test fold, as ``[test for _, test in StratifiedKFold(n_splits,
    shuffle=True, random_state=seed).split(X, y)]``.

    Each class is dealt round-robin over the folds (sorted by class, so fold sizes differ by at most one per
    class) and the fold labels within a class are shuffled with ``numpy.random.RandomState(seed)``, one class
    at a time in order of first appearance — the order and the random stream scikit-learn uses.
    """
    y = np.asarray(y).ravel()
    if n_splits < 2:
        raise ValueError(f"n_splits must be at least 2, got {n_splits}")
    rng = np.random.RandomState(seed)
    _, first_seen, inverse = np.unique(y, return_index=True, return_inverse=True)
    _, class_order = np.unique(first_seen, return_inverse=True)
    encoded = class_order[inverse.ravel()]  # 0 = the class seen first, 1 = the next, ...
    n_classes = len(first_seen)
    counts = np.bincount(encoded, minlength=n_classes)
    if np.all(n_splits > counts):
        raise ValueError(f"n_splits={n_splits} cannot be greater than the number of members in each class.")
    if n_splits > counts.min():
        warnings.warn(
            f"The least populated class in y has only {counts.min()} members, which is less than "
            f"n_splits={n_splits}.",
            UserWarning,
            stacklevel=2,
        )
    in_order = np.sort(encoded)
    allocation = np.asarray(
        [np.bincount(in_order[i::n_splits], minlength=n_classes) for i in range(n_splits)]
    )
    test_folds = np.empty(len(y), dtype="i")
    for k in range(n_classes):
        labels = np.arange(n_splits).repeat(allocation[:, k])
        rng.shuffle(labels)
        test_folds[encoded == k] = labels
    return [np.flatnonzero(test_folds == i) for i in range(n_splits)]


__all__ = ["stratified_test_folds"]
