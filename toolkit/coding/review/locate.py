"""What a coding review reads and where it writes: the transcripts and codebook ``pdtk autocode`` coded, its
output folder, and the study's restricted folder for the decisions.

``pdtk code-review IN_DIR CODEBOOK CODING_DIR`` takes the three arguments of ``pdtk autocode`` in the same
order (the output folder does not record its inputs). The restricted folder is ``--restricted DIR``, else the
study's ``privacy.restricted_dir`` (``--protocol``, or the protocol of the ``manifest.json`` beside the coding
folder); it may not lie inside the coding folder, the transcripts or the study's results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toolkit.coding.review.actor_decisions import ACTOR_REVIEW_FILE
from toolkit.coding.review.decisions import DECISIONS_FILE, HAND_CODING_FILE
from toolkit.deidentify.review.locate import protocol_from_manifest, study_manifest
from toolkit.errors import InputDataError
from toolkit.files import is_within
from toolkit.protocol import Protocol


@dataclass
class CodingPaths:
    """The inputs of one ``pdtk autocode`` run and the restricted folder of its review."""

    transcripts: Path
    codebook: Path
    coding_dir: Path
    restricted_dir: Path
    actor_extensions: tuple[Path, ...] = ()
    """The study's additions to the actor vocabulary (``coding.actors_extra``), for the actor view."""

    @property
    def decisions(self) -> Path:
        return self.restricted_dir / DECISIONS_FILE

    @property
    def hand_coding(self) -> Path:
        return self.restricted_dir / HAND_CODING_FILE

    @property
    def actor_review(self) -> Path:
        return self.restricted_dir / ACTOR_REVIEW_FILE


def locate_coding(
    transcripts: Path | str,
    codebook: Path | str,
    coding_dir: Path | str,
    *,
    restricted: Path | str | None = None,
    protocol: Path | str | None = None,
) -> CodingPaths:
    """Resolve and check the folders; one clear error when something is missing or in the wrong place."""
    transcripts, codebook, coding_dir = (Path(p).resolve() for p in (transcripts, codebook, coding_dir))
    if not transcripts.is_dir():
        raise InputDataError("the transcript folder is not there", file=transcripts, fix="give IN_DIR")
    if not codebook.is_file():
        raise InputDataError("the codebook is not there", file=codebook, fix="give the codebook YAML")
    if not (coding_dir / "segments.csv").is_file():
        raise InputDataError(
            "no segments.csv here: not the output of 'pdtk autocode'",
            file=coding_dir,
            fix="give the OUT_DIR of 'pdtk autocode IN_DIR CODEBOOK OUT_DIR' (e.g. results/coding)",
        )
    manifest = study_manifest(coding_dir)
    study = Protocol.load(protocol, check_files=False) if protocol is not None else None
    if study is None and manifest is not None:
        study = protocol_from_manifest(manifest)
    if restricted is not None:
        folder = Path(restricted).resolve()
    elif study is not None and study.privacy is not None:
        folder = study.privacy.restricted_dir
    else:
        raise InputDataError(
            "cannot tell which restricted folder the coding decisions belong in",
            file=coding_dir,
            fix="give --restricted DIR (the study's privacy.restricted_dir) or --protocol PROTOCOL",
        )
    forbidden = [coding_dir, transcripts] + ([study.data.results] if study is not None else [])
    if any(is_within(folder, place) for place in forbidden):
        raise InputDataError(
            "the restricted folder lies inside the coding, transcript or results folder; nothing was written",
            file=folder,
            fix="keep review decisions outside results/, e.g. ../restricted",
        )
    extensions = tuple(study.coding.actors_extra) if study is not None and study.coding is not None else ()
    return CodingPaths(transcripts, codebook, coding_dir, folder, extensions)
