"""Spans that belong together become one: an address with its flat number and postcode, a service with its place.

Recognisers find pieces: "Storgata 102 C" and "9008 Tromsø" as two addresses with "leil. 5" between them, or
"Voss herad" as a place after "barnevernet i". Read together they are one identifier, and a replacement that
leaves "leil. 5" or "barnevernet i [STED_1]" between tags keeps a piece of it. Applied after merging.
"""

from __future__ import annotations

import functools
import re

from toolkit.deidentify.corrections import corrected
from toolkit.deidentify.ner import generic_services
from toolkit.deidentify.patterns import (
    _CLUB_WORDS,
    _FUNCTION_WORDS,
    _INSTITUTION_WORDS,
    _LOWER_INSTITUTIONS,
    _SCHOOL_WORDS,
    _words,
)
from toolkit.deidentify.spans import Span, merge_spans, without_own_tags

_ADDRESS_GAP = re.compile(
    r"^,?\s*(?:(?:leil(?:ighet)?\.?|hybel|oppgang|bolig|H)\s*[\w-]{1,6}\s*,?\s*|,\s*)?$", re.IGNORECASE
)


_INSTITUTION_AFTER = re.compile(
    rf"\s+(?:{_SCHOOL_WORDS}|{_CLUB_WORDS}|{_LOWER_INSTITUTIONS}|{_INSTITUTION_WORDS}|universitet|høgskole|"
    r"høgskule|sjukehus|helsesenter|idrettslag|fotballklubb|il|if|fk|"
    # reception centres, prisons, mosques and cathedrals take their place's name ("Fjell mottak", "Bergen
    # fengsel", "Kristiansand moské"), and so do associations named by an adjective ("Alta samiske forening")
    r"mottak|transittmottak|asylmottak|ankomstsenter|fengsel|kultursenter|aktivitetshus|domkirke|katedral|"
    r"moské|moske|moskeen|moskéen|(?:[a-zæøå]+ske\s+)?(?:forening|foreining|kulturforening))\b",
    re.IGNORECASE,
)
_ORG_AT_PLACE = re.compile(r"^\s+(?:på|i)\s+$", re.IGNORECASE)
_MUNICIPALITY_SUFFIX = re.compile(
    r"\s+(?:kommune|herad|fylkeskommune|bydel|kommunestyre|rådhus)\b", re.IGNORECASE
)


@functools.lru_cache(maxsize=1)
def _service_words() -> frozenset[str]:
    """Generic services (the list the NER model is overruled on) and a few more service words, lower case."""
    extra = {"barneverntjenesten", "barnevernstenesta", "uteseksjonen", "bydel", "mottak"}
    return generic_services() | extra


# the head of a compound that names an office, service or institution: "familievernkontoret i Trondheim",
# "krisesenteret i Oslo", "barneverntenesta i Verdal", "fritidsklubben på Kjeller" (schools are left out: "skolen
# i Grue" is mostly said of a place, and the place alone is then the identifier)
_INSTITUTION_HEADS = (
    "kontoret", "senteret", "sentret", "tjenesten", "tjenesta", "tenesta", "klubben", "stasjonen", "samskipnaden",
    "heimen", "hjemmet", "sjukehuset", "sykehuset", "legevakta", "legevakten", "etaten", "direktoratet",
    "foreningen", "forbundet", "seksjonen", "menigheten", "kyrkjelyden", "biblioteket", "sentralen",
    # a house that is an institution: "mestringshuset i Tromsø", "kulturhuset i Sandnes", "helsehuset på Ål"
    "huset",
)  # fmt: skip


def _institution_word(word: str) -> bool:
    """A compound ending in an institution head, with a first part of its own ("krisesenteret", not "senteret")."""
    low = word.lower()
    if low in _GENERIC_HOUSES:
        return False
    return any(low.endswith(head) and len(low) >= len(head) + 3 for head in _INSTITUTION_HEADS)


