"""Actor extraction (issue 17): vocabulary contract, participant turns only, forms, tone, actors.csv shape."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from toolkit.coding.actors import (
    ACTOR_COLUMNS,
    ACTOR_IDS,
    DEFAULT_VOCABULARY,
    ActorExtractor,
    extract_actors,
    fragmentation_counts,
    load_actor_vocabulary,
    load_tone_prior,
    tone_label,
)

CONTRACT_IDS = [
    "NAV", "OT", "fastlege", "helsesykepleier", "PPT", "BUP", "DPS", "psykolog_behandler", "barnevern",
    "flyktningtjeneste", "kommune_annet", "skole", "arbeidsgiver", "frivillig_fritid", "familie", "venner",
]  # fmt: skip


@pytest.fixture(scope="module")
def extractor() -> ActorExtractor:
    return ActorExtractor()


def mentioned(extractor: ActorExtractor, text: str) -> set[str]:
    frame = extractor.transcript_actors(text, "t.txt")
    return set(frame.loc[frame["mentioned"] == 1, "actor"])


def test_vocabulary_ids_are_exactly_the_contract():
    data = yaml.safe_load(DEFAULT_VOCABULARY.read_text(encoding="utf-8"))
    assert list(data["actors"]) == CONTRACT_IDS
    assert list(ACTOR_IDS) == CONTRACT_IDS


def test_interviewer_turns_are_ignored(extractor):
    text = "I: Har du vært i kontakt med NAV eller barnevernet?\n\nU: Nei, bare med treneren min."
    assert mentioned(extractor, text) == {"frivillig_fritid"}


@pytest.mark.parametrize(
    ("sentence", "actor"),
    [
        ("NAV-veilederen min ringte.", "NAV"),  # compound with an abbreviation
        ("Jeg var på Nav-kontoret i går.", "NAV"),
        ("Helsesøstera på skulen var fin.", "helsesykepleier"),  # nynorsk/dialect inflection
        ("Eg gjekk til helsesjukepleiaren.", "helsesykepleier"),  # nynorsk compound
        ("Kontaktlæraren min ringde heim.", "skole"),  # nynorsk compound head
        ("Oppfølgingstenesta tok kontakt.", "OT"),  # nynorsk
        ("Fotballtreneren heia på meg.", "frivillig_fritid"),  # compound head
        ("Mora mi og bestefaren min.", "familie"),
        ("Kompisane mine var der.", "venner"),  # dialect plural
        ("Barnevernstjenesten kom på besøk.", "barnevern"),
        ("Jobbspesialisten fra IPS hjalp meg.", "arbeidsgiver"),
        ("Vi var på BUPen en stund.", "BUP"),
    ],
)
def test_inflections_compounds_and_nynorsk_are_found(extractor, sentence, actor):
    assert actor in mentioned(extractor, f"U: {sentence}")


def test_name_is_not_nav(extractor):
    assert "NAV" not in mentioned(extractor, "U: Navnet mitt er vanskelig å uttale.")


def test_psychologist_at_dps_counts_as_dps(extractor):
    found = mentioned(extractor, "U: Jeg gikk til psykologen på DPS.")
    assert "DPS" in found and "psykolog_behandler" not in found
    assert "psykolog_behandler" in mentioned(extractor, "U: Psykologen i kommunen var grei.")


def tone_of(extractor: ActorExtractor, text: str, actor: str) -> str:
    frame = extractor.transcript_actors(text, "t.txt").set_index("actor")
    return str(frame.loc[actor, "tone"])


def test_tone_with_negation(extractor):
    assert tone_of(extractor, "U: Læreren var bra.", "skole") == "positiv"
    assert tone_of(extractor, "U: Læreren var ikke bra.", "skole") == "negativ"
    assert tone_of(extractor, "U: Læreren var ikkje snill.", "skole") == "negativ"
    assert tone_of(extractor, "U: Hun på OT ga ikke opp.", "OT") == "positiv"
    assert tone_of(extractor, "U: Hun på OT ga opp.", "OT") == "negativ"
    assert tone_of(extractor, "U: Jeg var hos legen på tirsdag.", "fastlege") == "nøytral"
    mixed = "U: NAV var greit i starten. Men så ble det bare ventetid."
    assert tone_of(extractor, mixed, "NAV") == "blandet"


def test_tone_window_separates_actors_and_keeps_evidence(extractor):
    text = "U: OT var fantastisk. Skolen var dårlig."
    frame = extractor.transcript_actors(text, "t.txt").set_index("actor")
    assert frame.loc["OT", "tone"] == "positiv"
    assert frame.loc["skole", "tone"] == "negativ"
    start, end = (int(x) for x in frame.loc["OT", "tone_evidence"].split(":")[0].split("-"))
    assert text[start:end] == "fantastisk"
    m_start, m_end = (int(x) for x in frame.loc["OT", "mention_offsets"].split("-"))
    assert text[m_start:m_end] == "OT"


def test_continuation_turn_gives_tone_but_not_a_turn(extractor):
    text = "U: Det var OT.\n\nI: Hva betydde OT for deg?\n\nU: At noen gadd. Hun var fantastisk."
    row = extractor.transcript_actors(text, "t.txt").set_index("actor").loc["OT"]
    assert row["n_turns"] == 1 and row["tone"] == "positiv"


def test_a_pronoun_after_the_interviewers_turn_is_not_the_previous_answers_actor(extractor):
    text = "U: Det var OT.\n\nI: Hva skjedde etter at du flytta?\n\nU: Hun var fantastisk."
    row = extractor.transcript_actors(text, "t.txt").set_index("actor").loc["OT"]
    assert row["mentioned"] == 1 and row["tone"] == "nøytral"


def test_a_yes_to_a_whether_question_naming_an_actor_with_a_staff_noun_is_a_mention(extractor):
    yes = "I: Har du vært i kontakt med NAV?\n\nU: Ja, æ hadde et møte med en veileder. Sida ikkje noe."
    assert "NAV" in mentioned(extractor, yes)
    frame = extractor.transcript_actors(yes, "t.txt").set_index("actor")
    start, end = (int(x) for x in frame.loc["NAV", "mention_offsets"].split("-"))
    assert yes[start:end] == "Ja"
    assert "NAV" not in mentioned(extractor, "I: Har du vært i kontakt med NAV?\n\nU: Nei, aldri.")
    assert "NAV" not in mentioned(extractor, "I: Hva tenker du om NAV?\n\nU: Ja, hva skal jeg si.")
    how = "I: Du nevnte NAV. Hvordan var det?\n\nU: Ja, hva skal jeg si."
    assert "NAV" not in mentioned(extractor, how)
    ofte = "I: Du nevnte NAV. Var du der ofte?\n\nU: Ja, hver uke hos saksbehandleren."
    assert "NAV" in mentioned(extractor, ofte)


def test_a_bare_yes_or_a_yes_with_pronouns_only_is_not_a_mention(extractor):
    """Pronouns do not name a service (set10's writer: "Ja." then "Dem ringte" is not a mention)."""
    assert "OT" not in mentioned(extractor, "I: Var du i kontakt med OT?\n\nU: Ja.")
    assert "barnevern" not in mentioned(
        extractor, "I: Var barnevernet involvert?\n\nU: Ja, ein periode. Dei kom på heimebesøk."
    )
    assert "NAV" not in mentioned(extractor, "I: Var NAV involvert?\n\nU: Ja, mamma var på uføretrygd.")


def test_a_bare_counsellor_is_the_schools_when_the_talk_is_about_school(extractor):
    question = "I: Snakket du med noen på skolen om det?\n\nU: Nei, rådgiveren spurte bare hvorfor."
    assert "skole" in mentioned(extractor, question)
    assert "skole" not in mentioned(extractor, "I: Hvordan var NAV?\n\nU: Rådgiveren spurte bare hvorfor.")
    intro = "I: Hvordan var skolen?\n\nU: Rådgiveren min på intro sier regler er regler."
    assert "skole" not in mentioned(extractor, intro)


def test_an_actor_word_in_a_short_quotation_is_a_word_not_the_actor(extractor):
    assert "fastlege" not in mentioned(extractor, "U: Sykepleier er «nesten lege», sier han.")
    assert "fastlege" not in mentioned(extractor, 'U: Vi har en gruppechat som heter "legene".')
    said = mentioned(extractor, "U: Hun sa «du må gå til legen din med det i morgen», og det gjorde jeg.")
    assert "fastlege" in said


def test_a_question_about_a_place_makes_it_the_answers_topic(extractor):
    text = "I: Hvordan er det på skolen?\n\nU: Bra. Læreren vår vet om mamma."
    assert extractor.transcript_actors(text, "t.txt").set_index("actor").loc["skole", "tone"] == "positiv"


def test_actors_frame_columns_rows_and_fragmentation():
    texts = {
        "a.txt": "I: NAV?\n\nU: NAV og OT og BUP. Mamma og kompisen min.\n\nU: NAV igjen.",
        "b.txt": "U: Ingen hjalp meg.",
    }
    frame = extract_actors(texts)
    assert list(frame.columns[: len(ACTOR_COLUMNS)]) == ["source", "actor", "mentioned", "n_turns", "tone"]
    assert len(frame) == 2 * len(ACTOR_IDS)
    assert not frame.duplicated(["source", "actor"]).any()
    assert set(frame.loc[frame["mentioned"] == 0, "tone"]) == {""}
    a = frame[frame["source"] == "a.txt"].set_index("actor")
    assert a.loc["NAV", "n_turns"] == 2 and a.loc["familie", "mentioned"] == 1
    counts = fragmentation_counts(frame)
    assert counts.to_dict() == {"a.txt": 3, "b.txt": 0}
    assert (a["fragmentation"] == 3).all()


def test_study_extension_adds_forms(tmp_path: Path):
    extension = tmp_path / "extra.yml"
    extension.write_text(
        "actors:\n  OT:\n    forms: [losen]\n  ungdomslos:\n    new: true\n    forms: [los]\n", "utf-8"
    )
    vocabulary = load_actor_vocabulary(extensions=[extension])
    extractor = ActorExtractor(vocabulary)
    found = mentioned(extractor, "U: Losen var der alltid. Los er bra.")
    assert {"OT", "ungdomslos"} <= found
    assert extractor.is_public_service("ungdomslos")
    assert extractor.actor_ids[-1] == "ungdomslos"


def test_extension_finds_a_new_form_inflected_and_in_compounds(tmp_path: Path):
    """Done-when (issue 17): a form the vocabulary misses is found after the extension, inflected."""
    texts = [
        "U: Kuratoren på skolen hjalp meg mye.",  # Bokmål definite
        "U: Skolekuratorane var greie.",  # Nynorsk definite plural, in a compound
        "U: Eg snakka med kuratorar heile tida.",  # Nynorsk indefinite plural
    ]
    before = ActorExtractor()
    assert all("kommune_annet" not in mentioned(before, text) for text in texts)
    extension = tmp_path / "extra.yml"
    extension.write_text("actors:\n  kommune_annet:\n    heads: [kurator]\n", "utf-8")
    after = ActorExtractor(load_actor_vocabulary(extensions=[extension]))
    assert all("kommune_annet" in mentioned(after, text) for text in texts)


def test_extension_form_is_found_through_the_lemma_layer(tmp_path: Path):
    """With the language layer, an inflection the endings list misses is found by its lemma."""
    from toolkit.language import get_analyzer

    analyzer = get_analyzer()
    text = "U: Brødrene mine hjalp meg."
    extension = tmp_path / "extra.yml"
    extension.write_text("actors:\n  storfamilie:\n    new: true\n    stems: [bror]\n", "utf-8")
    vocabulary = load_actor_vocabulary(extensions=[extension])
    assert "storfamilie" not in mentioned(
        ActorExtractor(vocabulary), text
    )  # 'brødrene' is no ending of 'bror'
    assert "storfamilie" in mentioned(ActorExtractor(vocabulary, analyzer=analyzer), text)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("actors:\n  ungdomslos:\n    forms: [los]\n", "names 'ungdomslos', which is not an actor id"),
        ("actors:\n  NAV:\n    new: true\n    forms: [velferden]\n", "declares 'NAV' as new"),
        ("actors:\n  NAV:\n    form: [velferden]\n", "unknown field 'form'"),
        ("actors:\n  ung los:\n    new: true\n", "is not a plain name"),
    ],
)
def test_extension_errors_are_one_line_naming_the_file_and_the_fix(tmp_path: Path, body: str, message: str):
    from toolkit.errors import InputDataError

    extension = tmp_path / "extra.yml"
    extension.write_text(body, "utf-8")
    with pytest.raises(InputDataError, match=message) as error:
        load_actor_vocabulary(extensions=[extension])
    text = str(error.value)
    assert "\n" not in text and str(extension) in text and "Fix:" in text


