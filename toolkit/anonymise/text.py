"""De-identify Norwegian interview transcripts: names, numbers, places, organisations, dates and ages.

Interviews with young people name their helpers, the school, the NAV office, the village and the shop they work
in, and sometimes read out a fødselsnummer. Before anyone but the interviewer reads a transcript, every such
detail is replaced by a consistent tag (``[PERSON_1]``, ``[STED_2]`` …) or by a realistic surrogate.

Framework: Presidio. An :class:`~presidio_analyzer.AnalyzerEngine` with language ``nb``, a spaCy NLP engine built
on ``spacy.blank("nb")`` plus the Norwegian lookup lemmatizer (no model download), and our *own*
:class:`~presidio_analyzer.RecognizerRegistry` (the default registry is English-centred and noisy for ``nb``).
Replacement runs through Presidio's :class:`~presidio_anonymizer.AnonymizerEngine` with ``custom`` operators.

The recognisers are hand-written because no library knows Norwegian names, places, street names or the
fødselsnummer checksum variants; each is a Presidio ``EntityRecognizer`` whose matching is compiled regexes and
set look-ups over hand-written gazetteers in ``toolkit/anonymise/data/``. Because Presidio's per-call overhead
dominates on short texts, whole groups of paragraphs (up to ~64 kB) are analysed per call, and the same recognisers
can be called without the engines (``engine="direct"``), which gives the same spans (a test checks this) and
needs about a third less CPU; ``bench/bench_deid.py`` measures both.

Presidio traps handled here (see issue 7): the analyzer's default ``regex_flags`` include IGNORECASE, so the
per-transcript deny-list of names already seen ("Per") would match "per dag" — we pass flags without it; context
words only work with lemmas, so the NLP engine carries the ``nb`` lookup lemmatizer; e-mail detection imports
``tldextract``, which downloads unless ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is empty (``import toolkit`` sets
it); phone numbers are validated with ``phonenumbers`` for region ``NO`` only; and surrogates are chosen by a
*keyed* HMAC (Presidio's ``hash`` operator is an unkeyed hash, which anyone can reverse by hashing candidate names).

Types (Norwegian tag names): PERSON, STED, ORG, ADRESSE, FNR, TELEFON, EPOST, ID, DATO, ALDER.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.anonymise.identifiers import is_valid
from toolkit.errors import DisclosureError, InputDataError, PdtkError
from toolkit.io import list_transcripts, read_transcript, staged_output

TYPES = ("PERSON", "STED", "ORG", "ADRESSE", "FNR", "TELEFON", "EPOST", "ID", "DATO", "ALDER")
DIRECT_TYPES = frozenset({"PERSON", "FNR", "TELEFON", "EPOST", "ADRESSE", "ID"})
# When spans overlap they are merged into one; the merged span takes the type that comes first here.
_PRIORITY = {
    t: i
    for i, t in enumerate(
        ("FNR", "EPOST", "TELEFON", "ID", "ADRESSE", "ORG", "PERSON", "STED", "DATO", "ALDER")
    )
}
MODES = ("tags", "surrogates")
ENGINES = ("presidio", "direct")
MAP_FILE = "deidentification_map.jsonl"
SPANS_FILE = "deidentification.jsonl"
KEY_FILE = "deidentification_key.txt"
STREAM_THRESHOLD_BYTES = 16 * 1024 * 1024
CHUNK_CHARS = 64 * 1024
LANGUAGE = "nb"
DATA_DIR = Path(__file__).with_name("data")


# =============================================================================================== gazetteers
def _read_list(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


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

    first = {n.lower() for n in _read_list("first_names.txt")}
    first |= {n.lower() for n in (*NoPerson.first_names_male, *NoPerson.first_names_female)}
    surnames = {n.lower() for n in _read_list("surnames.txt")} | {n.lower() for n in NoPerson.last_names}
    municipalities = [line.split(";", 1)[1] for line in _read_list("municipalities.txt")]
    places = set(municipalities) | set(_read_list("places.txt"))
    return Gazetteers(
        first_names=frozenset(first),
        surnames=frozenset(surnames),
        places=frozenset(places),
        countries=frozenset(_read_list("countries.txt")),
        chains=tuple(sorted(set(_read_list("chains.txt")), key=len, reverse=True)),
        organisations=tuple(sorted(set(_read_list("organisations.txt")), key=len, reverse=True)),
        street_suffixes=tuple(sorted(set(_read_list("street_suffixes.txt")), key=len, reverse=True)),
        ambiguous=frozenset(w.lower() for w in _read_list("ambiguous_words.txt")),
        common_proper=frozenset(_read_list("common_proper_nouns.txt")),
    )


# =============================================================================================== detection
@dataclass(frozen=True)
class Span:
    """A detected span in a text: ``[start, end)`` and its type; ``score`` is the recogniser's confidence."""

    start: int
    end: int
    type: str
    score: float = 0.85


def _words(text: str) -> frozenset[str]:
    """A word list written as one string (easier to read and edit than a list of quoted words)."""
    return frozenset(text.split())


class CIPattern:
    """A case-insensitive pattern run on the lower-cased text without ``re.IGNORECASE``.

    Python's ``re`` loses its literal-prefix scan under IGNORECASE (up to 20× slower on these patterns), so the
    detector lower-cases each chunk once and matches lower-case patterns on it; offsets are the same whenever
    lower-casing keeps the length (always for Norwegian; otherwise the IGNORECASE version runs on the text).
    """

    def __init__(self, source: str):
        self.fast = re.compile(source)
        self.slow = re.compile(source, re.IGNORECASE)
        self.pattern = source

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match]:
        if low is not None and len(low) == len(text):
            return self.fast.finditer(low)
        return self.slow.finditer(text)


