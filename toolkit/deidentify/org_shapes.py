"""Capitalised organisation names recognised by their shape, not by a list of names.

Small firms, farms, cafés and local associations are named with ordinary words ("Sjøkanten kafé", "Nedre Berg
gård", "Rolfs Rør & Varme", "Sanitetskvinnene i Førde", "Gunvor sin Gardsost"). No list can hold them and the NER
model, trained on news, sees a place or a person in their first word and stops there. Their shape says what they
are, in any transcript:

* capitalised words, then a lower-case **kind word** (``data/organisation_kinds.txt``: "kafé", "gård",
  "kulturhus", "sokn" …): "Leirvik kulturhus", "Kristiansand kommunale eiendom";
* two capitalised parts joined by ``&`` ("Grensen Bil & Dekk"), or a trade word, "og" and a capitalised word
  ("Haugen Maskin og Traktor");
* a capitalised noun in its definite form in mid-sentence, then "i"/"på" and a capitalised place ("Snekker'n i
  Vik", "Sanitetskvinnene i Førde", "Opplæringskontoret i Sogn og Fjordane"): an ordinary noun is written with a
  capital there only because it is a name;
* a first name, "sin/sitt/si" and a capitalised word ("Gunvor sin Gardsost"): a person's own business.

Every rule drops leading function words and sentence-initial ordinary words ("På", "Eg"), so a capital that only
marks a sentence start names nothing.
"""

from __future__ import annotations

import re

from toolkit.deidentify.gazetteers import Gazetteers, load_gazetteers, organisation_kinds
from toolkit.deidentify.ner import ordinary_words
from toolkit.deidentify.patterns import _FUNCTION_WORDS, LOW, UP, _sentence_start, _words
from toolkit.deidentify.spans import Span

# kind words that name an activity as often as a firm ("Champions League fotball", "Ola bil"): not after a
# capitalised name alone
_ACTIVITY_KINDS = _words("fotball håndball turn maling pizza service grønt mek bil korps senter")
# heads of compounds that name a service or an institution ("Innlandet tolketjeneste", "Voss snekkarverkstad")
_COMPOUND_KINDS = (
    "tjeneste|tjenesten|teneste|tenesta|kontor|kontoret|sentral|sentralen|institutt|forening|foreining|"
    "klubb|verksted|verkstad|senter|skole|skule|sjukehus|sykehus|hjem|heim|team|teamet|opplæring|rehabilitering|"
    # choirs, bands and congregations ("Sogndal ungdomskor", "Lia skolekorps", "Bryn menighet")
    "kor|korps|menighet|menigheit"
)
# adjectives that may stand between a place and its kind ("Kristiansand kommunale eiendom", "Bergen sentrum
# politistasjon")
# and words between a name and its kind: an owner's genitive ("Bergen kommunes rusteam"), an adjective in -ske
# ("Medhane Alem ortodokse menighet", "Nord katolske kirke"), the first half of a coordinated compound ("Solbakken
# bo- og omsorgssenter", "Sogn jord- og hagebruksskule")
_KIND_ADJECTIVES = (
    rf"(?:sentrum|kommunale|kommunal|interkommunale|interkommunal|private|regionale|lokale|kommunes|fylkeskommunes|"
    # a clinic named by its square or street ("Torvets plass legesenter", "Strandgata tannklinikk")
    rf"plass|torg|torget|gate|gata|park|brygge|bryggen|"
    rf"[{LOW}]{{3,}}(?:ske|iske|dokse|isk|doks)|[{LOW}]{{2,}}-[ \t]+og)"
)
_NAME_WORD = rf"(?:[{UP}][{UP}{LOW}'’]*(?:-[{UP}{LOW}][{UP}{LOW}'’]*)*|\d+[{UP}]?)"  # no "Vg1", "R2"
# a definite noun: "-en", "-et", "-a", "-ene", "-ane" or the spoken "'n" ("Snekker'n", "Bakeriet")
_DEFINITE = re.compile(r"(?:en|et|ene|ane|a|['’]n)$")
_TRADES = (
    "Bil|Bygg|Rør|Maskin|Transport|Elektro|Verksted|Eiendom|Regnskap|Service|Fisk|Trevare|Snekkeri|Maling|"
    "Varme|Dekk|Anlegg|Entreprenør|Frisør|Data|Mat|Bakeri|Tre|Trevare|Båt|Sag|Gjenvinning|Flis|Mur|Murer|Tak|"
    "Glass|VVS|Rengjøring|Hage|Montasje|Sveis|Stein"
)

