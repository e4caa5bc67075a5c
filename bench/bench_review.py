"""Benchmark: ``pdtk review`` on a folder of 200 de-identified transcripts — opening, a decision, suspects, apply.

    .venv/bin/python bench/bench_review.py                 # 200 transcripts (about 2 minutes)
    .venv/bin/python bench/bench_review.py --transcripts 50 --rounds 3

The corpus is SYNTHETIC (``make_transcripts`` with a seed the tests do not use), de-identified once with
``deidentify_folder(engine="direct")`` (not timed). Everything below goes through the real command and HTTP:

* ``open``: from starting ``python -m toolkit.cli review DIR --no-browser`` to the page's first screen being
  answerable — first line (the address) printed, then ``GET /``, the script, the style, ``/api/sources``,
  ``/api/status`` and the first transcript (text and spans): what the browser asks before it shows anything.
  Python start-up and imports are included; ``open_cpu_seconds`` is the CPU time the server process used for
  it (on a busy machine the wall time is longer). ``open_requests`` is the same requests alone, once it runs;
* ``decision``: ``POST /api/sources/{name}/decisions`` round trips (accept / undo on spans of several
  transcripts, each written to ``review.jsonl`` with fsync before the answer), while the background analyser
  is still working through the folder — the situation right after opening;
* ``suspects_first``: from start to the first transcript's suspects (the analyser's warm-up: model, regexes,
  lexicon), and ``suspects_all``: until every transcript is analysed;
* ``apply``: ``POST /api/apply`` with one rejection and one addition (the whole folder is de-identified again).

Targets (issue 13): opens in < 2 s; a decision round-trips in < 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SEED = 913  # not a seed the tests or the demo use


def make_folder(work: Path, n: int) -> tuple[Path, Path]:
    """Raw transcripts and their de-identified folder; returns (deid_dir, restricted_dir)."""
    from toolkit.deidentify import deidentify_folder
    from toolkit.synth.transcripts import make_transcripts

    raw = work / "raw"
    raw.mkdir()
    for transcript in make_transcripts(n, seed=SEED):
        (raw / transcript.name).write_text(transcript.text, encoding="utf-8")
    deidentify_folder(raw, work / "out", restricted_dir=work / "restricted", engine="direct", n_jobs=2)
    return work / "out", work / "restricted"


def start_server(deid_dir: Path, restricted: Path) -> tuple[subprocess.Popen, str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "review",
            str(deid_dir),
            "--restricted",
            str(restricted),
            "--no-browser",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    url = process.stdout.readline().strip()
    print(f"  address printed after {time.perf_counter() - started:.2f} s")
    return process, url, started


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far (Linux /proc; its children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_screen(client, base: str, token: str) -> str:
    """The requests the page makes before it shows the first transcript; returns that transcript's name."""
    params = {"token": token}
    for path in ("/", "/static/review.js", "/static/review.css"):
        client.get(base + path, params=params).raise_for_status()
    rows = client.get(base + "/api/sources", params=params).json()
    client.get(base + "/api/status", params=params).raise_for_status()
    detail = client.get(f"{base}/api/sources/{rows[0]['name']}", params=params)
    detail.raise_for_status()
    assert detail.json()["spans"], "the first transcript should have spans"
    return rows[0]["name"]


