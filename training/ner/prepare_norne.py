"""Turn NorNE (CoNLL-U) into spaCy DocBin files, with transcript-style augmentation.

Why augment: NorNE is edited prose (news, blogs, parliament). Interview transcripts are lower-case in places,
lack punctuation, carry speaker labels, dialect and names from many origins. A model trained on NorNE alone
leans on capital letters and punctuation; the copies below take those crutches away for part of the data and
widen the names it has seen. Each switch can be turned off (``--no-AUG``) so its effect can be measured.

Licence: NorNE's sentences may not be republished. This script only writes ``.spacy`` files into the build
folder given on the command line (git-ignored); the repository never holds the sentences.

Usage::

    python training/ner/prepare_norne.py ../shared/corpora/norne build/ner [--no-lower] [--no-swap] ...
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import biluo_tags_to_spans, iob_to_biluo

PUNCT = set(".,;:!?«»\"'()[]-–—…/")
DATA = Path(__file__).resolve().parents[2] / "toolkit" / "deidentify" / "data"


@dataclass
class Sentence:
    """One CoNLL-U sentence: tokens, whether a space follows each, and BIO tags (NorNE labels)."""

    words: list[str]
    spaces: list[bool]
    tags: list[str]


def read_conllu(path: Path) -> list[Sentence]:
    """Read tokens, SpaceAfter and the ``name=`` BIO tag of every sentence (multi-word lines skipped)."""
    sentences: list[Sentence] = []
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if words:
                sentences.append(Sentence(words, spaces, tags))
            words, spaces, tags = [], [], []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        misc = dict(item.split("=", 1) for item in cols[9].split("|") if "=" in item)
        words.append(cols[1])
        spaces.append(misc.get("SpaceAfter") != "No")
        tag = misc.get("name", "O")
        tags.append("O" if tag.endswith("MISC") else tag)
    if words:
        sentences.append(Sentence(words, spaces, tags))
    return sentences


def _gazetteer(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split(";")[-1].strip() for line in lines if line.strip() and not line.startswith("#")]


class Augmenter:
    """Makes transcript-like copies of NorNE sentences and a few spoken-style frames with swapped names."""

    def __init__(self, seed: int, lower: float, unpunct: float, swap: float, frames: int):
        self.rng = random.Random(seed)
        self.lower, self.unpunct, self.swap, self.frames = lower, unpunct, swap, frames
        self.first = _gazetteer("first_names.txt")
        self.last = _gazetteer("surnames.txt")
        self.places = _gazetteer("places.txt") + _gazetteer("municipalities.txt")

    def copies(self, sentence: Sentence) -> list[Sentence]:
        out: list[Sentence] = []
        has_name = any(t != "O" for t in sentence.tags)
        if self.swap and has_name and self.rng.random() < self.swap:
            out.append(self._swap_names(sentence))
        if self.rng.random() < self.lower:
            out.append(_lowercase(sentence))
        if self.rng.random() < self.unpunct:
            out.append(_lowercase(_unpunctuate(sentence)))
        return out

    def _name(self) -> list[str]:
        first = self.rng.choice(self.first)
        if self.rng.random() < 0.5:
            return [first]
        return [first, self.rng.choice(self.last)]

    def _swap_names(self, sentence: Sentence) -> Sentence:
        """Replace each PER (and GPE_LOC) entity by a gazetteer name, keeping the tags aligned."""
        words, spaces, tags = [], [], []
        i = 0
        while i < len(sentence.words):
            tag = sentence.tags[i]
            label = tag[2:] if tag != "O" else ""
            if tag.startswith("B-") and label in {"PER", "GPE_LOC"}:
                j = i + 1
                while j < len(sentence.words) and sentence.tags[j] == f"I-{label}":
                    j += 1
                new = self._name() if label == "PER" else self.rng.choice(self.places).split()
                words += new
                spaces += [True] * (len(new) - 1) + [sentence.spaces[j - 1]]
                tags += [f"B-{label}"] + [f"I-{label}"] * (len(new) - 1)
                i = j
                continue
            words.append(sentence.words[i])
            spaces.append(sentence.spaces[i])
            tags.append(tag)
            i += 1
        return Sentence(words, spaces, tags)

    def spoken_frames(self) -> list[Sentence]:
        """Short interview-style turns built from gazetteers: speaker label, lower-case, no full stop."""
        frames = [
            ("jeg heter {PER}", 0.6),
            ("{PER} sa at jeg kunne komme tilbake", 0.5),
            ("han {PER} i NAV hjalp meg mye", 0.7),
            ("vi flytta til {GPE_LOC} da jeg var liten", 0.6),
            ("jeg bor i {GPE_LOC} nå sammen med mamma", 0.6),
            ("ja så ringte {PER} meg igjen etter en uke", 0.6),
            ("hun {PER} var kontaktlæreren min", 0.6),
            ("og så begynte jeg på skolen i {GPE_LOC}", 0.6),
        ]
        out = []
        for _ in range(self.frames):
            template, p_lower = self.rng.choice(frames)
            speaker = self.rng.choice(["I:", "Ung:", "IP:", "Intervjuer:", "Deltaker:", ""])
            out.append(self._fill(template, speaker, lower=self.rng.random() < p_lower))
        return out

    def _fill(self, template: str, speaker: str, lower: bool) -> Sentence:
        words: list[str] = [speaker] if speaker else []
        tags: list[str] = ["O"] if speaker else []
        for part in template.split():
            if part.startswith("{"):
                label = part.strip("{}")
                new = self._name() if label == "PER" else self.rng.choice(self.places).split()
                words += new
                tags += [f"B-{label}"] + [f"I-{label}"] * (len(new) - 1)
            else:
                words.append(part)
                tags.append("O")
        sentence = Sentence(words, [True] * len(words), tags)
        return _lowercase(sentence) if lower else sentence


def _lowercase(sentence: Sentence) -> Sentence:
    return Sentence([w.lower() for w in sentence.words], list(sentence.spaces), list(sentence.tags))


def _unpunctuate(sentence: Sentence) -> Sentence:
    keep = [i for i, w in enumerate(sentence.words) if w not in PUNCT or sentence.tags[i] != "O"]
    return Sentence(
        [sentence.words[i] for i in keep],
        [True] * len(keep),
        _repair_bio([sentence.tags[i] for i in keep]),
    )


def _repair_bio(tags: list[str]) -> list[str]:
    """After tokens are removed an I- may follow O: make it a B- so the tags stay valid."""
    out = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or out[-1] == "O" or out[-1][2:] != tag[2:]):
            tag = "B-" + tag[2:]
        out.append(tag)
    return out


def to_doc(nlp: spacy.Language, sentence: Sentence) -> Doc:
    doc = Doc(nlp.vocab, words=sentence.words, spaces=sentence.spaces)
    doc.ents = biluo_tags_to_spans(doc, iob_to_biluo(sentence.tags))
    return doc


def write(nlp: spacy.Language, sentences: list[Sentence], path: Path) -> None:
    db = DocBin(store_user_data=False)
    for sentence in sentences:
        db.add(to_doc(nlp, sentence))
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="folder with nob/ and nno/ NorNE CoNLL-U files")
    parser.add_argument("out", type=Path, help="build folder (git-ignored) for train.spacy, dev*.spacy")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--lower", type=float, default=0.3, help="share of sentences copied lower-cased")
    parser.add_argument("--unpunct", type=float, default=0.2, help="share copied without punctuation")
    parser.add_argument("--swap", type=float, default=0.5, help="share of named sentences with names swapped")
    parser.add_argument("--frames", type=int, default=3000, help="spoken-style frames with gazetteer names")
    args = parser.parse_args()

    nlp = spacy.blank("nb")
    augmenter = Augmenter(args.seed, args.lower, args.unpunct, args.swap, args.frames)
    train: list[Sentence] = []
    for lang, stem in (("nob", "no_bokmaal"), ("nno", "no_nynorsk")):
        originals = read_conllu(args.corpus / lang / f"{stem}-norne-train.conllu")
        train += originals
        for sentence in originals:
            train += augmenter.copies(sentence)
        dev = read_conllu(args.corpus / lang / f"{stem}-norne-dev.conllu")
        write(nlp, dev, args.out / f"dev_{lang}.spacy")
        write(nlp, [_lowercase(_unpunctuate(s)) for s in dev], args.out / f"dev_{lang}_lower.spacy")
    train += augmenter.spoken_frames()
    augmenter.rng.shuffle(train)
    write(nlp, train, args.out / "train.spacy")
    both = read_conllu(args.corpus / "nob" / "no_bokmaal-norne-dev.conllu")
    both += read_conllu(args.corpus / "nno" / "no_nynorsk-norne-dev.conllu")
    write(nlp, both, args.out / "dev.spacy")
    print(f"train: {len(train)} sentences; dev: {len(both)} sentences → {args.out}")


if __name__ == "__main__":
    main()
