"""An attacker who reads the published coding tables cannot recover a hidden count.

``themes_by_group`` hides a small count of turns; before issue 16 it still published the odds ratio, the
p-value and the other groups' share beside it, each of which (with the published margins) solves back to the
hidden count. These tests play the attacker on every published number.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy.stats import fisher_exact

from toolkit.coding.analysis import code_frequencies, themes_by_group
from toolkit.coding.codebook import Code, Codebook

HIDDEN = 2  # turns of group "avvik" coded with the theme: below min_cell, must stay unknown


def _study() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Codebook]:
    """Three groups of 20 turns; theme 'trygg' is on 2 turns of 'avvik', 9 of 'veileder', 7 of 'sammenligning'."""
    units, coded, groups = [], [], []
    for group, n_coded in (("avvik", HIDDEN), ("veileder", 9), ("sammenligning", 7)):
        source = f"{group}.txt"
        groups.append({"source": source, "group": group})
        for turn in range(20):
            units.append({"source": source, "turn_index": turn})
            if turn < n_coded:
                coded.append({"source": source, "turn_index": turn, "code_id": "trygg"})
    codebook = Codebook(name="t", codes=[Code(id="trygg", name="Trygghet", keywords=("trygg",))])
    return pd.DataFrame(units), pd.DataFrame(coded), pd.DataFrame(groups), codebook


def _published() -> tuple[pd.DataFrame, pd.DataFrame]:
    units, coded, groups, codebook = _study()
    frequencies = code_frequencies(coded, units, codebook, min_cell=5)
    by_group = themes_by_group(coded, units, groups, ["trygg"], min_cell=5)
    return frequencies, by_group


def _candidates(frequencies: pd.DataFrame, by_group: pd.DataFrame) -> set[int]:
    """Every count of the hidden cell that is consistent with all published numbers."""
    row = by_group.set_index("group").loc["avvik"]
    others = by_group[by_group["group"] != "avvik"]
    n_units = int(row["n_units"])
    total = frequencies.set_index("code_id").loc["trygg", "n_segments"]
    other_units = int(by_group["n_units"].sum()) - n_units
    consistent = set()
    for a in range(n_units + 1):
        if pd.notna(total) and not 0 <= int(total) - a <= other_units:
            continue  # the other groups cannot hold the rest of the margin
        checks = []
        if pd.notna(total) and others["n_coded"].notna().all():  # the margin minus the shown groups
            checks.append(a == int(total) - int(others["n_coded"].sum()))
        if pd.notna(row["share"]):
            checks.append(math.isclose(a / n_units, float(row["share"])))
        if pd.notna(row["share_other_groups"]) and pd.notna(total):
            checks.append(math.isclose((int(total) - a) / other_units, float(row["share_other_groups"])))
        c = int(total) - a if pd.notna(total) else None
        if c is not None and (pd.notna(row["odds_ratio"]) or pd.notna(row["p_value"])):
            odds, p = fisher_exact([[a, n_units - a], [c, other_units - c]])
            if pd.notna(row["odds_ratio"]):
                checks.append(math.isclose(odds, float(row["odds_ratio"])))
            if pd.notna(row["p_value"]):
                checks.append(math.isclose(p, float(row["p_value"])))
        if all(checks):
            consistent.add(a)
    return consistent


def test_every_number_computed_from_a_hidden_count_is_hidden():
    _, by_group = _published()
    hidden = by_group.set_index("group").loc["avvik"]
    assert pd.isna(hidden["n_coded"])
    for column in ("share", "share_other_groups", "n_sources", "odds_ratio", "p_value", "q_value"):
        assert pd.isna(hidden[column]), column


def test_the_hidden_count_cannot_be_recovered_from_what_is_published():
    frequencies, by_group = _published()
    candidates = _candidates(frequencies, by_group)
    assert HIDDEN in candidates
    assert len(candidates) >= 5, f"the published tables narrow the hidden count down to {sorted(candidates)}"


@pytest.mark.parametrize("leak", ["odds_ratio", "share_other_groups", "p_value"])
def test_the_attack_would_succeed_if_one_derived_number_were_published(leak):
    """The attacker is real: put back one number the suppression hid and the hidden count is found."""
    units, coded, groups, codebook = _study()
    frequencies, by_group = _published()
    naive = themes_by_group(coded, units, groups, ["trygg"], min_cell=1)  # nothing suppressed
    leaked = by_group.copy()
    leaked[leak] = leaked[leak].astype("Float64")
    at = leaked["group"] == "avvik"
    leaked.loc[at, leak] = naive.loc[naive["group"] == "avvik", leak].to_numpy()
    assert _candidates(frequencies, leaked) == {HIDDEN}