UP = "A-ZÆØÅÄÖÜÉÁČĐŊŠŦŽĖĄĘĮŲŪŁŃŚŹŻÓÍÚÑÇ"
LOW = "a-zæøåäöüéèáóúíñçšžćčłńśźżğışđŋŧėąęįųūőű"
WORD = re.compile(rf"[{UP}{LOW}0-9][{UP}{LOW}0-9'’-]*")
SPEAKER = re.compile(r"^[ \t]*([^\n:]{1,30}):", re.MULTILINE)
_MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
_MONTHS_SHORT = "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des"
_SEASONS = (
    "sommeren|våren|høsten|vinteren|julen|jula|påsken|påska|sommer|vår|høst|vinter|jul|påske|skoleåret|året|våronnen|"
    "høstsemesteret|vårsemesteret|semesteret|sommarn|sommaren|sommar|vårn|hausten|haust|vintern|vinteren|"
    "vår'n|høst'n|sommer'n|vinter'n|haust'n|vår’n|høst’n|sommer’n|vinter’n|"
    "sommerferien|vinterferien|høstferien|påskeferien|juleferien|sommarferien"
)
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
_UNITS = "en|ett|to|tre|fire|fem|seks|sju|syv|åtte|ni"
_NUMWORDS = (
    "ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|søtten|atten|nitten|tjue|tjueen|tjueto|tjuetre|"
    "tjuefire|tjuefem|tjueseks|tjuesju|tjuesyv|tjueåtte|tjueni|tretti|tjugo|tju|"
    # dialect teens, and the ages of parents and grandparents ("femtifire", "sekstisju", "åtti")
    "trettån|fjortån|femtån|sekstån|søttån|attån|nittån|fjortn|femtn|sekstn|søttn|syttn|attn|nittn|tjueein|tjueeitt|"
    rf"(?:tretti|førti|femti|seksti|sytti|åtti|nitti)(?:{_UNITS})?"
)
# a year said in words: "tjuenitten" (2019), "tjuetjueto" (2022), "totusenogfem", "nittennittiåtte"
_YEAR_WORDS = (
    rf"(?:tjue(?:tjue(?:{_UNITS})?|ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|søtten|atten|nitten)|"
    rf"to\s?tusen(?:\s?og\s?(?:{_UNITS}|ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|atten|nitten))?|"
    rf"nitten\s?nitti(?:{_UNITS})?)"
)
_WEEKDAYS = "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|måndag|tysdag|laurdag|sundag"
_ORDINALS = (
    "første|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende|ellevte|tolvte|trettende|"
    "fjortende|femtende|sekstende|syttende|søttende|attende|nittende|tjuende|tjueførste|tjueandre|tjuetredje|"
    "tjuefjerde|tjuefemte|tjuesjette|tjuesjuende|tjuesyvende|tjueåttende|tjueniende|trettiende|trettiførste"
)
_DATE_PATTERNS = [
    CIPattern(
        rf"\b(?:(?:{_WEEKDAYS})\s+(?:den\s+)?)?\d{{1,2}}\.\s?(?:{_MONTHS}|(?:{_MONTHS_SHORT})\.?)(?:\s+{_YEAR})?(?![\w])"
    ),
    # "(den) sjuende juni", "første mai 2020"
    CIPattern(rf"\b(?:{_ORDINALS})\s+(?:i\s+)?(?:{_MONTHS})(?:\s+{_YEAR})?\b"),
    # "3/12-21", "03/12-2021"
    CIPattern(r"(?<![\d/.,])(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])-(?:\d{4}|\d{2})(?![\d])"),
    # "vinteren -22", "høsten '19", "hausten tjuetjueto"
    CIPattern(rf"\b(?:{_SEASONS})\s+(?:i\s+)?(?:[-'’]\d{{2}}|{_YEAR_WORDS})(?![\w-])"),
    CIPattern(rf"\b(?:{_MONTHS}|(?:{_MONTHS_SHORT})\.?)\s+{_YEAR}\b"),
    CIPattern(r"(?<![\d.,])(0?[1-9]|[12]\d|3[01])[./](0?[1-9]|1[0-2])[./]((?:19|20)?\d{2})(?![\d])"),
    CIPattern(r"(?<![\d-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d])"),
    CIPattern(rf"\b(?:{_SEASONS})\s+(?:i\s+|på\s+)?{_YEAR}(?:\s?[/–-]\s?(?:{_YEAR}|\d{{2}}))?\b"),
]
_YEAR_CUE = CIPattern(
    rf"\b(?:i|fra|til|siden|før|etter|innen|rundt|høst|vår|sommer|vinter|jula|julen|begynnelsen av|starten av|"
    rf"slutten av|midten av|utgangen av|født i|fødd i|in)\s+({_YEAR}(?:\s?[/–-]\s?(?:{_YEAR}|\d{{2}}))?|{_YEAR_WORDS})\b"
)
# a season tied to last year ("i fjor høst", "sommeren i fjor", "forrige jul"): as datable as a season and a year
_SMALLNUM = "en|ett|ei|to|tre|fire|fem|seks|sju|syv|åtte|ni"
_RELATIVE_SEASON = CIPattern(
    r"\b((?:i\s+)?fjor\s+(?:høst|vår|sommer|vinter|jul|påske|haust|sommar)|(?:høsten|våren|sommeren|vinteren|julen|jula|påsken|"
    rf"påska|{_MONTHS})\s+i\s+(?:fjor|forfjor)|forrige\s+(?:høst|vår|sommer|vinter|jul|påske|skoleår)|"
    rf"(?:{_SEASONS})\s+for\s+(?:{_SMALLNUM}|\d)\s+år\s+(?:siden|sia))\b"
)
# a year standing alone as a point in time ("kom fra Polen 2015"): 1990–2029, not an amount or a measure, not
# part of a longer number, a decimal, a time or a range of digits
_BARE_YEAR = re.compile(
    r"(?<![\w.,:/+-])(199\d|20[0-2]\d)(?![\w.,:/]\d|[\w-]|\s*(?:kr\b|kroner|,-|NOK|meter|m\b|km|mil\b|kilo|kg|"
    r"gram|g\b|liter|poeng|prosent|%|stk|stykker|personer|folk|elever|mennesker|ansatte|timer|minutter|dager|ganger))"
)
_NICKNAME = re.compile(
    r"\b(?:kalte|kalla|kalt|kaller|kallenavn(?:et)?|heter|het)\s+(?:meg|han|ham|henne|ho|hu|oss|dem|seg)?\s*(?:for\s+)?"
    r"[\"«“”']([^\"»“”'\n]{2,24})[\"»“”']",
    re.IGNORECASE,
)
# grouped as people say them: "DDMMYY NNNNN", "DD MM YY NNNNN", "DD.MM.YY NNNNN" (not an account number's 4-2-5)
# lower-case names named by a relation: "bestevenninna mi selma", "kjæresten min ida", "ayse, søstra mi"
_RELATIONS = (
    "kjæresten|kjæreste|samboeren|venninna|venninnen|venninne|bestevenninna|bestevenninnen|bestevennen|bestevenn|"
    "kompisen|kompis|søstra|søsteren|søster|broren|bror|onkelen|onkel|tanta|tante|mora|moren|faren|stefaren|"
    "stemora|sjefen|læreren|veilederen|kontaktlæreren|sønnen|dattera|datteren|fetteren|kusina|naboen|kollegaen|"
    "lillesøstra|lillesøster|lillesøsteren|lillebror|lillebroren|storesøstra|storesøster|storebror|storebroren"
)
_LOWER_RELATION_NAME = re.compile(
    rf"\b(?:{_RELATIONS}|venninne|venn|kamerat)(?:\s+(?:min|mi|mitt|hans|hennes|vår))?[.,]?\s+([{LOW}][{LOW}]+(?:-[{LOW}]+)?)\b"
)
# "I: hva heter du? / U: hibaaq, 18": the first word of the answer to a name question is a name
_NAME_ANSWER = re.compile(
    r"\b(?:(?:hva|ka|kva)\s+(?:heter|heiter)\s+du|navn\s+og\s+alder|navnet\s+ditt|namnet\s+ditt)\b[^\n]*\n\s*\n?[ \t]*"
    r"(?:[^\n:]{1,30}:[ \t]*)(?!(?:ja|nei|jo|hei|jeg|eg|æ)\b)"
    rf"([{UP}{LOW}][{LOW}-]+(?:\s[{UP}{LOW}][{LOW}]+)?)(?=[ \t]*(?:[,.]|\smen\b|\n|$))"
)
# "I: hvor bor du / U: holmlia typ": the first word of the answer to a place question is a place
_PLACE_ANSWER = re.compile(
    r"\b(?:hvor|kor|kvar|ka)\s+(?:bor|bur|kommer|kjem|kom)\s+(?:du|dere|dokker|de)\b[^\n]*\n\s*\n?[ \t]*(?:[^\n:]{1,30}:[ \t]*)"
    rf"([{LOW}][{LOW}-]{{2,}})(?=[ \t]*(?:[,.]|\s(?:typ|nå|no|men|i|på)\b|\n|$))"
)
# "venner sier bare Trang", "alle sier maks": what people call someone
_CALLED_BY = re.compile(
    rf"\b(?:sier|seier|kaller\s+meg|kallar\s+meg|si)\s+(?:bare\s+|berre\s+)?([{UP}{LOW}][{LOW}]{{1,}})\b"
)
# "hei filmon", "takk, sara": a greeting names the person spoken to
_GREETED = re.compile(rf"\b(?:hei|hallo|heisann|takk)[,!]?\s+([{LOW}][{LOW}]{{2,}})\b")
# lower-case transcripts: a word no dictionary knows after a place preposition ("mor i asmara", "på gressvik")
_LOWER_UNKNOWN_PLACE = re.compile(rf"\b(?:i|på|fra|frå|utenfor|utanfor)\s+([{LOW}][{LOW}-]{{3,}})\b")
# "romerike regnskap as": a lower-case company with its AS after a preposition
_LOWER_COMPANY = re.compile(rf"\b(?:i|hos|på|for|fra)\s+((?:[{LOW}][\w&-]*\s){{1,3}}(?:as|asa))\b")
_LOWER_NAME_RELATION = re.compile(
    rf"\b([{LOW}][{LOW}]+(?:-[{LOW}]+)?),\s+(?:{_RELATIONS})\s+(?:min|mi|mitt)\b"
)
_CALLED = re.compile(rf"\b(?:kalte|kalla|kaller|kalles)\s+seg\s+([{UP}][\w-]+)")
_FNR_LOOSE = re.compile(
    r"(?<![\d.,])(?:\d{6}[ ]?|\d{2}[ .]\d{2}[ .]\d{2}[ .]?)(?:\d{5}|\d{3} \d{2})(?![\d]|[.,]\d)"
)
_SUBJECT = (
    r"(?:jeg|je|æ|eg|e|i|han|hun|hu|ho|hen|vi|me|dem|de|du|dokker|broren|søstera|søsteren|sønnen|dattera|datteren|"
    r"mor|far|mora|faren|moren|mamma|pappa|mammaen|pappaen|bestefar|bestemor|farfar|farmor|morfar|mormor|onkel|"
    r"tante|lillebror|lillesøster|storebror|storesøster|lillebroren|lillesøstera|lillesøsteren|storebroren|"
    r"storesøstera|storesøsteren|kjæresten|samboeren|yngstemann|eldstemann|den\s+yngste|den\s+eldste|"
    r"yngste\s+bror|yngste\s+søster|eldste\s+bror|eldste\s+søster|minstemann|veslejenta|veslegutten)"
)
_HALF = r"(?:\s+og\s+et\s+halvt|\s+og\s+ei?t?\s+halvt?|\s*½)?"
_AGE_PATTERNS = [
    # "da jeg var 17", dialect "da æ va søtten", "når hun blei 15", "fra jeg var 15 til jeg var 18"
    CIPattern(
        rf"\b(?:da|når|som|fra|til|siden|før|etter|innen)\s+{_SUBJECT}\s+(?:bare\s+)?(?:var|va|vart|blei|ble|fylte|fyllte|"
        rf"skulle\s+fylle|var\s+rundt|var\s+bare|var\s+cirka)\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år(?:\s+gammel|\s+gamle)?)?)(?![\w.,]\d)\b"
    ),
    CIPattern(
        rf"\b((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år\s+gam(?:mel|le|ml)|\s?-?\s?åring(?:en)?|-årsdagen|-årsdag))\b"
    ),
    # "jeg er 19.", "han er to og går i barnehagen"
    CIPattern(
        rf"\b{_SUBJECT}(?:\s+(?:min|mi|mitt|vår|vårt|hans|hennes|deres))?\s+(?:er|e|var|va|vart|blir|blei|ble|fyller|"
        rf"fylte|har\s+fylt|er\s+snart|er\s+nesten|(?:er|e|var|va|ble|vart)\s+(?:bare|berre))\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?)"
        rf"(?=\s*(?:[,.!?;)\n]|og\b|nå\b|no\b|men\b|så\b|da\b|då\b|eller\b|i\s+dag\b|$))"
    ),
    # "ho e halvannet år", "han er halvt år"
    CIPattern(
        r"\b(?:er|e|var|va|blir|ble|vart)\s+((?:halvannet|halvanna|halvt|eitt\s+og\s+eit\s+halvt)\s+år)\b"
    ),
    # "ein son som er to", "en gutt som er seks"
    CIPattern(
        rf"\b(?:son|sønn|sønnen|dotter|datter|dattera|gutt|gut|jente|barn|unge|bror|syster|søster)\s+som\s+(?:er|e|blir|fyller)\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år)?)\b(?!\s*(?:kroner|kr\b|prosent|timer|ganger))"
    ),
    # "en lillesøster på ni år", "ein son på fire"
    CIPattern(
        rf"\b(?:lillesøster|lillebror|storesøster|storebror|søster|søstra|syster|bror|bror\s+min|sønn|son|datter|dotter|"
        rf"gutt|jente|unge|barn|baby|kjæreste)\s+på\s+((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+(?:år|måneder|mnd|uker))?)\b"
        rf"(?!\s*(?:kilo|kg|cm|gram))"
    ),
    CIPattern(
        rf"(?<!klokka\s)(?<!klokken\s)(?<!kl\s)(?<!kl\.\s)\b(?:er|e|var|va|blir|blei|ble|fyller|fylte|fylt|snart|nesten)\s+"
        rf"((?:1[2-9]|2\d|{_NUMWORDS})(?:\s+år)?)(?=\s*(?:[,.!?;)\n]|og\b|nå\b|i\s+dag\b|$))"
    ),
    # "to år eldre", "ett år yngre enn meg"
    CIPattern(rf"\b((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})\s+år)\s+(?:eldre|yngre)\b"),
    # "jeg fyller 20 i august": a number after "fyller/fylte" is an age
    CIPattern(
        rf"\b(?:fyller|fylte|fyllte|fylt|fyll|fyllr)\s+((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år)?)\b(?![.:,]\d)"
    ),
    CIPattern(r"\b(?:alder(?:en)?\s+(?:av|på))\s+(\d{1,2}(?:\s+år)?)\b"),
    # inverted and softened: "nå er jeg 23.", "no e æ tjuesju og …", "jeg er jo nitten så …"
    CIPattern(
        rf"\b(?:er|e|var|va|vart|blir|ble)\s+(?:jeg|je|æ|eg|han|hun|hu|ho|hen)\s+(?:jo\s+|bare\s+|snart\s+|nesten\s+)?"
        rf"((?:\d{{1,2}}|{_NUMWORDS}){_HALF}(?:\s+år)?)(?=\s*(?:[,.!?;)\n]|og\b|nå\b|no\b|da\b|så\b|i\s+dag\b|$))"
    ),
    CIPattern(
        rf"\b{_SUBJECT}\s+(?:er|e|var|va)\s+jo\s+((?:\d{{1,2}}|{_NUMWORDS}){_HALF}(?:\s+år)?)"
        rf"(?=\s*(?:[,.!?;)\n]|og\b|nå\b|no\b|så\b|da\b|$))"
    ),
    # "tjueto nå.", "jepp, 19 no": an answer that is an age and "now"
    CIPattern(
        rf"(?:^|[.!?:]\s+|\n)(?:jepp|ja|jo|joa|yes)?[,.]?\s*((?:1[3-9]|[2-9]\d|{_NUMWORDS})(?:\s+år)?)\s+(?:nå|no)\b"
    ),
    # "jeg var 14 det verste året": a teenage or twenties number after "jeg var" mid-sentence, unless a unit follows
    CIPattern(
        rf"\b{_SUBJECT}\s+(?:er|e|var|va|vart|blir|blei|ble|fyller|fylte)\s+((?:1\d|2\d|{_NUMWORDS})(?:\s+år(?!\s+siden))?)"
        rf"(?![\w.,:]|\s*(?:år\s+siden|dager|døgn|uker|måneder|mnd|timer|minutter|min\b|sekunder|kroner|kr\b|prosent|%|"
        rf"ganger|stykker|stk|km|meter|kilo|kg|poeng|gram|liter|grader|plasser|personer|elever|av\b|i\s+køen))"
    ),
]
# "maja, 26, bor på …": a name with the age between commas
# "lillebror karim er elleve", "lana. nitten": lower-case age after a relation + name
_LOWER_RELATION_AGE = re.compile(
    rf"\b(?:{_RELATIONS}|venninne|venn)(?:\s+(?:min|mi|mitt))?\s+[{LOW}]+\s+(?:er|e|var)\s+"
    rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år)?)\b(?!\s*(?:kroner|kr\b|prosent|timer))"
)
_NAME_COMMA_AGE = re.compile(
    rf"\b([{UP}{LOW}][{LOW}-]+),\s+((?:1[3-9]|[2-9]\d|{_NUMWORDS})(?:\s+år)?)(?:,\s|\.(?:\s|$))"
)
# "Emine er seks og …": a name (a capitalised word that is no ordinary word) with an age at the end of a clause
_NAMED_AGE = re.compile(
    rf"\b([{UP}][{LOW}]+),?\s+(?:er|e|var|vart|blir|ble|blei|fyller|fylte)\s+(?:bare\s+|snart\s+|nesten\s+)?"
    rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?)"
    rf"(?=\s*(?:[,.!?;)\n]|og\b|nå\b|i\s+dag\b|$))"
)
# An answer that starts with a number, after a question about age ("Hvor gammel er han?" — "21, ...").
_AGE_QUESTION = CIPattern(
    r"(?:\b(?:gammel|gamal|gammal|gamle|alder|år\s+er\s+(?:du|han|hun))\b[^\n]*\?|"
    r"\b(?:hvor|kor|ka|kva)\s+(?:gammel|gamal|gammal|gamle)\b[^\n?]*|\bnavn\s+og\s+alder\b[^\n?]*)[ \t]*\n\s*\n?[ \t]*(?:[^\n:]{1,30}:[ \t]*)?"
    rf"(?:(?!(?:\d|{_NUMWORDS}|{_SMALLNUM}|jeg|æ|eg|er|e|blir|ble|fyller|fylte|vart)\b)"
    rf"[{UP}{LOW}][{LOW}-]+(?:\s(?!og\b)[{LOW}]+)?[,.]\s+(?:men\s+[^\n.]{{0,20}}\.\s+)?)?"
    rf"(?:(?:jeg\s+|æ\s+|eg\s+)?(?:er|e|blir|ble|fyller|fylte|vart)\s+)?((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?"
    rf"(?:(?:\s+og\s+|,\s*|\.?\s+(?:snart|nesten)\s+)(?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år)?)*)\b"
)
_GENERIC_AGE_BEFORE = _words("en ei et ein eit alle mange noen de hver enhver")
_BARE_AGE = re.compile(r"\b(1[0-9]|2[0-9])\s+år\b(?!\s+(?:siden|etter|før|til|senere|tidligere))")
_DURATION_BEFORE = re.compile(
    r"(?:\b(?:i|for|på|etter|om|hvert|over|under|siste|første|noen|flere|nesten|bare|mellom|alle|de|disse|et|ett|to)\s+)$",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+.,/-])(?:(?:\+|00)\s?47[\s-]?)?(?:\d{8}|\d{3}[ -]\d{2}[ -]\d{3}|\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2}|\d{4}[ -]\d{4})(?![\w.,/-]?\d)"
)
_PHONE_DECOY_CUE = re.compile(
    r"(?:ordre|bestilling|faktura|konto|kunde|kvittering|referanse|ref|produkt|vare|sporings|pakke|serie|"
    r"bankkonto|kontonr|beløp|kroner|kr)\w*[\s.:#-]*(?:nr\.?|nummer(?:et)?)?(?:[\s.:#,-]+[^\W\d]+){0,3}[\s.:#-]*$",
    re.IGNORECASE,
)
_PHONE_CUE = re.compile(
    r"(?:ring|ringe|nummer|nummeret|mobil|mobilen|telefon|telefonen|tlf|sms|tekst|nr)\W+(?:\w+\W+){0,4}$",
    re.IGNORECASE,
)
_ID = CIPattern(
    r"\b(?:saksnummer(?:et)?|saksnr\.?|sak\s+nr\.?|saks-nr\.?|studentnummer(?:et)?|studentnr\.?|student-id|"
    r"elevnummer(?:et)?|elevnr\.?|kandidatnummer(?:et)?|kandidatnr\.?|journalnummer(?:et)?|journalnr\.?|"
    r"referansenummer(?:et)?|klientnummer(?:et)?|brukernummer(?:et)?|bruker-id|ansattnummer(?:et)?|ansattnr\.?|"
    r"medlemsnummer(?:et)?|pasientnummer(?:et)?|kundenummer(?:et)?|kundenr\.?|lånenummer(?:et)?|"
    r"passnummer(?:et)?|dnr\.?|sak)"
    r"(?:\s+[^\s\d]+){0,5}?\s*[:#]?\s*"
    r"([A-Za-z]{0,3}[-]?\d[\d/.\-]{3,}[A-Za-z]?)(?<![.\-/])"
)
_PREFIXED_ID = re.compile(r"\b[A-ZÆØÅ]{2,6}-(?:19|20)\d{2}-\d{3,}\b|\b[A-ZÆØÅ]{1,6}-\d{5,}\b")
_CASE_NUMBER = re.compile(r"(?<![\d/.,-])(?:\d{2}|(?:19|20)\d{2})/(?!(?:19|20)\d{2}(?!\d))\d{4,7}(?![\d/])")
_ADDRESS_CONTEXT = re.compile(
    rf"(?:\b(?:i|på|bor|bodde|bur|budde|adressen|adresse|adressa|til)\s+(?:er\s+|var\s+)?)"
    rf"([{UP}][{LOW}-]{{3,}})\s+(\d{{1,3}}(?:\s?[A-Za-z](?![\w]))?)(?![\d.,:]?\d)(?!\s*(?:år|kr|kroner|prosent|%|timer|minutter|dager|uker|ganger|stk))"
)
_POSTBOX = re.compile(r"\b[Pp]ostboks\s+\d{1,5}\b")
_POSTCODE_PLACE = re.compile(rf"(?<![\d\w])(\d{{4}})\s+([{UP}][{UP}{LOW}-]+(?:\s[{UP}][{UP}{LOW}-]+)?)")
_STREET_PREFIX_WORDS = _words(
    "gamle nedre øvre søndre nordre store lille vestre østre kong dronning prinsens kongens fru sankt st. "
    "nye gml. gml"
)
_STREET_SEPARATE = re.compile(
    rf"((?:[{UP}][{LOW}.'-]*\s){{1,3}})(gate|gata|vei|veg|veien|vegen|allé|alle|plass|terrasse|bakke|vn\.|gt\.)"
    rf"(\s+\d{{1,4}}(?:\s?[A-Za-z])?\b)?"
)
_HOUSE_NUMBER = re.compile(r"\s+\d{1,4}(?:\s?[A-Za-z](?![\w]))?(?:\s?[,-]\s?\d{1,4})?\b")
_POSTCODE_AFTER = re.compile(rf",?\s+\d{{4}}\s+[{UP}][{UP}{LOW}-]+")
_EMAIL_FALLBACK = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")

