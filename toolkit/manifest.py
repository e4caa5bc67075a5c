"""Provenance: the manifest of a run, the study index page, and reproduction.

``results/manifest.json`` records what a reviewer needs to re-run an analysis and check it: the protocol (its
path and content hash), the hashes of every input, the seed, package versions, and the hash of every output.
:func:`toolkit.reproduce.reproduce` re-runs the protocol into a temporary folder and names every output whose
bytes differ (it lives there, above ``Study``, so that this module never imports the study it describes).
"""

from __future__ import annotations

import html
import importlib.metadata
import json
import platform
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import InputDataError
from toolkit.io import atomic_write_text, sha256_file, sha256_path, write_json

if TYPE_CHECKING:
    from toolkit.protocol import Protocol
    from toolkit.study import RunResult, Study

MANIFEST_VERSION = 1
_PACKAGES = [
    "pdtk",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "scikit-learn",
    "statsmodels",
    "matplotlib",
    "spacy",
    "spacy-lookups-data",
    "simplemma",
    "nltk",
    "presidio-analyzer",
    "presidio-anonymizer",
    "krippendorff",
    "pydantic",
]
# outputs whose bytes legitimately change between identical runs: none today. Kept as an explicit list so a
# reviewer sees what reproduce does not compare, and why.
_VOLATILE: set[str] = {"manifest.json"}


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape the numbers."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def input_hashes(protocol: Protocol) -> dict[str, str]:
    """SHA-256 of every input the protocol names (files and folders)."""
    items: dict[str, Path | None] = {
        "register": protocol.data.register,
        "transcripts": protocol.data.transcripts,
        "groups": protocol.data.groups,
    }
    for region in protocol.regions or []:  # one register per region: each is an input
        items[f"register {region.name}"] = region.register
    if protocol.coding is not None:
        items["codebook"] = protocol.coding.codebook
        items["hand_coded"] = protocol.coding.hand_coded
    if protocol.phase3 is not None:
        items["phase3_panel"] = protocol.phase3.panel
        items["phase3_series"] = protocol.phase3.series
        items["phase3_individuals"] = protocol.phase3.individuals
    return {
        name: sha256_path(path) for name, path in items.items() if path is not None and Path(path).exists()
    }


def input_hashes_soon(protocol: Protocol) -> Callable[[], dict[str, str]]:
    """:func:`input_hashes` started now on a background thread; call what this returns to wait for them.

    Why: a report's provenance names its inputs' hashes, and hashing a million-row register takes a fifth of
    a second which the file reads and hashlib spend without the GIL, so it can run while the step works
    instead of on the step's way to its report. An error is raised by the call, as without the thread.
    """
    future: Future[dict[str, str]] = Future()

    def run() -> None:
        try:
            future.set_result(input_hashes(protocol))
        except BaseException as error:  # noqa: BLE001 - handed to whoever asks
            future.set_exception(error)

    threading.Thread(target=run, name="input-hashes", daemon=True).start()
    return future.result


def output_hashes(results_dir: Path, folders: list[str] | None = None) -> dict[str, str]:
    """SHA-256 of the run's output files, by path relative to the results folder.

    ``folders`` limits the walk to the steps' own folders (plus ``index.html``), so files that other tools put
    under ``results/`` (e.g. the notebooks' ``results/notebooks/``) are neither recorded nor compared.
    """
    results_dir = Path(results_dir)
    roots = [results_dir / f for f in folders] if folders is not None else [results_dir]
    files = [results_dir / "index.html"] if folders is not None else []
    for root in roots:
        files += [p for p in root.rglob("*")] if root.is_dir() else []
    return {
        str(p.relative_to(results_dir)): sha256_file(p)
        for p in sorted(set(files))
        if p.is_file() and p.name not in _VOLATILE and not p.name.startswith(".")
    }


def write_manifest(study: Study, run: RunResult, out_dir: Path | None = None) -> Path:
    """Write ``results/manifest.json`` for a finished run (into ``out_dir``, the study's stage, when
    given)."""
    protocol = study.protocol
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "study": protocol.study,
        "protocol": {
            # relative to the results folder: no published file names a folder of the machine it ran on
            "path": _relative_to(protocol.source, study.results_dir) if protocol.source else None,
            "sha256": protocol.content_hash,
        },
        "seed": protocol.seed,
        "inputs": input_hashes(protocol),
        "packages": package_versions(),
        "platform": {"system": platform.system(), "machine": platform.machine()},
        "steps": [s.name for s in run.steps],
        "output_folders": _folders(study, run),
        "outputs": output_hashes(study.results_dir, _folders(study, run)),
    }
    review = study.review_record() if "deidentify" in manifest["steps"] else None
    if review is not None:
        manifest["review"] = review  # pdtk review: who reviewed which transcript, when, how many changes
    return write_json((out_dir or study.results_dir) / "manifest.json", manifest)


def _relative_to(path: Path, folder: Path) -> str:
    """``path`` written relative to ``folder`` (POSIX separators); its name alone across drives."""
    import os

    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(folder).resolve())).as_posix()
    except ValueError:
        return Path(path).name


def _folders(study: Study, run: RunResult) -> list[str]:
    return sorted({str(step.output.relative_to(study.results_dir)) for step in run.steps})


