"""Rules adapted to a team's hand coding: the rule coder, re-weighted and extended by what the coders did.

A few hundred coded turns are too few for a classifier over thousands of words, but enough to correct a
rule coder where it errs most, with few parameters and strong shrinkage:

* **keyword reliability**: each codebook entry's weight is multiplied by how often the coders coded its
  theme where it matched, against the theme's typical entry (shrunk by :data:`PRIOR_MATCHES` pseudo-matches
  towards 1, bounded to [:data:`MIN_FACTOR`, :data:`MAX_FACTOR`]) — a keyword the team treats as a passing
  mention loses weight, one that always marks the theme gains;
* **the team's own words**: lemmas found in at least :data:`MIN_POSITIVE` coded turns of a theme and coded
  with it in at least :data:`MIN_PRECISION` of their turns become weak evidence entries (kind ``learned``);
* **per-theme thresholds**: a multiplier from :data:`THRESHOLD_STEPS`, kept at 1 unless another raises
  Cohen's kappa on the hand coding by :data:`THRESHOLD_GAIN`.

The constants were set on the project's hand-coded set and the first blind set only (BENCHMARKS.md).
"""

from __future__ import annotations

import numpy as np

from toolkit.coding import evidence as ev
from toolkit.coding.autocode import AutoCoder
from toolkit.coding.codebook import Codebook
from toolkit.language import NorwegianAnalyzer

PRIOR_MATCHES = 3.0
MIN_FACTOR, MAX_FACTOR = 0.25, 2.0
MIN_POSITIVE = 2
MIN_PRECISION = 0.5
MAX_WORDS = 25
THRESHOLD_STEPS = (0.6, 0.8, 1.0, 1.25, 1.6, 2.0)
THRESHOLD_GAIN = 0.02


def _kappa(y: np.ndarray, predicted: np.ndarray) -> float:
    from sklearn.metrics import cohen_kappa_score

    if len(np.unique(np.concatenate([y, predicted]))) < 2:
        return 0.0
    return float(cohen_kappa_score(y, predicted.astype(int)))


def learned_words(token_sets: list[set[str]], labels: np.ndarray, known: set[str]) -> dict[int, list[str]]:
    """Per theme index, lemmas the coders' turns share (see the module docstring), strongest first."""
    vocabulary: dict[str, list[int]] = {}
    for row, tokens in enumerate(token_sets):
        for token in tokens:
            vocabulary.setdefault(token, []).append(row)
    out: dict[int, list[str]] = {}
    for theme in range(labels.shape[1]):
        y = labels[:, theme]
        scored = []
        for token, rows in vocabulary.items():
            positive = int(y[rows].sum())
            if token in known or positive < MIN_POSITIVE:
                continue
            precision = positive / (len(rows) + 1)  # one pseudo-negative: a word in two turns is not certain
            if precision >= MIN_PRECISION:
                scored.append((positive * precision, token))
        out[theme] = [token for _score, token in sorted(scored, reverse=True)[:MAX_WORDS]]
    return out


def reliability_factors(
    coder: AutoCoder, pair_text: np.ndarray, pair_entry: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """Per entry, its weight multiplier from how often the coders coded its theme where it matched."""
    factor = np.ones(len(coder.entries))
    if len(pair_entry) == 0:
        return factor
    themes = coder.entry_theme[pair_entry]
    positive = labels[pair_text, themes].astype(float)
    matched = np.bincount(pair_entry, minlength=len(factor)).astype(float)
    coded = np.bincount(pair_entry, weights=positive, minlength=len(factor))
    for theme in np.unique(coder.entry_theme):
        members = (coder.entry_theme == theme) & (matched > 0)
        if not members.any() or coded[members].sum() == 0:
            continue
        typical = coded[members].sum() / matched[members].sum()
        rate = (coded[members] + PRIOR_MATCHES * typical) / (matched[members] + PRIOR_MATCHES)
        factor[members] = np.clip(rate / typical, MIN_FACTOR, MAX_FACTOR)
    return factor


def adapt_rules(
    codebook: Codebook,
    analyzer: NorwegianAnalyzer,
    texts: list[str],
    questions: list[str] | None,
    labels: np.ndarray,
    token_sets: list[set[str]],
) -> AutoCoder:
    """A rule coder fitted to hand coding (``labels``: texts × themes, 0/1, in codebook order)."""
    coder = AutoCoder(codebook, analyzer=analyzer)
    known = set(coder._single)
    coder.add_words(learned_words(token_sets, labels, known))
    matches = coder.match(texts)
    coder.fit_weights(matches, len(texts))
    pairs = np.unique(np.stack([matches.text_index, matches.entry]), axis=1) if len(matches.entry) else None
    if pairs is not None:
        coder.weights_ = coder.weights_ * reliability_factors(coder, pairs[0], pairs[1], labels)
    scores, _matches = coder.score_texts(texts, questions)
    base = coder.thresholds.copy()
    for theme in range(labels.shape[1]):
        y = labels[:, theme]
        if y.sum() == 0:
            continue
        kappas = {}
        for step in THRESHOLD_STEPS:
            trial = base.copy()
            trial[theme] = base[theme] * step
            kappas[step] = _kappa(y, ev.coded_mask(scores, trial)[:, theme])
        best = max(kappas, key=kappas.get)
        if kappas[best] >= kappas[1.0] + THRESHOLD_GAIN:
            coder.thresholds[theme] = base[theme] * best
    return coder
