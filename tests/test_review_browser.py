"""End to end in a real browser: ``pdtk review`` on the demo transcripts of a study, driven in headless Chromium
(Debian's ``chromium`` + ``chromium-driver`` through Selenium) through reject, add, reviewed, reload and apply.

Skipped, with a plain reason in the test summary, where Chromium is not installed; ``.ci/run`` installs it, so
CI always runs it. With ``PDTK_REVIEW_SCREENSHOT=path.png`` it also saves the screenshot shown in the README.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import needs_chromium

from toolkit.deidentify import deidentify_folder
from toolkit.synth.transcripts import make_transcripts

ADDED = "oppfølgingstjenesten"
pytestmark = needs_chromium("pdtk review")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _targets(out: Path, raw: Path) -> tuple[str, str, list[str]]:
    """The transcript to work in, a replaced one-word string to reject there (one that occurs replaced in
    other transcripts too) and every transcript it occurs in; the transcript also mentions ADDED."""
    where: dict[str, set[str]] = {}
    for row in _jsonl(out / "deidentification.jsonl"):
        string = (raw / row["source"]).read_text(encoding="utf-8")[row["start"] : row["end"]]
        if string.isalpha():
            where.setdefault(string, set()).add(row["source"])
    with_added = {p.name for p in raw.glob("*.txt") if ADDED in p.read_text(encoding="utf-8")}
    options = [(s, sorted(n)) for s, n in where.items() if len(n) >= 2 and n & with_added]
    string, sources = max(options, key=lambda o: (len(o[1]), o[0]))
    return next(n for n in sources if n in with_added), string, sources


@pytest.fixture
def study(tmp_path):
    """A study folder as 'pdtk run' leaves it: raw transcripts, results/transcripts, a manifest naming the
    protocol, and the restricted folder outside results/."""
    from toolkit.manifest import write_manifest
    from toolkit.study import RunResult, StepRecord, Study

    raw = tmp_path / "synthetic_raw" / "transcripts"
    raw.mkdir(parents=True)
    for transcript in make_transcripts(12, seed=2021):  # the transcripts `make demo` writes
        (raw / transcript.name).write_text(transcript.text, encoding="utf-8")
    (tmp_path / "synthetic_raw" / "register.csv").write_text("fnr,x\n1,2\n", encoding="utf-8")
    protocol = tmp_path / "protocols" / "study.yml"
    protocol.parent.mkdir()
    protocol.write_text(
        yaml.safe_dump(
            {
                "study": "review-e2e-demo",
                "data": {
                    "register": "../synthetic_raw/register.csv",
                    "transcripts": "../synthetic_raw/transcripts",
                    "results": "../results",
                },
                "privacy": {
                    "id_column": "fnr",
                    "key_file": "../keys/k.key",
                    "restricted_dir": "../restricted",
                },
                "deidentify": {
                    "allow_list": "../restricted/review_allow_list.txt",
                    "deny_list": "../restricted/review_deny_list.txt",
                },
            }
        ),
        encoding="utf-8",
    )
    results, restricted = tmp_path / "results", tmp_path / "restricted"
    deidentify_folder(raw, results / "transcripts", restricted_dir=restricted, engine="direct")
    study = Study(protocol)
    write_manifest(study, RunResult(steps=[StepRecord("deidentify", results / "transcripts")]))
    return {"raw": raw, "results": results, "restricted": restricted, "protocol": protocol}


@pytest.fixture
def server(study):
    """'pdtk review results/transcripts --no-browser' as a user starts it; its first line is the address."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "review",
            str(study["results"] / "transcripts"),
            "--no-browser",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=study["results"].parent,
    )
    url = process.stdout.readline().strip()
    yield {"process": process, "url": url}
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


_SELECT_TEXT = """
const walker = document.createTreeWalker(document.getElementById("text"), NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode, at = node.data.indexOf(arguments[0]);
  if (at >= 0 && !node.parentElement.closest("mark")) {
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + arguments[0].length);
    getSelection().removeAllRanges(); getSelection().addRange(range);
    return true;
  }
}
return false;
"""


