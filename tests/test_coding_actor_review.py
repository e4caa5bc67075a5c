"""The actor view of ``pdtk code-review`` and ``pdtk autocode --actor-review`` (issue 17: human review where the
tone cannot be trusted).

A blind tuning set with a gold actor list written without sight of the vocabulary (tests/data/coding_blind/set1)
plays the reviewer: every actor the extractor found is decided as the gold says (its tone, or not part of the
help), every gold actor it missed is added, and ``autocode`` with the resulting ``actor_review.csv`` must then
agree with the gold exactly — mentions, tones and fragmentation.
"""

from __future__ import annotations

import stat
import statistics
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from toolkit.coding.actor_corrections import (
    ORIGIN_COLUMN,
    apply_actor_review,
    read_actor_review,
    review_agreement,
)
from toolkit.coding.actors import actor_agreement, actor_ids_of, load_actor_vocabulary
from toolkit.coding.review.actor_decisions import ACTOR_DECISIONS_FILE, ACTOR_REVIEW_FILE
from toolkit.coding.review.actor_session import ActorView
from toolkit.coding.review.app import create_coding_app
from toolkit.coding.review.locate import locate_coding
from toolkit.coding.review.session import CodingSession
from toolkit.coding.run import autocode_folder
from toolkit.coding.segments import read_segments
from toolkit.errors import InputDataError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SET = Path(__file__).parent / "data" / "coding_blind" / "set1"
TOKEN = "actor-token-789"


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("actor_review")
    autocode_folder(SET / "transcripts", SET / "codebook.yml", root / "results" / "coding")
    return {"root": root, "coding": root / "results" / "coding", "restricted": root / "restricted"}


@pytest.fixture(scope="module")
def session(study):
    paths = locate_coding(
        SET / "transcripts", SET / "codebook.yml", study["coding"], restricted=study["restricted"]
    )
    session = CodingSession(paths, reviewer="tester", background=False)
    yield session
    session.close()


