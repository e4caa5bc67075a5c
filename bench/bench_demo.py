"""How long `make demo` takes after install: synthetic data + `pdtk run` on the demo protocol.

Prints wall time per step and in total, with the number of rows, and the time pandas needs to read the raw
register (a same-run baseline: machines are shared and noisy, so ratios travel better than seconds).

    .venv/bin/python bench/bench_demo.py [--n 5000]
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="young people in the synthetic cohort")
    args = parser.parse_args()

    from toolkit.study import Study
    from toolkit.synth.study import write_all

    with tempfile.TemporaryDirectory(prefix="pdtk-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        write_all(work / "synthetic_raw", n=args.n, seed=2021)
        t_synth = time.perf_counter() - t0

        t0 = time.perf_counter()
        pd.read_csv(work / "synthetic_raw" / "register.csv")
        t_read = time.perf_counter() - t0

        raw = yaml.safe_load((REPO / "protocols" / "demo.yml").read_text(encoding="utf-8"))
        raw["data"] = {
            "register": str(work / "synthetic_raw" / "register.csv"),
            "transcripts": str(work / "synthetic_raw" / "transcripts"),
            "groups": str(work / "synthetic_raw" / "transcript_groups.csv"),
            "results": str(work / "results"),
        }
        raw["privacy"]["key_file"] = str(work / "keys" / "bench.key")
        raw["privacy"]["restricted_dir"] = str(work / "restricted")
        raw["coding"]["codebook"] = str(REPO / "protocols" / "codebook_nb.yml")
        for key in ("panel", "individuals", "series"):
            raw["phase3"][key] = str(work / "synthetic_raw" / "panel" / f"{key}.csv")
        from toolkit.protocol import Protocol

        study = Study(Protocol.from_dict(raw, base_dir=work))
        timings: dict[str, float] = {}
        last = [time.perf_counter(), None]

        def on_step(name: str) -> None:
            now = time.perf_counter()
            if last[1] is not None:
                timings[last[1]] = now - last[0]
            last[0], last[1] = now, name

        t0 = time.perf_counter()
        study.run(on_step=on_step)
        t_run = time.perf_counter() - t0
        timings[last[1]] = time.perf_counter() - last[0]

    print(f"machine: {platform.machine()} {platform.system()}, python {platform.python_version()}")
    print(f"rows: {args.n}")
    print(f"synth: {t_synth:.1f} s")
    for name, seconds in timings.items():
        print(f"  step {name:<11} {seconds:6.1f} s")
    print(f"pdtk run: {t_run:.1f} s  (pandas read of the raw register: {t_read:.3f} s)")
    print(f"demo total after install: {t_synth + t_run:.1f} s")


if __name__ == "__main__":
    main()
