"""Benchmark: rule-based auto-coding speed in words per second, against spaCy's tokenizer alone.

    .venv/bin/python bench/bench_autocode.py            # >= 1,000,000 words (default)
    .venv/bin/python bench/bench_autocode.py --words 200000
    .venv/bin/python bench/bench_autocode.py --end-to-end  # the `pdtk autocode` command on a folder, wall clock

The corpus is SYNTHETIC: speaker turns built from the shipped hand-coded test turns and the paragraphs of the
Norwegian source documents in ``shared/seeds`` (when present), shuffled and repeated until the word target
is reached, so the vocabulary is realistic (several thousand distinct forms) and the word-form cache sees
both misses and hits as on real transcripts. The time covers the full ``AutoCoder.transform`` on turn
segments (tokenising, lemma/compound keys per form, keyword and pattern matching, building the output
DataFrame), starting from an empty word-form cache. Loading the lexicon is timed separately.

``--end-to-end`` writes the same turns as transcripts (about 5,000 words each, ``I:``/``U:`` labels, a short
interviewer question before about a third of the turns) to a temporary folder and times the whole
``pdtk autocode IN_DIR CODEBOOK OUT_DIR`` command in a fresh process: start-up, imports, lexicon (from its
cache when one exists), reading, coding, tables, discovery, cards, REFI-QDA export and writing.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from toolkit.coding.autocode import AutoCoder  # noqa: E402
from toolkit.coding.codebook import load_codebook  # noqa: E402
from toolkit.coding.segments import split_turns  # noqa: E402
from toolkit.language import WORD_RE, NorwegianAnalyzer  # noqa: E402


def corpus_paragraphs() -> list[str]:
    paragraphs: list[str] = []
    for path in sorted((ROOT / "tests" / "data" / "coding" / "transcripts").glob("*.txt")):
        turns = split_turns(path.read_text(encoding="utf-8"), path.name)
        paragraphs.extend(turns["text"].tolist())
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        for path in sorted(seeds.glob("*.txt")):
            for para in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
                para = " ".join(para.replace("#", " ").split())
                if len(WORD_RE.findall(para)) >= 5:
                    paragraphs.append(para)
    return paragraphs


def build_segments(target_words: int, seed: int = 0) -> pd.DataFrame:
    rng = random.Random(seed)
    paragraphs = corpus_paragraphs()
    rows, words, index = [], 0, 0
    while words < target_words:
        rng.shuffle(paragraphs)
        for para in paragraphs:
            rows.append(
                {
                    "source": f"bench_{index // 200:05d}.txt",
                    "turn_index": index % 200,
                    "speaker": "U",
                    "role": "participant",
                    "start": 0,
                    "end": len(para),
                    "text": para,
                }
            )
            words += len(WORD_RE.findall(para))
            index += 1
            if words >= target_words:
                break
    return pd.DataFrame(rows)


def write_transcripts(segments: pd.DataFrame, folder: Path, seed: int = 1) -> None:
    """One transcript per ``source``: participant turns, some after a short interviewer question."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for source, group in segments.groupby("source"):
        lines = []
        for text in group["text"]:
            if rng.random() < 0.3:
                lines.append("I: Kan du fortelle mer om det?")
            lines.append(f"U: {text}")
        (folder / source).write_text("\n\n".join(lines) + "\n", encoding="utf-8")


def end_to_end(segments: pd.DataFrame, n_words: int, runs: int) -> None:
    """Time ``pdtk autocode`` on a folder of transcripts, in a fresh process per run."""
    import subprocess
    import tempfile

    pdtk = Path(sys.executable).with_name("pdtk")
    book = ROOT / "protocols" / "codebook_nb.yml"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "transcripts"
        write_transcripts(segments, folder)
        for run in range(runs):
            out = Path(tmp) / f"out{run}"
            started = time.perf_counter()
            subprocess.run(
                [str(pdtk), "autocode", str(folder), str(book), str(out)], check=True, capture_output=True
            )
            seconds = time.perf_counter() - started
            rows = sum(1 for _ in (out / "segments.csv").open(encoding="utf-8")) - 1
            print(
                f"pdtk autocode end to end, run {run + 1}: {n_words:,} words in {seconds:.1f} s = "
                f"{n_words / seconds:,.0f} words/s ({rows:,} coded rows)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--backend", default="auto")
    parser.add_argument("--end-to-end", action="store_true", help="time the pdtk autocode command instead")
    parser.add_argument("--runs", type=int, default=2, help="end-to-end runs")
    args = parser.parse_args()

    segments = build_segments(args.words)
    texts = segments["text"].tolist()
    n_words = sum(len(WORD_RE.findall(t)) for t in texts)
    n_forms = len({w for t in texts for w in WORD_RE.findall(t)})
    print(f"corpus: {len(segments):,} turns, {n_words:,} words, {n_forms:,} distinct word forms (synthetic)")
    if args.end_to_end:
        end_to_end(segments, n_words, args.runs)
        return

    import spacy

    nlp = spacy.blank("nb")
    started = time.perf_counter()
    n_tokens = sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000))
    tok_seconds = time.perf_counter() - started
    print(
        f"baseline spaCy blank('nb') tokenizer alone: {n_tokens:,} tokens in {tok_seconds:.2f} s = "
        f"{n_tokens / tok_seconds:,.0f} tokens/s"
    )

    started = time.perf_counter()
    analyzer = NorwegianAnalyzer(args.backend)
    coder = AutoCoder(load_codebook(ROOT / "protocols" / "codebook_nb.yml"), analyzer=analyzer)
    load_seconds = time.perf_counter() - started
    print(f"lexicon + codebook load: {load_seconds:.2f} s (backend {analyzer.backend})")

    started = time.perf_counter()
    coded = coder.transform(segments)
    seconds = time.perf_counter() - started
    print(
        f"auto-coding (cold word-form cache): {n_words:,} words in {seconds:.2f} s = {n_words / seconds:,.0f} words/s; "
        f"{len(coded):,} codings; cache {analyzer.cache_size():,} forms"
    )
    started = time.perf_counter()
    coder.transform(segments)
    warm = time.perf_counter() - started
    print(f"auto-coding (warm cache, second pass): {n_words / warm:,.0f} words/s")
    verdict = "meets" if n_words / seconds >= 100_000 else "BELOW"
    print(f"target >= 100,000 words/s (single process): {verdict}")


if __name__ == "__main__":
    main()
