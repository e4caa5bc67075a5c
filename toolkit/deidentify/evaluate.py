"""Measure de-identification against a hand-annotated gold set: what share of identifiers is caught.

Metrics follow the Presidio research tooling and the Text Anonymization Benchmark (Pilán et al. 2022):

* **entity recall** per gold type: a gold entity counts as caught when *all* its (non-space) characters are
  covered by replaced spans, whatever type the tool gave them — a half-masked name still identifies;
* **token precision / recall / F2** (F2 weighs recall four times as much as precision, as in Presidio's
  evaluator, because a missed identifier costs more than an over-masked word): a token is gold-positive when it
  overlaps a gold span and predicted-positive when it overlaps a replaced span. Recall rows are per gold type;
  precision rows are per *predicted* type;
* **character precision** per predicted type: the share of replaced (non-space) characters inside gold spans.

Written here rather than taken from ``presidio-evaluator`` because that package pulls in heavy dependencies and
aligns on its own tokenisation, while we score the exact character offsets in ``deidentification.jsonl``.

The gold set is a JSONL file, one transcript per line: ``{"source", "text", "spans": [{"start","end","type"}]}``.
It is written by hand as marked-up text (``{PERSON:Kari}``), which :func:`parse_marked` turns into that form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.deidentify import DIRECT_TYPES, SPANS_FILE, TYPES, _output_name
from toolkit.errors import InputDataError
from toolkit.io import atomic_write_text

_MARK = re.compile(r"\{([A-Z]+):([^{}]+)\}")
_TOKEN = re.compile(r"\w+")
QUASI_TYPES = frozenset(set(TYPES) - DIRECT_TYPES)
COLUMNS = [
    "type",
    "n_gold",
    "n_pred",
    "entity_recall",
    "token_precision",
    "token_recall",
    "token_f2",
    "char_precision",
]


# =============================================================================================== gold files
def parse_marked(marked: str) -> tuple[str, list[dict]]:
    """Turn ``"Jeg heter {PERSON:Kari}."`` into ``("Jeg heter Kari.", [{"start": 10, "end": 14, "type": "PERSON"}])``."""
    out: list[str] = []
    spans: list[dict] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(marked):
        kind, value = m.group(1), m.group(2)
        if kind not in TYPES:
            raise ValueError(f"unknown entity type {kind!r} in gold mark-up")
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        spans.append({"start": length, "end": length + len(value), "type": kind})
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "{" in text and _MARK.search(text) is None and re.search(r"\{[A-Z]+:", text):
        raise ValueError("unbalanced gold mark-up")
    return text, spans


def read_marked_file(path: Path | str) -> list[dict]:
    """Read a marked-up gold file: ``### name.txt`` lines start transcripts, ``#`` lines before the first are comments."""
    rows: list[dict] = []
    current: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is not None:
            text, spans = parse_marked("\n".join(lines).strip("\n") + "\n")
            rows.append({"source": current, "text": text, "spans": spans})

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            flush()
            current, lines = line[4:].strip(), []
        elif current is None:
            continue
        else:
            lines.append(line)
    flush()
    return rows


