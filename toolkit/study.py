"""The Study: one object that notebooks, the CLI and the tests share.

Each step is a method that returns data (DataFrames and results objects with ``.summary()``) and writes its
outputs under ``results/`` in the layout of DESIGN.md. The CLI is a thin wrapper over these methods, so a
notebook cell and a terminal command give the same files.

Privacy rules enforced here, because every step passes through them:

* raw data never enters ``results/``: steps after :meth:`Study.anonymise` read the anonymised register;
* every step writes through :func:`toolkit.io.staged_output` with the leak guard, so a step that would write a
  valid fødselsnummer or a value of a dropped column writes nothing at all;
* the key file and the contact list live outside ``results/`` (checked by the protocol).

A protocol without a ``privacy:`` section declares that ``data.register`` is *already* anonymised (it must
carry a ``pid`` column); that is how the notebooks run on the shipped ``anonymised_data/``.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from toolkit.errors import InputDataError, ProtocolError
from toolkit.io import (
    atomic_write_bytes,
    read_table,
    restrict_permissions,
    staged_output,
    write_csv,
)
from toolkit.protocol import Protocol

REPO_ROOT = Path(__file__).resolve().parents[1]

StepCallback = Callable[[str], None]


@dataclass
class StepRecord:
    """What one step did: its name, the folder it wrote, and a short summary line."""

    name: str
    output: Path
    summary: str = ""


@dataclass
class RunResult:
    """The outcome of :meth:`Study.run`: the steps that ran, the index and manifest paths."""

    steps: list[StepRecord] = field(default_factory=list)
    index: Path | None = None
    manifest: Path | None = None

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"step": s.name, "output": str(s.output), "summary": s.summary} for s in self.steps]
        )


class Study:
    """A study run from its protocol.

    >>> study = Study("protocols/demo.yml")          # doctest: +SKIP
    >>> study.anonymise(); mapping = study.phase1()   # doctest: +SKIP
    >>> mapping.tables["risk_factors"].head()         # doctest: +SKIP
    """

    def __init__(
        self,
        protocol: str | Path | Protocol,
        *,
        results: str | Path | None = None,
        restricted: str | Path | None = None,
    ):
        self.protocol = protocol if isinstance(protocol, Protocol) else Protocol.load(protocol)
        if results is not None:
            self.protocol.data.results = Path(results).resolve()
        # the review of the transcripts stays in the protocol's restricted folder when a re-run writes
        # elsewhere
        privacy = self.protocol.privacy
        self._review_home = privacy.restricted_dir if privacy is not None else None
        if restricted is not None and self.protocol.privacy is not None:
            self.protocol.privacy.restricted_dir = Path(restricted).resolve()
        self._register: pd.DataFrame | None = None
        self._forbidden: dict[str, pd.Series] | None = None
        self._guard = None
        self._raw: pd.DataFrame | None = None  # the raw register, read once by the check and reused
        self._anonymised_on_disk: pd.DataFrame | None = None  # without privacy: read once by the check
        self._checked = None
        self._input_hashes: Callable[[], dict[str, str]] | None = None  # started once the check passed
        self._pooled_deviance = None  # phase 2 on the pooled register: the regions step reuses its model
        self._phase2_helper = None  # started by phase2_helper() before the check reads the register
        self._phase3_data: tuple[pd.DataFrame | None, ...] | None = None  # read once for every region

    # ------------------------------------------------------------------------------------------ basics
    @property
    def results_dir(self) -> Path:
        return self.protocol.data.results

    @property
    def disclosure_policy(self):
        """The study's :class:`~toolkit.disclosure.DisclosurePolicy` (``min_cell`` from the protocol)."""
        from toolkit.disclosure import DisclosurePolicy

        return DisclosurePolicy(min_cell=self.protocol.min_cell)

    @property
    def seed(self) -> int:
        return self.protocol.seed

    @property
    def is_synthetic(self) -> bool:
        """True when the inputs say they are synthetic (the demo); reports then carry a banner."""
        register = next(iter(self.protocol.register_files().values()))
        for folder in {register.parent, register.parent.parent}:
            if (folder / "README.txt").exists() and "synthetic" in (folder / "README.txt").read_text(
                errors="ignore"
            ).lower():
                return True
        return "synth" in register.parent.name.lower() or "demo" in self.protocol.study

    def provenance(self) -> dict[str, Any]:
        """Protocol hash, data hashes, package versions and seed: shown in every report."""
        from toolkit.manifest import input_hashes, package_versions

        versions = package_versions()
        hashes = self._input_hashes() if self._input_hashes is not None else input_hashes(self.protocol)
        return {
            "study": self.protocol.study,
            "protocol hash (sha256)": self.protocol.content_hash,
            "seed": self.seed,
            **{f"input {k}": v[:16] for k, v in hashes.items()},
            "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
        }

    def labels(self):
        """Column and value labels for the reports (data dictionary, SPSS/Stata labels, municipality
        names)."""
        from toolkit.report.labels import labels_for

        if getattr(self, "_labels", None) is None:
            self._labels = labels_for(self.protocol)
            if self.protocol.coding is not None and self.protocol.coding.codebook.is_file():
                from toolkit.coding.codebook import load_codebook

                names = {code.id: code.name for code in load_codebook(self.protocol.coding.codebook)}
                for column in ("code_id", "code_a", "code_b", "closest_code"):
                    self._labels.values.setdefault(column, {}).update(names)
        return self._labels

    def new_report(self, title: str, *, region: str | None = None, drawer: Any = None):
        """An empty report with the study's provenance; ``region`` names the region a report is about,
        ``drawer`` the helper process that draws its figures (``None``: this process)."""
        from toolkit.report import Report
        from toolkit.report.translate import translate

        language = self.protocol.language
        where = f", region {region}" if region is not None else ""
        return Report(
            title=translate(title, language),
            subtitle=translate(f"Study {self.protocol.study}{where}", language),
            provenance=self.provenance(),
            synthetic=self.is_synthetic,
            language=language,
            labels=self.labels(),
            drawer=drawer,
        )

    @contextlib.contextmanager
    def _output(self, relative: str, *, clear: bool = True) -> Iterator[Path]:
        """Stage a step's outputs and move them under ``results/relative`` after the leak guard read them.

        The only way anything is written under ``results/``: every staged file passes the guard (tables that
        :meth:`_write_outputs` scanned in memory are recognised by their bytes and not parsed again).
        """
        with staged_output(self.results_dir / relative, guard=self.leak_guard(), clear=clear) as stage:
            yield stage

    def _guarded_in_place(self, relative: str, produce: Callable[[Path], Any]) -> Any:
        """For a step that writes its own folder: ``produce(results/relative)``, then every file through the
        guard.

        De-identification writes ``results/transcripts`` itself, because its run record (for ``pdtk review``)
        names that folder; staging it elsewhere would record a temporary path. So the guard reads the files
        where they were written, and if it refuses one (or ``produce`` fails), the folder is put back as it
        was.
        """
        final = self.results_dir / relative
        previous = final.with_name(f".{final.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        if final.exists():
            final.rename(previous)
        try:
            result = produce(final)
            guard = self.leak_guard()
            for file in sorted(p for p in final.rglob("*") if p.is_file()):
                guard(file, file)
        except BaseException:
            shutil.rmtree(final, ignore_errors=True)
            if previous.exists():
                previous.rename(final)
            raise
        shutil.rmtree(previous, ignore_errors=True)
        return result

    def _publish(
        self,
        relative: str,
        result: Any,
        report_title: str | None = None,
        *,
        region: str | None = None,
        drawer: Any = None,
    ) -> None:
        """Write a step result's :meth:`~toolkit.results.StepResult.outputs` and its report under
        ``results/``. The report is put together first: figures it hands to ``drawer`` (a helper process)
        are drawn there while the tables are written here."""
        with self._output(relative) as out:
            report = None
            if report_title is not None:
                report = self.new_report(report_title, region=region, drawer=drawer)
                result.add_to_report(report)
                if relative == "phase1" and (disclosure := self._disclosure_report()) is not None:
                    from toolkit.mapping import add_disclosure_section

                    add_disclosure_section(report, disclosure)
            self._write_outputs(out, relative, dict(result.outputs()))
            if report is not None:
                report.write(out / "report.html")

    def _write_outputs(self, out: Path, relative: str, outputs: dict[str, Any]) -> None:
        """Write outputs into the stage ``out``: tables are scanned by the guard while they are serialised."""
        from toolkit.results import as_bytes, table_serialiser

        guard = self.leak_guard()
        for name, content in outputs.items():
            if isinstance(content, pd.DataFrame):
                shown = self.results_dir / relative / name
                if name.endswith(".parquet"):  # converted once here; the guard then scans the Arrow columns
                    content = pa.Table.from_pandas(content, preserve_index=False)
                data = guard.serialise(content, table_serialiser(name), shown)
            else:
                data = as_bytes(name, content)
            atomic_write_bytes(out / name, data)

    def leak_guard(self):
        """The guard every output under results/ passes: valid fødselsnumre and dropped columns' values.

        Built once per study (indexing a million dropped values takes most of a second) and reused by every
        step.
        """
        from toolkit.disclosure import LeakGuard

        if self._guard is None:
            self._guard = LeakGuard(forbidden_values=self._forbidden_values(), policy=self.disclosure_policy)
        return self._guard

    def _forbidden_values(self, raw: pd.DataFrame | None = None) -> dict[str, pd.Series]:
        """The raw id column and dropped columns the guard searches for (from ``raw`` when already read)."""
        if self._forbidden is None:
            self._forbidden = {}
            privacy = self.protocol.privacy
            registers_exist = all(p.exists() for p in self.protocol.register_files().values())
            if privacy is not None and (raw is not None or registers_exist):
                raw = self._read_raw_register() if raw is None else raw
                for col in [privacy.id_column, *privacy.drop]:
                    if col in raw.columns:
                        self._forbidden[col] = raw[col]  # the guard drops missing values and dedups itself
        return self._forbidden

    # ------------------------------------------------------------------------------------------ check
    def check(self):
        """Check the protocol against the data before any step writes (see :mod:`toolkit.check`).

        Every step calls it first, so a misspelt outcome or an entirely missing risk factor stops the study
        before
        ``results/anonymised/`` is written. Raises :class:`toolkit.check.CheckFailed` (one line per problem);
        returns the :class:`~toolkit.check.CheckResult` (with its warnings) when the study can run.
        """
        from toolkit.check import check_study
        from toolkit.manifest import input_hashes_soon

        if self._checked is None:
            result = check_study(self.protocol, self._register_for_check)
            result.raise_if_failed()
            self._checked = result
            self._input_hashes = input_hashes_soon(self.protocol)  # for the reports, while the step works
        return self._checked

    def _register_for_check(self) -> pd.DataFrame:
        if self.protocol.privacy is not None:
            return self._read_raw_register()
        if self._anonymised_on_disk is None:  # kept for register(), so that a step reads the file once
            self._anonymised_on_disk = self._read_registers(["pid"])
        return self._anonymised_on_disk

    def _read_registers(self, text_columns: list[str]) -> pd.DataFrame:
        """The register file as it is on disk, or every region's register pooled with a ``region`` column.

        With ``region_column:`` the column is read as text (region codes are labels) and must name at least
        two regions. A single-region study does not import :mod:`toolkit.regions` (nor what it imports).
        """
        protocol = self.protocol
        label = protocol.source or Path("<protocol>")
        if protocol.regions is not None:
            from toolkit.regions import pool_registers

            frames = {r.name: read_table(r.register, text_columns=text_columns) for r in protocol.regions}
            return pool_registers(frames, column=protocol.region_key or "region", label=label)
        assert protocol.data.register is not None
        column = protocol.region_column
        frame = read_table(
            protocol.data.register, text_columns=[*text_columns, *([column] if column else [])]
        )
        if column is not None:
            from toolkit.regions import check_region_column

            check_region_column(frame, column, label)
        return frame

    def published_path(self, path: Path) -> str:
        """How a published file names an input: relative to the protocol's folder, never absolute."""
        import os

        base = self.protocol.source.parent if self.protocol.source else Path.cwd()
        try:
            return Path(os.path.relpath(Path(path).resolve(), base.resolve())).as_posix()
        except ValueError:  # another drive (Windows): the name alone
            return Path(path).name

    # ------------------------------------------------------------------------------------------ anonymise
    def _read_raw_register(self) -> pd.DataFrame:
        """The raw register, with identifiers, dropped columns and unit codes read as text.

        Codes such as kommune 3401 or a phone number are labels, not quantities: reading them as text keeps
        leading zeros and lets the leak guard compare them with what is written.
        """
        privacy = self.protocol.privacy
        assert privacy is not None
        if self._raw is None:
            self._raw = self._read_registers([privacy.id_column, *privacy.drop, *self.protocol.units])
        return self._raw

    def anonymise(self):
        """Pseudonymise, drop, generalise and k-anonymise the raw register → ``results/anonymised/``."""
        from toolkit.anonymise.pseudonym import load_or_create_key
        from toolkit.anonymise.tabular import anonymise_register
        from toolkit.disclosure import LeakGuard

        self.protocol.require("privacy", command="anonymise")
        self.check()
        privacy = self.protocol.privacy
        assert privacy is not None
        raw = self._read_raw_register()
        self._forbidden = None  # this run's raw register, already in memory, is what the guard must search
        self._guard = None
        self._forbidden_values(raw)
        key = load_or_create_key(privacy.key_file, forbidden_dirs=[self.results_dir, REPO_ROOT])
        source = ", ".join(self.published_path(p) for p in self.protocol.register_files().values())
        result = anonymise_register(raw, privacy, key, source=source)
        # the guard searches this run's raw register, already in memory
        self._guard = LeakGuard(forbidden_values=self._forbidden_values(raw), policy=self.disclosure_policy)
        self._publish("anonymised", result)
        self._register = None
        return result

    # ------------------------------------------------------------------------------------------ register
    def register(self) -> pd.DataFrame:
        """The anonymised register, restricted to the protocol's population.

        Reads ``results/anonymised/register.parquet`` (run :meth:`anonymise` first), or ``data.register``
        itself
        when the protocol has no privacy section (the register is then already anonymised).
        """
        if self._register is not None:
            return self._register
        if self.protocol.privacy is None:
            frame = (
                self._anonymised_on_disk
                if self._anonymised_on_disk is not None
                else self._read_registers(["pid"])
            )
            self._anonymised_on_disk = None  # register() keeps its own copy from here on
            if "pid" not in frame.columns:
                raise InputDataError(
                    "a protocol without 'privacy:' needs an already anonymised register with a 'pid' column",
                    file=next(iter(self.protocol.register_files().values())),
                    fix="add a 'privacy:' section so 'pdtk anonymise' can pseudonymise the register",
                )
        else:
            path = self.protocol.analysis_register_files()[0]
            if not path.exists():
                raise InputDataError(
                    "the anonymised register does not exist yet",
                    file=path,
                    fix=f"run 'pdtk anonymise {self.protocol.source}' first",
                )
            frame = pd.read_parquet(path)
        if self.protocol.population:
            try:
                frame = frame.query(self.protocol.population, engine="python")
            except Exception as exc:
                raise ProtocolError(
                    f"key 'population': the query cannot be applied ({type(exc).__name__}: {str(exc)[:80]})",
                    file=self.protocol.source,
                    fix='use a pandas query on the register\'s columns, e.g. "fodselsar >= 1996"',
                ) from None
            if frame.empty:
                raise ProtocolError(
                    "key 'population': no rows match the query",
                    file=self.protocol.source,
                    fix="widen the query",
                )
        self._register = frame.reset_index(drop=True)
        return self._register

    def _analysis_frame(self, command: str) -> pd.DataFrame:
        """The register for an analysis step, after checking the columns the protocol names and the
        outcome."""
        self.protocol.require("outcome", "risk_factors", command=command)
        self.check()
        frame = self.register()
        self._require_columns(frame, [self.protocol.outcome], "outcome")
        self._require_columns(frame, self.protocol.risk_factors, "risk_factors")
        self._require_columns(frame, self.protocol.units, "units")
        self._check_outcome(frame)
        return frame

    def _require_columns(self, frame: pd.DataFrame, columns: list[str], key: str) -> None:
        for col in columns:
            if col not in frame.columns:
                raise ProtocolError(
                    f"key '{key}': column '{col}' is not in the anonymised register",
                    file=self.protocol.source,
                    fix=f"use one of: {', '.join(map(str, list(frame.columns)[:12]))}",
                )

    def _check_outcome(self, frame: pd.DataFrame) -> None:
        outcome = self.protocol.outcome
        assert outcome is not None
        values = set(pd.unique(frame[outcome].dropna()))
        if not values <= {0, 1} or len(values) < 2:
            raise InputDataError(
                f"outcome '{outcome}' must be 0/1 with both values present (found {len(values)} distinct "
                f"values)",
                file=next(iter(self.protocol.register_files().values())),
                fix="recode the outcome so 1 = the good outcome and 0 = not",
            )

    # ------------------------------------------------------------------------------------------ phase 1
    def phase1(self):
        """Phase 1 mapping: prevalence of risk factors and outcome rates → ``results/phase1/``."""
        from toolkit.mapping import map_risk

        frame = self._analysis_frame("phase1")
        result = map_risk(
            frame,
            outcome=self.protocol.outcome,
            risk_factors=self.protocol.risk_factors,
            units=self.protocol.units,
            min_cell=self.protocol.min_cell,
        )
        self._publish("phase1", result, "Phase 1 — mapping (kartlegging)")
        return result

    def _disclosure_report(self) -> dict[str, Any] | None:
        import json

        path = self.results_dir / "anonymised" / "disclosure.json"
        return json.loads(path.read_text()) if path.exists() else None

    # ------------------------------------------------------------------------------------------ phase 2
    def phase2(self):
        """Phase 2: cross-fitted expectations, individual and unit deviants, profile, interview frame."""
        with self.phase2_helper() as helper:
            frame = self._analysis_frame("phase2")
            from toolkit.deviance.analysis import analyse_deviance

            result = analyse_deviance(
                frame,
                outcome=self.protocol.outcome,
                risk_factors=self.protocol.risk_factors,
                units=self.protocol.units,
                config=self.protocol.deviance,
                seed=self.seed,
                disclosure=self.disclosure_policy,
                helper=helper,
            )
            self._publish("phase2", result, "Phase 2 — positive deviance (positive avvik)", drawer=helper)
        self._pooled_deviance = result
        if self.protocol.privacy is not None:
            self._write_contact_list(result)
        return result

    @contextlib.contextmanager
    def phase2_helper(self, started: Any = None) -> Iterator[Any]:
        """Phase 2's helper process (:mod:`toolkit.deviance.helper`) for the block: ``started`` (one the
        caller started and will close), or one started now and closed on leaving the block.

        ``pdtk phase2`` starts it before it even imports this module and the check reads the register, so
        that the helper's imports run on the other core meanwhile; :meth:`phase2` opens this itself otherwise
        (inside an open block it uses that helper). Leaving the block with an error stops a helper started
        here at once.
        """
        if self._phase2_helper is not None:
            yield self._phase2_helper
            return
        from toolkit.deviance.helper import start_helper

        with (
            start_helper(self._expected_rows())
            if started is None
            else contextlib.nullcontext(started) as helper
        ):
            self._phase2_helper = helper
            try:
                yield helper
            finally:
                self._phase2_helper = None

    def _expected_rows(self) -> int:
        """About how many rows the register read for an analysis step has, before it is read."""
        if self._register is not None:
            return len(self._register)
        return self.protocol.approximate_register_rows()

    def _write_contact_list(self, result) -> Path:
        """Original ids of the interview sample, for the data controller only, in
        ``privacy.restricted_dir``."""
        from toolkit.anonymise.pseudonym import load_or_create_key, pseudonymise

        privacy = self.protocol.privacy
        assert privacy is not None
        raw = self._read_raw_register()
        key = load_or_create_key(privacy.key_file, forbidden_dirs=[self.results_dir, REPO_ROOT])
        link = pd.DataFrame(
            {
                privacy.id_column: raw[privacy.id_column].astype(str),
                "pid": pseudonymise(raw[privacy.id_column], key),
            }
        )
        frame = result.sampling_frame
        if "pd_score" not in frame.columns:
            frame = frame.merge(result.individuals[["pid", "pd_score"]], on="pid", how="left")
        contacts = link.merge(frame, on="pid", how="inner")
        columns = [privacy.id_column, "pid", "pd_score"] + [
            c for c in contacts.columns if c not in (privacy.id_column, "pid", "pd_score")
        ]
        # written straight into the private folder (0700 before the file appears), then every file there 0600
        restricted = privacy.restricted_dir
        restricted.mkdir(parents=True, exist_ok=True)
        restrict_permissions(restricted)
        path = write_csv(restricted / "contact_list.csv", contacts[columns])
        restrict_permissions(restricted)
        return path

    # ------------------------------------------------------------------------------------------ regions
    def regions(self):
        """Several regions: the comparison on the pooled model → ``results/regions/``, and phases 1–2 (and 3
        when its panel has the region column) for each region → ``results/regions/<region>/``.

        Region deviance reuses phase 2's pooled risk model (one model across regions); phase 2 runs first
        when this study has not run it yet. Each region's own phase 2 fits its own model: it asks which
        people and units stand out *within* the region, the comparison asks which region stands out.
        """
        from toolkit.regions import REGIONS_DIR, compare_regions, region_folder, split_regions

        key = self.protocol.region_key
        if key is None:
            raise ProtocolError(
                "'pdtk regions' needs 'regions:' or 'region_column:' in the protocol",
                file=self.protocol.source,
                fix="name one register per region, or the register column that holds the region",
            )
        frame = self._analysis_frame("regions")
        pooled = self._pooled_deviance if self._pooled_deviance is not None else self.phase2()
        comparison = compare_regions(
            frame,
            region_column=key,
            risk=pooled.risk,
            outcome=self.protocol.outcome,
            risk_factors=list(self.protocol.risk_factors),
            config=self.protocol.deviance,
            seed=self.seed,
            disclosure=self.disclosure_policy,
        )
        per_region = {
            name: self._region_phases(name, part) for name, part in split_regions(frame, key).items()
        }
        comparison.tables["per_region"] = self._per_region_table(per_region)
        self._publish(REGIONS_DIR, comparison, "Regions compared")
        for name, outputs in per_region.items():
            for phase, (result, title) in outputs.items():
                self._publish(f"{REGIONS_DIR}/{region_folder(name)}/{phase}", result, title, region=name)
        return comparison

    def _region_phases(self, name: str, part: pd.DataFrame) -> dict[str, tuple[Any, str]]:
        """Phases 1 and 2 (and 3 when configured per region) on one region's register, not yet published."""
        from toolkit.deviance.analysis import analyse_deviance
        from toolkit.mapping import map_risk

        p = self.protocol
        mapping = map_risk(
            part, outcome=p.outcome, risk_factors=p.risk_factors, units=p.units, min_cell=p.min_cell
        )
        deviance = analyse_deviance(
            part,
            outcome=p.outcome,
            risk_factors=p.risk_factors,
            units=p.units,
            config=p.deviance,
            seed=self.seed,
            disclosure=self.disclosure_policy,
        )
        phases = {
            "phase1": (mapping, "Phase 1 — mapping (kartlegging)"),
            "phase2": (deviance, "Phase 2 — positive deviance (positive avvik)"),
        }
        effect = self._region_phase3(name)
        if effect is not None:
            phases["phase3"] = (effect, "Phase 3 — effect of the new practice")
        return phases

    def _region_phase3(self, region: str):
        """Phase 3 on one region's rows of the phase 3 inputs that carry the region column (None: no input
        does, or the protocol has no phase 3)."""
        from toolkit.effect.analysis import analyse_effects

        cfg, key = self.protocol.phase3, self.protocol.region_key
        if cfg is None or key is None:
            return None
        if self._phase3_data is None:
            self._phase3_data = self._phase3_inputs()
        parts = [
            frame[frame[key].astype(str) == region].reset_index(drop=True)
            if frame is not None and key in frame.columns
            else None
            for frame in self._phase3_data
        ]
        if all(part is None for part in parts):
            return None
        panel, series, individuals = parts
        return analyse_effects(
            panel,
            config=cfg,
            series=series,
            individuals=individuals,
            min_cell=self.protocol.min_cell,
            seed=self.seed,
        )

    def _per_region_table(self, per_region: dict[str, dict[str, tuple[Any, str]]]) -> pd.DataFrame:
        """One row per region: its own phase 2 in one line (counts below min_cell are shown as '< k')."""
        rows = []
        for name, phases in per_region.items():
            deviance = phases["phase2"][0]
            deviants = self.disclosure_policy.shown_count(int(deviance.individuals["is_deviant"].sum()))
            flagged = deviance.units[deviance.units["flag"].fillna("") != ""]
            rows.append(
                {
                    "region": name,
                    "positive_deviants": str(deviants),
                    "units_flagged": "; ".join(
                        f"{r.unit_var}={r.unit} ({r.flag})" for r in flagged.itertuples()
                    )
                    or "",
                    "model": deviance.risk.model,
                    "phase3": phases["phase3"][0].summary_line() if "phase3" in phases else "",
                }
            )
        return pd.DataFrame(rows, columns=["region", "positive_deviants", "units_flagged", "model", "phase3"])

    # ------------------------------------------------------------------------------------------ transcripts
    def deidentify(self, in_dir: Path | None = None):
        """De-identify the protocol's transcripts → ``results/transcripts/``."""
        from toolkit.deidentify import deidentify_folder

        self.check()
        source = in_dir or self.protocol.data.transcripts
        if source is None:
            raise ProtocolError(
                "'pdtk deidentify' needs data.transcripts",
                file=self.protocol.source,
                fix="add data.transcripts",
            )
        restricted = self.protocol.privacy.restricted_dir if self.protocol.privacy is not None else None
        result = self._guarded_in_place(
            "transcripts",
            lambda target: deidentify_folder(
                Path(source),
                target,
                seed=self.seed,
                restricted_dir=restricted,
                deidentifier=self._deidentifier(),
            ),
        )
        if result.skipped:
            name, why = result.skipped[0]
            raise InputDataError(
                f"{len(result.skipped)} transcript(s) could not be de-identified (first: {name}: {why}); "
                f"the other {len(result.files)} were written",
                file=Path(source),
                fix="fix or remove the named file(s) and run again",
            )
        return result

    def _deidentifier(self):
        """The recognisers of the protocol's ``deidentify:`` section (None: the defaults). A review list in
        the
        restricted folder that does not exist yet (no review applied) is left out."""
        section = self.protocol.deidentify
        if section is None:
            return None
        from toolkit.deidentify import Deidentifier
        from toolkit.deidentify.registry import RecognizerRegistry, RegistryConfig

        def existing(path: Path | None) -> Path | None:
            return path if path is not None and path.is_file() else None

        config = RegistryConfig(
            disable=list(section.disable),
            deny_list=existing(section.deny_list),
            allow_list=existing(section.allow_list),
            ner_model=section.ner_model,
        )
        registry = RecognizerRegistry.default(config)
        return Deidentifier(seed=self.seed, spacy_model=section.ner_model, registry=registry)

    def _review_dir(self) -> Path | None:
        """Where ``pdtk review`` keeps its decisions: this run's restricted folder if a review is there, else
        the protocol's own (``pdtk reproduce`` re-runs with a temporary restricted folder)."""
        from toolkit.deidentify.review.state import REVIEW_FILE

        current = self.protocol.privacy.restricted_dir if self.protocol.privacy is not None else None
        if current is not None and (current / REVIEW_FILE).is_file():
            return current
        return self._review_home

    def _require_review(self, folder: Path) -> None:
        """``deidentify.require_review``: refuse transcripts that a reviewer has not cleared."""
        section = self.protocol.deidentify
        if section is None or not section.require_review:
            return
        from toolkit.deidentify.review import unreviewed

        problems = unreviewed(folder, self._review_dir())
        if problems:
            name, why = problems[0]
            raise InputDataError(
                f"deidentify.require_review: {len(problems)} transcript(s) not cleared by a review "
                f"(first: {name}: {why})",
                file=folder,
                fix=f"run 'pdtk review {folder} --protocol {self.protocol.source}', review and mark each "
                "transcript, apply, then run again",
            )

    def review_record(self) -> dict[str, Any] | None:
        """The transcript review for the manifest: per transcript who, when and how many changes (counts
        only)."""
        folder = self.results_dir / "transcripts"
        if self.protocol.privacy is None or not folder.is_dir():
            return None
        from toolkit.deidentify.review import manifest_record

        return manifest_record(self._review_dir(), folder)

    def deidentified_transcripts(self) -> Path:
        """Folder of de-identified transcripts: results/transcripts when the study de-identified them,
        else data.transcripts (a protocol without privacy declares its transcripts de-identified already)."""
        produced = self.results_dir / "transcripts"
        if produced.is_dir():
            return produced
        if self.protocol.privacy is None and self.protocol.data.transcripts is not None:
            return self.protocol.data.transcripts
        raise InputDataError(
            "no de-identified transcripts yet",
            file=produced,
            fix=f"run 'pdtk run {self.protocol.source}' or 'pdtk deidentify' first",
        )

    def autocode(self):
        """Code the de-identified transcripts with the protocol's codebook → ``results/coding/``."""
        from toolkit.coding.run import autocode_folder

        self.protocol.require("coding", command="autocode")
        self.check()
        coding = self.protocol.coding
        assert coding is not None
        groups = read_table(self.protocol.data.groups) if self.protocol.data.groups is not None else None
        self._require_review(self.deidentified_transcripts())
        # coding stages its own files (segments.csv, project.qdpx, …) in this stage: they pass the guard too
        with self._output("coding") as out:
            result = autocode_folder(
                self.deidentified_transcripts(),
                coding.codebook,
                out,
                unit=coding.unit,
                groups=groups,
                hand_coded=coding.hand_coded,
                actor_review=coding.actor_review,
                min_cell=self.protocol.min_cell,
                seed=self.seed,
                synthetic=self.is_synthetic,
                actor_extensions=coding.actors_extra,
                language=self.protocol.language,
            )
            report = self.new_report("Interview coding — themes for service design")
            result.add_to_report(report)
            report.add_html(
                '<p><a href="insight_cards.html">Insight cards for the workshop</a> · '
                '<a href="project.qdpx">REFI-QDA project (NVivo, ATLAS.ti, MAXQDA)</a></p>'
            )
            report.write(out / "report.html")
        result.out_dir = self.results_dir / "coding"  # the files were staged; name where they are now
        result.files = {name: result.out_dir / name for name in result.files}
        return result

    # ------------------------------------------------------------------------------------------ phase 3
    def phase3(self):
        """Phase 3: effect of the implemented practice at individual, unit and region level →
        ``results/phase3/``."""
        from toolkit.effect.analysis import analyse_effects

        self.protocol.require("phase3", command="phase3")
        self.check()
        cfg = self.protocol.phase3
        assert cfg is not None
        panel, series, individuals = self._phase3_inputs()
        result = analyse_effects(
            panel,
            config=cfg,
            series=series,
            individuals=individuals,
            min_cell=self.protocol.min_cell,
            seed=self.seed,
        )
        self._publish("phase3", result, "Phase 3 — effect of the new practice")
        return result

    def _phase3_inputs(self) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
        """Phase 3's panel, series and individuals as the protocol names them (None where it names none)."""
        cfg = self.protocol.phase3
        assert cfg is not None
        region = [self.protocol.region_key] if self.protocol.region_key else []
        panel = read_table(cfg.panel, text_columns=[cfg.unit, *region]) if cfg.panel is not None else None
        series = (
            read_table(cfg.series, text_columns=[*([cfg.series_unit] if cfg.series_unit else []), *region])
            if cfg.series is not None
            else None
        )
        individuals = (
            read_table(cfg.individuals, text_columns=region) if cfg.individuals is not None else None
        )
        if panel is None and series is None and individuals is None:
            raise ProtocolError(
                "'phase3:' names no data (panel, series or individuals)",
                file=self.protocol.source,
                fix="add phase3.panel",
            )
        return panel, series, individuals

    # ------------------------------------------------------------------------------------------ everything
    def steps(self) -> list[tuple[str, Callable[[], Any]]]:
        """The steps this protocol configures, in order."""
        p = self.protocol
        plan: list[tuple[str, Callable[[], Any]]] = []
        if p.privacy is not None:
            plan.append(("anonymise", self.anonymise))
        if p.outcome and p.risk_factors:
            plan.append(("phase1", self.phase1))
            plan.append(("phase2", self.phase2))
            if p.has_regions:
                plan.append(("regions", self.regions))
        if p.data.transcripts is not None:
            if p.privacy is not None:
                plan.append(("deidentify", self.deidentify))
            if p.coding is not None:
                plan.append(("autocode", self.autocode))
        if p.phase3 is not None:
            plan.append(("phase3", self.phase3))
        return plan

    def run(
        self, *, on_step: StepCallback | None = None, on_done: Callable[[StepRecord], None] | None = None
    ) -> RunResult:
        """Run every configured step, then write ``results/index.html`` and ``results/manifest.json``.

        ``on_step(name)`` is called as a step starts and ``on_done(record)`` as it ends (the CLI prints one
        line).
        """
        from toolkit.manifest import write_index, write_manifest

        self.check()
        run = RunResult()
        for name, step in self.steps():
            if on_step:
                on_step(name)
            result = step()
            summary = result.summary_line()
            run.steps.append(StepRecord(name, self.results_dir / _STEP_DIRS.get(name, name), summary))
            if on_done:
                on_done(run.steps[-1])
        if on_step:
            on_step("index")
        with self._output(".", clear=False) as out:  # the index and the manifest pass the guard too
            write_index(self, run, out)
        with self._output(".", clear=False) as out:  # after the index: the manifest records its hash
            write_manifest(self, run, out)
        run.index, run.manifest = self.results_dir / "index.html", self.results_dir / "manifest.json"
        return run

    def clean(self) -> None:
        """Remove this study's results folder (never the key or the restricted folder)."""
        if self.results_dir.exists():
            shutil.rmtree(self.results_dir)


_STEP_DIRS = {"deidentify": "transcripts", "autocode": "coding"}