@pytest.fixture(scope="module")
def client(session) -> TestClient:
    return TestClient(create_coding_app(session, TOKEN), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def gold() -> pd.DataFrame:
    return pd.read_csv(SET / "actors_gold.csv", dtype={"tone": str}, keep_default_na=False)


def get(client: TestClient, path: str):
    response = client.get(path, params={"token": TOKEN})
    assert response.status_code == 200, response.text
    return response.json()


def post(client: TestClient, path: str, body: dict):
    response = client.post(path, params={"token": TOKEN}, json=body)
    assert response.status_code == 200, response.text
    return response.json()


# ------------------------------------------------------------------------------------------------ the view
def test_the_actor_view_needs_the_token(client):
    for path in ("/actors", "/api/actors", "/api/actors/0", "/static/actors.js"):
        assert client.get(path).status_code == 403, path
    assert client.post("/api/actors/0/decisions", json={"decision": "positiv"}).status_code == 403
    page = client.get("/actors", params={"token": TOKEN})
    assert page.status_code == 200 and "actors.js" in page.text and TOKEN in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_an_item_shows_the_turns_with_the_mention_and_the_tone_words_marked(client):
    listing = get(client, "/api/actors")
    assert listing["actors"] and {"positiv", "negativ", "blandet", "nøytral", "not_mentioned"} == set(
        listing["decisions"]
    )
    judged = next(a for a in listing["actors"] if a["suggested"] in ("positiv", "negativ", "blandet"))
    item = get(client, f"/api/actors/{judged['id']}")
    kinds = {m["kind"] for q in item["quotes"] for m in q["marks"]}
    assert "mention" in kinds and kinds & {"positive", "negative"}
    for quote in item["quotes"]:
        assert quote["marks"] and all(
            0 <= m["start"] < m["end"] <= len(quote["text"]) for m in quote["marks"]
        )
        assert not quote["text"].lstrip().startswith("I:")  # participant turns only


def test_bad_actor_requests_get_one_line(client):
    assert client.get("/api/actors/99999", params={"token": TOKEN}).status_code == 404
    wrong = client.post("/api/actors/0/decisions", params={"token": TOKEN}, json={"decision": "kanskje"})
    assert wrong.status_code == 400 and "decision must be" in wrong.json()["error"]
    unknown = client.post(
        "/api/actors",
        params={"token": TOKEN},
        json={"source": "nope.txt", "actor": "NAV", "decision": "positiv"},
    )
    assert unknown.status_code == 404


def test_an_actor_decision_round_trips_in_under_100_ms(client):
    items = get(client, "/api/actors")["actors"][:12]
    seconds = []
    for item in items:
        for decision in ("positiv", "undo"):
            started = time.perf_counter()
            post(client, f"/api/actors/{item['id']}/decisions", {"decision": decision})
            seconds.append(time.perf_counter() - started)
    assert statistics.median(seconds) < 0.100, f"median {statistics.median(seconds) * 1000:.1f} ms"
    assert all(a["decision"] == "" for a in get(client, "/api/actors")["actors"][:12])


# ------------------------------------------------------------------------------------------------ round trip
def review_like_gold(client: TestClient, gold: pd.DataFrame) -> None:
    """Decide every found actor as the gold does, and add the gold's actors the extractor missed."""
    said = gold.set_index(["source", "actor"])
    found = set()
    for item in get(client, "/api/actors")["actors"]:
        key = (item["source"], item["actor"])
        found.add(key)
        mentioned = key in said.index and int(said.loc[key, "mentioned"]) == 1
        decision = said.loc[key, "tone"] if mentioned else "not_mentioned"
        post(client, f"/api/actors/{item['id']}/decisions", {"decision": decision})
    for row in gold[gold["mentioned"] == 1].itertuples(index=False):
        if (row.source, row.actor) not in found:
            body = {"source": row.source, "actor": row.actor, "decision": row.tone}
            assert post(client, "/api/actors", body)["decision"] == row.tone


def test_reviewing_like_the_gold_makes_autocode_agree_with_it(client, study, gold, tmp_path):
    review_like_gold(client, gold)
    review_file = study["restricted"] / ACTOR_REVIEW_FILE
    log = study["restricted"] / ACTOR_DECISIONS_FILE
    for private in (review_file, log):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(study["restricted"].stat().st_mode) == 0o700
    assert "Amalie" not in log.read_text(encoding="utf-8")  # names of transcripts' people: no text
    out = tmp_path / "coding"
    result = autocode_folder(SET / "transcripts", SET / "codebook.yml", out, actor_review=review_file)
    actors = pd.read_csv(out / "actors.csv", dtype={"tone": str}, keep_default_na=False)
    agreement = actor_agreement(gold, actors)
    assert agreement["f1"] == 1.0 and agreement["fragmentation_exact"] == 1.0
    assert agreement["tone_agreement"] == 1.0
    # the review measured the extractor: on the gold's rows that is the gold's own verdict on it
    extracted = pd.read_csv(study["coding"] / "actors.csv", dtype={"tone": str}, keep_default_na=False)
    reviewed = pd.read_csv(review_file, dtype=str, keep_default_na=False)
    on_gold = actor_agreement(gold.merge(reviewed[["source", "actor"]]), extracted)
    found = result.actors.review_agreement
    assert found["tone_kappa"] == pytest.approx(on_gold["tone_kappa"])
    assert found["tone_kappa_low"] < found["tone_kappa"] < found["tone_kappa_high"]
    line = next(x for x in result.agreement_lines() if x.startswith("Actor review:"))
    assert f"kappa {on_gold['tone_kappa']:.2f} ({on_gold['tone_pairs']} actors, 95 % interval" in line
    mentioned = actors["mentioned"] == 1
    assert set(actors.loc[mentioned, ORIGIN_COLUMN]) == {"human"}
    assert set(actors.loc[~mentioned, ORIGIN_COLUMN]) <= {"", "human"}


def test_without_a_review_the_extractor_differs_from_the_gold(study, gold):
    """The round trip above is not agreement by construction: the extractor alone misses some of it."""
    actors = pd.read_csv(study["coding"] / "actors.csv", dtype={"tone": str}, keep_default_na=False)
    agreement = actor_agreement(gold, actors)
    assert agreement["tone_agreement"] < 0.95
    assert set(actors.loc[actors["mentioned"] == 1, ORIGIN_COLUMN]) == {"rule"}


def test_decisions_survive_a_restart(client, session, study):
    item = get(client, "/api/actors")["actors"][0]  # one decision of its own: the test runs alone, too
    post(client, f"/api/actors/{item['id']}/decisions", {"decision": "negativ"})
    again = ActorView(read_segments(SET / "transcripts")[1], study["restricted"], reviewer="other")
    assert again.progress() == session.actors.progress()
    assert again.progress()["reviewed"] > 0


# ------------------------------------------------------------------------------------------------ the file
@pytest.fixture
def ids() -> list[str]:
    return actor_ids_of(load_actor_vocabulary())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("source,actor,mentioned\na.txt,NAV,1\n", "no column 'tone'"),
        ("source,actor,mentioned,tone\na.txt,NAVX,1,positiv\n", "row 2, column actor"),
        ("source,actor,mentioned,tone\na.txt,NAV,ja,positiv\n", "row 2, column mentioned"),
        ("source,actor,mentioned,tone\na.txt,NAV,1,glad\n", "row 2, column tone"),
        ("source,actor,mentioned,tone\na.txt,NAV,0,positiv\n", "row 2, column tone"),
        ("source,actor,mentioned,tone\na.txt,NAV,1,positiv\na.txt,NAV,0,\n", "row 2: .* twice"),
    ],
)
def test_a_bad_review_file_gets_one_line_naming_row_and_column(tmp_path, ids, content, message):
    path = tmp_path / "actor_review.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputDataError, match=message) as raised:
        read_actor_review(path, ids)
    assert "\n" not in str(raised.value) and "Fix:" in str(raised.value)


