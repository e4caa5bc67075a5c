"""Direct identifiers in forms the older recognisers did not know: bank accounts, handles, partial fødselsnummer.

Young people read these out in interviews about money, school and their online life:

* a **bank account number** has eleven digits grouped 4-2-5 ("1207 33 58102", "3201.55.10932"): no phone number,
  fødselsnummer, date or amount has that shape, so it is an identifier wherever it stands; an ungrouped run of
  eleven digits counts only after a word that names an account ("kontonummer 12345678901");
* a **handle or personal URL**: an address with a path ("youtube.com/@kanal", "twitch.tv/navn_"), an "@name"
  that is no e-mail, a Discord tag ("navn#1234"), and after a platform or user-name cue ("snap", "insta",
  "brukernavnet er") a token no word has — with a digit, an underscore or a dot inside ("sandermik99",
  "abdi_f99") — or words joined by a spoken dot ("sander punktum mikk");
* a user name with an underscore anywhere, or a dot after a platform cue; a case number mixing digits and
  capitals ("2025-0418-KRI");
* a **KID** (a bill's payment reference) after its name, in any grouping;
* a **partial fødselsnummer** after its cue: people start reading one, stop, correct themselves ("fødselsnummer
  … 150805 ... vent"): six to ten digits whose first six are a plausible date. Half a fødselsnummer is the
  birth date and still narrows down who it is.
"""

from __future__ import annotations

import re
from itertools import chain

from stdnum.no import fodselsnummer

from toolkit.deidentify.ner import ordinary_words
from toolkit.deidentify.patterns import (
    _FNR_LOOSE,
    _FUNCTION_WORDS,
    AMOUNT_UNITS,
    FNR_CUE,
    FNR_CUE_WORDS,
    _words,
    plausible_fnr_date,
)
from toolkit.deidentify.spans import Span
from toolkit.deidentify.spoken import _AMBIGUOUS, _NUMBER_WORDS

