"""User-facing errors.

A :class:`PdtkError` is a mistake in the user's input (a bad protocol key, an unreadable file, a column
that is missing). The CLI prints its message as one line and exits non-zero, without a traceback.
Messages name the file, the row/column and the fix, and never contain a raw identifier value.
"""

from __future__ import annotations

from pathlib import Path


class PdtkError(Exception):
    """An error caused by the user's input; its message is one plain-language line."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | Path | None = None, fix: str | None = None):
        parts = []
        if file is not None:
            parts.append(f"{file}:")
        parts.append(message.rstrip("."))
        text = " ".join(parts) + "."
        if fix:
            text += f" Fix: {fix.rstrip('.')}."
        super().__init__(text)
        self.file = str(file) if file is not None else None
        self.fix = fix


class ProtocolError(PdtkError):
    """The study protocol (YAML) is invalid."""


class InputDataError(PdtkError):
    """An input data file cannot be read or does not have what the step needs."""


class DisclosureError(PdtkError):
    """Writing an output would disclose an identifier or a small cell; nothing was written."""

    exit_code = 3
