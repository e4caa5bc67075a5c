"""De-identification of Norwegian transcripts (issue 7): recall on the shipped gold sets, no leaks, contracts.

The gold sets in tests/data/deid/ are SYNTHETIC, written by hand for this purpose. ``gold_dev`` was used to tune
the recognisers; ``gold_heldout`` was written before tuning by the same author, scored separately, and its misses
were used in the second round. ``gold_dev2``–``gold_dev6`` were written blind by other authors (separate agents that
never saw the recognisers), scored blind (BENCHMARKS.md), then used to tune rounds two to four. ``gold_blind`` was
written the same way after the fourth round and has never been used for tuning: it is the honest figure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from toolkit.deidentify import DIRECT_TYPES, TYPES, Deidentifier, deidentify_folder
from toolkit.deidentify.evaluate import (
    evaluate_deid,
    read_gold,
    read_marked_file,
    score_documents,
    write_gold_texts,
)

DATA = Path(__file__).parent / "data" / "deid"
DEV = DATA / "gold_dev.jsonl"
HELDOUT = DATA / "gold_heldout.jsonl"
QUASI = ("STED", "ORG", "DATO", "ALDER")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each gold set de-identified once through the default (Presidio) engine and through the direct engine."""
    base = tmp_path_factory.mktemp("deid")
    out = {}
    for name, gold in (("dev", DEV), ("heldout", HELDOUT)):
        write_gold_texts(gold, base / name / "in")
        for engine in ("presidio", "direct"):
            target = base / name / f"out_{engine}"
            result = deidentify_folder(
                base / name / "in", target, engine=engine, restricted_dir=base / name / f"restricted_{engine}"
            )
            out[(name, engine)] = (target, result)
    return out


def _combined(runs) -> object:
    gold, preds = [], {}
    for name, path in (("dev", DEV), ("heldout", HELDOUT)):
        rows = read_gold(path)
        target = runs[(name, "presidio")][0]
        for line in (target / "deidentification.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            preds.setdefault(f"{name}/{row['source']}", []).append(row)
        gold += [{**r, "source": f"{name}/{r['source']}"} for r in rows]
    return score_documents(gold, preds)


# ------------------------------------------------------------------------------------------------ gold files
def test_gold_jsonl_is_built_from_the_marked_files():
    for stem in (
        "gold_dev",
        "gold_heldout",
        "gold_dev2",
        "gold_dev3",
        "gold_dev4",
        "gold_dev5",
        "gold_dev6",
        "gold_blind",
    ):
        assert read_gold(DATA / f"{stem}.jsonl") == read_marked_file(DATA / f"{stem}.marked.txt")


def test_gold_sets_are_large_and_varied():
    rows = read_gold(DEV) + read_gold(HELDOUT)
    assert len(rows) >= 40
    spans = [s for r in rows for s in r["spans"]]
    assert len(spans) >= 300
    assert {s["type"] for s in spans} == set(TYPES)
    texts = "\n".join(r["text"] for r in rows)
    for negative in ("per dag", "i dag", "NAV", "skolen", "Ordrenummeret", "Kontonummer"):
        assert negative in texts  # the hard negatives are really there


# ------------------------------------------------------------------------------------------------ done-when
def test_done_when_on_the_whole_shipped_test_set(runs):
    """Issue 7: recall ≥ 0.98 on direct identifiers, ≥ 0.90 on each quasi type, character precision ≥ 0.85."""
    frame = _combined(runs).set_index("type")
    assert frame.loc["direct", "entity_recall"] >= 0.98
    for kind in DIRECT_TYPES:
        assert frame.loc[kind, "entity_recall"] >= 0.98, kind
    for kind in QUASI:
        assert frame.loc[kind, "entity_recall"] >= 0.90, kind
    assert frame.loc["all", "char_precision"] >= 0.85


def test_heldout_alone_meets_the_grouped_targets(runs):
    target = runs[("heldout", "presidio")][0]
    frame = evaluate_deid(HELDOUT, target).set_index("type")
    assert frame.loc["direct", "entity_recall"] >= 0.98
    assert frame.loc["quasi", "entity_recall"] >= 0.90
    assert frame.loc["all", "char_precision"] >= 0.85
    assert "Entity recall" in frame.attrs["summary"]


def test_dev_set_per_type(runs):
    frame = evaluate_deid(DEV, runs[("dev", "presidio")][0]).set_index("type")
    for kind in DIRECT_TYPES:
        assert frame.loc[kind, "entity_recall"] >= 0.98, kind
    for kind in QUASI:
        assert frame.loc[kind, "entity_recall"] >= 0.90, kind
    assert frame.loc["all", "token_f2"] >= 0.9


def test_presidio_and_direct_engines_agree(runs):
    for name in ("dev", "heldout"):
        a = (runs[(name, "presidio")][0] / "deidentification.jsonl").read_text(encoding="utf-8")
        b = (runs[(name, "direct")][0] / "deidentification.jsonl").read_text(encoding="utf-8")
        assert a == b


# ------------------------------------------------------------------------------------------------ no leaks
def _direct_originals(row: dict) -> set[str]:
    return {row["text"][s["start"] : s["end"]] for s in row["spans"] if s["type"] in DIRECT_TYPES}


def _rule_spans(text: str) -> list[tuple[str, str]]:
    """``(type, text)`` of every span the rules alone find (no model): what the rule tests below check."""
    found = Deidentifier(engine="direct", spacy_model=None).analyze(text)
    return [(span.type, text[span.start : span.end]) for span in found]


def test_no_original_direct_identifier_survives_in_any_output_file(runs):
    """Every output file (texts and the JSONL) is scanned for the gold direct identifiers of its transcript,
    as written and as bare digits; the JSONL is scanned for all of them."""
    for name, gold in (("dev", DEV), ("heldout", HELDOUT)):
        rows = {r["source"]: r for r in read_gold(gold)}
        everything = set().union(*(_direct_originals(r) for r in rows.values()))
        for engine in ("presidio", "direct"):
            target = runs[(name, engine)][0]
            files = sorted(p for p in target.iterdir() if p.is_file())
            assert len(files) == len(rows) + 1
            for path in files:
                text = path.read_text(encoding="utf-8")
                originals = everything if path.suffix == ".jsonl" else _direct_originals(rows[path.name])
                squashed = re.sub(r"\D", "", text)
                for value in originals:
                    assert not re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text), (path.name, "leak")
                    digits = re.sub(r"\D", "", value)
                    if len(digits) >= 8 and path.suffix != ".jsonl":
                        assert digits not in squashed, (path.name, "number leak")


