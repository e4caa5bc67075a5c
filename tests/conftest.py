"""Shared fixtures: a small synthetic study run once per test session (it is the slowest thing we test)."""

from __future__ import annotations

import os
import shutil
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


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def needs_chromium(command: str) -> pytest.MarkDecorator:
    """Skip a browser test, with a plain reason in the summary, where Chromium is not installed (``.ci/run``
    installs it, so CI always runs them)."""
    return pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason=f"Chromium not found: the browser test of '{command}' was skipped "
        "(install it with: apt-get install chromium chromium-driver)",
    )


@pytest.fixture
def browser():
    """Headless Chromium through Selenium, offline (Debian's chromium + chromium-driver)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1400,900")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
