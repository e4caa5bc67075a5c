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
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

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
_INSTALLED = ("nb_core_news_lg", "nb_core_news_md", "nb_core_news_sm")
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
    import spacy

    if spec is None or spec == "none":
        return None
    if spec != "auto":
        return spec
    if (MODEL_DIR / "config.cfg").is_file():
        return str(MODEL_DIR)
    for name in _INSTALLED:
        if spacy.util.is_package(name):
            return name
    return None


@functools.lru_cache(maxsize=4)
def load_pipeline(name: str):
    """Load a spaCy pipeline with only what NER needs (parsers and taggers excluded: they cost time)."""
    import spacy

    return spacy.load(name, exclude=_NOT_NEEDED)


@dataclass
class NerRecognizer:
    """Entities of a trained spaCy pipeline as pdtk spans (``labels`` chooses which model labels count)."""

    model: str
    labels: frozenset[str] = DEFAULT_LABELS
    score: float = 0.85
    name: str = "NerRecognizer"

    @property
    def entities(self) -> tuple[str, ...]:
        return tuple(sorted({LABEL_TO_TYPE[label] for label in self.labels if label in LABEL_TO_TYPE}))

    @property
    def nlp(self):
        return load_pipeline(self.model)

    def find(self, text: str) -> list[Span]:
        doc = self.nlp(text)
        return [
            Span(ent.start_char, ent.end_char, LABEL_TO_TYPE[ent.label_], self.score)
            for ent in doc.ents
            if ent.label_ in self.labels and ent.label_ in LABEL_TO_TYPE and ent.text.strip()
        ]

    def find_many(self, texts: list[str], batch_size: int = 64) -> list[list[Span]]:
        """Several texts at once through ``nlp.pipe`` (faster than one call each)."""
        out = []
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            out.append(
                [
                    Span(e.start_char, e.end_char, LABEL_TO_TYPE[e.label_], self.score)
                    for e in doc.ents
                    if e.label_ in self.labels and e.label_ in LABEL_TO_TYPE and e.text.strip()
                ]
            )
        return out
