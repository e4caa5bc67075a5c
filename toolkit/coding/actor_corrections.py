"""A human reviewer's word on the actors of a transcript, applied to ``actors.csv``.

Why: on transcripts written by others the extractor finds the actors well but judges their tone no better than
a coin weighted by the tuning sets (tone kappa 0.19–0.32 on the report-only sets, BENCHMARKS.md, issue 17).
The coding review's actor view (``pdtk code-review``, :mod:`toolkit.coding.review.actor_decisions`) lets a
researcher set the tone — or say an actor was not part of this young person's help, or add one the extractor
missed — and writes the decisions as ``actor_review.csv`` in the restricted folder. ``pdtk autocode
--actor-review FILE`` (or ``coding.actor_review`` in the protocol) applies them here, before anything is
counted, compared, drawn or exported, so the group table, the system maps and the REFI-QDA codes follow the
human decisions.

The file: one row per reviewed transcript × actor, columns ``source, actor, mentioned, tone`` (``mentioned``
0/1; ``tone`` one of :data:`~toolkit.coding.actor_vocabulary.TONES`, empty when not mentioned), ``reviewer``
optional.
``actors.csv`` gets a ``tone_origin`` column: ``human`` for a reviewed row, ``rule`` for a mention only the
extractor judged, empty for an actor not mentioned.

The review is also a measurement: :func:`review_agreement` compares the extractor with the reviewer on the
rows reviewed (how many mentions were struck out or added; the tone's kappa with an interval over
transcripts), so a team knows how far to trust the tones nobody reviewed in the same study.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from toolkit.coding.actor_tables import actor_agreement
from toolkit.coding.actor_vocabulary import NOT_PUBLIC_SERVICES, TONES
from toolkit.errors import InputDataError

REVIEW_COLUMNS = ["source", "actor", "mentioned", "tone"]
ORIGIN_COLUMN = "tone_origin"
TONE_FIGURES = ("tone_pairs", "tone_agreement", "tone_kappa", "tone_kappa_low", "tone_kappa_high")
"""What :func:`review_agreement` takes over from :func:`~toolkit.coding.actor_tables.actor_agreement`."""


def read_actor_review(path: Path, actor_ids: Iterable[str]) -> pd.DataFrame:
    """Read and check an ``actor_review.csv``: one clear error naming the row and column when it is wrong."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputDataError(
            f"cannot read the actor review ({type(error).__name__})",
            file=path,
            fix="give the actor_review.csv that 'pdtk code-review' wrote in the restricted folder",
        ) from None
    missing = [c for c in REVIEW_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"the actor review has no column '{missing[0]}'",
            file=path,
            fix=f"the file needs the columns {', '.join(REVIEW_COLUMNS)}",
        )
    known = set(actor_ids)
    for number, row in enumerate(frame.itertuples(index=False), start=2):
        _check_row(path, number, row._asdict(), known)
    duplicated = frame.duplicated(["source", "actor"], keep=False)
    if duplicated.any():
        number = int(duplicated.to_numpy().nonzero()[0][0]) + 2
        raise InputDataError(
            f"row {number}: the actor review names the same transcript and actor twice",
            file=path,
            fix="keep one row per transcript × actor",
        )
    frame["mentioned"] = frame["mentioned"].astype(int)
    return frame


def _check_row(path: Path, number: int, row: dict[str, str], known: set[str]) -> None:
    """One row of the review file, checked column by column."""
    if row["actor"] not in known:
        raise InputDataError(
            f"row {number}, column actor: '{row['actor']}' is not in the actor vocabulary",
            file=path,
            fix="use the ids of protocols/actors_nb.yml (and the study's coding.actors_extra)",
        )
    if row["mentioned"] not in ("0", "1"):
        raise InputDataError(f"row {number}, column mentioned: must be 0 or 1", file=path, fix="write 0 or 1")
    allowed = TONES if row["mentioned"] == "1" else ("",)
    if row["tone"] not in allowed:
        fix = f"one of {', '.join(TONES)}" if row["mentioned"] == "1" else "leave tone empty for mentioned 0"
        raise InputDataError(
            f"row {number}, column tone: '{row['tone']}' does not fit mentioned={row['mentioned']}",
            file=path,
            fix=fix,
        )


