"""System maps: the actors around the young person, one picture per group, drawn from published counts only.

Why: researchers in the project draw these maps by hand ("which services were around this young person, and
how did they experience them?"). One map per group (positive deviants, comparison youths, advisers) puts the
young person in the middle and the actors the group mentions around it: a node's area grows with the number
of people who mention the actor, and the line to it is coloured by the tone those people gave it.

Disclosure: a map is drawn from the *published* comparison table
(:func:`toolkit.coding.actor_tables.actors_by_group`, already passed through
:func:`toolkit.disclosure.suppress_small_cells`), never from the raw ``actors.csv``.
So it cannot show more than the table: a hidden count is drawn as a node of the smallest size labelled
``hidden`` (no number, no size that depends on it), and a line whose tone counts are not all shown is drawn
grey and dotted as "tone hidden". Actors nobody in the group mentions (a shown zero) are left out.

The layout is :func:`networkx.shell_layout` with the young person alone in the inner shell and every actor id
of the vocabulary on the outer shell in a fixed order, so an actor sits at the same place on every group's
map and maps can be compared side by side. Colours are from the Okabe-Ito palette (safe for the common
colour-vision deficiencies), and each tone also has its own line style, so no reader depends on colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.coding.actor_vocabulary import ACTOR_IDS, TONES

CENTRE = "young person"
HIDDEN = "hidden"
"""Label of a node, and the tone of a line, whose count is suppressed."""

TONE_STYLES: dict[str, tuple[str, str]] = {
    "positiv": ("#0072B2", "solid"),  # Okabe-Ito blue
    "negativ": ("#D55E00", "dashed"),  # vermillion
    "blandet": ("#CC79A7", "dashdot"),  # reddish purple
    "nøytral": ("#000000", (0, (1, 1))),  # black, densely dotted
    HIDDEN: ("#BBBBBB", (0, (1, 4))),  # light grey, sparsely dotted
}
"""Colour and line style of a line by the group's tone towards the actor."""

TONE_LEGEND = {
    "positiv": "positive",
    "negativ": "negative",
    "blandet": "mixed",
    "nøytral": "neutral",
    HIDDEN: "tone hidden (small counts)",
}

SMALLEST_NODE = 300.0
"""Area (points²) of a hidden node and of the smallest shown one; the largest shown node is 4× this."""


@dataclass(frozen=True)
class MapNode:
    """One actor on a group's map: its shown count (None when hidden) and the line's tone."""

    actor: str
    n_people: int | None
    tone: str


def group_tone(row: Mapping[str, Any]) -> str:
    """The group's tone towards an actor from the published tone counts of the people who mention it.

    The most frequent tone; a tie is ``blandet`` (mixed). :data:`HIDDEN` when the number of people or any
    of the four tone counts is suppressed, so the colour never hints at a hidden count.
    """
    counts = [row.get(f"n_{tone}") for tone in TONES]
    if pd.isna(row.get("n_mentioned")) or any(pd.isna(c) for c in counts):
        return HIDDEN
    counts = [int(c) for c in counts]
    top = max(counts)
    if top == 0:
        return "nøytral"
    winners = [tone for tone, count in zip(TONES, counts, strict=True) if count == top]
    return winners[0] if len(winners) == 1 else "blandet"


def map_nodes(by_group: pd.DataFrame, group: str) -> list[MapNode]:
    """The actors drawn on one group's map, from the published (suppressed) ``actors_by_group`` table.

    An actor is drawn when its count is shown and positive, or hidden; a shown zero is left out.
    """
    rows = by_group[by_group["group"].astype(str) == str(group)]
    nodes = []
    for row in rows.to_dict("records"):
        count = row.get("n_mentioned")
        if pd.isna(count):
            nodes.append(MapNode(str(row["actor"]), None, HIDDEN))
        elif int(count) > 0:
            nodes.append(MapNode(str(row["actor"]), int(count), group_tone(row)))
    return nodes


def group_size(by_group: pd.DataFrame, group: str) -> int | None:
    """People in the group as the table shows it (None when hidden)."""
    sizes = by_group.loc[by_group["group"].astype(str) == str(group), "n_people"].dropna()
    return int(sizes.iloc[0]) if len(sizes) else None


def _node_area(count: int | None, largest: int) -> float:
    """Area grows linearly with the count, from :data:`SMALLEST_NODE` (count 1, or hidden) to 4× that."""
    if count is None or largest <= 1:
        return SMALLEST_NODE
    return SMALLEST_NODE * (1.0 + 3.0 * (count - 1) / (largest - 1))


