"""Organisations in text written without capitals, found by what surrounds them rather than by a list of names.

Speech recognition writes "jobber på sogn bil", "praksis hos trønderenergi", "timer på dps orkdal": no capital
marks the name, the NER model learned organisations from capitalised news, and the word lists cannot hold every
firm. What does mark them is the context, the same in any transcript:

* a **kind word** ending the name (``data/organisation_kinds.txt``: "bil", "bygg", "fysioterapi", "il",
  "kyrkjelyd", "vgs" …) after a preposition: "hos grue fysioterapi", "med nord-aurdal il";
* a **service prefix** before a place: "dps orkdal", "bup kongsvinger", "sykehuset innlandet gjøvik";
* "høgskolen i innlandet", "universitetet i sørøst-norge": a university or college with its region;
* a **workplace cue** ("jobber", "praksis", "lærlingplass" …) then "på/hos" and words no dictionary knows:
  "lærlingplass hos caverion";
  after "hos", also a word the lemma dictionary does not know though the ordinary-word list holds it (firm names
  such as "hos hydro"); a known place and a word either way round ("jobb på <town> <firm>", "hos <word> <town>");
* a **shop chain** after "på/hos/til/fra" ("jobber på kiwi"), except chain names that are also everyday words
  ("extra", "spar", "max") — those still need a place after them (``rules.py``);
* kind words that name a firm only after "hos" ("hos <name> kompetanse"), an office's definite name and its town
  ("<x>tjenesten <town>", "<x>sentralen i <town>"), a "<name>tunet"/"<name>heimen" whose first part is no word.

Every rule refuses names made of function words, articles, possessives, adjectives of size/age/kind and number
words, so "på en ny skole", "i vanlig fotball" and "hos meg" stay. Lower-case only, with one exception: a
capitalised name after "hos" or after a workplace cue and "for/til/på/i" ("bussjåfør for <Name>"), for the turns
where the model misses it; national services and platforms kept on purpose (``generic_services.txt``) stay.
"""

from __future__ import annotations

import re

from toolkit.deidentify.gazetteers import Gazetteers, load_gazetteers, organisation_kinds
from toolkit.deidentify.ner import generic_services, ordinary_words
from toolkit.deidentify.patterns import (
    _FUNCTION_WORDS,
    _PLACE_HEADS,
    _POSSESSIVES,
    _RELATIONS,
    _SPEECH_VERBS,
    LOW,
    UP,
    _words,
    trie_alternation,
)
from toolkit.deidentify.spans import Span

