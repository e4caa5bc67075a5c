"""A SYNTHETIC phase 3 panel with planted, known effects, so the effect estimators can be checked against
truth.

Phase 3 of the Kongsvinger design introduces a practice in some municipalities at known dates and asks what it
did. Nobody knows the true effect in real data, so the tests run the estimators on data where the effect was
put
in by hand and check that they find it. :func:`make_panel` builds four linked pieces:

* ``panel`` — municipality × year (2014–2024) for the 46 municipalities of Innlandet (the seven of the
  Kongsvinger region, 3401 and 3414–3419, plus their neighbours, so a staggered estimator has enough units).
  Two designs live side by side in the same rows:

  - the **simple case**: the seven Kongsvinger-region municipalities and seven Hedmarken / Sør-Østerdal
  neighbours
    adopt the practice in 2023 (``innfort_fra``); it lowers the NEET share by a constant 3 percentage points
    (``andel_neet``, ``antall_neet``). Fourteen adopters, because cluster-robust intervals need a dozen or
    more
    adopting clusters to be trustworthy;
  - the **staggered case**: municipalities adopt in 2017, 2019 or 2021 or never (``innfort_fra_trinnvis``),
  and
    the effect grows with time since adoption and is larger in early adopters (``andel_neet_trinnvis``,
    ``antall_neet_trinnvis``). Here plain two-way fixed effects uses already-treated municipalities as
    controls and is biased toward zero; group-time estimators are not.

* ``series`` — monthly counts of young people aged 18–29 registered with NAV (unemployed or on work assessment
  allowance) in Kongsvinger (3401), 2016-01 to 2024-12, with seasonality and autocorrelated noise; the
  practice
  from 2023-01 lowers the level by 25 people at once and the trend by 0.3 people per month.
* ``individuals`` — young people in the region, some of whom took part in the practice (``deltok``); those who
  took part had more risk factors (confounding), and taking part raised the chance of being in work or
  education
  a year later (``i_aktivitet``) by 10 percentage points.
* ``truth`` — every planted number, and the aggregated target values the estimators should recover.

Outcomes are drawn as binomial counts around the planted probabilities, so the noise of a small municipality
is
the noise of a small number of young people. Population sizes are rounded approximations used only to give
municipalities realistic relative sizes. Everything here is synthetic and labelled so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.io import atomic_write_text, write_csv

# 4-digit municipality number → (name, approximate population). Innlandet, municipality numbers from 2020.
MUNICIPALITIES: dict[str, tuple[str, int]] = {
    "3401": ("Kongsvinger", 17900), "3403": ("Hamar", 32000), "3405": ("Lillehammer", 28500),
    "3407": ("Gjøvik", 30500), "3411": ("Ringsaker", 35000), "3412": ("Løten", 7700),
    "3413": ("Stange", 21000), "3414": ("Nord-Odal", 5000), "3415": ("Sør-Odal", 7900),
    "3416": ("Eidskog", 6100), "3417": ("Grue", 4600), "3418": ("Åsnes", 7100), "3419": ("Våler", 3600),
    "3420": ("Elverum", 21500), "3421": ("Trysil", 6600), "3422": ("Åmot", 4400),
    "3423": ("Stor-Elvdal", 2400),
    "3424": ("Rendalen", 1800), "3425": ("Engerdal", 1250), "3426": ("Tolga", 1550), "3427": ("Tynset", 5600),
    "3428": ("Alvdal", 2400), "3429": ("Folldal", 1550), "3430": ("Os", 1900), "3431": ("Dovre", 2500),
    "3432": ("Lesja", 2000), "3433": ("Skjåk", 2200), "3434": ("Lom", 2300), "3435": ("Vågå", 3600),
    "3436": ("Nord-Fron", 5700), "3437": ("Sel", 5700), "3438": ("Sør-Fron", 3100), "3439": ("Ringebu", 4400),
    "3440": ("Øyer", 5100), "3441": ("Gausdal", 6100), "3442": ("Østre Toten", 14800),
    "3443": ("Vestre Toten", 13500), "3446": ("Gran", 13700), "3447": ("Søndre Land", 5600),
    "3448": ("Nordre Land", 6600), "3449": ("Sør-Aurdal", 2900), "3450": ("Etnedal", 1300),
    "3451": ("Nord-Aurdal", 6400), "3452": ("Vestre Slidre", 2100), "3453": ("Øystre Slidre", 3300),
    "3454": ("Vang", 1600),
}  # fmt: skip
KONGSVINGER_REGION = ["3401", "3414", "3415", "3416", "3417", "3418", "3419"]
# The simple case: the practice starts in the Kongsvinger region and its Hedmarken / Sør-Østerdal neighbours
# in
# the same year (14 adopters; with fewer adopting clusters, cluster-robust intervals become unreliable).
SIMPLE_ADOPTERS = [*KONGSVINGER_REGION, "3403", "3411", "3412", "3413", "3420", "3421", "3422"]

YEARS = list(range(2014, 2025))
SIMPLE_ADOPTION_YEAR = 2023
SIMPLE_EFFECT = -0.03  # NEET share, constant in every treated municipality-year
STAGGERED_COHORTS = {
    2017: 12,
    2019: 12,
    2021: 10,
}  # adoption year → number of municipalities; the rest never adopt
SERIES_UNIT = "3401"
SERIES_START, SERIES_END = "2016-01", "2024-12"
SERIES_INTERRUPTION = "2023-01"
SERIES_LEVEL_CHANGE = -25.0
SERIES_SLOPE_CHANGE = -0.3
INDIVIDUAL_EFFECT = 0.10


def staggered_effect(cohort: int, event_time: int) -> float:
    """Planted effect on the NEET share ``event_time`` years after adoption in ``cohort`` (0 before adoption).

    The effect builds up over the first years (−1 pp in the adoption year, −0.8 pp more each following year,
    up
    to five years) and early adopters gain more (they had the most room and the longest run-in). Effects that
    grow with exposure are exactly what biases two-way fixed effects under staggered adoption.
    """
    if event_time < 0:
        return 0.0
    base = 0.010 + 0.010 * min(event_time, 5)
    multiplier = {2017: 1.0, 2019: 0.7, 2021: 0.5}.get(cohort, 0.7)
    return -base * multiplier


@dataclass
class SyntheticPanel:
    """The synthetic phase 3 data and its truth. Every frame is SYNTHETIC (``meta['synthetic'] is True``)."""

    panel: pd.DataFrame
    series: pd.DataFrame
    individuals: pd.DataFrame
    truth: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def interruption(self) -> str:
        """Month (``YYYY-MM``) the practice started in the monthly series."""
        return str(self.truth["series"]["interruption"])


def _aggregate_truth(cohort_of_unit: pd.Series, unit_weight: pd.Series, years: list[int]) -> dict[str, Any]:
    """Target values of the staggered case, aggregated the way :mod:`toolkit.effect.staggered` aggregates.

    A cohort's weight is the sum of its municipalities' weights (1 each for the unit level, the mean number of
    young people for the region level); ``simple`` averages every post-adoption cohort-year cell with its
    cohort's
    weight, ``dynamic`` does so per year since adoption.
    """
    cohorts = sorted(int(g) for g in cohort_of_unit.dropna().unique())
    cells = [(g, t) for g in cohorts for t in years if t >= g]
    out: dict[str, Any] = {
        "att_gt": [
            {"cohort": g, "year": t, "effect": staggered_effect(g, t - g)}
            for g in cohorts
            for t in years
            if t >= g
        ]
    }
    for label, weights in (("unit", pd.Series(1.0, index=unit_weight.index)), ("region", unit_weight)):
        cohort_weight = {g: float(weights[cohort_of_unit == g].sum()) for g in cohorts}
        total = sum(cohort_weight[g] for g, _ in cells)
        simple = sum(cohort_weight[g] * staggered_effect(g, t - g) for g, t in cells) / total
        dynamic: dict[str, float] = {}
        for e in range(0, max(years) - min(cohorts) + 1):
            members = [g for g in cohorts if g + e in years]
            if members:
                w = sum(cohort_weight[g] for g in members)
                dynamic[str(e)] = sum(cohort_weight[g] * staggered_effect(g, e) for g in members) / w
        out[label] = {"att_simple": simple, "dynamic": dynamic}
    return out


def make_panel(
    seed: int = 2021,
    *,
    years: tuple[int, int] = (YEARS[0], YEARS[-1]),
    n_individuals: int = 2400,
    unit_noise: float = 0.004,
    pretrend: float = 0.0,
) -> SyntheticPanel:
    """Build the SYNTHETIC phase 3 panel, monthly series and individual rows with planted effects.

    Parameters
    ----------
    seed:
        Seed of every random draw; the same seed gives the same data on every machine.
    years:
        First and last year of the panel (the simple case adopts in 2023, so the panel should reach past it).
    n_individuals:
        Rows of the individual-level file.
    unit_noise:
        Standard deviation of a municipality-year shock on top of binomial noise (things that move a
        municipality's NEET share in a year besides chance: a plant closing, a new school programme).
    pretrend:
        A deliberate violation of parallel trends, for checking that the pre-trend test can reject: the NEET
        share of municipalities that adopt in the simple case drifts by this much per year *before* adoption.
        Keep 0 for the demo.
    """
    rng = np.random.default_rng(seed)
    year_list = list(range(int(years[0]), int(years[1]) + 1))
    if SIMPLE_ADOPTION_YEAR not in year_list or year_list[0] >= SIMPLE_ADOPTION_YEAR - 2:
        raise ValueError(f"years must span at least {SIMPLE_ADOPTION_YEAR - 3}..{SIMPLE_ADOPTION_YEAR}")
    codes = list(MUNICIPALITIES)

    # Municipality-level structure: young population, baseline NEET level (higher in the east and the
    # Kongsvinger region, which is why it adopts first); the year-to-year pattern they share is in
    # _municipality_years.
    young = {c: MUNICIPALITIES[c][1] * rng.uniform(0.16, 0.19) for c in codes}
    baseline = {c: 0.085 + (0.02 if c in SIMPLE_ADOPTERS else 0.0) + rng.normal(0, 0.012) for c in codes}
    staggered_cohort: dict[str, float] = dict.fromkeys(codes, np.nan)
    shuffled = list(rng.permutation(codes))
    start = 0
    for cohort, size in STAGGERED_COHORTS.items():
        for c in shuffled[start : start + size]:
            staggered_cohort[c] = cohort
        start += size
    panel = _municipality_years(
        rng, year_list, young, baseline, staggered_cohort, unit_noise=unit_noise, pretrend=pretrend
    )
    series, series_truth = _make_series(rng)
    individuals = _make_individuals(rng, n_individuals)
    truth = _panel_truth(panel, staggered_cohort, year_list, series_truth, seed=seed, pretrend=pretrend)
    meta = {
        "synthetic": True,
        "seed": seed,
        "note": "SYNTHETIC data with planted effects for testing phase 3 estimators; not real "
        "municipalities' figures",
    }
    return SyntheticPanel(panel=panel, series=series, individuals=individuals, truth=truth, meta=meta)


def _municipality_years(
    rng: np.random.Generator,
    year_list: list[int],
    young: dict[str, float],
    baseline: dict[str, float],
    staggered_cohort: dict[str, float],
    *,
    unit_noise: float,
    pretrend: float,
) -> pd.DataFrame:
    """One row per municipality and year: NEET counts under the simple and the staggered adoption."""
    codes = list(MUNICIPALITIES)
    year_effect = {
        y: 0.0015 * (y - year_list[0]) + (0.012 if y == 2020 else 0.008 if y == 2021 else 0.0)
        for y in year_list
    }
    rows = []
    for c in codes:
        drift = rng.normal(0, 0.01)
        for y in year_list:
            n = int(round(young[c] * (1 + drift * (y - year_list[0]) / 10)))
            p0 = baseline[c] + year_effect[y] + rng.normal(0, unit_noise)
            if c in SIMPLE_ADOPTERS and y < SIMPLE_ADOPTION_YEAR:
                p0 += pretrend * (y - SIMPLE_ADOPTION_YEAR)
            p_simple = p0 + (SIMPLE_EFFECT if c in SIMPLE_ADOPTERS and y >= SIMPLE_ADOPTION_YEAR else 0.0)
            g = staggered_cohort[c]
            p_stag = p0 + (staggered_effect(int(g), y - int(g)) if not np.isnan(g) else 0.0)
            k_simple = int(rng.binomial(n, min(max(p_simple, 0.001), 0.999)))
            k_stag = int(rng.binomial(n, min(max(p_stag, 0.001), 0.999)))
            rows.append(
                {
                    "kommune": c,
                    "kommunenavn": MUNICIPALITIES[c][0],
                    "aar": y,
                    "n": n,
                    "antall_neet": k_simple,
                    "andel_neet": k_simple / n,
                    "innfort_fra": SIMPLE_ADOPTION_YEAR if c in SIMPLE_ADOPTERS else pd.NA,
                    "antall_neet_trinnvis": k_stag,
                    "andel_neet_trinnvis": k_stag / n,
                    "innfort_fra_trinnvis": int(g) if not np.isnan(g) else pd.NA,
                }
            )
    panel = pd.DataFrame(rows)
    panel["kommune"] = panel["kommune"].astype("string")
    panel["kommunenavn"] = panel["kommunenavn"].astype("string")
    for col in ("innfort_fra", "innfort_fra_trinnvis"):
        panel[col] = panel[col].astype("Int64")

    return panel


def _panel_truth(
    panel: pd.DataFrame,
    staggered_cohort: dict[str, float],
    year_list: list[int],
    series_truth: dict[str, Any],
    *,
    seed: int,
    pretrend: float,
) -> dict[str, Any]:
    """What was planted, for checking the estimators: adopters, effects, cohorts and aggregates."""
    codes = list(MUNICIPALITIES)
    unit_weight = panel.groupby("kommune")["n"].mean()
    cohort_of_unit = pd.Series(staggered_cohort).reindex(unit_weight.index)
    truth: dict[str, Any] = {
        "synthetic": True,
        "seed": seed,
        "simple": {
            "outcome": "andel_neet",
            "treated_from": "innfort_fra",
            "adoption_year": SIMPLE_ADOPTION_YEAR,
            "treated_units": list(SIMPLE_ADOPTERS),
            "effect": SIMPLE_EFFECT,
            "pretrend_per_year": pretrend,
            "description": "the Kongsvinger region and its Hedmarken / Sør-Østerdal neighbours (14 "
            "municipalities) adopt in 2023; NEET share −3 pp, constant",
        },
        "staggered": {
            "outcome": "andel_neet_trinnvis",
            "treated_from": "innfort_fra_trinnvis",
            "cohorts": {
                str(g): sorted(c for c in codes if staggered_cohort[c] == g) for g in STAGGERED_COHORTS
            },
            "description": (
                "adoption in 2017, 2019 or 2021 or never; effect −(1.0 + 1.0·min(years since adoption, 5)) "
                "pp, "
                "times 1.0 / 0.7 / 0.5 for the 2017 / 2019 / 2021 adopters"
            ),
            **_aggregate_truth(cohort_of_unit, unit_weight, year_list),
        },
        "series": series_truth,
        "individuals": {
            "treatment": "deltok",
            "outcome": "i_aktivitet",
            "covariates": ["alder", "kvinne", "grunnskolepoeng", "husholdning_lavinntekt", "barnevern"],
            "att": INDIVIDUAL_EFFECT,
            "description": "taking part raises the chance of work or education a year later by 10 pp; "
            "participants have more risk factors (confounded)",
        },
    }
    return truth


def _make_series(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Monthly NAV counts for one municipality with a planted level and slope change at the interruption."""
    months = pd.period_range(SERIES_START, SERIES_END, freq="M")
    t = np.arange(len(months), dtype=float)
    t0 = int(np.flatnonzero(months == pd.Period(SERIES_INTERRUPTION, freq="M"))[0])
    post = (t >= t0).astype(float)
    season = 12.0 * np.cos(2 * np.pi * (months.month.to_numpy() - 1) / 12)  # more registered in winter
    noise = np.zeros(len(t))
    shocks = rng.normal(0, 6.0, len(t))
    for i in range(len(t)):  # AR(1) noise: a month that is high tends to be followed by a high month
        noise[i] = (0.5 * noise[i - 1] if i else 0.0) + shocks[i]
    mean = 180.0 + 0.25 * t + season + SERIES_LEVEL_CHANGE * post + SERIES_SLOPE_CHANGE * (t - t0) * post
    counts = np.maximum(np.round(mean + noise), 0).astype(int)
    series = pd.DataFrame(
        {
            "kommune": pd.array([SERIES_UNIT] * len(t), dtype="string"),
            "maaned": pd.array([str(m) for m in months], dtype="string"),
            "antall": counts,
        }
    )
    truth = {
        "unit": SERIES_UNIT,
        "outcome": "antall",
        "interruption": SERIES_INTERRUPTION,
        "level_change": SERIES_LEVEL_CHANGE,
        "slope_change": SERIES_SLOPE_CHANGE,
        "description": "young people 18–29 registered with NAV in Kongsvinger; −25 at once and −0.3 per "
        "month from 2023-01",
    }
    return series, truth


def _make_individuals(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Young people of the region: risk factors drive both taking part and the outcome; taking part adds 10
    pp."""
    kommune = rng.choice(KONGSVINGER_REGION, size=n, p=_region_shares())
    alder = rng.integers(16, 26, size=n)
    kvinne = rng.binomial(1, 0.48, size=n)
    lavinntekt = rng.binomial(1, 0.18, size=n)
    barnevern = rng.binomial(1, 0.08 + 0.08 * lavinntekt)
    grunnskolepoeng = np.clip(rng.normal(40 - 3 * lavinntekt - 3 * barnevern, 7), 10, 60).round(1)
    risk = -0.08 * (grunnskolepoeng - 40) + 0.7 * lavinntekt + 0.9 * barnevern
    p_take_part = 1 / (1 + np.exp(-(-1.3 + 0.9 * risk)))
    deltok = rng.binomial(1, p_take_part)
    p_active = np.clip(0.78 - 0.07 * risk + 0.02 * kvinne - 0.005 * (alder - 20), 0.05, 0.85)
    i_aktivitet = rng.binomial(1, p_active + INDIVIDUAL_EFFECT * deltok)
    return pd.DataFrame(
        {
            "pid": pd.array([f"S{i:05d}" for i in range(1, n + 1)], dtype="string"),
            "kommune": pd.array(kommune, dtype="string"),
            "alder": alder,
            "kvinne": kvinne,
            "grunnskolepoeng": grunnskolepoeng,
            "husholdning_lavinntekt": lavinntekt,
            "barnevern": barnevern,
            "deltok": deltok,
            "i_aktivitet": i_aktivitet,
        }
    )


def _region_shares() -> np.ndarray:
    sizes = np.array([MUNICIPALITIES[c][1] for c in KONGSVINGER_REGION], dtype=float)
    return sizes / sizes.sum()


def write_panel(out_dir: str | Path, *, seed: int = 2021, **kwargs: Any) -> dict[str, Path]:
    """Write the SYNTHETIC panel files under ``out_dir``; returns ``{relative name: path}``.

    Files: ``panel.csv``, ``series.csv``, ``individuals.csv`` and ``truth/panel_truth.json`` (the planted
    effects; kept in its own folder so an analysis never reads it by accident).
    """
    out_dir = Path(out_dir)
    data = make_panel(seed, **kwargs)
    truth = {**data.truth, "meta": data.meta}
    return {
        "panel.csv": write_csv(out_dir / "panel.csv", data.panel),
        "series.csv": write_csv(out_dir / "series.csv", data.series),
        "individuals.csv": write_csv(out_dir / "individuals.csv", data.individuals),
        "truth/panel_truth.json": atomic_write_text(
            out_dir / "truth" / "panel_truth.json", json.dumps(truth, indent=2, ensure_ascii=False) + "\n"
        ),
    }