def apply_actor_review(actors: pd.DataFrame, review: pd.DataFrame | None) -> pd.DataFrame:
    """``actors.csv`` with the reviewed rows replaced and the ``tone_origin`` column added.

    A reviewed actor the extractor did not find becomes mentioned in one turn (its turns were not counted by a
    human); one the reviewer struck out has no turns, mentions or evidence left. The fragmentation count is
    recomputed per transcript. Review rows of transcripts not in ``actors`` are an error: they belong to
    another set of transcripts.
    """
    out = actors.copy()
    out[ORIGIN_COLUMN] = out["mentioned"].astype(int).map({1: "rule", 0: ""})
    if review is None or review.empty:
        return out
    unknown = sorted(set(review["source"]) - set(out["source"]))
    if unknown:
        raise InputDataError(
            f"the actor review names transcript '{unknown[0]}', which is not among these transcripts",
            fix="give the actor review made on these transcripts (pdtk code-review of the same IN_DIR)",
        )
    where = out.reset_index().set_index(["source", "actor"])["index"]
    for row in review.itertuples(index=False):
        _apply_row(out, int(where[(row.source, row.actor)]), int(row.mentioned), str(row.tone))
    public = ~out["actor"].isin(NOT_PUBLIC_SERVICES) & (out["mentioned"].astype(int) == 1)
    if "fragmentation" in out.columns:
        out["fragmentation"] = public.groupby(out["source"]).transform("sum").astype(int)
    return out


def review_agreement(actors: pd.DataFrame, review: pd.DataFrame | None) -> dict[str, float | int] | None:
    """How the extractor's ``actors`` compare with the reviewer's rows (None without a review).

    ``reviewed`` rows; ``struck_out``: the extractor's mentions the reviewer said were not part of the help;
    ``added``: actors the reviewer added; over the rows both mark as mentioned, the tone figures of
    :func:`~toolkit.coding.actor_tables.actor_agreement` with the reviewer as the reference (``tone_pairs``,
    ``tone_agreement``, ``tone_kappa`` and its 95 % interval over transcripts, ``tone_kappa_low`` and
    ``tone_kappa_high``). The rows a reviewer chose to open are not a random sample: read the figure as this
    study's indication, not as a measurement of the extractor.
    """
    if review is None or review.empty:
        return None
    found = actors[["source", "actor", "mentioned"]]
    merged = review.merge(found, on=["source", "actor"], how="left", suffixes=("_human", "_tool"))
    tool = merged["mentioned_tool"].fillna(0).astype(int)
    human = merged["mentioned_human"].astype(int)
    tone = actor_agreement(review, actors)
    return {
        "reviewed": len(merged),
        "struck_out": int(((tool == 1) & (human == 0)).sum()),
        "added": int(((tool == 0) & (human == 1)).sum()),
        **{key: tone[key] for key in TONE_FIGURES},
    }


def _apply_row(out: pd.DataFrame, index: int, mentioned: int, tone: str) -> None:
    """One reviewed transcript × actor."""
    out.loc[index, ["mentioned", "tone", ORIGIN_COLUMN]] = [mentioned, tone, "human"]
    if mentioned:
        out.loc[index, "n_turns"] = max(int(out.loc[index, "n_turns"]), 1)
        return
    out.loc[index, "n_turns"] = 0
    for column, empty in (("n_mentions", 0), ("mention_offsets", ""), ("tone_evidence", "")):
        if column in out.columns:
            out.loc[index, column] = empty


__all__ = ["ORIGIN_COLUMN", "REVIEW_COLUMNS", "apply_actor_review", "read_actor_review", "review_agreement"]
