"""Places, units and name pools for the synthetic Kongsvinger-region data (all fictional where it matters).

Municipality numbers, postcodes and village names are the real public ones, because a register extract has
them and the toolkit must handle them; everything that could point at a person or judge a real institution
is invented: upper-secondary school names are fictional, employers are made up, and people's names are drawn
from Faker's ``no_NO`` lists (the most common Norwegian first and last names) and combined at random.

The name lists are read once from Faker's provider classes instead of calling ``Faker.name()`` per row,
because Faker costs microseconds per call and the register generator must make a million rows in seconds.
"""

from __future__ import annotations

from faker.providers.address.no_NO import Provider as _AddressProvider
from faker.providers.person.no_NO import Provider as _PersonProvider

# ------------------------------------------------------------------------------------------- municipalities
KOMMUNER: dict[str, str] = {
    "3401": "Kongsvinger",
    "3414": "Nord-Odal",
    "3415": "Sør-Odal",
    "3416": "Eidskog",
    "3417": "Grue",
    "3418": "Åsnes",
    "3419": "Våler",
}
"""Municipality number → name (the 2024 numbers, Innlandet)."""

KOMMUNE_WEIGHTS: dict[str, float] = {
    "3401": 18_000,
    "3414": 5_000,
    "3415": 7_900,
    "3416": 6_100,
    "3417": 4_600,
    "3418": 7_100,
    "3419": 3_700,
}
"""Approximate population, used as sampling weights (Kongsvinger is by far the largest)."""

POSTNR: dict[str, dict[str, float]] = {
    "3401": {
        "2211": 4,
        "2212": 4,
        "2213": 3,
        "2214": 2,
        "2216": 1.5,
        "2217": 1,
        "2218": 0.6,
        "2219": 1,
        "2224": 0.6,
    },
    "3414": {"2120": 4, "2123": 1.5, "2130": 1, "2133": 0.5, "2134": 0.5},
    "3415": {"2100": 4, "2110": 1, "2114": 1, "2116": 1},
    "3416": {"2230": 3, "2233": 0.7, "2235": 0.5, "2240": 2, "2223": 0.6},
    "3417": {"2260": 3, "2264": 0.8, "2265": 0.8, "2266": 0.5},
    "3418": {"2270": 4, "2280": 1, "2283": 0.7},
    "3419": {"2436": 3, "2435": 1},
}
"""Postcodes per municipality with rough weights (more people in the centre's postcodes)."""

STEDER: dict[str, list[str]] = {
    "3401": ["Kongsvinger", "Roverud", "Brandval", "Austmarka", "Lundersæter", "Granli"],
    "3414": ["Sagstua", "Bruvoll", "Mo", "Knapper"],
    "3415": ["Skarnes", "Sander", "Disenå", "Slåstad"],
    "3416": ["Skotterud", "Magnor", "Matrand", "Vestmarka"],
    "3417": ["Kirkenær", "Namnå", "Grinder", "Grue Finnskog"],
    "3418": ["Flisa", "Gjesåsen", "Kjellmyra", "Åsnes Finnskog"],
    "3419": ["Våler", "Braskereidfoss", "Risberget"],
}
"""Villages and small towns per municipality, for the transcripts (type STED)."""

NAV_KONTOR: dict[str, str] = {
    "3401": "NAV Kongsvinger",
    "3414": "NAV Nord-Odal",
    "3415": "NAV Sør-Odal",
    "3416": "NAV Eidskog",
    "3417": "NAV Solør",
    "3418": "NAV Solør",
    "3419": "NAV Solør",
}
"""Municipality → NAV office (Grue, Åsnes and Våler share NAV Solør)."""

# ------------------------------------------------------------------------------------------- schools
SKOLER: list[str] = ["Vinger vgs", "Glåmdal vgs", "Odalen vgs", "Finnskogen vgs", "Grenseland vgs"]
"""Fictional upper-secondary schools of the region (names invented so no real school is judged)."""

