"""Would a model learned across other teams' coding beat the rule coder and the learner? (issue 14)

    .venv/bin/python bench/eval_coding_transfer.py          # both experiments, ~2 minutes

Why this script: the rule coder's constants were chosen on the tuning sets, and the learner fits per theme on
the hand-coded third only. A third route is a model that learns, across the tuning sets (codebooks and coders
that are not the study's), how rule evidence relates to a coder's decision — features that mean the same in
every codebook (evidence over the theme's threshold, whether the theme is the turn's main one, its share of the
turn's evidence, the question's part, matched entries, the neighbouring turns' evidence, the theme's corpus
percentile) — and, with a third hand-coded, how much to trust the third's own signals (the Rocchio similarity
z-score, the nearest coded turns, the theme's coded prevalence, the rules' precision and recall on the third,
and the learner's own probability). Each tuning set is held out in turn: the logistic regression is fitted on
the others, its decision threshold chosen on inner held-out sets, and it is scored on the held-out set against
the rules (experiment 1) and against the rules and :class:`~toolkit.coding.learn.ThemeLearner` on the same
two thirds (experiment 2). Only the tuning sets are read (``bench/set_roles.py``); the report-only sets never.

Result on 2026-12-05 (kept as the reason neither was shipped; mean held-out kappa over the eight tuning sets,
55 s): experiment 1, rules 0.598, re-scored 0.592 (set10 +0.03, set11 +0.02; set1 −0.06, set7 −0.05);
experiment 2, rules 0.596, learner 0.610, cross-set model 0.606 (set10, set12 +0.03 and set4 +0.02 over the
learner; set1, the project set −0.03, set7 −0.02). The rule evidence already carries what these features
say; what the coders code without the codebook's words is not in them. (An earlier, wider grid — gradient
boosting, other feature subsets, prevalence-matched decisions — gave the same picture: 0.582–0.596 and
0.608–0.611.)
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from set_roles import coding_sets  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler, normalize  # noqa: E402

from toolkit.coding import evidence as ev  # noqa: E402
from toolkit.coding.autocode import AutoCoder  # noqa: E402
from toolkit.coding.evaluate import CodingSet, learner_on, load_coding_set, transcript_thirds  # noqa: E402
from toolkit.coding.learn import ThemeLearner  # noqa: E402
from toolkit.coding.similarity import CodedSimilarity, mean_kappa  # noqa: E402

THRESHOLDS = tuple(np.round(np.arange(0.2, 0.625, 0.025), 3))
THIRD_FEATURES = ("z", "knn_max", "knn_top3", "prevalence", "precision", "recall", "learner")


def neighbour(values: np.ndarray, sources: np.ndarray, step: int) -> np.ndarray:
    """``values`` of the previous (``step`` −1) or next (+1) turn of the same transcript, 0 at the edges."""
    out = np.zeros_like(values)
    same = sources[1:] == sources[:-1]
    if step < 0:
        out[1:][same] = values[:-1][same]
    else:
        out[:-1][same] = values[1:][same]
    return out


def rule_features(data: CodingSet) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per unit × theme, features of the rule evidence that mean the same in any codebook; the rules' 0/1."""
    coder = AutoCoder(data.codebook)
    units, scores, matches = coder.unit_scores(data.segments)
    n, k = scores.shape
    raw = coder.raw_scores(matches, n)
    ratio = scores / coder.thresholds[None, :]
    coded = ev.coded_mask(scores, coder.thresholds)
    total = scores.sum(axis=1, keepdims=True)
    entries, strongest = np.zeros((n, k)), np.zeros((n, k))
    if len(matches.entry):
        themes = coder.entry_theme[matches.entry]
        np.add.at(entries, (matches.text_index, themes), 1)
        np.maximum.at(strongest, (matches.text_index, themes), coder.weights_[matches.entry] * matches.factor)
    sources = units["source"].to_numpy()
    features = {
        "ratio": np.log1p(ratio),
        "own_ratio": np.log1p(raw / coder.thresholds[None, :]),
        "coded": coded.astype(float),
        "main": ((scores == scores.max(axis=1, keepdims=True)) & (scores > 0)).astype(float),
        "share": np.where(total > 0, scores / np.maximum(total, 1e-12), 0.0),
        "entries": np.log1p(entries),
        "strongest": strongest,
        "percentile": pd.DataFrame(scores).rank(pct=True).to_numpy(),
        "previous": np.log1p(neighbour(ratio, sources, -1)),
        "next": np.log1p(neighbour(ratio, sources, 1)),
    }
    return features, coded


