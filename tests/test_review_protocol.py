"""The protocol's optional ``deidentify:`` section (recogniser settings and ``require_review``)."""

from __future__ import annotations

import pytest

from toolkit.errors import ProtocolError
from toolkit.protocol import Protocol


def _raw(tmp_path, **deidentify) -> dict:
    (tmp_path / "register.csv").write_text("pid,x\n1,2\n", encoding="utf-8")
    raw = {
        "study": "review-test",
        "data": {"register": "register.csv", "results": "results"},
        "privacy": {
            "id_column": "fnr",
            "key_file": "keys/k.key",
            "restricted_dir": "restricted",
        },
    }
    if deidentify:
        raw["deidentify"] = deidentify
    return raw


def test_section_is_optional_and_resolves_paths(tmp_path):
    assert Protocol.from_dict(_raw(tmp_path), base_dir=tmp_path).deidentify is None
    protocol = Protocol.from_dict(
        _raw(tmp_path, require_review=True, allow_list="restricted/review_allow_list.txt"), base_dir=tmp_path
    )
    section = protocol.deidentify
    assert section.require_review is True and section.ner_model == "auto" and section.disable == []
    # a list inside the restricted folder may be missing: the review writes it
    assert section.allow_list == (tmp_path / "restricted" / "review_allow_list.txt").resolve()


def test_a_list_elsewhere_must_exist_and_never_under_results(tmp_path):
    with pytest.raises(ProtocolError, match="deidentify.deny_list"):
        Protocol.from_dict(_raw(tmp_path, deny_list="lists/deny.txt"), base_dir=tmp_path)
    with pytest.raises(ProtocolError, match="lies under data.results"):
        Protocol.from_dict(_raw(tmp_path, allow_list="results/allow.txt"), base_dir=tmp_path)


def test_require_review_needs_a_restricted_folder(tmp_path):
    raw = _raw(tmp_path, require_review=True)
    del raw["privacy"]
    with pytest.raises(ProtocolError, match="require_review"):
        Protocol.from_dict(raw, base_dir=tmp_path)
    with pytest.raises(ProtocolError, match="unknown key"):
        Protocol.from_dict(_raw(tmp_path, require_reveiw=True), base_dir=tmp_path)