_ACCOUNT = re.compile(r"(?<![\d.,/+-])\d{4}([ .])\d{2}\1\d{5}(?![\d]|[.,]\d)")
_ACCOUNT_RUN = re.compile(r"(?<![\d.,/+-])\d{11}(?![\d]|[.,]\d)")
_ACCOUNT_CUE = re.compile(r"\b(?:bank)?konto(?!r)\w*\W+(?:\w+\W+){0,4}$", re.IGNORECASE)
_URL_WITH_PATH = re.compile(
    r"(?<![\w@.])(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/[\w@.~%#?=&/+-]*[\w@~%#=&/+-]",
    re.IGNORECASE,
)
# public services' and news sites: a path on them names a page everyone has, not a person
_PUBLIC_SITES = _words(
    "nav helsenorge altinn skatteetaten lanekassen udi vigo regjeringen norge digipost samordnaopptak bufdir "
    "helsedirektoratet ssb nrk vg dagbladet aftenposten google utdanning udir imdi husbanken"
)
_AT_HANDLE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_][\w.]*\w")
_TAG_HANDLE = re.compile(r"(?<![\w.#])[A-Za-z][\w.]{1,31}#\d{4}(?!\d)")
_PLATFORM_CUE = (
    r"(?:snap|snapchat|snappen|insta|instagram|tiktok|twitter|discord|twitch|steam|reddit|feide|"
    # game networks, where the user name is the player ("mitt navn på PSN er …")
    r"psn|playstation|xbox|roblox|fortnite|"
    r"brukernavn(?:et)?|brukarnamn(?:et)?|brukeren|brukaren|kallenavn(?:et)?|gamertag|handle|"
    # the English word with a Norwegian ending, as young people say it ("usernamet mitt er …")
    r"username(?:t|n)?|"
    r"blogg(?:en)?|nettside(?:n)?|hjemmeside(?:n)?|heimeside(?:a)?|kanal(?:en)?)"
)
_CUE_FILLER = r"(?:mest|min|mitt|mi|er|e|heter|heiter|heite|det|da|jeg|je|æ|eg|på|som|bare|berre)"
_SPOKEN_DOT = r"(?:punktum|prikk|dot|understrek|underscore)"
_CUED_HANDLE = re.compile(
    rf"\b{_PLATFORM_CUE}(?:[\s:,-]+(?:{_CUE_FILLER}|[^\W\d_]+)){{0,4}}?[\s:,]+"
    rf"((?=\w*(?:[\d_]|\.\w))[\w.]*[^\W\d_][\w.]*\w|\w+(?:\s+{_SPOKEN_DOT}\s+\w+)+)(?![\w@])",
    re.IGNORECASE,
)
# a payment card (4-4-4-4) and a Norwegian IBAN ("NO93 8601 1117 947")
_CARD = re.compile(r"(?<![\d.,/+-])\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?![\d]|[.,]\d)")
_IBAN = re.compile(r"\bNO\d{2} ?\d{4} ?\d{4} ?\d{3}(?!\d)", re.IGNORECASE)
# a KID (the payment reference on a bill, 2-25 digits) after its name, in any grouping ("KID 2204 1187 5530",
# "kid nummer 2004 7781 1362 5", "KID-nr.: 1485227002"): it points to one person's bill
_KID = re.compile(
    r"\bKID(?:[- ]?(?:nummer(?:et)?|nr\.?))?(?:\s*:|\s+(?:er|e|var|va|blei|ble))?\s*(\d(?:[ .]?\d){5,24})(?!\d)",
    re.IGNORECASE,
)
# a user name with an underscore ("jessheim_sladder2"): no Norwegian word or name is written so
_UNDERSCORE_HANDLE = re.compile(r"(?<![\w@./])[^\W_]\w*_\w*[^\W_](?![\w@]|\.\w)")
# a user name with a dot inside ("imbi.lofthus"), within a few sentences after a platform is named ("Mest på
# snap. Ploy er …"): without the platform, such a token may be a web address
_PLATFORM = re.compile(rf"\b{_PLATFORM_CUE}\b", re.IGNORECASE)
_DOTTED_HANDLE = re.compile(r"(?<![\w@./])[^\W\d_]{2,}(?:\.[^\W_]+)+(?![\w@]|\.\w)")
_TLDS = _words("no com net org se dk io eu de uk nu info")
# a case number mixing digit groups and capital letters ("2025-0418-KRI", "25-118804TVI-BBYR/04"): no word,
# date or amount is written so
_MIXED_CASE_NUMBER = re.compile(r"(?<![\w/-])\d[\dA-ZÆØÅ]*(?:[-/][\dA-ZÆØÅ]+)+(?![\w/-])")
# a personal site on a blog host ("strikkestord.blogg.no"): the part before the host is the person's own name for
# it; the hosts are literal, so the regex runs only on a text that names one
_HOSTED_SITES = (".blogg.", ".blogspot.", ".wordpress.", ".tumblr.", ".substack.", ".wixsite.", ".weebly.")
_HOSTED_SITE = re.compile(
    r"(?<![\w@./-])[\w-]+(?:\.[\w-]+)?\.(?:blogg|blogspot|wordpress|tumblr|substack|wixsite|weebly)\.[a-z]{2,4}"
    r"(?![\w@]|\.\w)",
    re.IGNORECASE,
)
# an address with a path said aloud ("twitch punktum tv skråstrek totenmarius"): only when a spoken slash
# follows a spoken dot and a top-level domain, which no ordinary sentence says
_SPOKEN_URL = re.compile(
    r"\b([\w-]+)\s+(?:punktum|prikk|dot)\s+[a-z]{2,4}\s+(?:skråstrek|slash)\s+(?:krøllalfa\s+)?[\w.-]*\w",
    re.IGNORECASE,
)
# a user name said before its platform ("Eg heter ansu4560 på SoundCloud"): letters with digits, after a naming
# verb; the platform is looked for first, then the few words before it
_ON_PLATFORM = re.compile(
    r"\bpå\s+(?:snap|snapchat|insta|instagram|tiktok|twitter|discord|twitch|steam|reddit|psn|xbox|roblox|"
    r"soundcloud|youtube|spotify|facebook|telegram|pinterest|bereal)\b",
    re.IGNORECASE,
)
_NAMED_HANDLE_BEFORE = re.compile(
    r"\b(?:heter|heiter|heite|het|kalles|kaller\s+meg)\s+([^\W\d_][\w.]*\d\w*)\s+$", re.IGNORECASE
)
_NEXT_WORD = re.compile(r"\s+(\w+)")
# the personal digits said after a pause word ("010203 og så 12345", "150805, eh, 43211")
_PAUSE_WORDS = r"(?:og|så|eh|æh|ehm|hm|altså|da|kommer|resten|er|det)"
_FNR_TAIL = re.compile(rf"\s*(?:,\s*)?(?:{_PAUSE_WORDS}\s*,?\s*)*[-–]?\s*(\d{{3}}(?: ?\d){{0,2}})(?![\d])")
# eleven digits said as date and personal part with a pause between ("120805... 10037", "120805 og så 10037",
# "120805. 10037.", "120805/10037"):
# a fødselsnummer wherever it stands when the eleven digits pass its two check digits
_SPLIT_FNR = re.compile(
    rf"(?<![\d.,/+-])(\d{{6}})(?:\s*(?:\.{{1,}}|…|,|/|[-–])?\s*(?:{_PAUSE_WORDS}\s*[,.]?\s*)*)(\d{{5}})"
    r"(?![\d]|[.,]\d)",
    re.IGNORECASE,
)
_FNR_PART = re.compile(r"(?<![\d.,/+-])\d(?: ?\d){5,10}(?![\d]|[.,/]\d)")
# eleven digits in any grouping ("650 700 319 43", "1706 0601 631", "17.06.06.016.31"): the two check digits
# make a fødselsnummer certain whatever the grouping, so no cue is needed
_GROUPED_ELEVEN = re.compile(r"(?<![\d.,/+-])\d{1,6}(?:[ .-]\d{1,6}){1,6}(?![\d]|[.,/-]\d)")
# the personal part alone (five digits, "016 31", "31943"): asked for as "de fem siste" or "personnummeret", or
# said in the breath after a fødselsnummer ("081104 64365, nei vent, det er 64356")
_PERSONAL_CUE = re.compile(
    rf"{FNR_CUE_WORDS}|fødselsdato\w*|"
    r"\b(?:de|dei|dæm|dem|di)\s+(?:fem|5)\s+(?:siste|sifrene)|\bsiste\s+(?:fem|5)\b",
    re.IGNORECASE,
)
_PERSONAL_PART = re.compile(
    rf"(?<![\d.,/+-])(?<!\d )\d(?: ?\d){{4}}(?![\d]|[.,/]\d| \d)(?!\s*(?:{AMOUNT_UNITS}))",
    re.IGNORECASE,
)