_NAME_CUES_BEFORE = _words(
    "heter het heiter heite hette kalt kalte kaller kalles kaltes navn navnet fru herr frk rektor lærer "
    "læreren lærer'n kontaktlærer kontaktlæreren kontaktlærer'n veileder veilederen veileder'n doktor "
    "dr dr. onkel tante fetter kusine bestemor bestefar mormor morfar farmor farfar bror broren bror'n "
    "brødrene søster søstera søsteren søstra stefar stemor kjæreste kjæresten venn vennen venninne "
    "venninna venninnen kompis kompisen kamerat kameraten miljøterapeut miljøterapeuten saksbehandler "
    "saksbehandleren sjef sjefen trener treneren trener'n nabo naboen sønn sønnen datter dattera datteren "
    "mamma pappa fosterfar fostermor helsesøster helsesykepleier psykolog psykologen spesialpedagog "
    "assistent assistenten koordinator koordinatoren miljøarbeider ungdomsarbeider mentor mentoren "
    "fastlege fastlegen lillesøster lillesøstera lillesøsteren lillebror lillebroren storesøster storebror "
    "syster systera systra syskenet hei hallo seier sier"
)
_MONTH_WORDS = frozenset(f"{_MONTHS}|{_MONTHS_SHORT}".split("|"))
_COUNTRY_PREPS = _words("i fra frå på utenfor utanfor nær rundt")
_NAME_CUES_AFTER = _words("heter het heite heiter hette kalles ringte sa sier")
_POSSESSIVES = _words("min mi mitt mine din di ditt dine hans hennes vår vårt våre sin si sitt sine deres")
_SPEECH_VERBS = _words(
    "sa sier spurte spør ringte ringer svarte svarer mente mener syntes synes tenkte sendte skrev kom "
    "hjalp hjelper bodde jobber jobbet jobba begynte sluttet slutta og"
)
_PLACE_PREPS = _words(
    "i på fra til ved mot nær utenfor rundt mellom forbi gjennom innover utover oppi nedi bortpå"
)
_FUNCTION_WORDS = _words(
    "i på fra til ved mot og men så da at om for med av som det den de du jeg han hun vi dere eg æ e je "
    "ho hu er var ikke bare også når hva hvem hvor hvorfor hvordan etter før under over hos uten meg deg "
    "seg oss dem en ei et ett min mi mitt mine din hans hennes sin vår deres"
)
_COUNTRY_CUE = re.compile(
    r"(?:\bfra|\bfødt\s+i|\boppvokst\s+(?:i|på)|\bvokst\s+opp\s+i|\bfødd\s+i|\bbodde\s+i|\bbudde\s+i|\bvokste\s+opp\s+i|\bopprinnelig\s+fra|\bhjemme\s+i|"
    r"\bbakgrunn\s+fra|\bflyktet\s+fra|\bflykta\s+fra|\bkom\s+(?:hit\s+)?fra|\bflytta\s+(?:hit\s+)?fra|"
    r"\bflyttet\s+(?:hit\s+)?fra|\bkommer\s+fra|\bkjem\s+frå|\bfrå|\bborn\s+in|\bbor\s+(?:nå\s+)?i|\bbur\s+i|"
    r"\bjobber\s+i|\bstuderer\s+i|\bsitter\s+i\s+fengsel\s+i|\bdeportert\s+til|\bsendt\s+tilbake\s+til|"
    r"\breiste\s+tilbake\s+til|\bflytta\s+tilbake\s+til|\bflyttet\s+tilbake\s+til|\bflytta\s+til|\bflyttet\s+til|"
    r"\bflytte\s+til|\bkom\s+til|\bvil\s+(?:eg\s+|jeg\s+)?(?:kanskje\s+)?til|\ber\s+i|\be\s+i)"
    r"\s+(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)
# a name followed by a kind of organisation written as one compound word: "Elvebyen helsefagskole", "Mjøsporten
# språksenter", "djupadalen ballklubb"; and firms named by their trade: "Nordlast Logistikk", "Nilsen Bygg"
_ORG_COMPOUND = re.compile(
    rf"\b([{UP}{LOW}][{LOW}-]{{2,}})\s+([{LOW}]{{2,}}(?:skole|skule|senter|klubb|foreining|forening|idrettslag|"
    rf"omsorgssenter|verksted|logistikk|transport|regnskap))\b"
)
_TRADE_FIRM = re.compile(
    rf"\b([{UP}][{LOW}-]+)\s+(Logistikk|Transport|Bygg|Regnskap|Elektro|Verksted|Mek\.?\s+Verksted|Eiendom|Service|"
    rf"Maskin|Rør|Entreprenør|Consult|Negler|Mat|Frisør|Bilverksted|Snekkeri|Maling)\b"
)
# words before an institution that make it no name: "på eit sjukeheim", "den nye vgs"
_ARTICLES = _words("en ei et ein eit den det dei denne dette ny nye gamle")
# institutions named by a word before them, for lower-case transcripts ("bingsfoss vgs", "grue helsesenter")
_LOWER_INSTITUTIONS = (
    "helsehus|frisørskole|folkehøgskule|sjukeheim|klinikk|vgs|videregående skole|videregående|ungdomsskole|ungdomsskule|barneskole|barneskule|yrkesskole|"
    "naturbruksskole|folkehøgskole|læringssenter|legesenter|helsesenter|legekontor|sykehjem|helsetun|"
    "behandlingssenter|idrettslag|fotballklubb"
)
_SCHOOL_WORDS = (
    "vidaregåande skule|vidaregåande skole|maritime fagskule|maritime fagskole|maritime skule|maritime skole|"
    "folkehøgskule|naturbruksskule|fagskule|sjukeheim|sjukehus|handelshøyskole|handelshøgskole|frisørskole|"
    "klinikk|fysioterapi|snekkeri|apotek|helsehus|"
    "yrkesskole|naturbruksskole|yrkesfagsenter|helsesenter|tekniske fagskole|tekniske skole|fagskole|idrettsgymnas|vidregåande|vidaregåande|vidergåande|"
    "sykehjem|helsetun|behandlingssenter|rehabiliteringssenter|omsorgssenter|"
    "videregående skole|videregående skule|videregående|ungdomsskole|ungdomsskule|barneskole|barneskule|skole|skule|"
    "vgs|VGS|barnehage|folkehøgskole|folkehøyskole|gymnas|montessoriskole|friskole|kristne skole|ungdomshjem|"
    "ungdomshjemmet|bofellesskap|ungdomsbolig|barnevernsinstitusjon|omsorgssenter|fritidsklubb|ungdomsklubb|"
    "ungdomshus|leirskole|kulturskole|voksenopplæring|læringssenter|arbeidssenter|legesenter|legekontor"
)
_CLUB_WORDS = (
    "IL|IF|FK|BK|SK|HK|IK|TIF|IBK|OIL|Idrettslag|idrettslag|Fotballklubb|fotballklubb|Håndballklubb|håndballklubb|"
    "Skiklubb|skiklubb|Turnforening|turnforening|Ballklubb|ballklubb|Innebandyklubb|innebandyklubb|"
    "Bokseklubb|bokseklubb|Svømmeklubb|svømmeklubb|Skytterlag|skytterlag|Musikkorps|musikkorps|Skolekorps|skolekorps"
)
_INSTITUTION_WORDS = (
    "kommune|sykehus|legesenter|legekontor|helsestasjon|bibliotek|kirke|menighet|ungdomsklubb|fritidsklubb|"
    "ungdomshus|storsenter|kjøpesenter|senter|sag|bruk|mølle|bo- og behandlingssenter|sykehjem|ungdomsråd|"
    "kulturskole|voksenopplæring|læringssenter|arbeidssenter|kro|hotell|camping|bilverksted|bakeri|frisør|"
    "politistasjon|lensmannskontor|brannstasjon|rådhus|tannlegekontor|tannklinikk|apotek|stasjon|menighetshus"
)
_COMPANY = re.compile(rf"((?:[{UP}0-9][\w&'.-]*\s(?:(?:og|&)\s)?){{1,4}})(AS|ASA|SA|ANS|DA|BA|Ltd)\b")
_GENERIC_SCHOOL_COMPOUNDS = _words(
    "skolen skole ungdomsskolen ungdomsskole barneskolen barneskole grunnskolen grunnskole "
    "videregåendeskolen folkehøgskolen folkehøyskolen kulturskolen sommerskolen nattskolen privatskolen "
    "friskolen leksehjelpskolen hjemmeskolen kjøreskolen kjøreskole trafikkskolen yrkesskolen fagskolen "
    "fagskole barnehagen barnehage gymnaset videregåendeskole spesialskolen alternativskolen alternativ "
    "realskolen høyskolen høgskolen høgskole høyskole voksenskolen bibelskolen danseskolen musikkskolen"
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_SENTENCE_STARTS = re.compile(r'(?:^|(?<=[.!?:;«"“”–—\-…(*\[>•▪◦·]))[ \t]*', re.MULTILINE)
_JOINERS = (" ", ", ")


def _sentence_start(text: str, pos: int) -> bool:
    """True when ``pos`` starts a sentence: paragraph start, after . ! ? : « " – or after a speaker label."""
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i < 0 or text[i] == "\n":
        return True
    return text[i] in '.!?:;«"“”–—-…(*[>'


class NorwegianDetector:
    """All hand-written detection logic, callable per family of entities.

    The Presidio recognisers below call these methods; ``engine="direct"`` calls them without the engines.
    Each ``find_*`` method takes a chunk of text (whole paragraphs) and returns :class:`Span` objects.
    """

    def __init__(self, gazetteers: Gazetteers | None = None):
        g = gazetteers or load_gazetteers()
        self.g = g
        self.places_lower = g.places_lower
        self.countries_lower = frozenset(c.lower() for c in g.countries)
        self.chains_lower = frozenset(c.lower() for c in (*g.chains, *g.organisations))
        self._org_re = re.compile(rf"(?=[{UP}0-9])(?<![\w-])({_alternation(g.organisations)})(?![\w-])")
        self.common_lower = frozenset(c.lower() for c in g.common_proper)
        place_alt = _alternation(g.places)
        self._place_re = re.compile(rf"(?=[{UP}])(?<![\w-])({place_alt})(s)?(?![\w-])")
        self._country_re = re.compile(rf"(?=[{UP}])(?<![\w-])({_alternation(g.countries)})(?![\w-])")
        self._nav_re = re.compile(
            rf"\b(?:NAV|Nav|BUP|DPS|PPT|PP-tjenesten|Barnevernet|barnevernet|Politiet|Bufetat|Helsestasjonen|"
            rf"Familievernkontoret|Ungdomsklubben|Frivilligsentralen|Kirkens Bymisjon|Røde Kors|Fretex|Frelsesarmeen)"
            rf"(?:\s|-kontoret\s+(?:i|på)\s+)((?:[{UP}][\w-]+)(?:\s(?:og\s)?[{UP}][\w-]+)?)"
        )
        self._school_re = re.compile(
            rf"((?:[{UP}][\w'-]*\s){{0,2}}[{UP}][\w'-]*)\s(?i:{_SCHOOL_WORDS})(?![\w])"
        )
        self._school_compound_re = re.compile(
            rf"\b([{UP}][{LOW}-]{{2,}}?)(skolen|skole|skulen|skule|barnehagen|barnehage|gymnas|gymnaset)\b"
        )
        self._club_re = re.compile(rf"((?:[{UP}][\w'-]*\s){{0,2}}[{UP}][\w'-]*)\s(?:{_CLUB_WORDS})\b")
        # "Flisa Bil og Dekk", "Sagstua Sag og Høvleri": a place followed by capitalised words is a business
        self._place_company_re = re.compile(
            rf"(?=[{UP}])(?<![\w-])({place_alt})((?:\s(?:og\s|&\s)?[{UP}][{LOW}-]+)+)(?![\w-])"
        )
        self._institution_re = re.compile(rf"(?=[{UP}])(?<![\w-])({place_alt})\s(?:{_INSTITUTION_WORDS})\b")
        self._chain_re = re.compile(
            rf"(?=[{UP}0-9])(?<![\w-])({_alternation(g.chains)})\s+([{UP}][\w-]+(?:\s[{UP}][\w-]+)?)"
        )
        # "på SATS Kongsvinger", "gjennom Jobzone Kongsvinger", "Klipp & Krøll Skarnes": a capitalised brand
        # after a preposition (so not at a sentence start), followed by a known place
        self._brand_place_re = re.compile(
            rf"\b(?:på|hos|for|gjennom|via|ved|fra|til|med|i)\s+([{UP}][\w-]*\w(?:\s&\s[{UP}][\w-]*\w)?)\s+"
            rf"({_alternation(g.places)})(?![\w-])"
        )

        # Text transcribed without capitals ("bor på kirkenær", "jobber på coop prix kirkenær", "nav grue",
        # "bingsfoss vgs"): the same gazetteers, matched in lower case, with a cue that it is a name
        def lower_alt(words: Iterable[str]) -> str:
            return _alternation(sorted({w.lower() for w in words}, key=len, reverse=True))

        preps = "|".join(sorted(_PLACE_PREPS))
        lower_chains = lower_alt(g.chains)
        self._lower_place_re = re.compile(
            rf"\b(?:{preps})\s+({lower_alt(p for p in g.places if p.lower() not in g.ambiguous)})(?![\w-])"
        )
        self._lower_country_re = re.compile(rf"\b(?:{preps})\s+({lower_alt(g.countries)})(?![\w-])")
        # a chain and a part of town no list knows, in lower-case text: "mcdonalds ryen", "rema 1000 raglamyr"
        self._lower_chain_word_re = re.compile(
            rf"(?<![\w-])((?:{lower_chains}|mcdonalds)\s+([{LOW}][{LOW}-]{{3,}}))(?![\w-])"
        )
        # after "nav" or a chain even a place that is also a word counts ("nav grue")
        self._lower_org_re = re.compile(
            rf"(?<![\w-])((?:nav|{lower_chains})\s+(?:{lower_alt(g.places)}))(?![\w-])"
        )
        self._lower_school_re = re.compile(
            rf"(?<![\w-])([{LOW}][{LOW}-]{{2,}})\s+({_LOWER_INSTITUTIONS})(?![\w-])"
        )
        # "Fagskolen Mjøsland", "Fritidsklubben Loftet", "Hotell Brandsøy": a kind of place, then its name
        self._kind_name_re = re.compile(
            rf"\b(?:Høgskolen|Høgskulen|Høyskolen|Universitetet)\s+(?:i|på)\s+[{UP}][\w-]*\w|"
            rf"\b(?:Fagskolen|Fritidsklubben|"
            rf"Ungdomsklubben|Ungdomshuset|Hotell|Kafé|Kafe|Kaffebaren|Restaurant|"
            rf"Treningssenteret|Senteret|Klubben|Behandlingssenteret|Klinikk|Klinikken)\s+[{UP}][\w'-]*(?:\s[{UP}][\w'-]*){{0,2}}"
        )
        self._chain_alone_re = re.compile(
            rf"(?=[{UP}0-9])(?<![\w-])({_alternation(g.chains)})\s+(?:i|på|på\s+senteret\s+i)\s+(?:{_alternation(g.places)})(?![\w-])"
        )
        suffix_alt = "|".join(re.escape(s) for s in g.street_suffixes)
        self._street_word_re = re.compile(rf"(?<![\w-])([{UP}][{LOW}-]{{2,}}?(?:{suffix_alt}))(?![\w-])")
        # lower-case transcripts: "bor i nittedalsgata 14" (a street word with a house number, after a cue)
        self._lower_street_re = re.compile(
            rf"\b(?:i|på|bor|bur|bodde|budde|adressen|adresse|adressa)\s+(?:er\s+|var\s+)?"
            rf"([{LOW}][{LOW}-]{{2,}}?(?:{suffix_alt})\s+\d{{1,4}}(?:\s?[a-z](?![\w]))?)(?![\w]|[.,]\d)"
        )
        self._email = None
        self._low_cache: tuple[str | None, str] = (None, "")

    # ------------------------------------------------------------------------------------ identifiers
    def find_fnr(self, text: str) -> list[Span]:
        """11 digits ("DDMMYY NNNNN", "DD MM YY NNNNN", with or without spaces or dots): certain when the checksum
        is valid; still tagged, less surely, when only the date part is plausible — a number misheard, mistyped
        or transcribed with one wrong digit identifies the person all the same."""
        spans = []
        for m in _FNR_LOOSE.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            if is_valid(digits):
                spans.append(Span(m.start(), m.end(), "FNR", 1.0))
            elif 1 <= int(digits[0:2]) % 40 <= 31 and 1 <= int(digits[2:4]) % 40 <= 12:
                spans.append(Span(m.start(), m.end(), "FNR", 0.7))
        return spans

    def find_phone(self, text: str) -> list[Span]:
        """8-digit Norwegian numbers (+47/0047 optional) in the usual groupings, valid for region NO."""
        import phonenumbers

        spans = []
        for m in _PHONE.finditer(text):
            digits = re.sub(r"\D", "", m.group(0))
            national = digits[-8:]
            if national[0] in "01":
                continue
            if _PHONE_DECOY_CUE.search(text[max(0, m.start() - 40) : m.start()]):
                continue
            try:
                number = phonenumbers.parse(national, "NO")
            except phonenumbers.NumberParseException:  # pragma: no cover - 8 digits always parse
                continue
            if phonenumbers.is_valid_number_for_region(number, "NO"):
                spans.append(Span(m.start(), m.end(), "TELEFON", 0.9))
            elif (
                len(digits) > 8
                or " " in m.group(0)
                or _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()])
            ):
                # Not an allocated range, but written like a phone number or introduced as one: people misread
                # and mistype numbers, and a near-miss still identifies.
                spans.append(Span(m.start(), m.end(), "TELEFON", 0.6))
        return spans

    def find_email(self, text: str) -> list[Span]:
        """E-mail addresses via Presidio's e-mail recogniser (offline: the public-suffix download is disabled)."""
        if self._email is None:
            from presidio_analyzer.predefined_recognizers import EmailRecognizer

            self._email = EmailRecognizer(supported_language=LANGUAGE, supported_entity="EPOST")
        if "@" not in text:
            return []
        # Only the lines that hold an "@" go through Presidio's recogniser (an address never spans lines).
        spans = []
        for line in re.finditer(r"[^\n]*@[^\n]*", text):
            found = self._email.analyze(
                line.group(0), ["EPOST"], None, regex_flags=re.DOTALL | re.MULTILINE | re.IGNORECASE
            )
            spans += [Span(line.start() + r.start, line.start() + r.end, "EPOST", 1.0) for r in found]
        # Presidio validates the top-level domain; an address with an unknown one is still an address here.
        spans += [Span(m.start(), m.end(), "EPOST", 0.9) for m in _EMAIL_FALLBACK.finditer(text)]
        return spans

    def _low(self, text: str) -> str:
        """``text.lower()``, computed once per chunk (every recogniser sees the same chunk in turn)."""
        if self._low_cache[0] is not text:
            self._low_cache = (text, text.lower())
        return self._low_cache[1]

    def find_ids(self, text: str) -> list[Span]:
        """Case, student, client and customer numbers: after a word that names the kind of number, or in the
        public-sector case-number shape year/serial ("2021/118733", "19/04512"), which no date or phone has."""
        spans = [Span(m.start(1), m.end(1), "ID", 0.9) for m in _ID.finditer(text, self._low(text))]
        spans += [Span(m.start(), m.end(), "ID", 0.75) for m in _CASE_NUMBER.finditer(text)]
        spans += [Span(m.start(), m.end(), "ID", 0.7) for m in _PREFIXED_ID.finditer(text)]
        return spans

    # ------------------------------------------------------------------------------------ addresses
    def find_addresses(self, text: str) -> list[Span]:
        """Street name (Norwegian street suffix) + house number, postcode + place, postboxes."""
        g = self.g
        spans: list[Span] = [
            Span(m.start(1), m.end(1), "ADRESSE", 0.7) for m in self._lower_street_re.finditer(text)
        ]
        for m in self._street_word_re.finditer(text):
            word = m.group(1)
            start, end = m.start(1), m.end(1)
            number = _HOUSE_NUMBER.match(text, end)
            lw = word.lower()
            if lw in self.places_lower or lw in self.countries_lower:
                continue
            if not number:
                # A street word without a number: tag unless it is also a name or a known place word.
                if lw in g.surnames or lw in g.first_names or lw in g.ambiguous:
                    continue
                if lw in _GENERIC_SCHOOL_COMPOUNDS or lw in self.common_lower:
                    continue
                if _sentence_start(text, start) and _prev_word(text, start).lower() not in _PLACE_PREPS:
                    continue
            else:
                end = number.end()
            # include adjacent capitalised prefix words ("Gamle Kongsvingervei 4", "Øvre Slottsgate 2")
            prev = _prev_token(text, start)
            while prev and (
                prev[2].lower() in _STREET_PREFIX_WORDS
                or (prev[2][0].isupper() and prev[2].lower().endswith("s"))
            ):
                if prev[2].lower() in _FUNCTION_WORDS:
                    break
                start = prev[0]
                prev = _prev_token(text, start)
            post = _POSTCODE_AFTER.match(text, end)
            if post and number:
                end = post.end()
            spans.append(Span(start, end, "ADRESSE", 0.85 if number else 0.6))
        for m in _ADDRESS_CONTEXT.finditer(text):
            word = m.group(1)
            lw = word.lower()
            if (
                word in g.common_proper
                or lw in self.chains_lower
                or lw in _MONTHS.split("|")
                or lw in g.first_names
            ):
                continue
            end = m.end()
            post = _POSTCODE_AFTER.match(text, end)
            spans.append(Span(m.start(1), post.end() if post else end, "ADRESSE", 0.7))
        for m in _POSTBOX.finditer(text):
            end = m.end()
            post = _POSTCODE_AFTER.match(text, end)
            spans.append(Span(m.start(), post.end() if post else end, "ADRESSE", 0.85))
        for m in _STREET_SEPARATE.finditer(text):
            words = m.group(1).split()
            while words and words[0].lower() in _FUNCTION_WORDS:
                words = words[1:]
            if not words:
                continue
            start = m.start(1) + m.group(1).find(words[0])
            end = m.end()
            if not m.group(3) and not (len(words) >= 1 and words[-1].endswith("s")):
                continue
            post = _POSTCODE_AFTER.match(text, end)
            if post and m.group(3):
                end = post.end()
            spans.append(Span(start, end, "ADRESSE", 0.85))
        for m in _POSTCODE_PLACE.finditer(text):
            place = m.group(2)
            before = _prev_word(text, m.start(1)).lower()
            if f"{before} {m.group(1)}" in self.chains_lower:
                continue
            first = place.split()[0]
            if place.isupper() or first.lower() in self.places_lower or place.lower() in self.places_lower:
                end = (
                    m.end(2)
                    if (place.isupper() or place.lower() in self.places_lower)
                    else m.start(2) + len(first)
                )
                spans.append(Span(m.start(1), end, "ADRESSE", 0.85))
        return spans

    # ------------------------------------------------------------------------------------ dates and ages
    def find_dates(self, text: str) -> list[Span]:
        """Dates with a day or a year: 12. mars 2019, mars 2019, 12.03.2019, sommeren 2020, i 2018."""
        low = self._low(text)
        spans = [
            Span(m.start(), m.end(), "DATO", 0.85) for p in _DATE_PATTERNS for m in p.finditer(text, low)
        ]
        spans += [Span(m.start(1), m.end(1), "DATO", 0.6) for m in _YEAR_CUE.finditer(text, low)]
        spans += [Span(m.start(1), m.end(1), "DATO", 0.6) for m in _RELATIVE_SEASON.finditer(text, low)]
        spans += [Span(m.start(1), m.end(1), "DATO", 0.5) for m in _BARE_YEAR.finditer(text)]
        return spans

    def find_ages(self, text: str) -> list[Span]:
        """Ages: "da jeg var 17", "17 år gammel", "som 16-åring", "jeg er 19", bare "17 år" when not a duration."""
        low = self._low(text)
        spans = []
        for p in _AGE_PATTERNS:
            for m in p.finditer(text, low):
                if p is _AGE_PATTERNS[1] and _prev_word(text, m.start(1)).lower() in _GENERIC_AGE_BEFORE:
                    continue  # "for en nittenåring" speaks of nineteen-year-olds in general
                spans.append(Span(m.start(1), m.end(1), "ALDER", 0.8))
        spans += [Span(m.start(1), m.end(1), "ALDER", 0.6) for m in _AGE_QUESTION.finditer(text, low)]
        for m in _LOWER_RELATION_AGE.finditer(text):
            spans.append(Span(m.start(1), m.end(1), "ALDER", 0.6))
        for m in _NAME_COMMA_AGE.finditer(text):
            name = m.group(1)
            explicit = m.group(2).endswith("år")  # "Lina, tjuetre år,": an age whatever the word before it
            if (
                explicit
                or name.lower() in self.g.first_names
                or name.lower() in self.g.surnames
                or name[0].isupper()
                and self._is_name_word(text, m.start(1), name)
            ):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
        for m in _NAMED_AGE.finditer(text):
            if self._is_name_word(text, m.start(1), m.group(1)):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
                spans.append(
                    Span(m.start(1), m.end(1), "PERSON", 0.6)
                )  # "Marta er 26": the age confirms the name
        for m in _BARE_AGE.finditer(text):
            if _DURATION_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
                continue
            spans.append(Span(m.start(), m.end(), "ALDER", 0.5))
        return spans

    # ------------------------------------------------------------------------------------ organisations
    def find_organisations(self, text: str) -> list[Span]:
        """Named schools, NAV offices, clubs, companies, a chain with its place, a place's institution."""
        spans: list[Span] = []
        for m in self._nav_re.finditer(text):
            place = m.group(1)
            if place.split()[0] in self.g.common_proper:
                continue
            spans.append(Span(m.start(), m.end(), "ORG", 0.85))
        for regex in (self._school_re, self._club_re):
            for m in regex.finditer(text):
                start = self._trim_leading(text, m.start(1), m.group(1))
                if start is None:
                    continue
                spans.append(Span(start, m.end(), "ORG", 0.85))
        for m in self._school_compound_re.finditer(text):
            word = m.group(0)
            prefix = m.group(1).lower()
            if word.lower() in _GENERIC_SCHOOL_COMPOUNDS or prefix in _FUNCTION_WORDS:
                continue
            known = prefix in self.places_lower or prefix.rstrip("s") in self.places_lower
            if not known and (_sentence_start(text, m.start()) or len(prefix) < 3):
                continue
            spans.append(Span(m.start(), m.end(), "ORG", 0.7))
        for m in self._company_iter(text):
            spans.append(m)
        for m in self._place_company_re.finditer(text):
            tail = [w for w in re.findall(r"[\w-]+", m.group(2)) if w not in ("og",)]
            if any(
                w.lower() in self.g.first_names or w.lower() in self.g.surnames or w in self.g.common_proper
                for w in tail
            ):
                continue
            spans.append(Span(m.start(), m.end(), "ORG", 0.7))
        for m in self._institution_re.finditer(text):
            spans.append(Span(m.start(), m.end(), "ORG", 0.8))
        for m in self._chain_re.finditer(text):
            place = m.group(2).split()[0]
            if place.lower() in self.places_lower or (
                place not in self.g.common_proper and place.lower() not in _FUNCTION_WORDS
            ):
                end = m.start(2) + len(place) if place.lower() in self.places_lower else m.end(2)
                spans.append(Span(m.start(), end, "ORG", 0.8))
        for m in self._org_re.finditer(text):
            spans.append(Span(m.start(), m.end(), "ORG", 0.75))
        for m in self._brand_place_re.finditer(text):
            brand = m.group(1)
            lw = brand.lower()
            if lw in self.g.first_names or lw in self.g.surnames or lw in self.places_lower:
                continue  # "til Ola Kongsvinger", "fra Grue Finnskog": a name or two places, not a brand
            if lw in _FUNCTION_WORDS or brand in self.g.common_proper:
                continue
            spans.append(Span(m.start(1), m.end(2), "ORG", 0.6))
        for m in self._kind_name_re.finditer(text):
            spans.append(Span(m.start(), m.end(), "ORG", 0.6))
        for m in self._lower_org_re.finditer(text):
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.6))
        for m in self._lower_chain_word_re.finditer(text):
            word = m.group(2)
            if not (word in _FUNCTION_WORDS or self._ordinary(word)):
                spans.append(Span(m.start(1), m.end(1), "ORG", 0.6))
        for m in _LOWER_COMPANY.finditer(text):
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.6))
        for m in _ORG_COMPOUND.finditer(text):
            name = m.group(1)
            lw = name.lower()
            if (
                lw in _FUNCTION_WORDS
                or lw in _ARTICLES
                or (self._ordinary(lw) and lw not in self.places_lower)
            ):
                continue  # "en språkskole", "gamle fotballklubb"
            if name[0].isupper() and _sentence_start(text, m.start(1)) and lw not in self.places_lower:
                continue
            spans.append(Span(m.start(1), m.end(2), "ORG", 0.6))
        for m in _TRADE_FIRM.finditer(text):
            if not _sentence_start(text, m.start(1)) or m.group(1).lower() in self.g.surnames:
                spans.append(Span(m.start(1), m.end(2), "ORG", 0.6))
        for m in self._lower_school_re.finditer(text):
            name = m.group(1)
            if name in _FUNCTION_WORDS or name in _GENERIC_SCHOOL_COMPOUNDS or name in _ARTICLES:
                continue
            if name in self.g.ambiguous and name not in self.places_lower:
                continue
            if name not in self.places_lower and not self._is_name_word(text, m.start(1), name):
                continue  # "en ny vgs", "den gamle ungdomsskole": an ordinary word before it
            spans.append(Span(m.start(1), m.end(2), "ORG", 0.6))
        for m in self._chain_alone_re.finditer(text):
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.7))
        for m in re.finditer(r"\bSykehuset Innlandet(?:\s(?:på\s)?[A-ZÆØÅ][\w-]+)?", text):
            spans.append(Span(m.start(), m.end(), "ORG", 0.8))
        return spans

    def _company_iter(self, text: str) -> Iterator[Span]:
        for m in _COMPANY.finditer(text):
            start = self._trim_leading(text, m.start(1), m.group(1))
            if start is not None:
                yield Span(start, m.end(), "ORG", 0.8)

    def _is_name_word(self, text: str, pos: int, word: str) -> bool:
        """A capitalised word that reads as a name: a known first name, or no function word, common proper noun
        or ordinary Norwegian word ("Klokka er ti", "Prisen var fem" are not ages)."""
        import simplemma

        lw = word.lower()
        if lw in self.g.first_names:
            return True
        if lw in _FUNCTION_WORDS or word in self.g.common_proper or lw in self.places_lower:
            return False
        return not simplemma.is_known(lw, lang="nb")

    def _ordinary_at_start(self, text: str, pos: int, word: str) -> bool:
        """A sentence-initial word that is an ordinary Norwegian word ("Liten skole") and no known name/place.

        simplemma's dictionary is generous (it knows "vinger" as wings), so gazetteer words are kept first."""
        import simplemma

        lw = word.lower()
        g = self.g
        if lw in self.places_lower or lw in g.first_names or lw in g.surnames:
            return False
        at = text.find(word, pos)
        return _sentence_start(text, at if at >= 0 else pos) and simplemma.is_known(lw, lang="nb")

    def _trim_leading(self, text: str, start: int, words_text: str) -> int | None:
        """Drop leading words that are sentence-start function words ("På Vinger skole" → "Vinger skole")."""
        words = words_text.split()
        pos = start
        for w in words:
            if (
                w.lower() in _FUNCTION_WORDS
                or w in self.g.common_proper
                or self._ordinary_at_start(text, pos, w)
            ):
                pos = text.index(w, pos) + len(w)
                while pos < len(text) and text[pos] == " ":
                    pos += 1
                continue
            break
        else:
            return None
        return pos

    # ------------------------------------------------------------------------------------ places
    def find_places(self, text: str) -> list[Span]:
        """Municipalities, villages and districts (gazetteer), foreign countries when they describe a person."""
        g = self.g
        spans: list[Span] = []
        for m in self._place_re.finditer(text):
            name = m.group(1)
            lw = name.lower()
            prev = _prev_word(text, m.start()).lower()
            name_like = lw in g.ambiguous or lw in g.first_names or lw in g.surnames
            needs_prep = _sentence_start(text, m.start()) or lw in g.first_names or lw in g.surnames
            if name_like and prev not in _PLACE_PREPS and needs_prep:
                continue
            spans.append(Span(m.start(), m.end(), "STED", 0.8))
        for m in self._lower_place_re.finditer(text):
            spans.append(Span(m.start(1), m.end(1), "STED", 0.6))
        for m in _PLACE_ANSWER.finditer(text):
            word = m.group(1)
            if word in self.places_lower or not (word in _FUNCTION_WORDS or self._ordinary(word)):
                spans.append(Span(m.start(1), m.end(1), "STED", 0.6))
        for m in _LOWER_UNKNOWN_PLACE.finditer(text):
            word = m.group(1)
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            if line.split(":", 1)[-1].lower() != line.split(":", 1)[-1]:
                continue  # only in turns written without capitals, where a name has no other mark
            if (
                word in _FUNCTION_WORDS
                or word in g.ambiguous
                or word in g.first_names
                or self._ordinary(word)
            ):
                continue
            if any(self._ordinary(word[k:]) for k in range(3, len(word) - 4)):
                continue  # a compound of an ordinary word ("innføringsklassen"), not a name
            spans.append(Span(m.start(1), m.end(1), "STED", 0.5))
        for m in self._lower_country_re.finditer(text):
            if m.group(1) not in ("norge", "noreg"):  # living in Norway identifies no one
                spans.append(Span(m.start(1), m.end(1), "STED", 0.6))
        for m in self._country_re.finditer(text):
            if m.group(1) in ("Norge", "Noreg"):
                continue  # living in Norway identifies no one
            prev = _prev_word(text, m.start()).lower()
            # "fra Syria", "i Polen" describe where someone or their family is from or lives; "til Sverige på tur"
            # only with a moving verb (the cue list)
            if prev in _COUNTRY_PREPS or _COUNTRY_CUE.search(text[max(0, m.start() - 40) : m.start()]):
                spans.append(Span(m.start(), m.end(), "STED", 0.7))
        return spans

    # ------------------------------------------------------------------------------------ persons
    def find_persons(self, text: str) -> list[Span]:
        """Person names from gazetteers and cues; unknown capitalised words outside sentence start.

        Rules (each written from a failure the gold set shows): a capitalised gazetteer name outside sentence
        start; at sentence start only if the name is not also an ordinary word ("Per", "Dag", "Liv") or a cue
        confirms it; lower-case names that are not ordinary words ("så sa ola"); the word after a cue ("heter",
        "kalte", titles, kin words, "sa"); possessive -s ("Pers mor"); a name next to "og" and another name;
        surnames and unknown capitalised words joined to a name; any other capitalised word outside sentence
        start that no list explains (place if a place preposition precedes it, else person).
        """
        g = self.g
        low = self._low(text)
        same_length = len(low) == len(text)
        tokens = [(m.start(), m.end(), m.group(0)) for m in WORD.finditer(text)]
        lows = [low[s:e] if same_length else w.lower() for s, e, w in tokens]
        n = len(tokens)
        label: list[str | None] = [None] * n
        starts = {m.end() for m in _SENTENCE_STARTS.finditer(text)}
        sent = [s in starts for s, _, _ in tokens]
        speakers = {m.start(1) for m in SPEAKER.finditer(text)}
        first, sur = g.first_names, g.surnames

        def cap(w: str, lw: str) -> bool:
            return w[0].isupper() and not w.isupper() or (w.isupper() and len(w) > 1 and lw in first)

        def name_word(lw: str) -> bool:
            return lw in first or lw in sur or (lw.endswith("s") and len(lw) > 3 and lw[:-1] in first)

        candidates: list[int] = []
        for i, (s, _e, w) in enumerate(tokens):
            lw = lows[i]
            if w[0].isdigit():
                continue
            if lw in _MONTH_WORDS and i + 1 < n and re.fullmatch(_YEAR, tokens[i + 1][2]):
                continue  # "jan 2023", "mai 2021": a month, not Jan or Mai
            is_first, is_sur = lw in first, lw in sur
            base = lw[:-1] if lw.endswith("s") and len(lw) > 3 else None
            is_poss = base is not None and (base in first or base in sur) and not (is_first or is_sur)
            if is_first or is_sur or is_poss:
                candidates.append(i)
            if w in g.common_proper and not (not sent[i] and is_first):
                continue
            is_cap = cap(w, lw)
            if s in speakers and not ((is_first or is_sur or is_poss) and is_cap):
                continue  # a speaker label is a person only when it is a name ("Kari:"), not a role ("Veileder:")
            prev = lows[i - 1] if i else ""
            if not (is_first or is_sur or is_poss or is_cap):
                continue  # nothing below applies to an ordinary lower-case word
            prev2 = lows[i - 2] if i > 1 else ""
            joined = i > 0 and text[tokens[i - 1][1] : s] in _JOINERS
            joined2 = joined and i > 1 and text[tokens[i - 2][1] : tokens[i - 1][0]] in _JOINERS
            after_cue = joined and (
                prev in _NAME_CUES_BEFORE
                or (joined2 and prev in _POSSESSIVES and prev2 in _NAME_CUES_BEFORE)
                or (
                    joined2
                    and prev2 in _NAME_CUES_BEFORE
                    and prev in ("er", "var", "va", "e", "heter", "het")
                )
                or (joined2 and prev2 in ("jeg", "eg", "æ", "je", "i") and prev in ("er", "e") and cap(w, lw))
            )
            ambiguous = lw in g.ambiguous or (is_poss and base in g.ambiguous)
            if is_cap:
                if is_first or is_sur or is_poss:
                    if not sent[i] or not ambiguous or after_cue or s in speakers:
                        if lw in self.places_lower and prev in _PLACE_PREPS:
                            continue
                        label[i] = "PERSON"
                elif after_cue and lw not in _FUNCTION_WORDS:
                    label[i] = "PERSON"
                elif not sent[i] and not self._explained(w) and not _lower_compound(w):
                    if prev in _PLACE_PREPS:
                        label[i] = "STED"  # "bor i Grinder": a capital after a place preposition is a place
                    elif not self._ordinary(lw):
                        label[i] = "PERSON"
            elif (is_first or is_poss) and not ambiguous and (lw not in _FUNCTION_WORDS or after_cue):
                label[i] = "PERSON"  # "så sa ola", "eriks onkel"
        # second pass: ambiguous names confirmed by a neighbour (sentence-start "Per Hansen", "Liv og Ola")
        for _ in range(2):
            for i in candidates:
                if label[i] is not None:
                    continue
                w, lw = tokens[i][2], lows[i]
                nxt = tokens[i + 1][2] if i + 1 < n else ""
                lnxt = lows[i + 1] if i + 1 < n else ""
                prev = lows[i - 1] if i else ""
                is_cap = cap(w, lw)
                before_name = (
                    i + 1 < n
                    and label[i + 1] == "PERSON"
                    and cap(nxt, lnxt)
                    and _adjacent(text, tokens[i], tokens[i + 1])
                )
                before_verb = (
                    (lnxt in _SPEECH_VERBS or lnxt in _NAME_CUES_AFTER)
                    and lnxt != "og"
                    and sent[i]
                    and lw in first
                )
                if is_cap and (before_name or before_verb):
                    label[i] = "PERSON"
                # "Kari og Ola", "ali og sander"; but "Morten, og hans kone": in text with capitals a lower-case
                # word that is also a name ("hans") is the ordinary word
                lower_text_name = lw in first and (lw not in g.ambiguous or tokens[i - 2][2].islower())
                if prev == "og" and i > 1 and label[i - 2] == "PERSON" and (is_cap or lower_text_name):
                    label[i] = "PERSON"
                if (
                    lnxt == "og"
                    and i + 2 < n
                    and label[i + 2] == "PERSON"
                    and (is_cap or (lw in first and lw not in g.ambiguous))
                ):
                    label[i] = "PERSON"
        # "marius og sebbe": a lower-case word no dictionary knows, joined by "og" to a name
        for i in range(2, n):
            if (
                label[i] is None
                and lows[i - 1] == "og"
                and label[i - 2] == "PERSON"
                and tokens[i - 2][2].islower()
            ):
                lw = lows[i]
                plain = (
                    lw.isalpha() and 2 < len(lw) <= 12 and lw not in _FUNCTION_WORDS and lw not in g.ambiguous
                )
                if plain and not self._ordinary(lw) and not self._explained(tokens[i][2]):
                    label[i] = "PERSON"
        # a place of two capitalised words ("fra Chiang Mai", "utenfor Udon Thani")
        for i in range(1, n):
            if label[i - 1] == "STED" and label[i] is None and _adjacent(text, tokens[i - 1], tokens[i]):
                w, lw = tokens[i][2], lows[i]
                if cap(w, lw) and not self._explained(w) and not self._ordinary(lw) and lw not in first:
                    label[i] = "STED"
        # surnames / unknown capitalised words joined to a person ("Kari Nordmann", "kari hansen"), also a
        # surname that is a place name ("Solveig Hjelmeland") and an initial ("nora b", "Petter S.")
        for i in range(1, n):
            if label[i - 1] == "PERSON" and label[i] is None and _adjacent(text, tokens[i - 1], tokens[i]):
                w, lw = tokens[i][2], lows[i]
                place_surname = cap(w, lw) and lw in self.places_lower and lows[i - 1] in first
                initial = (
                    len(w) == 1
                    and w.isalpha()
                    and lows[i - 1] in first
                    and (lw not in ("i", "å", "e", "a", "o"))
                )
                if (
                    lw in sur
                    or place_surname
                    or initial
                    or (cap(w, lw) and not self._explained(w) and not _lower_compound(w))
                ):
                    label[i] = "PERSON"
        return _tokens_to_spans(text, tokens, label)

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one detector per process; words repeat
    def _ordinary(self, lw: str) -> bool:
        """An ordinary Norwegian word (simplemma's nb dictionary), so a capital letter alone does not make it a
        name ("Partnerskap", "Alvorlig" in headings). Not used for gazetteer names: simplemma knows many names."""
        import simplemma

        return len(lw) > 2 and simplemma.is_known(lw, lang="nb")

    def _explained(self, word: str) -> bool:
        """A capitalised word that a list says is not a person: common proper noun, place, country, chain."""
        lw = word.lower()
        return (
            word in self.g.common_proper
            or lw in self.common_lower
            or lw in self.places_lower
            or lw in self.countries_lower
            or lw in self.chains_lower
            or lw in _FUNCTION_WORDS
            or lw in _GENERIC_SCHOOL_COMPOUNDS
            or lw in _MONTHS.split("|")
        )

    # ------------------------------------------------------------------------------------ all
    def find_nicknames(self, text: str) -> list[Span]:
        """Names the gazetteers cannot know, from their context: a nickname in quotes after "kalte meg" («Fjellet»),
        a name after "kalte seg", and a lower-case name next to a relation ("kjæresten min ida", "ayse, søstra
        mi") unless it is an ordinary word that is no first name."""
        spans = [Span(m.start(1), m.end(1), "PERSON", 0.7) for m in _NICKNAME.finditer(text)]
        spans += [Span(m.start(1), m.end(1), "PERSON", 0.7) for m in _CALLED.finditer(text)]
        for m in _NAME_ANSWER.finditer(text):
            head = m.group(1).split()[0].lower()
            if head not in _FUNCTION_WORDS and (head in self.g.first_names or not self._ordinary(head)):
                spans.append(Span(m.start(1), m.end(1), "PERSON", 0.6))
        for m in _CALLED_BY.finditer(text):
            word = m.group(1)
            lw = word.lower()
            if lw in _FUNCTION_WORDS or lw in ("ja", "nei", "hei", "noe", "ingenting", "sånn", "liksom"):
                continue
            if word[0].isupper() or not self._ordinary(lw):
                spans.append(Span(m.start(1), m.end(1), "PERSON", 0.6))
        for regex in (_LOWER_RELATION_NAME, _LOWER_NAME_RELATION, _GREETED):
            for m in regex.finditer(text):
                word = m.group(1)
                head = word.split("-")[0]
                if word in _FUNCTION_WORDS or head in _FUNCTION_WORDS or len(head) < 3:
                    continue  # "onkelen min då eg var …": a short word is a function word, also in nynorsk
                if head in self.g.first_names or not self._ordinary(head):
                    spans.append(Span(m.start(1), m.end(1), "PERSON", 0.6))
        return spans

    def find_all(self, text: str) -> list[Span]:
        return [
            *self.find_nicknames(text),
            *self.find_fnr(text),
            *self.find_phone(text),
            *self.find_email(text),
            *self.find_ids(text),
            *self.find_addresses(text),
            *self.find_organisations(text),
            *self.find_places(text),
            *self.find_persons(text),
            *self.find_dates(text),
            *self.find_ages(text),
        ]


