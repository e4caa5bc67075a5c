"""Bad input, as a new user makes it: each case gets one line naming the file/key/column and the fix, a non-zero
exit, and leaves the results folder exactly as it was (issue 16).

Every case starts from a valid small synthetic study (checked to pass first), breaks one thing, and runs a command
that would write outputs (``run`` or ``anonymise``), so the test also shows that the check runs before anything is
written. Permission cases run the command as the unprivileged user ``nobody`` (root reads and writes everything,
so as root they would test nothing).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from toolkit.cli import app

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()
NOBODY = 65534


# --------------------------------------------------------------------------------------------- the study
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    from toolkit.synth.study import write_all

    base = tmp_path_factory.mktemp("synthetic")
    write_all(base, n=300, seed=3, n_transcripts=3)
    return base


@dataclass
class Case:
    """One study folder: a protocol (as a dict) and its data, with results from an earlier run in place."""

    root: Path
    data: Path
    raw: dict = field(default_factory=dict)

    @property
    def protocol(self) -> Path:
        return self.root / "protocol.yml"

    @property
    def results(self) -> Path:
        return self.root / "results"

    def register(self) -> pd.DataFrame:
        return pd.read_csv(self.data / "register.csv", dtype=str, keep_default_na=False)

    def write_register(self, frame: pd.DataFrame, name: str = "register.csv") -> None:
        frame.to_csv(self.root / name, index=False)
        self.raw["data"]["register"] = name

    def write(self) -> None:
        self.protocol.write_text(yaml.safe_dump(self.raw, allow_unicode=True), encoding="utf-8")


def _study(root: Path, data: Path) -> Case:
    """A valid protocol over the synthetic data, with an earlier run's results and restricted files present."""
    raw = yaml.safe_load((REPO / "protocols" / "demo.yml").read_text(encoding="utf-8"))
    raw["data"] = {
        "register": str(data / "register.csv"),
        "transcripts": str(data / "transcripts"),
        "groups": str(data / "transcript_groups.csv"),
        "results": "results",
    }
    raw["privacy"]["key_file"] = "keys/study.key"
    raw["privacy"]["restricted_dir"] = "restricted"
    raw["coding"]["codebook"] = str(REPO / "protocols" / "codebook_nb.yml")
    raw["report"]["dictionary"] = str(REPO / "protocols" / "demo_dictionary.csv")
    for key in ("panel", "individuals", "series"):
        raw["phase3"][key] = str(data / "panel" / f"{key}.csv")
    case = Case(root=root, data=data, raw=raw)
    (case.results / "phase1").mkdir(parents=True)
    (case.results / "phase1" / "report.html").write_text("an earlier run's report", encoding="utf-8")
    (case.results / "index.html").write_text("earlier index", encoding="utf-8")
    (root / "restricted").mkdir()
    (root / "restricted" / "contact_list.csv").write_text("earlier", encoding="utf-8")
    case.write()
    return case


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under results/ and restricted/ (and staging leftovers beside them)."""
    seen = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] not in ("results", "restricted") and not rel.name.startswith("."):
            continue
        mode = path.stat().st_mode
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        seen[str(rel)] = (digest, stat.S_IMODE(mode))
    return seen


def assert_one_line(output: str, exit_code: int, expected: list[str]) -> None:
    lines = [line for line in output.splitlines() if line.strip() and not line.startswith("warning:")]
    assert exit_code != 0, output
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{output}"
    line = lines[0]
    assert line.startswith("error:"), line
    assert "Fix:" in line, line
    assert "Traceback" not in output
    for word in expected:
        assert word in line, f"{word!r} not in: {line}"


# --------------------------------------------------------------------------------------------- the cases
Mutate = Callable[[Case], None]


def _set(path: str, value: object) -> Mutate:
    def mutate(case: Case) -> None:
        *parents, last = path.split(".")
        node = case.raw
        for key in parents:
            node = node[key]
        node[last] = value

    return mutate


def _delete(path: str) -> Mutate:
    def mutate(case: Case) -> None:
        *parents, last = path.split(".")
        node = case.raw
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


def _register(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Mutate:
    def mutate(case: Case) -> None:
        case.write_register(change(case.register()))

    return mutate


def _raw_protocol(text: str) -> Mutate:
    def mutate(case: Case) -> None:
        case.raw = {"__text__": text}

    return mutate


def _register_bytes(data: bytes, name: str = "register.csv") -> Mutate:
    def mutate(case: Case) -> None:
        (case.root / name).write_bytes(data)
        case.raw["data"]["register"] = name

    return mutate


def _outcome_values(values: list[str]) -> Mutate:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame["fullfort_vgs_5aar"] = [values[i % len(values)] for i in range(len(frame))]
        return frame

    return _register(change)


def _empty_column(column: str) -> Mutate:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame[column] = ""
        return frame

    return _register(change)


def _codebook(text: str) -> Mutate:
    def mutate(case: Case) -> None:
        (case.root / "codebook.yml").write_text(text, encoding="utf-8")
        case.raw["coding"]["codebook"] = "codebook.yml"

    return mutate


def _transcripts_dir(files: dict[str, str], *, as_file: bool = False) -> Mutate:
    def mutate(case: Case) -> None:
        target = case.root / "transcripts"
        if as_file:
            target.write_text("not a folder", encoding="utf-8")
        else:
            target.mkdir()
            for name, text in files.items():
                (target / name).write_text(text, encoding="utf-8")
        case.raw["data"]["transcripts"] = "transcripts"

    return mutate


def _table(key: str, drop_column: str, name: str) -> Mutate:
    def mutate(case: Case) -> None:
        section, field_name = key.split(".")
        source = Path(case.raw[section][field_name])
        frame = pd.read_csv(source, dtype=str, keep_default_na=False).drop(columns=[drop_column])
        frame.to_csv(case.root / name, index=False)
        case.raw[section][field_name] = name

    return mutate


def _results_is_file(case: Case) -> None:
    shutil.rmtree(case.results)
    case.results.write_text("a file where the results folder should be", encoding="utf-8")


def _no_privacy_no_pid(case: Case) -> None:
    del case.raw["privacy"]


def _theme_without_evidence() -> Mutate:
    text = (REPO / "protocols" / "codebook_nb.yml").read_text(encoding="utf-8")
    text += "  - id: tom_tema\n    name: Et tema uten nøkkelord\n    description: Ingenting koder dette.\n"
    return _codebook(text)


CASES: list[tuple[str, str, Mutate, list[str]]] = [
    # ---- the protocol itself
    (
        "yaml-syntax",
        "run",
        _raw_protocol("study: x\ndata:\n  register: r.csv\n results: res\n"),
        ["line", "column"],
    ),
    ("yaml-not-mapping", "run", _raw_protocol("- a\n- b\n"), ["mapping"]),
    ("yaml-empty", "run", _raw_protocol(""), ["mapping"]),
    ("unknown-key", "run", _set("risk_factor", ["barnevern"]), ["risk_factor", "risk_factors"]),
    ("unknown-nested-key", "run", _set("data.transcript", "t"), ["data.transcript", "transcripts"]),
    ("unknown-deviance-key", "run", _set("deviance.fold", 3), ["deviance.fold", "folds"]),
    ("missing-results-key", "run", _delete("data.results"), ["data.results"]),
    ("bad-study-name", "run", _set("study", "my study"), ["study"]),
    ("k-too-small", "run", _set("privacy.k", 1), ["privacy.k"]),
    ("folds-too-few", "run", _set("deviance.folds", 1), ["deviance.folds"]),
    ("unknown-model", "run", _set("deviance.model", "forest"), ["deviance.model"]),
    ("unknown-language", "run", _set("report.language", "de"), ["report.language"]),
    ("drop-and-quasi", "run", _set("privacy.drop", ["navn", "adresse", "telefon", "kjonn"]), ["kjonn"]),
    ("risk-factor-twice", "run", _set("risk_factors", ["barnevern", "barnevern"]), ["risk_factors"]),
    (
        "restricted-under-results",
        "run",
        _set("privacy.restricted_dir", "results/restricted"),
        ["privacy.restricted_dir"],
    ),
    ("key-under-results", "run", _set("privacy.key_file", "results/k.key"), ["privacy.key_file"]),
    # ---- the register
    ("register-missing", "run", _set("data.register", "nowhere.csv"), ["data.register", "nowhere.csv"]),
    ("register-is-folder", "run", _set("data.register", "."), ["data.register", "folder"]),
    ("register-empty", "anonymise", _register_bytes(b""), ["register.csv", "empty"]),
    ("register-binary", "anonymise", _register_bytes(b"\x00\x01\x02" * 100), ["register.csv", "binary"]),
    ("register-suffix", "anonymise", _register_bytes(b"a,b\n1,2\n", "register.pdf"), ["register.pdf"]),
    ("outcome-misspelt", "run", _set("outcome", "fullfort_vgs"), ["outcome", "fullfort_vgs_5aar"]),
    ("outcome-ja-nei", "anonymise", _outcome_values(["ja", "nei"]), ["fullfort_vgs_5aar", "'ja'", "rows"]),
    ("outcome-0-2", "anonymise", _outcome_values(["0", "2"]), ["fullfort_vgs_5aar", "'2'"]),
    ("outcome-all-ones", "anonymise", _outcome_values(["1"]), ["fullfort_vgs_5aar", "only 1"]),
    ("outcome-dropped", "run", _set("outcome", "navn"), ["outcome", "navn", "privacy.drop"]),
    ("outcome-is-id", "run", _set("outcome", "fnr"), ["outcome", "fnr"]),
    (
        "risk-factor-misspelt",
        "run",
        _set("risk_factors", ["barnevern", "grunnskolepong"]),
        ["grunnskolepong", "grunnskolepoeng"],
    ),
    ("risk-factor-all-missing", "anonymise", _empty_column("barnevern"), ["barnevern", "every row"]),
    ("unit-misspelt", "run", _set("units", ["komune"]), ["units", "komune", "kommune"]),
    ("unit-all-missing", "anonymise", _empty_column("nav_kontor"), ["nav_kontor", "every row"]),
    (
        "id-column-missing",
        "anonymise",
        _set("privacy.id_column", "fodselsnummer"),
        ["privacy.id_column", "fodselsnummer"],
    ),
    (
        "drop-column-missing",
        "anonymise",
        _set("privacy.drop", ["navn", "adresse", "mobil"]),
        ["privacy.drop", "mobil"],
    ),
    (
        "quasi-missing",
        "anonymise",
        _set("privacy.quasi_identifiers.bydel", "keep"),
        ["privacy.quasi_identifiers", "bydel"],
    ),
    ("sensitive-missing", "anonymise", _set("privacy.sensitive", ["rus"]), ["privacy.sensitive", "rus"]),
    ("cohort-missing", "run", _set("deviance.cohort", "fodselsaar"), ["deviance.cohort", "fodselsar"]),
    (
        "risk-factor-dropped-quasi",
        "run",
        _set("risk_factors", ["barnevern", "postnr"]),
        ["postnr", "privacy.quasi_identifiers"],
    ),
    (
        "timing-unknown",
        "run",
        _set("deviance.timing", {"barnevern": "before", "skole": "before"}),
        ["deviance.timing", "skole"],
    ),
    ("no-privacy-no-pid", "run", _no_privacy_no_pid, ["pid", "privacy"]),
    # ---- transcripts and codebook
    (
        "transcripts-missing",
        "run",
        _set("data.transcripts", "intervjuer"),
        ["data.transcripts", "intervjuer"],
    ),
    ("transcripts-is-file", "run", _transcripts_dir({}, as_file=True), ["data.transcripts", "is a file"]),
    ("transcripts-empty", "run", _transcripts_dir({"notes.pdf": "x"}), ["data.transcripts", "no transcript"]),
    ("codebook-missing", "run", _set("coding.codebook", "kodebok.yml"), ["coding.codebook", "kodebok.yml"]),
    (
        "codebook-theme-no-keywords",
        "run",
        _theme_without_evidence(),
        ["codebook.yml", "tom_tema", "keywords"],
    ),
    (
        "codebook-bad-id",
        "run",
        _codebook("name: x\nlanguage: nb\ncodes:\n  - id: Bad Id\n    name: x\n    keywords: [a]\n"),
        ["codebook.yml", "Bad Id"],
    ),
    ("codebook-not-yaml", "run", _codebook("name: x\ncodes: [\n"), ["codebook.yml"]),
    ("groups-without-group", "run", _table("data.groups", "group", "groups.csv"), ["data.groups", "group"]),
    # ---- phase 3 and the dictionary
    (
        "panel-without-outcome",
        "run",
        _table("phase3.panel", "andel_neet", "panel.csv"),
        ["phase3.panel", "andel_neet"],
    ),
    (
        "individuals-without-covariate",
        "run",
        _table("phase3.individuals", "barnevern", "ind.csv"),
        ["phase3.individuals", "barnevern"],
    ),
    (
        "dictionary-without-label",
        "run",
        _table("report.dictionary", "label", "dict.csv"),
        ["report.dictionary", "label"],
    ),
    # ---- output folders
    ("results-is-file", "run", _results_is_file, ["data.results", "is a file"]),
]


def _prepare(tmp_path: Path, synthetic: Path, mutate: Mutate) -> Case:
    case = _study(tmp_path, synthetic)
    mutate(case)
    if "__text__" in case.raw:
        case.protocol.write_text(case.raw["__text__"], encoding="utf-8")
    else:
        case.write()
    return case


def test_there_are_at_least_forty_bad_inputs():
    permission_cases = 4
    assert len(CASES) + permission_cases >= 40


def test_the_valid_study_passes_the_check(tmp_path, synthetic):
    case = _prepare(tmp_path, synthetic, lambda case: None)
    result = runner.invoke(app, ["check", str(case.protocol)])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


@pytest.mark.parametrize(("name", "command", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(tmp_path, synthetic, name, command, mutate, expected):
    case = _prepare(tmp_path, synthetic, mutate)
    before = snapshot(tmp_path)
    result = runner.invoke(app, [command, str(case.protocol)])
    assert_one_line(result.output, result.exit_code, expected)
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "keys").exists(), "no key may be created when the check fails"


def test_check_lists_every_problem_one_per_line(tmp_path, synthetic):
    def two_problems(case: Case) -> None:
        case.raw["outcome"] = "fullfort"
        case.raw["units"] = ["komune"]

    case = _prepare(tmp_path, synthetic, two_problems)
    result = runner.invoke(app, ["check", str(case.protocol)])
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert result.exit_code == 2 and len(lines) == 2
    assert "fullfort" in lines[0] and "komune" in lines[1]


def test_half_missing_risk_factor_is_a_warning_not_an_error(tmp_path, synthetic):
    def mostly_missing(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame.index[: int(len(frame) * 0.7)], "barnevern"] = ""
        return frame

    case = _prepare(tmp_path, synthetic, _register(mostly_missing))
    result = runner.invoke(app, ["check", str(case.protocol)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "barnevern" in result.output and "70%" in result.output


def test_a_misnamed_outcome_never_prints_identity_numbers(tmp_path, synthetic):
    def outcome_is_fnr(case: Case) -> None:
        del case.raw["privacy"]  # no privacy: fnr is an ordinary column, and the outcome check reads it
        frame = case.register()
        frame.insert(0, "pid", [f"p{i}" for i in range(len(frame))])
        case.write_register(frame)
        case.raw["outcome"] = "fnr"

    case = _prepare(tmp_path, synthetic, outcome_is_fnr)
    result = runner.invoke(app, ["check", str(case.protocol)])
    assert result.exit_code == 2
    fnr = case.register()["fnr"].tolist()
    assert not any(value in result.output for value in fnr)
    assert "not shown" in result.output


# --------------------------------------------------------------------------------------------- permissions
_AS_NOBODY = """
import os, sys
# import what the failing path needs while the interpreter's own folders can still be read, then drop to nobody
import difflib, errno, tempfile, shutil, json, csv, hashlib, importlib.metadata, encodings.utf_8_sig, encodings.cp1252, encodings.latin_1, encodings.utf_16
import pandas, pyarrow, pyarrow.parquet, yaml
import toolkit.cli, toolkit.study, toolkit.check, toolkit.io, toolkit.protocol, toolkit.coding.codebook
import toolkit.manifest, toolkit.report.labels
os.setgroups([])
os.setgid(%(uid)d)
os.setuid(%(uid)d)
sys.argv = ["pdtk", *sys.argv[1:]]
toolkit.cli.app(prog_name="pdtk")
"""


def _can_drop_privileges() -> str | None:
    """None when the permission cases can run unprivileged, else why not."""
    if os.geteuid() != 0:
        return None  # already an ordinary user
    try:
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import os; os.setgid({NOBODY}); os.setuid({NOBODY}); print(os.getuid())",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except OSError as exc:
        return f"cannot start a subprocess: {exc}"
    if probe.returncode != 0 or probe.stdout.strip() != str(NOBODY):
        return f"cannot switch to the user nobody here: {probe.stderr.strip()[-200:]}"
    return None


def _run_unprivileged(args: list[str], home: Path) -> subprocess.CompletedProcess:
    """The CLI as the user nobody (when the tests run as root) or as the current non-root user."""
    env = {**os.environ, "HOME": str(home), "MPLCONFIGDIR": str(home / ".mpl"), "COLUMNS": "400"}
    if os.geteuid() == 0:
        command = [sys.executable, "-c", _AS_NOBODY % {"uid": NOBODY}, *args]
    else:
        command = [sys.executable, "-m", "toolkit.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=REPO)


@pytest.fixture
def unprivileged_study(synthetic):
    """A study folder the user nobody owns (so permissions can be taken away from it)."""
    why = _can_drop_privileges()
    if why:
        pytest.skip(f"permission cases need a non-root user: {why}")
    root = Path(tempfile.mkdtemp(prefix="pdtk-perm-"))
    data = root / "data"
    shutil.copytree(synthetic, data)
    (root / "study").mkdir()
    (root / "home").mkdir()
    case = _study(root / "study", data)
    if os.geteuid() == 0:
        for path in [root, *root.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    yield case
    for path in [root, *root.rglob("*")]:
        os.chmod(path, 0o700 if path.is_dir() else 0o600)
    shutil.rmtree(root, ignore_errors=True)


PERMISSION_CASES = [
    ("results-read-only", lambda case: case.results.chmod(0o500), ["data.results", "cannot write", "chmod"]),
    (
        "restricted-read-only",
        lambda case: (case.root / "restricted").chmod(0o500),
        ["privacy.restricted_dir", "cannot write"],
    ),
    (
        "register-unreadable",
        lambda case: (case.data / "register.csv").chmod(0o000),
        ["data.register", "cannot be read", "chmod"],
    ),
    (
        "transcript-unreadable",
        lambda case: sorted((case.data / "transcripts").glob("*.txt"))[0].chmod(0o000),
        ["data.transcripts", "cannot be read"],
    ),
]


@pytest.mark.parametrize(
    ("name", "mutate", "expected"), PERMISSION_CASES, ids=[c[0] for c in PERMISSION_CASES]
)
def test_permission_problem_as_a_non_root_user(unprivileged_study, name, mutate, expected):
    case = unprivileged_study
    mutate(case)
    before = snapshot(case.root)
    done = _run_unprivileged(["run", str(case.protocol)], case.root.parent / "home")
    assert_one_line(done.stdout + done.stderr, done.returncode, expected)
    assert snapshot(case.root) == before
