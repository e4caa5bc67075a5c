"""``autocode_folder``: code a folder of transcripts with a codebook and write every output of the step.

This is the one function the CLI (``pdtk autocode IN_DIR CODEBOOK OUT_DIR``), the ``Study`` object and the
notebooks call. It reads transcripts, codes them (:mod:`~toolkit.coding.autocode`), tabulates themes
(:mod:`~toolkit.coding.analysis`), proposes candidate themes and keywords (:mod:`~toolkit.coding.discover`),
compares with human coding and learns from it when a hand-coded subset is given
(:mod:`~toolkit.coding.reliability`, :mod:`~toolkit.coding.learn`), renders insight cards
(:mod:`~toolkit.coding.cards`) and exports REFI-QDA (:mod:`~toolkit.coding.refiqda`). All files are staged
and appear together, or not at all (:func:`toolkit.io.staged_output`).

Outputs in ``OUT_DIR``:

==========================  ==============================================================================
``segments.csv``            ``source, turn_index, speaker, start, end, code_id`` (contract, DESIGN.md), then
                            ``origin`` (human/rule/learned), ``confidence``, ``evidence`` (codebook entries)
                            and ``evidence_words`` (words of the text); one row per coded segment and code.
                            With
                            hand coding it is the final coding of every turn: human where a human coded,
                            the learner's (or the rules', per theme) elsewhere
``project.qdpx``            REFI-QDA project (codebook, sources, machine codings and any hand codings)
``codebook.qdc``            REFI-QDA codebook
``insight_cards.html``      one printable card per theme
``code_frequencies.csv``    per code: segments, share, transcripts (small cells suppressed)
``cooccurrence.csv``        pairs of codes on the same turn (small cells suppressed)
``themes_by_group.csv``     code × group with Fisher exact tests (only with groups)
``candidate_themes.csv``    NMF topics, flagged when the codebook may be missing them (from at most
                            5,000 turns, a seeded sample: :data:`DISCOVERY_SAMPLE_TURNS`)
``keyword_suggestions.csv`` collocations that could become multi-word keywords
``reliability.csv``         per-code agreement, human vs machine (and human vs human) — with hand coding
``disagreements.csv``       units where coders differ, for review — with hand coding
``learned_cv.csv``          cross-validated kappa of the learned classifiers, and per code whether the
                            machine's coding is usable (``trusted``, ``advice``) — with hand coding
``suggestions.csv``         learned code suggestions for turns not hand-coded — with hand coding
``coding_queue.csv``        uncertainty-first queue of turns to code next — with hand coding
==========================  ==============================================================================
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit.background import shared_map
from toolkit.coding.actor_corrections import read_actor_review
from toolkit.coding.actor_outputs import ActorOutputs, actor_outputs_from_tables, actor_table_worker
from toolkit.coding.actor_vocabulary import actor_ids_of, load_actor_vocabulary
from toolkit.coding.analysis import code_frequencies, cooccurrence, cooccurrence_matrix, themes_by_group
from toolkit.coding.autocode import (
    SEGMENT_CONTRACT,
    AutoCoder,
    coded_units,
    question_texts,
    to_indicator_matrix,
)
from toolkit.coding.cards import render_cards
from toolkit.coding.codebook import Codebook, load_codebook
from toolkit.coding.discover import discover_themes, suggest_collocations
from toolkit.coding.refiqda import (
    codebook_qdc_bytes,
    is_actor_code,
    qdpx_bytes,
    read_qdpx,
    selections_to_turns,
)
from toolkit.coding.reliability import ReliabilityResult, compare_coders
from toolkit.coding.segments import read_segments
from toolkit.errors import InputDataError
from toolkit.io import atomic_write_bytes, atomic_write_text, read_table, staged_output, write_csv
from toolkit.language import WORD_RE, get_analyzer

if TYPE_CHECKING:  # the learner (scikit-learn, ~0.7 s to import) is imported when hand coding is given
    from toolkit.coding.learn import ThemeLearner

MACHINE_CODER = "pdtk-autocode"
ACTORS_APART_FROM_CHARACTERS = 1_000_000
"""From this much transcript text (~150,000 words) on, actors are extracted in a second process beside the
theme coding, which joins in on the transcripts left when its own work is done
(:func:`toolkit.background.shared_map`); below, a second process costs more than it saves."""
RELIABILITY_NOTE = (
    "Reliability scores are optional in reflexive thematic analysis: there, themes are the researcher's "
    "interpretation, not a measurement. Here they answer a narrower question — can the codebook rules (or "
    "the learned classifiers) stand in for a second coder applying the same codebook? kappa_low and "
    "kappa_high bound each code's kappa (95 %, resampling whole interviews): with a dozen interviews a "
    "difference of 0.1 between two codes is often within them."
)
UNMEASURED_CODING_NOTE = (
    "No hand coding: these codes are the codebook rules' suggestions, not measured against a human coder "
    "on this study. On codebooks and interviews written by other teams the rules agreed with the teams' "
    "coders well below a second human coder (BENCHMARKS.md, issue 14). Code some interviews by hand (in "
    "'pdtk code-review', or as a CSV or REFI-QDA project) and give them with --hand-coded "
    "(coding.hand_coded in a protocol) to measure the agreement here, see which codes to trust, and let "
    "the learner adapt."
)
"""Said when there is no hand coding, because a team that runs one command otherwise reads the rules'
coding as if it were measured; the figures stay in BENCHMARKS.md rather than here, where they would age."""
UNREVIEWED_TONE_NOTE = (
    "Actor tones are the extractor's, from evaluative words near each mention; on other writers' "
    "interviews they agreed only weakly with a reader's judgement (BENCHMARKS.md, issue 17). Check them "
    "in the actor view of 'pdtk code-review' and pass its file with --actor-review (coding.actor_review "
    "in a protocol)."
)


@dataclass
class AutocodeResult:
    """Everything :func:`autocode_folder` produced; DataFrames are tidy, one row per thing."""

    segments: pd.DataFrame
    units: pd.DataFrame
    codebook: Codebook
    frequencies: pd.DataFrame
    cooccurrence: pd.DataFrame
    by_group: pd.DataFrame | None
    candidate_themes: pd.DataFrame
    keyword_suggestions: pd.DataFrame
    reliability: ReliabilityResult | None = None
    human_reliability: ReliabilityResult | None = None
    learned_cv: pd.DataFrame | None = None
    suggestions: pd.DataFrame | None = None
    queue: pd.DataFrame | None = None
    out_dir: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    actors: ActorOutputs | None = None

    def summary_line(self) -> str:
        """One line for the study index (the results contract)."""
        return f"{len(self.segments)} codings in {self.segments['source'].nunique()} transcripts"

    def summary(self, *, run_details: bool = True) -> str:
        """A few plain lines: what was coded, how reliably, where the files are.

        ``run_details=False`` leaves out the speed and the output folder, which change between identical runs:
        the report uses it so that ``pdtk reproduce`` finds the same bytes.
        """
        s = self.settings
        speed = f"; {s.get('words_per_second', 0):,.0f} words/s" if run_details else ""
        lines = [
            f"Auto-coded {s.get('n_transcripts', 0)} transcripts ({s.get('n_units', 0):,} "
            f"{s.get('unit', 'turn')} units, "
            f"{s.get('n_words', 0):,} words) with {len(self.codebook)} codes: "
            f"{self.segments[['source', 'turn_index']].drop_duplicates().shape[0]} units coded, "
            f"{len(self.segments)} codings; lemmas: {s.get('backend', '')}{speed}.",
        ]
        lines.extend(self.agreement_lines())
        if self.learned_cv is not None:
            lines.append(
                f"Learned suggestions: cross-validated mean kappa {self.learned_cv['kappa'].mean():.3f}."
            )
            lines.extend(self.trust_lines())
        candidates = int(self.candidate_themes["candidate"].sum()) if len(self.candidate_themes) else 0
        lines.append(f"Theme discovery: {candidates} candidate theme(s) outside the codebook.")
        lines.extend(self.notes)
        if run_details and self.out_dir is not None:
            lines.append(f"Outputs in {self.out_dir}: {', '.join(sorted(self.files))}.")
        return "\n".join(lines)

    def agreement_lines(self) -> list[str]:
        """With hand coding, the agreement of the machine (and of the human coders) with its interval; with an
        actor review, how the extractor agreed with the reviewer."""
        lines = []
        if self.reliability is not None:
            lines.append(
                f"Human vs machine: mean kappa {self.reliability.mean_kappa:.3f}"
                f"{self.reliability.interval_text()}, mean alpha "
                f"{self.reliability.mean_alpha:.3f} on {self.reliability.n_units} units."
            )
        if self.human_reliability is not None:
            lines.append(
                f"Between human coders: mean kappa {self.human_reliability.mean_kappa:.3f}"
                f"{self.human_reliability.interval_text()}."
            )
        if self.actors is not None and self.actors.review_agreement:
            lines.append(f"Actor review: {self.actors.review_line()}")
        return lines

    def trust_lines(self) -> list[str]:
        """With hand coding, the line naming the codes to code by hand (else none): printed by
        ``pdtk autocode`` too, because staff who run one command read the terminal, not learned_cv.csv."""
        return _code_by_hand_line(self.learned_cv)

    def add_to_report(self, report: Any) -> Any:
        """Add the coding section (tables, a co-occurrence heat map, reliability note) to a ``Report``."""
        import matplotlib.pyplot as plt

        report.add_heading("Coding of interview transcripts")
        report.add_text(self.summary(run_details=False))
        report.add_table(self.frequencies, "Code frequencies (participant turns; small counts suppressed)")
        if self.by_group is not None and not self.by_group.empty:
            report.add_table(
                self.by_group,
                "Themes by group: share of turns, Fisher exact test against the other "
                "groups, Benjamini-Hochberg q (turns within an interview are not "
                "independent: read p-values as descriptive)",
            )
        matrix = cooccurrence_matrix(self.segments, self.units, self.codebook.ids)
        small = (matrix > 0) & (matrix < self.settings.get("min_cell", 5))
        shown = matrix.mask(small)
        fig, ax = plt.subplots(figsize=(7, 6))
        image = ax.imshow(shown.to_numpy(dtype=float), cmap="Blues")
        ax.set_xticks(range(len(matrix)), matrix.columns, rotation=60, ha="right", fontsize=8)
        ax.set_yticks(range(len(matrix)), matrix.index, fontsize=8)
        fig.colorbar(image, ax=ax, label="turns coded with both")
        fig.tight_layout()
        report.add_figure(fig, "Co-occurrence of codes (cells below the minimum left blank)")
        plt.close(fig)
        report.add_table(self.cooccurrence.head(20), "Most frequent code pairs")
        if self.reliability is not None:
            report.add_heading("Reliability against human coding", level=3)
            report.add_text(RELIABILITY_NOTE)
            report.add_table(self.reliability.per_code, "Human vs machine, per code")
            if self.human_reliability is not None:
                report.add_table(self.human_reliability.per_code, "Between human coders, per code")
        if self.learned_cv is not None:
            report.add_table(
                self.learned_cv, "Learned suggestions: cross-validated agreement with the human coder"
            )
        if self.actors is not None:
            self.actors.add_to_report(report)  # issue 17: actors by group and a system map per group
        report.add_table(self.candidate_themes, "Candidate themes (NMF on lemma TF-IDF)")
        report.add_table(self.keyword_suggestions, "Collocations that could become multi-word keywords")
        return report


def _untrusted_codes(learned_cv: pd.DataFrame | None) -> dict[str, float | None] | None:
    """``{code: cross-validated kappa}`` of the codes to code by hand; None without hand coding."""
    if learned_cv is None or "trusted" not in learned_cv.columns:
        return None
    rows = learned_cv[~learned_cv["trusted"].astype(bool)]
    return {
        str(c): (None if pd.isna(k) else float(k))
        for c, k in zip(rows["code_id"], rows["kappa"], strict=True)
    }


def _code_by_hand_line(learned_cv: pd.DataFrame | None) -> list[str]:
    """The summary's lines naming the themes to code by hand and those to check more than spot-check
    (:func:`toolkit.coding.learn.theme_trust`)."""
    from toolkit.coding.learn import CHECK_MORE

    untrusted = _untrusted_codes(learned_cv)
    if untrusted is None:
        return []
    unsure = learned_cv.loc[learned_cv["advice"].astype(str).str.startswith(CHECK_MORE), "code_id"]
    lines = []
    if untrusted:
        lines.append(
            f"Code by hand ({len(untrusted)} of {len(learned_cv)}; the machine's agreement with the hand "
            f"coding is too low or cannot be judged, see learned_cv.csv 'advice'): {', '.join(untrusted)}."
        )
    if len(unsure):
        lines.append(
            f"Check more of the machine's coding of {len(unsure)} of {len(learned_cv)} codes (usable, but "
            f"the interval of their agreement reaches below the bar): {', '.join(map(str, unsure))}."
        )
    return lines or [
        "Every code's machine coding agrees with the hand coding well enough to use (spot-check it)."
    ]


# ============================================================================================== inputs
def _read_groups(groups: pd.DataFrame | str | Path | None, in_dir: Path) -> tuple[pd.DataFrame | None, str]:
    if groups is None:
        for candidate in (in_dir / "transcript_groups.csv", in_dir.parent / "transcript_groups.csv"):
            if candidate.is_file():
                return _validate_groups(read_table(candidate), candidate), f"groups from {candidate.name}"
        return None, ""
    if isinstance(groups, str | Path):
        return _validate_groups(read_table(groups), groups), f"groups from {Path(groups).name}"
    return _validate_groups(groups, "<groups>"), ""


def _validate_groups(frame: pd.DataFrame, where: object) -> pd.DataFrame:
    missing = [c for c in ("source", "group") if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"the group mapping has no column '{missing[0]}'",
            file=str(where),
            fix="give a CSV with columns source (transcript file name) and group",
        )
    out = frame[["source", "group"]].dropna().astype(str)
    dup = out["source"][out["source"].duplicated()]
    if len(dup):
        raise InputDataError(
            f"transcript '{dup.iloc[0]}' has two groups", file=str(where), fix="keep one row per transcript"
        )
    return out.reset_index(drop=True)


def _match_source_names(names: pd.Series, segments: pd.DataFrame) -> pd.Series:
    """Imported source names mapped to transcript file names: exactly, else by name without extension and
    case (QualCoder and NVivo may name a source ``Intervju 01`` for ``intervju 01.txt``)."""
    known = set(segments["source"])
    by_stem = {Path(s).stem.lower(): s for s in known}
    return names.map(lambda n: n if n in known else by_stem.get(Path(str(n)).stem.lower(), n))


NO_CODE = ""
"""``code_id`` of a hand-coding row that marks a turn read and left without a code."""


def _coded_by_hand(hand: pd.DataFrame) -> pd.DataFrame:
    """The hand-coding rows that carry a code (not the :data:`NO_CODE` rows that only mark a turn read)."""
    return hand[hand["code_id"] != NO_CODE]


def read_hand_coding(path: str | Path, codebook: Codebook, segments: pd.DataFrame) -> pd.DataFrame:
    """Hand coding from a ``segments.csv``-format CSV or a REFI-QDA ``.qdpx``, at turn level, with
    ``coder``.

    A transcript named in the hand coding counts as coded in every turn. A row with an empty ``code_id``
    says "this turn was read and has no code" (``code_id`` is :data:`NO_CODE` in the result): without it a
    transcript a coder read and found nothing in could not be named at all, and the machine's codes would
    stand for it. The coding review writes such rows for turns whose suggestions were all rejected.
    """
    path = Path(path)
    if path.suffix.lower() in {".qdpx", ".qde"}:
        imported = read_qdpx(path, codebook)
        themes = imported.codings[~imported.codings["code_id"].map(is_actor_code)]  # pdtk's actor codes
        codings = themes.assign(source=_match_source_names(themes["source"], segments))
        hand = selections_to_turns(codings, segments)
        hand["coder"] = hand["coder"].replace("", "hand")
    else:
        hand = read_table(path)
        missing = [c for c in ("source", "turn_index", "code_id") if c not in hand.columns]
        if missing:
            raise InputDataError(
                f"the hand coding has no column '{missing[0]}'",
                file=path,
                fix="use the segments.csv format: source, turn_index, speaker, start, end, code_id",
            )
        if "coder" not in hand.columns:
            hand["coder"] = "hand"
        hand["coder"] = hand["coder"].fillna("hand").astype(str)
        hand["turn_index"] = pd.to_numeric(hand["turn_index"], errors="coerce")
        bad = hand["turn_index"].isna()
        if bad.any():
            raise InputDataError(
                f"row {int(bad.idxmax()) + 2} has a turn_index that is not a whole number",
                file=path,
                fix="write turn_index as 0, 1, 2 …",
            )
        hand["turn_index"] = hand["turn_index"].astype("int64")
    read_only = hand["code_id"].isna() | (hand["code_id"].astype(str).str.strip() == "")
    hand["code_id"] = hand["code_id"].astype(object).where(~read_only, NO_CODE)
    unknown = sorted(set(hand["code_id"].astype(str)) - set(codebook.ids) - {NO_CODE})
    if unknown:
        raise InputDataError(
            f"the hand coding uses code '{unknown[0]}', which is not in the codebook",
            file=path,
            fix="add the code to the codebook or rename it in the hand coding",
        )
    known_sources = set(segments["source"])
    strangers = sorted(set(hand["source"].astype(str)) - known_sources)
    if strangers:
        raise InputDataError(
            f"the hand coding names transcript '{strangers[0]}', which is not in the folder",
            file=path,
            fix="code transcripts from the same folder, or remove those rows",
        )
    return hand.reset_index(drop=True)


DISCOVERY_SAMPLE_TURNS = 5000
"""Candidate themes and collocations come from at most this many turns (a seeded random sample): they are
suggestions for the codebook, not counts, and NMF plus collocation statistics over a million words took
~24 s of a ~45 s run."""


def discovery_sample(texts: list[str], *, seed: int = 0) -> list[str]:
    """All texts, or a seeded random sample of :data:`DISCOVERY_SAMPLE_TURNS` of them in their order."""
    if len(texts) <= DISCOVERY_SAMPLE_TURNS:
        return texts
    import numpy as np

    keep = np.sort(np.random.default_rng(seed).choice(len(texts), DISCOVERY_SAMPLE_TURNS, replace=False))
    return [texts[i] for i in keep]


# ============================================================================================== learning
SEGMENT_EXTRA = ["origin", "confidence", "evidence", "evidence_words"]
"""Columns of ``segments.csv`` after the contract: who decided (``human``, ``rule``, ``learned``), how sure,
and the codebook entries and words that carried a machine coding."""


@dataclass
class LearningOutcome:
    """What learning from hand coding gives: CV agreement, suggestions, the queue, and the final coding."""

    cv: pd.DataFrame
    suggestions: pd.DataFrame
    queue: pd.DataFrame
    final: pd.DataFrame


def learn_from_hand_coding(
    book: Codebook,
    analyzer: Any,
    hand: pd.DataFrame,
    turn_segments: pd.DataFrame,
    turn_units: pd.DataFrame,
    rule_evidence: pd.DataFrame,
    *,
    seed: int = 0,
) -> LearningOutcome:
    """Learn from one coder's turn coding; suggest codes for the transcripts nobody coded.

    The final coding holds every turn: the human's codes in hand-coded transcripts (origin ``human``,
    confidence 1), elsewhere the learner's (origin ``learned``, or ``rule`` for themes where the rules agreed
    better with the coder under grouped cross-validation), with the rule evidence where the rules saw some.
    """
    hand_sources = set(hand["source"])
    questions = dict(
        zip(
            zip(turn_units["source"], turn_units["turn_index"], strict=True),
            question_texts(turn_segments, turn_units),
            strict=True,
        )
    )
    coded_part = turn_units[turn_units["source"].isin(hand_sources)].reset_index(drop=True)
    rest = turn_units[~turn_units["source"].isin(hand_sources)].reset_index(drop=True)

    def asked(units: pd.DataFrame) -> list[str]:
        return [questions[(s, t)] for s, t in zip(units["source"], units["turn_index"], strict=True)]

    labels = to_indicator_matrix(coded_part, hand, book.ids).reset_index(drop=True)
    texts, groups = coded_part["text"].tolist(), coded_part["source"].tolist()
    from toolkit.coding.learn import ThemeLearner, theme_trust

    learner = ThemeLearner(book, analyzer=analyzer, seed=seed)
    cv = theme_trust(learner.cross_validate(texts, labels, groups=groups, questions=asked(coded_part)))
    learner.fit(
        texts,
        labels,
        groups=groups,
        questions=asked(coded_part),
        corpus=turn_units["text"].tolist(),
        corpus_questions=asked(turn_units),
    )
    columns = ["source", "turn_index", "code_id", "probability"]
    suggestions = pd.DataFrame(columns=columns)
    if len(rest):
        proba = learner.predict_proba(rest["text"].tolist(), questions=asked(rest))
        long = proba.assign(source=rest["source"].to_numpy(), turn_index=rest["turn_index"].to_numpy()).melt(
            id_vars=["source", "turn_index"], var_name="code_id", value_name="probability"
        )
        suggestions = long[long["probability"] >= 0.5].sort_values(columns[:3]).reset_index(drop=True)
    queue = learner.uncertainty_queue(rest, n=50, questions=asked(rest))
    return LearningOutcome(
        cv, suggestions, queue, _final_coding(hand, suggestions, turn_units, rule_evidence, learner)
    )


def _final_coding(
    hand: pd.DataFrame,
    suggestions: pd.DataFrame,
    turn_units: pd.DataFrame,
    rule_evidence: pd.DataFrame,
    learner: ThemeLearner,
) -> pd.DataFrame:
    """Human rows where a human coded, the learner's elsewhere; contract columns first, then SEGMENT_EXTRA."""
    where = turn_units[["source", "turn_index", "speaker", "start", "end"]]
    key = ["source", "turn_index", "code_id"]
    human = (
        _coded_by_hand(hand)[key]
        .drop_duplicates()
        .merge(where, on=["source", "turn_index"])
        .assign(origin="human", confidence=1.0, evidence="", evidence_words="")
    )
    evidence = rule_evidence[[*key, "evidence", "evidence_words"]]
    machine = (
        suggestions.merge(where, on=["source", "turn_index"])
        .merge(evidence, on=key, how="left")
        .fillna({"evidence": "", "evidence_words": ""})
        .assign(
            origin=lambda f: f["code_id"].map(learner.origin_).fillna("learned"),
            confidence=lambda f: f["probability"].astype(float).round(4),
        )
    )
    columns = [*SEGMENT_CONTRACT, *SEGMENT_EXTRA]
    final = pd.concat([human[columns], machine[columns]], ignore_index=True)
    order = {c: i for i, c in enumerate(learner.codebook.ids)}
    final = final.assign(_order=final["code_id"].map(order)).sort_values(["source", "turn_index", "_order"])
    return final.drop(columns="_order").reset_index(drop=True)


