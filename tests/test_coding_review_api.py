"""The coding view's HTTP contract (docs/REVIEW_API.md, "Coding view") with Starlette's TestClient.

The project's hand-coded transcripts (tests/data/coding) play the reviewer: a turn is decided the way the hand
coding codes it (a suggestion it has is accepted, one it lacks rejected, a code the coder missed added), so the
decisions, the hand coding the view writes and the learner's refit can be checked against a known answer.
"""

from __future__ import annotations

import json
import stat
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from toolkit.coding.codebook import default_codebook_path, load_codebook
from toolkit.coding.learn import uncertainty
from toolkit.coding.review.app import create_coding_app
from toolkit.coding.review.decisions import DECISIONS_FILE, HAND_CODING_FILE, CodingLog
from toolkit.coding.review.locate import locate_coding
from toolkit.coding.review.session import CodingSession, evidence_spans, merge_marks
from toolkit.coding.run import autocode_folder, read_hand_coding
from toolkit.coding.segments import read_segments
from toolkit.errors import InputDataError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DATA = Path(__file__).parent / "data" / "coding"
TOKEN = "test-token-456"


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> dict[str, Path]:
    """An autocode run as a study leaves it: results/coding, and the restricted folder beside results/."""
    root = tmp_path_factory.mktemp("coding_review")
    autocode_folder(DATA / "transcripts", default_codebook_path(), root / "results" / "coding")
    return {"root": root, "coding": root / "results" / "coding", "restricted": root / "restricted"}


@pytest.fixture(scope="module")
def session(study):
    paths = locate_coding(
        DATA / "transcripts", default_codebook_path(), study["coding"], restricted=study["restricted"]
    )
    session = CodingSession(paths, reviewer="tester")
    yield session
    session.close()