def test_spans_file_has_offsets_and_types_but_no_text(runs):
    target, result = runs[("dev", "presidio")]
    rows = [
        json.loads(line)
        for line in (target / "deidentification.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert rows and all(set(r) == {"source", "start", "end", "type"} for r in rows)
    assert all(r["type"] in TYPES and r["start"] < r["end"] for r in rows)
    assert len(rows) == len(result.spans)
    gold = {r["source"]: r["text"] for r in read_gold(DEV)}
    first = rows[0]
    assert gold[first["source"]][first["start"] : first["end"]] not in json.dumps(rows)
    assert "spans replaced" in result.summary() or "span(s) replaced" in result.summary()


def test_restricted_map_only_in_restricted_dir(runs, tmp_path):
    target, result = runs[("dev", "presidio")]
    assert not (target / "deidentification_map.jsonl").exists()
    assert result.restricted_map is not None and result.restricted_map.is_file()
    mapped = [json.loads(line) for line in result.restricted_map.read_text(encoding="utf-8").splitlines()]
    assert any(m["original"] == "Kari Nordby" and m["replacement"].startswith("[PERSON_") for m in mapped)
    # without restricted_dir, no map anywhere
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("U: Jeg heter Kari Nordby.\n", encoding="utf-8")
    res = deidentify_folder(tmp_path / "in", tmp_path / "out", engine="direct")
    assert res.restricted_map is None
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "deidentification.jsonl"]


# ------------------------------------------------------------------------------------------------ behaviour
def test_tags_are_consistent_within_a_transcript_and_restart_per_transcript():
    d = Deidentifier(engine="direct")
    new, spans = d.deidentify("U: Jeg heter Kari Nordby. Kari bor i Flisa.\n\nI: Kari Nordby, sa du?\n")
    assert new.count("[PERSON_1]") == 2 and "[PERSON_2]" in new and "[STED_1]" in new
    again, _ = d.deidentify("U: Ola bor i Grue.\n")
    assert again == "U: [PERSON_1] bor i [STED_1].\n"
    assert all(set(s) == {"start", "end", "type"} for s in spans)


def test_a_de_identified_transcript_passes_through_again_unchanged():
    """A second run (a re-check, or text a colleague already de-identified) must not mask the tags themselves:
    "[PERSON_1]" has an underscore, and user names with one are identifiers."""
    d = Deidentifier(engine="direct")
    first, _ = d.deidentify(
        "U: Jeg heter Kari Nordby og bor i Flisa. Ring 412 34 567 eller kari.nordby@gmail.com.\n"
        "U: På snap er jeg kari_n99.\n"
    )
    assert "[PERSON_1]" in first and "[ID_1]" in first
    second, spans = d.deidentify(first)
    assert second == first and spans == []


def test_a_missing_space_after_a_full_stop_is_no_user_name():
    """A dotted user name counts after a platform is named ("imbi.lofthus"), but ordinary words joined by a
    full stop are a typing slip ("liksom.ikke", "Ok.så"), not a handle."""
    d = Deidentifier(engine="direct")
    text = "U: Mest på snap. Det var liksom.ikke noe mer. Ok.så jeg er imbi.lofthus der.\n"
    found = [text[s.start : s.end] for s in d.analyze(text)]
    assert found == ["imbi.lofthus"]


def test_hard_negatives_are_left_alone():
    d = Deidentifier(engine="presidio")
    text = (
        "U: Jeg fikk 300 kroner per dag. I dag er jeg på skolen, og NAV har ringt. I mars er det mørkt.\n\n"
        "U: Ordrenummer 48213377, og 12345678901 er bare tull.\n"
    )
    new, spans = d.deidentify(text)
    assert new == text and spans == []


def test_an_account_number_is_an_identifier_but_no_phone_number():
    """Until 2026-12-05 account numbers were left as hard negatives; a bank account names its holder to anyone
    who can ask the bank, and the blind-written tuning set tune_h marks all ten it holds as ID."""
    d = Deidentifier(engine="presidio")
    new, spans = d.deidentify("U: Kontonummeret er 1822 45 67890, ordrenummer 48213377.\n")
    assert [s["type"] for s in spans] == ["ID"] and "1822 45 67890" not in new and "48213377" in new


def test_names_that_are_ordinary_words_need_evidence():
    d = Deidentifier(engine="presidio")
    new, _ = d.deidentify("U: Per og Liv var der. Vi hadde et godt liv, og jeg jobbet fire timer per dag.\n")
    assert new.startswith("U: [PERSON_1] og [PERSON_2] var der.")
    assert "godt liv" in new and "per dag" in new


def test_presidio_deny_list_is_case_sensitive():
    """The seen-names deny-list must not turn "per dag" into a tag once "Per" is a known name."""
    d = Deidentifier(engine="presidio")
    new, _ = d.deidentify("U: Læreren min het Per.\n\nU: Per sa at vi fikk 50 kroner per dag.\n")
    assert new == "U: Læreren min het [PERSON_1].\n\nU: [PERSON_1] sa at vi fikk 50 kroner per dag.\n"


def test_identifiers_numbers_and_email():
    d = Deidentifier(engine="presidio")
    text = "U: Nummeret er 058799 31209, ring +47 412 34 567 eller 0047 22334455, mail ola.n@nav.no.\n"
    new, spans = d.deidentify(text)
    assert [s["type"] for s in spans] == ["FNR", "TELEFON", "TELEFON", "EPOST"]
    assert new == "U: Nummeret er [FNR_1], ring [TELEFON_1] eller [TELEFON_2], mail [EPOST_1].\n"


def test_surrogates_are_consistent_across_transcripts_with_a_study_key(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("U: Jeg heter Kari Nordby og bor i Flisa.\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("U: Kari Nordby er venninna mi.\n", encoding="utf-8")
    res = deidentify_folder(
        tmp_path / "in", tmp_path / "out", mode="surrogates", restricted_dir=tmp_path / "r", engine="direct"
    )
    a = (tmp_path / "out" / "a.txt").read_text(encoding="utf-8")
    b = (tmp_path / "out" / "b.txt").read_text(encoding="utf-8")
    assert "Kari" not in a + b and "[" not in a + b
    surrogate = a.split("heter ")[1].split(" og")[0]
    assert b.startswith(f"U: {surrogate} er")
    key = (tmp_path / "r" / "deidentification_key.txt").read_text(encoding="utf-8")
    assert len(key.strip()) == 64
    # the same key gives the same surrogates in a later run
    deidentify_folder(
        tmp_path / "in", tmp_path / "out2", mode="surrogates", restricted_dir=tmp_path / "r", engine="direct"
    )
    assert (tmp_path / "out2" / "a.txt").read_text(encoding="utf-8") == a
    assert res.mode == "surrogates"


def test_parallel_run_gives_the_same_files(runs, tmp_path):
    source = runs[("dev", "presidio")][0].parent / "in"
    deidentify_folder(source, tmp_path / "par", engine="direct", n_jobs=2)
    serial = runs[("dev", "direct")][0]
    for path in sorted(serial.iterdir()):
        assert (tmp_path / "par" / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize(
    "kwargs",
    [{"mode": "hash"}, {"seed": -1}, {"seed": 1.5}, {"engine": "spacy"}, {"spacy_model": 3}],
)
def test_parameters_are_validated(kwargs):
    with pytest.raises(ValueError):
        Deidentifier(**kwargs)


def test_synthetic_generator_transcripts_are_caught():
    """Cross-check on transcripts the toolkit's own generator writes (another author's templates)."""
    from toolkit.synth.transcripts import make_transcripts

    d = Deidentifier(engine="direct")
    gold, preds = [], {}
    for i, t in enumerate(make_transcripts(6, seed=11)):
        _, spans = d.deidentify(t.text)
        mapped = [{**s, "type": "ORG" if s["type"] == "ORGANISASJON" else s["type"]} for s in t.pii_spans]
        gold.append({"source": str(i), "text": t.text, "spans": mapped})
        preds[str(i)] = spans
    frame = score_documents(gold, preds).set_index("type")
    assert frame.loc["direct", "entity_recall"] >= 0.98
    assert frame.loc["quasi", "entity_recall"] >= 0.90


# ------------------------------------------------------------------------------------------------ round 2 rules
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U: Pappa er 58 og kan ikke jobbe.\n", [("ALDER", "58")]),
        ("U: Mor e femtifire og jobber på kjøkkenet.\n", [("ALDER", "femtifire")]),
        ("U: Nå er jeg 23. Jeg har fått fast jobb.\n", [("ALDER", "23")]),
        ("U: Æ flytta da æ va søttn.\n", [("ALDER", "søttn")]),
        ("U: Den yngste, Ylva, er bare fem.\n", [("PERSON", "Ylva"), ("ALDER", "fem")]),
        ("U: Jeg var 14 det verste året.\n", [("ALDER", "14")]),
        ("I: Hvor gamle er ungene?\n\nU: fire og sju.\n", [("ALDER", "fire og sju")]),
        ("U: Eksamen er torsdag 6. juni.\n", [("DATO", "torsdag 6. juni")]),
        ("U: Æ vart tjueen den sjuende juni.\n", [("ALDER", "tjueen"), ("DATO", "sjuende juni")]),
        (
            "U: Bilen tok kvelden vinteren -22, og æ slutta hausten tjuetjueto.\n",
            [("DATO", "vinteren -22"), ("DATO", "hausten tjuetjueto")],
        ),
        ("U: Jeg strøk på eksamen den 3/12-21.\n", [("DATO", "3/12-21")]),
        (
            "U: Jeg sluttet i januar i fjor, og fikk diagnosen jula for to år sia.\n",
            [("DATO", "januar i fjor"), ("DATO", "jula for to år sia")],
        ),
        ("U: Vi kom fra Polen 2015.\n", [("STED", "Polen"), ("DATO", "2015")]),
        ("U: Fødselsnummeret er 12 83 99 45120.\n", [("FNR", "12 83 99 45120")]),
        ('U: Dom kalte meg "Fjellet" heile ungdomsskolen.\n', [("PERSON", "Fjellet")]),
        (
            "U: Jeg trener på SATS Kongsvinger og var på kurs hos Fagskolen Mjøsland.\n",
            [("ORG", "SATS Kongsvinger"), ("ORG", "Fagskolen Mjøsland")],
        ),
        (
            "U: bor på kirkenær og jobber på coop prix kirkenær. veilederen på nav grue er grei.\n",
            [("STED", "kirkenær"), ("ORG", "coop prix kirkenær"), ("ORG", "nav grue")],
        ),
        ("U: vi bor i nittedalsgata 14 nå\n", [("ADRESSE", "nittedalsgata 14")]),
        ("U: Jeg studerer på Høgskolen i Innlandet nå.\n", [("ORG", "Høgskolen i Innlandet")]),
        ("I: hvor gammel er du\n\nU: 17. snart 18 da\n", [("ALDER", "17. snart 18")]),
        # round 3 (from the first blind set, gold_dev5 since)
        ("U: Marta er 26 og jeg er 24.\n", [("PERSON", "Marta"), ("ALDER", "26")]),
        (
            "U: Datteren vår er tre år, og en gutt på åtte måneder.\n",
            [("ALDER", "tre år"), ("ALDER", "åtte måneder")],
        ),
        (
            "U: Eg var berre nitten då. Syster mi har ein son som er to.\n",
            [("ALDER", "nitten"), ("ALDER", "to")],
        ),
        ("U: Familien er fra Homs i Syria.\n", [("STED", "Syria")]),
        (
            "I: hei filmon\n\nU: mor i asmara. en venninne, pim, er fra pattaya\n",
            [("PERSON", "filmon"), ("STED", "asmara"), ("PERSON", "pim"), ("STED", "pattaya")],
        ),
        (
            "U: jan 2023. mamma fikk jobb i romerike regnskap as\n",
            [("DATO", "jan 2023"), ("ORG", "romerike regnskap as")],
        ),
        ("U: ja stryk. 21 85 03 476 92.\n", [("FNR", "21 85 03 476 92")]),
        # round 4 (from the second blind set, gold_dev6 since)
        (
            "I: hva heter du og hvor gammel er du\n\nU: hibaaq, 18\n\nI: hvor bor du\n\nU: holmlia typ\n",
            [("PERSON", "hibaaq"), ("ALDER", "18"), ("STED", "holmlia")],
        ),
        (
            "U: Venner sier bare Trang. Eg er tjueein. Vesla e halvannet år.\n",
            [("PERSON", "Trang"), ("ALDER", "tjueein"), ("ALDER", "halvannet år")],
        ),
        (
            "U: Æ slutta vår'n 2017, lillebror karim er elleve.\n",
            [("DATO", "vår'n 2017"), ("ALDER", "elleve")],
        ),
        (
            "U: Jeg tok fag på Elvebyen helsefagskole og jobber i Nordlast Logistikk. jobber på rema 1000 raglamyr\n",
            [("ORG", "Elvebyen helsefagskole"), ("ORG", "Nordlast Logistikk"), ("ORG", "rema 1000 raglamyr")],
        ),
        ("U: Broren min Ánte driver med rein.\n", [("PERSON", "Ánte")]),
    ],
)
def test_round_two_rules(text: str, expected: list[tuple[str, str]]) -> None:
    """Kinds of failure the blind sets showed (family ages, dialect numbers, dates in words, lower-case names …).

    These test the rule recognisers (the model may type a span differently, e.g. "holmlia" as a person)."""
    found = _rule_spans(text)
    for item in expected:
        assert item in found, (item, found)


@pytest.mark.parametrize(
    "text",
    [
        "U: Jeg jobber 20 timer i uka og tjener 2000 kroner i måneden.\n",
        "U: Klokka er ti, og prisen var fem kroner.\n",
        "U: Jeg var 14 dager på ferie, og vi var 20 personer.\n",
        "U: Fylte 24 i helga.\n",
        "U: Det er 2000 meter til skolen.\n",
        "U: vi dro til Sverige på tur, og læreren i innføringsklassen var snill.\n",
    ],
)
def test_round_two_rules_leave_these_alone(text: str) -> None:
    found = _rule_spans(text)  # the rules; the model masks countries (recall first)
    assert all(kind == "ALDER" and value == "24" for kind, value in found), found


# ---------------------------------------------------------------------------------- issue 12, tuning on tune_f
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U: da eg var tretten og fjorten budde vi i byen\n", [("ALDER", "tretten og fjorten")]),
        ("U: æ heite ola og e fæmten\n", [("ALDER", "fæmten")]),
        ("U: eg heiter per og er tjueto år og bur heime\n", [("ALDER", "tjueto år")]),
        ("u: eg fekk praksis hos vik elektro i to månader\n", [("ORG", "vik elektro")]),
        ("u: ho spelar med nedre-eiker il og\n", [("ORG", "nedre-eiker il")]),
        ("u: eg hadde timar på dps solli og på bup tynset\n", [("ORG", "dps solli"), ("ORG", "bup tynset")]),
        ("u: eg vil søke på høgskulen i volda neste år\n", [("ORG", "høgskulen i volda")]),
        ("u: jobber på kiwi og er lærling hos brødrene zirkon\n", [("ORG", "kiwi")]),
        ("u: han har fått lærlingplass hos skanska og trives\n", [("ORG", "skanska")]),
        ("u: søstera mi går i sjuande på vik ungdomsskule\n", [("ORG", "vik ungdomsskule")]),
        ("u: mamma jobbar på sykehuset telemark no\n", [("ORG", "sykehuset telemark")]),
        ("u: eg har søkt på hovden bygg på sande og\n", [("ORG", "hovden bygg på sande")]),
        (
            "u: eg er oppvaksen på hjelmeland men no bur eg på tau\n",
            [("STED", "hjelmeland"), ("STED", "tau")],
        ),
        ("u: vi jobba på familievernkontoret i bodø\n", [("ORG", "familievernkontoret i bodø")]),
        ("u: eg snakka med ei som heitte sigbjørg om det\n", [("PERSON", "sigbjørg")]),
        ("u: ho som heiter liv var snill\n", [("PERSON", "liv")]),
        ("u: kontaktlæraren min gudleik var grei\n", [("PERSON", "gudleik")]),
        ("u: eg fekk ein veileder ola tveitå som hjelpte meg\n", [("PERSON", "ola tveitå")]),
        ("u: eg trente med ragnvald som er kompisen min\n", [("PERSON", "ragnvald")]),
        ("U: Far er femtiein og bestemor er søtti.\n", [("ALDER", "femtiein"), ("ALDER", "søtti")]),
        ("u: mamma er typ 50 i år\n", [("ALDER", "50")]),
        ("u: lillebror jonas som er sytten ringer meg\n", [("ALDER", "sytten")]),
        ("u: ho heiter gro og er femtifem ho bur i byen\n", [("ALDER", "femtifem")]),
        ("R: Ja, Ida Berntsen (15) og Ola Berntsen (19).\n", [("ALDER", "15"), ("ALDER", "19")]),
        ("u: han kom trettende mai to tusen tjueein\n", [("DATO", "trettende mai to tusen tjueein")]),
        (
            "I: Neste møte blir den 3. februar og så onsdag 12.3.\n",
            [("DATO", "den 3. februar"), ("DATO", "onsdag 12.3.")],
        ),
        ("u: vi har vært sammen siden nyttår 2022\n", [("DATO", "nyttår 2022")]),
        (
            "i: kan du si litt om deg selv\n\nu: tariq aziz, 19, bor på furuset\n",
            [("PERSON", "tariq aziz"), ("ALDER", "19")],
        ),
        ("i: hei. navn\n\nu: elin nygård\n", [("PERSON", "elin nygård")]),
        ("u: personnummer 010203-12345 typ\n", [("FNR", "010203-12345")]),
        ("R: Barnevernet har 2022/30117-4 på henne.\n", [("ID", "2022/30117-4")]),
    ],
)
def test_tune_f_rules(text: str, expected: list[tuple[str, str]]) -> None:
    """General kinds of failure the tuning set tune_f showed (coordinated and dialect ages, lower-case
    organisations named by their context); the rules alone, without the model."""
    found = _rule_spans(text)
    for item in expected:
        assert item in found, (item, found)


