"""Word lists behind the rule recognisers, loaded from ``toolkit/anonymise/data/`` (lists as data)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)

DATA_DIR = Path(__file__).with_name("data")


# =============================================================================================== gazetteers
def read_list(name: str) -> list[str]:
    """A shipped word list from ``data/``: one entry a line, ``#`` lines are comments."""
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=1)
def organisation_kinds() -> frozenset[str]:
    """Kind words that end an organisation's name ("bil", "il", "kyrkjelyd"; ``data/organisation_kinds.txt``)."""
    return frozenset(w.lower() for w in read_list("organisation_kinds.txt"))


@dataclass(frozen=True)
class Gazetteers:
    """Word lists behind the recognisers (lower-cased sets unless said otherwise)."""

    first_names: frozenset[str]
    surnames: frozenset[str]
    places: frozenset[str]  # original case, may be multi-word
    countries: frozenset[str]  # original case
    chains: tuple[str, ...]  # original case, longest first
    organisations: tuple[str, ...]  # original case, longest first
    street_suffixes: tuple[str, ...]  # longest first
    ambiguous: frozenset[str]
    common_proper: frozenset[str]  # original case

    @property
    def places_lower(self) -> frozenset[str]:
        return frozenset(p.lower() for p in self.places)


@functools.lru_cache(maxsize=1)
def load_gazetteers() -> Gazetteers:
    """Load the shipped lists, plus Faker's ``no_NO`` names (200 first, 101 last names: too few alone)."""
    from faker.providers.person.no_NO import Provider as NoPerson

    first = {n.lower() for n in read_list("first_names.txt")}
    first |= {n.lower() for n in (*NoPerson.first_names_male, *NoPerson.first_names_female)}
    surnames = {n.lower() for n in read_list("surnames.txt")} | {n.lower() for n in NoPerson.last_names}
    municipalities = [line.split(";", 1)[1] for line in read_list("municipalities.txt")]
    # places.txt: the study region and larger towns by hand; places_geonames.txt: every other town or village
    # of 500+ people that is not also a word (scripts/extract_geonames_places.py, GeoNames, CC BY 4.0)
    places = set(municipalities) | set(read_list("places.txt")) | set(read_list("places_geonames.txt"))
    return Gazetteers(
        first_names=frozenset(first),
        surnames=frozenset(surnames),
        places=frozenset(places),
        countries=frozenset(read_list("countries.txt")),
        chains=tuple(sorted(set(read_list("chains.txt")), key=len, reverse=True)),
        organisations=tuple(sorted(set(read_list("organisations.txt")), key=len, reverse=True)),
        street_suffixes=tuple(sorted(set(read_list("street_suffixes.txt")), key=len, reverse=True)),
        ambiguous=frozenset(w.lower() for w in read_list("ambiguous_words.txt")),
        common_proper=frozenset(read_list("common_proper_nouns.txt")),
    )
