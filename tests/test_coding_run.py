"""The orchestrating step autocode_folder (toolkit.coding.run): outputs, contract, no partial output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from toolkit.coding.codebook import default_codebook_path
from toolkit.coding.run import (
    UNMEASURED_CODING_NOTE,
    UNREVIEWED_TONE_NOTE,
    AutocodeResult,
    autocode_folder,
)
from toolkit.errors import InputDataError, ProtocolError
from toolkit.report import Report

DATA = Path(__file__).parent / "data" / "coding"


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> AutocodeResult:
    out = tmp_path_factory.mktemp("autocode") / "out"
    hand = pd.read_csv(DATA / "hand_coded.csv")
    # hand-code only the dev transcripts, so the rest get suggestions and a coding queue
    split = pd.read_csv(DATA / "split.csv")
    dev = set(split.loc[split["split"] == "dev", "source"])
    hand_path = out.parent / "hand_dev.csv"
    hand[hand["source"].isin(dev)].to_csv(hand_path, index=False)
    return autocode_folder(
        DATA / "transcripts",
        default_codebook_path(),
        out,
        groups=pd.read_csv(DATA / "groups.csv"),
        hand_coded=hand_path,
        min_cell=5,
        seed=0,
    )


def test_outputs_and_segments_contract(result):
    out = result.out_dir
    for name in (
        "segments.csv",
        "project.qdpx",
        "codebook.qdc",
        "insight_cards.html",
        "code_frequencies.csv",
        "cooccurrence.csv",
        "themes_by_group.csv",
        "candidate_themes.csv",
        "keyword_suggestions.csv",
        "reliability.csv",
        "disagreements.csv",
        "learned_cv.csv",
        "suggestions.csv",
        "coding_queue.csv",
    ):
        assert (out / name).is_file(), name
    segments = pd.read_csv(out / "segments.csv")
    assert list(segments.columns) == [
        "source",
        "turn_index",
        "speaker",
        "start",
        "end",
        "code_id",
        "origin",
        "confidence",
        "evidence",
        "evidence_words",
    ]
    assert segments["confidence"].between(0, 1).all()
    assert set(segments["origin"]) <= {"human", "rule", "learned"}
    assert not list(out.parent.glob(".out.staging*"))
    assert len(result.segments) == len(segments)
    texts = {p.name: p.read_text(encoding="utf-8") for p in (DATA / "transcripts").glob("*.txt")}
    row = segments.iloc[0]
    assert (
        texts[row.source][row.start : row.end]
        == result.units.set_index(["source", "turn_index"]).loc[(row.source, row.turn_index), "text"]
    )


def test_segments_hold_the_final_coding_with_its_origin(result):
    """Human codes where a human coded (exactly the hand coding), the tool's elsewhere, with evidence."""
    segments = result.segments
    split = pd.read_csv(DATA / "split.csv")
    dev = set(split.loc[split["split"] == "dev", "source"])
    human = segments[segments["origin"] == "human"]
    assert set(human["source"]) == dev and (human["confidence"] == 1.0).all()
    hand = pd.read_csv(DATA / "hand_coded.csv")
    key = ["source", "turn_index", "code_id"]
    expected = hand[hand["source"].isin(dev)][key]
    assert set(map(tuple, human[key].to_numpy())) == set(map(tuple, expected.to_numpy()))
    machine = segments[segments["origin"] != "human"]
    assert len(machine) > 0 and not machine["source"].isin(dev).any()
    assert (machine["confidence"] >= 0.5).all()
    assert machine["evidence"].fillna("").str.len().gt(0).mean() > 0.5  # most carry the rules' evidence


def test_tables_are_suppressed_and_tested(result):
    by_group = result.by_group
    assert set(by_group["group"]) == {"positivt_avvik", "sammenligning", "veileder"}
    shown = by_group["n_coded"].dropna()
    assert ((shown == 0) | (shown >= 5)).all()
    assert by_group.loc[by_group["suppressed"], "n_coded"].isna().all()
    assert by_group["p_value"].between(0, 1).all()
    freq = result.frequencies
    assert ((freq["n_segments"].dropna() == 0) | (freq["n_segments"].dropna() >= 5)).all()


def test_reliability_learning_and_queue(result):
    assert result.reliability is not None and result.reliability.mean_kappa >= 0.6
    assert result.learned_cv["kappa"].notna().all()
    assert (
        len(result.queue) > 0
        and result.queue["source"]
        .isin(pd.read_csv(DATA / "split.csv").query("split == 'heldout'")["source"])
        .all()
    )
    summary = result.summary()
    assert "Human vs machine" in summary and "words/s" in summary


