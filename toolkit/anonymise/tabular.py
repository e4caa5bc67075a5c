"""Turn a raw register into a releasable one: pseudonymise, drop, generalise, k-anonymise, l-diversify,
measure.

:func:`anonymise_register` applies the protocol's ``privacy:`` section:

1. check the id column (present, text not numbers, valid / duplicated counts — never the values);
2. replace it by the keyed pseudonym ``pid`` (:mod:`toolkit.anonymise.pseudonym`) and drop ``privacy.drop``;
3. generalise each quasi-identifier by its rule: ``year`` / ``month`` for dates, ``keep``, ``drop``, a list of
   bin edges for numbers, ``municipality`` / ``region`` for postcodes and municipality numbers (postcode →
   kommune → region; the Kongsvinger region is built in, other tables can be passed in ``code_tables``);
4. enforce k-anonymity (and distinct l-diversity for ``privacy.sensitive``) by *local suppression*: values of
   the rarest combinations are set to missing, a few at a time, choosing each time the quasi-identifier(s)
   whose suppression makes the most records safe; whole rows are removed only when even a record with every
   quasi-identifier suppressed stays unsafe;
5. report re-identification risk before and after, and information loss per column.

**Missing values count as their own category.** A missing quasi-identifier — missing in the input or
suppressed here — is one more value ("unknown"), so a record with ``kommune = <NA>`` is only grouped with
other
records whose ``kommune`` is missing. This is the stricter of the two usual conventions (ARX treats a
suppressed
value as ``*`` in the same way); sdcMicro's ``kAnon`` instead treats a missing value as a *wildcard* that
matches any value. Both are reported (``k_reached`` under "category", ``k_reached_wildcard`` under
"wildcard");
k under the category convention is never larger than under the wildcard one, so enforcing it is safe under
both.

Why local suppression is written here: sdcMicro (R) and ARX (Java) are not Python, and the Python ports
(``anonypy``, ``pycanon``) either generalise whole columns or only measure. The greedy algorithm below is the
one sdcMicro's ``localSuppression`` uses in spirit — suppress in the variable that helps most, fewest values
first — made vectorised (integer-coded combinations, ``numpy.bincount``) so a million rows take seconds.
The tests check k and l against ``pycanon``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from toolkit.anonymise._hashing import pseudonymise
from toolkit.anonymise.identifiers import ANY, KIND_NAMES, IdentifierPolicy, classify_ids
from toolkit.anonymise.pseudonym import Key, normalise_ids
from toolkit.errors import InputDataError, ProtocolError
from toolkit.io import arrow_strings, json_text
from toolkit.protocol import PrivacySection
from toolkit.results import Output, StepResult, Summary

MissingRule = Literal["category", "wildcard"]

# ---------------------------------------------------------------------------------------------------------
# code tables (public: postcodes, municipality numbers)

KONGSVINGER_REGION = "Kongsvingerregionen"

KOMMUNE_TO_REGION: dict[str, str] = {
    "3401": KONGSVINGER_REGION,  # Kongsvinger
    "3414": KONGSVINGER_REGION,  # Nord-Odal
    "3415": KONGSVINGER_REGION,  # Sør-Odal
    "3416": KONGSVINGER_REGION,  # Eidskog
    "3417": KONGSVINGER_REGION,  # Grue
    "3418": KONGSVINGER_REGION,  # Åsnes
    "3419": KONGSVINGER_REGION,  # Våler
}
"""Municipality number (2024) → region. Municipalities not listed fall back to their county (first two
digits)."""

POSTNR_TO_KOMMUNE: dict[str, str] = {
    # Kongsvinger 3401
    **dict.fromkeys(
        [
            "2200",
            "2201",
            "2202",
            "2203",
            "2204",
            "2205",
            "2206",
            "2208",
            "2209",
            "2210",
            "2211",
            "2212",
            "2213",
            "2214",
            "2215",
            "2216",
            "2217",
            "2218",
            "2219",
            "2220",
            "2223",
            "2224",
            "2225",
            "2226",
            "2227",
        ],
        "3401",
    ),
    # Nord-Odal 3414
    **dict.fromkeys(["2120", "2121", "2122", "2123", "2124", "2125", "2130", "2133", "2134"], "3414"),
    # Sør-Odal 3415
    **dict.fromkeys(["2100", "2101", "2110", "2114", "2116"], "3415"),
    # Eidskog 3416
    **dict.fromkeys(["2230", "2232", "2233", "2235", "2240", "2241"], "3416"),
    # Grue 3417
    **dict.fromkeys(["2256", "2260", "2261", "2264", "2265", "2266"], "3417"),
    # Åsnes 3418
    **dict.fromkeys(["2270", "2271", "2280", "2283"], "3418"),
    # Våler 3419
    **dict.fromkeys(["2435", "2436", "2437"], "3419"),
}
"""Postcode → municipality number for the Kongsvinger region (Posten's register, 2024). Other postcodes need a
user table (``code_tables={"postnr_to_kommune": {...}}``); unknown postcodes become ``<NA>`` and are
counted."""


def _codes(values: pd.Series, width: int) -> pd.Series:
    """Codes as zero-padded text: ``3401``, and ``150`` read as a number → ``0150``."""
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce")
        text = numbers.astype("Int64").astype("string")
    else:
        text = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    return text.str.zfill(width).mask(text.isna() | (text == ""))


# ---------------------------------------------------------------------------------------------------------
# results


@dataclass
class IdValidation:
    """Counts about the id column; never the values themselves."""

    rows: int
    missing: int
    invalid: int
    duplicated: int
    kinds: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "missing": self.missing,
            "invalid": self.invalid,
            "duplicated": self.duplicated,
            "kinds": dict(self.kinds),
        }


@dataclass
class AnonymisedRegister(StepResult):
    """The released register (``data``), the disclosure report (``disclosure``, JSON-able) and helpers.

    ``suppressed_cells`` is a boolean frame (rows of ``data`` × released quasi-identifiers) marking the values
    this run suppressed, for audits and tests.
    """

    data: pd.DataFrame
    disclosure: dict[str, Any]
    suppressed_cells: pd.DataFrame
    id_validation: IdValidation

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """``measures``: every figure of the disclosure report as a tidy table (kept in
        ``disclosure.json``)."""
        return {"measures": self.measures()}

    def outputs(self) -> dict[str, Output]:
        """``register.parquet`` (the released register) and ``disclosure.json`` (the disclosure report)."""
        return {"register.parquet": self.data, "disclosure.json": json_text(self.disclosure)}

    def summary(self) -> Summary:
        """k and l reached, rows in and out, suppression; the full figures are in ``tables["measures"]``."""
        d = self.disclosure
        facts = [
            ("k requested / reached", f"{d['k_requested']} / {d['k_reached']}"),
            ("rows in / released", f"{d['rows_in']} / {d['rows_out']}"),
            ("rows removed", d["rows_removed"]),
            ("cells suppressed", d["cells_suppressed"]),
            ("share of rows touched", f"{d['share_rows_touched']:.1%}"),
            *[(f"l reached ({name})", value) for name, value in d["l_reached"].items()],
            ("dropped columns", ", ".join(d["dropped_columns"]) or "none"),
        ]
        return Summary("Anonymised register", facts)

    def summary_line(self) -> str:
        d = self.disclosure
        return f"k reached {d['k_reached']}, {d['share_rows_touched']:.1%} of rows touched by suppression"

    def measures(self) -> pd.DataFrame:
        """Tidy table: one row per figure (``measure``, ``stage``, ``value``, ``definition``)."""
        d = self.disclosure
        rows: list[dict[str, Any]] = [
            {
                "measure": "k requested",
                "stage": "after",
                "value": d["k_requested"],
                "definition": "privacy.k",
            },
            {
                "measure": "k reached",
                "stage": "after",
                "value": d["k_reached"],
                "definition": DEFINITIONS["k_reached"],
            },
            {
                "measure": "k reached (missing = wildcard)",
                "stage": "after",
                "value": d["k_reached_wildcard"],
                "definition": DEFINITIONS["k_reached_wildcard"],
            },
            {"measure": "rows", "stage": "before", "value": d["rows_in"], "definition": "rows in the input"},
            {"measure": "rows", "stage": "after", "value": d["rows_out"], "definition": "rows released"},
            {
                "measure": "rows removed",
                "stage": "after",
                "value": d["rows_removed"],
                "definition": DEFINITIONS["rows_removed"],
            },
            {
                "measure": "cells suppressed",
                "stage": "after",
                "value": d["cells_suppressed"],
                "definition": DEFINITIONS["cells_suppressed"],
            },
            {
                "measure": "share of rows touched",
                "stage": "after",
                "value": d["share_rows_touched"],
                "definition": DEFINITIONS["share_rows_touched"],
            },
        ]
        for name, value in d["l_reached"].items():
            rows.append(
                {
                    "measure": f"l reached ({name})",
                    "stage": "after",
                    "value": value,
                    "definition": DEFINITIONS["l_reached"],
                }
            )
        for stage in ("before", "after"):
            for measure, value in d["risk"][stage].items():
                rows.append(
                    {
                        "measure": measure,
                        "stage": stage,
                        "value": value,
                        "definition": DEFINITIONS.get(measure, ""),
                    }
                )
        for column, loss in d["information_loss"].items():
            for measure, value in loss.items():
                if measure == "rule":
                    continue
                rows.append(
                    {
                        "measure": f"{measure} ({column})",
                        "stage": "after",
                        "value": value,
                        "definition": DEFINITIONS.get(measure, ""),
                    }
                )
        for measure, value in d["ids"].items():
            if measure != "kinds":
                rows.append(
                    {
                        "measure": f"ids {measure}",
                        "stage": "before",
                        "value": value,
                        "definition": "id column check",
                    }
                )
        frame = pd.DataFrame(rows)
        frame["value"] = frame["value"].astype(object)
        return frame


DEFINITIONS: dict[str, str] = {
    "k_reached": "smallest equivalence class on the released quasi-identifiers; missing values are their own "
    "category",
    "k_reached_wildcard": "smallest number of records each record could match when a missing value matches "
    "any "
    "value (sdcMicro's kAnon convention)",
    "l_reached": "distinct l-diversity: smallest number of distinct values of the sensitive column in a "
    "class",
    "rows_removed": "rows left out because even full suppression of their quasi-identifiers kept them unsafe",
    "cells_suppressed": "quasi-identifier values set to missing by local suppression",
    "share_rows_touched": "share of input rows with at least one suppressed value or removed",
    "sample_uniques": "sdcMicro: number of records whose combination of quasi-identifiers is unique in the "
    "data (f_k = 1)",
    "prosecutor_risk_max": "ARX prosecutor model, highest risk: 1 / size of the smallest equivalence class",
    "prosecutor_risk_mean": "ARX prosecutor model, average risk: mean over records of 1 / class size "
    "(= classes / records)",
    "records_at_risk": "ARX prosecutor model, records at risk: share of records whose risk 1 / class size "
    "exceeds "
    "1 / k (their class is smaller than k)",
    "expected_reidentifications": "sdcMicro global risk (expected number of re-identifications): sum over "
    "records of "
    "1 / f_k, without sampling weights (the register is the population, F_k = f_k)",
    "equivalence_classes": "number of distinct combinations of quasi-identifiers",
    "distinct_before": "distinct non-missing values in the input",
    "distinct_after": "distinct non-missing values released",
    "cells_suppressed_col": "values of this column suppressed by local suppression",
    "share_suppressed": "share of this column's values suppressed (or missing because not mapped by a code "
    "table)",
    "unmapped_codes": "values the code table did not know (released as missing)",
    "granularity_loss": "ARX 'Loss' (Iyengar's generalisation loss): mean over cells of (original values "
    "merged "
    "into the released value - 1) / (distinct original values - 1); suppressed or dropped = 1",
}


# ---------------------------------------------------------------------------------------------------------
# id checks


def validate_ids(
    values: pd.Series, *, policy: IdentifierPolicy = ANY, source: str = "<register>"
) -> IdValidation:
    """Count missing, invalid and duplicated identity numbers (the values are never returned or printed).

    Raises :class:`InputDataError` when the column was read as numbers (leading zeros lost).
    """
    _check_id_column(values, source=source)
    normalised = normalise_ids(values)
    codes, uniques = _factorize_text(normalised)
    return _count_ids(normalised, codes, uniques, policy=policy)


def _check_id_column(values: pd.Series, *, source: str) -> None:
    """Refuse an id column read as numbers, or holding numbers written as decimals (leading zeros lost)."""
    column = values.name
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        raise InputDataError(
            f"the id column '{column}' was read as numbers, so leading zeros are lost (e.g. 1019912345.0)",
            file=source,
            fix=f"read '{column}' as text (pdtk's reader does this for CSV; in Excel format the column as "
            f"Text)",
        )
    if _all_plain_digits(values):  # the usual case, checked by a cheap kernel: no decimal point anywhere
        return
    raw = values.astype("string").str.strip().dropna()
    if len(raw) and raw.str.fullmatch(r"\d+\.0+|\d(?:\.\d+)?[eE]\+?\d+").mean() > 0.5:
        raise InputDataError(
            f"the id column '{column}' holds numbers written as decimals (e.g. 1019912345.0): leading zeros "
            f"are lost",
            file=source,
            fix=f"export '{column}' again as text, with all 11 digits",
        )


def _factorize_text(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` of a text column (codes in order of first appearance, -1 = missing), by Arrow's
    kernel.

    Arrow's ``dictionary_encode`` directly, without pandas' wrapping: about a third faster on a million
    distinct identity numbers, and the distinct values stay one Arrow array for the hashing step.
    """
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(arrow_strings(values))
    codes = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    uniques = pd.Index(pd.arrays.ArrowStringArray(encoded.dictionary), dtype=pd.StringDtype("pyarrow"))
    return codes, uniques


def _all_plain_digits(values: pd.Series) -> bool:
    """True when every present value is a non-empty run of ASCII digits (no regex: ~100× faster than one)."""
    import pyarrow.compute as pc

    if not (pd.api.types.is_string_dtype(values) and not pd.api.types.is_object_dtype(values)):
        return False
    return bool(pc.all(pc.ascii_is_decimal(arrow_strings(values))).as_py() is not False)


def _count_ids(
    normalised: pd.Series, codes: np.ndarray, uniques: pd.Index, *, policy: IdentifierPolicy
) -> IdValidation:
    """The counts of :func:`validate_ids` from the factorised normalised ids.

    Why factorised: :func:`anonymise_register` needs the same factorisation for the pseudonyms, so the column
    is
    normalised and hashed once; each distinct id is validated once, and duplicates are rows minus distinct
    ids.
    """
    codes = np.asarray(codes)
    missing = int((codes < 0).sum())
    duplicated = int(len(codes) - missing - len(uniques))
    distinct = pd.Series(np.asarray(uniques, dtype=object) if len(uniques) == 0 else uniques, dtype="string")
    valid_distinct, kind_distinct = (
        classify_ids(distinct, policy) if len(distinct) else (np.zeros(0, bool), np.zeros(0, np.int8))
    )
    present = codes >= 0
    valid = np.zeros(len(codes), dtype=bool)
    valid[present] = valid_distinct[codes[present]]
    counts = np.bincount(kind_distinct[codes[valid]], minlength=len(KIND_NAMES))
    kinds = {name: int(count) for name, count in zip(KIND_NAMES, counts, strict=True) if count}
    return IdValidation(
        rows=len(normalised),
        missing=missing,
        invalid=int((~valid).sum()) - missing,
        duplicated=duplicated,
        kinds=kinds,
    )


# ---------------------------------------------------------------------------------------------------------
# generalisation

_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d", "%d%m%Y", "%Y-%m-%d %H:%M:%S", "%d.%m.%y")


def parse_dates(values: pd.Series, *, column: str, source: str) -> pd.Series:
    """Dates in any of the formats Norwegian register exports use (ISO, ``dd.mm.yyyy``, ``yyyymmdd`` …).

    The format is chosen on the first thousand distinct values and then applied to all, which is fast and
    never mixes
    day-first and month-first readings within one column. Each distinct text is parsed once: a million birth
    dates of one cohort are a few thousand distinct days.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if pd.api.types.is_numeric_dtype(values):
        values = values.astype("Int64").astype("string")
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    text = pd.Series(uniques, dtype="string").str.strip()
    present = text[text != ""]
    if present.empty:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    sample = present.iloc[:1000]  # distinct values, in order of first appearance
    best, best_ok = None, -1
    for fmt in _DATE_FORMATS:
        ok = int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum())
        if ok > best_ok:
            best, best_ok = fmt, ok
    if best_ok == 0:
        raise InputDataError(
            f"column '{column}' is not a date in a known format",
            file=source,
            fix="use dates like 2001-03-24 or 24.03.2001, or change its quasi-identifier rule",
        )
    parsed = pd.to_datetime(text, format=best, errors="coerce")
    failed = (parsed.isna() & (text != "")).to_numpy()
    bad = int(np.bincount(codes[codes >= 0], minlength=len(text))[failed].sum())
    if bad:
        raise InputDataError(
            f"column '{column}': {bad} value(s) are not dates in the format {best}",
            file=source,
            fix="correct or blank them; a column must use one date format",
        )
    spread = parsed.to_numpy()[np.where(codes >= 0, codes, 0)]
    spread[codes < 0] = np.datetime64("NaT")
    return pd.Series(spread, index=values.index, name=values.name)


def _bin_labels(edges: list[float]) -> list[str]:
    def fmt(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else f"{x:g}"

    labels = [f"<{fmt(edges[0])}"]
    labels += [f"[{fmt(a)}, {fmt(b)})" for a, b in itertools.pairwise(edges)]
    labels.append(f">={fmt(edges[-1])}")
    return labels


def generalise(
    values: pd.Series,
    rule: str | Sequence[float],
    *,
    column: str,
    source: str = "<register>",
    code_tables: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.Series:
    """Release one quasi-identifier column according to its rule (see the module docstring)."""
    tables = code_tables or {}
    if isinstance(rule, list | tuple):
        edges = sorted(float(e) for e in rule)
        if len(edges) < 1 or len(set(edges)) != len(edges):
            raise ProtocolError(
                f"quasi-identifier '{column}': bin edges must be distinct numbers",
                file=source,
                fix="e.g. [0, 20, 40]",
            )
        numbers = pd.to_numeric(values, errors="coerce")
        bad = int((numbers.isna() & values.notna()).sum())
        if bad:
            raise InputDataError(
                f"column '{column}' has {bad} non-numeric value(s) but its rule is a list of bins",
                file=source,
                fix="correct the values or give the column another rule",
            )
        bins = [-math.inf, *edges, math.inf]
        cut = pd.cut(numbers.astype("float64"), bins=bins, right=False, labels=_bin_labels(edges))
        return cut.astype("string")
    if rule == "keep":
        if pd.api.types.is_integer_dtype(values) and not isinstance(values.dtype, pd.ArrowDtype):
            return values.astype("Int64")
        if pd.api.types.is_float_dtype(values):
            return values.astype("Float64")
        return values
    if rule in ("year", "month"):
        dates = parse_dates(values, column=column, source=source)
        if rule == "year":
            return dates.dt.year.astype("Int64")
        return dates.dt.strftime("%Y-%m").astype("string")
    if rule == "municipality":
        codes = _codes(values, 4)
        table = {**POSTNR_TO_KOMMUNE, **dict(tables.get("postnr_to_kommune", {}))}
        return codes.map(table).astype("string")
    if rule == "region":
        codes = _codes(values, 4)
        postnr_table = {**POSTNR_TO_KOMMUNE, **dict(tables.get("postnr_to_kommune", {}))}
        region_table = {**KOMMUNE_TO_REGION, **dict(tables.get("kommune_to_region", {}))}
        is_kommune = codes.isin(set(region_table)) | ~codes.isin(set(postnr_table))
        if is_kommune.mean() < 0.5:  # mostly postcodes: go through the municipality first
            codes = codes.map(postnr_table).astype("string")
        mapped = codes.map(region_table).astype("string")
        county = ("fylke " + codes.str.slice(0, 2)).astype("string")
        return mapped.fillna(county)
    raise ProtocolError(
        f"quasi-identifier '{column}': unknown rule '{rule}'",
        file=source,
        fix="use year, month, keep, drop, municipality, region or a list of bin edges",
    )


# ---------------------------------------------------------------------------------------------------------
# k-anonymity and l-diversity on integer codes


def _encode(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """(rows × columns) int64 codes; 0 = missing, 1.. = values."""
    out = np.zeros((len(frame), len(columns)), dtype=np.int64)
    for j, col in enumerate(columns):
        codes, _ = pd.factorize(frame[col], use_na_sentinel=True)
        out[:, j] = codes + 1
    return out


def _combine(codes: np.ndarray) -> np.ndarray:
    """One compact int key per row (0 … classes − 1) for the combination of its codes.

    When the product of the columns' ranges fits in 62 bits (the usual case) the codes are combined in one
    pass; a small key space (at most a few keys per row, as after generalisation) is then made compact with a
    lookup table, a large one by hashing (``pd.factorize``). Otherwise the columns are combined one by one,
    factorising after each so the key never overflows. Only the partition into classes is promised, not the
    numbering.
    """
    n, q = codes.shape
    if n == 0 or q == 0:
        return np.zeros(n, dtype=np.int64)
    radices = [int(r) + 1 for r in codes.max(axis=0)]
    total = math.prod(radices)
    if total < 2**62:
        weights = np.array([math.prod(radices[j + 1 :]) for j in range(q)], dtype=np.int64)
        key = codes @ weights
        if total <= 4 * n + 65_536:  # lookup table of at most a few entries per row
            seen = np.zeros(total, dtype=bool)
            seen[key] = True
            return (np.cumsum(seen) - 1)[key]
        key, _ = pd.factorize(key)
        return key.astype(np.int64)
    key = np.zeros(n, dtype=np.int64)
    for j in range(q):
        key, _ = pd.factorize(key * radices[j] + codes[:, j])
        key = key.astype(np.int64)
    return key


def class_sizes(codes: np.ndarray) -> np.ndarray:
    """Size of each row's equivalence class (missing = own category)."""
    if codes.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    key = _combine(codes)
    return np.bincount(key)[key]


def class_diversity(codes: np.ndarray, sensitive: np.ndarray) -> np.ndarray:
    """Distinct values of one sensitive column (codes, missing = own value) in each row's class."""
    key = _combine(codes)
    radix = int(sensitive.max(initial=0)) + 1
    pairs = np.unique(key * radix + sensitive)
    distinct = np.bincount(pairs // radix, minlength=int(key.max(initial=-1)) + 1)
    return distinct[key]


def wildcard_class_sizes(codes: np.ndarray) -> np.ndarray:
    """How many records each record could match when a missing value matches any value (sdcMicro's
    convention).

    Records are grouped by their pattern of missing columns; for each pair of patterns the records are
    compared on
    the columns both have. With few patterns (the usual case after local suppression) this stays vectorised.
    """
    n, q = codes.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    present = codes > 0
    pattern_bits = present @ (1 << np.arange(q, dtype=np.int64))
    patterns = np.unique(pattern_bits)
    result = np.zeros(n, dtype=np.int64)
    cache: dict[int, np.ndarray] = {}
    for pr in patterns:
        rows_r = pattern_bits == pr
        for ps in patterns:
            common = int(pr) & int(ps)
            if common not in cache:
                cols = [j for j in range(q) if common >> j & 1]
                cache[common] = _combine(codes[:, cols]) if cols else np.zeros(n, dtype=np.int64)
            key = cache[common]
            rows_s = pattern_bits == ps
            counts = np.bincount(key[rows_s], minlength=int(key.max(initial=0)) + 1)
            result[rows_r] += counts[key[rows_r]]
    return result


def _safe(codes: np.ndarray, sensitive: list[np.ndarray], k: int, l_div: int) -> np.ndarray:
    ok = class_sizes(codes) >= k
    for values in sensitive:
        ok &= class_diversity(codes, values) >= l_div
    return ok


def local_suppression(
    codes: np.ndarray,
    *,
    k: int,
    sensitive: Sequence[np.ndarray] = (),
    l_div: int = 1,
    preference: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy local suppression until every record's class has ≥ k records and ≥ l distinct sensitive values.

    Returns ``(codes_after, suppressed, removed)``: codes with suppressed values set to 0 (missing), a boolean
    matrix of suppressed cells, and a boolean vector of rows that had to be removed.

    Each round tries every set of quasi-identifiers of the current size (one column, then pairs, …) on all
    unsafe
    records at once, and applies the set that makes the most of them safe (ties: ``preference`` order). Only
    the
    records it makes safe are changed. Moving unsafe records into a class can only make that class larger and
    more
    diverse, so safe records stay safe; and a set's effect is evaluated only on the records it can touch
    (unsafe
    records plus records already missing on the set), which keeps rounds cheap on a million rows.
    """
    codes = codes.copy()
    n, q = codes.shape
    sensitive = [np.asarray(s) for s in sensitive]
    suppressed = np.zeros((n, q), dtype=bool)
    removed = np.zeros(n, dtype=bool)
    if n == 0 or q == 0:
        if n and not _safe(codes, sensitive, k, l_div).all():
            removed[:] = ~_safe(codes, sensitive, k, l_div)
        return codes, suppressed, removed
    order = list(preference) if preference is not None else list(range(q))
    bad = ~_safe(codes, sensitive, k, l_div)
    for size in range(1, q + 1):
        subsets = list(itertools.combinations(order, size))
        while bad.any():
            best: tuple[int, tuple[int, ...], np.ndarray] | None = None
            bad_idx = np.flatnonzero(bad)
            for subset in subsets:
                cols = list(subset)
                relevant = bad | (codes[:, cols] == 0).all(axis=1)
                rel_idx = np.flatnonzero(relevant)
                trial = codes[rel_idx].copy()
                is_bad = bad[rel_idx]
                trial[np.ix_(is_bad, cols)] = 0
                ok = _safe(trial, [s[rel_idx] for s in sensitive], k, l_div)
                rescued = rel_idx[is_bad & ok]
                if len(rescued) and (best is None or len(rescued) > best[0]):
                    best = (len(rescued), subset, rescued)
            if best is None:
                break
            _, subset, rescued = best
            cols = list(subset)
            block = codes[np.ix_(rescued, cols)]
            suppressed[np.ix_(rescued, cols)] |= block != 0
            codes[np.ix_(rescued, cols)] = 0
            bad[rescued] = False
            if len(bad_idx) == len(rescued):
                break
    if bad.any():
        codes, suppressed, bad = _pool_with_donors(codes, suppressed, bad, sensitive, k, l_div)
        removed = bad.copy()
    return codes, suppressed, removed


def _pool_with_donors(
    codes: np.ndarray,
    suppressed: np.ndarray,
    bad: np.ndarray,
    sensitive: list[np.ndarray],
    k: int,
    l_div: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Last resort before removing rows: pool the unsafe records in the all-missing class and lend it donors.

    The records still unsafe after every suppression usually fail together — too few of them, or all with the
    same sensitive value (a class where everyone has "no contact" fails distinct 2-diversity). Fully
    suppressing a handful of *donor* records from large, diverse classes (which stay safe without them) makes
    the pooled class safe, at the cost of those few records instead of removing all the unsafe ones.
    """
    codes, suppressed, bad = codes.copy(), suppressed.copy(), bad.copy()
    trial = codes.copy()
    trial[bad] = 0
    pooled = (trial == 0).all(axis=1)
    donors_used: list[int] = []
    for _ in range(k + l_div * max(len(sensitive), 1) + 1):
        size_ok = pooled.sum() >= k
        missing_values: list[set[int]] = []
        for values in sensitive:
            present = set(np.unique(values[pooled]).tolist())
            missing_values.append(
                set(np.unique(values).tolist()) - present if len(present) < l_div else set()
            )
        if size_ok and not any(missing_values):
            break
        key = _combine(trial)
        sizes = np.bincount(key)[key]
        eligible = ~pooled & ~bad & (sizes > k)
        for values in sensitive:  # the donor's class must keep l distinct values without it
            radix = int(values.max(initial=0)) + 1
            pair = key * radix + values
            _, pair_inverse, pair_counts = np.unique(pair, return_inverse=True, return_counts=True)
            distinct = class_diversity(trial, values)
            eligible &= (distinct > l_div) | (pair_counts[pair_inverse] >= 2)
        for values, wanted in zip(sensitive, missing_values, strict=True):
            if wanted:
                eligible &= np.isin(values, list(wanted))
        candidates = np.flatnonzero(eligible)
        if len(candidates) == 0:
            return codes, suppressed, bad
        donor = int(
            candidates[np.argmax(sizes[candidates])]
        )  # from the largest class: least information lost
        donors_used.append(donor)
        trial[donor] = 0
        pooled[donor] = True
    else:
        return codes, suppressed, bad
    if not (pooled.sum() >= k and all(len(np.unique(v[pooled])) >= l_div for v in sensitive)):
        return codes, suppressed, bad
    moved = bad | np.isin(np.arange(len(bad)), donors_used)
    suppressed[moved] |= codes[moved] != 0
    codes[moved] = 0
    return codes, suppressed, np.zeros_like(bad)


# ---------------------------------------------------------------------------------------------------------
# risk and information loss


def risk_measures(frame: pd.DataFrame, columns: Sequence[str], *, k: int) -> dict[str, Any]:
    """Re-identification risk on ``columns`` (missing = own category); each figure names its source in
    DEFINITIONS."""
    n = len(frame)
    if n == 0:
        return {}
    return _risk_from_sizes(class_sizes(_encode(frame, list(columns))) if columns else np.full(n, n), k=k)


def _risk_from_sizes(sizes: np.ndarray, *, k: int) -> dict[str, Any]:
    """:func:`risk_measures` from each record's equivalence-class size."""
    if len(sizes) == 0:
        return {}
    return {
        "equivalence_classes": int(np.sum(1.0 / sizes).round()),
        "sample_uniques": int((sizes == 1).sum()),
        "prosecutor_risk_max": float(1.0 / sizes.min()),
        "prosecutor_risk_mean": float(np.mean(1.0 / sizes)),
        "records_at_risk": float(np.mean(sizes < k)),
        "expected_reidentifications": float(np.sum(1.0 / sizes)),
    }


def _granularity_loss(original: pd.Series, released: pd.Series) -> float:
    """ARX's 'Loss' for one column: how many original values each released value merges (suppressed = 1).

    On factorised codes rather than a ``map`` over the values: a million rows take a few hundredths of a
    second.
    """
    if len(original) == 0:
        return 0.0
    orig_codes, orig_uniques = pd.factorize(original.astype("string"), use_na_sentinel=True)
    rel_codes, rel_uniques = pd.factorize(released.astype("string"), use_na_sentinel=True)
    distinct = len(orig_uniques)
    if distinct <= 1:
        return float((rel_codes < 0).mean()) if distinct == 1 else 0.0
    both = (orig_codes >= 0) & (rel_codes >= 0)
    pairs = pd.unique(rel_codes[both].astype(np.int64) * distinct + orig_codes[both])
    merged = np.bincount(pairs // distinct, minlength=len(rel_uniques))  # original values per released value
    per_cell = np.ones(len(original))  # suppressed (or unmapped) → full loss
    released_present = rel_codes >= 0
    per_cell[released_present] = (merged[rel_codes[released_present]] - 1) / (distinct - 1)
    per_cell[(orig_codes < 0) & ~released_present] = 0.0  # missing in the input: nothing lost
    return float(per_cell.mean())


# ---------------------------------------------------------------------------------------------------------
# the whole step


def anonymise_register(
    frame: pd.DataFrame,
    privacy: PrivacySection,
    key: Key,
    *,
    source: str,
    code_tables: Mapping[str, Mapping[str, str]] | None = None,
    policy: IdentifierPolicy = ANY,
) -> AnonymisedRegister:
    """Pseudonymise, drop, generalise and k-anonymise ``frame`` following ``privacy`` (a ``PrivacySection``).

    ``source`` names the input file in error messages. ``code_tables`` adds or overrides code mappings:
    ``{"postnr_to_kommune": {"0150": "0301"}, "kommune_to_region": {"0301": "Oslo"}}``.

    Raises :class:`InputDataError` (missing or numeric id column, unknown columns, invalid or duplicated ids
    when
    ``privacy.invalid_ids == "stop"``) and :class:`ProtocolError` (suppression above
    ``privacy.max_suppressed_share``, or l-diversity impossible), each one line naming file, column and fix.
    """
    id_col = privacy.id_column
    columns = [str(c) for c in frame.columns]
    if frame.empty:
        raise InputDataError("the register has no rows", file=source, fix="export the data again")
    if id_col not in frame.columns:
        raise InputDataError(
            f"the id column '{id_col}' (privacy.id_column) is not in the register",
            file=source,
            fix=f"set privacy.id_column to one of: {', '.join(columns[:12])}",
        )
    if "pid" in frame.columns:
        raise InputDataError(
            "the register already has a column 'pid'",
            file=source,
            fix="rename it; 'pid' is the pseudonym column pdtk adds",
        )
    for kind, names in (
        ("drop", privacy.drop),
        ("quasi-identifier", list(privacy.quasi_identifiers)),
        ("sensitive", privacy.sensitive),
    ):
        for name in names:
            if name not in frame.columns:
                key_name = {
                    "drop": "privacy.drop",
                    "quasi-identifier": "privacy.quasi_identifiers",
                    "sensitive": "privacy.sensitive",
                }[kind]
                raise InputDataError(
                    f"{kind} column '{name}' ({key_name}) is not in the register",
                    file=source,
                    fix=f"correct the name in {key_name}; columns are: {', '.join(columns[:12])}",
                )

    # 1. ids
    _check_id_column(frame[id_col], source=source)
    normalised = normalise_ids(frame[id_col])
    id_codes, id_uniques = _factorize_text(normalised)
    ids = _count_ids(normalised, id_codes, id_uniques, policy=policy)
    problems = ids.invalid + ids.missing + ids.duplicated
    if problems and privacy.invalid_ids == "stop":
        raise InputDataError(
            f"column '{id_col}': {ids.invalid} invalid, {ids.missing} missing and {ids.duplicated} "
            f"duplicated "
            "identity number(s) (not shown)",
            file=source,
            fix="correct them at the source, or set privacy.invalid_ids: report to count them and go on",
        )
    return _release(
        frame, privacy, key, source=source, code_tables=code_tables, ids=ids, normalised=normalised
    )


def _release(
    frame: pd.DataFrame,
    privacy: PrivacySection,
    key: Key,
    *,
    source: str,
    code_tables: Mapping[str, Mapping[str, str]] | None,
    ids: IdValidation,
    normalised: pd.Series,
) -> AnonymisedRegister:
    """Steps 2 (drop) to 5 of :func:`anonymise_register`, once the ids are counted."""
    # 2. drop, 3. generalise
    released, qis = _generalised(frame, privacy, source=source, code_tables=code_tables)
    unmapped = {c: int((released[c].isna() & frame[c].notna()).sum()) for c in qis}
    # 4. k-anonymity and l-diversity by local suppression
    found = _suppress(released, privacy, qis, source=source)
    released.insert(0, "pid", pseudonymise(normalised, key))
    released = released.loc[~found.removed].reset_index(drop=True)
    suppressed_frame = pd.DataFrame(found.suppressed, columns=qis).loc[~found.removed].reset_index(drop=True)
    # 5. measures
    disclosure = _disclosure_report(
        frame, released, privacy, found, suppressed_frame, unmapped, source=source, key_id=key.key_id, ids=ids
    )
    return AnonymisedRegister(
        data=released, disclosure=disclosure, suppressed_cells=suppressed_frame, id_validation=ids
    )


def _dropped_by_rule(privacy: PrivacySection) -> list[str]:
    return [c for c, r in privacy.quasi_identifiers.items() if isinstance(r, str) and r == "drop"]


def _generalised(
    frame: pd.DataFrame,
    privacy: PrivacySection,
    *,
    source: str,
    code_tables: Mapping[str, Mapping[str, str]] | None,
) -> tuple[pd.DataFrame, list[str]]:
    """The register without its direct identifiers, quasi-identifiers generalised; the released QI columns."""
    removed_columns = {privacy.id_column, *privacy.drop, *_dropped_by_rule(privacy)}
    released = frame[[c for c in frame.columns if c not in removed_columns]]  # copy-on-write: frame stays
    qis = [c for c in privacy.quasi_identifiers if c not in _dropped_by_rule(privacy)]
    for col in qis:
        rule = privacy.quasi_identifiers[col]
        released[col] = generalise(frame[col], rule, column=col, source=source, code_tables=code_tables)
    return released, qis


@dataclass
class _Suppression:
    """What local suppression did: codes after it, suppressed cells, removed rows (aligned with the input)."""

    codes_after: np.ndarray
    suppressed: np.ndarray
    removed: np.ndarray
    sensitive_codes: list[np.ndarray]
    l_div: int

    @property
    def touched(self) -> np.ndarray:
        return self.suppressed.any(axis=1) | self.removed


def _suppress(
    released: pd.DataFrame, privacy: PrivacySection, qis: list[str], *, source: str
) -> _Suppression:
    """k-anonymity and l-diversity by local suppression; suppressed values set to missing in ``released``.

    Raises :class:`ProtocolError` when l-diversity is impossible or suppression touches more rows than
    ``privacy.max_suppressed_share``.
    """
    codes = _encode(released, qis)
    sensitive_codes = [_encode(released, [s])[:, 0] for s in privacy.sensitive]
    l_div = privacy.l_diversity if privacy.sensitive else 1
    for s, values in zip(privacy.sensitive, sensitive_codes, strict=True):
        if len(np.unique(values)) < l_div:
            raise ProtocolError(
                f"sensitive column '{s}' has fewer than {l_div} distinct values in the whole register, "
                "so l-diversity cannot be reached",
                file=source,
                fix="lower privacy.l_diversity or remove the column from privacy.sensitive",
            )
    preference = sorted(
        range(len(qis)), key=lambda j: -int(codes[:, j].max(initial=0))
    )  # most categories first
    codes_after, suppressed, removed = local_suppression(
        codes, k=privacy.k, sensitive=sensitive_codes, l_div=l_div, preference=preference
    )
    for j, col in enumerate(qis):
        if suppressed[:, j].any():
            values = released[col]
            if not pd.api.types.is_extension_array_dtype(values) and not pd.api.types.is_object_dtype(values):
                values = (
                    values.astype("string") if pd.api.types.is_string_dtype(values) else values.astype(object)
                )
            released[col] = values.mask(suppressed[:, j])
    found = _Suppression(codes_after, suppressed, removed, sensitive_codes, l_div)
    share_touched = float(found.touched.mean())
    if share_touched > privacy.max_suppressed_share:
        raise ProtocolError(
            f"k-anonymity (k={privacy.k}) would suppress values in {share_touched:.1%} of rows, more than "
            f"privacy.max_suppressed_share ({privacy.max_suppressed_share:.0%}); nothing was written",
            file=source,
            fix="generalise the quasi-identifiers more (e.g. fodselsdato: year, kommune: region, bins for "
            "numbers) or drop one",
        )
    return found


def _disclosure_report(
    frame: pd.DataFrame,
    released: pd.DataFrame,
    privacy: PrivacySection,
    found: _Suppression,
    suppressed_frame: pd.DataFrame,
    unmapped: dict[str, int],
    *,
    source: str,
    key_id: str,
    ids: IdValidation,
) -> dict[str, Any]:
    """``disclosure.json``: what was requested, what was reached, risk before and after, information loss."""
    qis = list(suppressed_frame.columns)
    kept_codes = found.codes_after[~found.removed]
    sizes = class_sizes(kept_codes) if len(kept_codes) else np.zeros(0, dtype=np.int64)
    k_reached = int(sizes.min()) if len(sizes) and qis else len(released)
    if qis and len(kept_codes):  # with no missing value anywhere both conventions give the same classes
        wildcard = sizes if (kept_codes > 0).all() else wildcard_class_sizes(kept_codes)
    else:
        wildcard = np.array([len(released)])
    l_reached = {
        s: int(class_diversity(kept_codes, values[~found.removed]).min()) if len(kept_codes) else 0
        for s, values in zip(privacy.sensitive, found.sensitive_codes, strict=True)
    }
    touched = found.touched
    removed_columns = {privacy.id_column, *privacy.drop, *_dropped_by_rule(privacy)}
    return {
        "source": str(source),
        "key_id": key_id,
        "k_requested": int(privacy.k),
        "k_reached": k_reached,
        "k_reached_wildcard": int(wildcard.min()) if len(wildcard) else 0,
        "missing_values": "own category (k_reached); wildcard (k_reached_wildcard)",
        "l_requested": int(found.l_div),
        "l_reached": l_reached,
        "quasi_identifiers": {
            c: (r if isinstance(r, str) else [float(x) for x in r])
            for c, r in privacy.quasi_identifiers.items()
        },
        "sensitive": list(privacy.sensitive),
        "dropped_columns": sorted(removed_columns - {privacy.id_column}),
        "rows_in": len(frame),
        "rows_out": len(released),
        "rows_removed": int(found.removed.sum()),
        "cells_suppressed": int(found.suppressed.sum()),
        "rows_touched": int(touched.sum()),
        "share_rows_touched": float(touched.mean()),
        "max_suppressed_share": float(privacy.max_suppressed_share),
        "ids": ids.to_dict(),
        "risk": {
            "before": risk_measures(frame, list(privacy.quasi_identifiers), k=privacy.k),
            # the released quasi-identifiers are the kept codes (suppressed = missing = 0): same classes
            "after": _risk_from_sizes(sizes if qis else np.full(len(released), len(released)), k=privacy.k),
            "before_columns": "quasi-identifiers as in the input, before generalisation",
            "after_columns": "released quasi-identifiers",
        },
        "information_loss": _information_loss(
            frame.loc[~found.removed].reset_index(drop=True),
            frame,
            released,
            privacy,
            suppressed_frame,
            unmapped,
        ),
        "definitions": DEFINITIONS,
    }


def _information_loss(
    kept_frame: pd.DataFrame,
    frame: pd.DataFrame,
    released: pd.DataFrame,
    privacy: PrivacySection,
    suppressed_frame: pd.DataFrame,
    unmapped: dict[str, int],
) -> dict[str, dict[str, Any]]:
    """Per quasi-identifier: distinct values before and after, suppression, ARX's granularity loss."""
    information_loss: dict[str, dict[str, Any]] = {}
    for col, rule in privacy.quasi_identifiers.items():
        if isinstance(rule, str) and rule == "drop":
            information_loss[col] = {
                "rule": "drop",
                "distinct_before": int(frame[col].nunique()),
                "distinct_after": 0,
                "cells_suppressed_col": 0,
                "share_suppressed": 1.0,
                "granularity_loss": 1.0,
            }
            continue
        information_loss[col] = {
            "rule": rule if isinstance(rule, str) else [float(x) for x in rule],
            "distinct_before": int(frame[col].nunique()),
            "distinct_after": int(released[col].nunique()),
            "cells_suppressed_col": int(suppressed_frame[col].sum()),
            "share_suppressed": float((released[col].isna() & kept_frame[col].notna()).mean()),
            "unmapped_codes": unmapped[col],
            # "keep" maps each value to itself, so only suppressed cells lose information
            "granularity_loss": float(suppressed_frame[col].mean())
            if rule == "keep"
            else _granularity_loss(kept_frame[col], released[col]),
        }
    return information_loss


__all__ = [
    "AnonymisedRegister",
    "IdValidation",
    "KOMMUNE_TO_REGION",
    "POSTNR_TO_KOMMUNE",
    "anonymise_register",
    "class_diversity",
    "class_sizes",
    "generalise",
    "local_suppression",
    "parse_dates",
    "risk_measures",
    "validate_ids",
    "wildcard_class_sizes",
]