SKOLE_OPPTAK: dict[str, list[float]] = {
    # share of each municipality's youths attending:  Vinger, Glåmdal, Odalen, Finnskogen, Grenseland
    "3401": [0.58, 0.12, 0.03, 0.02, 0.25],
    "3414": [0.13, 0.20, 0.64, 0.00, 0.03],
    "3415": [0.18, 0.22, 0.56, 0.00, 0.04],
    "3416": [0.55, 0.03, 0.02, 0.00, 0.40],
    "3417": [0.15, 0.20, 0.00, 0.50, 0.15],
    "3418": [0.07, 0.12, 0.00, 0.79, 0.02],
    "3419": [0.07, 0.12, 0.00, 0.79, 0.02],
}
"""Catchment: attendance depends on the municipality but is not one-to-one (regional programmes)."""

# ------------------------------------------------------------------------------------------- people
FORNAVN_K: tuple[str, ...] = tuple(_PersonProvider.first_names_female)
FORNAVN_M: tuple[str, ...] = tuple(_PersonProvider.first_names_male)
ETTERNAVN: tuple[str, ...] = tuple(_PersonProvider.last_names)

_STREET_STEMS = (
    "Stor",
    "Kirke",
    "Skole",
    "Stasjons",
    "Jernbane",
    "Skog",
    "Fjell",
    "Sol",
    "Bjørke",
    "Gran",
    "Furu",
    "Eike",
    "Elve",
    "Mølle",
    "Sag",
    "Bru",
    "Nord",
    "Sør",
    "Øst",
    "Vest",
    "Lier",
    "Tømmer",
    "Fløter",
    "Glomma",
    "Vinger",
    "Festnings",
    "Prestegårds",
    "Meieri",
    "Hage",
    "Park",
    "Rogne",
    "Lønne",
    "Hassel",
    "Tyttebær",
    "Molte",
    "Ekorn",
    "Elg",
    "Rev",
    "Tiur",
    "Orre",
    "Sjø",
    "Kvern",
    "Smie",
    "Torv",
    "Enger",
    "Bakke",
    "Haug",
    "Myr",
)
_STREET_SUFFIXES = (
    "gata",
    "veien",
    "vegen",
    "vegen",
    "veien",
    "veien",
    "bakken",
    "lia",
    "stien",
    "svingen",
    "tunet",
    "jordet",
    "haugen",
    "åsen",
    "kroken",
    "vollen",
    "plassen",
    "grenda",
)
GATENAVN: tuple[str, ...] = tuple(
    sorted(
        {stem.lower().capitalize() + suffix for stem in _STREET_STEMS for suffix in _STREET_SUFFIXES}
        | {name + suffix for name in ETTERNAVN[:40] for suffix in _AddressProvider.street_suffixes[:20]}
    )
)
"""Street names: common stems with common endings ("Storgata", "Skolevegen") plus Faker-style surname
streets."""

ARBEIDSGIVERE: tuple[str, ...] = (
    "Glåmdal Bygg AS",
    "Vinger Rør AS",
    "Odalen Mekaniske AS",
    "Solør Transport AS",
    "Grenseland Handel AS",
    "Skotterud Bakeri",
    "Flisa Bil og Dekk AS",
    "Brandval Gårdsmat",
    "Kirkenær Elektro AS",
    "Sagstua Sag og Høvleri",
    "Magnor Glassverksted",
    "Roverud Maskin AS",
    "Skarnes Dagligvare",
    "Finnskogen Turisthytte",
    "Glommen Regnskap AS",
    "Vinger Kafé",
    "Austmarka Snekkeri",
    "Våler Barnehage",
)
"""Fictional employers and work-practice places (type ORGANISASJON in the transcripts)."""

EPOST_DOMENER: tuple[str, ...] = ("example.com", "example.org", "example.net")
"""Reserved example domains (RFC 2606), so no synthetic e-mail address can belong to anyone."""
