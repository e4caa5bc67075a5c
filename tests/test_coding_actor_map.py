"""System maps of actors per group (issue 17): drawn from published counts only, hidden counts never shown."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from toolkit.coding.actor_map import (  # noqa: E402
    HIDDEN,
    TONE_STYLES,
    draw_actor_map,
    draw_actor_maps,
    group_tone,
    map_nodes,
)
from toolkit.coding.actors import actors_by_group, extract_actors  # noqa: E402


def _study(n_friends: int) -> pd.DataFrame:
    """Ten young people: five praise NAV, ``n_friends`` mention friends (fewer than min_cell 5), one OT."""
    texts = {}
    for i in range(10):
        parts = ["NAV var bra." if i < 5 else "Jeg vet ikke."]
        if i < n_friends:
            parts.append("Kompisen min var der.")
        texts[f"p{i}.txt"] = "I: Hvem hjalp deg?\n\nU: " + " ".join(parts) + "\n"
    groups = pd.DataFrame({"source": list(texts), "group": "positivt_avvik"})
    return actors_by_group(extract_actors(texts), groups, min_cell=5)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def test_hidden_count_is_not_drawn_and_leaves_no_trace():
    """Done-when: the map of a group where 2 (or 3) people mention friends, min_cell 5, shows neither number."""
    table = _study(2)
    assert pd.isna(table.set_index("actor").loc["venner", "n_mentioned"])  # the table hides it
    fig = draw_actor_map(table, "positivt_avvik")
    texts = _texts(fig)
    assert f"venner\n{HIDDEN}" in texts
    assert "NAV\n5" in texts and "positivt_avvik: 10 people" in texts
    assert not any(digit in text for text in texts for digit in "23")  # the hidden counts appear nowhere
    # the drawing does not depend on the hidden count at all: 2 and 3 friends give the same picture
    assert _png(fig) == _png(draw_actor_map(_study(3), "positivt_avvik"))


def test_shown_actors_sized_by_people_and_zeros_left_out():
    table = _study(2)
    nodes = {node.actor: node for node in map_nodes(table, "positivt_avvik")}
    assert set(nodes) == {"NAV", "venner"}  # nobody mentions BUP etc.: not drawn
    assert nodes["NAV"].n_people == 5 and nodes["NAV"].tone == "positiv"
    assert nodes["venner"].n_people is None and nodes["venner"].tone == HIDDEN


def test_edge_colour_follows_tone_with_a_legend():
    fig = draw_actor_map(_study(0), "positivt_avvik")
    colours = {matplotlib.colors.to_hex(c) for c in _edge_colours(fig)}
    assert colours == {TONE_STYLES["positiv"][0].lower()}
    legend = fig.axes[0].get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["positive"]
    plt.close(fig)


def _edge_colours(fig) -> list:
    from matplotlib.collections import LineCollection
    from matplotlib.patches import FancyArrowPatch

    found = []
    for artist in fig.axes[0].get_children():
        if isinstance(artist, LineCollection):
            found.extend(artist.get_colors())
        elif isinstance(artist, FancyArrowPatch):
            found.append(artist.get_edgecolor())
    return found


@pytest.mark.parametrize(
    ("counts", "tone"),
    [
        ((3, 0, 0, 0), "positiv"),
        ((0, 5, 1, 0), "negativ"),
        ((2, 2, 0, 0), "blandet"),  # a tie is mixed
        ((0, 0, 0, 5), "nøytral"),
        ((5, pd.NA, 0, 0), HIDDEN),  # one hidden tone count hides the colour
    ],
)
def test_group_tone(counts, tone):
    row = {
        "n_mentioned": 5,
        **dict(zip(["n_positiv", "n_negativ", "n_blandet", "n_nøytral"], counts, strict=True)),
    }
    assert group_tone(row) == tone


def test_one_map_per_group_and_none_without_groups():
    table = pd.concat([_study(0), _study(0).assign(group="sammenligning")], ignore_index=True)
    maps = draw_actor_maps(table)
    assert list(maps) == ["positivt_avvik", "sammenligning"]
    for fig in maps.values():
        plt.close(fig)
    assert draw_actor_maps(pd.DataFrame()) == {}


def test_actor_outputs_files_maps_and_refiqda_codes():
    from toolkit.coding.actor_outputs import actor_outputs
    from toolkit.coding.codebook import default_codebook_path, load_codebook

    texts = {f"p{i}.txt": "I: Hvem hjalp?\n\nU: NAV var bra.\n" for i in range(6)}
    groups = pd.DataFrame({"source": list(texts), "group": ["positivt avvik"] * 6})
    part = actor_outputs(texts, groups, min_cell=5)
    files = part.files()
    assert list(files) == ["actors.csv", "actors_by_group.csv", "actor_map_positivt_avvik.png"]
    assert files["actor_map_positivt_avvik.png"].startswith(b"\x89PNG")
    assert actor_outputs(texts, None, min_cell=5).files().keys() == {"actors.csv"}
    book, codings = part.refiqda(load_codebook(default_codebook_path()), texts, coder="pdtk-autocode")
    assert "aktor_NAV" in book.ids and len(codings) == 6


def test_map_files_are_drawn_in_the_study_language(monkeypatch):
    """A Norwegian study's actor-map files carry Norwegian texts (the legend's tones, the centre, the title)."""
    from matplotlib.text import Text

    import toolkit.coding.actor_outputs as outputs_module

    texts = {f"p{i}.txt": "I: Hvem hjalp?\n\nU: NAV var bra.\n" for i in range(6)}
    groups = pd.DataFrame({"source": list(texts), "group": ["positivt avvik"] * 6})
    drawn: dict[str, set[str]] = {}

    def keep_texts(fig):  # noqa: ANN001, ANN202
        drawn[language] = {t.get_text() for t in fig.findobj(Text) if t.get_text()}
        plt.close(fig)
        return b"\x89PNG"

    monkeypatch.setattr(outputs_module, "_png_bytes", keep_texts)
    for language in ("nb", "en"):
        outputs_module.actor_outputs(texts, groups, min_cell=5, language=language).files()
    assert {"den\nunge", "positiv"} <= drawn["nb"] and "young\nperson" not in drawn["nb"]
    assert {"young\nperson", "positive"} <= drawn["en"]
