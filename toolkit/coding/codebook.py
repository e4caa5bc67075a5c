"""The codebook: themes a transcript is coded into, loaded from YAML and validated.

Format (the contract in DESIGN.md)::

    name: ungt-utenforskap
    language: nb
    codes:
      - id: relasjoner                 # [a-z0-9_]+, stable
        name: Relasjoner og trygge voksne
        description: One sentence a human coder can apply.
        parent: null                   # id of a parent code, for hierarchies
        keywords: [trygg voksen, stole på, veileder]   # base forms; matched on lemmas, inflections, compounds
        patterns: []                   # optional regular expressions on the raw text

Validation is strict because a codebook is shared between coders and machines: unknown keys, duplicate ids,
parents that do not exist, parent cycles, empty keyword strings and regular expressions that do not compile
are errors that name the code and say how to fix it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from toolkit.errors import ProtocolError

ID_RE = re.compile(r"^[a-z0-9_]+$")
_CODE_KEYS = {"id", "name", "description", "parent", "keywords", "patterns"}
_TOP_KEYS = {"name", "language", "description", "codes"}


@dataclass(frozen=True)
class Code:
    """One theme of the codebook."""

    id: str
    name: str
    description: str = ""
    parent: str | None = None
    keywords: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def compiled_patterns(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.patterns]


@dataclass
class Codebook:
    """A validated codebook: codes in file order, with hierarchy helpers."""

    name: str
    codes: list[Code]
    language: str = "nb"
    description: str = ""
    path: Path | None = None
    _by_id: dict[str, Code] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {c.id: c for c in self.codes}

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self):
        return iter(self.codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    def __getitem__(self, code_id: str) -> Code:
        return self._by_id[code_id]

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def children(self, code_id: str | None) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    def ancestors(self, code_id: str) -> list[str]:
        out, current = [], self._by_id[code_id].parent
        while current is not None:
            out.append(current)
            current = self._by_id[current].parent
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per code: id, name, parent, description, keywords (``; ``-joined), patterns."""
        return pd.DataFrame(
            [
                {
                    "code_id": c.id,
                    "name": c.name,
                    "parent": c.parent or "",
                    "description": c.description,
                    "keywords": "; ".join(c.keywords),
                    "patterns": "; ".join(c.patterns),
                }
                for c in self.codes
            ]
        )

    @classmethod
    def from_dict(cls, data: object, *, source: str | Path = "<codebook>") -> Codebook:
        """Validate a parsed YAML mapping; every error names the code and the fix."""
        if not isinstance(data, dict):
            raise ProtocolError(
                "the codebook must be a mapping with 'name' and 'codes'",
                file=source,
                fix="start the file with 'name:' and 'codes:'",
            )
        unknown = sorted(set(data) - _TOP_KEYS)
        if unknown:
            raise ProtocolError(
                f"unknown key '{unknown[0]}' at the top of the codebook",
                file=source,
                fix=f"use only {sorted(_TOP_KEYS)}",
            )
        raw_codes = data.get("codes")
        if not isinstance(raw_codes, list) or not raw_codes:
            raise ProtocolError(
                "the codebook has no 'codes' list", file=source, fix="add a list of codes under 'codes:'"
            )
        codes: list[Code] = []
        seen: set[str] = set()
        for number, raw in enumerate(raw_codes, start=1):
            codes.append(_parse_code(raw, number, seen, source))
            seen.add(codes[-1].id)
        ids = {c.id for c in codes}
        for code in codes:
            if code.parent is not None and code.parent not in ids:
                raise ProtocolError(
                    f"code '{code.id}' has parent '{code.parent}', which is not a code",
                    file=source,
                    fix="use the id of another code, or null",
                )
        parents = {c.id: c.parent for c in codes}
        for code in codes:
            chain, current = {code.id}, code.parent
            while current is not None:
                if current in chain:
                    raise ProtocolError(
                        f"code '{code.id}' is its own ancestor (a parent cycle)",
                        file=source,
                        fix="remove one 'parent' link in the cycle",
                    )
                chain.add(current)
                current = parents[current]
        return cls(
            name=str(data.get("name") or Path(str(source)).stem),
            codes=codes,
            language=str(data.get("language") or "nb"),
            description=str(data.get("description") or ""),
            path=Path(source) if not str(source).startswith("<") else None,
        )


def _parse_code(raw: object, number: int, seen: set[str], source: str | Path) -> Code:
    where = f"code number {number}"
    if not isinstance(raw, dict):
        raise ProtocolError(
            f"{where} is not a mapping", file=source, fix="write each code as 'id:', 'name:' ... keys"
        )
    code_id = raw.get("id")
    if not isinstance(code_id, str) or not ID_RE.match(code_id):
        raise ProtocolError(
            f"{where} has id {code_id!r}, which is not [a-z0-9_]+",
            file=source,
            fix="use lower-case letters, digits and '_' only, e.g. psykisk_helse",
        )
    where = f"code '{code_id}'"
    if code_id in seen:
        raise ProtocolError(f"{where} appears twice", file=source, fix="give every code a unique id")
    unknown = sorted(set(raw) - _CODE_KEYS)
    if unknown:
        raise ProtocolError(
            f"{where} has unknown key '{unknown[0]}'", file=source, fix=f"use only {sorted(_CODE_KEYS)}"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProtocolError(f"{where} has no name", file=source, fix="add 'name:' with a short title")
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise ProtocolError(
            f"{where} has a parent that is not an id", file=source, fix="write the parent's id or null"
        )
    if parent == code_id:
        raise ProtocolError(f"{where} is its own parent", file=source, fix="use another code's id or null")
    keywords = _string_list(raw.get("keywords"), f"{where}: keywords", source)
    patterns = _string_list(raw.get("patterns"), f"{where}: patterns", source)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProtocolError(
                f"{where} has a pattern that does not compile ({exc.msg} at position {exc.pos})",
                file=source,
                fix="correct the regular expression or quote it in the YAML",
            ) from None
    return Code(
        id=code_id,
        name=name.strip(),
        description=str(raw.get("description") or "").strip(),
        parent=parent,
        keywords=tuple(keywords),
        patterns=tuple(patterns),
    )


def _string_list(value: object, where: str, source: str | Path) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ProtocolError(f"{where} is not a list", file=source, fix="write a list such as [a, b]")
    out = []
    for item in value:
        if not isinstance(item, str | int) or not str(item).strip():
            raise ProtocolError(
                f"{where} has an empty or non-text entry", file=source, fix="remove it or write text"
            )
        out.append(" ".join(str(item).split()))
    return out


def load_codebook(path: str | Path) -> Codebook:
    """Load and validate a codebook YAML file."""
    path = Path(path)
    if not path.is_file():
        raise ProtocolError("codebook file not found", file=path, fix="check the path to the codebook YAML")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ProtocolError(
            f"the codebook is not valid YAML{where}", file=path, fix="check indentation and quoting"
        ) from None
    return Codebook.from_dict(data, source=path)


def default_codebook_path() -> Path:
    """The shipped Norwegian codebook for youth exclusion research (``protocols/codebook_nb.yml``)."""
    return Path(__file__).resolve().parents[2] / "protocols" / "codebook_nb.yml"