def find_accounts_and_handles(text: str) -> list[Span]:
    """Bank account numbers, URLs with a path, @handles, Discord tags and user names after a platform cue."""
    spans = [
        Span(m.start(), m.end(), "ID", 0.85) for m in chain(_ACCOUNT.finditer(text), _CARD.finditer(text))
    ]
    spans += [Span(m.start(), m.end(), "ID", 0.85) for m in _IBAN.finditer(text)]
    spans += [
        Span(m.start(), m.end(), "ID", 0.7)
        for m in _ACCOUNT_RUN.finditer(text)
        if _ACCOUNT_CUE.search(text[max(0, m.start() - 40) : m.start()])
    ]
    if "KID" in text or "kid" in text or "Kid" in text:
        spans += [Span(m.start(1), m.end(1), "ID", 0.8) for m in _KID.finditer(text)]
    spans += _handles_and_codes(text)
    if "/" in text:
        spans += [
            Span(m.start(), m.end(), "ID", 0.8)
            for m in _URL_WITH_PATH.finditer(text)
            if _site(m.group(0)) not in _PUBLIC_SITES  # "nav.no/minside" is everyone's page
        ]
    if "@" in text:
        spans += [Span(m.start(), m.end(), "ID", 0.8) for m in _AT_HANDLE.finditer(text)]
    if "#" in text:
        spans += [Span(m.start(), m.end(), "ID", 0.8) for m in _TAG_HANDLE.finditer(text)]
    spans += [
        Span(m.start(1), _with_spoken_digits(text, m.end(1)), "ID", 0.7)
        for m in _CUED_HANDLE.finditer(text)
        if not m.group(1).replace(".", "").isdigit()
    ]
    return spans + _sites_and_platform_names(text)


