"""What the actor part of ``pdtk autocode`` publishes: tables, system maps, REFI-QDA codes, a report section.

Why one object: the coding step (:func:`toolkit.coding.run.autocode_folder`) should not know how actors are
counted, compared, drawn or exported; it asks :func:`actor_outputs` once and takes the files
(:meth:`ActorOutputs.files`), the REFI-QDA codes (:meth:`ActorOutputs.refiqda`) and the report section
(:meth:`ActorOutputs.add_to_report`) from it. Everything published about groups comes from the suppressed
comparison table, so the maps show nothing the table hides (:mod:`toolkit.coding.actor_map`).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.coding.actor_corrections import ORIGIN_COLUMN, apply_actor_review, review_agreement
from toolkit.coding.actor_map import MAP_CAPTION, draw_actor_maps
from toolkit.coding.actor_tables import actors_by_group, combine_actor_tables
from toolkit.coding.actor_vocabulary import ActorEntry, actor_ids_of, load_actor_vocabulary
from toolkit.coding.actors import ActorExtractor
from toolkit.coding.codebook import Codebook
from toolkit.coding.refiqda import actor_codings, with_actor_codes
from toolkit.report.translate import translate_figure

FRAGMENTATION_NOTE = (
    "mean_fragmentation is the mean number of distinct public services per young person. On interviews "
    "written by others a young person's count was nearly always within one service of a careful reader's, "
    "but exact for only a little over half of them (BENCHMARKS.md, issue 17): read it as ±1."
)
"""Said beside the group table, because a count looks exact and one borderline service (a psychologist at
BUP counted apart or not) moves it; the figures stay in BENCHMARKS.md."""


@dataclass
class ActorOutputs:
    """``actors.csv``, the group comparison (None without groups) and the vocabulary's ids and labels."""

    actors: pd.DataFrame
    by_group: pd.DataFrame | None
    labels: dict[str, str] = field(default_factory=dict)
    """``{actor id: label}`` in the vocabulary's order (canonical ids first, then a study's own)."""
    language: str = "en"
    """The study's report language: the map files' texts are written in it (``nb`` or ``en``)."""
    review_agreement: dict[str, float | int] | None = None
    """The extractor against the human actor review on the reviewed rows
    (:func:`~toolkit.coding.actor_corrections.review_agreement`); None without a review."""

    def maps(self) -> dict[str, Any]:
        """One system map per group (matplotlib figures; the caller closes them), none without groups."""
        if self.by_group is None:
            return {}
        return draw_actor_maps(self.by_group, actor_order=list(self.labels))

    def files(self) -> dict[str, pd.DataFrame | bytes]:
        """``actors.csv``, and with groups ``actors_by_group.csv`` and ``actor_map_<group>.png`` per group."""
        out: dict[str, pd.DataFrame | bytes] = {"actors.csv": self.actors}
        if self.by_group is not None:
            out["actors_by_group.csv"] = self.by_group
            for group, fig in self.maps().items():
                out[f"actor_map_{_file_part(group)}.png"] = _png_bytes(translate_figure(fig, self.language))
        return out

    def tone_provenance(self) -> str:
        """One sentence on whose judgement the tones are: a reviewer's (the actor view) or the extractor's."""
        mentioned = self.actors["mentioned"].astype(int) == 1
        human = int((self.actors.loc[mentioned, ORIGIN_COLUMN] == "human").sum())
        if not human:
            return (
                "The tones are the extractor's alone, which agrees only weakly with human readers on others' "
                "transcripts: review them in the actor view of 'pdtk code-review' before reading them as "
                "findings."
            )
        judged = (
            f"A reviewer judged the tone of {human} of {int(mentioned.sum())} mentioned actors (the actor "
            "view of 'pdtk code-review'); the others are the extractor's (column tone_origin of actors.csv)."
        )
        return " ".join(part for part in (judged, self.review_line()) if part)

    def review_line(self) -> str:
        """How the extractor agreed with the reviewer on the reviewed rows (empty without a review)."""
        found = self.review_agreement
        if not found:
            return ""
        line = (
            f"On the {found['reviewed']} reviewed rows the reviewer struck out {found['struck_out']} of the "
            f"extractor's mentions and added {found['added']}"
        )
        if not math.isnan(found["tone_kappa"]):
            interval = ""
            if not math.isnan(found["tone_kappa_low"]):
                interval = f", 95 % interval {found['tone_kappa_low']:.2f}–{found['tone_kappa_high']:.2f}"
            line += (
                f"; the extractor's tone agreed with the reviewer's at kappa {found['tone_kappa']:.2f}"
                f" ({found['tone_pairs']} actors{interval}): expect about that in the transcripts nobody "
                "reviewed"
            )
        return line + "."

    def refiqda(
        self, codebook: Codebook, texts: Mapping[str, str], *, coder: str
    ) -> tuple[Codebook, pd.DataFrame]:
        """The codebook with the ``Aktører`` codes, and the actor codings to add to the export's codings."""
        return with_actor_codes(codebook, self.labels), actor_codings(self.actors, texts, coder=coder)

    def add_to_report(self, report: Any) -> None:
        """A report section: the group comparison table and one system map per group."""
        if self.by_group is None or self.by_group.empty:
            return
        report.add_heading("Actors around the young person", level=3)
        report.add_text(
            "Which actors (NAV, OT, school, family …) each group mentions as part of a young person's help, "
            "how many people mention them and in which tone; counts below the minimum cell are hidden."
        )
        report.add_text(FRAGMENTATION_NOTE)
        report.add_text(self.tone_provenance())
        report.add_table(self.by_group, "Actors by group (small cells suppressed)")
        for group, fig in self.maps().items():
            report.add_figure(fig, f"System map: {group}. {MAP_CAPTION}")