# words that can stand between a preposition and a kind word without being a name ("på en ny skole")
_NOT_A_NAME = _words(
    "ny nye nytt gammel gamle gammelt god gode godt stor store stort liten lita lille små vanlig vanlige "
    "privat private offentlig offentlige kommunal kommunale lokal lokale norsk norske samme same annen anna "
    "andre annet hele heile egen eigen eget eige første siste neste nærmeste beste vår dette denne disse "
    "hver kvar noen nokre noe noko alle all mange flere fleire sånn sånt slik slikt litt bare berre også "
    "òg eh ehm mm hm hmm ja nei jo typ liksom altså på i hos med for til fra frå ved mot "
    "en to tre fire fem seks sju syv åtte ni ti ein eit ei å"
)
# verbs and fillers that follow "dps"/"nav" in speech and are no place ("nav sa", "dps ringte")
_NOT_A_PLACE = (
    _NOT_A_NAME
    | _SPEECH_VERBS
    | _words(
        "har hadde var er e va vart blei ble skal skulle vil ville kan kunne må måtte fikk fekk får ga gav gir "
        "gjorde gjør sendte tok tar trur tror veit vet hjelpte hjelpe der dit her hit no nå da då så og eller "
        "men at som om etter før igjen"
    )
)
# "nav", "sykehuset", "helse" are followed by too many ordinary words ("nav egentlig", "helse og oppvekst"): they
# need a known place or a word no dictionary knows ("nav alna", "sykehuset østfold", "helse førde")
_SERVICE = r"dps|bup|ppt|sykehuset[ \t]+innlandet|sjukehuset[ \t]+innlandet|opplæringskontoret"
# compounds whose head says "firm" even though the head is an ordinary word ("trønderenergi", "norgesgruppen")
_FIRM_HEADS = (
    "energi",
    "gruppen",
    "kraft",
    "banken",
    "bank",
    "huset",
    "bygg",
    "elektro",
    "transport",
    "service",
)
_KIN = re.compile(rf"(?:{_RELATIONS}|mamma|pappa|mor|far|foreldra|foreldrene|familien|familie)")
_NOT_TOWNS = _words(
    "tillegg dag fjor går morgen kveld helg uke veke måned månad år tida tide forhold fall praksis starten "
    "januar februar mars april mai juni juli august september oktober november desember jul påske "
    "første andre tredje fjerde femte sjette sjuende syvende åttende niende tiende fyrste sjuande åttande niande "
    "tiande norsk matte matematikk engelsk gym naturfag samfunnsfag historie kroppsøving mat helse "
    "bygda byen kommune kommunen fylket fylke landet norge noreg utlandet verden verda nærheten nærleiken hovedsak utgangspunktet"
)
_MUNICIPAL = _words("kommunal kommunale interkommunal interkommunale")
_TIME_WORDS = _words(
    "fjor forfjor går dag morgen kveld helga helgen byen sentrum vår høst haust sommer vinter"
)
_WORK_CUE = re.compile(
    r"\b(?:jobb\w*|arbeid\w*|praksis\w*|lærling\w*|sommarjobb\w*|sommerjobb\w*|deltid|ekstrahjelp|tiltak\w*|"
    r"søkt|søkte|ansatt|ansett|vikar\w*|lærlingkontrakt|utplassering)\b[^.\n?!]{0,40}$"
)
_KINDS_FIRST = (
    r"hotell|hotellet|kafé|kafe|kafeen|kaféen|restaurant|restauranten|fritidsklubben|ungdomsklubben|ungdomshuset|"
    r"treningssenteret|behandlingssenteret|helsestasjonen|ungdomshelsestasjonen|klinikken|fagskolen|fagskulen|"
    r"kjøpesenteret|frisørsalongen|salong|salongen|campus"
)
# kinds of firm named after their founder, whose name follows ("advokatfirmaet hjort", "advokatkontoret elden"):
# the founder's surname may be an ordinary word, so no dictionary guard
_FOUNDER_KINDS = (
    r"(?:advokatfirma|advokatfirmaet|advokatkontor|advokatkontoret|revisjonsfirma|revisjonsfirmaet)"
)
_EVERYDAY_CHAINS = _words("extra prix spar power max ark normal kid vita obs mester")
# kind words that end a firm's name only after "hos": elsewhere they are ordinary nouns ("med relevant kompetanse",
# "med full kraft"), but "hos" is said of a person or a firm ("kurs hos fokus kompetanse", "hos eidsiva energi")
_HOS_KINDS = "kompetanse|energi|kraft|gruppen|partner|ressurs|utvikling|vekst"
# the definite head of a public or voluntary office, named by its town after it ("flyktningtjenesten drammen",
# "frivillighetssentralen i skedsmo", "legekontoret i grue")
_OFFICE_HEADS = (
    "tjenesten",
    "tenesta",
    "tenesten",
    "sentralen",
    "kontoret",
    "senteret",
    "etaten",
    "foreningen",
    "foreininga",
    "klubben",
    "skolen",
    "skulen",
)
# a school is named by its region ("nettskolen vest"), but "skolen i <town>" is mostly said of the town, and the
# town alone is then the identifier
_SCHOOL_HEADS = ("skolen", "skulen")
# the parts of a county or country a service is named by ("nettskolen vest", "ppt midt")
_REGIONS = _words("vest nord sør øst midt nordvest nordaust nordøst sørvest sørøst sørvest")


def _place_compound(word: str) -> bool:
    """A compound with a first part of its own and a geographic head ("fyllingsdalen", not "dalen")."""
    return any(word.endswith(head) and len(word) >= len(head) + 3 for head in _PLACE_HEADS)