def test_learned_cv_says_which_codes_to_code_by_hand(result):
    """Per code a verdict from the cross-validated kappa, in the csv and named in the summary."""
    written = pd.read_csv(result.out_dir / "learned_cv.csv")
    assert {"trusted", "advice"} <= set(written.columns)
    judged = written["kappa"] >= 0.4
    assert (written["trusted"] == judged).all()
    assert written.loc[~written["trusted"], "advice"].str.startswith("code by hand").all()
    untrusted = written.loc[~written["trusted"], "code_id"].tolist()
    check_more = written["advice"].str.startswith("usable; check more")
    assert (written.loc[check_more, "kappa_low"] < 0.4).all()
    assert (written.loc[written["trusted"] & ~check_more, "kappa_low"] >= 0.4).all()
    summary = result.summary()
    if untrusted:
        assert "Code by hand" in summary and all(code in summary for code in untrusted)
    if check_more.any():
        assert "Check more of" in summary
        assert all(code in summary for code in written.loc[check_more, "code_id"])
    if not untrusted and not check_more.any():
        assert "Every code's machine coding agrees" in summary
    assert result.trust_lines() and all(line in summary for line in result.trust_lines())


def test_the_command_prints_which_codes_to_code_by_hand(result, tmp_path, monkeypatch):
    """``pdtk autocode --hand-coded`` prints the verdict in the terminal (staff read that, not the csv)."""
    from typer.testing import CliRunner

    import toolkit.coding.run as run
    from toolkit.cli import app

    monkeypatch.setattr(run, "autocode_folder", lambda *args, **kwargs: result)  # the fixture's real run
    hand = tmp_path / "hand.csv"
    hand.write_text("source,turn_index,code_id\n", encoding="utf-8")
    args = ["autocode", str(DATA / "transcripts"), str(default_codebook_path()), str(tmp_path / "c")]
    printed = CliRunner().invoke(app, [*args, "--hand-coded", str(hand)])
    assert printed.exit_code == 0, printed.output
    assert " ".join(result.trust_lines()[0].split()) in " ".join(printed.output.split())


def test_without_hand_coding_the_command_says_the_coding_is_unmeasured(tmp_path, monkeypatch):
    """Without hand coding or an actor review, the summary and the terminal say that the codes and the actor
    tones are unmeasured on this study and how to measure them; with hand coding the first note goes."""
    from typer.testing import CliRunner

    import toolkit.coding.run as run
    from toolkit.cli import app

    plain = autocode_folder(DATA / "transcripts", default_codebook_path(), tmp_path / "plain")
    assert plain.notes[-2:] == [UNMEASURED_CODING_NOTE, UNREVIEWED_TONE_NOTE]
    assert UNMEASURED_CODING_NOTE in plain.summary()
    monkeypatch.setattr(run, "autocode_folder", lambda *args, **kwargs: plain)
    args = ["autocode", str(DATA / "transcripts"), str(default_codebook_path()), str(tmp_path / "c")]
    printed = " ".join(CliRunner().invoke(app, args).output.split())
    assert "No hand coding: these codes" in printed and "--actor-review" in printed


def test_with_hand_coding_the_coding_is_measured_not_the_tones(result):
    assert UNMEASURED_CODING_NOTE not in result.notes
    assert UNREVIEWED_TONE_NOTE in result.notes


def test_insight_cards(result):
    html = (result.out_dir / "insight_cards.html").read_text(encoding="utf-8")
    assert html.count("class='card'") == len(result.codebook)
    assert "Hva skiller de positive avvikene?" in html
    assert "<blockquote>" in html and "Intervju " in html
    assert "01_ung_avvik_a.txt" not in html  # transcripts are not named by file in quotes


