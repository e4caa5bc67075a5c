"""Benchmark for issue 17 (national scale): a synthetic person × month status panel aggregated to unit × month.

Target: 100M panel rows aggregated in under 10 minutes with peak memory under 8 GB.

    .venv/bin/python bench/bench_panel_scale.py --rows 10000000 --pandas
    .venv/bin/python bench/bench_panel_scale.py --rows 100000000

Each step (write the panel, aggregate with DuckDB, aggregate with pandas) runs in its own child process so that
its peak resident memory (``ru_maxrss``) is its own. The panel goes to a temporary folder that is deleted
afterwards; free disk space is checked first. Figures are printed as JSON lines and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MONTHS = 120
MIN_CELL = 5

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
step, path, arg = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if step == "write":
    from toolkit.synth.status_panel import write_status_panel
    write_status_panel(path, n_people=int(arg), n_months={months})
    rows = None
else:
    # the steps of aggregate_status_panel, timed apart: the group-by, then normalising + suppression
    from pathlib import Path
    from toolkit.disclosure import DisclosurePolicy
    from toolkit.effect import panel_scale as ps
    columns = ps.PanelColumns()
    if step == "duckdb":
        raw = ps._duckdb_aggregate(Path(path), columns, arg, 2)
    else:
        raw = ps._pandas_aggregate(Path(path), columns)
    grouped = time.perf_counter()
    table = ps._suppress(ps._normalise(raw, columns), DisclosurePolicy(min_cell={min_cell}), ("month",))
    rows = len(table)
seconds = time.perf_counter() - start
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
figures = {{"step": step, "seconds": round(seconds, 1), "peak_gb": round(peak_kb / 1024**2, 2),
           "result_rows": rows}}
if rows is not None:
    figures["groupby_s"] = round(grouped - start, 1)
    figures["suppressed_rows"] = int(table["suppressed"].sum())
print(json.dumps(figures))
"""


def _run(step: str, path: Path, arg: str) -> dict:
    """One step in a fresh interpreter; its wall time, its own peak RSS, and the load around it."""
    code = CHILD.format(root=str(ROOT), months=MONTHS, min_cell=MIN_CELL)
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-c", code, step, str(path), arg], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{done.stderr[-3000:]}")
    figures = json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])
    figures["load_1min_before_after"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    return figures


def _machine() -> dict:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    import duckdb
    import pandas

    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "load_1_5_15": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="panel rows (people × 120 months)")
    parser.add_argument("--pandas", action="store_true", help="also time the pandas path (baseline)")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit")
    args = parser.parse_args()
    n_people = -(-args.rows // MONTHS)
    folder = Path(tempfile.mkdtemp(prefix="pdtk-panel-bench-"))
    free_gb = shutil.disk_usage(folder).free / 1024**3
    needed_gb = args.rows * 6 / 1024**3  # generous: the zstd panel is well under 1 byte a row
    if free_gb < needed_gb + 2:
        raise SystemExit(f"only {free_gb:.1f} GB free in {folder}; need about {needed_gb:.1f} GB")
    print(json.dumps({"machine": _machine(), "rows": n_people * MONTHS, "free_disk_gb": round(free_gb, 1)}))
    results = []
    try:
        panel = folder / "panel.parquet"
        results.append(_run("write", panel, str(n_people)))
        results[-1]["panel_mb"] = round(panel.stat().st_size / 1024**2, 1)
        results.append(_run("duckdb", panel, args.memory_limit))
        if args.pandas:
            results.append(_run("pandas", panel, args.memory_limit))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for row in results:
        print(json.dumps(row))
    print("\n| step | rows | wall s (group-by s) | peak GB | load before/after |\n|---|---|---|---|---|")
    for row in results:
        print(
            f"| {row['step']} | {n_people * MONTHS:,} | {row['seconds']} ({row.get('groupby_s', '')}) | "
            f"{row['peak_gb']} | "
            f"{row['load_1min_before_after'][0]} / {row['load_1min_before_after'][1]} |"
        )


if __name__ == "__main__":
    main()
