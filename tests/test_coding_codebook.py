"""Codebook loading and validation (toolkit.coding.codebook) and the shipped codebook."""

from __future__ import annotations

import textwrap

import pytest

from toolkit.coding.codebook import Codebook, default_codebook_path, load_codebook
from toolkit.errors import ProtocolError

REQUIRED = [
    "relasjoner",
    "helhet",
    "kontinuitet",
    "koordinering",
    "medvirkning",
    "psykisk_helse",
    "skole_mestring",
    "arbeid",
    "tilhorighet",
    "familie",
    "systembarrierer",
    "egen_mestring",
]


def test_shipped_codebook_has_the_required_themes():
    book = load_codebook(default_codebook_path())
    assert set(REQUIRED) <= set(book.ids)
    assert len(book) >= 12
    for code in book:
        assert len(code.description) > 40, code.id
        assert code.keywords, code.id
        assert code.name
    frame = book.to_frame()
    assert list(frame.columns) == ["code_id", "name", "parent", "description", "keywords", "patterns"]


def _load(tmp_path, body: str) -> Codebook:
    path = tmp_path / "cb.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return load_codebook(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name: x\ncodes:\n  - {id: a, name: A}\n  - {id: a, name: B}\n", "code 'a' appears twice"),
        ("name: x\ncodes:\n  - {id: Bad-Id, name: A}\n", "not \\[a-z0-9_\\]"),
        ("name: x\ncodes:\n  - {id: a, name: A, parent: nope}\n", "code 'a' has parent 'nope'"),
        (
            "name: x\ncodes:\n  - {id: a, name: A, parent: b}\n  - {id: b, name: B, parent: a}\n",
            "own ancestor",
        ),
        (
            "name: x\ncodes:\n  - {id: a, name: A, patterns: ['(unclosed']}\n",
            "code 'a' has a pattern that does not compile",
        ),
        ("name: x\ncodes:\n  - {id: a, name: A, keyword: [x]}\n", "code 'a' has unknown key 'keyword'"),
        ("name: x\ncodes:\n  - {id: a}\n", "code 'a' has no name"),
        ("name: x\ncodes: []\n", "no 'codes' list"),
        ("name: x\ncodes:\n  - {id: a, name: A, keywords: ['']}\n", "empty"),
        ("name: x\ncodes: [\n", "not valid YAML"),
    ],
)
def test_invalid_codebooks_name_the_code_and_the_fix(tmp_path, body, message):
    with pytest.raises(ProtocolError, match=message) as info:
        _load(tmp_path, body)
    assert "Fix:" in str(info.value)
    assert "cb.yml" in str(info.value)


def test_hierarchy_helpers(tmp_path):
    book = _load(
        tmp_path,
        """
        name: x
        codes:
          - {id: top, name: Top}
          - {id: mid, name: Mid, parent: top, keywords: [skole]}
          - {id: leaf, name: Leaf, parent: mid}
    """,
    )
    assert book.ancestors("leaf") == ["mid", "top"]
    assert [c.id for c in book.children("top")] == ["mid"]
    assert "leaf" in book and book["mid"].keywords == ("skole",)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ProtocolError, match="codebook file not found"):
        load_codebook(tmp_path / "nope.yml")
