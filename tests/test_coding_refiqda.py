"""REFI-QDA export and import (toolkit.coding.refiqda), validated against the QDA-XML 1.0 schemas."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from toolkit.coding.autocode import AutoCoder
from toolkit.coding.codebook import default_codebook_path, load_codebook
from toolkit.coding.refiqda import (
    codebook_qdc_bytes,
    export_qdc,
    export_qdpx,
    normalise_offsets,
    qdpx_bytes,
    read_qdc,
    read_qdpx,
    selections_to_turns,
    stable_guid,
)
from toolkit.coding.segments import read_segments
from toolkit.errors import InputDataError

DATA = Path(__file__).parent / "data" / "coding"
SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"


@pytest.fixture(scope="module")
def project():
    book = load_codebook(default_codebook_path())
    segments, texts = read_segments(DATA / "transcripts")
    machine = AutoCoder(book).transform(segments).assign(coder="pdtk-autocode")
    hand = pd.read_csv(DATA / "hand_coded.csv")
    codings = pd.concat(
        [
            machine[["source", "start", "end", "code_id", "coder"]],
            hand[["source", "start", "end", "code_id", "coder"]],
        ],
        ignore_index=True,
    )
    groups = dict(pd.read_csv(DATA / "groups.csv").itertuples(index=False))
    return book, segments, texts, codings, groups


def _schema(name: str):
    if not (SCHEMAS / name).is_file():
        pytest.skip(
            f"REFI-QDA schemas not found at {SCHEMAS} (shared/refi-qda is absent); schema validation skipped"
        )
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / name))


def test_project_validates_against_the_schema(project, tmp_path):
    book, _segments, texts, codings, groups = project
    path = export_qdpx(tmp_path / "project.qdpx", book, texts, codings, project_name=book.name, groups=groups)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
        sources = {n: archive.read(n) for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde"
    assert len(sources) == len(texts) and all(n.count("/") == 1 for n in sources)
    _schema("Project.xsd").validate(io.BytesIO(qde))
    assert not qde.startswith(b"\xef\xbb\xbf") and b"\r\n" not in qde
    for data in sources.values():
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        data.decode("utf-8")
    import xml.etree.ElementTree as ET

    children = [child.tag.rsplit("}", 1)[1] for child in ET.fromstring(qde)]
    assert children == ["Users", "CodeBook", "Variables", "Sources"]


def test_codebook_validates_and_round_trips(project, tmp_path):
    book = project[0]
    path = export_qdc(tmp_path / "codebook.qdc", book)
    _schema("Codebook.xsd").validate(str(path))
    back = read_qdc(path)
    assert back.ids == book.ids
    assert [c.name for c in back] == [c.name for c in book]
    assert [c.description for c in back] == [c.description for c in book]


def test_exported_project_reimports_to_the_same_codings(project, tmp_path):
    book, segments, texts, codings, groups = project
    path = export_qdpx(tmp_path / "p.qdpx", book, texts, codings, groups=groups)
    imported = read_qdpx(path, book)
    assert imported.texts == texts
    key = ["source", "start", "end", "code_id", "coder"]
    expected = codings[key].drop_duplicates().sort_values(key).reset_index(drop=True)
    got = imported.codings[key].drop_duplicates().sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    turns = selections_to_turns(imported.codings[imported.codings["coder"] == "hand"], segments)
    hand = pd.read_csv(DATA / "hand_coded.csv")
    cols = ["source", "turn_index", "code_id"]
    assert set(map(tuple, turns[cols].to_numpy())) == set(map(tuple, hand[cols].to_numpy()))


def test_guids_are_stable_and_exports_identical(project):
    book, _segments, texts, codings, groups = project
    first = qdpx_bytes(book, texts, codings, groups=groups)
    second = qdpx_bytes(book, texts, codings.sample(frac=1, random_state=1), groups=groups)
    assert first == second
    assert stable_guid("code", "x") == stable_guid("code", "x") != stable_guid("code", "y")
    assert codebook_qdc_bytes(book) == codebook_qdc_bytes(book)


def _foreign_qdpx(tmp_path: Path, origin: str, text: str, selections: list[tuple[int, int]]) -> Path:
    guid_src, guid_code, guid_user = stable_guid("s"), stable_guid("c"), stable_guid("u")
    sels = "".join(
        f'<PlainTextSelection guid="{stable_guid("sel", i)}" startPosition="{a}" endPosition="{b}">'
        f'<Coding guid="{stable_guid("cod", i)}" creatingUser="{guid_user}"><CodeRef targetGUID="{guid_code}"/></Coding>'
        f"</PlainTextSelection>"
        for i, (a, b) in enumerate(selections)
    )
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="{origin}">'
        f'<Users><User guid="{guid_user}" name="Kari"/></Users>'
        f'<CodeBook><Codes><Code guid="{guid_code}" name="PSYKISK HELSE" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{guid_src}" name="intervju.txt" plainTextPath="internal://{guid_src.upper()}.txt">'
        f"{sels}</TextSource></Sources></Project>"
    )
    path = tmp_path / f"{origin.split()[0]}.QDPX"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Project.QDE", qde)
        archive.writestr(f"Sources/{guid_src.upper()}.TXT", text.encode("utf-8"))
    return path


def test_import_remaps_crlf_offsets_and_matches_names_case_insensitively(project, tmp_path):
    book = project[0]
    lf_text = "I: Hei.\nU: Jeg har angst.\nI: Ok.\n"
    crlf_text = lf_text.replace("\n", "\r\n")
    target = "Jeg har angst."
    start_lf = lf_text.index(target)
    start_crlf = crlf_text.index(target)  # NVivo / MAXQDA count CRLF as two characters
    nvivo = read_qdpx(
        _foreign_qdpx(tmp_path, "NVivo 14", crlf_text, [(start_crlf, start_crlf + len(target))]), book
    )
    atlas = read_qdpx(
        _foreign_qdpx(tmp_path, "ATLAS.ti 23", crlf_text, [(start_lf, start_lf + len(target))]), book
    )
    for imported in (nvivo, atlas):
        text = imported.texts["intervju.txt"]
        row = imported.codings.iloc[0]
        assert text == lf_text
        assert text[row.start : row.end] == target
        assert row.code_id == "psykisk_helse"  # code name matched case-insensitively
        assert row.coder == "Kari"


def test_normalise_offsets_directly():
    raw = "ab\r\ncd\r\nef"
    text, mapped = normalise_offsets(raw, [0, 4, 8, 10], crlf_as=2)
    assert text == "ab\ncd\nef"
    assert [text[m] if m < len(text) else "" for m in mapped] == ["a", "c", "e", ""]
    assert normalise_offsets(raw, [3, 6], crlf_as=1)[1] == [3, 6]


def test_import_errors(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputDataError, match="not a ZIP"):
        read_qdpx(bad)
    with pytest.raises(InputDataError, match="not found"):
        read_qdpx(tmp_path / "missing.qdpx")


def test_export_rejects_unknown_codes(project):
    book, _segments, texts, codings, _groups = project
    wrong = codings.head(1).assign(code_id="nope")
    with pytest.raises(InputDataError, match="'nope'"):
        qdpx_bytes(book, texts, wrong)
