"""Shared fixtures: a small synthetic study run once per test session (it is the slowest thing we test)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def demo_protocol_dict(raw_dir: Path, work: Path) -> dict:
    """The demo protocol, pointed at a synthetic study in ``raw_dir`` and at private key/results folders."""
    import yaml

    raw = yaml.safe_load((REPO / "protocols" / "demo.yml").read_text(encoding="utf-8"))
    raw["data"] = {
        "register": str(raw_dir / "register.csv"),
        "transcripts": str(raw_dir / "transcripts"),
        "groups": str(raw_dir / "transcript_groups.csv"),
        "results": str(work / "results"),
    }
    raw["privacy"]["key_file"] = str(work / "keys" / "test.key")
    raw["privacy"]["restricted_dir"] = str(work / "restricted")
    raw["coding"]["codebook"] = str(REPO / "protocols" / "codebook_nb.yml")
    raw["phase3"]["panel"] = str(raw_dir / "panel" / "panel.csv")
    raw["phase3"]["individuals"] = str(raw_dir / "panel" / "individuals.csv")
    raw["phase3"]["series"] = str(raw_dir / "panel" / "series.csv")
    if raw.get("report", {}).get("dictionary"):  # relative to protocols/, where the demo protocol lives
        raw["report"]["dictionary"] = str(REPO / "protocols" / raw["report"]["dictionary"])
    return raw


@pytest.fixture(scope="session")
def synthetic_study(tmp_path_factory):
    """A synthetic raw study (n=5000 as in the demo, 6 transcripts) and a protocol file for it."""
    import yaml

    from toolkit.synth.study import write_all

    work = tmp_path_factory.mktemp("study")
    raw_dir = work / "synthetic_raw"
    write_all(raw_dir, n=5000, seed=11, n_transcripts=6)
    protocol = work / "protocol.yml"
    protocol.write_text(
        yaml.safe_dump(demo_protocol_dict(raw_dir, work), allow_unicode=True), encoding="utf-8"
    )
    return {"work": work, "raw": raw_dir, "protocol": protocol}
