"""Apply a review: write its allow- and deny-lists, de-identify the folder again with them, record the result.

Re-running the de-identification (rather than patching the files) keeps tags numbered in reading order and
consistent across the batch, runs the leak check again, and makes the next ``pdtk run`` with the same lists
give the same bytes — which is how ``deidentify.require_review`` can tell a reviewed transcript from a changed
one. The lists are the review's (``review_allow_list.txt``, ``review_deny_list.txt``, 0600 in the restricted
folder); name them in the protocol's ``deidentify:`` section so that the next run uses them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from toolkit.deidentify.deidentifier import Deidentifier
from toolkit.deidentify.folder import deidentify_folder
from toolkit.deidentify.review.locate import ReviewPaths
from toolkit.deidentify.review.settings import review_registry, run_settings
from toolkit.deidentify.review.state import (
    ALLOW_FILE,
    DENY_FILE,
    ReviewLog,
    manifest_record,
    now,
    private_folder,
    write_private,
)
from toolkit.deidentify.review.suspects import overlaps
from toolkit.errors import InputDataError
from toolkit.io import Guard, sha256_file, write_json

_HEADER = (
    "# written by 'pdtk review --apply' from review.jsonl; edits here are overwritten by the next apply\n"
)


@dataclass
class ApplyResult:
    """What an apply did (counts only)."""

    transcripts: int
    spans: int
    allow: int
    deny: int
    still_replaced: int
    recorded_settings: bool
    at: str

    def summary_line(self) -> str:
        line = (
            f"applied the review to {self.transcripts} transcript(s): {self.spans} span(s) replaced; "
            f"allow-list {self.allow}, deny-list {self.deny} entr(ies)"
        )
        if self.still_replaced:
            line += (
                f"; {self.still_replaced} rejected span(s) are still replaced (found again by a recogniser)"
            )
        return line

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def write_lists(paths: ReviewPaths, log: ReviewLog) -> tuple[int, int]:
    """The review's allow- and deny-lists in the restricted folder (the registry's file formats)."""
    allow, deny = log.state.allow_list(), log.state.deny_list()
    folder = private_folder(paths.restricted_dir)
    write_private(folder / ALLOW_FILE, (_HEADER + "".join(f"{a}\n" for a in allow)).encode("utf-8"))
    write_private(folder / DENY_FILE, (_HEADER + "".join(f"{t}\t{s}\n" for t, s in deny)).encode("utf-8"))
    return len(allow), len(deny)


def apply_review(
    paths: ReviewPaths, log: ReviewLog, reviewer: str, guard: Guard | None = None
) -> ApplyResult:
    """Rewrite the de-identified files and ``deidentification.jsonl`` from the decisions; log the apply.

    ``guard`` is the study's leak guard when the folder belongs to a study: the rewritten files pass it as
    every other file under ``results/`` does, before they replace the old ones. The manifest's hashes of the
    folder's files are refreshed, so that it describes what is on disk after the review.
    """
    n_allow, n_deny = write_lists(paths, log)
    settings = run_settings(paths)
    registry = review_registry(settings.config, log.state.allow_list(), log.state.deny_list())
    deidentifier = Deidentifier(
        mode=settings.mode,
        seed=settings.seed,
        engine=settings.engine,
        spacy_model=settings.ner_model,
        registry=registry,
    )
    result = deidentify_folder(
        paths.raw_dir,
        paths.deid_dir,
        mode=settings.mode,
        seed=settings.seed,
        restricted_dir=paths.restricted_dir,
        engine=settings.engine,
        deidentifier=deidentifier,
        guard=guard,
    )
    if result.skipped:
        name, why = result.skipped[0]
        raise InputDataError(
            f"{len(result.skipped)} transcript(s) could not be de-identified again (first: {name}: {why}); "
            "the decisions are kept and the review is not marked applied",
            file=paths.raw_dir,
            fix="fix or remove the named file(s) and apply again",
        )
    outputs = {row.output: sha256_file(paths.deid_dir / row.output) for row in result.files.itertuples()}
    still = _still_replaced(log, result.spans)
    at = now()
    log.append({"event": "applied", "by": reviewer, "at": at, "outputs": outputs, "still_replaced": still})
    record_in_manifest(paths, hashed=outputs)
    return ApplyResult(len(result.files), len(result.spans), n_allow, n_deny, still, settings.recorded, at)


def _still_replaced(log: ReviewLog, spans) -> int:
    """Rejected spans that the new run still replaced (another recogniser found a part of them)."""
    by_source: dict[str, list[tuple[int, int]]] = {}
    for row in spans.itertuples():
        by_source.setdefault(row.source, []).append((row.start, row.end))
    count = 0
    for source, decisions in log.state.decisions.items():
        occupied = sorted(by_source.get(source, []))
        count += sum(
            1 for d in decisions.values() if d.status == "rejected" and overlaps(occupied, d.start, d.end)
        )
    return count


def record_in_manifest(paths: ReviewPaths, hashed: dict[str, str] | None = None) -> None:
    """Put the review record (who, when, how many changes per transcript) into the study's manifest.

    ``hashed`` holds SHA-256 digests already taken of files under ``paths.deid_dir`` (by their path relative
    to it), so that applying a review reads each rewritten transcript once, not twice."""
    hashed = hashed or {}
    if paths.manifest is None or not paths.manifest.is_file():
        return
    manifest = json.loads(paths.manifest.read_text(encoding="utf-8"))
    manifest["review"] = manifest_record(paths.restricted_dir, paths.deid_dir)
    outputs = manifest.get("outputs")
    if isinstance(outputs, dict):  # the reviewed files replace the ones the run recorded
        folder = paths.deid_dir.resolve().relative_to(paths.manifest.parent.resolve()).as_posix()
        for name in [n for n in outputs if n.startswith(f"{folder}/")]:
            del outputs[name]
        for file in sorted(p for p in paths.deid_dir.rglob("*") if p.is_file()):
            relative = file.relative_to(paths.deid_dir).as_posix()
            outputs[f"{folder}/{relative}"] = hashed.get(relative) or sha256_file(file)
        manifest["outputs"] = dict(sorted(outputs.items()))
    write_json(paths.manifest, manifest)
