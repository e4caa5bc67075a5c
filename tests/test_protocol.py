"""Protocol validation: every way a protocol can be wrong gives one line naming the key and the file."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from toolkit.errors import ProtocolError
from toolkit.protocol import Protocol

BASE = {
    "study": "test-study",
    "seed": 7,
    "data": {"register": "register.csv", "results": "results"},
    "privacy": {
        "id_column": "fnr",
        "drop": ["navn"],
        "quasi_identifiers": {
            "fodselsdato": "year",
            "postnr": "drop",
            "kjonn": "keep",
            "alder": [0, 18, 25, 30],
        },
        "k": 5,
        "min_cell": 5,
        "key_file": "keys/test.key",
        "restricted_dir": "restricted",
    },
    "outcome": "fullfort_vgs_5aar",
    "risk_factors": ["barnevern", "grunnskolepoeng"],
    "units": ["kommune"],
}


def write(tmp_path: Path, content: dict | str) -> Path:
    (tmp_path / "register.csv").write_text("fnr,navn\n1,a\n", encoding="utf-8")
    path = tmp_path / "protocol.yml"
    path.write_text(
        content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True), encoding="utf-8"
    )
    return path


def test_valid_protocol_resolves_paths_and_hashes(tmp_path):
    protocol = Protocol.load(write(tmp_path, BASE))
    assert protocol.data.register == (tmp_path / "register.csv").resolve()
    assert protocol.data.results == (tmp_path / "results").resolve()
    assert protocol.privacy.key_file == (tmp_path / "keys/test.key").resolve()
    assert protocol.privacy.quasi_identifiers["alder"] == [0, 18, 25, 30]
    assert len(protocol.content_hash) == 64
    assert protocol.deviance.folds == 5  # defaults of DESIGN.md


def test_hash_ignores_comments_and_key_order_but_not_content(tmp_path):
    first = Protocol.load(write(tmp_path, BASE)).content_hash
    reordered = "# a comment\n" + yaml.safe_dump(dict(reversed(list(BASE.items()))))
    assert Protocol.load(write(tmp_path, reordered)).content_hash == first
    changed = copy.deepcopy(BASE)
    changed["seed"] = 8
    assert Protocol.load(write(tmp_path, changed)).content_hash != first


def _mutate(path: list, value):
    raw = copy.deepcopy(BASE)
    node = raw
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


BAD = [
    (["unknown_top"], 1, "unknown key 'unknown_top'"),
    (["data", "registr"], "x.csv", "unknown key 'data.registr'"),
    (["privacy", "kk"], 5, "unknown key 'privacy.kk'"),
    (["deviance"], {"folds": 5, "fold": 3}, "unknown key 'deviance.fold'"),
    (["coding"], {"codebook": "cb.yml", "units": "turn"}, "unknown key 'coding.units'"),
    (["phase3"], {"panl": "p.csv"}, "unknown key 'phase3.panl'"),
    (["study"], KeyError, "missing key 'study'"),
    (["data"], KeyError, "missing key 'data'"),
    (["data", "results"], KeyError, "missing key 'data.results'"),
    (["privacy", "id_column"], KeyError, "missing key 'privacy.id_column'"),
    (["privacy", "key_file"], KeyError, "missing key 'privacy.key_file'"),
    (["privacy", "k"], "five", "key 'privacy.k'"),
    (["privacy", "k"], 1, "key 'privacy.k'"),
    (["privacy", "min_cell"], 0, "key 'privacy.min_cell'"),
    (
        ["privacy", "quasi_identifiers"],
        {"fodselsdato": "decade"},
        "key 'privacy.quasi_identifiers.fodselsdato",
    ),
    (["privacy", "drop"], "navn", "key 'privacy.drop'"),
    (["privacy", "drop"], ["fodselsdato"], "both in drop and quasi_identifiers"),
    (["privacy", "drop"], ["fnr"], "id_column 'fnr' must not also be listed"),
    (["seed"], "x", "key 'seed'"),
    (["study"], "has space", "key 'study'"),
    (["risk_factors"], ["barnevern", "barnevern"], "key 'risk_factors'"),
    (["risk_factors"], ["not a column"], "key 'risk_factors'"),
    (["deviance"], {"model": "forest"}, "key 'deviance.model'"),
    (["deviance"], {"folds": 1}, "key 'deviance.folds'"),
    (["deviance"], {"high_risk_quantile": 1.5}, "key 'deviance.high_risk_quantile'"),
    (["deviance"], {"unit_limit": 0.3}, "key 'deviance.unit_limit'"),
    (["deviance"], {"timing": {"barnevern": "during"}}, "key 'deviance.timing.barnevern'"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), BAD, ids=[".".join(map(str, b[0])) + f"={b[1]!r}"[:30] for b in BAD]
)
def test_bad_protocol_names_key_and_file(tmp_path, path, value, expected):
    file = write(tmp_path, _mutate(path, value))
    with pytest.raises(ProtocolError) as info:
        Protocol.load(file)
    message = str(info.value)
    assert expected in message
    assert str(file) in message
    assert "\n" not in message


def test_missing_register_file_is_named(tmp_path):
    raw = _mutate(["data", "register"], "nowhere.csv")
    with pytest.raises(ProtocolError, match=r"data\.register.*nowhere\.csv.*not found"):
        Protocol.load(write(tmp_path, raw))


def test_missing_transcript_folder_and_codebook_are_named(tmp_path):
    raw = _mutate(["data", "transcripts"], "no_such_dir")
    with pytest.raises(ProtocolError, match=r"data\.transcripts"):
        Protocol.load(write(tmp_path, raw))
    raw = _mutate(["coding"], {"codebook": "missing.yml"})
    with pytest.raises(ProtocolError, match=r"coding\.codebook"):
        Protocol.load(write(tmp_path, raw))


def test_key_and_restricted_dir_refused_under_results(tmp_path):
    raw = _mutate(["privacy", "key_file"], "results/secret.key")
    with pytest.raises(ProtocolError, match=r"privacy\.key_file.*under data\.results"):
        Protocol.load(write(tmp_path, raw))
    raw = _mutate(["privacy", "restricted_dir"], "results/restricted")
    with pytest.raises(ProtocolError, match=r"privacy\.restricted_dir"):
        Protocol.load(write(tmp_path, raw))


def test_not_yaml_and_not_a_mapping(tmp_path):
    with pytest.raises(ProtocolError, match="not valid YAML at line"):
        Protocol.load(write(tmp_path, "study: [unclosed\n  data: 1\n"))
    with pytest.raises(ProtocolError, match="mapping"):
        Protocol.load(write(tmp_path, "- a\n- b\n"))
    with pytest.raises(ProtocolError, match="not found"):
        Protocol.load(tmp_path / "absent.yml")


def test_missing_section_for_a_command(tmp_path):
    raw = _mutate(["outcome"], KeyError)
    protocol = Protocol.load(write(tmp_path, raw))
    with pytest.raises(ProtocolError, match="'pdtk phase2' needs the 'outcome:' section"):
        protocol.require("outcome", "risk_factors", command="phase2")


def test_demo_protocol_is_valid():
    protocol = Protocol.load(Path(__file__).parents[1] / "protocols" / "demo.yml", check_files=False)
    assert protocol.outcome == "fullfort_vgs_5aar"
    assert protocol.privacy is not None and protocol.privacy.k >= 5


def test_hash_fixes_defaults_left_out_of_the_file(tmp_path):
    """Writing a default out explicitly gives the same hash; a different value does not."""
    implicit = Protocol.load(write(tmp_path, BASE)).content_hash
    explicit = copy.deepcopy(BASE)
    explicit["deviance"] = {"folds": 5, "high_risk_quantile": 0.75}
    assert Protocol.load(write(tmp_path, explicit)).content_hash == implicit
    explicit["deviance"]["folds"] = 10
    assert Protocol.load(write(tmp_path, explicit)).content_hash != implicit