def test_add_to_report(result, tmp_path):
    report = Report("Koding", synthetic=True)
    result.add_to_report(report)
    path = report.write(tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    assert "optional in reflexive thematic analysis" in text
    assert "read it as ±1" in text  # the fragmentation count's note beside the actor table
    assert "data:image/png;base64" in text


def test_sentence_units(tmp_path):
    out = tmp_path / "sent"
    result = autocode_folder(DATA / "transcripts", default_codebook_path(), out, unit="sentence")
    segments = pd.read_csv(out / "segments.csv")
    assert "sentence_index" in segments.columns
    assert (segments["end"] > segments["start"]).all()
    assert result.by_group is None  # no groups given and none next to the transcripts


def test_groups_file_next_to_transcripts_is_used(tmp_path):
    folder = tmp_path / "transcripts"
    shutil.copytree(DATA / "transcripts", folder)
    shutil.copy(DATA / "groups.csv", tmp_path / "transcript_groups.csv")
    result = autocode_folder(folder, default_codebook_path(), tmp_path / "out")
    assert result.by_group is not None
    assert "transcript_groups.csv" in result.summary()


def test_bad_input_leaves_no_output(tmp_path):
    bad_book = tmp_path / "cb.yml"
    bad_book.write_text("name: x\ncodes:\n  - {id: a, name: A, patterns: ['(']}\n", encoding="utf-8")
    with pytest.raises(ProtocolError):
        autocode_folder(DATA / "transcripts", bad_book, tmp_path / "out1")
    assert not (tmp_path / "out1").exists()
    hand = tmp_path / "hand.csv"
    hand.write_text("source,turn_index,code_id\n01_ung_avvik_a.txt,1,no_such_code\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="no_such_code"):
        autocode_folder(DATA / "transcripts", default_codebook_path(), tmp_path / "out2", hand_coded=hand)
    assert not (tmp_path / "out2").exists()


def test_hand_coding_from_a_refi_qda_project(tmp_path):
    from toolkit.coding.codebook import load_codebook
    from toolkit.coding.refiqda import export_qdpx
    from toolkit.coding.segments import read_segments

    book = load_codebook(default_codebook_path())
    _segments, texts = read_segments(DATA / "transcripts")
    hand = pd.read_csv(DATA / "hand_coded.csv").assign(coder="kari")
    qdpx = export_qdpx(
        tmp_path / "hand.qdpx", book, texts, hand[["source", "start", "end", "code_id", "coder"]]
    )
    from_qdpx = autocode_folder(
        DATA / "transcripts", default_codebook_path(), tmp_path / "a", hand_coded=qdpx
    )
    from_csv = autocode_folder(
        DATA / "transcripts", default_codebook_path(), tmp_path / "b", hand_coded=DATA / "hand_coded.csv"
    )
    assert from_qdpx.reliability.coders == ["kari", "pdtk-autocode"]
    pd.testing.assert_series_equal(
        from_qdpx.reliability.per_code["kappa"], from_csv.reliability.per_code["kappa"]
    )


def test_cards_of_codes_to_code_by_hand_say_so(result):
    """A workshop reads the card: a code the machine cannot be trusted with is marked on it, and only it."""
    from toolkit.coding.cards import render_cards

    first, second = result.codebook.ids[:2]
    html = render_cards(
        result.codebook, result.segments, result.units, None, None, untrusted={first: 0.31, second: None}
    )
    cards = html.split("<section class='card'>")[1:]
    assert "Kod dette temaet for hånd" in cards[0] and "kryssvalidert kappa 0,31" in cards[0]
    assert "kunne ikke måles" in cards[1]
    assert not any("Kod dette temaet for hånd" in card for card in cards[2:])
    written = (result.out_dir / "insight_cards.html").read_text(encoding="utf-8")
    untrusted = set(result.learned_cv.loc[~result.learned_cv["trusted"], "code_id"])
    marked = {
        code
        for code, card in zip(result.codebook.ids, written.split("<section class='card'>")[1:], strict=True)
        if "Kod dette temaet for hånd" in card
    }
    assert marked == untrusted  # the run's own cards carry its verdict


def test_hidden_group_counts_do_not_break_the_cards(result):
    """A group smaller than min_cell has its counts hidden (NA); the cards show them as hidden, not crash."""
    from toolkit.coding.cards import render_cards

    hidden = result.by_group.copy()
    for column in ("n_coded", "n_units", "share", "odds_ratio"):
        if column in hidden:
            hidden[column] = pd.NA
    html = render_cards(
        result.codebook, result.segments, result.units, hidden, pd.read_csv(DATA / "groups.csv")
    )
    assert "<section class='card'>" in html and "&lt;5" in html


def test_a_transcript_read_with_no_code_counts_as_hand_coded(tmp_path):
    """A hand-coding row with an empty code_id names a turn read and left uncoded: its transcript is the
    human's (no machine codes, no suggestions, not in the queue), and nothing empty reaches the outputs."""
    hand = pd.read_csv(DATA / "hand_coded.csv")
    split = pd.read_csv(DATA / "split.csv")
    dev = set(split.loc[split["split"] == "dev", "source"])
    read_only = sorted(set(split["source"]) - dev)[0]
    rows = hand[hand["source"].isin(dev)]
    marker = pd.DataFrame([{"source": read_only, "turn_index": 1, "code_id": None}])
    path = tmp_path / "hand.csv"
    pd.concat([rows, marker], ignore_index=True).to_csv(path, index=False)
    result = autocode_folder(DATA / "transcripts", default_codebook_path(), tmp_path / "out", hand_coded=path)
    segments = pd.read_csv(result.out_dir / "segments.csv")
    assert segments["code_id"].notna().all()
    assert read_only not in set(segments["source"])  # the coder found nothing: no machine code stands
    assert read_only not in set(pd.read_csv(result.out_dir / "suggestions.csv")["source"])
    assert read_only not in set(pd.read_csv(result.out_dir / "coding_queue.csv")["source"])
