"""Evaluate auto-coding on a coded set someone else wrote: rules, a substring baseline, and learning.

A *coding set* is a folder with ``codebook.yml``, ``transcripts/``, ``gold.csv`` (the ``segments.csv``
columns plus ``coder``) and optionally ``groups.csv``. The project's own set (``tests/data/coding``) keeps
its codebook in ``protocols/`` and its gold in ``hand_coded.csv``; :func:`load_coding_set` takes both.

Three figures per set, each the mean over themes of Cohen's kappa on participant turns against the gold:

* **rules** — :class:`~toolkit.coding.autocode.AutoCoder` on every transcript;
* **substring** — a turn carries a theme when one of the theme's keywords occurs in it as a lower-case
  substring: what a new user gets from a text search, and the floor the rules must clear;
* **learned** — transcripts are split into three groups; in turn each third plays the hand-coded part and
  :class:`~toolkit.coding.learn.ThemeLearner` suggests codes for the other two thirds; the rules are scored
  on the same two thirds, so the comparison is like for like. The figure is the mean over the three rounds.

The rules' figure comes with a 95 % interval that resamples whole transcripts
(:mod:`toolkit.coding.kappa_interval`): a set is a dozen interviews, and whether it clears a target by 0.02
or misses it by 0.02 is within what another dozen from the same writer could change.

Why thirds by transcript: turns of one interview share words and topics, so a split by turn would flatter
learning; a third is what a team can afford to code by hand first.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from toolkit.coding.autocode import AutoCoder, coded_units, question_texts, to_indicator_matrix
from toolkit.coding.codebook import Codebook, default_codebook_path, load_codebook
from toolkit.coding.kappa_interval import kappa_intervals
from toolkit.coding.segments import read_segments
from toolkit.errors import InputDataError

if TYPE_CHECKING:
    from toolkit.coding.learn import ThemeLearner


@dataclass
class CodingSet:
    """One evaluation set: codebook, participant turns (``units``), gold 0/1 matrix aligned with the units."""

    name: str
    codebook: Codebook
    segments: pd.DataFrame
    units: pd.DataFrame
    gold: pd.DataFrame
    questions: list[str]


def load_coding_set(folder: str | Path) -> CodingSet:
    """Read a coding set folder (see the module docstring); gold rows for interviewer turns are ignored."""
    folder = Path(folder)
    book_path = folder / "codebook.yml"
    if not book_path.is_file():
        book_path = default_codebook_path()
    gold_path = next((p for p in (folder / "gold.csv", folder / "hand_coded.csv") if p.is_file()), None)
    if gold_path is None:
        raise InputDataError("the set has no gold.csv", file=folder, fix="add gold.csv (segments.csv format)")
    book = load_codebook(book_path)
    segments, _ = read_segments(folder / "transcripts")
    units = coded_units(segments)
    gold_rows = pd.read_csv(gold_path)
    if "coder" in gold_rows.columns and gold_rows["coder"].nunique() > 1:
        first = sorted(gold_rows["coder"].astype(str).unique())[0]
        gold_rows = gold_rows[gold_rows["coder"].astype(str) == first]
    gold = to_indicator_matrix(units, gold_rows, book.ids).reset_index(drop=True)
    return CodingSet(folder.name, book, segments, units, gold, question_texts(segments, units))


def mean_kappa(gold: pd.DataFrame, predicted: pd.DataFrame) -> tuple[float, pd.Series]:
    """Mean Cohen's kappa over themes, and the per-theme kappas (0 where undefined but the coders differ)."""
    per_theme = {}
    for code_id in gold.columns:
        y = gold[code_id].to_numpy().astype(int)
        p = predicted[code_id].to_numpy().astype(int)
        if len(np.unique(np.concatenate([y, p]))) < 2:
            per_theme[code_id] = float("nan")  # nobody coded it anywhere: agreement is not measurable
            continue
        per_theme[code_id] = float(cohen_kappa_score(y, p))
    series = pd.Series(per_theme)
    return float(series.mean(skipna=True)), series


