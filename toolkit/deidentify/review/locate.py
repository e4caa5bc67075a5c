"""Find what a review needs from the de-identified folder alone: the raw transcripts, the restricted folder,
the study (when the folder is a study's ``results/transcripts``) and the settings of the run that wrote it.

The de-identified folder names none of these (it may be shared; it must not point at raw data). They come from:

* ``--restricted DIR``, else the study's ``privacy.restricted_dir`` — the study is ``--protocol`` or the one
  recorded in ``manifest.json`` beside the folder;
* ``--raw DIR``, else ``deidentification_run.json`` in the restricted folder (written by ``deidentify_folder``),
  else the study's ``data.transcripts``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.deidentify.folder import RUN_FILE, SPANS_FILE, _output_name
from toolkit.errors import InputDataError
from toolkit.files import is_within
from toolkit.io import list_transcripts
from toolkit.protocol import Protocol


@dataclass
class ReviewPaths:
    """Where a review reads and writes. ``manifest`` is the study manifest listing the folder, if any."""

    deid_dir: Path
    raw_dir: Path
    restricted_dir: Path
    run: dict[str, Any] = field(default_factory=dict)
    protocol: Protocol | None = None
    manifest: Path | None = None

    def sources(self) -> dict[str, Path]:
        """Raw transcripts that have a de-identified output here: ``{source name: raw path}``."""
        return {
            p.name: p for p in list_transcripts(self.raw_dir) if (self.deid_dir / _output_name(p)).is_file()
        }


def study_manifest(deid_dir: Path) -> Path | None:
    """``manifest.json`` of the study run whose output folders include ``deid_dir``."""
    manifest = deid_dir.parent / "manifest.json"
    if not manifest.is_file():
        return None
    try:
        folders = json.loads(manifest.read_text(encoding="utf-8")).get("output_folders", [])
    except (json.JSONDecodeError, OSError, AttributeError):
        return None
    return manifest if deid_dir.name in folders else None


def protocol_from_manifest(manifest: Path) -> Protocol | None:
    recorded = json.loads(manifest.read_text(encoding="utf-8")).get("protocol", {}).get("path")
    if not recorded:
        return None
    path = (manifest.parent / recorded).resolve()  # relative to the results folder; an absolute path stays
    return Protocol.load(path, check_files=False) if path.is_file() else None


def read_run_record(restricted_dir: Path, deid_dir: Path) -> dict[str, Any]:
    """The settings ``deidentify_folder`` recorded for ``deid_dir`` ({} when it recorded none or another)."""
    path = restricted_dir / RUN_FILE
    if not path.is_file():
        return {}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return {}
    same = Path(record.get("output", "")).resolve() == deid_dir.resolve()
    return record if same else {}


def locate(
    deid_dir: Path | str,
    *,
    raw: Path | str | None = None,
    restricted: Path | str | None = None,
    protocol: Path | str | None = None,
) -> ReviewPaths:
    """Resolve the review's folders; one clear error when one cannot be found or is in the wrong place."""
    deid_dir = Path(deid_dir).resolve()
    if not (deid_dir / SPANS_FILE).is_file():
        raise InputDataError(
            f"no {SPANS_FILE} here: not the output of 'pdtk deidentify'",
            file=deid_dir,
            fix="give the folder that 'pdtk deidentify' or 'pdtk run' wrote (e.g. results/transcripts)",
        )
    manifest = study_manifest(deid_dir)
    study = Protocol.load(protocol, check_files=False) if protocol is not None else None
    if study is None and manifest is not None:
        study = protocol_from_manifest(manifest)
    restricted_dir = _restricted(deid_dir, restricted, study)
    run = read_run_record(restricted_dir, deid_dir)
    raw_dir = _raw(deid_dir, raw, run, study)
    paths = ReviewPaths(deid_dir, raw_dir, restricted_dir, run, study, manifest)
    if not paths.sources():
        raise InputDataError(
            "none of the raw transcripts has a de-identified file in the folder",
            file=raw_dir,
            fix="give the raw folder these transcripts were de-identified from with --raw",
        )
    return paths


def _restricted(deid_dir: Path, restricted: Path | str | None, study: Protocol | None) -> Path:
    if restricted is not None:
        folder = Path(restricted).resolve()
    elif study is not None and study.privacy is not None:
        folder = study.privacy.restricted_dir
    else:
        raise InputDataError(
            "cannot tell which restricted folder the review decisions belong in",
            file=deid_dir,
            fix="give --restricted DIR (the study's privacy.restricted_dir) or --protocol PROTOCOL",
        )
    forbidden = [deid_dir, deid_dir.parent] if study_manifest(deid_dir) else [deid_dir]
    if study is not None:
        forbidden.append(study.data.results)
    for place in forbidden:
        if is_within(folder, place):
            raise InputDataError(
                "the restricted folder lies inside the de-identified or results folder; nothing was written",
                file=folder,
                fix="keep review decisions outside results/, e.g. ../restricted",
            )
    return folder


def _raw(deid_dir: Path, raw: Path | str | None, run: dict[str, Any], study: Protocol | None) -> Path:
    if raw is not None:
        folder = Path(raw).resolve()
    elif run.get("transcripts"):
        folder = Path(run["transcripts"])
    elif study is not None and study.data.transcripts is not None:
        folder = study.data.transcripts
    else:
        raise InputDataError(
            "cannot tell where the raw transcripts are",
            file=deid_dir,
            fix="give --raw DIR (the folder that was de-identified)",
        )
    if not folder.is_dir():
        raise InputDataError("the raw transcript folder is not there", file=folder, fix="give --raw DIR")
    return folder