def _sites_and_platform_names(text: str) -> list[Span]:
    """Personal blog addresses, addresses with a path said aloud and user names said before their platform;
    each regex runs only after a cheap literal check, as these are rare."""
    spans = []
    if any(host in text for host in _HOSTED_SITES):
        spans += [Span(m.start(), m.end(), "ID", 0.8) for m in _HOSTED_SITE.finditer(text)]
    if "skråstrek" in text or "slash" in text or "Skråstrek" in text:
        spans += [
            Span(m.start(), m.end(), "ID", 0.7)
            for m in _SPOKEN_URL.finditer(text)
            if m.group(1).casefold() not in _PUBLIC_SITES  # "nav punktum no skråstrek minside" is no one's
        ]
    for m in _ON_PLATFORM.finditer(text):
        before = _NAMED_HANDLE_BEFORE.search(text, max(0, m.start() - 40), m.start())
        if before:
            spans.append(Span(before.start(1), before.end(1), "ID", 0.7))
    return spans


def _with_spoken_digits(text: str, end: int) -> int:
    """A handle said with spoken dots that ends in digits said as words goes on over them ("farid punktum herat
    punktum null fem"): the regex stops after one word. Words that are also ordinary ("en", "to") end it."""
    last = text[max(0, end - 12) : end].split()[-1].lower()
    if last not in _NUMBER_WORDS:
        return end
    while (m := _NEXT_WORD.match(text, end)) and m.group(1).lower() in _NUMBER_WORDS:
        if m.group(1).lower() in _AMBIGUOUS:
            break
        end = m.end()
    return end


def _handles_and_codes(text: str) -> list[Span]:
    """User names with an underscore anywhere, or with a dot after a platform cue; mixed case numbers."""
    spans = []
    if "_" in text:
        spans += [
            Span(m.start(), m.end(), "ID", 0.7)
            for m in _UNDERSCORE_HANDLE.finditer(text)
            if not _tag_like(m.group(0))
        ]
    spans += [
        Span(m.start(), m.end(), "ID", 0.6)
        for m in _DOTTED_HANDLE.finditer(text)  # rare: the costlier cue search runs only for these
        if m.group(0).rsplit(".", 1)[1].casefold() not in _TLDS
        and not _missing_space(m.group(0))
        and _PLATFORM.search(text, max(0, m.start() - 120), m.start())
    ]
    spans += [
        Span(m.start(), m.end(), "ID", 0.7)
        for m in _MIXED_CASE_NUMBER.finditer(text)
        if _mixed_code(m.group(0))
    ]
    return spans


def _tag_like(token: str) -> bool:
    """No lower-case letter ("NAVN_1", "PERSON_2", "ID_3"): a placeholder left by an earlier de-identification
    (pdtk's own tags are written so) or a code constant, not a user name — people pick lower-case handles, and
    masking a tag again would hide which person or place it stood for."""
    return not any(c.islower() for c in token)


def _missing_space(token: str) -> bool:
    """Ordinary words joined by a full stop ("liksom.ikke", "Ok.så"): a space left out after a sentence, as
    typed transcripts often have, not a user name ("imbi.lofthus" holds a word no dictionary has)."""
    ordinary = ordinary_words()
    return all(part.lower() in ordinary or part.lower() in _FUNCTION_WORDS for part in token.split("."))


def _mixed_code(token: str) -> bool:
    """Capital letters, five digits or more and eight characters or more: a code, not "COVID-19" or "B-17"."""
    return len(token) >= 8 and sum(c.isdigit() for c in token) >= 5 and any(c.isupper() for c in token)


