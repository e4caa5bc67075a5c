"""Learning from human coding: per-theme classifiers that start from the rules and beat them.

Given a hand-coded subset (``segments.csv`` format, or a REFI-QDA import via
:func:`toolkit.coding.refiqda.read_qdpx` and :func:`~toolkit.coding.refiqda.selections_to_turns`), one
model per theme suggests codes for the uncoded rest. What a few hundred coded turns can teach, and how:

* **The rules stay as a prior.** Each theme's rule evidence (:class:`~toolkit.coding.autocode.AutoCoder`)
  is a feature, and so is every codebook entry's weighted match: the model learns which keywords this team's
  coders treat as the theme and which pass by.
* **Words beyond the codebook** come in as lemma TF-IDF features (lemmas and compound parts, spaCy's
  Norwegian stop words removed). Rows are L2-normalised, so a single word carries less than the rule
  evidence; with few examples the model leans on the rules.
* **A model for a few hundred examples**: L2-regularised logistic regression (scikit-learn).
* **Per-theme thresholds by grouped cross-validation**: out-of-fold probabilities (folds grouped by
  transcript, because turns of one interview share words) give the threshold that maximises Cohen's kappa.
  The same folds score the rules with their own best threshold; where the rules agree better with the
  coders, the theme keeps the rules (``origin_ = "rule"``), so learning never makes a theme worse than the
  rules on the evidence available.

*Which themes the tool can be trusted with* (:func:`theme_trust`): the cross-validated kappa on the hand
coding says, per theme, whether the machine's coding of the rest is usable or the theme should be coded by
hand (abstract themes — "a person who stayed", "own effort" — often are not carried by any words).

The *uncertainty-first queue* lists uncoded turns whose probabilities are closest to their theme's
threshold — the turns a human coder should code next, because they teach the models most.
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

from toolkit.coding import evidence as ev
from toolkit.coding.adapt import adapt_rules
from toolkit.coding.autocode import AutoCoder
from toolkit.coding.codebook import Codebook
from toolkit.coding.kappa_interval import kappa_intervals, with_interval_columns
from toolkit.coding.similarity import CodedSimilarity
from toolkit.language import NorwegianAnalyzer, get_analyzer, stop_words

SWITCH_MARGIN = 0.25
"""Out-of-fold kappa a model must gain over the rules' decision on the hand coding before it replaces them."""
MIN_POSITIVE_TO_REPLACE = 12
"""Hand-coded positives a theme needs before a model may replace its rules at all. With a third of twelve
interviews coded (~5 positives a theme) the out-of-fold kappas that choose between rules and model rest on a
handful of turns: on the tuning sets every such switch, at margins 0.25 and 0.4, lost kappa on the
transcripts not coded (BENCHMARKS.md, issue 14)."""
CALIBRATION_RANGE = (0.4, 2.5)
CALIBRATION_PRIOR_TURNS = 100
"""How far a theme's threshold moves towards the hand-coded prevalence: ``n / (n + CALIBRATION_PRIOR_TURNS)``
of the way (log scale) with ``n`` hand-coded turns — a third of twelve interviews (~48 turns) moves it a third
of the way, a fully coded study most of it."""
ADAPTED_RULES = True
ENTRY_SCALE = 1.0
"""Scale of the per-entry rule evidence features relative to the TF-IDF block."""
TRUST_KAPPA = 0.4
"""Cross-validated kappa (on the hand coding) from which a theme's machine coding is called usable; below it,
or where it cannot be measured, :func:`theme_trust` advises coding the theme by hand. 0.4 is the usual
lower bound of "moderate" agreement. On the eight tuning sets (a third hand-coded, three rounds each;
``bench/eval_theme_trust.py``) themes at or above it in the coded third agreed with the coders at mean
kappa 0.65 on the other two thirds (8 % of them below 0.4), themes below it at 0.48 (33 % below 0.4): a
triage, not a guarantee — estimates from ~50 turns are noisy."""
SIMILARITY = True
"""Add the hand-coded turns' words to the rule evidence (:mod:`toolkit.coding.similarity`), at the weight
the grouped cross-validation inside the hand coding chooses (0 where it does not pay)."""