def _lower_compound(word: str) -> bool:
    """ "NAV-kontoret", "CV-en", "TV-serien": a hyphenated word whose second part is lower case is a compound
    of an ordinary noun, not a name ("Anne-Lise", "Sør-Odal" keep their capitals)."""
    head, sep, tail = word.partition("-")
    return bool(sep) and bool(tail) and tail[0].islower()


def _prev_token(text: str, pos: int) -> tuple[int, int, str] | None:
    i = pos - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    if i < 0 or not (text[i].isalnum() or text[i] in ".'"):
        return None
    end = i + 1
    while i >= 0 and (text[i].isalnum() or text[i] in "-.'"):
        i -= 1
    return (i + 1, end, text[i + 1 : end])


def _prev_word(text: str, pos: int) -> str:
    tok = _prev_token(text, pos)
    return tok[2] if tok else ""


def _adjacent(text: str, a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return text[a[1] : b[0]] in (" ", "-")


def _tokens_to_spans(text: str, tokens: list[tuple[int, int, str]], label: list[str | None]) -> list[Span]:
    spans: list[Span] = []
    for (s, e, _w), lab in zip(tokens, label, strict=True):
        if lab is None:
            continue
        if spans and spans[-1].type == lab and text[spans[-1].end : s] in (" ", "-"):
            spans[-1] = Span(spans[-1].start, e, lab, spans[-1].score)
        else:
            spans.append(Span(s, e, lab, 0.7))
    return spans


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans into their union; the merged span takes the highest-priority type.

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
            kind = min(last.type, span.type, key=_PRIORITY.__getitem__)
            merged[-1] = Span(last.start, max(last.end, span.end), kind, max(last.score, span.score))
        else:
            merged.append(span)
    return merged


# =============================================================================================== presidio glue
def _make_recognizers(detector: NorwegianDetector) -> list:
    """One Presidio ``EntityRecognizer`` per family, all calling :class:`NorwegianDetector`."""
    from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

    class NorwegianRecognizer(EntityRecognizer):
        """A Presidio recogniser wrapping one ``NorwegianDetector.find_*`` method."""

        def __init__(
            self, name: str, entities: list[str], finder: Callable[[str], list[Span]], context: list[str]
        ):
            self._finder = finder
            super().__init__(
                supported_entities=entities, name=name, supported_language=LANGUAGE, context=context
            )

        def load(self) -> None:  # noqa: D102 - nothing to load: gazetteers are loaded by the detector
            return None

        def analyze(self, text, entities, nlp_artifacts=None):  # noqa: ANN001 - Presidio's signature
            return [
                RecognizerResult(
                    s.type,
                    s.start,
                    s.end,
                    s.score,
                    analysis_explanation=AnalysisExplanation(
                        self.name, s.score, textual_explanation=self.name
                    ),
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
                for s in self._finder(text)
                if s.type in entities
            ]

    d = detector
    return [
        NorwegianRecognizer(
            "NorwegianFnrRecognizer", ["FNR"], d.find_fnr, ["fødselsnummer", "personnummer", "dnummer"]
        ),
        NorwegianRecognizer(
            "NorwegianPhoneRecognizer", ["TELEFON"], d.find_phone, ["telefon", "mobil", "nummer", "ringe"]
        ),
        NorwegianRecognizer(
            "NorwegianEmailRecognizer", ["EPOST"], d.find_email, ["e-post", "epost", "mail", "adresse"]
        ),
        NorwegianRecognizer(
            "NorwegianIdRecognizer", ["ID"], d.find_ids, ["saksnummer", "studentnummer", "nummer"]
        ),
        NorwegianRecognizer(
            "NorwegianAddressRecognizer", ["ADRESSE"], d.find_addresses, ["bo", "adresse", "flytte"]
        ),
        NorwegianRecognizer(
            "NorwegianOrganisationRecognizer", ["ORG"], d.find_organisations, ["jobbe", "gå", "skole"]
        ),
        NorwegianRecognizer("NorwegianPlaceRecognizer", ["STED"], d.find_places, ["bo", "fra", "flytte"]),
        NorwegianRecognizer(
            "NorwegianPersonRecognizer", ["PERSON", "STED"], d.find_persons, ["hete", "kalle", "si"]
        ),
        NorwegianRecognizer(
            "NorwegianNicknameRecognizer", ["PERSON"], d.find_nicknames, ["kalte", "min", "mi"]
        ),
        NorwegianRecognizer("NorwegianDateRecognizer", ["DATO"], d.find_dates, ["dato", "født"]),
        NorwegianRecognizer("NorwegianAgeRecognizer", ["ALDER"], d.find_ages, ["år", "alder", "gammel"]),
    ]


_KEYWORD_SETS: dict[int, tuple[list, frozenset]] = {}


def _keyword_set(keywords: list[str]) -> frozenset[str]:
    """A set view of Presidio's per-text keyword list, built once per list object."""
    cached = _KEYWORD_SETS.get(id(keywords))
    if cached is None or cached[0] is not keywords:
        _KEYWORD_SETS.clear()
        cached = (keywords, frozenset(keywords))
        _KEYWORD_SETS[id(keywords)] = cached
    return cached[1]


def _trained_spacy_model() -> str | None:
    """Name of an installed trained Norwegian spaCy pipeline with NER, if any (never downloads)."""
    import spacy

    for name in ("nb_core_news_lg", "nb_core_news_md", "nb_core_news_sm"):
        if spacy.util.is_package(name):
            return name
    return None


@functools.lru_cache(maxsize=4)
def _build_nlp(model: str | None):
    """``spacy.blank("nb")`` (or a trained pipeline when asked for) with the Norwegian lookup lemmatizer.

    The lemmas come from spaCy's own ``nb`` lookup table (spacy-lookups-data), applied column-wise
    (``doc.to_array``/``from_array``) by :func:`_nb_lookup_lemmatizer` rather than by spaCy's ``Lemmatizer``,
    which walks the tokens in Python and was a sixth of the Presidio engine's time; the lemmas are the same.
    """
    import spacy

    if model:
        nlp = spacy.load(model)
        if "lemmatizer" not in nlp.pipe_names:
            nlp.add_pipe(_register_lemmatizer())
        return nlp
    nlp = spacy.blank(LANGUAGE)
    nlp.add_pipe(_register_lemmatizer())
    return nlp


def _register_lemmatizer() -> str:
    """Register the column-wise lookup lemmatizer component once; returns its factory name."""
    from spacy.language import Language

    name = "pdtk_nb_lookup_lemmatizer"
    if not Language.has_factory(name):

        @Language.factory(name)
        def _factory(nlp, name):  # noqa: ANN001, ANN202
            return _LookupLemmatizer(nlp)

    return name


class _LookupLemmatizer:
    """spaCy component: lemma = ``nb_lemma_lookup[token.text]`` or the token itself (spaCy's lookup mode)."""

    def __init__(self, nlp):  # noqa: ANN001
        import gzip

        import spacy_lookups_data

        path = Path(spacy_lookups_data.__file__).parent / "data" / f"{LANGUAGE}_lemma_lookup.json.gz"
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            table = json.load(handle)
        strings = nlp.vocab.strings
        self.mapping = {strings.add(word): strings.add(lemma) for word, lemma in table.items()}

    def __call__(self, doc):  # noqa: ANN001, ANN204
        import numpy as np
        from spacy.attrs import LEMMA, ORTH

        if not len(doc):
            return doc
        orths = doc.to_array([ORTH]).tolist()
        get = self.mapping.get
        lemmas = np.array([get(o, o) for o in orths], dtype="uint64").reshape(-1, 1)
        doc.from_array([LEMMA], lemmas)
        return doc


def build_analyzer(detector: NorwegianDetector, spacy_model: str | None = None):
    """A Presidio ``AnalyzerEngine`` for ``nb``: own registry, loaded spaCy engine, lemma context enhancer.

    Presidio's ``SpacyNlpEngine`` only loads models by name (and would try to download a missing one), so a
    subclass hands it the already built ``Language`` object, as the Presidio maintainers suggest (issue #822).
    """
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    mapping = {
        "PER": "PERSON",
        "PERSON": "PERSON",
        "LOC": "STED",
        "GPE_LOC": "STED",
        "GPE": "STED",
        "ORG": "ORG",
        "GPE_ORG": "ORG",
    }
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping=mapping, labels_to_ignore=["MISC", "PROD", "EVT", "DRV"]
    )

    class LoadedSpacyNlpEngine(SpacyNlpEngine):
        """A spaCy NLP engine around an already built pipeline (no ``spacy.load`` by name, no download)."""

        def __init__(self, nlp):  # noqa: ANN001
            super().__init__(
                models=[{"lang_code": LANGUAGE, "model_name": "blank"}], ner_model_configuration=ner_config
            )
            self.nlp = {LANGUAGE: nlp}

        def load(self) -> None:
            return None

        @functools.lru_cache(maxsize=65536)  # noqa: B019 - one engine per process, words repeat
        def is_stopword(self, word: str, language: str) -> bool:
            return super().is_stopword(word, language)

        @functools.lru_cache(maxsize=65536)  # noqa: B019
        def is_punct(self, word: str, language: str) -> bool:
            return super().is_punct(word, language)

        def _doc_to_nlp_artifact(self, doc, language):  # noqa: ANN001, ANN202
            # Same artifacts as Presidio's, read column-wise (doc.to_array) instead of creating a Python
            # Token object per word, which was a third of the run time.
            from presidio_analyzer.nlp_engine import NlpArtifacts
            from spacy.attrs import IDX, LEMMA

            array = doc.to_array([LEMMA, IDX])
            strings = doc.vocab.strings
            lemmas = [strings[int(h)] for h in array[:, 0]] if len(doc) else []
            entities, scores = self._get_updated_entities(
                self._get_entities(doc), self._get_scores_for_entities(doc)
            )
            return NlpArtifacts(
                entities=entities,
                tokens=doc,
                tokens_indices=array[:, 1].tolist() if len(doc) else [],
                lemmas=lemmas,
                nlp_engine=self,
                language=language,
                scores=scores,
            )

    class BisectLemmaContextAwareEnhancer(LemmaContextAwareEnhancer):
        """Presidio's lemma context enhancer, but finding a match's token by bisection.

        The stock version scans every token of the text for every result (quadratic: 57 s for 13,000 words
        analysed at once); the answer is the same.
        """

        @staticmethod
        def _find_index_of_match_token(word, start, tokens, tokens_indices):  # noqa: ANN001, ANN205
            i = bisect.bisect_right(tokens_indices, start) - 1
            if i >= 0 and start < tokens_indices[i] + len(tokens[i]):
                return i
            if i + 1 < len(tokens_indices):
                return i + 1
            raise ValueError("match token not found")

        @staticmethod
        def _add_n_words(index, n_words, lemmas, lemmatized_filtered_keywords, is_backward):  # noqa: ANN001, ANN205
            # Same walk as Presidio's, with a set instead of a list for the membership test (quadratic otherwise).
            keywords = _keyword_set(lemmatized_filtered_keywords)
            i, words, remaining = index, [], n_words + 1
            while 0 <= i < len(lemmas) and remaining > 0:
                lower = lemmas[i].lower()
                if lower in keywords:
                    words.append(lower)
                    remaining -= 1
                i = i - 1 if is_backward else i + 1
            return words

    engine = LoadedSpacyNlpEngine(_build_nlp(spacy_model))
    registry = RecognizerRegistry(supported_languages=[LANGUAGE])
    for recognizer in _make_recognizers(detector):
        registry.add_recognizer(recognizer)
    if spacy_model:
        registry.add_recognizer(
            SpacyRecognizer(supported_language=LANGUAGE, supported_entities=["PERSON", "STED", "ORG"])
        )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=engine,
        supported_languages=[LANGUAGE],
        context_aware_enhancer=BisectLemmaContextAwareEnhancer(
            context_similarity_factor=0.2, min_score_with_context_similarity=0.5
        ),
    )


