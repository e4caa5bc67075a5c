"""Readers (every format and the Norwegian CSV quirks) and atomic writers."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from toolkit import io as tio
from toolkit.errors import InputDataError

FRAME = pd.DataFrame(
    {
        "fnr": ["01010150167", "31129912345", "15057012345"],
        "navn": ["Åse Øvergård", "Bjørn Ærø", "Per Ås"],
        "kommune": ["0301", "3401", "3416"],
        "grunnskolepoeng": [41.5, 38.25, 50.0],
        "barnevern": [0, 1, 0],
    }
)


def _check(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(FRAME.columns)
    assert frame["fnr"].tolist() == FRAME["fnr"].tolist()  # leading zeros kept, text not numbers
    assert frame["kommune"].tolist() == ["0301", "3401", "3416"]
    assert frame["navn"].tolist() == FRAME["navn"].tolist()
    assert frame["grunnskolepoeng"].tolist() == pytest.approx([41.5, 38.25, 50.0])
    assert pd.api.types.is_numeric_dtype(frame["barnevern"])


def test_norwegian_excel_csv_cp1252_semicolon_decimal_comma(tmp_path):
    text = FRAME.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    path = tmp_path / "eksport.csv"
    path.write_bytes(text.encode("cp1252"))
    assert b"," in path.read_bytes() and "Ø".encode("cp1252") in path.read_bytes()
    _check(tio.read_table(path))


def test_utf8_bom_comma(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + FRAME.to_csv(index=False).encode("utf-8"))
    frame = tio.read_table(path)
    assert frame.columns[0] == "fnr"  # BOM not glued to the first column name
    _check(frame)


def test_latin1_tab_separated(tmp_path):
    path = tmp_path / "tab.tsv"
    path.write_bytes(FRAME.to_csv(sep="\t", index=False).encode("latin-1"))
    _check(tio.read_table(path))


def test_id_column_forced_to_text_even_without_leading_zero(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("fnr,x\n31129912345,1\n15057012345,2\n", encoding="utf-8")
    frame = tio.read_table(path, text_columns=["fnr"])
    assert frame["fnr"].tolist() == ["31129912345", "15057012345"]


def test_parquet_excel_roundtrip(tmp_path):
    FRAME.to_parquet(tmp_path / "r.parquet", index=False)
    _check(tio.read_table(tmp_path / "r.parquet"))
    FRAME.to_excel(tmp_path / "r.xlsx", index=False)
    _check(tio.read_table(tmp_path / "r.xlsx", text_columns=["fnr", "kommune"]))


def test_spss_value_labels_with_norwegian_letters(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({"kjonn": [1.0, 2.0, 1.0], "landbakgrunn": [1.0, 2.0, 3.0]})
    path = tmp_path / "register.sav"
    pyreadstat.write_sav(
        frame,
        str(path),
        variable_value_labels={
            "kjonn": {1.0: "Kvinne", 2.0: "Mann"},
            "landbakgrunn": {
                1.0: "Norge",
                2.0: "Innvandrer, født i utlandet",
                3.0: "Norskfødt, foreldre født i Østerrike/Ærø",
            },
        },
    )
    read = tio.read_table(path)
    assert read["kjonn"].tolist() == ["Kvinne", "Mann", "Kvinne"]
    assert read["landbakgrunn"].tolist()[2] == "Norskfødt, foreldre født i Østerrike/Ærø"


def test_stata_value_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    frame = pd.DataFrame({"utd": [1, 2, 3]})
    path = tmp_path / "r.dta"
    pyreadstat.write_dta(
        frame, str(path), variable_value_labels={"utd": {1: "Grunnskole", 2: "Videregående", 3: "Høyere"}}
    )
    assert tio.read_table(path)["utd"].tolist() == ["Grunnskole", "Videregående", "Høyere"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"a,b\n", "no rows"),
        (b"a,a\n1,2\n", "column 'a' appears twice"),
        (b"\x00\x01\x02binary\x00", "binary"),
    ],
)
def test_bad_csv_gives_one_clear_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputDataError) as info:
        tio.read_table(path)
    assert message in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(InputDataError, match="file not found"):
        tio.read_table(tmp_path / "nope.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(InputDataError, match="unsupported file type"):
        tio.read_table(tmp_path / "x.json")
    (tmp_path / "broken.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(InputDataError, match="cannot read the .parquet file"):
        tio.read_table(tmp_path / "broken.parquet")


def test_numeric_column_with_text_beyond_sample_stays_text(tmp_path):
    rows = "\n".join(str(i) for i in range(2500)) + "\nukjent\n"
    path = tmp_path / "late.csv"
    path.write_text("verdi\n" + rows, encoding="utf-8")
    frame = tio.read_table(path)
    assert frame["verdi"].iloc[-1] == "ukjent"


# ------------------------------------------------------------------------------------------------ transcripts
def test_transcript_txt_cp1252_crlf(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("I: Hvordan gikk det på skolen?\r\n\r\nU: Bra, læreren så meg.\r\n".encode("cp1252"))
    text = tio.read_transcript(path)
    assert "\r" not in text and "læreren" in text


def test_transcript_docx(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("Intervjuer: Fortell om skolen.")
    document.add_paragraph("")
    document.add_paragraph("Deltaker: Det var tøft i starten.")
    path = tmp_path / "t.docx"
    document.save(str(path))
    assert (
        tio.read_transcript(path) == "Intervjuer: Fortell om skolen.\n\nDeltaker: Det var tøft i starten.\n"
    )


def test_transcript_vtt_voices_become_turns(tmp_path):
    path = tmp_path / "t.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Intervjuer>Hvordan har du det?</v>\n\n"
        "00:00:03.500 --> 00:00:06.000\n<v Deltaker>Bra nå.</v>\n\n"
        "00:00:06.000 --> 00:00:08.000\n<v Deltaker>Det har vært en lang vei.</v>\n",
        encoding="utf-8",
    )
    assert (
        tio.read_transcript(path)
        == "Intervjuer: Hvordan har du det?\n\nDeltaker: Bra nå. Det har vært en lang vei.\n"
    )


def test_transcript_errors(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    with pytest.raises(InputDataError, match="empty"):
        tio.read_transcript(tmp_path / "e.txt")
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04 not really a docx")
    with pytest.raises(InputDataError, match="Word file"):
        tio.read_transcript(tmp_path / "b.docx")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputDataError, match="unsupported transcript type"):
        tio.read_transcript(tmp_path / "x.pdf")


# ------------------------------------------------------------------------------------------------ writing
def test_atomic_write_keeps_old_content_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    tio.atomic_write_text(path, "old\n")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        tio.atomic_write_text(path, "new content that must not half-appear\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left behind


def test_staged_output_all_or_nothing(tmp_path):
    final = tmp_path / "results" / "phase1"
    with pytest.raises(RuntimeError), tio.staged_output(final) as stage:
        tio.write_csv(stage / "a.csv", FRAME)
        raise RuntimeError("step failed half-way")
    assert not final.exists()
    assert list((tmp_path / "results").iterdir()) == []  # no staging folder left

    with tio.staged_output(final) as stage:
        tio.write_csv(stage / "a.csv", FRAME)
        tio.write_json(stage / "sub" / "b.json", {"k": 1})
    assert sorted(str(p.relative_to(final)) for p in final.rglob("*") if p.is_file()) == [
        "a.csv",
        "sub/b.json",
    ]


def test_staged_output_guard_blocks_every_file(tmp_path):
    final = tmp_path / "results" / "x"
    seen: list[Path] = []

    def guard(staged: Path, target: Path) -> None:
        seen.append(target)
        if staged.name == "leaky.csv":
            raise ValueError("leak")

    with pytest.raises(ValueError), tio.staged_output(final, guard=guard) as stage:
        tio.atomic_write_text(stage / "fine.csv", "ok\n")
        tio.atomic_write_text(stage / "leaky.csv", "bad\n")
    assert not final.exists()
    assert [p.name for p in seen] == ["fine.csv", "leaky.csv"]


def test_staged_output_clear_removes_stale_files(tmp_path):
    final = tmp_path / "out"
    with tio.staged_output(final) as stage:
        tio.atomic_write_text(stage / "old.txt", "1")
    with tio.staged_output(final, clear=True) as stage:
        tio.atomic_write_text(stage / "new.txt", "2")
    assert sorted(p.name for p in final.iterdir()) == ["new.txt"]


def test_hashes_are_stable(tmp_path):
    (tmp_path / "d").mkdir()
    tio.atomic_write_text(tmp_path / "d" / "a.txt", "x")
    first = tio.sha256_path(tmp_path / "d")
    assert first == tio.sha256_path(tmp_path / "d")
    tio.atomic_write_text(tmp_path / "d" / "a.txt", "y")
    assert tio.sha256_path(tmp_path / "d") != first


def test_atomic_writes_get_an_ordinary_file_mode(tmp_path):
    """mkstemp creates 0600 files; outputs must be readable like any file the user writes (umask applies)."""
    path = tio.atomic_write_text(tmp_path / "out.csv", "a\n")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_cp1252_byte_far_beyond_the_detection_window(tmp_path):
    """The first 256 KiB look like UTF-8; a cp1252 'ø' near the end must still decode, not crash."""
    rows = "".join(f"{i};Oslo;{i},5\r\n" for i in range(30000))
    path = tmp_path / "late.csv"
    path.write_bytes(("id;sted;verdi\r\n" + rows).encode("ascii") + "99999;Tromsø;1,5\r\n".encode("cp1252"))
    assert path.stat().st_size > 300_000
    frame = tio.read_table(path)
    assert frame["sted"].iloc[-1] == "Tromsø"
    assert frame["verdi"].iloc[0] == pytest.approx(0.5)


def test_is_within_follows_links_and_home(tmp_path, monkeypatch):
    from toolkit.files import is_within

    outside, inside = tmp_path / "results", tmp_path / "restricted" / "keys"
    inside.mkdir(parents=True)
    outside.mkdir()
    link = tmp_path / "link_to_restricted"
    link.symlink_to(tmp_path / "restricted")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert is_within(inside, tmp_path / "restricted")
    assert is_within(tmp_path / "restricted", tmp_path / "restricted")  # the folder itself counts
    assert is_within(link / "keys", tmp_path / "restricted")  # through a symbolic link
    assert is_within("~/restricted/keys", tmp_path / "restricted")  # through ~
    assert not is_within(outside, tmp_path / "restricted")
    assert not is_within(tmp_path / "restricted_other", tmp_path / "restricted")  # a prefix is not inside


def test_approximate_rows_reads_parquet_metadata_and_estimates_text_without_reading_the_file(tmp_path):
    import pandas as pd

    from toolkit.files import approximate_rows

    frame = pd.DataFrame({"pid": [f"P{i:06d}" for i in range(50_000)], "x": range(50_000)})
    frame.to_parquet(tmp_path / "r.parquet")
    frame.to_csv(tmp_path / "r.csv", index=False)
    assert approximate_rows(tmp_path / "r.parquet") == 50_000
    assert 45_000 <= approximate_rows(tmp_path / "r.csv") <= 55_000
    (tmp_path / "empty.csv").write_bytes(b"")
    assert approximate_rows(tmp_path / "empty.csv") == 0
    assert approximate_rows(tmp_path / "missing.csv") == 0
    assert approximate_rows(tmp_path / "r.sav") == 0
