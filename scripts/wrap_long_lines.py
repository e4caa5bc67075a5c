"""Wrap lines longer than the limit in comments, docstrings and string literals (what ``ruff format`` leaves).

    .venv/bin/python scripts/wrap_long_lines.py toolkit/io.py toolkit/synth/        # then: ruff format

``ruff format`` wraps code but never text, so a line-length rule needs this once for existing files. Only text
is moved, never meaning: a comment becomes two comments, a docstring line becomes two lines of the same
docstring, and a string literal inside brackets becomes two adjacent literals (Python joins them). Other
triple-quoted strings (templates, data) are left alone and reported, as are lines it cannot split.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path

LIMIT = 110


def _split_point(text: str, limit: int) -> int | None:
    """Index of the last space at or before ``limit`` (not in the leading indentation), or None."""
    start = len(text) - len(text.lstrip())
    cut = text.rfind(" ", start + 1, limit)
    return cut if cut > start else None


def _docstring_tokens(source: str) -> set[tuple[int, int]]:
    """(start row, end row) of every STRING token that is a whole statement (a docstring)."""
    found = set()
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.NL]
    for i, token in enumerate(tokens):
        if token.type != tokenize.STRING or not token.string.lstrip("rRbBuUfF").startswith(('"""', "'''")):
            continue
        before = tokens[i - 1].type if i else tokenize.NEWLINE
        after = tokens[i + 1].type if i + 1 < len(tokens) else tokenize.NEWLINE
        if before in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) and after == tokenize.NEWLINE:
            found.add((token.start[0], token.end[0]))
    return found


def _wrap_once(source: str) -> tuple[str, list[int]]:  # noqa: C901 - one pass over token kinds
    """Wrap the first wrappable long line; the new source and the rows left long (when nothing changed)."""
    lines = source.splitlines(keepends=True)
    docstrings = _docstring_tokens(source)
    depth = 0
    skipped: list[int] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        row = token.start[0]
        if token.type == tokenize.COMMENT and len(lines[row - 1].rstrip("\n")) > LIMIT:
            line = lines[row - 1].rstrip("\n")
            column = token.start[1]
            cut = _split_point(line, LIMIT)
            if cut is None or cut <= column + 2:
                skipped.append(row)
                continue
            indent = " " * column
            lines[row - 1] = line[:cut] + "\n" + indent + "# " + line[cut + 1 :].lstrip() + "\n"
            return "".join(lines), []
        if token.type != tokenize.STRING:
            continue
        span = (token.start[0], token.end[0])
        if span in docstrings:
            for r in range(span[0], span[1] + 1):
                line = lines[r - 1].rstrip("\n")
                if len(line) <= LIMIT:
                    continue
                cut = _split_point(line, LIMIT)
                if cut is None:
                    skipped.append(r)
                    continue
                indent = " " * (token.start[1] if r == span[0] else len(line) - len(line.lstrip()))
                lines[r - 1] = line[:cut] + "\n" + indent + line[cut + 1 :] + "\n"
                return "".join(lines), []
            continue
        if span[0] != span[1] or len(lines[row - 1].rstrip("\n")) <= LIMIT:
            continue
        if depth == 0:
            skipped.append(row)
            continue
        prefix = re.match(r"[rRbBuUfF]*", token.string).group(0)
        body = token.string[len(prefix) :]
        quote = body[0]
        if body.startswith(quote * 3):
            skipped.append(row)
            continue
        # split the literal at a space that ends before the limit and is outside any {expression}
        best = None
        level = 0
        for i, ch in enumerate(body[1:-1], start=1):
            if ch == "{":
                level += 1
            elif ch == "}":
                level = max(level - 1, 0)
            elif ch == " " and level == 0 and token.start[1] + len(prefix) + i + 2 <= LIMIT and i > 10:
                best = i
        if best is None:
            skipped.append(row)
            continue
        first = prefix + body[: best + 1] + quote
        second = prefix + quote + body[best + 1 :]
        line = lines[row - 1]
        start, end = token.start[1], token.end[1]
        indent = " " * token.start[1]
        lines[row - 1] = line[:start] + first + "\n" + indent + second + line[end:]
        return "".join(lines), []
    return source, skipped


def wrap(path: Path) -> list[int]:
    """Wrap ``path`` in place; the rows still too long."""
    source = path.read_text(encoding="utf-8")
    for _ in range(2000):
        new, skipped = _wrap_once(source)
        if new == source:
            break
        source = new
    path.write_text(source, encoding="utf-8")
    return sorted(set(skipped))


def main(argv: list[str]) -> int:
    files = [
        p for arg in argv for p in (sorted(Path(arg).rglob("*.py")) if Path(arg).is_dir() else [Path(arg)])
    ]
    for path in files:
        left = wrap(path)
        if left:
            print(f"{path}: still long at lines {', '.join(map(str, left))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