# =============================================================================================== replacement
class _Replacer:
    """Chooses the replacement for each span: a consistent tag per transcript, or a keyed surrogate."""

    TAG_NAMES = {t: t for t in TYPES}

    def __init__(self, mode: str, key: bytes):
        self.mode = mode
        self.key = key
        self.tags: dict[tuple[str, str], str] = {}
        self.counters: Counter[str] = Counter()
        self._faker = None

    def reset(self) -> None:
        """Tags restart for each transcript ([PERSON_1] is the first person of *this* transcript)."""
        self.tags.clear()
        self.counters.clear()

    @staticmethod
    def _normal(kind: str, original: str) -> str:
        value = " ".join(original.split()).lower()
        if kind in ("FNR", "TELEFON", "ID"):
            value = re.sub(r"\D", "", value)[-11:] if kind != "ID" else re.sub(r"[\s]", "", value)
            if kind == "TELEFON":
                value = value[-8:]
        if kind == "PERSON" and value.endswith("s") and len(value) > 3:
            value = value[:-1] if value[:-1] in load_gazetteers().first_names else value
        return value

    def replace(self, kind: str, original: str) -> str:
        key = (kind, self._normal(kind, original))
        if self.mode == "tags":
            if key not in self.tags:
                self.counters[kind] += 1
                self.tags[key] = f"[{self.TAG_NAMES[kind]}_{self.counters[kind]}]"
            return self.tags[key]
        return self._surrogate(kind, key[1], original)

    def _surrogate(self, kind: str, normal: str, original: str) -> str:
        import datetime as dt

        import numpy as np
        from faker import Faker

        from toolkit.anonymise.identifiers import make_tenor_number

        digest = hmac.new(self.key, f"{kind}\x1f{normal}".encode(), hashlib.sha256).digest()
        seed = int.from_bytes(digest[:8], "big")
        if self._faker is None:
            self._faker = Faker("no_NO")
        fake = self._faker
        fake.seed_instance(seed)
        if kind == "PERSON":
            words = original.split()
            out = fake.first_name() if len(words) == 1 else f"{fake.first_name()} {fake.last_name()}"
            return out + (
                "s" if original.endswith("s") and len(original) > 3 and normal != original.lower() else ""
            )
        if kind == "STED":
            return fake.city()
        if kind == "ORG":
            return fake.company()
        if kind == "ADRESSE":
            return f"{fake.street_name()} {1 + seed % 60}"
        if kind == "EPOST":
            return f"{fake.user_name()}@example.no"
        if kind == "TELEFON":
            return f"{'49' if seed % 2 else '94'}{seed % 1_000_000:06d}"
        if kind == "FNR":
            born = dt.date(1995, 1, 1) + dt.timedelta(days=seed % 7000)
            return make_tenor_number(born, np.random.default_rng(seed))
        if kind == "ID":
            return re.sub(r"\d", lambda _m: str(fake.random_digit()), original)
        if kind == "DATO":
            return fake.date_between(dt.date(2010, 1, 1), dt.date(2024, 12, 31)).strftime("%d.%m.%Y")
        if kind == "ALDER":
            return re.sub(r"\d{1,2}|[a-zæøå]+(?=\s|$|-)", lambda _m: str(14 + seed % 12), original, count=1)
        raise ValueError(kind)  # pragma: no cover


