"""Evidence from the words of the hand-coded turns, added to the rule evidence with a weight chosen by
cross-validation inside the hand coding.

The rules rank turns well where the codebook names a theme and not at all where the coders' turns speak of
it in other words (on `set1` a fifth to two thirds of some themes' turns carry no codebook evidence).
A third of a study coded by hand is too little to fit a classifier per theme (every such model lost to the
rules out of fold, BENCHMARKS.md, issue 14), but it does show which words this study's coded turns share.
What is kept from it is deliberately small:

* **a direction per theme** (Rocchio): the mean TF-IDF vector (lemmas and compound parts, beside a lighter
  block of character n-grams, :data:`CHAR_WEIGHT`) of the turns coded with the theme minus
  that of the turns not coded with it. A turn's similarity is its dot product with the direction, as a
  z-score over the study's turns (so one scale serves every theme and every study);
* **one weight for the whole codebook**: the similarity enters the rule evidence as
  ``evidence + weight × threshold × z`` (never below 0), and the rules' own decision (thresholds, main
  theme) is taken on the result. The weight is the one of :data:`WEIGHTS` that gives the best mean kappa
  over themes when each hand-coded transcript in turn is left out of the directions (grouped, because turns
  of one interview share words); it stays 0 unless another beats it by :data:`MARGIN`. One number for twelve
  themes is chosen on every coded turn at once, so it is far less noisy than a choice per theme: where the
  rules already agree well with the coders (the project's own set) it stays low (0–0.3), where they miss
  what the coders saw it grows (0.3–0.7 on `set4`).

The vocabulary and the z-scores come from the study's turns (a seeded sample of at most
:data:`MAX_REFERENCE_TURNS`): words that occur once among the coded turns but often in the study still get a
weight, and fitting the vocabulary on the coded turns alone measured worse on the tuning sets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from toolkit.coding import evidence as ev

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)
"""Candidate weights of the similarity, in thresholds per standard deviation."""
MARGIN = 0.0
"""Mean kappa a non-zero weight must gain over 0 in the grouped cross-validation before it is used. Was
0.005; 0 lost on no tuning set and gained on two (set1 +0.007, set4 +0.004 learned kappa, seeds 0 and 1):
the cross-validated choice among six weights is already conservative, a margin on top kept useful weights
out."""
MAX_REFERENCE_TURNS = 5000
"""Turns of the study the vocabulary and the z-scores are taken from (a seeded sample when there are more)."""
CHAR_WEIGHT = 0.4
"""Weight of a block of character 4–5-grams (within words) beside the lemma block. Lemmas miss what the
analyzer does not know — dialect and Nynorsk forms, spelling slips of ASR and learner Norwegian, compounds it
cannot split — while such words still share most of their letters with the coded turns' words. 0.4, 0.7 and
1.0 gave the same +0.002 mean learned kappa on the five tuning sets (seeds 0 and 1); 0.4 was the choice
in four of the five leave-one-set-out folds (issue 14)."""
CHAR_NGRAMS = (4, 5)
"""Lengths of the character n-grams (padded at word edges); 3–5 and 4–6 measured the same on the tuning
sets."""


def mean_kappa(labels: np.ndarray, predicted: np.ndarray) -> float:
    """:func:`toolkit.coding.evaluate.mean_kappa` on two 0/1 arrays (the evaluation's one definition: a column
    with one value in both is skipped, a column where only one coder varies counts 0); 0 when no column is."""
    from toolkit.coding.evaluate import mean_kappa as frames_mean_kappa

    value, _ = frames_mean_kappa(pd.DataFrame(labels), pd.DataFrame(predicted))
    return 0.0 if np.isnan(value) else value


class CodedSimilarity:
    """Per-theme Rocchio directions from hand coding, and the weight at which they join the rule evidence.

    ``tokens`` turns a text into the features' tokens (the learner's lemmas and compound parts).
    """

    def __init__(self, tokens: Callable[[str], list[str]], *, seed: int = 0):
        self.tokens = tokens
        self.seed = seed
        self.chars_: TfidfVectorizer | None = None
        self.vectorizer_: TfidfVectorizer | None = None
        self.reference_: sparse.csr_matrix | None = None
        self.directions_: np.ndarray | None = None
        self.center_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.weight_ = 0.0
        self.cv_kappa_: dict[float, float] = {}

    def _reference_texts(self, texts: list[str], corpus: list[str] | None) -> list[str]:
        pool = list(corpus) if corpus is not None else list(texts)
        if len(pool) > MAX_REFERENCE_TURNS:
            keep = np.random.default_rng(self.seed).choice(len(pool), MAX_REFERENCE_TURNS, replace=False)
            pool = [pool[i] for i in sorted(keep)]
        return pool

    def _directions(self, matrix: sparse.csr_matrix, labels: np.ndarray) -> np.ndarray:
        """Themes × vocabulary: mean of the coded turns minus mean of the others (0 without both)."""
        out = np.zeros((labels.shape[1], matrix.shape[1]))
        for theme in range(labels.shape[1]):
            positive = labels[:, theme] > 0
            if positive.all() or not positive.any():
                continue
            out[theme] = np.asarray(matrix[positive].mean(axis=0)).ravel()
            out[theme] -= np.asarray(matrix[~positive].mean(axis=0)).ravel()
        return out

    def _vectorise(self, texts: list[str], *, fit: bool) -> sparse.csr_matrix:
        """Lemma TF-IDF, with a character n-gram block beside it when :data:`CHAR_WEIGHT` is set."""
        words = self.vectorizer_.fit_transform(texts) if fit else self.vectorizer_.transform(texts)
        if CHAR_WEIGHT <= 0:
            return words.tocsr()
        if fit:
            self.chars_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=2
            )
            chars = self.chars_.fit_transform([t.lower() for t in texts])
        else:
            chars = self.chars_.transform([t.lower() for t in texts])
        return sparse.hstack([words, CHAR_WEIGHT * chars], format="csr")

    def _standardiser(self, directions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of each theme's similarity over the reference turns."""
        reference = np.asarray(self.reference_ @ directions.T)
        scale = reference.std(axis=0)
        return reference.mean(axis=0), np.where(scale > 0, scale, np.inf)

    def _z(self, matrix: sparse.csr_matrix, directions: np.ndarray) -> np.ndarray:
        center, scale = self._standardiser(directions)
        return (np.asarray(matrix @ directions.T) - center) / scale

    def fit(
        self,
        texts: Sequence[str],
        labels: np.ndarray,
        scores: np.ndarray,
        thresholds: np.ndarray,
        splits: list[tuple[np.ndarray, np.ndarray]],
        corpus: Sequence[str] | None = None,
    ) -> CodedSimilarity:
        """Directions from every coded turn; the weight by cross-validation over ``splits`` (grouped folds).

        ``scores`` are the rule evidence of the coded turns (turns × themes) and ``thresholds`` the rules'
        thresholds, as the learner will use them.
        """
        texts = list(texts)
        self.vectorizer_ = TfidfVectorizer(analyzer=self.tokens, sublinear_tf=True, min_df=2)
        try:
            self.reference_ = self._vectorise(
                self._reference_texts(texts, list(corpus) if corpus is not None else None), fit=True
            )
        except ValueError:  # no token in two turns: nothing to learn from
            self.vectorizer_, self.weight_ = None, 0.0
            return self
        matrix = self._vectorise(texts, fit=False)
        self.cv_kappa_ = {}
        for weight in WEIGHTS:
            predicted = np.zeros_like(labels)
            for train, test in splits:
                z = self._z(matrix[test], self._directions(matrix[train], labels[train]))
                predicted[test] = ev.coded_mask(self._adjust(scores[test], thresholds, z, weight), thresholds)
            self.cv_kappa_[weight] = mean_kappa(labels, predicted)
        floor = self.cv_kappa_[0.0] + MARGIN
        better = [w for w in WEIGHTS if w > 0 and self.cv_kappa_[w] > floor]
        self.weight_ = max(better, key=lambda w: self.cv_kappa_[w]) if better else 0.0
        self.directions_ = self._directions(matrix, labels)
        self.center_, self.scale_ = self._standardiser(self.directions_)
        return self

    @staticmethod
    def _adjust(scores: np.ndarray, thresholds: np.ndarray, z: np.ndarray, weight: float) -> np.ndarray:
        if weight == 0:
            return scores
        return np.maximum(scores + weight * thresholds[None, :] * z, 0.0)

    def adjust(self, texts: Sequence[str], scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """The rule evidence of ``texts`` (texts × themes) with the weighted similarity added."""
        if self.weight_ == 0 or self.vectorizer_ is None or self.directions_ is None:
            return scores
        matrix = self._vectorise(list(texts), fit=False)
        z = (np.asarray(matrix @ self.directions_.T) - self.center_) / self.scale_
        return self._adjust(scores, thresholds, z, self.weight_)
