"""The review app's HTTP contract (docs/REVIEW_API.md) with Starlette's TestClient, on the demo transcripts.

One rejection and one addition exercise every consistency rule of the review: the rejected string is a replaced
one-word name that occurs in several transcripts (chosen from the output, so that the test follows the
recognisers as they improve), the added one the service "oppfølgingstjenesten", which several transcripts
mention and no recogniser replaces.
"""

from __future__ import annotations

import json
import stat
import warnings
from pathlib import Path

import pytest

from toolkit.deidentify import deidentify_folder
from toolkit.deidentify.review import locate, unreviewed
from toolkit.deidentify.review.app import create_app
from toolkit.deidentify.review.server import open_session
from toolkit.deidentify.review.session import snap_to_words
from toolkit.deidentify.review.state import ALLOW_FILE, DENY_FILE, REVIEW_FILE, ReviewLog, read_events
from toolkit.errors import InputDataError
from toolkit.synth.transcripts import make_transcripts

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TOKEN = "test-token-123"
NAMES = tuple(f"intervju_{i:02d}.txt" for i in range(1, 13))
ADDED = "oppfølgingstjenesten"


@pytest.fixture(scope="module")
def demo_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    for transcript in make_transcripts(12, seed=2021):  # the transcripts `make demo` writes
        (raw / transcript.name).write_text(transcript.text, encoding="utf-8")
    return raw


def rejection_target(out: Path, raw: Path) -> tuple[str, str, list[str]]:
    """A replaced one-word string (no digits) in the most transcripts: ``(source, string, sources)``."""
    where: dict[str, set[str]] = {}
    for row in _jsonl(out):
        string = (raw / row["source"]).read_text(encoding="utf-8")[row["start"] : row["end"]]
        if string.isalpha():
            where.setdefault(string, set()).add(row["source"])
    string, sources = max(where.items(), key=lambda item: (len(item[1]), item[0]))
    assert len(sources) >= 2, "the demo transcripts should share a replaced name"
    return sorted(sources)[0], string, sorted(sources)


def addition_sources(out: Path) -> list[str]:
    """Outputs that still hold ADDED (the precondition of the addition test)."""
    sources = [p.name for p in sorted(out.glob("*.txt")) if ADDED in p.read_text(encoding="utf-8")]
    assert len(sources) >= 2, f"'{ADDED}' should be left as it is in several demo transcripts"
    return sources


@pytest.fixture
def review(tmp_path, demo_raw):
    out, restricted = tmp_path / "out", tmp_path / "restricted"
    deidentify_folder(demo_raw, out, restricted_dir=restricted, engine="direct")
    # without the background analyser (a worker process) except where a test asks for it
    session = open_session(locate(out, restricted=restricted), reviewer="tester", analyse=False)
    client = TestClient(create_app(session, TOKEN), base_url="http://127.0.0.1:8765")
    yield {"client": client, "session": session, "out": out, "restricted": restricted, "raw": demo_raw}
    session.close()


@pytest.fixture
def analysing(review):
    """The same folder with the analyser running (suspects and the recognisers behind each span)."""
    session = open_session(locate(review["out"], restricted=review["restricted"]), reviewer="tester")
    yield {**review, "client": TestClient(create_app(session, TOKEN), base_url="http://127.0.0.1:8765")}
    session.close()


def get(client, path: str, **params):
    return client.get(path, params={"token": TOKEN, **params})


def post(client, path: str, body=None):
    return client.post(path, params={"token": TOKEN}, json=body)


def _span(detail: dict, text: str, **where) -> dict:
    return next(
        s
        for s in detail["spans"]
        if detail["text"][s["start"] : s["end"]] == text and all(s[k] == v for k, v in where.items())
    )


