"""Kappa with an interval over interviews: the hand-written kappa against scikit-learn, the interval's width
against statsmodels' asymptotic standard error, and how the interval behaves with few and many interviews."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from toolkit.coding.kappa_interval import (
    cluster_tables,
    kappa_from_tables,
    kappa_intervals,
    resampled_kappas,
)
from toolkit.coding.reliability import compare_coders

TONES = ["positiv", "negativ", "blandet", "nøytral"]


def _noisy_copy(values: np.ndarray, agree: float, rng: np.random.Generator, labels: list) -> np.ndarray:
    """``values`` with a share ``1 - agree`` replaced by random labels (a second coder)."""
    other = rng.choice(np.asarray(labels, dtype=object), size=values.shape)
    return np.where(rng.random(values.shape) < agree, values, other)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(TONES), st.sampled_from(TONES)), min_size=2, max_size=60),
)
def test_kappa_from_tables_is_scikit_learns_kappa(pairs):
    first = np.array([a for a, _ in pairs], dtype=object)
    second = np.array([b for _, b in pairs], dtype=object)
    tables, _ = cluster_tables(first, second, ["one"] * len(pairs), TONES)
    mine = kappa_from_tables(tables.sum(axis=0))[0]
    if len(set(first) | set(second)) < 2:
        assert np.isnan(mine)  # one label everywhere: not measurable, as evaluate.mean_kappa skips it
    else:
        assert mine == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)


def test_binary_codes_match_scikit_learn_column_by_column():
    rng = np.random.default_rng(3)
    gold = rng.integers(0, 2, size=(150, 12))
    tool = _noisy_copy(gold, 0.8, rng, [0, 1]).astype(int)
    tables, names = cluster_tables(gold, tool, np.repeat(np.arange(10), 15), [0, 1])
    assert tables.shape == (10, 12, 2, 2) and len(names) == 10
    expected = [cohen_kappa_score(gold[:, code], tool[:, code]) for code in range(12)]
    np.testing.assert_allclose(kappa_from_tables(tables.sum(axis=0)), expected, atol=1e-12)


def test_bootstrap_spread_matches_statsmodels_when_every_unit_is_its_own_interview():
    rng = np.random.default_rng(11)
    gold = rng.integers(0, 2, size=600)
    tool = _noisy_copy(gold, 0.7, rng, [0, 1]).astype(int)
    tables, _ = cluster_tables(gold, tool, np.arange(600), [0, 1])
    spread = np.nanstd(resampled_kappas(tables, resamples=3000, seed=1)[:, 0])
    asymptotic = cohens_kappa(tables.sum(axis=0)[0], return_results=True)
    assert spread == pytest.approx(asymptotic.std_kappa, rel=0.15)


def test_interval_holds_the_estimate_and_narrows_with_more_interviews():
    rng = np.random.default_rng(5)

    def interval(n_interviews: int) -> tuple[float, float, float]:
        gold = rng.integers(0, 2, size=(n_interviews * 12, 6))
        tool = _noisy_copy(gold, 0.75, rng, [0, 1]).astype(int)
        clusters = np.repeat(np.arange(n_interviews), 12)
        _, (low, high) = kappa_intervals([gold, tool], clusters, labels=[0, 1])
        kappa = np.mean([cohen_kappa_score(gold[:, c], tool[:, c]) for c in range(6)])
        return low, kappa, high

    few, many = interval(6), interval(80)
    assert few[0] < few[1] < few[2] and many[0] < many[1] < many[2]
    assert (many[2] - many[0]) < 0.5 * (few[2] - few[0])


def test_interviews_that_disagree_together_widen_the_interval():
    """Resampling interviews, not turns, is the point: the same turns, disagreement bunched in a few
    interviews, must give a wider interval than the same disagreement spread over all of them."""
    gold = np.tile([0, 1], 120)
    tool = gold.copy()
    wrong = np.arange(0, 240, 5)  # 48 disagreements
    tool[wrong] = 1 - tool[wrong]
    spread_out = np.arange(240) % 12
    bunched = np.where(np.isin(np.arange(240), wrong), np.arange(240) % 2, 2 + np.arange(240) % 10)
    widths = []
    for clusters in (spread_out, bunched):
        _, (low, high) = kappa_intervals([gold, tool], clusters, labels=[0, 1])
        widths.append(high - low)
    assert widths[1] > 1.5 * widths[0]


def test_identical_coders_and_too_few_interviews():
    gold = np.array([[0, 1], [1, 1], [1, 0], [0, 0]])
    codes, mean = kappa_intervals([gold, gold, gold], ["a", "a", "b", "b"], labels=[0, 1])
    assert mean == (1.0, 1.0) and codes == [(1.0, 1.0), (1.0, 1.0)]
    codes, mean = kappa_intervals([gold, 1 - gold], ["a"] * 4, labels=[0, 1])
    assert np.isnan(mean[0]) and all(np.isnan(low) for low, _ in codes)


def test_bad_arguments_say_what_is_wrong():
    gold = np.zeros((4, 2), dtype=int)
    with pytest.raises(ValueError, match="same units and codes"):
        kappa_intervals([gold, gold[:3]], ["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="one cluster"):
        kappa_intervals([gold, gold], ["a", "b"])
    with pytest.raises(ValueError, match="level"):
        kappa_intervals([gold, gold], ["a", "a", "b", "b"], level=95)
    with pytest.raises(ValueError, match="at least two"):
        kappa_intervals([gold], ["a", "a", "b", "b"])
    with pytest.raises(ValueError, match="'2' is not among the labels"):
        kappa_intervals([gold, gold + 2], ["a", "a", "b", "b"], labels=[0, 1])


def test_compare_coders_reports_each_codes_interval_and_the_means():
    rng = np.random.default_rng(8)
    units = pd.DataFrame(
        {"source": np.repeat([f"i{n:02d}.txt" for n in range(12)], 10), "turn_index": np.tile(range(10), 12)}
    )
    codes = ["a", "b", "c"]
    gold = rng.random((120, 3)) < 0.3
    tool = np.where(rng.random((120, 3)) < 0.85, gold, ~gold)

    def coding(matrix: np.ndarray) -> pd.DataFrame:
        rows, columns = np.nonzero(matrix)
        return pd.DataFrame(
            {
                "source": units["source"].to_numpy()[rows],
                "turn_index": units["turn_index"].to_numpy()[rows],
                "code_id": [codes[c] for c in columns],
            }
        )

    result = compare_coders(units, {"kari": coding(gold), "pdtk": coding(tool)}, codes)
    table = result.per_code
    assert (table["kappa_low"] <= table["kappa"]).all() and (table["kappa"] <= table["kappa_high"]).all()
    low, high = result.mean_kappa_interval
    assert low < result.mean_kappa < high and result.n_sources == 12
    assert f"95 % interval {low:.2f}–{high:.2f} over 12 interviews" in result.summary()
