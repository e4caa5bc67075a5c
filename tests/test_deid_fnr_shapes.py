"""Fødselsnumre and ID numbers in the shapes people say and write them: any grouping, the personal part alone
after its cue, spoken digits over the interviewer's turn, and office reference codes. All numbers are invented
(the valid ones pass python-stdnum's check digits, so they stand for no one in these sentences)."""

from __future__ import annotations

import pytest

from toolkit.deidentify.identifiers import find_partial_fnr
from toolkit.deidentify.spoken import find_spoken_numbers


def _found(spans, text: str) -> list[tuple[str, str]]:
    return [(s.type, text[s.start : s.end]) for s in spans]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("D: På kortet står det 620 504 265 00, rart nok.\n", "620 504 265 00"),
        ("D: Skrevet som 14 03 09 438 30 på lappen.\n", "14 03 09 438 30"),
        ("D: Eg har det som 2307.1151.875 i telefonen.\n", "2307.1151.875"),
    ],
)
def test_eleven_digits_in_any_grouping_that_pass_the_check_digits(text: str, number: str):
    assert ("FNR", number) in _found(find_partial_fnr(text), text)


def test_eleven_digits_that_fail_the_check_digits_are_not_taken_without_a_cue():
    text = "D: Regninga var på 620 504 265 01 øre, sa de.\n"
    assert _found(find_partial_fnr(text), text) == []


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("I: Og de fem siste?\nD: 43830, tror jeg.\n", "43830"),
        ("D: De spør om personnummeret mitt, og det er 518 75.\n", "518 75"),
        ("D: Fødselsnummeret? Det er 230711 51857, nei vent, det er 51875 på slutten.\n", "51875"),
    ],
)
def test_the_personal_part_alone_after_its_cue(text: str, part: str):
    assert ("FNR", part) in _found(find_partial_fnr(text), text)


def test_five_digits_without_a_cue_or_as_an_amount_are_left():
    assert find_partial_fnr("D: Vi var 12000 på konserten.\n") == []
    text = "D: Personnummeret har jeg ikke, men lønna var 23500 kroner.\n"
    assert find_partial_fnr(text) == []


def test_spoken_personal_part_asked_for_in_the_interviewers_turn():
    text = "i: og de fem siste\nd: fire tre eh åtte tre null tror jeg\n"
    assert ("FNR", "fire tre eh åtte tre null") in _found(find_spoken_numbers(text), text)


def test_spoken_birth_date_and_personal_part_said_apart():
    text = "d: fødselsdatoen er fjorten null tre null ni og så eh fire tre åtte tre null\n"
    found = _found(find_spoken_numbers(text), text)
    assert ("FNR", "fjorten null tre null ni") in found
    assert ("FNR", "fire tre åtte tre null") in found


def test_a_number_cue_before_fewer_than_eight_digits_is_an_id_not_a_phone():
    text = "d: de sendte en søknad med nummer f g sju tre null en fire\n"
    assert ("ID", "f g sju tre null en fire") in _found(find_spoken_numbers(text), text)


def test_four_spoken_digits_after_a_cue_and_spelt_letters_are_a_reference():
    text = "d: jeg har en referanse fra dem b t fire åtte to sju\n"
    assert ("ID", "b t fire åtte to sju") in _found(find_spoken_numbers(text), text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("D: Saka har referanse AB-HUS-4471 hos dei.\n", "AB-HUS-4471"),
        ("D: Vedtaket heiter UIX-STIP-2026-118 på brevet.\n", "UIX-STIP-2026-118"),
        ("D: Medlemsnummeret er FKL 71 093, står det.\n", "FKL 71 093"),
        ("D: Kundenummeret mitt er BT-LN 8831.\n", "BT-LN 8831"),
        ("D: Vaktnummeret mitt er QZ-407 den uka.\n", "QZ-407"),
    ],
)
def test_office_reference_codes(text: str, code: str):
    from toolkit.deidentify.rules import NorwegianDetector

    found = _found(NorwegianDetector().find_ids(text), text)
    assert any(kind == "ID" and code in piece for kind, piece in found)


def test_a_capital_code_with_digits_but_no_number_cue_is_left():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "D: Vi så NRK 2024 på tv.\n"
    assert _found(NorwegianDetector().find_ids(text), text) == []


