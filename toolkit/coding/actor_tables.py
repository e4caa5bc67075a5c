"""Tables over ``actors.csv``: the fragmentation count, agreement between two actor tables, groups compared.

Why a module of its own: these read the extractor's (or a reviewer's, or the gold's) ``actors.csv`` rows and
never the transcripts, so the evaluation scripts, the inter-coder check and the outputs share one definition
of each figure without the extraction (:mod:`toolkit.coding.actors`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from toolkit.coding.actor_vocabulary import NOT_PUBLIC_SERVICES, TONES
from toolkit.coding.kappa_interval import kappa_intervals

ACTOR_COLUMNS = ["source", "actor", "mentioned", "n_turns", "tone"]
"""The contract columns of ``actors.csv``; further columns (evidence, counts) follow them."""
EXTRA_COLUMNS = ["n_mentions", "mention_offsets", "tone_evidence", "fragmentation"]


def fragmentation_counts(actors: pd.DataFrame) -> pd.Series:
    """Distinct public services mentioned per transcript (``source`` → count), from an ``actors.csv``
    frame."""
    public = ~actors["actor"].isin(NOT_PUBLIC_SERVICES)
    mentioned = actors["mentioned"].astype(int) == 1
    counts = actors[public & mentioned].groupby("source")["actor"].nunique()
    return counts.reindex(actors["source"].unique(), fill_value=0).rename("fragmentation")


def actor_agreement(
    reference: pd.DataFrame, other: pd.DataFrame, youth: Iterable[str] | None = None
) -> dict[str, float | int]:
    """How well two ``actors.csv`` tables of the same transcripts agree (a coder against the gold, or two
    human coders).

    Mentions: precision, recall and F1 of ``other`` against ``reference`` over transcript × actor (a row
    missing from ``other`` is not mentioned). Fragmentation: the share of the ``youth`` sources (default
    every source of ``reference``) whose count of distinct public services is the same in both, the share
    within one of it and the mean absolute difference (how far off a count is when it is off: the borderline
    calls two readers also disagree on move a count by one). Tone:
    agreement and Cohen's kappa (scikit-learn) over the actors both mark as mentioned, with a 95 % interval
    resampling whole transcripts (:mod:`toolkit.coding.kappa_interval`); the fragmentation share has a
    Wilson interval (eight young people a set make a wide one). The issue's targets
    are stated on these three figures, so the evaluation script and the inter-coder check use this one
    function.
    """
    from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

    merged = reference.merge(other, on=["source", "actor"], suffixes=("_ref", "_other"), how="left")
    merged["mentioned_other"] = merged["mentioned_other"].fillna(0).astype(int)
    merged["mentioned_ref"] = merged["mentioned_ref"].astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(
        merged["mentioned_ref"], merged["mentioned_other"], average="binary", zero_division=0
    )
    sources = pd.Index(list(youth) if youth is not None else reference["source"].unique())
    apart = fragmentation_counts(reference).reindex(sources, fill_value=0) - fragmentation_counts(
        other
    ).reindex(sources, fill_value=0)
    same = apart == 0
    both = merged[(merged["mentioned_ref"] == 1) & (merged["mentioned_other"] == 1)]
    tones_ref, tones_other = both["tone_ref"].astype(str), both["tone_other"].astype(str)
    _, tone_interval = kappa_intervals(
        [tones_ref.to_numpy(), tones_other.to_numpy()],
        both["source"].astype(str).tolist(),
        labels=sorted(set(TONES) | set(tones_ref) | set(tones_other)),
    )
    return {
        "mentions": int(merged["mentioned_ref"].sum()),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "youths": len(sources),
        "fragmentation_exact": float(same.mean()) if len(sources) else float("nan"),
        **_share_interval("fragmentation_exact", int(same.sum()), len(sources)),
        "fragmentation_within_one": float((apart.abs() <= 1).mean()) if len(sources) else float("nan"),
        "fragmentation_mean_abs_diff": float(apart.abs().mean()) if len(sources) else float("nan"),
        "tone_pairs": len(both),
        "tone_agreement": float((tones_ref == tones_other).mean()) if len(both) else float("nan"),
        "tone_kappa": float(cohen_kappa_score(tones_ref, tones_other)) if len(both) > 1 else float("nan"),
        "tone_kappa_low": tone_interval[0],
        "tone_kappa_high": tone_interval[1],
    }


def _share_interval(name: str, hits: int, total: int) -> dict[str, float]:
    """Wilson 95 % interval of a share (statsmodels): ``{name}_low`` and ``{name}_high``, NaN without data."""
    from statsmodels.stats.proportion import proportion_confint

    if total == 0:
        return {f"{name}_low": float("nan"), f"{name}_high": float("nan")}
    low, high = proportion_confint(hits, total, alpha=0.05, method="wilson")
    return {f"{name}_low": float(low), f"{name}_high": float(high)}


def actors_by_group(actors: pd.DataFrame, groups: pd.DataFrame, *, min_cell: int = 5) -> pd.DataFrame:
    """Compare groups (deviants, comparison youths, advisers): which actors, how many, which tone.

    One row per group × actor: people in the group, how many mention the actor, the share, the mean number
    of turns among those who do, the count of each tone, and the group's mean fragmentation count. Counts
    of people below ``min_cell`` (and what would let them be recovered) are suppressed with
    :func:`toolkit.disclosure.suppress_small_cells`; transcripts without a group are left out.
    """
    from toolkit.disclosure import suppress_small_cells

    mapping = dict(zip(groups["source"].astype(str), groups["group"].astype(str), strict=False))
    frame = actors.assign(group=actors["source"].astype(str).map(mapping)).dropna(subset=["group"])
    frame = frame.assign(mentioned=frame["mentioned"].astype(int))
    fragmentation = fragmentation_counts(frame).rename("fragmentation")
    people = frame.drop_duplicates("source").set_index("source")["group"]
    mean_fragmentation = fragmentation.groupby(people.reindex(fragmentation.index)).mean()
    rows = []
    for (group, actor), cell in frame.groupby(["group", "actor"], sort=True):
        said = cell[cell["mentioned"] == 1]
        row = {"group": group, "actor": actor, "n_people": len(cell), "n_mentioned": len(said)}
        row["share_mentioned"] = len(said) / len(cell) if len(cell) else float("nan")
        row["mean_turns"] = float(said["n_turns"].mean()) if len(said) else float("nan")
        row.update({f"n_{tone}": int((said["tone"] == tone).sum()) for tone in TONES})
        row["mean_fragmentation"] = float(mean_fragmentation.get(group, float("nan")))
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    tone_cols = [f"n_{tone}" for tone in TONES]
    return suppress_small_cells(
        table,
        min_cell=min_cell,
        count_cols=["n_mentioned", *tone_cols],
        total_col="n_people",
        derived={
            "share_mentioned": ["n_mentioned"],
            "mean_turns": ["n_mentioned"],
            "mean_fragmentation": ["n_people"],
        },
        group_cols=["actor"],
    )


def combine_actor_tables(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``actors.csv`` from each transcript's table (:meth:`ActorExtractor.transcript_actors`), in order."""
    if not frames:
        return pd.DataFrame(columns=[*ACTOR_COLUMNS, *EXTRA_COLUMNS])
    return pd.concat(frames, ignore_index=True)