# a hospital department named on its own after a preposition ("på avdeling for rus og psykiatri")
_DEPARTMENT_ALONE = re.compile(
    r"\b(?:på|ved|til|fra|frå|hos)[ \t]+((?:[Aa]vdeling(?:en|a)?|[Ss]eksjon(?:en)?|[Pp]oliklinikk(?:en)?)[ \t]+for[ \t]+"
    r"(?:[a-zæøå]{3,}|[A-ZÆØÅ]{2,}(?:/[A-ZÆØÅ]{2,})?)(?:[ \t]+og[ \t]+[a-zæøå]{3,})?)"
    r"(?![\w-])"
)


# a savings bank by its shape, in any case: "<place> sparebank", "sparebank 1 <region>", "Sparebanken <region>"
# ("jæren sparebank", "SpareBank 1 SMN", "Sparebanken Vest"); the words around it are checked in _savings_banks
_SAVINGS_BANK = re.compile(
    r"(?<![\w-])(?:([\wæøåÆØÅ-]{3,})[ \t]+)?(spare[ \t]?bank(?:en)?)(?:[ \t]+(1))?(?:[ \t]+([\wæøåÆØÅ-]{2,}))?(?![\w-])",
    re.IGNORECASE,
)


class ShapeOrganisationFinder:
    """Capitalised organisation names found by their shape (see the module docstring)."""

    def __init__(self, gazetteers: Gazetteers | None = None):
        self.g = gazetteers or load_gazetteers()
        kinds = "|".join(re.escape(k) for k in sorted(organisation_kinds(), key=len, reverse=True))
        self._kind_re = re.compile(
            rf"(?<![\w'’-])({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})[ \t]+(?:{_KIND_ADJECTIVES}[ \t]+)?"
            rf"({kinds}|[{LOW}]{{3,}}(?:{_COMPOUND_KINDS}))(?![\w-])"
        )
        self._amp_re = re.compile(
            rf"(?<![\w'’-])({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})[ \t]+&[ \t]+({_NAME_WORD})(?![\w-])"
        )
        self._trade_and_re = re.compile(
            rf"(?<![\w'’-])([{UP}][\w'’-]+[ \t]+(?:{_TRADES}))[ \t]+og[ \t]+[{UP}][{LOW}-]+(?![\w-])"
            # the trades first and the owner after ("Bygg og Mal Hansen")
            rf"|(?<![\w'’-])((?:{_TRADES})[ \t]+og[ \t]+[{UP}][{LOW}]+[ \t]+[{UP}][{LOW}-]+)(?![\w-])"
        )
        self._definite_re = re.compile(
            rf"(?<![\w'’-])([{UP}][{LOW}'’]+)[ \t]+(?:i|på)[ \t]+[{UP}][\w-]+(?:[ \t]+og[ \t]+[{UP}][\w-]+)?"
            r"(?![\w-])"
        )
        self._own_firm_re = re.compile(
            rf"(?<![\w-])([{UP}][{LOW}]+)[ \t]+(?:sin|sitt|si|sine)[ \t]+({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)"
            r"(?![\w-])"
        )

    def find(self, text: str) -> list[Span]:
        """Organisation spans in ``text`` named by their shape."""
        spans = self._kinds(text) + self._ampersands(text) + self._definites(text) + self._own_firms(text)
        if "bank" in text.lower():
            spans += _savings_banks(text)
        return spans + [Span(m.start(1), m.end(1), "ORG", 0.5) for m in _DEPARTMENT_ALONE.finditer(text)]

    def _name_start(self, text: str, start: int, name: str) -> int | None:
        """Start of the name after leading function words and sentence-initial ordinary words, or None."""
        pos = start
        for word in name.split():
            low = word.lower()
            if low in _FUNCTION_WORDS or (
                _sentence_start(text, pos) and low in ordinary_words() and low not in self.g.places_lower
            ):
                pos = text.index(word, pos) + len(word)
                while pos < len(text) and text[pos] in " \t":
                    pos += 1
                continue
            return pos
        return None

    def _kinds(self, text: str) -> list[Span]:
        spans = []
        for m in self._kind_re.finditer(text):
            start = self._name_start(text, m.start(1), m.group(1))
            if start is None:
                continue
            name = text[start : m.end(1)].split()
            if m.group(2) in _ACTIVITY_KINDS and not (
                len(name) > 1 or name[0].lower() in self.g.places_lower
            ):
                continue
            low = name[0].lower()
            personal = low in self.g.first_names or low in self.g.surnames
            plain = m.group(2) in organisation_kinds() and not text[m.end(1) : m.start(2)].strip()
            if len(name) == 1 and personal and plain and low not in self.g.places_lower:
                continue  # "Kari skole", "Hansen bil": a person's name beside a noun, not a firm
            spans.append(Span(start, m.end(2), "ORG", 0.6))
        return spans

    def _ampersands(self, text: str) -> list[Span]:
        spans = []
        for m in self._amp_re.finditer(text):
            start = self._name_start(text, m.start(1), m.group(1))
            if start is not None:
                spans.append(Span(start, m.end(2), "ORG", 0.6))
        for m in self._trade_and_re.finditer(text):
            group = 1 if m.group(1) else 2
            if _sentence_start(text, m.start(group)):
                continue  # "Bil og Maskin er ..." may be a sentence about things
            spans.append(Span(m.start(group), m.end(), "ORG", 0.6))
        return spans

    def _definites(self, text: str) -> list[Span]:
        spans = []
        for m in self._definite_re.finditer(text):
            word = m.group(1)
            low = word.lower()
            if _sentence_start(text, m.start(1)) or not _DEFINITE.search(low) or len(low) < 5:
                continue
            g = self.g
            if low in g.places_lower or low in g.first_names or low in g.surnames or word in g.common_proper:
                continue
            if low in _FUNCTION_WORDS:
                continue
            spans.append(Span(m.start(1), m.end(), "ORG", 0.6))
        return spans

    def _own_firms(self, text: str) -> list[Span]:
        spans = []
        for m in self._own_firm_re.finditer(text):
            owner, name = m.group(1).lower(), m.group(2)
            if owner not in self.g.first_names or _sentence_start(text, m.start(2)):
                continue
            first = name.split()[0].lower()
            if first in self.g.first_names or first in self.g.places_lower or first in _FUNCTION_WORDS:
                continue  # "Ola sin Kari", "Per sitt Oslo" are no firms
            spans.append(Span(m.start(1), m.end(2), "ORG", 0.6))
        return spans