def test_missing_contract_id_is_an_error(tmp_path: Path):
    broken = tmp_path / "broken.yml"
    broken.write_text("actors:\n  NAV:\n    abbreviations: [NAV]\n", "utf-8")
    with pytest.raises(Exception, match="lacks the id"):
        load_actor_vocabulary(broken)


def test_tone_label_matches_definition():
    assert [tone_label(1, 0), tone_label(0, 2), tone_label(1, 1), tone_label(0, 0)] == [
        "positiv", "negativ", "blandet", "nøytral",
    ]  # fmt: skip
    assert isinstance(pd.DataFrame(), pd.DataFrame)


def test_autocode_writes_actors_csv(tmp_path: Path):
    from toolkit.coding.run import autocode_folder

    transcripts = tmp_path / "in"
    transcripts.mkdir()
    (transcripts / "a.txt").write_text("I: Og NAV?\n\nU: NAV-veilederen var bra. Mamma også.\n", "utf-8")
    (transcripts / "b.txt").write_text("I: Og skolen?\n\nU: Jeg vet ikke.\n", "utf-8")
    codebook = Path(__file__).resolve().parents[1] / "protocols" / "codebook_nb.yml"
    (transcripts / "c.txt").write_text("I: Og NAV?\n\nU: NAV var dårlig.\n", "utf-8")
    (transcripts / "d.txt").write_text("I: Og skolen?\n\nU: Læreren var snill.\n", "utf-8")
    groups = pd.DataFrame(
        {"source": ["a.txt", "b.txt", "c.txt", "d.txt"], "group": ["avvik", "avvik", "x", "x"]}
    )
    result = autocode_folder(transcripts, codebook, tmp_path / "out", groups=groups, min_cell=1)
    assert "actors.csv" in result.files
    by_group = pd.read_csv(result.files["actors_by_group.csv"])
    assert len(by_group) == 2 * len(ACTOR_IDS)
    nav_row = by_group[(by_group["group"] == "avvik") & (by_group["actor"] == "NAV")].iloc[0]
    assert (nav_row["n_people"], nav_row["n_mentioned"], nav_row["n_positiv"]) == (2, 1, 1)
    actors = pd.read_csv(result.files["actors.csv"], keep_default_na=False)
    assert list(actors.columns[:5]) == ACTOR_COLUMNS
    assert len(actors) == 4 * len(ACTOR_IDS)
    assert actors.groupby("source")["actor"].apply(list).map(lambda ids: ids == list(ACTOR_IDS)).all()
    nav = actors[(actors["source"] == "a.txt") & (actors["actor"] == "NAV")].iloc[0]
    assert (nav["mentioned"], nav["n_turns"], nav["tone"]) == (1, 1, "positiv")
    assert set(actors.loc[actors["source"] == "b.txt", "mentioned"]) == {0}

    # issue 17 outputs: a system map per group, actors as REFI-QDA codes, and the project reads back
    assert {"actor_map_avvik.png", "actor_map_x.png"} <= set(result.files)
    assert result.files["actor_map_avvik.png"].read_bytes().startswith(b"\x89PNG")
    from toolkit.coding.codebook import load_codebook
    from toolkit.coding.refiqda import read_qdpx
    from toolkit.coding.run import read_hand_coding
    from toolkit.coding.segments import read_segments

    book = load_codebook(codebook)
    project = read_qdpx(result.files["project.qdpx"], book)
    assert {"aktorer", "aktor_NAV", "aktor_familie"} <= set(project.codes["code_id"])
    assert {"aktor_NAV", "aktor_familie", "aktor_skole"} <= set(project.codings["code_id"])
    hand = read_hand_coding(result.files["project.qdpx"], book, read_segments(transcripts)[0])
    assert set(hand["code_id"]) <= set(book.ids)  # the actor codes are not taken for hand-coded themes


