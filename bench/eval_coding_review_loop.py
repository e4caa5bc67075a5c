"""Evaluate the coding view's learning loop on coding sets: a reviewer who agrees with the gold codes the turns
the queue puts first (uncertainty sampling), the learner refits every ``--batch`` coded turns, until a third of the
turns are coded; then the suggestions for the turns left are compared with the gold.

    .venv/bin/python bench/eval_coding_review_loop.py                 # every blind set
    .venv/bin/python bench/eval_coding_review_loop.py tests/data/coding_blind/set2 --batch 5

Per set, mean Cohen's kappa over themes (``toolkit.coding.evaluate.mean_kappa``) on the turns not coded:

* ``rules`` — the ``pdtk autocode`` suggestions the view starts from;
* ``queue`` — the learner after the loop (turns chosen by the view's queue);
* ``random`` — the same learner on as many turns drawn at random (seeded), for what the ordering adds,
  scored on the turns *it* left (beside ``rules_on_random_rest``, the rules on those same turns).

The session, decisions, refits and queue are the view's own code (``CodingSession``, ``refit``), run in one
process (the refit function directly, not in the worker) so the loop is deterministic. Nothing was tuned on
these sets for the view; which sets the coder itself was tuned on is stated in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from toolkit.coding.evaluate import load_coding_set, mean_kappa  # noqa: E402
from toolkit.coding.review import refit as refit_worker  # noqa: E402
from toolkit.coding.review.locate import locate_coding  # noqa: E402
from toolkit.coding.review.refit import RefitJob  # noqa: E402
from toolkit.coding.review.session import CodingSession  # noqa: E402
from toolkit.coding.run import autocode_folder  # noqa: E402


def review_like_gold(session: CodingSession, row: int, gold: pd.DataFrame) -> None:
    """Decide one turn as the gold codes it, through the view's own decision methods."""
    wanted = {c for c in session.codebook.ids if gold.at[row, c]}
    for code in session._pending(row):
        session.decide(row, code, "accept" if code in wanted else "reject")
    decided = session._decisions(row).codes
    for code in sorted(wanted - set(decided)):
        session.decide(row, code, "add")
    session.close_turn(row)


def predicted(proba: np.ndarray, rows: list[int], code_ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame((proba[rows] >= 0.5).astype(int), columns=code_ids)


def one_set(folder: Path, work: Path, batch: int, seed: int) -> dict[str, object]:
    data = load_coding_set(folder)
    book_path = folder / "codebook.yml"
    coding = work / folder.name / "coding"
    autocode_folder(folder / "transcripts", book_path, coding)
    paths = locate_coding(
        folder / "transcripts", book_path, coding, restricted=work / folder.name / "restricted"
    )
    session = CodingSession(paths, reviewer="gold", background=False, seed=seed)
    keys = list(zip(data.units["source"], data.units["turn_index"].astype(int), strict=True))
    assert keys == session.keys, "the set's turns and the view's turns differ"
    gold = data.gold
    refit_worker._start_worker(session.codebook, session.texts, session.questions, [k[0] for k in keys])
    rules = session.model.proba.copy()
    target = len(keys) // 3
    refits = 0
    while session.progress()["coded"] < target:
        open_rows = [r for r in session.queue if not session._decisions(r).done]
        for row in open_rows[: min(batch, target - session.progress()["coded"])]:
            review_like_gold(session, row, gold)
        job = session.refit_job()
        if job is not None:
            session.take_refit(refit_worker.refit(job))
            refits += 1
    coded_rows = sorted(session.row_of[k] for k in session.log.state.coded())
    rest = [r for r in range(len(keys)) if r not in set(coded_rows)]
    queue_kappa, _ = mean_kappa(
        gold.iloc[rest].reset_index(drop=True), predicted(session.model.proba, rest, book_ids(session))
    )
    rules_kappa, _ = mean_kappa(
        gold.iloc[rest].reset_index(drop=True), predicted(rules, rest, book_ids(session))
    )
    drawn = sorted(random.Random(seed).sample(range(len(keys)), len(coded_rows)))
    outcome = refit_worker.refit(RefitJob(np.array(drawn), gold.iloc[drawn].to_numpy(), seed))
    rest_random = [r for r in range(len(keys)) if r not in set(drawn)]
    random_kappa, _ = mean_kappa(
        gold.iloc[rest_random].reset_index(drop=True),
        predicted(outcome.proba, rest_random, book_ids(session)),
    )
    rules_random, _ = mean_kappa(
        gold.iloc[rest_random].reset_index(drop=True), predicted(rules, rest_random, book_ids(session))
    )
    return {
        "set": folder.name,
        "turns": len(keys),
        "coded": len(coded_rows),
        "refits": refits,
        "rules": round(rules_kappa, 3),
        "queue": round(queue_kappa, 3),
        "rules_on_random_rest": round(rules_random, 3),
        "random": round(random_kappa, 3),
    }


def book_ids(session: CodingSession) -> list[str]:
    return session.codebook.ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", type=Path)
    parser.add_argument("--batch", type=int, default=10, help="coded turns between refits")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sets = args.sets or sorted(
        p for p in (ROOT / "tests" / "data" / "coding_blind").glob("set*") if p.is_dir()
    )
    with tempfile.TemporaryDirectory(prefix="pdtk-eval-coding-review-") as tmp:
        for folder in sets:
            started = time.perf_counter()
            row = one_set(folder, Path(tmp), args.batch, args.seed)
            row["seconds"] = round(time.perf_counter() - started, 1)
            print(row, flush=True)


if __name__ == "__main__":
    main()
