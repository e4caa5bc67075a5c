"""Tests for the synthetic register cohort and transcripts (toolkit.synth)."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from stdnum.no import fodselsnummer as stdnum_fnr

from toolkit.anonymise import identifiers
from toolkit.coding.segments import split_turns
from toolkit.io import read_table
from toolkit.synth import names as nm
from toolkit.synth.register import (
    PLANTED_KOMMUNE,
    PLANTED_SKOLE,
    REGISTER_COLUMNS,
    TRUTH_COLUMNS,
    _birth_years,
    data_dictionary,
    make_register,
    tenor_numbers,
)
from toolkit.synth.study import write_synthetic_study
from toolkit.synth.transcripts import (
    ADVISER,
    ALSO_CODES,
    CODE_IDS,
    GROUPS,
    PII_TYPES,
    YOUTH,
    make_transcripts,
)

RISK_FORMULA = (
    "fullfort_vgs_5aar ~ C(foreldre_utdanning) + husholdning_lavinntekt + barnevern + foreldre_trygd"
    " + psykisk_helse_kontakt + grunnskolepoeng + fravaer_prosent"
)


@pytest.fixture(scope="module")
def cohort():
    return make_register(5000, 2021)


@pytest.fixture(scope="module")
def transcripts():
    return make_transcripts(12, 2021)


# ------------------------------------------------------------------------------------------- identity numbers
def test_every_fnr_is_valid_unique_and_synthetic(cohort):
    fnr = cohort.register["fnr"]
    assert fnr.str.fullmatch(r"\d{11}").all()
    assert fnr.is_unique
    assert identifiers.valid_mask(fnr).all()
    checks = fnr.map(identifiers.check)
    assert {c.kind for c in checks} == {"tenor"}
    assert (fnr.str[2:4].astype(int) > 80).all()
    d_form = fnr.str[0].astype(int) >= 4
    low, high = cohort.meta["prevalence_ranges"]["fnr D-number form"]
    assert low <= d_form.mean() <= high
    # Under the policy for real registers (no Tenor numbers) none passes: none can be a real person's.
    assert not identifiers.valid_mask(fnr, identifiers.STRICT_REAL).any()
    # The birth date in the number is the register's fodselsdato.
    born = checks.map(lambda c: c.birth_date.isoformat())
    assert (born == cohort.register["fodselsdato"]).all()


def test_stdnum_rejects_every_synthetic_number(cohort):
    fnr = cohort.register["fnr"]
    d_form = fnr[fnr.str[0].astype(int) >= 4]
    sample = pd.concat([fnr.head(300), d_form.head(50)])
    assert len(d_form) > 0
    assert not any(stdnum_fnr.is_valid(v) for v in sample)


def test_vectorised_numbers_use_the_same_check_digits_as_make_tenor_number():
    rng = np.random.default_rng(3)
    born = np.datetime64("1995-01-01") + rng.integers(0, 8 * 365, size=2000).astype("timedelta64[D]")
    numbers = tenor_numbers(born, rng.random(2000) < 0.5, rng)
    for number in numbers[:500]:
        assert number[9:] == identifiers.check_digits(number[:9])[0]
        assert identifiers.check(number).kind == "tenor"
    assert identifiers.valid_mask(pd.Series(numbers)).all()
    assert len(set(numbers)) == len(numbers)


def test_cohort_range_widens_only_when_numbers_would_run_out():
    assert _birth_years(5000, (1996, 2001)) == (1996, 2001)
    first, last = _birth_years(1_000_000, (1996, 2001))
    assert last == 2001 and first < 1996
    assert (last - first + 1) * 365 * 400 / 2 >= 1_000_000


# ------------------------------------------------------------------------------------------- register content
def test_columns_types_and_codes(cohort):
    reg = cohort.register
    assert list(reg.columns) == REGISTER_COLUMNS
    assert list(cohort.truth.columns) == TRUTH_COLUMNS
    assert len(reg) == 5000
    assert reg["kommune"].isin(list(nm.KOMMUNER)).all()
    assert reg["kommune"].value_counts().idxmax() == "3401"
    assert all(p in nm.POSTNR[k] for k, p in zip(reg["kommune"], reg["postnr"], strict=True))
    assert reg["telefon"].str.fullmatch(r"[49]\d{7}").all()
    assert reg["adresse"].str.fullmatch(r"\S+ \d{1,3}[A-C]?").all()
    assert reg["navn"].str.split(" ").str[0].isin(set(nm.FORNAVN_K) | set(nm.FORNAVN_M)).all()
    assert reg["kjonn"].isin(["K", "M"]).all()
    assert reg["fodselsar"].between(1996, 2001).all()
    assert (reg["fodselsdato"].str[:4].astype(int) == reg["fodselsar"]).all()
    assert reg["vgs_skole"].isin(nm.SKOLER).all()
    assert (reg["nav_kontor"] == reg["kommune"].map(nm.NAV_KONTOR)).all()
    assert reg["grunnskolepoeng"].between(10, 60).all()
    assert (reg["fravaer_prosent"] >= 0).all()
    for col in ["fullfort_vgs_5aar", "neet_25", "uforetrygd", "barnevern", "husholdning_lavinntekt"]:
        assert set(reg[col].unique()) <= {0, 1}
    # tilbake_i_arbeid is defined only for those on disability benefit, empty otherwise.
    assert (reg["tilbake_i_arbeid"].isna() == (reg["uforetrygd"] == 0)).all()


@pytest.mark.parametrize("seed", [2021, 7])
def test_prevalences_within_the_stated_ranges(seed):
    cohort = make_register(5000, seed)
    summary = cohort.summary()
    assert summary["within"].all(), summary[~summary["within"]].to_dict("records")
    assert cohort.meta["synthetic"] is True
    assert cohort.meta["n"] == 5000 and cohort.meta["seed"] == seed
    json.dumps(cohort.meta)  # JSON-able


def test_risk_factors_predict_the_outcome(cohort):
    reg = cohort.register
    assert (
        reg.loc[reg["foreldre_utdanning"] == "Grunnskole", "grunnskolepoeng"].mean()
        < reg["grunnskolepoeng"].mean()
    )
    completed = reg.groupby("barnevern")["fullfort_vgs_5aar"].mean()
    assert completed[1] < completed[0] - 0.1
    neet = reg.groupby("fullfort_vgs_5aar")["neet_25"].mean()
    assert neet[0] > 3 * neet[1]


def test_reproducible_with_the_same_seed_and_different_with_another():
    a, b, c = make_register(800, 11), make_register(800, 11), make_register(800, 12)
    pd.testing.assert_frame_equal(a.register, b.register)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert a.meta == b.meta
    assert not a.register["fnr"].equals(c.register["fnr"])
    assert not a.register["fullfort_vgs_5aar"].equals(c.register["fullfort_vgs_5aar"])


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="n must be"):
        make_register(3)
    with pytest.raises(ValueError, match="seed must be"):
        make_register(100, seed="x")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- planted truth
def test_truth_is_consistent(cohort):
    reg, truth = cohort.register, cohort.truth
    assert (truth["fnr"] == reg["fnr"]).all()
    assert (truth["true_p"] >= truth["true_p_without_practice"] - 1e-6).all()
    no_practice = truth["has_practice"] == 0
    assert np.allclose(
        truth.loc[no_practice, "true_p"], truth.loc[no_practice, "true_p_without_practice"], atol=1e-5
    )
    assert truth["high_risk"].mean() == pytest.approx(0.25, abs=0.01)
    expected = (truth["high_risk"] == 1) & (truth["has_practice"] == 1) & (reg["fullfort_vgs_5aar"] == 1)
    assert (truth["planted_deviant"] == expected.astype(int)).all()
    assert truth["planted_deviant"].sum() == cohort.meta["n_planted_deviants"] > 20


def test_practice_is_planted_in_one_municipality_and_one_school_that_are_not_the_same_people(cohort):
    reg, truth = cohort.register, cohort.truth
    by_kommune = truth["has_practice"].groupby(reg["kommune"]).mean()
    assert by_kommune.idxmax() == PLANTED_KOMMUNE
    assert by_kommune[PLANTED_KOMMUNE] > 2 * by_kommune.drop(PLANTED_KOMMUNE).max()
    by_school = truth["has_practice"].groupby(reg["vgs_skole"]).mean()
    assert by_school.idxmax() == PLANTED_SKOLE
    pupils = reg[reg["vgs_skole"] == PLANTED_SKOLE]
    assert (pupils["kommune"] == PLANTED_KOMMUNE).mean() < 0.05
    assert cohort.meta["planted"]["kommune"] == PLANTED_KOMMUNE
    assert cohort.meta["planted"]["vgs_skole"] == PLANTED_SKOLE


def test_planted_units_do_better_than_their_intake_predicts(cohort):
    """A plain logit on the risk factors finds the planted units above expectation and no other unit."""
    reg = cohort.register
    model = smf.logit(RISK_FORMULA, data=reg).fit(disp=0)
    expected = model.predict(reg)
    for unit_var, planted in [("kommune", PLANTED_KOMMUNE), ("vgs_skole", PLANTED_SKOLE)]:
        frame = pd.DataFrame(
            {
                "unit": reg[unit_var],
                "o": reg["fullfort_vgs_5aar"],
                "e": expected,
                "v": expected * (1 - expected),
            }
        )
        sums = frame.groupby("unit").sum()
        z = (sums["o"] - sums["e"]) / np.sqrt(sums["v"])
        assert z[planted] >= 3, (unit_var, z.round(2).to_dict())
        assert (z.drop(planted) < 2.88).all(), (unit_var, z.round(2).to_dict())
    unit_truth = cohort.unit_truth()
    gains = unit_truth.set_index(["unit_var", "unit"])["true_gain_pp"]
    assert gains[("kommune", PLANTED_KOMMUNE)] == gains.loc["kommune"].max()
    assert gains[("vgs_skole", PLANTED_SKOLE)] == gains.loc["vgs_skole"].max()


def test_data_dictionary_describes_every_column():
    dictionary = data_dictionary()
    assert list(dictionary.columns) == ["column", "description", "type", "role"]
    assert list(dictionary["column"]) == REGISTER_COLUMNS
    roles = {"identifier", "quasi_identifier", "risk_factor", "unit", "outcome", "characteristic"}
    assert set(dictionary["role"]) <= roles
    assert set(dictionary.loc[dictionary["role"] == "identifier", "column"]) == {
        "fnr",
        "navn",
        "adresse",
        "telefon",
    }
    assert dictionary["description"].str.contains(" / ").all()  # Norwegian / English


# ------------------------------------------------------------------------------------------- transcripts
_SPAN_CHECKS = {
    "FNR": lambda v: identifiers.is_valid(v),
    "TELEFON": lambda v: re.fullmatch(r"(\+47 )?[49]\d{2} ?\d{2} ?\d{3}", v) is not None,
    "EPOST": lambda v: re.fullmatch(r"[a-z.]+\d*@example\.(com|org|net)", v) is not None,
    "DATO": lambda v: (
        re.fullmatch(r"\d{2}\.\d{2}\.\d{4}|\d{1,2}\. [a-z]+ \d{4}|[A-Za-zæøå]+ \d{4}", v) is not None
    ),
    "ALDER": lambda v: v.isdigit() and 10 <= int(v) <= 30,
    "ADRESSE": lambda v: v.rsplit(" ", 1)[0] in nm.GATENAVN and v.rsplit(" ", 1)[1].isdigit(),
    "STED": lambda v: any(v in places for places in nm.STEDER.values()),
    "ORGANISASJON": lambda v: v in set(nm.SKOLER) | set(nm.NAV_KONTOR.values()) | set(nm.ARBEIDSGIVERE),
    "PERSON": lambda v: (
        v.split(" ")[0] in set(nm.FORNAVN_K) | set(nm.FORNAVN_M)
        and all(part in nm.ETTERNAVN for part in v.split(" ")[1:])
    ),
}


def test_pii_spans_are_exact(transcripts):
    seen_types = set()
    for t in transcripts:
        previous_end = -1
        for span in sorted(t.pii_spans, key=lambda s: s["start"]):
            assert span["type"] in PII_TYPES
            assert 0 <= span["start"] < span["end"] <= len(t.text)
            assert span["start"] >= previous_end  # no overlaps
            previous_end = span["end"]
            value = t.text[span["start"] : span["end"]]
            assert value == value.strip()
            assert _SPAN_CHECKS[span["type"]](value), (t.name, span["type"], value)
            seen_types.add(span["type"])
        # Every identity number in the text is a labelled span.
        labelled = {(s["start"], s["end"]) for s in t.pii_spans if s["type"] == "FNR"}
        assert set(identifiers.find_in_text(t.text)) <= labelled
    assert seen_types == set(PII_TYPES)


def test_codes_refer_to_participant_turns(transcripts):
    assert [t.name for t in transcripts] == [f"intervju_{i:02d}.txt" for i in range(1, 13)]
    for t in transcripts:
        turns = split_turns(t.text, t.name)
        assert turns["role"].iloc[0] == "interviewer"  # the header is not a turn
        assert turns["text"].str.len().gt(0).all()
        assert t.group in GROUPS
        assert t.codes
        for code in t.codes:
            assert code["code_id"] in CODE_IDS
            turn = turns[turns["turn_index"] == code["turn_index"]]
            assert len(turn) == 1 and turn["role"].iloc[0] == "participant"


def test_second_codes_refer_to_real_templates():
    templates = {t for bank in YOUTH.values() for side in bank.values() for t in side}
    templates |= {t for bank in ADVISER.values() for t in bank}
    assert set(ALSO_CODES) <= templates
    assert {code for codes in ALSO_CODES.values() for code in codes} <= set(CODE_IDS)


def test_groups_and_theme_differences():
    transcripts = make_transcripts(24, 5)
    groups = pd.Series([t.group for t in transcripts]).value_counts()
    assert groups["veileder"] == 6 and groups["positivt_avvik"] == 9 and groups["sammenligning"] == 9
    rows = [{"group": t.group, "code_id": c["code_id"]} for t in transcripts for c in t.codes]
    share = pd.crosstab(pd.DataFrame(rows)["code_id"], pd.DataFrame(rows)["group"], normalize="columns")
    protective = ["relasjoner", "kontinuitet", "medvirkning", "egen_mestring"]
    barriers = ["systembarrierer", "psykisk_helse"]
    assert share.loc[protective, "positivt_avvik"].sum() > share.loc[protective, "sammenligning"].sum() + 0.15
    assert share.loc[barriers, "sammenligning"].sum() > share.loc[barriers, "positivt_avvik"].sum() + 0.15


def test_transcripts_are_reproducible():
    a, b, c = make_transcripts(4, 9), make_transcripts(4, 9), make_transcripts(4, 10)
    assert [t.text for t in a] == [t.text for t in b]
    assert [t.pii_spans for t in a] == [t.pii_spans for t in b]
    assert [t.text for t in a] != [t.text for t in c]
    with pytest.raises(ValueError, match="n must be"):
        make_transcripts(0)


# ------------------------------------------------------------------------------------------- writing
def test_write_synthetic_study_writes_every_file(tmp_path):
    written = write_synthetic_study(tmp_path, n=600, seed=3, n_transcripts=5)
    expected = {
        "register.csv",
        "README.txt",
        "transcript_groups.csv",
        "truth/register_truth.csv",
        "truth/meta.json",
        "truth/transcripts_pii.jsonl",
        "truth/transcripts_codes.csv",
        *(f"transcripts/intervju_{i:02d}.txt" for i in range(1, 6)),
    }
    files = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert files == expected
    assert {str(p.relative_to(tmp_path)) for p in written.values()} == expected
    assert "synthetic" in (tmp_path / "README.txt").read_text().lower()

    register = read_table(tmp_path / "register.csv", text_columns=["fnr"])
    assert len(register) == 600 and list(register.columns) == REGISTER_COLUMNS
    assert identifiers.valid_mask(register["fnr"]).all()
    meta = json.loads((tmp_path / "truth" / "meta.json").read_text())
    assert meta["synthetic"] is True and meta["planted"]["kommune"] == PLANTED_KOMMUNE
    truth = pd.read_csv(tmp_path / "truth" / "register_truth.csv", dtype={"fnr": str})
    assert (truth["fnr"] == register["fnr"]).all()

    groups = pd.read_csv(tmp_path / "transcript_groups.csv")
    assert list(groups.columns) == ["source", "group"] and len(groups) == 5
    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "transcripts").iterdir()}
    lines = (tmp_path / "truth" / "transcripts_pii.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        span = json.loads(line)
        assert set(span) == {"source", "start", "end", "type"}
        value = texts[span["source"]][span["start"] : span["end"]]
        assert _SPAN_CHECKS[span["type"]](value)
    codes = pd.read_csv(tmp_path / "truth" / "transcripts_codes.csv")
    assert list(codes.columns) == ["source", "turn_index", "code_id"]
    for source, rows in codes.groupby("source"):
        n_turns = len(split_turns(texts[source], source))
        assert rows["turn_index"].between(0, n_turns - 1).all()