def _compare_and_learn(
    hand: pd.DataFrame,
    book: Codebook,
    analyzer: Any,
    coder: AutoCoder,
    coded: pd.DataFrame,
    turn_segments: pd.DataFrame,
    turn_units: pd.DataFrame,
    texts: dict[str, str],
    seed: int,
) -> tuple[ReliabilityResult, ReliabilityResult | None, LearningOutcome]:
    """Reliability of the rules against the first coder (and between coders), then learning from it."""
    hand_units = turn_units[turn_units["source"].isin(set(hand["source"]))].reset_index(drop=True)
    coders = sorted(hand["coder"].unique())
    codings = {c: hand[hand["coder"] == c] for c in coders}
    reliability = compare_coders(
        hand_units, {coders[0]: codings[coders[0]], MACHINE_CODER: coded}, book.ids, texts=texts
    )
    human_reliability = (
        compare_coders(hand_units, {c: codings[c] for c in coders}, book.ids, texts=texts)
        if len(coders) >= 2
        else None
    )
    learning = learn_from_hand_coding(
        book,
        analyzer,
        codings[coders[0]],
        turn_segments,
        turn_units,
        coder.evidence_table(turn_segments),
        seed=seed,
    )
    return reliability, human_reliability, learning


# ============================================================================================== the step
@dataclass
class HandCodingFindings:
    """What comparing with hand coding and learning from it gives; without hand coding only ``final``.

    ``final`` is the coding ``segments.csv`` publishes: the rules' coding, or with hand coding at turn level
    the human's codes where a human coded and the learner's elsewhere (:func:`learn_from_hand_coding`).
    """

    final: pd.DataFrame
    hand: pd.DataFrame | None = None
    reliability: ReliabilityResult | None = None
    human_reliability: ReliabilityResult | None = None
    learned_cv: pd.DataFrame | None = None
    suggestions: pd.DataFrame | None = None
    queue: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ThemeTables:
    """The tables that describe the themes of the final coding, and the suggestions for the codebook."""

    frequencies: pd.DataFrame
    cooccurrence: pd.DataFrame
    by_group: pd.DataFrame | None
    candidate_themes: pd.DataFrame
    keyword_suggestions: pd.DataFrame


