"""The study protocol: one YAML file that fixes data, privacy rules, outcome, risk factors and thresholds.

The protocol is the contract of ``DESIGN.md``. It is loaded into pydantic models that forbid unknown keys, so
a
typo (``risk_factor:``) is an error naming the key and the file instead of a silently ignored setting. Paths
are resolved relative to the protocol file. :attr:`Protocol.content_hash` identifies the exact protocol a
result came from (it is recorded in every manifest and report).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from toolkit.errors import ProtocolError
from toolkit.files import approximate_rows, is_within

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_æøåÆØÅ]*$")
_REGION_NAME = re.compile(r"[A-Za-z0-9æøåÆØÅ][A-Za-z0-9_\-æøåÆØÅ]*")
REGION_COLUMN = "region"
"""The column that holds the region when ``regions:`` lists one register per region (added on reading)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True)


import warnings  # noqa: E402

# pydantic warns that a field called "register" shadows a BaseModel attribute name; it is the contract's key.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class DataSection(_Strict):
    """Where the inputs are and where all outputs go."""

    register: Path | None = Field(
        default=None,
        description="raw (or already anonymised) register: csv / parquet / sav / dta / xlsx; absent only "
        "when 'regions:' names one register per region",
    )
    transcripts: Path | None = Field(
        default=None, description="folder of interview transcripts (.txt/.docx/.vtt)"
    )
    results: Path = Field(description="every output goes below this folder")
    groups: Path | None = Field(default=None, description="optional CSV mapping transcript file → group")


QuasiRule = Literal["year", "month", "keep", "drop", "municipality", "region"] | list[float]


class PrivacySection(_Strict):
    """How the register is pseudonymised, reduced and released."""

    id_column: str = Field(description="direct identifier, replaced by the keyed pseudonym column 'pid'")
    drop: list[str] = Field(default_factory=list, description="other direct identifiers: removed")
    quasi_identifiers: dict[str, QuasiRule] = Field(default_factory=dict)
    sensitive: list[str] = Field(default_factory=list, description="columns checked for l-diversity")
    k: Annotated[int, Field(ge=2, le=100)] = 5
    l_diversity: Annotated[int, Field(ge=1, le=20)] = 2
    min_cell: Annotated[int, Field(ge=1, le=100)] = 5
    key_file: Path
    restricted_dir: Path
    invalid_ids: Literal["stop", "report"] = Field(
        default="stop", description="invalid or duplicated identity numbers: stop the run, or count and go on"
    )
    max_suppressed_share: Annotated[float, Field(ge=0, le=1)] = 0.05

    @model_validator(mode="after")
    def _disjoint(self) -> PrivacySection:
        overlap = set(self.drop) & set(self.quasi_identifiers)
        if overlap:
            raise ValueError(f"column '{sorted(overlap)[0]}' is both in drop and quasi_identifiers")
        if self.id_column in self.drop or self.id_column in self.quasi_identifiers:
            raise ValueError(
                f"id_column '{self.id_column}' must not also be listed in drop or quasi_identifiers"
            )
        return self


class DevianceSection(_Strict):
    """Phase 2 settings. Defaults follow the data-powered positive deviance handbook."""

    model: Literal["auto", "logit", "boosting"] = "auto"
    folds: Annotated[int, Field(ge=2, le=20)] = 5
    high_risk_quantile: Annotated[float, Field(gt=0, lt=1)] = 0.75
    unit_limit: Annotated[float, Field(gt=0.5, lt=1)] = 0.998
    rule: Literal["score", "top_share", "two_sd"] = "score"
    score_threshold: Annotated[float, Field(gt=0)] = 2.0
    top_share: Annotated[float, Field(gt=0, lt=1)] = 0.1
    stability_seeds: Annotated[int, Field(ge=1, le=100)] = 5
    min_unit_size: Annotated[int, Field(ge=1)] = 20
    timing: dict[str, Literal["before", "after"]] = Field(
        default_factory=dict, description="when each risk factor was measured relative to the outcome"
    )
    characterise: list[str] = Field(default_factory=list, description="columns used to profile deviants")
    exact_match: list[str] = Field(default_factory=list)
    interview_deviants: Annotated[int, Field(ge=1)] = 30
    interview_comparisons: Annotated[int, Field(ge=1)] = 100
    cohort: str | None = Field(
        default=None, description="column of cohorts (e.g. birth year) for persistence"
    )


