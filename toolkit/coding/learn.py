"""Learning from human coding: per-theme classifiers that suggest codes for the uncoded rest.

Given a hand-coded subset (``segments.csv`` format, or a REFI-QDA import via
:func:`toolkit.coding.refiqda.read_qdpx` and :func:`~toolkit.coding.refiqda.selections_to_turns`), one
logistic regression per theme is trained on lemma TF-IDF features (lemmas and compound parts, spaCy's
Norwegian stop words removed, uni- and bigrams). By default the codebook's own rule hits are added as
features (``rule_features=True``): the rules carry the researchers' vocabulary, the regression learns how
much to trust each rule and what else signals the theme. Both variants are measured in BENCHMARKS.md.

Quality is reported as cross-validated Cohen's kappa per theme. Folds are grouped by transcript
(``GroupKFold``) when there are enough transcripts, because turns of one interview share words and would
otherwise flatter the score. TF-IDF is refitted inside every fold.

The *uncertainty-first queue* lists uncoded turns whose predicted probabilities are closest to 0.5 — the
turns a human coder should code next, because they teach the classifiers most (uncertainty sampling).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score
from sklearn.model_selection import GroupKFold, KFold

from toolkit.coding.autocode import AutoCoder
from toolkit.coding.codebook import Codebook
from toolkit.coding.language import NorwegianAnalyzer, get_analyzer, stop_words


class ThemeLearner:
    """Per-theme TF-IDF + logistic-regression classifiers (scikit-learn), fitted on human coding.

    Parameters
    ----------
    codebook:
        The codebook whose codes are learned (its rules also give features when ``rule_features``).
    analyzer:
        Norwegian analyzer for lemmas; default the shared one.
    rule_features:
        Add one 0/1 feature per code: did the codebook's rules fire on the text.
    C:
        Inverse regularisation strength of the logistic regressions.
    min_positive:
        Codes with fewer hand-coded positives are not learned (predicted 0, flagged in reports).
    folds, seed:
        Cross-validation folds and random seed.
    """

    def __init__(
        self,
        codebook: Codebook,
        *,
        analyzer: NorwegianAnalyzer | None = None,
        rule_features: bool = True,
        C: float = 4.0,
        min_positive: int = 3,
        folds: int = 5,
        seed: int = 0,
    ):
        if C <= 0:
            raise ValueError("C must be positive")
        if folds < 2:
            raise ValueError("folds must be at least 2")
        if min_positive < 1:
            raise ValueError("min_positive must be at least 1")
        self.codebook = codebook
        self.analyzer = analyzer or get_analyzer()
        self.rule_features = rule_features
        self.C = C
        self.min_positive = min_positive
        self.folds = folds
        self.seed = seed
        self._coder = AutoCoder(codebook, analyzer=self.analyzer) if rule_features else None
        self._stop = stop_words()
        self.code_ids_: list[str] = []
        self.models_: dict[str, LogisticRegression | None] = {}
        self.vectorizer_: TfidfVectorizer | None = None

    # ------------------------------------------------------------------------------------- features
    def _tokens(self, text: str) -> list[str]:
        out: list[str] = []
        previous: str | None = None
        for word in self.analyzer.words(text):
            analysis = self.analyzer.analyse(word)
            lemma = analysis.lemma
            if lemma in self._stop or len(lemma) < 2 or lemma.isdigit():
                previous = None
                continue
            out.append(lemma)
            out.extend(f"part:{p}" for p in analysis.parts)
            if previous is not None:
                out.append(f"{previous}_{lemma}")
            previous = lemma
        return out

    def _rule_matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        ids = self.codebook.ids
        rows = np.zeros((len(texts), len(ids)))
        for i, text in enumerate(texts):
            hits = self._coder.code_text(text)
            for j, code_id in enumerate(ids):
                if code_id in hits:
                    rows[i, j] = 1.0
        return sparse.csr_matrix(rows)

    def _features(self, texts: Sequence[str], *, fit: bool) -> sparse.csr_matrix:
        if fit:
            self.vectorizer_ = TfidfVectorizer(analyzer=self._tokens, sublinear_tf=True, min_df=1)
            matrix = self.vectorizer_.fit_transform(texts)
        else:
            if self.vectorizer_ is None:
                raise RuntimeError("call fit() first")
            matrix = self.vectorizer_.transform(texts)
        if self.rule_features:
            matrix = sparse.hstack([matrix, self._rule_matrix(texts)], format="csr")
        return matrix

    # ------------------------------------------------------------------------------------- fit/predict
    def fit(self, texts: Sequence[str], labels: pd.DataFrame) -> ThemeLearner:
        """Fit one classifier per code; ``labels`` has one 0/1 column per code id, rows aligned with texts."""
        texts = list(texts)
        if len(texts) != len(labels):
            raise ValueError("texts and labels must have the same number of rows")
        self.code_ids_ = [c for c in self.codebook.ids if c in labels.columns]
        features = self._features(texts, fit=True)
        self.models_ = {}
        for code_id in self.code_ids_:
            y = labels[code_id].to_numpy().astype(int)
            if y.sum() < self.min_positive or y.sum() == len(y):
                self.models_[code_id] = None
                continue
            model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
            self.models_[code_id] = model.fit(features, y)
        return self

    def predict_proba(self, texts: Sequence[str]) -> pd.DataFrame:
        """Probability of each code per text (0 for codes with too few examples to learn)."""
        features = self._features(list(texts), fit=False)
        out = {}
        for code_id in self.code_ids_:
            model = self.models_.get(code_id)
            out[code_id] = (
                model.predict_proba(features)[:, 1] if model is not None else np.zeros(features.shape[0])
            )
        return pd.DataFrame(out)

    def predict(self, texts: Sequence[str], threshold: float = 0.5) -> pd.DataFrame:
        """0/1 code suggestions per text."""
        return (self.predict_proba(texts) >= threshold).astype(int)

    # ------------------------------------------------------------------------------------- evaluation
    def cross_validate(
        self, texts: Sequence[str], labels: pd.DataFrame, groups: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Cross-validated agreement with the human coder per code (kappa, precision, recall, F1).

        Folds are grouped by ``groups`` (transcript names) when there are at least ``folds`` groups.
        """
        texts = list(texts)
        labels = labels.reset_index(drop=True)
        n = len(texts)
        if groups is not None and len(set(groups)) >= self.folds:
            splitter = GroupKFold(n_splits=self.folds)
            splits = list(splitter.split(np.zeros(n), groups=list(groups)))
            scheme = "grouped by transcript"
        else:
            splitter = KFold(n_splits=min(self.folds, n), shuffle=True, random_state=self.seed)
            splits = list(splitter.split(np.zeros(n)))
            scheme = "turns"
        predicted = pd.DataFrame(
            0, index=range(n), columns=[c for c in self.codebook.ids if c in labels.columns]
        )
        for train, test in splits:
            fold = ThemeLearner(
                self.codebook,
                analyzer=self.analyzer,
                rule_features=self.rule_features,
                C=self.C,
                min_positive=self.min_positive,
                folds=self.folds,
                seed=self.seed,
            )
            fold.fit([texts[i] for i in train], labels.iloc[train])
            predicted.iloc[test] = fold.predict([texts[i] for i in test]).to_numpy()
        rows = []
        for code_id in predicted.columns:
            y, p = labels[code_id].to_numpy().astype(int), predicted[code_id].to_numpy()
            rows.append(
                {
                    "code_id": code_id,
                    "n_positive": int(y.sum()),
                    "learned": bool(y.sum() >= self.min_positive),
                    "kappa": float(cohen_kappa_score(y, p)) if len(set(y) | set(p)) > 1 else float("nan"),
                    "precision": float(precision_score(y, p, zero_division=0)),
                    "recall": float(recall_score(y, p, zero_division=0)),
                    "f1": float(f1_score(y, p, zero_division=0)),
                    "cv": f"{len(splits)}-fold, {scheme}",
                }
            )
        self.cv_predictions_ = predicted
        return pd.DataFrame(rows)

    def uncertainty_queue(self, units: pd.DataFrame, n: int | None = 20) -> pd.DataFrame:
        """Uncoded units ordered by how unsure the classifiers are (closest to 0.5 first), with suggestions."""
        if units.empty:
            return pd.DataFrame(columns=["source", "turn_index", "uncertainty", "suggested", "text"])
        proba = self.predict_proba(units["text"].tolist())
        uncertainty = (
            (1 - (2 * proba - 1).abs()).max(axis=1)
            if len(proba.columns)
            else pd.Series(0.0, index=proba.index)
        )
        suggested = proba.apply(lambda row: ", ".join(c for c in proba.columns if row[c] >= 0.5), axis=1)
        queue = pd.DataFrame(
            {
                "source": units["source"].to_numpy(),
                "turn_index": units["turn_index"].to_numpy(),
                "uncertainty": uncertainty.to_numpy(),
                "suggested": suggested.to_numpy() if len(units) else [],
                "text": units["text"].to_numpy(),
            }
        ).sort_values(["uncertainty", "source", "turn_index"], ascending=[False, True, True], kind="stable")
        return queue.head(n).reset_index(drop=True) if n else queue.reset_index(drop=True)
