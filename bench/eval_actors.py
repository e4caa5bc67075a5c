"""Evaluate actor extraction (issue 17) on blind sets with gold actor lists.

    .venv/bin/python bench/eval_actors.py                     # the tuning sets (bench/set_roles.py)
    .venv/bin/python bench/eval_actors.py --report            # the report-only sets (once before, once after)
    .venv/bin/python bench/eval_actors.py tests/data/coding_blind/set1 --errors   # per-item, tuning sets only

Per set (a folder with transcripts/, actors_gold.csv and groups.csv): transcript × actor mention precision,
recall and F1; the share of young people (groups positivt_avvik and sammenligning) whose fragmentation count
(distinct public services) is exact; and tone agreement (Cohen's kappa, scikit-learn) over the actors that
both the gold and the extractor mark as mentioned. Targets from the issue: F1 >= 0.85, fragmentation exact
>= 80 %, kappa >= 0.5. The sets' roles are ``bench/set_roles.py``'s: tuning sets (transcripts, gold and
per-item errors may be read; set1, set4, set6, set7, set10, set11, set12 on 2026-12-05) and report-only sets
(run the script on them, never open their files: set2, set3, set5, set8, set9). See BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from set_roles import coding_sets, is_report_only  # noqa: E402

from toolkit.coding.actors import ActorExtractor, actor_agreement  # noqa: E402
from toolkit.io import read_transcript  # noqa: E402
from toolkit.language import get_analyzer  # noqa: E402

YOUTH_GROUPS = ("positivt_avvik", "sammenligning")


def evaluate_actor_set(folder: Path, extractor: ActorExtractor) -> dict[str, object]:
    """Mention F1, fragmentation exact share (young people) and tone kappa for one set folder."""
    gold = pd.read_csv(folder / "actors_gold.csv", dtype={"tone": str}, keep_default_na=False)
    texts = {p.name: read_transcript(p) for p in sorted((folder / "transcripts").glob("*.txt"))}
    agreement = actor_agreement(gold, extractor.transform(texts), youth_sources(folder))
    return {
        "set": folder.name,
        "transcripts": len(texts),
        "gold_mentions": agreement.pop("mentions"),
        **agreement,
    }


def youth_sources(folder: Path) -> list[str]:
    """The set's young people (groups positivt_avvik and sammenligning): fragmentation is about them."""
    groups = pd.read_csv(folder / "groups.csv")
    return groups.loc[groups["group"].isin(YOUTH_GROUPS), "source"].tolist()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--analyzer", action="store_true", help="also match lemma/compound keys")
    parser.add_argument(
        "--errors", action="store_true", help="print the mention disagreements (tuning sets only)"
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="with no folders: the report-only sets instead of the tuning sets",
    )
    args = parser.parse_args(argv)
    sets = args.sets or coding_sets(report=args.report, needs="actors_gold.csv")
    if args.errors and any(is_report_only(folder) for folder in sets):
        parser.error("--errors lists per-item disagreements: tuning sets only, never a report-only set")
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
