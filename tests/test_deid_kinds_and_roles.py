"""Lower-case firms by their kind word, a law firm and its founder, a name corrected with its kind word said
again, and a person named by a title or a role before "heiter". All names are invented."""

from __future__ import annotations

import pytest

from toolkit.deidentify import Deidentifier


@pytest.fixture(scope="module")
def found():
    d = Deidentifier()

    def run(text: str) -> set[tuple[str, str]]:
        return {(s.type, text[s.start : s.end]) for s in d.analyze(text)}

    return run


def test_firm_named_again_after_a_correction_keeps_its_kind(found) -> None:
    text = "d: han er snekker på rognstad bygg nei tveit bygg på hamar"
    assert ("ORG", "tveit bygg") in found(text)


def test_law_firm_and_its_founder(found) -> None:
    text = "d: vi har advokat trettvik fra advokatfirmaet trettvik og co og hun hjelper oss"
    spans = found(text)
    assert ("ORG", "advokatfirmaet trettvik og co") in spans
    assert ("PERSON", "trettvik") in spans


def test_a_role_before_heiter_names_the_word_after_it(found) -> None:
    spans = found("d: og advokaten min heiter Gunvor Rimstad, ho er flink")
    assert not [t for kind, t in spans if t == "heiter"]


def test_harbour_and_bank_are_kind_words(found) -> None:
    spans = found("d: han jobbar på grimstad havn og lånet er fra solvik bank")
    assert ("ORG", "grimstad havn") in spans
    assert ("ORG", "solvik bank") in spans


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("d: Ja, det var Randi – Randi Mork. Sytten. Hun går på skolen.", "Sytten"),
        ("d: Læraren min, han æ syttifem no og bur på Hovden.", "syttifem"),
        ("d: De er tvillinger, begge fjorten. Faren har butikk.", "fjorten"),
    ],
)
def test_ages_said_bare_in_dialect_or_of_two(found, text: str, age: str) -> None:
    assert ("ALDER", age) in found(text)


def test_arabic_particle_abd_joins_the_surname_after_a_role(found) -> None:
    spans = found("d: fastlegen er yasin abd al-rahim på legesenteret")
    assert ("PERSON", "yasin abd al-rahim") in spans


def test_contact_person_and_sunnmore_seie_name_someone(found) -> None:
    assert ("PERSON", "veronica") in found("d: der har eg ein kontaktperson veronica og ho er grei")
    assert ("PERSON", "kikki") in found("d: eg heite kristoffer men alle seie kikki eg bur her")


@pytest.mark.parametrize("text", ["d: eg må seie noko om det", "d: du må seie namnet ditt høgt"])
def test_nynorsk_infinitive_seie_names_nobody(found, text: str) -> None:
    assert not [kind for kind, _ in found(text) if kind == "PERSON"]


def test_doctor_surname_and_name_before_an_age(found) -> None:
    assert ("PERSON", "Berntsen") in found("d: Eg gjekk til fastlegen, dr. Berntsen på legesenteret, og fekk")
    assert ("PERSON", "ilyas") in found("d: to brødre og ilyas han er seksten han går på skulen")


@pytest.mark.parametrize(
    "text", ["d: og så han er seksten nå", "d: broren min han er tjue no", "d: Dr. Oslo er"]
)
def test_no_name_before_an_age_or_after_a_title_here(found, text: str) -> None:
    assert not [kind for kind, _ in found(text) if kind == "PERSON"]


def test_a_first_name_said_twice_takes_the_surname_before_a_pronoun(found) -> None:
    assert ("PERSON", "sigrid sigrid lund") in found("d: ho heiter sigrid sigrid lund ho er ung")
    assert ("PERSON", "ida ida") in found("d: ho heter ida ida bor her")  # no pronoun: no surname


def test_shipyard_and_youth_housing_are_kind_words(found) -> None:
    assert ("ORG", "ulstein verft") in found("d: eg va lærling på ulstein verft i to år")
    assert ("ORG", "hove ungdomsbolig") in found("d: det heter hove ungdomsbolig og der bur eg")
    assert not [k for k, _ in found("d: eg bur i ein kommunal ungdomsbolig no") if k == "ORG"]
