"""How a value reads in a report table: no Python literal, no pandas interval, no ``p = 0.000``.

Tables keep their exact numbers in the CSV files; the report shows them for a reader: quartile bins as
"10–35,9", ``True``/``False`` as "ja"/"nei", rates as percentages, p-values below 0.001 as "< 0,001", the
decimal comma in Norwegian, and codes through their labels (:class:`toolkit.report.labels.Labels`).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from toolkit.report.labels import Labels, readable_name

_DECIMAL_TEXT = re.compile(r"^-?\d+\.\d+$")
_SNAKE_CASE = re.compile(r"^[a-zæøå]+(_[a-zæøå0-9]+)+$")
_NUMERIC_CELL = re.compile(r"^([<>−–-]?\s?[\d\u202f.,]+(\s?%| pp| pts)?|–)$")
_INTERVAL = re.compile(r"^[\(\[]\s*(-?[\d.eE+-]+|-?inf)\s*,\s*(-?[\d.eE+-]+|inf)\s*[\)\]]$")
_P_COLUMNS = re.compile(r"^(p|q|p_value|q_value|p_.*|.*_p|.*_p_value|fisher_p|q_bh)$")
_PERCENT_COLUMNS = re.compile(r"(^|_)(rate|share|prevalence)(_|$)|^success_rate")
_POINTS_COLUMNS = {"gap", "excess_rate", "excess_rate_shrunk"}
# columns whose values are themselves column names of the register
_NAME_COLUMNS = {"variable", "risk_factor", "covariate", "unit_var", "characteristic"}
# columns whose values are levels of the variable named in the same row
_LEVEL_COLUMNS = {"level", "unit"}
_WORDS = {
    "nb": {
        True: "ja",
        False: "nei",
        "missing": "mangler",
        "(missing)": "(mangler)",
        "(intercept)": "Konstantledd",
        "above": "over",
        "below": "under",
    },
    "en": {
        True: "yes",
        False: "no",
        "missing": "missing",
        "(missing)": "(missing)",
        "(intercept)": "Intercept",
    },
}


def number(value: float, decimals: int, language: str) -> str:
    """A number with ``decimals`` places and the language's decimal mark (comma in Norwegian)."""
    text = f"{value:,.{decimals}f}".replace(",", "\u202f")  # thin space between thousands
    return text.replace(".", ",") if language == "nb" else text


def readable_interval(text: str, language: str) -> str | None:
    """``(9.999, 35.9]`` → ``10–35,9``; None when ``text`` is not an interval label."""
    text = text.strip()
    match = _INTERVAL.match(text)
    if not match:
        return None
    low, high = (float(v) for v in match.groups())
    if text.startswith("[") and text.endswith(")") and low.is_integer() and high.is_integer():
        return f"{int(low)}–{int(high) - 1}"  # [1996, 1998): the cohorts 1996 and 1997
    return f"{_short(low, language)}–{_short(high, language)}"


def _short(value: float, language: str) -> str:
    """An interval bound: one decimal at most, no thousands separator (bounds are often years)."""
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    rounded = round(value, 1)
    return number(rounded, 0 if rounded.is_integer() else 1, language).replace("\u202f", "")


def p_value(value: float, language: str) -> str:
    """p-values as a reader expects them: "< 0,001" below a thousandth, else three decimals."""
    if value < 0.001:
        return "< " + number(0.001, 3, language)
    return number(value, 3, language)


def cell(value: Any, column: str, row: pd.Series, labels: Labels, float_format: str = "{:.3f}") -> str:
    """One table cell as text for a reader."""
    language = labels.language
    words = _WORDS["nb" if language == "nb" else "en"]
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, pd.Interval):
        return f"{_short(value.left, language)}–{_short(value.right, language)}"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return words[bool(value)]
    if isinstance(value, str):
        return _text_cell(value, column, row, labels, words)
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer_dtype(value.dtype)):
        return number(int(value), 0, language) if column not in ("aar", "year", "cohort") else str(value)
    if isinstance(value, float) or pd.api.types.is_float(value):
        return _float_cell(float(value), column, language, float_format)
    return str(value)


def _float_cell(value: float, column: str, language: str, float_format: str) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if _P_COLUMNS.match(column):
        return p_value(value, language)
    if column in _POINTS_COLUMNS:
        unit = " pp" if language == "nb" else " pts"
        return number(100 * value, 1, language) + unit
    if _PERCENT_COLUMNS.search(column):
        return number(100 * value, 1, language) + " %"
    if value.is_integer() and (column in ("n", "count") or column.startswith("n_") or abs(value) >= 100):
        return number(value, 0, language)
    text = float_format.format(value)
    return text.replace(".", ",") if language == "nb" else text


def _text_cell(value: str, column: str, row: pd.Series, labels: Labels, words: dict[Any, str]) -> str:
    if value in ("True", "False"):
        return words[value == "True"]
    if _DECIMAL_TEXT.match(value):  # a number kept as text (e.g. a column of mixed measures)
        parsed = float(value)
        if parsed.is_integer():
            return number(parsed, 0, labels.language)
        return _float_cell(parsed, column, labels.language, "{:.3f}")
    interval = readable_interval(value, labels.language)
    if interval is not None:
        return interval
    if value in words:
        return words[value]
    if column in _NAME_COLUMNS:
        return labels.column(value) if labels.knows(value) or "_" in value else value
    if column in _LEVEL_COLUMNS:
        owner = next((str(row[c]) for c in ("variable", "unit_var", "risk_factor") if c in row.index), column)
        labelled = labels.value(owner, value)
        if labelled is None and value in ("0", "1"):  # the two levels of a yes/no column
            return words[value == "1"]
        return labelled or value
    if column == "term" and "=" in value:
        name, _, level = value.partition("=")
        return f"{labels.column(name)}: {labels.value(name, level) or level}"
    if column == "term":
        return labels.column(value) if labels.knows(value) else value
    labelled = labels.value(column, value)
    if labelled is not None:
        return labelled
    return value.replace("_", " ") if _SNAKE_CASE.match(value) else value


def is_numeric_text(text: str) -> bool:
    """True for a cell that reads as a number (right-aligned in a table)."""
    return bool(_NUMERIC_CELL.match(text))


def display_frame(frame: pd.DataFrame, labels: Labels, float_format: str = "{:.3f}") -> pd.DataFrame:
    """The table as a reader sees it: labelled headers and readable cells (all text)."""
    rows = [row for _, row in frame.iterrows()]
    columns: dict[str, list[str]] = {}
    for column in frame.columns:
        name = str(column)
        header = labels.column(name)
        if header in columns:  # two columns with one label (p and p_value): keep both, told apart
            header = f"{header} ({readable_name(name).lower()})"
        columns[header] = [
            cell(value, name, row, labels, float_format)
            for value, row in zip(frame[column].tolist(), rows, strict=True)
        ]
    return pd.DataFrame(columns, index=frame.index)


def readable_p_in_text(text: str, language: str) -> str:
    """``p = 0.000`` in a sentence → ``p < 0.001`` (a p-value is never zero)."""
    return re.sub(r"\bp = 0[.,]000\b", "p < " + number(0.001, 3, language), text)


__all__ = [
    "cell",
    "display_frame",
    "is_numeric_text",
    "number",
    "p_value",
    "readable_interval",
    "readable_p_in_text",
]
