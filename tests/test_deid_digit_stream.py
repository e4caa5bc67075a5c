"""Fødselsnumre read out in any shape, found by their digits (``toolkit.deidentify.digit_stream``). All numbers are
invented; the valid ones pass python-stdnum's check digits, so they stand for no one in these sentences."""

from __future__ import annotations

import pytest

from toolkit.deidentify.digit_stream import find_fnr_in_digit_stream


def _found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_fnr_in_digit_stream(text) if s.type == "FNR"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        # a hesitation with a few words inside one number: one span, fillers included
        (
            "D: sytten null tre ni åtte eh vent jeg må se eh en seks to fem tre ja\n",
            "sytten null tre ni åtte eh vent jeg må se eh en seks to fem tre",
        ),
        # dialect digit words and a teen, with a comma
        (
            "D: null tre null sæks ellve, to sæks sæks fæmm null\n",
            "null tre null sæks ellve, to sæks sæks fæmm null",
        ),
        # read in hundreds
        (
            "D: to hundre og tjue, sju hundre og fire, to hundre og syttitre, nitti\n",
            "to hundre og tjue, sju hundre og fire, to hundre og syttitre, nitti",
        ),
        # glued to its label (a D-nummer)
        ("D: I brevet sto det D-nr.63079912664 øverst.\n", "63079912664"),
        # digits and words mixed
        ("D: 17 03 98 en seks to fem tre\n", "17 03 98 en seks to fem tre"),
    ],
)
def test_eleven_digits_passing_the_check_digits_whatever_the_shape(text: str, number: str):
    assert number in _found(text)


def test_date_part_and_personal_part_over_the_interviewers_turn():
    text = "D: Den starter med 17 03 98\nI: Ja?\nD: 162 53\n"
    assert _found(text) == ["17 03 98", "162 53"]


def test_a_typo_counts_only_after_a_cue():
    assert _found("D: Fødselsnummeret mitt er 17039816254.\n") == ["17039816254"]
    assert _found("D: Det kosta 17039816254 til sammen.\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "D: Ring 41 22 33 44 eller 22 05 06 07, det koster 48 000 kroner.\n",
        "D: Kontonummeret mitt er 1207 33 58100, og org.nr. 914 778 265.\n",
        "D: Vi møttes klokka 14.15 den 12.03.2019, to og tjue minutter over.\n",
    ],
)
def test_no_fnr_in_phones_accounts_amounts_times_or_corrections(text: str):
    assert _found(text) == []


def test_a_number_and_its_correction_are_not_joined_into_one():
    # the corrected date part is still a date part of the number after the cue, so it is masked alone
    assert _found("D: Fødselsnummeret er en sju null tre nei vent, en sju null tre ni åtte\n") == [
        "en sju null tre ni åtte"
    ]


def test_a_birth_date_with_its_personal_part_masked():
    assert _found("D: På skjermen sto det «Fødselsnummer: 170398 *****».\n") == ["170398 *****"]
    assert _found("D: Koden var 999999 *****.\n") == []


def _found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_fnr_in_digit_stream(text)]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        # the personal part after a pause to look at the card, in words
        (
            "personnummeret er fjorten null to null seks eh nå må jeg finne kortet fram igjen sju en to null ni",
            ["fjorten null to null seks", "sju en to null ni"],
        ),
        # the personal part said again, corrected, after the whole number (check digits not met)
        ("D-nummer: 431198 ... 33 1 ... 7 2. Nei, det var ikke 33172, det var 33127.", ["33172", "33127"]),
        # the interviewer breaks in between the parts
        ("I: Fødselsnummeret ditt?\nU: 19 03 02, og så ...\nI: Ja?\nU: ... 584 19.", ["19 03 02", "584 19"]),
    ],
)
def test_parts_after_a_cue_whatever_the_check_digits(text: str, parts: list[str]):
    found = _found(text)
    assert all(any(part in piece for piece in found) for part in parts), found


@pytest.mark.parametrize(
    "text",
    [
        "Fødselsnummeret har jeg ikke her. Jeg fikk 12450 kroner i stønad og 18 000 i måneden fra NAV.",
        "Fødselsnummer står på brevet, og kontonummeret er 12345 i banken, sier de.",  # another number named
        "Hva er fødselsnummeret? Det husker jeg ikke, men vi bodde i 45 år på samme sted, i 12 400 dager.",
    ],
)
def test_amounts_and_other_numbers_after_a_cue_are_no_fnr_parts(text: str):
    assert _found(text) == []
