"""Habits the code keeps: no function longer than 100 lines in toolkit/ (outside the de-identification package).

Complexity and line length are ruff's (pyproject.toml); ruff has no rule for a function's length, so this test
measures it from the syntax tree.
"""

from __future__ import annotations

import ast
from pathlib import Path

TOOLKIT = Path(__file__).resolve().parents[1] / "toolkit"
MAX_LINES = 100


def _long_functions(root: Path = TOOLKIT) -> dict[str, int]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "deidentify" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_LINES:
                    found[f"{path.relative_to(root).as_posix()}:{node.name}"] = length
    return found


def test_no_function_is_longer_than_100_lines() -> None:
    assert _long_functions() == {}


def test_the_measure_finds_a_long_function_and_skips_deidentify(tmp_path: Path) -> None:
    """The check above can fail: 101 lines (methods and nested functions too) are found, 100 are not."""
    body = "".join(f"    x{i} = {i}\n" for i in range(100))  # with the def line: 101 lines
    shorter = "".join(f"    x{i} = {i}\n" for i in range(99))
    (tmp_path / "mod.py").write_text(f"def long():\n{body}\n\ndef fits():\n{shorter}")
    (tmp_path / "deidentify").mkdir()
    (tmp_path / "deidentify" / "skip.py").write_text(f"def long():\n{body}")
    nested = "".join(f"        y{i} = {i}\n" for i in range(100))
    (tmp_path / "cls.py").write_text(f"class C:\n    def method(self):\n{nested}")
    assert _long_functions(tmp_path) == {"cls.py:method": 101, "mod.py:long": 101}
