"""Benchmark: the coding view (``pdtk code-review``) — a decision's round trip while the learner refits.

    .venv/bin/python bench/bench_coding_review.py                     # 100 transcripts, 3 rounds
    .venv/bin/python bench/bench_coding_review.py --transcripts 30 --rounds 1

The corpus is SYNTHETIC (``make_transcripts`` with a seed the tests do not use), coded once with
``pdtk autocode``'s function and the default codebook (not timed). Everything below goes through the real
command (``python -m toolkit.cli code-review IN CODEBOOK OUT --no-browser``) and HTTP on a kept-alive
connection, as the page does:

* ``open``: from starting the command to the first screen being answerable (the address printed, then the
  page, its script and style, ``/api/codebook``, ``/api/queue``, ``/api/status`` and the first turn);
* ``decision``: ``POST /api/turns/{id}/decisions`` round trips, as a reviewer makes them (``--think`` seconds
  apart): the turns of the queue in order, each suggested code accepted or rejected (alternately), then the
  turn closed (``done``) —
  each written to ``coding_review.jsonl`` with fsync before the answer. Closing turns asks for refits, which
  run in the worker process *during* the measurement (the worst case for the request threads: the machine's
  two cores are shared with the refit);
* ``refits``: how many refits finished during the decisions and the last one's seconds (in the worker);
* ``turn``/``queue``: ``GET /api/turns/{id}`` (what the page asks after moving) and ``GET /api/queue`` (what
  it asks after a refit).

Target (issue 14): a decision round-trips in < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SEED = 917  # not a seed the tests or the demo use


def make_study(work: Path, n: int) -> tuple[Path, Path, Path]:
    """Synthetic transcripts and their autocode output; returns (transcripts, codebook, coding_dir)."""
    from toolkit.coding.codebook import default_codebook_path
    from toolkit.coding.run import autocode_folder
    from toolkit.synth.transcripts import make_transcripts

    transcripts = work / "transcripts"
    transcripts.mkdir()
    for transcript in make_transcripts(n, seed=SEED):
        (transcripts / transcript.name).write_text(transcript.text, encoding="utf-8")
    autocode_folder(transcripts, default_codebook_path(), work / "results" / "coding")
    return transcripts, default_codebook_path(), work / "results" / "coding"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def first_screen(client, base: str, token: str) -> int:
    """The requests the page makes before it shows the first turn; returns that turn's id."""
    params = {"token": token}
    for path in ("/", "/static/coding.js", "/static/coding.css", "/api/codebook", "/api/status"):
        client.get(base + path, params=params).raise_for_status()
    queue = client.get(base + "/api/queue", params=params).json()
    first = queue["turns"][0]["id"]
    client.get(f"{base}/api/turns/{first}", params=params).raise_for_status()
    return first


def review_turns(client, base: str, token: str, n_decisions: int, think: float) -> dict[str, list[float]]:
    """Decide turns in queue order until ``n_decisions`` decisions were made, ``think`` seconds between
    decisions (a reviewer reads); times in seconds."""
    params = {"token": token}
    times: dict[str, list[float]] = {"decision": [], "turn": [], "queue": []}
    started = time.perf_counter()
    queue = client.get(base + "/api/queue", params=params).json()
    times["queue"].append(time.perf_counter() - started)
    flip = 0
    for row in queue["turns"]:
        if len(times["decision"]) >= n_decisions:
            break
        started = time.perf_counter()
        turn = client.get(f"{base}/api/turns/{row['id']}", params=params).json()
        times["turn"].append(time.perf_counter() - started)
        bodies = []
        for code in turn["codes"]:
            if code["status"] == "pending":
                bodies.append({"code": code["code"], "decision": ("accept", "reject")[flip % 2]})
                flip += 1
        bodies.append({"decision": "done"})
        for body in bodies:
            time.sleep(think)
            started = time.perf_counter()
            response = client.post(f"{base}/api/turns/{row['id']}/decisions", params=params, json=body)
            times["decision"].append(time.perf_counter() - started)
            response.raise_for_status()
    return times


def one_round(
    paths: tuple[Path, Path, Path], restricted: Path, n_decisions: int, think: float
) -> dict[str, object]:
    import httpx

    transcripts, codebook, coding = paths
    started = time.perf_counter()
    command = [sys.executable, "-m", "toolkit.cli", "code-review", str(transcripts), str(codebook)]
    command += [str(coding), "--restricted", str(restricted), "--no-browser", "--reviewer", "bench"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO
    )
    url = process.stdout.readline().strip()
    base, token = url.split("/?token=")
    try:
        with httpx.Client(timeout=600) as client:
            first_screen(client, base, token)
            opened = time.perf_counter() - started
            times = review_turns(client, base, token, n_decisions, think)
            model = client.get(base + "/api/status", params={"token": token}).json()["model"]
    finally:
        process.terminate()
        process.wait(timeout=30)
    ms = [t * 1000 for t in times["decision"]]
    return {
        "open_seconds": round(opened, 2),
        "decisions": len(ms),
        "decision_ms_median": round(statistics.median(ms), 1),
        "decision_ms_p95": round(percentile(ms, 0.95), 1),
        "decision_ms_max": round(max(ms), 1),
        "slowest_decisions": [(i, round(ms[i], 1)) for i in sorted(range(len(ms)), key=lambda i: -ms[i])[:3]],
        "turn_ms_median": round(statistics.median(t * 1000 for t in times["turn"]), 1),
        "queue_ms": round(times["queue"][0] * 1000, 1),
        "refits_finished": model["version"],
        "last_refit_seconds": model["seconds"],
        "last_refit_coded_turns": model["coded_turns"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transcripts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--decisions", type=int, default=120)
    parser.add_argument("--think", type=float, default=0.25, help="seconds between decisions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pdtk-bench-coding-review-") as tmp:
        work = Path(tmp)
        made = time.perf_counter()
        paths = make_study(work, args.transcripts)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths[0].glob("*.txt"))
        print(f"{args.transcripts} transcripts, {words:,} words, coded in {time.perf_counter() - made:.1f} s")
        for i in range(args.rounds):
            result = one_round(
                paths, work / f"restricted_{i}", args.decisions, args.think
            )  # a fresh review each round
            print(json.dumps(result))


if __name__ == "__main__":
    main()
