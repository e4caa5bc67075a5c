"""The Norwegian named-entity model: trained on NorNE by ``make ner-model`` and shipped inside the package.

Why a model of our own: rules only hold on text their author wrote them for (issue 12 measured organisations
0.43 and places 0.64 on NorNE). spaCy's ``nb_core_news_*`` pipelines cannot be downloaded at run time here, so
a CPU tok2vec + transition NER trained on NorNE (Bokmål and Nynorsk, with transcript-style augmentation; see
``training/ner/`` and ``docs/NER_MODEL.md``) is shipped as package data and loaded by default. A user's installed
``nb_core_news_*`` or any pipeline named in the protocol (a package name or a folder) is used instead when asked.

The card ``pdtk_model.json`` beside the weights records data, split, scores, date and a SHA-256 of the weights;
:func:`verify_shipped_model` checks it (a test does, so a changed or truncated model is caught).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from toolkit.deidentify.gazetteers import organisation_kinds, read_list
from toolkit.deidentify.patterns import _FUNCTION_WORDS, WORD, _sentence_start
from toolkit.deidentify.spans import Span

MODEL_DIR = Path(__file__).with_name("model")
CARD_FILE = "pdtk_model.json"
# NorNE labels → pdtk types. PROD (products, media), EVT (events) and DRV (words derived from a name,
# "RBK-keeperen") are reported as ORG: each names something that narrows down who and where.
LABEL_TO_TYPE = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "LOC": "STED",
    "GPE_LOC": "STED",
    "GPE": "STED",
    "ORG": "ORG",
    "GPE_ORG": "ORG",
    "PROD": "ORG",
    "EVT": "ORG",
    "DRV": "ORG",
}
DEFAULT_LABELS = frozenset(LABEL_TO_TYPE)
_NOT_NEEDED = [
    "parser",
    "tagger",
    "morphologizer",
    "attribute_ruler",
    "lemmatizer",
    "senter",
    "trainable_lemmatizer",
]


def weights_checksum(model_dir: Path) -> str:
    """SHA-256 over every file of a saved pipeline except the card (relative path, then bytes, sorted)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file() and p.name != CARD_FILE):
        digest.update(path.relative_to(model_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_card(model_dir: Path = MODEL_DIR) -> dict:
    """The shipped model's card (data, licence, split, scores, date, checksum)."""
    return json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))


def verify_shipped_model(model_dir: Path = MODEL_DIR) -> dict:
    """Check the weights against the card's checksum; returns the card. Raises ``ValueError`` on a mismatch."""
    card = read_card(model_dir)
    actual = weights_checksum(model_dir)
    if actual != card["sha256"]:
        raise ValueError(
            f"the shipped NER weights do not match their card ({actual[:12]} ≠ {card['sha256'][:12]})"
        )
    return card


def resolve_model(spec: str | None) -> str | None:
    """Which pipeline to load: ``"auto"`` → the shipped model, else an installed ``nb_core_news_*``;
    ``None``/``"none"`` → no model (rules only); anything else is a package name or a folder, used as given."""
    if spec is None or spec == "none":
        return None
    if spec != "auto":
        return spec
    if (MODEL_DIR / "config.cfg").is_file():
        return str(MODEL_DIR)
    from toolkit.language import trained_pipeline_name

    return trained_pipeline_name()


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str):
    """Load a spaCy pipeline with only what NER needs (parsers and taggers excluded: they cost time)."""
    import spacy

    return spacy.load(name, exclude=_NOT_NEEDED)


@functools.lru_cache(maxsize=1)
def generic_services() -> frozenset[str]:
    """Exact strings the model is overruled on (``data/generic_services.txt``): NAV, BUP, Lånekassen …"""
    return frozenset(line.casefold() for line in read_list("generic_services.txt"))


@functools.lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """Ordinary Norwegian word forms (``data/common_words.txt.gz``, built by
    ``training/ner/build_common_words.py`` from Norsk Ordbank and simplemma, names removed) plus spoken forms."""
    data = Path(__file__).with_name("data")
    with gzip.open(data / "common_words.txt.gz", "rt", encoding="utf-8") as handle:
        words = handle.read().split("\n")
    return frozenset(w for w in (*words, *read_list("spoken_forms.txt")) if w and not w.startswith("#"))


_NOUN_ENDINGS = ("en", "et", "a", "er", "ar", "ene", "ane", "i")