@pytest.mark.parametrize(
    ("text", "organisation"),
    [
        ("D: Eg fekk hjelp frå Lyd- og synstenesta i Åmot kommune.\n", "Lyd- og synstenesta i Åmot kommune"),
        (
            "D: Eg var hos Opplæringskontoret for bilfag i Telemark.\n",
            "Opplæringskontoret for bilfag i Telemark",
        ),
        ("D: Vi fikk brev fra barnevernet i bydel Sagene.\n", "barnevernet i bydel Sagene"),
    ],
)
def test_a_service_with_its_place_is_one_organisation(text: str, organisation: str):
    from toolkit.deidentify import Deidentifier

    found = [(s.type, text[s.start : s.end]) for s in Deidentifier().analyze(text)]
    assert ("ORG", organisation) in found


@pytest.mark.parametrize(
    "text", ["D: Ja. Søknadsnummeret står øverst.\n", "D: Saksbehandleren er 4 timer unna.\n"]
)
def test_a_compound_for_a_kind_of_number_or_case_worker_is_no_name(text: str):
    from toolkit.deidentify import Deidentifier

    found = [s.type for s in Deidentifier().analyze(text)]
    assert "PERSON" not in found and "ORG" not in found


def test_a_user_name_on_a_game_network():
    from toolkit.deidentify.identifiers import find_accounts_and_handles

    text = "D: På xbox heter jeg ulvehiet_42 der.\n"
    assert ("ID", "ulvehiet_42") in _found(find_accounts_and_handles(text), text)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("d: person nummer er 43830\n", "43830"),
        ("d: fødsels nummeret mitt er 140309 438\n", "140309 438"),
        ("D: Jeg sa 140309 43831, nei unnskyld, 43830.\n", "43830"),
    ],
)
def test_cue_words_split_by_speech_recognition_and_a_correction_after_a_whole_number(text: str, part: str):
    assert ("FNR", part) in _found(find_partial_fnr(text), text)


