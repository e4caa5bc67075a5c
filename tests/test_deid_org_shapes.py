"""Organisations found by their shape or context, and numbers read off cards (invented text only)."""

from __future__ import annotations

import pytest

from toolkit.deidentify import Deidentifier
from toolkit.deidentify.org_shapes import ShapeOrganisationFinder


@pytest.fixture(scope="module")
def rules() -> Deidentifier:
    return Deidentifier(engine="direct", spacy_model=None)


@pytest.fixture(scope="module")
def shapes() -> ShapeOrganisationFinder:
    return ShapeOrganisationFinder()


def _found(deid: Deidentifier, text: str) -> list[str]:
    return [text[s.start : s.end] for s in deid.analyze(text)]


def _covered(deid: Deidentifier, text: str, piece: str) -> bool:
    start = text.index(piece)
    return any(s.start <= start and s.end >= start + len(piece) for s in deid.analyze(text))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Søstera mi jobbar på Fjordglimt kafé om sommaren.", "Fjordglimt kafé"),
        ("Vi spelte konsert på Heggvik kulturhus i fjor.", "Heggvik kulturhus"),
        ("Han har Torbjørns Lakk & Lim i sentrum.", "Torbjørns Lakk & Lim"),
        ("Onkel driv Moen Bil og Båt ved kaia.", "Moen Bil og Båt"),
        ("Ho er med i Husflidslaget i Ørsta kvar veke.", "Husflidslaget i Ørsta"),
        ("Naboen, Torill, selger Torill sin Honningbu på torget.", "Torill sin Honningbu"),
        ("Han er lærling hos Dekk og Felg Pedersen nå.", "Dekk og Felg Pedersen"),
    ],
)
def test_capitalised_names_by_shape(rules, text, name):
    assert _covered(rules, text, name)


def test_shape_rules_leave_sentence_starts_and_persons(shapes):
    text = "Skolen i Bø var fin. Kari skole? Nei. Kafé var stengt."
    assert shapes.find(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Eg var innlagd på Nordvik sjukehus, psykiatrisk akuttmottak. Så heim.",
            "Nordvik sjukehus, psykiatrisk akuttmottak",
        ),
        ("Han fekk hjelp frå Tysvær kommune, ungdomsteamet, i fjor.", "Tysvær kommune, ungdomsteamet"),
        (
            "Ho var på Innlandet sykehus, avdeling for rus og avhengighet, i to veker.",
            "avdeling for rus og avhengighet",
        ),
    ],
)
def test_institution_with_its_unit_after_a_comma_is_one_name(rules, text, name):
    assert name in _found(rules, text) or _covered(rules, text, name)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("d: eg har gått hos sande dps ei stund", "sande dps"),
        ("d: eg er med i stryn turn og idrettslag", "stryn turn og idrettslag"),
        ("d: firmaet heiter gloppen trevare på papiret", "gloppen trevare"),
        ("d: han har eit firma i bygda kjell moen bygg as og han", "bygg as"),
        ("d: ja på nordhagen videregående skole i fjor", "nordhagen videregående skole"),
        ("d: dei sende meg til fretex nord på eit kurs", "fretex nord"),
    ],
)
def test_lower_case_organisations_by_context(rules, text, name):
    assert _covered(rules, text, name)


def test_generic_service_compounds_and_turn_changes_are_no_names():
    deid = Deidentifier(engine="direct")
    text = "I: Kva med NAV-saken?\nD: Litt. Eg har ein BUP-time neste veke.\n"
    found = _found(deid, text)
    assert not any("\n" in f or f.startswith(".") for f in found)
    assert "NAV-saken" not in found and "BUP-time" not in found


def test_the_how_of_dialects_is_no_name():
    deid = Deidentifier(engine="direct")
    text = "I: Kåssen går det?\nD: Bra.\nI: Korsn har du det?\nD: Fint.\n"
    assert _found(deid, text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Ho har eit elevnummer, 7730215, som står på alt.", "7730215"),
        ("Han viste eit adgangskort med 00917734 på.", "00917734"),
        ("Studentkortet der det står 5528190 ligg heime.", "5528190"),
    ],
)
def test_numbers_by_their_card_or_after_a_comma(rules, text, number):
    assert _covered(rules, text, number)


def test_a_card_with_an_amount_is_no_id(rules):
    assert not any(c.isdigit() for f in _found(rules, "Eg betalte med kortet med 500 kroner på.") for c in f)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Han går på Nordmo videregående skole og fiskeriskole no.",
            "Nordmo videregående skole og fiskeriskole",
        ),
        ("Ho er lærling på Lindheim bo- og omsorgssenter.", "Lindheim bo- og omsorgssenter"),
        ("Dei er i Valnes kommunes oppfølgingstjeneste begge to.", "Valnes kommunes oppfølgingstjeneste"),
        ("Vi går i Sankt Olga ortodokse menighet kvar sundag.", "Sankt Olga ortodokse menighet"),
    ],
)
def test_coordinated_and_qualified_institutions(rules, text, name):
    assert _covered(rules, text, name)


