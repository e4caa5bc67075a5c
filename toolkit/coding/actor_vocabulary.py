"""The actor data files: the actor vocabulary, a study's extensions of it, the tone lexicon, the tone prior.

Why a module of its own: these are the lists a study reads, extends and checks (``protocols/actors_nb.yml``,
``actors_tone_nb.yml``, ``actors_tone_prior_nb.yml``), with one clear error line for a bad file; the
extraction that uses them (:mod:`toolkit.coding.actors`) is another concept. The actor ids
(:data:`ACTOR_IDS`) and tones (:data:`TONES`) are contracts other scripts use (issue 17).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from toolkit.coding.regex_literals import required_substrings
from toolkit.errors import InputDataError

PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"
DEFAULT_VOCABULARY = PROTOCOLS / "actors_nb.yml"
DEFAULT_TONE_LEXICON = PROTOCOLS / "actors_tone_nb.yml"
DEFAULT_TONE_PRIOR = PROTOCOLS / "actors_tone_prior_nb.yml"

ACTOR_IDS: tuple[str, ...] = (
    "NAV",
    "OT",
    "fastlege",
    "helsesykepleier",
    "PPT",
    "BUP",
    "DPS",
    "psykolog_behandler",
    "barnevern",
    "flyktningtjeneste",
    "kommune_annet",
    "skole",
    "arbeidsgiver",
    "frivillig_fritid",
    "familie",
    "venner",
)
"""The canonical actor ids (a contract other scripts use; issue 17)."""

NOT_PUBLIC_SERVICES = frozenset({"familie", "venner", "frivillig_fritid", "arbeidsgiver"})
"""Ids that do not count towards the fragmentation count (everything else is a public service)."""

TONES = ("positiv", "negativ", "blandet", "nøytral")

_FIELDS = ("forms", "stems", "heads", "prefixes", "abbreviations", "phrases", "exclude")


@dataclass
class ActorEntry:
    """Surface forms of one actor id; see ``protocols/actors_nb.yml`` for what each field matches."""

    actor: str
    label: str = ""
    public_service: bool = True
    forms: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    heads: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    abbreviations: set[str] = field(default_factory=set)
    phrases: set[str] = field(default_factory=set)
    exclude: set[str] = field(default_factory=set)
    absorbed_by: set[str] = field(default_factory=set)
    place_forms: set[str] = field(default_factory=set)
    place_prepositions: set[str] = field(default_factory=set)
    residence_forms: set[str] = field(default_factory=set)
    place_only_forms: set[str] = field(default_factory=set)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise InputDataError(
            f"cannot read the actor file: {error}", file=path, fix="check the YAML"
        ) from None
    if not isinstance(data, dict):
        raise InputDataError("the actor file is not a mapping", file=path, fix="see protocols/actors_nb.yml")
    return data


def load_actor_vocabulary(path: Path | None = None, extensions: Iterable[Path] = ()) -> dict[str, ActorEntry]:
    """Read the actor vocabulary, then merge each study extension YAML over it (forms added, flags replaced).

    A multi-word entry in any single-word field is treated as a phrase, so a study writing ``mor mi`` under
    ``forms`` gets what it means. An extension may only name ids the vocabulary has, or ids it declares with
    ``new: true`` (:func:`_check_extension`): a misspelt id would otherwise become a silent new actor.
    """
    vocabulary: dict[str, ActorEntry] = {}
    base = Path(path or DEFAULT_VOCABULARY)
    _merge_actor_file(vocabulary, base, _read_yaml(base).get("actors") or {})
    for actor_id in ACTOR_IDS:
        if actor_id not in vocabulary:
            raise InputDataError(
                f"the actor vocabulary lacks the id '{actor_id}'",
                file=base,
                fix="keep every canonical id (ACTOR_IDS)",
            )
    for file in map(Path, extensions):
        actors = _read_yaml(file).get("actors") or {}
        _check_extension(file, actors, vocabulary)
        _merge_actor_file(vocabulary, file, actors)
    return vocabulary


EXTENSION_KEYS = frozenset(
    {
        *_FIELDS,
        "label",
        "public_service",
        "absorbed_by",
        "place_forms",
        "place_prepositions",
        "residence_forms",
        "place_only_forms",
        "new",
    }
)
"""Keys an actor entry may have in a vocabulary or a study extension (``new`` only in an extension)."""

LIST_KEYS = frozenset(
    {*_FIELDS, "absorbed_by", "place_forms", "place_prepositions", "residence_forms", "place_only_forms"}
)
"""The keys whose value is a list of forms (a bare string would be read letter by letter)."""

ACTOR_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
"""What a study-specific actor id looks like (it becomes a column value and a REFI-QDA code id)."""


def _check_extension(file: Path, actors: object, vocabulary: Mapping[str, ActorEntry]) -> None:
    """One clear error line for an extension that names an unknown id, re-declares one, or has a typo."""
    if not isinstance(actors, dict):
        raise InputDataError("'actors' is not a mapping of ids", file=file, fix="see protocols/actors_nb.yml")
    for actor_id, spec in actors.items():
        actor_id, spec = str(actor_id), spec or {}
        if not isinstance(spec, dict):
            raise InputDataError(
                f"actor '{actor_id}' is not a mapping", file=file, fix="write its fields under it"
            )
        unknown_keys = sorted(set(map(str, spec)) - EXTENSION_KEYS)
        if unknown_keys:
            raise InputDataError(
                f"actor '{actor_id}' has the unknown field '{unknown_keys[0]}'",
                file=file,
                fix=f"use one of {', '.join(sorted(EXTENSION_KEYS))}",
            )
        for key in sorted(set(map(str, spec)) & LIST_KEYS):
            if spec[key] is not None and not isinstance(spec[key], list):
                raise InputDataError(
                    f"actor '{actor_id}': field '{key}' is not a list",
                    file=file,
                    fix=f"write it as a list, e.g. {key}: [{spec[key]}]",
                )
        declared_new = bool(spec.get("new", False))
        if actor_id not in vocabulary and not declared_new:
            raise InputDataError(
                f"the actor extension names '{actor_id}', which is not an actor id",
                file=file,
                fix=f"write 'new: true' under '{actor_id}' to add a study-specific actor, "
                f"or use an existing id ({', '.join(vocabulary)})",
            )
        if declared_new and actor_id in vocabulary:
            raise InputDataError(
                f"the actor extension declares '{actor_id}' as new, but the vocabulary has it",
                file=file,
                fix=f"remove 'new: true' under '{actor_id}' to add forms to it",
            )
        if declared_new and not ACTOR_ID_PATTERN.match(actor_id):
            raise InputDataError(
                f"the new actor id '{actor_id}' is not a plain name",
                file=file,
                fix="use letters, digits and _ only, starting with a letter",
            )


def _merge_actor_file(vocabulary: dict[str, ActorEntry], file: Path, actors: Mapping[str, object]) -> None:
    """Merge one file's actor entries into ``vocabulary`` (forms added, label and flags overridden)."""
    if not isinstance(actors, Mapping):
        raise InputDataError("'actors' is not a mapping of ids", file=file, fix="see protocols/actors_nb.yml")
    for actor_id, spec in actors.items():
        entry = vocabulary.setdefault(str(actor_id), ActorEntry(actor=str(actor_id)))
        spec = spec or {}
        entry.label = str(spec.get("label", entry.label or actor_id))
        entry.public_service = bool(spec.get("public_service", entry.public_service))
        entry.absorbed_by |= {str(a) for a in spec.get("absorbed_by") or []}
        entry.place_forms |= {str(a).lower() for a in spec.get("place_forms") or []}
        entry.place_prepositions |= {str(a).lower() for a in spec.get("place_prepositions") or []}
        entry.residence_forms |= {str(a).lower() for a in spec.get("residence_forms") or []}
        entry.place_only_forms |= {str(a).lower() for a in spec.get("place_only_forms") or []}
        for name in _FIELDS:
            for raw in spec.get(name) or []:
                _add_form(entry, name, str(raw).strip())


