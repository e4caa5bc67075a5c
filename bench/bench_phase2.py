"""Benchmark: ``pdtk phase2`` through the CLI on a large SYNTHETIC register, against pandas reading the file.

    .venv/bin/python bench/bench_phase2.py                 # 1,000,000 rows (the figure in BENCHMARKS.md)
    .venv/bin/python bench/bench_phase2.py --rows 100000   # quick check

The register is generated with ``toolkit.synth.register.make_register`` in a child process and written as an
already anonymised register (``pid`` instead of the identity number, direct identifiers dropped), with a
protocol that has no ``privacy:`` section (as ``protocols/anonymised_demo.yml``), so ``pdtk phase2`` reads it
directly. Then, alternating and each in a fresh process: ``pandas.read_csv`` of that file, and ``pdtk phase2
PROTOCOL`` exactly as a user types it (protocol check, read, phase 2 with the protocol defaults — ``model:
auto``, 5 folds, 5 stability seeds, units kommune / vgs_skole / nav_kontor, cohort fodselsar — the report,
and every file through the leak guard). Medians of ``--repeat`` runs are compared (target ≤ 25×), and the
peak resident memory of the ``pdtk phase2`` process is reported per million rows (target ≤ 1.5 GB); with
``--tree-memory`` also the peak proportional memory (PSS) of ``pdtk`` and its helper process together, sampled
from ``/proc`` every 50 ms (a separate run: the sampling takes CPU). CPU times (all threads) are printed too:
on a shared machine wall time stretches with the load of others.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RISK_FACTORS = [
    "foreldre_utdanning",
    "husholdning_lavinntekt",
    "barnevern",
    "foreldre_trygd",
    "psykisk_helse_kontakt",
    "grunnskolepoeng",
    "fravaer_prosent",
]
UNITS = ["kommune", "vgs_skole", "nav_kontor"]

_GENERATE = """
import sys
from toolkit.synth.register import make_register
rows, path = int(sys.argv[1]), sys.argv[2]
reg = make_register(n=rows, seed=2021).register
reg = reg.drop(columns=["navn", "adresse", "telefon", "fodselsdato", "postnr", "fnr"])
reg.insert(0, "pid", [f"P{i:07d}" for i in range(len(reg))])
reg.to_csv(path, index=False)
"""

_READ = """
import json, resource, sys, time
import pandas as pd
start, cpu = time.perf_counter(), time.process_time()
frame = pd.read_csv(sys.argv[1], dtype={"kommune": "string"})
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": len(frame)}))
"""

_PHASE2 = """
import json, os, resource, subprocess, sys, threading, time

def tree_pss_kb(pid):
    # proportional memory of pid and its descendants (the helper process), from /proc (Linux); None elsewhere
    todo, total = [pid], 0
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except (OSError, StopIteration, ValueError):
            if pid == todo_root:
                return None
    return total

start = time.perf_counter()
proc = subprocess.Popen([sys.argv[1], "phase2", sys.argv[2]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        text=True)
todo_root, peak_pss = proc.pid, [0]

def sample():  # every 50 ms while the command runs (reading /proc costs CPU: only when asked for)
    while sys.argv[3] == "1" and proc.poll() is None:
        found = tree_pss_kb(todo_root)
        if found is not None:
            peak_pss[0] = max(peak_pss[0], found)
        time.sleep(0.05)

sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
out, err = proc.communicate()
seconds = time.perf_counter() - start
sampler.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                  "tree_pss_mb": peak_pss[0] / 1024, "code": proc.returncode,
                  "out": out[-400:], "err": err[-2000:]}))
