"""Evaluate actor extraction (issue 17) on blind sets with gold actor lists.

    .venv/bin/python bench/eval_actors.py                     # every tests/data/coding_blind/set* with actors_gold.csv
    .venv/bin/python bench/eval_actors.py tests/data/coding_blind/set2 --analyzer

Per set (a folder with transcripts/, actors_gold.csv and groups.csv): transcript × actor mention precision,
recall and F1; the share of young people (groups positivt_avvik and sammenligning) whose fragmentation count
(distinct public services) is exact; and tone agreement (Cohen's kappa, scikit-learn) over the actors that
both the gold and the extractor mark as mentioned. Targets from the issue: F1 >= 0.85, fragmentation exact
>= 80 %, kappa >= 0.5. Tuning sets (transcripts, gold and per-item errors may be read): set1, set4, set6,
set7. Report-only sets (run the script on them, never open their files): set2, set3, set5. See BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support  # noqa: E402

from toolkit.coding.actors import ActorExtractor, fragmentation_counts  # noqa: E402
from toolkit.io import read_transcript  # noqa: E402
from toolkit.language import get_analyzer  # noqa: E402

YOUTH_GROUPS = ("positivt_avvik", "sammenligning")


def evaluate_actor_set(folder: Path, extractor: ActorExtractor) -> dict[str, object]:
    """Mention F1, fragmentation exact share (young people) and tone kappa for one set folder."""
    gold = pd.read_csv(folder / "actors_gold.csv", dtype={"tone": str}, keep_default_na=False)
    texts = {p.name: read_transcript(p) for p in sorted((folder / "transcripts").glob("*.txt"))}
    predicted = extractor.transform(texts)
    merged = gold.merge(predicted, on=["source", "actor"], suffixes=("_gold", "_pred"), how="left")
    merged["mentioned_pred"] = merged["mentioned_pred"].fillna(0).astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(
        merged["mentioned_gold"].astype(int), merged["mentioned_pred"], average="binary", zero_division=0
    )
    groups = pd.read_csv(folder / "groups.csv")
    youth = groups.loc[groups["group"].isin(YOUTH_GROUPS), "source"]
    gold_frag = fragmentation_counts(gold).reindex(youth, fill_value=0)
    pred_frag = fragmentation_counts(predicted).reindex(youth, fill_value=0)
    both = merged[(merged["mentioned_gold"] == 1) & (merged["mentioned_pred"] == 1)]
    kappa = cohen_kappa_score(both["tone_gold"], both["tone_pred"]) if len(both) > 1 else float("nan")
    return {
        "set": folder.name,
        "transcripts": len(texts),
        "gold_mentions": int(merged["mentioned_gold"].sum()),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "youths": len(youth),
        "fragmentation_exact": float((gold_frag == pred_frag).mean()) if len(youth) else float("nan"),
        "tone_pairs": len(both),
        "tone_agreement": float((both["tone_gold"] == both["tone_pred"]).mean())
        if len(both)
        else float("nan"),
        "tone_kappa": float(kappa),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--analyzer", action="store_true", help="also match lemma/compound keys")
    parser.add_argument(
        "--errors", action="store_true", help="print the mention disagreements (tuning sets only)"
    )
    args = parser.parse_args(argv)
    sets = args.sets or sorted(
        p for p in (ROOT / "tests/data/coding_blind").glob("set*") if (p / "actors_gold.csv").is_file()
    )
    extractor = ActorExtractor(analyzer=get_analyzer() if args.analyzer else None)
    rows = [evaluate_actor_set(folder, extractor) for folder in sets]
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    if args.errors:
        for folder in sets:
            print_errors(folder, extractor)
    return 0


def print_errors(folder: Path, extractor: ActorExtractor) -> None:
    """Mention and tone disagreements of one set (for the tuning sets set1, set4, set6, set7 only)."""
    gold = pd.read_csv(folder / "actors_gold.csv", dtype={"tone": str}, keep_default_na=False)
    texts = {p.name: read_transcript(p) for p in sorted((folder / "transcripts").glob("*.txt"))}
    merged = gold.merge(extractor.transform(texts), on=["source", "actor"], suffixes=("_gold", "_pred"))
    wrong = merged[
        (merged["mentioned_gold"] != merged["mentioned_pred"]) | (merged["tone_gold"] != merged["tone_pred"])
    ]
    for row in wrong.itertuples(index=False):
        text = texts[row.source]
        spans = [
            tuple(map(int, s.split("-"))) for s in str(row.mention_offsets).split(";") if s and s != "nan"
        ]
        words = [text[s:e] for s, e in spans][:5]
        print(
            row.source,
            row.actor,
            "gold",
            row.mentioned_gold,
            row.tone_gold,
            "pred",
            row.mentioned_pred,
            row.tone_pred,
            words,
        )


if __name__ == "__main__":
    raise SystemExit(main())