@pytest.mark.parametrize(
    "text",
    [
        "U: det er to år siden, og er ti år til jeg er ferdig\n",
        "U: vi var der og var tolv år på rad med samme trener\n",
        "u: eg gjekk på ein ny skole og spelte i vanlig fotball med kompisar\n",
        "u: det var gjennom nav egentlig og nav sa nei, så dps ringte meg\n",
        "u: han sitter på bestefars gård og jobber hos meg på lageret\n",
        "u: jeg gikk på universitetet i fjor og har praksis på kontoret\n",
        "u: vi var på spar og handla, og hun jobber i extra mye\n",
        "u: eg går til fastlegen to ganger i året og han e sjef dær, det heiter jo sånn\n",
        "u: læreren min sa at treneren vår har rett\n",
        "U: Se kapittel (3) og Vedlegg (2), side 14 (12).\n",
        "i: si litt om deg selv\n\nu: ok. bor i byen, jobber mye\n",
        "U: Møtet er på torsdag kl. 13. Vi ses.\n",
    ],
)
def test_tune_f_rules_leave_these_alone(text: str) -> None:
    found = _rule_spans(text)
    assert not [f for f in found if f[0] in ("ALDER", "ORG", "PERSON")], found


@pytest.mark.parametrize(
    "text",
    [
        "u: eg bur på hybel og kjem frå ein liten stad, og flytter i mars\n",
        "U: Hun bor i første etasje og kom fra nærheten.\n",
    ],
)
def test_a_verb_of_living_alone_makes_no_place(text: str) -> None:
    assert [span for span in _rule_spans(text) if span[0] == "STED"] == []