@pytest.fixture(scope="module")
def client(session) -> TestClient:
    return TestClient(create_coding_app(session, TOKEN), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def gold() -> dict[tuple[str, int], set[str]]:
    hand = pd.read_csv(DATA / "hand_coded.csv")
    out: dict[tuple[str, int], set[str]] = {}
    for row in hand.itertuples(index=False):
        out.setdefault((row.source, int(row.turn_index)), set()).add(row.code_id)
    return out


def get(client: TestClient, path: str):
    response = client.get(path, params={"token": TOKEN})
    assert response.status_code == 200, response.text
    return response.json()


def post(client: TestClient, path: str, body: dict):
    response = client.post(path, params={"token": TOKEN}, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def code_like_gold(client: TestClient, turn_id: int, gold: dict) -> dict:
    """Decide one turn as the hand coding does: accept, reject, add, then close it."""
    turn = get(client, f"/api/turns/{turn_id}")
    wanted = gold.get((turn["source"], turn["turn_index"]), set())
    for code in turn["codes"]:
        if code["status"] == "pending":
            decision = "accept" if code["code"] in wanted else "reject"
            post(client, f"/api/turns/{turn_id}/decisions", {"code": code["code"], "decision": decision})
    shown = {c["code"] for c in turn["codes"]}
    for code in sorted(wanted - shown):
        post(client, f"/api/turns/{turn_id}/decisions", {"code": code, "decision": "add"})
    return post(client, f"/api/turns/{turn_id}/decisions", {"decision": "done"})


# ---------------------------------------------------------------------------------------------- security
def test_every_request_needs_the_token_and_a_local_host(client):
    shared = "/static/common.js"  # what both review pages share, served from the de-identification review
    for path in (
        "/",
        "/api/status",
        "/api/queue",
        "/api/codebook",
        "/api/turns/0",
        "/static/coding.js",
        shared,
    ):
        assert client.get(path).status_code == 403, path
        assert client.get(path, params={"token": "wrong"}).status_code == 403, path
    assert client.post("/api/turns/0/decisions", json={"decision": "done"}).status_code == 403
    foreign = client.get("/api/status", params={"token": TOKEN}, headers={"host": "evil.example"})
    assert foreign.status_code in (400, 403)
    page = client.get("/", params={"token": TOKEN})
    assert page.status_code == 200 and "coding.js" in page.text and "common.js" in page.text
    script = client.get(shared, params={"token": TOKEN})
    assert script.status_code == 200 and "async function api(" in script.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"


def test_the_restricted_folder_may_not_lie_in_results(study):
    with pytest.raises(InputDataError, match="inside the coding"):
        locate_coding(
            DATA / "transcripts",
            default_codebook_path(),
            study["coding"],
            restricted=study["coding"] / "private",
        )
    with pytest.raises(InputDataError, match="restricted folder"):
        locate_coding(DATA / "transcripts", default_codebook_path(), study["coding"])


# ---------------------------------------------------------------------------------------------- the view
def test_a_turn_shows_its_suggestions_with_the_evidence_words_marked(client):
    queue = get(client, "/api/queue")
    assert queue["model_version"] == 0
    segments = pd.read_csv(DATA.parent / "coding" / "hand_coded.csv")  # only for the set of sources
    sources = {t["source"] for t in queue["turns"]}
    assert sources <= set(p.name for p in (DATA / "transcripts").glob("*.txt"))
    assert sources & set(segments["source"])
    with_evidence = None
    for row in queue["turns"]:
        turn = get(client, f"/api/turns/{row['id']}")
        if any(c["evidence"] for c in turn["codes"]):
            with_evidence = turn
            break
    assert with_evidence is not None
    text = with_evidence["text"]
    marked = {text[m["start"] : m["end"]].lower() for m in with_evidence["marks"]}
    evidence = {w.lower() for c in with_evidence["codes"] for w in c["evidence"]}
    assert marked and marked <= evidence
    for mark in with_evidence["marks"]:
        assert set(mark["codes"]) <= {c["code"] for c in with_evidence["codes"]}
    suggested = [c for c in with_evidence["codes"] if c["suggested"]]
    assert suggested and all(c["confidence"] >= 0.5 and c["status"] == "pending" for c in suggested)


def test_the_first_queue_is_ordered_by_uncertainty(client):
    turns = get(client, "/api/queue")["turns"]
    open_turns = [t for t in turns if not t["coded"]]
    values = [t["uncertainty"] for t in open_turns]
    assert values == sorted(values, reverse=True)


def test_evidence_spans_and_merged_marks():
    text = "Han jobber nå, og jobben – på lager – er fin. JOBBER?"
    lager, shout = text.index("på lager"), text.index("JOBBER")
    # whole words only ("jobben" is not "jobber"), any case
    assert evidence_spans(text, ["jobber", "på lager"]) == [(4, 10), (lager, lager + 8), (shout, shout + 6)]
    merged = merge_marks([(0, 5, "a"), (3, 8, "b"), (10, 12, "a")])
    assert merged == [{"start": 0, "end": 8, "codes": ["a", "b"]}, {"start": 10, "end": 12, "codes": ["a"]}]


# ---------------------------------------------------------------------------------------------- decisions
def test_decisions_are_saved_privately_outside_results_without_text(client, session, study):
    turns = get(client, "/api/queue")["turns"]
    turn = get(client, f"/api/turns/{turns[-1]['id']}")
    code = turn["codes"][0]["code"] if turn["codes"] else session.codebook.ids[0]
    after = post(client, f"/api/turns/{turn['id']}/decisions", {"code": code, "decision": "reject"})
    assert {c["code"]: c["status"] for c in after["codes"]}[code] == "rejected"
    log = study["restricted"] / DECISIONS_FILE
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(study["restricted"].stat().st_mode) == 0o700
    assert not list((study["root"] / "results").rglob("coding_review*"))
    raw = log.read_text(encoding="utf-8")
    assert turn["text"][:30] not in raw and '"decision": "reject"' in raw
    undone = post(client, f"/api/turns/{turn['id']}/decisions", {"code": code, "decision": "undo"})
    assert code not in {c["code"] for c in undone["codes"] if c["status"] != "pending"}


def test_bad_requests_get_one_line(client):
    assert client.get("/api/turns/99999", params={"token": TOKEN}).status_code == 404
    bad = client.post(
        "/api/turns/0/decisions", params={"token": TOKEN}, json={"code": "no_such", "decision": "add"}
    )
    assert bad.status_code == 404
    wrong = client.post(
        "/api/turns/0/decisions", params={"token": TOKEN}, json={"code": "arbeid", "decision": "maybe"}
    )
    assert wrong.status_code == 400 and "decision must be" in wrong.json()["error"]


def test_a_decision_round_trips_in_under_100_ms(client):
    turns = [t for t in get(client, "/api/queue")["turns"] if not t["coded"]][-12:]
    seconds = []
    for row in turns:
        turn = get(client, f"/api/turns/{row['id']}")
        code = turn["codes"][0]["code"] if turn["codes"] else "arbeid"
        for decision in ("accept", "undo"):
            started = time.perf_counter()
            post(client, f"/api/turns/{row['id']}/decisions", {"code": code, "decision": decision})
            seconds.append(time.perf_counter() - started)
    assert len(seconds) >= 20
    assert statistics.median(seconds) < 0.100, f"median {statistics.median(seconds) * 1000:.1f} ms"


# ---------------------------------------------------------------------------------------------- learning
def test_a_complete_transcript_becomes_hand_coding_that_autocode_reads(client, session, study, gold):
    source = "01_ung_avvik_a.txt"
    rows = [t for t in get(client, "/api/queue")["turns"] if t["source"] == source]
    for row in rows:
        code_like_gold(client, row["id"], gold)
    assert source in session.complete_sources()
    path = study["restricted"] / HAND_CODING_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    segments, _texts = read_segments(DATA / "transcripts")
    hand = read_hand_coding(path, load_codebook(default_codebook_path()), segments)
    assert set(hand["source"]) == {source}
    assert set(hand["coder"]) == {"tester"}
    read = {(r.source, int(r.turn_index), r.code_id) for r in hand.itertuples() if r.code_id}
    expected = {(s, t, c) for (s, t), codes in gold.items() if s == source for c in codes}
    assert read == expected
    # turns closed without a code are there too, as "read, no code"
    uncoded = {int(r.turn_index) for r in hand.itertuples() if not r.code_id}
    assert uncoded and not any(gold.get((source, t)) for t in uncoded)
    # the learner reads it as it reads any hand coding: human rows where the reviewer coded
    result = autocode_folder(
        DATA / "transcripts", default_codebook_path(), study["root"] / "relearned", hand_coded=path
    )
    human = result.segments[result.segments["origin"] == "human"]
    assert {(r.source, int(r.turn_index), r.code_id) for r in human.itertuples()} == expected
    assert len(result.queue) > 0


def test_the_queue_is_reranked_after_a_refit(client, session, gold):
    before = get(client, "/api/queue")
    version = get(client, "/api/status")["model"]["version"]
    open_before = [t["id"] for t in before["turns"] if not t["coded"]]
    for row_id in open_before[:8]:  # the most uncertain turns, as a reviewer would take them
        code_like_gold(client, row_id, gold)
    status = post(client, "/api/refit?wait=60", {})
    assert session.refitter.wait(120)
    status = get(client, "/api/status")
    assert status["model"]["error"] is None
    assert status["model"]["version"] > version
    assert status["model"]["coded_turns"] == status["coded"] >= 8  # and any turn an earlier test coded
    kappa, by_hand = status["model"]["kappa"], status["model"]["code_by_hand"]
    assert set(kappa) == set(session.codebook.ids)
    assert by_hand == [
        c for c in session.codebook.ids if kappa[c] is None or kappa[c] < status["model"]["trust_kappa"]
    ]
    low, high = status["model"]["kappa_low"], status["model"]["kappa_high"]
    measured = [c for c in kappa if kappa[c] is not None and low[c] is not None]
    assert measured and all(low[c] <= high[c] for c in measured)
    assert status["model"]["check_more"] == [
        c for c in session.codebook.ids if c not in by_hand and low[c] is not None and low[c] < 0.4
    ]
    after = get(client, "/api/queue")
    assert after["model_version"] == status["model"]["version"]
    open_after = [t["id"] for t in after["turns"] if not t["coded"]]
    coded_after = [t["id"] for t in after["turns"] if t["coded"]]
    assert set(open_before[:8]) <= set(coded_after) and after["turns"][-len(coded_after) :]
    assert open_after != [i for i in open_before if i in set(open_after)]  # re-ranked, not only shortened
    unsure = uncertainty(pd.DataFrame(session.model.proba, columns=session.codebook.ids)).to_numpy()
    assert open_after == sorted(open_after, key=lambda i: (-unsure[i], i))
    turn = get(client, f"/api/turns/{open_after[0]}")
    assert turn["model_version"] == status["model"]["version"]
    assert all(c["confidence"] >= 0.5 for c in turn["codes"] if c["suggested"])


def test_decisions_survive_a_restart(session):
    again = CodingSession(session.paths, reviewer="tester", background=False)
    assert again.progress() == session.progress()
    rows, labels = again.labels()
    rows_now, labels_now = session.labels()
    assert np.array_equal(rows, rows_now) and np.array_equal(labels, labels_now)
    log = CodingLog(session.paths.restricted_dir, session.codebook.ids)
    assert len(log) == len(session.log)


def test_a_study_finds_its_restricted_folder_through_the_manifest(study, tmp_path):
    """In a study (``results/manifest.json`` naming the coding folder and the protocol), no --restricted is
    needed: the decisions go to the protocol's privacy.restricted_dir."""
    protocol = tmp_path / "protocols" / "study.yml"
    protocol.parent.mkdir()
    protocol.write_text(
        yaml.safe_dump(
            {
                "study": "coding-review",
                "data": {"register": "../register.csv", "results": "../results"},
                "privacy": {"id_column": "fnr", "key_file": "../k.key", "restricted_dir": "../restricted"},
            }
        ),
        encoding="utf-8",
    )
    coding = tmp_path / "results" / "coding"
    coding.mkdir(parents=True)
    (coding / "segments.csv").write_text((study["coding"] / "segments.csv").read_text(encoding="utf-8"))
    manifest = {"output_folders": ["coding"], "protocol": {"path": "../protocols/study.yml"}}
    (tmp_path / "results" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    paths = locate_coding(DATA / "transcripts", default_codebook_path(), coding)
    assert paths.restricted_dir == (tmp_path / "restricted").resolve()
    with pytest.raises(InputDataError, match="inside the coding, transcript or results"):
        locate_coding(DATA / "transcripts", default_codebook_path(), coding, restricted=tmp_path / "results")


def _closed_turns_hand_coding(decisions: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    """The hand coding of two participant turns of ``a.txt`` after ``(turn, code, decision, reviewer)``
    decisions, each closing its turn."""
    from toolkit.coding.review.decisions import CodingState, hand_coding_frame

    units = pd.DataFrame(
        {
            "source": ["a.txt", "a.txt"],
            "turn_index": [1, 3],
            "speaker": ["U", "U"],
            "start": [5, 40],
            "end": [30, 70],
        }
    )
    state = CodingState()
    for turn_index, code, decision, by in decisions:
        event = {
            "source": "a.txt",
            "turn_index": turn_index,
            "code": code,
            "decision": decision,
            "done": True,
        }
        state.apply_event({"event": "decision", **event, "by": by, "at": "2026-12-05T00:00:00Z"})
    return hand_coding_frame(state, units, ["a.txt"])


def test_hand_coding_names_one_coder_for_turns_closed_by_several_reviewers():
    frame = _closed_turns_hand_coding([(1, "arbeid", "add", "kari"), (3, "familie", "add", "ola")])
    assert frame["coder"].tolist() == ["kari+ola", "kari+ola"]
    assert frame[["turn_index", "code_id", "start", "end"]].values.tolist() == [
        [1, "arbeid", 5, 30],
        [3, "familie", 40, 70],
    ]


def test_a_turn_closed_without_a_code_is_written_as_read_with_no_code():
    """Rejecting every suggestion of a turn and closing it is a decision too: the hand coding names the turn
    with an empty code_id, so a transcript without any kept code still counts as hand-coded."""
    frame = _closed_turns_hand_coding([(1, "arbeid", "reject", "kari"), (3, "familie", "add", "kari")])
    assert frame[["turn_index", "code_id"]].values.tolist() == [[1, ""], [3, "familie"]]
