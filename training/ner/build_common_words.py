"""Build ``toolkit/deidentify/data/common_words.txt.gz``: Norwegian word forms that are ordinary words.

Why: the NER model learned from edited news that a capitalised word is often a name; in transcripts every turn
starts with a capital ("Mamma sa …", "Bra.", "Sjefen min …"). A model span at a sentence start (or in
all-lower-case text) made only of ordinary words is dropped (see ``ner.NerRecognizer``); a capital in mid-sentence
still counts. Loading spaCy's lookup tables at run time takes ~3.5 s, so the forms are extracted once here.

Sources (both installed dependencies, no download): Norsk Ordbank's Bokmål full-form lists as shipped in
``spacy-lookups-data`` (``nb`` lemma exception tables, ~590,000 forms), and simplemma's Bokmål and Nynorsk
dictionaries. Forms that are also first names, surnames or place names in the de-identification gazetteers are
removed (``Bjørn``, ``Liv``, ``Moss`` stay names).

    python training/ner/build_common_words.py
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
OUT = REPO / "toolkit" / "deidentify" / "data" / "common_words.txt.gz"
_WORD = re.compile(r"^[a-zæøåéèüöä][a-zæøåéèüöä-]*$")


def ordbank_forms() -> set[str]:
    from spacy.lookups import load_lookups

    tables = load_lookups("nb", ["lemma_exc"]).get_table("lemma_exc")
    forms: set[str] = set()
    for table in tables.values():
        forms.update(table.keys())
        for lemmas in table.values():
            forms.update(lemmas)
    return forms


def simplemma_forms() -> set[str]:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    factory = DefaultDictionaryFactory()
    forms: set[str] = set()
    for lang in ("nb", "nn"):
        dictionary = factory.get_dictionary(lang)
        for key in dictionary._dict:  # the mapping's raw keys (bytes); its public view decodes one at a time
            forms.add(key.decode() if isinstance(key, bytes) else key)
    return forms


def names() -> set[str]:
    from toolkit.deidentify.gazetteers import load_gazetteers

    g = load_gazetteers()
    out = set(g.first_names) | set(g.surnames) | {p.lower() for p in g.places} | {c.lower() for c in g.countries}
    return out


def main() -> None:
    forms = {f.lower() for f in ordbank_forms() | simplemma_forms()}
    words = sorted(f for f in forms if len(f) >= 2 and _WORD.match(f)) if forms else []
    kept = [w for w in words if w not in names()]
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write("# Ordinary Norwegian word forms (Norsk Ordbank via spacy-lookups-data; simplemma nb/nn),\n")
        handle.write("# less the gazetteers' names. Built by training/ner/build_common_words.py.\n")
        handle.write("\n".join(kept) + "\n")
    print(f"{len(kept):,} forms → {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
