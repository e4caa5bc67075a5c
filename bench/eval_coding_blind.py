"""Evaluate auto-coding on coding sets written by others: rules, a substring baseline, learning from a third.

    .venv/bin/python bench/eval_coding_blind.py              # the project's set and the blind tuning sets
    .venv/bin/python bench/eval_coding_blind.py --report     # the report-only sets (once before, once after)
    .venv/bin/python bench/eval_coding_blind.py tests/data/coding_blind/set1 --markdown

Per set (a folder with codebook.yml, transcripts/, gold.csv; see toolkit.coding.evaluate): mean Cohen's
kappa over themes on participant turns for the rule coder and for a lower-case substring search of the same
keywords; then, with each third of the transcripts in turn hand-coded (from the gold), the learner's kappa on
the other two thirds next to the rules' kappa on the same turns (mean of the three rounds). The last columns
check the issue's targets: rules >= 0.55 and >= substring + 0.15; learned >= 0.65 and above the rules.
The sets' roles (``bench/set_roles.py``, BENCHMARKS.md, issue 14):

* **tuning** (the default) — the project's set (``tests/data/coding``) and ``coding_blind/set1``, ``set4``,
  ``set6``, ``set7``: transcripts, gold and per-turn errors may be read, and constants are chosen on them
  (leaving each one out in turn);
* **report-only** (``--report``) — ``coding_blind/set2``, ``set3``, ``set5``, ``set8``, ``set9``: never
  opened; this script is run on them once before a round's first change and once at its end, and nothing is
  chosen on what it prints.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from set_roles import coding_sets  # noqa: E402

from toolkit.coding.evaluate import evaluate_set  # noqa: E402


def default_sets(report: bool = False) -> list[Path]:
    """The project's set and the blind tuning sets, or with ``report`` the report-only sets."""
    if report:
        return coding_sets(report=True)
    return [ROOT / "tests" / "data" / "coding", *coding_sets(report=False)]


def markdown(table: pd.DataFrame) -> str:
    """A Markdown table (three decimals), without the optional ``tabulate`` dependency."""

    def cell(value: object) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--per-theme", action="store_true", help="also print per-theme kappas")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--report",
        action="store_true",
        help="with no folders: the report-only sets instead of the tuning sets",
    )
    args = parser.parse_args()
    rows = []
    for folder in args.sets or default_sets(args.report):
        started = time.perf_counter()
        result = evaluate_set(folder, seed=args.seed)
        rows.append(
            {
                "set": result["set"],
                "transcripts": result["transcripts"],
                "turns": result["turns"],
                "themes": result["themes"],
                "rules": result["rules"],
                "rules_low": result["rules_interval"][0],
                "rules_high": result["rules_interval"][1],
                "substring": result["substring"],
                "learned_third": result["learned"],
                "rules_same_turns": result["rules_on_rest"],
                "rules_target": result["rules"] >= 0.55 and result["rules"] >= result["substring"] + 0.15,
                "learned_target": result["learned"] >= 0.65 and result["learned"] > result["rules_on_rest"],
                "seconds": time.perf_counter() - started,
            }
        )
        if args.per_theme:
            print(f"\n{result['set']} per theme:\n{result['per_theme'].round(3).to_string()}")
            print(result["rounds"].round(3).to_string(index=False))
    table = pd.DataFrame(rows)
    if args.markdown:
        print(markdown(table))
    else:
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