def test_a_whole_fodselsnummer_cues_a_corrected_part_said_in_words():
    text = "d: jeg sa 140309 43831 nei unnskyld fire tre åtte tre null\n"
    assert ("FNR", "fire tre åtte tre null") in _found(find_spoken_numbers(text), text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("d: kunde nummer er 3307 1190 52 tror jeg\n", "3307 1190 52"),
        ("d: elev nummer mitt var 661204\n", "661204"),
        ("d: henvisning nummer 8830417 står det\n", "8830417"),
        ("D: Referansen min er 70915.\n", "70915"),
        ("D: ID-en min hos dem er 60418.\n", "60418"),
        ("D: Vedtaket har nummer 31-0529.\n", "31-0529"),
        ("D: Avtalen fikk nr. 5518 i vår.\n", "5518"),
    ],
)
def test_a_compound_number_word_split_by_speech_recognition_is_an_id_cue(text: str, number: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert ("ID", number) in _found(NorwegianDetector().find_ids(text), text)


def test_a_chain_or_service_with_its_site_after_it_is_one_name():
    from toolkit.deidentify.org_context import ContextOrganisationFinder

    text = "d: jeg var innlagt på sykehuset østfold moltuberg en uke\n"
    found = _found(ContextOrganisationFinder().find(text), text)
    assert ("ORG", "sykehuset østfold moltuberg") in found


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("d: jeg bor i lindeveien elleve b nå\n", "lindeveien elleve b"),
        ("d: vi bodde i torvgata tjuesju c i to år\n", "torvgata tjuesju c"),
    ],
)
def test_a_spoken_house_number_takes_its_letter(text: str, address: str):
    from toolkit.deidentify.spoken import find_spoken_addresses

    found = _found(find_spoken_addresses(text, ("veien", "gata")), text)
    assert ("ADRESSE", address) in found


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("D: Onkelen min, han e treogsøtti no.\n", "treogsøtti"),
        ("D: Treneren vår, han er sånn førti tror jeg.\n", "førti"),
    ],
)
def test_ages_in_the_old_count_and_after_a_softener(text: str, age: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert ("ALDER", age) in _found(NorwegianDetector().find_ages(text), text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("D: Saka i forliksrådet har referanse FR-K-2019-0317 på brevet.\n", "FR-K-2019-0317"),
        ("d: broren min har bil tk 41 907 den er gammel\n", "tk 41 907"),
        ("d: han kjørte mopeden eb 12345 til byen\n", "eb 12345"),
    ],
)
def test_a_code_with_a_one_letter_part_and_a_lower_case_plate_after_its_vehicle(text: str, number: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert ("ID", number) in _found(NorwegianDetector().find_ids(text), text)


def test_a_plate_shape_after_a_vehicle_word_is_not_taken_from_an_amount():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "d: bilen er 20 000 kroner verdt\n"
    assert _found(NorwegianDetector().find_ids(text), text) == []


def test_a_partial_fodselsnummer_read_off_a_paper_well_after_its_cue():
    text = (
        "D: Vi bruker alltid fødselsnummer. Eg har eit gamalt skjema her, det meste er strøke over, "
        "men det står 140507 382 øverst.\n"
    )
    assert ("FNR", "140507 382") in _found(find_partial_fnr(text), text)


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("D: Eg e jo berre nitten, so eg veit ikkje.\n", "nitten"),
        ("D: Hun må få være femten og ikke et prosjekt.\n", "femten"),
        ("D: Teamet følger opp ungdom mellom 15 og 25 år her.\n", "15"),
        ("D: Teamet følger opp ungdom mellom 15 og 25 år her.\n", "25 år"),
        ("D: Poliklinikken tar bare de under 18.\n", "18"),
    ],
)
def test_ages_after_softeners_modal_verbs_and_a_service_age_range(text: str, age: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert ("ALDER", age) in _found(NorwegianDetector().find_ages(text), text)


def test_day_and_month_with_a_slash_after_an_appointment_word():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "D: Eg fekk ein ny time 17/11 hos fysioterapeuten, og dei har opent 24/7.\n"
    found = _found(NorwegianDetector().find_dates(text), text)
    assert ("DATO", "17/11") in found and ("DATO", "24/7") not in found


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("D: Ho trente på Olden Turn og IL i tre år.\n", "Olden Turn og IL"),
        ("D: Han låg på Valdres sjukestove ei veke.\n", "Valdres sjukestove"),
    ],
)
def test_two_branch_clubs_and_district_hospitals(text: str, org: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert any(
        kind == "ORG" and org in piece
        for kind, piece in _found(NorwegianDetector().find_organisations(text), text)
    )


def test_pronoun_like_dialect_words_are_no_names_after_thanks():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "I: Takk for praten.\nD: Takk sjølv.\n"
    assert ("PERSON", "sjølv") not in _found(NorwegianDetector().find_all(text), text)


def _valid_fnr(date: str) -> str:
    """An invented number with valid check digits for the given birth date (stands for no one here)."""
    from stdnum.no import fodselsnummer

    return next(
        n
        for i in range(100, 1000)
        for c in range(100)
        if fodselsnummer.is_valid(n := f"{date}{i:03d}{c:02d}")
    )


def test_a_fodselsnummer_read_aloud_with_a_pause_between_date_and_personal_part():
    words = ["null", "en", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni"]
    number = _valid_fnr("140306")
    said = (
        " ".join(words[int(d)] for d in number[:6]) + " og så " + " ".join(words[int(d)] for d in number[6:])
    )
    text = f"d: det er {said} tror jeg\n"
    assert ("FNR", said) in _found(find_spoken_numbers(text), text)


@pytest.mark.parametrize("joiner", [". ", "/"])
def test_a_fodselsnummer_split_by_a_full_stop_or_slash_passes_its_check_digits(joiner: str):
    number = _valid_fnr("221103")
    said = number[:6] + joiner + number[6:]
    text = f"D: Ja. {said}. Det står på kortet.\n"
    assert ("FNR", said) in _found(find_partial_fnr(text), text)


def test_spoken_number_words_read_as_their_digits():
    from toolkit.deidentify.spoken import _value

    assert [_value(w) for w in ("tjuefire", "nullåtte", "fjorten", "enogtjue", "731", "hundre")] == [
        "24",
        "08",
        "14",
        "21",
        "731",
        None,
    ]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("D: Brevet har referanse BYG/2023/4471 øverst.\n", "BYG/2023/4471"),
        ("D: Nummeret på søknaden er 2023-0098412, står det.\n", "2023-0098412"),
        ("D: Journalnummeret er K 48213, tror jeg.\n", "K 48213"),
    ],
)
def test_office_codes_with_slashes_year_serials_and_a_one_letter_prefix(text: str, number: str):
    from toolkit.deidentify.rules import NorwegianDetector

    found = _found(NorwegianDetector().find_ids(text), text)
    assert any(kind == "ID" and number in piece for kind, piece in found)


