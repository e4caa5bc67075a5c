"""The review in a study: ``deidentify.require_review`` refuses uncleared transcripts, the review's lists make the
next run give the reviewed bytes, and the manifest records the review."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import demo_protocol_dict

from toolkit.deidentify.review import locate
from toolkit.deidentify.review.server import open_session
from toolkit.errors import InputDataError


@pytest.fixture
def study_with_review(synthetic_study, tmp_path):
    from toolkit.study import Study

    raw = demo_protocol_dict(synthetic_study["raw"], tmp_path)
    restricted = tmp_path / "restricted"
    raw["deidentify"] = {
        "require_review": True,
        "allow_list": str(restricted / "review_allow_list.txt"),
        "deny_list": str(restricted / "review_deny_list.txt"),
    }
    protocol = tmp_path / "protocol.yml"
    protocol.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return Study(protocol), protocol


def test_require_review_refuses_until_every_transcript_is_cleared(study_with_review):
    from toolkit.manifest import write_manifest
    from toolkit.study import RunResult, StepRecord

    study, protocol = study_with_review
    study.deidentify()
    folder = study.results_dir / "transcripts"
    with pytest.raises(InputDataError, match=r"require_review: 6 transcript\(s\) not cleared.*not reviewed"):
        study.autocode()

    session = open_session(locate(folder, protocol=protocol), reviewer="reviewer-1", analyse=False)
    first = session.names[0]
    span = next(s for s in session.shown(first) if session.text(first)[s.start : s.end].isalpha())
    session.decide(first, span.id, "reject")
    for name in session.names:
        session.mark_reviewed(name)
    with pytest.raises(InputDataError, match="not applied yet"):
        study._require_review(folder)
    session.apply()
    study._require_review(folder)  # cleared: reviewed, applied, unchanged
    reviewed = {p.name: p.read_bytes() for p in folder.glob("*.txt")}

    study.deidentify()  # the next run, with the review's lists named in the protocol: the same bytes
    assert {p.name: p.read_bytes() for p in folder.glob("*.txt")} == reviewed
    study._require_review(folder)

    write_manifest(study, RunResult(steps=[StepRecord("deidentify", folder)]))
    record = json.loads((study.results_dir / "manifest.json").read_text(encoding="utf-8"))["review"]
    assert record["reviewed"] == record["transcripts"] == 6 and record["unapplied_decisions"] == 0
    assert record["by_transcript"][session.output_name(first)]["rejected"] == 1
    assert {r["reviewer"] for r in record["by_transcript"].values()} == {"reviewer-1"}

    (folder / session.output_name(first)).write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="changed since it was reviewed"):
        study._require_review(folder)


def test_applied_review_passes_the_study_guard_and_refreshes_the_manifest(study_with_review):
    """``pdtk review --apply`` in a study: the rewritten transcripts pass the study's leak guard before they
    replace the old ones (a refusing guard leaves the folder as it was), and the manifest's hashes of the
    folder describe the reviewed files."""
    from toolkit.deidentify.review.server import review_command
    from toolkit.errors import DisclosureError
    from toolkit.io import sha256_file
    from toolkit.manifest import write_manifest
    from toolkit.study import RunResult, StepRecord

    study, protocol = study_with_review
    study.deidentify()
    folder = study.results_dir / "transcripts"
    write_manifest(study, RunResult(steps=[StepRecord("deidentify", folder)]))
    session = open_session(locate(folder, protocol=protocol), reviewer="reviewer-1", analyse=False)
    first = session.names[0]
    span = next(s for s in session.shown(first) if session.text(first)[s.start : s.end].isalpha())
    session.decide(first, span.id, "reject")  # the reviewed file differs from the run's
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    def apply_with(guard):  # noqa: ANN001, ANN202  (pdtk review --apply with this guard as the study's)
        review_command(
            folder,
            raw=None,
            restricted=None,
            protocol=protocol,
            port=0,
            open_browser=False,
            apply=True,
            reviewer="reviewer-1",
            say=lambda _: None,
            guard_for=lambda p: guard,
        )

    seen: list[str] = []

    def refusing(staged, final):  # noqa: ANN001, ANN202
        seen.append(final.name)
        raise DisclosureError(f"{final.name}: refused by the test guard")

    with pytest.raises(DisclosureError, match="refused by the test guard"):
        apply_with(refusing)
    assert seen and {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before

    checked: list[str] = []
    guard = study.leak_guard()

    def recording(staged, final):  # noqa: ANN001, ANN202
        checked.append(final.name)
        guard(staged, final)

    apply_with(recording)
    written = sorted(p.name for p in folder.iterdir() if p.is_file())
    assert sorted(checked) == written  # every rewritten file passed the study's guard
    assert (folder / session.output_name(first)).read_bytes() != before[session.output_name(first)]
    outputs = json.loads((study.results_dir / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert {k: v for k, v in outputs.items() if k.startswith("transcripts/")} == {
        f"transcripts/{name}": sha256_file(folder / name) for name in written
    }
