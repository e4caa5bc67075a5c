"""Build a blind coding set from its ``annotated.txt``.

Usage: ``.venv/bin/python tests/data/coding_blind/build_set.py tests/data/coding_blind/<set>``

Reads ``<set>/annotated.txt`` (blocks ``## <file>.txt | <group>``, then one turn per line: ``I: …`` for the
interviewer, ``U: … {code_a, code_b}`` for the participant, ``{}`` for no code) and writes

* ``<set>/transcripts/<file>.txt`` — a header line, a blank line, then the turns separated by blank lines;
* ``<set>/gold.csv`` — ``source,turn_index,speaker,start,end,code_id,coder``, one row per (turn, code), offsets
  from :func:`toolkit.coding.segments.split_turns` on the written text;
* ``<set>/groups.csv`` — ``source,group``.

Fails when a participant line has no braces, an interviewer line has braces, a code is not in
``<set>/codebook.yml``, or the splitter finds a different number of turns than annotated lines.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from toolkit.coding.segments import split_turns  # noqa: E402

HEADER = "(SYNTETISK testintervju, skrevet blindt for pdtk. Ingen ekte person.)"
_BLOCK = re.compile(r"^##\s*(?P<source>\S+\.txt)\s*\|\s*(?P<group>\S+)\s*$")
_CODES = re.compile(r"\s*\{(?P<codes>[^{}]*)\}\s*$")


def parse(path: Path) -> list[dict]:
    transcripts: list[dict] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        block = _BLOCK.match(line)
        if block:
            transcripts.append({"source": block["source"], "group": block["group"], "turns": []})
            continue
        if not transcripts:
            raise SystemExit(f"{path}:{number}: text before the first '## file | group' line")
        speaker, sep, rest = line.partition(":")
        if not sep or speaker not in {"I", "U"}:
            raise SystemExit(f"{path}:{number}: a turn must start with 'I:' or 'U:'")
        match = _CODES.search(rest)
        if speaker == "U":
            if not match:
                raise SystemExit(f"{path}:{number}: participant turn without {{codes}}")
            codes = [c.strip() for c in match["codes"].split(",") if c.strip()]
            text = rest[: match.start()].strip()
        else:
            if match:
                raise SystemExit(f"{path}:{number}: interviewer turns are not coded")
            codes, text = [], rest.strip()
        if not text:
            raise SystemExit(f"{path}:{number}: empty turn")
        transcripts[-1]["turns"].append({"speaker": speaker, "text": text, "codes": codes, "line": number})
    return transcripts


def main(folder: Path) -> None:
    codebook = yaml.safe_load((folder / "codebook.yml").read_text(encoding="utf-8"))
    valid = {code["id"] for code in codebook["codes"]}
    transcripts = parse(folder / "annotated.txt")
    sources = [t["source"] for t in transcripts]
    if len(set(sources)) != len(sources):
        raise SystemExit("the same file name appears twice in annotated.txt")
    out = folder / "transcripts"
    out.mkdir(exist_ok=True)
    for old in out.glob("*.txt"):
        if old.name not in sources:
            old.unlink()
    gold_rows, group_rows = [], []
    n_participant = n_uncoded = 0
    for transcript in transcripts:
        source = transcript["source"]
        body = "\n\n".join(f"{t['speaker']}: {t['text']}" for t in transcript["turns"])
        text = f"{HEADER}\n\n{body}\n"
        (out / source).write_text(text, encoding="utf-8", newline="\n")
        turns = split_turns(text, source)
        if len(turns) != len(transcript["turns"]):
            raise SystemExit(
                f"{source}: the splitter finds {len(turns)} turns, annotated.txt has {len(transcript['turns'])}"
            )
        for row, turn in zip(turns.itertuples(index=False), transcript["turns"], strict=True):
            if row.speaker != turn["speaker"] or row.text != turn["text"]:
                raise SystemExit(f"{source}: turn {row.turn_index} does not match line {turn['line']}")
            if turn["speaker"] == "U":
                n_participant += 1
                n_uncoded += not turn["codes"]
            for code in turn["codes"]:
                if code not in valid:
                    raise SystemExit(f"{source}, line {turn['line']}: code '{code}' is not in codebook.yml")
                gold_rows.append([source, row.turn_index, row.speaker, row.start, row.end, code, "gold"])
        group_rows.append([source, transcript["group"]])
    with (folder / "gold.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["source", "turn_index", "speaker", "start", "end", "code_id", "coder"])
        writer.writerows(gold_rows)
    with (folder / "groups.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["source", "group"])
        writer.writerows(group_rows)
    share = n_uncoded / n_participant if n_participant else 0.0
    print(
        f"{folder.name}: {len(transcripts)} transcripts, {n_participant} participant turns, "
        f"{len(gold_rows)} codings, {n_uncoded} uncoded ({share:.0%})"
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]))