def test_a_year_range_is_no_year_serial():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "D: Hun gikk der 2019-2021 og likte det.\n"
    assert _found(NorwegianDetector().find_ids(text), text) == []


def test_a_firm_no_dictionary_knows_after_hos_without_a_workplace_cue():
    from toolkit.deidentify.org_context import ContextOrganisationFinder

    text = "d: jeg skylder fortsatt penger hos kravia og det er tungt\n"
    assert ("ORG", "kravia") in _found(ContextOrganisationFinder().find(text), text)


def test_an_ordinary_word_in_the_genitive_after_hos_is_no_firm():
    from toolkit.deidentify.org_context import ContextOrganisationFinder

    text = "d: han har en sak hos kommunens økonomitjeneste\n"
    assert ("ORG", "kommunens") not in _found(ContextOrganisationFinder().find(text), text)


def test_a_house_that_is_an_institution_takes_its_place_but_the_town_hospital_does_not():
    from toolkit.deidentify import Deidentifier

    deid = Deidentifier()
    text = "D: Hun går på aktivitetshuset i Sandnes hver uke, og faren lå på sykehuset på Elverum.\n"
    found = [(s.type, text[s.start : s.end]) for s in deid.analyze(text)]
    assert ("ORG", "aktivitetshuset i Sandnes") in found
    assert ("STED", "Elverum") in found


def test_date_part_and_personal_part_said_apart_are_both_taken_when_they_pass_the_check_digits():
    number = _valid_fnr("250804")
    text = f"D: Jeg sa {number[:6]}, og hun ville ha resten også, så jeg sa {number[6:]}.\n"
    found = _found(find_partial_fnr(text), text)
    assert ("FNR", number[:6]) in found and ("FNR", number[6:]) in found


def test_a_six_and_a_five_digit_number_that_fail_the_check_digits_are_left():
    text = "D: Vi solgte 250804 bokser i fjor og 10000 i år.\n"
    assert _found(find_partial_fnr(text), text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("d: ja mitt navn er samira el haddad og jeg bor her\n", "samira el haddad"),
        ("d: hun heter fatima al-rashid tror jeg\n", "fatima al-rashid"),
    ],
)
def test_a_lower_case_name_after_its_cue_takes_a_surname_particle(text: str, name: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert ("PERSON", name) in _found(NorwegianDetector().find_all(text), text)


def test_a_particle_before_an_ordinary_word_is_no_surname():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "d: han heter ali de kaller ham det\n"
    found = _found(NorwegianDetector().find_all(text), text)
    assert not any("de kaller" in piece for _, piece in found)


def test_a_day_said_as_a_cardinal_before_its_month():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "D: Eg fyller tjue tjuefire oktober, og to mars er ingen dato her.\n"
    found = _found(NorwegianDetector().find_dates(text), text)
    assert ("DATO", "tjuefire oktober") in found and ("DATO", "to mars") not in found


def test_an_age_followed_by_the_dialect_he_too():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "D: Kameraten min e nitten han og, me går i same klasse.\n"
    assert ("ALDER", "nitten") in _found(NorwegianDetector().find_ages(text), text)


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("d: jeg jobba på burger king lunden i et år\n", "burger king lunden"),
        ("d: hun jobber på rema sandbakken nå\n", "rema sandbakken"),
    ],
)
def test_a_chain_with_a_branch_that_is_also_a_word(text: str, org: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert ("ORG", org) in _found(NorwegianDetector().find_organisations(text), text)


@pytest.mark.parametrize(
    "text",
    ["d: jeg jobba på kiwi lenge\n", "d: det står på et ark heime\n", "d: brev i posten eller på e-post\n"],
)
def test_no_branch_after_a_chain_from_time_words_or_everyday_chain_names(text: str):
    from toolkit.deidentify.rules import NorwegianDetector

    found = _found(NorwegianDetector().find_organisations(text), text)
    assert not any(" " in piece for kind, piece in found if kind == "ORG")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("D: I brevet stod det at saka mi hadde nummer 14/2024-0772.\n", "14/2024-0772"),
        ("D: Hos NAV er det 31/208 4410, tror jeg.\n", "31/208 4410"),
        ("D: Og så har eg en sak på bostøtte, det e 2024-3391 tror eg.\n", "2024-3391"),
    ],
)
def test_case_numbers_with_a_year_inside_or_the_serial_in_groups(text: str, code: str):
    from toolkit.deidentify.rules import NorwegianDetector

    assert ("ID", code) in _found(NorwegianDetector().find_ids(text), text)