def _kappa(y: np.ndarray, predicted: np.ndarray) -> float:
    """Cohen's kappa, 0 where it is undefined (one class everywhere)."""
    if len(np.unique(np.concatenate([y, predicted]))) < 2:
        return 0.0
    return float(cohen_kappa_score(y, predicted.astype(int)))


def best_threshold(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """The threshold on ``score`` that maximises Cohen's kappa with ``y``, and that kappa.

    Candidates are midpoints between distinct scores; ties go to the candidate nearest the median positive
    score, so that a threshold is not pushed to an edge by one example.
    """
    values = np.unique(score)
    if len(values) < 2 or y.min() == y.max():
        return float(values[-1] + 1.0) if len(values) else 1.0, 0.0
    candidates = (values[:-1] + values[1:]) / 2
    best_kappa, best = -1.0, float(candidates[0])
    for candidate in candidates:
        predicted = (score >= candidate).astype(int)
        if predicted.min() == predicted.max():
            continue
        kappa = float(cohen_kappa_score(y, predicted))
        if kappa > best_kappa + 1e-12:
            best_kappa, best = kappa, float(candidate)
    return best, max(best_kappa, 0.0)


class ThemeLearner:
    """Per-theme logistic regressions on rule evidence and lemma TF-IDF, fitted on human coding.

    Parameters
    ----------
    codebook:
        The codebook whose codes are learned (its rules give the prior features).
    analyzer:
        Norwegian analyzer for lemmas; default the shared one.
    rule_features:
        Use the rules' evidence as features (and as the fallback per theme).
    C:
        Inverse regularisation strength of the logistic regressions.
    min_positive:
        Codes with fewer hand-coded positives are not learned: they keep the rules (or 0 without rules).
    folds, seed:
        Cross-validation folds (thresholds, model choice, :meth:`cross_validate`) and random seed.
    """

    def __init__(
        self,
        codebook: Codebook,
        *,
        analyzer: NorwegianAnalyzer | None = None,
        rule_features: bool = True,
        C: float = 1.0,
        min_positive: int = 3,
        folds: int = 4,
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
        self._stop = stop_words()
        self.code_ids_: list[str] = []
        self.models_: dict[str, LogisticRegression | None] = {}
        self.thresholds_: dict[str, float] = {}
        self.origin_: dict[str, str] = {}
        self.cv_kappa_: dict[str, dict[str, float]] = {}
        self.vectorizer_: TfidfVectorizer | None = None
        self.coder_: AutoCoder | None = None
        self.corpus_: list[str] | None = None
        self.corpus_questions_: list[str] | None = None
        self.similarity_: CodedSimilarity | None = None

    # ------------------------------------------------------------------------------------- features
    def _tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for word in self.analyzer.words(text):
            analysis = self.analyzer.analyse(word)
            lemma = analysis.lemma
            if lemma in self._stop or len(lemma) < 2 or lemma.isdigit():
                continue
            out.append(lemma)
            out.extend(f"part:{p}" for p in analysis.parts)
        return out

    def _rule_blocks(
        self, texts: list[str], questions: list[str] | None
    ) -> tuple[np.ndarray, sparse.csr_matrix]:
        """Theme evidence (texts × themes) and weighted entry matches (texts × entries)."""
        scores, matches = self.coder_.score_texts(texts, questions)
        values = self.coder_.weights_[matches.entry] * matches.factor
        entries = sparse.csr_matrix(
            (values, (matches.text_index, matches.entry)), shape=(len(texts), len(self.coder_.entries))
        )
        return scores, entries

    def _features(
        self, texts: list[str], questions: list[str] | None, *, fit: bool
    ) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
        """Features, the rules' theme evidence, and the rules' own 0/1 decision per text and theme."""
        if fit:
            self.vectorizer_ = TfidfVectorizer(analyzer=self._tokens, sublinear_tf=True, min_df=2)
            words = self.vectorizer_.fit_transform(texts)
        else:
            if self.vectorizer_ is None:
                raise RuntimeError("call fit() first")
            words = self.vectorizer_.transform(texts)
        n_themes = len(self.codebook)
        if not self.rule_features:
            empty = np.zeros((len(texts), n_themes))
            return sparse.csr_matrix(words), empty, empty
        if fit:
            self.coder_ = AutoCoder(self.codebook, analyzer=self.analyzer)
            corpus = self.corpus_ if self.corpus_ is not None else texts
            self.coder_.fit_weights(self.coder_.match(corpus), len(corpus))
            asked = self.corpus_questions_ if self.corpus_ is not None else questions
            corpus_scores = self.coder_.score_texts(corpus, asked)[0]
            self.coder_.fit_thresholds(corpus_scores)
            self._calibrate_thresholds(corpus_scores)
        scores, entries = self._rule_blocks(texts, questions)
        decided = ev.coded_mask(scores, self.coder_.thresholds).astype(float)
        blocks = [
            words,
            entries * ENTRY_SCALE,
            sparse.csr_matrix(np.log1p(scores)),
            sparse.csr_matrix(decided),
        ]
        return sparse.hstack(blocks, format="csr"), scores, decided

    # ------------------------------------------------------------------------------------- fit/predict
    def _splits(self, n: int, groups: Sequence[str] | None) -> list[tuple[np.ndarray, np.ndarray]]:
        if groups is not None and len(set(groups)) >= 2:
            splitter = GroupKFold(n_splits=min(self.folds, len(set(groups))))
            return list(splitter.split(np.zeros(n), groups=list(groups)))
        splitter = KFold(n_splits=min(self.folds, n), shuffle=True, random_state=self.seed)
        return list(splitter.split(np.zeros(n)))

    def _model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)

    def fit(
        self,
        texts: Sequence[str],
        labels: pd.DataFrame,
        *,
        groups: Sequence[str] | None = None,
        questions: Sequence[str] | None = None,
        corpus: Sequence[str] | None = None,
        corpus_questions: Sequence[str] | None = None,
    ) -> ThemeLearner:
        """Fit one model per code and choose, per code, its threshold and whether it beats the rules.

        ``labels`` has one 0/1 column per code id, rows aligned with ``texts``; ``groups`` (transcript names)
        make the internal folds grouped; ``questions`` are the interviewer turns before each text; ``corpus``
        (every participant turn of the study, coded or not) is where the rules learn their keyword weights, as
        the rule coder does — by default the coded texts.
        """
        self.corpus_ = list(corpus) if corpus is not None else None
        self.corpus_questions_ = list(corpus_questions) if corpus_questions is not None else None
        texts = list(texts)
        questions = list(questions) if questions is not None else None
        if len(texts) != len(labels):
            raise ValueError("texts and labels must have the same number of rows")
        labels = labels.reset_index(drop=True)
        self.code_ids_ = [c for c in self.codebook.ids if c in labels.columns]
        matrix = np.column_stack(
            [
                labels[c].to_numpy().astype(int) if c in labels.columns else np.zeros(len(texts), int)
                for c in self.codebook.ids
            ]
        )
        present = np.array([c in labels.columns for c in self.codebook.ids])
        self.prevalence_ = np.where(present, matrix.mean(axis=0), np.nan)
        self.positives_ = matrix.sum(axis=0)
        self.n_coded_ = len(texts)
        features, _scores, decided = self._features(texts, questions, fit=True)
        splits = self._splits(len(texts), groups)
        self.similarity_ = None
        if SIMILARITY and self.rule_features:
            self.similarity_ = CodedSimilarity(self._tokens, seed=self.seed).fit(
                texts, matrix, _scores, self.coder_.thresholds, splits, corpus=self.corpus_
            )
        adapted_oof = None
        if ADAPTED_RULES and self.rule_features:
            adapted_oof = self._adapted_out_of_fold(texts, questions, matrix, splits)
        self.models_, self.thresholds_, self.origin_, self.cv_kappa_ = {}, {}, {}, {}
        self.oof_decisions_: dict[str, dict[str, np.ndarray]] = {}
        self.fit_labels_ = matrix
        self.fit_groups_ = list(groups) if groups is not None else list(range(len(texts)))
        for code_id in self.code_ids_:
            theme = self.codebook.ids.index(code_id)
            y = matrix[:, theme]
            self._fit_theme(code_id, y, features, decided[:, theme], splits)
            if adapted_oof is not None:
                self._consider_adapted(code_id, y, adapted_oof[:, theme])
        if self.rule_features:
            self.adapted_ = adapt_rules(
                self.codebook, self.analyzer, texts, questions, matrix, self._token_sets(texts)
            )
        return self

    def _calibrate_thresholds(self, corpus_scores: np.ndarray) -> None:
        """Move each theme's rule threshold towards the one at which the rules code, over the whole corpus,
        the share of turns the coders coded (part of the way, on a log scale; only for themes with enough
        positives).

        A prevalence is the one thing a third of the transcripts estimates well; it corrects a rule coder
        that systematically over- or under-codes a theme without fitting anything to single turns. How far
        the threshold moves grows with the number of hand-coded turns (:data:`CALIBRATION_PRIOR_TURNS`).
        """
        shrink = self.n_coded_ / (self.n_coded_ + CALIBRATION_PRIOR_TURNS)
        base = self.coder_.thresholds.copy()
        steps = np.exp(np.linspace(np.log(CALIBRATION_RANGE[0]), np.log(CALIBRATION_RANGE[1]), 25))
        for theme, share in enumerate(self.prevalence_):
            if np.isnan(share) or self.positives_[theme] < self.min_positive:
                continue
            gaps = []
            for step in steps:
                trial = base.copy()
                trial[theme] = base[theme] * step
                gaps.append(abs(ev.coded_mask(corpus_scores, trial)[:, theme].mean() - share))
            best = steps[int(np.argmin(gaps))]
            self.coder_.thresholds[theme] = base[theme] * best**shrink

    def _token_sets(self, texts: list[str]) -> list[set[str]]:
        return [{t for t in self._tokens(text) if not t.startswith("part:")} for text in texts]

    def _adapted_out_of_fold(
        self,
        texts: list[str],
        questions: list[str] | None,
        matrix: np.ndarray,
        splits: list[tuple[np.ndarray, np.ndarray]],
    ) -> np.ndarray:
        """Decisions of rules adapted on the other folds, for every text (grouped, so honest)."""
        tokens = self._token_sets(texts)
        out = np.zeros_like(matrix)
        for train, test in splits:
            coder = adapt_rules(
                self.codebook,
                self.analyzer,
                [texts[i] for i in train],
                [questions[i] for i in train] if questions is not None else None,
                matrix[train],
                [tokens[i] for i in train],
            )
            scores, _matches = coder.score_texts(
                [texts[i] for i in test], [questions[i] for i in test] if questions is not None else None
            )
            out[test] = ev.coded_mask(scores, coder.thresholds)
        return out

    def _consider_adapted(self, code_id: str, y: np.ndarray, decision: np.ndarray) -> None:
        """Use the adapted rules for a theme when, out of fold, they beat both the rules and the model."""
        kappa = _kappa(y, decision)
        self.cv_kappa_[code_id]["adapted"] = kappa
        self.oof_decisions_[code_id]["adapted"] = decision.astype(int)
        if y.sum() < MIN_POSITIVE_TO_REPLACE:
            return
        best_other = max(self.cv_kappa_[code_id]["rules"] + SWITCH_MARGIN, self.cv_kappa_[code_id]["learned"])
        if self.origin_[code_id] == "rule":
            best_other = self.cv_kappa_[code_id]["rules"] + SWITCH_MARGIN
        if kappa > best_other or (
            kappa >= self.cv_kappa_[code_id]["rules"] + SWITCH_MARGIN and self.origin_[code_id] == "rule"
        ):
            self.models_[code_id] = None
            self.origin_[code_id] = "adapted"

    def _fit_theme(
        self,
        code_id: str,
        y: np.ndarray,
        features: sparse.csr_matrix,
        rule_decision: np.ndarray,
        splits: list[tuple[np.ndarray, np.ndarray]],
    ) -> None:
        """Keep the rules' decision unless the model agrees better with the coder out of fold, by a margin.

        The rules' decision has no parameter fitted to these labels, so its kappa on them is an honest
        estimate; the model's is out of fold, with only its threshold chosen on the same predictions — hence
        the margin (:data:`SWITCH_MARGIN`) before the model replaces the rules.
        """
        rule_kappa = _kappa(y, rule_decision) if self.rule_features else -1.0
        self.oof_decisions_[code_id] = {"rules": rule_decision.astype(int)}
        self.models_[code_id] = None
        self.thresholds_[code_id] = 0.5
        self.origin_[code_id] = "rule" if self.rule_features else "none"
        self.cv_kappa_[code_id] = {"learned": float("nan"), "rules": rule_kappa}
        if y.sum() < self.min_positive or y.sum() == len(y):
            return
        out_of_fold = np.zeros(len(y))
        for train, test in splits:
            if y[train].min() == y[train].max():
                out_of_fold[test] = y[train][0]
                continue
            out_of_fold[test] = (
                self._model().fit(features[train], y[train]).predict_proba(features[test])[:, 1]
            )
        threshold, learned_kappa = best_threshold(y, out_of_fold)
        self.cv_kappa_[code_id]["learned"] = learned_kappa
        self.oof_decisions_[code_id]["learned"] = (out_of_fold >= threshold).astype(int)
        if learned_kappa <= rule_kappa + SWITCH_MARGIN or y.sum() < MIN_POSITIVE_TO_REPLACE:
            return
        self.models_[code_id] = self._model().fit(features, y)
        self.thresholds_[code_id] = threshold
        self.origin_[code_id] = "learned"

    def origin_intervals(self) -> dict[str, tuple[float, float]]:
        """Per code, the 95 % interval of :func:`origin_kappa`'s kappa (the chosen coder's out-of-fold
        decisions against the coded turns), resampling the coded transcripts; NaN with fewer than two."""
        out = {}
        for code, decisions in self.oof_decisions_.items():
            chosen = decisions.get(_cv_key(self.origin_.get(code, "rule")), decisions["rules"])
            labels = self.fit_labels_[:, self.codebook.ids.index(code)]
            (out[code],), _ = kappa_intervals([labels, chosen], self.fit_groups_, labels=[0, 1])
        return out

    def predict_proba(self, texts: Sequence[str], *, questions: Sequence[str] | None = None) -> pd.DataFrame:
        """Per code, a score in [0, 1] that is 0.5 at the code's threshold (a probability where learned;
        the rules' confidence where the rules were kept)."""
        texts = list(texts)
        features, scores, decided = self._features(
            texts, list(questions) if questions is not None else None, fit=False
        )
        if self.similarity_ is not None and self.similarity_.weight_ > 0:
            scores = self.similarity_.adjust(texts, scores, self.coder_.thresholds)
            decided = ev.coded_mask(scores, self.coder_.thresholds).astype(float)
        adapted = None
        if any(o == "adapted" for o in self.origin_.values()):
            adapted_scores, _matches = self.adapted_.score_texts(
                texts, list(questions) if questions is not None else None
            )
            adapted = (adapted_scores, ev.coded_mask(adapted_scores, self.adapted_.thresholds))
        out = {}
        for theme, code_id in enumerate(self.codebook.ids):
            if code_id not in self.code_ids_:
                continue
            if self.origin_[code_id] == "adapted":
                confidence = ev.confidence(adapted[0][:, theme], self.adapted_.thresholds[theme])
                decision = adapted[1][:, theme]
                out[code_id] = np.where(
                    decision > 0, np.maximum(confidence, 0.5), np.minimum(confidence, 0.4999)
                )
                continue
            out[code_id] = self._theme_proba(code_id, features, scores[:, theme], decided[:, theme])
        return pd.DataFrame(out, columns=self.code_ids_)

    def _theme_proba(
        self, code_id: str, features: sparse.csr_matrix, rule_score: np.ndarray, rule_decision: np.ndarray
    ) -> np.ndarray:
        model = self.models_.get(code_id)
        if model is None:
            if self.origin_[code_id] != "rule":
                return np.zeros(features.shape[0])
            # the rules' confidence, kept on the right side of 0.5 for their own decision
            threshold = self.coder_.thresholds[self.codebook.ids.index(code_id)]
            confidence = ev.confidence(rule_score, threshold)
            return np.where(rule_decision > 0, np.maximum(confidence, 0.5), np.minimum(confidence, 0.4999))
        raw = model.predict_proba(features)[:, 1]
        threshold = self.thresholds_[code_id]
        # piecewise-linear rescaling so that the theme's threshold sits at 0.5
        return np.where(
            raw >= threshold,
            0.5 + 0.5 * (raw - threshold) / max(1 - threshold, 1e-9),
            0.5 * raw / max(threshold, 1e-9),
        )

    def predict(self, texts: Sequence[str], *, questions: Sequence[str] | None = None) -> pd.DataFrame:
        """0/1 code suggestions per text (each code at its own threshold)."""
        return (self.predict_proba(texts, questions=questions) >= 0.5).astype(int)

    # ------------------------------------------------------------------------------------- evaluation
    def cross_validate(
        self,
        texts: Sequence[str],
        labels: pd.DataFrame,
        groups: Sequence[str] | None = None,
        questions: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Cross-validated agreement with the human coder per code (kappa, precision, recall, F1, origin).

        Folds are grouped by ``groups`` (transcript names) when there are at least two; every fold refits
        everything, thresholds and the rules-or-model choice included (nested inside the fold).
        ``kappa_low`` and ``kappa_high`` bound the kappa (95 %, resampling the transcripts of ``groups``, or
        turns without them; :mod:`toolkit.coding.kappa_interval`): from four hand-coded interviews a code's
        kappa is rarely known to better than ±0.2.
        """
        texts = list(texts)
        labels = labels.reset_index(drop=True)
        n = len(texts)
        splits = self._splits(n, groups)
        scheme = "grouped by transcript" if groups is not None and len(set(groups)) >= 2 else "turns"
        codes = [c for c in self.codebook.ids if c in labels.columns]
        predicted = pd.DataFrame(0, index=range(n), columns=codes)
        origins: dict[str, list[str]] = {c: [] for c in codes}
        for train, test in splits:
            fold = self._clone()
            fold.fit(
                [texts[i] for i in train],
                labels.iloc[train],
                groups=[groups[i] for i in train] if groups is not None else None,
                questions=[questions[i] for i in train] if questions is not None else None,
            )
            test_questions = [questions[i] for i in test] if questions is not None else None
            predicted.iloc[test] = fold.predict([texts[i] for i in test], questions=test_questions).to_numpy()
            for c in codes:
                origins[c].append(fold.origin_[c])
        self.cv_predictions_ = predicted
        table = pd.DataFrame(
            [_agreement_row(c, labels[c], predicted[c], self.min_positive, origins[c]) for c in codes]
        )
        intervals, _ = kappa_intervals(
            [labels[codes].to_numpy().astype(int), predicted.to_numpy().astype(int)],
            list(groups) if groups is not None else list(range(n)),
            labels=[0, 1],
        )
        return with_interval_columns(table, intervals).assign(cv=f"{len(splits)}-fold, {scheme}")

    def _clone(self) -> ThemeLearner:
        return ThemeLearner(
            self.codebook,
            analyzer=self.analyzer,
            rule_features=self.rule_features,
            C=self.C,
            min_positive=self.min_positive,
            folds=self.folds,
            seed=self.seed,
        )

    def uncertainty_queue(
        self, units: pd.DataFrame, n: int | None = 20, *, questions: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Uncoded units, most unsure first (closest to a threshold), with the suggested codes."""
        columns = ["source", "turn_index", "uncertainty", "suggested", "text"]
        if units.empty:
            return pd.DataFrame(columns=columns)
        proba = self.predict_proba(units["text"].tolist(), questions=questions)
        unsure = uncertainty(proba)
        suggested = [", ".join(c for c in proba.columns if row[c] >= 0.5) for _, row in proba.iterrows()]
        queue = pd.DataFrame(
            {
                "source": units["source"].to_numpy(),
                "turn_index": units["turn_index"].to_numpy(),
                "uncertainty": unsure.to_numpy(),
                "suggested": suggested,
                "text": units["text"].to_numpy(),
            }
        ).sort_values(["uncertainty", "source", "turn_index"], ascending=[False, True, True], kind="stable")
        return queue.head(n).reset_index(drop=True) if n else queue.reset_index(drop=True)


CHECK_MORE = "usable; check more of it"
"""Start of the advice for a trusted code whose agreement interval reaches below the bar."""


def theme_trust(cv: pd.DataFrame, *, min_kappa: float = TRUST_KAPPA) -> pd.DataFrame:
    """``cv`` (:meth:`ThemeLearner.cross_validate`) with ``trusted`` (bool) and ``advice`` per theme.

    A theme is trusted when its cross-validated kappa is at least ``min_kappa``; otherwise, or where the
    kappa cannot be measured (nobody coded the theme in the hand-coded part), the advice is to code it by
    hand, saying why. Why a verdict and not only the number: a research team reading a table of twelve kappas
    needs to know which of the machine's codes it may use and which it must do itself (human review where the
    model cannot be trusted). Themes with few hand-coded positives are judged by their kappa too: requiring a
    minimum count as well flagged more themes and predicted the rest's kappa worse on the tuning sets. With
    ``kappa_low`` and ``kappa_high`` in ``cv`` (as :meth:`ThemeLearner.cross_validate` gives them), a trusted
    theme whose interval reaches below ``min_kappa`` is advised to be checked more than spot-checked."""
    if not 0 <= min_kappa <= 1:
        raise ValueError("min_kappa must be between 0 and 1")
    kappa = cv["kappa"].astype(float)
    trusted = np.array([is_trusted(k, min_kappa) for k in kappa], dtype=bool)
    low = cv["kappa_low"].astype(float) if "kappa_low" in cv.columns else pd.Series(np.nan, index=cv.index)
    high = cv["kappa_high"].astype(float) if "kappa_high" in cv.columns else low
    advice = [
        _advice(bool(ok), int(n), float(k), min_kappa, (float(lo), float(hi)))
        for ok, n, k, lo, hi in zip(trusted, cv["n_positive"], kappa, low, high, strict=True)
    ]
    return cv.assign(trusted=trusted, advice=advice)


def is_trusted(kappa: float | None, min_kappa: float = TRUST_KAPPA) -> bool:
    """The one rule for "the machine may be trusted with this code": a measured kappa of at least
    ``min_kappa`` (None or NaN — not measurable — is not trusted). :func:`theme_trust` and the coding view
    both ask it."""
    return kappa is not None and not np.isnan(kappa) and kappa >= min_kappa


def origin_kappa(cv_kappa: dict[str, dict[str, float]], origin: dict[str, str]) -> dict[str, float]:
    """Per code, the out-of-fold kappa (inside :meth:`ThemeLearner.fit`) of the coder it chose: the rules',
    the model's or the adapted rules' (``cv_kappa_`` and ``origin_`` of a fitted learner). Cheaper than
    :meth:`ThemeLearner.cross_validate` (no refit per fold) and a little optimistic where a model was chosen
    on it; the coding view uses it to name the codes to code by hand after each refit."""
    return {
        code: float(kappas.get(_cv_key(origin.get(code, "rule")), float("nan")))
        for code, kappas in cv_kappa.items()
    }


def _cv_key(origin: str) -> str:
    """The key under which ``cv_kappa_`` and ``oof_decisions_`` hold the coder of an ``origin_`` value."""
    return {"rule": "rules", "learned": "learned", "adapted": "adapted"}.get(origin, "rules")


def needs_more_checking(kappa: float | None, low: float | None, min_kappa: float = TRUST_KAPPA) -> bool:
    """The one rule for "usable; check more of it": a trusted code (:func:`is_trusted`) whose kappa's interval
    reaches below ``min_kappa``. :func:`theme_trust` and the coding view both ask it."""
    return is_trusted(kappa, min_kappa) and low is not None and not np.isnan(low) and low < min_kappa


def _advice(
    trusted: bool, n_positive: int, kappa: float, min_kappa: float, interval: tuple[float, float]
) -> str:
    """The advice column. A trusted code whose interval reaches below ``min_kappa`` is "usable; check more
    of it": on the tuning sets such codes agreed at 0.62 on the transcripts not coded (12 % below 0.4),
    those whose interval stays above at 0.68 (3 %), the untrusted at 0.48 (33 %)."""
    low, high = interval
    if needs_more_checking(kappa, low, min_kappa):
        interval_text = f"95 % interval {low:.2f}–{high:.2f}"
        return f"{CHECK_MORE}: kappa {kappa:.2f}, {interval_text} reaches below {min_kappa:.2f}"
    if trusted:
        return "usable; spot-check"
    if np.isnan(kappa):
        return f"code by hand: agreement not measurable ({n_positive} hand-coded turns with the code)"
    return f"code by hand: cross-validated kappa {kappa:.2f} < {min_kappa:.2f}"


def uncertainty(proba: pd.DataFrame) -> pd.Series:
    """How unsure the learner is about each row: ``1 - |2p - 1|`` of the code closest to its threshold
    (every code's score is 0.5 at its threshold), 0 with no codes.

    The one definition of uncertainty sampling, shared by :meth:`ThemeLearner.uncertainty_queue` (the
    ``coding_queue.csv`` of ``pdtk autocode``) and the coding view of the review app, which re-ranks its queue
    with it after every refit."""
    if not len(proba.columns):
        return pd.Series(0.0, index=proba.index)
    return (1 - (2 * proba - 1).abs()).max(axis=1)


def _agreement_row(code_id: str, y: pd.Series, p: pd.Series, min_positive: int, origins: list[str]) -> dict:
    y_values, p_values = y.to_numpy().astype(int), p.to_numpy().astype(int)
    defined = len(set(y_values) | set(p_values)) > 1
    return {
        "code_id": code_id,
        "n_positive": int(y_values.sum()),
        "learned": bool(y_values.sum() >= min_positive),
        "origin": "/".join(sorted(set(origins))),
        "kappa": float(cohen_kappa_score(y_values, p_values)) if defined else float("nan"),
        "precision": float(precision_score(y_values, p_values, zero_division=0)),
        "recall": float(recall_score(y_values, p_values, zero_division=0)),
        "f1": float(f1_score(y_values, p_values, zero_division=0)),
    }
