"""Individual positive deviants: high-risk young people whose success was surprising given their risk factors.

The score is the standardised (Pearson) residual ``(y - p) / sqrt(p (1 - p))`` of the cross-fitted expectation
``p``. For a success it equals ``sqrt((1 - p) / p)``: it grows as the expected chance of success falls, and a
success at ``p = 0.2`` scores 2. Failures get negative scores, which is what negative deviants (low risk, bad
outcome) are found with. Being a standard residual, its meaning does not depend on the model family.

A deviant must be (1) a success, (2) in the top ``1 - high_risk_quantile`` of predicted risk of the *bad*
outcome, and (3) pass the chosen rule:

* ``score``: ``pd_score >= score_threshold`` (default 2);
* ``top_share``: the highest-scoring ``top_share`` of the high-risk successes;
* ``two_sd``: score at least two standard deviations above the mean score of the high-risk group.

Because every flag rests on one random fold split, the cross-fitting is repeated over several seeds and each
person's share of runs in which they were flagged is reported (``flagged_share``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from toolkit.deviance.logit import row_patterns

Rule = Literal["score", "top_share", "two_sd"]
CONTRACT_COLUMNS = ["pid", "p_expected", "outcome", "pd_score", "is_deviant"]


def pd_score(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Standardised residual ``(y - p) / sqrt(p (1 - p))``: larger for a more surprising success."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return (np.asarray(y, dtype=np.float64) - p) / np.sqrt(p * (1 - p))


def high_risk_mask(p: np.ndarray, quantile: float) -> np.ndarray:
    """True for the people whose predicted risk of the bad outcome (1 - p) is at or above its ``quantile``."""
    risk = 1 - np.asarray(p)
    return risk >= np.quantile(risk, quantile)


def flag_deviants(
    y: np.ndarray,
    p: np.ndarray,
    *,
    high_risk_quantile: float = 0.75,
    rule: Rule = "score",
    score_threshold: float = 2.0,
    top_share: float = 0.1,
) -> np.ndarray:
    """Boolean mask of positive deviants under ``rule`` (see the module docstring)."""
    y = np.asarray(y)
    score = pd_score(y, p)
    high = high_risk_mask(p, high_risk_quantile)
    candidates = high & (y == 1)
    if rule == "score":
        passes = score >= score_threshold
    elif rule == "top_share":
        if not candidates.any():
            return candidates
        cut = np.quantile(score[candidates], 1 - top_share)
        passes = score >= cut
    elif rule == "two_sd":
        group = score[high]
        passes = score >= group.mean() + 2 * group.std(ddof=1)
    else:
        raise ValueError(f"rule must be score, top_share or two_sd, got {rule!r}")
    return candidates & passes


def negative_deviant_mask(
    y: np.ndarray, p: np.ndarray, *, high_risk_quantile: float, score_threshold: float
) -> np.ndarray:
    """Low-risk people (bottom ``1 - high_risk_quantile`` of risk) whose failure was surprising (score <=
    -threshold).

    The mirror image of a positive deviant: they had every advantage the model knows of and still did badly.
    Interviews need them as a comparison, because what protected the deviants may be missing here.
    """
    risk = 1 - np.asarray(p)
    low = risk <= np.quantile(risk, 1 - high_risk_quantile)
    return low & (np.asarray(y) == 0) & (pd_score(y, p) <= -score_threshold)


def expected_by_chance(p: np.ndarray, high: np.ndarray, *, score_threshold: float) -> float:
    """Expected number of high-risk people who would pass ``pd_score >= threshold`` if outcomes were pure
    chance.

    Under the model, a high-risk person succeeds with probability ``p`` and, if they do, scores
    ``sqrt((1 - p) / p)``; so the count expected from luck alone is the sum of ``p`` over high-risk people
    whose
    success would score at or above the threshold. The base-rate check compares the observed count with it.
    """
    p = np.asarray(p)
    would_pass = np.sqrt((1 - p) / p) >= score_threshold
    return float(p[high & would_pass].sum())


def individual_table(
    pid: Sequence,
    y: np.ndarray,
    p_runs: np.ndarray,
    *,
    high_risk_quantile: float = 0.75,
    rule: Rule = "score",
    score_threshold: float = 2.0,
    top_share: float = 0.1,
) -> pd.DataFrame:
    """The per-person table: contract columns first, then risk, stability and comparison-group flags.

    ``p_runs`` holds one column of cross-fitted probabilities per stability seed; column 0 is the main run.
    """
    p_runs = np.asarray(p_runs, dtype=np.float64)
    if p_runs.ndim == 1:
        p_runs = p_runs[:, None]
    y = np.asarray(y)
    p = p_runs[:, 0]
    kwargs = dict(
        high_risk_quantile=high_risk_quantile, rule=rule, score_threshold=score_threshold, top_share=top_share
    )
    flagged = np.column_stack([flag_deviants(y, p_runs[:, i], **kwargs) for i in range(p_runs.shape[1])])
    high = high_risk_mask(p, high_risk_quantile)
    negative = negative_deviant_mask(
        y, p, high_risk_quantile=high_risk_quantile, score_threshold=score_threshold
    )
    score = pd_score(y, p)
    risk = 1 - p
    table = pd.DataFrame(
        {
            "pid": np.asarray(pid),
            "p_expected": p,
            "outcome": y.astype(np.int8),
            "pd_score": score,
            "is_deviant": flagged[:, 0],
            "risk": risk,
            "risk_percentile": pd.Series(risk).rank(pct=True).to_numpy(),
            "high_risk": high,
            "flagged_share": flagged.mean(axis=1),
            "p_expected_sd": row_sd(p_runs),
            "is_negative_deviant": negative,
            "is_typical": high & (y == 0),
        }
    )
    return table


def row_sd(runs: np.ndarray) -> np.ndarray:
    """``runs.std(axis=1)`` (population SD across each row's few runs), the same bits in half the time.

    NumPy reduces a million short rows one row at a time; here whole columns are added in the same order (a
    row's values left to right, as NumPy sums fewer than eight values), so every row's mean, squared
    deviations and sum are the same floating-point operations (``tests/test_deviance_folds_metrics.py``
    compares them bit for bit). From eight runs on NumPy sums pairwise, and is asked.
    """
    if runs.shape[1] >= 8:
        return runs.std(axis=1, ddof=0)
    columns = [runs[:, i] for i in range(runs.shape[1])]
    total = columns[0]
    for column in columns[1:]:
        total = total + column
    mean = total / len(columns)
    squares = (columns[0] - mean) ** 2
    for column in columns[1:]:
        squares = squares + (column - mean) ** 2
    return np.sqrt(squares / len(columns))


def base_rate_table(individuals: pd.DataFrame, *, score_threshold: float, rule: str) -> pd.DataFrame:
    """How common "succeeded despite risk" is: counts at each step, and the count expected from luck alone."""
    high = individuals["high_risk"].to_numpy()
    p = individuals["p_expected"].to_numpy()
    success = individuals["outcome"].to_numpy() == 1
    n_flagged = int(individuals["is_deviant"].sum())
    rows = [
        {"step": "everyone", "n": len(individuals), "share_of_high_risk": np.nan},
        {"step": "high risk", "n": int(high.sum()), "share_of_high_risk": 1.0},
        {
            "step": "high risk and succeeded",
            "n": int((high & success).sum()),
            "share_of_high_risk": (high & success).sum() / max(high.sum(), 1),
        },
        {
            "step": f"flagged as positive deviant (rule: {rule})",
            "n": n_flagged,
            "share_of_high_risk": n_flagged / max(high.sum(), 1),
        },
        {
            "step": "stable: flagged in every run",
            "n": int((individuals["flagged_share"] == 1).sum()),
            "share_of_high_risk": (individuals["flagged_share"] == 1).sum() / max(high.sum(), 1),
        },
    ]
    table = pd.DataFrame(rows)
    table["expected_by_chance"] = np.nan
    if rule == "score":
        table.loc[3, "expected_by_chance"] = expected_by_chance(p, high, score_threshold=score_threshold)
    table.loc[2, "expected_by_chance"] = float(p[high].sum())
    return table


def isolation_view(
    features: np.ndarray,
    individuals: pd.DataFrame,
    *,
    seed: int = 0,
    max_rows: int = 200_000,
) -> pd.DataFrame:
    """A second lens: how unusual each high-risk success is among successes (isolation forest), beside its
    pd_score.

    The pd_score asks "was this success unlikely?"; the isolation forest asks "is this success's combination
    of risk factors rare among successes?". The two agree on the clearest cases and disagree usefully
    elsewhere. The forest is fitted on the successes (a seeded sample of at most ``max_rows``; each tree only
    looks at 256 rows anyway) and scores the high-risk successes, the people the comparison is about.
    Returns ``pid`` and ``isolation_score`` (higher = more unusual). The same in three steps, so that the
    forest can be grown in another process on small inputs: :func:`isolation_inputs` (here),
    :func:`isolation_scores` (anywhere), :func:`isolation_table` (here).
    """
    inputs = isolation_inputs(features, individuals, seed=seed, max_rows=max_rows)
    return isolation_table(inputs, isolation_scores(inputs.fit_rows, inputs.rows, seed))


@dataclass
class IsolationInputs:
    """What the isolation forest is fitted on and what it scores, chosen where the data are."""

    fit_rows: np.ndarray
    """The successes' risk factors, a seeded sample of at most ``max_rows``."""
    rows: np.ndarray
    """The scored people's risk factors (high-risk successes)."""
    pid: np.ndarray
    """The scored people."""


def isolation_inputs(
    features: np.ndarray, individuals: pd.DataFrame, *, seed: int = 0, max_rows: int = 200_000
) -> IsolationInputs:
    """The rows :func:`isolation_view` fits its forest on and the rows it scores (see there)."""
    success = individuals["outcome"].to_numpy() == 1
    rng = np.random.default_rng(seed)
    n_success = int(success.sum())
    if n_success <= max_rows:
        fit_rows = features[success]
    else:  # the sampled successes' rows only, not a copy of every success's first
        fit_rows = features[np.flatnonzero(success)[rng.choice(n_success, size=max_rows, replace=False)]]
    scored = isolation_scored(individuals)
    # the scored few, not a million pids, become objects
    return IsolationInputs(fit_rows, features[scored], individuals["pid"].array[scored])


def isolation_scored(individuals: pd.DataFrame) -> np.ndarray:
    """Whom the isolation forest scores: the high-risk successes, as a mask in ``individuals``' order."""
    return (individuals["outcome"].to_numpy() == 1) & individuals["high_risk"].to_numpy()


def with_isolation_scores(individuals: pd.DataFrame, view: pd.DataFrame) -> pd.DataFrame:
    """``individuals`` with the ``isolation_score`` of :func:`isolation_view` (missing for everyone it did not
    score): the same table as a left merge on ``pid``, put in place by position, since the view holds the
    scored people in ``individuals``' order (a merge on a million pseudonyms took a fifth of a second)."""
    score = np.full(len(individuals), np.nan)
    score[isolation_scored(individuals)] = view["isolation_score"].to_numpy()
    return individuals.assign(isolation_score=score)


def isolation_scores(fit_rows: np.ndarray, rows: np.ndarray, seed: int) -> np.ndarray:
    """Grow the isolation forest on ``fit_rows`` and score ``rows`` (higher = more unusual): a pure function
    of its inputs and ``seed``, so any process gives the same scores."""
    from sklearn.ensemble import IsolationForest

    forest = IsolationForest(n_estimators=100, random_state=seed).fit(fit_rows)
    # a score depends on the row's values only: score each distinct row once (a register of mostly categorical
    # risk factors repeats its rows), the same figures for a fraction of the tree walks
    pattern, first = row_patterns(rows)
    return -forest.score_samples(rows[first])[pattern]


def isolation_table(inputs: IsolationInputs, scores: np.ndarray) -> pd.DataFrame:
    """``pid`` and ``isolation_score`` of every scored person."""
    return pd.DataFrame({"pid": inputs.pid, "isolation_score": scores})