# =============================================================================================== public API
@dataclass
class DeidResult:
    """What :func:`deidentify_folder` did: one row per replaced span in ``spans`` (no original text)."""

    spans: pd.DataFrame
    files: pd.DataFrame
    out_dir: Path
    mode: str
    restricted_map: Path | None = None

    def counts(self) -> pd.DataFrame:
        """Replaced spans per file and type (a tidy table)."""
        if self.spans.empty:
            return pd.DataFrame(columns=["source", "type", "n"])
        return self.spans.groupby(["source", "type"]).size().rename("n").reset_index()

    def summary(self) -> str:
        by_type = self.spans["type"].value_counts().to_dict() if not self.spans.empty else {}
        parts = ", ".join(f"{t} {by_type[t]}" for t in TYPES if t in by_type) or "none"
        words = int(self.files["words"].sum()) if not self.files.empty else 0
        return (
            f"De-identified {len(self.files)} transcript(s), {words:,} words, mode '{self.mode}': "
            f"{len(self.spans)} span(s) replaced ({parts}). Output in {self.out_dir}"
            + (
                f"; key to originals in {self.restricted_map}"
                if self.restricted_map
                else "; no key to originals written"
            )
            + "."
        )


class Deidentifier:
    """Replace identifying details in Norwegian text with tags or surrogates.

    Parameters
    ----------
    mode : "tags" or "surrogates"
        ``tags`` gives ``[PERSON_1]``-style tags, consistent within one transcript (the same name gets the same
        tag); ``surrogates`` gives realistic Faker ``no_NO`` values chosen by a keyed HMAC of the original, so the
        same person gets the same surrogate in every transcript of a study run with the same key.
    seed : int
        Makes surrogates reproducible when no ``key`` is given (then they are *not* secret: anyone with the seed
        could test candidate names). :func:`deidentify_folder` keeps a random key in ``restricted_dir``.
    engine : "presidio" or "direct"
        ``presidio`` runs the recognisers through Presidio's AnalyzerEngine/AnonymizerEngine; ``direct`` calls
        the same recognisers without them (same spans, faster; see ``bench/bench_deid.py``).
    spacy_model : "auto", None or a package name
        A trained Norwegian pipeline (``nb_core_news_*``) adds its PER/LOC/ORG as extra evidence when installed
        (``auto``); the default works with ``spacy.blank("nb")``. Only used by the presidio engine.
    key : bytes or str, optional
        Secret for surrogates.
    """

    def __init__(
        self,
        mode: str = "tags",
        seed: int = 0,
        *,
        engine: str = "presidio",
        spacy_model: str | None = "auto",
        key: bytes | str | None = None,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        if spacy_model not in (None, "auto") and not isinstance(spacy_model, str):
            raise ValueError("spacy_model must be 'auto', None or the name of an installed spaCy package")
        self.mode = mode
        self.seed = seed
        self.engine = engine
        self.spacy_model = spacy_model
        if key is None:
            key = f"pdtk-deid-seed-{seed}".encode()
        self.key = key.encode() if isinstance(key, str) else bytes(key)
        self.detector = NorwegianDetector()
        self._analyzer = None
        self._anonymizer = None
        self._replacer = _Replacer(mode, self.key)

    # ------------------------------------------------------------------------------------ engines
    def _model_name(self) -> str | None:
        if self.spacy_model == "auto":
            return _trained_spacy_model()
        return self.spacy_model

    @property
    def analyzer(self):
        if self._analyzer is None:
            self._analyzer = build_analyzer(self.detector, self._model_name())
        return self._analyzer

    @property
    def anonymizer(self):
        if self._anonymizer is None:
            from presidio_anonymizer import AnonymizerEngine

            self._anonymizer = AnonymizerEngine()
        return self._anonymizer

    # ------------------------------------------------------------------------------------ detection
    def analyze(self, text: str) -> list[Span]:
        """Merged spans for one chunk of whole paragraphs (offsets into ``text``)."""
        if not text.strip():
            return []
        if self.engine == "direct":
            return merge_spans(self.detector.find_all(text))
        results = self.analyzer.analyze(
            text=text,
            language=LANGUAGE,
            entities=list(TYPES),
            score_threshold=0.3,
            # Not IGNORECASE (Presidio's default): no pattern here should match "per dag" as "Per".
            regex_flags=re.DOTALL | re.MULTILINE,
        )
        return merge_spans(Span(r.start, r.end, r.entity_type, r.score) for r in results)

    def _seen_finder(self, names: set[str]) -> Callable[[str], list[Span]] | None:
        """Finds names already detected elsewhere in the transcript (and their possessive -s forms).

        With the Presidio engine this is a deny-list ``PatternRecognizer``, with its regex flags set *without*
        IGNORECASE (Presidio's default would turn the seen name "Per" into a match for "per dag"); the direct
        engine compiles the same pattern itself. Both use Presidio's deny-list word boundaries.
        """
        if not names:
            return None
        words = sorted({form for n in names for form in (n, n + "s", n + "'s")}, key=len, reverse=True)
        flags = re.DOTALL | re.MULTILINE
        if self.engine == "presidio":
            from presidio_analyzer import PatternRecognizer

            recognizer = PatternRecognizer(
                supported_entity="PERSON",
                supported_language=LANGUAGE,
                name="SeenInTranscriptRecognizer",
                deny_list=words,
                deny_list_score=0.7,
                global_regex_flags=flags,
            )
            return lambda text: [
                Span(r.start, r.end, "PERSON", 0.7)
                for r in recognizer.analyze(text, ["PERSON"], None, regex_flags=flags)
            ]
        pattern = re.compile(
            r"(?:^|(?<=\W))(" + "|".join(re.escape(w) for w in words) + r")(?:(?=\W)|$)", flags
        )
        return lambda text: [Span(m.start(1), m.end(1), "PERSON", 0.7) for m in pattern.finditer(text)]

    def _names_from(self, text: str, spans: list[Span]) -> set[str]:
        """Capitalised name words found in a transcript, to be looked for again everywhere in it."""
        g = self.detector.g
        names: set[str] = set()
        for s in spans:
            if s.type not in ("PERSON",):
                continue
            for w in WORD.findall(text[s.start : s.end]):
                if len(w) < 2 or w[0].isdigit() or (w in g.common_proper and w.lower() not in g.first_names):
                    continue
                if w.lower() in _FUNCTION_WORDS and not (w[0].isupper() and w.lower() in g.first_names):
                    continue
                if w[0].isupper():
                    names.add(w)
                elif w.lower() not in g.ambiguous:
                    names.add(w)
                    names.add(w[0].upper() + w[1:])
        return names

    # ------------------------------------------------------------------------------------ replacement
    def _apply(self, text: str, spans: list[Span]) -> str:
        if not spans:
            return text
        if self.engine == "direct":
            parts, pos = [], 0
            for s in spans:
                parts.append(text[pos : s.start])
                parts.append(self._replacer.replace(s.type, text[s.start : s.end]))
                pos = s.end
            parts.append(text[pos:])
            return "".join(parts)
        from presidio_anonymizer.entities import ConflictResolutionStrategy, OperatorConfig, RecognizerResult

        operators = {
            t: OperatorConfig("custom", {"lambda": functools.partial(self._replacer.replace, t)})
            for t in TYPES
        }
        for s in spans:  # number tags in reading order (Presidio applies operators from the end of the text)
            self._replacer.replace(s.type, text[s.start : s.end])
        results = [RecognizerResult(s.type, s.start, s.end, s.score) for s in spans]
        return self.anonymizer.anonymize(
            text=text,
            analyzer_results=results,
            operators=operators,
            conflict_resolution=ConflictResolutionStrategy.REMOVE_INTERSECTIONS,
            merge_entities_with_spaces=False,
        ).text

    def deidentify(self, text: str) -> tuple[str, list[dict]]:
        """De-identify one transcript. Returns ``(new_text, spans)``; spans are ``{start, end, type}`` dicts
        with offsets into the *original* text. Tags restart for each call (one call = one transcript)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        chunks = list(_chunk_paragraphs(text))
        out_parts, all_spans = self._deidentify_chunks(chunks)
        return "".join(out_parts), [{"start": s.start, "end": s.end, "type": s.type} for s in all_spans]

    def _deidentify_chunks(
        self, chunks: list[tuple[int, str]] | Callable[[], Iterator[tuple[int, str]]], sink=None
    ):
        """Two passes: detect in every chunk (collecting names), then re-scan for names seen elsewhere and
        replace. ``chunks`` may be a callable that re-opens a stream, so huge files are read twice, not held."""
        self._replacer.reset()
        get = chunks if callable(chunks) else (lambda: iter(chunks))
        first: list[list[Span]] = []
        seen: set[str] = set()
        for _offset, chunk in get():
            spans = self.analyze(chunk)
            first.append(spans)
            seen |= self._names_from(chunk, spans)
        out_parts: list[str] = []
        all_spans: list[Span] = []
        find_seen = self._seen_finder(seen)
        for (offset, chunk), spans in zip(get(), first, strict=True):
            if find_seen is not None:
                extra = find_seen(chunk)
                if extra:
                    spans = merge_spans([*spans, *extra])
            new = self._apply(chunk, spans)
            all_spans += [Span(s.start + offset, s.end + offset, s.type, s.score) for s in spans]
            if sink is not None:
                sink(new, chunk, spans)
            else:
                out_parts.append(new)
        return out_parts, all_spans

    def get_params(self) -> dict:
        """The constructor parameters (scikit-learn style; the key is not returned)."""
        return {"mode": self.mode, "seed": self.seed, "engine": self.engine, "spacy_model": self.spacy_model}

    def __repr__(self) -> str:
        return f"Deidentifier(mode={self.mode!r}, seed={self.seed}, engine={self.engine!r})"


def _chunk_paragraphs(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split at blank lines into chunks of about ``limit`` characters (an entity never spans a paragraph)."""
    if len(text) <= limit:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = text.rfind("\n\n", start, end)
            if cut <= start:
                cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.find("\n", end)
                cut = len(text) if cut < 0 else cut
            end = cut + 1 if cut < len(text) else cut
        yield start, text[start:end]
        start = end


# =============================================================================================== files
def _output_name(path: Path) -> str:
    """Output file name: the same name for .txt; ``.docx``/``.vtt`` inputs become ``<name>.txt`` (plain text:
    the de-identified text is what ``read_transcript`` gives, and the offsets in the JSONL refer to it)."""
    return path.name if path.suffix.lower() == ".txt" else path.stem + ".txt"


def _detect_stream_encoding(path: Path) -> str:
    """Encoding of a huge text file, decided by reading it once in blocks (UTF-8 → cp1252 → latin-1)."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if not head.strip():
        raise InputDataError("the file is empty", file=path.name, fix="check the transcript export")
    if b"\x00" in head:
        raise InputDataError(
            "the file is binary, not text", file=path.name, fix="export the transcript as UTF-8 .txt or .docx"
        )
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while block := handle.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _stream_chunks(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """Paragraph chunks of a text file read line by line (universal newlines: CRLF/CR become LF)."""
    offset = 0
    buf: list[str] = []
    size = 0
    with open(path, encoding=encoding, newline=None) as handle:
        for line in handle:
            buf.append(line)
            size += len(line)
            if (size >= CHUNK_CHARS and not line.strip()) or size >= 16 * CHUNK_CHARS:
                chunk = "".join(buf)
                yield offset, chunk
                offset += len(chunk)
                buf, size = [], 0
    if buf:
        yield offset, "".join(buf)


def _key_for(restricted_dir: Path | None, seed: int, mode: str) -> bytes | None:
    if mode != "surrogates" or restricted_dir is None:
        return None
    key_path = Path(restricted_dir) / KEY_FILE
    if key_path.exists():
        return key_path.read_text(encoding="utf-8").strip().encode()
    return None


def _deidentify_file(
    path: Path, target: Path, deid: Deidentifier, *, source: str
) -> tuple[dict, list[dict], list[dict]]:
    """De-identify one transcript into ``target``; returns (file row, span rows, map rows)."""
    originals: dict[tuple[str, str], str] = {}
    huge = path.suffix.lower() == ".txt" and path.stat().st_size > STREAM_THRESHOLD_BYTES
    if huge:
        encoding = _detect_stream_encoding(path)
        chunks: list[tuple[int, str]] | Callable = functools.partial(_stream_chunks, path, encoding)
    else:
        try:
            text = read_transcript(path)
        except PdtkError as exc:
            raise InputDataError(_short(exc, path), file=path.name, fix=exc.fix or "check the file") from None
        chunks = list(_chunk_paragraphs(text))
    words = 0
    surrogates = deid.mode == "surrogates"
    with open(target, "w", encoding="utf-8", newline="\n") as handle:

        def sink(new: str, chunk: str, spans: list[Span]) -> None:
            nonlocal words
            handle.write(new)
            words += len(chunk.split())
            for s in spans:
                original = chunk[s.start : s.end]
                originals.setdefault((s.type, original), deid._replacer.replace(s.type, original))
            _check_no_leak(new, chunk, spans, path.name, surrogates=surrogates)

        _, spans = deid._deidentify_chunks(chunks, sink=sink)
    span_rows = [{"source": source, "start": s.start, "end": s.end, "type": s.type} for s in spans]
    file_row = {"source": source, "output": target.name, "words": words, "spans": len(spans)}
    map_rows = [
        {"source": source, "type": t, "replacement": r, "original": o} for (t, o), r in originals.items()
    ]
    return file_row, span_rows, map_rows


_WORKER: Deidentifier | None = None


def _worker_init(mode: str, seed: int, engine: str, key: bytes | None) -> None:
    global _WORKER
    _WORKER = Deidentifier(mode=mode, seed=seed, engine=engine, key=key)


def _worker_run(args: tuple[Path, Path, str]) -> tuple[dict, list[dict], list[dict]]:
    path, target, source = args
    assert _WORKER is not None
    return _deidentify_file(path, target, _WORKER, source=source)


def _run_parallel(jobs: list[tuple[Path, Path, str]], deid: Deidentifier, n_jobs: int) -> list:
    """Spread transcripts over processes. With ``fork`` the workers inherit the built recognisers (saves ~1 s
    of start-up each); elsewhere each worker builds its own from the same parameters."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER
    workers = min(n_jobs, len(jobs))
    if "fork" in mp.get_all_start_methods():
        deid.analyze("Kari bor i Oslo.")  # build regexes (and Presidio's engine) before forking
        _WORKER = deid
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
                return list(pool.map(_worker_run, jobs))
        finally:
            _WORKER = None
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=(deid.mode, deid.seed, deid.engine, deid.key)
    ) as pool:
        return list(pool.map(_worker_run, jobs))


