"""Theme discovery: candidate themes not in the codebook, and multi-word keywords to add to it.

* **NMF on lemma TF-IDF** (scikit-learn): non-negative matrix factorisation of the turns × lemmas matrix gives
  topics as weighted lemma lists; a topic whose top lemmas are mostly *not* codebook keywords is proposed as a
  candidate theme. NMF rather than LDA because on short turns and small corpora it gives more coherent topics.
* **Collocations** (nltk): lemma bigrams that occur together more than chance (likelihood ratio), which are
  not yet keywords, are proposed as multi-word keywords ("individuell plan", "trygg voksen").

Both are suggestions for the researcher; nothing here changes a codebook.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from toolkit.coding.codebook import Codebook
from toolkit.language import NorwegianAnalyzer, get_analyzer, stop_words


def _lemma_tokens(analyzer: NorwegianAnalyzer, text: str) -> list[str]:
    stop = stop_words()
    return [
        lemma
        for lemma in analyzer.lemmas(text)
        if lemma not in stop and len(lemma) > 2 and not lemma.isdigit()
    ]


def _keyword_lemmas(codebook: Codebook) -> set[str]:
    out: set[str] = set()
    for code in codebook:
        for keyword in code.keywords:
            out.update(keyword.lower().split())
    return out


def discover_themes(
    texts: list[str],
    codebook: Codebook,
    *,
    n_topics: int = 8,
    n_terms: int = 8,
    analyzer: NorwegianAnalyzer | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """NMF topics over lemma TF-IDF: ``topic, top_terms, weight, share_keywords, candidate, closest_code``.

    ``candidate`` is True when fewer than a third of the topic's top terms are codebook keywords — a
    theme the codebook may be missing. ``closest_code`` is the code sharing most top terms.
    """
    # imported here, not with the module: scikit-learn takes ~0.7 s to import, and ``pdtk autocode`` imports
    # this module before it starts the actor extraction in a second process, which then starts that much later
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = analyzer or get_analyzer()
    texts = [t for t in texts if t and t.strip()]
    columns = ["topic", "top_terms", "weight", "share_keywords", "candidate", "closest_code"]
    if len(texts) < 3:
        return pd.DataFrame(columns=columns)
    vectorizer = TfidfVectorizer(
        analyzer=lambda t: _lemma_tokens(analyzer, t), min_df=2 if len(texts) >= 20 else 1, sublinear_tf=True
    )
    matrix = vectorizer.fit_transform(texts)
    if matrix.shape[1] < 2:
        return pd.DataFrame(columns=columns)
    n_topics = max(1, min(n_topics, matrix.shape[0] - 1, matrix.shape[1] - 1))
    model = NMF(n_components=n_topics, init="nndsvd", random_state=seed, max_iter=500)
    with warnings.catch_warnings():
        # On a dozen interviews NMF often stops at max_iter; the candidates are suggestions for a human to
        # read,
        # not estimates, so the warning would only alarm NAV staff running the CLI.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    terms = np.array(vectorizer.get_feature_names_out())
    keyword_lemmas = _keyword_lemmas(codebook)
    code_terms = {c.id: {w for k in c.keywords for w in k.lower().split()} for c in codebook}
    rows = []
    for topic, component in enumerate(model.components_):
        top = terms[np.argsort(component)[::-1][:n_terms]].tolist()
        share = sum(t in keyword_lemmas for t in top) / len(top)
        overlap = {cid: len(set(top) & words) for cid, words in code_terms.items()}
        best = max(overlap, key=overlap.get) if overlap and max(overlap.values()) > 0 else ""
        rows.append(
            {
                "topic": topic + 1,
                "top_terms": ", ".join(top),
                "weight": float(weights[:, topic].sum() / max(weights.sum(), 1e-12)),
                "share_keywords": share,
                "candidate": share < 1 / 3,
                "closest_code": best,
            }
        )
    return pd.DataFrame(rows, columns=columns).sort_values("weight", ascending=False).reset_index(drop=True)


def suggest_collocations(
    texts: list[str],
    codebook: Codebook,
    *,
    n: int = 20,
    min_count: int = 2,
    analyzer: NorwegianAnalyzer | None = None,
) -> pd.DataFrame:
    """Lemma bigrams that are collocations (nltk likelihood ratio) and not yet keywords: ``bigram, count,
    score``."""
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    analyzer = analyzer or get_analyzer()
    stop = stop_words()
    sequences = [analyzer.lemmas(t) for t in texts]
    finder = BigramCollocationFinder.from_documents(sequences)
    finder.apply_freq_filter(min_count)
    finder.apply_word_filter(lambda w: w in stop or len(w) < 3 or w.isdigit())
    existing = {k.lower() for c in codebook for k in c.keywords}
    scored = finder.score_ngrams(BigramAssocMeasures().likelihood_ratio)
    rows = []
    for (first, second), score in scored:
        bigram = f"{first} {second}"
        if bigram in existing:
            continue
        rows.append({"bigram": bigram, "count": int(finder.ngram_fd[(first, second)]), "score": float(score)})
        if len(rows) >= n:
            break
    return pd.DataFrame(rows, columns=["bigram", "count", "score"])
