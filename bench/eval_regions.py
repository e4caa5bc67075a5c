"""Evaluation: does region deviance flag the planted region, and only it, on seeds nobody tuned on?

    .venv/bin/python bench/eval_regions.py                       # 20 seeds, 1,500 per region, logit
    .venv/bin/python bench/eval_regions.py --n 3000 --model auto --seeds 10

For each seed, three synthetic regions are generated twice (``toolkit.synth.regions.make_regions``): once with
the practice planted in ``midt`` (and a harder intake in ``sor``), once as a control without any planted
region. The pooled risk model is fitted as phase 2 fits it (``fit_risk`` on the pooled register) and
``toolkit.regions.compare_regions`` gives the flags. A seed counts as right when the planted study flags
exactly ``midt`` above, and the control flags nothing. The test suite uses seed 5; these seeds start at 100.
"""

from __future__ import annotations

import argparse
import json

from toolkit.deviance.risk import fit_risk
from toolkit.disclosure import DisclosurePolicy
from toolkit.protocol import DevianceSection
from toolkit.regions import compare_regions
from toolkit.synth.regions import make_regions

RISK_FACTORS = [
    "foreldre_utdanning",
    "husholdning_lavinntekt",
    "barnevern",
    "foreldre_trygd",
    "psykisk_helse_kontakt",
    "grunnskolepoeng",
    "fravaer_prosent",
]
OUTCOME = "fullfort_vgs_5aar"


def region_flags(n: int, seed: int, planted: str | None, model: str) -> dict[str, str]:
    """The flags of one synthetic three-region study."""
    frame = make_regions(3, n=n, seed=seed, planted=planted).pooled()
    frame["pid"] = [f"p{i}" for i in range(len(frame))]
    risk = fit_risk(
        frame, outcome=OUTCOME, risk_factors=RISK_FACTORS, model=model, seed=seed, units=["region"]
    )
    comparison = compare_regions(
        frame,
        region_column="region",
        risk=risk,
        outcome=OUTCOME,
        risk_factors=RISK_FACTORS,
        config=DevianceSection(model=model),
        seed=seed,
        disclosure=DisclosurePolicy(min_cell=5),
    )
    return {r.region: r.flag for r in comparison.tables["region_deviance"].itertuples() if r.flag}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1500, help="young people per region")
    parser.add_argument("--seeds", type=int, default=20, help="number of seeds, from 100 on")
    parser.add_argument("--model", default="logit", choices=["logit", "boosting", "auto"])
    args = parser.parse_args()
    planted_right = control_clean = 0
    misses = []
    for seed in range(100, 100 + args.seeds):
        planted = region_flags(args.n, seed, "midt", args.model)
        control = region_flags(args.n, seed, None, args.model)
        planted_right += planted == {"midt": "above"}
        control_clean += not control
        if planted != {"midt": "above"} or control:
            misses.append({"seed": seed, "planted_study": planted, "control": control})
    print(
        json.dumps(
            {
                "n_per_region": args.n,
                "model": args.model,
                "seeds": args.seeds,
                "planted_flagged_alone": planted_right,
                "control_without_flags": control_clean,
                "misses": misses,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
