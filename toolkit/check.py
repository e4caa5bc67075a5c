"""``pdtk check``: the protocol against the data, before any step writes anything.

Checking step by step let a protocol with a misspelt outcome pass ``anonymise`` (which wrote
``results/anonymised/``) and fail only at phase 1; a risk factor that was entirely missing was silently read
as
"nobody has it". Every command therefore runs this check first and writes nothing when it fails.

What is checked (one :class:`Finding` per problem, each one line naming the file, key or column and the fix):

* every column the protocol names exists in the register (with "did you mean" for near misses) and is not
  one that anonymisation removes;
* the outcome is 0/1 with both values present (the bad values and the first rows that carry them are named);
* risk factors, units and the cohort are not entirely missing (refused) and warned about when over half
missing;
* the codebook loads and every theme has evidence (keywords, patterns, sub-themes or hand coding);
* the transcripts folder holds readable transcripts; the groups file and phase 3 files have their columns;
* the results folder, the restricted folder and the key's folder can be written.

Messages never show a value of the id column or of a dropped column, nor anything that looks like an
identity number: a misnamed outcome such as ``fnr`` must not print fødselsnumre to the terminal.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from toolkit.errors import PdtkError
from toolkit.protocol import Protocol

MISSING_WARN_SHARE = 0.5
_SHOWN_ROWS = 5
_LONG_NUMBER = re.compile(r"\d{6,}")


@dataclass(frozen=True)
class Finding:
    """One problem (error: the study cannot run) or a caution (warning: it runs, but read this)."""

    level: Literal["error", "warning"]
    where: str
    message: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.where}: {self.message.rstrip('.')}."
        return text + (f" Fix: {self.fix.rstrip('.')}." if self.fix else "")


@dataclass
class CheckResult:
    """Everything :func:`check_study` found; :attr:`ok` when there is no error."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_failed(self) -> None:
        if not self.ok:
            raise CheckFailed(self)

    def summary_line(self) -> str:
        return (
            f"protocol checked against the data: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )


class CheckFailed(PdtkError):
    """The protocol does not fit the data; its message has one line per problem."""

    def __init__(self, result: CheckResult):
        Exception.__init__(self, "\n".join(f.line() for f in result.errors))
        self.result = result
        self.file = None
        self.fix = None


class _Collector:
    """Findings of one check run, with the protocol's file name as the default place."""

    def __init__(self, protocol: Protocol):
        self.protocol = protocol
        self.label = str(protocol.source.name) if protocol.source else "<protocol>"
        self.result = CheckResult()

    def error(self, message: str, fix: str, where: str | None = None) -> None:
        self.result.findings.append(Finding("error", where or self.label, message, fix))

    def warn(self, message: str, fix: str = "", where: str | None = None) -> None:
        self.result.findings.append(Finding("warning", where or self.label, message, fix))


# --------------------------------------------------------------------------------------------- entry point
def check_study(protocol: Protocol, read_register: Callable[[], pd.DataFrame]) -> CheckResult:
    """Check ``protocol`` against its data. ``read_register`` returns the register as the study reads it."""
    found = _Collector(protocol)
    _check_outputs(protocol, found)
    frame = _read(read_register, protocol, found)
    if frame is not None:
        _check_columns(protocol, frame, found)
    if protocol.coding is not None:
        _check_codebook(protocol, found)
    if protocol.data.transcripts is not None:
        _check_transcripts(protocol.data.transcripts, found)
    if protocol.data.groups is not None:
        _check_table_columns(protocol.data.groups, "data.groups", ["source", "group"], found)
    if protocol.phase3 is not None:
        _check_phase3(protocol, found)
    if protocol.report is not None and protocol.report.dictionary is not None:
        _check_table_columns(protocol.report.dictionary, "report.dictionary", ["column", "label"], found)
    return found.result


def _read(read: Callable[[], pd.DataFrame], protocol: Protocol, found: _Collector) -> pd.DataFrame | None:
    """The register, or None with the reader's own one-line error as a finding."""
    try:
        return read()
    except PdtkError as exc:
        found.error(str(exc).rstrip("."), "", where=f"data.register ({protocol.register_label})")
        return None


# --------------------------------------------------------------------------------------------- columns
def _expected_columns(protocol: Protocol) -> list[tuple[str, str]]:
    """(key, column) for every analysis column the protocol names; they must survive anonymisation."""
    named: list[tuple[str, str]] = []
    if protocol.outcome:
        named.append(("outcome", protocol.outcome))
    named += [("risk_factors", c) for c in protocol.risk_factors]
    named += [("units", c) for c in protocol.units]
    deviance = protocol.deviance
    if deviance.cohort:
        named.append(("deviance.cohort", deviance.cohort))
    named += [("deviance.characterise", c) for c in deviance.characterise]
    named += [("deviance.exact_match", c) for c in deviance.exact_match]
    return named


def _removed_by_anonymisation(protocol: Protocol) -> dict[str, str]:
    """Columns that are not in the anonymised register, with the key that removes them."""
    privacy = protocol.privacy
    if privacy is None:
        return {}
    removed = {privacy.id_column: "privacy.id_column"}
    removed.update({c: "privacy.drop" for c in privacy.drop})
    removed.update(
        {c: "privacy.quasi_identifiers" for c, r in privacy.quasi_identifiers.items() if r == "drop"}
    )
    return removed


def _check_columns(protocol: Protocol, frame: pd.DataFrame, found: _Collector) -> None:
    columns = [str(c) for c in frame.columns]
    register = protocol.register_label
    privacy = protocol.privacy
    if privacy is not None:
        named = [("privacy.id_column", privacy.id_column)]
        named += [("privacy.drop", c) for c in privacy.drop]
        named += [("privacy.quasi_identifiers", c) for c in privacy.quasi_identifiers]
        named += [("privacy.sensitive", c) for c in privacy.sensitive]
        for key, column in named:
            _require_column(key, column, columns, register, found)
    elif "pid" not in columns:
        found.error(
            f"the register {register} has no 'pid' column, and the protocol has no 'privacy:' section",
            "add a 'privacy:' section so the register is pseudonymised, or give an anonymised register",
            where=f"data.register ({register})",
        )
    removed = _removed_by_anonymisation(protocol)
    present = []
    for key, column in _expected_columns(protocol):
        if column in removed:
            found.error(
                f"key '{key}': column '{column}' is removed by {removed[column]} before any analysis",
                f"remove it from '{key}' or release it (e.g. a quasi-identifier rule other than drop)",
            )
        elif _require_column(key, column, columns, register, found):
            present.append((key, column))
    all_factors_found = all(("risk_factors", c) in present for c in protocol.risk_factors)
    for factor in protocol.deviance.timing if all_factors_found else ():
        if factor not in protocol.risk_factors:
            found.error(
                f"key 'deviance.timing': '{factor}' is not one of the risk_factors"
                + _suggest(factor, protocol.risk_factors),
                "list timings only for the columns in risk_factors",
            )
    hidden = set(removed) | {c for c in columns if _LONG_NUMBER.fullmatch(c or "")}
    if protocol.outcome and ("outcome", protocol.outcome) in present:
        _check_outcome(protocol.outcome, frame[protocol.outcome], register, found, hidden)
    for key, column in present:
        if key in ("risk_factors", "units", "deviance.cohort"):
            _check_missing(key, column, frame[column], register, found)


def _require_column(key: str, column: str, columns: list[str], register: str, found: _Collector) -> bool:
    if column in columns:
        return True
    found.error(
        f"key '{key}': column '{column}' is not in the register {register}" + _suggest(column, columns),
        f"correct the name in '{key}' (the register has: {_short_list(columns)})",
    )
    return False


def _suggest(name: str, choices: Iterable[str]) -> str:
    folded = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean '{folded[close[0]]}'?)" if close else ""


