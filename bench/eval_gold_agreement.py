"""How well two human coders agree on the blind sets: the ceiling a coder can be measured against.

    .venv/bin/python bench/eval_gold_agreement.py                  # every set with a second_coder/ folder
    .venv/bin/python bench/eval_gold_agreement.py tests/data/coding_blind/set5 --markdown

A set folder may hold ``second_coder/``: an independent second coding of the same transcripts under the same
guidelines, by a coder who never saw the first coding (``annotation.txt``: one line per turn,
``turn_index<TAB>SPEAKER: text``, participant turns ending in ``{code, code}``; ``actors.csv`` in the
``actors_gold.csv`` format; a folder with only ``actors.csv`` is scored on the actors). This script scores
the second coder against the set's gold with the very
measures the issue's targets use for the tool: mean Cohen's kappa over themes on participant turns
(:func:`toolkit.coding.evaluate.mean_kappa`), and actor mention F1, fragmentation exact share and tone
kappa (:func:`toolkit.coding.actor_tables.actor_agreement`). If two careful people agree at kappa 0.4 on tone, a
target of 0.5 for a machine against one of them asks for more than the data can show.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pandas as pd  # noqa: E402
from eval_actors import youth_sources  # noqa: E402
from eval_coding_blind import markdown  # noqa: E402

from toolkit.coding.actors import actor_agreement  # noqa: E402
from toolkit.coding.autocode import to_indicator_matrix  # noqa: E402
from toolkit.coding.evaluate import load_coding_set, mean_kappa, mean_kappa_interval  # noqa: E402

_TURN = re.compile(r"^(?P<turn>\d+)\t.*?(?:\{(?P<codes>[^{}]*)\})?\s*$")


def read_annotation(path: Path) -> pd.DataFrame:
    """``source, turn_index, code_id`` from a second coder's ``annotation.txt`` (one row per code)."""
    rows, source = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            source = line[3:].strip()
            continue
        match = _TURN.match(line)
        if source is None or match is None or not match.group("codes"):
            continue
        for code in match.group("codes").split(","):
            if code.strip():
                rows.append(
                    {"source": source, "turn_index": int(match.group("turn")), "code_id": code.strip()}
                )
    return pd.DataFrame(rows, columns=["source", "turn_index", "code_id"])


def agreement(folder: Path) -> dict[str, object]:
    """The second coder against the gold: theme kappa and the actor measures."""
    data = load_coding_set(folder)
    theme_kappa, unknown, interval = float("nan"), [], (float("nan"), float("nan"))
    if (folder / "second_coder" / "annotation.txt").is_file():  # a second coder may have done the actors only
        second = read_annotation(folder / "second_coder" / "annotation.txt")
        unknown = sorted(set(second["code_id"]) - set(data.codebook.ids))
        second_matrix = to_indicator_matrix(data.units, second, data.codebook.ids).reset_index(drop=True)
        theme_kappa, _ = mean_kappa(data.gold, second_matrix)
        interval = mean_kappa_interval(data, second_matrix)
    gold_actors = pd.read_csv(folder / "actors_gold.csv", dtype={"tone": str}, keep_default_na=False)
    second_actors = pd.read_csv(
        folder / "second_coder" / "actors.csv", dtype={"tone": str}, keep_default_na=False
    )
    actors = actor_agreement(gold_actors, second_actors, youth_sources(folder))
    return {
        "set": folder.name,
        "turns": len(data.units),
        "theme_kappa": theme_kappa,
        "theme_kappa_low": interval[0],
        "theme_kappa_high": interval[1],
        "unknown_codes": len(unknown),
        "actor_f1": actors["f1"],
        "fragmentation_exact": actors["fragmentation_exact"],
        "fragmentation_within_one": actors["fragmentation_within_one"],
        "tone_pairs": actors["tone_pairs"],
        "tone_kappa": actors["tone_kappa"],
        "tone_kappa_low": actors["tone_kappa_low"],
        "tone_kappa_high": actors["tone_kappa_high"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    sets = args.sets or sorted(p.parent for p in (ROOT / "tests/data/coding_blind").glob("set*/second_coder"))
    table = pd.DataFrame([agreement(folder) for folder in sets]).round(3)
    print(markdown(table) if args.markdown else table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