def autocode_folder(
    in_dir: Path,
    codebook: Path,
    out_dir: Path,
    *,
    unit: str = "turn",
    groups: pd.DataFrame | None = None,
    hand_coded: Path | None = None,
    min_cell: int = 5,
    seed: int = 0,
    backend: str = "auto",
    synthetic: bool = False,
    actor_extensions: Sequence[Path] = (),
    language: str = "en",
    actor_review: Path | None = None,
) -> AutocodeResult:
    """Code every transcript in ``in_dir`` with ``codebook`` and write the outputs to ``out_dir``.

    ``unit`` is ``turn`` (speaker turns) or ``sentence``. ``groups`` maps transcript → group (columns
    ``source, group``); when None, ``transcript_groups.csv`` in ``in_dir`` or its parent is used if present.
    ``hand_coded`` (CSV in ``segments.csv`` format with an optional ``coder`` column, or a REFI-QDA
    ``.qdpx``) adds reliability against the human coder(s), learned suggestions and a coding queue.
    ``actor_extensions`` are a study's additions to the actor vocabulary (``coding.actors_extra``);
    ``language`` is the study's report language (the texts of the actor-map files). ``actor_review`` is the
    ``actor_review.csv`` of ``pdtk code-review``'s actor view: a human's mentions and tones replace the
    extractor's (:mod:`toolkit.coding.actor_corrections`).
    """
    in_dir, codebook_path, out_dir = Path(in_dir), Path(codebook), Path(out_dir)
    if min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    book = load_codebook(codebook_path)
    actor_vocabulary = load_actor_vocabulary(extensions=actor_extensions)  # a bad extension fails early
    reviewed = read_actor_review(actor_review, actor_ids_of(actor_vocabulary)) if actor_review else None
    segments, texts = read_segments(in_dir, unit=unit)
    group_frame, group_note = _read_groups(groups, in_dir)
    with shared_map(  # actors need only the texts: extracted beside the theme coding, shared at the end
        actor_table_worker,
        list(texts.items()),
        actor_vocabulary,
        worth_it=sum(map(len, texts.values())) >= ACTORS_APART_FROM_CHARACTERS,
    ) as actor_tables:
        analyzer = get_analyzer(backend)
        coder = AutoCoder(book, analyzer=analyzer)
        started = time.perf_counter()
        coded = coder.transform(segments)
        seconds = time.perf_counter() - started
        units_all = coded_units(segments)
        turn_segments, turn_units = _turn_level(in_dir, unit, segments, units_all)
        findings = _hand_coding_findings(
            hand_coded, unit, book, analyzer, coder, coded, turn_segments, turn_units, texts, seed
        )
        notes = _run_notes(group_note, findings.notes, actors_reviewed=reviewed is not None)
        themes = _theme_tables(
            findings.final, turn_units, group_frame, book, analyzer, min_cell=min_cell, seed=seed
        )
        cards_html = render_cards(
            book,
            findings.final,
            turn_units,
            themes.by_group,
            group_frame,
            min_cell=min_cell,
            synthetic=synthetic,
            untrusted=_untrusted_codes(findings.learned_cv),
        )
        # counted before the join: the main process's share of the actor extraction starts after its own work
        size = _size_and_speed(segments, len(texts), len(units_all), seconds)
        actors = actor_outputs_from_tables(
            actor_tables.result(),
            group_frame,
            min_cell=min_cell,
            vocabulary=actor_vocabulary,
            language=language,
            review=reviewed,
        )
    outputs = _autocode_outputs(book, texts, unit, findings, themes, cards_html, group_frame, actors)
    files = _write_staged(out_dir, outputs)
    settings = {"unit": unit, "backend": analyzer.backend, "min_cell": min_cell, "seed": seed}
    settings |= size
    return AutocodeResult(
        segments=findings.final,
        units=turn_units,
        codebook=book,
        frequencies=themes.frequencies,
        cooccurrence=themes.cooccurrence,
        by_group=themes.by_group,
        candidate_themes=themes.candidate_themes,
        keyword_suggestions=themes.keyword_suggestions,
        reliability=findings.reliability,
        human_reliability=findings.human_reliability,
        learned_cv=findings.learned_cv,
        suggestions=findings.suggestions,
        queue=findings.queue,
        out_dir=out_dir,
        files=files,
        settings=settings,
        notes=notes,
        actors=actors,
    )


