"""REFI-QDA export and import (toolkit.coding.refiqda), validated against the QDA-XML 1.0 schemas."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from toolkit.coding.autocode import AutoCoder
from toolkit.coding.codebook import default_codebook_path, load_codebook
from toolkit.coding.refiqda import (
    codebook_qdc_bytes,
    export_qdc,
    export_qdpx,
    normalise_offsets,
    qdpx_bytes,
    read_qdc,
    read_qdpx,
    selections_to_turns,
    stable_guid,
)
from toolkit.coding.segments import read_segments
from toolkit.errors import InputDataError

DATA = Path(__file__).parent / "data" / "coding"
SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"


@pytest.fixture(scope="module")
def project():
    book = load_codebook(default_codebook_path())
    segments, texts = read_segments(DATA / "transcripts")
    machine = AutoCoder(book).transform(segments).assign(coder="pdtk-autocode")
    hand = pd.read_csv(DATA / "hand_coded.csv")
    codings = pd.concat(
        [
            machine[["source", "start", "end", "code_id", "coder"]],
            hand[["source", "start", "end", "code_id", "coder"]],
        ],
        ignore_index=True,
    )
    groups = dict(pd.read_csv(DATA / "groups.csv").itertuples(index=False))
    return book, segments, texts, codings, groups


def _schema(name: str):
    if not (SCHEMAS / name).is_file():
        pytest.skip(
            f"REFI-QDA schemas not found at {SCHEMAS} (shared/refi-qda is absent); schema validation skipped"
        )
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / name))


def test_project_validates_against_the_schema(project, tmp_path):
    book, _segments, texts, codings, groups = project
    path = export_qdpx(tmp_path / "project.qdpx", book, texts, codings, project_name=book.name, groups=groups)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
        sources = {n: archive.read(n) for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde"
    assert len(sources) == len(texts) and all(n.count("/") == 1 for n in sources)
    _schema("Project.xsd").validate(io.BytesIO(qde))
    assert not qde.startswith(b"\xef\xbb\xbf") and b"\r\n" not in qde
    for data in sources.values():
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        data.decode("utf-8")
    import xml.etree.ElementTree as ET

    children = [child.tag.rsplit("}", 1)[1] for child in ET.fromstring(qde)]
    assert children == ["Users", "CodeBook", "Variables", "Sources"]


def test_codebook_validates_and_round_trips(project, tmp_path):
    book = project[0]
    path = export_qdc(tmp_path / "codebook.qdc", book)
    _schema("Codebook.xsd").validate(str(path))
    back = read_qdc(path)
    assert back.ids == book.ids
    assert [c.name for c in back] == [c.name for c in book]
    assert [c.description for c in back] == [c.description for c in book]


def test_exported_project_reimports_to_the_same_codings(project, tmp_path):
    book, segments, texts, codings, groups = project
    path = export_qdpx(tmp_path / "p.qdpx", book, texts, codings, groups=groups)
    imported = read_qdpx(path, book)
    assert imported.texts == texts
    key = ["source", "start", "end", "code_id", "coder"]
    expected = codings[key].drop_duplicates().sort_values(key).reset_index(drop=True)
    got = imported.codings[key].drop_duplicates().sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    turns = selections_to_turns(imported.codings[imported.codings["coder"] == "hand"], segments)
    hand = pd.read_csv(DATA / "hand_coded.csv")
    cols = ["source", "turn_index", "code_id"]
    assert set(map(tuple, turns[cols].to_numpy())) == set(map(tuple, hand[cols].to_numpy()))


def test_guids_are_stable_and_exports_identical(project):
    book, _segments, texts, codings, groups = project
    first = qdpx_bytes(book, texts, codings, groups=groups)
    second = qdpx_bytes(book, texts, codings.sample(frac=1, random_state=1), groups=groups)
    assert first == second
    assert stable_guid("code", "x") == stable_guid("code", "x") != stable_guid("code", "y")
    assert codebook_qdc_bytes(book) == codebook_qdc_bytes(book)


def _foreign_qdpx(tmp_path: Path, origin: str, text: str, selections: list[tuple[int, int]]) -> Path:
    guid_src, guid_code, guid_user = stable_guid("s"), stable_guid("c"), stable_guid("u")
    sels = "".join(
        f'<PlainTextSelection guid="{stable_guid("sel", i)}" startPosition="{a}" endPosition="{b}">'
        f'<Coding guid="{stable_guid("cod", i)}" creatingUser="{guid_user}"><CodeRef targetGUID="{guid_code}"/></Coding>'
        f"</PlainTextSelection>"
        for i, (a, b) in enumerate(selections)
    )
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="{origin}">'
        f'<Users><User guid="{guid_user}" name="Kari"/></Users>'
        f'<CodeBook><Codes><Code guid="{guid_code}" name="PSYKISK HELSE" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{guid_src}" name="intervju.txt" plainTextPath="internal://{guid_src.upper()}.txt">'
        f"{sels}</TextSource></Sources></Project>"
    )
    path = tmp_path / f"{origin.split()[0]}.QDPX"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Project.QDE", qde)
        archive.writestr(f"Sources/{guid_src.upper()}.TXT", text.encode("utf-8"))
    return path


def test_import_remaps_crlf_offsets_and_matches_names_case_insensitively(project, tmp_path):
    book = project[0]
    lf_text = "I: Hei.\nU: Jeg har angst.\nI: Ok.\n"
    crlf_text = lf_text.replace("\n", "\r\n")
    target = "Jeg har angst."
    start_lf = lf_text.index(target)
    start_crlf = crlf_text.index(target)  # NVivo / MAXQDA count CRLF as two characters
    nvivo = read_qdpx(
        _foreign_qdpx(tmp_path, "NVivo 14", crlf_text, [(start_crlf, start_crlf + len(target))]), book
    )
    atlas = read_qdpx(
        _foreign_qdpx(tmp_path, "ATLAS.ti 23", crlf_text, [(start_lf, start_lf + len(target))]), book
    )
    for imported in (nvivo, atlas):
        text = imported.texts["intervju.txt"]
        row = imported.codings.iloc[0]
        assert text == lf_text
        assert text[row.start : row.end] == target
        assert row.code_id == "psykisk_helse"  # code name matched case-insensitively
        assert row.coder == "Kari"


def test_normalise_offsets_directly():
    raw = "ab\r\ncd\r\nef"
    text, mapped = normalise_offsets(raw, [0, 4, 8, 10], crlf_as=2)
    assert text == "ab\ncd\nef"
    assert [text[m] if m < len(text) else "" for m in mapped] == ["a", "c", "e", ""]
    assert normalise_offsets(raw, [3, 6], crlf_as=1)[1] == [3, 6]


def test_import_errors(tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputDataError, match="not a ZIP"):
        read_qdpx(bad)
    with pytest.raises(InputDataError, match="not found"):
        read_qdpx(tmp_path / "missing.qdpx")


def test_export_rejects_unknown_codes(project):
    book, _segments, texts, codings, _groups = project
    wrong = codings.head(1).assign(code_id="nope")
    with pytest.raises(InputDataError, match="'nope'"):
        qdpx_bytes(book, texts, wrong)


def _selections(qde: bytes) -> list[tuple[str, str, str, list[str]]]:
    """(source, span, selection creator, [creators of its codings]) for every selection of a project."""
    import xml.etree.ElementTree as ET

    ns = "{urn:QDA-XML:project:1.0}"
    out = []
    for source in ET.fromstring(qde).iter(f"{ns}TextSource"):
        for sel in source.iter(f"{ns}PlainTextSelection"):
            span = f"{sel.get('startPosition')}-{sel.get('endPosition')}"
            coders = [c.get("creatingUser") for c in sel.iter(f"{ns}Coding")]
            out.append((source.get("name"), span, sel.get("creatingUser"), coders))
    return out


def test_two_coders_get_one_selection_each_and_read_back_under_their_coder(project, tmp_path):
    """Done-when: one selection per coder per span, every coding under its own coder's selection."""
    book, _segments, texts, codings, _groups = project
    hand = codings[codings["coder"] == "hand"]
    second = hand.sample(frac=0.6, random_state=3).assign(coder="kari")  # same spans, a second coder
    second.loc[second.index[:10], "code_id"] = "familie"  # and some different codes on them
    two = pd.concat([hand, second], ignore_index=True)
    path = export_qdpx(tmp_path / "two.qdpx", book, texts, two)
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde")
    selections = _selections(qde)
    shared = two.groupby(["source", "start", "end"])["coder"].nunique()
    assert (shared == 2).sum() > 20  # the test exercises spans coded by both coders
    per_span = pd.Series([(s, span) for s, span, _u, _c in selections]).value_counts()
    assert per_span.max() == 2 and len(selections) == len(
        two[["source", "start", "end", "coder"]].drop_duplicates()
    )
    for _source, _span, creator, coding_users in selections:
        assert coding_users and all(u == creator for u in coding_users)
    imported = read_qdpx(path, book)
    key = ["source", "start", "end", "code_id", "coder"]
    expected = two[key].drop_duplicates().sort_values(key).reset_index(drop=True)
    got = imported.codings[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def _qualcoder_qdpx(tmp_path: Path, book, texts: dict[str, str], codings: pd.DataFrame) -> Path:
    """A project shaped like QualCoder's ``refi.py`` export: one selection per coding, categories as
    non-codable codes, users without ids, rich- and plain-text paths, random-looking GUIDs."""
    users = {c: stable_guid("qc-user", c).upper() for c in sorted(codings["coder"].unique())}
    code_guid = {c.id: stable_guid("qc-code", c.id) for c in book}
    xml = ['<?xml version="1.0" standalone="yes"?>\n<Project xmlns="urn:QDA-XML:project:1.0" ']
    xml.append('creatingUserGUID="x" name="studie.qda" origin="QualCoder-3.5">\n<Users>\n')
    xml += [f'<User guid="{g}" name="{c}"/>\n' for c, g in users.items()]
    xml.append('</Users>\n<CodeBook><Codes><Code guid="cat-1" name="Tema" isCodable="false">\n')
    xml += [
        f'<Code guid="{code_guid[c.id]}" name="{c.name}" isCodable="true" color="#ff0000"/>\n' for c in book
    ]
    xml.append("</Code></Codes></CodeBook>\n<Sources>\n")
    files = {}
    for number, (name, text) in enumerate(sorted(texts.items())):
        plain = f"{stable_guid('qc-plain', name)}.txt"
        files[plain] = text
        xml.append(
            f'<TextSource richTextPath="internal://{name}" plainTextPath="internal://{plain}" '
            f'creatingUser="{users[codings["coder"].iloc[0]]}" guid="src-{number}" name="{name}">\n'
        )
        for i, row in enumerate(codings[codings["source"] == name].itertuples(index=False)):
            user = users[row.coder]
            xml.append(
                f'<PlainTextSelection guid="sel-{number}-{i}" startPosition="{row.start}" endPosition="{row.end}" '
                f'name="x" creatingUser="{user}" creationDateTime="2024-01-01T10:00:00">\n'
                f'<Coding guid="cod-{number}-{i}" creatingUser="{user}" creationDateTime="2024-01-01T10:00:00">\n'
                f'<CodeRef targetGUID="{code_guid[row.code_id]}"/>\n</Coding>\n</PlainTextSelection>\n'
            )
        xml.append("</TextSource>\n")
    xml.append("</Sources>\n</Project>")
    path = tmp_path / "qualcoder.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("studie.qde", "".join(xml))
        for plain, text in files.items():
            archive.writestr(f"sources/{plain}", text.encode("utf-8"))
    return path


def test_a_qualcoder_export_reads_as_hand_coding_with_its_coders(project, tmp_path):
    from toolkit.coding.run import read_hand_coding

    book, segments, texts, codings, _groups = project
    hand = codings[codings["coder"] == "hand"]
    two = pd.concat([hand.assign(coder="ola"), hand.head(60).assign(coder="kari")], ignore_index=True)
    renamed = {name: name.removesuffix(".txt").upper() for name in texts}  # sources named without extension
    path = _qualcoder_qdpx(
        tmp_path,
        book,
        {renamed[n]: t for n, t in texts.items()},
        two.assign(source=two["source"].map(renamed)),
    )
    read = read_hand_coding(path, book, segments)
    assert set(read["coder"]) == {"ola", "kari"}
    key = ["source", "turn_index", "code_id"]
    reference = pd.read_csv(DATA / "hand_coded.csv").merge(hand[["source", "start", "end"]].drop_duplicates())
    for coder, part in (("ola", hand), ("kari", hand.head(60))):
        expected = part.merge(segments[["source", "start", "end", "turn_index"]])[key]
        got = read[read["coder"] == coder][key]
        assert set(map(tuple, got.to_numpy())) == set(map(tuple, expected.to_numpy()))
    assert len(reference) == len(hand)


def test_actor_codes_are_exported_under_aktorer_validate_and_keep_one_selection_per_coder(project, tmp_path):
    """Issue 17: actors as codes (an 'Aktører' parent, one child per actor id) coded on the turns naming them."""
    import xml.etree.ElementTree as ET

    from toolkit.coding.actors import ActorExtractor
    from toolkit.coding.refiqda import actor_code_id, actor_codings, is_actor_code, with_actor_codes

    book, segments, texts, codings, groups = project
    extractor = ActorExtractor()
    actors = extractor.transform(texts)
    labels = {actor: extractor.vocabulary[actor].label for actor in extractor.actor_ids}
    found = actor_codings(actors, texts, coder="pdtk-autocode")
    assert len(found) and set(found["code_id"]) <= {actor_code_id(a) for a in labels}
    book_with_actors = with_actor_codes(book, labels)
    both = pd.concat([codings, found], ignore_index=True)
    path = export_qdpx(tmp_path / "actors.qdpx", book_with_actors, texts, both, groups=groups)
    with zipfile.ZipFile(path) as archive:
        qde = archive.read("project.qde")
    _schema("Project.xsd").validate(io.BytesIO(qde))

    ns = "{urn:QDA-XML:project:1.0}"
    parent = [c for c in ET.fromstring(qde).iter(f"{ns}Code") if c.get("name") == "Aktører"]
    assert len(parent) == 1
    assert [c.get("name") for c in parent[0].findall(f"{ns}Code")] == list(labels.values())
    # one selection per coder per span: the actor codings share the machine's selections
    selections = _selections(qde)
    assert len(selections) == len(both[["source", "start", "end", "coder"]].drop_duplicates())
    for _source, _span, creator, coding_users in selections:
        assert coding_users and all(u == creator for u in coding_users)
    # every actor coding is a participant turn that names the actor
    turns = segments.set_index(["source", "start", "end"])
    for row in found.itertuples(index=False):
        assert turns.loc[(row.source, row.start, row.end), "role"] == "participant"
    mentioned = actors[actors["mentioned"] == 1]
    assert set(zip(found["source"], found["code_id"], strict=True)) == {
        (s, actor_code_id(a)) for s, a in zip(mentioned["source"], mentioned["actor"], strict=True)
    }
    imported = read_qdpx(path, book)  # the theme codebook alone: actor codes keep their ids
    back = imported.codings[imported.codings["code_id"].map(is_actor_code)]
    key = ["source", "start", "end", "code_id"]
    assert set(map(tuple, back[key].to_numpy())) == set(map(tuple, found[key].to_numpy()))


def test_actor_codes_may_not_clash_with_the_codebook(project):
    from toolkit.coding.codebook import Code, Codebook
    from toolkit.coding.refiqda import with_actor_codes

    clashing = Codebook(name="x", codes=[Code(id="aktor_NAV", name="NAV")])
    with pytest.raises(InputDataError, match="aktor_NAV"):
        with_actor_codes(clashing, {"NAV": "NAV"})


# ---------------------------------------------------------------- the sources' text layout against ElementTree
def _sources_by_elementtree(book, texts, codings, groups) -> bytes:
    """The whole project built with ElementTree alone (how the module wrote it before): the oracle."""
    import xml.etree.ElementTree as ET

    from toolkit.coding import refiqda

    qde, _ = refiqda.project_qde_bytes(book, texts, codings, groups=groups)
    root = ET.fromstring(qde)
    p = f"{{{refiqda.PROJECT_NS}}}"
    root.remove(root.find(f"{p}Sources"))
    for element in root.iter():  # drop the layout so that ET.indent lays everything out afresh
        element.text = element.text if element.text and element.text.strip() else None
        element.tail = None
    sources = ET.SubElement(root, f"{p}Sources")
    spans = refiqda._spans_by_source(codings.assign(coder=codings.get("coder", "pdtk-autocode")))
    coders = sorted(set(codings["coder"]))
    for name in sorted(texts):
        guid = stable_guid("source", name)
        source = ET.SubElement(
            sources,
            f"{p}TextSource",
            {
                "guid": guid,
                "name": name,
                "plainTextPath": f"internal://{guid}.txt",
                "creatingUser": stable_guid("user", coders[0]),
            },
        )
        for (start, end, coder), code_ids in spans.get(name, []):
            user = stable_guid("user", coder)
            selection = ET.SubElement(
                source,
                f"{p}PlainTextSelection",
                {
                    "guid": stable_guid("selection", name, start, end, user),
                    "name": refiqda._selection_name(texts[name][start:end]),
                    "startPosition": str(start),
                    "endPosition": str(end),
                    "creatingUser": user,
                },
            )
            for code_id in code_ids:
                coding = ET.SubElement(
                    selection,
                    f"{p}Coding",
                    {"guid": stable_guid("coding", name, start, end, code_id, user), "creatingUser": user},
                )
                ET.SubElement(coding, f"{p}CodeRef", {"targetGUID": refiqda.code_guid(book, code_id)})
        if groups and name in groups:
            value = ET.SubElement(source, f"{p}VariableValue")
            ET.SubElement(value, f"{p}VariableRef", {"targetGUID": stable_guid("variable", "gruppe")})
            ET.SubElement(value, f"{p}TextValue").text = str(groups[name])
    return refiqda._xml_bytes(root, refiqda.PROJECT_NS)


def test_sources_written_as_text_are_byte_for_byte_what_elementtree_writes(project):
    from toolkit.coding.refiqda import project_qde_bytes

    book, _, texts, codings, groups = project
    assert project_qde_bytes(book, texts, codings, groups=groups)[0] == _sources_by_elementtree(
        book, texts, codings, groups
    )


@pytest.mark.parametrize(
    "name, text, group",
    [
        ('a&b "<x>".txt', "Tab\there & <there>\r\nand \"quotes\" 'too'\n\nend", 'grp "<&>"\n\tx'),
        ("æøå.txt", "Blåbær ÆØÅ – «sitat» … 😀 slutt", " "),
        ("tom.txt", "", "g"),
    ],
)
def test_hostile_names_texts_and_groups_are_escaped_as_elementtree_does(project, name, text, group):
    from toolkit.coding.refiqda import project_qde_bytes

    book = project[0]
    code = book.ids[0]
    codings = pd.DataFrame(
        {
            "source": [name] * 3,
            "start": [0, 0, len(text) // 2],
            "end": [len(text), len(text), len(text)],
            "code_id": [code, book.ids[1], code],
            "coder": ["anne & <bo>", "pdtk-autocode", "anne & <bo>"],
        }
    )
    texts = {name: text, "other.txt": "no codings here"}
    groups = {name: group}
    assert project_qde_bytes(book, texts, codings, groups=groups)[0] == _sources_by_elementtree(
        book, texts, codings, groups
    )


@pytest.mark.parametrize(
    "parts", [("code", "kodebok", "skole"), ("selection", "æ ø å.txt", 0, 17, "x"), ("",)]
)
def test_stable_guid_is_uuid5_of_the_joined_names(parts):
    import uuid

    from toolkit.coding.refiqda import GUID_NAMESPACE

    assert stable_guid(*parts) == str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def test_stable_guid_is_uuid5_for_any_text():
    import uuid

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from toolkit.coding.refiqda import GUID_NAMESPACE

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(st.text(), st.integers()), min_size=1, max_size=5))
    def check(parts):
        assert stable_guid(*parts) == str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(str(p) for p in parts)))

    check()