def test_a_turn_change_inside_a_model_entity_keeps_the_name_after_it():
    deid = Deidentifier(engine="direct")
    text = "I: Kva heiter du?\nD: Eg heiter Torgrim Åsvoll.\nI: Korleis var skulen?\nR: Fin.\n"
    found = _found(deid, text)
    assert "Torgrim Åsvoll" in found
    assert all("\n" not in f and ":" not in f for f in found)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("d: han har løyvenummer k sju to fire og kjører natt", "k sju to fire"),
        ("d: leigekontraktnummeret er h l b tusen og fem", "h l b tusen og fem"),
    ],
)
def test_short_spoken_codes_with_spelt_letters_after_a_number_word(rules, text, code):
    assert _covered(rules, text, code)


def test_a_spoken_sum_after_a_number_word_stays(rules):
    text = "d: løyvenummeret e ikkje viktig men det kosta tolv tusen og fem"
    assert "tolv tusen og fem" not in " ".join(_found(rules, text))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("d: eg var på tiltak hos kurshuset hedmarken i fjor", "kurshuset hedmarken"),
        ("d: det gjekk gjennom opplæringskontoret i nord-trøndelag", "opplæringskontoret i nord-trøndelag"),
        ("d: eg var hos psykolog på bergen kommunale legevakt", "bergen kommunale legevakt"),
        ("R: Han fikk jobb hos Lunde Tre og Bygg i vår.", "Lunde Tre og Bygg"),
    ],
)
def test_workplaces_regions_and_municipal_services(rules, text, name):
    assert _covered(rules, text, name)


def test_a_municipal_school_without_a_place_is_no_name(rules):
    assert _found(rules, "d: han går på en kommunal skole no") == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("På vedtaket står det 4471902 øvst.", "4471902"),
        ("Det står KL-55190 på kortet hennar.", "KL-55190"),
        ("Han har 00731946 på seg heile tida.", "00731946"),
    ],
)
def test_numbers_read_off_a_paper_or_card_without_a_number_word(rules, text, number):
    assert _covered(rules, text, number)


@pytest.mark.parametrize(
    "text", ["Det står 150 000 på kontoen.", "På lappen står det 12500 kroner.", "Det står 2019 på lappen."]
)
def test_amounts_and_years_read_off_a_paper_stay(rules, text):
    assert not any(s.type == "ID" for s in rules.analyze(text))


def test_an_office_named_for_its_field_then_its_region(rules):
    text = "Han fekk kontrakt gjennom Opplæringskontoret for byggfag Hedmarken i fjor."
    assert _covered(rules, text, "Opplæringskontoret for byggfag Hedmarken")


@pytest.mark.parametrize("age", ["femtan", "syttan", "attan"])
def test_western_dialect_teens_are_ages(rules, age):
    text = f"Eg flytta ut då eg va {age}. Det var tøft."
    assert any(s.type == "ALDER" and text[s.start : s.end] == age for s in rules.analyze(text))


def test_a_national_service_after_a_comma_is_a_list_item_not_a_unit(rules):
    text = "Jeg hadde NAV Solør, oppfølgingstjenesten, fastlegen og en sykepleier rundt meg."
    assert _covered(rules, text, "NAV Solør")
    assert not _covered(rules, text, "oppfølgingstjenesten")  # national services stay (generic_services.txt)
    assert _covered(
        rules, "Jeg var på Haugesund sjukehus, psykiatrisk akuttmottak.", "psykiatrisk akuttmottak"
    )


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("d: lønna går inn på konto i hallingdal sparebank det er greit\n", "hallingdal sparebank"),
        ("d: eg fekk ny bankbrikke frå sparebank 1 nordmøre i går\n", "sparebank 1 nordmøre"),
        ("D: Pengene står i SpareBank 1 BV nå.\n", "SpareBank 1 BV"),
        ("D: Eg spelar i Lindeberg skolekorps og syng i Lia ungdomskor.\n", "Lia ungdomskor"),
        ("D: Vi går i Tigrinja ortodoks menighet på søndager.\n", "Tigrinja ortodoks menighet"),
        ("D: Jeg har time på Poliklinikk for ADHD/ADD neste uke.\n", "Poliklinikk for ADHD/ADD"),
    ],
)
def test_banks_choirs_congregations_and_clinics_by_their_shape(
    shapes: ShapeOrganisationFinder, text: str, name: str
):
    assert name in [text[s.start : s.end] for s in shapes.find(text)]


def test_a_savings_bank_said_of_no_bank_in_particular_is_left(shapes: ShapeOrganisationFinder):
    text = "D: Jeg har litt penger i sparebanken, og mamma har i en annen sparebank.\n"
    assert [text[s.start : s.end] for s in shapes.find(text)] == []
