"""Build ``anonymised_data/``: the SYNTHETIC, already anonymised demo data the notebooks run on.

It is made the way a real study would make it: generate a raw synthetic study, run the toolkit's own anonymisation
and transcript de-identification on it (with a throw-away key, so the pseudonyms link to nothing), and keep only
the released outputs. Run it with ``make anonymised-data``; the result is committed so notebooks work from a
fresh clone without running the pipeline first.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from toolkit.io import atomic_write_text, write_csv

REPO = Path(__file__).resolve().parents[1]

README = """\
SYNTHETIC DATA — NOT REAL PEOPLE
================================

Everything in this folder is invented by `pdtk synth` and then anonymised by pdtk itself
(`scripts/build_anonymised_data.py`, `make anonymised-data`). No row, name, number or place describes a real person.

register.csv              anonymised register: keyed pseudonym `pid` (throw-away key), birth year instead of date,
                          no identity numbers, names, addresses, phone numbers or postcodes; k-anonymous (k={k})
data_dictionary.csv       every column: meaning (Norwegian and English), type, role
disclosure.json           the disclosure-risk report of the anonymisation
transcripts/              de-identified synthetic interview transcripts (names, numbers, places replaced by tags)
transcript_groups.csv     transcript → group (positivt_avvik / sammenligning / veileder)
panel/                    phase 3: unit × year panel, monthly series, individuals (all synthetic, no identifiers)
truth/                    what was planted, for checking the methods: planted units, and per `pid` whether the
                          person was given the hidden protective practice
"""


def build_anonymised_data(
    out_dir: str | Path = REPO / "anonymised_data", *, n: int = 5000, seed: int = 2021
) -> dict[str, Path]:
    """Regenerate ``out_dir`` from scratch; returns the files written."""
    from toolkit.anonymise.pseudonym import load_or_create_key, pseudonymise
    from toolkit.io import read_table
    from toolkit.protocol import Protocol
    from toolkit.study import Study
    from toolkit.synth.register import data_dictionary
    from toolkit.synth.study import write_all

    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="pdtk-shipped-") as tmp:
        work = Path(tmp)
        raw_dir = work / "synthetic_raw"
        write_all(raw_dir, n=n, seed=seed)
        raw = yaml.safe_load((REPO / "protocols" / "demo.yml").read_text(encoding="utf-8"))
        raw.pop("population", None)
        raw["data"] = {
            "register": str(raw_dir / "register.csv"),
            "transcripts": str(raw_dir / "transcripts"),
            "results": str(work / "results"),
        }
        raw["privacy"]["key_file"] = str(work / "throwaway.key")
        raw["privacy"]["restricted_dir"] = str(work / "restricted")
        raw.pop("coding", None)
        raw.pop("phase3", None)
        study = Study(Protocol.from_dict(raw, base_dir=REPO / "protocols"))
        study.anonymise()
        study.deidentify()
        released = pd.read_parquet(work / "results" / "anonymised" / "register.parquet")

        key = load_or_create_key(work / "throwaway.key", forbidden_dirs=[work / "results", REPO])
        truth = read_table(raw_dir / "truth" / "register_truth.csv", text_columns=["fnr"])
        truth.insert(0, "pid", pseudonymise(truth["fnr"], key))
        truth = truth.drop(columns=["fnr"])

        staging = work / "anonymised_data"
        (staging / "truth").mkdir(parents=True)
        write_csv(staging / "register.csv", released)
        dictionary = data_dictionary()
        dictionary = dictionary[dictionary["column"].isin(released.columns)].copy()
        pid_row = {
            "column": "pid",
            "role": "pseudonym",
            "type": "text",
            "description": "Pseudonym: keyed HMAC-SHA256 of the identity number (throw-away key) / nøkkelbasert pseudonym",
        }
        dictionary = pd.concat([pd.DataFrame([pid_row]), dictionary], ignore_index=True)
        for column, rule in raw["privacy"]["quasi_identifiers"].items():
            if isinstance(rule, list) and column in set(dictionary["column"]):
                dictionary.loc[dictionary["column"] == column, "type"] = f"category (released in bins {rule})"
        write_csv(staging / "data_dictionary.csv", dictionary)
        shutil.copy2(work / "results" / "anonymised" / "disclosure.json", staging / "disclosure.json")
        shutil.copytree(
            work / "results" / "transcripts",
            staging / "transcripts",
            ignore=shutil.ignore_patterns("*.jsonl", ".*"),
        )
        shutil.copy2(raw_dir / "transcript_groups.csv", staging / "transcript_groups.csv")
        shutil.copytree(raw_dir / "panel", staging / "panel")
        write_csv(staging / "truth" / "individual_truth.csv", truth)
        meta = json.loads((raw_dir / "truth" / "meta.json").read_text(encoding="utf-8"))
        atomic_write_text(
            staging / "truth" / "planted.json",
            json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        )
        k = raw["privacy"]["k"]
        atomic_write_text(staging / "README.txt", README.format(k=k))
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(staging, out_dir)
    return {str(p.relative_to(out_dir)): p for p in sorted(out_dir.rglob("*")) if p.is_file()}


if __name__ == "__main__":  # pragma: no cover
    for name in build_anonymised_data():
        print(name)