def test_autocode_report_shows_the_maps_and_extensions_reach_actors_csv(tmp_path: Path):
    from toolkit.coding.run import autocode_folder
    from toolkit.report import Report

    transcripts = tmp_path / "in"
    transcripts.mkdir()
    for i in range(6):
        (transcripts / f"p{i}.txt").write_text("I: Hvem hjalp?\n\nU: Ungdomslosen var god.\n", "utf-8")
    extension = tmp_path / "extra.yml"
    extension.write_text("actors:\n  ungdomslos:\n    new: true\n    heads: [ungdomslos]\n", "utf-8")
    groups = pd.DataFrame({"source": [f"p{i}.txt" for i in range(6)], "group": "positivt_avvik"})
    codebook = Path(__file__).resolve().parents[1] / "protocols" / "codebook_nb.yml"
    result = autocode_folder(
        transcripts, codebook, tmp_path / "out", groups=groups, actor_extensions=[extension]
    )
    actors = pd.read_csv(result.files["actors.csv"], keep_default_na=False)
    assert actors.loc[actors["actor"] == "ungdomslos", "mentioned"].tolist() == [1] * 6
    report = result.add_to_report(Report("coding"))
    captions = [block.caption for block in report.blocks if block.kind == "figure"]
    assert any(caption.startswith("System map: positivt_avvik") for caption in captions)


def test_actors_by_group_counts_and_suppresses_small_cells():
    from toolkit.coding.actors import actors_by_group

    texts = {
        f"{g}{i}.txt": ("U: NAV og OT var bra." if i % 2 else "U: NAV var dårlig.")
        for g in "ab"
        for i in range(6)
    }
    texts["c0.txt"] = "U: NAV."
    groups = pd.DataFrame({"source": list(texts), "group": [s[0] for s in texts]})
    table = actors_by_group(extract_actors(texts), groups, min_cell=3).set_index(["group", "actor"])
    nav_b = table.loc[("b", "NAV")]
    assert (nav_b["n_people"], nav_b["n_mentioned"], nav_b["n_positiv"], nav_b["n_negativ"]) == (6, 6, 3, 3)
    assert table.loc[("b", "OT"), "share_mentioned"] == pytest.approx(0.5)
    assert table.loc[("b", "NAV"), "mean_fragmentation"] == pytest.approx(1.5)
    assert pd.isna(table.loc[("c", "NAV"), "n_mentioned"])  # a group of one person is never shown
    assert bool(table.loc[("c", "NAV"), "suppressed"])