# houses every town has, so "sykehuset på Elverum" is said of the place (the place alone is the identifier)
_GENERIC_HOUSES = frozenset({"sykehuset", "sjukehuset", "rådhuset", "legehuset", "helsehuset"})


_BEFORE_PLACE = (
    re.compile(r"([\wæøåÆØÅ-]+)(\s+(?:i|på|for)\s+|\s+)$"),
    # an office named for its field, then its place ("opplæringskontoret for service i Vestland", "… for bilfag
    # Romerike")
    re.compile(r"([\wæøåÆØÅ-]+)(\s+for\s+[\wæøåÆØÅ-]+(?:\s+og\s+[\wæøåÆØÅ-]+)?\s+(?:(?:i|på)\s+)?)$"),
)
# the first half of a coordinated compound ("Rus- og psykiatritjenesten"): the same organisation's name
_COORDINATED = re.compile(r"[\wæøåÆØÅ]+-\s+og\s+$")


def _service_before(text: str, start: int) -> int | None:
    """Start of "<service> i " or "<service> " just before ``start`` ("barnevernet i Voss", "nav stord"), or of
    "<institution> i|på " ("familievernkontoret i Trondheim"); repeated, so that a service in a service is one
    name ("barnevernet i bydel Frogner"), and over a coordinated first half ("Rus- og psykiatritjenesten i …")."""
    begin = None
    for _ in range(3):
        found = _one_service_before(text, start if begin is None else begin)
        if found is None:
            break
        begin = found
    if begin is not None:
        coordinated = _COORDINATED.search(text, max(0, begin - 30), begin)
        begin = coordinated.start() if coordinated else begin
    return begin


def _one_service_before(text: str, start: int) -> int | None:
    before = text[max(0, start - 60) : start]
    for pattern in _BEFORE_PLACE:
        m = pattern.search(before)
        if m and m.group(1).lower() in _service_words():
            return start - len(before) + m.start(1)
        if m and m.group(2).strip() and _institution_word(m.group(1)):
            return start - len(before) + m.start(1)
    return None


def compose(text: str, spans: list[Span]) -> list[Span]:
    """Join address pieces across a flat number or comma, and a service word with the place after it; then add
    the words a speaker's correction ties to a span ("line nei lene")."""
    out: list[Span] = []
    for span in spans:
        if span.type in ("STED", "ORG"):  # "Oslo kommune" may come as an organisation already
            suffix = (
                _MUNICIPALITY_SUFFIX.match(text, span.end) or _INSTITUTION_AFTER.match(text, span.end)
                if span.type == "STED"
                else None
            )
            begin = _service_before(text, span.start)
            if begin is not None or suffix:
                while out and out[-1].start >= (begin if begin is not None else span.start):
                    out.pop()  # "Barneverntjenesten" found alone becomes part of the organisation
                end = suffix.end() if suffix else span.end
                span = Span(begin if begin is not None else span.start, end, "ORG", span.score, span.source)
        previous = out[-1] if out else None
        if (
            previous is not None
            and previous.type == "ORG"
            and span.type in ("STED", "ORG")
            and _ORG_AT_PLACE.match(text[previous.end : span.start])
        ):  # "rema på skedsmokorset", "Dyreparken i Kristiansand": one organisation
            out[-1] = Span(previous.start, span.end, "ORG", max(previous.score, span.score))
            continue
        if (
            previous is not None
            and previous.type == span.type == "ADRESSE"
            and _ADDRESS_GAP.match(text[previous.end : span.start])
        ):
            out[-1] = Span(previous.start, span.end, "ADRESSE", max(previous.score, span.score))
            continue
        out.append(span)
    return without_own_tags(
        text,
        _with_name_particles(
            text, corrected(text, _with_sub_locations(text, [_with_department(text, span) for span in out]))
        ),
    )


