"""Small-cell suppression and the output leak guard (synthetic data only)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.anonymise.identifiers import STRICT_REAL, make_tenor_number
from toolkit.disclosure import DisclosurePolicy, LeakGuard, suppress_small_cells, table_note
from toolkit.errors import DisclosureError
from toolkit.io import staged_output

RNG = np.random.default_rng(7)
SYNTHETIC_FNR = [
    make_tenor_number(dt.date(2001, 1, 1) + dt.timedelta(days=int(d)), RNG) for d in range(0, 400, 4)
]


# ----------------------------------------------------------------------------------------- suppression
def test_primary_suppression_hides_small_counts_and_shows_zeros() -> None:
    table = pd.DataFrame({"kommune": list("abcdef"), "n": [0, 1, 4, 5, 6, 30]})
    out = suppress_small_cells(table, min_cell=5, count_cols=["n"], group_cols=None)
    assert out["n"].isna().tolist() == [False, True, True, False, False, False]
    assert out["n"].iloc[0] == 0
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]
    assert str(out["n"].dtype) == "Int64"
    assert table["n"].tolist() == [0, 1, 4, 5, 6, 30]  # input untouched


def test_complement_and_small_total_and_derived_rate() -> None:
    table = pd.DataFrame({"kommune": ["a", "b", "c"], "n": [20, 3, 50], "n_success": [18, 1, 30]})
    table["rate"] = table["n_success"] / table["n"]
    out = suppress_small_cells(
        table,
        min_cell=5,
        count_cols=["n_success"],
        total_col="n",
        derived={"rate": ["n_success", "n"]},
        group_cols=None,
    )
    # a: complement 20 - 18 = 2 discloses the two who did not succeed
    assert pd.isna(out.loc[0, "n_success"]) and out.loc[0, "n"] == 20 and pd.isna(out.loc[0, "rate"])
    # b: total below min_cell hides the whole row
    assert out.loc[1, ["n", "n_success", "rate"]].isna().all()
    assert out.loc[2, "n_success"] == 30 and out.loc[2, "rate"] == pytest.approx(0.6)
    assert out["suppressed"].tolist() == [True, True, False]


def test_secondary_suppression_in_a_group_hides_the_next_smallest() -> None:
    table = pd.DataFrame(
        {"kommune": ["a", "a", "a", "b", "b"], "kjonn": ["K", "M", "X", "K", "M"], "n": [3, 9, 40, 12, 14]}
    )
    out = suppress_small_cells(table, min_cell=5, count_cols=["n"], group_cols=["kommune"])
    assert out["n"].isna().tolist() == [True, True, False, False, False]


def test_whole_table_is_one_group_by_default() -> None:
    table = pd.DataFrame({"kommune": ["a", "b", "c"], "n": [2, 7, 50]})
    assert out_na(suppress_small_cells(table, min_cell=5, count_cols=["n"])) == [True, True, False]
    assert out_na(suppress_small_cells(table, min_cell=5, count_cols=["n"], group_cols=None)) == [
        True,
        False,
        False,
    ]


def out_na(frame: pd.DataFrame) -> list[bool]:
    return frame["n"].isna().tolist()


def test_parts_of_a_row_total_are_protected_row_wise() -> None:
    table = pd.DataFrame({"unit": ["a", "b"], "n_success": [2, 30], "n_fail": [10, 20]})
    table["n"] = table["n_success"] + table["n_fail"]
    out = suppress_small_cells(
        table, min_cell=5, count_cols=["n_success", "n_fail"], total_col="n", group_cols=None
    )
    # n_success = 2 hidden; n_fail must go too, or n - n_fail gives it back
    assert pd.isna(out.loc[0, "n_success"]) and pd.isna(out.loc[0, "n_fail"]) and out.loc[0, "n"] == 12


def test_bad_arguments_are_explained() -> None:
    table = pd.DataFrame({"n": [1, 2]})
    with pytest.raises(KeyError, match="'m'"):
        suppress_small_cells(table, min_cell=5, count_cols=["m"])
    with pytest.raises(ValueError, match="min_cell"):
        suppress_small_cells(table, min_cell=0, count_cols=["n"])
    with pytest.raises(ValueError, match="whole counts"):
        suppress_small_cells(pd.DataFrame({"n": [1.5, 2]}), min_cell=5, count_cols=["n"])
    with pytest.raises(ValueError, match="derived"):
        suppress_small_cells(
            pd.DataFrame({"n": [1], "r": [0.1]}), min_cell=5, count_cols=["n"], derived={"r": ["r"]}
        )


def test_table_note_names_the_threshold() -> None:
    assert "5" in table_note(5) and table_note(5).endswith(".")
    assert "3" in table_note(3, language="nb")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from("abc"), st.integers(0, 40), st.integers(0, 40)),
        min_size=1,
        max_size=12,
    ),
    min_cell=st.integers(2, 6),
)
def test_suppression_properties(rows: list[tuple[str, int, int]], min_cell: int) -> None:
    table = pd.DataFrame(rows, columns=["group", "n_success", "n_fail"])
    table["n"] = table["n_success"] + table["n_fail"]
    table["rate"] = table["n_success"] / table["n"].replace(0, np.nan)
    out = suppress_small_cells(
        table,
        min_cell=min_cell,
        count_cols=["n_success", "n_fail"],
        total_col="n",
        derived={"rate": ["n_success", "n"]},
        group_cols=["group"],
    )
    for col in ("n_success", "n_fail", "n"):
        shown = out[col].dropna()
        assert not ((shown > 0) & (shown < min_cell)).any()  # no small cell is visible
        # no group with two or more rows has exactly one hidden cell in a column (margins cannot recover it)
        hidden_per_group = out[col].isna().groupby(out["group"]).sum()
        sizes = out.groupby("group").size()
        assert not ((hidden_per_group == 1) & (sizes >= 2)).any()
    visible = out["n_success"].notna() & out["n"].notna()
    complement = out.loc[visible, "n"] - out.loc[visible, "n_success"]
    assert not ((complement > 0) & (complement < min_cell)).any()
    assert out.loc[out["n_success"].isna() | out["n"].isna(), "rate"].isna().all()
    # rows with a single hidden part of the row total do not exist
    parts_hidden = out[["n_success", "n_fail"]].isna().sum(axis=1)
    assert not (parts_hidden == 1).any()
    assert (out["suppressed"] == out[["n_success", "n_fail", "n"]].isna().any(axis=1)).all()


# ----------------------------------------------------------------------------------------- leak guard
@pytest.fixture()
def guard() -> LeakGuard:
    return LeakGuard(
        forbidden_values={
            "navn": ["Per Hansen", "Kari Nordmann", "Per", "Ola"],
            "adresse": ["Storgata 12", "Nedre Gate"],
            "telefon": ["+47 912 34 567", "41234567", "123"],
            "fnr": SYNTHETIC_FNR,
        }
    )


def released_frame(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "pid": [f"kab12_{i:04d}qzxwvutsrp" for i in range(n)],
            "kommune": rng.choice(["3401", "3414", "3415"], n),
            "kjonn": rng.choice(["K", "M"], n),
            "fodselsar": rng.integers(1996, 2004, n),
            "p": rng.random(n),
            "note": rng.choice(
                ["Per var her", "hei på deg", "ved sjøen i dag", "31415926535 er pi-sifre"], n
            ),
        }
    )


def assert_blocked(guard: LeakGuard, path: Path, secret: str, column_word: str) -> None:
    with pytest.raises(DisclosureError) as info:
        guard(path, Path("results/anonymised") / path.name)
    message = str(info.value)
    assert "results/anonymised" in message and column_word in message
    assert secret not in message and secret.replace(" ", "") not in message.replace(" ", "")


def test_clean_outputs_pass(guard: LeakGuard, tmp_path: Path) -> None:
    frame = released_frame()
    frame.to_parquet(tmp_path / "register.parquet")
    frame.to_csv(tmp_path / "register.csv", index=False)
    frame.to_csv(tmp_path / "excel.csv", index=False, sep=";", decimal=",", encoding="cp1252")
    (tmp_path / "report.html").write_text(
        "<p>Per og Ola bor i Kongsvinger; p = 0.31415926535</p>", encoding="utf-8"
    )
    (tmp_path / "d.json").write_text('{"x": 0.12345678901, "n": 41234}', encoding="utf-8")
    for file in tmp_path.iterdir():
        guard(file, file)


@pytest.mark.parametrize("kind", ["parquet", "csv", "html", "json"])
def test_identity_number_is_blocked_in_every_format(guard: LeakGuard, tmp_path: Path, kind: str) -> None:
    secret = SYNTHETIC_FNR[10]
    frame = released_frame()
    frame.loc[5, "note"] = f"ringte om {secret[:6]} {secret[6:]} i går"
    path = tmp_path / f"out.{kind}"
    if kind == "parquet":
        frame.to_parquet(path)
    elif kind == "csv":
        frame.to_csv(path, index=False, sep=";", encoding="cp1252")
    elif kind == "html":
        path.write_text(frame.to_html(), encoding="utf-8")
    else:
        path.write_text(frame.to_json(orient="records", force_ascii=False), encoding="utf-8")
    assert_blocked(guard, path, secret, "identity number")


def test_identity_number_stored_as_float_or_without_leading_zero_is_blocked(tmp_path: Path) -> None:
    guard = LeakGuard()
    secret = make_tenor_number(dt.date(2003, 1, 9), np.random.default_rng(1))
    assert secret.startswith("0")
    frame = released_frame()
    frame["id_as_float"] = float(secret)  # 9811234567.0 style: the leading zero is lost
    frame.to_parquet(tmp_path / "f.parquet")
    assert_blocked(guard, tmp_path / "f.parquet", secret, "id_as_float")


def test_fraction_digits_are_not_identity_numbers(tmp_path: Path) -> None:
    guard = LeakGuard()
    secret = SYNTHETIC_FNR[0]
    frame = pd.DataFrame({"p": [f"0.{secret}", f"1,{secret}"]})
    frame.to_parquet(tmp_path / "p.parquet")
    guard(tmp_path / "p.parquet", None)
    (tmp_path / "t.json").write_text(f'{{"p": 0.{secret}}}', encoding="utf-8")
    guard(tmp_path / "t.json", None)


def test_dropped_values_are_blocked_but_single_words_are_not(guard: LeakGuard, tmp_path: Path) -> None:
    for text, column, secret in [
        ("Intervju med per HANSEN om skolen", "navn", "Per Hansen"),
        ("bor i Storgata 12 nå", "adresse", "Storgata 12"),
        ("tlf 912 34 567", "telefon", "912 34 567"),
        ("tlf 0047 41234567", "telefon", "41234567"),
    ]:
        frame = released_frame()
        frame.loc[0, "note"] = text
        frame.to_parquet(tmp_path / "x.parquet")
        assert_blocked(guard, tmp_path / "x.parquet", secret, column)
        (tmp_path / "x.txt").write_text(text, encoding="utf-8")
        assert_blocked(guard, tmp_path / "x.txt", secret, column)
    # "Per", "Ola" (single tokens), "Nedre Gate" (common words only) and "123" (too short) are not searched
    (tmp_path / "ok.txt").write_text("Per og Ola gikk i nedre gate, 123 ganger", encoding="utf-8")
    guard(tmp_path / "ok.txt", None)


def test_a_dropped_column_in_the_output_is_blocked(guard: LeakGuard, tmp_path: Path) -> None:
    frame = released_frame().assign(navn="x")
    frame.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DisclosureError, match="'navn'"):
        guard(tmp_path / "t.csv", None)


def test_zip_members_are_scanned(guard: LeakGuard, tmp_path: Path) -> None:
    path = tmp_path / "project.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", "<Project/>")
        archive.writestr("sources/a.txt", "I: Hei Kari Nordmann.")
    with pytest.raises(DisclosureError, match="member sources/a.txt.*'navn'"):
        guard(path, None)


def test_staged_output_writes_nothing_when_the_guard_refuses(guard: LeakGuard, tmp_path: Path) -> None:
    final = tmp_path / "results" / "phase1"
    with pytest.raises(DisclosureError), staged_output(final, guard=guard) as stage:
        released_frame().to_csv(stage / "clean.csv", index=False)
        (stage / "leak.txt").write_text(f"id {SYNTHETIC_FNR[3]}", encoding="utf-8")
    assert not final.exists() or not any(final.iterdir())


def test_guard_is_fast_on_a_million_rows(tmp_path: Path) -> None:
    import time

    rng = np.random.default_rng(0)
    n = 1_000_000
    frame = pd.DataFrame(
        {
            "pid": [f"kab12_{i:x}qz" for i in range(n)],
            "kommune": rng.choice(["3401", "3414", "3415", "3416"], n),
            "fodselsar": rng.integers(1990, 2005, n),
            "p": rng.random(n),
            "note": rng.choice(["Per var her", "hei på deg", "ok"], n),
        }
    )
    path = tmp_path / "big.parquet"
    frame.to_parquet(path)
    guard = LeakGuard(forbidden_values={"navn": ["Per Hansen", "Kari Nordmann"] * 1000, "fnr": SYNTHETIC_FNR})
    start = time.perf_counter()
    guard(path, None)
    assert time.perf_counter() - start < 15  # seconds, on a shared 2-core machine (about 1 s when idle)


def test_scan_frame_checks_a_table_before_it_is_written(guard: LeakGuard) -> None:
    frame = released_frame()
    guard.scan_frame(frame, "results/phase1/table.csv")
    frame.loc[2, "note"] = "Kari Nordmann"
    with pytest.raises(DisclosureError, match=r"results/phase1/table.csv: column 'note'.*'navn'"):
        guard.scan_frame(frame, "results/phase1/table.csv")


@pytest.mark.parametrize(
    "leak",
    ["fnr", "spaced phone", "phrase", "non-ascii phrase", "leading zero", "fnr in Arabic-Indic digits"],
)
def test_many_distinct_strings_column_is_still_fully_scanned(tmp_path: Path, leak: str) -> None:
    """A high-cardinality column (pseudonym-like, synthetic) takes the pre-filtered path; each leak is still found."""
    rng = np.random.default_rng(7)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz234567"))
    values = ["k1a2b_" + "".join(rng.choice(letters, 16)) for _ in range(60_000)]
    forbidden = {"telefon": ["+47 912 34 567", "0123456789"], "navn": ["Ærlig Ødegård", "Kari Nordmann"]}
    planted = {
        "fnr": f"id {SYNTHETIC_FNR[0]}",
        "spaced phone": "912 34 567",
        "phrase": "kari nordmann",
        "non-ascii phrase": "Ærlig-Ødegård",
        "leading zero": "0123456789",
        "fnr in Arabic-Indic digits": f"id {_in_script(SYNTHETIC_FNR[0], chr(0x660))}",
    }[leak]
    values[31_337] = planted
    path = tmp_path / "out.parquet"
    pd.DataFrame({"pid": values}).to_parquet(path)
    with pytest.raises(DisclosureError) as caught:
        LeakGuard(forbidden_values=forbidden)(path, path)
    assert "column 'pid'" in str(caught.value)
    assert planted not in str(caught.value)
    clean = tmp_path / "clean.parquet"
    values[31_337] = values[0]
    pd.DataFrame({"pid": values, "n": 123456789}).to_parquet(clean)
    LeakGuard(forbidden_values=forbidden)(clean, clean)  # and the pseudonym-like values alone pass


def test_digit_values_keep_leading_zeros_apart() -> None:
    guard = LeakGuard(forbidden_values={"telefon": ["0123456789"]})
    guard.scan_frame(pd.DataFrame({"x": ["123456789"]}))  # not the forbidden value: its leading zero differs
    with pytest.raises(DisclosureError):
        guard.scan_frame(pd.DataFrame({"x": ["0123456789"]}))


_TRICKY = list("abeiknorst ÆØÅæøåßİıﬁÉé-.,/'’0123456789\u0307\t")


@given(st.lists(st.text(alphabet=st.sampled_from(_TRICKY), min_size=4, max_size=24), min_size=1, max_size=8))
@settings(max_examples=150, deadline=None)
def test_every_indexed_name_is_found_when_quoted_in_any_output(values: list[str]) -> None:
    """The index (Arrow kernels) and the scanners (Python ``re``) must split and fold text the same way.

    Any dropped value the guard indexed as a phrase is found again when it is quoted inside a sentence of a text
    file, a table cell or a Parquet column, whatever its case, punctuation or non-ASCII letters.
    """
    from toolkit.disclosure.guard import _TOKEN

    guard = LeakGuard(forbidden_values={"navn": values})
    for value in values:
        phrase = " ".join(_TOKEN.findall(value.strip().casefold()))
        if phrase not in guard._all_phrases:
            continue  # not searched (one token, only common words, digits only, too short): nothing to find
        for shown in (f"Sitat: «{value}», sa hun.", f"({value.casefold()})"):
            with pytest.raises(DisclosureError):
                guard._scan_text(shown, Path("x.txt"), where="text")
            with pytest.raises(DisclosureError):
                guard.scan_frame(pd.DataFrame({"note": [shown, "ok"]}))


def test_a_scanned_table_is_not_read_back_but_a_changed_file_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toolkit.io import parquet_bytes

    guard = LeakGuard(forbidden_values={"navn": ["Kari Nordmann"], "telefon": ["91234567"]})
    clean = pa.Table.from_pandas(released_frame(), preserve_index=False)
    guard.scan_table(clean, "results/anonymised/register.parquet")
    data = parquet_bytes(clean)
    guard.accept(data)
    (tmp_path / "register.parquet").write_bytes(data)
    reads: list[object] = []
    original = pq.ParquetFile
    monkeypatch.setattr(pq, "ParquetFile", lambda *a, **k: reads.append(a) or original(*a, **k))
    guard(tmp_path / "register.parquet", None)
    assert reads == []  # recognised by its bytes: not parsed again
    leaking = released_frame()
    leaking.loc[3, "note"] = "ring 912 34 567"
    (tmp_path / "register.parquet").write_bytes(parquet_bytes(leaking))  # same name, other bytes
    with pytest.raises(DisclosureError, match="telefon"):
        guard(tmp_path / "register.parquet", None)
    assert reads  # parsed, and the leak found
    with pytest.raises(DisclosureError, match=r"register.parquet: column 'note'.*'navn'"):
        guard.scan_table(
            pa.Table.from_pandas(leaking.assign(note="Kari Nordmann"), preserve_index=False),
            "results/anonymised/register.parquet",
        )


# ----------------------------------------------------------------------------------------- policy object
def test_policy_replaces_bare_min_cell_and_can_turn_secondary_suppression_off() -> None:
    table = pd.DataFrame({"kommune": list("abc"), "n": [2, 40, 50]})
    with_secondary = suppress_small_cells(table, DisclosurePolicy(min_cell=5), count_cols=["n"])
    assert with_secondary["n"].isna().tolist() == [
        True,
        True,
        False,
    ]  # 2 recoverable from the total: 40 hidden
    primary_only = suppress_small_cells(
        table, DisclosurePolicy(min_cell=5, secondary=False), count_cols=["n"]
    )
    assert primary_only["n"].isna().tolist() == [True, False, False]
    assert suppress_small_cells(table, 5, count_cols=["n"]).equals(with_secondary)  # an int means min_cell
    with pytest.raises(ValueError, match="exactly one"):
        suppress_small_cells(table, 5, min_cell=5, count_cols=["n"])
    with pytest.raises(ValueError, match="positive whole number"):
        DisclosurePolicy(min_cell=0)
    assert table_note(DisclosurePolicy(min_cell=3)).startswith("Counts below 3")


def test_shown_count_is_the_one_rule_for_single_counts() -> None:
    policy = DisclosurePolicy(min_cell=5)
    assert [policy.shown_count(v) for v in (0, 1, 4, 5, 12)] == [0, "< 5", "< 5", 5, 12]


def test_policy_identifiers_decide_what_the_guard_calls_an_identity_number() -> None:
    tenor = SYNTHETIC_FNR[0]
    frame = pd.DataFrame({"note": [f"id {tenor}"]})
    with pytest.raises(DisclosureError):
        LeakGuard().scan_frame(frame)
    LeakGuard(policy=DisclosurePolicy(identifiers=STRICT_REAL)).scan_frame(frame)  # Tenor is not real


def test_in_memory_scan_skips_columns_that_cannot_hold_an_identifier(monkeypatch: pytest.MonkeyPatch) -> None:
    guard = LeakGuard(forbidden_values={"telefon": ["91234567"]})
    seen: list[str] = []
    original = LeakGuard._scan_strings
    monkeypatch.setattr(
        LeakGuard,
        "_scan_strings",
        lambda self, u, shown, where: seen.append(where) or original(self, u, shown, where),
    )
    frame = pd.DataFrame(
        {
            "n": np.arange(1000),  # counts: below the id range
            "share": np.linspace(0, 1, 1000),  # floats
            "flag": np.zeros(1000, dtype=bool),
            "unit": ["0301"] * 1000,
        }
    )
    guard.scan_frame(frame)
    assert seen == ["column 'unit'"]  # only text is searched as text; numbers are never turned into strings
    with pytest.raises(DisclosureError, match="telefon"):
        guard.scan_frame(frame.assign(n=91234567))  # a phone number stored as a number is still found


def test_serialise_scans_and_accepts_the_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toolkit.io import csv_bytes

    guard = LeakGuard(forbidden_values={"navn": ["Kari Nordmann"]})
    data = guard.serialise(released_frame(), csv_bytes, "results/x.csv")
    (tmp_path / "x.csv").write_bytes(data)
    monkeypatch.setattr(
        LeakGuard, "_scan_csv", lambda *a, **k: pytest.fail("accepted bytes were parsed again")
    )
    guard(tmp_path / "x.csv", None)
    with pytest.raises(DisclosureError, match="navn"):
        guard.serialise(released_frame().assign(note="Kari Nordmann"), csv_bytes, "results/x.csv")


def test_a_hash_digest_is_not_an_identity_number() -> None:
    """manifest.json holds SHA-256 values: 11-digit runs between hex letters are not identity numbers."""
    fnr = SYNTHETIC_FNR[3]
    guard = LeakGuard()
    guard._scan_text(
        f'"outputs": {{"a.csv": "3f9a{fnr}be77c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5"}}', Path("m.json"), "text"
    )
    for leaking in (f"id {fnr}", f"abc{fnr}", f"fnr:{fnr}"):
        with pytest.raises(DisclosureError):
            guard._scan_text(leaking, Path("x.txt"), where="text")


@pytest.mark.parametrize(
    "planted",
    [
        f"id {SYNTHETIC_FNR[0]}",
        f"{SYNTHETIC_FNR[0][:6]} {SYNTHETIC_FNR[0][6:]}",
        f"{SYNTHETIC_FNR[0]}.0",
        f"Ærlig {SYNTHETIC_FNR[0]}",
        f"id {''.join(chr(0x660 + int(d)) for d in SYNTHETIC_FNR[0])}",
    ],
)
def test_without_dropped_columns_numbered_pseudonyms_are_skipped_and_identity_numbers_still_found(planted):
    """A study without dropped columns looks only for identity numbers, so a million pseudonyms with seven
    digits (``P0012345``) are dropped by the pre-filter; an identity number among them is still found,
    written with a space, as a float, or beside non-ASCII text."""
    values = [f"P{i:07d}" for i in range(60_000)]
    guard = LeakGuard(forbidden_values={})
    guard.scan_frame(pd.DataFrame({"pid": values}))
    values[4_242] = planted
    with pytest.raises(DisclosureError, match="column 'pid'"):
        guard.scan_frame(pd.DataFrame({"pid": values}))


def _in_script(digits: str, zero: str) -> str:
    """``digits`` written with the decimal digits of the script whose zero is ``zero``."""
    return "".join(chr(ord(zero) + int(d)) for d in digits)


# Arabic-Indic, Persian, Devanagari and full-width digits
@pytest.mark.parametrize("zero", ["\u0660", "\u06f0", "\u0966", "\uff10"])
@pytest.mark.parametrize("kind", ["parquet", "csv", "txt"])
def test_identity_and_phone_numbers_in_other_scripts_digits_are_blocked(
    guard: LeakGuard, tmp_path: Path, zero: str, kind: str
) -> None:
    """A reader reads ``١٢٣`` as 123: so must the guard (it compared ASCII digits only before)."""
    fnr = SYNTHETIC_FNR[3]
    for planted, column_word, secret in [
        (f"nr {_in_script(fnr[:6], zero)} {_in_script(fnr[6:], zero)}", "identity number", fnr),
        (f"ring {_in_script('41234567', zero)}", "telefon", "41234567"),
    ]:
        frame = released_frame()
        frame.loc[7, "note"] = planted
        path = tmp_path / f"out.{kind}"
        if kind == "parquet":
            frame.to_parquet(path)
        elif kind == "csv":
            frame.to_csv(path, index=False)
        else:
            path.write_text(" ".join(frame["note"]), encoding="utf-8")
        assert_blocked(guard, path, secret, column_word)


@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=20))
@settings(max_examples=200, deadline=None)
def test_ascii_digits_agrees_with_int(digits: str) -> None:
    """Folding digits of any script gives the number Python's own ``int`` reads (and ASCII stays as is)."""
    from toolkit.disclosure.guard import ascii_digits

    folded = ascii_digits(digits)
    assert folded.isascii() and folded.isdigit()
    assert int(folded) == int(digits) and len(folded) == len(digits)
    assert ascii_digits(f"a {folded} b") == f"a {folded} b"


def test_every_digit_python_knows_is_folded_in_a_column() -> None:
    """The column path finds digits with RE2 (``\\p{Nd}``) and folds them in Python: every non-ASCII decimal
    digit of this Python's Unicode tables must be found by the one and folded by the other."""
    import unicodedata

    from toolkit.disclosure.guard import _fold_digits

    digits = [chr(c) for c in range(0x80, 0x110000) if unicodedata.category(chr(c)) == "Nd"]
    folded = _fold_digits(pd.Series([f"x{d}y" for d in digits], dtype="str"))
    assert folded.tolist() == [f"x{unicodedata.decimal(d)}y" for d in digits]
    plain = pd.Series(["blå 123", "ønske"], dtype="str")
    assert _fold_digits(plain) is plain  # nothing to fold: the column is returned as it is