class CodingSection(_Strict):
    """Interview coding settings."""

    codebook: Path
    unit: Literal["turn", "sentence"] = "turn"
    hand_coded: Path | None = None
    actor_review: Path | None = Field(
        default=None,
        description="actor_review.csv from the actor view of 'pdtk code-review' (in the restricted folder): "
        "the reviewer's actor mentions and tones replace the extractor's",
    )
    actors_extra: list[Path] = Field(
        default_factory=list,
        description="study extensions of the actor vocabulary (protocols/actors_nb.yml): YAML files adding "
        "forms to its ids, or new ids declared with 'new: true'",
    )

    @field_validator("actors_extra", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """One file may be written without a list."""
        return [value] if isinstance(value, str | Path) else value


class Phase3Section(_Strict):
    """Phase 3 effect measurement (see issue on effect measurement): a panel and what was adopted when."""

    panel: Path | None = None
    unit: str = "kommune"
    period: str = "aar"
    outcome: str = "andel_neet"
    treated_from: str = "innfort_fra"
    weight: str | None = "n"
    individuals: Path | None = None
    treatment: str | None = None
    individual_outcome: str | None = None
    covariates: list[str] = Field(default_factory=list)
    series: Path | None = None
    series_unit: str | None = None
    series_time: str = "maaned"
    series_outcome: str = "antall"
    interruption: str | None = None


class ReportSection(_Strict):
    """How the reports speak: their language and the labels of the register's columns."""

    language: Literal["nb", "en"] = Field(default="en", description="nb: Norwegian bokmål; en: English")
    dictionary: Path | None = Field(
        default=None, description="CSV with columns column,label,description naming each register column"
    )


class DeidentifySection(_Strict):
    """Transcript de-identification: the recognisers (``RegistryConfig``) and whether a human review is
    required.

    ``allow_list``/``deny_list`` are usually the lists ``pdtk review --apply`` writes into the restricted
    folder
    (``review_allow_list.txt``, ``review_deny_list.txt``); lists there may be missing before the first
    review."""

    require_review: bool = Field(
        default=False, description="pdtk run/autocode refuse transcripts not reviewed with 'pdtk review'"
    )
    allow_list: Path | None = Field(default=None, description="strings that are not identifiers, one a line")
    deny_list: Path | None = Field(default=None, description="TYPE<TAB>string (or string = PERSON) a line")
    disable: list[str] = Field(default_factory=list, description="recognisers switched off, by name")
    ner_model: str | None = Field(default="auto", description="'auto', none, or a spaCy pipeline name/folder")


class RegionSource(_Strict):
    """One region of a multi-region study and its own register (the ``regions:`` list form)."""

    name: str = Field(description="region name: letters, digits, '-' or '_' (it names a results folder)")
    register: Path = Field(description="this region's register, in the same layout as the others")

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        if not _REGION_NAME.fullmatch(value):
            raise ValueError(f"region name '{value}' may hold letters, digits, '-' and '_' only")
        return value


class Protocol(_Strict):
    """A whole study protocol. Build with :meth:`Protocol.load`."""

    study: str
    seed: int = 2021
    data: DataSection
    privacy: PrivacySection | None = None
    population: str | None = None
    outcome: str | None = None
    risk_factors: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)
    deviance: DevianceSection = Field(default_factory=DevianceSection)
    coding: CodingSection | None = None
    phase3: Phase3Section | None = None
    report: ReportSection | None = None
    deidentify: DeidentifySection | None = None
    regions: list[RegionSource] | None = Field(
        default=None, description="several regions, one register each (instead of data.register)"
    )
    region_column: str | None = Field(
        default=None, description="several regions in one register: the column that names the region"
    )

    # not part of the YAML: filled by load()
    source: Path | None = Field(default=None, exclude=True)
    content_hash: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _review_needs_privacy(self) -> Protocol:
        if self.deidentify is not None and self.deidentify.require_review and self.privacy is None:
            raise ValueError(
                "key 'deidentify.require_review' needs a 'privacy:' section (the review lives in its "
                "restricted_dir)"
            )
        return self

    @model_validator(mode="after")
    def _one_register_form(self) -> Protocol:
        """Exactly one way of naming the data: data.register (with or without region_column) or regions."""
        if self.regions is None:
            if self.data.register is None:
                raise ValueError("missing key 'data.register' (or 'regions:' with one register per region)")
            return self
        if self.data.register is not None:
            raise ValueError("give either 'data.register' or 'regions:' (one register per region), not both")
        if self.region_column is not None:
            raise ValueError(
                "'region_column' names a column of data.register; with 'regions:' the region comes from the "
                "list (remove one of them)"
            )
        _check_region_names([r.name for r in self.regions])
        return self

    @model_validator(mode="after")
    def _region_column_survives(self) -> Protocol:
        """The region column must reach the anonymised register: not an identifier, not dropped, not a unit
        or the outcome (regions are compared on the outcome, one level above the units)."""
        column = self.region_column
        if column is None:
            return self
        if not _NAME.match(column):
            raise ValueError(f"region_column '{column}' is not a column name")
        privacy = self.privacy
        if privacy is not None and (
            column == privacy.id_column
            or column in privacy.drop
            or privacy.quasi_identifiers.get(column) == "drop"
        ):
            raise ValueError(
                f"region_column '{column}' is removed by the privacy section before any analysis"
            )
        if column in self.units or column == self.outcome or column in self.risk_factors:
            raise ValueError(
                f"region_column '{column}' is also the outcome, a risk factor or a unit; regions are "
                "compared one level above the units"
            )
        return self

    @field_validator("study")
    @classmethod
    def _study_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", value):
            raise ValueError("use letters, digits, '-', '_' or '.' only")
        return value

    @field_validator("risk_factors", "units")
    @classmethod
    def _columns(cls, value: list[str]) -> list[str]:
        for name in value:
            if not _NAME.match(name):
                raise ValueError(f"'{name}' is not a column name")
        if len(set(value)) != len(value):
            raise ValueError("a column is listed twice")
        return value

    # ----------------------------------------------------------------------------------- loading
    @classmethod
    def load(cls, path: str | Path, *, check_files: bool = True) -> Protocol:
        """Read, validate and resolve a protocol file.

        Every problem is a :class:`ProtocolError` whose one line names the key and the file.
        """
        path = Path(path).expanduser()
        if not path.is_file():
            raise ProtocolError("protocol file not found", file=path, fix="give the path to a .yml protocol")
        raw_bytes = path.read_bytes()
        try:
            raw = yaml.safe_load(raw_bytes.decode("utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
            problem = getattr(exc, "problem", None)
            raise ProtocolError(
                f"not valid YAML{line}" + (f" ({problem})" if problem else ""),
                file=path,
                fix="check indentation, colons and quotes on that line",
            ) from None
        if not isinstance(raw, dict):
            raise ProtocolError(
                "the protocol must be a mapping of keys", file=path, fix="see protocols/demo.yml"
            )
        return cls.from_dict(raw, base_dir=path.parent, source=path, check_files=check_files)

    @classmethod
    def from_dict(
        cls,
        raw: dict[str, Any],
        *,
        base_dir: str | Path = ".",
        source: Path | None = None,
        check_files: bool = True,
    ) -> Protocol:
        """Validate a protocol given as a dict (e.g. built in a notebook); paths resolve against
        ``base_dir``."""
        label = source or Path("<protocol>")
        try:
            protocol = cls.model_validate(raw)
        except ValidationError as exc:
            message, fix = _explain(exc)
            raise ProtocolError(message, file=label, fix=fix) from None
        protocol.source = Path(source).resolve() if source else None
        # Hash the validated protocol (defaults filled in, paths as written) so that a default left out of the
        # file is still fixed by the hash, while comments, key order and the machine's folders are not.
        protocol.content_hash = _content_hash(_hashed_fields(protocol.model_dump(mode="json")))
        protocol._resolve(Path(base_dir))
        if check_files:
            protocol._check_files(label)
        return protocol

    def _resolve(self, base: Path) -> None:
        def resolve(p: Path | None) -> Path | None:
            if p is None:
                return None
            p = Path(p).expanduser()
            return (p if p.is_absolute() else base / p).resolve()

        self.data.register = resolve(self.data.register)
        for region in self.regions or []:
            region.register = resolve(region.register)
        self.data.transcripts = resolve(self.data.transcripts)
        self.data.results = resolve(self.data.results)
        self.data.groups = resolve(self.data.groups)
        if self.privacy is not None:
            self.privacy.key_file = resolve(self.privacy.key_file)
            self.privacy.restricted_dir = resolve(self.privacy.restricted_dir)
        if self.coding is not None:
            self.coding.codebook = resolve(self.coding.codebook)
            self.coding.hand_coded = resolve(self.coding.hand_coded)
            self.coding.actor_review = resolve(self.coding.actor_review)
            self.coding.actors_extra = [p for p in map(resolve, self.coding.actors_extra) if p is not None]
        if self.phase3 is not None:
            for field in ("panel", "individuals", "series"):
                setattr(self.phase3, field, resolve(getattr(self.phase3, field)))
        if self.report is not None:
            self.report.dictionary = resolve(self.report.dictionary)
        if self.deidentify is not None:
            self.deidentify.allow_list = resolve(self.deidentify.allow_list)
            self.deidentify.deny_list = resolve(self.deidentify.deny_list)

    def _check_files(self, label: Path) -> None:
        checks = [(key, path, "file") for key, path in self.register_files().items()]
        if self.data.transcripts is not None:
            checks.append(("data.transcripts", self.data.transcripts, "dir"))
        if self.data.groups is not None:
            checks.append(("data.groups", self.data.groups, "file"))
        if self.coding is not None:
            checks.append(("coding.codebook", self.coding.codebook, "file"))
            if self.coding.hand_coded is not None:
                checks.append(("coding.hand_coded", self.coding.hand_coded, "file"))
            if self.coding.actor_review is not None:
                checks.append(("coding.actor_review", self.coding.actor_review, "file"))
            checks += [("coding.actors_extra", extra, "file") for extra in self.coding.actors_extra]
        if self.phase3 is not None:
            for field in ("panel", "individuals", "series"):
                value = getattr(self.phase3, field)
                if value is not None:
                    checks.append((f"phase3.{field}", value, "file"))
        if self.report is not None and self.report.dictionary is not None:
            checks.append(("report.dictionary", self.report.dictionary, "file"))
        for key, value, kind in checks:
            _check_input_path(key, value, kind, label)
        self._check_deidentify(label)
        if self.privacy is not None:
            results = self.data.results
            for key, value in (
                ("privacy.key_file", self.privacy.key_file),
                ("privacy.restricted_dir", self.privacy.restricted_dir),
            ):
                if is_within(value, results):
                    raise ProtocolError(
                        f"key '{key}' lies under data.results ({results})",
                        file=label,
                        fix="keep keys and contact lists outside results/, e.g. ../restricted/",
                    )

    def _check_deidentify(self, label: Path) -> None:
        """Review lists name people: never under results/; they must exist unless the review writes them."""
        section = self.deidentify
        if section is None:
            return
        restricted = self.privacy.restricted_dir if self.privacy is not None else None
        for key in ("allow_list", "deny_list"):
            value = getattr(section, key)
            if value is None:
                continue
            if is_within(value, self.data.results):
                raise ProtocolError(
                    f"key 'deidentify.{key}' lies under data.results ({self.data.results})",
                    file=label,
                    fix="keep the lists in the restricted folder, e.g. ../restricted/review_allow_list.txt",
                )
            if not (restricted is not None and is_within(value, restricted)):
                _check_input_path(f"deidentify.{key}", value, "file", label)

    # ----------------------------------------------------------------------------------- requirements
    def require(self, *sections: str, command: str) -> None:
        """Fail with a clear message when ``command`` needs a section the protocol lacks."""
        for section in sections:
            value = getattr(self, section)
            if value is None or value == []:
                label = self.source or "<protocol>"
                raise ProtocolError(
                    f"'pdtk {command}' needs the '{section}:' section, which this protocol does not have",
                    file=label,
                    fix=f"add '{section}:' (see protocols/demo.yml)",
                )

    # ----------------------------------------------------------------------------------- regions
    @property
    def has_regions(self) -> bool:
        """True when the study compares several regions (``regions:`` or ``region_column:``)."""
        return self.regions is not None or self.region_column is not None

    @property
    def region_key(self) -> str | None:
        """The register column that holds the region (``region`` for the list form), or None."""
        if self.regions is not None:
            return REGION_COLUMN
        return self.region_column

    def register_files(self) -> dict[str, Path]:
        """Every register file the protocol names, by its key (``regions.<name>.register`` for the list)."""
        if self.regions is not None:
            return {f"regions.{r.name}.register": r.register for r in self.regions}
        assert self.data.register is not None
        return {"data.register": self.data.register}

    def analysis_register_files(self) -> list[Path]:
        """The files an analysis step reads the register from: the anonymised register ``pdtk anonymise``
        writes under ``results/`` when the protocol has a privacy section, else the register files."""
        if self.privacy is not None:
            return [self.data.results / "anonymised" / "register.parquet"]
        return list(self.register_files().values())

    def approximate_register_rows(self) -> int:
        """About how many rows the register an analysis step reads has, from its files alone, without reading
        it (0 when that cannot be told: :func:`toolkit.files.approximate_rows`)."""
        return sum(approximate_rows(path) for path in self.analysis_register_files())

    @property
    def register_label(self) -> str:
        """How messages name the register: its file name, or the regions' names."""
        if self.regions is not None:
            return "regions " + ", ".join(r.name for r in self.regions)
        assert self.data.register is not None
        return self.data.register.name

    @property
    def results_dir(self) -> Path:
        return self.data.results

    @property
    def language(self) -> str:
        """Language of the reports: 'nb' or 'en' (English when the protocol has no 'report:' section)."""
        return self.report.language if self.report is not None else "en"

    @property
    def min_cell(self) -> int:
        """Smallest count a published table may show (default 5 when there is no privacy section)."""
        return self.privacy.min_cell if self.privacy is not None else 5

    def to_yaml_dict(self) -> dict[str, Any]:
        """The protocol as a plain dict (paths as strings), for reports and manifests."""
        return json.loads(self.model_dump_json(exclude_none=True))


def _check_input_path(key: str, value: Path, kind: str, label: Path) -> None:
    """One input named by the protocol: it exists, is the right kind (file or folder), and can be read."""
    import os

    what = "folder" if kind == "dir" else "file"
    if not value.exists():
        raise ProtocolError(
            f"key '{key}': {what} {value} not found",
            file=label,
            fix="paths are relative to the protocol file; create the data (e.g. 'pdtk synth') or correct the "
            "path",
        )
    if kind == "file" and value.is_dir():
        raise ProtocolError(
            f"key '{key}': {value} is a folder, not a file",
            file=label,
            fix=f"name the data file inside it (e.g. {value.name}/register.csv)",
        )
    if kind == "dir" and not value.is_dir():
        raise ProtocolError(
            f"key '{key}': {value} is a file, not a folder",
            file=label,
            fix="name the folder that holds the files",
        )
    needed = os.R_OK | (os.X_OK if kind == "dir" else 0)
    if not os.access(value, needed):
        raise ProtocolError(
            f"key '{key}': {what} {value} cannot be read (permission denied)",
            file=label,
            fix=f"give your user read access (chmod u+r{'x' if kind == 'dir' else ''} {value}) or copy it",
        )


def _check_region_names(names: list[str]) -> None:
    """Region names: at least two, each once (case-insensitively: they name folders)."""
    if len(names) < 2:
        raise ValueError(
            f"'regions:' names {len(names)} region; a comparison needs at least two (for one region, give "
            "data.register and leave 'regions:' out)"
        )
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValueError(f"region name '{name}' is given twice in 'regions:'")
        seen.add(name.casefold())


def _hashed_fields(dumped: dict[str, Any]) -> dict[str, Any]:
    """The dumped protocol without region keys it does not use: a single-region protocol keeps the hash it
    had before regions existed (its manifests and reports stay byte-identical)."""
    return {k: v for k, v in dumped.items() if not (k in ("regions", "region_column") and v is None)}


def _content_hash(raw: dict[str, Any]) -> str:
    """SHA-256 of the validated protocol as canonical JSON: independent of comments and key order."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _explain(exc: ValidationError) -> tuple[str, str]:
    """Turn pydantic's error list into one line naming the key, and the fix."""
    err = exc.errors()[0]
    loc = ".".join(
        str(p)
        for p in err["loc"]
        if not (isinstance(p, str) and p.startswith(("function-", "literal[", "list[")))
    )
    kind = err["type"]
    if kind == "extra_forbidden":
        hint = _did_you_mean(err["loc"])
        fix = (
            "rename the key as suggested" if "did you mean" in hint else "remove the key or correct its name"
        )
        return f"unknown key '{loc}'" + hint, fix
    if kind == "missing":
        return f"missing key '{loc}'", f"add '{loc}:' (see protocols/demo.yml)"
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = (
        f" (got {value!r})"
        if isinstance(value, int | float | bool) or (isinstance(value, str) and len(value) < 40)
        else ""
    )
    fix = "correct the value (protocols/demo.yml shows every key with a valid value)"
    return (f"key '{loc}': {msg}{shown}" if loc else msg), fix


def _did_you_mean(loc: tuple[Any, ...]) -> str:
    """ " (did you mean 'risk_factors'?)" for an unknown key close to a key the section allows."""
    import difflib

    model: Any = Protocol
    for part in loc[:-1]:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return ""
        candidates = [field.annotation, *getattr(field.annotation, "__args__", ())]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return ""
    allowed = [name for name, f in model.model_fields.items() if not f.exclude]
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (allowed here: {', '.join(allowed)})"