# --------------------------------------------------------------- scoping rules (issue 17: unseen transcripts)
# Small synthetic sentences written for these tests; none is taken from a blind set.


@pytest.mark.parametrize(
    "text, absent",
    [
        ("U: Jeg har aldri hatt noe med barnevernet.", "barnevern"),
        ("U: Vi har ikke vært i kontakt med PPT.", "PPT"),
        ("U: Nei, aldri BUP.", "BUP"),
        ("U: Eg har ikkje vore hos psykolog.", "psykolog_behandler"),
        ("U: Jeg har ikke hatt noe med NAV eller barnevernet.", "barnevern"),
        ("I: Hvordan var det å komme til DPS?\n\nU: Jeg husker ikke så mye.", "DPS"),
    ],
)
def test_actor_named_as_not_involved_or_only_asked_about_is_not_mentioned(extractor, text, absent):
    assert absent not in mentioned(extractor, text)


def test_negation_with_other_words_between_or_inverted_subject_keeps_the_mention(extractor):
    assert "NAV" in mentioned(extractor, "U: Jeg fikk ikke hjelp fra NAV.")
    assert "arbeidsgiver" in mentioned(extractor, "U: Da ville ikke sjefen ha meg lenger.")
    both = mentioned(extractor, "U: Jeg har ikke hatt noe med NAV eller barnevernet.")
    assert {"NAV", "barnevern"}.isdisjoint(both)


def test_fragmentation_counts_only_services_that_were_involved(extractor):
    text = "U: NAV og OT hjalp meg, og mamma var med. Jeg har aldri vært hos psykolog."
    frame = extractor.transcript_actors(text, "t.txt")
    assert set(frame.loc[frame["mentioned"] == 1, "actor"]) == {"NAV", "OT", "familie"}
    assert frame["fragmentation"].iloc[0] == 2


def test_tone_is_scoped_to_the_clause_and_the_nearest_coordinated_mention(extractor):
    text = "U: NAV og OT var bra, men BUP var dårlig."
    assert [tone_of(extractor, text, actor) for actor in ("NAV", "OT", "BUP")] == [
        "positiv",
        "positiv",
        "negativ",
    ]
    assert tone_of(extractor, "U: Læreren var flink, mens NAV var treg og dårlig.", "skole") == "positiv"


def test_negation_flips_polarity_in_a_scoped_clause(extractor):
    assert tone_of(extractor, "U: Helsesøster var ikke særlig hjelpsom.", "helsesykepleier") == "negativ"


def test_contrast_with_one_evaluated_side_is_mixed(extractor):
    text = "U: Saksbehandleren på NAV var grei nok, men hun hadde førti andre å følge opp."
    assert tone_of(extractor, text, "NAV") == "blandet"
    assert tone_of(extractor, "U: Det tok lang tid med NAV, men de kom fram til noe.", "NAV") == "negativ"
    assert tone_of(extractor, "U: NAV var bra, og de kom fram til noe.", "NAV") == "positiv"


def test_both_polarities_across_the_transcript_are_mixed_and_none_is_neutral(extractor):
    text = "U: NAV var bra i starten.\n\nI: Og senere?\n\nU: NAV ble bare dårlig."
    assert tone_of(extractor, text, "NAV") == "blandet"
    assert tone_of(extractor, "U: Jeg snakket med NAV på tirsdag.", "NAV") == "nøytral"


def test_pronoun_sentence_carries_tone_and_an_unrelated_sentence_does_not(extractor):
    assert tone_of(extractor, "U: Jeg fikk kontakt med OT. Hun var kjempegrei.", "OT") == "positiv"
    assert tone_of(extractor, "U: Jeg fikk kontakt med OT. Været var dårlig.", "OT") == "nøytral"


def test_interviewer_topic_gives_the_answer_tone_but_no_turn(extractor):
    text = "U: Jeg gikk til fastlegen.\n\nI: Hva med fastlegen?\n\nU: Han var dårlig og glemte meg."
    frame = extractor.transcript_actors(text, "t.txt").set_index("actor")
    assert frame.loc["fastlege", "tone"] == "negativ"
    assert frame.loc["fastlege", "n_turns"] == 1


def test_speakers_own_state_is_not_the_actors_tone(extractor):
    text = "U: Jeg gikk til helsesøster, og jeg var stressa hele tiden."
    assert tone_of(extractor, text, "helsesykepleier") == "nøytral"


def test_scoped_evidence_offsets_point_at_the_evaluative_words(extractor):
    text = "U: OT var kjempegrei, men BUP var dårlig."
    frame = extractor.transcript_actors(text, "t.txt").set_index("actor")
    spans = [item.split(":")[0] for item in frame.loc["OT", "tone_evidence"].split(";")]
    words = [text[int(s.split("-")[0]) : int(s.split("-")[1])] for s in spans]
    assert words == ["kjempegrei"]
    assert "dårlig" in [text[int(s.split("-")[0]) : int(s.split("-")[1].split(":")[0])]
                        for s in frame.loc["BUP", "tone_evidence"].split(";")]  # fmt: skip


def test_prefix_words_do_not_swallow_a_phrase(extractor):
    lexicon = extractor.tone_lexicon
    assert lexicon.polarity("kaldt") == -1
    assert lexicon.phrase_polarity("kald men den var") == 0
    assert lexicon.phrase_polarity("stilte opp") == 1