def actor_outputs(
    texts: Mapping[str, str],
    groups: pd.DataFrame | None,
    *,
    min_cell: int,
    vocabulary: Mapping[str, ActorEntry] | None = None,
    language: str = "en",
) -> ActorOutputs:
    """Extract actors from ``{source: text}`` and compare groups.

    ``vocabulary`` is :func:`~toolkit.coding.actor_vocabulary.load_actor_vocabulary` with a study's extensions
    (default: the shipped vocabulary alone); ``language`` is the study's report language (the map files).
    """
    worker = actor_table_worker(vocabulary)
    tables = [worker(item) for item in texts.items()]
    return actor_outputs_from_tables(
        tables, groups, min_cell=min_cell, vocabulary=vocabulary, language=language
    )


def actor_table_worker(
    vocabulary: Mapping[str, ActorEntry] | None = None,
) -> Callable[[tuple[str, str]], pd.DataFrame]:
    """A function from ``(source, text)`` to that transcript's ``actors.csv`` rows, one extractor behind it.

    Why a maker: :func:`toolkit.background.shared_map` builds one worker per process and hands it transcripts
    one by one, so the extractor's per-word caches serve every transcript that process reads.
    """
    extractor = ActorExtractor(vocabulary if vocabulary is not None else load_actor_vocabulary())
    return lambda item: extractor.transcript_actors(item[1], item[0])


def actor_outputs_from_tables(
    tables: list[pd.DataFrame],
    groups: pd.DataFrame | None,
    *,
    min_cell: int,
    vocabulary: Mapping[str, ActorEntry] | None = None,
    language: str = "en",
    review: pd.DataFrame | None = None,
) -> ActorOutputs:
    """:func:`actor_outputs` from each transcript's table (:func:`actor_table_worker`), in text order.

    ``review`` is a human actor review (:func:`toolkit.coding.actor_corrections.read_actor_review`), applied
    before anything is counted, so the comparison, the maps and the REFI-QDA codes follow it."""
    vocabulary = vocabulary if vocabulary is not None else load_actor_vocabulary()
    extracted = combine_actor_tables(tables)
    actors = apply_actor_review(extracted, review)
    by_group = actors_by_group(actors, groups, min_cell=min_cell) if groups is not None else None
    labels = {actor: vocabulary[actor].label or actor for actor in actor_ids_of(vocabulary)}
    return ActorOutputs(
        actors=actors,
        by_group=by_group,
        labels=labels,
        language=language,
        review_agreement=review_agreement(extracted, review),
    )


def _file_part(group: str) -> str:
    """A group name as part of a file name (letters, digits, ``-`` and ``_``)."""
    return re.sub(r"[^\w-]+", "_", str(group), flags=re.ASCII).strip("_") or "group"


def _png_bytes(fig: Any) -> bytes:
    """A figure as PNG without a timestamp or software tag (the same run gives the same bytes); closes it."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


__all__ = ["ActorOutputs", "actor_outputs", "actor_outputs_from_tables", "actor_table_worker"]