class ContextOrganisationFinder:
    """Lower-case organisations named by their context (see the module docstring)."""

    def __init__(self, gazetteers: Gazetteers | None = None):
        g = gazetteers or load_gazetteers()
        self.places_lower = g.places_lower
        self.first_names = g.first_names
        self.surnames = g.surnames
        self.common_proper = g.common_proper
        self.countries = g.countries
        self.chains_lower = frozenset(c.lower() for c in (*g.chains, *g.organisations))
        word = rf"[{LOW}][{LOW}-]*"
        preps = "på|hos|i|for|med|til|fra|frå|ved|mot"
        name_word = (
            rf"(?!(?:{preps})[ \t]){word}[ \t]+"  # a name word is no preposition: "i åttende på tune vgs"
        )
        kinds = trie_alternation(organisation_kinds())
        # after a preposition or a verb of naming ("det heiter hornindal trevare"); a second kind joined by "og"
        # is the same name ("volda turn og idrettslag")
        self._kind_re = re.compile(
            rf"\b(?:{preps}|heiter|heter|heite|heitte|het|og[ \t]+så)[ \t]+((?:{name_word}){{1,3}}?(?:{kinds})"
            rf"(?:[ \t]+og[ \t]+(?:{kinds}))?)(?![\w-])"
        )
        self._hos_kind_re = re.compile(rf"\bhos[ \t]+((?:{name_word}){{1,2}}?(?:{_HOS_KINDS}))(?![\w-])")
        # "flyktningtjenesten drammen", "frivillighetssentralen i skedsmo": an office and its (known) town
        self._office_re = re.compile(
            rf"(?<![\w-])([{LOW}]{{3,}}(?:{'|'.join(_OFFICE_HEADS)})[ \t]+(?:(?:i|på)[ \t]+)?({word}))(?![\w-])"
        )
        self._capital_after_re = re.compile(
            rf"\b(?:hos|for|til|på|i)[ \t]+([{UP}][\w'’&-]*\w(?:[ \t]+[{UP}][\w'’&-]*\w){{0,2}})(?![\w-])"
        )
        self._site_re = re.compile(rf"[ \t]+(?:i|på)[ \t]+({word})(?![\w-])")
        self._courtyard_re = re.compile(
            rf"\b(?:på|i|til|fra|frå|ved|hos)[ \t]+(((?:[{LOW}]+[ \t]+)?[{LOW}][{LOW}]+-?)(?:tunet|heimen))(?![\w-])"
        )
        # "jobber hos kongsberg maritime", "tiltak hos vekst gjøvik": a known place and a word, either way round
        self._place_firm_re = re.compile(rf"\b(?:på|hos)[ \t]+(?=(({word})[ \t]+({word}))(?![\w-]))")
        # the service after its place ("volda dps", "haukeland bup"): the place must be a known one
        self._place_service_re = re.compile(rf"(?<![\w-])(({word})[ \t]+(?:dps|bup|ppt))(?![\w-])")
        self._service_re = re.compile(rf"(?<![\w-])((?:{_SERVICE})[ \t]+({word}))(?![\w-])")
        # "opplæringskontoret i inn-trøndelag", "ppt for sunnfjord": the service and its (known) region
        self._service_in_re = re.compile(
            rf"(?<![\w-])((?:{_SERVICE})[ \t]+(?:i|for|på)[ \t]+({word}))(?![\w-])"
        )
        self._nav_re = re.compile(rf"(?<![\w-])((?:nav|sykehuset|sjukehuset|helse)[ \t]+({word}))(?![\w-])")
        self._branch_re = re.compile(rf"[ \t]+([{LOW}][{LOW}-]{{2,}})(?![\w-])")
        self._college_re = re.compile(
            rf"(?<![\w-])((?:høgskolen|høgskulen|høyskolen|universitetet|fagskolen|fagskulen)[ \t]+(?:i|på)[ \t]+"
            rf"({word}))(?![\w-])"
        )
        # the kind before the name: "på hotell solborg", "hos ungdomshelsestasjonen kilden", "kafé fjordglimt"
        self._kind_first_re = re.compile(
            rf"\b(?:på|hos|i|ved|til|fra|frå)[ \t]+((?:{_KINDS_FIRST})[ \t]+({word}))(?![\w-])"
        )
        self._founder_re = re.compile(
            rf"(?<![\w-])((?:{_FOUNDER_KINDS})[ \t]+({word})(?:[ \t]+(?:og|&)[ \t]+co)?)(?![\w-])"
        )
        # "I: kan du si hvor du jobber? / U: mcdonalds lillestrøm.": the answer names the workplace
        self._work_answer_re = re.compile(
            r"\b(?:hvor|kor|kvar|ka)\s+(?:(?:jobber|jobbar|jobbe|arbeider|arbeidar|arbeide)\s+(?:du|dere)|"
            r"(?:du|dere)\s+(?:jobber|jobbar|jobbe|arbeider|arbeidar|arbeide))\b[^\n]*\n\s*\n?[ \t]*[^\n:]{1,30}:[ \t]*(?:(?:på|hos|i)[ \t]+)?"
            rf"({word}(?:[ \t]+{word}){{0,2}}?)(?=[ \t]*(?:[,.]|\n|$))"
        )
        # a lookahead, so that "på tiltak hos caverion" also tries "hos caverion"
        self._after_work_re = re.compile(rf"\b(?:på|hos)[ \t]+(?=((?:{word})(?:[ \t]+{word}){{0,2}}))")
        chains = [c.lower().replace("1000", "(?:1000|tusen)") for c in g.chains]
        chains = [c for c in chains if c not in _EVERYDAY_CHAINS]
        alternation = "|".join(sorted(chains, key=len, reverse=True))  # already escaped enough: plain words
        self._chain_re = re.compile(
            rf"\b(?:på|hos|til|fra|frå|heiter|heite|heter)[ \t]+({alternation})(?![\w-])"
        )
        # the definite or dialect form of a chain names the shop people mean ("jobber på kiwien", "på
        # Rema'n på Loddefjord"): the suffix makes it a workplace, not a brand; with a place after it, one name
        self._chain_inflected_re = re.compile(
            rf"\b(?:på|hos|ved|til|fra|frå)[ \t]+((?i:{alternation})(?:'?n|en|'en)"
            rf"(?:[ \t]+på[ \t]+[{UP}][{LOW}-]+)?)(?![\w'-])"
        )

    def find(self, text: str) -> list[Span]:
        """Lower-case organisation spans in ``text``."""
        spans = self._kinds(text) + self._services(text) + self._colleges(text) + self._chains(text)
        spans += self._workplaces(text) + self._kind_first(text) + self._work_answers(text)
        spans += self._hos_kinds(text) + self._offices(text) + self._place_firms(text)
        spans += self._capitalised_workplaces(text) + self._courtyards(text)
        return spans + self._sites(text, spans)

    def _sites(self, text: str, spans: list[Span]) -> list[Span]:
        """The known place after a lower-case firm ("kurs hos <firm> i lier", "mottak i ski"): where the firm
        is, even when the place is also a word or a name (``ambiguous_words.txt`` keeps those out elsewhere)."""
        found = []
        for span in spans:
            m = self._site_re.match(text, span.end)
            if m is None or not text[span.start : span.end].islower():
                continue
            word = m.group(1)
            if word in _NOT_A_PLACE or word in _TIME_WORDS or word in _NOT_TOWNS:
                continue
            if word in self.places_lower:
                found.append(Span(m.start(1), m.end(1), "STED", 0.5))
        return found

    def _courtyards(self, text: str) -> list[Span]:
        """An institution named "<name>tunet" or "<name>heimen" ("på lunnertunet", "ved bjørgeheimen"): an
        institution or a farm museum when the first part is no dictionary word ("skoletunet" is a school yard)."""
        import simplemma

        spans = []
        for m in self._courtyard_re.finditer(text):
            prefix = m.group(2).rstrip("-")
            stem = prefix[:-1] if prefix.endswith("s") else prefix
            if len(stem) < 3 or prefix in _FUNCTION_WORDS:
                continue
            if simplemma.is_known(prefix, lang="nb") or simplemma.is_known(stem, lang="nb"):
                continue
            if simplemma.is_known(prefix, lang="nn") or simplemma.is_known(stem, lang="nn"):
                continue
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.5))
        return spans

    def _capitalised_workplaces(self, text: str) -> list[Span]:
        """A capitalised name after "hos", or after a workplace cue and "for/til/på/i" ("bussjåfør for Tide",
        "jobb på lageret til Borregaard"): the capital marks a name, the cue says a firm; not a place, a national
        service or platform kept on purpose (``generic_services.txt``), nor a short acronym ("på TIP")."""
        spans = []
        for m in self._capital_after_re.finditer(text):
            if not text.startswith("hos", m.start()) and not _WORK_CUE.search(
                text, max(0, m.start() - 60), m.start()
            ):
                continue
            name = m.group(1)
            first = name.split()[0]
            low = first.lower()
            if name.casefold() in generic_services() or first.casefold() in generic_services():
                continue
            if first in self.common_proper or low in self.places_lower or first in self.countries:
                continue
            if first.isupper() and len(first) <= 3:
                continue
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.5))
        return spans

    def _hos_kinds(self, text: str) -> list[Span]:
        """ "hos" and a name ending in a kind word that is an ordinary noun elsewhere ("hos fokus kompetanse")."""
        spans = []
        for m in self._hos_kind_re.finditer(text):
            words = m.group(1).split()
            if any(w in _NOT_A_NAME or w in _FUNCTION_WORDS or w in _POSSESSIVES for w in words[:-1]):
                continue
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.5))
        return spans

    def _offices(self, text: str) -> list[Span]:
        """An office's definite name and the known town it serves ("flyktningtjenesten drammen")."""
        return [
            Span(m.start(1), m.end(1), "ORG", 0.5)
            for m in self._office_re.finditer(text)
            if m.group(2) not in _FUNCTION_WORDS
            and m.group(2) not in _NOT_A_PLACE
            and m.group(2) not in self.first_names
            and m.group(2) not in self.surnames
            and m.group(2) not in _TIME_WORDS
            and m.group(2) not in organisation_kinds()
            and (not m.group(1).split()[0].endswith(_SCHOOL_HEADS) or m.group(1).split()[1] in _REGIONS)
            and (
                m.group(2) in self.places_lower
                or m.group(2) in _REGIONS
                or self._unknown(m.group(2))
                or (m.group(0).split()[1] in ("i", "på") and self._town_like(m.group(2)))
            )
        ]

    @staticmethod
    def _no_dictionary_word(word: str) -> bool:
        """A word the lemma dictionary does not know, though the ordinary-word list (which holds many firm and place
        names: "mustad", "borregaard") may: after a workplace cue or "hos", a firm's name."""
        import simplemma

        if len(word) < 4 or word in _FUNCTION_WORDS or word in _NOT_A_PLACE or word in _TIME_WORDS:
            return False
        if word in generic_services() or word in _POSSESSIVES or _KIN.fullmatch(word):
            return False
        ordinary = ordinary_words()
        if word.endswith(("s", "a")) and (word[:-1] in ordinary or simplemma.is_known(word[:-1], lang="nb")):
            return False  # a genitive ("hos kommunens kontor") or a dialect's definite form ("hos kompisa")
        if any(word[k:] in ordinary for k in range(3, len(word) - 4)):
            return False  # a compound with an ordinary head ("jobbsenteret"), not a name
        return not simplemma.is_known(word, lang="nb") and not simplemma.is_known(word, lang="nn")

    @staticmethod
    def _town_like(word: str) -> bool:
        """A word that may be a town the lists miss ("skedsmo"): no definite or plural noun, no number, no time."""
        if len(word) < 4 or word.endswith(("en", "et", "a", "ene", "ane", "er", "ar", "ing", "het", "ning")):
            return False
        return word not in _NOT_TOWNS

    def _place_firms(self, text: str) -> list[Span]:
        """After a workplace cue or "hos": a known place and a name word ("søkt jobb på kongsberg maritime"), or a
        name word and a known place ("tiltak hos vekst gjøvik"): a firm or its branch, not the town alone."""
        spans = []
        for m in self._place_firm_re.finditer(text):
            first, second = m.group(2), m.group(3)
            if not text.startswith("hos", m.start()) and not _WORK_CUE.search(
                text, max(0, m.start() - 60), m.start()
            ):
                continue
            if first in self.places_lower and second in self.places_lower:
                continue  # "på mo rana"? two places are no firm
            if first in self.places_lower:
                other = second
            elif second in self.places_lower and text.startswith("hos", m.start()):
                other = first
            else:
                continue
            if other in _NOT_A_PLACE or other in _FUNCTION_WORDS or other in _TIME_WORDS or len(other) < 3:
                continue
            if other in _POSSESSIVES or other in self.first_names or _KIN.fullmatch(other):
                continue  # "hos mamma drammen", "hos kari hamar": a person, then where
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.5))
        return spans

    def _work_answers(self, text: str) -> list[Span]:
        """The answer to "hvor jobber du": a workplace when its first word is a chain, a place or no word."""
        spans = []
        for m in self._work_answer_re.finditer(text):
            first = m.group(1).split()[0]
            if first in _FUNCTION_WORDS or first in _NOT_A_NAME:
                continue
            if first in self.chains_lower or first in self.places_lower or first not in ordinary_words():
                spans.append(Span(m.start(1), m.end(1), "ORG", 0.5))
        return spans

    def _kind_first(self, text: str) -> list[Span]:
        """A kind word, then a place or a word no dictionary knows, compounds too ("på hotell solborg", "kafé
        fjordglimt"; not "på hotell i fjor"); a law firm, then any name word."""
        founders = self._founder_re.finditer(text) if "advokat" in text or "revisjon" in text else ()
        spans = [
            Span(m.start(1), m.end(1), "ORG", 0.5)
            for m in founders
            if m.group(2) not in _FUNCTION_WORDS and m.group(2) not in _NOT_A_PLACE
        ]
        return spans + [
            Span(m.start(1), m.end(1), "ORG", 0.5)
            for m in self._kind_first_re.finditer(text)
            if m.group(2) not in _NOT_A_PLACE
            and m.group(2) not in _FUNCTION_WORDS
            and (m.group(2) in self.places_lower or m.group(2) not in ordinary_words())
        ]

    def _kinds(self, text: str) -> list[Span]:
        spans = []
        for m in self._kind_re.finditer(text):
            words = re.sub(r"[ \t]+og[ \t]+\S+$", "", m.group(1)).split()  # "turn og idrettslag": one kind
            # a place's own service may be "kommunal" ("oslo kommunale legevakt"); "en kommunal skole" is none
            owned = words[0] in self.places_lower and set(words[1:-1]) <= _MUNICIPAL
            owned = owned or " ".join(words[:-1]) in self.places_lower  # "møre og romsdal fylkeskommune"
            if not owned and any(
                w in _NOT_A_NAME or w in _FUNCTION_WORDS or w in _POSSESSIVES for w in words[:-1]
            ):
                continue
            possessive = words[0].endswith("s") and words[0] not in self.places_lower and len(words) == 2
            if possessive and (words[0] in ordinary_words() or words[0][:-1] in ordinary_words()):
                continue  # "på bestefars gård", "hos kommunens skole": a possessive, not a name
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.6))
        return spans

    def _services(self, text: str) -> list[Span]:
        spans = [
            Span(m.start(1), m.end(1), "ORG", 0.6)
            for m in self._service_re.finditer(text)
            if m.group(2) not in _NOT_A_PLACE and m.group(2) not in _FUNCTION_WORDS
        ]
        spans += [
            Span(m.start(1), m.end(1), "ORG", 0.6)
            for m in self._service_in_re.finditer(text)
            if m.group(2) in self.places_lower or m.group(2).rsplit("-", 1)[-1] in self.places_lower
        ]
        spans += [
            Span(m.start(1), m.end(1), "ORG", 0.6)
            for m in self._place_service_re.finditer(text)
            if m.group(2) not in _NOT_A_PLACE
            and (
                m.group(2) in self.places_lower
                or self._unknown(m.group(2))
                or self._no_dictionary_word(m.group(2))  # a hospital's name ("<name> bup")
            )
        ]
        spans += [
            self._with_branch(text, Span(m.start(1), m.end(1), "ORG", 0.5))
            for m in self._nav_re.finditer(text)
            if m.group(2) not in _NOT_A_PLACE
            # a district named as a compound with a geographic head ("nav fyllingsdalen", "nav sandvika")
            and (m.group(2) in self.places_lower or self._unknown(m.group(2)) or _place_compound(m.group(2)))
        ]
        return spans

    def _with_branch(self, text: str, span: Span) -> Span:
        """A chain or service with its branch or site after it is one name ("rema tusen fjell", "sykehuset østfold
        kalnes"): the next word when it is a known place or a word no dictionary knows."""
        m = self._branch_re.match(text, span.end)
        if m is None:
            return span
        word = m.group(1)
        if word in _NOT_A_PLACE or word in _FUNCTION_WORDS or word in _TIME_WORDS:
            return span
        if word in self.places_lower or self._unknown(word):
            return Span(span.start, m.end(1), span.type, span.score, span.source)
        return span

    def _unknown(self, word: str) -> bool:
        """A word no dictionary knows and no compound of an ordinary word, unless its head says "firm"."""
        ordinary = ordinary_words()
        if word in ordinary or word in _FUNCTION_WORDS:
            return False
        if word.endswith("s") and word[:-1] in ordinary:
            return False  # an ordinary word's genitive ("hos kommunens økonomitjeneste")
        if word.endswith(_FIRM_HEADS):
            return True
        return not any(word[k:] in ordinary for k in range(3, len(word) - 3))

    def _colleges(self, text: str) -> list[Span]:
        return [
            Span(m.start(1), m.end(1), "ORG", 0.6)
            for m in self._college_re.finditer(text)
            if m.group(2) not in _TIME_WORDS and m.group(2) not in _FUNCTION_WORDS
        ]

    def _chains(self, text: str) -> list[Span]:
        spans = [
            self._with_branch(text, Span(m.start(1), m.end(1), "ORG", 0.6))
            for m in self._chain_re.finditer(text)
        ]
        for m in self._chain_inflected_re.finditer(text):
            first = m.group(1).split()[0]
            capitalised = first[0].isupper()  # after a preposition, so never a sentence start
            ordinary = first.lower() in ordinary_words() and not capitalised
            if ordinary and not _WORK_CUE.search(text, max(0, m.start() - 60), m.start()):
                continue  # "på menyen", "kiwien": an ordinary word unless said of a workplace
            spans.append(Span(m.start(1), m.end(1), "ORG", 0.6))
        return spans

    def _workplaces(self, text: str) -> list[Span]:
        """After a workplace cue "på", and after "hos" with or without one, the run of words no dictionary knows
        ("praksis hos caverion", "gjeld hos lowell")."""
        spans = []
        for m in self._after_work_re.finditer(text):
            # "hos" needs no cue: one is "hos" a person, a firm or an office ("gjeld hos lowell"), never a place
            if not text.startswith("hos", m.start()) and not _WORK_CUE.search(
                text, max(0, m.start() - 60), m.start()
            ):
                continue
            words = m.group(1).split()
            run = 0
            for w in words:
                if w in _NOT_A_NAME or w in self.places_lower:
                    break
                after_hos = text.startswith("hos", m.start())
                if not (self._unknown(w) or (run == 0 and after_hos and self._no_dictionary_word(w))):
                    break
                run += 1
            if run:
                end = m.start(1) + len(" ".join(words[:run]))
                spans.append(self._with_branch(text, Span(m.start(1), end, "ORG", 0.5)))
        return spans
