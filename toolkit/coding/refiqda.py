"""REFI-QDA exchange: export ``project.qdpx`` and ``codebook.qdc``; import them from NVivo, ATLAS.ti, MAXQDA.

The REFI-QDA standard (QDA-XML 1.0, schemas in ``shared/refi-qda/``) is how qualitative-analysis programs
exchange projects; it lets a researcher open the machine's coding in the program they already use, code
further by hand, and bring that coding back to be compared (:mod:`toolkit.coding.reliability`).

What the standard makes easy to get wrong, and what this module does about it:

* children of ``<Project>`` in a strict order (Users, CodeBook, Variables, Cases, Sources …); no empty
  ``<Sets/>`` (this module writes no Sets);
* a ``.qdpx`` is a ZIP with ``project.qde`` and a flat ``sources/`` folder; sources are
  ``internal://<guid>.txt``;
* selection offsets count Unicode code points from 0, half-open ``[start, end)`` (Python string indices);
* source text is written as UTF-8 without BOM, with LF line endings. On import, text is normalised to LF and
  offsets are remapped: ATLAS.ti counts CRLF as one character, NVivo and MAXQDA as two;
* GUIDs are uuid5 of stable names, so two exports of the same coding are byte-identical and can be diffed.

Actors (:mod:`toolkit.coding.actors`) are exported as codes too, so NVivo and QualCoder users see them: an
``Aktører`` parent code with one child per actor id (:func:`with_actor_codes`), coded by the machine on every
participant turn that mentions the actor (:func:`actor_codings`). They share the machine's selections, so the
one-selection-per-coder rule holds; on import they are told apart by their ids (:func:`is_actor_code`).

Importing matches file names inside the archive case-insensitively (``Project.qde``, ``Sources/``) and maps
codes to codebook ids by GUID, then by id or name, case-insensitively.

The XML is written with :mod:`xml.etree.ElementTree` (standard library): the format is small and fixed, and
the schemas (validated in the tests with ``xmlschema``) are the reference. The sources, which hold nearly
every element of a large project, are laid out as text in ElementTree's exact layout (:func:`_layout`; a
test compares the bytes), because ElementTree's serializer is pure Python and was slow on a million words.
"""

from __future__ import annotations

import hashlib
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.coding.codebook import Code, Codebook
from toolkit.coding.segments import offset_spans, turn_columns
from toolkit.coding.zip_archive import FIXED_DATE_TIME, PieceDeflater, deflate, zip_archive
from toolkit.errors import InputDataError
from toolkit.io import atomic_write_bytes

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("6f1c1f2e-8f3b-5a4e-9c1d-7b2a4e5d6c70")
"""Namespace for the toolkit's uuid5 GUIDs (any fixed UUID; changing it changes every exported GUID)."""
_NAMESPACE_BYTES = GUID_NAMESPACE.bytes

_PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
]


def stable_guid(*parts: object) -> str:
    """A uuid5 GUID from stable names (8-4-4-4-12 lower-case hex).

    ``str(uuid.uuid5(GUID_NAMESPACE, name))`` computed without building a ``UUID`` object (SHA-1 of the
    namespace and the name, version and variant bits set; a test compares the two): a large project needs
    three GUIDs per coding, and the object was most of their cost.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "\x1f".join(map(str, parts)).encode("utf-8")).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest[:16].hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


# ============================================================================================== export
def _code_elements(parent: ET.Element, codebook: Codebook, parent_id: str | None, tag: str) -> None:
    for number, code in enumerate(codebook.codes):
        if code.parent != parent_id:
            continue
        element = ET.SubElement(
            parent,
            tag,
            {
                "guid": code_guid(codebook, code.id),
                "name": code.name,
                "isCodable": "true",
                "color": _PALETTE[number % len(_PALETTE)],
            },
        )
        description = code.description + (f"\n[id: {code.id}]" if code.id else "")
        ET.SubElement(element, _q(tag, "Description")).text = description
        _code_elements(element, codebook, code.id, tag)


def _q(tag: str, name: str) -> str:
    """Qualify ``name`` with the namespace of ``tag`` (``{ns}Code`` → ``{ns}name``)."""
    return tag[: tag.index("}") + 1] + name if tag.startswith("{") else name


def code_guid(codebook: Codebook, code_id: str) -> str:
    return stable_guid("code", codebook.name, code_id)


def _xml_bytes(root: ET.Element, namespace: str) -> bytes:
    ET.register_namespace("", namespace)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def codebook_qdc_bytes(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (UTF-8, no BOM, LF)."""
    tag = f"{{{CODEBOOK_NS}}}Code"
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", {"origin": "pdtk"})
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    _code_elements(codes, codebook, None, tag)
    return _xml_bytes(root, CODEBOOK_NS)


