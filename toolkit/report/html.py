"""A small report builder: headings, paragraphs, tables and matplotlib figures → one self-contained HTML file.

Phases build a :class:`Report` section by section and write it with :meth:`Report.write`; figures are embedded
as PNG data URIs so a report is one file that NAV staff can open in a browser or mail to a colleague.
Every report carries the provenance a reviewer needs (protocol hash, data hashes, package versions, seed).
Tables given to :meth:`Report.add_table` must already have passed small-cell suppression: the report does
not know which columns are counts.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from toolkit.io import atomic_write_text

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


@dataclass
class _Block:
    kind: str  # heading | text | html | table | figure
    content: str
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

    def add_heading(self, text: str, level: int = 2) -> Report:
        self.blocks.append(_Block("heading", text, level=level))
        return self

    def add_text(self, text: str) -> Report:
        """A paragraph of plain text (escaped). Blank lines start new paragraphs."""
        for para in str(text).strip().split("\n\n"):
            self.blocks.append(_Block("text", html.escape(para.strip())))
        return self

    def add_list(self, items: list[str]) -> Report:
        """A bulleted list of plain-text items."""
        inner = "".join(f"<li>{html.escape(str(i))}</li>" for i in items)
        self.blocks.append(_Block("html", f"<ul>{inner}</ul>"))
        return self

    def add_html(self, markup: str) -> Report:
        """Trusted markup written by the toolkit itself (never user data)."""
        self.blocks.append(_Block("html", markup))
        return self

    def add_table(
        self, frame: pd.DataFrame, caption: str = "", *, float_format: str = "{:.3f}", max_rows: int = 200
    ) -> Report:
        """A table (already suppressed for small cells); long tables are cut with a note."""
        shown = frame.head(max_rows)
        table = shown.to_html(
            index=False,
            classes="tbl",
            border=0,
            na_rep="–",
            float_format=lambda v: float_format.format(v),
            escape=True,
        )
        if len(frame) > max_rows:
            caption = (
                caption + " " if caption else ""
            ) + f"(first {max_rows} of {len(frame)} rows; the CSV has all)"
        self.blocks.append(_Block("table", table, caption=caption))
        return self

    def add_figure(self, fig: Any, caption: str = "") -> Report:
        """A matplotlib figure, embedded as PNG."""
        self.blocks.append(_Block("figure", figure_to_data_uri(fig), caption=caption))
        return self

    def render(self) -> str:
        template = _ENV.get_template("report.html.j2")
        return template.render(
            title=self.title,
            subtitle=self.subtitle,
            blocks=self.blocks,
            provenance=self.provenance,
            synthetic=self.synthetic,
        )

    def write(self, path: str | Path) -> Path:
        """Write the report atomically and return its path."""
        return atomic_write_text(path, self.render())