def third_features(data: CodingSet, train: np.ndarray, coded: np.ndarray) -> dict[str, np.ndarray]:
    """Per unit × theme, what the hand-coded third (``train``) says: similarity, prevalence, rule reliability,
    and the learner's probability."""
    texts, gold = data.units["text"].tolist(), data.gold.to_numpy()
    n, k = gold.shape
    learner = learner_on(data, train, seed=0)
    similarity = CodedSimilarity(learner._tokens)
    similarity.vectorizer_ = _vectorizer(learner)
    similarity.reference_ = similarity._vectorise(texts, fit=True)
    matrix = similarity._vectorise(texts, fit=False)
    z = np.clip(similarity._z(matrix, similarity._directions(matrix[train], gold[train])), -5, 10)
    cosine = (normalize(matrix) @ normalize(matrix[train]).T).toarray()
    nearest, top3 = np.zeros((n, k)), np.zeros((n, k))
    for theme in range(k):
        positive = gold[train][:, theme] > 0
        if positive.any():
            ranked = -np.sort(-cosine[:, positive], axis=1)
            nearest[:, theme], top3[:, theme] = ranked[:, 0], ranked[:, :3].mean(axis=1)
    hits = (coded[train] & (gold[train] > 0)).sum(axis=0)
    proba = learner.predict_proba(texts, questions=data.questions).reindex(columns=data.codebook.ids)
    row = np.ones((n, 1))
    return {
        "z": z,
        "knn_max": nearest,
        "knn_top3": top3,
        "prevalence": row * gold[train].mean(axis=0),
        "precision": row * (hits + 1) / (coded[train].sum(axis=0) + 2),
        "recall": row * (hits + 1) / (gold[train].sum(axis=0) + 2),
        "learner": proba.fillna(0.0).to_numpy(),
    }


def _vectorizer(learner: ThemeLearner) -> object:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=learner._tokens, sublinear_tf=True, min_df=2)


def as_frame(features: dict[str, np.ndarray], rows: np.ndarray) -> pd.DataFrame:
    """The (unit, theme) pairs of the units in ``rows`` as one feature table (unit-major)."""
    return pd.DataFrame({name: values[rows].ravel() for name, values in features.items()})


def model() -> object:
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))


def held_out(cases: dict[str, list[tuple[pd.DataFrame, np.ndarray]]], held: str) -> float:
    """Mean kappa on ``held`` of the model fitted on the other sets (threshold chosen on inner hold-outs)."""
    train = [name for name in cases if name != held]

    def fit(names: list[str]) -> object:
        frames = [frame for name in names for frame, _gold in cases[name]]
        labels = np.concatenate([gold.ravel() for name in names for _frame, gold in cases[name]])
        return model().fit(pd.concat(frames), labels)

    def kappa(fitted: object, name: str, threshold: float) -> float:
        scores = []
        for frame, gold in cases[name]:
            proba = fitted.predict_proba(frame)[:, 1].reshape(gold.shape)
            scores.append(mean_kappa(gold, (proba >= threshold).astype(int)))
        return float(np.mean(scores))

    inner = {name: fit([other for other in train if other != name]) for name in train[::2]}
    best = max(THRESHOLDS, key=lambda t: np.mean([kappa(m, name, t) for name, m in inner.items()]))
    return kappa(fit(train), held, best)


def main() -> int:
    warnings.filterwarnings("ignore", category=FutureWarning)
    folders = [ROOT / "tests" / "data" / "coding", *coding_sets(report=False)]
    whole: dict[str, list[tuple[pd.DataFrame, np.ndarray]]] = {}
    thirds: dict[str, list[tuple[pd.DataFrame, np.ndarray]]] = {}
    baseline: dict[str, dict[str, float]] = {}
    for folder in folders:
        data = load_coding_set(folder)
        features, coded = rule_features(data)
        gold = data.gold.to_numpy()
        everything = np.ones(len(gold), dtype=bool)
        whole[data.name] = [(as_frame(features, everything), gold)]
        thirds[data.name], rules, learned = [], [], []
        for third in transcript_thirds(data.units["source"].tolist(), 0):
            train = data.units["source"].isin(third).to_numpy()
            extra = third_features(data, train, coded)
            thirds[data.name].append((as_frame({**features, **extra}, ~train), gold[~train]))
            rules.append(mean_kappa(gold[~train], coded[~train].astype(int)))
            learned.append(mean_kappa(gold[~train], (extra["learner"][~train] >= 0.5).astype(int)))
        baseline[data.name] = {
            "rules": mean_kappa(gold, coded.astype(int)),
            "rules_two_thirds": float(np.mean(rules)),
            "learner_two_thirds": float(np.mean(learned)),
        }
        print(f"features of {data.name} ready", flush=True)
    table = pd.DataFrame(baseline).T
    table["rescored"] = [held_out(whole, name) for name in table.index]
    table["cross_set_third"] = [held_out(thirds, name) for name in table.index]
    table.loc["mean"] = table.mean()
    print(table[["rules", "rescored", "rules_two_thirds", "learner_two_thirds", "cross_set_third"]].round(3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
