"""Spans, entity types and how overlapping spans merge: the vocabulary every other module shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)

LANGUAGE = "nb"

TYPES = ("PERSON", "STED", "ORG", "ADRESSE", "FNR", "TELEFON", "EPOST", "ID", "DATO", "ALDER")
DIRECT_TYPES = frozenset({"PERSON", "FNR", "TELEFON", "EPOST", "ADRESSE", "ID"})
# When spans overlap they are merged into one; the merged span takes the type that comes first here.
_PRIORITY = {
    t: i
    for i, t in enumerate(
        ("FNR", "EPOST", "TELEFON", "ID", "ADRESSE", "ORG", "PERSON", "STED", "DATO", "ALDER")
    )
}


# =============================================================================================== detection
@dataclass(frozen=True)
class Span:
    """A detected span in a text: ``[start, end)`` and its type; ``score`` is the recogniser's confidence;
    ``source`` is ``"model"`` for the NER model's spans (their types yield to the rules' where they overlap)."""

    start: int
    end: int
    type: str
    score: float = 0.85
    source: str = ""


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans into their union; the merged span takes the highest-priority type, a rule's
    type before the model's ("Per" typed ORG by the model and PERSON by the rules is a person).

    Written by hand because Presidio's anonymizer drops or merges overlaps by score, and we want the union
    (a partial overlap must never leave a piece of an identifier in the text) with a stable type.
    """
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for span in ordered:
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            winner = min(last, span, key=lambda s: (s.source == "model", _PRIORITY[s.type]))
            source = "model" if last.source == span.source == "model" else ""
            merged[-1] = Span(
                last.start, max(last.end, span.end), winner.type, max(last.score, span.score), source
            )
        else:
            merged.append(span)
    return merged


_OWN_TAG = re.compile(rf"\[(?:{'|'.join(TYPES)})_\d+\]")
"""A tag this tool writes in place of an identifier ("[PERSON_1]", see :mod:`toolkit.deidentify.replace`)."""


def without_own_tags(text: str, spans: list[Span]) -> list[Span]:
    """``spans`` less those lying wholly inside one of this tool's own tags.

    Text de-identified once may pass again (a re-check, a colleague's already de-identified transcript), and
    "[PERSON_1]" looks like a name after "heter" or like a user name with an underscore; masking a tag again
    would only hide which person or place it stood for. A span reaching beyond a tag is kept whole."""
    if "_" not in text or "[" not in text:
        return spans
    tags = [m.span() for m in _OWN_TAG.finditer(text)]
    if not tags:
        return spans
    return [s for s in spans if not any(a <= s.start and s.end <= b for a, b in tags)]
