"""Which actor an evaluative word is about, and whether a mention says the actor was never involved.

Why this module: an interview names several actors in one breath ("mamma maste på fastlegen", "Lege, PPT,
BUP, skolen"), says who was *not* involved ("aldri hatt noe med barnevernet"), and goes on evaluating an
actor with pronouns ("Hun var grei nok, men …") or after the interviewer named it ("Hva med fastlegen?" –
"Han var sånn: her har du en resept"). A human coder scopes each evaluation to the actor the clause speaks
about; a sentence- or turn-wide window gives every actor in it every evaluation, which is what kept the
tone agreement low. This module holds those scoping rules as plain functions over token positions, so
:mod:`toolkit.coding.actors` (vocabulary, matching, tables) stays one concept and the rules can be tested
on small sentences.

Rules, in the order a coder applies them:

* **Not involved** (:func:`negated_as_not_involved`): a negator (*ikke, aldri, ingen* …) followed only by
  contact words (*vært, hatt, noe, med, hos, i kontakt med* …) before the actor means the actor is named as
  absent – not mentioned. "fikk ikke hjelp fra NAV" is not caught: *hjelp* is not a contact word, NAV was
  there and did not help.
* **Clauses** (:func:`clause_spans`): a sentence is cut at *men*, semicolons, colons, dashes and at a comma
  before a conjunction (*og, fordi, selv om, mens* …).
* **Attribution** (:func:`attribute_turn`): an evaluation belongs to the nearest coordinated group of actor
  mentions in its clause ("NAV og OT var bra, men BUP …"); a clause without a mention to the actors of the
  nearest earlier clause of its sentence (before the sentence's first mention: to what a mention-less
  sentence there would go to, below; only without that to the first later clause); a sentence without a
  mention to the
  last-named actors of its turn when it refers back with a pronoun (*hun, han, de, der* …) or opens with
  *men, og, så* …; sentences before the turn's first mention to the actors the interviewer's question
  named, else (with a pronoun) to those the previous answer ended on.
* **The speaker's own state** (:func:`opens_with_first_person`, :func:`speaker_state`): "jeg var stressa",
  "så venta jeg", "fag jeg manglet" say how the young person was, not what the actor was like.
* **Contrast** (:func:`_contrast_evidence`): praise qualified by *men* with nothing evaluative after it
  ("grei nok, men hun hadde førti andre") is also a complaint, so the actor becomes ``blandet``.
* **Who-questions** (:func:`answer_to_evaluative_question`): "Hvem har hjulpet deg?" answered by naming
  someone gives that someone the question's polarity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

NOT_INVOLVED_NEGATORS = frozenset(
    {"ikke", "ikkje", "itte", "itj", "ikkj", "aldri", "ingen", "inga", "ingenting"}
)
"""Negators that, right before an actor with only contact words between, say the actor was not involved."""

CONTACT_WORDS = frozenset(
    {
        "vært",
        "vore",
        "vøre",
        "hatt",
        "hadd",
        "noe",
        "noko",
        "noen",
        "nokon",
        "nåkka",
        "med",
        "hos",
        "i",
        "på",
        "til",
        "kontakt",
        "borti",
        "bort",
        "inne",
        "innom",
        "en",
        "ei",
        "et",
        "gang",
        "sånn",
        "slik",
        "eller",
        "og",
        "å",
        "gjøre",
        "gjere",
        "blitt",
        "vorte",
        "har",
        "hadde",
        "jeg",
        "eg",
        "je",
        "meg",
        "vi",
        "oss",
        "fra",
        "frå",
        "sett",
        "møtt",
        "snakket",
        "snakka",
        "der",
        "dit",
        "henvist",
    }
)
"""Words allowed between a not-involved negator and the actor ("aldri vært i kontakt med", "ikke hatt noe
med", "aldri noen"); any other word (an evaluation, a verb of help) ends the negation's reach."""

INVERTING_VERBS = frozenset(
    {
        "ville",
        "vil",
        "vill",
        "kunne",
        "kan",
        "skulle",
        "skal",
        "måtte",
        "må",
        "gadd",
        "gidder",
        "orka",
        "orket",
        "turte",
        "torde",
        "gjorde",
        "gjør",
        "sa",
        "brydde",
    }
)
"""A verb right before the negator puts the subject after it ("da ville ikke bedriftene ha meg"): the actor
is then the one refusing, not absent."""

NOT_INVOLVED_REACH = 7
"""How many words before an actor a not-involved negator may stand."""

BACK_REFERENCE = frozenset(
    {
        "hun",
        "ho",
        "han",
        "hu",
        "henne",
        "ham",
        "honom",
        "hennes",
        "hans",
        "de",
        "dei",
        "dem",
        "deres",
        "dere",
        "der",
        "dit",
        "derfra",
    }
)
"""Pronouns and place adverbs by which a sentence without an actor name refers back to the last-named one."""

CONTINUING_OPENERS = frozenset({"men", "og", "så", "likevel", "etterpå", "dessuten", "også", "bare"})
"""Sentence openers that continue the previous sentence's topic ("NAV var greit. Men så ble det
ventetid.")."""

FIRST_PERSON = frozenset({"jeg", "eg", "je", "æ", "vi", "me"})
"""First-person subjects; a clause opening with one and naming no actor reports the speaker's own state."""

CLAUSE_CONNECTIVES = frozenset({"og", "men", "så", "for", "mens", "fordi", "da", "og så"})
"""Words a clause may open with before its subject ("…, og jeg var stressa")."""


STATE_VERBS = frozenset(
    {"var", "er", "ble", "blei", "blir", "vart", "hadde", "har", "følte", "føler", "kjente", "kjenner",
     "mangla", "manglet", "mangler", "orka", "orket", "orker", "gadd", "klarte", "slet", "sleit"}
)  # fmt: skip
"""Verbs after a first-person subject that introduce the speaker's own state ("jeg var skeptisk", "jeg
hadde det dritt", "jeg mangla fag")."""

SPEAKER_STATE_REACH = 3
"""How many words after "jeg <state verb>" an evaluative word may stand and still be the speaker's state."""


RELATION_PREPOSITIONS = frozenset({"med", "hos", "fra", "frå", "ifra", "ved"})
"""Prepositions that tie an evaluation to someone ("god kontakt med", "dårlig erfaring med", "god hjelp
fra"): the relation is judged, not the speaker's state."""

RELATION_REACH = 2
"""How many words after an evaluative word a relation preposition may stand ("godt samarbeid med")."""


def speaker_state(words: Sequence[str], index: int) -> bool:
    """Whether the evaluative word at ``index`` describes the speaker ("jeg var stressa", "hvilke fag jeg
    manglet"), not an actor: a first-person subject and a state verb up to three words before it (or the
    word is that state verb), with no third-person pronoun between that could carry the evaluation."""
    if any(word in RELATION_PREPOSITIONS for word in words[index + 1 : index + 1 + RELATION_REACH]):
        return False  # "vi har et godt samarbeid med OT": the relation to someone is judged
    for start in range(max(0, index - SPEAKER_STATE_REACH - 1), index):
        if words[start] in FIRST_PERSON and words[start + 1] in STATE_VERBS:
            between = words[start + 1 : index]
            return not any(word in BACK_REFERENCE for word in between)
    return False


def opens_with_first_person(words: Sequence[str]) -> bool:
    """Whether a clause's lower-case words have a first-person subject up front: "jeg var …", "og jeg …",
    or after a fronted adverb and the verb ("så venta jeg", "der var jeg")."""
    first, second, third = (list(words[:3]) + ["", "", ""])[:3]
    return (
        first in FIRST_PERSON
        or (first in CLAUSE_CONNECTIVES and second in FIRST_PERSON)
        or third in FIRST_PERSON
    )


_SUBORDINATE_OPENERS = r"men|mens|fordi|selv om|sjøl om|enda|bortsett fra|så|og|for"
_CLAUSE_BREAK = re.compile(
    rf"\s*(?:[;:–—]|\s-\s|,\s*(?=(?:{_SUBORDINATE_OPENERS})\b)|\s(?=men\b))\s*",
    re.IGNORECASE,
)
_CLAUSE_TRIGGER = re.compile(r"[;:–—,-]|men", re.IGNORECASE)
r"""What every clause break contains (a mark, a dash, a comma or *men*): a sentence without any has one
clause, found by one quick scan (``_CLAUSE_BREAK`` starts with ``\s*`` and is tried at every position)."""


PLAN_AUXILIARIES = frozenset({"skal", "ska", "skulle", "sko", "tenker", "tenkjer", "planlegger", "planlegg"})
"""Words opening a plan ("jeg skal kanskje begynne på voksenopplæringen")."""

PLAN_VERBS = frozenset(
    {"begynne", "byrje", "byrja", "starte", "søke", "søkje", "ringe", "ringje", "kontakte", "melde", "prøve"}
)
"""Verbs of a plan to start at or contact a service, not yet an experience of it."""

PLAN_REACH = 6
"""How many words before a mention a plan may open and still be what the mention is part of."""


def planned_only(words_before: Sequence[str]) -> bool:
    """Whether the lower-case words before a mention make it a plan to start at or contact the service ("skal
    kanskje begynne på voksenopplæringen", "sier jeg skal ringe OT eller NAV"), not the young person's help.

    Why: the tuning sets' writers code plans without experience as not mentioned ("planer uten erfaring"),
    like a service named as not involved; the service still counts where another sentence tells of contact.
    """
    start = max(0, len(words_before) - PLAN_REACH)
    for index in range(len(words_before) - 1, start - 1, -1):
        if words_before[index] in PLAN_VERBS:
            opener = words_before[max(0, index - 3) : index]
            return any(word in PLAN_AUXILIARIES for word in opener)
    return False


def negated_as_not_involved(words_before: Sequence[str], actor_words: frozenset[int] = frozenset()) -> bool:
    """Whether the lower-case words before a mention name the actor as not involved.

    ``words_before`` are the words of the mention's clause up to the mention; ``actor_words`` the indexes
    among them that are themselves actor mentions ("ikke hatt noe med NAV eller barnevernet": NAV is
    allowed between the negator and *barnevernet*).
    """
    start = max(0, len(words_before) - NOT_INVOLVED_REACH)
    for index in range(len(words_before) - 1, start - 1, -1):
        word = words_before[index]
        if word in NOT_INVOLVED_NEGATORS:
            return not (index and words_before[index - 1] in INVERTING_VERBS)
        if word not in CONTACT_WORDS and index not in actor_words:
            return False
    return False


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of one sentence (cut at *men*, ``;``, ``:``, dashes, ``, fordi`` …)."""
    if not _CLAUSE_TRIGGER.search(text):
        return [(0, len(text))]
    spans, begin = [], 0
    for cut in _CLAUSE_BREAK.finditer(text):
        if cut.start() > begin:
            spans.append((begin, cut.start()))
        begin = cut.end()
    if begin < len(text):
        spans.append((begin, len(text)))
    return spans or [(0, len(text))]


SPOKEN_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«“(]?[a-zæøå])")
"""A sentence end before a lower-case word: transcripts typed in lower case still end sentences there."""


def spoken_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a text whose transcriber may not have used capitals.

    Why: the turn splitter ends a sentence only before a capital; in a transcript typed in lower case
    ("det var bra. hun var grei.") a whole turn was one sentence, so every evaluation in it could reach
    every actor it names. A stop before a lower-case word ends a sentence too. (Cutting long stretches
    *without any* punctuation before clause openers such as *og så, fordi* was measured on set7's three
    unpunctuated transcripts: kappa 0.388 → 0.390, no change in mentions; left out as no evidence.)
    """
    spans, begin = [], 0
    for gap in SPOKEN_SENTENCE_END.finditer(text):
        spans.append((begin, gap.start()))
        begin = gap.end()
    spans.append((begin, len(text)))
    return [(first, last) for first, last in spans if text[first:last].strip()]


@dataclass
class Clause:
    """One clause: actor mentions and evaluations, each with its word position in the turn."""

    mentions: list[tuple[str, int]] = field(default_factory=list)
    evaluations: list[tuple[tuple[int, int, int], int]] = field(default_factory=list)
    self_report: bool = False
    contrast: tuple[int, int] | None = None
    """Span of the *men* the clause opens with, if it does (a contrast with the clause before)."""
    """The clause opens with a first-person subject ("jeg var stressa"): without an actor named in it, its
    evaluations are the speaker's state, not a judgement of the actor."""


@dataclass
class Sentence:
    """A sentence's clauses and whether it refers back to an earlier actor with a pronoun."""

    clauses: list[Clause]
    refers_back: bool = False

    @property
    def actors(self) -> list[str]:
        return [actor for clause in self.clauses for actor, _ in clause.mentions]


COORDINATION_GAP = 2
"""Mentions at most this many words apart form one coordinated group ("NAV og OT var bra": both)."""


def _nearest(clause: Clause, position: int) -> set[str]:
    """The actors of the coordinated group of mentions nearest the evaluation in its clause (ties: all)."""
    groups: list[list[tuple[str, int]]] = []
    for actor, at in sorted(clause.mentions, key=lambda mention: mention[1]):
        if groups and at - groups[-1][-1][1] <= COORDINATION_GAP:
            groups[-1].append((actor, at))
        else:
            groups.append([(actor, at)])

    def distance(group: list[tuple[str, int]]) -> int:
        return min(abs(at - position) for _, at in group)

    closest = min(distance(group) for group in groups)
    return {actor for group in groups if distance(group) == closest for actor, _ in group}


def _clause_owners(sentence: Sentence, before: set[str] = frozenset()) -> list[set[str]]:
    """Actors each mention-less clause of a sentence speaks about: nearest earlier clause; for the clauses
    before the sentence's first mention ``before`` (what the context refers to), and only without it the
    first later clause.

    Why ``before`` first: a clause opening a sentence without naming anyone usually refers back ("Hun bodde
    hos moren. Det var mye krangel, og hun sov hos en venninne": the quarrel is the mother's, not the
    friend's); pointing forward to an actor named later in the sentence is the rarer case.
    """
    owners: list[set[str]] = []
    current: set[str] = set()
    for clause in sentence.clauses:
        if clause.mentions:
            current = {actor for actor, _ in clause.mentions}
        owners.append(set(current))
    first = next(({a for a, _ in c.mentions} for c in sentence.clauses if c.mentions), set())
    return [owner or set(before) or set(first) for owner in owners]


def last_named(sentence: Sentence) -> set[str]:
    """The actors of the last clause of a sentence that names any (what a following pronoun refers to)."""
    for clause in reversed(sentence.clauses):
        if clause.mentions:
            return {actor for actor, _ in clause.mentions}
    return set()


def _contrast_evidence(
    clauses: Sequence[Clause], owners: Sequence[set[str]]
) -> list[tuple[set[str], tuple[int, int, int]]]:
    """An implicit complaint after praise qualified by *men* ("grei nok, men hun hadde førti andre").

    When a clause opening with *men* speaks about the same actors as the clause before, and that clause
    praises while the *men* clause carries no evaluative word, the *men* clause counts as negative
    (evidence: the *men*): concessive praise is the usual Norwegian way to complain politely. The mirror
    case (complaint, then a *men* clause without evaluative words) is not added: on the tuning sets it
    made as many errors as it fixed.
    """
    found: list[tuple[set[str], tuple[int, int, int]]] = []
    for index in range(1, len(clauses)):
        clause, before = clauses[index], clauses[index - 1]
        shared = owners[index] & owners[index - 1]
        if clause.contrast is None or not shared:
            continue
        polarities_before = {item[2] for item, _ in before.evaluations}
        polarities_after = {item[2] for item, _ in clause.evaluations}
        if polarities_before == {1} and not polarities_after:
            found.append((shared, (*clause.contrast, -1)))
    return found


def _sentence_evidence(sentence: Sentence, owners: Sequence[set[str]]) -> list[tuple[set[str], tuple]]:
    """(actors, evaluation) pairs of one sentence, given the actors each clause speaks about."""
    pairs: list[tuple[set[str], tuple]] = []
    for clause, owner in zip(sentence.clauses, owners, strict=True):
        if clause.self_report and not clause.mentions:
            continue
        for item, position in clause.evaluations:
            pairs.append((_nearest(clause, position) if clause.mentions else owner, item))
    return pairs + _contrast_evidence(sentence.clauses, owners)


def attribute_turn(
    sentences: Sequence[Sentence], topic: set[str], carried: set[str]
) -> tuple[dict[str, list[tuple[int, int, int]]], set[str]]:
    """Evaluations per actor in one participant turn, and the actors a following turn may refer back to.

    ``topic`` are the actors the interviewer's question named; ``carried`` those the previous answer ended on
    (empty unless it came right before).
    """
    evidence: dict[str, list[tuple[int, int, int]]] = {}
    last: set[str] = set()
    for sentence in sentences:
        if last:
            owner = last if sentence.refers_back else set()
        else:
            owner = topic or (carried if sentence.refers_back else set())
        if sentence.actors:
            owners = _clause_owners(sentence, owner)
            last_here = last_named(sentence)
        else:
            owners, last_here = [set(owner) for _ in sentence.clauses], last
        for actors, item in _sentence_evidence(sentence, owners):
            for actor in actors:
                evidence.setdefault(actor, []).append(item)
        last = last_here
    return evidence, last or (topic if not any(s.actors for s in sentences) else set())


def answer_to_evaluative_question(
    sentences: Sequence[Sentence], question_tone: Sequence[tuple[int, int, int]]
) -> dict[str, list[tuple[int, int, int]]]:
    """The question's evaluation for the actors an answer names first ("Var det noen som hjalp deg?" –
    "Helsesykepleieren.": she helped).

    Only when the question has one polarity and the answer's first sentence names actors: a "who" question
    answered by naming someone. A question with both polarities ("hva hjalp i den vanskelige perioden?")
    gives nothing.
    """
    polarities = {item[2] for item in question_tone}
    if len(polarities) != 1 or not sentences or not sentences[0].actors:
        return {}
    return {actor: list(question_tone) for actor in dict.fromkeys(sentences[0].actors)}
