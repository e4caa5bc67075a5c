"""Score de-identification on the project's gold transcript sets, one row per set.

    .venv/bin/python bench/eval_deid_sets.py                       # every tuning set in tests/data/deid
    .venv/bin/python bench/eval_deid_sets.py --report              # the report-only sets (once before, once after)
    .venv/bin/python bench/eval_deid_sets.py blind_a blind_b blind_c --model none
    .venv/bin/python bench/eval_deid_sets.py gold_dev2 --misses     # also list missed and over-masked strings

Which sets are for what (BENCHMARKS.md says the same): ``gold_dev*``, ``gold_heldout`` and ``gold_blind`` were
used to write or tune the rules and the model's filters, as were the blind-written ``tune_*`` sets;
``blind_a`` to ``blind_f`` (``bench/set_roles.py``) were written blind by separate authors for issue
12 and are report-only: never tune on them, never list their misses.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from set_roles import REPORT_ONLY_DEID as REPORT_ONLY  # the one list of report-only sets

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
GOLD = REPO / "tests" / "data" / "deid"


def score_set(stem: str, deid) -> tuple[dict, Counter, Counter]:
    """Recall/precision rows for one set, and the strings missed and over-masked."""
    from toolkit.deidentify import deidentify_folder
    from toolkit.deidentify.evaluate import read_gold, score_documents, write_gold_texts

    gold = read_gold(GOLD / f"{stem}.jsonl")
    with tempfile.TemporaryDirectory(prefix="pdtk-eval-") as tmp:
        write_gold_texts(GOLD / f"{stem}.jsonl", Path(tmp) / "in")
        result = deidentify_folder(Path(tmp) / "in", Path(tmp) / "out", deidentifier=deid)
    predictions: dict[str, list[dict]] = {}
    for row in result.spans.itertuples():
        predictions.setdefault(row.source, []).append({"start": row.start, "end": row.end, "type": row.type})
    frame = score_documents(gold, predictions).set_index("type")
    missed, extra = _differences(gold, predictions)
    row = {
        "set": stem,
        "direct": frame.loc["direct", "entity_recall"],
        "quasi": frame.loc["quasi", "entity_recall"],
        "char_precision": frame.loc["all", "char_precision"],
        "n_gold": int(frame.loc["all", "n_gold"]),
        "skipped": len(result.skipped),
    }
    for kind in ("PERSON", "STED", "ORG", "DATO", "ALDER", "FNR", "TELEFON", "EPOST", "ID", "ADRESSE"):
        row[kind] = frame.loc[kind, "entity_recall"]
    row |= _policy_scores(gold, predictions)
    return row, missed, extra


def _policy_scores(gold: list[dict], predictions: dict[str, list[dict]]) -> dict:
    """Quasi recall without the gold spans the masking policy keeps on purpose (beside the plain figure).

    The toolkit leaves national and generic services (NAV, UDI, Lånekassen …: ``generic_services.txt``, written
    before any blind set) unmasked because they identify nobody and the coding needs them; some gold sets mark
    them ORG. Which spans are dropped is decided by that fixed list alone, never by looking at a set.
    """
    from toolkit.deidentify.evaluate import score_documents
    from toolkit.deidentify.ner import generic_services

    kept = generic_services()
    policy_gold, dropped = [], 0
    for doc in gold:
        spans = [s for s in doc["spans"] if doc["text"][s["start"] : s["end"]].casefold() not in kept]
        dropped += len(doc["spans"]) - len(spans)
        policy_gold.append({**doc, "spans": spans})
    frame = score_documents(policy_gold, predictions).set_index("type")
    return {"quasi_policy": frame.loc["quasi", "entity_recall"], "kept_by_policy": dropped}


def _differences(gold: list[dict], predictions: dict[str, list[dict]]) -> tuple[Counter, Counter]:
    missed: Counter = Counter()
    extra: Counter = Counter()
    for doc in gold:
        text = doc["text"]
        covered = [False] * len(text)
        for s in predictions.get(doc["source"], []):
            covered[s["start"] : s["end"]] = [True] * (s["end"] - s["start"])
        in_gold = [False] * len(text)
        for s in doc["spans"]:
            in_gold[s["start"] : s["end"]] = [True] * (s["end"] - s["start"])
            if not all(covered[i] or text[i].isspace() for i in range(s["start"], s["end"])):
                missed[(s["type"], text[s["start"] : s["end"]])] += 1
        for s in predictions.get(doc["source"], []):
            if not any(in_gold[s["start"] : s["end"]]):
                extra[(s["type"], text[s["start"] : s["end"]])] += 1
    return missed, extra


def main() -> None:
    import pandas as pd

    from toolkit.deidentify import Deidentifier

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", help="set names (default: every tuning set in tests/data/deid)")
    parser.add_argument(
        "--report",
        action="store_true",
        help="with no set names: the report-only sets instead of the tuning sets",
    )
    parser.add_argument(
        "--model", default="auto", help="'auto' (shipped model), 'none' (rules only), a folder"
    )
    parser.add_argument("--engine", default="direct", choices=["direct", "presidio"])
    parser.add_argument("--misses", action="store_true", help="list missed and over-masked strings")
    args = parser.parse_args()
    stems = args.sets or sorted(
        p.stem for p in GOLD.glob("*.jsonl") if (p.stem in REPORT_ONLY) == args.report
    )
    deid = Deidentifier(engine=args.engine, spacy_model=None if args.model == "none" else args.model)
    rows = []
    for stem in stems:
        row, missed, extra = score_set(stem, deid)
        row["use"] = "report-only" if stem in REPORT_ONLY else "tuning"
        rows.append(row)
        if args.misses and stem in REPORT_ONLY:
            print(f"--- {stem}: report-only, its misses are not listed")
        elif args.misses:
            print(f"--- {stem}: missed {sum(missed.values())}: {missed.most_common(40)}")
            print(f"--- {stem}: over-masked {sum(extra.values())}: {extra.most_common(40)}")
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