# ---------------------------------------------------------------------------------- issue 12, tuning on tune_g
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U: Kristin har 934-12-778, ikke det gamle.\n", [("TELEFON", "934-12-778")]),
        ("u: vi bur i fjellvegen 4 postnummer 6856 sogndal\n", [("ADRESSE", "6856 sogndal")]),
        (
            "U: Jeg bor i Fjellvegen 4, 2. etasje, 6856 Sogndal.\n",
            [("ADRESSE", "Fjellvegen 4, 2. etasje, 6856 Sogndal")],
        ),
        ("u: vi bur i fjellvegen 4 andre etasje no\n", [("ADRESSE", "fjellvegen 4 andre etasje")]),
        ("u: saksnummeret er 2023 555 812 tror eg\n", [("ID", "2023 555 812")]),
        ("u: han kjørte ein bil med skilt ab 54321 veit du\n", [("ID", "ab 54321")]),
        ("u: det stavast k a r i bindestrek a n n e\n", [("PERSON", "k a r i bindestrek a n n e")]),
        ("U: Etternavnet mitt er K O W A L S K I.\n", [("PERSON", "K O W A L S K I")]),
        ("u: mailen min er karinordmann at gmail tror eg\n", [("EPOST", "karinordmann at gmail")]),
        (
            "u: eg heiter margrethe lunde men dei kallar meg marg eller maggi\n",
            [("PERSON", "marg"), ("PERSON", "maggi")],
        ),
        ("u: eg var hos fastlegen min dr okonkwo i går\n", [("PERSON", "okonkwo")]),
        ("u: kona mi farhiya jobbar på sjukeheimen\n", [("PERSON", "farhiya")]),
        ("u: vi budde hos astrid og astrid sitt hus var stort\n", [("PERSON", "astrid")]),
        ("U: Mobilen er 934... eh, vent... 12 778.\n", [("TELEFON", "934"), ("TELEFON", "12 778")]),
        (
            "u: det er ida lien krøllalfa gmail punktum com\n",
            [("EPOST", "ida lien krøllalfa gmail punktum com")],
        ),
        ("U: Skrevet «amina hassan at gmail dot com».\n", [("EPOST", "amina hassan at gmail dot com")]),
        (
            "u: hun mailer fra kari punktum lie krøllalfa sykehuset minus innlandet punktum no for å\n",
            [("EPOST", "kari punktum lie krøllalfa sykehuset minus innlandet punktum no")],
        ),
        ("U: Hun heter Maria de la Cruz og bor her.\n", [("PERSON", "Maria de la Cruz")]),
        ("U: Venner sier Tuấn eller bare Tony.\n", [("PERSON", "Tuấn"), ("PERSON", "Tony")]),
        ("U: Saken hadde nummer 201934567890 hos dem.\n", [("ID", "201934567890")]),
    ],
)
def test_tune_g_rules(text: str, expected: list[tuple[str, str]]) -> None:
    """General kinds of failure the tuning set tune_g showed (direct identifiers in unusual forms)."""
    found = _rule_spans(text)
    for item in expected:
        assert item in found, (item, found)


@pytest.mark.parametrize(
    "text",
    [
        "u: i 2019 oslo var det kaldt\n",
        "U: Huset har 3 etasjer og to bad.\n",
        "u: eg var at home og såg på tv\n",
        "u: vi var i a og b gruppa\n",
        "u: mamma sa at pappa var sint og kona mi jobber\n",
        "u: han sin bil og det sitt hus og hun si mening, hver sin vei\n",
        "U: Det kostet 120... eh... 35 kroner, og ring 112... nei 113.\n",
        "U: Ordrenummeret fra sist var 9876543210.\n",
        "u: ti minus tre punktum fem er seks punktum fem\n",
    ],
)
def test_tune_g_rules_leave_these_alone(text: str) -> None:
    found = _rule_spans(text)
    assert not [f for f in found if f[0] in ("ADRESSE", "EPOST", "PERSON", "ID", "TELEFON")], found


# ------------------------------------------------------------------------ issue 12, tune_g's quasi identifiers
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u: vedtaket kom femte mars tjueto og så\n", [("DATO", "femte mars tjueto")]),
        ("u: eg er fødd tiande juni nittisju på hamar\n", [("DATO", "tiande juni nittisju")]),
        ("U: Jeg heter Kari Lunde, er 47 år og jobber i banken.\n", [("ALDER", "47 år")]),
        ("U: Faren hennes er 83 nesten.\n", [("ALDER", "83")]),
        ("U: Han kom med sønnen sin, Omar, som da var sju.\n", [("ALDER", "sju")]),
        ("U: Hun har en bror, Ali, på 15, som bor hjemme.\n", [("ALDER", "15")]),
        (
            "u: ungene heter leyla og samir leyla er seks og samir er tre og et halvt vi bor her\n",
            [("ALDER", "seks"), ("ALDER", "tre og et halvt")],
        ),
    ],
)
def test_tune_g_quasi_rules(text: str, expected: list[tuple[str, str]]) -> None:
    """Spoken dates with the year as two digits in words, ages after a name between commas, 'er N år',
    'som da var N', a lower-case name with its age."""
    found = _rule_spans(text)
    for item in expected:
        assert item in found, (item, found)


@pytest.mark.parametrize(
    "text",
    [
        "U: Det er 40 år.\n",
        "U: Saken som er 50 år, er gammel.\n",
        "u: prisen er fem og det er greitt\n",
        "u: klokka er ti og vi går\n",
        "u: den femte mai tjue personer kom\n",
    ],
)
def test_tune_g_quasi_rules_leave_these_alone(text: str) -> None:
    found = _rule_spans(text)
    assert not [f for f in found if f[0] == "ALDER" or f == ("DATO", "femte mai tjue")], found


# ------------------------------------------------------------------------------------------------ other authors
# Recall on the sets written by other authors, as measured when the second round ended (BENCHMARKS.md): floors a
# change must not fall below. They are below the targets (0.98 direct, 0.90 quasi) on purpose: these sets
# show what the rules still miss (lower-case names, names that are words, unfamiliar organisations).
OTHER_AUTHORS = {  # set: (direct recall floor, quasi recall floor)
    "gold_dev2": (0.98, 0.97),
    "gold_dev3": (0.97, 0.96),
    "gold_dev4": (0.99, 0.96),
    "gold_dev5": (0.97, 0.96),
    "gold_dev6": (0.92, 0.94),
}