def test_scope_rules_on_word_lists():
    from toolkit.coding.actor_scope import clause_spans, negated_as_not_involved, opens_with_first_person

    assert negated_as_not_involved(["jeg", "har", "aldri", "vært", "hos"])
    assert negated_as_not_involved(["ikke", "hatt", "noe", "med", "nav", "eller"], frozenset({4}))
    assert not negated_as_not_involved(["jeg", "fikk", "ikke", "hjelp", "fra"])
    assert not negated_as_not_involved(["da", "ville", "ikke"])
    assert opens_with_first_person(["og", "jeg", "var", "stressa"])
    assert not opens_with_first_person(["og", "hun", "var", "stressa"])
    text = "Hun var grei nok, men hun var sein; det tok tid"
    assert [text[a:b] for a, b in clause_spans(text)] == [
        "Hun var grei nok",
        "men hun var sein",
        "det tok tid",
    ]


def test_a_bad_extension_stops_autocode_before_any_output(tmp_path: Path):
    from toolkit.coding.run import autocode_folder
    from toolkit.errors import InputDataError

    transcripts = tmp_path / "in"
    transcripts.mkdir()
    (transcripts / "a.txt").write_text("I: Hvem?\n\nU: NAV.\n", "utf-8")
    extension = tmp_path / "extra.yml"
    extension.write_text("actors:\n  ungdomslos:\n    heads: [los]\n", "utf-8")
    codebook = Path(__file__).resolve().parents[1] / "protocols" / "codebook_nb.yml"
    with pytest.raises(InputDataError, match="new: true"):
        autocode_folder(transcripts, codebook, tmp_path / "out", actor_extensions=[extension])
    assert not (tmp_path / "out").exists()


def test_an_extension_field_that_is_not_a_list_gets_one_line(tmp_path: Path):
    from toolkit.errors import InputDataError

    extension = tmp_path / "extra.yml"
    extension.write_text("actors:\n  kommune_annet:\n    place_only_forms: kommuna\n", "utf-8")
    with pytest.raises(InputDataError, match="field 'place_only_forms' is not a list") as raised:
        load_actor_vocabulary(extensions=[extension])
    assert "\n" not in str(raised.value) and "Fix:" in str(raised.value)


def test_protocol_key_actors_extra_is_resolved_and_checked(tmp_path: Path):
    from toolkit.errors import ProtocolError
    from toolkit.protocol import Protocol

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "register.csv").write_text("pid,kommune,utfall,risiko\n1,a,1,0\n", "utf-8")
    (tmp_path / "extra.yml").write_text("actors:\n  NAV:\n    stems: [velferdskontor]\n", "utf-8")
    body = (
        "study: t\ndata:\n  register: register.csv\n  results: results\noutcome: utfall\n"
        "risk_factors: [risiko]\nunits: [kommune]\n"
        f"coding:\n  codebook: {root / 'protocols' / 'codebook_nb.yml'}\n  actors_extra: extra.yml\n"
    )
    (tmp_path / "p.yml").write_text(body, "utf-8")
    assert Protocol.load(tmp_path / "p.yml").coding.actors_extra == [(tmp_path / "extra.yml").resolve()]
    (tmp_path / "q.yml").write_text(
        body.replace("actors_extra: extra.yml", "actors_extra: [nope.yml]"), "utf-8"
    )
    with pytest.raises(ProtocolError, match="coding.actors_extra"):
        Protocol.load(tmp_path / "q.yml")


@pytest.mark.parametrize(
    "text, actor, expected",
    [
        ("U: Det var en lærer på ungdomsskolen som ringte meg hver uke.", "skole", True),
        ("U: Lege, NAV, BUP og helsestasjonen: alle hadde sin bit.", "fastlege", True),
        ("U: Før det var jeg lærer i ti år.", "skole", False),
        ("U: Mora mi ville at jeg skulle bli lege.", "fastlege", False),
        ("U: Jeg lærer mye av å jobbe.", "skole", False),
    ],
)
def test_bare_teacher_or_doctor_is_a_person_unless_a_profession(extractor, text, actor, expected):
    assert (actor in mentioned(extractor, text)) is expected


def test_a_career_plan_is_not_a_service(extractor):
    assert "barnevern" not in mentioned(extractor, "U: Til høsten skal jeg søke barnevernspedagog.")
    assert "psykolog_behandler" not in mentioned(extractor, "U: Jeg vil bli psykolog en dag.")
    assert "frivillig_fritid" in mentioned(extractor, "U: Jeg begynte å studere, treneren ble lei seg.")


def test_negation_after_the_finite_verb_flips_it(extractor):
    assert tone_of(extractor, "U: Helsesøster maste aldri om fraværet.", "helsesykepleier") == "positiv"
    assert tone_of(extractor, "U: Helsesøster maste om fraværet.", "helsesykepleier") == "negativ"


def test_a_mixed_judgement_word_is_both_polarities(extractor):
    text = "I: Hvordan var det på DPS?\n\nU: Blanda. Jeg gikk på DPS i et år."
    assert tone_of(extractor, text, "DPS") == "blandet"


def test_something_sent_from_the_school_is_the_school_acting(extractor):
    assert "skole" in mentioned(extractor, "U: Så fikk jeg et brev fra skolen om at plassen var borte.")
    assert "skole" not in mentioned(extractor, "U: Jeg gikk rett hjem fra skolen.")


def test_the_speakers_state_inside_a_clause_is_not_the_actors_tone(extractor):
    text = "U: OT hjalp meg å finne ut hvilke fag jeg manglet."
    assert tone_of(extractor, text, "OT") == "positiv"
    assert tone_of(extractor, "U: NAV sa at jeg var for dårlig til å jobbe.", "NAV") == "nøytral"
    assert tone_of(extractor, "U: Jeg likte henne på NAV veldig godt.", "NAV") == "positiv"


def test_inverted_first_person_clause_is_the_speakers_state(extractor):
    assert tone_of(extractor, "U: Fastlegen sendte en henvisning. Så venta jeg.", "fastlege") == "nøytral"


def test_answer_to_an_evaluative_who_question_takes_its_tone(extractor):
    text = "I: Hvem har hjulpet deg mest?\n\nU: Treneren min. Jeg har kjent ham lenge."
    assert tone_of(extractor, text, "frivillig_fritid") == "positiv"
    whether = "I: Fikk du hjelp av noen?\n\nU: Fastlegen sendte meg videre."
    assert tone_of(extractor, whether.replace("av noen", ""), "fastlege") == "nøytral"
    mixed = "I: Hvem hjalp deg i den vanskelige tida?\n\nU: Treneren min."
    assert tone_of(ActorExtractor(tone_prior={}), mixed, "frivillig_fritid") == "nøytral"


