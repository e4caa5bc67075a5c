"""Deviant units: municipalities, schools or NAV offices whose young people do better than their intake
predicts.

For each unit, observed successes ``O`` are compared with expected successes ``E = sum(p)`` (indirect
standardisation with cross-fitted ``p``). Under "no unit effect", ``O`` is a sum of independent Bernoulli
draws with variance ``V = sum(p (1 - p))``, so ``z = (O - E) / sqrt(V)`` and the funnel plot shows ``O/E``
against its precision ``E^2 / V`` with limits ``1 ± z_a sqrt(V) / E``: the flags and the plotted limits are
the
same test.

Real units differ for reasons no register records, so z-scores are usually *over-dispersed*. Following
Spiegelhalter (2005, *Statistics in Medicine* 24:1185), ``φ`` is the mean of the squared z-scores after
winsorising the top and bottom 10 % (divided by that statistic's null expectation, 0.68, so that φ ≈ 1 without
over-dispersion), tested with ``I φ ~ χ²(I - 1)``. It is always reported, but limits are
widened (multiplicatively, by ``sqrt(φ)``) only when there are at least 15 units to estimate it from and it is
significant: seven municipalities cannot tell over-dispersion from one real outlier, and the report says so.

Small units are noisy; their ``O/E`` is shown next to an empirical-Bayes estimate shrunk toward 1 (a normal
random-effects model on the excess rate with a DerSimonian–Laird between-unit variance). Units with fewer than
``min_unit_size`` people are never flagged. When the register spans several cohorts, each unit's excess is
shown per cohort: a practice persists, luck does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# the normal, chi-square and binomial tails from scipy.special: the same functions scipy.stats calls for
# these, without importing scipy.stats (0.4 s, most of it spent rewriting docstrings)
from scipy.special import bdtrc, chdtrc, ndtri

MIN_UNITS_FOR_PHI = 15
MISSING_UNIT = "(missing)"
CONTRACT_COLUMNS = ["unit_var", "unit", "n", "observed", "expected", "z", "flag"]


def observed_expected(
    frame: pd.DataFrame, unit: str, y: np.ndarray, p: np.ndarray, coded: Coded | None = None
) -> pd.DataFrame:
    """Per unit: n, observed successes, expected successes and the Bernoulli variance of the observed
    count."""
    codes, labels = codes_of(frame, unit, coded)
    k = len(labels)
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    table = pd.DataFrame(
        {
            "unit": labels,
            "n": np.bincount(codes, minlength=k).astype(np.int64),
            "observed": np.bincount(codes, weights=y, minlength=k),
            "expected": np.bincount(codes, weights=p, minlength=k),
            "variance": np.bincount(codes, weights=p * (1 - p), minlength=k),
        }
    )
    return table.sort_values("unit", kind="stable").reset_index(drop=True)


def as_label_column(column: pd.Series) -> pd.Series:
    """Unit codes as they should print: a float column of whole numbers (3416.0 after a gap) becomes
    integers."""
    if pd.api.types.is_float_dtype(column):
        present = column.dropna()
        if len(present) and bool((present % 1 == 0).all()):
            return column.astype("Int64")
    return column


def unit_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their labels (as text, missing as '(missing)'); factorising once is fast on a
    million rows. The labels are the ``unit`` column of every unit table, so code by this to find a unit."""
    codes, uniques = pd.factorize(as_label_column(column), use_na_sentinel=True)
    labels = np.array([str(u) for u in uniques] + [MISSING_UNIT], dtype=object)
    codes = np.where(codes < 0, len(uniques), codes)
    present = np.bincount(codes, minlength=len(labels)) > 0
    remap = np.cumsum(present) - 1
    return remap[codes], labels[present]


Coded = dict[str, tuple[np.ndarray, np.ndarray]]
"""Columns already coded by :func:`unit_codes`, by name. Phase 2 codes each unit column and the cohort column
once and passes them to every step of its unit analyses (observed/expected twice, persistence twice, the
benchmark indicators) instead of factorising a million labels in each."""


