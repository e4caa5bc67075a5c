"""Identity-number validation against python-stdnum where the rules overlap, and the kinds stdnum lacks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer as stdnum_fnr

from toolkit.anonymise.identifiers import (
    ANY,
    STRICT_REAL,
    IdentifierPolicy,
    check,
    check_digits,
    find_in_text,
    is_valid,
    make_tenor_number,
    valid_mask,
)

TODAY = dt.date.today()


def with_check_digits(first9: str, *, rule_2032: bool = False) -> list[str]:
    return [first9 + pair for pair in check_digits(first9, rule_2032=rule_2032)]


def random_first9(rng: np.random.Generator, *, day_shift: int = 0, month_shift: int = 0) -> str:
    born = dt.date(1940, 1, 1) + dt.timedelta(days=int(rng.integers(0, (TODAY - dt.date(1940, 1, 1)).days)))
    if born.year >= 2000:
        individual = int(rng.integers(500, 1000))
    else:
        individual = int(rng.choice([rng.integers(0, 500), rng.integers(900, 1000)]))
    return f"{born.day + day_shift:02d}{born.month + month_shift:02d}{born.year % 100:02d}{individual:03d}"


def numbers_of_kind(n: int, seed: int, **shift: int) -> list[str]:
    rng = np.random.default_rng(seed)
    out: list[str] = []
    while len(out) < n:
        out += with_check_digits(random_first9(rng, **shift))
    return out[:n]


# ----------------------------------------------------------------------------------------- against stdnum
@pytest.mark.parametrize(
    ("kind", "shift"), [("ordinary", {}), ("d_number", {"day_shift": 40}), ("h_number", {"month_shift": 40})]
)
def test_agrees_with_stdnum_on_valid_numbers(kind: str, shift: dict[str, int]) -> None:
    numbers = numbers_of_kind(300, seed=len(kind), **shift)
    for number in numbers:
        assert stdnum_fnr.is_valid(number), number
        result = check(number, ANY)
        assert result.valid and result.kind == kind
    assert valid_mask(pd.Series(numbers)).all()
    if kind != "h_number":
        assert all(is_valid(x, STRICT_REAL) for x in numbers)
    else:
        assert not any(is_valid(x, STRICT_REAL) for x in numbers)


def test_agrees_with_stdnum_on_random_digits() -> None:
    """Random 11-digit strings: where stdnum can judge (no Tenor month, no future date), the verdicts agree."""
    rng = np.random.default_rng(42)
    numbers = ["".join(map(str, row)) for row in rng.integers(0, 10, size=(20000, 11))]
    # plus near-misses of valid numbers: one digit changed
    for number in numbers_of_kind(2000, seed=5):
        pos = int(rng.integers(0, 11))
        numbers.append(
            number[:pos] + str((int(number[pos]) + int(rng.integers(1, 10))) % 10) + number[pos + 1 :]
        )
    no_2032 = IdentifierPolicy(tenor=False, rule_2032=False)
    compared = 0
    for number in numbers:
        if int(number[2:4]) > 80 or (int(number[0:2]) > 40 and 40 < int(number[2:4]) <= 80):
            continue  # Tenor months, and D+H combinations that stdnum accepts but no register issues
        ours = check(number, no_2032)
        if ours.birth_date is not None and ours.birth_date > TODAY:
            continue  # stdnum rejects people not yet born; a register of synthetic futures may hold them
        theirs = stdnum_fnr.is_valid(number)
        assert is_valid(number, no_2032) == theirs, number
        compared += 1
    assert compared > 12000
    mask = valid_mask(pd.Series(numbers), no_2032)
    assert mask.tolist() == [is_valid(x, no_2032) for x in numbers]


# ----------------------------------------------------------------------------------------- beyond stdnum
def test_tenor_numbers_are_valid_here_and_rejected_by_stdnum() -> None:
    rng = np.random.default_rng(3)
    for d_number in (False, True):
        for _ in range(200):
            born = dt.date(1990, 1, 1) + dt.timedelta(days=int(rng.integers(0, 8000)))
            number = make_tenor_number(born, rng, d_number=d_number)
            result = check(number)
            assert result.valid and result.kind == "tenor" and result.birth_date == born
            assert int(number[2:4]) > 80  # a Tenor month: cannot be a real person's number
            assert (int(number[0:2]) > 40) == d_number
            assert not stdnum_fnr.is_valid(number)
            assert not is_valid(number, STRICT_REAL)
            assert not is_valid(number, IdentifierPolicy(tenor=False))
    d_tenor = make_tenor_number(dt.date(2001, 5, 17), rng, d_number=True)
    assert not is_valid(d_tenor, IdentifierPolicy(d_number=False))


def test_2032_rule_accepts_first_check_digit_remainders_up_to_three() -> None:
    rng = np.random.default_rng(9)
    found = 0
    while found < 50:
        first9 = random_first9(rng)
        classic = set(check_digits(first9))
        extra = [p for p in check_digits(first9, rule_2032=True) if p not in classic]
        for pair in extra:
            number = first9 + pair
            assert is_valid(number, ANY) and not is_valid(number, IdentifierPolicy(rule_2032=False))
            assert not stdnum_fnr.is_valid(number)
            assert valid_mask(pd.Series([number]), ANY)[0]
            assert not valid_mask(pd.Series([number]), IdentifierPolicy(rule_2032=False))[0]
            found += 1


def test_d_and_h_combination_is_invalid_and_reasons_never_repeat_the_value() -> None:
    number = with_check_digits(random_first9(np.random.default_rng(1), day_shift=40, month_shift=40))
    for x in number:
        result = check(x)
        assert not result.valid and x not in result.reason
    assert check("123").reason == "not 11 digits"


def test_leading_zeros_and_separators() -> None:
    number = make_tenor_number(dt.date(2003, 1, 5), np.random.default_rng(0))
    assert number.startswith("0")
    assert (
        is_valid(number) and is_valid(f"{number[:6]} {number[6:]}") and is_valid(f"{number[:6]}-{number[6:]}")
    )
    assert not is_valid(number.lstrip("0"))
    assert not is_valid(int(number))  # a number read as an integer has lost its leading zero
    assert valid_mask(
        pd.Series([number, f"{number[:6]} {number[6:]}", number[1:], None, "abc"])
    ).tolist() == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_find_in_text() -> None:
    number = make_tenor_number(dt.date(2000, 2, 29), np.random.default_rng(2))
    text = f"Fnr {number[:6]} {number[6:]} og tlf 91234567, ref 12345678901234."
    spans = find_in_text(text)
    assert [text[a:b].replace(" ", "") for a, b in spans] == [number]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=11, max_size=11), st.booleans(), st.booleans(), st.booleans())
def test_vectorised_and_scalar_checks_agree(
    number: str, tenor: bool, h_number: bool, rule_2032: bool
) -> None:
    policy = IdentifierPolicy(tenor=tenor, h_number=h_number, rule_2032=rule_2032)
    assert bool(valid_mask(pd.Series([number]), policy)[0]) == is_valid(number, policy)
