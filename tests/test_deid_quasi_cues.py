"""Quasi-identifiers found by a general cue rather than a list of names: a firm after "hos" or a workplace cue
with a known place, an office and its town, a kind word that ends a name only after "hos",
a town centre, a road number, a part of town after the town one lives in, a day and a month, and
ages said in words after a name or a guess. All names and sentences are invented."""

from __future__ import annotations

import pytest

from toolkit.deidentify import Deidentifier


@pytest.fixture(scope="module")
def covered():
    d = Deidentifier()

    def run(text: str, piece: str) -> bool:
        """True when every character of ``piece`` (first occurrence) lies in a found span."""
        start = text.index(piece)
        spans = d.analyze(text)
        return all(
            any(s.start <= i < s.end for s in spans)
            for i in range(start, start + len(piece))
            if not text[i].isspace()
        )

    return run


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("d: han har fått lærlingplass på tynset marine og gleder seg", "tynset marine"),
        ("d: nå er jeg på arbeidstrening hos grønt lillehammer to dager i uka", "grønt lillehammer"),
        ("d: i vår var jeg på et kurs hos nordlys kompetanse i byen", "nordlys kompetanse"),
        ("d: veilederen min i introtjenesten hamar ringer meg hver uke", "introtjenesten hamar"),
        ("d: vi har kafé i frivillighetssentralen i furnes om torsdagene", "frivillighetssentralen i furnes"),
        ("d: broren min har jobba på lageret til biltema siden jul", "biltema"),
        ("d: faren min er sveiser hos hydro i to skift", "hydro"),
        ("d: hun har jobbet på lager hos brynildsen på rodeløkka", "brynildsen"),
        ("d: hu går på campus rælingen og skal bli lærer", "campus rælingen"),
    ],
)
def test_organisations_by_their_context(covered, text: str, piece: str) -> None:
    assert covered(text, piece)


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("d: Vi satt på en kafé i Hamar sentrum hele kvelden.", "Hamar sentrum"),
        ("d: Han spiller gitar på Gjøvik torv om lørdagene.", "Gjøvik torv"),
        ("d: Bussen sto fast på E16 ved Fagernes i to timer.", "E16"),
        ("d: jeg bor i elverum på leiret sammen med faren min", "leiret"),
        ("d: kommunen flytter meg til bjørke neste måned", "bjørke"),
        ("d: eg e frå stokka i elverum men bur i oslo no", "stokka"),
        ("d: vi budde i leiren kakuma i tre år", "kakuma"),
        ("d: om kvelden sykler jeg rundt storsjøvatnet med hunden", "storsjøvatnet"),
        ("d: jeg har arbeidstrening hos nordvik kompetanse i ski to dager", "ski"),
        ("d: først bodde vi på mottak i sande et halvt år", "sande"),
    ],
)
def test_places_by_their_context(covered, text: str, piece: str) -> None:
    assert covered(text, piece)


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("d: Tannlegetimen er flyttet til 23.09, sa de.", "23.09"),
        ("d: Vi har satt av 12/10 til flyttinga.", "12/10"),
        ("d: Han sendte sms: «Vi ses 03/11 kl 10».", "03/11"),
    ],
)
def test_day_and_month_without_a_year(covered, text: str, piece: str) -> None:
    assert covered(text, piece)


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("d: i fjor var eg på opphald på hovjetunet i fire veker", "hovjetunet"),
        ("d: først gikk jeg på innføring og så nordre lia videregående i to år", "nordre lia videregående"),
        ("d: nå tar jeg fag på voksenskolen nord om kveldene", "voksenskolen nord"),
        ("d: Tannlegen på Rådhusets plass tannklinikk var grei.", "Rådhusets plass tannklinikk"),
    ],
)
def test_firms_after_a_workplace_cue(covered, text: str, piece: str) -> None:
    assert covered(text, piece)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("d: Jeg jobber som truckfører for Flisbakk om natta.", "Flisbakk"),
        ("d: Han fikk gjeld hos Betalo, og så ble det verre.", "Betalo"),
        ("d: Jeg håper å få fast jobb på lageret til Hovde neste år.", "Hovde"),
    ],
)
def test_the_context_finder_takes_a_capitalised_name_after_a_workplace_cue(text: str, name: str) -> None:
    # the model often finds these alone; the rule is for the turns where it does not
    from toolkit.deidentify.org_context import ContextOrganisationFinder

    assert name in {text[s.start : s.end] for s in ContextOrganisationFinder().find(text)}


def test_the_context_finder_leaves_a_kept_service_and_a_place() -> None:
    from toolkit.deidentify.org_context import ContextOrganisationFinder

    text = "d: Jeg jobber hos NAV nå, og praksis i Bergen."
    assert not ContextOrganisationFinder().find(text)


def test_a_trade_firm_with_two_trades(covered) -> None:
    assert covered("d: Onkelen min har et lite firma, Moen Tak og Glass, som går bra.", "Moen Tak og Glass")


def test_a_clock_time_is_no_date(covered) -> None:
    text = "d: Vi begynte kl. 10.11 den dagen."
    assert not covered(text, "10.11")


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("d: Naboen heter Per Ole, han er bare tjueni selv.", "tjueni"),
        ("d: Vi bor med lille Ingrid, som er fire. Huset er lite.", "fire"),
        ("d: Kontaktpersonen er ung, kanskje tjuefem, og blid.", "tjuefem"),
        ("d: Deltakerne er mellom 17 og 24, stort sett.", "17"),
        ("d: og tvillingbroren kasper som er femten han spiller fotball", "femten"),
        ("d: Fetteren min Trym va ni. Da flytta vi.", "ni"),
        ("d: Jeg passet tvillingene. De var fire og seks da.", "seks"),
        ("d: Det er søstera mi, hun bor i Moss. Nitten. Hun studerer.", "Nitten"),
        ("d: Hun var sammen med en fyr, Ruben, som var 23 – altfor gammel for henne.", "23"),
        ("d: To barn: Sara Lie, 12, og Jon Lie, 8 år. Begge går på skolen.", "8 år"),
        ("d: Hun er den yngste, bare 15. Hun bor hos faren.", "15"),
        ("d: Naboen ringte, en mann på 34 som bor over oss.", "34"),
        ("d: Kusina mi Tiril på 15 overnatter her i helgene.", "15"),
    ],
)
def test_ages_in_words(covered, text: str, piece: str) -> None:
    assert covered(text, piece)


@pytest.mark.parametrize(
    ("text", "piece"),
    [
        ("d: jeg jobber hos mamma hamar av og til", "mamma"),
        ("d: han har relevant kompetanse hos oss", "kompetanse"),
        ("d: vi var på kontoret i morgen tidlig", "kontoret"),
        ("d: jeg bor i elverum på hybel nå", "hybel"),
        ("d: Jeg har søkt bostøtte, men den står på mammas navn.", "mammas"),
        ("d: han jobber hos kommunens vaktmester", "kommunens"),
        ("d: de unge, kanskje tretti på lista, møter vi hver uke", "tretti"),
        ("d: Møtet er i rom 2.11 i andre etasje.", "2.11"),
        ("d: En sekk på 25 kilo er tung.", "25"),
        ("d: vi spiste på skoletunet hver dag", "skoletunet"),
        ("d: men ungdomsskolen på bekkelaget var tung", "ungdomsskolen"),
        ("d: Hvor mange var dere? Tjue. Det var mange.", "Tjue"),
    ],
)
def test_no_mask_without_a_name(covered, text: str, piece: str) -> None:
    assert not covered(text, piece)
