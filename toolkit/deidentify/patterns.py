"""Regular expressions and word sets of the rule recognisers, and the small text helpers they share.

Kept apart from the recognisers so that a reader can see every pattern in one place."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.deidentify.gazetteers import read_list
from toolkit.deidentify.spans import Span


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


UP = "A-ZÆØÅÄÖÜÉÁČĐŊŠŦŽĖĄĘĮŲŪŁŃŚŹŻÓÍÚÑÇÀÂÊÔƠƯ"
LOW = "a-zæøåäöüéèáóúíñçšžćčłńśźżğışđŋŧėąęįųūőűàâãêìòôõùýăơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
WORD = re.compile(rf"[{UP}{LOW}0-9][{UP}{LOW}0-9'’-]*")
SPEAKER = re.compile(r"^[ \t]*([^\n:]{1,30}):", re.MULTILINE)
_MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
_MONTHS_SHORT = "jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des"
_SEASONS = (
    "sommeren|våren|høsten|vinteren|julen|jula|påsken|påska|sommer|vår|høst|vinter|jul|påske|skoleåret|året|våronnen|"
    "høstsemesteret|vårsemesteret|semesteret|sommarn|sommaren|sommar|vårn|hausten|haust|vintern|vinteren|"
    "vår'n|høst'n|sommer'n|vinter'n|haust'n|vår’n|høst’n|sommer’n|vinter’n|"
    "sommerferien|vinterferien|høstferien|påskeferien|juleferien|sommarferien|nyttår|nyttåret"
)
_YEAR = r"(?:19[4-9]\d|20[0-4]\d)"
_UNITS = "en|ett|to|tre|fire|fem|seks|sju|syv|åtte|ni"
_NUMWORDS = (
    "ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|søtten|atten|nitten|tjue|tjueen|tjueto|tjuetre|"
    "tjuefire|tjuefem|tjueseks|tjuesju|tjuesyv|tjueåtte|tjueni|tretti|tjugo|tju|"
    # dialect teens, and the ages of parents and grandparents ("femtifire", "sekstisju", "åtti")
    "trettån|fjortån|femtån|sekstån|søttån|attån|nittån|fjortn|femtn|sekstn|søttn|syttn|attn|nittn|tjueein|tjueeitt|"
    "fæmten|fæmtn|fæmtån|sæksten|sækstn|nettn|"
    # the western "-an" teens ("då eg va syttan", Sunnmøre, Nordfjord)
    "trettan|fjortan|femtan|sekstan|syttan|søttan|attan|nittan|"
    rf"(?:tretti|førti|femti|seksti|sytti|søtti|åtti|nitti)(?:{_UNITS}|ein|eitt)?|"
    # the old way of counting, still said by the old and in dialect ("fireogfemti", "enogtjue")
    rf"(?:{_UNITS}|ein)og(?:tjue|tretti|førti|femti|seksti|sytti|søtti|åtti|nitti)"
)
# a year said in words: "tjuenitten" (2019), "tjuetjueto" (2022), "totusenogfem", "nittennittiåtte"
_YEAR_WORDS = (
    rf"(?:tjue(?:tjue(?:{_UNITS}|ein|eitt)?|ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|søtten|atten|nitten)|"
    rf"to\s?tusen(?:\s?(?:og\s?)?(?:tjue(?:{_UNITS}|ein)?|{_UNITS}|ein|ti|elleve|tolv|tretten|fjorten|femten|seksten|"
    rf"sytten|atten|nitten))?|"
    rf"nitten\s?nitti(?:{_UNITS})?)"
)
# a year said as its last two digits after a day and a month ("tredje februar tjuefire", "fjerde april nittiåtte")
_SHORT_YEAR_WORDS = rf"(?:(?:tjue|tretti|førti|femti|seksti|sytti|åtti|nitti)(?:{_UNITS})|nitti|åtti|sytti)"
_WEEKDAYS = "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|måndag|tysdag|laurdag|sundag"
_ORDINALS = (
    "første|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende|ellevte|tolvte|trettende|"
    "fjortende|femtende|sekstende|syttende|søttende|attende|nittende|tjuende|tjueførste|tjueandre|tjuetredje|"
    "tjuefjerde|tjuefemte|tjuesjette|tjuesjuende|tjuesyvende|tjueåttende|tjueniende|trettiende|trettiførste|"
    # nynorsk
    "fyrste|sjuande|åttande|niande|tiande|trettande|fjortande|femtande|sekstande|syttande|attande|nittande|"
    "tjuande|tjuefyrste|trettiande"
)
_MONTH_ORDINALS = (
    "første|fyrste|andre|tredje|fjerde|femte|sjette|sjuende|syvende|sjuande|åttende|åttande|niende|niande|tiende|"
    "tiande|ellevte|tolvte"
)
_DAY_ORDINALS = (
    "tiende|ellevte|tolvte|trettende|fjortende|femtende|sekstende|syttende|søttende|attende|nittende|tjuende|"
    "tjueførste|tjueandre|tjuetredje|tjuefjerde|tjuefemte|tjuesjette|tjuesjuende|tjuesyvende|tjueåttende|"
    "tjueniende|trettiende|trettiførste|tiande|trettande|fjortande|femtande|sekstande|syttande|attande|"
    "nittande|tjuande|tjuefyrste|trettiande|tjueåttande|tjueniande"
)
_DATE_PATTERNS = [
    CIPattern(
        rf"\b(?:(?:{_WEEKDAYS})\s+)?(?:den\s+)?\d{{1,2}}\.\s?(?:{_MONTHS}|(?:{_MONTHS_SHORT})\.?)(?:\s+{_YEAR})?(?![\w])"
    ),
    # "tirsdag 19.11.", "onsdag den 3.4": a weekday makes day.month a date even without a year
    CIPattern(rf"\b(?:{_WEEKDAYS})\s+(?:den\s+)?(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.?(?![\d])"),
    # "(den) sjuende juni", "første mai 2020"
    CIPattern(
        rf"\b(?:{_ORDINALS})\s+(?:i\s+)?(?:{_MONTHS})(?:\s+(?:{_YEAR}|{_YEAR_WORDS}|{_SHORT_YEAR_WORDS}))?\b"
    ),
    # "3/12-21", "03/12-2021"
    CIPattern(r"(?<![\d/.,])(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])-(?:\d{4}|\d{2})(?![\d])"),
    # "vinteren -22", "høsten '19", "hausten tjuetjueto"
    CIPattern(rf"\b(?:{_SEASONS})\s+(?:i\s+)?(?:[-'’]\d{{2}}|{_YEAR_WORDS})(?![\w-])"),
    CIPattern(rf"\b(?:{_MONTHS}|(?:{_MONTHS_SHORT})\.?)\s+{_YEAR}\b"),
    # "januar tjuetjue", "august to tusen og atten": a month and a year said in words
    CIPattern(
        rf"\b(?:{_MONTHS})\s+{_YEAR_WORDS}(?![\w-])"
        r"(?!\s*(?:kroner|kr\b|,-|personer|stykker|mennesker|folk|elever|meter|kilo|timer|ganger|i\s+måneden))"
    ),
    CIPattern(r"(?<![\d.,])(0?[1-9]|[12]\d|3[01])[./](0?[1-9]|1[0-2])[./]((?:19|20)?\d{2})(?![\d])"),
    CIPattern(r"(?<![\d-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d])"),
    CIPattern(rf"\b(?:{_SEASONS})\s+(?:i\s+|på\s+)?{_YEAR}(?:\s?[/–-]\s?(?:{_YEAR}|\d{{2}}))?\b"),
    # "tolvte i tolvte": a day and the month as an ordinal
    CIPattern(rf"\b(?:{_ORDINALS})\s+i\s+(?:{_MONTH_ORDINALS})\b"),
    # "3/1 i år", "12/9 i fjor": day/month tied to a year
    CIPattern(
        r"(?<![\d/.,])(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])(?![\d/])"
        r"(?=\s+(?:i\s+(?:år|fjor|fjol|forfjor)|neste\s+år|året\s+før))"
    ),
]
_DATE_AFTER_CUE = [
    # "den tjueåttende", "svar før nittende": a day of the month said alone (10th–31st; "den andre" is "the other")
    CIPattern(
        rf"\b(?:den|før|innen|etter|til|fra|frå|sia|siden)\s+({_DAY_ORDINALS})\b"
        r"(?!\s+(?:gang|gangen|plass|plassen|århundre|hundreåret|klasse|klassen|etasje|trinn|runde|runden|time|"
        r"timen|dag|dagen|år|året|uke|uka|veke|veka|mann|person|elev|søknad|forsøk|bursdag|bursdagen))"
    ),
    # "i mars tjuetre": a month and a year said as its last two digits
    CIPattern(
        rf"\b(?:i|fra|frå|til|siden|sia|før|etter|innen|av)\s+((?:{_MONTHS})\s+{_SHORT_YEAR_WORDS})\b"
        r"(?!\s+(?:personer|stykker|kroner|kr|mennesker|folk|elever|ganger|timer|dager|minutter|år))"
    ),
    # "æ fylle tjueto tretti mai", "fra tjuefem august": a day said as a cardinal before its month, as in
    # dialect speech (from ten up; "to mai" and "fem mars" may be amounts or spans)
    CIPattern(
        r"\b((?:ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|søtten|atten|nitten|tjue|tjueen|tjueein|"
        r"tjueto|tjuetre|tjuefire|tjuefem|tjueseks|tjuesju|tjuesyv|tjueåtte|tjueni|tretti|trettien|trettiein|"
        rf"trettiett)\s+(?:{_MONTHS}))\b(?!\s*(?:-|måneder|månader))"
    ),
    # "ny time 4/12", "møtet den 15/3": day/month with a slash after a word for an appointment or a day, where
    # no fraction or "24/7" stands
    CIPattern(
        r"\b(?:time|timen|timar|møte|møtet|avtale|avtalen|datert|dato|datoen|frist|fristen|innen|innan|den)"
        r"\s+"
        r"((?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2]))(?![\d/])"
    ),
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
    "stemora|kona|kone|ektemannen|sjefen|læreren|veilederen|kontaktlæreren|sønnen|dattera|datteren|fetteren|kusina|naboen|kollegaen|"
    "lillesøstra|lillesøster|lillesøsteren|lillebror|lillebroren|storesøstra|storesøster|storebror|storebroren|"
    # grandparents and cousins, and the titles a priest or imam is named by ("bestemor halyna", "imam yusuf")
    "bestemor|bestefar|mormor|morfar|farmor|farfar|fetter|kusine|fader|imam"
)
_LOWER_RELATION_NAME = re.compile(
    rf"\b(?:{_RELATIONS}|venninne|venn|kamerat)(?:\s+(?:min|mi|mitt|hans|hennes|vår))?[.,]?\s+([{LOW}][{LOW}]+(?:-[{LOW}]+)?)\b"
)
# "I: hva heter du? / U: hibaaq, 18": the first word of the answer to a name question is a name
# the plain kin words learners and dialect speakers use without the article ("min mor faadumo", "datter lin",
# "mann bilal", "oldefar hennes aksel"): common words before verbs too ("far jobbar"), so the name gate is stricter
_KIN_WORDS = r"(?:oldefar|oldemor|svogeren|svoger|svigerinne|datter|dotter|sønn|son|mann|mor|far)"
_KIN_OWNERS = r"(?:min|mi|mitt|din|di|hans|hennes|hennar|hass|vår|deres|dykkar|dokkar|sin|si)"
# ... or a possessive after the kin word stands for the word before it ("far min per", "oldefar hennes aksel")
_LOWER_KIN_NAME = re.compile(
    rf"\b(?:(?:{_KIN_OWNERS}|og|med|til|te|en|ei|ein)\s+{_KIN_WORDS}(?:\s+{_KIN_OWNERS})?|{_KIN_WORDS}\s+{_KIN_OWNERS})"
    rf"[.,]?\s+([{LOW}][{LOW}]+(?:-[{LOW}]+)?)\b"
)
# a name's spelling explained: "noen skriver mahmud med u", "de staver det kowalenko med w", "står det x uten
# bindestrek": the word or two spelt are a name
_SPELLING_VARIANT = re.compile(
    r"\b(?:skriver|skrev|skriv|staver|stavet|stava|står|stod|sto)\s+(?:det\s+|navnet\s+|namnet\s+)?"
    rf"((?:[{UP}{LOW}][{LOW}'-]+\s+){{0,2}}?[{UP}{LOW}][{LOW}'-]+)\s+(?:med|uten|utan)\s+"
    r"(?:[a-zæøå]\b|bindestrek|apostrof|dobbel|to\s+[a-zæøå]\b)",
    re.IGNORECASE,
)
_NAME_ANSWER = re.compile(
    r"\b(?:(?:hva|ka|kva)\s+(?:heter|heiter)\s+(?:du|dere|han|hun|ho|hu|mamma|pappa|mora\s+di|faren\s+din|"
    rf"(?:{_RELATIONS})(?:\s+(?:din|di|ditt|hans|hennes|hennar))?)|navn\s+og\s+alder|navnet\s+ditt|namnet\s+ditt|"
    # an introduction asked for ("si litt om deg selv", "presenter deg", "hei. navn")
    r"om\s+deg(?:\s+selv|\s+sjølv|\s+sjøl)?|presenter(?:e)?\s+deg|hvem\s+er\s+du|navn(?=[ \t?.]*\n))"
    r"\b[^\n]*\n\s*\n?[ \t]*"
    r"(?:[^\n:]{1,30}:[ \t]*)(?!(?:ja|nei|jo|hei|jeg|eg|æ|ok|okei|okay|eh|ehm|mm|hmm|tja|altså)\b)"
    rf"([{UP}{LOW}][{LOW}-]+(?:\s[{UP}{LOW}][{LOW}]+){{0,2}})(?=[ \t]*(?:[,.]|\s(?:men|og|ho|hu|hun|han)\b|\n|$))"
)
# "I: hvor bor du / U: holmlia typ": the first word of the answer to a place question is a place
_PLACE_ANSWER = re.compile(
    r"\b(?:hvor|kor|kvar|ka)\s+(?:bor|bur|kommer|kjem|kom)\s+(?:du|dere|dokker|de|familien|familia|foreldrene|"
    r"foreldra|mamma|pappa|moren|mora|faren)\b[^\n]*\n\s*\n?[ \t]*(?:[^\n:]{1,30}:[ \t]*)"
    rf"([{LOW}][{LOW}-]{{2,}})(?=[ \t]*(?:[,.]|\s(?:typ|nå|no|men|i|på)\b|\n|$))"
)
# "venner sier bare Trang", "alle sier maks", "alle seie kikki" (Sunnmøre; "seie"
# only after its subject: it is also the nynorsk infinitive, "å seie noko"): what people call someone
_CALLED_BY = re.compile(
    rf"\b(?:sier|seier|(?:alle|dei|folk|mange)\s+seie|kall(?:er|ar|e|a)\s+(?:meg|mæ|me|han|ham|henne|ho|hu|oss|dem)|si)\s+(?:bare\s+|berre\s+)?([{UP}{LOW}][{LOW}]{{1,}})\b"
    rf"(?:\s+eller\s+(?:bare\s+|berre\s+)?([{UP}{LOW}][{LOW}]{{1,}})\b)?"
)
# "liv sin sjef", "kari sitt rom": a lower-case word before a possessive "sin" is someone's name
_LOWER_POSSESSOR = re.compile(rf"(?<![\w-])([{LOW}][{LOW}]{{2,}})\s+(?:sin|si|sitt|sine)\s+[{LOW}]{{3,}}")
# "hei filmon", "takk, sara": a greeting names the person spoken to
# "leylas bror", "jonas sin": a lower-case name in the genitive before a relation
_GENITIVE_RELATION = re.compile(
    rf"(?<![\w-])([{LOW}]{{2,}})s\s+(?:{_RELATIONS}|mamma|pappa|mor|far|venn|venninne|kjæreste)\b"
)
# "I: hvem henger du med? / U: hibo og leyla mest": the answer to a who-question names people
_WHO_ANSWER = re.compile(
    r"\b(?:hvem|kven|ka)\s+(?:henger|heng|er|bor|bur|snakker|snakkar|var|går|trener|spiller|spelar)\s+(?:du|dere)"
    r"\b[^\n]*\n\s*\n?[ \t]*[^\n:]{1,30}:[ \t]*([^\n.!?]{1,80})"
)
_GREETED = re.compile(rf"\b(?:hei|hallo|heisann|takk)[,!]?\s+([{LOW}][{LOW}]{{2,}})\b")
# lower-case transcripts: a word no dictionary knows after a place preposition ("mor i asmara", "på gressvik")
_LOWER_UNKNOWN_PLACE = re.compile(
    rf"\b(?:i|på|fra|frå|til|utenfor|utanfor|ved|rundt|langs)\s+([{LOW}][{LOW}-]{{3,}})\b"
)
# "fra byen baidoa", "i landsbyen X": a word no dictionary knows after a noun for a town is the town's name
_TOWN_NOUN_PLACE = re.compile(
    rf"\b(?:byen|bygda|landsbyen|tettstedet|øya|provinsen|regionen|distriktet|bydelen|leiren|flyktningleiren)\s+([{LOW}][{LOW}-]{{3,}})\b"
)
# "ein stad som heiter olden", "ei øy som heter vega": the name of a place introduced as one, even if it is a word
_NAMED_PLACE = re.compile(
    r"\b(?:sted|stad|plass|bygd|by|øy|tettsted|grend|kommune|land|dal|landsby|øysamfunn)\s+(?:som\s+)?"
    rf"(?:heter|heiter|heite|het|hette|heitte|kalla|kalt|kalles)\s+([{UP}{LOW}][{LOW}-]+)\b",
    re.IGNORECASE,
)
# "mottaket på lier", "leiren i dadaab": a reception centre or camp is named by its place, even when the place is
# also an ordinary word ("os", "fjell", "lier")
_CAMP_PLACE = re.compile(
    r"\b(?:mottaket|asylmottaket|transittmottaket|ankomstsenteret|omsorgssenteret|flyktningleiren|mottak|asylmottak|"
    r"flyktningeleiren|leiren)\s+(?:på|i)\s+(?!(?:fjor|dag|går|morgen|begynnelsen|starten|slutten|ett|to|tre|"
    rf"mange|flere|lang|lengre|en|ei|et|ein|eit)\b)([{UP}{LOW}][{LOW}-]+)\b",
    re.IGNORECASE,
)
# "en barnehage som heter solstrålen", "eit firma som heiter Vestbygg": an organisation introduced by its name
_NAMED_ORG = re.compile(
    r"\b(?i:barnehage|skole|skule|butikk|bedrift|firma|klubb|lag|kafé|kafe|restaurant|senter|organisasjon|"
    r"forening|foreining|selskap|band|korps|kirke|kyrkje|menighet|sykehjem|sjukeheim|hotell|frisør|verksted|"
    r"verkstad|kontor|klinikk|avdeling|institusjon|bofellesskap)(?:en|et|a|n)?\s+(?:som\s+)?"
    rf"(?:heter|heiter|heite|het|hette|heitte|kalles|kallast)\s+([{UP}{LOW}][\w'-]+(?:\s[{UP}][\w'-]+)?)"
)
# in text without capitals, a team named by how people follow or play for it: "på kamp når rosenborg spiller",
# "spiller håndball i fyllingen", "trener fotball for ik start" (a club's letters before or after its name)
_SPORTS = (
    "fotball|håndball|handball|basket|basketball|hockey|ishockey|volleyball|bandy|innebandy|futsal|friidrett"
)
_CLUB_LETTERS = "ik|if|il|fk|sk|bk|hk|uil|idrettslag"
_TEAM = rf"(?:(?:{_CLUB_LETTERS})\s+)?[{LOW}][{LOW}0-9/-]+(?:\s+(?:{_CLUB_LETTERS}))?"
_LOWER_TEAM = re.compile(
    rf"\bkamp(?:en|ar|er)?\s+når\s+({_TEAM})\s+(?:spiller|spille|spelar|speler|spela|spilte|spelte|møter)\b|"
    rf"\b(?:spiller|spelar|speler|spela|trener|trenar|trene|spilte|spelte|spille)\s+(?:{_SPORTS})\s+"
    rf"(?:i|for|på|med|hos)\s+({_TEAM})(?![\w-])"
)
# "bydel gamle oslo", "nav vest-telemark": a district's own services, named in lower case
_LOWER_DISTRICT_ORG = re.compile(
    rf"\b(?:bydel\s+[{LOW}][{LOW}-]+(?:\s+(?!og\b|i\b|på\b|med\b|eller\b)[{LOW}][{LOW}-]+)?|"
    rf"nav\s+(?:nord|sør|øst|vest|midt|indre|ytre)-[{LOW}]+)\b"
)
# heads of compounds that name a place ("harasjøen", "finnsnesvatnet", "gryllefjord", "kvittinden", "ådalsbruk"):
# such a compound no dictionary knows is a place name, not an ordinary compound noun
_PLACE_HEADS = tuple(
    _words(
        "vatnet vannet vatn vann sjøen sjø tjern tjernet tinden tind fjellet fjell fjorden fjord berget elva elv "
        "øya øy holmen neset nes vika vik bukta dalen dal åsen haugen kollen toppen bruk sund sundet strand "
        "stranda vegen veien gata gate moen marka lia byen bygda heia hamn havn botn eid våg vågen "
        "skogen høyden høgda leiret leira nuten vidda myra parken stadion"
    )
)
# "oppvokst på støren", "no bur eg på leira": after a verb of living or moving, the place word is a place even when
# a dictionary knows it as a word, unless it is one of the common nouns people live in or come from
_RESIDENCE_WHO = (
    r"[ \t]+(?:(?:eg|jeg|æ|je|han|hun|ho|hu|vi|me|dei|de|du|meg|oss|dem|ham|henne)[ \t]+)?"
    r"(?:(?:nå|no|eigentleg|egentlig|hit|dit|heime|hjemme|sjølv|selv)[ \t]+)?"
)
_RESIDENCE_PLACE = re.compile(
    r"\b(?:(?:bor|bur|bodde|budde|oppvokst|oppvaksen|vokste[ \t]+opp|vaks[ \t]+opp|voks[ \t]+opp|flytta|flytte|"
    rf"flyttet|flyttar|flytter){_RESIDENCE_WHO}(?:på|i|frå|fra|til)|"
    # one comes *from* a place ("kjem frå rjukan"); "kommer på besøk", "kjem på møte" name none
    rf"(?:kjem|kommer){_RESIDENCE_WHO}(?:frå|fra|ifrå))[ \t]+([{LOW}][{LOW}-]{{2,}})(?![\w'-])"
)
_RESIDENCE_NOUNS = _words(
    "hybel hybelen internat internatet mottak mottaket asylmottak asylmottaket landet bygda bygd byen by gård "
    "gården garden leilighet leiligheten leilegheit leilegheita kollektiv kollektivet institusjon institusjonen "
    "senter senteret sentrum hotell hotellet campus barnehjem bofellesskap bofellesskapet ungdomsbolig rom rommet "
    "hjem heim heimen hjemmet huset hus hytta hytte sykehus sjukehus sykehjem sjukeheim fosterhjem fosterheim "
    "beredskapshjem loftet kjelleren gata vestkanten østkanten toppen samme same norge noreg utlandet landsbygda "
    "bygdene nabolaget området feltet blokka blokk rekkehus enebolig skolen skulen jobb jobben kontoret "
    "hjemlandet heimlandet krig krigen flukt mamma pappa mor far foreldrene foreldra familien faren mora moren "
    "venner ein eit ei eitt nokre noen nokon egen eigen eget første andre tredje nærheten nærleiken "
    "lag"  # "bur i lag med kjærasten": together, no place
)
# "romerike regnskap as": a lower-case company with its AS after a preposition
_LOWER_COMPANY = re.compile(rf"\b(?:i|hos|på|for|fra|med)\s+((?:[{LOW}][\w&-]*\s){{1,3}}(?:as|asa))\b")
_LOWER_NAME_RELATION = re.compile(
    rf"\b([{LOW}][{LOW}]+(?:-[{LOW}]+)?)(?:,|\s+som\s+(?:er|e|var|va))\s+(?:{_RELATIONS})\s+(?:min|mi|mitt)\b"
)
# "som heitte torunn", "ei som heite lene": a lower-case word after a verb of naming
_NAMED_BY_VERB = re.compile(
    rf"\b(?:heter|heiter|heite|heitte|hette|hete|heta|het|"
    # "mitt navn er yousef", "namnet hennar er …"
    r"(?:navn|navnet|namn|namnet)\s+(?:(?:mitt|hans|hennes|hennar|hass)\s+)?(?:er|e))"
    rf"\s+(?:(?:han|hun|ho|hu|a)\s+)?([{LOW}][{LOW}-]+)\b"
)
# "kontaktlærar hallvard", "butikksjefen arnfinn", "helsesjukepleiar brit": a role, then a lower-case name
_ROLE_SUFFIXES = (
    "lærar|læraren|lærer|læreren|sjef|sjefen|leiar|leiaren|leder|lederen|terapeut|terapeuten|pleiar|pleiaren|"
    "pleier|pleieren|rådgivar|rådgivaren|rådgiver|rådgiveren|rådgjevar|rådgjevaren|behandlar|behandlaren|"
    "behandler|behandleren|veileder|veilederen|veiledar|veiledaren|rettleiar|rettleiaren|psykolog|psykologen|"
    "spesialist|spesialisten|fysio|fysioen|trener|treneren|trenar|trenaren|koordinator|koordinatoren|"
    "konsulent|konsulenten|assistent|assistenten|kontakt|kontakten|kontaktperson|kontaktpersonen|mentor|mentoren|"
    "fastlege|fastlegen|"
    "doktor|doktoren|\\bdr\\.?|"
    # a lawyer and an unmarried woman named by the surname ("advokat bjørnstad", "frøken lund")
    "advokat|advokaten|\\bfrøken|\\bfrk\\.?|"
    # dialect definite forms ("kontaktlærern", "behandlern", "veiledern")
    "lærern|behandlern|veiledern|rådgivern|pleiern|trenern|ledern|leiern"
)
_ROLE_NAME = re.compile(
    rf"\b[{LOW}]*(?:{_ROLE_SUFFIXES})(?:\s+(?:min|mi|mitt|vår|hans|hennes|der|dar))?(?:\s+(?:er|e|var|va|heter|heiter|het|heitte))?"
    rf"(?:\s+(?:dr\.?|doktor|frøken|frk\.?))?\s+(?!(?:heter|heiter|het|heitte)\b)([{LOW}][{LOW}-]+)\b"
)
_CALLED = re.compile(rf"\b(?:kalte|kalla|kaller|kalles)\s+seg\s+([{UP}][\w-]+)")


# the words that name a fødselsnummer or D-nummer, as typed and as speech recognition splits them ("fødsels
# nummeret", "person nummer", "f.nr.", "D-nr.", "fødselsnumer")
def plausible_fnr_date(digits: str) -> bool:
    """The first four digits read as day and month, also as a D-nummer (day + 40) or H-nummer (month + 40):
    how a fødselsnummer opens."""
    return 1 <= int(digits[0:2]) % 40 <= 31 and 1 <= int(digits[2:4]) % 40 <= 12


FNR_CUE_WORDS = (
    r"(?:føds(?:els)?[ -]?(?:num(?:mer|re|er)|nr\b)|person[ -]?(?:num(?:mer|re|er)|nr\b)|\bd-? ?num(?:mer|re)|"
    r"\bd-nr\b|\bf\.\s?nr\b|\bfnr\b|\bpnr\b)\w*"
)
FNR_CUE = re.compile(FNR_CUE_WORDS, re.IGNORECASE)
# a number followed by one of these is an amount, a share or a duration, not the digits of an identity number
AMOUNT_UNITS = r"kr\b|kroner|,-|%|prosent|år\b|timer|dager"
_FNR_LOOSE = re.compile(
    r"(?<![\d.,])(?:\d{6}[ -]?|\d{2}[ .]\d{2}[ .]\d{2}[ .-]?)(?:\d{5}|\d{3} \d{2}|\d{2} \d{3})(?![\d]|[.,]\d)"
)
_SUBJECT = (
    r"(?:jeg|je|æ|eg|e|i|han|hun|hu|ho|hen|vi|me|dem|de|dei|døm|dæm|du|dokker|"
    r"broren|søstera|søsteren|sønnen|dattera|datteren|"
    r"mor|far|mora|faren|moren|mamma|pappa|mammaen|pappaen|bestefar|bestemor|farfar|farmor|morfar|mormor|onkel|"
    r"tante|lillebror|lillesøster|storebror|storesøster|lillebroren|lillesøstera|lillesøsteren|storebroren|"
    r"storesøstera|storesøsteren|kjæresten|samboeren|yngstemann|eldstemann|den\s+yngste|den\s+eldste|"
    r"yngste\s+bror|yngste\s+søster|eldste\s+bror|eldste\s+søster|minstemann|veslejenta|veslegutten)"
)
_HALF = r"(?:\s+og\s+et\s+halvt|\s+og\s+ei?t?\s+halvt?|\s*½)?"
_AGE_PATTERNS = [
    # "då er eg vel 30", "så da bli æ 17": the verb before its subject
    CIPattern(
        r"\b(?:er|e|blir|bli|blei|ble|fyller|fylle|fyll)\s+(?:jeg|je|eg|æ|i|han|hun|hu|ho)\s+"
        r"(?:(?:vel|kanskje|snart|nesten|bare|berre|cirka|ca\.?|omtrent|rundt|typ)\s+)?"
        rf"((?:1[0-9]|[2-9]\d|{_NUMWORDS})(?:\s+år)?)"
        r"(?=\s*(?:[,.!?;)\n]|og\b|eller\b|da\b|då\b|nå\b|no\b|i\s+(?:år|dag)\b|$))"
    ),
    # "da jeg var 17", dialect "da æ va søtten", "når hun blei 15", "fra jeg var 15 til jeg var 18"
    CIPattern(
        rf"\b(?:da|då|når|som|fra|frå|til|siden|sidan|før|etter|innen)\s+{_SUBJECT}\s+(?:bare\s+)?(?:var|va|vart|blei|ble|fylte|fyllte|"
        rf"skulle\s+fylle|var\s+rundt|var\s+bare|var\s+cirka)\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+og\s+(?:\d{{1,2}}|{_NUMWORDS}))?(?:\s+år(?:\s+gammel|\s+gamle)?)?)"
        rf"(?![\w.,]\d)\b"
    ),
    CIPattern(
        rf"\b((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år\s+gam(?:mel|le|ml)|\s?-?\s?åring(?:en)?|-årsdagen|-årsdag))\b"
    ),
    # "jeg er 19.", "han er to og går i barnehagen", dialect "han æ åttiein no"
    CIPattern(
        rf"\b{_SUBJECT}(?:\s+(?:min|mi|mitt|vår|vårt|hans|hennes|deres))?\s+(?:er|e|æ|var|va|vart|blir|blei|ble|fyller|"
        rf"fylte|har\s+fylt|er\s+snart|er\s+nesten|(?:er|e|var|va|ble|vart)\s+(?:bare|berre))\s+"
        r"(?:(?:typ|rundt|cirka|ca\.?|omtrent|vel|jo|visst|kanskje|sånn|sånt|sikkert)\s+)?"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?)"
        rf"(?=\s*(?:[,.!?;)\n]|og\b|nå\b|no\b|men\b|så\b|da\b|då\b|eller\b|tror\b|trur\b|tru\b|selv\b|sjøl\b|sjølv\b|"
        rf"i\s+(?:dag|år|fjor|fjol|går|sommer|sommar|vår|høst|haust|vinter|{_MONTHS})\b|"
        rf"(?:nesten|snart|cirka)\s*[,.!?;\n]|$))"
    ),
    # "ho e halvannet år", "han er halvt år"
    CIPattern(
        r"\b(?:er|e|var|va|blir|ble|vart)\s+((?:halvannet|halvanna|halvt|eitt\s+og\s+eit\s+halvt)\s+år)\b"
    ),
    # "ein son som er to", "en gutt som er seks"
    CIPattern(
        rf"\b(?:son|sønn|sønnen|dotter|datter|dattera|gutt|gut|jente|barn|unge|bror|syster|søster|lillebror|"
        rf"lillesøster|storebror|storesøster|veslebror|veslesyster|datteren|jenta|jenten|gutten|barnet|ungen|"
        rf"broren|søstera|søsteren|lillebroren|lillesøstera|lillesøsteren|storebroren|storesøstera)"
        rf"(?:\s+[{LOW}]+)?\s+som\s+(?:er|e|blir|fyller)\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år)?)\b(?!\s*(?:kroner|kr\b|prosent|timer|ganger))"
    ),
    # "en lillesøster på ni år", "ein son på fire"
    CIPattern(
        rf"\b(?:lillesøster|lillebror|storesøster|storebror|søster|søstra|syster|bror|bror\s+min|sønn|son|datter|dotter|"
        rf"gutt|jente|unge|barn|baby|kjæreste|søsken|sysken|brødre|brør|søstre|systrer|sønner|søner|døtre|døtrer|"
        rf"unger|ungar|tvillinger)(?:,\s+[\w-]+(?:\s+[\w-]+)?,)?\s+på\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+og\s+(?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}))?"
        rf"(?:\s+(?:år|måneder|mnd|uker))?)\b"
        rf"(?!\s*(?:kilo|kg|cm|gram))"
    ),
    CIPattern(
        rf"(?<!klokka\s)(?<!klokken\s)(?<!kl\s)(?<!kl\.\s)\b(?:er|e|æ|var|va|blir|blei|ble|fyller|fylte|fylt|snart|nesten)\s+"
        rf"((?:1[2-9]|2\d|{_NUMWORDS})(?:\s+år)?)(?=\s*(?:[,.!?;)\n]|og\b|nå\b|i\s+dag\b|$|"
        # "Tord e tjuefem han og": the dialect's "he too" after the age
        r"(?:han|hun|ho|hu|hen)\s+(?:og|òg|også)\b))"
    ),
    # "tvillinger, begge seksten.": one age said of two
    CIPattern(rf"\bbegge\s+((?:1[3-9]|[2-9]\d|{_NUMWORDS})(?:\s+år)?)(?=\s*[,.!?;\n])"),
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
        rf"\b{_SUBJECT}\s+(?:er|e|var|va)\s+jo\s+(?:bare\s+|berre\s+)?"
        rf"((?:\d{{1,2}}|{_NUMWORDS}){_HALF}(?:\s+år)?)"
        rf"(?=\s*(?:[,.!?;)\n]|og\b|nå\b|no\b|så\b|da\b|$))"
    ),
    # "at han får være sytten og …", "å vere nitten.": the age someone is allowed or finds it hard to be
    CIPattern(
        rf"\b(?:får|få|fikk|fekk|å)\s+(?:være|vere|vera)\s+((?:1[3-9]|2\d|{_NUMWORDS})(?:\s+år)?)"
        r"(?=\s*(?:[,.!?;)\n]|og\b|$))"
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
    # "heiter eirik og er tjuefire år", "og var atten år då": an age with "år" after "og er", not a time span
    CIPattern(
        rf"\bog\s+(?:er|e|var|va)\s+((?:\d{{1,2}}|{_NUMWORDS})\s+år)"
        rf"(?!\s+(?:siden|sia|sidan|til|etter|før|på|i\b|med|om|igjen|senere|seinare))"
    ),
    # "heter bente og er femtifem hun bor …": without "år", only where a new clause starts after the number
    CIPattern(
        rf"\b(?:heter|heiter|heite)\s+[{LOW}]+(?:\s+[{LOW}]+)?\s+og\s+(?:er|e)\s+((?:1[3-9]|[2-9]\d|{_NUMWORDS}))"
        r"(?=\s*(?:[,.!?;\n]|$|(?:og|men|så|jeg|eg|æ|je|hun|han|ho|hu|bor|bur)\b))"
    ),
    # "Anne van der Berg, er 34 år og jobber …": "er N år" closing a clause, not "det er ti år." (a span of time)
    CIPattern(
        rf"(?<!det\s)(?<!dette\s)(?<!der\s)(?<!som\s)\b(?:er|e|var|va|blir|ble|fyller|fylte)\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS})\s+år)(?=\s*(?:[,.!?;)\n]|og\b|nå\b|no\b|i\s+dag\b|$))"
    ),
    # "datteren min, Sofiia, som da var ni.": an age at the time told of
    CIPattern(
        rf"\bsom\s+(?:da|då|den\s+gangen?|den\s+gongen?)\s+(?:var|va|ble|blei|vart)\s+"
        rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?)(?=\s*(?:[,.!?;)\n]|og\b|$))"
    ),
    # "æ fylle tjueto tretti mai", "hun fyller 18 den 3. april": the age one turns on a given day
    CIPattern(
        r"\b(?:fyller|fylle|fyll|fylte|fyllte)\s+(?:(?:jeg|je|eg|æ|i|han|hun|hu|ho)\s+)?"
        rf"((?:1[0-9]|[2-9]\d|{_NUMWORDS})(?:\s+år)?)"
        rf"(?=\s+(?:den\s+|på\s+)?(?:\d{{1,2}}\.?|[a-zæøå]+)\s+(?:{_MONTHS})\b)"
    ),
]
# "maja, 26, bor på …": a name with the age between commas, or as a sentence of its own ("Nanna Storm. Seksten.")
# "lillebror karim er elleve", "lana. nitten": lower-case age after a relation + name
# an age corrected at once: "jeg er tjuetre år nei tjuefire", "17, nei 18"
_AGE_CORRECTION = re.compile(
    rf"[ \t]*,?[ \t]*(?:(?:tror|trur)[ \t]+(?:eg|jeg|æ)[ \t]+)?(?:nei|eh|altså|unnskyld|eller|snart|nesten|fyller|fyll)(?:[ \t]*,?[ \t]*(?:nei|altså|vent))?[ \t]*,?[ \t]+"
    rf"((?:\d{{1,2}}|{_NUMWORDS})(?:[ \t]+år)?)\b",
    re.IGNORECASE,
)
# a second age joined by "og" that closes the clause: "de var tre og fem da", "dei er ni og ti år."
_AGE_AND = re.compile(
    rf"[ \t]+og[ \t]+((?:\d{{1,2}}|(?i:{_NUMWORDS}|{_SMALLNUM}))(?:[ \t]+år)?)"
    r"(?=[ \t]*(?:[,.!?;\n]|$|(?:da|då|nå|no|begge)\b))"
)
# a second age said without its verb after a first one: "mamma er 45, pappa 50", "Mia er 14, og Theo 9"
_AGE_ELLIPSIS = re.compile(
    r"[ \t]*,[ \t]*(?:og[ \t]+)?(?:mamma|pappa|mor|far|mora|faren|moren|bror|broren|søster|søstera|søsteren|"
    r"syster|bestemor|bestefar|mormor|morfar|farmor|farfar|onkel|tante|stefar|stemor|kona|mannen|sønnen|dattera|"
    rf"datteren|[{UP}][{LOW}]+)(?:[ \t]+(?:min|mi|mitt))?[ \t]+"
    rf"((?:\d{{1,2}}|{_NUMWORDS})(?:[ \t]+år)?)(?=[ \t]*(?:[,.!?;\n]|og\b|$))"
)
_LOWER_RELATION_AGE = re.compile(
    rf"\b(?:{_RELATIONS}|venninne|venn)(?:\s+(?:min|mi|mitt))?\s+[{LOW}]+\s+(?:er|e|var)\s+"
    rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år)?)\b(?!\s*(?:kroner|kr\b|prosent|timer))"
)
# "Lina Sørensen (17)": a number in brackets right after a capitalised name
_BRACKET_AGE = re.compile(rf"\b([{UP}][{LOW}-]+)\s\((\d{{1,2}})\)")
_NAME_COMMA_AGE = re.compile(
    rf"\b([{UP}{LOW}][{LOW}-]+)[,.]\s+((?:1[3-9]|[2-9]\d|(?i:{_NUMWORDS}))(?:\s+år)?|(?:[1-9]|1[0-2])\s+år)(?:,\s|\.(?:\s|$))"
)
# "Emine er seks og …": a name (a capitalised word that is no ordinary word) with an age at the end of a clause
_NAMED_AGE = re.compile(
    rf"\b([{UP}][{LOW}]+),?\s+(?:er|e|æ|var|va|vart|blir|ble|blei|fyller|fylte)\s+(?:bare\s+|snart\s+|nesten\s+)?"
    rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?)"
    rf"(?=\s*(?:[,.!?;)\n]|og\b|nå\b|i\s+dag\b|$))"
)
# "sagal er fem og abdi er to og et halvt": a lower-case word that reads as a name, with an age closing a clause
_LOWER_NAMED_AGE = re.compile(
    rf"\b([{LOW}][{LOW}-]+)\s+(?:som\s+)?(?:er|e|æ|var|va|blir|ble|fyller|fylte)\s+"
    rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?)"
    r"(?=\s*(?:[,.!?;)\n]|$|(?:og|nå|no|de|dei|han|hun|ho|hu|vi|me|jeg|æ|eg)\b))"
)
# An answer that starts with a number, after a question about age ("Hvor gammel er han?" — "21, ...").
_AGE_QUESTION = CIPattern(
    r"(?:\b(?:gammel|gamal|gammal|gamle|alder|år\s+er\s+(?:du|han|hun))\b[^\n]*\?|"
    r"\b(?:hvor|kor|ka|kva)\s+(?:gammel|gamal|gammal|gamle)\b[^\n?]*|\bnavn\s+og\s+alder\b[^\n?]*|"
    # "i: og alder" / "i: alder." said as a one-word question at the end of the line
    r"\balder[ \t?.]*(?=\n))[ \t]*\n\s*\n?[ \t]*(?:[^\n:]{1,30}:[ \t]*)?"
    rf"(?:(?!(?:\d|{_NUMWORDS}|{_SMALLNUM}|jeg|æ|eg|er|e|blir|ble|fyller|fylte|vart)\b)"
    rf"[{UP}{LOW}][{LOW}-]+(?:\s(?!og\b)[{LOW}]+){{0,2}}[,.]\s+(?:men\s+[^\n.]{{0,20}}\.\s+)?)?"
    rf"(?:(?:jeg\s+|æ\s+|eg\s+)?(?:er|e|blir|ble|fyller|fylte|vart)\s+)?((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM}){_HALF}(?:\s+år)?"
    rf"(?:(?:\s+og\s+|,\s*|\.?\s+(?:snart|nesten)\s+)(?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:\s+år)?)*)\b"
)
# the ages a service works with ("unge mellom 16 og 29", "ungdom frå 15 til 23 år", "de under 18"): they
# narrow down whom an office or a project serves
_AGE_NUM = rf"(?:1\d|2\d|{_NUMWORDS})"
_AGE_RANGE = CIPattern(
    r"\b(?:unge|ungdom|ungdommer|ungdomar|ungdommene|elever|elevar|elevene|barn|jenter|gutter|deltakere|"
    r"deltakarar)"
    rf"\s+(?:mellom|fra|frå)\s+({_AGE_NUM})\s+(?:og|til|-|–)\s+({_AGE_NUM}(?:\s+år)?)\b"
)
_AGE_LIMIT = CIPattern(
    rf"\b(?:de|dei|dem|unge|ungdom|barn|elever|elevar)\s+(?:under|over)\s+({_AGE_NUM}(?:\s+år)?)\b"
    r"(?!\s*(?:kroner|kr\b|prosent|%|timer|dager|uker|måneder|siden|sia))"
)
# "elevene er mellom 16 og 21": the range said with its verb between the group and "mellom"
_AGE_RANGE_VERB = CIPattern(
    r"\b(?:unge|ungdom|ungdommer|ungdomar|ungdommene|elever|elevar|elevene|elevane|deltakerne|deltakarane)"
    rf"\s+(?:er|var|e|va)\s+(?:mellom|fra|frå)\s+({_AGE_NUM})\s+(?:og|til|-|–)\s+({_AGE_NUM}(?:\s+år)?)\b"
)
# "han er ung, kanskje 25", "ikke så mye eldre enn meg, kanskje tretti": a guessed age after a word of age
_GUESSED_AGE = CIPattern(
    r"\b(?:ung|eldre|yngre|gammel|gamal|gammal)\b[^.\n?!\d]{0,30}?[ \t,]"
    rf"(?:kanskje|sikkert|vel|rundt|cirka|ca\.?|omtrent|typ)[ \t]+((?:[2-6]\d|{_NUMWORDS})(?:[ \t]+år)?)\b"
    r"(?=\s*(?:[,.!?;)\n]|$|og\b|eller\b|eg\b|jeg\b|tror\b|trur\b))"
)
# "lillesøster Siri på 15 bor …", "en mann på 40 ringte": a name or a man/woman and "på" with an age
_NAME_ON_AGE = re.compile(
    rf"\b([{UP}][{LOW}]+|(?i:mann|kvinne|dame|fyr|ungdom|jente|gutt|pasient|elev))\s+på\s+"
    rf"((?:1[0-9]|[2-9]\d|(?i:{_NUMWORDS}))(?:\s+år)?)\b"
    r"(?![.,:]\d|\s*(?:kilo|kg|cm|gram|kroner|kr\b|prosent|%|timer|minutter|sekunder|meter|m\b|km|poeng|stykker|"
    r"personer|kvadrat|m2|år\s+siden|plass|plassen|nummer|nr))"
)
# "… men alle sier Jonna. Atten. Jeg jobber …": a number from 13 to 69 said in words as a sentence of its own is
# an age (a count or an amount is said with its noun or in digits)
_AGE_SENTENCE = re.compile(
    r"(?:^|(?<=[.!?:]\s)|(?<=[.!?:]\s\s))((?i:(?:tretten|fjorten|femten|seksten|sytten|søtten|atten|nitten|trettan|"
    rf"fjortan|femtan|sekstan|syttan|søttan|attan|nittan|(?:tjue|tretti|førti|femti|seksti)(?:{_UNITS}|ein|eitt)?)"
    r"(?:\s+år)?))(?=[.!]\s|[.!]$|[.!]\n)",
    re.MULTILINE,
)
# "hun er den yngste, bare 16.": the youngest or eldest and a number closing the clause
_YOUNGEST_AGE = CIPattern(
    r"\b(?:yngste|eldste|yngst|eldst)\b[ \t]*,?[ \t]+(?:(?:bare|berre|snart|nesten|kun)[ \t]+)?"
    rf"((?:\d{{1,2}}|{_NUMWORDS}|{_SMALLNUM})(?:[ \t]+år)?)(?=[ \t]*(?:[,.!?;)\n]|$|og\b))"
)
# "Ella, som er tre.", "Máret som e tolv og …": a capitalised name, "som er" and a number closing the clause
_NAME_WHO_IS_AGE = re.compile(
    rf"\b([{UP}][{LOW}]+),?\s+som\s+(?:er|e|æ|var|va|vart|ble|blei|blir)\s+"
    rf"((?:\d{{1,2}}|(?i:{_NUMWORDS}|{_SMALLNUM})){_HALF}(?:\s+år)?)"
    r"(?=\s*(?:[,.!?;)\n–—]|\s-\s|$|(?:og|nå|no|men|da|då)\b))"
)
# "on E6", "langs riksvei 7", "rv. 4", "fv 17": a road by its number is a place
_ROAD_NUMBER = re.compile(
    r"\b(?:på|langs|ved|over|mot|fra|frå|til|av|etter)[ \t]+"
    r"((?:E|e)[ \t]?\d{1,3}|(?:riksvei|riksveg|fylkesvei|fylkesveg|[Rr]v\.?|[Ff]v\.?)[ \t]?\d{1,4})(?![\w,.]\d|[\w-])"
)
# "14.10", "17/12": a day and a month without a year; not a time ("kl. 10.10"), a decimal with a unit, or a
# fraction (the month has two digits)
_DAY_MONTH = re.compile(
    r"(?<![\w.,/:+-])(?:0?[1-9]|[12]\d|3[01])[./](?:0[1-9]|1[0-2])(?![\w]|[.,/:-]\d)"
    r"(?!\s*(?:kr\b|kroner|,-|NOK|prosent|%|meter|m\b|km|mil\b|kilo|kg|gram|g\b|liter|l\b|poeng|timer|t\b|min\b|"
    r"minutter|mg|ml|cm|mm|sek))"
)
_CLOCK_BEFORE = re.compile(
    r"\b(?:kl|klokka|klokken|klokkja|kvart\s+over|kvart\s+på|halv|rom|rommet|nr|nummer|side|sida|kapittel|punkt|"
    r"paragraf|versjon|avsnitt|kontor|kontoret|sal|salen|bygg|bygning|etasje)\.?\s*$|§\s*$",
    re.IGNORECASE,
)
_GENERIC_AGE_BEFORE = _words("en ei et ein eit alle mange noen de hver enhver")
_BARE_AGE = re.compile(r"\b(1[0-9]|2[0-9])\s+år\b(?!\s+(?:siden|etter|før|til|senere|tidligere))")
_DURATION_BEFORE = re.compile(
    r"(?:\b(?:i|for|på|etter|om|hvert|over|under|siste|første|noen|flere|nesten|bare|mellom|alle|de|disse|et|ett|to)\s+)$",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\w+.,/-])(?:(?:\+|00)\s?47[\s-]?)?(?:\d{8}|\d{3}[ -]\d{2}[ -]\d{3}|\d{2}[ -]\d{2}[ -]\d{2}[ -]\d{2}|\d{4}[ -]\d{4}|"
    r"\d{2}[ -]\d{3}[ -]\d{3})(?![\w.,/-]?\d)"
)
_PHONE_DECOY_CUE = re.compile(
    r"(?:(?:ordre|bestilling|faktura|konto(?!r)|kunde|kvittering|referanse|produkt|vare|sporings|pakke|serie|"
    r"bankkonto|kontonr|beløp|kroner)\w*|\b(?:ref|kr)\b)[\s.:#-]*(?:nr\.?|nummer(?:et)?)?(?:[\s.:#,-]+[^\W\d]+){0,3}[\s.:#-]*$",
    re.IGNORECASE,
)
# a number said in two parts over a pause ("412... vent... 34 567"): eight digits in all, a pause mark between
_SPLIT_PHONE = re.compile(
    r"(?<![\w+.,/-])(\d{2,4}(?:[ -]\d{2,3})?)\s*(?:\.{2,}|…)[^\d\n]{0,30}?(?<![\d.,/-])(\d{2,3}(?:[ -]\d{2,3})?)(?![\w.,/-]?\d)"
)
_PHONE_CUE = re.compile(
    r"(?:ring|ringe|nummer|nummeret|mobil|mobilen|telefon|telefonen|tlf|sms|tekst|nr)\W+(?:\w+\W+){0,4}$",
    re.IGNORECASE,
)
_ID_CUES = (
    r"(?:saksnummer(?:et)?|saksnr\.?|sak\s+nr\.?|saks-nr\.?|studentnummer(?:et)?|studentnr\.?|student-id|"
    r"ref\.?|referanse|org\.?\s?nr\.?|organisasjonsnummer(?:et)?|arkivreferanse|arkivnr\.?|"
    r"elevnummer(?:et)?|elevnr\.?|kandidatnummer(?:et)?|kandidatnr\.?|journalnummer(?:et)?|journalnr\.?|"
    r"referansenummer(?:et)?|klientnummer(?:et)?|brukernummer(?:et)?|bruker-id|ansattnummer(?:et)?|ansattnr\.?|"
    r"medlemsnummer(?:et)?|pasientnummer(?:et)?|kundenummer(?:et)?|kundenr\.?|lånenummer(?:et)?|"
    r"passnummer(?:et)?|dnr\.?|sak|id|id-nummer(?:et)?|imei|"
    # the UDI's person number, said with or without its "nummer" ("DUF 2017 331 905 02", "duf nummer er …")
    r"duf|"
    # an abbreviation joined by a hyphen ("DUF-nummer", "HPR-nummeret", "IMEI-nr.")
    r"[a-zæøå]{2,6}-(?:nummer(?:et)?|nr\.?)|"
    # any other kind of number named by a compound or "<noun> nr." ("søknadsnummer", "løpenummer", "vedtak nr.")
    r"(?!telefon|mobil|tlf|tele|konto|person|fødsels|post|hus|rom|ordre|bestilling|faktura|kvittering|produkt|vare|"
    r"sporing|pakke|serie|artikkel|modell|bord|sete|plass|side|linje|buss|rute|tog|fly)[a-zæøå]{3,}(?:nummer(?:et)?|nr\.?)|"
    r"(?:vedtak|tiltak|dokument|kontrakt|avtale|søknad|journal|arkivsak|arkiv)\s+nr\.?|"
    # the same compounds as speech recognition splits them ("kunde nummer", "henvisning nummeret")
    r"(?:saks?|kunde|klient|elev|student|kandidat|ansatt|medlems?|pasient|journal|referanse|søknads?|"
    r"henvisnings?|bruker|vedtaks?|avtale|kontrakt|låne?|sjåfør|deltaker|deltakar|tiltaks?|organisasjons)"
    r"\s+(?:nummer(?:et)?|nr\.?)|"
    r"referansen|"
    # a contract's number with no "nummer" ("de har mitt nummer kontrakt 774102")
    r"kontrakt(?=\s+\d)|"
    # "ID-en", "brukar-ID-en": an ID named as such
    r"(?:[a-zæøå]{3,}-)?id-en|[a-zæøå]{3,}-id|"
    # a document that "has a number" ("vedtaket har nummer 24-0073", "kontrakten fikk nr. …")
    r"[a-zæøå]{3,}(?:en|et|a)\s+(?:har|hadde|fikk|fekk|fått)\s+(?:nummer|nr\.?)"
    r")"
)
# short words that may stand before a number without being its letter prefix ("nummeret er 448201")
_NOT_A_PREFIX = (
    r"(?:er|e|æ|eg|var|va|vart|ble|blei|blir|på|i|og|nr|til|te|fra|frå|med|om|at|så|som|den|det|nei|ja|har|"
    r"fikk|het)"
)
_ID = CIPattern(
    rf"\b(?P<cue>{_ID_CUES})"
    r"(?P<gap>"
    r"(?:\s+[^\s\d]+){0,5}?\s*[:#,]?\s*)"
    # a letter prefix said apart from its digits ("ny 0482317", "hb 20-33718"), only before a long
    # number, or a single letter before five digits ("J 55190")
    rf"((?:(?<!\w)(?!{_NOT_A_PREFIX}\s)"
    r"(?:[A-Za-z]{1,3} (?=\d[\d \-/]{4,}\d)|[A-Za-z] (?=\d{5}(?!\d))))?"
    r"[A-Za-z]{0,3}-?(?:\d{3,4} \d{3} \d{3}(?: \d{1,3})?(?!\d)|"
    r"(?=(?:\d ?){6})\d{2,6}(?: \d{2,6}){1,3}(?![\d/.\-]?\d)|"
    r"\d[\d/.\-]{3,}(?:[A-Za-z]{2}(?![\w-])|[A-Za-z]?)))(?<![.\-/])"
)
# The cue joins the number's span when nothing but punctuation stands between ("sak 2023/45817", "ref. 22-09"):
# gold sets differ on whether the cue belongs to the identifier, and masking it too costs nothing.
# a number read off a card ("adgangskort med 00418823 på", "elevkortet der det står 100734"): a card carries its
# holder's number, whether or not the speaker says "nummer"
_CARD_NUMBER = re.compile(
    r"\b[a-zæøå]*kort(?:et)?\s+(?:med|der\s+det\s+står|der\s+det\s+stod|som\s+har|har|hadde)\s+(?:nummer\s+)?"
    r"((?:[A-ZÆØÅ]{1,5}-?)?(?=(?:\d[ -]?){5})\d[\d -]*\d)(?![\w.,/-]?\d)",
    re.IGNORECASE,
)
# a number read off a letter, card or screen with no word for its kind ("på brevet står det 2231887", "det står
# AB-44187 øverst", "med 00418823 på seg"): five digits or more, not an amount ("står det 150 000", "12 000 kr")
_WRITTEN_NUMBER = re.compile(
    r"(?:\b(?:står|stod|sto|stå)\s+(?:det\s+)?(?:(?:et|eit|ett)\s+)?|"
    r"\b(?:med|har|hadde)\s+(?=[A-ZÆØÅ]{0,5}-?\d[\d -]*\d\s+på\s+(?:seg|den|det|kortet|brevet|arket|lappen)\b))"
    r"((?:[A-ZÆØÅ]{1,5}-?)?(?=(?:\d[ -]?){5})(?!\d{1,3}(?: \d{3})+(?!\d))\d[\d -]*\d)"
    r"(?![\w.,/-]?\d)(?!\s*(?:kr\b|kroner|prosent|%|år\b|timer|mil\b|km|meter|stk))",
    re.IGNORECASE,
)
_ID_CUE_GAP = re.compile(r"^[\s.:#-]*$")
_ID_NEAR_CUE = re.compile(rf"\b{_ID_CUES}[\s.:#-]*$", re.IGNORECASE)
_LICENCE_PLATE = re.compile(r"\b[A-ZÆØÅ]{2}[ -]?\d{2} ?\d{3}\b")
# a plate said in a lower-case transcript ("bil med skilt eb 12345"): only after a word that names it
_LOWER_LICENCE_PLATE = re.compile(
    r"\b(?:skilt|skiltet|bilskilt|reg\.?\s?nr\.?|registreringsnummer(?:et)?|kjennemerke)\s+(?:er\s+|var\s+)?"
    r"([a-zæøå]{2}[ -]?\d{2} ?\d{3})\b|"
    # or just after the vehicle ("han har bil ve 58 301"): two letters and five digits name no amount there
    r"\b(?:bil|bilen|moped|mopeden|motorsykkel|motorsykkelen|traktor|traktoren|scooter|scooteren)\s+"
    r"(?:(?:med|er|var|har|e|va|ha)\s+)?"
    r"(?!(?:er|på|om|og|så|da|de|du|en|et|ei|eg|me|vi|ja|nå|no|ca|kr|at|av|to|ti|"
    r"ho|hu|jo|mm|til)\b)([a-zæøå]{2}[ -]?\d{2} ?\d{3})\b",
    re.IGNORECASE,
)
# a floor after a street address ("Kirkevegen 5, 3. etasje", "storgata 12 tredje etasje")
_FLOOR_AFTER = re.compile(
    r"(?:,?\s+(?:\d{1,2}\.?|første|andre|tredje|fjerde|femte|sjette|sjuende|syvende|åttende|niende|tiende)\s+|"
    r"(?<=\d)\.\s+)(?:etasje|etg\.?)(?![\wæøå])",
    re.IGNORECASE,
)
# a postcode before a place in a lower-case transcript ("2317 hamar"); the place must be a known one
_LOWER_POSTCODE_PLACE = re.compile(r"(?<![\d\w.,/-])(\d{4})\s+([a-zæøå][a-zæøå-]+)\b")
# "Anne van der Berg", "Omar al Hassan": a first name, name particles and a capitalised surname
_PARTICLE_NAME = re.compile(
    rf"\b([{UP}][{LOW}]+)((?:\s+(?:van|von|der|den|de|da|di|du|del|le|la|al|el|bin|ben|ter|ten|dos|das)){{1,2}}"
    rf"\s+[{UP}][{LOW}'-]+)"
)
# long digit runs after the word "nummer": an identifier of some kind ("saken har nummer 201612345678"); not a phone or an amount
_LONG_NUMBER = re.compile(r"(?<![\d.,/+-])\d{9,16}(?![\d.,/-]?\d)")
# a hyphenated serial after "nummer" ("søknaden har nummer 25-118002"): no phone or date is grouped 2-6
_HYPHEN_NUMBER = re.compile(r"(?<![\d.,/+-])\d{2,4}-\d{5,7}(?:-\d{1,3})?(?![\d.,/-]?\d)")
_NUMBER_CUE = re.compile(r"\b(?:nummer|nummeret|nr)\b\.?(?:\W+\w+){0,2}\W+$", re.IGNORECASE)
# a document number: letters and digits ("NO2291044", "RB 0774512", "ua4417820") or letters, a year and a serial
# ("REG-19-448120", "unn-24-07731"); no phone number, date or amount has letters in it
_DOC_NUMBER = re.compile(
    rf"(?<![\w-])(?:(?!{_NOT_A_PREFIX}\s)[A-Za-z]{{1,3}}[ -]?\d{{6,10}}|[A-Za-z]{{2,5}}-\d{{2,4}}-\d{{4,8}})(?![\w-])",
    re.IGNORECASE,
)
# an eight-digit number opening with 0 or 1 is no Norwegian phone number: after a number cue it is a case or
# report number ("anmeldelsen fikk nummer 15233901")
_NON_PHONE_EIGHT = re.compile(r"(?<![\d.,/+-])[01]\d{7}(?![\d.,/-]?\d)")
# the cue of a document number may stand a few words before it ("Nummeret på det er REG-19-448120")
_DOC_NUMBER_CUE = re.compile(
    r"\b(?:nummer|nummeret|nr|[a-zæøå]{3,}nummer(?:et)?)\b\.?(?:\W+\w+){0,3}\W+$", re.IGNORECASE
)
# the UDI's person number (DUF): a year of registration and eight digits in groups ("2015 118 442 01",
# "2022 047 118 3"); no date, phone number or amount is grouped like that
_DUF_NUMBER = re.compile(r"(?<![\d.,/+-])(?:19|20)\d{2} \d{3} \d{3} \d{1,2}(?![\d.,/-]?\d)")
# an international phone number: "+44 7700 900 412", "00 48 58 621 33 10", "+256 772 123 456"
_INTL_PHONE = re.compile(r"(?<![\w+.,/-])(?:\+|00)\s?[1-9]\d{0,2}(?:[\s-]?\(?\d{1,4}\)?){2,5}(?![\w.,/-]?\d)")
# a name spelt out letter by letter ("s t i n e bindestrek m a r i e", "W I Ś N I E W S K I")
_SPELLED_NAME = re.compile(rf"(?<![\w-])[{UP}{LOW}](?:(?:\s+(?:bindestrek\s+)?|-)[{UP}{LOW}]){{3,}}(?![\w-])")
_PREFIXED_ID = re.compile(
    r"\b[A-ZÆØÅ]{2,6}-(?:19|20)?\d{2}-\d{4,}\b|\b[A-ZÆØÅ]{2,6}-(?:19|20)\d{2}-\d{3,}\b|\b[A-ZÆØÅ]{1,6}-\d{5,}\b|"
    # capital codes chained by hyphens, then digits ("KK-BOL-2291", "HVL-PERM-2025-331"): an office's own
    # reference scheme; no word, date or amount is written so
    r"\b[A-ZÆØÅ]{2,6}(?:-[A-ZÆØÅ]{1,6})+-\d{2,}(?:-\d{1,6})*\b|"
    # an office code with a year and a serial between slashes ("KOM/2024/1187", "BV/22/0419")
    r"\b[A-ZÆØÅ]{2,6}/(?:19|20)?\d{2}/\d{3,}(?:-\d{1,4})?\b|"
    # a year, a hyphen and a serial of five or more digits ("2024-0114567"): a reference, never a date or a
    # range
    r"(?<![\d.,/-])(?:19|20)\d{2}-\d{5,8}(?![\d/.,-]?\d)"
)
# a capital code, a space or hyphen and digit groups ("TRS 2207", "KIL 88 402", "SK-STL 4419", "HB 25-551 08",
# "DT-118"): an ID when a word for a number stands just before it (see _DOC_NUMBER_CUE)
_CODE_SPACE_DIGITS = re.compile(r"\b[A-ZÆØÅ]{2,6}(?:-[A-ZÆØÅ]{2,6})*[ -]\d{2,}(?:[ -]\d{2,})*(?![\w/.,-]?\d)")
_CASE_NUMBER = re.compile(
    r"(?<![\d/.,-])(?:(?:\d{2}|(?:19|20)\d{2})/(?!(?:19|20)\d{2}(?!\d))\d{4,7}(?:-\d{1,3}(?![\d/]))?|"
    # an office's number with the year inside ("12/2025-0931") or the serial in groups ("23/140 7781")
    r"\d{1,3}/(?:19|20)\d{2}-\d{3,6}|\d{2}/\d{3}(?: \d{3,4})+)(?![\d/]|[.,]\d)"
)
# a year and a serial after a word for a case or number ("saka på bostøtte … det e 2025-1183"): no year range
# ("2019-2021") and no date is written so
_YEAR_SERIAL = re.compile(r"(?<![\d.,/+-])(?:19|20)\d{2}-(?!(?:19|20)\d{2}(?!\d))\d{3,6}(?![\d/]|[.,-]\d)")
# a year and a serial read in groups ("saken min har nummer 2019 055 8841"): the last group of four digits is
# no amount's (those are grouped in threes) and no phone number is eleven or twelve digits
_YEAR_GROUPS = re.compile(r"(?<![\d.,/+-])(?:19|20)\d{2} \d{3,4} \d{4}(?![\d.,/-]?\d)")
_YEAR_SERIAL_CUE = re.compile(
    r"\b(?:sak|saka|saken|saker|nummer|nummeret|nr|referanse|referansen)\b", re.IGNORECASE
)
_ADDRESS_CONTEXT = re.compile(
    rf"(?:\b(?:i|på|bor|bodde|bur|budde|adressen|adresse|adressa|til)\s+(?:er\s+|var\s+)?)"
    rf"([{UP}][{LOW}-]{{3,}})\s+(\d{{1,3}}(?:\s?[A-Z](?![\w])|[a-z](?![\w]))?)(?![\d.,:]?\d)(?!\s*(?:år|kr|kroner|prosent|%|timer|minutter|dager|uker|ganger|stk))"
)
# a foreign address: the street word first ("ulica Morska 112/4, 81-225 Gdynia", "vulytsia Natalii Uzhvii 84
# leilighet 31", "rue de la Paix 12") or last ("Sonnenallee 112", "Hermannstraße 9"), a house number, a flat and
# a postcode with its town
_FOREIGN_ADDRESS = re.compile(
    r"\b(?:(?:ulica|ul\.|vulytsia|vul\.|ulitsa|ulitsya|prospekt|prosp\.|rue|calle|avenida|strada|sokak|"
    r"street|road|avenue|shari|sharia)(?:\s+[^\W\d][\w'.-]*){1,4}?|[^\W\d][\w-]*(?:straße|strasse|str\.|"
    r"gasse|allee|platz|weg|ulica|street|road))\s+\d{1,4}[a-zA-Z]?(?:/\d{1,4})?(?![\w/])"
    r"(?:,?\s+(?:leilighet|leil\.?|apt\.?|kv\.?|flat|m\.)\s*\d{1,4})?(?:,\s*\d{2}-?\d{3}\s+[^\W\d][\w-]+)?",
    re.IGNORECASE,
)
_POSTBOX = re.compile(r"\b[Pp]ostboks\s+\d{1,5}\b")
_POSTCODE_PLACE = re.compile(rf"(?<![\d\w])(\d{{4}})\s+([{UP}][{UP}{LOW}-]+(?:\s[{UP}][{UP}{LOW}-]+)?)")
# words that open a street's name before the one the street word joins ("Keiser Wilhelms gate", "Biskop Gunnerus'
# gate"): a title or a position; the address is found without them, they only widen it
_STREET_PREFIX_WORDS = _words(
    "gamle nedre øvre søndre nordre store lille vestre østre kong dronning prinsens kongens fru sankt st. "
    "nye gml. gml keiser prins prinsesse kronprins kronprinsesse biskop general admiral professor"
)
_STREET_SEPARATE = re.compile(
    rf"((?:[{UP}][{LOW}.'-]*\s){{1,3}})(gate|gata|vei|veg|veien|vegen|allé|alle|plass|terrasse|bakke|vn\.|gt\.)"
    rf"(\s+\d{{1,4}}(?:\s?[A-Za-z])?\b)?"
)
# a house letter is a capital ("14 B") or a lower-case letter written onto the number ("14b"): never " i"/" a"
_HOUSE_NUMBER = re.compile(r"\s+\d{1,4}(?:\s?[A-Z](?![\w])|[a-z](?![\w]))?(?:\s?[,-]\s?\d{1,4})?\b")
# "Fosshaugane 3, 6856 Sogndal", "Fanavegen 201 B, leil. 3, 5244 Fana": a name, a house number and a postcode with
# its place are an address whatever the street word ends in
_NUMBER_POSTCODE_ADDRESS = re.compile(
    rf"\b([{UP}][{LOW}'-]+(?:\s[{UP}]?[{LOW}'-]+)?)\s\d{{1,4}}(?:\s?[A-Z](?![\w]))?"
    rf"(?:,\s*(?:leil(?:ighet)?\.?|hybel|H)\s*[\w-]{{1,6}})?,?\s+\d{{4}}\s[{UP}][{UP}{LOW}-]+"
)
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
# a weekday said before a date belongs to it ("mandag fjortende desember", "tirsdag 12. mars")
_WEEKDAY_BEFORE = re.compile(
    r"\b(?:mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|lørdag|laurdag|søndag|sundag)(?:\s+den)?\s+$",
    re.IGNORECASE,
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
    "i på fra til ved mot nær utenfor rundt mellom forbi gjennom innover utover oppi nedi bortpå "
    "frå ifrå ifra utanfor innanfor oppå nedpå"  # Nynorsk and spoken forms ("kom frå rjukan")
)
_FUNCTION_WORDS = _words(
    "i på fra til ved mot og men så da at om for med av som det den de du jeg han hun vi dere eg æ e je "
    "ho hu er var ikke bare også når hva hvem hvor hvorfor hvordan etter før under over hos uten meg deg "
    "seg oss dem en ei et ett min mi mitt mine din hans hennes sin vår deres "
    # pronoun-like words no dictionary of the written standard lists ("takk sjølv", "sjefen hass")
    "selv sjølv sjøl hass hennar dokkar dykkar"
) | frozenset(
    # closed-class words of Bokmål, Nynorsk and the dialects ("ein", "dei", "kordan", "ha", "dr"): data
    w.lower()
    for w in read_list("function_words.txt")
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
    rf"omsorgssenter|verksted|logistikk|transport|regnskap|korps|sjukehus|sykehus|(?<!aksje)selskap|trafikk|menighet|"
    rf"kyrkjelyd|sparebank|renovasjon))\b"
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
    # Nynorsk and as speech recognition spells it ("nome vidaregåande", "kongsbakken vidregåande")
    "vidaregåande skule|vidaregåande skole|vidaregåande|vidregåande|vidergåande|"
    # a municipality's care home and adult education, also split ("jølster omsorgssenter", "sandnes voksen
    # opplæring")
    "omsorgssenter|omsorgssenteret|voksenopplæring|voksenopplæringa|voksenopplæringen|voksen opplæring|"
    "naturbruksskole|folkehøgskole|læringssenter|legesenter|helsesenter|legekontor|sykehjem|helsetun|"
    "behandlingssenter|idrettslag|fotballklubb|"
    # a place and a kind of association or local service is one name ("skedsmo speidergruppe", "førde
    # kyrkjekor", "laksevåg hjemmesykepleie"): these heads are never an ordinary word's object
    "skiskytterlag|speidergruppe|boligbyggelag|kyrkjekor|kirkekor|frivilligsentral|frivillighetssentral|"
    "hjemmesykepleie|heimesjukepleie|hjemmetjeneste|heimeteneste|"
    # a district's small hospital, in its Bokmål, Nynorsk and dialect spellings ("Hallingdal sjukestugu")
    "sykestue|sykestua|sjukestove|sjukestova|sjukestue|sjukestugu|sjukehus|sentralsjukehus|sentralsykehus"
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
    # a sports club named for two branches ("Stryn Turn og IL", "Vik Turn- og idrettslag")
    "Turn og IL|Turn- og IL|Turn og Idrettslag|Turn- og Idrettslag|Turn- og idrettslag|Turn og idrettslag|"
    "IL|IF|FK|BK|SK|HK|IK|TIF|IBK|OIL|Idrettslag|idrettslag|Fotballklubb|fotballklubb|Håndballklubb|håndballklubb|"
    "Skiklubb|skiklubb|Turnforening|turnforening|Ballklubb|ballklubb|Innebandyklubb|innebandyklubb|"
    "Bokseklubb|bokseklubb|Svømmeklubb|svømmeklubb|Skytterlag|skytterlag|Musikkorps|musikkorps|Skolekorps|skolekorps"
)
_INSTITUTION_WORDS = (
    "kommune|sykehus|legesenter|legekontor|helsestasjon|bibliotek|kirke|menighet|ungdomsklubb|fritidsklubb|"
    "ungdomshus|storsenter|kjøpesenter|senter|sag|bruk|mølle|bo- og behandlingssenter|sykehjem|ungdomsråd|"
    "kulturskole|voksenopplæring|læringssenter|arbeidssenter|kro|hotell|camping|bilverksted|bakeri|frisør|"
    "politistasjon|lensmannskontor|brannstasjon|rådhus|tannlegekontor|tannklinikk|apotek|stasjon|menighetshus|"
    "skiskytterlag|speidergruppe|boligbyggelag|kyrkjekor|kirkekor|frivilligsentral|frivillighetssentral|"
    "hjemmesykepleie|heimesjukepleie|hjemmetjeneste|heimeteneste|"
    # a district's small hospital, in its Bokmål, Nynorsk and dialect spellings ("Hallingdal sjukestugu")
    "sykestue|sykestua|sjukestove|sjukestova|sjukestue|sjukestugu|sjukehus|sentralsjukehus|sentralsykehus"
)
# a family firm named by its owners: "Brødrene Sperre", "Brødr. Dahl", "Søstrene Grene"
_FAMILY_FIRM = re.compile(rf"\b(?:Brødrene|Brødr\.|Søstrene|Gebrüder)\s+[{UP}][\w-]+(?:\s+[{UP}][\w-]+)?")
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


def trie_alternation(words: Iterable[str]) -> str:
    """The words as one regex that matches exactly what :func:`_alternation` matches, with the same preference.

    Speed code: the per-document lists (every name of a batch in four possessive forms) are compiled once per
    file, and Python's regex parser spends most of that time on thousands of repeated prefixes. Shared prefixes
    are written once here ("Kari(?:s|'s|’s|)"), a third to a quarter of the pattern. Every branch point tries
    the longer continuations before ending, so, as in the longest-first alternation, the longest word that
    fits (lookarounds after the group included) wins."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: dict) -> str:
    """One trie node as a pattern: a chain without branches as plain text, a branch point as a group."""
    prefix = []
    while len(node) == 1 and "" not in node:
        ((char, node),) = node.items()
        prefix.append(re.escape(char))
    if not node or list(node) == [""]:
        return "".join(prefix)
    branches = [
        _trie_pattern(child) if char == "" else re.escape(char) + _trie_pattern(child)
        for char, child in node.items()
        if char != ""
    ]
    if "" in node:
        branches.append("")  # ending here is tried last: longer words first
    return "".join(prefix) + "(?:" + "|".join(branches) + ")"


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


def _next_word(text: str, end: int) -> str:
    """The lower-case word right after ``end`` on the same line ("" at a line end)."""
    m = re.match(r"[ \t]+([\w-]+)", text[end : end + 40])
    return m.group(1).lower() if m else ""


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
