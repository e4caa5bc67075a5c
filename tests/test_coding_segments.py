"""Speaker turns and sentences with offsets (toolkit.coding.segments)."""

from __future__ import annotations

import pytest

from toolkit.coding.segments import read_segments, speaker_role, split_sentences, split_turns
from toolkit.errors import InputDataError

TEXT = """Intervju 3 (SYNTETISK)

I: Hvordan var skolen?

U: Den var tøff. Jeg hadde mye fravær.
Det ble bedre etter hvert.

Intervjuer: Og NAV?
Deltaker 2: Veilederen min, f.eks. Kari, var god. Hun ringte meg!
Det var sånn: alt handlet om meg.
"""


def test_turns_have_labels_roles_and_exact_offsets():
    turns = split_turns(TEXT, "t.txt")
    assert turns["turn_index"].tolist() == [0, 1, 2, 3]
    assert turns["speaker"].tolist() == ["I", "U", "Intervjuer", "Deltaker 2"]
    assert turns["role"].tolist() == ["interviewer", "participant", "interviewer", "participant"]
    for row in turns.itertuples():
        assert TEXT[row.start : row.end] == row.text
    assert turns.loc[1, "text"] == "Den var tøff. Jeg hadde mye fravær.\nDet ble bedre etter hvert."
    assert turns.loc[3, "text"].endswith("alt handlet om meg.")  # 'Det var sånn:' is not a label


def test_unlabelled_text_is_one_turn_per_paragraph():
    turns = split_turns("Første avsnitt.\n\nAndre avsnitt\nfortsetter.\n", "x.txt")
    assert turns["text"].tolist() == ["Første avsnitt.", "Andre avsnitt\nfortsetter."]
    assert (turns["speaker"] == "").all()


def test_sentences_keep_turn_index_and_offsets():
    turns = split_turns(TEXT, "t.txt")
    sentences = split_sentences(turns)
    mine = sentences[sentences["turn_index"] == 3]
    assert mine["sentence_index"].tolist() == [0, 1, 2]
    assert mine["text"].iloc[0] == "Veilederen min, f.eks. Kari, var god."
    for row in sentences.itertuples():
        assert TEXT[row.start : row.end] == row.text


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("I", "interviewer"),
        ("Int", "interviewer"),
        ("Intervjuer 1", "interviewer"),
        ("U", "participant"),
        ("Veileder", "participant"),
    ],
)
def test_speaker_roles(label, role):
    assert speaker_role(label) == role


def test_read_segments_from_txt_docx_and_vtt(tmp_path):
    import docx

    (tmp_path / "a.txt").write_text("I: Hei\n\nU: Jeg liker skolen.\n", encoding="utf-8")
    document = docx.Document()
    document.add_paragraph("I: Fortell om jobben.")
    document.add_paragraph("U: Jeg jobber på et lager.")
    document.save(tmp_path / "b.docx")
    (tmp_path / "c.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Intervjuer>Hvordan går det?\n\n"
        "00:02.000 --> 00:05.000\n<v Deltaker>Bra, jeg har venner nå.\n",
        encoding="utf-8",
    )
    segments, texts = read_segments(tmp_path)
    assert sorted(texts) == ["a.txt", "b.docx", "c.vtt"]
    assert segments.groupby("source").size().to_dict() == {"a.txt": 2, "b.docx": 2, "c.vtt": 2}
    vtt = segments[segments["source"] == "c.vtt"]
    assert vtt["speaker"].tolist() == ["Intervjuer", "Deltaker"]
    for row in segments.itertuples():
        assert texts[row.source][row.start : row.end] == row.text


def test_errors(tmp_path):
    with pytest.raises(InputDataError, match="no transcripts"):
        read_segments(tmp_path)
    with pytest.raises(InputDataError, match="unknown coding unit"):
        read_segments(tmp_path, unit="paragraph")


def test_turn_and_sentence_columns_are_the_tables_values():
    from pathlib import Path

    from toolkit.coding.segments import SEGMENT_COLUMNS, sentence_columns, turn_columns

    folder = Path(__file__).parent / "data" / "coding" / "transcripts"
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        columns = turn_columns(text, path.name)
        turns = split_turns(text, path.name)
        assert list(columns) == SEGMENT_COLUMNS
        assert {c: turns[c].tolist() for c in turns.columns} == columns
        sentences = split_sentences(turns)
        assert {c: sentences[c].tolist() for c in sentences.columns} == sentence_columns(columns)