# prepositions and pronouns in every written form: no bank is named by them ("frå sparebanken", "mi sparebank")
_NOT_BANK_NAMES = _words(
    "frå fra i hos til te med på av for mot via gjennom hjå min mi mitt din di vår ny nye gamle annen anna ein eit "
    "en ei et noen nokon denne den sin si sitt hans hennes hennar deres lokal lokale stor store liten lita"
)


def _bank_name(word: str | None) -> bool:
    return bool(word) and word.lower() not in _FUNCTION_WORDS and word.lower() not in _NOT_BANK_NAMES  # type: ignore[union-attr]


def _savings_banks(text: str) -> list[Span]:
    """Savings banks: the place before "sparebank" or the region after "sparebank(en) (1)", when those words are
    no function words ("i sparebanken", "sparebank 1 det" name no bank); "sparebank 1" alone is the alliance."""
    spans = []
    for m in _SAVINGS_BANK.finditer(text):
        before = m.group(1) if _bank_name(m.group(1)) else None
        after = m.group(4) if _bank_name(m.group(4)) else None
        if not (before or after or m.group(3)):
            continue
        start = m.start(1) if before else m.start(2)
        end = m.end(4) if after else (m.end(3) if m.group(3) else m.end(2))
        spans.append(Span(start, end, "ORG", 0.6))
    return spans