# the rest of an Arabic name after a found part: a particle joined by a hyphen ("al-sayed", "el-huda", "ul-Haq"),
# or "abd", "abu", "umm", "bin", "bint", "ibn" and the word after it ("abd al-karim", "bin laden"). Not the
# particles Norwegian also uses as words ("da", "de", "der").
_NAME_PARTICLE_AFTER = re.compile(
    r"(?:[ \t]+(?:(?:abd|abu|umm|bin|bint|ibn)[ \t]+(?!(?:og|i|på|er|var|han|hun|som)\b)[^\W\d_][\w'’]*"
    r"|(?:al|el|ul|ibn|bin|abu|abd)-[^\W\d_][\w'’]+))+(?![\w-])",
    re.IGNORECASE,
)


def _with_name_particles(text: str, spans: list[Span]) -> list[Span]:
    """A person span with the particles and name parts that follow it ("ahmed al-sayed", "mohammad abd
    al-karim", "Imran ul-Haq"): a name found in part must not leave the rest of it in the text."""
    if "-" not in text and not re.search(r"\b(?:abd|abu|umm|bin|bint|ibn)\b", text, re.IGNORECASE):
        return spans
    longer = []
    for span in spans:
        m = _NAME_PARTICLE_AFTER.match(text, span.end) if span.type == "PERSON" else None
        longer.append(Span(span.start, m.end(), span.type, span.score, span.source) if m else span)
    return merge_spans(longer) if longer != spans else spans


# a unit named after its institution and a comma ("Haugesund sjukehus, psykiatrisk akuttmottak", "DPS Vestre Viken,
# Drammen poliklinikk", "Sarpsborg kommune, bolig- og tjenestekontoret", "BUP Lillestrøm, Akershus
# universitetssykehus"): the unit narrows the institution down and is part of its name
_DEPARTMENT = re.compile(
    r",[ \t]+(?:"
    r"(?:[A-ZÆØÅ][\w-]+[ \t]+)?(?:(?!(?:på|i|ved|og|men|der|som|hos)[ \t])[a-zæøå]+[ \t]+)?"
    r"(?:avdeling|poliklinikk|akuttmottak|sengepost|seksjon|klinikk|sengeavdeling)(?:en|a)?"
    r"(?:[ \t]+(?:for[ \t]+[a-zæøå]+(?:[ \t]+og[ \t]+[a-zæøå]+)?|[A-ZÆØÅ][\w-]+))?"
    r"|(?:[a-zæøå]+-[ \t]+og[ \t]+)?[a-zæøå]{3,}(?:teamet|kontoret|tjenesten|tjenesta|tenesta|avdelingen|"
    r"avdelinga|seksjonen|posten|mottaket)"
    r"|[A-ZÆØÅ][\w-]+[ \t]+(?:universitetssykehus|universitetssjukehus|sykehus|sjukehus|HF|hjemmesykepleie|"
    r"heimesjukepleie|hjemmetjeneste|heimeteneste|helsestasjon|legevakt|legevakta)"
    r")(?![\w-])"
)
# a second institution joined by "og" is part of the same name ("Samisk videregående skole og reindriftsskole")
_AND_INSTITUTION = re.compile(
    r"[ \t]+og[ \t]+[a-zæøå]{3,}(?:skole|skule|senter|senteret|klinikk|verksted|verkstad|tjeneste|teneste|"
    r"bilpleie|omsorg|opplæring)(?![\w-])"
)
# a company-form suffix after a name ("trond ødegård bygg as"), and "skole" after a school's "videregående"
_FORM_AFTER = re.compile(r"[ \t]+(?:AS|ASA|SA|BA|ANS|DA|as|asa)(?![\w-])")
_SCHOOL_AFTER = re.compile(
    r"(?:(?<=videregående)|(?<=vidaregåande)|(?<=vidregående))[ \t]+(?:skole|skule)(?![\w-])", re.I
)
_SERVICE_END = re.compile(r"(?:DPS|BUP|PPT|OT|NAV)$")