def test_reject_add_reviewed_reload_apply_in_chromium(study, server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url = server["url"]
    assert url.startswith("http://127.0.0.1:") and "/?token=" in url, url
    out = study["results"] / "transcripts"
    source, rejected, rejected_in = _targets(out, study["raw"])
    wait = WebDriverWait(browser, 60)

    def keys(*sequence: str) -> None:
        ActionChains(browser).send_keys(*sequence).perform()

    def marks(selector: str = "mark[data-id]"):
        return browser.find_elements(By.CSS_SELECTOR, f"#text {selector}")

    def classes(selector: str) -> str:
        """Read in the page (the text is re-rendered when suspects arrive: no stale element handles)."""
        return browser.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.className : ''", selector
        )

    def suspects_in(driver) -> bool:  # after that the page no longer re-renders the text by itself
        return "looking" not in driver.execute_script(
            "return document.getElementById('source-progress').textContent"
        )

    browser.get(f"{url}#{source}")
    wait.until(lambda d: marks() and d.find_element(By.ID, "title").text == source)
    WebDriverWait(browser, 180).until(suspects_in)
    target_id = browser.execute_script(
        "return [...document.querySelectorAll('#text mark[data-id]')].find(m => m.textContent === arguments[0]).dataset.id",
        rejected,
    )
    browser.execute_script("document.querySelector(`mark[data-id='${arguments[0]}']`).click()", target_id)
    keys("x")  # reject: a false positive, the word comes back
    wait.until(lambda d: "s-rejected" in classes(f'mark[data-id="{target_id}"]'))

    assert browser.execute_script(_SELECT_TEXT, ADDED)
    keys("t")
    wait.until(lambda d: d.find_element(By.ID, "type-menu").is_displayed())
    keys("3")  # ORG
    wait.until(lambda d: classes("#text mark.s-added"))
    added_id = browser.execute_script("return document.querySelector('#text mark.s-added').dataset.id")
    keys("R")  # Shift+R: reviewed
    wait.until(lambda d: "on" in classes("#reviewed"))
    if os.environ.get("PDTK_REVIEW_SCREENSHOT"):
        _screenshot(browser, Path(os.environ["PDTK_REVIEW_SCREENSHOT"]))

    browser.refresh()  # the decisions come back from review.jsonl
    wait.until(lambda d: marks() and d.find_element(By.ID, "title").text == source)
    assert "s-rejected" in classes(f'mark[data-id="{target_id}"]')
    assert "s-added" in classes(f'mark[data-id="{added_id}"]')
    assert "on" in classes("#reviewed") and "done" in classes(f'li[data-name="{source}"]')

    browser.find_element(By.ID, "apply").click()
    WebDriverWait(browser, 300).until(
        lambda d: not browser.execute_script("return document.getElementById('apply').disabled")
    )
    message = browser.find_element(By.ID, "message").text
    assert message.startswith("Applied"), message

    for path in sorted(out.glob("*.txt")):
        assert ADDED not in path.read_text(encoding="utf-8").lower(), path.name  # gone everywhere
    for name in rejected_in:
        assert rejected in (out / name).read_text(encoding="utf-8"), name  # back everywhere
    review_file = study["restricted"] / "review.jsonl"
    assert stat.S_IMODE(review_file.stat().st_mode) == 0o600
    assert not list(study["results"].rglob("review*"))  # nothing of the review under results/
    manifest = json.loads((study["results"] / "manifest.json").read_text(encoding="utf-8"))
    record = manifest["review"]["by_transcript"][source]
    assert record["changes"] == 2 and record["rejected"] == 1 and record["added"] == 1
    assert record["reviewer"] and record["reviewed_at"].endswith("Z")
    assert manifest["review"]["unapplied_decisions"] == 0

    process = server["process"]
    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(timeout=30) == 0
    events = [json.loads(line)["event"] for line in review_file.read_text(encoding="utf-8").splitlines()]
    assert events == ["decision", "decision", "reviewed", "applied"]
    said = process.stdout.read() + process.stderr.read()
    assert rejected not in said and ADDED not in said  # nothing of a transcript in the server's output
    assert "stopped; every decision is in" in said


def _screenshot(browser, path: Path) -> None:
    """The README's picture (synthetic data): the whole page from the top, tall enough to show the added span."""
    height = browser.execute_script(
        "const m = document.querySelector('#text mark.s-added'); return m.getBoundingClientRect().bottom + scrollY"
    )
    browser.set_window_size(1400, min(int(height) + 220, 2000))
    browser.execute_script("window.scrollTo(0, 0)")
    path.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(path))
    browser.set_window_size(1400, 900)
