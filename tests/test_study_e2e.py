"""End to end: `pdtk run` on a small synthetic study writes every contracted output, leaks nothing, reproduces."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputDataError
from toolkit.io import read_table

runner = CliRunner()


@pytest.fixture(scope="module")
def finished_run(synthetic_study):
    result = runner.invoke(app, ["run", str(synthetic_study["protocol"])])
    assert result.exit_code == 0, result.output
    return synthetic_study


def test_run_writes_the_contracted_outputs(finished_run):
    results = finished_run["work"] / "results"
    for rel in [
        "index.html",
        "manifest.json",
        "anonymised/register.parquet",
        "anonymised/disclosure.json",
        "phase1/report.html",
        "phase2/individuals.csv",
        "phase2/units.csv",
        "phase2/report.html",
        "transcripts/deidentification.jsonl",
        "coding/segments.csv",
        "coding/project.qdpx",
        "phase3/report.html",
    ]:
        assert (results / rel).is_file(), rel
    individuals = pd.read_csv(results / "phase2" / "individuals.csv")
    assert list(individuals.columns[:5]) == ["pid", "p_expected", "outcome", "pd_score", "is_deviant"]
    units = pd.read_csv(results / "phase2" / "units.csv", dtype={"unit": str})
    assert list(units.columns[:7]) == ["unit_var", "unit", "n", "observed", "expected", "z", "flag"]
    assert set(units["flag"].fillna("")) <= {"above", "below", ""}
    segments = pd.read_csv(results / "coding" / "segments.csv")
    assert list(segments.columns[:6]) == ["source", "turn_index", "speaker", "start", "end", "code_id"]
    contacts = pd.read_csv(finished_run["work"] / "restricted" / "contact_list.csv", dtype=str)
    assert {"fnr", "pid", "pd_score"} <= set(contacts.columns)
    manifest = json.loads((results / "manifest.json").read_text())
    assert manifest["seed"] == 2021 and len(manifest["protocol"]["sha256"]) == 64
    assert "register" in manifest["inputs"] and manifest["outputs"]
    index = (results / "index.html").read_text()
    for link in ("phase1/report.html", "phase2/report.html", "phase3/report.html"):
        assert link in index


def test_no_raw_identifier_anywhere_under_results(finished_run):
    import re

    raw = read_table(finished_run["raw"] / "register.csv", text_columns=["fnr", "telefon"])
    numbers = set(raw["fnr"]) | set(raw["telefon"].astype(str))
    phrases = {a for a in raw["adresse"] if len(a) > 8} | {n for n in raw["navn"] if " " in n}
    results = finished_run["work"] / "results"
    scanned = 0
    for path in results.rglob("*"):
        if not path.is_file() or path.suffix in {".parquet", ".png", ".qdpx"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        # whole numbers only: the digits of a long decimal such as 0.9522830361 are not a phone number
        tokens = set(re.findall(r"(?<![\d.])\d{8,11}(?![\d.])", text))
        leaked = len(tokens & numbers) + sum(1 for phrase in phrases if phrase in text)
        assert not leaked, f"{path.relative_to(results)} holds {leaked} raw identifier(s)"
        scanned += 1
    assert scanned >= 10
    released = pd.read_parquet(results / "anonymised" / "register.parquet")
    assert not {"fnr", "navn", "adresse", "telefon", "postnr"} & set(released.columns)
    for column in released.columns:
        values = set(released[column].dropna().astype(str))
        assert not values & set(raw["fnr"]), column


def test_reproduce_finds_identical_outputs(finished_run):
    # files another tool put under results/ (the notebooks write results/notebooks/) are not part of the run
    (finished_run["work"] / "results" / "notebooks").mkdir(exist_ok=True)
    (finished_run["work"] / "results" / "notebooks" / "scratch.csv").write_text("a\n1\n")
    result = runner.invoke(app, ["reproduce", str(finished_run["work"] / "results")])
    assert result.exit_code == 0, result.output
    assert "reproduced" in result.output


def test_reproduce_names_an_output_that_differs(finished_run, tmp_path):
    import shutil

    from toolkit.reproduce import reproduce

    copy = tmp_path / "results"
    shutil.copytree(finished_run["work"] / "results", copy)
    units = copy / "phase2" / "units.csv"
    units.write_text(units.read_text() + "\n")
    with pytest.raises(InputDataError, match="--protocol"):  # the manifest names the protocol relatively
        reproduce(copy)
    report = reproduce(copy, protocol=finished_run["protocol"])
    assert not report.ok
    assert report.differing == ["phase2/units.csv"]
    assert report.not_as_recorded == ["phase2/units.csv"]


def test_everything_restricted_is_private(finished_run):
    """The contact list (fødselsnummer) and the de-identification map: files 0600 in folders 0700."""
    import stat

    restricted = finished_run["work"] / "restricted"
    paths = [restricted, *restricted.rglob("*")]
    assert any(p.name == "contact_list.csv" for p in paths)
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path.name}: {oct(mode)}"
    key = finished_run["work"] / "keys" / "test.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_no_absolute_path_in_any_published_file(finished_run):
    """Published files name inputs relative to the protocol (or by name and hash), never by the machine's folders."""
    work = str(finished_run["work"])
    home = str(__import__("pathlib").Path.home())
    for path in (finished_run["work"] / "results").rglob("*"):
        if path.is_file() and path.suffix in {".json", ".html", ".csv", ".jsonl", ".txt", ".md"}:
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert work not in text and home + "/" not in text, path.name


def test_norwegian_reports_show_labels_names_and_no_python_literals(finished_run):
    """The demo protocol asks for Norwegian: labelled headers, municipality names, readable cells."""
    import re
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.headers: list[str] = []
            self.cells: list[str] = []
            self._into: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag in ("th", "td"):
                self._into = self.headers if tag == "th" else self.cells
                self._into.append("")

        def handle_endtag(self, tag):
            if tag in ("th", "td"):
                self._into = None

        def handle_data(self, data):
            if self._into is not None:
                self._into[-1] += data

    literal = re.compile(r"^(True|False|None|nan|NaN|<NA>)$|^[\(\[]-?[\d.]+, -?[\d.]+[\)\]]$|^p = 0\.000$")
    results = finished_run["work"] / "results"
    phase1 = (results / "phase1" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in phase1 and "Kongsvinger (3401)" in phase1 and "Fravær (prosent)" in phase1
    for report in ("phase1", "phase2", "coding", "phase3"):
        parsed = Cells()
        parsed.feed((results / report / "report.html").read_text(encoding="utf-8"))
        raw_headers = [h for h in parsed.headers if "_" in h]
        assert not raw_headers, f"{report}: raw column names in headers: {raw_headers}"
        literals = sorted({c.strip() for c in parsed.cells if literal.search(c.strip())})
        assert not literals, f"{report}: {literals}"
