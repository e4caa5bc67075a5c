"""Which blind-written evaluation sets are for tuning and which are report-only (BENCHMARKS.md says why).

One list for every evaluation script, so that none of them runs or prints a report-only set by accident: the
scripts use the tuning sets when given no folders, run the report-only ones with ``--report``, and never list
per-item errors of a report-only set.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODING_BLIND = ROOT / "tests" / "data" / "coding_blind"
REPORT_ONLY_CODING = ("set2", "set3", "set5", "set8", "set9", "set13", "set14", "set15")
"""Coding/actor sets never tuned on (``tests/data/coding_blind``); set9 was written 2026-12-05, set13 in that
day's seventh session (after the session's last change to the coder, the learner and the actor extractor),
set14 in the eighth (no change to the coder, the learner or the extractor that session), set15 in the ninth (the
same)."""
REPORT_ONLY_DEID = (
    "blind_a", "blind_b", "blind_c", "blind_d", "blind_e", "blind_f", "blind_g", "blind_h", "blind_i",
)  # fmt: skip
"""De-identification sets never tuned on (``tests/data/deid/<name>.jsonl``); blind_e … blind_h: 2026-12-05
(blind_h after the last tuning round of that day); blind_i: 2026-12-05, fourth session, measured on the code of
that session's start and on its end."""


def is_report_only(folder: Path) -> bool:
    """Whether ``folder`` is one of the report-only coding/actor sets."""
    return Path(folder).resolve().parent == CODING_BLIND.resolve() and Path(folder).name in REPORT_ONLY_CODING


def coding_sets(*, report: bool, needs: str = "gold.csv") -> list[Path]:
    """The blind coding sets holding ``needs``: the tuning ones, or with ``report`` the report-only ones."""
    folders = sorted(p for p in CODING_BLIND.glob("set*") if (p / needs).is_file())
    return [p for p in folders if is_report_only(p) == report]
