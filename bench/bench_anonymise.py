"""Benchmark: anonymising a large synthetic register versus pandas merely reading it.

    .venv/bin/python bench/bench_anonymise.py              # 1,000,000 rows × 25 columns (a few minutes)
    .venv/bin/python bench/bench_anonymise.py --rows 100000

Steps timed, each in its own child process so peak memory (``ru_maxrss``) belongs to that step alone:

* ``baseline``: ``pandas.read_csv`` of the CSV (all defaults);
* ``anonymise``: ``Study.anonymise`` on a protocol naming the CSV, i.e. exactly ``pdtk anonymise``:
  ``read_table`` (encoding/delimiter/decimal detection, ids, dropped columns and units as text) →
  ``anonymise_register`` (validate ids, HMAC pseudonyms in a helper process, drop, generalise, k-anonymity with
  local suppression, l-diversity, risk and information loss) → the released table serialised to Parquet while,
  in a thread, the leak guard indexes the dropped values and scans that table → Parquet and ``disclosure.json``
  staged → leak guard checks the staged files → moved into ``results/anonymised/``. Its parts are timed by
  wrapping those functions from outside. Each step runs ``--repeat`` times, alternating, and medians are
  compared (the machine is shared: single runs vary by ±20 %).

The register is synthetic (``toolkit.synth.register.make_register``) plus two filler columns to reach 25.
Target from issue 3: anonymise ≤ 10 × baseline on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_csv(path: Path, rows: int, seed: int) -> dict[str, float]:
    from toolkit.synth.register import make_register

    start = time.perf_counter()
    frame = make_register(rows, seed=seed).register
    rng = np.random.default_rng(seed)
    frame["husholdning_inntekt"] = np.round(rng.lognormal(13, 0.5, rows), 0)
    frame["sist_oppdatert"] = np.datetime_as_string(
        np.datetime64("2024-01-01") + rng.integers(0, 365, rows).astype("timedelta64[D]"), unit="D"
    )
    generated = time.perf_counter() - start
    frame.to_csv(path, index=False)
    return {
        "rows": rows,
        "columns": frame.shape[1],
        "generate_s": generated,
        "csv_mb": path.stat().st_size / 1e6,
    }


def step_baseline(path: Path) -> dict[str, float]:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(path)
    return {"seconds": time.perf_counter() - start, "rows": len(frame)}


def step_anonymise(path: Path, work: Path) -> dict[str, float]:
    """``pdtk anonymise`` exactly as a user runs it (``Study.anonymise``), with its parts timed from outside."""
    import yaml

    import toolkit.anonymise.tabular as tabular
    import toolkit.results as results_module
    import toolkit.study as study_module
    from toolkit.disclosure import LeakGuard
    from toolkit.study import Study

    protocol = {
        "study": "bench-anonymise",
        "data": {"register": str(path), "results": str(work / "results")},
        "privacy": {
            "id_column": "fnr",
            "drop": ["navn", "adresse", "telefon"],
            "quasi_identifiers": {
                "fodselsdato": "year",
                "kjonn": "keep",
                "kommune": "keep",
                "postnr": "drop",
                "landbakgrunn": "keep",
            },
            "sensitive": ["psykisk_helse_kontakt"],
            "k": 5,
            "key_file": str(work / "keys" / "bench.key"),
            "restricted_dir": str(work / "restricted"),
            "max_suppressed_share": 1.0,  # a speed benchmark: report the share instead of stopping on it
        },
        "units": ["kommune", "vgs_skole", "nav_kontor"],
    }
    work.mkdir(parents=True, exist_ok=True)
    protocol_path = work / "bench.yml"
    protocol_path.write_text(yaml.safe_dump(protocol, allow_unicode=True), encoding="utf-8")

    times: dict[str, float] = {
        "read_table_s": 0.0,
        "anonymise_register_s": 0.0,
        "parquet_bytes_s": 0.0,
        "guard_build_s": 0.0,
        "guard_table_s": 0.0,
        "guard_scan_s": 0.0,
    }

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            mark = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                times[name] += time.perf_counter() - mark

        return wrapper

    study_module.read_table = timed("read_table_s", study_module.read_table)
    tabular.anonymise_register = timed("anonymise_register_s", tabular.anonymise_register)
    results_module.parquet_bytes = timed("parquet_bytes_s", results_module.parquet_bytes)
    LeakGuard._ensure_index = timed("guard_build_s", LeakGuard._ensure_index)  # indexing is lazy
    LeakGuard.scan_frame = timed("guard_table_s", LeakGuard.scan_frame)
    LeakGuard.scan_table = timed("guard_table_s", LeakGuard.scan_table)
    LeakGuard.__call__ = timed("guard_scan_s", LeakGuard.__call__)

    start = time.perf_counter()
    result = Study(protocol_path).anonymise()
    times["seconds"] = time.perf_counter() - start
    d = result.disclosure
    times.update(
        k_reached=d["k_reached"],
        share_rows_touched=d["share_rows_touched"],
        cells_suppressed=d["cells_suppressed"],
        rows_removed=d["rows_removed"],
    )
    return times


def run_child(step: str, csv: Path, work: Path, *extra: str) -> dict[str, float]:
    """Run one step in a fresh interpreter; return its timings and its own peak memory.

    The parent stays small (it never holds the register), so each child's ``ru_maxrss`` is its own.
    """
    proc = subprocess.run(
        [sys.executable, __file__, "--step", step, "--csv", str(csv), "--work", str(work), *extra],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{proc.stderr.strip()[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each step, alternating (median reported)"
    )
    parser.add_argument("--step", choices=["generate", "baseline", "anonymise"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:  # child process
        if args.step == "generate":
            result = make_csv(args.csv, args.rows, args.seed)
        elif args.step == "baseline":
            result = step_baseline(args.csv)
        else:
            result = step_anonymise(args.csv, args.work)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the HMAC helper process
        result["peak_rss_mb"] = usage.ru_maxrss / 1024
        result["cpu_s"] = usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="pdtk-bench-") as tmp:
        work = Path(tmp)
        csv = work / "register.csv"
        info = run_child("generate", csv, work, "--rows", str(args.rows), "--seed", str(args.seed))
        print(
            f"synthetic register: {info['rows']:,} rows × {info['columns']} columns, {info['csv_mb']:.0f} MB CSV "
            f"(generated in {info['generate_s']:.1f} s)"
        )
        # alternate the two, so a burst of load from other users of a shared machine hits both alike
        baselines, runs = [], []
        for repeat in range(args.repeat):
            baselines.append(run_child("baseline", csv, work))
            runs.append(run_child("anonymise", csv, work / f"run{repeat}"))
            print(
                f"  run {repeat + 1}: read {baselines[-1]['seconds']:.2f} s, anonymise {runs[-1]['seconds']:.2f} s "
                f"= {runs[-1]['seconds'] / baselines[-1]['seconds']:.1f}×"
            )
    base_s = [b["seconds"] for b in baselines]
    anon_s = [r["seconds"] for r in runs]
    anonymise = runs[int(np.argsort(anon_s)[len(anon_s) // 2])]  # the median run, for its parts
    baseline = baselines[int(np.argsort(base_s)[len(base_s) // 2])]
    ratio = float(np.median(anon_s) / np.median(base_s))
    best_ratio = min(anon_s) / min(base_s)
    print(
        f"pandas.read_csv            {np.median(base_s):7.2f} s   (min {min(base_s):.2f}, max {max(base_s):.2f})   "
        f"peak {baseline['peak_rss_mb']:7.0f} MB"
    )
    print(
        f"pdtk anonymise             {np.median(anon_s):7.2f} s   (min {min(anon_s):.2f}, max {max(anon_s):.2f})   "
        f"peak {max(r['peak_rss_mb'] for r in runs):7.0f} MB"
    )
    print(
        f"  median run: CPU {anonymise['cpu_s']:.2f} s (all threads and the helper, including start-up and imports)"
    )
    for key, label in (
        ("read_table_s", "read_table"),
        ("anonymise_register_s", "anonymise_register (HMAC in a helper process)"),
        ("parquet_bytes_s", "serialise the released table as Parquet"),
        ("guard_build_s", "  beside it, in a thread: leak guard indexes the dropped values"),
        ("guard_table_s", "  beside it, in a thread: leak guard scans the released table"),
        ("guard_scan_s", "leak guard: check the staged files (Parquet by its SHA-256, JSON scanned)"),
    ):
        print(f"  {label:<78} {anonymise[key]:6.2f} s")
    print(f"generating the register: peak {info['peak_rss_mb']:.0f} MB (not part of the comparison)")
    print(
        f"ratio of medians {ratio:.1f}× (target ≤ 10×): {'met' if ratio <= 10 else 'NOT met'}; "
        f"ratio of the fastest runs {best_ratio:.1f}×; {args.repeat} runs each, alternating"
    )
    print(
        f"k reached {anonymise['k_reached']}, rows touched {anonymise['share_rows_touched']:.2%}, "
        f"cells suppressed {anonymise['cells_suppressed']:,}, rows removed {anonymise['rows_removed']:,}"
    )


if __name__ == "__main__":
    main()