def linking_form(word: str) -> bool:
    """A noun with the linking -s of a compound's first part ("ungdoms", "oppfølgings", "inntaks"):
    speech recognition writes "ungdoms helse stasjonen" for *ungdomshelsestasjonen*; no name looks like it.
    The stem must be an ordinary word that also inflects like a noun ("ungdommen", "inntaket"): the word list
    holds odd forms ("tertne", whence "tertnes", a place), and a dictionary's nouns cost half a second to load."""
    if len(word) < 5 or not word.endswith("s"):
        return False
    stem, ordinary = word[:-1], ordinary_words()
    return stem in ordinary and any(
        stem + ending in ordinary or stem + stem[-1] + ending in ordinary for ending in _NOUN_ENDINGS
    )


def splits_a_compound(text: str, start: int) -> bool:
    """The lower-case word at ``start`` ends a compound that speech recognition split after its first part
    ("ung doms skolen": "ung" + "doms" is *ungdoms*, the first part of *ungdomsskolen*); it is no name."""
    before = text[max(0, start - 30) : start]
    m = re.search(r"([a-zæøå]+) $", before)
    word = WORD.match(text, start)
    if m is None or word is None or not word.group().islower():
        return False
    joined = m.group(1) + word.group()
    return linking_form(joined)  # not any joined word: "til" + "gro" is a word too, "gro" a name


def is_ordinary_at_start(text: str, start: int, end: int) -> bool:
    """True for a span whose capital says nothing — at a sentence or turn start, or all lower case — and whose
    words are all ordinary words or function words ("Mamma", "Bra", "Sjefen min", "Intervjuar").

    A name of two or more words that ends in a kind of organisation ("sogn bil", "heimdal if") is no such span:
    the ordinary-word list holds many place names, and the kind word says the words before it are a name."""
    piece = text[start:end]
    if not (piece.islower() or _sentence_start(text, start)) or any(c.isdigit() for c in piece):
        return False
    words = WORD.findall(piece)
    if (
        len(words) > 1
        and words[-1].lower() in organisation_kinds()
        and words[0].lower() not in _FUNCTION_WORDS
    ):
        return False
    ordinary = ordinary_words()
    if len(words) == 1 and is_common_compound(words[0]):
        return True
    return bool(words) and all(w.lower() in ordinary or w.lower() in _FUNCTION_WORDS for w in words)


# heads of compounds that name a kind of number or a case-worker ("Søknadsnummeret", "Sakshandsamaren"): the word
# list cannot hold every compound, and no name ends so
_COMPOUND_HEADS = (
    "nummer", "nummeret", "nummera", "numra", "numrene", "numre", "handsamar", "handsamaren", "behandler",
    "behandleren", "leiaren", "lederen", "rådgiveren", "rådgjevaren",
)  # fmt: skip


def is_common_compound(word: str) -> bool:
    """An ordinary first part (with or without a linking s or e) and a head from :data:`_COMPOUND_HEADS`."""
    word = word.lower()
    ordinary = ordinary_words()
    for head in _COMPOUND_HEADS:
        if word.endswith(head) and len(word) > len(head) + 2:
            first = word[: -len(head)]
            if first in ordinary or (first[-1] in "se" and first[:-1] in ordinary):
                return True
    return False


_NAMEY = frozenset({"av", "de", "van", "von", "bin", "al", "el", "da", "di", "la"})  # particles inside names


@dataclass
class NerRecognizer:
    """Entities of a trained spaCy pipeline as pdtk spans (``labels`` chooses which model labels count).

    Spans whose exact text is a generic national service ("NAV", "BUP") are dropped: news text taught the model
    they are organisations, but in an interview they identify nobody. So are spans of ordinary words whose
    capital comes from their place at a turn start (:func:`is_ordinary_at_start`)."""

    model: str
    labels: frozenset[str] = DEFAULT_LABELS
    # below every rule's score: under Presidio a same-type rule span inside a model span must survive its
    # de-duplication (it keeps the larger span only when that scores at least as high), as it does without
    score: float = 0.55
    name: str = "NerRecognizer"

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(sorted({LABEL_TO_TYPE[label] for label in self.labels if label in LABEL_TO_TYPE}))

    @property
    def nlp(self):
        return load_pipeline(self.model)

    def find(self, text: str) -> list[Span]:
        return self._spans(self.nlp(text), text)

    def _spans(self, doc, text: str) -> list[Span]:
        """The model's entities as spans of ``text`` (the text ``doc`` was made from: spaCy keeps every
        character, and rebuilding ``Doc.text`` from the tokens cost ~4 % of de-identification)."""
        ignore = generic_services()
        spans = []
        for ent in doc.ents:
            if ent.label_ not in self.labels or ent.label_ not in LABEL_TO_TYPE:
                continue
            start, end = _trim_ordinary_edges(ent, text)
            if start >= end or text[start:end].casefold() in ignore:
                continue
            piece = text[start:end]
            if any(c.isdigit() for c in piece) and (ent.label_ == "PER" or len(piece) <= 4):
                continue  # "jan 2023" is a date the rules type; "R1", "Vg2", "B1" are codes, not names
            if _service_compound(piece, ignore):
                continue  # "NAV-saken", "BUP-time" name a matter, not an office
            for a, b in _line_pieces(text, start, end) if "\n" in ent.text else [(start, end)]:
                if ent.label_ != "PER" and _plain_name_word(text, a, b):
                    continue  # "Den andre?", "Nei. Jo, forresten": the word, not an organisation or a place
                if not is_ordinary_at_start(text, a, b) and not splits_a_compound(text, a):
                    spans.append(Span(a, b, LABEL_TO_TYPE[ent.label_], self.score, "model"))
        return spans