_STEP_TITLES = {
    "anonymise": (
        "Anonymisation",
        "anonymised/disclosure.json",
        "Disclosure-risk report: k reached, suppression, risk measures",
    ),
    "phase1": (
        "Phase 1 — mapping",
        "phase1/report.html",
        "Who is at risk and where: prevalence and outcome rates",
    ),
    "phase2": (
        "Phase 2 — positive deviance",
        "phase2/report.html",
        "Individuals and units doing better than expected",
    ),
    "regions": (
        "Regions compared",
        "regions/report.html",
        "Which regions do better than their intake predicts (one model across regions); each region's phases",
    ),
    "deidentify": (
        "Transcript de-identification",
        "transcripts/deidentification.jsonl",
        "Replaced spans (offsets and types only)",
    ),
    "autocode": (
        "Interview coding",
        "coding/report.html",
        "Themes, reliability, insight cards, REFI-QDA export",
    ),
    "phase3": ("Phase 3 — effect", "phase3/report.html", "Effect of the implemented practice"),
}


_INDEX_NB = {
    "Regions compared": "Regioner sammenlignet",
    "Which regions do better than their intake predicts (one model across regions); each region's phases": (
        "Hvilke regioner gjør det bedre enn inntaket tilsier (én modell på tvers av regionene); hver regions "
        "faser"
    ),
    "Anonymisation": "Anonymisering",
    "Disclosure-risk report: k reached, suppression, risk measures": (
        "Personvernrapport: k oppnådd, skjulte verdier, risikomål"
    ),
    "Phase 1 — mapping": "Fase 1 — kartlegging",
    "Who is at risk and where: prevalence and outcome rates": "Hvem har risiko, og hvor: forekomst og utfall",
    "Phase 2 — positive deviance": "Fase 2 — positive avvik",
    "Individuals and units doing better than expected": (
        "Personer og enheter som gjør det bedre enn forventet"
    ),
    "Transcript de-identification": "Avidentifisering av transkripsjoner",
    "Replaced spans (offsets and types only)": "Erstattede tekstbiter (bare plassering og type)",
    "Interview coding": "Koding av intervjuer",
    "Themes, reliability, insight cards, REFI-QDA export": "Temaer, samsvar, innsiktskort, REFI-QDA-eksport",
    "Phase 3 — effect": "Fase 3 — effekt",
    "Effect of the implemented practice": "Effekten av praksisen som ble innført",
    "<strong>Synthetic data.</strong> Every person, number and place is invented.": (
        "<strong>Syntetiske data.</strong> Hver person, hvert tall og hvert sted er oppdiktet."
    ),
    "Positive-deviance study following the three phases of NAV Kongsvinger's «Ung inkludering» design."
    "\nEach link opens one step's report; <code>manifest.json</code> lists the hashes of every input and "
    "output so that\n<code>pdtk reproduce</code> can check the numbers.": (
        "Studie av positive avvik etter de tre fasene i NAV Kongsvingers «Ung inkludering».\nHver lenke "
        "åpner rapporten fra ett trinn; <code>manifest.json</code> har hash for alle inndata og utdata, slik "
        "at\n<code>pdtk reproduce</code> kan kontrollere tallene."
    ),
    "<strong>Provenance.</strong>": "<strong>Opphav.</strong>",
}


def _index_in_language(page: str, language: str) -> str:
    """The study index in the protocol's report language (its English phrases replaced one by one)."""
    if language != "nb":
        return page.replace('<html lang="nb">', '<html lang="en">')
    for english, norwegian in _INDEX_NB.items():
        page = page.replace(english, norwegian)
    return page.replace("<h1>Study ", "<h1>Studie ")


def write_index(study: Study, run: RunResult, out_dir: Path | None = None) -> Path:
    """Write ``results/index.html`` linking each step's report (into ``out_dir`` when given)."""
    rows = []
    for step in run.steps:
        title, link, blurb = _STEP_TITLES.get(step.name, (step.name, f"{step.name}/", ""))
        target = study.results_dir / link
        if not target.exists():  # a step may have no HTML report (e.g. only files); link its folder then
            link = str(step.output.relative_to(study.results_dir)) + "/"
        extra = f" — {html.escape(step.summary)}" if step.summary else ""
        rows.append(
            f'<li><a href="{html.escape(link)}">{html.escape(title)}</a>: {html.escape(blurb)}{extra}</li>'
        )
    prov = study.provenance()
    prov_rows = "".join(
        f"<br>{html.escape(str(k))}: <code>{html.escape(str(v))}</code>" for k, v in prov.items()
    )
    banner = (
        '<p style="background:#fff4d6;border:1px solid #e6c25a;padding:.5em .8em"><strong>Synthetic '
        "data.</strong> "
        "Every person, number and place is invented.</p>"
        if study.is_synthetic
        else ""
    )
    page = f"""<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>{html.escape(study.protocol.study)} — pdtk study</title>
<style>body{{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;color:#1d2733;
line-height:1.5}}
li{{margin:.4em 0}} .prov{{font-size:.8em;color:#5a6675;border-top:1px solid #d9e1ea;margin-top:3em;
padding-top:.5em}}
code{{word-break:break-all}}</style></head><body>
<h1>Study {html.escape(study.protocol.study)}</h1>
{banner}
<p>Positive-deviance study following the three phases of NAV Kongsvinger's «Ung inkludering» design.
Each link opens one step's report; <code>manifest.json</code> lists the hashes of every input and output so
that <code>pdtk reproduce</code> can check the numbers.</p>
<ol>{"".join(rows)}</ol>
<p><a href="manifest.json">manifest.json</a></p>
<div class="prov"><strong>Provenance.</strong>{prov_rows}</div>
</body></html>
"""
    page = _index_in_language(page, study.protocol.language)
    return atomic_write_text((out_dir or study.results_dir) / "index.html", page)


def load_manifest(results_dir: Path) -> dict[str, Any]:
    path = Path(results_dir) / "manifest.json"
    if not path.is_file():
        raise InputDataError(
            "no manifest.json here", file=path, fix="give the results folder of a 'pdtk run'"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise InputDataError("manifest.json is not valid JSON", file=path, fix="re-run 'pdtk run'") from None