def _scores(stem: str, folder: Path):
    """Per-type scores of one gold set, de-identified by the direct engine (same spans as Presidio's)."""
    gold = DATA / f"{stem}.jsonl"
    write_gold_texts(gold, folder / "in")
    deidentify_folder(folder / "in", folder / "out", engine="direct", restricted_dir=folder / "r")
    return evaluate_deid(gold, folder / "out").set_index("type")


@pytest.mark.parametrize("stem", sorted(OTHER_AUTHORS))
def test_sets_by_other_authors_keep_their_recall(stem: str, tmp_path: Path) -> None:
    frame = _scores(stem, tmp_path)
    direct, quasi = OTHER_AUTHORS[stem]
    assert frame.loc["direct", "entity_recall"] >= direct
    assert frame.loc["quasi", "entity_recall"] >= quasi
    # 0.98 for the rules alone; the NER model (recall first) over-masks a little more: 0.958-0.988 measured
    assert frame.loc["all", "char_precision"] >= 0.95


def test_blind_set_recall_is_reported_honestly(tmp_path: Path) -> None:
    """``gold_blind`` was never used for tuning the rules (rules alone: direct 0.845, quasi 0.817 on 2026-11-23);
    it was used while choosing the NER model's filters (issue 12), so it is a tuning set now. With the model:
    direct 0.859, quasi 0.893 (2026-12-04); after the tune_f round, whose last steps also looked at its misses:
    direct 0.901, quasi 0.946 (2026-12-05). The floors only stop it from getting worse unnoticed."""
    frame = _scores("gold_blind", tmp_path)
    assert frame.loc["direct", "entity_recall"] >= 0.89
    assert frame.loc["quasi", "entity_recall"] >= 0.96  # 0.969 after the tune_h round
    assert frame.loc["all", "char_precision"] >= 0.95


def test_a_trained_pipeline_adds_its_entities(tmp_path: Path) -> None:
    """The path for an installed trained Norwegian pipeline (``nb_core_news_*``, not installable offline here),
    exercised with a stand-in: a saved ``nb`` pipeline whose entity ruler plays the trained NER. Its PER and LOC
    are added as evidence (mapped to PERSON and STED) to what the rules find."""
    import spacy

    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": "zorblax"}, {"label": "LOC", "pattern": "quuxby"}])
    nlp.to_disk(tmp_path / "stand_in_nb")
    text = "U: jeg snakket med zorblax om å flytte til quuxby. Kari var der også.\n"
    plain, _ = Deidentifier(engine="presidio", spacy_model=None).deidentify(text)
    assert "zorblax" in plain and "quuxby" in plain  # the rules alone do not know these words
    trained, spans = Deidentifier(engine="presidio", spacy_model=str(tmp_path / "stand_in_nb")).deidentify(
        text
    )
    assert "zorblax" not in trained and "quuxby" not in trained and "Kari" not in trained
    assert {s["type"] for s in spans} >= {"PERSON", "STED"}


# Report-only sets of issue 12 (written blind to the rules and the model; never tuned on, their misses never
# listed). Figures of 2026-12-04 (BENCHMARKS.md): a: 0.919/0.943, b: 0.912/0.811, c: 0.968/0.941; after the
# tune_f round, measured once on 2026-12-05: a: 0.924/0.946, b: 0.947/0.852, c: 0.976/0.941 — still BELOW the
# issue's targets (0.97 direct, 0.92 quasi) on a (direct) and b (both). The floors only keep them from getting
# worse unnoticed.
# After the tune_g round (2026-12-05): a: 0.934/0.946, b and c unchanged. After the tune_h round (2026-12-05,
# measured once at its end): a: 0.934/0.950, b: 0.956/0.875, c: 0.976/0.944 — b's floors raised to 0.95/0.87.
# After the tune_i round (2026-12-05, measured once at its end): a: 0.939/0.950, b: 0.960/0.879 (its missed phone
# number now found), c: 0.980/0.944 — floors unchanged. After the tune_j round (2026-12-05, once at its end): a and
# b unchanged, c: 0.980/0.970 — floors unchanged.
REPORT_ONLY = {"blind_a": (0.93, 0.94), "blind_b": (0.95, 0.87), "blind_c": (0.97, 0.94)}


@pytest.mark.parametrize("stem", sorted(REPORT_ONLY))
def test_report_only_blind_sets_do_not_get_worse(stem: str, tmp_path: Path) -> None:
    frame = _scores(stem, tmp_path)
    direct, quasi = REPORT_ONLY[stem]
    assert frame.loc["direct", "entity_recall"] >= direct
    assert frame.loc["quasi", "entity_recall"] >= quasi
    assert frame.loc["FNR", "entity_recall"] == 1.0
    assert frame.loc["EPOST", "entity_recall"] == 1.0  # since 2026-12-05 (was 0.929 on blind_b)


# Tuning sets written blind to the rules for tuning (issue 12). tune_f before its round (the honest unseen
# figure, 2026-12-05): direct 0.921, quasi 0.778; after: 0.996 / 0.967. tune_g (direct identifiers) before its
# round: 0.867 / 0.893, char precision 0.914; after: 0.970 / 0.893 / 0.921; after its quasi round: 0.970 / 0.946 /
# 0.922. Floors just below the tuned figures. tune_h before its round (unseen): 0.886 / 0.896 / 0.926; after:
# 1.000 / 0.962 / 0.929 (tune_d rose to 0.961 / 0.926 in the same round). tune_i before its round (unseen,
# 2026-12-05): 0.877 / 0.889 / 0.929; after: 0.980 / 0.925 / 0.927 (BENCHMARKS.md, "Round on tune_i"). tune_j
# before its round (unseen, 2026-12-05): 0.973 / 0.884 / 0.923; after: 0.973 / 0.912 / 0.924 ("Round on tune_j").
TUNING = {
    "tune_j": (0.96, 0.90, 0.91),
    "tune_i": (0.95, 0.90, 0.92),
    "tune_h": (0.99, 0.95, 0.92),
    "tune_f": (0.99, 0.96, 0.93),
    "tune_d": (0.95, 0.92, 0.96),
    "tune_e": (0.98, 0.94, 0.95),
    "tune_g": (0.96, 0.93, 0.91),
}


@pytest.mark.parametrize("stem", sorted(TUNING))
def test_tuning_sets_keep_their_recall(stem: str, tmp_path: Path) -> None:
    frame = _scores(stem, tmp_path)
    direct, quasi, precision = TUNING[stem]
    assert frame.loc["direct", "entity_recall"] >= direct
    assert frame.loc["quasi", "entity_recall"] >= quasi
    assert frame.loc["all", "char_precision"] >= precision


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("U: Ring meg på (+47) 415 55 666 i morgen.\n", "(+47) 415 55 666"),
        ("U: Tlf.: 415.55.666, helst etter fire.\n", "415.55.666"),
        ("U: Kontor: 22 33 44 55.\n", "22 33 44 55"),
        ("U: Mobilen er 41 555 666.\n", "41 555 666"),
    ],
)
def test_phone_numbers_in_any_norwegian_grouping(text: str, number: str) -> None:
    """Groupings the rules' own pattern did not know ("(+47)", dots, 2-3-3), and "kontor" is no account cue."""
    from toolkit.deidentify.rules import NorwegianDetector

    found = [text[s.start : s.end] for s in NorwegianDetector().find_phone(text)]
    assert number in found, found


def test_an_account_number_is_still_no_phone_number() -> None:
    from toolkit.deidentify.rules import NorwegianDetector

    text = "U: Kontonummeret er 4155 5666 og ordrenummer 41555666.\n"
    assert NorwegianDetector().find_phone(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "u: eg jobbar på hovden bygg på lageret og på laurdagar\n",
        "u: eg gjekk på sande vgs på elektro\n",
    ],
)
def test_what_follows_an_organisation_is_not_always_its_place(text: str) -> None:
    found = [found for kind, found in _rule_spans(text) if kind == "ORG"]
    assert all(" på " not in f for f in found), found


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("R: Søknadsnummer 4412-22 er registrert.\n", "4412-22"),
        ("R: Han har løpenummer IPS-0412 hos oss.\n", "IPS-0412"),
        ("R: Vedtak nr. 44120 kom i går.\n", "44120"),
    ],
)
def test_any_kind_of_number_named_by_its_compound_is_an_id(text: str, number: str) -> None:
    from toolkit.deidentify.rules import NorwegianDetector

    found = [text[s.start : s.end] for s in NorwegianDetector().find_ids(text)]
    assert any(number in f for f in found), found


