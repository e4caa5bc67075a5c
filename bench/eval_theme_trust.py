"""Does the per-theme verdict (``trusted`` / "code by hand") predict how well the tool codes the rest? (issue 14)

    .venv/bin/python bench/eval_theme_trust.py              # the tuning sets (~2 minutes)
    .venv/bin/python bench/eval_theme_trust.py --report     # the report-only sets (once before, once after)
    .venv/bin/python bench/eval_theme_trust.py tests/data/coding_blind/set13   # named sets only

With hand coding, ``pdtk autocode`` calls a theme's machine coding usable when the learner's cross-validated
kappa on the hand-coded transcripts reaches :data:`toolkit.coding.learn.TRUST_KAPPA`
(:func:`toolkit.coding.learn.theme_trust`). Here each third of a set's transcripts in turn is the hand coding
(from the gold), exactly as ``bench/eval_coding_blind.py`` does; the verdict is taken on the third and the
learner's kappa per theme is measured on the other two thirds. Printed per set and pooled: how many
theme × round cases were trusted, the mean kappa on the rest of trusted and untrusted themes, and the share
of each below 0.4. A verdict that did not predict anything would show the same figures in both columns.
The trusted themes are split once more by their advice: "usable; spot-check" and "usable; check more of it"
(the agreement's 95 % interval on the coded third reaches below the bar).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from set_roles import coding_sets  # noqa: E402

from toolkit.coding.evaluate import (  # noqa: E402
    CodingSet,
    learner_on,
    load_coding_set,
    mean_kappa,
    transcript_thirds,
)
from toolkit.coding.learn import CHECK_MORE, theme_trust  # noqa: E402


def cases(data: CodingSet, seed: int = 0) -> pd.DataFrame:
    """One row per round × theme: the verdict on the coded third and the kappa on the other two thirds."""
    texts, sources = data.units["text"].tolist(), data.units["source"].tolist()
    rows = []
    for round_index, third in enumerate(transcript_thirds(sources, seed)):
        coded = data.units["source"].isin(third).to_numpy()

        def part(values: list, keep: bool = True, coded: np.ndarray = coded) -> list:
            return [v for v, c in zip(values, coded, strict=True) if c == keep]

        learner = learner_on(data, coded, seed=seed)
        labels = data.gold[coded].reset_index(drop=True)
        verdict = theme_trust(
            learner.cross_validate(part(texts), labels, groups=part(sources), questions=part(data.questions))
        )
        predicted = learner.predict(part(texts, False), questions=part(data.questions, False))
        predicted = predicted.reindex(columns=data.codebook.ids).fillna(0).astype(int)
        _mean, per_theme = mean_kappa(data.gold[~coded].reset_index(drop=True), predicted)
        rows += [
            {"set": data.name, "round": round_index, "code_id": r.code_id, "trusted": bool(r.trusted)}
            | {"check_more": str(r.advice).startswith(CHECK_MORE)}
            | {"kappa_rest": float(per_theme.get(r.code_id, np.nan))}
            for r in verdict.itertuples()
        ]
    return pd.DataFrame(rows)


def summarise(table: pd.DataFrame) -> dict[str, float]:
    """Trusted share, mean kappa on the rest and share below 0.4, for trusted and untrusted themes."""
    judged = table.dropna(subset=["kappa_rest"])
    trusted, untrusted = judged[judged["trusted"]], judged[~judged["trusted"]]
    sure, unsure = trusted[~trusted["check_more"]], trusted[trusted["check_more"]]
    return {
        "cases": len(judged),
        "trusted_share": float(judged["trusted"].mean()),
        "kappa_trusted": float(trusted["kappa_rest"].mean()),
        "kappa_untrusted": float(untrusted["kappa_rest"].mean()),
        "below_0.4_trusted": float((trusted["kappa_rest"] < 0.4).mean()),
        "below_0.4_untrusted": float((untrusted["kappa_rest"] < 0.4).mean()),
        "kappa_spot_check": float(sure["kappa_rest"].mean()),
        "kappa_check_more": float(unsure["kappa_rest"].mean()),
        "below_0.4_spot_check": float((sure["kappa_rest"] < 0.4).mean()),
        "below_0.4_check_more": float((unsure["kappa_rest"] < 0.4).mean()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path, help="set folders (default: the tuning sets)")
    parser.add_argument(
        "--report", action="store_true", help="the report-only sets instead of the tuning sets"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    folders = args.sets or (
        coding_sets(report=True) if args.report else [ROOT / "tests/data/coding", *coding_sets(report=False)]
    )
    tables = [cases(load_coding_set(folder)) for folder in folders]
    rows = {table["set"].iloc[0]: summarise(table) for table in tables}
    rows["pooled"] = summarise(pd.concat(tables, ignore_index=True))
    print(pd.DataFrame(rows).T.to_string(float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