def mean_kappa_interval(data: CodingSet, predicted: pd.DataFrame) -> tuple[float, float]:
    """95 % interval of :func:`mean_kappa` of ``predicted`` (a 0/1 matrix of the set's units) against the
    gold, resampling the set's transcripts (:mod:`toolkit.coding.kappa_interval`)."""
    codings = [data.gold.to_numpy(), predicted[data.gold.columns].to_numpy()]
    return kappa_intervals(codings, data.units["source"].tolist(), labels=[0, 1])[1]


def substring_baseline(book: Codebook, texts: list[str]) -> pd.DataFrame:
    """0/1 per text and theme: does any of the theme's keywords occur as a lower-case substring."""
    lowered = [t.lower() for t in texts]
    return pd.DataFrame(
        {code.id: [int(any(k.lower() in text for k in code.keywords)) for text in lowered] for code in book}
    )


def rule_predictions(data: CodingSet, **options: object) -> pd.DataFrame:
    """0/1 per unit and theme from the rule coder run on every transcript of the set."""
    coded = AutoCoder(data.codebook, **options).transform(data.segments)
    return to_indicator_matrix(data.units, coded, data.codebook.ids).reset_index(drop=True)


def transcript_thirds(sources: list[str], seed: int = 0) -> list[list[str]]:
    """Transcripts in three groups of near-equal size (seeded shuffle, so the split is reproducible)."""
    names = sorted(set(sources))
    random.Random(seed).shuffle(names)
    return [sorted(names[i::3]) for i in range(3)]


def evaluate_learning(data: CodingSet, rules: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Per round (one third hand-coded): learned and rule kappa on the other two thirds."""
    rows = []
    sources = data.units["source"].tolist()
    for round_index, third in enumerate(transcript_thirds(sources, seed)):
        train = data.units["source"].isin(third).to_numpy()
        learner = learner_on(data, train, seed=seed)
        rest = ~train
        predicted = learner.predict(_rows(data.units["text"], rest), questions=_rows(data.questions, rest))
        gold_test = data.gold[~train].reset_index(drop=True)
        learned, _ = mean_kappa(gold_test, predicted)
        rule, _ = mean_kappa(gold_test, rules[~train].reset_index(drop=True))
        rows.append({"round": round_index, "hand_coded": len(third), "learned": learned, "rules": rule})
    return pd.DataFrame(rows)


def learner_on(data: CodingSet, coded: np.ndarray, *, seed: int = 0) -> ThemeLearner:
    """A :class:`~toolkit.coding.learn.ThemeLearner` fitted on the units marked ``coded`` (the hand-coded
    part, from the gold), its rule weights learned on every unit of the set, as ``pdtk autocode`` does."""
    from toolkit.coding.learn import ThemeLearner

    learner = ThemeLearner(data.codebook, seed=seed)
    return learner.fit(
        _rows(data.units["text"], coded),
        data.gold[coded].reset_index(drop=True),
        groups=_rows(data.units["source"], coded),
        questions=_rows(data.questions, coded),
        corpus=data.units["text"].tolist(),
        corpus_questions=data.questions,
    )


def _rows(values: Sequence[str] | pd.Series, keep: np.ndarray) -> list[str]:
    """The values where ``keep`` is true, as a list (the learner takes lists of texts)."""
    return [v for v, k in zip(values, keep, strict=True) if k]


def evaluate_set(folder: str | Path, *, learning: bool = True, seed: int = 0) -> dict[str, object]:
    """Every figure for one set: rules, substring, learned (mean of three rounds), and per-theme kappas."""
    data = load_coding_set(folder)
    texts = data.units["text"].tolist()
    rules = rule_predictions(data)
    substring = substring_baseline(data.codebook, texts)
    rule_kappa, rule_per_theme = mean_kappa(data.gold, rules)
    substring_kappa, substring_per_theme = mean_kappa(data.gold, substring)
    result: dict[str, object] = {
        "set": data.name,
        "transcripts": data.units["source"].nunique(),
        "turns": len(data.units),
        "themes": len(data.codebook),
        "rules": rule_kappa,
        "rules_interval": mean_kappa_interval(data, rules),
        "substring": substring_kappa,
        "per_theme": pd.DataFrame({"rules": rule_per_theme, "substring": substring_per_theme}),
    }
    if learning:
        rounds = evaluate_learning(data, rules, seed=seed)
        result["learned"] = float(rounds["learned"].mean())
        result["rules_on_rest"] = float(rounds["rules"].mean())
        result["rounds"] = rounds
    return result