"""


def _protocol(path: Path, work: Path) -> Path:
    import yaml

    protocol = {
        "study": "bench-phase2",
        "seed": 2021,
        "data": {"register": str(path), "results": str(work / "results")},
        "outcome": "fullfort_vgs_5aar",
        "risk_factors": RISK_FACTORS,
        "units": UNITS,
        "deviance": {"model": "auto", "folds": 5, "cohort": "fodselsar"},
    }
    target = work / "bench_phase2.yml"
    target.write_text(yaml.safe_dump(protocol, allow_unicode=True), encoding="utf-8")
    return target


def _child(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="register rows (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternating (median reported)")
    parser.add_argument("--keep", type=Path, default=None, help="reuse/keep the CSV at this path")
    parser.add_argument(
        "--tree-memory",
        action="store_true",
        help="also sample the proportional memory of pdtk and its helper process every 50 ms (Linux; the "
        "sampling takes CPU from the shared cores, so time without it)",
    )
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="pdtk-bench-"))
    path = args.keep or work / f"register_{args.rows}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", _GENERATE, str(args.rows), str(path)], check=True)
        size = path.stat().st_size / 1e6
        print(
            f"generated {args.rows:,} SYNTHETIC rows in {time.perf_counter() - t0:.1f} s -> {path} ({size:.0f} MB)"
        )
    protocol = _protocol(path, work)
    pdtk = str(Path(sys.executable).with_name("pdtk"))

    reads, runs = [], []
    for i in range(args.repeat):
        reads.append(_child(_READ, str(path)))
        run = _child(_PHASE2, pdtk, str(protocol), "1" if args.tree_memory else "0")
        if run["code"] != 0:
            raise SystemExit(f"pdtk phase2 failed ({run['code']}):\n{run['err']}")
        runs.append(run)
        ratio = run["seconds"] / reads[-1]["seconds"]
        print(
            f"  run {i + 1}: read {reads[-1]['seconds']:.2f} s, pdtk phase2 {run['seconds']:.1f} s = {ratio:.1f}x"
        )
    read_s = sorted(r["seconds"] for r in reads)[len(reads) // 2]
    phase2_s = sorted(r["seconds"] for r in runs)[len(runs) // 2]
    peak_mb = max(r["peak_mb"] for r in runs)
    ratio = phase2_s / read_s
    per_million = peak_mb / (args.rows / 1e6)
    read_list = ", ".join(f"{r['seconds']:.2f}" for r in reads)
    run_list = ", ".join(f"{r['seconds']:.1f}" for r in runs)
    print(f"pandas.read_csv: {read_s:.2f} s (median of {read_list})")
    print(f"pdtk phase2:     {phase2_s:.1f} s (median of {run_list})")
    print(runs[-1]["out"].strip().splitlines()[-1] if runs[-1]["out"].strip() else "")
    print(f"ratio of medians: {ratio:.1f}x (target <= 25x)  {'OK' if ratio <= 25 else 'ABOVE TARGET'}")
    # on a shared machine wall time stretches with other users' load; CPU time much less so
    cpu_read = sorted(r["cpu"] for r in reads)[len(reads) // 2]
    cpu_phase2 = sorted(r["cpu"] for r in runs)[len(runs) // 2]
    print(
        f"CPU time (all threads, median): read {cpu_read:.2f} s, pdtk phase2 {cpu_phase2:.1f} s "
        f"= {cpu_phase2 / cpu_read:.1f}x"
    )
    print(
        f"peak resident memory of pdtk phase2: {peak_mb:,.0f} MB = {per_million:,.0f} MB per million rows "
        f"(target <= 1,500)  {'OK' if per_million <= 1500 else 'ABOVE TARGET'}"
    )
    tree_mb = max(r.get("tree_pss_mb", 0.0) for r in runs)
    if tree_mb:  # Linux: the pdtk process and its helper process together, shared pages counted once
        tree_per_million = tree_mb / (args.rows / 1e6)
        print(
            f"peak proportional memory (PSS) of pdtk phase2 and its helper process, sampled every 50 ms: "
            f"{tree_mb:,.0f} MB = {tree_per_million:,.0f} MB per million rows  "
            f"{'OK' if tree_per_million <= 1500 else 'ABOVE TARGET'}"
        )
    print(f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