# ------------------------------------------------------------------------------------------ security
def test_every_route_needs_the_token(review):
    client = review["client"]
    routes = [
        ("GET", "/"),
        ("GET", "/api/sources"),
        ("GET", "/api/sources/intervju_01.txt"),
        ("GET", "/api/status"),
        ("GET", "/static/review.js"),
        ("POST", "/api/sources/intervju_01.txt/decisions"),
        ("POST", "/api/sources/intervju_01.txt/reviewed"),
        ("POST", "/api/apply"),
    ]
    for method, path in routes:
        assert client.request(method, path).status_code == 403, path
        assert client.request(method, path, params={"token": "wrong"}).status_code == 403, path
    assert get(client, "/").status_code == 200
    assert not (review["restricted"] / REVIEW_FILE).exists()  # nothing was decided by the refused POSTs


def test_a_foreign_host_is_refused(review):
    response = review["client"].get(
        "/api/sources", params={"token": TOKEN}, headers={"host": "attacker.example"}
    )
    assert response.status_code in (400, 403)
    assert get(review["client"], "/api/sources").status_code == 200


def test_page_headers_allow_only_this_server(review):
    response = get(review["client"], "/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    page = response.text
    assert "http" not in page.replace("http-equiv", "")  # no external script, font or style
    assert "<script>" not in page  # no inline script (the CSP would block it)
    assert f"/static/review.js?token={TOKEN}" in page


# ------------------------------------------------------------------------------------------ reading
def test_listing_and_detail_follow_the_contract(analysing):
    client, review = analysing["client"], analysing
    rows = get(client, "/api/sources").json()
    assert [r["name"] for r in rows] == list(NAMES)
    assert {"name", "spans", "suspects", "reviewed"} <= set(rows[0])
    detail = get(client, "/api/sources/intervju_03.txt", wait=60).json()
    text = (review["raw"] / "intervju_03.txt").read_text(encoding="utf-8")
    assert detail["text"] == text
    replaced = {(r["start"], r["end"]) for r in _jsonl(review["out"]) if r["source"] == "intervju_03.txt"}
    assert {(s["start"], s["end"]) for s in detail["spans"]} == replaced
    assert all(s["status"] == "pending" and s["id"] == f"{s['start']}-{s['end']}" for s in detail["spans"])
    assert not detail["suspects_pending"] and detail["analysis_error"] is None
    found_by = {s["id"]: s["found_by"] for s in detail["spans"]}
    assert all(isinstance(names, list) for names in found_by.values())
    for suspect in detail["suspects"]:  # a suspect on a span says why: only the model, or no recogniser
        if "span" in suspect:
            expected = "model_only" if found_by[suspect["span"]] else "consistency_only"
            assert suspect["reasons"] == [expected]
            assert found_by[suspect["span"]] in ([], ["NerRecognizer"])
    assert get(client, "/api/sources/nope.txt").status_code == 404


def test_lexical_suspects():
    from toolkit.deidentify.registry import RecognizerRegistry, RegistryConfig
    from toolkit.deidentify.review.suspects import SuspectFinder, known_words

    finder = SuspectFinder(RecognizerRegistry.default(RegistryConfig(ner_model=None)), known_words())
    text = (
        "U: Jeg heter tuva, bor i Vik og jobber på butikken. Ring 12 34 56 78 i 2019. Hvis Snorre sier det."
    )
    reasons = {text[s["start"] : s["end"]]: s["reasons"] for s in finder.analyse(text, []).suspects}
    assert reasons["tuva"] == ["after_cue"]  # a lower-case word the lexicon does not know
    assert reasons["Vik"] == ["after_cue"]  # a capitalised word after a cue, although "vik" is a word
    assert "butikken" not in reasons  # a known lower-case word after a cue is not a suspect
    assert reasons["12 34 56 78"] == ["digits"] and "2019" not in reasons
    assert reasons["Snorre"] == ["unknown_word"] and "Hvis" not in reasons and "U" not in reasons


# ------------------------------------------------------------------------------------------ deciding
def test_reject_add_reviewed_survive_a_restart_and_apply(review):
    client, out, restricted, raw = review["client"], review["out"], review["restricted"], review["raw"]
    source, rejected, rejected_in = rejection_target(out, raw)
    added_in = addition_sources(out)
    detail = get(client, f"/api/sources/{source}").json()
    target = _span(detail, rejected)
    answer = post(client, f"/api/sources/{source}/decisions", {"span": target["id"], "decision": "reject"})
    assert answer.status_code == 200 and answer.json()["unapplied"] == 1
    other = get(client, f"/api/sources/{rejected_in[1]}").json()  # the same string elsewhere: rejected too
    assert _span(other, rejected)["status"] == "rejected" and _span(other, rejected)["inherited"] == source
    start = detail["text"].index(ADDED) if ADDED in detail["text"] else None
    adding = source if start is not None else added_in[0]
    text = get(client, f"/api/sources/{adding}").json()["text"]
    start = text.index(ADDED)
    answer = post(
        client,
        f"/api/sources/{adding}/decisions",
        {"add": {"start": start + 3, "end": start + 7, "type": "ORG"}},  # half a word: snapped to the word
    )
    assert answer.status_code == 200 and answer.json()["added"] == f"{start}-{start + len(ADDED)}"
    elsewhere = get(client, f"/api/sources/{next(n for n in added_in if n != adding)}").json()
    assert _span(elsewhere, ADDED)["status"] == "added"
    assert post(client, f"/api/sources/{source}/reviewed").json()["reviewed"] is True

    review["session"].close()  # a restart: a new session reads review.jsonl
    session = open_session(locate(out, restricted=restricted), reviewer="other", analyse=False)
    client = TestClient(create_app(session, TOKEN), base_url="http://127.0.0.1:8765")
    detail = get(client, f"/api/sources/{source}").json()
    assert _span(detail, rejected, id=target["id"])["status"] == "rejected" and detail["reviewed"]
    assert [r["reviewed"] for r in get(client, "/api/sources").json()] == [n == source for n in NAMES]

    result = post(client, "/api/apply").json()
    assert result["transcripts"] == len(NAMES) and result["still_replaced"] == 0
    for name in NAMES:
        assert ADDED not in (out / name).read_text(encoding="utf-8").lower()  # gone everywhere
    for name in rejected_in:
        assert rejected in (out / name).read_text(encoding="utf-8")  # the rejected word is back everywhere
    rows = _jsonl(out)
    raw_text = (raw / adding).read_text(encoding="utf-8")
    assert any(r["source"] == adding and raw_text[r["start"] : r["end"]] == ADDED for r in rows)
    for name in (REVIEW_FILE, ALLOW_FILE, DENY_FILE):
        assert stat.S_IMODE((restricted / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(restricted.stat().st_mode) == 0o700
    assert rejected in (restricted / ALLOW_FILE).read_text(encoding="utf-8").splitlines()
    assert f"ORG\t{ADDED}" in (restricted / DENY_FILE).read_text(encoding="utf-8")
    problems = dict(unreviewed(out, restricted))
    assert source not in problems and len(problems) == len(NAMES) - 1
    assert set(problems.values()) == {"not reviewed"}
    events = [e["event"] for e in read_events(restricted / REVIEW_FILE)]
    assert events == ["decision", "decision", "reviewed", "applied"]
    # after the apply the rejected span is no longer replaced, and still shown as rejected
    detail = get(client, f"/api/sources/{source}").json()
    assert _span(detail, rejected, id=target["id"])["replaced"] is False
    session.close()


def test_conflicts_and_bad_requests(review):
    client = review["client"]
    source, rejected, rejected_in = rejection_target(review["out"], review["raw"])
    detail = get(client, f"/api/sources/{source}").json()
    target = _span(detail, rejected)
    answer = post(client, f"/api/sources/{source}/decisions", {"span": target["id"], "decision": "reject"})
    assert answer.status_code == 200
    other = _span(get(client, f"/api/sources/{rejected_in[1]}").json(), rejected)
    conflict = post(
        client, f"/api/sources/{rejected_in[1]}/decisions", {"span": other["id"], "decision": "accept"}
    )
    assert conflict.status_code == 409 and source in conflict.json()["error"]
    assert rejected not in conflict.text  # answers name offsets and files, never the text
    kept = next(s for s in detail["spans"] if s["status"] == "pending")
    overlap = {"add": {"start": kept["start"], "end": kept["end"], "type": "STED"}}
    assert post(client, f"/api/sources/{source}/decisions", overlap).status_code == 409
    bad_type = {"add": {"start": 0, "end": 5, "type": "NAME"}}
    assert post(client, f"/api/sources/{source}/decisions", bad_type).status_code == 400
    outside = {"add": {"start": 0, "end": 10**6, "type": "ORG"}}
    assert post(client, f"/api/sources/{source}/decisions", outside).status_code == 400
    unknown = {"span": "1-2", "decision": "reject"}
    assert post(client, f"/api/sources/{source}/decisions", unknown).status_code == 404
    assert post(client, f"/api/sources/{source}/decisions", {"span": target["id"]}).status_code == 400
    broken = client.post(f"/api/sources/{source}/decisions", params={"token": TOKEN}, content=b"{nope")
    assert broken.status_code == 400


def test_undo_and_taking_back_an_addition(review):
    client = review["client"]
    name = addition_sources(review["out"])[0]
    detail = get(client, f"/api/sources/{name}").json()
    first = detail["spans"][0]
    path = f"/api/sources/{name}/decisions"
    assert post(client, path, {"span": first["id"], "decision": "accept"}).json()["progress"]["decided"] == 1
    assert post(client, path, {"span": first["id"], "decision": "undo"}).json()["progress"]["decided"] == 0
    start = detail["text"].index(ADDED)
    added = post(client, path, {"add": {"start": start, "end": start + 5, "type": "ORG"}}).json()["added"]
    post(client, path, {"span": added, "decision": "reject"})  # rejecting one's own addition takes it back
    for other in NAMES:
        assert not any(s["status"] == "added" for s in get(client, f"/api/sources/{other}").json()["spans"])


# ------------------------------------------------------------------------------------------ units
def test_snap_to_words():
    text = "Hun jobber i Nord-Odal kommune, sa hun."
    start = text.index("Odal")
    assert text[slice(*snap_to_words(text, start + 1, start + 3))] == "Nord-Odal"
    assert text[slice(*snap_to_words(text, text.index(" kommune"), text.index(",")))] == "kommune"


def test_review_log_is_private_atomic_and_refuses_a_damaged_line(tmp_path):
    log = ReviewLog(tmp_path / "restricted")
    log.append({"event": "reviewed", "source": "a.txt", "output": "a.txt", "by": "x", "at": "t"})
    path = tmp_path / "restricted" / REVIEW_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file left
    assert ReviewLog(tmp_path / "restricted").state.marks["a.txt"].by == "x"
    path.write_text(path.read_text() + "{half a line\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="line 2 of the review log"):
        ReviewLog(tmp_path / "restricted")


def test_locate_needs_a_restricted_folder_outside_the_output(tmp_path, demo_raw):
    out = tmp_path / "out"
    deidentify_folder(demo_raw, out, engine="direct")
    with pytest.raises(InputDataError, match="--restricted"):
        locate(out)
    with pytest.raises(InputDataError, match="inside the de-identified"):
        locate(out, restricted=out / "restricted", raw=demo_raw)
    with pytest.raises(InputDataError, match="raw transcripts"):
        locate(out, restricted=tmp_path / "restricted")  # no run record there: the raw folder is unknown
    assert locate(out, restricted=tmp_path / "restricted", raw=demo_raw).raw_dir == demo_raw.resolve()


def _jsonl(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "deidentification.jsonl").read_text().splitlines() if line]
