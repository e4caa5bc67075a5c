"""The rule recogniser: regexes and gazetteers for Norwegian identifiers, one ``find_*`` method per type.

The registry (``registry.py``) exposes each method as one recogniser, so each can be switched off alone."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.anonymise.identifiers import is_valid
from toolkit.deidentify.gazetteers import Gazetteers, load_gazetteers
from toolkit.deidentify.ner import generic_services, linking_form, ordinary_words
from toolkit.deidentify.patterns import (
    _ADDRESS_CONTEXT,
    _AGE_AND,
    _AGE_CORRECTION,
    _AGE_ELLIPSIS,
    _AGE_LIMIT,
    _AGE_PATTERNS,
    _AGE_QUESTION,
    _AGE_RANGE,
    _AGE_RANGE_VERB,
    _AGE_SENTENCE,
    _ARTICLES,
    _BARE_AGE,
    _BARE_YEAR,
    _BRACKET_AGE,
    _CALLED,
    _CALLED_BY,
    _CAMP_PLACE,
    _CARD_NUMBER,
    _CASE_NUMBER,
    _CLOCK_BEFORE,
    _CLUB_WORDS,
    _CODE_SPACE_DIGITS,
    _COMPANY,
    _COUNTRY_CUE,
    _COUNTRY_PREPS,
    _DATE_AFTER_CUE,
    _DATE_PATTERNS,
    _DAY_MONTH,
    _DOC_NUMBER,
    _DOC_NUMBER_CUE,
    _DUF_NUMBER,
    _DURATION_BEFORE,
    _EMAIL_FALLBACK,
    _FAMILY_FIRM,
    _FLOOR_AFTER,
    _FNR_LOOSE,
    _FOREIGN_ADDRESS,
    _FUNCTION_WORDS,
    _GENERIC_AGE_BEFORE,
    _GENERIC_SCHOOL_COMPOUNDS,
    _GENITIVE_RELATION,
    _GREETED,
    _GUESSED_AGE,
    _HOUSE_NUMBER,
    _HYPHEN_NUMBER,
    _ID,
    _ID_CUE_GAP,
    _ID_NEAR_CUE,
    _INSTITUTION_WORDS,
    _INTL_PHONE,
    _JOINERS,
    _LICENCE_PLATE,
    _LONG_NUMBER,
    _LOWER_COMPANY,
    _LOWER_DISTRICT_ORG,
    _LOWER_INSTITUTIONS,
    _LOWER_KIN_NAME,
    _LOWER_LICENCE_PLATE,
    _LOWER_NAME_RELATION,
    _LOWER_NAMED_AGE,
    _LOWER_POSSESSOR,
    _LOWER_POSTCODE_PLACE,
    _LOWER_RELATION_AGE,
    _LOWER_RELATION_NAME,
    _LOWER_TEAM,
    _LOWER_UNKNOWN_PLACE,
    _MONTH_WORDS,
    _MONTHS,
    _NAME_ANSWER,
    _NAME_COMMA_AGE,
    _NAME_CUES_AFTER,
    _NAME_CUES_BEFORE,
    _NAME_ON_AGE,
    _NAME_WHO_IS_AGE,
    _NAMED_AGE,
    _NAMED_BY_VERB,
    _NAMED_ORG,
    _NAMED_PLACE,
    _NICKNAME,
    _NON_PHONE_EIGHT,
    _NUMBER_CUE,
    _NUMBER_POSTCODE_ADDRESS,
    _NUMWORDS,
    _ORG_COMPOUND,
    _PARTICLE_NAME,
    _PHONE,
    _PHONE_CUE,
    _PHONE_DECOY_CUE,
    _PLACE_ANSWER,
    _PLACE_HEADS,
    _PLACE_PREPS,
    _POSSESSIVES,
    _POSTBOX,
    _POSTCODE_AFTER,
    _POSTCODE_PLACE,
    _PREFIXED_ID,
    _RELATIVE_SEASON,
    _RESIDENCE_NOUNS,
    _RESIDENCE_PLACE,
    _ROAD_NUMBER,
    _ROLE_NAME,
    _SCHOOL_WORDS,
    _SENTENCE_STARTS,
    _SPEECH_VERBS,
    _SPELLED_NAME,
    _SPELLING_VARIANT,
    _SPLIT_PHONE,
    _STREET_PREFIX_WORDS,
    _STREET_SEPARATE,
    _TOWN_NOUN_PLACE,
    _TRADE_FIRM,
    _WEEKDAY_BEFORE,
    _WHO_ANSWER,
    _WRITTEN_NUMBER,
    _YEAR,
    _YEAR_CUE,
    _YEAR_GROUPS,
    _YEAR_SERIAL,
    _YEAR_SERIAL_CUE,
    _YOUNGEST_AGE,
    LOW,
    SPEAKER,
    UP,
    WORD,
    _adjacent,
    _lower_compound,
    _next_word,
    _prev_token,
    _prev_word,
    _sentence_start,
    _tokens_to_spans,
    _words,
    plausible_fnr_date,
    trie_alternation,
)
from toolkit.deidentify.spans import LANGUAGE, Span

# words that follow "heter"/a role without being a name ("det heter jo", "læraren sa", "sjefen dær", "to ganger")
_NOT_PLACE_ANSWERS = frozenset(
    [
        "hjemme",
        "heime",
        "her",
        "der",
        "alene",
        "aleine",
        "sammen",
        "usikker",
        "vet",
        "veit",
        "nei",
        "ja",
        "jo",
        "hmm",
        "eh",
        "ehm",
        "mm",
        "tja",
        "overalt",
        "ingen",
        "forskjellig",
        "forskjellige",
        "mange",
        "ulike",
        "litt",
    ]
)
_HYPHEN_NAME = re.compile(r"(?<![\w-])([a-zæøåäöüé]{2,})-([a-zæøåäöüé]{2,})(?![\w-])")
_STUTTER_SURNAME = re.compile(r"[ \t]+([a-zæøå][a-zæøå-]{2,})(?=[ \t]+(?:hun|han|ho|hu|som)\b)")
_NEXT_LOWER_WORD = re.compile(r"[ \t]+([a-zæøå][a-zæøå-]+)(?![\w'-])")
# what follows a chain's branch name: the clause ends, or a preposition or "og" goes on
_AFTER_BRANCH = re.compile(
    r"[ \t]*(?:[,.!?\n]|$|(?:i|og|på|som|for|med|fra|frå|til|men|da|då|der|dær|nå|no)\b)"
)
# words after a chain that are no branch: time, manner, amount, the parts of a shop
_NOT_A_BRANCH = _words(
    "igjen også lenge først fast hele heile ennå enda litt mye mer bare berre ikke ikkje aldri alltid sammen "
    "saman heltid deltid lager lageret kassa kassen butikken senteret kjeden sentrum byen helg helga helgen "
    "sommer sommar vinter jobb jobben ekstra etterpå før etter siden sidan nettopp eller heller heime hjemme "
    "heim hjem ute inne borte oppe nede her hit dit"
)
# chains whose name is an everyday word ("et ark", "i posten"): an ordinary word after them is no branch
_EVERYDAY_CHAIN_WORDS = _words("ark posten extra spar prix power max normal kid vita obs mester meny")
# particles before a surname in Arabic, Dutch, German, Portuguese and other names ("el amrani", "van dijk",
# "abd al-karim", "umm yousef", "ul-haq")
_NAME_PARTICLES = frozenset(
    {
        "al",
        "el",
        "ul",
        "bin",
        "bint",
        "ben",
        "ibn",
        "abu",
        "abd",
        "umm",
        "van",
        "von",
        "der",
        "de",
        "da",
        "dos",
        "di",
    }
)
# a title only a name follows: a doctor, or an unmarried woman or a teacher called "frøken" ("frøken gro")
_DOCTOR_BEFORE = re.compile(r"\b(?:dr\.?|doktor|frøken|frk\.?)\s+$", re.IGNORECASE)
# a doctor named by the surname with its capital ("fastlegen, dr. Aksnes på …"): a title no place or firm has
_DOCTOR_NAME = re.compile(rf"\b(?:[Dd]r\.?|[Dd]oktor)\s+([{UP}][{LOW}-]{{2,}})\b")
# a sibling or child named before a pronoun and an age said as a word ("og mustafe han er seksten"): the pronoun
# is looked for first, then the word before it
_PRONOUN_AGE = re.compile(
    rf"\s(?:han|hun|ho|hu)\s+(?:er|e|æ)\s+(?:{_NUMWORDS})\b(?!\s+(?:år\s+siden|prosent|kroner|kr\b|ganger))"
)
_WORD_BEFORE_PRONOUN = re.compile(rf"(?<![\w-])([{LOW}]{{3,}})$")
_NOT_NAMES_AFTER_CUE = frozenset(
    [
        "jo",
        "vel",
        "visst",
        "egentlig",
        "eigentleg",
        "faktisk",
        "bare",
        "berre",
        "liksom",
        "sånn",
        "eh",
        "ehm",
        "noe",
        "noko",
        "ingenting",
        "sa",
        "seier",
        "sier",
        "var",
        "er",
        "va",
        "har",
        "hadde",
        "kom",
        "som",
        "også",
        "òg",
        "og",
        "eller",
        "men",
        "der",
        "dær",
        "dar",
        "her",
        "hær",
        "no",
        "nå",
        "da",
        "då",
        "tre",
        "fire",
        "fem",
        "seks",
        "sju",
        "syv",
        "åtte",
        "ni",
        "ti",
        "elleve",
        "tolv",
    ]
)


# words that introduce an address and are no part of it
_ADDRESS_CUE_WORDS = frozenset(
    ["adresse", "adressa", "adressen", "adr", "postadresse", "besøksadresse", "bor", "bur"]
)


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
        self._org_re = re.compile(rf"(?=[{UP}0-9])(?<![\w-])({trie_alternation(g.organisations)})(?![\w-])")
        self.common_lower = frozenset(c.lower() for c in g.common_proper)
        place_alt = trie_alternation(g.places)
        self._place_re = re.compile(rf"(?=[{UP}])(?<![\w-])({place_alt})(s)?(?![\w-])")
        self._country_re = re.compile(rf"(?=[{UP}])(?<![\w-])({trie_alternation(g.countries)})(?![\w-])")
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
            rf"(?=[{UP}0-9])(?<![\w-])({trie_alternation(g.chains)})\s+([{UP}][\w-]+(?:\s[{UP}][\w-]+)?)"
        )
        # "på SATS Kongsvinger", "gjennom Jobzone Kongsvinger", "Klipp & Krøll Skarnes": a capitalised brand
        # after a preposition (so not at a sentence start), followed by a known place
        self._brand_place_re = re.compile(
            rf"\b(?:på|hos|for|gjennom|via|ved|fra|til|med|i)\s+([{UP}][\w-]*\w(?:\s&\s[{UP}][\w-]*\w)?)\s+"
            rf"({trie_alternation(g.places)})(?![\w-])"
        )

        # Text transcribed without capitals ("bor på kirkenær", "jobber på coop prix kirkenær", "nav grue",
        # "bingsfoss vgs"): the same gazetteers, matched in lower case, with a cue that it is a name
        def lower_alt(words: Iterable[str]) -> str:
            return trie_alternation(sorted({w.lower() for w in words}, key=len, reverse=True))

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
        # a listed organisation in lower-case text after a preposition ("innlagt på ahus", "praksis hos fretex")
        self._lower_known_org_re = re.compile(
            # (also the dialect "te", Nynorsk "hjå", and "gjennom": "henvist meg te sørlandet sykehus")
            rf"\b(?:på|hos|til|te|fra|frå|ved|i|med|for|hjå|gjennom)\s+({lower_alt(g.organisations)})(?![\w-])"
        )
        # a listed organisation that needs no cue: one of several words ("og så røde kors i tromsø", "det er
        # vestre viken"), which together are no everyday phrase, or of one word that is no everyday word nor
        # a name ("det er jo norgesgruppen", "kanskje espira")
        self._lower_named_org_re = re.compile(
            rf"(?<![\w-])({lower_alt(o for o in g.organisations if ' ' in o or self._unmistakable(o))})(?![\w-])"
        )
        # a shop chain or listed organisation named after another in a list ("rema tusen og kiwi og maxbo")
        self._lower_listed_org_re = re.compile(
            rf"(?:\s*,\s*|\s+(?:og|eller)\s+)({lower_alt((*g.chains, *g.organisations))})(?![\w-])"
        )
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
            rf"(?=[{UP}0-9])(?<![\w-])({trie_alternation(g.chains)})\s+(?:i|på|på\s+senteret\s+i)\s+(?:{trie_alternation(g.places)})(?![\w-])"
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
            elif plausible_fnr_date(digits):
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
                spans.append(Span(m.start(), _group_after(text, m.end()), "TELEFON", 0.9))
            elif (
                len(digits) > 8
                or " " in m.group(0)
                or _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()])
            ):
                # Not an allocated range, but written like a phone number or introduced as one: people misread
                # and mistype numbers, and a near-miss still identifies.
                spans.append(Span(m.start(), _group_after(text, m.end()), "TELEFON", 0.6))
        for m in _SPLIT_PHONE.finditer(text):
            digits = re.sub(r"\D", "", m.group(1) + m.group(2))
            if len(digits) != 8 or digits[0] not in "2345679":
                continue
            if not _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()]):
                continue
            spans += [Span(m.start(g), m.end(g), "TELEFON", 0.6) for g in (1, 2)]
        spans += [
            Span(m.start(), m.end(), "TELEFON", 0.8)
            for m in _INTL_PHONE.finditer(text)
            if 9 <= sum(c.isdigit() for c in m.group(0)) - 2 * m.group(0).startswith("00") <= 15
        ]  # a country code and at least seven digits: foreign numbers the Norwegian library does not know
        return spans + self._library_phones(text)

    @staticmethod
    def _library_phones(text: str) -> list[Span]:
        """Every Norwegian number ``phonenumbers`` recognises in whatever grouping ("(+47) 415 55 666", "415.55.666",
        "0047-415-55-666"), unless a word before it says it is an account, order or customer number."""
        import phonenumbers

        if sum(c.isdigit() for c in text) < 8:
            return []
        spans = []
        for match in phonenumbers.PhoneNumberMatcher(text, "NO", leniency=phonenumbers.Leniency.VALID):
            if _PHONE_DECOY_CUE.search(text[max(0, match.start - 40) : match.start]):
                continue
            if re.search(r"[^\W\d]-?$", text[max(0, match.start - 2) : match.start]):
                continue  # the digits of a document number with letters ("LOS-21-904412"), not a phone number
            if _SPACED_DATE.fullmatch(match.raw_string) and not _PHONE_CUE.search(
                text[max(0, match.start - 40) : match.start]
            ):
                continue  # "24 12 2019", "står det 03 11 2008": a date written with spaces, not a phone number
            spans.append(Span(match.start, match.end, "TELEFON", 0.85))
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
        spans = [Span(_id_start(text, m), m.end(3), "ID", 0.9) for m in _ID.finditer(text, self._low(text))]
        spans += [Span(m.start(), m.end(), "ID", 0.6) for m in _LICENCE_PLATE.finditer(text)]
        spans += [
            Span(m.start(g), m.end(g), "ID", 0.6)
            for m in _LOWER_LICENCE_PLATE.finditer(text)
            for g in (1, 2)
            if m.group(g)
        ]
        spans += [Span(m.start(), m.end(), "ID", 0.75) for m in _CASE_NUMBER.finditer(text)]
        spans += [
            Span(m.start(), m.end(), "ID", 0.6)
            for m in chain(_YEAR_SERIAL.finditer(text), _YEAR_GROUPS.finditer(text))
            if _YEAR_SERIAL_CUE.search(text, max(0, m.start() - 60), m.start())
            and not is_valid(m.group(0).replace(" ", "").replace("-", ""))
        ]
        spans += [Span(m.start(1), m.end(1), "ID", 0.6) for m in _CARD_NUMBER.finditer(text)]
        spans += [Span(m.start(1), m.end(1), "ID", 0.5) for m in _WRITTEN_NUMBER.finditer(text)]
        spans += [Span(m.start(), m.end(), "ID", 0.7) for m in _PREFIXED_ID.finditer(text)]
        spans += [
            Span(m.start(), m.end(), "ID", 0.5)
            for m in chain(_LONG_NUMBER.finditer(text), _HYPHEN_NUMBER.finditer(text))
            if _NUMBER_CUE.search(text[max(0, m.start() - 40) : m.start()])
            and not _PHONE_DECOY_CUE.search(
                text[max(0, m.start() - 40) : m.start()]
            )  # order, account numbers
        ]
        return spans + self._document_numbers(text)

    @staticmethod
    def _document_numbers(text: str) -> list[Span]:
        """Passport, residence-card, permit and report numbers: letters with digits or a 0/1-led eight-digit
        number after a word for a number, and the DUF shape anywhere — a family says them one after another
        ("mitt er 2022 047 120 1") with the cue only before the first."""
        spans = [Span(m.start(), m.end(), "ID", 0.6) for m in _DUF_NUMBER.finditer(text)]
        spans += [
            Span(m.start(), m.end(), "ID", 0.6)
            for m in _CODE_SPACE_DIGITS.finditer(text)
            if sum(c.isdigit() for c in m.group(0)) >= 3
            and _DOC_NUMBER_CUE.search(text[max(0, m.start() - 40) : m.start()])
        ]
        for m in chain(_DOC_NUMBER.finditer(text), _NON_PHONE_EIGHT.finditer(text)):
            before = text[max(0, m.start() - 40) : m.start()]
            if _DOC_NUMBER_CUE.search(before) and not _PHONE_DECOY_CUE.search(before):
                spans.append(Span(m.start(), m.end(), "ID", 0.6))
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
        spans += [Span(m.start(), m.end(), "ADRESSE", 0.75) for m in _FOREIGN_ADDRESS.finditer(text)]
        for m in _NUMBER_POSTCODE_ADDRESS.finditer(text):
            words = m.group(1).split()
            start = m.start()
            if len(words) == 2 and (
                words[0].lower() in _ADDRESS_CUE_WORDS or words[0].lower() in _FUNCTION_WORDS
            ):
                start = m.start() + m.group(1).index(words[1], len(words[0]))  # "Adresse Fosshaugane 3, …"
            if words[-1].lower() not in _FUNCTION_WORDS:
                spans.append(Span(start, m.end(), "ADRESSE", 0.8))
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
        for m in _LOWER_POSTCODE_PLACE.finditer(text):
            code, place = m.group(1), m.group(2)
            year_like = 1900 <= int(code) <= 2039
            if place in self.places_lower and (
                not year_like or "postnummer" in self._low(text)[max(0, m.start() - 25) : m.start()]
            ):
                spans.append(Span(m.start(), m.end(), "ADRESSE", 0.75))
        return [self._with_floor(text, s) for s in spans]

    @staticmethod
    def _with_floor(text: str, span: Span) -> Span:
        """An address span reaches over a floor said right after it ("Kirkevegen 5, 3. etasje")."""
        if not text[span.end - 1 : span.end].isalnum():
            return span
        floor = _FLOOR_AFTER.match(text, span.end)
        return dataclasses.replace(span, end=floor.end()) if floor else span

    # ------------------------------------------------------------------------------------ dates and ages
    def find_dates(self, text: str) -> list[Span]:
        """Dates with a day or a year: 12. mars 2019, mars 2019, 12.03.2019, sommeren 2020, i 2018."""
        low = self._low(text)
        spans = [
            Span(m.start(), m.end(), "DATO", 0.85) for p in _DATE_PATTERNS for m in p.finditer(text, low)
        ]
        spans += [
            Span(m.start(), m.end(), "DATO", 0.8)
            for m in _SPACED_DATE_IN_TEXT.finditer(text)
            if not _PHONE_CUE.search(text[max(0, m.start() - 40) : m.start()])
        ]
        spans += [
            Span(m.start(1), m.end(1), "DATO", 0.6) for p in _DATE_AFTER_CUE for m in p.finditer(text, low)
        ]
        spans += [Span(m.start(1), m.end(1), "DATO", 0.6) for m in _YEAR_CUE.finditer(text, low)]
        spans += [Span(m.start(1), m.end(1), "DATO", 0.6) for m in _RELATIVE_SEASON.finditer(text, low)]
        spans += [Span(m.start(1), m.end(1), "DATO", 0.5) for m in _BARE_YEAR.finditer(text)]
        spans += [
            Span(m.start(), m.end(), "DATO", 0.5)
            for m in _DAY_MONTH.finditer(text)
            if not _CLOCK_BEFORE.search(text, max(0, m.start() - 16), m.start())
        ]
        for span in list(spans):
            piece = text[span.start : span.end]
            if piece.isdigit() or not re.match(
                r"(?:den\s+)?(?:\d|[^\W\d]+(?:te|de)\b)", piece, re.IGNORECASE
            ):
                continue  # a day of the month ("12. mars", "fjortende desember"), not "torsdag våren 2022"
            weekday = _WEEKDAY_BEFORE.search(text, max(0, span.start - 16), span.start)
            if weekday:
                spans.append(Span(weekday.start(), span.end, "DATO", span.score))
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
                or name.islower()
                and len(name) > 2  # "kl. 13." is a time
                and not self._ordinary(name)  # "ayaan nur, 17, bor …", "azad. 22. bor …"
            ):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
        for m in _BRACKET_AGE.finditer(text):
            if self._is_name_word(text, m.start(1), m.group(1)):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
        for m in _NAMED_AGE.finditer(text):
            if self._is_name_word(text, m.start(1), m.group(1)):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
                spans.append(
                    Span(m.start(1), m.end(1), "PERSON", 0.6)
                )  # "Marta er 26": the age confirms the name
        for m in _LOWER_NAMED_AGE.finditer(text):
            lw = m.group(1)
            if lw in self.g.first_names or (
                len(lw) > 2
                and lw not in _FUNCTION_WORDS
                and lw not in self.places_lower
                and lw not in self.g.surnames
                and not self._ordinary(lw)
            ):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
        for m in _BARE_AGE.finditer(text):
            if _DURATION_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
                continue
            spans.append(Span(m.start(), m.end(), "ALDER", 0.5))
        spans += [
            Span(m.start(g), m.end(g), "ALDER", 0.6) for m in _AGE_RANGE.finditer(text, low) for g in (1, 2)
        ]
        spans += [Span(m.start(1), m.end(1), "ALDER", 0.6) for m in _AGE_LIMIT.finditer(text, low)]
        spans += [
            Span(m.start(g), m.end(g), "ALDER", 0.6)
            for m in _AGE_RANGE_VERB.finditer(text, low)
            for g in (1, 2)
        ]
        spans += [Span(m.start(1), m.end(1), "ALDER", 0.5) for m in _GUESSED_AGE.finditer(text, low)]
        spans += [
            Span(m.start(1), m.end(1), "ALDER", 0.5)
            for m in _AGE_SENTENCE.finditer(text)
            if not _COUNT_QUESTION.search(text, max(0, m.start() - 80), m.start())
        ]
        spans += [Span(m.start(1), m.end(1), "ALDER", 0.6) for m in _YOUNGEST_AGE.finditer(text, low)]
        for m in _NAME_ON_AGE.finditer(text):
            if m.group(1)[0].islower() or self._is_name_word(text, m.start(1), m.group(1)):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
        for m in _NAME_WHO_IS_AGE.finditer(text):
            if self._is_name_word(text, m.start(1), m.group(1)):
                spans.append(Span(m.start(2), m.end(2), "ALDER", 0.6))
        return spans + self._corrected_ages(text, spans)

    @staticmethod
    def _corrected_ages(text: str, ages: list[Span]) -> list[Span]:
        """The age said right after "nei" that corrects an age just found ("tjuetre år nei tjuefire"), and a
        second age said without its verb ("mamma er 45, pappa 50")."""
        found = []
        for span in ages:
            m = (
                _AGE_CORRECTION.match(text, span.end)
                or _AGE_ELLIPSIS.match(text, span.end)
                or _AGE_AND.match(text, span.end)
            )
            if m:
                found.append(Span(m.start(1), m.end(1), "ALDER", 0.6))
        return found

    # ------------------------------------------------------------------------------------ organisations
    def _unmistakable(self, name: str) -> bool:
        """A one-word organisation name that no list knows as an everyday word, a name or an ambiguous word."""
        lw = name.lower()
        g = self.g
        names = lw in g.first_names or lw in g.surnames or lw in g.ambiguous
        return len(lw) >= 4 and not names and lw not in ordinary_words()

    def find_organisations(self, text: str) -> list[Span]:
        """Named schools, NAV offices, clubs, companies, a chain with its place, a place's institution, and
        in lower-case turns the organisations listed after one of them (:meth:`_listed_organisations`)."""
        spans = self._organisations(text)
        return spans + self._listed_organisations(text, spans)

    def _listed_organisations(self, text: str, found: list[Span]) -> list[Span]:
        """In a turn without capitals, a chain or listed organisation named after an organisation ("som rema
        tusen og kiwi og maxbo"): a list goes on naming the same kind of thing."""
        return _listed(text, found, "ORG", self._lower_listed_org_re, lambda word: True)

    def _lower_case_organisations(self, text: str) -> list[Span]:
        """In turns without capitals (each match is checked to lie in one), a listed organisation after a
        preposition or unmistakable without one, a team named by how people follow or play for it and a
        district's own services (:data:`~toolkit.deidentify.patterns._LOWER_TEAM`, ``_LOWER_DISTRICT_ORG``)."""
        lowered = self._low(text)
        lower_known = (self._lower_known_org_re, self._lower_named_org_re)
        spans = [
            Span(m.start(1), m.end(1), "ORG", 0.6)
            for regex in lower_known
            for m in regex.finditer(lowered)
            if _in_lower_case_turn(text, m.start(1), m.end(1))
        ]
        for m in _LOWER_TEAM.finditer(text):
            group = 1 if m.group(1) else 2
            name = m.group(group)
            if name in _FUNCTION_WORDS or not _in_lower_case_turn(text, m.start(group), m.end(group)):
                continue
            spans.append(Span(m.start(group), m.end(group), "ORG", 0.55))
        spans += [
            Span(m.start(), m.end(), "ORG", 0.6)
            for m in _LOWER_DISTRICT_ORG.finditer(text)
            if _in_lower_case_turn(text, m.start(), m.end())
        ]
        return spans

    def _organisations(self, text: str) -> list[Span]:
        """:meth:`find_organisations` without the listed ones."""
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
        spans += [
            Span(m.start(1), m.end(1), "ORG", 0.6)
            for m in _NAMED_ORG.finditer(text)
            if m.group(1).split()[0].lower() not in _FUNCTION_WORDS
        ]
        if _has_lower_case_turn(text):
            spans += self._lower_case_organisations(text)
        for m in self._lower_chain_word_re.finditer(text):
            word = m.group(2)
            chain = text[m.start(1) : m.start(2)].split()[-1].lower()
            if not (word in _FUNCTION_WORDS or self._ordinary(word)) or (
                chain not in _EVERYDAY_CHAIN_WORDS and self._branch_word(text, m.end(2), word)
            ):
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
        spans += [Span(m.start(), m.end(), "ORG", 0.7) for m in _FAMILY_FIRM.finditer(text)]
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

        from toolkit.deidentify.ner import is_common_compound  # the model's module loads the word list

        lw = word.lower()
        if lw in self.g.first_names:
            return True
        if lw in _FUNCTION_WORDS or word in self.g.common_proper or lw in self.places_lower:
            return False
        return not simplemma.is_known(lw, lang="nb") and not is_common_compound(lw)  # "Pasientnummeret er 3"

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
        """Municipalities, villages and districts (gazetteer), foreign countries when they describe a person,
        and in lower-case turns the places listed after one of them (:meth:`_listed_places`)."""
        spans = self._places(text)
        return spans + self._listed_places(text, spans)

    def _listed_places(self, text: str, places: list[Span]) -> list[Span]:
        """In a turn without capitals, the words listed after a place ("mellom bø og seljord og kviteseid",
        "fra vennesla og lillesand"): a place the gazetteer knows (not one that is also a word) or a word no
        dictionary knows (:meth:`_unknown_lower_word`, nor the ordinary-word list, which knows Nynorsk verbs).
        Nothing else marks a name there, and a list goes on naming the same kind of thing."""

        def is_place(word: str) -> bool:
            known = word in self.places_lower and word not in self.g.ambiguous
            return known or (self._unknown_lower_word(word) and word not in ordinary_words())

        return _listed(text, places, "STED", _LISTED_NEXT, is_place)

    def _unknown_lower_word(self, word: str) -> bool:
        """A lower-case word that could be a name because nothing else explains it: no function word, no word
        that is also a place or a name (ambiguous), no first name, no word simplemma knows, no first part of a
        compound (:func:`~toolkit.deidentify.ner.linking_form`), and no compound of an ordinary word
        ("innføringsklassen") unless it ends like a place name."""
        g = self.g
        if word in _FUNCTION_WORDS or word in g.ambiguous or word in g.first_names or self._ordinary(word):
            return False
        if linking_form(word):
            return False  # "på ungdoms helse stasjonen": speech recognition split a compound after its -s
        if word in generic_services():
            return False  # "på vigo", "i visma": a platform or national service, no place
        compound = any(self._ordinary(word[k:]) for k in range(3, len(word) - 4))
        return not compound or word.endswith(_PLACE_HEADS)

    def _places(self, text: str) -> list[Span]:
        """:meth:`find_places` without the listed places."""
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
            if word in _FUNCTION_WORDS or word in _RESIDENCE_NOUNS or word in _NOT_PLACE_ANSWERS:
                continue
            # the answer to "where from/where do you live" is a place even when a dictionary knows the word
            # ("damaskus", "moss"), unless it is a word that answers without naming one ("hjemme", "usikker")
            spans.append(Span(m.start(1), m.end(1), "STED", 0.6))
        if _has_lower_case_turn(text):
            spans += self._lower_case_places(text)
        spans += [Span(m.start(1), m.end(1), "STED", 0.6) for m in _ROAD_NUMBER.finditer(text)]
        spans += [
            Span(m.start(1), m.end(1), "STED", 0.6)
            for m in _TOWN_CENTRE.finditer(text)
            if m.group(2).lower() in g.places_lower
        ]
        spans += [
            Span(m.start(1), m.end(1), "STED", 0.6)
            for m in _NAMED_PLACE.finditer(text)
            if m.group(1).lower() not in _FUNCTION_WORDS
        ]
        for m in _CAMP_PLACE.finditer(text):
            # a place the gazetteer knows, or no ordinary word ("på dagtid" is neither)
            lw = m.group(1).lower()
            if lw not in _FUNCTION_WORDS and (lw in g.places_lower or not self._ordinary(lw)):
                spans.append(Span(m.start(1), m.end(1), "STED", 0.6))
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

    def _lower_case_places(self, text: str) -> list[Span]:
        """The places only a turn without capitals can hold (each match is checked to lie in one): unknown
        words after a preposition, residences, streets by their suffix, a part of town before its town."""
        g = self.g
        spans: list[Span] = []
        for m in chain(_LOWER_UNKNOWN_PLACE.finditer(text), _TOWN_NOUN_PLACE.finditer(text)):
            if not _in_lower_case_turn(text, m.start(), m.end()):
                continue  # only in turns written without capitals, where a name has no other mark
            if self._unknown_lower_word(m.group(1)):
                spans.append(Span(m.start(1), m.end(1), "STED", 0.5))
        spans += self._residence_places(text)
        spans += [
            Span(m.start(1), m.end(1), "STED", 0.55)
            for m in _LOWER_STREET.finditer(text)
            if m.group(1) not in ordinary_words()
            and not self._ordinary(m.group(1))
            and _in_lower_case_turn(text, m.start(1), m.end(1))
        ]
        for m in _DISTRICT_BEFORE.finditer(text):
            word = m.group(1)
            if m.group(2) not in g.places_lower or not _in_lower_case_turn(text, m.start(), m.end()):
                continue
            if word in _FUNCTION_WORDS or word in _RESIDENCE_NOUNS or word in g.first_names:
                continue
            if word in _MONTH_WORDS or word in _NOT_DISTRICTS or word.startswith(_TIME_STEMS):
                continue
            spans.append(Span(m.start(1), m.end(1), "STED", 0.55))
        return spans

    def _residence_places(self, text: str) -> list[Span]:
        """A lower-case word after a verb of living or moving ("oppvokst på støren", "bur på leira"): a place, even
        if a dictionary knows the word (the ordinary-word lists hold many place names), unless it is a function
        word, a first name or a noun people live in ("bor på hybel", "flytta til byen")."""
        spans = []
        for m in _RESIDENCE_PLACE.finditer(text):
            word = m.group(1)
            if word in _FUNCTION_WORDS or word in _RESIDENCE_NOUNS or word in self.g.first_names:
                continue
            if word in _MONTH_WORDS or not _in_lower_case_turn(text, m.start(), m.end()):
                continue  # "flytter i mars"; and in text with capitals a lower-case word is no name
            if _next_word(text, m.end(1)) in _RESIDENCE_NOUNS:
                continue  # "bor i kommunal leilighet", "bur på eige rom": what the home is like, no place
            spans.append(Span(m.start(1), m.end(1), "STED", 0.55))
            spans += self._districts(text, m.end(1))
        return spans

    def _districts(self, text: str, end: int) -> list[Span]:
        """The part of town after the town one lives in ("bor i elverum på leiret"):
        a place, even when a dictionary knows the word, unless it is a noun people live in or a time."""
        m = _DISTRICT_AFTER.match(text, end)
        if m is None:
            return []
        word = m.group(1)
        if word in _FUNCTION_WORDS or word in _RESIDENCE_NOUNS or word in self.g.first_names:
            return []
        if word in _MONTH_WORDS or word in _NOT_DISTRICTS or word.startswith(_TIME_STEMS):
            return []
        return [Span(m.start(1), m.end(1), "STED", 0.55)]

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
        self._lower_surnames(tokens, lows, label)
        spans = _tokens_to_spans(text, tokens, label) + self.find_spelled_names(text)
        for m in _PARTICLE_NAME.finditer(text):
            if m.group(1).lower() in self.g.first_names:
                spans.append(Span(m.start(), m.end(), "PERSON", 0.7))
        return spans

    def _lower_surnames(
        self, tokens: list[tuple[int, int, str]], lows: list[str], label: list[str | None]
    ) -> None:
        """In lower-case text, a word no dictionary knows right after a lower-case first name is its surname
        ("trond rognes", "anne berit kvål"): the capital that would mark it is missing."""
        for i in range(1, len(tokens)):
            w, lw = tokens[i][2], lows[i]
            prev_w = tokens[i - 1][2]
            if label[i] is not None or label[i - 1] != "PERSON" or not (w.islower() and prev_w.islower()):
                continue
            if tokens[i][0] - tokens[i - 1][1] != 1 or lows[i - 1] not in self.g.first_names:
                continue
            if len(lw) > 2 and lw.isalpha() and lw not in _FUNCTION_WORDS and not self._ordinary(lw):
                label[i] = "PERSON"

    @staticmethod
    def _branch_word(text: str, end: int, word: str) -> bool:
        """An ordinary word after a chain that still names its branch ("mcdonalds ryen i noen år", "sats
        kvadraturen."): the clause ends or goes on with a preposition or "og" right after it, and it is no word
        for time, manner or a part of the shop ("kiwi nå", "rema lenge", "coop lageret")."""
        if word in _NOT_A_BRANCH or word in _FUNCTION_WORDS or len(word) < 4:
            return False
        return _AFTER_BRANCH.match(text, end) is not None

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
        for m in chain(_NAME_ANSWER.finditer(text), _SPELLING_VARIANT.finditer(text)):
            words = m.group(1).lower().split()
            if all(
                w not in _FUNCTION_WORDS and (w in self.g.first_names or not self._ordinary(w)) for w in words
            ):
                spans.append(Span(m.start(1), m.end(1), "PERSON", 0.6))  # "bor i oslo, …" is no name
        for m in _CALLED_BY.finditer(text):
            for group in (1, 2):
                word = m.group(group)
                if word is None:
                    continue
                lw = word.lower()
                if lw in _FUNCTION_WORDS or lw in ("ja", "nei", "hei", "noe", "ingenting", "sånn", "liksom"):
                    continue
                if word[0].isupper() or not self._ordinary(lw) or self._short_of_name(text, m.start(), lw):
                    spans.append(Span(m.start(group), m.end(group), "PERSON", 0.6))
        for m in _LOWER_POSSESSOR.finditer(text):
            word = m.group(1)
            if word in _FUNCTION_WORDS or word in self.g.ambiguous and word not in self.g.first_names:
                continue
            if word not in self.g.first_names and self._plain_in_written_turn(text, m.start(1), m.end(1)):
                continue  # "på skulen sitt nummer" in a turn that writes names with capitals
            if word in self.g.first_names or not self._ordinary(word):
                spans.append(Span(m.start(1), m.end(1), "PERSON", 0.6))
        spans += self._names_after_cues(text)
        spans += self._names_by_title_or_age(text)
        # "tor-erik", "anne-marie": two first names joined by a hyphen are a double first name in any case
        for m in _HYPHEN_NAME.finditer(self._low(text)):
            if m.group(1) in self.g.first_names and m.group(2) in self.g.first_names:
                spans.append(Span(m.start(), m.end(), "PERSON", 0.7))
        spans += self._names_in_answers(text)
        for regex in (_LOWER_RELATION_NAME, _LOWER_NAME_RELATION, _GREETED):
            for m in regex.finditer(text):
                word = m.group(1)
                head = word.split("-")[0]
                if word in _FUNCTION_WORDS or head in _FUNCTION_WORDS or len(head) < 3:
                    continue  # "onkelen min då eg var …": a short word is a function word, also in nynorsk
                if head in self.g.first_names or not self._ordinary(head):
                    spans.append(Span(m.start(1), m.end(1), "PERSON", 0.6))
        return spans + self._kin_names(text)

    def _plain_in_written_turn(self, text: str, start: int, end: int) -> bool:
        """A lower-case dictionary word (Bokmål or Nynorsk: "skulen", "jobben") in a turn written with capitals,
        where a name would have one."""
        import simplemma

        word = text[start:end]
        if _in_lower_case_turn(text, start, end):
            return False
        return self._ordinary(word) or simplemma.is_known(word, lang="nn")

    def _kin_names(self, text: str) -> list[Span]:
        """A lower-case name after a plain kin word ("min mor faadumo", "og datter lin"): a first name, or a word
        neither the Bokmål nor the Nynorsk dictionary knows (plain "far"/"mor" also come before verbs)."""
        import simplemma

        spans = []
        for m in _LOWER_KIN_NAME.finditer(text):
            word = m.group(1)
            head = word.split("-")[0]
            if head in _FUNCTION_WORDS or len(head) < 3:
                continue
            if head in self.g.first_names or not (
                self._ordinary(head) or simplemma.is_known(head, lang="nn")
            ):  # with the surname after it ("far min per grande")
                spans.append(Span(m.start(1), self._surname_end(text, m.end(1)), "PERSON", 0.6))
        return spans

    def _names_in_answers(self, text: str) -> list[Span]:
        """Lower-case names in the answer to a who-question ("hibo og leyla mest") and in the genitive before a
        relation ("leylas bror"): a first name or a word no dictionary knows."""
        spans = []
        for m in _GENITIVE_RELATION.finditer(text):
            stem = m.group(1)
            if stem not in _FUNCTION_WORDS and (stem in self.g.first_names or not self._ordinary(stem)):
                spans.append(Span(m.start(1), m.end(1) + 1, "PERSON", 0.6))
        for m in _WHO_ANSWER.finditer(text):
            for w in re.finditer(r"[a-zæøåäöüéáíóúñç][a-zæøåäöüéáíóúñç'-]+", m.group(1)):
                word = w.group(0)
                if len(word) < 3 or word in _FUNCTION_WORDS or word in _NOT_NAMES_AFTER_CUE:
                    continue
                if word in self.g.first_names or not self._ordinary(word):
                    spans.append(Span(m.start(1) + w.start(), m.start(1) + w.end(), "PERSON", 0.6))
        return spans

    def _short_of_name(self, text: str, start: int, lw: str) -> bool:
        """``lw`` is a short form of a first name said just before: it begins the name ("kristoffer … kaller meg
        kris") or shares its first three letters ("tobias … kalle mæ tobben"). Not a two-letter word: "sier jo"
        is the particle."""
        if len(lw) < 3:
            return False
        return any(
            w.lower() != lw
            and w.lower() in self.g.first_names
            and (w.lower().startswith(lw) or (len(lw) >= 4 and w.lower()[:3] == lw[:3]))
            for w in WORD.findall(text[max(0, start - 120) : start])
        )

    def _names_after_cues(self, text: str) -> list[Span]:
        """A lower-case name after a verb of naming ("som heitte torunn") or a role ("kontaktlærar hallvard"):
        a first name, even one that is also a word ("lene"), or a word no dictionary knows."""
        spans = []
        for regex in (_NAMED_BY_VERB, _ROLE_NAME):
            for m in regex.finditer(text):
                word = m.group(1)
                if len(word) < 3 or word in _FUNCTION_WORDS or word in _NOT_NAMES_AFTER_CUE:
                    continue
                # after "heiter" even a name that is also a word ("lene", "liv"); after a role only a sure one
                sure_name = word in self.g.first_names and (
                    regex is _NAMED_BY_VERB or word not in self.g.ambiguous
                )
                # a doctor is named by the surname, which may be a word too ("dr lind", "doktor berg"), and
                # "frøken" comes before a teacher's first name, which may be a word too ("frøken gro")
                sure_name = (
                    sure_name or _DOCTOR_BEFORE.search(text, max(0, m.start(1) - 8), m.start(1)) is not None
                )
                if sure_name or not self._ordinary(word):
                    spans.append(Span(m.start(1), self._surname_end(text, m.end(1)), "PERSON", 0.6))
        return spans

    def _names_by_title_or_age(self, text: str) -> list[Span]:
        """A capitalised surname after "dr." the model missed, and a lower-case name before "han er seksten";
        not a word a list explains (a place, a chain) nor an ordinary word ("og så han er tjue")."""
        spans = [
            Span(m.start(1), m.end(1), "PERSON", 0.6)
            for m in _DOCTOR_NAME.finditer(text)
            if not self._explained(m.group(1))
        ]
        for m in _PRONOUN_AGE.finditer(text):
            before = _WORD_BEFORE_PRONOUN.search(text, max(0, m.start() - 30), m.start())
            if before is None:
                continue
            word = before.group(1)
            if word in _FUNCTION_WORDS or word in _NOT_NAMES_AFTER_CUE or word in self.g.ambiguous:
                continue
            if word in self.g.first_names or not self._ordinary(word):
                spans.append(Span(before.start(1), before.end(1), "PERSON", 0.6))
        return spans

    def _surname_end(self, text: str, end: int) -> int:
        """Where a lower-case name found by its cue ends: after the next word too when that is a surname or a
        word no dictionary knows ("heite han sigmund solbakk"), not a function word ("heter ida og …")."""
        nxt = _NEXT_LOWER_WORD.match(text, end)
        if nxt is None:
            return end
        word = nxt.group(1)
        if text[max(0, end - len(word) - 1) : end] == f" {word}":
            return self._after_repeat(text, nxt.end(1))
        if word in _NAME_PARTICLES:  # "yasmin el amrani", "omar bin laden": the particle and the surname
            after = _NEXT_LOWER_WORD.match(text, nxt.end(1))
            return after.end(1) if after is not None and self._surname_like(after.group(1)) else end
        if word.split("-")[0] in _NAME_PARTICLES and self._surname_like(word.split("-", 1)[-1]):
            return nxt.end(1)  # "yousef al-khatib"
        if word in _FUNCTION_WORDS or word in _NOT_NAMES_AFTER_CUE or len(word) < 3:
            return end
        return nxt.end(1) if self._surname_like(word) else end

    def _after_repeat(self, text: str, end: int) -> int:
        """A first name said twice ("heter camilla camilla rød hun …") is a speaker starting over to give the
        whole name: the word after it is the surname, also when it is a word too ("rød", "skeide") — but only
        when a pronoun follows it, which closes the name."""
        nxt = _STUTTER_SURNAME.match(text, end)
        if nxt is None or nxt.group(1) in _FUNCTION_WORDS or nxt.group(1) in _NOT_NAMES_AFTER_CUE:
            return end
        return nxt.end(1)

    def _surname_like(self, word: str) -> bool:
        """A listed surname or a word no dictionary knows, not a function word."""
        if word in _FUNCTION_WORDS or word in _NOT_NAMES_AFTER_CUE or len(word) < 3:
            return False
        return word in self.g.surnames or not self._ordinary(word)

    @staticmethod
    def find_spelled_names(text: str) -> list[Span]:
        """A name spelt letter by letter ("s t i n e bindestrek m a r i e"): four or more single letters in a row."""
        return [Span(m.start(), m.end(), "PERSON", 0.7) for m in _SPELLED_NAME.finditer(text)]

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


# "Hamar sentrum", "elverum torg": a town's centre or square is a place of its own
_TOWN_CENTRE = re.compile(rf"(?<![\w-])(([{UP}{LOW}][{LOW}-]+)[ \t]+(?:sentrum|torv|torg))(?![\w-])")
# "bor i elverum på leiret": after the town one lives in, "på" and the part of town
_DISTRICT_AFTER = re.compile(rf"(?:[ \t]+i[ \t]+[{LOW}]+)?[ \t]+på[ \t]+([{LOW}][{LOW}-]{{2,}})(?![\w'-])")
# "e frå hinna i stavanger", "bur på leiret i elverum": the part of town before the town one lives in or is from
_DISTRICT_BEFORE = re.compile(
    r"\b(?:bor|bur|bodde|budde|oppvokst|oppvaksen|er|e|æ|kommer|kjem|flytta|flyttet|flytter)[ \t]+"
    r"(?:(?:eg|jeg|æ|je|han|hun|ho|hu|vi|me|dei|de)[ \t]+)?(?:(?:egentlig|eigentleg|opprinnelig|no|nå)[ \t]+)?"
    rf"(?:fra|frå|på)[ \t]+([{LOW}][{LOW}-]{{2,}})[ \t]+i[ \t]+([{LOW}][{LOW}-]+)(?![\w-])"
)
# "Hvor mange var dere? Tjue.": a number answering a question of how many or how much is no age
_COUNT_QUESTION = re.compile(
    r"\b(?:hvor|kor|ka)\s+(?:mange|mye|mykje|mykkje|lenge|langt|mykji)\b|\b(?:antall|klokka|klokken|kroner)\b",
    re.IGNORECASE,
)
_NOT_DISTRICTS = _words(
    "dagtid kveldstid natta natt helga helgene ferie ferien jobb skole skule arbeid trening kurs tiltak praksis "
    "mottak lager lageret sykehuset sjukehuset nav hybel internat "
    "grunn grunnen måte måten sikt slutten starten begynnelsen toppen bunnen"
)
_TIME_STEMS = (
    "mandag",
    "måndag",
    "tirsdag",
    "tysdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lørdag",
    "laurdag",
    "søndag",
    "sundag",
    "sommer",
    "sommar",
    "vinter",
    "høst",
    "haust",
    "vår",
    "morgen",
    "kveld",
)


# a street without its number in text without capitals ("til munkegata", "i pilestredet"): a word that ends like a
# street's name and that no dictionary knows (the suffixes of a street, not those of hills and fields)
_LOWER_STREET = re.compile(
    rf"(?<![\w-])([{LOW}][{LOW}-]{{2,}}(?:gata|gaten|gate|veien|vegen|stredet|allé|alleen|plassen|torget|"
    r"bryggen|brygga|kaien|kaia|promenaden))(?![\w-])"
)
# a word listed after a place: ", X", " og X", " eller X"
_LISTED_NEXT = re.compile(rf"(?:\s*,\s*|\s+(?:og|eller)\s+)([{LOW}][{LOW}-]{{2,}})(?![\w-])")


def _listed(
    text: str, found: list[Span], kind: str, pattern: re.Pattern[str], accept: Callable[[str], bool]
) -> list[Span]:
    """Spans of ``kind`` for the words listed after each found span of that kind, in a turn without capitals:
    ``pattern`` matches a separator and the next item at a span's end (its group 1), ``accept`` decides on the
    item; an accepted item is itself followed up ("bø og seljord og kviteseid")."""
    listed: list[Span] = []
    queue = sorted((s.end for s in found if s.type == kind), reverse=True)
    seen: set[int] = set()
    while queue:
        m = pattern.match(text, queue.pop())
        if m is None or m.start(1) in seen or not _in_lower_case_turn(text, m.start(1), m.end(1)):
            continue
        if accept(m.group(1)):
            seen.add(m.start(1))
            listed.append(Span(m.start(1), m.end(1), kind, 0.55))
            queue.append(m.end(1))
    return listed


@functools.lru_cache(maxsize=4)
def _has_lower_case_turn(text: str) -> bool:
    """Whether any line holds a turn written without capitals (with a cased letter in it): where none does,
    no match of a rule that asks :func:`_in_lower_case_turn` can be kept, so the rule need not run. Cached
    for the few texts in hand: every recogniser asks about the same document."""
    for line in text.split("\n"):
        turn = line.split(":", 1)[-1]
        if turn == turn.lower() and turn != turn.upper():
            return True
    return False


def _in_lower_case_turn(text: str, start: int, end: int) -> bool:
    """True when the line around ``start:end`` is written without capitals after its speaker label."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    turn = text[line_start : line_end if line_end >= 0 else len(text)].split(":", 1)[-1]
    return turn.lower() == turn


def _id_start(text: str, m: re.Match) -> int:
    """Where an ID span starts: at its cue word when only punctuation stands between ("elevnr. 608815"), but not
    at a compound split in two by speech recognition ("henvisning nummer …") or a cue of several words
    ("vedtaket har nummer …"): those are ordinary words."""
    if _ID_CUE_GAP.match(m.group("gap")):
        split = re.search(r"\s(?:nummer|har|hadde|fikk|fekk|fått)\b", m.group("cue"), re.IGNORECASE)
        return m.start(3) if split else m.start()
    near = _ID_NEAR_CUE.search(text, m.start(), m.start(3))
    return near.start() if near else m.start(3)


# day, month and a four-digit year of this or the last century, with spaces or dashes between
_SPACED_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])[ -](?:0?[1-9]|1[0-2])[ -](?:19|20)\d{2}")
_SPACED_DATE_IN_TEXT = re.compile(rf"(?<![\w.,/+-]){_SPACED_DATE.pattern}(?![\w]|[.,/-]\d)")
_TRAILING_PAIR = re.compile(r" \d{2}(?![\d]|[.,]\d)")


def _group_after(text: str, end: int) -> int:
    """The end of a number that goes on by one more pair after eight grouped digits ("47 12 34 56 78", ten
    digits 2-2-2-2-2): masking the eight and leaving the last pair would keep a piece of it."""
    if end > 0 and text[end - 3 : end - 2] == " ":
        pair = _TRAILING_PAIR.match(text, end)
        return pair.end() if pair else end
    return end