def test_a_year_range_is_no_case_number():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "D: Saken gikk fra 2019-2021, og i 2022-23 var det stille.\n"
    assert _found(NorwegianDetector().find_ids(text), text) == []


def test_a_phone_number_read_in_five_pairs_is_masked_whole():
    from toolkit.deidentify.rules import NorwegianDetector

    text = "D: Ring 47 93 41 22 87 etter klokka fire.\n"
    assert ("TELEFON", "47 93 41 22 87") in _found(NorwegianDetector().find_phone(text), text)


def test_a_spoken_email_domain_of_two_words_before_a_top_level_domain():
    from toolkit.deidentify.spoken import find_spoken_email

    text = "d: jeg sendte til post krøllalfa lier regnskap punktum no i går\n"
    assert [text[s.start : s.end] for s in find_spoken_email(text)] == [
        "post krøllalfa lier regnskap punktum no"
    ]


def test_a_user_name_after_the_english_word():
    from toolkit.deidentify.identifiers import find_accounts_and_handles

    text = "D: Usernamet mitt der er kveld_ulv77, bare så du vet.\n"
    assert "kveld_ulv77" in [text[s.start : s.end] for s in find_accounts_and_handles(text)]


def test_a_phone_number_read_in_english_digits_and_counting_left():
    text = "D: Mobil er nine-one, four-four, two-seven, one-three.\n"
    assert _found(find_spoken_numbers(text), text) == [
        ("TELEFON", "nine-one, four-four, two-seven, one-three")
    ]
    counted = "D: Vi telte en to tre fire fem seks sju, så løp vi.\n"
    assert _found(find_spoken_numbers(counted), counted) == []


def test_a_date_written_with_spaces_is_a_date_not_a_phone_number():
    from toolkit.deidentify.rules import NorwegianDetector

    d = NorwegianDetector()
    text = "D: På brevet står det 03 11 2008 øverst.\n"
    found = _found(d.find_phone(text) + d.find_dates(text), text)
    assert ("DATO", "03 11 2008") in found
    assert not [kind for kind, _ in found if kind == "TELEFON"]


def test_last_five_read_again_after_a_restart_keeps_its_cue() -> None:
    """A speaker breaks off the personal part and starts over; the new try is past the cue's reach, and the
    broken-off first try is the same number."""
    text = (
        "d: så spurte dama om de fem siste og jeg sa tre ni fem nei vent jeg må begynne på nytt "
        "tre ni fem en sju og da var det greit"
    )
    found = {text[s.start : s.end] for s in find_spoken_numbers(text) if s.type == "FNR"}
    assert found == {"tre ni fem", "tre ni fem en sju"}


def test_kid_handles_with_underscore_or_dot_and_mixed_case_numbers() -> None:
    """A KID in any grouping, user names no word is written like, and case numbers of digits and capitals;
    "COVID-19" and a web address are no identifiers."""
    from toolkit.deidentify.identifiers import find_accounts_and_handles

    text = (
        "d: regninga kom med KID 3107 5520 8841 og så betalte jeg. På snap er hun tindra_lia og jeg er "
        "oda.strand, og vi leste det på vg.no. Saken har nummer 2024-0733-OSL og jeg fikk COVID-19."
    )
    found = {text[s.start : s.end] for s in find_accounts_and_handles(text)}
    assert found == {"3107 5520 8841", "tindra_lia", "oda.strand", "2024-0733-OSL"}


def test_a_birth_date_written_with_dots_then_a_dash_and_the_personal_digits():
    from toolkit.deidentify import Deidentifier

    text = "Jeg skriver det uten å tenke: 21.07.04-33519. Og så telefonen."
    found = Deidentifier(engine="direct", spacy_model=None).analyze(text)
    start = text.index("21.07.04")
    assert any(s.start <= start and s.end >= start + len("21.07.04-33519") and s.type == "FNR" for s in found)