def test_applying_a_review_strikes_adds_and_recounts(tmp_path, ids):
    actors = pd.DataFrame(
        {
            "source": ["a.txt"] * 3,
            "actor": ["NAV", "OT", "familie"],
            "mentioned": [1, 1, 0],
            "n_turns": [2, 1, 0],
            "tone": ["positiv", "nøytral", ""],
            "n_mentions": [3, 1, 0],
            "mention_offsets": ["1-4;9-12;20-23", "30-32", ""],
            "tone_evidence": ["5-8:+", "", ""],
            "fragmentation": [2, 2, 2],
        }
    )
    path = tmp_path / "actor_review.csv"
    path.write_text("source,actor,mentioned,tone\na.txt,OT,0,\na.txt,familie,1,negativ\n", encoding="utf-8")
    out = apply_actor_review(actors, read_actor_review(path, ids)).set_index("actor")
    assert list(out[ORIGIN_COLUMN]) == ["rule", "human", "human"]
    assert out.loc["OT", ["mentioned", "n_turns", "tone", "mention_offsets"]].tolist() == [0, 0, "", ""]
    assert out.loc["familie", ["mentioned", "n_turns", "tone"]].tolist() == [1, 1, "negativ"]
    assert set(out["fragmentation"]) == {1}  # OT struck; family is no public service
    elsewhere = pd.DataFrame({"source": ["b.txt"], "actor": ["NAV"], "mentioned": [1], "tone": ["positiv"]})
    with pytest.raises(InputDataError, match="not among these transcripts"):
        apply_actor_review(actors, elsewhere)


def test_review_agreement_counts_what_the_reviewer_changed(ids):
    actors = pd.DataFrame(
        {
            "source": ["a.txt"] * 4 + ["b.txt"] * 4,
            "actor": ["NAV", "OT", "familie", "skole"] * 2,
            "mentioned": [1, 1, 0, 1, 1, 1, 1, 0],
            "tone": ["positiv", "nøytral", "", "negativ", "blandet", "positiv", "nøytral", ""],
        }
    )
    review = pd.DataFrame(
        {
            "source": ["a.txt", "a.txt", "a.txt", "b.txt", "b.txt", "b.txt", "b.txt"],
            "actor": ["NAV", "OT", "familie", "NAV", "OT", "familie", "skole"],
            "mentioned": [1, 0, 1, 1, 1, 1, 1],
            "tone": ["positiv", "", "negativ", "negativ", "positiv", "nøytral", "positiv"],
        }
    )
    found = review_agreement(actors, review)
    assert (found["reviewed"], found["struck_out"], found["added"], found["tone_pairs"]) == (7, 1, 2, 4)
    human, tool = ["positiv", "negativ", "positiv", "nøytral"], ["positiv", "blandet", "positiv", "nøytral"]
    assert found["tone_agreement"] == 0.75
    assert found["tone_kappa"] == pytest.approx(cohen_kappa_score(human, tool))
    assert review_agreement(actors, None) is None


def test_autocode_refuses_a_bad_review_in_one_line_and_writes_nothing(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    bad = tmp_path / "actor_review.csv"
    bad.write_text("source,actor,mentioned,tone\n01_amalie.txt,NAV,1,sur\n", encoding="utf-8")
    out = tmp_path / "coding"
    args = [
        "autocode",
        str(SET / "transcripts"),
        str(SET / "codebook.yml"),
        str(out),
        "--actor-review",
        str(bad),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "row 2, column tone" in lines[0] and "Fix:" in lines[0]
    assert not out.exists()


def test_the_report_says_whose_tones_they_are(study):
    from toolkit.coding.actor_outputs import actor_outputs_from_tables

    actors = pd.read_csv(study["coding"] / "actors.csv", dtype={"tone": str}, keep_default_na=False)
    actors = actors.drop(columns=[ORIGIN_COLUMN])
    machine = actor_outputs_from_tables([actors], None, min_cell=5)
    assert "extractor's alone" in machine.tone_provenance()
    first = actors[actors["mentioned"] == 1].iloc[0]
    review = pd.DataFrame(
        {"source": [first["source"]], "actor": [first["actor"]], "mentioned": [1], "tone": ["negativ"]}
    )
    reviewed = actor_outputs_from_tables([actors], None, min_cell=5, review=review)
    mentioned = int(actors["mentioned"].sum())
    assert reviewed.tone_provenance().startswith(f"A reviewer judged the tone of 1 of {mentioned}")
