"""Benchmark: anonymising a large synthetic register versus pandas merely reading it.

    .venv/bin/python bench/bench_anonymise.py              # 1,000,000 rows × 25 columns (a few minutes)
    .venv/bin/python bench/bench_anonymise.py --rows 100000

Steps timed, each in its own child process so peak memory (``ru_maxrss``) belongs to that step alone:

* ``baseline``: ``pandas.read_csv`` of the CSV (all defaults);
* ``anonymise``: ``toolkit.io.read_table`` (encoding/delimiter/decimal detection, ids as text) →
  ``anonymise_register`` (validate ids, pseudonymise, drop, generalise, k-anonymity with local suppression,
  l-diversity, risk and information loss) → ``write_parquet`` → ``LeakGuard`` scan of the written Parquet with the
  dropped columns' values as forbidden values (as ``Study.anonymise`` does).

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
    return {"rows": rows, "columns": frame.shape[1], "generate_s": generated, "csv_mb": path.stat().st_size / 1e6}


def step_baseline(path: Path) -> dict[str, float]:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(path)
    return {"seconds": time.perf_counter() - start, "rows": len(frame)}


def step_anonymise(path: Path, work: Path) -> dict[str, float]:
    from toolkit.anonymise.disclosure import LeakGuard
    from toolkit.anonymise.pseudonym import load_or_create_key
    from toolkit.anonymise.tabular import anonymise_register
    from toolkit.io import read_table, write_parquet
    from toolkit.protocol import PrivacySection

    privacy = PrivacySection(
        id_column="fnr",
        drop=["navn", "adresse", "telefon"],
        quasi_identifiers={"fodselsdato": "year", "kjonn": "keep", "kommune": "keep", "postnr": "drop", "landbakgrunn": "keep"},
        sensitive=["psykisk_helse_kontakt"],
        k=5,
        key_file=work / "keys" / "bench.key",
        restricted_dir=work / "restricted",
        max_suppressed_share=1.0,  # a speed benchmark: report the share instead of stopping on it
    )
    times: dict[str, float] = {}
    start = time.perf_counter()
    raw = read_table(path, text_columns=["fnr"])
    times["read_table_s"] = time.perf_counter() - start
    mark = time.perf_counter()
    key = load_or_create_key(privacy.key_file, forbidden_dirs=[work / "results"])
    result = anonymise_register(raw, privacy, key, source=str(path))
    times["anonymise_register_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    out = work / "results" / "anonymised" / "register.parquet"
    write_parquet(out, result.data)
    times["write_parquet_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    forbidden = {col: raw[col] for col in ["fnr", *privacy.drop]}  # LeakGuard drops missing values and casts to text
    guard = LeakGuard(forbidden_values=forbidden)
    guard(out, out)
    times["leak_guard_s"] = time.perf_counter() - mark
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
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="pdtk-bench-") as tmp:
        work = Path(tmp)
        csv = work / "register.csv"
        info = run_child("generate", csv, work, "--rows", str(args.rows), "--seed", str(args.seed))
        print(f"synthetic register: {info['rows']:,} rows × {info['columns']} columns, {info['csv_mb']:.0f} MB CSV "
              f"(generated in {info['generate_s']:.1f} s)")
        baseline = run_child("baseline", csv, work)
        anonymise = run_child("anonymise", csv, work)
    ratio = anonymise["seconds"] / baseline["seconds"]
    print(f"pandas.read_csv            {baseline['seconds']:7.2f} s   peak {baseline['peak_rss_mb']:7.0f} MB")
    print(f"read + anonymise + guard   {anonymise['seconds']:7.2f} s   peak {anonymise['peak_rss_mb']:7.0f} MB")
    for key in ("read_table_s", "anonymise_register_s", "write_parquet_s", "leak_guard_s"):
        print(f"  {key:<24} {anonymise[key]:7.2f} s")
    own = anonymise["seconds"] - anonymise["read_table_s"]
    print(f"without read_table (anonymise + parquet + guard): {own:.2f} s = {own / baseline['seconds']:.1f}× baseline")
    print(f"generating the register: peak {info['peak_rss_mb']:.0f} MB (not part of the comparison)")
    print(f"ratio {ratio:.1f}× (target ≤ 10×): {'met' if ratio <= 10 else 'NOT met'}")
    print(
        f"k reached {anonymise['k_reached']}, rows touched {anonymise['share_rows_touched']:.2%}, "
        f"cells suppressed {anonymise['cells_suppressed']:,}, rows removed {anonymise['rows_removed']:,}"
    )


if __name__ == "__main__":
    main()
