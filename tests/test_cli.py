"""The command line: help everywhere, one clear line and a non-zero exit for a user's mistake."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()
COMMANDS = ["synth", "anonymise", "phase1", "phase2", "deidentify", "evaluate-deid", "autocode", "match", "phase3", "run", "reproduce", "init"]


def test_top_level_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_bad_protocol_is_one_line_without_traceback(tmp_path):
    bad = tmp_path / "p.yml"
    bad.write_text("study: x\ndata: {register: r.csv, results: res}\nbogus: 1\n", encoding="utf-8")
    result = runner.invoke(app, ["phase1", str(bad)])
    assert result.exit_code == 2
    assert "unknown key 'bogus'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "res").exists()


def test_missing_protocol_file(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "absent.yml")])
    assert result.exit_code == 2
    assert "protocol file not found" in result.output


def test_debug_shows_the_exception(tmp_path):
    result = runner.invoke(app, ["--debug", "run", str(tmp_path / "absent.yml")])
    assert result.exit_code != 0
    assert result.exception is not None


def test_reproduce_without_manifest(tmp_path):
    result = runner.invoke(app, ["reproduce", str(tmp_path)])
    assert result.exit_code == 2
    assert "no manifest.json" in result.output


def test_init_creates_a_valid_protocol_and_refuses_to_overwrite(tmp_path):
    from toolkit.protocol import Protocol

    target = tmp_path / "ny-studie"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    protocol = Protocol.load(target / "protocol.yml", check_files=False)
    assert protocol.study == "ny-studie"
    assert (target / "data" / "transcripts").is_dir()
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output