def deidentify_folder(
    in_dir: Path | str,
    out_dir: Path | str,
    *,
    mode: str = "tags",
    seed: int = 0,
    restricted_dir: Path | str | None = None,
    engine: str = "presidio",
    n_jobs: int = 1,
) -> DeidResult:
    """De-identify every transcript (.txt, .docx, .vtt) in ``in_dir`` into ``out_dir``.

    Writes one de-identified text per transcript (same name; .docx and .vtt become ``<stem>.txt``) and
    ``deidentification.jsonl`` with one ``{"source", "start", "end", "type"}`` line per replaced span, offsets
    into the text :func:`toolkit.io.read_transcript` gives, never the original text. The map from replacements
    to originals (and, for surrogates, the study key) goes only into ``restricted_dir`` when it is given.
    All files appear together or not at all (``staged_output``); a final check refuses to write if an original
    direct identifier survives in an output text. ``n_jobs`` > 1 spreads transcripts over processes.
    """
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive int, got {n_jobs!r}")
    in_dir, out_dir = Path(in_dir), Path(out_dir)
    files = list_transcripts(in_dir)
    if not files:
        raise InputDataError(
            "no transcripts (.txt, .docx, .vtt) in the folder", file=in_dir, fix="check IN_DIR"
        )
    names = Counter(_output_name(p).lower() for p in files)
    clash = [n for n, c in names.items() if c > 1]
    if clash:
        raise InputDataError(
            f"two transcripts would both be written as '{clash[0]}'",
            file=in_dir,
            fix="rename one of them (e.g. the .docx copy)",
        )
    restricted = Path(restricted_dir) if restricted_dir is not None else None
    key = _key_for(restricted, seed, mode)
    new_key = None
    if mode == "surrogates" and restricted is not None and key is None:
        new_key = secrets.token_hex(32)
        key = new_key.encode()
    deid = Deidentifier(mode=mode, seed=seed, engine=engine, key=key)  # validates the parameters up front
    span_rows: list[dict] = []
    file_rows: list[dict] = []
    map_rows: list[dict] = []
    with staged_output(out_dir) as stage:
        jobs = [(path, stage / _output_name(path), path.name) for path in files]
        if n_jobs == 1 or len(jobs) == 1:
            results = [_deidentify_file(p, t, deid, source=src) for p, t, src in jobs]
        else:
            results = _run_parallel(jobs, deid, n_jobs)
        for file_row, rows, mapped in results:
            file_rows.append(file_row)
            span_rows += rows
            map_rows += mapped
        with open(stage / SPANS_FILE, "w", encoding="utf-8", newline="\n") as handle:
            for row in span_rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        map_path = None
        if restricted is not None:
            with staged_output(restricted) as rstage:
                with open(rstage / MAP_FILE, "w", encoding="utf-8", newline="\n") as handle:
                    for row in map_rows:
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                if new_key is not None:
                    (rstage / KEY_FILE).write_text(new_key + "\n", encoding="utf-8")
                    os.chmod(rstage / KEY_FILE, 0o600)
            map_path = restricted / MAP_FILE
    spans_df = pd.DataFrame(span_rows, columns=["source", "start", "end", "type"])
    files_df = pd.DataFrame(file_rows, columns=["source", "output", "words", "spans"])
    return DeidResult(spans=spans_df, files=files_df, out_dir=out_dir, mode=mode, restricted_map=map_path)


def _short(exc: PdtkError, path: Path) -> str:
    message = str(exc)
    prefix = f"{path}:"
    if message.startswith(prefix):
        message = message[len(prefix) :].strip()
    return message.split(" Fix:")[0].rstrip(".")


def _check_no_leak(new: str, chunk: str, spans: list[Span], source: str, *, surrogates: bool = False) -> None:
    """Refuse to write when an original direct identifier (≥ 4 characters) still occurs in the output text.

    With surrogates a made-up name may by chance equal a real one elsewhere, so only numbers and e-mail
    addresses are checked then. One combined pattern per chunk keeps this linear in the text."""
    checked = {"FNR", "TELEFON", "EPOST", "ID"} if surrogates else DIRECT_TYPES
    originals = {chunk[s.start : s.end] for s in spans if s.type in checked and s.end - s.start >= 4}
    if not originals:
        return
    pattern = re.compile(rf"(?<![\w-])(?:{_alternation(originals)})(?![\w-])")
    found = pattern.search(new)
    if found:
        kind = next(s.type for s in spans if chunk[s.start : s.end] == found.group(0))
        raise DisclosureError(
            f"an original {kind} value would remain in the de-identified text",
            file=source,
            fix="report this as a bug",
        )