def test_order_and_phone_numbers_are_not_ids_by_their_compound() -> None:
    from toolkit.deidentify.rules import NorwegianDetector

    text = "U: Ordrenummeret var 48213377 og telefonnummer 41555666, bordnummer 12.\n"
    assert NorwegianDetector().find_ids(text) == []


# ---------------------------------------------------------------------------------- issue 12, tuning on tune_h
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u: lønna går inn på kontoen 2201 57 90318 hver fredag\n", ("ID", "2201 57 90318")),
        ("U: Pengene kommer på 6011.23.44108, sier banken.\n", ("ID", "6011.23.44108")),
        ("u: jeg har en gammel passat med skilt dk 52 774 og den ruster\n", ("ID", "dk 52 774")),
        ("U: Han kjører en Skoda, KT 40 118, til jobben.\n", ("ID", "KT 40 118")),
        ("U: Kanalen min er tiktok.com/@lunefull_lise, sjekk den.\n", ("ID", "tiktok.com/@lunefull_lise")),
        ("U: Følg meg på @jonny.vestby, da.\n", ("ID", "@jonny.vestby")),
        ("U: På Discord heter jeg vestbyjonny#2290.\n", ("ID", "vestbyjonny#2290")),
        ("u: på snap er jeg mariekr_04 så\n", ("ID", "mariekr_04")),
        ("u: på insta er det kari punktum lunde men\n", ("ID", "kari punktum lunde")),
        ("U: Personnummeret mitt er 230706 ... nei vent, jeg finner det.\n", ("FNR", "230706")),
        ("U: De skrev fødselsnummeret 090903 41 822 i brevet.\n", ("FNR", "090903 41 822")),
        (
            "u: nummeret er ni to eh fire fire eh tre en to null\n",
            ("TELEFON", "ni to eh fire fire eh tre en to null"),
        ),
        (
            "u: ring meg på femogførti sekstito trettito tjue\n",
            ("TELEFON", "femogførti sekstito trettito tjue"),
        ),
        ("U: Mobilen er 4 7 1 ... 2 2 ... 9 0 5.\n", ("TELEFON", "4 7 1 ... 2 2 ... 9 0 5")),
        ("U: Vedtaket har journalnummer 2022-44107-CD.\n", ("ID", "2022-44107-CD")),
        ("U: Klagen min har nummer 12-390217 hos dem.\n", ("ID", "12-390217")),
        ("u: læreren heite han torgeir myrvang og han e grei\n", ("PERSON", "torgeir myrvang")),
        ("u: veiledern min e sunniva ho ringe\n", ("PERSON", "sunniva")),
        ("u: på legekontoret var det dr strand som tok imot\n", ("PERSON", "strand")),
        ("u: alle kalle mæ bibbi heime\n", ("PERSON", "bibbi")),
        ("U: Personnummeret er 1707 0641 938.\n", ("FNR", "1707 0641 938")),
        (
            "u: nummeret er nittiåtte elleve nullsju tjuefire\n",
            ("TELEFON", "nittiåtte elleve nullsju tjuefire"),
        ),
        ("u: jeg snakka med jan-ove om det\n", ("PERSON", "jan-ove")),
        ("i: hvem henger du med?\n\nu: zainab og hodan mest\n", ("PERSON", "hodan")),
        ("u: vi sitter på rommet til hodans bror\n", ("PERSON", "hodans")),
        ("u: hun studerer på uib nå\n", ("ORG", "uib")),
        ("U: Brukernavnet mitt i klassen er siri_h07.\n", ("ID", "siri_h07")),
        ("U: Les bloggen min, turjenta.blogg.no, da.\n", ("ID", "turjenta.blogg.no")),
        ("U: Søknaden har ID 447120.\n", ("ID", "447120")),
        ("u: det er 9 8 7 1 2 2 3 4 ja\n", ("TELEFON", "9 8 7 1 2 2 3 4")),
    ],
)
def test_tune_h_identifier_rules(text: str, expected: tuple[str, str]) -> None:
    found = _rule_spans(text)  # an ID's span may take its cue word too ("journalnummer 2022-…")
    assert any(kind == expected[0] and expected[1] in value for kind, value in found), found


@pytest.mark.parametrize(
    "text",
    [
        "u: på insta er det bare tull og tøys\n",
        "u: jeg er på snap hele dagen\n",
        "U: Vi talte 1 2 3 4 5 6 7 før vi hoppet.\n",
        "U: Sjekk nav.no for mer.\n",
        "U: Det står på nav.no/minside under meldinger.\n",
        "u: læreren min er snill og behandleren min var flink\n",
        "u: vi så på tv-en og hadde en lang-tur\n",
        "u: vi bodde på hotell i fjor\n",
        "i: hvor jobber du?\n\nu: ingen steder.\n",
        "u: han bruker vg.no hver dag\n",
        "U: Jeg har ID og pass.\n",
        "u: naboens sønn og bestefars bror kom\n",
        "i: hvem bor du med?\n\nu: mamma og stefaren min\n",
    ],
)
def test_tune_h_identifier_rules_leave_these_alone(text: str) -> None:
    assert not [f for f in _rule_spans(text) if f[0] in ("ID", "FNR", "TELEFON", "PERSON")], _rule_spans(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u: vi bada i storlivatnet hver sommer\n", ("STED", "storlivatnet")),
        ("u: vi gikk opp på brattetinden i helga\n", ("STED", "brattetinden")),
        ("u: han er fisker ut fra nordvågfjord\n", ("STED", "nordvågfjord")),
        ("u: vi fisker på mjøsa om sommeren\n", ("STED", "mjøsa")),
        ("u: jeg fikk praksis på valdres avfall i fjor\n", ("ORG", "valdres avfall")),
        ("U: Hun ble innlagt på Tromsø universitetssykehus i fjor.\n", ("ORG", "Tromsø universitetssykehus")),
        ("u: jeg har snakka med rørlegger-berg as om lærlingplass\n", ("ORG", "rørlegger-berg as")),
        ("u: timen er femte i tredje klokka ti\n", ("DATO", "femte i tredje")),
        ("U: Jeg flyttet hit 14/8 i fjor.\n", ("DATO", "14/8")),
        ("u: møtet er den tjuesjette tror jeg\n", ("DATO", "tjuesjette")),
        ("u: hun søkte i april tjueto og fikk svar\n", ("DATO", "april tjueto")),
        ("u: vi kom hit i september to tusen og nitten\n", ("DATO", "september to tusen og nitten")),
        ("u: jeg fikk svar i slutten av juni tjuefire\n", ("DATO", "juni tjuefire")),
        ("U: Til neste år er eg vel 27, då.\n", ("ALDER", "27")),
        ("u: i mai blir æ nitten.\n", ("ALDER", "nitten")),
        ("u: jeg er nitten år nei tjue nå\n", ("ALDER", "tjue")),
        ("u: mora mi er førtifem tror jeg eller førtiseks\n", ("ALDER", "førtiseks")),
        ("i: og alder\n\nu: 23\n\ni: skole?\n", ("ALDER", "23")),
        ("u: eg budde der frå eg var sju\n", ("ALDER", "sju")),
        ("u: hun ble sendt til ous med en gang\n", ("ORG", "ous")),
        ("u: familien kommer fra byen kismaayo i sør\n", ("STED", "kismaayo")),
        ("U: Mamma er 47, pappa 52.\n", ("ALDER", "52")),
        ("U: Jeg har to søsken på 8 og 13.\n", ("ALDER", "8 og 13")),
        ("U: Farfar ble 88 i fjor.\n", ("ALDER", "88")),
        ("U: Vi har sønnen vår, og datteren vår som er tre år.\n", ("ALDER", "tre år")),
        ("u: jeg er atten, snart nitten\n", ("ALDER", "nitten")),
        ("u: mormor bur på ei øy som heiter sula\n", ("STED", "sula")),
        ("u: hun jobber i en barnehage som heter regnbuen\n", ("ORG", "regnbuen")),
        ("u: jeg har vakter på hotell brekkestranda nå\n", ("ORG", "hotell brekkestranda")),
        ("i: hvor jobber du nå?\n\nu: burger king sandvika. helger mest\n", ("ORG", "burger king sandvika")),
        ("i: hvor kommer familien fra?\n\nu: aleppo. vi kom i 2015\n", ("STED", "aleppo")),
    ],
)
def test_tune_h_quasi_rules(text: str, expected: tuple[str, str]) -> None:
    found = _rule_spans(text)
    assert any(kind == expected[0] and expected[1] in value for kind, value in found), found


