"""A small report builder: headings, paragraphs, tables and matplotlib figures → one self-contained HTML file.

Phases build a :class:`Report` section by section and write it with :meth:`Report.write`; figures are embedded
as PNG data URIs so a report is one file that NAV staff can open in a browser or mail to a colleague.
Every report carries the provenance a reviewer needs (protocol hash, data hashes, package versions, seed).
Tables given to :meth:`Report.add_table` must already have passed small-cell suppression: the report does
not know which columns are counts.

A report speaks one language (``nb`` or ``en``, from the protocol's ``report.language``): its own words, the
headings the phases give it (through :mod:`toolkit.report.translate`), and every table, whose headers and
cells
go through :mod:`toolkit.report.labels` and :mod:`toolkit.report.formatting`, so that a table shows
"Andel som lyktes" and "Kongsvinger (3401)" where the CSV has ``success_rate`` and ``3401``.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from toolkit.background import Answer, HelperProcess
from toolkit.io import atomic_write_text
from toolkit.report.formatting import display_frame, is_numeric_text, readable_p_in_text
from toolkit.report.labels import Labels
from toolkit.report.translate import translate, translate_figure

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("toolkit.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def figure_to_data_uri(fig: Any, dpi: int = 110) -> str:
    """Render a matplotlib figure to a PNG data URI and close it (figures left open leak memory)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def drawn_data_uri(draw: Callable[[], Any], language: str) -> str:
    """``draw()``'s figure in ``language`` as a PNG data URI: what :meth:`Report.add_figure` embeds for a
    drawing call, here or in the report's helper process (the same function, so the same bytes)."""
    return figure_to_data_uri(translate_figure(draw(), language))


def _table_html(shown: pd.DataFrame, classes: str) -> str:
    """An HTML table of text cells: numbers right-aligned, words left-aligned."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for values in shown.itertuples(index=False):
        cells = "".join(
            f'<td class="num">{html.escape(v)}</td>' if is_numeric_text(v) else f"<td>{html.escape(v)}</td>"
            for v in map(str, values)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


@dataclass
class _Block:
    kind: str  # heading | text | html | table | figure
    content: str | Answer[str]  # an Answer: a figure the helper process is drawing
    caption: str = ""
    level: int = 2


@dataclass
class Report:
    """An HTML report assembled from blocks in order.

    >>> rep = Report("Fase 1 — kartlegging", subtitle="kongsvinger-demo")
    >>> rep.add_heading("Risk factors"); rep.add_text("Prevalence of each risk factor.")
    """

    title: str
    subtitle: str = ""
    provenance: dict[str, Any] = field(default_factory=dict)
    synthetic: bool = False
    blocks: list[_Block] = field(default_factory=list)
    language: str = "en"
    labels: Labels | None = None
    drawer: HelperProcess | None = None
    """Where drawing calls given to :meth:`add_figure` are drawn (``None``: here, at once)."""

    def __post_init__(self) -> None:
        if self.labels is None:
            self.labels = Labels(language=self.language)

    def t(self, text: str) -> str:
        """``text`` in the report's language (unchanged when no translation is known), p-values readable."""
        return readable_p_in_text(translate(text, self.language), self.language)

    def add_heading(self, text: str, level: int = 2) -> Report:
        self.blocks.append(_Block("heading", self._named(self.t(text)), level=level))
        return self

    def _named(self, text: str) -> str:
        """Register column names in a heading or caption replaced by their labels ("Enheter: NAV-kontor")."""
        assert self.labels is not None
        labels = self.labels
        return re.sub(
            r"\b[a-zæøå][a-zæøå0-9_]{2,}\b",  # every word the data dictionary (or the register) labels
            lambda m: labels.column(m.group(0)) if labels.knows(m.group(0)) else m.group(0),
            text,
        )

    def add_text(self, text: str) -> Report:
        """A paragraph of plain text (escaped). Blank lines start new paragraphs."""
        for para in str(text).strip().split("\n\n"):
            self.blocks.append(_Block("text", html.escape(self.t(para.strip()))))
        return self

    def add_list(self, items: list[str]) -> Report:
        """A bulleted list of plain-text items."""
        inner = "".join(f"<li>{html.escape(self.t(str(i)))}</li>" for i in items)
        self.blocks.append(_Block("html", f"<ul>{inner}</ul>"))
        return self

    def add_html(self, markup: str) -> Report:
        """Trusted markup written by the toolkit itself (never user data)."""
        self.blocks.append(_Block("html", markup))
        return self

    def add_table(
        self,
        frame: pd.DataFrame,
        caption: str = "",
        *,
        float_format: str = "{:.3f}",
        max_rows: int = 200,
        text: bool = False,
    ) -> Report:
        """A table (already suppressed for small cells), with labelled headers and readable cells.

        Long tables are cut with a note; wide ones scroll inside the page instead of overflowing it. ``text``
        marks a table of sentences (left-aligned) rather than figures.
        """
        assert self.labels is not None
        shown = display_frame(frame.head(max_rows), self.labels, float_format)
        table = _table_html(shown, "tbl words" if text else "tbl")
        caption = self._named(self.t(caption))
        if len(frame) > max_rows:
            note = (
                f"(de første {max_rows} av {len(frame)} radene; CSV-filen har alle)"
                if self.language == "nb"
                else f"(first {max_rows} of {len(frame)} rows; the CSV has all)"
            )
            caption = (caption + " " if caption else "") + note
        self.blocks.append(_Block("table", f'<div class="scroll">{table}</div>', caption=caption))
        return self

    def add_figure(self, fig: Any, caption: str = "") -> Report:
        """A matplotlib figure, embedded as PNG (its texts in the report's language, see
        :func:`~toolkit.report.translate.translate_figure`).

        ``fig`` may instead be a call that draws the figure (``functools.partial`` of a module-level function
        with small picklable inputs): a report with a :attr:`drawer` hands it to that helper process and goes
        on, and the PNG is collected when the report is rendered; without one it is drawn here at once.
        """
        figure: str | Answer[str]
        if callable(fig) and self.drawer is not None:
            figure = self.drawer.submit(drawn_data_uri, fig, self.language)
        elif callable(fig):
            figure = drawn_data_uri(fig, self.language)
        else:
            figure = figure_to_data_uri(translate_figure(fig, self.language))
        self.blocks.append(_Block("figure", figure, caption=self._named(self.t(caption))))
        return self

    def render(self) -> str:
        for block in self.blocks:  # figures still being drawn by the helper process
            if isinstance(block.content, Answer):
                block.content = block.content.result()
        template = _ENV.get_template("report.html.j2")
        return template.render(
            title=self.title,
            subtitle=self.subtitle,
            blocks=self.blocks,
            provenance=self.provenance,
            synthetic=self.synthetic,
            lang=self.language,
        )

    def write(self, path: str | Path) -> Path:
        """Write the report atomically and return its path."""
        return atomic_write_text(path, self.render())