def codes_of(frame: pd.DataFrame, column: str, coded: Coded | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``unit_codes(frame[column])``, or the codes in ``coded`` when the caller made them already."""
    if coded is not None and column in coded:
        return coded[column]
    return unit_codes(frame[column])


def overdispersion(z: np.ndarray, *, winsor: float = 0.1) -> dict[str, float]:
    """Spiegelhalter's φ from winsorised z-scores, its χ² test, and whether there are enough units to use
    it."""
    z = np.asarray(z, dtype=np.float64)
    z = z[np.isfinite(z)]
    n_units = len(z)
    if n_units < 2:
        return {
            "phi": np.nan,
            "p_value": np.nan,
            "n_units": n_units,
            "estimable": False,
            "significant": False,
        }
    low, high = np.quantile(z, [winsor, 1 - winsor])
    zw = np.clip(z, low, high)
    # Winsorising also trims ordinary noise, so the raw mean of squares is ~0.68 for N(0, 1) z-scores;
    # dividing
    # by its expectation under N(0, 1) makes φ ≈ 1 when there is no over-dispersion (and the χ² test
    # calibrated).
    q = ndtri(1 - winsor)
    density = np.exp(-(q**2) / 2.0) / np.sqrt(2 * np.pi)  # the standard normal density at q
    null_mean = (1 - 2 * winsor) - 2 * q * density + 2 * winsor * q**2
    phi = float(np.mean(zw**2) / null_mean)
    p_value = float(chdtrc(n_units - 1, n_units * phi))  # chi-square survival function
    estimable = n_units >= MIN_UNITS_FOR_PHI
    return {
        "phi": phi,
        "p_value": p_value,
        "n_units": n_units,
        "estimable": estimable,
        "significant": bool(p_value < 0.05),
    }


def empirical_bayes(excess_rate: np.ndarray, variance_rate: np.ndarray) -> tuple[np.ndarray, float]:
    """Shrink each unit's excess success rate toward 0 by its reliability ``τ² / (τ² + s²)``
    (DerSimonian–Laird τ²)."""
    d = np.asarray(excess_rate, dtype=np.float64)
    s2 = np.asarray(variance_rate, dtype=np.float64)
    ok = np.isfinite(d) & (s2 > 0)
    if ok.sum() < 2:
        return d.copy(), 0.0
    w = 1 / s2[ok]
    mean = np.sum(w * d[ok]) / w.sum()
    q = np.sum(w * (d[ok] - mean) ** 2)
    denom = w.sum() - np.sum(w**2) / w.sum()
    tau2 = max(0.0, (q - (ok.sum() - 1)) / denom) if denom > 0 else 0.0
    shrunk = np.where(ok, d * tau2 / (tau2 + np.where(s2 > 0, s2, np.inf)), d)
    return shrunk, float(tau2)


@dataclass
class UnitAnalysis:
    """Units of one column (e.g. ``kommune``): the table, the over-dispersion estimate and the funnel plot."""

    unit_var: str
    table: pd.DataFrame
    dispersion: dict[str, float]
    limit: float
    tau2: float
    persistence: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def widened(self) -> bool:
        return bool(
            self.dispersion["estimable"] and self.dispersion["significant"] and self.dispersion["phi"] > 1
        )

    def dispersion_note(self) -> str:
        d = self.dispersion
        phi = f"φ = {d['phi']:.2f} (χ² test p = {d['p_value']:.3f}, {d['n_units']} units)"
        if not d["estimable"]:
            return (
                f"{self.unit_var}: {phi}. With only {d['n_units']} units (fewer than {MIN_UNITS_FOR_PHI}) "
                f"over-dispersion "
                "cannot be told apart from a single real outlier, so the funnel limits are NOT widened; "
                "treat flags "
                "as hypotheses to check in interviews."
            )
        if self.widened:
            return (
                f"{self.unit_var}: {phi}: significant over-dispersion, so the limits are widened by "
                f"√φ = {np.sqrt(d['phi']):.2f}."
            )
        return (
            f"{self.unit_var}: {phi}: no significant over-dispersion; the limits are the plain binomial ones."
        )

    def funnel_plot(self):
        """O/E against precision E²/V with 95 % and ``unit_limit`` limits (widened by √φ when that
        applies)."""
        from toolkit.deviance.figures import funnel, funnel_inputs

        return funnel(*funnel_inputs(self))


def analyse_units(
    frame: pd.DataFrame,
    unit: str,
    y: np.ndarray,
    p: np.ndarray,
    *,
    limit: float = 0.998,
    min_unit_size: int = 20,
    cohort: str | None = None,
    coded: Coded | None = None,
) -> UnitAnalysis:
    """Observed vs expected per unit of column ``unit``, with z, intervals, shrinkage, flags and
    persistence (``coded``: the unit and cohort columns' codes, if already made)."""
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    t = observed_expected(frame, unit, y, p, coded)
    sd = np.sqrt(t["variance"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (t["observed"] - t["expected"]) / sd, np.nan)
    big = t["n"].to_numpy() >= min_unit_size
    # Young people without a unit (a missing code, or one suppressed for k-anonymity) are listed as one row,
    # but
    # they come from many units: that row is neither flagged nor used to estimate over-dispersion or
    # shrinkage.
    no_unit = (t["unit"] == MISSING_UNIT).to_numpy()
    judged = big & ~no_unit
    dispersion = overdispersion(z[judged])
    phi = dispersion["phi"]
    widen = bool(dispersion["estimable"] and dispersion["significant"] and phi > 1)
    z_used = z / np.sqrt(phi) if widen else z
    z_crit = ndtri(1 - (1 - limit) / 2)
    flag = np.where(judged & (z_used > z_crit), "above", np.where(judged & (z_used < -z_crit), "below", ""))

    n = t["n"].to_numpy(dtype=float)
    excess, _ = t["observed"] - t["expected"], None
    shrunk_rate = np.full(len(t), np.nan)
    shrunk_rate[~no_unit], tau2 = empirical_bayes(
        excess.to_numpy()[~no_unit] / n[~no_unit], t["variance"].to_numpy()[~no_unit] / n[~no_unit] ** 2
    )
    e = t["expected"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        o_e = t["observed"].to_numpy() / e
        half = 1.959964 * sd * (np.sqrt(phi) if widen else 1.0) / e
    out = pd.DataFrame(
        {
            "unit_var": unit,
            "unit": t["unit"].astype(str).to_numpy(),
            "n": t["n"].to_numpy(dtype=np.int64),
            "observed": t["observed"].to_numpy(dtype=np.int64),
            "expected": e,
            "z": z,
            "flag": flag,
            "o_e": o_e,
            "o_e_ci_low": np.maximum(o_e - half, 0),
            "o_e_ci_high": o_e + half,
            "z_adjusted": z_used,
            "observed_rate": t["observed"].to_numpy() / n,
            "expected_rate": e / n,
            "excess_rate": excess.to_numpy() / n,
            "excess_rate_shrunk": shrunk_rate,
            "o_e_shrunk": 1 + shrunk_rate * n / e,
            "too_small": ~big,
            "no_unit": no_unit,
            "variance": t["variance"].to_numpy(),
        }
    )
    persistence = pd.DataFrame()
    if cohort is not None and cohort in frame.columns and frame[cohort].nunique(dropna=True) > 1:
        persistence = unit_persistence(frame, unit, cohort, y, p, coded)
        summary = (
            persistence.groupby("unit")
            .agg(cohorts=("cohort", "size"), cohorts_above_expected=("above_expected", "sum"))
            .reset_index()
        )
        out = out.merge(summary, on="unit", how="left")
    return UnitAnalysis(
        unit_var=unit, table=out, dispersion=dispersion, limit=limit, tau2=tau2, persistence=persistence
    )


def unit_persistence(
    frame: pd.DataFrame, unit: str, cohort: str, y: np.ndarray, p: np.ndarray, coded: Coded | None = None
) -> pd.DataFrame:
    """Per unit and cohort: n, observed, expected, z and whether the unit did better than expected that
    year."""
    unit_code, unit_labels = codes_of(frame, unit, coded)
    cohort_codes, cohort_labels = codes_of(frame, cohort, coded)
    # one bincount per sum over the combined (unit, cohort) code: a few passes instead of a pandas group-by
    n_cohorts = len(cohort_labels)
    cell = unit_code.astype(np.int64) * n_cohorts + cohort_codes
    size = len(unit_labels) * n_cohorts
    y = np.asarray(y, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    n = np.bincount(cell, minlength=size)
    present = np.flatnonzero(n)
    t = pd.DataFrame(
        {
            "unit": unit_labels[present // n_cohorts],
            "cohort": cohort_labels[present % n_cohorts],
            "n": n[present].astype(np.int64),
            "observed": np.bincount(cell, weights=y, minlength=size)[present],
            "expected": np.bincount(cell, weights=p, minlength=size)[present],
            "variance": np.bincount(cell, weights=p * (1 - p), minlength=size)[present],
        }
    )
    t = t.sort_values(["unit", "cohort"], kind="stable").reset_index(drop=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        t["z"] = (t["observed"] - t["expected"]) / np.sqrt(t["variance"])
    t["observed"] = t["observed"].astype(np.int64)
    t["above_expected"] = t["observed"] > t["expected"]
    return t.drop(columns="variance")


def sign_persistence_p(cohorts_above: int, cohorts: int) -> float:
    """One-sided binomial p-value that a unit is above expectation in this many cohorts by chance (p =
    1/2): P(X >= cohorts_above) for X ~ Binomial(cohorts, 1/2), as ``scipy.stats.binomtest(...,
    alternative="greater")`` gives it (to within 1e-15: ``tests/test_deviance_units.py``)."""
    return float(bdtrc(int(cohorts_above) - 1, int(cohorts), 0.5)) if cohorts else np.nan


def analyse_all_units(
    frame: pd.DataFrame,
    units: Sequence[str],
    y: np.ndarray,
    p: np.ndarray,
    *,
    limit: float = 0.998,
    min_unit_size: int = 20,
    cohort: str | None = None,
) -> list[UnitAnalysis]:
    """:func:`analyse_units` for every unit column."""
    return [
        analyse_units(frame, u, y, p, limit=limit, min_unit_size=min_unit_size, cohort=cohort) for u in units
    ]