@pytest.mark.parametrize(
    "text",
    [
        "u: vi var i innføringsklassen hele året\n",
        "u: det var den tjuende gangen han sa det\n",
        "U: Halvparten, altså 1/2 av klassen, kom.\n",
        "u: i mars tjuefem personer kom\n",
        "u: i mai to tusen kroner\n",
        "U: Er du 18 minutter for sen?\n",
    ],
)
def test_tune_h_quasi_rules_leave_these_alone(text: str) -> None:
    assert not [f for f in _rule_spans(text) if f[0] in ("STED", "DATO", "ALDER")], _rule_spans(text)


def test_a_payment_card_and_an_iban_are_masked_whole() -> None:
    """A card number (4-4-4-4) and a Norwegian IBAN are identifiers; the phone rules may type parts of them
    TELEFON, which is why this checks the output text, not the type."""
    text = "U: Kortet har nummer 5412 7720 1189 4410, og IBAN NO71 4412 0933 517.\n"
    new, _ = Deidentifier(engine="direct", spacy_model=None).deidentify(text)
    assert not re.search(r"\d{3}", new), new


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("DUF-nummeret mitt er 2015 123456 78.", "2015 123456 78"),  # a hyphen compound cue, digit groups
        ("HPR-nummeret hennes var 9876543", "9876543"),
        ("IMEI 356938035643809 sto på esken", "356938035643809"),
        ("saksnummeret er 2023 44512", "2023 44512"),
    ],
)
def test_a_number_after_its_kind_is_one_identifier_even_in_digit_groups(text, number):
    """A kind of number named by a hyphen compound ("DUF-nummer") or IMEI, and a number said in digit groups
    after its cue, is one ID span: no group is left behind as a date or plain text."""
    found = [(kind, span) for kind, span in _rule_spans(text) if number in span]
    assert found and found[0][0] == "ID"


def test_digit_groups_after_a_cue_need_six_digits():
    """Short counts after a cue word stay text ("sak 2 av 3", "id 12 34")."""
    assert not [span for kind, span in _rule_spans("sak 2 av 3 var verst") if kind == "ID"]
    assert not [span for kind, span in _rule_spans("det var id 12 34 i køen") if kind == "ID"]


def test_a_feide_user_name_is_an_identifier():
    """The school login (Feide) names its user like any platform handle."""
    assert ("ID", "kari123") in _rule_spans("feide-brukeren min er kari123, tror jeg")


# ---------------------------------------------------------------------------------- issue 12, tuning on tune_i
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U: Fetteren min ringer fra +46 73 512 88 04 hver helg.\n", ("TELEFON", "+46 73 512 88 04")),
        ("U: Onkel har nummer 00 256 772 418 903 i Kampala.\n", ("TELEFON", "00 256 772 418 903")),
        (
            "u: hun har nummer pluss tre åtte null to to en fire fire fem\n",
            ("TELEFON", "pluss tre åtte null to to en fire fire fem"),
        ),
        ("u: duf nummeret hennes er 2019 204 117 02 tror jeg\n", ("ID", "2019 204 117 02")),
        ("U: Broren har sitt eget, 2019 204 118 05, på et annet kort.\n", ("ID", "2019 204 118 05")),
        ("U: Passet har nummer AB 1234567, og det går ut i mai.\n", ("ID", "AB 1234567")),
        ("u: oppholdskortet mitt nummer er no4471203 og det gjelder to år\n", ("ID", "no4471203")),
        ("U: Tillatelsen har nummeret LOS-21-904412 på toppen.\n", ("ID", "LOS-21-904412")),
        ("U: Anmeldelsen fikk nummer 16044219 hos politiet.\n", ("ID", "16044219")),
        ("u: journalnummer ab 21-40771 står på brevet\n", ("ID", "ab 21-40771")),
        (
            "U: Før bodde vi i ulica Lipowa 14/2, 80-112 Gdańsk.\n",
            ("ADRESSE", "ulica Lipowa 14/2, 80-112 Gdańsk"),
        ),
        ("U: Tante bor i Kantstraße 41 i Berlin.\n", ("ADRESSE", "Kantstraße 41")),
    ],
)
def test_tune_i_identifier_rules(text: str, expected: tuple[str, str]) -> None:
    found = _rule_spans(text)
    assert any(kind == expected[0] and expected[1] in value for kind, value in found), found


@pytest.mark.parametrize(
    "text",
    [
        "U: Vi reiste via Libanon i 2019.\n",
        "U: Han har nummer 91234567 på jobben.\n",  # a phone number stays a phone number
        "U: I 2015 var vi 100 og i 2016 200.\n",
    ],
)
def test_tune_i_identifier_rules_leave_these_alone(text: str) -> None:
    found = _rule_spans(text)
    assert not [f for f in found if f[0] in ("ID", "ADRESSE")], found


@pytest.mark.parametrize(
    ("text", "number"),
    [("U: Elevnummeret er 448201, sa hun.\n", "448201"), ("u: kundenummeret var 0044718 nei\n", "0044718")],
)
def test_a_short_word_before_a_number_is_no_letter_prefix(text: str, number: str) -> None:
    """ "er", "var": the verb before a number stays text; only the number is the identifier."""
    assert ("ID", number) in _rule_spans(text), _rule_spans(text)


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("U: Først bodde vi på Tromsø mottak i et år.\n", "Tromsø mottak"),
        ("U: Han sitter i Ila fengsel nå.\n", "Ila fengsel"),
        ("U: Vi går i Bodø moské på fredager.\n", "Bodø moské"),
        ("U: Jeg er med i Tromsø kurdiske forening.\n", "Tromsø kurdiske forening"),
    ],
)
def test_a_place_with_an_institution_kind_after_it_is_an_organisation(text: str, org: str) -> None:
    """Reception centres, prisons, mosques and associations take their place's name: the whole is one ORG."""
    spans = Deidentifier(engine="direct", spacy_model="auto").analyze(text)
    assert ("ORG", org) in [(s.type, text[s.start : s.end]) for s in spans], spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u: broren min heter aleksander men vi kaller han sasha\n", ("PERSON", "sasha")),
        ("u: og bestefar tarik bor fortsatt i mosul\n", ("PERSON", "tarik")),
        ("u: det var imam bilal som hjalp oss med papirene\n", ("PERSON", "bilal")),
        ("u: først bodde vi på mottaket på os i ett år\n", ("STED", "os")),
        ("U: Vi var to år i leiren i Kakuma.\n", ("STED", "Kakuma")),
        ("u: noen skriver aleksandr med r på slutten\n", ("PERSON", "aleksandr")),
        ("u: på kortet står det petrenko uten bindestrek\n", ("PERSON", "petrenko")),
    ],
)
def test_tune_i_name_and_place_contexts(text: str, expected: tuple[str, str]) -> None:
    """Nicknames after "kaller han", grandparents and clergy before a name, a reception centre's or camp's place,
    and a name whose spelling is explained ("skriver X med u")."""
    found = _rule_spans(text)
    assert any(kind == expected[0] and expected[1] in value for kind, value in found), found


@pytest.mark.parametrize(
    "text",
    [
        "u: vi kaller han inn til et møte i morgen\n",
        "U: De skriver det med k, og jeg skriver brev med penn.\n",
        "u: leiren i fjor var full og mottaket på dagtid var stengt\n",
    ],
)
def test_tune_i_name_and_place_contexts_leave_these_alone(text: str) -> None:
    assert not [f for f in _rule_spans(text) if f[0] in ("PERSON", "STED")], _rule_spans(text)


