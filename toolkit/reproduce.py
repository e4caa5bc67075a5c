"""``pdtk reproduce``: re-run the protocol a results folder records and name every output whose bytes differ.

Above :mod:`toolkit.study` in the layers (it runs a ``Study``), so that :mod:`toolkit.manifest`, which
``Study``
uses to write the manifest, never imports ``Study`` back.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputDataError
from toolkit.manifest import input_hashes, load_manifest, output_hashes
from toolkit.protocol import Protocol
from toolkit.study import Study


@dataclass
class ReproduceReport:
    """What :func:`reproduce` found: outputs that differ, are missing or are new, and changed inputs."""

    results_dir: Path
    differing: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    changed_inputs: list[str] = field(default_factory=list)
    not_as_recorded: list[str] = field(default_factory=list)
    compared: int = 0

    @property
    def ok(self) -> bool:
        return not (
            self.differing or self.missing or self.extra or self.changed_inputs or self.not_as_recorded
        )

    def lines(self) -> list[str]:
        out = [f"input changed since the run: {name}" for name in self.changed_inputs]
        out += [
            f"changed since the run (no longer matches the manifest): {name}" for name in self.not_as_recorded
        ]
        out += [f"differs: {name}" for name in self.differing]
        out += [f"missing in the re-run: {name}" for name in self.missing]
        out += [f"new in the re-run: {name}" for name in self.extra]
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "compared": self.compared,
            "differing": self.differing,
            "missing": self.missing,
            "extra": self.extra,
            "changed_inputs": self.changed_inputs,
            "not_as_recorded": self.not_as_recorded,
            "ok": self.ok,
        }


def reproduce(
    results_dir: str | Path, *, protocol: str | Path | None = None, on_step=None
) -> ReproduceReport:
    """Re-run the protocol recorded in ``results_dir/manifest.json`` into a temporary folder and compare
    outputs.

    An output *differs* when the re-run's bytes differ from the manifest's record or from the file now in
    ``results_dir``; files in ``results_dir`` edited after the run are named as well. The manifest names the
    protocol relative to the results folder (no published file holds an absolute path); for a results folder
    that
    was copied elsewhere, give ``protocol`` (its hash is still checked against the manifest).
    """
    results_dir = Path(results_dir).resolve()
    manifest = load_manifest(results_dir)
    protocol_path = manifest.get("protocol", {}).get("path")
    if protocol is not None:
        protocol_path = Path(protocol).resolve()
    elif protocol_path:
        # written relative to the results folder (an absolute path, from older manifests, stays as it is)
        protocol_path = (results_dir / protocol_path).resolve()
    if not protocol_path or not Path(protocol_path).is_file():
        raise InputDataError(
            f"the protocol recorded in the manifest ({manifest.get('protocol', {}).get('path')}) is not "
            f"there",
            file=results_dir / "manifest.json",
            fix="give it with 'pdtk reproduce RESULTS_DIR --protocol PROTOCOL' (e.g. for a copied results "
            "folder)",
        )
    protocol = Protocol.load(protocol_path)
    report = ReproduceReport(results_dir=results_dir)
    if protocol.content_hash != manifest["protocol"]["sha256"]:
        report.changed_inputs.append("protocol")
    current_inputs = input_hashes(protocol)
    for name, digest in manifest.get("inputs", {}).items():
        if current_inputs.get(name) != digest:
            report.changed_inputs.append(name)
    with tempfile.TemporaryDirectory(prefix="pdtk-reproduce-") as tmp:
        tmp_path = Path(tmp)
        study = Study(protocol, results=tmp_path / "results", restricted=tmp_path / "restricted")
        study.run(on_step=on_step)
        fresh = output_hashes(study.results_dir, manifest.get("output_folders"))
    recorded = manifest.get("outputs", {})
    current = output_hashes(results_dir, manifest.get("output_folders"))
    report.not_as_recorded = sorted(
        name for name, digest in recorded.items() if current.get(name, digest) != digest
    )
    for name, digest in recorded.items():
        if name not in fresh:
            report.missing.append(name)
        elif fresh[name] != digest or fresh[name] != current.get(name, digest):
            report.differing.append(name)
    report.extra = sorted(set(fresh) - set(recorded))
    report.compared = len(recorded)
    return report
