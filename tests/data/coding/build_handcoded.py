"""Rebuild the hand-coded test set from the annotated sources (run from the repository root).

    .venv/bin/python tests/data/coding/build_handcoded.py

``annotated_dev.txt`` and ``annotated_heldout.txt`` hold the SYNTHETIC transcripts with the human codes in
braces at the end of each participant turn (``{relasjoner, familie}``; ``{}`` = no code; interviewer turns
carry no braces). This script writes ``transcripts/*.txt``, ``hand_coded.csv`` (segments.csv format with
offsets computed by toolkit.coding.segments), ``groups.csv`` and ``split.csv``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from toolkit.coding.segments import split_turns

HERE = Path(__file__).resolve().parent


def main() -> None:
    rows, groups, splits = [], [], []
    (HERE / "transcripts").mkdir(exist_ok=True)
    for split, fname in [("dev", "annotated_dev.txt"), ("heldout", "annotated_heldout.txt")]:
        blocks = re.split(r"^## ", (HERE / fname).read_text(encoding="utf-8"), flags=re.MULTILINE)
        for block in blocks:
            if not block.strip():
                continue
            header, *lines = block.strip("\n").split("\n")
            name, group = (x.strip() for x in header.split("|"))
            text_lines, labels = [], []
            for line in lines:
                if not line.strip():
                    continue
                match = re.search(r"\s*\{([^}]*)\}\s*$", line)
                codes = None
                if match:
                    codes = [c.strip() for c in match.group(1).split(",") if c.strip()]
                    line = line[: match.start()]
                text_lines.append(line)
                labels.append(codes)
            title = f"(SYNTETISK testintervju {name.split('_')[0]}, skrevet for hånd for pdtk-testene. Ingen ekte person.)"
            text = title + "\n\n" + "\n\n".join(text_lines) + "\n"
            (HERE / "transcripts" / name).write_text(text, encoding="utf-8")
            turns = split_turns(text, name)
            if len(turns) != len(labels):
                raise SystemExit(f"{name}: {len(turns)} turns but {len(labels)} annotated lines")
            for turn, codes in zip(turns.itertuples(), labels, strict=True):
                if codes is None:
                    continue
                for code in codes:
                    rows.append(
                        {
                            "source": name,
                            "turn_index": turn.turn_index,
                            "speaker": turn.speaker,
                            "start": turn.start,
                            "end": turn.end,
                            "code_id": code,
                            "coder": "hand",
                        }
                    )
            groups.append({"source": name, "group": group})
            splits.append({"source": name, "split": split})
    pd.DataFrame(rows).to_csv(HERE / "hand_coded.csv", index=False, lineterminator="\n")
    pd.DataFrame(groups).to_csv(HERE / "groups.csv", index=False, lineterminator="\n")
    pd.DataFrame(splits).to_csv(HERE / "split.csv", index=False, lineterminator="\n")
    print(f"{len(rows)} codings on {len(set((r['source'], r['turn_index']) for r in rows))} coded turns")


if __name__ == "__main__":
    main()
