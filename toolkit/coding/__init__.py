"""Coding interview transcripts into themes: Norwegian lemmas, rules, learning, reliability, REFI-QDA.

The step the CLI and ``Study`` call is :func:`toolkit.coding.run.autocode_folder`. Names are imported lazily
so that ``import toolkit.coding`` stays cheap (scikit-learn and spaCy load only when used).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "autocode_folder": "toolkit.coding.run",
    "AutocodeResult": "toolkit.coding.run",
    "read_hand_coding": "toolkit.coding.run",
    "Codebook": "toolkit.coding.codebook",
    "load_codebook": "toolkit.coding.codebook",
    "default_codebook_path": "toolkit.coding.codebook",
    "AutoCoder": "toolkit.coding.autocode",
    "NorwegianAnalyzer": "toolkit.language",
    "ThemeLearner": "toolkit.coding.learn",
    "compare_coders": "toolkit.coding.reliability",
    "read_segments": "toolkit.coding.segments",
    "export_qdpx": "toolkit.coding.refiqda",
    "export_qdc": "toolkit.coding.refiqda",
    "read_qdpx": "toolkit.coding.refiqda",
    "read_qdc": "toolkit.coding.refiqda",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'toolkit.coding' has no attribute {name!r}")
