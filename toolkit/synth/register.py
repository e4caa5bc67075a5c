"""A synthetic register cohort of young people in the Kongsvinger region, with planted positive deviance.

Every value is SYNTHETIC. Identity numbers are Skatteetaten Tenor test numbers (month + 80; about 3 % in
Tenor's D-number form, day + 40 as well), names are random combinations from Faker's ``no_NO`` lists,
addresses are invented streets,
schools and employers are fictional. The data exist to exercise and test the toolkit, and to show a demo
whose right answer is known.

The right answer is planted: a *hidden protective practice* ("a fixed trusted adult follows the young person
through the transitions") that is not a column of the register. It is common in one municipality
(:data:`PLANTED_KOMMUNE`) and in one upper-secondary school (:data:`PLANTED_SKOLE`) whose pupils mostly live
in other municipalities, so the two plants are not the same people. The outcome model is

    logit P(fullfort_vgs_5aar = 1) = intercept + risk factors + kjonn + latent noise + PRACTICE_LOGODDS ·
    practice

so the practice helps most (in percentage points) where the risk is highest. A phase 2 analysis that models
the outcome on the measured risk factors should find the planted municipality and school above their
expected completion, and high-risk completers with the practice among its individual deviants. Everything an
evaluation needs is in :attr:`SyntheticRegister.truth` (per person) and :attr:`SyntheticRegister.meta`.

Generation is vectorised with numpy (a million rows in a few seconds); the identity numbers are made by a
vectorised version of :func:`toolkit.anonymise.identifiers.make_tenor_number` (same layout and check digits,
but drawn for all rows at once and redrawn until unique), which the tests check against ``identifiers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit.synth import names as nm

PLANTED_KOMMUNE = "3416"
"""Eidskog: the municipality where the hidden practice is common."""
PLANTED_SKOLE = "Glåmdal vgs"
"""The school where the hidden practice is common; under 2 % of its pupils live in the planted
municipality."""
PRACTICE_DESCRIPTION = (
    "En fast trygg voksen følger den unge gjennom overgangene (ungdomsskole–vgs–arbeid) / "
    "a fixed trusted adult follows the young person through the transitions"
)
PRACTICE_LOGODDS = 1.6
"""Effect of the practice on the log-odds of completing upper secondary school (a strong effect, on
purpose)."""
PRACTICE_SHARE = {"baseline": 0.05, "planted_kommune": 0.60, "planted_skole": 0.60}
"""Probability of having the practice: elsewhere, in the planted municipality, at the planted school."""

DEFAULT_BIRTH_YEARS = (1996, 2001)
D_NUMBER_SHARE = 0.03
HIGH_RISK_QUANTILE = 0.75

OUTCOME_TARGETS = {"fullfort_vgs_5aar": 0.78, "neet_25": 0.12, "uforetrygd": 0.022, "tilbake_i_arbeid": 0.30}
"""Mean outcome the intercepts are calibrated to (tilbake_i_arbeid: among those on disability benefit)."""

# Log-odds of completing upper secondary school (success) for each risk factor.
SUCCESS_COEFFICIENTS = {
    "foreldre_utdanning=Grunnskole": -0.90,
    "foreldre_utdanning=Videregående": -0.35,
    "husholdning_lavinntekt": -0.45,
    "barnevern": -0.70,
    "foreldre_trygd": -0.40,
    "psykisk_helse_kontakt": -0.60,
    "grunnskolepoeng (per poeng over 41)": 0.11,
    "fravaer_prosent (per prosentpoeng over 6)": -0.06,
    "kjonn=M": -0.25,
    "latent noise sd": 0.60,
}

PREVALENCE_RANGES: dict[str, tuple[float, float]] = {
    "fullfort_vgs_5aar": (0.74, 0.82),
    "neet_25": (0.09, 0.15),
    "uforetrygd": (0.012, 0.035),
    "tilbake_i_arbeid (blant uforetrygd)": (0.10, 0.55),
    "kjonn=K": (0.46, 0.54),
    "landbakgrunn=Norge": (0.77, 0.83),
    "landbakgrunn=Innvandrer": (0.10, 0.14),
    "landbakgrunn=Norskfødt med innvandrerforeldre": (0.06, 0.10),
    "foreldre_utdanning=Grunnskole": (0.13, 0.17),
    "foreldre_utdanning=Videregående": (0.37, 0.43),
    "foreldre_utdanning=Høyere": (0.42, 0.48),
    "husholdning_lavinntekt": (0.09, 0.13),
    "barnevern": (0.045, 0.075),
    "foreldre_trygd": (0.08, 0.12),
    "psykisk_helse_kontakt": (0.13, 0.17),
    "fnr D-number form": (0.01, 0.05),
    "kommune=3401": (0.30, 0.38),
    "mean grunnskolepoeng": (39.5, 42.5),
    "mean fravaer_prosent": (5.0, 7.0),
}
"""Ranges the generated shares must fall in at the default n (also used by the tests)."""

REGISTER_COLUMNS = [
    "fnr",
    "navn",
    "adresse",
    "telefon",
    "fodselsdato",
    "fodselsar",
    "kjonn",
    "kommune",
    "postnr",
    "landbakgrunn",
    "foreldre_utdanning",
    "husholdning_lavinntekt",
    "barnevern",
    "foreldre_trygd",
    "psykisk_helse_kontakt",
    "grunnskolepoeng",
    "fravaer_prosent",
    "vgs_skole",
    "nav_kontor",
    "fullfort_vgs_5aar",
    "neet_25",
    "uforetrygd",
    "tilbake_i_arbeid",
]
TRUTH_COLUMNS = [
    "fnr",
    "has_practice",
    "practice_source",
    "true_p_without_practice",
    "true_p",
    "high_risk",
    "planted_deviant",
]


@dataclass
class SyntheticRegister:
    """A synthetic raw register (``register``), the hidden truth per person (``truth``) and a JSON-able
    ``meta``."""

    register: pd.DataFrame
    truth: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        planted = self.meta.get("planted", {})
        return (
            f"SyntheticRegister(n={len(self.register)}, seed={self.meta.get('seed')}, synthetic=True, "
            f"planted kommune={planted.get('kommune')}, planted vgs_skole={planted.get('vgs_skole')!r})"
        )

    def summary(self) -> pd.DataFrame:
        """Observed shares next to the stated ranges, one row per quantity (for a quick look in a
        notebook)."""
        observed = self.meta["observed"]
        rows = [
            {
                "quantity": key,
                "observed": observed[key],
                "low": low,
                "high": high,
                "within": low <= observed[key] <= high,
            }
            for key, (low, high) in self.meta["prevalence_ranges"].items()
        ]
        return pd.DataFrame(rows)

    def unit_truth(self) -> pd.DataFrame:
        """Per unit: size, share with the practice and the true completion gain it causes (percentage
        points)."""
        return pd.DataFrame(self.meta["unit_truth"])


# ------------------------------------------------------------------------------------------- helpers
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _calibrated(score: np.ndarray, target: float) -> np.ndarray:
    """Probabilities ``sigmoid(a + score)`` with the intercept ``a`` chosen so their mean is ``target``.

    Calibrating on the generated sample keeps every prevalence on target whatever the mix of risk factors,
    so the stated ranges hold for any seed; bisection because the mean is monotone in ``a``.
    """
    sample = score[:200_000]  # plenty for a precise intercept; keeps a million rows fast
    low, high = -30.0, 30.0
    for _ in range(45):
        mid = (low + high) / 2
        if _sigmoid(mid + sample).mean() < target:
            low = mid
        else:
            high = mid
    return _sigmoid((low + high) / 2 + score)


def _choice(rng: np.random.Generator, options: list[str] | tuple[str, ...], weights, size: int) -> np.ndarray:
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    index = np.searchsorted(cumulative / cumulative[-1], rng.random(size), side="right")
    return np.asarray(options)[np.minimum(index, len(options) - 1)]


def _birth_years(n: int, birth_years: tuple[int, int]) -> tuple[int, int]:
    """Widen the cohort range backwards when ``n`` is too large for unique Tenor numbers in it.

    One birth date has about 400 (2000s) to 490 (1990s) valid individual numbers; keeping the fill under a
    half avoids long redraws. Only very large ``n`` (above about 440,000 for six cohorts) is affected.
    """
    first, last = birth_years
    while n > (last - first + 1) * 365 * 400 / 2:
        first -= 1
    return first, last


def tenor_numbers(born: np.ndarray, d_number: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unique synthetic identity numbers for birth dates ``born`` (``datetime64[D]``), vectorised.

    Same layout as :func:`toolkit.anonymise.identifiers.make_tenor_number`: always a Tenor month (+80), and
    for rows with ``d_number`` Tenor's D-number form (day + 40 as well); individual number in the range that
    fits
    the century (000–499 or 900–999 for 1940–1999, 500–999 from 2000); first check digit by the classic mod-11
    rule. Rows whose check digit would be 10, or whose number is already taken, are redrawn.
    """
    n = len(born)
    years = born.astype("datetime64[Y]").astype(int) + 1970
    months = born.astype("datetime64[M]").astype(int) % 12 + 1
    days = (born - born.astype("datetime64[M]")).astype(int) + 1
    day_part = days + np.where(d_number, 40, 0)
    month_part = months + 80  # always a Tenor month, so no generated number can be a real person's
    if (years < 1940).any():
        raise ValueError("birth years before 1940 are not generated")
    prefix6 = (day_part * 10_000 + month_part * 100 + years % 100).astype(np.int64)
    w1 = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])
    w2 = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
    result = np.zeros(n, dtype=np.int64)
    pending = np.arange(n)
    for _ in range(1000):
        if pending.size == 0:
            break
        y = years[pending]
        draw = rng.integers(0, 600, size=pending.size)
        individual = np.where(y >= 2000, 500 + draw % 500, np.where(draw < 500, draw, 400 + draw))
        first9 = prefix6[pending] * 1000 + individual
        digits = (first9[:, None] // 10 ** np.arange(8, -1, -1)) % 10
        k1 = (11 - (digits @ w1) % 11) % 11
        k2 = (11 - (digits @ w2[:9] + k1 * w2[9]) % 11) % 11
        result[pending] = np.where((k1 != 10) & (k2 != 10), first9 * 100 + k1 * 10 + k2, 0)
        # Earlier rows keep their number; a later row with the same number (or an invalid one) draws again.
        pending = np.flatnonzero((result == 0) | pd.Series(result).duplicated(keep="first").to_numpy())
    return pd.Series(result).astype(str).str.zfill(11).to_numpy(dtype=object)


# ------------------------------------------------------------------------------------------- the cohort
def make_register(
    n: int = 5000,
    seed: int = 2021,
    *,
    birth_years: tuple[int, int] = DEFAULT_BIRTH_YEARS,
    practice_share: Mapping[str, float] | None = None,
    success_intercept: float | None = None,
) -> SyntheticRegister:
    """Generate ``n`` synthetic young people (raw register with direct identifiers) and the truth behind them.

    Reproducible: the same ``n`` and ``seed`` give identical frames. ``birth_years`` is widened backwards
    automatically for very large ``n`` (see ``meta['birth_years']``) so identity numbers stay unique. The
    parts below draw from one generator in a fixed order: the same people as when this was one function.

    ``practice_share`` (keys as :data:`PRACTICE_SHARE`) and ``success_intercept`` are for several regions
    (:mod:`toolkit.synth.regions`): by default the completion intercept is calibrated so this cohort's mean
    is on target, which would hide a region's planted gain behind a lower intercept; regions share one fixed
    intercept instead, so a region with more of the practice does complete more often.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 10:
        raise ValueError(f"n must be an integer of at least 10, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    first_year, last_year = _birth_years(int(n), birth_years)
    rng = np.random.default_rng([int(seed), 1])
    people = _who_and_where(rng, n, first_year, last_year)
    people["practice_share"] = dict(PRACTICE_SHARE if practice_share is None else practice_share)
    people["success_intercept"] = success_intercept
    people.update(_risk_factors(rng, n, people))
    people.update(_units(rng, people))
    people.update(_practice(rng, n, people))
    people.update(_outcomes(rng, n, people))
    people.update(_direct_identifiers(rng, n, people))
    register, truth = _frames(people)
    meta = _meta(
        register, truth, n=int(n), seed=int(seed), years=(first_year, last_year), d_number=people["d_number"]
    )
    meta["planted"]["practice_share"] = people["practice_share"]
    if success_intercept is not None:
        meta["outcome_model"]["success_intercept"] = success_intercept
    return SyntheticRegister(register=register, truth=truth, meta=meta)


def _unpack(people: dict[str, Any], names: str) -> list[Any]:
    return [people[name] for name in names.split()]


def _who_and_where(rng: np.random.Generator, n: int, first_year: int, last_year: int) -> dict[str, Any]:
    """Municipality, sex, birth date, country background and postcode."""
    kommune_codes = list(nm.KOMMUNE_WEIGHTS)
    kommune = _choice(rng, kommune_codes, list(nm.KOMMUNE_WEIGHTS.values()), n)
    kjonn = np.where(rng.random(n) < 0.5, "K", "M")
    start = np.datetime64(f"{first_year}-01-01")
    span = (np.datetime64(f"{last_year + 1}-01-01") - start).astype(int)
    born = start + rng.integers(0, span, size=n).astype("timedelta64[D]")
    landbakgrunn = _choice(
        rng, ["Norge", "Innvandrer", "Norskfødt med innvandrerforeldre"], [0.80, 0.12, 0.08], n
    )
    postnr = np.empty(n, dtype=object)
    for code in kommune_codes:
        rows = np.flatnonzero(kommune == code)
        postnr[rows] = _choice(rng, list(nm.POSTNR[code]), list(nm.POSTNR[code].values()), rows.size)

    return {"kommune": kommune, "kjonn": kjonn, "born": born, "landbakgrunn": landbakgrunn, "postnr": postnr}


def _risk_factors(rng: np.random.Generator, n: int, people: dict[str, Any]) -> dict[str, Any]:
    """Risk factors, correlated through one latent disadvantage."""
    kommune, kjonn, landbakgrunn = _unpack(people, "kommune kjonn landbakgrunn")
    kommune_shift = {
        "3401": 0.0,
        "3414": 0.15,
        "3415": 0.05,
        "3416": 0.15,
        "3417": 0.20,
        "3418": 0.15,
        "3419": 0.10,
    }
    latent = rng.normal(size=n) + pd.Series(kommune).map(kommune_shift).to_numpy(dtype=float)
    latent += np.select(
        [landbakgrunn == "Innvandrer", landbakgrunn == "Norskfødt med innvandrerforeldre"], [0.3, 0.15], 0.0
    )
    education_score = 0.75 * latent + rng.normal(scale=0.66, size=n)
    low_cut, high_cut = np.quantile(education_score, [0.45, 0.85])
    foreldre_utdanning = np.where(
        education_score >= high_cut,
        "Grunnskole",
        np.where(education_score >= low_cut, "Videregående", "Høyere"),
    )
    grunnskole = foreldre_utdanning == "Grunnskole"
    lavinntekt = rng.random(n) < _calibrated(1.0 * latent + 0.6 * (landbakgrunn == "Innvandrer"), 0.11)
    barnevern = rng.random(n) < _calibrated(1.1 * latent, 0.06)
    trygd = rng.random(n) < _calibrated(0.9 * latent + 0.5 * grunnskole, 0.10)
    psyk = rng.random(n) < _calibrated(0.5 * latent + 0.3 * barnevern + 0.25 * (kjonn == "K"), 0.15)
    poeng = (
        43.0
        - 2.5 * latent
        - 3.0 * barnevern
        - 2.0 * psyk
        - 1.5 * lavinntekt
        - 1.5 * grunnskole
        + 1.5 * (kjonn == "K")
        + rng.normal(scale=6.8, size=n)
    )
    poeng = np.clip(poeng - poeng.mean() + 41.0, 10.0, 60.0).round(1)
    fravaer = np.exp(0.3 * latent + 0.4 * psyk + 0.2 * barnevern + rng.normal(scale=0.7, size=n))
    fravaer = np.clip(fravaer * 6.0 / fravaer.mean(), 0.0, 100.0).round(1)

    return {
        "latent": latent,
        "foreldre_utdanning": foreldre_utdanning,
        "grunnskole": grunnskole,
        "lavinntekt": lavinntekt,
        "barnevern": barnevern,
        "trygd": trygd,
        "psyk": psyk,
        "poeng": poeng,
        "fravaer": fravaer,
    }


def _units(rng: np.random.Generator, people: dict[str, Any]) -> dict[str, Any]:
    """School by catchment, tilted towards vocational schools for higher latent disadvantage; NAV office."""
    kommune, latent = _unpack(people, "kommune latent")
    n = len(kommune)
    kommune_codes = list(nm.KOMMUNE_WEIGHTS)
    school_tilt = np.array([-0.15, 0.15, 0.05, 0.05, 0.0])
    vgs_skole = np.empty(n, dtype=object)
    for code in kommune_codes:
        rows = np.flatnonzero(kommune == code)
        weights = np.asarray(nm.SKOLE_OPPTAK[code]) * np.exp(np.outer(latent[rows], school_tilt))
        cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
        pick = (rng.random(rows.size)[:, None] > cumulative).sum(axis=1).clip(0, len(nm.SKOLER) - 1)
        vgs_skole[rows] = np.asarray(nm.SKOLER)[pick]
    nav_kontor = pd.Series(kommune).map(nm.NAV_KONTOR).to_numpy(dtype=object)

    return {"vgs_skole": vgs_skole, "nav_kontor": nav_kontor}


def _practice(rng: np.random.Generator, n: int, people: dict[str, Any]) -> dict[str, Any]:
    """The hidden protective practice, planted in one municipality and one school."""
    kommune, vgs_skole = _unpack(people, "kommune vgs_skole")
    in_kommune = kommune == PLANTED_KOMMUNE
    in_skole = vgs_skole == PLANTED_SKOLE
    share = people["practice_share"]
    p_practice = np.full(n, share["baseline"])
    p_practice = np.where(in_kommune, 1 - (1 - p_practice) * (1 - share["planted_kommune"]), p_practice)
    p_practice = np.where(in_skole, 1 - (1 - p_practice) * (1 - share["planted_skole"]), p_practice)
    has_practice = rng.random(n) < p_practice
    practice_source = np.where(
        ~has_practice,
        "",
        np.where(
            in_kommune & in_skole,
            "kommune+skole",
            np.where(in_kommune, "kommune", np.where(in_skole, "skole", "annen")),
        ),
    )

    return {"has_practice": has_practice, "practice_source": practice_source}


def _outcomes(rng: np.random.Generator, n: int, people: dict[str, Any]) -> dict[str, Any]:
    """Outcomes from the risk factors and the practice; who is high-risk and a planted deviant."""
    grunnskole, foreldre_utdanning, lavinntekt, barnevern, trygd, psyk = _unpack(
        people, "grunnskole foreldre_utdanning lavinntekt barnevern trygd psyk"
    )
    poeng, fravaer, kjonn, has_practice, latent = _unpack(people, "poeng fravaer kjonn has_practice latent")
    c = SUCCESS_COEFFICIENTS
    score = (
        c["foreldre_utdanning=Grunnskole"] * grunnskole
        + c["foreldre_utdanning=Videregående"] * (foreldre_utdanning == "Videregående")
        + c["husholdning_lavinntekt"] * lavinntekt
        + c["barnevern"] * barnevern
        + c["foreldre_trygd"] * trygd
        + c["psykisk_helse_kontakt"] * psyk
        + c["grunnskolepoeng (per poeng over 41)"] * (poeng - 41.0)
        + c["fravaer_prosent (per prosentpoeng over 6)"] * (fravaer - 6.0)
        + c["kjonn=M"] * (kjonn == "M")
        + rng.normal(scale=c["latent noise sd"], size=n)
    )
    intercept = people["success_intercept"]
    true_p = (
        _calibrated(score + PRACTICE_LOGODDS * has_practice, OUTCOME_TARGETS["fullfort_vgs_5aar"])
        if intercept is None
        else _sigmoid(intercept + score + PRACTICE_LOGODDS * has_practice)
    )
    logit_true = np.log(true_p / (1 - true_p))
    true_p_without = _sigmoid(logit_true - PRACTICE_LOGODDS * has_practice)
    fullfort = rng.random(n) < true_p
    neet = rng.random(n) < _calibrated(
        2.3 * ~fullfort + 0.5 * psyk + 0.4 * latent - 0.3 * has_practice + rng.normal(scale=0.5, size=n),
        OUTCOME_TARGETS["neet_25"],
    )
    ufore = rng.random(n) < _calibrated(
        1.6 * psyk + 1.0 * ~fullfort + 0.5 * barnevern + 0.4 * latent, OUTCOME_TARGETS["uforetrygd"]
    )
    tilbake = pd.array(np.full(n, pd.NA), dtype="Int64")
    if ufore.any():
        back = rng.random(ufore.sum()) < _calibrated(
            1.2 * has_practice[ufore] + 0.5 * fullfort[ufore] - 0.5 * psyk[ufore],
            OUTCOME_TARGETS["tilbake_i_arbeid"],
        )
        tilbake[np.flatnonzero(ufore)] = back.astype(int)

    high_risk = (1 - true_p_without) >= np.quantile(1 - true_p_without, HIGH_RISK_QUANTILE)
    planted_deviant = high_risk & has_practice & fullfort

    return {
        "true_p": true_p,
        "true_p_without": true_p_without,
        "fullfort": fullfort,
        "neet": neet,
        "ufore": ufore,
        "tilbake": tilbake,
        "high_risk": high_risk,
        "planted_deviant": planted_deviant,
    }


def _direct_identifiers(rng: np.random.Generator, n: int, people: dict[str, Any]) -> dict[str, Any]:
    """Tenor identity numbers, names, addresses and phone numbers (all synthetic)."""
    born, kjonn = _unpack(people, "born kjonn")
    d_number = rng.random(n) < D_NUMBER_SHARE
    fnr = tenor_numbers(born, d_number, rng)
    fornavn = np.where(
        kjonn == "K",
        np.asarray(nm.FORNAVN_K, dtype=object)[rng.integers(0, len(nm.FORNAVN_K), n)],
        np.asarray(nm.FORNAVN_M, dtype=object)[rng.integers(0, len(nm.FORNAVN_M), n)],
    )
    etternavn = np.asarray(nm.ETTERNAVN, dtype=object)[rng.integers(0, len(nm.ETTERNAVN), n)]
    navn = fornavn + " " + etternavn
    husnummer = rng.integers(1, 120, size=n).astype(str).astype(object)
    bokstav = np.where(rng.random(n) < 0.12, np.asarray(list("ABC"), dtype=object)[rng.integers(0, 3, n)], "")
    adresse = (
        np.asarray(nm.GATENAVN, dtype=object)[rng.integers(0, len(nm.GATENAVN), n)]
        + " "
        + husnummer
        + bokstav
    )
    telefon = (np.where(rng.random(n) < 0.5, 4, 9) * 10_000_000 + rng.integers(0, 10_000_000, n)).astype(str)

    return {"d_number": d_number, "fnr": fnr, "navn": navn, "adresse": adresse, "telefon": telefon}


def _frames(people: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw register and the truth file, with their column types."""
    p = people
    fnr, navn, adresse, telefon, born, kjonn, kommune, postnr = _unpack(
        p, "fnr navn adresse telefon born kjonn kommune postnr"
    )
    landbakgrunn, foreldre_utdanning, lavinntekt, barnevern, trygd, psyk = _unpack(
        p, "landbakgrunn foreldre_utdanning lavinntekt barnevern trygd psyk"
    )
    poeng, fravaer, vgs_skole, nav_kontor, fullfort, neet, ufore, tilbake = _unpack(
        p, "poeng fravaer vgs_skole nav_kontor fullfort neet ufore tilbake"
    )
    has_practice, practice_source, true_p_without, true_p, high_risk, planted_deviant = _unpack(
        p, "has_practice practice_source true_p_without true_p high_risk planted_deviant"
    )
    register = pd.DataFrame(
        {
            "fnr": fnr,
            "navn": navn,
            "adresse": adresse,
            "telefon": telefon,
            "fodselsdato": np.datetime_as_string(born, unit="D"),
            "fodselsar": born.astype("datetime64[Y]").astype(int) + 1970,
            "kjonn": kjonn,
            "kommune": kommune,
            "postnr": postnr,
            "landbakgrunn": landbakgrunn,
            "foreldre_utdanning": foreldre_utdanning,
            "husholdning_lavinntekt": lavinntekt.astype(int),
            "barnevern": barnevern.astype(int),
            "foreldre_trygd": trygd.astype(int),
            "psykisk_helse_kontakt": psyk.astype(int),
            "grunnskolepoeng": poeng,
            "fravaer_prosent": fravaer,
            "vgs_skole": vgs_skole,
            "nav_kontor": nav_kontor,
            "fullfort_vgs_5aar": fullfort.astype(int),
            "neet_25": neet.astype(int),
            "uforetrygd": ufore.astype(int),
            "tilbake_i_arbeid": tilbake,
        }
    )
    text_columns = [
        "fnr",
        "navn",
        "adresse",
        "telefon",
        "fodselsdato",
        "kjonn",
        "kommune",
        "postnr",
        "landbakgrunn",
        "foreldre_utdanning",
        "vgs_skole",
        "nav_kontor",
    ]
    register = register.astype({col: "str" for col in text_columns})
    register = register.astype({"fodselsar": "int64"})
    truth = pd.DataFrame(
        {
            "fnr": register["fnr"],
            "has_practice": has_practice.astype(int),
            "practice_source": practice_source,
            "true_p_without_practice": true_p_without.round(6),
            "true_p": true_p.round(6),
            "high_risk": high_risk.astype(int),
            "planted_deviant": planted_deviant.astype(int),
        }
    ).astype({"practice_source": "str"})
    return register, truth


def _observed(register: pd.DataFrame, d_number: np.ndarray) -> dict[str, float]:
    ufore = register["uforetrygd"] == 1
    observed = {
        "fullfort_vgs_5aar": register["fullfort_vgs_5aar"].mean(),
        "neet_25": register["neet_25"].mean(),
        "uforetrygd": register["uforetrygd"].mean(),
        "tilbake_i_arbeid (blant uforetrygd)": register.loc[ufore, "tilbake_i_arbeid"].astype(float).mean()
        if ufore.any()
        else float("nan"),
        "kjonn=K": (register["kjonn"] == "K").mean(),
        "fnr D-number form": d_number.mean(),
        "kommune=3401": (register["kommune"] == "3401").mean(),
        "mean grunnskolepoeng": register["grunnskolepoeng"].mean(),
        "mean fravaer_prosent": register["fravaer_prosent"].mean(),
    }
    for value in ["Norge", "Innvandrer", "Norskfødt med innvandrerforeldre"]:
        observed[f"landbakgrunn={value}"] = (register["landbakgrunn"] == value).mean()
    for value in ["Grunnskole", "Videregående", "Høyere"]:
        observed[f"foreldre_utdanning={value}"] = (register["foreldre_utdanning"] == value).mean()
    for col in ["husholdning_lavinntekt", "barnevern", "foreldre_trygd", "psykisk_helse_kontakt"]:
        observed[col] = register[col].mean()
    return {key: round(float(value), 5) for key, value in observed.items()}


def _unit_truth(register: pd.DataFrame, truth: pd.DataFrame) -> list[dict[str, Any]]:
    """Per unit: the planted flag, practice share and the completion gain the practice causes there.

    Units other than the two planted ones have no effect of their own (their practice is the baseline share),
    but the ones that take many pupils from a planted unit inherit part of its gain; that is recorded here so
    an evaluation can tell a real find from spill-over. Observed-minus-expected compares a unit with the whole
    region, which includes the planted gain, so units with little of the practice sit *below* the regional
    mean: ``true_gain_vs_region_pp`` is the size a relative (funnel) analysis should find.
    """
    gain = truth["true_p"] - truth["true_p_without_practice"]
    regional = float(gain.mean())
    rows = []
    for unit_var in ["kommune", "vgs_skole", "nav_kontor"]:
        for unit, index in register.groupby(unit_var).groups.items():
            planted_via = ""
            if (unit_var == "kommune" and unit == PLANTED_KOMMUNE) or (
                unit_var == "nav_kontor" and unit == nm.NAV_KONTOR[PLANTED_KOMMUNE]
            ):
                planted_via = "kommune"  # NAV Eidskog serves exactly the planted municipality's people
            elif unit_var == "vgs_skole" and unit == PLANTED_SKOLE:
                planted_via = "skole"
            rows.append(
                {
                    "unit_var": unit_var,
                    "unit": str(unit),
                    "n": len(index),
                    "planted": bool(planted_via),
                    "planted_via": planted_via,
                    "practice_share": round(float(truth.loc[index, "has_practice"].mean()), 4),
                    "true_gain_pp": round(float(gain.loc[index].mean() * 100), 2),
                    "true_gain_vs_region_pp": round(float((gain.loc[index].mean() - regional) * 100), 2),
                    "observed": round(float(register.loc[index, "fullfort_vgs_5aar"].mean()), 4),
                }
            )
    return rows


def _meta(
    register: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    n: int,
    seed: int,
    years: tuple[int, int],
    d_number: np.ndarray,
) -> dict[str, Any]:
    return {
        "synthetic": True,
        "label": "SYNTETISKE DATA / SYNTHETIC DATA — no real person",
        "generator": "toolkit.synth.register.make_register",
        "n": n,
        "seed": seed,
        "birth_years": list(years),
        "planted": {
            "kommune": PLANTED_KOMMUNE,
            "kommune_navn": nm.KOMMUNER[PLANTED_KOMMUNE],
            "vgs_skole": PLANTED_SKOLE,
            "nav_kontor_same_as_kommune": nm.NAV_KONTOR[PLANTED_KOMMUNE],
            "practice": PRACTICE_DESCRIPTION,
            "practice_share": dict(PRACTICE_SHARE),
            "practice_logodds": PRACTICE_LOGODDS,
            "practice_assignment": "independent of risk; probability by municipality and school as in "
            "practice_share",
        },
        "outcome_model": {
            "fullfort_vgs_5aar": "logit P = calibrated intercept + success_coefficients + practice_logodds * "
            "practice",
            "success_coefficients": dict(SUCCESS_COEFFICIENTS),
            "neet_25": "logit P = a + 2.3*(not fullfort) + 0.5*psykisk_helse_kontakt + 0.4*latent - "
            "0.3*practice + N(0, 0.5)",
            "uforetrygd": "logit P = a + 1.6*psykisk_helse_kontakt + 1.0*(not fullfort) + 0.5*barnevern + "
            "0.4*latent",
            "tilbake_i_arbeid": "only for uforetrygd = 1 (else NA/empty): logit P = a + 1.2*practice + "
            "0.5*fullfort - 0.5*psyk",
            "targets": dict(OUTCOME_TARGETS),
        },
        "truth_columns": {
            "true_p": "probability of fullfort_vgs_5aar given risk factors, latent noise and the practice as "
            "assigned",
            "true_p_without_practice": "the same probability had the person not had the practice",
            "has_practice": "1 = had the hidden practice (not a register column)",
            "practice_source": "kommune / skole / kommune+skole / annen (baseline) / empty",
            "high_risk": f"1 = top {int(round((1 - HIGH_RISK_QUANTILE) * 100))} % of 1 - "
            f"true_p_without_practice",
            "planted_deviant": "high_risk & has_practice & fullfort_vgs_5aar",
        },
        "prevalence_ranges": {key: list(value) for key, value in PREVALENCE_RANGES.items()},
        "observed": _observed(register, d_number),
        "practice_share_by_kommune": {
            str(k): round(float(v), 4)
            for k, v in truth["has_practice"].groupby(register["kommune"].to_numpy()).mean().items()
        },
        "n_planted_deviants": int(truth["planted_deviant"].sum()),
        "unit_truth": _unit_truth(register, truth),
    }


# ------------------------------------------------------------------------------------------- documentation
_DICTIONARY = [
    (
        "fnr",
        "Fødselsnummer (syntetisk Tenor-nummer, måned + 80; ~3 % i D-nummerform, dag + 40) / national "
        "identity number (synthetic Tenor test number)",
        "text (11 digits)",
        "identifier",
    ),
    ("navn", "Fullt navn (syntetisk) / full name (synthetic)", "text", "identifier"),
    ("adresse", "Gateadresse (oppdiktet) / street address (invented)", "text", "identifier"),
    ("telefon", "Mobilnummer, 8 siffer / mobile phone number, 8 digits", "text", "identifier"),
    ("fodselsdato", "Fødselsdato (ÅÅÅÅ-MM-DD) / date of birth (ISO)", "text (date)", "quasi_identifier"),
    ("fodselsar", "Fødselsår / birth year (cohort)", "integer", "quasi_identifier"),
    ("kjonn", "Kjønn (K/M) / sex (F/M)", "category", "quasi_identifier"),
    (
        "kommune",
        "Bostedskommune, 4-sifret kommunenummer / municipality of residence (4-digit code)",
        "text (code)",
        "unit",
    ),
    ("postnr", "Postnummer / postcode", "text (code)", "quasi_identifier"),
    (
        "landbakgrunn",
        "Innvandringsbakgrunn / immigrant background (Norge, Innvandrer, Norskfødt med innvandrerforeldre)",
        "category",
        "quasi_identifier",
    ),
    (
        "foreldre_utdanning",
        "Foreldres høyeste utdanning / parents' highest education (Grunnskole, Videregående, Høyere)",
        "category",
        "risk_factor",
    ),
    (
        "husholdning_lavinntekt",
        "Vedvarende lavinntekt i husholdningen (0/1) / persistent low household income",
        "0/1",
        "risk_factor",
    ),
    ("barnevern", "Tiltak fra barnevernet (0/1) / child welfare measures", "0/1", "risk_factor"),
    (
        "foreldre_trygd",
        "Foreldre på langvarige trygdeytelser (0/1) / parents on long-term benefits",
        "0/1",
        "risk_factor",
    ),
    (
        "psykisk_helse_kontakt",
        "Kontakt med psykisk helsevern før 16 år (0/1) / mental-health service contact before 16",
        "0/1",
        "risk_factor",
    ),
    ("grunnskolepoeng", "Grunnskolepoeng (10–60) / lower-secondary grade points", "number", "risk_factor"),
    (
        "fravaer_prosent",
        "Fravær på ungdomsskolen i prosent / lower-secondary absence (%)",
        "number",
        "risk_factor",
    ),
    (
        "vgs_skole",
        "Videregående skole (oppdiktet navn) / upper-secondary school (fictional name)",
        "category",
        "unit",
    ),
    ("nav_kontor", "NAV-kontor for bostedskommunen / NAV office of the municipality", "category", "unit"),
    (
        "fullfort_vgs_5aar",
        "Fullført videregående innen fem år (1 = ja, det gode utfallet) / completed upper secondary within "
        "five years (1 = success)",
        "0/1",
        "outcome",
    ),
    (
        "neet_25",
        "Utenfor arbeid, utdanning og opplæring ved 25 år (1 = ja, det dårlige utfallet) / NEET at 25 (1 = "
        "bad outcome)",
        "0/1",
        "outcome",
    ),
    ("uforetrygd", "Har mottatt uføretrygd (0/1) / has received disability benefit", "0/1", "outcome"),
    (
        "tilbake_i_arbeid",
        "Blant uføretrygdede: helt eller delvis tilbake i arbeid (1/0); tom når uforetrygd = 0 / among those "
        "on disability benefit: back fully or partly in work; empty otherwise",
        "0/1 or empty",
        "outcome",
    ),
]


def data_dictionary() -> pd.DataFrame:
    """One row per register column: ``column, description`` (Norwegian / English), ``type`` and ``role``.

    ``role`` is identifier, quasi_identifier, risk_factor, unit, outcome or characteristic, which is what
    a protocol needs to decide what to drop, generalise, model and compare.
    """
    return pd.DataFrame(_DICTIONARY, columns=["column", "description", "type", "role"])


# ------------------------------------------------------------------------------------------- writing
__all__ = [
    "PLANTED_KOMMUNE",
    "PLANTED_SKOLE",
    "SyntheticRegister",
    "data_dictionary",
    "make_register",
    "tenor_numbers",
]
