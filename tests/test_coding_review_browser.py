"""End to end in a real browser: ``pdtk code-review`` on the project's coded transcripts, driven in headless
Chromium (Debian's ``chromium`` + ``chromium-driver`` through Selenium) by keyboard only: accept a suggested code,
reject one, add one through the picker, close the turn, reload, and read the decisions back from disk.

Skipped, with a plain reason in the test summary, where Chromium is not installed; ``.ci/run`` installs it.
With ``PDTK_CODING_REVIEW_SCREENSHOT=path.png`` it also saves the screenshot shown in the README.
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
from conftest import needs_chromium

from toolkit.coding.codebook import default_codebook_path, load_codebook
from toolkit.coding.review.decisions import DECISIONS_FILE
from toolkit.coding.run import autocode_folder

DATA = Path(__file__).parent / "data" / "coding"
pytestmark = needs_chromium("pdtk code-review")


@pytest.fixture
def study(tmp_path):
    coding = tmp_path / "results" / "coding"
    autocode_folder(DATA / "transcripts", default_codebook_path(), coding)
    return {"root": tmp_path, "coding": coding, "restricted": tmp_path / "restricted"}


@pytest.fixture
def server(study):
    """'pdtk code-review IN CODEBOOK OUT --restricted DIR --no-browser'; its first line is the address."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toolkit.cli",
            "code-review",
            str(DATA / "transcripts"),
            str(default_codebook_path()),
            str(study["coding"]),
            "--restricted",
            str(study["restricted"]),
            "--no-browser",
            "--reviewer",
            "browser-test",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=study["root"],
    )
    url = process.stdout.readline().strip()
    yield {"process": process, "url": url}
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def _chips(browser) -> dict[str, str]:
    """``{code id: status}`` of the chips on screen (read in the page: no stale element handles)."""
    return browser.execute_script(
        "return Object.fromEntries([...document.querySelectorAll('#codes li[data-code]')]"
        ".map(li => [li.dataset.code, li.className.split(' ')[1]]))"
    )


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_accept_reject_add_by_keyboard_in_chromium(study, server, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url = server["url"]
    assert url.startswith("http://127.0.0.1:") and "/?token=" in url, url
    wait = WebDriverWait(browser, 60)

    def keys(*sequence: str) -> None:
        ActionChains(browser).send_keys(*sequence).perform()

    browser.get(url)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#queue-list li"))
    # the first turn of the queue with at least two suggestions, each with evidence words marked
    target = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const token = new URLSearchParams(location.search).get("token");
        (async () => {
          const q = await (await fetch("/api/queue?token=" + token)).json();
          for (const row of q.turns) {
            const t = await (await fetch(`/api/turns/${row.id}?token=` + token)).json();
            const pending = t.codes.filter((c) => c.status === "pending" && c.evidence.length);
            if (pending.length >= 2) { done(t); return; }
          }
          done(null);
        })();
        """
    )
    assert target is not None, "no turn with two suggested codes in the demo coding"
    browser.get(f"{url}#{target['id']}")
    wait.until(lambda d: d.find_element(By.ID, "title").text.startswith(target["source"]))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#text mark.ev"))
    marked = browser.execute_script(
        "return [...document.querySelectorAll('#text mark.ev')].map(m => m.textContent.toLowerCase())"
    )
    evidence = {w.lower() for c in target["codes"] for w in c["evidence"]}
    assert marked and set(marked) <= evidence  # the evidence words are highlighted
    first, second = [c["code"] for c in target["codes"] if c["status"] == "pending"][:2]
    browser.find_element(By.ID, "text").click()

    keys("a")  # accept the selected (first pending) code
    wait.until(lambda d: _chips(d).get(first) == "accepted")
    wait.until(
        lambda d: (
            browser.execute_script("return document.querySelector('#codes li.focus').dataset.code") == second
        )
    )
    keys("x")  # reject the next one
    wait.until(lambda d: _chips(d).get(second) == "rejected")

    book = load_codebook(default_codebook_path())
    added = next(c for c in book.ids if c not in {x["code"] for x in target["codes"]})
    number = book.ids.index(added) + 1
    keys("c")
    wait.until(lambda d: d.find_element(By.ID, "picker").is_displayed())
    keys(str(number), *([] if number * 10 > len(book) else ["\ue007"]))  # Enter when a digit could go on
    wait.until(lambda d: _chips(d).get(added) == "added")
    if os.environ.get("PDTK_CODING_REVIEW_SCREENSHOT"):  # the README's picture (the project's test data)
        Path(os.environ["PDTK_CODING_REVIEW_SCREENSHOT"]).parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(os.environ["PDTK_CODING_REVIEW_SCREENSHOT"])
    keys("\ue007")  # Enter: the turn is done, on to the next uncoded turn
    wait.until(
        lambda d: (
            not d.find_element(By.ID, "title").text.startswith(
                f"{target['source']} · turn {target['turn_index']} "
            )
        )
    )

    browser.get(f"{url}#{target['id']}")  # reload: the decisions come back from the log
    browser.refresh()
    wait.until(lambda d: d.find_element(By.ID, "title").text.startswith(target["source"]))
    wait.until(lambda d: _chips(d).get(added) == "added")
    chips = _chips(browser)
    assert chips[first] == "accepted" and chips[second] == "rejected" and chips[added] == "added"
    assert "coded" in browser.find_element(By.ID, "turn-state").text
    shown = browser.execute_script(  # after a refit the page names the codes to code by hand
        "renderModel({model: {version: 3, coded_turns: 9, seconds: 1.2, min_coded_turns: 6, trust_kappa: 0.4,"
        " code_by_hand: ['helhet', 'mestring'], check_more: ['familie'], refitting: false, error: null}});"
        "return document.getElementById('model-state').textContent;"
    )
    assert "code by hand (kappa with your coding < 0.4): helhet, mestring" in shown
    assert shown.endswith("check more of (its kappa's 95 % interval reaches below 0.4): familie")

    log = study["restricted"] / DECISIONS_FILE
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert not list((study["root"] / "results").rglob("coding_review*"))
    events = [e for e in _events(log) if e["turn_index"] == target["turn_index"]]
    decisions = [(e["code"], e["decision"]) for e in events if e["event"] == "decision"]
    assert decisions == [(first, "accept"), (second, "reject"), (added, "add")]
    # closed: by the last pending suggestion's decision, or by Enter (pending ones rejected)
    assert any(e.get("done") or e["event"] == "done" for e in events)
    assert all(e["by"] == "browser-test" for e in events)

    process = server["process"]
    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(timeout=30) == 0
    said = process.stdout.read() + process.stderr.read()
    assert target["text"][:25] not in said  # nothing of a transcript in the server's output
    assert "stopped; every decision is in" in said


def _actor_items(browser) -> list[dict]:
    """The actor list on screen: label, decision shown and classes (read in the page)."""
    return browser.execute_script(
        "return [...document.querySelectorAll('#queue-list li')].map(li => ({id: li.dataset.id, "
        "cls: li.className, tone: li.querySelector('.tone').textContent}))"
    )


def test_actor_tones_by_keyboard_in_chromium(study, server, browser):
    """The actor view: tone one actor, strike the next, add a missed one, reload, read the CSV back."""
    import pandas as pd
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from toolkit.coding.review.actor_decisions import ACTOR_REVIEW_FILE

    wait = WebDriverWait(browser, 60)
    base = server["url"].replace("/?token=", "/actors?token=")

    def keys(*sequence: str) -> None:
        ActionChains(browser).send_keys(*sequence).perform()

    browser.get(base)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#queue-list li")) >= 2)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#quotes .quote mark.actor"))
    first, second = _actor_items(browser)[:2]
    assert "current" in first["cls"]
    keys("n")  # negativ, then the next actor
    wait.until(lambda d: _actor_items(d)[0]["tone"] == "negativ")
    wait.until(lambda d: "current" in _actor_items(d)[1]["cls"])
    keys("x")  # not part of this young person's help
    wait.until(lambda d: "struck" in _actor_items(d)[1]["cls"])

    listing = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/api/actors?token=' + new URLSearchParams(location.search).get('token'))"
        ".then(r => r.json()).then(done);"
    )
    current = next(a for a in listing["actors"] if str(a["id"]) == _current_id(browser))
    present = {a["actor"] for a in listing["actors"] if a["source"] == current["source"]}
    missing = next(v for v in listing["vocabulary"] if v["actor"] not in present)
    keys("c")
    wait.until(lambda d: d.find_element(By.ID, "picker").is_displayed())
    keys(missing["actor"], "\ue007")
    wait.until(lambda d: d.find_element(By.ID, "title").text.startswith(missing["label"]))
    keys("p")
    wait.until(lambda d: any(i["tone"] == "positiv" for i in _actor_items(d)))

    browser.refresh()  # the decisions come back from the log
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#queue-list li.decided")) == 3)
    review = pd.read_csv(study["restricted"] / ACTOR_REVIEW_FILE, dtype=str, keep_default_na=False)
    assert stat.S_IMODE((study["restricted"] / ACTOR_REVIEW_FILE).stat().st_mode) == 0o600
    decided = {(r.actor, r.mentioned, r.tone) for r in review.itertuples(index=False)}
    by_id = {str(a["id"]): a for a in listing["actors"]}
    assert decided == {
        (by_id[first["id"]]["actor"], "1", "negativ"),
        (by_id[second["id"]]["actor"], "0", ""),
        (missing["actor"], "1", "positiv"),
    }


def _current_id(browser) -> str:
    return browser.execute_script("return document.querySelector('#queue-list li.current').dataset.id")
