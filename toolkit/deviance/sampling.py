"""The interview sampling frame: whom to invite, as pseudonyms, stratified by unit and sex.

The data-powered positive deviance handbook suggests interviewing 20–50 deviants and about 100 comparisons,
because what deviants do only stands out against people in the same situation who did not succeed. The frame
therefore holds three roles:

* ``deviant``: positive deviants, the most *stable* first (flagged in the largest share of cross-fitting
runs),
  then the most surprising (highest ``pd_score``);
* ``typical``: high-risk young people with the expected (bad) outcome, drawn at random;
* ``negative_deviant``: low-risk young people whose bad outcome was surprising, most surprising first.

Each role is spread over strata (unit × sex) in proportion to where its people are, with every stratum that
has
people getting at least one place while places last (largest-remainder allocation), so that interviews are not
all from the biggest municipality. Only pseudonyms (``pid``) appear here; the data controller maps them to
contact details in the restricted folder.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.deviance.units import as_label_column

SEX_COLUMNS = ("kjonn", "kjønn", "sex", "gender", "kjoenn")


def default_strata(frame: pd.DataFrame, units: Sequence[str]) -> list[str]:
    """The first unit column and a sex column, when the register has them."""
    strata = [units[0]] if units else []
    for name in SEX_COLUMNS:
        if name in frame.columns:
            strata.append(name)
            break
    return strata


def allocate(sizes: pd.Series, total: int) -> pd.Series:
    """Split ``total`` places over strata in proportion to ``sizes`` (largest remainder), at least 1 each if
    possible.

    No stratum gets more places than it has people.
    """
    sizes = sizes[sizes > 0].astype(int)
    total = int(min(total, sizes.sum()))
    places = pd.Series(0, index=sizes.index, dtype=int)
    if total == 0 or len(sizes) == 0:
        return places
    if total >= len(sizes):
        places[:] = 1
    else:
        places[sizes.sort_values(ascending=False, kind="stable").index[:total]] = 1
        return places
    remaining = total - places.sum()
    while remaining > 0:
        room = sizes - places
        if room.sum() == 0:
            break
        share = room / room.sum() * remaining
        add = np.minimum(np.floor(share).astype(int), room)
        if add.sum() == 0:
            order = (share - np.floor(share)).where(room > 0, -1).sort_values(ascending=False, kind="stable")
            add = pd.Series(0, index=sizes.index, dtype=int)
            add[order.index[: int(min(remaining, (room > 0).sum()))]] = 1
        places += add
        remaining = total - places.sum()
    return places


def _stratum_labels(frame: pd.DataFrame, strata: Sequence[str], rows: np.ndarray) -> pd.Series:
    """The stratum of each of the ``rows`` (a mask): a column prints as it does in the whole register."""
    if not strata:
        return pd.Series("all", index=frame.index[rows], dtype="string")
    parts = [
        as_label_column(frame[c])[rows].astype("string").fillna("(missing)").radd(f"{c}=") for c in strata
    ]
    label = parts[0]
    for part in parts[1:]:
        label = label + " | " + part
    return label


def sampling_frame(
    frame: pd.DataFrame,
    individuals: pd.DataFrame,
    *,
    strata: Sequence[str],
    n_deviants: int = 30,
    n_comparisons: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """Choose interviewees by role and stratum; returns ``pid, role, stratum, pd_score, flagged_share, rank``.

    ``frame`` and ``individuals`` must be row-aligned (same order). Comparisons are split evenly between
    typical cases and negative deviants (typical cases fill any places negative deviants cannot).
    """
    rng = np.random.default_rng(seed)
    # only the people some role can draw get a stratum label (a few hundred thousand, not every row)
    roles = individuals[["is_deviant", "is_negative_deviant", "is_typical"]].to_numpy()
    rows = roles.any(axis=1)
    base = individuals[rows].assign(stratum=_stratum_labels(frame, strata, rows).to_numpy())
    n_negative = n_comparisons // 2
    pools = {
        "deviant": (base[base["is_deviant"]], ["flagged_share", "pd_score"], False, n_deviants),
        "negative_deviant": (base[base["is_negative_deviant"]], ["pd_score"], True, n_negative),
    }
    chosen = []
    for role, (pool, keys, ascending, wanted) in pools.items():
        chosen.append(_draw(pool, role, keys, ascending, wanted))
    typical_wanted = n_comparisons - len(chosen[1])
    typical = base[base["is_typical"]].assign(_random=rng.random(int(base["is_typical"].sum())))
    chosen.append(_draw(typical, "typical", ["_random"], True, typical_wanted))
    out = pd.concat(chosen, ignore_index=True)
    return out[["pid", "role", "stratum", "pd_score", "flagged_share", "rank"]]


def _draw(pool: pd.DataFrame, role: str, keys: list[str], ascending: bool, wanted: int) -> pd.DataFrame:
    if len(pool) == 0 or wanted <= 0:
        return pd.DataFrame(columns=["pid", "role", "stratum", "pd_score", "flagged_share", "rank"])
    places = allocate(pool["stratum"].value_counts(), wanted)
    parts = []
    for stratum, count in places.items():
        if count == 0:
            continue
        members = pool[pool["stratum"] == stratum].sort_values(keys, ascending=ascending, kind="stable")
        parts.append(members.head(int(count)).assign(rank=np.arange(1, int(count) + 1)))
    out = pd.concat(parts, ignore_index=True).assign(role=role)
    return out
