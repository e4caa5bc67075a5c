"""Benchmark: phase 2 (``analyse_deviance``) on a large SYNTHETIC register, against reading the file with pandas.

    .venv/bin/python bench/bench_phase2.py                 # 1,000,000 rows (the figure in BENCHMARKS.md)
    .venv/bin/python bench/bench_phase2.py --rows 100000   # quick check

The register is generated with ``toolkit.synth.register.make_register`` in a child process and written as the
anonymised register phase 2 reads (``pid`` instead of the identity number, direct identifiers dropped). This
process then times ``pandas.read_csv`` of that file and the whole of phase 2 with the protocol defaults
(``model: auto``, 5 folds, 5 stability seeds, units kommune / vgs_skole / nav_kontor, cohort fodselsar), prints
the ratio (target: at most 40 times the read time) and the peak resident memory of this process (read +
phase 2; the generator's memory is in the child and not counted).
"""

from __future__ import annotations

import argparse
import os
import resource
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="register rows (default 1,000,000)")
    parser.add_argument("--keep", type=Path, default=None, help="reuse/keep the CSV at this path")
    args = parser.parse_args(argv)

    path = args.keep or Path(tempfile.mkdtemp(prefix="pdtk-bench-")) / f"register_{args.rows}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", _GENERATE, str(args.rows), str(path)], check=True)
        print(
            f"generated {args.rows:,} SYNTHETIC rows in {time.perf_counter() - t0:.1f} s -> {path} ({path.stat().st_size / 1e6:.0f} MB)"
        )

    import pandas as pd

    reads = []
    for _ in range(3):  # the read is short and noisy on a shared machine: take the median of three
        t0 = time.perf_counter()
        frame = pd.read_csv(path, dtype={"kommune": "string"})
        reads.append(time.perf_counter() - t0)
    read_seconds = sorted(reads)[1]
    print(f"pandas.read_csv: {read_seconds:.2f} s (median of {', '.join(f'{r:.2f}' for r in reads)})")

    from toolkit.deviance.analysis import analyse_deviance
    from toolkit.protocol import DevianceSection

    config = DevianceSection(cohort="fodselsar")
    t0 = time.perf_counter()
    result = analyse_deviance(
        frame,
        outcome="fullfort_vgs_5aar",
        risk_factors=RISK_FACTORS,
        units=UNITS,
        config=config,
        seed=2021,
        disclosure=5,
    )
    phase2_seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = phase2_seconds / read_seconds
    flagged = result.units.loc[result.units["flag"] != "", ["unit_var", "unit", "flag"]]
    print(
        f"phase 2: {phase2_seconds:.1f} s  (model {result.risk.model}, {int(result.individuals['is_deviant'].sum()):,} deviants)"
    )
    print(
        f"units flagged: {', '.join(f'{r.unit_var}={r.unit} ({r.flag})' for r in flagged.itertuples()) or 'none'}"
    )
    print(
        f"ratio phase 2 / read_csv: {ratio:.1f}x (target <= 40x)  {'OK' if ratio <= 40 else 'ABOVE TARGET'}"
    )
    print(f"peak resident memory: {peak_mb:,.0f} MB; cores: {os.cpu_count()}")
    if args.keep is None:
        path.unlink(missing_ok=True)
        path.parent.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