def write_gold_jsonl(rows: Iterable[dict], path: Path | str) -> Path:
    """Write gold rows as JSONL (UTF-8, one transcript per line)."""
    return atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def read_gold(path: Path | str) -> list[dict]:
    """Read and validate a gold JSONL file."""
    path = Path(path)
    if not path.is_file():
        raise InputDataError(
            "gold file not found", file=path, fix="give the JSONL file with the annotated transcripts"
        )
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, spans, source = row["text"], row["spans"], row["source"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise InputDataError(
                f"line {number} is not a gold record",
                file=path,
                fix='each line needs {"source", "text", "spans"}',
            ) from None
        for span in spans:
            if not (0 <= span["start"] < span["end"] <= len(text)) or span["type"] not in TYPES:
                raise InputDataError(
                    f"line {number} has a span outside the text or of unknown type",
                    file=path,
                    fix=f"types are {', '.join(TYPES)}",
                )
        rows.append({"source": source, "text": text, "spans": spans})
    if not rows:
        raise InputDataError("the gold file has no transcripts", file=path, fix="add annotated transcripts")
    return rows


def write_gold_texts(gold_jsonl: Path | str, folder: Path | str) -> list[Path]:
    """Write each gold transcript as a ``.txt`` file named by its source, ready for ``deidentify_folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for row in read_gold(gold_jsonl):
        paths.append(atomic_write_text(folder / row["source"], row["text"]))
    return paths


# =============================================================================================== scoring
def _read_predictions(out_dir: Path) -> dict[str, list[dict]]:
    path = out_dir / SPANS_FILE
    if not path.is_file():
        raise InputDataError(
            f"no {SPANS_FILE} in the output folder", file=out_dir, fix="run 'pdtk deidentify' first"
        )
    by_source: dict[str, list[dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            by_source.setdefault(row["source"], []).append(row)
    return by_source


def score_documents(gold: list[dict], predictions: dict[str, list[dict]]) -> pd.DataFrame:
    """Per-type metrics for gold rows against predicted spans (``{source: [{start, end, type}]}``)."""
    n_types = len(TYPES)
    type_index = {t: i for i, t in enumerate(TYPES)}
    ent_total = np.zeros(n_types)
    ent_caught = np.zeros(n_types)
    tok_gold = np.zeros(n_types)
    tok_gold_hit = np.zeros(n_types)
    tok_pred = np.zeros(n_types)
    tok_pred_hit = np.zeros(n_types)
    chr_pred = np.zeros(n_types)
    chr_pred_hit = np.zeros(n_types)
    n_pred = np.zeros(n_types)
    for row in gold:
        text = row["text"]
        length = len(text)
        gold_type = np.full(length, -1, dtype=np.int16)
        pred_type = np.full(length, -1, dtype=np.int16)
        for s in row["spans"]:
            gold_type[s["start"] : s["end"]] = type_index[s["type"]]
        for s in predictions.get(row["source"], []):
            if s["end"] > length:
                raise InputDataError(
                    "a predicted span lies outside the gold text",
                    file=row["source"],
                    fix="de-identify the gold texts again",
                )
            pred_type[s["start"] : s["end"]] = type_index[s["type"]]
            n_pred[type_index[s["type"]]] += 1
        space = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        is_space = np.isin(space, [32, 9, 10, 13, 160])
        for s in row["spans"]:
            t = type_index[s["type"]]
            ent_total[t] += 1
            seg = slice(s["start"], s["end"])
            if np.all((pred_type[seg] >= 0) | is_space[seg]):
                ent_caught[t] += 1
        for m in _TOKEN.finditer(text):
            g = gold_type[m.start() : m.end()]
            p = pred_type[m.start() : m.end()]
            g_any, p_any = g.max(), p.max()
            if g_any >= 0:
                gt = int(g[g >= 0][0])
                tok_gold[gt] += 1
                tok_gold_hit[gt] += p_any >= 0
            if p_any >= 0:
                pt = int(p[p >= 0][0])
                tok_pred[pt] += 1
                tok_pred_hit[pt] += g_any >= 0
        counted = ~is_space & (pred_type >= 0)
        np.add.at(chr_pred, pred_type[counted], 1)
        np.add.at(chr_pred_hit, pred_type[counted & (gold_type >= 0)], 1)

    def row_for(name: str, idx: list[int]) -> dict:
        def ratio(a: np.ndarray, b: np.ndarray) -> float:
            den = b[idx].sum()
            return float(a[idx].sum() / den) if den else float("nan")

        p, r = ratio(tok_pred_hit, tok_pred), ratio(tok_gold_hit, tok_gold)
        f2 = 5 * p * r / (4 * p + r) if (p == p and r == r and (4 * p + r) > 0) else float("nan")
        return {
            "type": name,
            "n_gold": int(ent_total[idx].sum()),
            "n_pred": int(n_pred[idx].sum()),
            "entity_recall": ratio(ent_caught, ent_total),
            "token_precision": p,
            "token_recall": r,
            "token_f2": f2,
            "char_precision": ratio(chr_pred_hit, chr_pred),
        }

    rows = [row_for(t, [type_index[t]]) for t in TYPES]
    rows.append(row_for("direct", [type_index[t] for t in TYPES if t in DIRECT_TYPES]))
    rows.append(row_for("quasi", [type_index[t] for t in TYPES if t in QUASI_TYPES]))
    rows.append(row_for("all", list(range(n_types))))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.attrs["summary"] = summarise(frame)
    return frame


def evaluate_deid(gold_jsonl: Path | str, out_dir: Path | str) -> pd.DataFrame:
    """Score the output of ``pdtk deidentify`` (``OUT_DIR/deidentification.jsonl``) against a gold JSONL file.

    The gold texts must have been de-identified into ``out_dir`` first (see :func:`write_gold_texts`); a gold
    transcript without an output file is an error, not a silent zero. Returns one row per type plus ``direct``,
    ``quasi`` and ``all`` rows; ``frame.attrs["summary"]`` holds a one-paragraph summary.
    """
    gold = read_gold(gold_jsonl)
    out_dir = Path(out_dir)
    predictions = _read_predictions(out_dir)
    missing = [row["source"] for row in gold if not (out_dir / _output_name(Path(row["source"]))).is_file()]
    if missing:
        raise InputDataError(
            f"{len(missing)} gold transcript(s) have no de-identified output (first: {missing[0]})",
            file=out_dir,
            fix="de-identify the gold texts into this folder first",
        )
    return score_documents(gold, predictions)


def summarise(frame: pd.DataFrame) -> str:
    """One paragraph: recall on direct identifiers and on the rest, precision, F2."""
    by = frame.set_index("type")
    worst = frame[frame["type"].isin(TYPES) & (frame["n_gold"] > 0)].sort_values("entity_recall").head(1)
    text = (
        f"Entity recall {by.loc['direct', 'entity_recall']:.3f} on direct identifiers (names, numbers, e-mail, "
        f"addresses, ids) and {by.loc['quasi', 'entity_recall']:.3f} on places, organisations, dates and ages; "
        f"character precision {by.loc['all', 'char_precision']:.3f}; token F2 {by.loc['all', 'token_f2']:.3f} "
        f"over {int(by.loc['all', 'n_gold'])} gold entities."
    )
    if not worst.empty:
        text += f" Lowest recall: {worst.iloc[0]['type']} ({worst.iloc[0]['entity_recall']:.3f})."
    return text