def test_digits_dictated_with_dashes_and_a_dialect_filler_are_one_phone_number() -> None:
    """Typed speech writes pauses as dashes and "æhh": the eight digits are still one number."""
    text = "U: Hun sender melding fra 9 1 7 – æhh – 2 2 4 – 0 8, alltid sent.\n"
    assert ("TELEFON", "9 1 7 – æhh – 2 2 4 – 0 8") in _rule_spans(text), _rule_spans(text)
    assert not _rule_spans("U: Vi var 3 – 4 stykker, og så 5 – 6 til.\n")


def test_nav_with_a_district_compound_is_an_organisation() -> None:
    """ "nav fyllingsdalen": a district named by a compound with a geographic head is a NAV office's place."""
    text = "u: jeg var på nav kringsjådalen i går\n"
    assert ("ORG", "nav kringsjådalen") in _rule_spans(text), _rule_spans(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U: Jeg fyller nitten fjerde juni, så da blir det fest.\n", ("ALDER", "nitten")),
        ("U: Timen er onsdag tjuende januar klokka ni.\n", ("DATO", "onsdag tjuende januar")),
        ("U: Han jobba hos Brødrene Dahl i fire år.\n", ("ORG", "Brødrene Dahl")),
    ],
)
def test_tune_i_quasi_rules(text: str, expected: tuple[str, str]) -> None:
    """The age one turns on a given day, a weekday before a date, a family firm named by its owners."""
    found = _rule_spans(text)
    assert any(kind == expected[0] and expected[1] in value for kind, value in found), found


def test_a_weekday_before_a_season_or_a_year_stays_text() -> None:
    found = _rule_spans("U: Vi møttes hver torsdag våren 2022, og fredag 2024 òg.\n")
    assert not [value for kind, value in found if "torsdag" in value or "fredag" in value], found


def test_a_surrogate_never_keeps_a_word_or_number_of_what_it_replaces():
    """Faker's common Norwegian names and small ages can hand back the original itself ("Kari Nordby" ->
    "Kari …", 17 -> 17): over many keys, no surrogate shares a name word or number with its original, and the
    same key still gives the same surrogate."""
    from toolkit.deidentify.replace import _Replacer as Replacer

    originals = [
        ("PERSON", "Kari Nordby"),
        ("PERSON", "Kari"),
        ("PERSON", "Ola"),
        ("PERSON", "Anne"),
        ("ALDER", "17 år"),
        ("STED", "Hamar"),
    ]
    for i in range(300):
        replacer = Replacer("surrogates", key=i.to_bytes(4, "big") * 8)
        for kind, original in originals:
            drawn = replacer.replace(kind, original)
            shared = set(original.lower().replace("år", "").split()) & set(drawn.lower().split())
            assert not shared, (kind, original, drawn)
            if kind != "ALDER":  # nor spelt inside the stand-in ("Kari" -> "Karin", "Anne" -> "Anne-Lise")
                assert not any(w in drawn.lower() for w in original.lower().split() if len(w) >= 3), drawn
            assert replacer.replace(kind, original) == drawn


# ---------------------------------------------------------------------------------- issue 12, tuning on tune_j
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u: ho jobbar på remaen i sentrum no\n", "remaen"),
        ("U: Eg jobber på Rema'n på Sotra og på Circle K i helgene.\n", "Rema'n på Sotra"),
        ("U: Vi bor rett ved Kiwien, så det er kort vei.\n", "Kiwien"),
        ("u: og så jobber jeg deltid på kiwien på lørdager\n", "kiwien"),
        ("u: jeg er med i hamar speidergruppe og synger i vang kirkekor\n", "hamar speidergruppe"),
        ("U: Eg er frivillig i Ørsta frivilligsentral kvar veke.\n", "Ørsta frivilligsentral"),
    ],
)
def test_tune_j_inflected_chains_and_local_associations(text: str, expected: str) -> None:
    """The definite or dialect form of a chain is the shop people mean; a place and a kind of local association
    or service is one organisation."""
    found = _rule_spans(text)
    assert ("ORG", expected) in found, found


@pytest.mark.parametrize(
    "text",
    [
        "u: vi så på menyen og bestilte pizza\n",
        "u: han kom med kiwien fra butikken og skrelte den\n",
    ],
)
def test_tune_j_inflected_chain_words_that_are_ordinary_stay_text(text: str) -> None:
    """ "menyen", a fruit "kiwien": without a capital or a work cue an inflected chain is an ordinary word."""
    assert not [value for kind, value in _rule_spans(text) if kind == "ORG"], _rule_spans(text)


def test_a_fodselsnummer_said_in_two_parts_with_a_pause_word_is_one_span():
    """The date digits and the personal digits of a fødselsnummer said apart ("010203 og så 12345"), after
    the plural cue too ("fødselsnumre"), are one FNR span; a small count after the date is not taken."""
    assert ("FNR", "010203 og så 12345") in _rule_spans("fødselsnumre er 010203 og så 12345")
    assert ("FNR", "150805, eh, 43211") in _rule_spans("fødselsnummeret mitt er 150805, eh, 43211")
    assert not any("3 søsken" in span for _, span in _rule_spans("fødselsnummer 010203, og 3 søsken"))


def test_a_valid_fodselsnummer_said_in_two_parts_is_found_without_a_cue():
    """ "120805... 10037" answering a question in the turn before: the two parts together pass the check
    digits, so they are a fødselsnummer; the same shape with digits that fail the check stays text."""
    assert ("FNR", "120805... 10037") in _rule_spans("U: Eh, 120805... 10037. Tror jeg.")
    assert ("FNR", "120805 og så kommer 10037") in _rule_spans("u: det var 120805 og så kommer 10037")
    assert not [kind for kind, _ in _rule_spans("u: 120805 og så 12345 kroner") if kind == "FNR"]


# ------------------------------------------------------------------------ issue 12, tune_r's identifiers
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("u: eg har ein blogg, kari-strikk.blogg.no, og sel kofter\n", ("ID", "kari-strikk.blogg.no")),
        (
            "u: det er twitch punktum tv skråstrek ola_spel men\n",
            ("ID", "twitch punktum tv skråstrek ola_spel"),
        ),
        ("u: Eg heter kari4411 på SoundCloud, og så\n", ("ID", "kari4411")),
        (
            "u: på tiktok heter eg ola punktum dal punktum null sju\n",
            ("ID", "ola punktum dal punktum null sju"),
        ),
        ("u: ja saken min har nummer 2021 066 7731 og så\n", ("ID", "2021 066 7731")),
        ("u: vi bur i kong oscars gate 3 no\n", ("ADRESSE", "kong oscars gate 3")),
        ("u: det er «tre null null fire åtti en, og så syttito trettiseks»\n", ("FNR", "syttito trettiseks")),
        ("u: Vi bur i Biskop Gunnerus gate 4 no\n", ("ADRESSE", "Biskop Gunnerus gate 4")),
    ],
)
def test_tune_r_identifiers(text: str, expected: tuple[str, str]) -> None:
    """Web addresses and user names in forms tune_r showed: a blog host, a spoken path, a name before its
    platform, digits said as words at the end of a spoken handle."""
    assert expected in _rule_spans(text)


@pytest.mark.parametrize(
    "text",
    [
        "u: gå til nav punktum no skråstrek minside så\n",
        "u: eg spelar fifa23 på xbox kvar dag\n",
        "u: det er ein halv skråstrek to liter\n",
        "u: eg les blogg.no og wordpress.com av og til\n",
        "u: saka kosta 2019 500 000 kroner til slutt\n",
        "u: eg fekk tjue to og så tretti fire poeng\n",
        "u: det var tolv null ni og så tjue fem folk der\n",
    ],
)
def test_tune_r_identifiers_leave_these_alone(text: str) -> None:
    assert not [f for f in _rule_spans(text) if f[0] in ("ID", "FNR")]


def test_no_personal_part_after_six_digits_that_are_no_date() -> None:
    """Six digits whose month is no month ("tolv tretten …") do not make the next number a personal part."""
    spans = _rule_spans("u: det var tolv tretten null ni og så tjue fem folk\n")
    assert not [f for f in spans if f[0] == "FNR"]
