"""Keyed pseudonyms, the key file, and the readers they depend on (property tests with hypothesis)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.anonymise.pseudonym import Key, load_or_create_key, normalise_ids, pseudonymise
from toolkit.errors import InputDataError, ProtocolError
from toolkit.io import read_csv_detected

KEY_A = Key(b"A" * 32)
KEY_B = Key(b"B" * 32)
ids = st.text(alphabet="0123456789", min_size=11, max_size=11)


# ----------------------------------------------------------------------------------------- keys
def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "study.key"
    key = load_or_create_key(path, forbidden_dirs=[tmp_path / "results", tmp_path / "repo"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key.secret) * 8 >= 256
    again = load_or_create_key(path, forbidden_dirs=[tmp_path / "results"])
    assert again == key and again.key_id == key.key_id
    assert key.secret.hex() not in repr(key) and "secret" not in repr(key)
    other = load_or_create_key(tmp_path / "keys" / "other.key")
    assert other.secret != key.secret and other.key_id != key.key_id


@pytest.mark.parametrize("inside", ["results", "repo"])
def test_key_inside_results_or_repository_is_refused(tmp_path: Path, inside: str) -> None:
    path = tmp_path / inside / "sub" / "k.key"
    with pytest.raises(ProtocolError, match="outside results/ and outside the repository"):
        load_or_create_key(path, forbidden_dirs=[tmp_path / "results", tmp_path / "repo"])
    assert not path.exists()


def test_readable_or_damaged_key_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    load_or_create_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(ProtocolError, match="chmod 600"):
        load_or_create_key(path)
    os.chmod(path, 0o600)
    path.write_text("not a key\n")
    with pytest.raises(ProtocolError, match="not a pdtk key"):
        load_or_create_key(path)
    path.write_text("pdtk-key-v1 abcd\n")
    with pytest.raises(ProtocolError, match="256 bits"):
        load_or_create_key(path)


# ----------------------------------------------------------------------------------------- pseudonyms
def test_pseudonym_is_the_keyed_hmac_of_the_digits_with_the_key_id() -> None:
    number = "01019912345"
    pid = pseudonymise(pd.Series([number]), KEY_A).iloc[0]
    prefix, body = pid.split("_")
    assert prefix == KEY_A.key_id and len(prefix) == 5
    expected = base64.b32encode(hmac.digest(KEY_A.secret, number.encode(), "sha256")[:10]).decode().lower()
    assert body == expected and len(body) * 5 >= 64
    plain = hashlib.sha256(number.encode()).hexdigest()
    assert plain[:16] not in pid  # never a plain hash


def test_missing_ids_stay_missing_and_floats_are_refused() -> None:
    out = pseudonymise(pd.Series(["01019912345", None, "", pd.NA], dtype=object), KEY_A)
    assert out.notna().tolist() == [True, False, False, False]
    assert out.name == "pid" and str(out.dtype).startswith("string")
    with pytest.raises(InputDataError, match="read as numbers.*as text"):
        pseudonymise(pd.Series([1019912345.0, 2.0], name="fnr"), KEY_A)


def test_a_million_pseudonyms_are_fast() -> None:
    import time

    values = pd.Series(np.char.zfill(np.arange(1_000_000).astype(str), 11))
    start = time.perf_counter()
    out = pseudonymise(values, KEY_A)
    assert out.is_unique
    assert time.perf_counter() - start < 20  # about 2 s on an idle core; generous for a shared machine


@settings(max_examples=100, deadline=None)
@given(st.lists(ids, min_size=1, max_size=30))
def test_same_key_same_pseudonym_and_linkable_across_files(values: list[str]) -> None:
    first = pseudonymise(pd.Series(values), KEY_A)
    shuffled = pseudonymise(pd.Series(values[::-1]), KEY_A)
    assert first.tolist() == shuffled.tolist()[::-1]
    assert first.nunique() == len(set(values))


@settings(max_examples=100, deadline=None)
@given(st.lists(ids, min_size=1, max_size=30, unique=True))
def test_another_key_gives_unrelated_pseudonyms(values: list[str]) -> None:
    a = pseudonymise(pd.Series(values), KEY_A)
    b = pseudonymise(pd.Series(values), KEY_B)
    bodies_a = {p.split("_")[1] for p in a}
    bodies_b = {p.split("_")[1] for p in b}
    assert not bodies_a & bodies_b
    assert {p.split("_")[0] for p in a} == {KEY_A.key_id} != {p.split("_")[0] for p in b}


@settings(max_examples=100, deadline=None)
@given(ids, st.sampled_from([" ", "-", ".", "  ", " - "]), st.integers(1, 10), st.booleans())
def test_pseudonym_is_invariant_to_typed_separators(number: str, sep: str, cut: int, pad: bool) -> None:
    typed = number[:cut] + sep + number[cut:]
    if pad:
        typed = f"  {typed} "
    assert normalise_ids(pd.Series([typed])).iloc[0] == number
    assert pseudonymise(pd.Series([typed]), KEY_A).iloc[0] == pseudonymise(pd.Series([number]), KEY_A).iloc[0]


# ----------------------------------------------------------------------------------------- readers
text_values = st.text(alphabet="abcæøåÆØÅé -_", min_size=1, max_size=12).map(str.strip).filter(bool)
frames = st.integers(1, 25).flatmap(
    lambda n: st.fixed_dictionaries(
        {
            "fnr": st.lists(ids, min_size=n, max_size=n),
            "navn": st.lists(text_values, min_size=n, max_size=n),
            "poeng": st.lists(
                st.floats(0, 60, allow_nan=False).map(lambda x: round(x, 2)), min_size=n, max_size=n
            ),
            "antall": st.lists(st.integers(-1000, 100000), min_size=n, max_size=n),
        }
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames)
def test_reader_round_trips_norwegian_excel_and_utf8_bom(tmp_path: Path, data: dict[str, list]) -> None:
    frame = pd.DataFrame(data)
    excel = tmp_path / "excel.csv"
    buffer = io.StringIO()
    frame.to_csv(buffer, sep=";", decimal=",", index=False)
    excel.write_bytes(buffer.getvalue().encode("cp1252"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(frame.to_csv(index=False).encode("utf-8-sig"))
    for path in (excel, bom):
        back = read_csv_detected(path, text_columns=["fnr"])
        assert list(back.columns) == list(frame.columns)
        assert back["fnr"].tolist() == frame["fnr"].tolist()  # leading zeros kept
        assert back["navn"].tolist() == frame["navn"].tolist()
        assert np.allclose(back["poeng"].astype(float), frame["poeng"])
        assert back["antall"].astype("int64").tolist() == frame["antall"].tolist()
        assert pseudonymise(back["fnr"], KEY_A).tolist() == pseudonymise(frame["fnr"], KEY_A).tolist()


def test_batch_hmac_equals_the_standard_library() -> None:
    """The copied-state HMAC gives exactly ``hmac.digest`` for every message."""
    from toolkit.anonymise._hashing.hmac_worker import hmac_sha256_list

    messages = [f"{i:011d}".encode() for i in range(5001)] + [b"", "æøå".encode()]
    digests = hmac_sha256_list(KEY_A.secret, messages, 10)
    assert len(digests) == 10 * len(messages)
    for i in (0, 17, 5000, len(messages) - 2, len(messages) - 1):
        assert digests[10 * i : 10 * (i + 1)] == hmac.digest(KEY_A.secret, messages[i], "sha256")[:10]


# ----------------------------------------------------------------------------------------- helper process
def _reference_pid(key: Key, value: str) -> str:
    body = base64.b32encode(hmac.digest(key.secret, value.encode(), "sha256")[:10]).decode().lower()
    return f"{key.key_id}_{body}"


@pytest.mark.parametrize(
    "secret", [b"A" * 32, b"L" * 100]
)  # a key longer than the SHA-256 block is hashed first
def test_helper_process_gives_the_same_pseudonyms_as_the_reference(
    monkeypatch: pytest.MonkeyPatch, secret: bytes
) -> None:
    from toolkit.anonymise import _hashing

    monkeypatch.setattr(_hashing, "HELPER_MIN", 1)
    calls: list[int] = []
    original = _hashing.hmac_in_helper
    monkeypatch.setattr(_hashing, "hmac_in_helper", lambda s, m, k: calls.append(len(m)) or original(s, m, k))
    key = Key(secret)
    values = pd.Series(
        ["01019912345", None, "31129954321", "01019912345", "æøå-ikke-et-nummer", "0"], dtype="string"
    )
    out = _hashing.pseudonymise(values, key)
    assert calls and calls[0] > 0  # really computed (in part) by the helper
    expected = [
        None if v is None else _reference_pid(key, v)
        for v in values.astype(object).where(values.notna(), None)
    ]
    assert [None if pd.isna(v) else v for v in out] == expected


def test_a_failing_helper_falls_back_to_hashing_in_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    from toolkit.anonymise import _hashing

    monkeypatch.setattr(_hashing, "HELPER_MIN", 1)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    values = pd.Series(["01019912345", "31129954321", "01019912346"], dtype="string")
    with pytest.raises((OSError, RuntimeError)):
        _hashing.hmac_in_helper(KEY_A.secret, pa_binary(values), 10)  # the helper cannot start …
    out = _hashing.pseudonymise(values, KEY_A)
    assert out.tolist() == [_reference_pid(KEY_A, v) for v in values]  # … and the answer is still right


def pa_binary(values: pd.Series) -> object:
    import pyarrow as pa

    return pa.array(values, type=pa.large_string()).cast(pa.large_binary())


@given(st.binary(min_size=0, max_size=40).map(lambda b: b[: len(b) // 10 * 10]))
@settings(max_examples=60, deadline=None)
def test_vectorised_base32_equals_the_standard_library(digests: bytes) -> None:
    from toolkit.anonymise._hashing.labels import base32_chars

    encoded = base32_chars(digests, len(digests) // 10)
    assert encoded.tobytes() == base64.b32encode(digests).lower()