def decisions(client, base: str, token: str, names: list[str], count: int) -> list[float]:
    """Round trips of accept/undo on the spans of several transcripts (seconds)."""
    params = {"token": token}
    spans = {n: client.get(f"{base}/api/sources/{n}", params=params).json()["spans"] for n in names}
    times = []
    for i in range(count):
        name = names[(i // 2) % len(names)]  # accept a span, then undo it; across several transcripts
        span = spans[name][(i // (2 * len(names))) % len(spans[name])]
        decision = "accept" if i % 2 == 0 else "undo"
        started = time.perf_counter()
        response = client.post(
            f"{base}/api/sources/{name}/decisions",
            params=params,
            json={"span": span["id"], "decision": decision},
        )
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return times


def wait_for_suspects(client, base: str, token: str, names: list[str], started: float) -> tuple[float, float]:
    params = {"token": token}
    client.get(f"{base}/api/sources/{names[0]}", params={**params, "wait": 120}).raise_for_status()
    first = time.perf_counter() - started
    while any(r["suspects"] is None for r in client.get(base + "/api/sources", params=params).json()):
        time.sleep(0.5)
    return first, time.perf_counter() - started


def one_round(deid_dir: Path, restricted: Path, n_decisions: int) -> dict[str, object]:
    import httpx

    process, url, started = start_server(deid_dir, restricted)
    base, token = url.split("/?token=")
    try:
        with httpx.Client(timeout=600) as client:
            first = first_screen(client, base, token)
            opened = time.perf_counter() - started
            opened_cpu = cpu_seconds(process.pid)
            again = time.perf_counter()
            first_screen(client, base, token)
            requests_only = time.perf_counter() - again
            names = [r["name"] for r in client.get(base + "/api/sources", params={"token": token}).json()[:5]]
            times = decisions(client, base, token, names, n_decisions)
            suspects_first, suspects_all = wait_for_suspects(client, base, token, names, started)
            idle = decisions(client, base, token, names, n_decisions)
            applied = apply_once(client, base, token, first)
    finally:
        process.terminate()
        process.wait(timeout=30)
    ms = sorted(t * 1000 for t in times)
    idle_ms = sorted(t * 1000 for t in idle)
    return {
        "open_seconds": round(opened, 3),
        "open_cpu_seconds": round(opened_cpu, 3),
        "open_requests_seconds": round(requests_only, 3),
        "decision_ms_median": round(statistics.median(ms), 1),
        "decision_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
        "decision_ms_max": round(ms[-1], 1),
        "decision_ms_median_idle": round(statistics.median(idle_ms), 1),
        "decision_ms_p95_idle": round(idle_ms[int(0.95 * (len(idle_ms) - 1))], 1),
        "suspects_first_seconds": round(suspects_first, 2),
        "suspects_all_seconds": round(suspects_all, 2),
        "apply_seconds": round(applied, 2),
    }


def apply_once(client, base: str, token: str, name: str) -> float:
    """One rejection and one addition in ``name``, then apply; returns the apply's seconds."""
    params = {"token": token}
    detail = client.get(f"{base}/api/sources/{name}", params=params).json()
    span = next(s for s in detail["spans"] if s["status"] == "pending")
    client.post(
        f"{base}/api/sources/{name}/decisions", params=params, json={"span": span["id"], "decision": "reject"}
    )
    at = detail["text"].find("fastlegen")
    if at >= 0:
        client.post(
            f"{base}/api/sources/{name}/decisions",
            params=params,
            json={"add": {"start": at, "end": at + len("fastlegen"), "type": "ORG"}},
        )
    started = time.perf_counter()
    response = client.post(f"{base}/api/apply", params=params)
    assert response.status_code == 200, response.json()["error"]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transcripts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--decisions", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pdtk-bench-review-") as tmp:
        work = Path(tmp)
        made = time.perf_counter()
        deid_dir, restricted = make_folder(work, args.transcripts)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in (work / "raw").glob("*.txt"))
        print(
            f"{args.transcripts} transcripts, {words:,} words, de-identified in {time.perf_counter() - made:.1f} s"
        )
        rounds = []
        for i in range(args.rounds):
            (restricted / "review.jsonl").unlink(missing_ok=True)  # every round starts without decisions
            result = one_round(deid_dir, restricted, args.decisions)
            rounds.append(result)
            print(f"round {i + 1}: {json.dumps(result)}")
    keys = rounds[0].keys()
    print("median of rounds: " + json.dumps({k: statistics.median(r[k] for r in rounds) for k in keys}))


if __name__ == "__main__":
    main()