def test_a_role_there_shares_its_tone_with_the_place_named_before(extractor):
    text = "U: Jeg er frivillig i Røde Kors på fredager. Koordinatoren der er veldig grei."
    assert tone_of(extractor, text, "frivillig_fritid") == "positiv"
    assert "kommune_annet" not in mentioned(extractor, text)  # the group's coordinator, not a municipal one
    work = "U: Jeg fikk praksis på et verksted gjennom NAV. Mesteren der var streng."
    assert {"NAV", "arbeidsgiver"} <= mentioned(extractor, work)  # *der* is the workshop, not NAV


def test_a_word_listed_whole_for_one_actor_is_not_another_by_its_head(extractor):
    found = mentioned(extractor, "U: Miljøterapeuten på avdelingen var grei.")
    assert "kommune_annet" in found
    assert "psykolog_behandler" not in found  # ends in *terapeut*, but is not a treating therapist
    assert "psykolog_behandler" in mentioned(extractor, "U: Skolepsykologen var grei.")


def test_an_unevaluated_informal_supporter_takes_the_learned_prior(extractor):
    text = "U: Sjefen min heter Per, og jeg jobber der tre dager i uka."
    assert tone_of(extractor, text, "arbeidsgiver") == "positiv"
    assert tone_of(ActorExtractor(tone_prior={}), text, "arbeidsgiver") == "nøytral"
    assert tone_of(extractor, "U: Sjefen var slem med meg.", "arbeidsgiver") == "negativ"  # evidence wins
    assert tone_of(extractor, "U: Jeg snakket med NAV på tirsdag.", "NAV") == "nøytral"  # no prior


def test_a_tone_prior_with_an_unknown_tone_is_refused(tmp_path: Path):
    from toolkit.errors import InputDataError

    bad = tmp_path / "prior.yml"
    bad.write_text("unevaluated:\n  venner: glad\n", "utf-8")
    with pytest.raises(InputDataError, match="unevaluated"):
        load_tone_prior(bad)
    assert set(load_tone_prior().values()) <= {"positiv", "negativ", "blandet", "nøytral"}


