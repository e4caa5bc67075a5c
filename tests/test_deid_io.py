"""De-identification of transcript files: encodings, bad input, huge files, .docx/.vtt, evaluation errors.

All transcripts here are SYNTHETIC.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import toolkit.deidentify.deidentifier as deid_mod
import toolkit.deidentify.folder as folder_mod
from toolkit.deidentify import deidentify_folder
from toolkit.deidentify.evaluate import evaluate_deid, parse_marked, write_gold_jsonl
from toolkit.errors import InputDataError

SAMPLE = (
    "I: Hvem hjalp deg?\n\n"
    "U: Veilederen min, Siv Ellingsen, på NAV Kongsvinger. Hun ringte meg på 412 34 567.\n\n"
    "I: Hvor bor du?\n\n"
    "U: I Storgata 12, 2211 Kongsvinger, med kjæresten min Markus. Siv kom på besøk.\n"
)


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_cp1252_transcript_is_decoded(tmp_path):
    folder = _folder(tmp_path, {"a.txt": "U: Jeg bor på Skotterud og heter Bjørn Sæther.\n".encode("cp1252")})
    deidentify_folder(folder, tmp_path / "out", engine="direct")
    out = (tmp_path / "out" / "a.txt").read_text(encoding="utf-8")
    assert out == "U: Jeg bor på [STED_1] og heter [PERSON_1].\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"  \n\n", "empty"), (b"PK\x03\x04\x00\x00binary\x00", "binary")],
)
def test_bad_file_is_named_and_skipped_and_the_others_are_written(tmp_path, data, message):
    folder = _folder(tmp_path, {"a.txt": SAMPLE.encode("utf-8"), "b.txt": data})
    result = deidentify_folder(folder, tmp_path / "out", engine="direct")
    assert [name for name, _why in result.skipped] == ["b.txt"]
    why = result.skipped[0][1]
    assert message in why and "\n" not in why
    assert (tmp_path / "out" / "a.txt").is_file()
    assert not (tmp_path / "out" / "b.txt").exists()  # no partial file for the skipped one
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.staging")]


def test_forty_files_with_an_empty_and_a_binary_one(tmp_path):
    files = {
        f"t{i:02d}.txt": f"U: Jeg heter Kari Nilsen nr {i} og bor på Skotterud.\n".encode() for i in range(38)
    }
    files |= {"tom.txt": b"", "bin.txt": b"PK\x03\x04\x00\x00binary\x00"}
    folder = _folder(tmp_path, files)
    result = deidentify_folder(folder, tmp_path / "out", engine="direct", n_jobs=2)
    assert sorted(name for name, _ in result.skipped) == ["bin.txt", "tom.txt"]
    written = sorted(p.name for p in (tmp_path / "out").glob("t*.txt"))
    assert len(written) == 38 and len(result.files) == 38
    assert "Kari" not in (tmp_path / "out" / "t07.txt").read_text(encoding="utf-8")


def test_cli_exits_non_zero_and_names_the_skipped_file(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    folder = _folder(tmp_path, {"a.txt": SAMPLE.encode("utf-8"), "b.txt": b""})
    run = CliRunner().invoke(app, ["deidentify", str(folder), str(tmp_path / "out"), "--jobs", "1"])
    assert run.exit_code == 2
    assert "skipped b.txt" in run.output
    assert (tmp_path / "out" / "a.txt").is_file()


@pytest.mark.parametrize("inside", [".", "out", "out/deeper"])
def test_output_inside_the_input_folder_is_refused_and_nothing_changes(tmp_path, inside):
    folder = _folder(tmp_path, {"a.txt": SAMPLE.encode("utf-8")})
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with pytest.raises(InputDataError, match="inside the transcript folder"):
        deidentify_folder(folder, folder / inside, engine="direct")
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


def test_restricted_map_is_private(tmp_path):
    import stat

    folder = _folder(tmp_path, {"a.txt": SAMPLE.encode("utf-8")})
    restricted = tmp_path / "restricted"
    deidentify_folder(folder, tmp_path / "out", engine="direct", restricted_dir=restricted, mode="surrogates")
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o700
    for path in restricted.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_empty_folder_and_name_clash(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputDataError, match="no transcripts"):
        deidentify_folder(tmp_path / "empty", tmp_path / "out")
    folder = _folder(
        tmp_path, {"a.txt": b"U: Hei.\n", "a.vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\n<v U>Hei.\n"}
    )
    with pytest.raises(InputDataError, match="both be written"):
        deidentify_folder(folder, tmp_path / "out")


def test_huge_file_is_streamed_with_the_same_result(tmp_path, monkeypatch):
    body = "\n".join([SAMPLE] * 40)
    data = body.replace("\n", "\r\n").encode("cp1252")  # CRLF and cp1252, as a Windows export would be
    folder = _folder(tmp_path, {"big.txt": data})
    deidentify_folder(folder, tmp_path / "whole", engine="direct")
    monkeypatch.setattr(folder_mod, "STREAM_THRESHOLD_BYTES", 1000)
    monkeypatch.setattr(folder_mod, "CHUNK_CHARS", 500)
    monkeypatch.setattr(deid_mod, "CHUNK_CHARS", 500)
    deidentify_folder(folder, tmp_path / "streamed", engine="direct")
    for name in ("big.txt", "deidentification.jsonl"):
        assert (tmp_path / "streamed" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    spans = [
        json.loads(line)
        for line in (tmp_path / "streamed" / "deidentification.jsonl").read_text().splitlines()
    ]
    original = body
    assert {original[s["start"] : s["end"]] for s in spans if s["type"] == "PERSON"} == {
        "Siv Ellingsen",
        "Markus",
        "Siv",
    }
    assert "Siv" not in (tmp_path / "streamed" / "big.txt").read_text(encoding="utf-8")


def test_streamed_binary_file_is_skipped(tmp_path, monkeypatch):
    folder = _folder(tmp_path, {"big.txt": b"U: hei\x00\x00" * 200, "a.txt": SAMPLE.encode("utf-8")})
    monkeypatch.setattr(folder_mod, "STREAM_THRESHOLD_BYTES", 100)
    result = deidentify_folder(folder, tmp_path / "out", engine="direct")
    assert result.skipped and result.skipped[0][0] == "big.txt" and "binary" in result.skipped[0][1]
    assert not (tmp_path / "out" / "big.txt").exists()


def test_docx_and_vtt_are_written_as_txt_with_offsets_into_their_text(tmp_path):
    import docx

    from toolkit.io import read_transcript

    folder = tmp_path / "in"
    folder.mkdir()
    document = docx.Document()
    document.add_paragraph("I: Hva heter du?")
    document.add_paragraph("U: Jeg heter Ingrid Bergseng og bor på Flisa.")
    document.save(folder / "intervju.docx")
    (folder / "samtale.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Intervjuer>Hvor jobber du?\n\n"
        "00:02.000 --> 00:05.000\n<v Deltaker>På Kiwi Flisa, sammen med Tone Lislerud.\n",
        encoding="utf-8",
    )
    deidentify_folder(folder, tmp_path / "out", engine="direct")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "deidentification.jsonl",
        "intervju.txt",
        "samtale.txt",
    ]
    rows = [
        json.loads(line) for line in (tmp_path / "out" / "deidentification.jsonl").read_text().splitlines()
    ]
    texts = {name: read_transcript(folder / name) for name in ("intervju.docx", "samtale.vtt")}
    found = {(r["source"], texts[r["source"]][r["start"] : r["end"]]) for r in rows}
    assert ("intervju.docx", "Ingrid Bergseng") in found and ("samtale.vtt", "Tone Lislerud") in found
    assert ("samtale.vtt", "Kiwi Flisa") in found


def test_evaluate_deid_needs_the_outputs(tmp_path):
    text, spans = parse_marked("U: Jeg heter {PERSON:Kari} og bor på {STED:Flisa}.\n")
    assert text == "U: Jeg heter Kari og bor på Flisa.\n"
    gold = write_gold_jsonl([{"source": "x.txt", "text": text, "spans": spans}], tmp_path / "gold.jsonl")
    with pytest.raises(InputDataError, match="deidentification.jsonl"):
        evaluate_deid(gold, tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "y.txt").write_text(text, encoding="utf-8")
    deidentify_folder(tmp_path / "in", tmp_path / "out", engine="direct")
    with pytest.raises(InputDataError, match="no de-identified output"):
        evaluate_deid(gold, tmp_path / "out")
    (tmp_path / "in" / "y.txt").rename(tmp_path / "in" / "x.txt")
    deidentify_folder(tmp_path / "in", tmp_path / "out2", engine="direct")
    frame = evaluate_deid(gold, tmp_path / "out2").set_index("type")
    assert frame.loc["all", "entity_recall"] == 1.0 and frame.loc["all", "char_precision"] == 1.0


def test_scoring_counts_partial_masks_as_misses():
    from toolkit.deidentify.evaluate import score_documents

    gold = [
        {"source": "a", "text": "Kari Nordby bor her.", "spans": [{"start": 0, "end": 11, "type": "PERSON"}]}
    ]
    half = {"a": [{"start": 0, "end": 4, "type": "PERSON"}]}
    frame = score_documents(gold, half).set_index("type")
    assert frame.loc["PERSON", "entity_recall"] == 0.0
    assert frame.loc["PERSON", "token_recall"] == 0.5 and frame.loc["PERSON", "token_precision"] == 1.0
    over = {"a": [{"start": 0, "end": 15, "type": "PERSON"}]}
    frame = score_documents(gold, over).set_index("type")
    assert frame.loc["PERSON", "entity_recall"] == 1.0
    assert frame.loc["PERSON", "char_precision"] == pytest.approx(10 / 13)
