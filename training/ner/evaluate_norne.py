"""Score de-identification and the NER model on NorNE dev (Bokmål and Nynorsk separately).

Two kinds of figure, as issue 12 defines them:

* **De-identification, type-agnostic** (the whole pipeline: rules + model + consistency): a gold entity is found
  when every non-space character of it lies inside a replaced span, whatever type the tool gave. Groups: persons,
  LOC + GPE_LOC, ORG + GPE_ORG, all types. Also the share of person-name *words* left visible in the output, and
  precision as the share of replaced characters that lie inside a gold entity or belong to the tool's own
  number/date/age/address types (NorNE does not annotate those).
* **Typed NER F1** of the model alone with spaCy's scorer, comparable with ``nb_core_news_sm``'s published 0.75.

Documents: consecutive sentences are joined into documents of ``--doc-sentences`` sentences (NorNE keeps
document order), so the per-document consistency pass works as it does on a transcript.

Usage::

    python training/ner/evaluate_norne.py ../shared/corpora/norne [--model DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prepare_norne import Sentence, read_conllu  # noqa: E402

GROUPS = {
    "persons": {"PER"},
    "places": {"LOC", "GPE_LOC"},
    "organisations": {"ORG", "GPE_ORG"},
    "all": {"PER", "LOC", "GPE_LOC", "ORG", "GPE_ORG", "PROD", "EVT", "DRV", "MISC"},
}
OWN_TYPES = {"DATO", "ALDER", "FNR", "TELEFON", "EPOST", "ID", "ADRESSE"}


def documents(sentences: list[Sentence], size: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Join sentences into texts; gold entities as (start, end, label) character offsets."""
    docs = []
    for i in range(0, len(sentences), size):
        text, gold = "", []
        for sentence in sentences[i : i + size]:
            start_entity = None
            label = ""
            for word, space, tag in zip(sentence.words, sentence.spaces, sentence.tags, strict=True):
                if start_entity is not None and not tag.startswith("I-"):
                    gold.append((start_entity, end_entity, label))
                    start_entity = None
                if tag.startswith("B-") or (tag.startswith("I-") and start_entity is None):
                    start_entity, label = len(text), tag[2:]
                end_entity = len(text) + len(word)
                text += word + (" " if space else "")
            if start_entity is not None:
                gold.append((start_entity, end_entity, label))
            text = text.rstrip() + "\n"
        docs.append((text, gold))
    return docs


def score(docs, predicted: list[list[dict]]) -> dict:
    found = {g: [0, 0] for g in GROUPS}
    person_words = [0, 0]
    chars_reported, chars_ok = 0, 0
    for (text, gold), spans in zip(docs, predicted, strict=True):
        covered = np.zeros(len(text), dtype=bool)
        own = np.zeros(len(text), dtype=bool)
        for s in spans:
            covered[s["start"] : s["end"]] = True
            if s["type"] in OWN_TYPES:
                own[s["start"] : s["end"]] = True
        in_gold = np.zeros(len(text), dtype=bool)
        is_space = np.array([c.isspace() for c in text])
        for start, end, label in gold:
            in_gold[start:end] = True
            hit = bool(np.all(covered[start:end] | is_space[start:end]))
            for group, labels in GROUPS.items():
                if label in labels:
                    found[group][0] += hit
                    found[group][1] += 1
            if label == "PER":
                for word_start, word_end in _word_bounds(text, start, end):
                    person_words[1] += 1
                    person_words[0] += not covered[word_start:word_end].all()
        reported = covered & ~is_space
        chars_reported += int(reported.sum())
        chars_ok += int((reported & (in_gold | own)).sum())
    out = {f"recall_{g}": hit / total for g, (hit, total) in found.items() if total}
    out |= {f"n_{g}": total for g, (_hit, total) in found.items()}
    out["person_words_left"] = person_words[0] / max(person_words[1], 1)
    out["char_precision"] = chars_ok / max(chars_reported, 1)
    return out


def _word_bounds(text: str, start: int, end: int):
    pos = start
    for word in text[start:end].split():
        pos = text.index(word, pos)
        yield pos, pos + len(word)
        pos += len(word)


def typed_f1(model: str, sentences: list[Sentence]) -> dict:
    """spaCy's own NER scorer on the model alone (labels as in NorNE, MISC dropped as in training)."""
    import spacy
    from spacy.tokens import Doc
    from spacy.training import Example, biluo_tags_to_spans, iob_to_biluo

    nlp = spacy.load(model)
    examples = []
    for s in sentences:
        reference = Doc(nlp.vocab, words=s.words, spaces=s.spaces)
        reference.ents = biluo_tags_to_spans(reference, iob_to_biluo(s.tags))
        examples.append(Example(nlp.make_doc(reference.text), reference))
    scores = nlp.evaluate(examples)
    per_type = {k: round(v["f"], 4) for k, v in (scores.get("ents_per_type") or {}).items()}
    return {"ents_f": scores["ents_f"], "ents_p": scores["ents_p"], "ents_r": scores["ents_r"], "per_type_f": per_type}


def run(corpus: Path, model: str | None, doc_sentences: int, engine: str) -> dict:
    from toolkit.deidentify import Deidentifier

    deid = Deidentifier(engine=engine, spacy_model=model if model else None)
    results = {}
    for lang, stem in (("nob", "no_bokmaal"), ("nno", "no_nynorsk")):
        sentences = read_conllu(corpus / lang / f"{stem}-norne-dev.conllu")
        docs = documents(sentences, doc_sentences)
        started = time.perf_counter()
        predicted = [deid.deidentify(text)[1] for text, _gold in docs]
        seconds = time.perf_counter() - started
        words = sum(len(text.split()) for text, _ in docs)
        results[lang] = score(docs, predicted) | {"words_per_second": round(words / seconds)}
        if model:
            results[lang]["typed_ner"] = typed_f1(model, sentences)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--model", default="auto", help="'auto' (shipped), 'none' (rules only), or a folder")
    parser.add_argument("--doc-sentences", type=int, default=30)
    parser.add_argument("--engine", default="direct", choices=["direct", "presidio"])
    parser.add_argument("--json", type=Path, help="write the scores here")
    args = parser.parse_args()
    from toolkit.deidentify.ner import resolve_model

    model = resolve_model(None if args.model == "none" else args.model)
    results = run(args.corpus, model, args.doc_sentences, args.engine)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