def _prior_script():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "learn_actor_tone_prior.py"
    spec = importlib.util.spec_from_file_location("learn_actor_tone_prior", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_prior_is_learned_per_category_only_when_every_set_agrees():
    script = _prior_script()

    def cases(set_name: str, actor: str, tones: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            {"set": set_name, "actor": actor, "tone_gold": tones, "tone_pred": "nøytral"}
        ).assign(category=lambda f: f["actor"].map(script.category))

    agree = pd.concat(
        [cases("a", "venner", ["positiv"] * 4 + ["nøytral"]), cases("b", "arbeidsgiver", ["positiv"] * 5)]
    )
    prior = script.learn_prior(agree, list(ACTOR_IDS))
    assert prior == {"arbeidsgiver": "positiv", "frivillig_fritid": "positiv", "venner": "positiv"}
    split = pd.concat([cases("a", "venner", ["positiv"] * 5), cases("b", "venner", ["negativ"] * 5)])
    assert script.learn_prior(split, list(ACTOR_IDS)) == {}
    few = cases("a", "familie", ["negativ"] * 4)
    assert script.learn_prior(few, list(ACTOR_IDS)) == {}
    neutral = cases("a", "NAV", ["nøytral"] * 6)
    assert script.learn_prior(neutral, list(ACTOR_IDS)) == {}


def test_a_clause_opening_a_sentence_without_a_name_refers_back_not_forward():
    rules_only = ActorExtractor(tone_prior={})
    text = "U: Hun bodde hos moren. Det var mye krangel, og hun sov hos en venninne."
    assert tone_of(rules_only, text, "familie") == "negativ"
    assert tone_of(rules_only, text, "venner") == "nøytral"
    forward = "U: Det var mye krangel, og hun sov hos en venninne."  # nothing before: the later name
    assert tone_of(rules_only, forward, "venner") == "negativ"


def test_how_long_a_service_took_is_a_complaint_unless_it_was_only_short():
    rules_only = ActorExtractor(tone_prior={})
    assert tone_of(rules_only, "U: Det tok fem måneder før BUP ringte.", "BUP") == "negativ"
    assert tone_of(rules_only, "U: Sju måneder på venteliste hos BUP.", "BUP") == "negativ"
    assert tone_of(rules_only, "U: BUP tok bare to uker.", "BUP") == "nøytral"


def test_aftercare_and_municipal_support_roles_are_their_services(extractor):
    assert "barnevern" in mentioned(
        extractor, "U: Ettervernskontakten min var grei."
    )  # barnevern's aftercare
    assert "kommune_annet" in mentioned(extractor, "U: Støttekontakten min og rusteamet hjalp meg.")
    rules_only = ActorExtractor(tone_prior={})
    assert tone_of(rules_only, "U: Saken i barnevernet ble henlagt.", "barnevern") == "negativ"


def test_a_therapist_tied_to_bup_or_dps_is_the_service_one_named_apart_counts(extractor):
    assert mentioned(extractor, "U: Jeg gikk på BUP, og psykologen der var god.") & {
        "BUP",
        "psykolog_behandler",
    } == {"BUP"}
    assert "psykolog_behandler" not in mentioned(extractor, "U: Behandleren ved et DPS ringte meg.")
    apart = mentioned(extractor, "U: Jeg fikk time på DPS etter seks uker. Psykologen var fin.")
    assert {"DPS", "psykolog_behandler"} <= apart
    both = mentioned(extractor, "U: Kommunepsykologen er flink, men til BUP er det langt.")
    assert {"BUP", "psykolog_behandler"} <= both


def test_a_municipal_team_tied_to_nav_is_nav(extractor):
    found = mentioned(extractor, "U: Jeg har en veileder i ungdomsteamet på NAV.")
    assert "NAV" in found and "kommune_annet" not in found
    found = mentioned(extractor, "U: Så havnet jeg på NAV, på ungdomsteamet.")
    assert "NAV" in found and "kommune_annet" not in found
    found = mentioned(extractor, "U: Barnevernet har det. Der var en miljøarbeider, Petter.")
    assert "barnevern" in found and "kommune_annet" not in found
    assert "kommune_annet" in mentioned(extractor, "U: Kommunens ungdomsteam hjalp meg.")


def test_the_municipality_where_someone_lives_is_a_place(extractor):
    assert "kommune_annet" not in mentioned(extractor, "U: Vi ble bosatt her i kommunen i fjor.")
    assert "kommune_annet" not in mentioned(extractor, "U: eg budde i kommunen heile livet")
    assert "kommune_annet" in mentioned(extractor, "U: Kommunen ga oss en leilighet.")
    assert "kommune_annet" in mentioned(extractor, "U: Gjeldsrådgiveren i kommunen var grei.")


def test_a_municipality_named_in_the_indefinite_is_a_place(extractor):
    """The indefinite *kommune* names a municipality as a place ("i en liten kommune", "byttet kommune"), never
    the municipal services acting; the definite form and the compounds still do."""
    for sentence in (
        "U: Jeg bor i en liten kommune på Vestlandet.",
        "U: De har byttet kommune og ikke fått hjelp.",
        "U: Eleven er ofte fra en annen kommune, og det tar tid.",
        "U: Eg er helsesjukepleiar i ein kommune med om lag fem tusen innbyggjarar.",
    ):
        assert "kommune_annet" not in mentioned(extractor, sentence), sentence
    assert "kommune_annet" in mentioned(extractor, "U: Kommunen ga oss en leilighet.")
    assert "kommune_annet" in mentioned(extractor, "U: Jeg fikk kommunal bolig i fjor.")


@pytest.mark.parametrize(
    ("sentence", "actor"),
    [
        ("u: jeg ble henvist til bup i fjor", "BUP"),
        ("u: eg var hos ppt to gonger", "PPT"),
        ("u: so kom eg til dps", "DPS"),
        ("u: hun fra ot ringte meg", "OT"),
        ("U: Fastlegan her e stort sett vikarer.", "fastlege"),
        ("U: Hjemmesykepleien kommer innom mamma hver dag.", "kommune_annet"),
        ("U: Eg har skilaget og jobben.", "frivillig_fritid"),
        ("U: Han trener med fotballklubben.", "frivillig_fritid"),
    ],
)
def test_lower_case_abbreviations_dialect_and_more_services_are_found(extractor, sentence, actor):
    assert actor in mentioned(extractor, sentence)


@pytest.mark.parametrize(
    ("sentence", "is_workplace"),
    [
        ("U: Jeg jobber på et bakeri tre dager i uka.", True),
        ("U: Nå er han lærling hos en rørlegger.", True),
        ("U: eg fekk praksis på eit sjukeheim", True),
        ("U: Jeg fikk sommerjobb på campingen.", True),
        ("U: Jeg jobber i helgene.", False),
        ("U: Jeg jobbet i to år før det.", False),
        ("U: Jeg jobber på NAV som veileder.", False),
        ("U: Jeg jobber med ungdom.", False),
    ],
)
def test_a_workplace_named_by_where_someone_works_is_the_employer(extractor, sentence, is_workplace):
    assert ("arbeidsgiver" in mentioned(extractor, sentence)) is is_workplace


def test_a_full_stop_before_a_lower_case_word_ends_a_sentence():
    from toolkit.coding.actor_scope import spoken_sentences

    text = "legen var grei. hun sendte meg til bup. Og så ventet jeg"
    assert [text[a:b] for a, b in spoken_sentences(text)] == [
        "legen var grei.",
        "hun sendte meg til bup. Og så ventet jeg",  # before a capital the turn splitter has cut already
    ]
    assert spoken_sentences("ingen punktum her i det hele tatt") == [(0, 33)]
    rules_only = ActorExtractor(tone_prior={})
    text = "U: mamma var snill. legen var ubrukelig."
    assert tone_of(rules_only, text, "familie") == "positiv"
    assert tone_of(rules_only, text, "fastlege") == "negativ"  # one sentence would give it "snill" too


def test_an_actor_the_interview_keeps_returning_to_is_mixed():
    rules_only = ActorExtractor(tone_prior={})
    turns = "\n\n".join(f"I: Og så?\n\nU: NAV var {word}." for word in ("bra", "grei", "fin", "flink"))
    assert tone_of(rules_only, turns, "NAV") == "blandet"
    two = "I: Og så?\n\nU: NAV var bra.\n\nI: Og så?\n\nU: NAV var grei."
    assert tone_of(rules_only, two, "NAV") == "positiv"


def test_nynorsk_and_common_evaluative_words_carry_tone():
    rules_only = ActorExtractor(tone_prior={})
    assert tone_of(rules_only, "U: Helsesjukepleiaren var hjelpsam.", "helsesykepleier") == "positiv"
    assert tone_of(rules_only, "U: Læraren var uvenleg mot meg.", "skole") == "negativ"
    assert tone_of(rules_only, "U: Legen var kjempehyggelig.", "fastlege") == "positiv"


def test_actor_agreement_scores_mentions_fragmentation_and_tone():
    """Two actors.csv tables of the same transcripts: mention F1 against the reference, the share of young
    people whose public-service count agrees, and tone kappa over the actors both mark as mentioned."""
    from toolkit.coding.actors import actor_agreement

    def table(rows):
        return pd.DataFrame(rows, columns=["source", "actor", "mentioned", "n_turns", "tone"])

    reference = table(
        [
            ("a.txt", "NAV", 1, 2, "negativ"),
            ("a.txt", "OT", 1, 1, "positiv"),
            ("a.txt", "familie", 1, 1, "positiv"),
            ("b.txt", "NAV", 1, 1, "positiv"),
            ("b.txt", "OT", 0, 0, ""),
        ]
    )
    other = table(
        [
            ("a.txt", "NAV", 1, 1, "negativ"),
            ("a.txt", "OT", 0, 0, ""),
            ("a.txt", "familie", 1, 1, "positiv"),
            ("b.txt", "NAV", 1, 1, "negativ"),
            ("b.txt", "OT", 1, 1, "nøytral"),
        ]
    )
    result = actor_agreement(reference, other, youth=["a.txt", "b.txt"])
    assert result["mentions"] == 4
    assert result["precision"] == 3 / 4 and result["recall"] == 3 / 4
    assert result["fragmentation_exact"] == 0.0  # a.txt 2 vs 1 public services, b.txt 1 vs 2
    assert result["fragmentation_within_one"] == 1.0 and result["fragmentation_mean_abs_diff"] == 1.0
    assert result["tone_pairs"] == 3 and result["tone_agreement"] == 2 / 3
    same = actor_agreement(reference, reference)
    assert same["f1"] == 1.0 and same["fragmentation_exact"] == 1.0 and same["tone_kappa"] == 1.0
    assert same["fragmentation_mean_abs_diff"] == 0.0


def test_a_youth_club_is_leisure_not_a_second_public_service(extractor):
    """One word, one actor: "fritidsklubben" adding ``kommune_annet`` too raised the fragmentation count."""
    found = mentioned(extractor, "U: Jeg gikk på fritidsklubben hver fredag, det var fint.")
    assert "frivillig_fritid" in found and "kommune_annet" not in found


def test_det_with_an_evaluative_verb_judges_what_the_actor_just_did(extractor):
    """ "Det hjelpte å snakke." after a sentence naming the nurse is the nurse's effect (set6, set7, set10)."""
    text = "U: Eg gjekk til helsesjukepleiaren på skulen. Det hjelpte å snakke."
    row = extractor.transcript_actors(text, "t.txt").set_index("actor").loc["helsesykepleier"]
    assert row["tone"] == "positiv"
    plain = "U: Eg gjekk til helsesjukepleiaren på skulen. Det var i vg2."
    assert extractor.transcript_actors(plain, "t.txt").set_index("actor").loc["helsesykepleier", "tone"] == (
        "nøytral"
    )
    negated = "U: Eg gjekk til helsesjukepleiaren på skulen. Det hjalp ikke med en gang."
    assert extractor.transcript_actors(negated, "t.txt").set_index("actor").loc[
        "helsesykepleier", "tone"
    ] == ("nøytral")


def test_no_answer_and_an_eternity_are_complaints(extractor):
    """Variants of listed complaints ("ingen svar", "tok lang tid") in Nynorsk and other wording."""
    text = "U: Eg har sendt e-post til NAV utan å få svar."
    assert extractor.transcript_actors(text, "t.txt").set_index("actor").loc["NAV", "tone"] == "negativ"
    slow = "U: vi søkte om avlastning i kommunen og det tok en evighet"
    assert extractor.transcript_actors(slow, "t.txt").set_index("actor").loc["kommune_annet", "tone"] == (
        "negativ"
    )


def test_someones_health_said_with_an_evaluative_word_carries_no_tone(extractor):
    """ "når mor er dårleg", "ei dårleg natt", "sov dårlig" say how someone is, not what an actor was like."""
    for text in (
        "U: Eg tek meg av mor når ho er dårleg.",
        "U: Mamma hadde ei dårleg natt igjen.",
        "U: Pappa sov dårlig hele vinteren.",
    ):
        row = extractor.transcript_actors(text, "t.txt").set_index("actor").loc["familie"]
        assert row["mentioned"] == 1 and row["tone"] == "nøytral", text
    judged = "U: NAV var dårlig på å svare."
    assert extractor.transcript_actors(judged, "t.txt").set_index("actor").loc["NAV", "tone"] == "negativ"


def test_the_first_one_who_is_praise(extractor):
    """ "den første som ikke snakka til meg som en sak" praises the actor though "ikke" follows."""
    text = "U: Så kom kontaktlæreren Rune. Han var den første som ikke snakka til meg som en sak."
    assert extractor.transcript_actors(text, "t.txt").set_index("actor").loc["skole", "tone"] == "positiv"


def test_actors_named_for_what_should_have_been_different_fell_short(extractor):
    text = (
        "I: Er det noko du skulle ønskt var annleis?\n\nU: At NAV og oppfølgingstenesta visste meir om dette."
    )
    frame = extractor.transcript_actors(text, "t.txt").set_index("actor")
    assert frame.loc["NAV", "tone"] == "negativ" and frame.loc["OT", "tone"] == "negativ"
    when = "I: Når ble det annerledes?\n\nU: Da NAV kom inn i bildet."
    assert extractor.transcript_actors(when, "t.txt").set_index("actor").loc["NAV", "tone"] == "nøytral"


def test_two_services_sending_the_young_person_to_each_other_is_a_complaint_about_both(extractor):
    text = "U: Jeg gikk dit flere ganger. Flyktningtjenesten sier Nav, Nav sier flyktningtjenesten."
    assert tone_of(extractor, text, "NAV") == "negativ"
    assert tone_of(extractor, text, "flyktningtjeneste") == "negativ"


def test_an_evaluation_of_a_relation_to_a_service_is_not_the_speakers_own_state(extractor):
    assert tone_of(extractor, "U: Vi har et godt samarbeid med oppfølgingstjenesten.", "OT") == "positiv"
    assert tone_of(extractor, "U: Jeg var stressa. Læreren sa ingenting.", "skole") == "nøytral"


def test_a_plan_to_contact_a_service_is_not_a_mention(extractor):
    planned = extractor.transcript_actors("U: Han sier jeg skal ringe NAV, men jeg har ikke gjort det.")
    assert not planned.set_index("actor").loc["NAV", "mentioned"]
    met = extractor.transcript_actors("U: Jeg ringte NAV i går.")
    assert met.set_index("actor").loc["NAV", "mentioned"]


def test_a_service_denied_in_the_answer_and_named_again_in_a_negated_sentence_is_not_mentioned(extractor):
    question = "I: Har du vært hos lege?\n\n"
    denied = question + "U: Nei, æ har itj hatt behov for det. Fastlegen vet æ itj en gang ka heter.\n"
    assert not extractor.transcript_actors(denied).set_index("actor").loc["fastlege", "mentioned"]
    used = question + "U: Nei. Fastlegen har eg berre brukt for ein sjukemelding.\n"
    assert extractor.transcript_actors(used).set_index("actor").loc["fastlege", "mentioned"]


def test_lexicon_phrases_also_match_dialect_pronouns(extractor):
    assert tone_of(extractor, "U: Læreren trudde på mæ.", "skole") == "positiv"