def _run_notes(group_note: str | None, coding_notes: list[str], *, actors_reviewed: bool) -> list[str]:
    """The summary's notes: how groups were found, what the hand coding gave or that there was none, and
    whether the actor tones are unchecked."""
    notes = ([group_note.capitalize() + "."] if group_note else []) + coding_notes
    return notes if actors_reviewed else [*notes, UNREVIEWED_TONE_NOTE]


def _size_and_speed(segments: pd.DataFrame, n_transcripts: int, n_units: int, seconds: float) -> dict:
    """How much was coded and how fast (the speed is a run detail: it differs between identical runs)."""
    n_words = sum(len(WORD_RE.findall(t)) for t in segments["text"])
    return {
        "n_transcripts": n_transcripts,
        "n_units": n_units,
        "n_words": n_words,
        "seconds_coding": seconds,
        "words_per_second": n_words / seconds if seconds > 0 else float("nan"),
    }


def _turn_level(
    in_dir: Path, unit: str, segments: pd.DataFrame, units: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn segments and units: tables, cards and learning work on turns even when sentences are coded."""
    if unit == "sentence":
        turn_segments, _ = read_segments(in_dir, unit="turn")
        return turn_segments, coded_units(turn_segments)
    return segments, units


def _hand_coding_findings(
    hand_coded: Path | None,
    unit: str,
    book: Codebook,
    analyzer: Any,
    coder: AutoCoder,
    coded: pd.DataFrame,
    turn_segments: pd.DataFrame,
    turn_units: pd.DataFrame,
    texts: dict[str, str],
    seed: int,
) -> HandCodingFindings:
    """Reliability against the hand coding and what the learner makes of it; the rules' coding without it."""
    rule_coding = coded.assign(origin="rule")
    if hand_coded is None:
        return HandCodingFindings(final=rule_coding, notes=[UNMEASURED_CODING_NOTE])
    hand = read_hand_coding(hand_coded, book, turn_segments)
    reliability, human_reliability, learning = _compare_and_learn(
        hand, book, analyzer, coder, coded, turn_segments, turn_units, texts, seed
    )
    notes = []
    if unit != "turn":
        notes.append(
            "Sentence units: learned suggestions are in suggestions.csv; segments.csv keeps the rules."
        )
    if learning.suggestions.empty and turn_units["source"].isin(set(hand["source"])).all():
        notes.append("Every transcript is hand-coded: no turns left for suggestions or the coding queue.")
    return HandCodingFindings(
        final=learning.final if unit == "turn" else rule_coding,
        hand=hand,
        reliability=reliability,
        human_reliability=human_reliability,
        learned_cv=learning.cv,
        suggestions=learning.suggestions,
        queue=learning.queue,
        notes=notes,
    )


def _theme_tables(
    final: pd.DataFrame,
    turn_units: pd.DataFrame,
    group_frame: pd.DataFrame | None,
    book: Codebook,
    analyzer: Any,
    *,
    min_cell: int,
    seed: int,
) -> ThemeTables:
    """Frequencies, co-occurrence and groups of the final coding; candidate themes and keywords (a sample)."""
    frequencies = code_frequencies(final, turn_units, book, min_cell=min_cell)
    pairs = cooccurrence(final, turn_units, book.ids, min_cell=min_cell)
    by_group = (
        themes_by_group(final, turn_units, group_frame, book.ids, min_cell=min_cell)
        if group_frame is not None
        else None
    )
    sample = discovery_sample(turn_units["text"].tolist(), seed=seed)
    return ThemeTables(
        frequencies=frequencies,
        cooccurrence=pairs,
        by_group=by_group,
        candidate_themes=discover_themes(sample, book, analyzer=analyzer, seed=seed),
        keyword_suggestions=suggest_collocations(sample, book, analyzer=analyzer),
    )


def _qdpx_export(
    book: Codebook,
    texts: dict[str, str],
    findings: HandCodingFindings,
    group_frame: pd.DataFrame | None,
    actors: ActorOutputs,
) -> bytes:
    """The REFI-QDA project: the machine's codings (themes and actors), the human codings where they have
    character positions."""
    final, hand = findings.final, findings.hand
    machine = final[final["origin"] != "human"]
    book, actor_codings = actors.refiqda(book, texts, coder=MACHINE_CODER)
    export_codings = pd.concat(
        [machine[["source", "start", "end", "code_id"]].assign(coder=MACHINE_CODER), actor_codings],
        ignore_index=True,
    )
    if hand is not None and {"start", "end"}.issubset(hand.columns):
        coded_by_hand = _coded_by_hand(hand)[["source", "start", "end", "code_id", "coder"]]
        export_codings = pd.concat([export_codings, coded_by_hand], ignore_index=True)
    group_map = (
        dict(zip(group_frame["source"], group_frame["group"], strict=True))
        if group_frame is not None
        else None
    )
    return qdpx_bytes(
        book, texts, export_codings, project_name=book.name, groups=group_map, default_coder=MACHINE_CODER
    )


def _reliability_table(reliability: ReliabilityResult, human: ReliabilityResult | None) -> pd.DataFrame:
    """Per-code agreement, human vs machine, then between the human coders when there are two or more."""
    table = reliability.per_code.assign(comparison=f"{reliability.coders[0]} vs {MACHINE_CODER}")
    if human is None:
        return table
    return pd.concat([table, human.per_code.assign(comparison=" vs ".join(human.coders))], ignore_index=True)


def _autocode_outputs(
    book: Codebook,
    texts: dict[str, str],
    unit: str,
    findings: HandCodingFindings,
    themes: ThemeTables,
    cards_html: str,
    group_frame: pd.DataFrame | None,
    actors: ActorOutputs,
) -> dict[str, pd.DataFrame | str | bytes]:
    """Every file of the step by name, in the order they are written (tables, text, bytes)."""
    segment_columns = [*SEGMENT_CONTRACT, *SEGMENT_EXTRA] + (["sentence_index"] if unit == "sentence" else [])
    outputs: dict[str, pd.DataFrame | str | bytes] = {
        "segments.csv": findings.final[segment_columns],
        "project.qdpx": _qdpx_export(book, texts, findings, group_frame, actors),
        "codebook.qdc": codebook_qdc_bytes(book),
        "insight_cards.html": cards_html,
        "code_frequencies.csv": themes.frequencies,
        "cooccurrence.csv": themes.cooccurrence,
        "candidate_themes.csv": themes.candidate_themes,
        "keyword_suggestions.csv": themes.keyword_suggestions,
    }
    outputs |= actors.files()  # issue 17: actors.csv, actors_by_group.csv, actor_map_<group>.png
    if themes.by_group is not None:
        outputs["themes_by_group.csv"] = themes.by_group
    if findings.reliability is not None:
        outputs["reliability.csv"] = _reliability_table(findings.reliability, findings.human_reliability)
        outputs["disagreements.csv"] = findings.reliability.disagreements
        outputs["learned_cv.csv"] = findings.learned_cv
        outputs["suggestions.csv"] = findings.suggestions
        outputs["coding_queue.csv"] = findings.queue
    return outputs


def _write_staged(out_dir: Path, outputs: dict[str, pd.DataFrame | str | bytes]) -> dict[str, Path]:
    """Write every output into a staging folder that replaces ``out_dir``'s files only if all succeed."""
    with staged_output(out_dir) as stage:
        for name, content in outputs.items():
            if isinstance(content, pd.DataFrame):
                write_csv(stage / name, content)
            elif isinstance(content, str):
                atomic_write_text(stage / name, content)
            else:
                atomic_write_bytes(stage / name, content)
        return {p.name: out_dir / p.name for p in stage.iterdir() if p.is_file()}