def draw_actor_map(
    by_group: pd.DataFrame,
    group: str,
    *,
    actor_order: Sequence[str] = ACTOR_IDS,
    title: str | None = None,
) -> Any:
    """One group's system map as a matplotlib figure (the caller closes or embeds it).

    ``by_group`` is the published :func:`~toolkit.coding.actor_tables.actors_by_group` table; ``actor_order``
    fixes where each actor sits on the circle (the vocabulary's ids; ids a study added go after them).
    """
    import matplotlib.pyplot as plt
    import networkx as nx

    nodes = map_nodes(by_group, group)
    order = [*actor_order, *sorted({n.actor for n in nodes} - set(actor_order))]
    graph = nx.Graph()
    graph.add_node(CENTRE)
    graph.add_nodes_from(order)
    positions = nx.shell_layout(graph, nlist=[[CENTRE], order])
    radius = max(float((xy**2).sum() ** 0.5) for xy in positions.values()) or 1.0
    positions = {actor: xy / radius for actor, xy in positions.items()}  # actors on the unit circle
    shown = [n.n_people for n in nodes if n.n_people is not None]
    largest = max(shown, default=1)
    fig, ax = plt.subplots(figsize=(9.0, 7.5))
    for node in nodes:
        colour, style = TONE_STYLES[node.tone]
        nx.draw_networkx_edges(
            graph,
            positions,
            edgelist=[(CENTRE, node.actor)],
            edge_color=colour,
            style=style,
            width=2.5,
            ax=ax,
        )
    nx.draw_networkx_nodes(
        graph,
        positions,
        nodelist=[n.actor for n in nodes],
        node_size=[_node_area(n.n_people, largest) for n in nodes],
        node_color=["#DDDDDD" if n.n_people is None else "#9ECAE9" for n in nodes],
        edgecolors=["#777777" if n.n_people is None else "#333333" for n in nodes],
        ax=ax,
    )
    nx.draw_networkx_nodes(
        graph, positions, nodelist=[CENTRE], node_size=1600, node_color="#F0E442", edgecolors="#333333", ax=ax
    )
    labels = {n.actor: f"{n.actor}\n{HIDDEN if n.n_people is None else n.n_people}" for n in nodes}
    outside = {actor: xy * 1.28 for actor, xy in positions.items() if actor in labels}  # clear of nodes
    nx.draw_networkx_labels(graph, outside, labels=labels, font_size=8, ax=ax)
    nx.draw_networkx_labels(graph, positions, labels={CENTRE: "young\nperson"}, font_size=9, ax=ax)
    _legend(ax, {n.tone for n in nodes})
    size = group_size(by_group, group)
    ax.set_title(title or f"{group}: {HIDDEN if size is None else size} people", fontsize=11)
    ax.set_axis_off()
    ax.set_xlim(-1.6, 1.6)  # room for the labels outside the circle
    ax.set_ylim(-1.4, 1.4)
    if not nodes:
        ax.text(0.5, 0.1, "no actor mentioned, or every count hidden", ha="center", transform=ax.transAxes)
    return fig


def _legend(ax: Any, tones: set[str]) -> None:
    """Line legend for the tones on the map, plus what a node's number means."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([0], [0], color=TONE_STYLES[tone][0], linestyle=TONE_STYLES[tone][1], lw=2.5)
        for tone in [*TONES, HIDDEN]
        if tone in tones
    ]
    names = [TONE_LEGEND[tone] for tone in [*TONES, HIDDEN] if tone in tones]
    if handles:
        ax.legend(
            handles,
            names,
            title="tone",
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            fontsize=8,
            frameon=False,
        )


def draw_actor_maps(by_group: pd.DataFrame, *, actor_order: Sequence[str] = ACTOR_IDS) -> dict[str, Any]:
    """One map per group in the table (sorted by group name): ``{group: figure}``."""
    if by_group is None or by_group.empty:
        return {}
    groups = sorted(by_group["group"].astype(str).unique())
    return {group: draw_actor_map(by_group, group, actor_order=actor_order) for group in groups}


MAP_CAPTION = (
    "System map per group: the young person in the middle, the actors the group mentions around it. "
    "A node's number is how many people in the group mention the actor (its area grows with it); the "
    "line's colour and style give the tone they describe (the most frequent one; a tie is mixed). "
    "'hidden': fewer people than the study's minimum cell, or hidden so that a small count cannot be "
    "recovered. Actors nobody mentions are left out."
)


__all__ = [
    "CENTRE",
    "HIDDEN",
    "MAP_CAPTION",
    "TONE_STYLES",
    "MapNode",
    "draw_actor_map",
    "draw_actor_maps",
    "group_size",
    "group_tone",
    "map_nodes",
]