@functools.lru_cache(maxsize=1)
def function_word_names() -> frozenset[str]:
    """Closed-class words that are also given names (``data/function_word_names.txt``: "andre", "jo", "hans")."""
    return frozenset(w.lower() for w in read_list("function_word_names.txt"))


def _plain_name_word(text: str, start: int, end: int) -> bool:
    """One closed-class word that is also a given name (:func:`function_word_names`: "andre", "jo") in lower
    case or opening a sentence: nothing marks it as a name, and as an organisation or a place it is no name at
    all. A person span of it is left to the model ("jo" may be someone in a lower-case transcript), and so is
    any other name that is a word too: the model's type may be wrong where its find is right ("dama mi siv")."""
    piece = text[start:end]
    if not (piece.islower() or _sentence_start(text, start)):
        return False
    return piece.lower() in function_word_names()


_SPEAKER_LABEL = re.compile(r"[^\s:]{1,15}:[ \t]*")


def _line_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The lines of an entity the model read across a line break, each without a speaker label at its start
    ("?\nD: Eg heiter Ola" → "Eg heiter Ola"), leaving out labels alone, single letters and trailing marks: a
    name never runs over a turn change, but the piece before the break may be one ("Oslo\nDet")."""
    pieces = []
    pos = start
    for line in text[start:end].split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        label = _SPEAKER_LABEL.match(text, a, b) if a == 0 or text[a - 1] == "\n" else None
        a = label.end() if label else a
        while b > a and not text[b - 1].isalnum():
            b -= 1
        while a < b and not text[a].isalnum():
            a += 1
        if sum(len(w) for w in WORD.findall(text[a:b])) >= 2:
            pieces.append((a, b))
    return pieces


def _service_compound(piece: str, services: frozenset[str]) -> bool:
    """A generic service joined to an ordinary word by a hyphen ("NAV-saken", "BUP-henvisningen", "BUP-time").

    The compound names a case, a letter or an appointment with a national service, which identifies nobody,
    while "NAV-Lillestrøm" names an office: the second part must be an ordinary lower-case word."""
    first, _, rest = piece.partition("-")
    if not rest or first.casefold() not in services:
        return False
    if not rest.islower():
        return False
    import simplemma  # knows "time" (an appointment), which the name-free word list leaves out for Time kommune

    return rest in ordinary_words() or simplemma.is_known(rest, lang="nb")


def _trim_ordinary_edges(ent, text: str) -> tuple[int, int]:
    """Character bounds of an entity without lower-case ordinary words at its edges ("hei filmon" → "filmon").

    A lower-case word inside a name stays ("Anne av Ås"); the span becomes empty only if every word is one."""
    ordinary = ordinary_words()
    tokens = [t for t in ent if not t.is_space]

    def plain(token, capital_explained: bool = False) -> bool:
        low = token.text.lower()
        lower = token.text.islower() or capital_explained
        return lower and (low in ordinary or low in _FUNCTION_WORDS) and low not in _NAMEY

    while tokens and (
        tokens[0].is_punct or plain(tokens[0], _sentence_start(text, tokens[0].idx) and len(tokens) > 1)
    ):
        tokens.pop(0)  # "hei filmon", "På Kiwi Flisa" at a sentence start, "Litt. Jeg" over a sentence end
    kinds = organisation_kinds()
    while tokens and (tokens[-1].is_punct or (plain(tokens[-1]) and tokens[-1].text.lower() not in kinds)):
        tokens.pop()  # "Kari sa" → "Kari"; but "Elverum håndball" keeps the word that makes it an organisation
    if not tokens:
        return ent.start_char, ent.start_char
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