def _short_list(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _shown_values(values: list[object], column: str, hidden: set[str]) -> str:
    """Up to three bad values, unless they could be identifiers (then only their number)."""
    texts = [str(v) for v in values]
    if column in hidden or any(_LONG_NUMBER.search(t) or len(t) > 20 for t in texts):
        return f"{len(texts)} distinct value(s), not shown because they may identify people"
    quoted = ", ".join(repr(t) for t in texts[:3])
    return quoted + (f" and {len(texts) - 3} more" if len(texts) > 3 else "")


def _check_outcome(
    outcome: str, values: pd.Series, register: str, found: _Collector, hidden: set[str]
) -> None:
    """The outcome must be 0/1 (as numbers or the text '0'/'1') with both values present."""
    present = values.dropna()
    # read each distinct value as text once, not a million rows of 0 and 1
    codes, uniques = pd.factorize(present)
    as_text = pd.Series(uniques, dtype=present.dtype).astype(str).str.strip()
    as_text = as_text.str.replace(r"\.0$", "", regex=True)
    bad = ~as_text.isin(["0", "1"]).to_numpy()[codes]
    if bad.any():
        rows = ", ".join(str(i + 1) for i in present.index[bad][:_SHOWN_ROWS])
        distinct = list(pd.unique(present[bad]))
        found.error(
            f"key 'outcome': column '{outcome}' must be 0/1 but holds "
            f"{_shown_values(distinct, outcome, hidden)} "
            f"in {int(bad.sum())} row(s) (first data rows: {rows})",
            "recode the outcome so 1 = the good outcome and 0 = not (e.g. 'ja' → 1, 'nei' → 0)",
            where=f"{register}, column '{outcome}'",
        )
        return
    if as_text.nunique() < 2:
        only = as_text.iloc[0] if len(as_text) else "nothing"
        found.error(
            f"key 'outcome': column '{outcome}' holds only {only!s} (both 0 and 1 are needed to compare)",
            "check that the outcome column is the right one and that the population is not too narrow",
            where=f"{register}, column '{outcome}'",
        )


def _check_missing(key: str, column: str, values: pd.Series, register: str, found: _Collector) -> None:
    """Entirely missing is refused (it would read as 'nobody has it'); over half missing is a warning."""
    if len(values) == 0:
        return
    share = float(values.isna().mean())
    if share >= 1.0:
        found.error(
            f"key '{key}': column '{column}' is missing in every row, so it would count as 'nobody has it'",
            f"fill the column in the register extract or remove '{column}' from '{key}'",
            where=f"{register}, column '{column}'",
        )
    elif share > MISSING_WARN_SHARE:
        found.warn(
            f"key '{key}': column '{column}' is missing in {share:.0%} of rows; results for it rest on the "
            f"rest",
            "check the register extract; missing values are shown as their own level in phase 1",
            where=f"{register}, column '{column}'",
        )


# --------------------------------------------------------------------------------------------- other inputs
def _check_codebook(protocol: Protocol, found: _Collector) -> None:
    """The codebook loads, and every theme has something that can code a segment."""
    from toolkit.coding.codebook import load_codebook

    coding = protocol.coding
    assert coding is not None
    try:
        codebook = load_codebook(coding.codebook)
    except PdtkError as exc:
        found.error(str(exc).rstrip("."), "", where="coding.codebook")
        return
    if coding.hand_coded is not None:
        return  # themes without keywords are learned from the hand coding
    for code in codebook:
        if not (code.keywords or code.patterns or codebook.children(code.id)):
            found.error(
                f"theme '{code.id}' has no keywords, patterns or sub-themes, so it would never code anything",
                "add keywords (base forms) or patterns to it, or give coding.hand_coded to learn it from",
                where=f"{coding.codebook.name}, theme '{code.id}'",
            )


def _check_transcripts(folder: Path, found: _Collector) -> None:
    from toolkit.io import TRANSCRIPT_SUFFIXES, list_transcripts

    files = list_transcripts(folder)
    if not files:
        found.error(
            f"the transcripts folder {folder.name}/ holds no transcript "
            f"({', '.join(sorted(TRANSCRIPT_SUFFIXES))})",
            "put the transcripts there, or remove data.transcripts",
            where="data.transcripts",
        )
    for path in files:
        if not os.access(path, os.R_OK):
            found.error(
                f"transcript {folder.name}/{path.name} cannot be read (permission denied)",
                f"give your user read access (chmod u+r {path})",
                where="data.transcripts",
            )


def _check_table_columns(path: Path, key: str, needed: list[str], found: _Collector) -> list[str]:
    """A small input table has the columns it must have; returns its columns (empty when unreadable)."""
    from toolkit.io import read_table

    try:
        columns = [str(c) for c in read_table(path).columns]
    except PdtkError as exc:
        found.error(str(exc).rstrip("."), "", where=key)
        return []
    for column in needed:
        if column not in columns:
            found.error(
                f"key '{key}': {path.name} has no column '{column}'" + _suggest(column, columns),
                f"give {path.name} the columns {', '.join(needed)} (it has: {_short_list(columns)})",
            )
    return columns


def _check_phase3(protocol: Protocol, found: _Collector) -> None:
    cfg = protocol.phase3
    assert cfg is not None
    if cfg.panel is not None:
        needed = [cfg.unit, cfg.period, cfg.outcome, cfg.treated_from] + ([cfg.weight] if cfg.weight else [])
        _check_table_columns(cfg.panel, "phase3.panel", needed, found)
    if cfg.individuals is not None:
        needed = [c for c in (cfg.treatment, cfg.individual_outcome, *cfg.covariates) if c]
        _check_table_columns(cfg.individuals, "phase3.individuals", needed, found)
    if cfg.series is not None:
        needed = [c for c in (cfg.series_unit, cfg.series_time, cfg.series_outcome) if c]
        _check_table_columns(cfg.series, "phase3.series", needed, found)


# --------------------------------------------------------------------------------------------- outputs
def _check_outputs(protocol: Protocol, found: _Collector) -> None:
    """Every folder a step writes to can be written, so no step fails half-way on a permission."""
    places = [("data.results", protocol.data.results)]
    if protocol.privacy is not None:
        places.append(("privacy.restricted_dir", protocol.privacy.restricted_dir))
        key = protocol.privacy.key_file
        if key.exists():
            if key.is_dir() or not os.access(key, os.R_OK):
                found.error(
                    f"key 'privacy.key_file': {key} is {'a folder' if key.is_dir() else 'not readable'}",
                    "name the key file itself and give your user read access to it",
                )
        else:
            places.append(("privacy.key_file (its folder)", key.parent))
    for key, folder in places:
        _check_writable(key, folder, found)
    results = protocol.data.results
    if results.is_dir():
        for sub in sorted(p for p in results.iterdir() if p.is_dir() and not p.name.startswith(".")):
            _check_writable("data.results", sub, found)


def _check_writable(key: str, folder: Path, found: _Collector) -> None:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        found.error(
            f"key '{key}': {existing} is a file, so the folder {folder} cannot be made",
            "name a folder, or move that file away",
        )
    elif not os.access(existing, os.W_OK | os.X_OK):
        found.error(
            f"key '{key}': cannot write in {existing} (permission denied)",
            f"give your user write access (chmod u+w {existing}) or point '{key}' at a folder you can write",
        )


__all__ = ["CheckFailed", "CheckResult", "Finding", "check_study"]