def _site(url: str) -> str:
    """The name of the site in a URL: "nav" in "https://www.nav.no/minside"."""
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE).split("/", 1)[0]
    return host.split(".")[0].casefold()


def find_partial_fnr(text: str) -> list[Span]:
    """Six to eleven digits in any grouping ("1208 0542 187", "150805 ...") opening with a plausible birth date,
    within 130 characters after a fødselsnummer cue; six date
    digits take the personal digits said after a pause
    word with them ("010203 og så 12345"). Without a cue, a date part and five digits said apart are a
    fødselsnummer when together they pass its check digits ("120805... 10037")."""
    spans = []
    for cue in FNR_CUE.finditer(text):
        # 130 characters: a speaker says "fødselsnummer", explains where it stands, then reads it out
        window_end = min(len(text), cue.end() + 130)
        for m in _FNR_PART.finditer(text, cue.end(), window_end):
            digits = re.sub(r"\D", "", m.group(0))
            if plausible_fnr_date(digits):
                tail = _FNR_TAIL.match(text, m.end()) if len(digits) == 6 else None
                spans.append(Span(m.start(), tail.end(1) if tail else m.end(), "FNR", 0.6))
    spans += [
        Span(m.start(1), m.end(2), "FNR", 0.9)
        for m in _SPLIT_FNR.finditer(text)
        if fodselsnummer.is_valid(m.group(1) + m.group(2))
    ]
    return spans + _grouped_fnr(text) + _personal_parts(text) + _distant_parts(text)


# the date part and the personal part said a few words apart ("Min er 140306, og de fem siste er 10076", "jeg
# sa 140306 … så jeg sa 10076"): each part masked alone, when together they pass the check digits
_DATE_PART = re.compile(r"(?<![\d.,/+-])\d{6}(?![\d]|[.,/-]\d)")
_LATER_PERSONAL_PART = re.compile(r"(?<![\d.,/+-])\d{3} ?\d{2}(?![\d]|[.,/-]\d)")


def _distant_parts(text: str) -> list[Span]:
    """A date part and, within 80 characters after it, five digits that make a valid fødselsnummer with it."""
    spans = []
    for m in _DATE_PART.finditer(text):
        if not plausible_fnr_date(m.group(0)):
            continue
        for part in _LATER_PERSONAL_PART.finditer(text, m.end(), min(len(text), m.end() + 80)):
            if fodselsnummer.is_valid(m.group(0) + part.group(0).replace(" ", "")):
                spans += [Span(m.start(), m.end(), "FNR", 0.8), Span(part.start(), part.end(), "FNR", 0.8)]
                break
    return spans


def _grouped_fnr(text: str) -> list[Span]:
    """Eleven digits in groups of any size that pass the fødselsnummer/D-nummer check digits."""
    spans = []
    for m in _GROUPED_ELEVEN.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) == 11 and fodselsnummer.is_valid(digits):
            spans.append(Span(m.start(), m.end(), "FNR", 0.9))
    return spans


def _personal_parts(text: str) -> list[Span]:
    """Five digits within 80 characters after a cue for the personal part, also over the interviewer's turn
    ("I: Og de fem siste?\nD: 31943"): the five digits that, with the birth date, make the fødselsnummer."""
    spans = []
    anchors = [(cue.end(), 80) for cue in _PERSONAL_CUE.finditer(text)]
    # a whole fødselsnummer is a cue too, for the next few words: a corrected personal part follows it
    # ("081104 64365, nei, 64356")
    anchors += [
        (m.end(), 40) for m in _FNR_LOOSE.finditer(text) if plausible_fnr_date(re.sub(r"\D", "", m.group(0)))
    ]
    for anchor, reach in anchors:
        window_end = min(len(text), anchor + reach)
        spans += [
            Span(m.start(), m.end(), "FNR", 0.6)
            for m in _PERSONAL_PART.finditer(text, anchor, window_end)
            if not text[m.end() : m.end() + 1].isdigit()  # not the head of a longer number cut by the window
        ]
    return spans