def _add_form(entry: ActorEntry, name: str, text: str) -> None:
    if not text:
        return
    if name == "abbreviations":
        entry.abbreviations.add(text)
    elif name == "exclude":
        entry.exclude.add(text.lower())
    elif " " in text or name == "phrases":
        entry.phrases.add(text.lower())
    else:
        getattr(entry, name).add(text.lower())


@dataclass(frozen=True)
class ToneLexicon:
    """Evaluative words: exact words/phrases and prefixes per polarity, negators and the negation window."""

    positive_words: frozenset[str]
    positive_prefixes: tuple[str, ...]
    negative_words: frozenset[str]
    negative_prefixes: tuple[str, ...]
    negators: frozenset[str]
    negation_window: int = 3
    mixed: frozenset[str] = frozenset()
    """Words and phrases that are a mixed judgement by themselves ("blanda", "både og"): both polarities."""
    negative_patterns: tuple[re.Pattern[str], ...] = ()
    """Regular expressions over the lower-case text for complaints that are a shape, not a word: how long a
    service took ("det tok fem måneder", "kan ta et halvt år", "sju måneder på venteliste")."""
    state_patterns: tuple[re.Pattern[str], ...] = ()
    """Regular expressions for a person's health or sleep said with an evaluative word ("når ho er dårleg",
    "ei dårleg natt", "de sover dårlig"): how someone is, not what an actor was like; a word inside one
    carries no tone."""

    @cached_property
    def pattern_needs(self) -> dict[re.Pattern[str], tuple[frozenset[str], ...]]:
        """The literal strings every match of each negative or state pattern contains: a sentence without
        them is not scanned (:func:`~toolkit.coding.regex_literals.required_substrings`; same matches)."""
        return {p: required_substrings(p) for p in (*self.negative_patterns, *self.state_patterns)}

    @cached_property
    def phrase_starts(self) -> frozenset[str]:
        """First words of the multi-word phrases and every mixed entry: a word not among them starts none
        (so most words skip the phrase look-ups)."""
        phrases = [p for p in self.positive_words | self.negative_words if " " in p]
        return frozenset(p.split()[0] for p in [*phrases, *self.mixed])

    def phrase_polarity(self, phrase: str) -> int:
        """+1, -1 or 0 for a multi-word phrase: listed phrases only (a prefix such as ``kald*`` is for single
        words, else "kald, men den var" would be one negative phrase)."""
        if phrase in self.positive_words:
            return 1
        if phrase in self.negative_words:
            return -1
        return 0

    def polarity(self, word: str) -> int:
        """+1, -1 or 0 for one lower-case word."""
        if word in self.positive_words or word.startswith(self.positive_prefixes or ("\0",)):
            return 1
        if word in self.negative_words or word.startswith(self.negative_prefixes or ("\0",)):
            return -1
        return 0