# a region or branch after an organisation's name ("fretex vest", "Familievernkontoret Oslo nord"), unless a
# relation follows ("nord for byen", "vest i landet")
_COMPASS = re.compile(
    r"[ \t]+(?:[Nn]ord|[Ss]ør|[Øø]st|[Vv]est|[Mm]idt)(?![\w-])(?![ \t]+(?:for|i|av|til|mot|om)\b)"
)


def _with_department(text: str, span: Span) -> Span:
    """An organisation (or a place ending in a service, "Ålesund DPS") with its unit after a comma or its
    region after it."""
    if span.type != "ORG" and not (span.type == "STED" and _SERVICE_END.search(text[span.start : span.end])):
        return span
    department = _DEPARTMENT.match(text, span.end)
    if department and department.group(0).lstrip(", \t").casefold() in generic_services():
        department = None  # "NAV Solør, oppfølgingstjenesten, fastlegen …" lists a national service, no unit
    m = (
        department
        or _COMPASS.match(text, span.end)
        or _FORM_AFTER.match(text, span.end)
        or _SCHOOL_AFTER.match(text, span.end)
        or _AND_INSTITUTION.match(text, span.end)
    )
    if m is None:
        return span
    return Span(span.start, m.end(), "ORG", span.score, span.source)


# after an organisation in a lower-case turn, "på <word>" names where it is ("obs bygg på holt", "elkjøp på
# lagunen") unless the word is part of the workplace or a time ("på lageret", "på lørdager")
_SUB_LOCATION = re.compile(r"[ \t]+på[ \t]+([a-zæøå][a-zæøå-]{2,})(?![\w-])")
_NO_SUB_LOCATION = _words(
    "lageret kjøkkenet kjøkenet kassa kassen kontoret senteret storsenteret verkstaden verkstedet avdelinga "
    "avdelingen butikken jobb jobben praksis deltid heltid dagtid kveldstid natta natt kveld kvelden "
    "kveldane kveldene helg helga helgene helgane lørdag lørdager laurdag laurdagar søndag søndager fredag "
    "fredager sommaren sommeren vinteren hausten høsten våren timebasis timen timar timer skift skiftet "
    "gulvet lager lagret disken døra døgnet rommet kurset kurs tiltak tiltaket samme same sida siden slutten "
    "starten morgonen morgenen dagen dag ettermiddagen ein eit ei eitt nokre noen papiret nett nettet"
)
# at a school "på <word>" is the programme ("vgs på bygg og anlegg", "vidaregåande på teknikk"), not a place
_SCHOOL_END = re.compile(
    r"(?:vgs|videregående|vidaregåande|skole|skule|gymnas|universitet|høgskole|høgskule)$"
)


def _with_sub_locations(text: str, spans: list[Span]) -> list[Span]:
    """Extend a lower-case organisation over "på <place>" after it, merging any span that the place overlaps."""
    out: list[Span] = []
    for span in spans:
        if out and span.start < out[-1].end:  # swallowed by the extension of the organisation before it
            out[-1] = Span(
                out[-1].start, max(out[-1].end, span.end), out[-1].type, out[-1].score, out[-1].source
            )
            continue
        name = text[span.start : span.end]
        if span.type == "ORG" and name.islower() and not _SCHOOL_END.search(name):
            m = _SUB_LOCATION.match(text, span.end)
            word = m.group(1) if m else ""
            if (
                m
                and word not in _NO_SUB_LOCATION
                and word not in _FUNCTION_WORDS
                and _lower_line(text, span.end)
            ):
                span = Span(span.start, m.end(), "ORG", span.score, span.source)
        out.append(span)
    return out


def _lower_line(text: str, pos: int) -> bool:
    """True when the line around ``pos`` has no capitals after its speaker label (transcribed without them)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    turn = text[start : end if end >= 0 else len(text)].split(":", 1)[-1]
    return turn.lower() == turn
