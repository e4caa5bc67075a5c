"""The results contract every step of a study keeps: named tables, a summary, figures, and files to publish.

Modelled on statsmodels' results objects: a step returns an object, never writes by itself, and the object
says what it found in three sizes — :meth:`StepResult.summary_line` (one line for the study index),
:meth:`StepResult.summary` (a :class:`Summary`: plain text in a terminal, an HTML table in a notebook) and
:attr:`StepResult.tables` (every published table by name, small cells already suppressed). What a step
publishes is :meth:`StepResult.outputs` (file name → table, text or bytes); :class:`toolkit.study.Study` is
the only code that writes them under ``results/``, each through the leak guard, and :meth:`StepResult.write`
writes the same files anywhere else (a notebook's scratch folder, a test).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.io import atomic_write_bytes, csv_bytes, parquet_bytes

Output = pd.DataFrame | str | bytes


class Summary:
    """Headline facts and small tables of a step, shown as text in a terminal and as HTML in a notebook.

    Like statsmodels' ``Summary``: ``print(result.summary())`` gives aligned plain text, a notebook cell
    ending
    in ``result.summary()`` shows HTML (``_repr_html_``), and :attr:`frame` holds the facts as a DataFrame
    (``item``, ``value``) for code that wants them as data.
    """

    def __init__(self, title: str, facts: Iterable[tuple[str, object]] = ()) -> None:
        self.title = title
        self.facts: list[tuple[str, object]] = list(facts)
        self.tables: list[tuple[str, pd.DataFrame]] = []
        self.notes: list[str] = []

    def add_table(self, caption: str, table: pd.DataFrame) -> Summary:
        """Add a small table under the facts (returns ``self`` so calls can be chained)."""
        self.tables.append((caption, table))
        return self

    def add_note(self, text: str) -> Summary:
        """Add a sentence under the facts and tables."""
        self.notes.append(text)
        return self

    @property
    def frame(self) -> pd.DataFrame:
        """The facts as a DataFrame with columns ``item`` and ``value``."""
        return pd.DataFrame(self.facts, columns=["item", "value"])

    def as_text(self) -> str:
        """Aligned plain text: title, facts, tables, notes."""
        width = max((len(item) for item, _ in self.facts), default=0)
        lines = [self.title, "=" * len(self.title)]
        lines += [f"{item:<{width}}  {value}" for item, value in self.facts]
        for caption, table in self.tables:
            lines += ["", caption, table.to_string(index=False)]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        """An HTML fragment: a caption table of the facts, then the tables and notes."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(item))}</th>"
            f"<td>{html.escape(str(value))}</td></tr>"
            for item, value in self.facts
        )
        parts = [f"<table><caption>{html.escape(self.title)}</caption>{rows}</table>"]
        for caption, table in self.tables:
            parts.append(f"<p>{html.escape(caption)}</p>{table.to_html(index=False)}")
        parts += [f"<p>{html.escape(note)}</p>" for note in self.notes]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.as_html()

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()


class StepResult:
    """Base of every step's result: the contract :class:`toolkit.study.Study` and the notebooks rely on.

    Subclasses (dataclasses) have a ``tables`` attribute and implement :meth:`summary`, :meth:`summary_line`
    and :meth:`outputs`; :attr:`figures` and :meth:`add_to_report` are optional.
    """

    tables: dict[str, pd.DataFrame]

    @property
    def figures(self) -> dict[str, Any]:
        """Matplotlib figures by name (none unless the step draws some)."""
        return {}

    def summary(self) -> Summary:
        """Headline facts (see :class:`Summary`)."""
        raise NotImplementedError

    def summary_line(self) -> str:
        """One line for the study index: numbers only, never an identifier."""
        raise NotImplementedError

    def outputs(self) -> Mapping[str, Output]:
        """Every file the step publishes: relative name → DataFrame (CSV), text (UTF-8) or bytes."""
        return {f"{name}.csv": table for name, table in self.tables.items()}

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write :meth:`outputs` into ``out_dir`` (atomically, file by file); returns the paths by name.

        For folders outside ``results/``: a study's own outputs are written by ``Study``, through the guard.
        """
        out_dir = Path(out_dir)
        return {
            name: atomic_write_bytes(out_dir / name, as_bytes(name, content))
            for name, content in self.outputs().items()
        }


def table_serialiser(name: str) -> Callable[[pd.DataFrame], bytes]:
    """How a table output is written, by its file name: Parquet for ``.parquet``, else CSV."""
    return parquet_bytes if name.endswith(".parquet") else csv_bytes


def as_bytes(name: str, content: Output) -> bytes:
    """The bytes of one output: a table by :func:`table_serialiser`, text as UTF-8, bytes as they are."""
    if isinstance(content, pd.DataFrame):
        return table_serialiser(name)(content)
    if isinstance(content, str):
        return content.encode("utf-8")
    return bytes(content)


__all__ = ["Output", "StepResult", "Summary", "as_bytes", "table_serialiser"]