def load_tone_lexicon(path: Path | None = None) -> ToneLexicon:
    """Read the evaluative lexicon (``protocols/actors_tone_nb.yml``)."""
    data = _read_yaml(Path(path or DEFAULT_TONE_LEXICON))

    variants = {
        str(k).lower(): [str(v).lower() for v in vs] for k, vs in (data.get("variants") or {}).items()
    }

    def split(entries: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]]:
        items = _with_variants([str(e).strip().lower() for e in entries or []], variants)
        return (
            frozenset(i for i in items if not i.endswith("*")),
            tuple(i[:-1] for i in items if i.endswith("*")),
        )

    pos_words, pos_prefixes = split(data.get("positive"))
    neg_words, neg_prefixes = split(data.get("negative"))
    return ToneLexicon(
        pos_words,
        pos_prefixes,
        neg_words,
        neg_prefixes,
        frozenset(str(n).lower() for n in data.get("negators") or []),
        int(data.get("negation_window", 3)),
        frozenset(str(m).strip().lower() for m in data.get("mixed") or []),
        tuple(re.compile(str(pattern)) for pattern in data.get("negative_patterns") or []),
        tuple(re.compile(str(pattern)) for pattern in data.get("state_patterns") or []),
    )


def _with_variants(items: list[str], variants: Mapping[str, list[str]]) -> list[str]:
    """Each multi-word entry also with every dialect form of its words (``variants`` in the lexicon: "meg" ->
    "mæ", "mei"), so "trodde på meg" finds "trudde på mæ" without every phrase written out per dialect."""
    out = list(items)
    for item in items:
        words = item.split()
        for index, word in enumerate(words):
            if len(words) > 1 and word in variants:
                out.extend(" ".join([*words[:index], form, *words[index + 1 :]]) for form in variants[word])
    return out


def load_tone_prior(path: Path | None = None) -> dict[str, str]:
    """The tone an actor gets when it is mentioned but no evaluative word is found for it.

    Why: in an interview about help, an employer, a coach or a friend the young person brings up is nearly
    always brought up as support, even when the sentence carries no evaluative word ("Sjefen ga meg en
    uke å prøve meg"); the word lexicon reads that as ``nøytral``, the coders as ``positiv``. The prior is
    data (``protocols/actors_tone_prior_nb.yml``), learned from the tuning sets' gold tone by
    ``scripts/learn_actor_tone_prior.py`` and written there; ids without an entry stay ``nøytral``.
    """
    file = Path(path or DEFAULT_TONE_PRIOR)
    prior = _read_yaml(file).get("unevaluated") or {}
    if not isinstance(prior, dict) or any(str(tone) not in TONES for tone in prior.values()):
        raise InputDataError(
            "'unevaluated' is not a mapping of actor ids to tones",
            file=file,
            fix=f"write one of {', '.join(TONES)} per actor id",
        )
    return {str(actor): str(tone) for actor, tone in prior.items()}


def actor_ids_of(vocabulary: Mapping[str, ActorEntry]) -> list[str]:
    """Canonical ids first, in contract order, then any ids a study added (the rows of each transcript)."""
    return [*ACTOR_IDS, *(actor for actor in vocabulary if actor not in ACTOR_IDS)]
