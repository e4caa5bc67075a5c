"""Benchmark: de-identifying a million words of Norwegian transcripts, against a plain regex-only pass.

    .venv/bin/python bench/bench_deid.py                      # 1,000,000 words, 2 processes (about 2 minutes)
    .venv/bin/python bench/bench_deid.py --words 200000 --jobs 1

The corpus is SYNTHETIC: transcripts from ``toolkit.synth.transcripts.make_transcripts`` (names, schools,
employers, Tenor numbers, phones, e-mails, dates and ages inserted by the generator), concatenated into files of
about 5,000 words, as long interviews are. Steps, each end to end (read files, detect, replace, write outputs and
``deidentification.jsonl``):

* ``blank_tokenizer``: spaCy's ``blank("nb")`` tokenizer over every file (the baseline issue 12 asks for: the
  cheapest thing a spaCy-based de-identifier must do);
* ``regex_baseline``: read each file, replace identity numbers, phone numbers and e-mail addresses with three
  compiled regular expressions, write it — what a regex-only script would do (no names, places, dates);
* ``direct``: ``deidentify_folder(engine="direct")`` — all recognisers, without Presidio's engines;
* ``presidio``: ``deidentify_folder(engine="presidio")`` — the same recognisers through Presidio's
  AnalyzerEngine (spaCy ``blank("nb")`` + lookup lemmatizer, lemma context enhancer) and AnonymizerEngine.

Targets: issue 12 — ≥ 20,000 words/s on 2 cores over a million words with the shipped NER model, and the model
loaded in ≤ 3 s (``model_load_seconds``, timed in a fresh process: import, registry, model, first call). Wall-clock figures depend on what else
runs on the machine, so CPU seconds (this process and its workers) are printed too: words per CPU-second × 2 is
the 2-core rate on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

_FNR = re.compile(r"(?<!\d)\d{6} ?\d{5}(?!\d)")
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)47[\s-]?)?(?:\d{8}|\d{3} \d{2} \d{3}|\d{2} \d{2} \d{2} \d{2})(?!\d)"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def make_corpus(folder: Path, words: int, seed: int) -> dict[str, float]:
    """Write synthetic transcripts totalling about ``words`` words into ``folder`` (≈ 5,000 words per file)."""
    from toolkit.synth.transcripts import make_transcripts

    folder.mkdir(parents=True, exist_ok=True)
    total, files, batch, batch_words, round_ = 0, 0, [], 0, 0
    while total < words:
        for t in make_transcripts(24, seed=seed + round_):
            n = len(t.text.split())
            batch.append(t.text)
            batch_words += n
            total += n
            if batch_words >= 5000 or total >= words:
                (folder / f"intervju_{files:04d}.txt").write_text("\n".join(batch), encoding="utf-8")
                files, batch, batch_words = files + 1, [], 0
            if total >= words:
                break
        round_ += 1
    return {"words": total, "files": files}


def _regex_one(args: tuple[Path, Path]) -> int:
    src, dst = args
    text = src.read_text(encoding="utf-8")
    spans = []
    for kind, pattern in (("FNR", _FNR), ("TELEFON", _PHONE), ("EPOST", _EMAIL)):
        spans += [(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    out = _EMAIL.sub("[EPOST]", _PHONE.sub("[TELEFON]", _FNR.sub("[FNR]", text)))
    dst.write_text(out, encoding="utf-8")
    return len(spans)


def step_regex(in_dir: Path, out_dir: Path, jobs: int) -> dict[str, float]:
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs = [(p, out_dir / p.name) for p in sorted(in_dir.glob("*.txt"))]
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        n = sum(pool.map(_regex_one, pairs, chunksize=4))
    return {"seconds": time.perf_counter() - start, "spans": n}


def _tokenize_one(path: Path) -> int:
    import spacy

    nlp = _BLANK.get("nlp") or _BLANK.setdefault("nlp", spacy.blank("nb"))
    return len(nlp(path.read_text(encoding="utf-8")))


_BLANK: dict = {}


def step_blank(in_dir: Path, jobs: int) -> dict[str, float]:
    paths = sorted(in_dir.glob("*.txt"))
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        n = sum(pool.map(_tokenize_one, paths, chunksize=4))
    return {"seconds": time.perf_counter() - start, "spans": 0, "tokens": n}


def model_load_seconds() -> dict[str, float]:
    """Wall time in a fresh interpreter from import to the first de-identified sentence (model included)."""
    import subprocess

    code = (
        "import time; t=time.perf_counter(); c=time.process_time(); from toolkit.deidentify import Deidentifier; "
        "d=Deidentifier(engine='direct'); d.deidentify('Kari bor i Oslo.'); "
        "print(time.perf_counter()-t, time.process_time()-c)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    wall, cpu = (float(x) for x in out.stdout.strip().splitlines()[-1].split())
    return {"wall": wall, "cpu": cpu}


def step_deid(in_dir: Path, out_dir: Path, engine: str, jobs: int) -> dict[str, float]:
    from toolkit.deidentify import deidentify_folder

    start = time.perf_counter()
    result = deidentify_folder(in_dir, out_dir, engine=engine, n_jobs=jobs)
    return {"seconds": time.perf_counter() - start, "spans": len(result.spans)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="direct,presidio")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_deid_") as tmp:
        work = Path(tmp)
        corpus = make_corpus(work / "in", args.words, args.seed)
        words = corpus["words"]
        print(f"corpus: {words:,} words in {corpus['files']} files (synthetic); {args.jobs} process(es)")
        figures = {"corpus": corpus, "jobs": args.jobs, "steps": {}}
        figures["model_load_seconds"] = model_load_seconds()
        load = figures["model_load_seconds"]
        print(
            f"model load (fresh process, first sentence): {load['wall']:.2f} s wall, {load['cpu']:.2f} CPU-s"
        )
        steps = [
            ("blank_tokenizer", lambda: step_blank(work / "in", args.jobs)),
            ("regex_baseline", lambda: step_regex(work / "in", work / "out_regex", args.jobs)),
        ]
        for engine in [e for e in args.engines.split(",") if e]:
            steps.append((engine, lambda e=engine: step_deid(work / "in", work / f"out_{e}", e, args.jobs)))
        for name, run in steps:
            cpu_before = _cpu_seconds()
            fig = run()
            fig["cpu_seconds"] = _cpu_seconds() - cpu_before
            fig["words_per_s"] = words / fig["seconds"]
            fig["words_per_cpu_s"] = words / fig["cpu_seconds"]
            figures["steps"][name] = fig
            print(
                f"{name:>15}: {fig['seconds']:7.1f} s wall {fig['words_per_s']:>10,.0f} words/s | "
                f"{fig['cpu_seconds']:6.1f} CPU-s {fig['words_per_cpu_s']:>10,.0f} words/CPU-s | {fig['spans']:>7,} spans"
            )
        base = figures["steps"]["blank_tokenizer"]["seconds"]
        for name, fig in figures["steps"].items():
            fig["ratio_to_blank_tokenizer"] = fig["seconds"] / base
            print(f"{name:>15}: {fig['ratio_to_blank_tokenizer']:6.1f}× the blank tokenizer's time")
        figures["load_average"] = os.getloadavg()
        print(f"load average during the run (other processes share the cores): {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
