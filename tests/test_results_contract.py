"""The results contract: Study is the only writer under results/, and every file it writes passes the guard."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.results import StepResult, Summary


def test_every_file_under_results_passed_the_guard(synthetic_study, tmp_path, monkeypatch) -> None:
    """Replace the guard's check by a recorder around it, run the whole demo study, compare with the disk."""
    from toolkit.disclosure import LeakGuard
    from toolkit.study import Study

    seen: list[Path] = []
    check = LeakGuard.__call__

    def recording(self, staged_path, final_path=None):  # type: ignore[no-untyped-def]
        seen.append(Path(final_path if final_path is not None else staged_path).resolve())
        return check(self, staged_path, final_path)

    monkeypatch.setattr(LeakGuard, "__call__", recording)
    study = Study(
        synthetic_study["protocol"], results=tmp_path / "results", restricted=tmp_path / "restricted"
    )
    run = study.run()
    assert [s.name for s in run.steps] == [
        "anonymise",
        "phase1",
        "phase2",
        "deidentify",
        "autocode",
        "phase3",
    ]
    written = sorted(p.resolve() for p in (tmp_path / "results").rglob("*") if p.is_file())
    assert len(written) > 40
    unguarded = [str(p.relative_to((tmp_path / "results").resolve())) for p in written if p not in set(seen)]
    assert unguarded == []
    for name in ("coding/segments.csv", "coding/project.qdpx", "index.html", "manifest.json"):
        assert (tmp_path / "results" / name).resolve() in seen, name
    assert any(p.parent.name == "transcripts" and p.suffix == ".txt" for p in seen)
    assert all(step.summary for step in run.steps), [s.name for s in run.steps if not s.summary]


def test_summary_is_text_in_a_terminal_and_html_in_a_notebook() -> None:
    summary = Summary("Phase X", [("people", 120), ("units flagged", "none")]).add_table(
        "Small table", pd.DataFrame({"a": [1, 2]})
    )
    text = str(summary)
    assert text.splitlines()[0] == "Phase X" and "people" in text and "Small table" in text
    assert summary._repr_html_().startswith("<table><caption>Phase X</caption>")
    assert summary.frame.to_dict("list") == {"item": ["people", "units flagged"], "value": [120, "none"]}


def test_write_puts_every_output_in_a_folder(tmp_path) -> None:
    class Tiny(StepResult):
        tables = {"counts": pd.DataFrame({"n": [5, 7]})}

        def outputs(self):  # type: ignore[no-untyped-def]
            return {**super().outputs(), "note.txt": "hei", "data.parquet": pd.DataFrame({"x": [1.5]})}

    written = Tiny().write(tmp_path)
    assert sorted(written) == ["counts.csv", "data.parquet", "note.txt"]
    assert (tmp_path / "counts.csv").read_text() == "n\n5\n7\n"
    assert pd.read_parquet(tmp_path / "data.parquet")["x"].tolist() == [1.5]
    with pytest.raises(NotImplementedError):
        Tiny().summary_line()
