"""Learn the actor tone prior (issue 17) from the tuning sets' gold tone and write it to the protocol.

    .venv/bin/python scripts/learn_actor_tone_prior.py                    # learn on the seven tuning sets, print
    .venv/bin/python scripts/learn_actor_tone_prior.py --write            # ... and write the YAML
    .venv/bin/python scripts/learn_actor_tone_prior.py --leave-one-out    # learn on six, test on the seventh

Why: the word lexicon finds no evaluation for many actors the coders still gave a tone, and for some kinds
of actor that tone is nearly always the same (an employer, coach or friend brought up in an interview about
help is brought up as support; the specialist mental-health services BUP and DPS, with their waiting lists
and thresholds, are brought up as a complaint). The prior is one tone per *category* of actor (specialist
mental health, other public services, family, other non-public support), not per id or per phrase, so it
rests on more than a handful of cases and does not copy a set's stories. A category gets a prior only when,
among the actors both gold and extractor mark as mentioned and for which the extractor found no evaluation,
one tone other than ``nøytral`` has at least :data:`MIN_SHARE` of the cases pooled over the training sets
(at least :data:`MIN_CASES` of them), and no training set with :data:`MIN_CASES` cases of its own has another
most common tone. Only the tuning sets (:data:`TUNING_SETS`) are read; the report-only sets never.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from sklearn.metrics import cohen_kappa_score  # noqa: E402

from toolkit.coding.actors import DEFAULT_TONE_PRIOR, NOT_PUBLIC_SERVICES, ActorExtractor  # noqa: E402
from toolkit.io import read_transcript  # noqa: E402

TUNING_SETS = ("set1", "set4", "set6", "set7", "set10", "set11", "set12")
"""The only sets this script reads (set2, set3, set5, set8 and set9 are report-only: never used to choose)."""
MIN_SHARE = 0.6
MIN_CASES = 5
FAMILY = frozenset({"familie"})
SPECIALIST = frozenset({"BUP", "DPS"})
"""Specialist mental-health services: few cases per set, so this category is judged on the pooled sets."""

HEADER = """\
# Tone for et nevnt aktør uten noe vurderingsord (issue 17): lært fra tuningsettenes gulltone
# (set1, set4, set6, set7, set10, set11, set12) av scripts/learn_actor_tone_prior.py --write. Ikke rediger for hånd; kjør
# skriptet på nytt. Per kategori (BUP/DPS, andre offentlige tjenester, familie, annen støtte), skrevet ut per id.
"""


def category(actor: str) -> str:
    """``specialist``, ``public``, ``family`` or ``informal`` (employer, volunteer and leisure, friends)."""
    if actor in FAMILY:
        return "family"
    if actor in SPECIALIST:
        return "specialist"
    return "informal" if actor in NOT_PUBLIC_SERVICES else "public"


def unevaluated_cases(folder: Path, extractor: ActorExtractor) -> pd.DataFrame:
    """Gold tone of the actors both gold and extractor mark as mentioned, with the extractor's tone
    without a prior (``nøytral`` = no evaluation found)."""
    gold = pd.read_csv(folder / "actors_gold.csv", dtype={"tone": str}, keep_default_na=False)
    texts = {p.name: read_transcript(p) for p in sorted((folder / "transcripts").glob("*.txt"))}
    merged = gold.merge(extractor.transform(texts), on=["source", "actor"], suffixes=("_gold", "_pred"))
    both = merged[(merged["mentioned_gold"] == 1) & (merged["mentioned_pred"] == 1)]
    return both.assign(category=both["actor"].map(category), set=folder.name)


def learn_prior(cases: pd.DataFrame, actor_ids: list[str]) -> dict[str, str]:
    """``{actor: tone}`` for the categories whose unevaluated actors have one dominant non-neutral tone
    pooled over the sets of ``cases``, contradicted by no set with enough cases of its own."""
    unevaluated = cases[cases["tone_pred"] == "nøytral"]
    chosen: dict[str, str] = {}
    for name in ("specialist", "public", "family", "informal"):
        in_category = unevaluated[unevaluated["category"] == name]
        if len(in_category) < MIN_CASES:
            continue
        tone, count = Counter(in_category["tone_gold"]).most_common(1)[0]
        if tone == "nøytral" or count / len(in_category) < MIN_SHARE:
            continue
        contradicted = any(  # a tie with the chosen tone does not contradict it
            len(one_set) >= MIN_CASES and _outnumbered(Counter(one_set["tone_gold"]), tone)
            for _, one_set in in_category.groupby("set")
        )
        if not contradicted:
            chosen[name] = tone
    return {actor: chosen[category(actor)] for actor in actor_ids if category(actor) in chosen}


def _outnumbered(counts: Counter, tone: str) -> bool:
    """Whether another tone is more common than ``tone`` in ``counts``."""
    return counts[tone] < max(counts.values())


def kappa(cases: pd.DataFrame, prior: dict[str, str]) -> float:
    """Cohen's kappa of the gold tone against the extractor's tone with ``prior`` applied."""
    predicted = [
        prior.get(actor, tone) if tone == "nøytral" else tone
        for actor, tone in zip(cases["actor"], cases["tone_pred"], strict=True)
    ]
    return float(cohen_kappa_score(cases["tone_gold"], predicted))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {DEFAULT_TONE_PRIOR.name}")
    parser.add_argument("--leave-one-out", action="store_true", help="learn on the other sets, test on each")
    args = parser.parse_args(argv)
    extractor = ActorExtractor(tone_prior={})
    per_set = {
        name: unevaluated_cases(ROOT / "tests/data/coding_blind" / name, extractor) for name in TUNING_SETS
    }
    if args.leave_one_out:
        for test in TUNING_SETS:
            train = pd.concat([cases for name, cases in per_set.items() if name != test])
            prior = learn_prior(train, extractor.actor_ids)
            print(
                f"train {'+'.join(n for n in TUNING_SETS if n != test)} -> test {test}: "
                f"kappa without prior {kappa(per_set[test], {}):.3f}, with {kappa(per_set[test], prior):.3f}; "
                f"prior {sorted(set(prior.items()))}"
            )
    prior = learn_prior(pd.concat(per_set.values()), extractor.actor_ids)
    print("prior from", "+".join(TUNING_SETS), prior)
    if args.write:
        body = yaml.safe_dump({"version": 1, "unevaluated": prior}, allow_unicode=True, sort_keys=False)
        DEFAULT_TONE_PRIOR.write_text(HEADER + body, encoding="utf-8")
        print("wrote", DEFAULT_TONE_PRIOR.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
