"""Recognisers and the registry that holds them, on the model of Presidio's ``RecognizerRegistry``.

One recogniser per entity type (fødselsnummer, phone, e-mail, case numbers, addresses, organisations, places,
persons, nicknames, dates, ages), the NorNE-trained NER model, and a study's own deny-list; an allow-list removes
strings a reviewer has said are not identifiers. Recall comes first: *any* recogniser can flag a span, and the
spans are merged afterwards (``spans.merge_spans``). A protocol configures the registry with
:class:`RegistryConfig` (switch a recogniser off by name, add deny-/allow-list files, choose the model).

Lists are data: a deny-list file has one string per line, optionally ``TYPE<TAB>string`` (``STED\tHolmenkollen``;
no type means PERSON); an allow-list file one string per line. ``#`` starts a comment line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.deidentify.digit_stream import find_fnr_in_digit_stream
from toolkit.deidentify.identifiers import find_accounts_and_handles, find_partial_fnr
from toolkit.deidentify.ner import DEFAULT_LABELS, NerRecognizer, resolve_model
from toolkit.deidentify.org_context import ContextOrganisationFinder
from toolkit.deidentify.org_shapes import ShapeOrganisationFinder
from toolkit.deidentify.rules import NorwegianDetector
from toolkit.deidentify.spans import TYPES, Span
from toolkit.deidentify.spoken import find_spoken_addresses, find_spoken_email, find_spoken_numbers
from toolkit.errors import InputDataError, ProtocolError


@dataclass(frozen=True)
class Recognizer:
    """A named finder of spans of some entity types; ``context`` words raise its score under Presidio."""

    name: str
    entities: tuple[str, ...]
    find: Callable[[str], list[Span]]
    context: tuple[str, ...] = ()


def rule_recognizers(detector: NorwegianDetector) -> list[Recognizer]:
    """The rule recognisers, one per entity family, each a ``NorwegianDetector.find_*`` method."""
    d = detector
    return [
        Recognizer(
            "NorwegianFnrRecognizer", ("FNR",), d.find_fnr, ("fødselsnummer", "personnummer", "dnummer")
        ),
        Recognizer(
            "NorwegianPhoneRecognizer", ("TELEFON",), d.find_phone, ("telefon", "mobil", "nummer", "ringe")
        ),
        Recognizer(
            "NorwegianEmailRecognizer", ("EPOST",), d.find_email, ("e-post", "epost", "mail", "adresse")
        ),
        Recognizer("NorwegianIdRecognizer", ("ID",), d.find_ids, ("saksnummer", "studentnummer", "nummer")),
        Recognizer("NorwegianAddressRecognizer", ("ADRESSE",), d.find_addresses, ("bo", "adresse", "flytte")),
        Recognizer(
            "NorwegianOrganisationRecognizer", ("ORG",), d.find_organisations, ("jobbe", "gå", "skole")
        ),
        Recognizer(
            "LowerCaseOrganisationRecognizer",
            ("ORG",),
            ContextOrganisationFinder(d.g).find,
            ("jobbe", "praksis", "hos"),
        ),
        Recognizer(
            "OrganisationShapeRecognizer",
            ("ORG",),
            ShapeOrganisationFinder(d.g).find,
            ("jobbe", "hos", "med"),
        ),
        Recognizer("NorwegianPlaceRecognizer", ("STED",), d.find_places, ("bo", "fra", "flytte")),
        Recognizer("NorwegianPersonRecognizer", ("PERSON", "STED"), d.find_persons, ("hete", "kalle", "si")),
        Recognizer("NorwegianNicknameRecognizer", ("PERSON",), d.find_nicknames, ("kalte", "min", "mi")),
        Recognizer("NorwegianDateRecognizer", ("DATO",), d.find_dates, ("dato", "født")),
        Recognizer("NorwegianAgeRecognizer", ("ALDER",), d.find_ages, ("år", "alder", "gammel")),
        Recognizer(
            "SpokenNumberRecognizer", ("FNR", "TELEFON", "ID"), find_spoken_numbers, ("nummer", "ring")
        ),
        Recognizer(
            "SpokenEmailRecognizer",
            ("EPOST",),
            functools.partial(find_spoken_email, first_names=d.g.first_names, surnames=d.g.surnames),
            ("e-post", "mail"),
        ),
        Recognizer(
            "SpokenAddressRecognizer",
            ("ADRESSE",),
            functools.partial(
                find_spoken_addresses, street_suffixes=tuple(s.lower() for s in d.g.street_suffixes)
            ),
            ("bor", "adresse"),
        ),
        Recognizer(
            "AccountHandleRecognizer",
            ("ID",),
            find_accounts_and_handles,
            ("konto", "snap", "insta", "bruker"),
        ),
        Recognizer("PartialFnrRecognizer", ("FNR",), find_partial_fnr, ("fødselsnummer", "personnummer")),
        Recognizer(
            "DigitStreamFnrRecognizer", ("FNR",), find_fnr_in_digit_stream, ("fødselsnummer", "personnummer")
        ),
    ]


def _list_lines(path: Path) -> list[str]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputDataError(
            f"cannot read the list ({type(exc).__name__})",
            file=path,
            fix="give a UTF-8 text file, one entry per line",
        ) from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def read_deny_list(path: Path) -> list[tuple[str, str]]:
    """``(type, string)`` pairs from a deny-list file (``TYPE<TAB>string`` or ``string`` = PERSON)."""
    entries = []
    for number, line in enumerate(_list_lines(path), start=1):
        kind, sep, text = line.partition("\t")
        kind, text = (kind.strip(), text.strip()) if sep else ("PERSON", line)
        if kind not in TYPES:
            raise InputDataError(
                f"line {number}: unknown type '{kind}'", file=path, fix=f"use one of {', '.join(TYPES)}"
            )
        entries.append((kind, text))
    return entries


def deny_list_recognizer(entries: Iterable[tuple[str, str]], name: str = "DenyListRecognizer") -> Recognizer:
    """Whole-word, case-insensitive matches of listed strings (longest first), with their listed type."""
    by_text = {text.casefold(): kind for kind, text in entries if text}
    if not by_text:
        return Recognizer(name, (), lambda text: [])
    alternation = "|".join(re.escape(t) for t in sorted(by_text, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)

    def find(text: str) -> list[Span]:
        return [
            Span(m.start(), m.end(), by_text.get(m.group(0).casefold(), "PERSON"), 0.9)
            for m in pattern.finditer(text)
        ]

    return Recognizer(name, tuple(sorted(set(by_text.values()))), find)


@dataclass
class RegistryConfig:
    """What a protocol may set under ``deidentify:`` (all optional)."""

    disable: list[str] = field(default_factory=list)
    deny_list: Path | None = None
    allow_list: Path | None = None
    ner_model: str | None = "auto"
    ner_labels: list[str] | None = None


class RecognizerRegistry:
    """An ordered, named set of recognisers plus an allow-list; ``find_all`` is the union of their spans."""

    def __init__(self, recognizers: Iterable[Recognizer] = (), allow: Iterable[str] = ()):
        self._recognizers: dict[str, Recognizer] = {}
        for recognizer in recognizers:
            self.add(recognizer)
        self.allow = frozenset(a.casefold() for a in allow)

    def add(self, recognizer: Recognizer) -> None:
        if recognizer.name in self._recognizers:
            raise ValueError(f"a recogniser named {recognizer.name!r} is already registered")
        self._recognizers[recognizer.name] = recognizer

    def remove(self, name: str) -> None:
        if name not in self._recognizers:
            raise KeyError(f"no recogniser named {name!r}; registered: {', '.join(self.names)}")
        del self._recognizers[name]

    def get(self, name: str) -> Recognizer:
        return self._recognizers[name]

    @property
    def names(self) -> list[str]:
        return list(self._recognizers)

    def __iter__(self) -> Iterator[Recognizer]:
        return iter(self._recognizers.values())

    def __len__(self) -> int:
        return len(self._recognizers)

    def __repr__(self) -> str:
        return f"RecognizerRegistry({', '.join(self.names)}; {len(self.allow)} allowed)"

    def allowed(self, text: str, span: Span) -> bool:
        """True when the span's text is on the allow-list (a reviewer said it is not an identifier)."""
        return bool(self.allow) and text[span.start : span.end].casefold() in self.allow

    def find_all(self, text: str) -> list[Span]:
        spans = [s for recognizer in self for s in recognizer.find(text)]
        return [s for s in spans if not self.allowed(text, s)] if self.allow else spans

    @classmethod
    def default(cls, config: RegistryConfig | None = None, detector: NorwegianDetector | None = None):
        """Rules + the NER model + the deny-list, less what ``config.disable`` names."""
        config = config or RegistryConfig()
        registry = cls(rule_recognizers(detector or NorwegianDetector()))
        model = resolve_model(config.ner_model)
        if model is not None:
            labels = frozenset(config.ner_labels) if config.ner_labels else DEFAULT_LABELS
            ner = NerRecognizer(model, labels)
            registry.add(Recognizer(ner.name, ner.entities, ner.find))
        if config.deny_list is not None:
            registry.add(deny_list_recognizer(read_deny_list(config.deny_list)))
        unknown = [name for name in config.disable if name not in registry.names]
        if unknown:
            raise ProtocolError(
                f"deidentify.disable names an unknown recogniser '{unknown[0]}'",
                fix=f"use one of: {', '.join(registry.names)}",
            )
        for name in config.disable:
            registry.remove(name)
        if config.allow_list is not None:
            registry.allow = frozenset(a.casefold() for a in _list_lines(config.allow_list))
        return registry
