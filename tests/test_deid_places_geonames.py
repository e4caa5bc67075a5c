"""The GeoNames town and village list (``data/places_geonames.txt``): loaded, safe to match, and used.

The list is written by ``scripts/extract_geonames_places.py``; these tests hold its rules for any later edit: no
name a Norwegian word form or an ambiguous word (it would be masked wherever a sentence starts with that word),
none of three letters or fewer, none already in the other place lists or a given name or surname of the name lists.
"""

from __future__ import annotations

import pytest

from toolkit.deidentify import Deidentifier
from toolkit.deidentify.gazetteers import load_gazetteers, read_list
from toolkit.language import load_lexicon

GEONAMES = read_list("places_geonames.txt")


def test_the_list_is_loaded_as_places():
    places = load_gazetteers().places
    assert len(GEONAMES) > 300 and set(GEONAMES) <= places


def test_no_name_is_a_word_short_or_already_listed():
    lexicon = load_lexicon()
    words = set(lexicon.lookup) | set(lexicon.lemmas)
    ambiguous = {w.lower() for w in read_list("ambiguous_words.txt")}
    listed = {line.split(";", 1)[1].lower() for line in read_list("municipalities.txt")}
    listed |= {p.lower() for p in read_list("places.txt")}
    listed |= load_gazetteers().first_names | load_gazetteers().surnames
    for name in GEONAMES:
        assert len(name) > 3, name
        assert name.lower() not in words | ambiguous | listed, name


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # at the start of a sentence, where no preposition says that a place follows
        ("Ulsteinvik er en fin plass å vokse opp.", "Ulsteinvik"),
        ("Sandnessjøen, der bodde vi til jeg var ti.", "Sandnessjøen"),
    ],
)
def test_a_village_is_a_place_for_the_rules_alone(text, place):
    found = Deidentifier(engine="direct", spacy_model=None).analyze(text)
    start = text.index(place)
    assert any(s.start <= start and s.end >= start + len(place) and s.type == "STED" for s in found), found