def project_qde_bytes(
    codebook: Codebook,
    texts: dict[str, str],
    codings: pd.DataFrame,
    *,
    project_name: str = "pdtk",
    groups: dict[str, str] | None = None,
    default_coder: str = "pdtk-autocode",
) -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` XML and ``{source name: source guid}``.

    ``codings`` has ``source, start, end, code_id`` and optionally ``coder`` (one User per coder).
    ``groups`` (source → group) becomes a text Variable ``gruppe`` on each source.
    """
    pieces, source_guid = project_qde_pieces(
        codebook, texts, codings, project_name=project_name, groups=groups, default_coder=default_coder
    )
    return "".join(pieces).encode("utf-8"), source_guid


def project_qde_pieces(
    codebook: Codebook,
    texts: dict[str, str],
    codings: pd.DataFrame,
    *,
    project_name: str = "pdtk",
    groups: dict[str, str] | None = None,
    default_coder: str = "pdtk-autocode",
) -> tuple[Iterator[str], dict[str, str]]:
    """:func:`project_qde_bytes` as consecutive pieces of text, one source at a time (joined, they are the
    document), so that the ``.qdpx`` export compresses each piece while the next is built; a coding the
    export cannot take raises here, before the first piece."""
    p = f"{{{PROJECT_NS}}}"
    codings = codings.copy()
    if "coder" not in codings.columns:
        codings["coder"] = default_coder
    codings["coder"] = codings["coder"].fillna(default_coder).astype(str)
    unknown = sorted(set(codings["code_id"].tolist()) - set(codebook.ids))
    if unknown:
        raise InputDataError(
            f"coding uses code '{unknown[0]}', which is not in the codebook",
            fix="add the code to the codebook or correct the code_id",
        )
    missing = sorted(set(codings["source"].tolist()) - set(texts))
    if missing:
        raise InputDataError(
            f"coding refers to source '{missing[0]}', which has no text",
            fix="code only transcripts that are exported",
        )
    coders = sorted(set(codings["coder"].tolist())) or [default_coder]
    user_guid = {c: stable_guid("user", c) for c in coders}
    root = ET.Element(
        f"{p}Project",
        {
            "name": project_name,
            "origin": "pdtk (toolkit.coding.refiqda)",
            "creatingUserGUID": user_guid[coders[0]],
        },
    )
    users = ET.SubElement(root, f"{p}Users")
    for coder in coders:
        ET.SubElement(users, f"{p}User", {"guid": user_guid[coder], "name": coder, "id": coder})
    codebook_el = ET.SubElement(root, f"{p}CodeBook")
    _code_elements(ET.SubElement(codebook_el, f"{p}Codes"), codebook, None, f"{p}Code")
    variable_guid = stable_guid("variable", "gruppe")
    if groups:
        variables = ET.SubElement(root, f"{p}Variables")
        ET.SubElement(
            variables, f"{p}Variable", {"guid": variable_guid, "name": "gruppe", "typeOfVariable": "Text"}
        )
    spans = _spans_by_source(codings)
    code_guids = {c: code_guid(codebook, c) for c in codebook.ids}
    source_guid = {name: stable_guid("source", name) for name in sorted(texts)}
    head = _xml_bytes(root, PROJECT_NS).decode("utf-8")
    closing = "\n</Project>\n"  # Users always comes first, so the root is never written empty

    def pieces() -> Iterator[str]:
        # the Sources element as _layout("Sources", [], sources, depth=1) lays it out, one source at a time
        yield head[: -len(closing)] + "\n  " + ("<Sources>" if source_guid else "<Sources />")
        for name in source_guid:
            yield "\n    " + _source_xml(
                name,
                texts[name],
                source_guid[name],
                user_guid[coders[0]],
                [(span, user_guid[span[2]], code_ids) for span, code_ids in spans.get(name, [])],
                code_guids,
                (variable_guid, groups[name])
                if groups and name in groups and pd.notna(groups[name])
                else None,
            )
        yield ("\n  </Sources>" if source_guid else "") + closing

    return pieces(), source_guid


def _spans_by_source(codings: pd.DataFrame) -> dict[str, list[tuple[tuple[int, int, str], list[str]]]]:
    """Per source, one entry per (start, end, coder) span with its codes, in a stable order.

    One selection per coder per span: QualCoder (and, by the standard, NVivo and ATLAS.ti) gives each coding
    to the creator of its text selection, so two coders' codings of one span must not share a selection.
    """
    grouped: dict[str, dict[tuple[int, int, str], set[str]]] = {}
    columns = [codings[c].tolist() for c in ("source", "start", "end", "code_id", "coder")]
    for source, start, end, code_id, coder in zip(*columns, strict=True):
        grouped.setdefault(source, {}).setdefault((int(start), int(end), coder), set()).add(code_id)
    return {source: sorted((k, sorted(v)) for k, v in spans.items()) for source, spans in grouped.items()}


# The sources hold nearly all of a project's elements (a selection and a coding per coded span), so they are
# written as text, laid out exactly as ``ET.indent`` + ``ET.tostring`` lay out the rest of the document
# (``tests/test_coding_refiqda.py`` compares the two byte for byte): ElementTree's serializer is pure Python
# and took about a tenth of ``pdtk autocode`` on a million words.
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _layout(tag: str, attributes: list[tuple[str, str]], children: list[str], *, depth: int) -> str:
    """One element as ElementTree writes it after ``ET.indent(space="  ")``, its children already laid out."""
    head = f"<{tag}" + "".join(f' {k}="{str(v).translate(_ATTRIBUTE_ESCAPES)}"' for k, v in attributes)
    if not children:
        return head + " />"
    inner = "\n" + "  " * (depth + 1)
    return head + ">" + inner + inner.join(children) + "\n" + "  " * depth + f"</{tag}>"


def _source_xml(
    name: str,
    text: str,
    guid: str,
    creator: str,
    spans: list[tuple[tuple[int, int, str], str, list[str]]],
    code_guids: dict[str, str],
    group: tuple[str, object] | None,
) -> str:
    """One ``TextSource`` (depth 2): a ``PlainTextSelection`` per span and coder, the group as a variable."""
    children = [
        _selection_xml(name, text, start, end, user, code_ids, code_guids)
        for (start, end, _), user, code_ids in spans
    ]
    if group is not None:
        variable, value = group
        reference = _layout("VariableRef", [("targetGUID", variable)], [], depth=4)
        children.append(
            _layout(
                "VariableValue",
                [],
                [reference, f"<TextValue>{str(value).translate(_TEXT_ESCAPES)}</TextValue>"],
                depth=3,
            )
        )
    attributes = [
        ("guid", guid),
        ("name", name),
        ("plainTextPath", f"internal://{guid}.txt"),
        ("creatingUser", creator),
    ]
    return _layout("TextSource", attributes, children, depth=2)


def _selection_xml(
    name: str, text: str, start: int, end: int, user: str, code_ids: list[str], code_guids: dict[str, str]
) -> str:
    """One ``PlainTextSelection`` (depth 3) by ``user``, with one ``Coding`` by the same user per code.

    Written from a template: GUIDs and offsets never need escaping, only the selection's name does.
    """
    if not 0 <= start <= end <= len(text):
        raise InputDataError(
            f"a coding in '{name}' has offsets {start}-{end} outside the text",
            fix="recompute the segments from this transcript",
        )
    label = _selection_name(text[start:end]).translate(_ATTRIBUTE_ESCAPES)
    head = (
        f'<PlainTextSelection guid="{stable_guid("selection", name, start, end, user)}" name="{label}" '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{user}"'
    )
    if not code_ids:
        return head + " />"
    codings = "".join(
        f'\n        <Coding guid="{stable_guid("coding", name, start, end, code_id, user)}" '
        f'creatingUser="{user}">\n          <CodeRef targetGUID="{code_guids[code_id]}" />\n        </Coding>'
        for code_id in code_ids
    )
    return head + ">" + codings + "\n      </PlainTextSelection>"


def _selection_name(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:60] + ("…" if len(flat) > 60 else "")


def qdpx_bytes(codebook: Codebook, texts: dict[str, str], codings: pd.DataFrame, **kwargs: object) -> bytes:
    """A ``.qdpx`` archive: ``project.qde`` plus ``sources/<guid>.txt`` (UTF-8, LF), with fixed timestamps.

    The project XML is compressed piece by piece in one worker thread as it is built here, and the source
    texts in another (zlib runs without the GIL; :mod:`toolkit.coding.zip_archive`); the archive is the one
    ``zipfile`` writes.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        qde = PieceDeflater(pool)  # first, so that one worker takes it while the other does the sources
        try:
            sources = [
                (
                    name,
                    pool.submit(
                        deflate, texts[name].replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
                    ),
                )
                for name in sorted(texts)
            ]
            pieces, guids = project_qde_pieces(codebook, texts, codings, **kwargs)
            for piece in pieces:
                qde.add(piece.encode("utf-8"))
        finally:
            project = qde.finish()
        members = [("project.qde", project)]
        members += [(f"sources/{guids[name]}.txt", source.result()) for name, source in sources]
    return zip_archive(members, date_time=FIXED_DATE_TIME)


def export_qdpx(
    path: str | Path, codebook: Codebook, texts: dict[str, str], codings: pd.DataFrame, **kwargs: object
) -> Path:
    """Write ``project.qdpx`` atomically."""
    return atomic_write_bytes(path, qdpx_bytes(codebook, texts, codings, **kwargs))


def export_qdc(path: str | Path, codebook: Codebook) -> Path:
    """Write ``codebook.qdc`` atomically."""
    return atomic_write_bytes(path, codebook_qdc_bytes(codebook))


# ============================================================================================== actors
ACTOR_PARENT_CODE = "aktorer"
"""Code id of the ``Aktører`` parent code; its children are :data:`ACTOR_CODE_PREFIX` + an actor id."""
ACTOR_CODE_PREFIX = "aktor_"


def actor_code_id(actor: str) -> str:
    """The REFI-QDA code id of an actor id (``NAV`` → ``aktor_NAV``)."""
    return ACTOR_CODE_PREFIX + actor


def is_actor_code(code_id: str) -> bool:
    """Whether a code id is the ``Aktører`` parent or one of its actor codes (not a theme of the codebook)."""
    return code_id == ACTOR_PARENT_CODE or str(code_id).startswith(ACTOR_CODE_PREFIX)


def with_actor_codes(codebook: Codebook, labels: Mapping[str, str]) -> Codebook:
    """The codebook plus an ``Aktører`` parent code and one child code per actor (``{actor id: label}``).

    The actor codes are not codable themes of the codebook: they exist only in the export, so a researcher
    sees the actors next to the themes. Raises when the codebook already uses an id of the actor codes.
    """
    actor_codes = [
        Code(
            id=ACTOR_PARENT_CODE,
            name="Aktører",
            description="Actors around the young person, found by pdtk (protocols/actors_nb.yml); "
            "each child is coded on the participant turns that mention it.",
        ),
        *(
            Code(
                id=actor_code_id(actor),
                name=label or actor,
                description=f"Actor '{actor}' in the actor vocabulary.",
                parent=ACTOR_PARENT_CODE,
            )
            for actor, label in labels.items()
        ),
    ]
    clash = sorted({c.id for c in actor_codes} & set(codebook.ids))
    if clash:
        raise InputDataError(
            f"the codebook uses the code id '{clash[0]}', which the export keeps for the actor codes",
            fix=f"rename the codebook's codes named '{ACTOR_PARENT_CODE}' or '{ACTOR_CODE_PREFIX}…'",
        )
    return Codebook(name=codebook.name, codes=[*codebook.codes, *actor_codes])


def actor_codings(actors: pd.DataFrame, texts: Mapping[str, str], *, coder: str) -> pd.DataFrame:
    """Codings of actor codes on the participant turns that mention each actor.

    ``actors`` is the ``actors.csv`` frame; its ``mention_offsets`` (``start-end;…`` into the transcript
    text) say where each mention is, and each mention's turn (:func:`toolkit.coding.segments.split_turns`)
    is coded once per actor. Columns: ``source, start, end, code_id, coder``.
    """
    columns = ["source", "start", "end", "code_id", "coder"]
    said = actors[actors["mentioned"].astype(int) == 1]
    rows: list[dict[str, object]] = []
    for source, mentions in said.groupby("source", sort=True):
        if source not in texts:
            continue
        turns = turn_columns(texts[source], str(source))  # only the bounds: no table needed
        starts, ends = np.asarray(turns["start"], dtype=np.int64), np.asarray(turns["end"], dtype=np.int64)
        for actor, offsets in zip(mentions["actor"], mentions["mention_offsets"], strict=True):
            spans = set()
            # an actor a reviewer added has no offsets: nothing to code it on (actors.csv still has it)
            for start, _, _ in offset_spans(offsets):
                inside = (starts <= start) & (start < ends)
                spans |= {(int(a), int(b)) for a, b in zip(starts[inside], ends[inside], strict=True)}
            rows += [
                {"source": source, "start": a, "end": b, "code_id": actor_code_id(actor), "coder": coder}
                for a, b in sorted(spans)
            ]
    return pd.DataFrame(rows, columns=columns)


# ============================================================================================== import
@dataclass
class ImportedProject:
    """What a REFI-QDA project holds, normalised: codes, LF source texts and codings with code-point
    offsets."""

    codes: pd.DataFrame  # guid, name, code_id, parent_guid, description
    texts: dict[str, str]
    codings: pd.DataFrame  # source, start, end, code_id, code_name, coder
    origin: str = ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name.lower()]


def _codes_from(element: ET.Element, parent_guid: str | None, out: list[dict]) -> None:
    for code in _children(element, "Code"):
        description = next((d.text or "" for d in _children(code, "Description")), "")
        match = re.search(r"\[id: ([A-Za-z0-9_]+)\]", description)
        out.append(
            {
                "guid": code.get("guid", "").strip("{}").lower(),
                "name": code.get("name", ""),
                "explicit_id": match.group(1) if match else "",
                "parent_guid": parent_guid or "",
                "description": re.sub(r"\s*\[id: [A-Za-z0-9_]+\]\s*$", "", description),
            }
        )
        _codes_from(code, code.get("guid", "").strip("{}").lower(), out)


def _map_codes(codes: list[dict], codebook: Codebook | None) -> pd.DataFrame:
    frame = pd.DataFrame(codes, columns=["guid", "name", "explicit_id", "parent_guid", "description"])
    lookup: dict[str, str] = {}
    if codebook is not None:
        for code in codebook:
            lookup[code_guid(codebook, code.id)] = code.id
            lookup[code.id.lower()] = code.id
            lookup[code.name.strip().lower()] = code.id
    ids = []
    for row in frame.itertuples(index=False):
        if is_actor_code(row.explicit_id):  # an exported actor code, even when a theme has the same name
            ids.append(row.explicit_id)
            continue
        found = (
            lookup.get(row.guid)
            or lookup.get(row.explicit_id.lower())
            or lookup.get(row.name.strip().lower())
            or row.explicit_id
            or _slug(row.name)
        )
        ids.append(found)
    frame["code_id"] = ids
    return frame.drop(columns="explicit_id")


def _slug(name: str) -> str:
    import unicodedata

    flat = unicodedata.normalize("NFKD", name.lower().replace("ø", "o").replace("æ", "ae").replace("å", "a"))
    return re.sub(r"[^a-z0-9]+", "_", flat.encode("ascii", "ignore").decode()).strip("_") or "kode"


def normalise_offsets(raw: str, positions: list[int], *, crlf_as: int) -> tuple[str, list[int]]:
    """Normalise text to LF (no BOM) and map code-point offsets counted with CRLF as ``crlf_as`` characters.

    ``crlf_as=2`` (NVivo, MAXQDA): an offset counts both characters of each CRLF before it, so it moves back
    by the number of CRLFs before it. ``crlf_as=1`` (ATLAS.ti): offsets already count CRLF as one character,
    as in the normalised text.
    """
    if crlf_as not in (1, 2):
        raise ValueError("crlf_as must be 1 or 2")
    text = raw[1:] if raw.startswith("\ufeff") else raw  # a BOM is not text; programs do not count it
    crlf_starts = [m.start() for m in re.finditer("\r\n", text)]
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    if crlf_as == 1 or not crlf_starts:
        return normalised, list(positions)
    import bisect

    mapped = []
    for position in positions:
        # number of CRLFs that end at or before this raw offset
        before = bisect.bisect_right(crlf_starts, position - 2)
        mapped.append(position - before)
    return normalised, mapped


def _qdpx_members(path: Path) -> dict[str, bytes]:
    """The files of a ``.qdpx`` archive by lower-case name (a bare ``.qde`` is ``project.qde``)."""
    if path.suffix.lower() == ".qde":
        return {"project.qde": path.read_bytes()}
    members: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    members[info.filename.replace("\\", "/").lower()] = archive.read(info)
    except zipfile.BadZipFile:
        raise InputDataError(
            "not a REFI-QDA .qdpx archive (not a ZIP file)",
            file=path,
            fix="export the project again as REFI-QDA (.qdpx)",
        ) from None
    return members


def read_qdpx(
    path: str | Path, codebook: Codebook | None = None, *, crlf_as: int | str = "auto"
) -> ImportedProject:
    """Import a ``.qdpx`` (or a bare ``.qde``) project: codes, source texts and text codings.

    ``crlf_as`` is ``1`` (ATLAS.ti), ``2`` (NVivo, MAXQDA) or ``"auto"`` (1 when the project's ``origin``
    names ATLAS.ti, else 2). Codes map to ``codebook`` ids where they match; others get a slug of their name.
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError("REFI-QDA file not found", file=path, fix="check the path")
    members = _qdpx_members(path)
    qde_name = next((n for n in members if n.endswith(".qde")), None)
    if qde_name is None:
        raise InputDataError(
            "the archive has no project.qde", file=path, fix="export the project again as REFI-QDA"
        )
    try:
        root = ET.fromstring(members[qde_name])
    except ET.ParseError as exc:
        raise InputDataError(
            f"project.qde is not valid XML (line {exc.position[0]})",
            file=path,
            fix="export the project again",
        ) from None
    origin = root.get("origin", "")
    crlf = (1 if "atlas" in origin.lower() else 2) if crlf_as == "auto" else int(crlf_as)
    users = {
        u.get("guid", "").strip("{}").lower(): (u.get("name") or u.get("id") or "")
        for users in _children(root, "Users")
        for u in _children(users, "User")
    }
    code_rows: list[dict] = []
    for book in _children(root, "CodeBook"):
        for codes in _children(book, "Codes"):
            _codes_from(codes, None, code_rows)
    codes = _map_codes(code_rows, codebook)
    code_by_guid = dict(zip(codes["guid"], zip(codes["code_id"], codes["name"], strict=True), strict=True))
    texts: dict[str, str] = {}
    rows: list[dict] = []
    for sources in _children(root, "Sources"):
        for source in _children(sources, "TextSource"):
            name = source.get("name") or source.get("guid", "")
            raw = _source_text(source, members, path)
            selections = _children(source, "PlainTextSelection")
            positions = []
            for sel in selections:
                positions += [int(sel.get("startPosition", 0)), int(sel.get("endPosition", 0))]
            text, mapped = normalise_offsets(raw, positions, crlf_as=crlf)
            texts[name] = text
            for i, sel in enumerate(selections):
                start, end = mapped[2 * i], mapped[2 * i + 1]
                for coding in _children(sel, "Coding"):
                    ref = next(iter(_children(coding, "CodeRef")), None)
                    if ref is None:
                        continue
                    target = ref.get("targetGUID", "").strip("{}").lower()
                    code_id, code_name = code_by_guid.get(target, (target, target))
                    coder_guid = (
                        (coding.get("creatingUser") or sel.get("creatingUser") or "").strip("{}").lower()
                    )
                    rows.append(
                        {
                            "source": name,
                            "start": start,
                            "end": end,
                            "code_id": code_id,
                            "code_name": code_name,
                            "coder": users.get(coder_guid, coder_guid),
                        }
                    )
    codings = pd.DataFrame(rows, columns=["source", "start", "end", "code_id", "code_name", "coder"])
    codings = codings.astype({"start": "int64", "end": "int64"})
    return ImportedProject(codes=codes, texts=texts, codings=codings, origin=origin)


def _source_text(source: ET.Element, members: dict[str, bytes], path: Path) -> str:
    inline = next((c.text for c in _children(source, "PlainTextContent")), None)
    if inline is not None:
        return inline
    ref = source.get("plainTextPath") or ""
    name = re.sub(r"^(internal|relative|absolute)://", "", ref, flags=re.I).replace("\\", "/").lower()
    candidates = [f"sources/{name}", name, f"sources/{Path(name).name}"]
    for candidate in candidates:
        if candidate in members:
            data = members[candidate]
            for encoding in ("utf-8-sig", "utf-16", "cp1252"):
                try:
                    return data.decode(encoding)
                except UnicodeDecodeError:
                    continue
    raise InputDataError(
        f"the text of source '{source.get('name', '')}' is missing from the archive",
        file=path,
        fix="export the project again with its sources",
    )


def read_qdc(path: str | Path) -> Codebook:
    """Import a REFI-QDA ``.qdc`` codebook (or the CodeBook of a ``.qde``) as a :class:`Codebook`.

    Ids come from an ``[id: …]`` tag in the description (written by this module) or a slug of the name.
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError("codebook file not found", file=path, fix="check the path")
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError:
        raise InputDataError(
            "the .qdc file is not valid XML", file=path, fix="export the codebook again"
        ) from None
    container = root if _local(root.tag) == "codebook" else next(iter(_children(root, "CodeBook")), root)
    rows: list[dict] = []
    for codes in _children(container, "Codes"):
        _codes_from(codes, None, rows)
    frame = _map_codes(rows, None)
    by_guid = dict(zip(frame["guid"], frame["code_id"], strict=True))
    seen: dict[str, int] = {}
    codes_out = []
    for row in frame.itertuples(index=False):
        code_id = row.code_id
        if code_id in seen:  # two codes with the same name: keep both, distinctly
            seen[code_id] += 1
            code_id = f"{code_id}_{seen[code_id]}"
        else:
            seen[code_id] = 1
        codes_out.append(
            Code(
                id=code_id,
                name=row.name or code_id,
                description=row.description,
                parent=by_guid.get(row.parent_guid) if row.parent_guid else None,
            )
        )
    return Codebook(name=path.stem, codes=codes_out)


def selections_to_turns(codings: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Assign imported selections to the turns they overlap, in ``segments.csv`` form (plus ``coder``).

    A selection counts for a turn when it covers at least half of the turn or half of the selection lies in
    it — coders in NVivo select loosely, sometimes a sentence, sometimes a turn and a half.
    """
    rows = []
    by_source = {s: g for s, g in segments.groupby("source", sort=False)}
    for row in codings.itertuples(index=False):
        turns = by_source.get(row.source)
        if turns is None:
            continue
        overlap = (turns["end"].clip(upper=row.end) - turns["start"].clip(lower=row.start)).clip(lower=0)
        turn_len = (turns["end"] - turns["start"]).clip(lower=1)
        sel_len = max(1, row.end - row.start)
        hit = turns[(overlap >= 0.5 * turn_len) | (overlap >= 0.5 * sel_len)]
        for turn in hit.itertuples(index=False):
            rows.append(
                {
                    "source": row.source,
                    "turn_index": int(turn.turn_index),
                    "speaker": turn.speaker,
                    "start": int(turn.start),
                    "end": int(turn.end),
                    "code_id": row.code_id,
                    "coder": getattr(row, "coder", ""),
                }
            )
    columns = ["source", "turn_index", "speaker", "start", "end", "code_id", "coder"]
    return pd.DataFrame(rows, columns=columns).drop_duplicates().reset_index(drop=True)
