"""Norwegian for the headings, titles and captions the phases give their reports.

The phases write their report sections in English; a report set to ``nb`` passes each heading, caption and
paragraph through :func:`translate`. Headings and captions are short and fixed, so an exact phrase table
(with a
few patterns for headings that name a variable) translates them reliably; a sentence the table does not know
stays in English rather than being machine-translated into something a NAV office would misread. Phases that
want their long paragraphs in Norwegian write them in both languages themselves (phase 1 does).
"""

from __future__ import annotations

import re
from typing import Any

_NB: dict[str, str] = {
    # titles
    "Phase 1 — mapping (kartlegging)": "Fase 1 — kartlegging",
    "Phase 2 — positive deviance (positive avvik)": "Fase 2 — positive avvik",
    "Phase 3 — effect of the new practice": "Fase 3 — effekt av ny praksis",
    "Regions compared": "Regioner sammenlignet",
    "Interview coding — themes for service design": "Koding av intervjuer — temaer for tjenestedesign",
    # phase 2
    "Summary": "Sammendrag",
    "Phase 2 at a glance.": "Fase 2 i korte trekk.",
    "Variable roles": "Variablenes roller",
    "Role of every column of the anonymised "
    "register.": "Rollen til hver kolonne i det anonymiserte registeret.",
    "Expected outcome": "Forventet utfall",
    "Calibration table.": "Kalibreringstabell.",
    "Calibration: observed against predicted, by tenth of predicted probability.": (
        "Kalibrering: observert mot predikert, etter tidel av predikert sannsynlighet."
    ),
    "Cross-validated performance of the candidate models (lower log loss and Brier are better).": (
        "Kryssvalidert treffsikkerhet for kandidatmodellene (lavere log-tap og Brier er bedre)."
    ),
    "Logistic regression (GLM, all rows): odds ratios of the good outcome with 95 % intervals.": (
        "Logistisk regresjon (GLM, alle rader): oddsratioer for det gode utfallet med 95 % intervall."
    ),
    "Risk distribution": "Fordeling av risiko",
    "Individual positive deviants": "Enkeltpersoner med positive avvik",
    "Base-rate check (counts below the minimum cell size are hidden).": (
        "Kontroll mot tilfeldighet (antall under minste cellestørrelse er skjult)."
    ),
    "pd_score and isolation-forest score side by side.": "Avviksskår og isolation-forest-skår side om side.",
    "Units": "Enheter",
    "Profile: how deviants differ": "Profil: hvordan de positive avvikerne skiller seg ut",
    "Characterising variables after matching on the risk factors.": (
        "Beskrivende variabler etter matching på risikofaktorene."
    ),
    "Deviants against high-risk non-deviants, every observed variable.": (
        "Positive avvikere mot andre med høy risiko, alle observerte variabler."
    ),
    "Overlap of propensity scores (deviants vs high-risk peers).": (
        "Overlapp i tilbøyelighetsskår (positive avvikere mot andre med høy risiko)."
    ),
    "Interview sampling frame": "Utvalgsramme for intervjuer",
    "People in the sampling frame by role.": "Personer i utvalgsrammen etter rolle.",
    "Limitations, in plain language": "Begrensninger, i klartekst",
    # coding
    "Coding of interview transcripts": "Koding av intervjutranskripsjoner",
    "Code frequencies (participant turns; small counts suppressed)": (
        "Hvor ofte hvert tema forekommer (deltakernes ytringer; små tall skjult)"
    ),
    "Co-occurrence of codes (cells below the minimum left blank)": (
        "Temaer som forekommer sammen (celler under minstegrensen står tomme)"
    ),
    "Most frequent code pairs": "De vanligste temaparene",
    "Actors around the young person": "Aktørene rundt den unge",
    "Which actors (NAV, OT, school, family …) each group mentions as part of a young person's help, "
    "how many people mention them and in which tone; counts below the minimum cell are hidden.": (
        "Hvilke aktører (NAV, OT, skolen, familien …) hver gruppe nevner som en del av hjelpen til den unge, "
        "hvor mange som nevner dem og i hvilken tone; tall under minstegrensen er skjult."
    ),
    "mean_fragmentation is the mean number of distinct public services per young person. On interviews "
    "written by others a young person's count was nearly always within one service of a careful reader's, "
    "but exact for only a little over half of them (BENCHMARKS.md, issue 17): read it as ±1.": (
        "mean_fragmentation er gjennomsnittlig antall ulike offentlige tjenester per ung person. I "
        "intervjuer skrevet av andre var antallet nesten alltid innenfor én tjeneste fra en nøye lesers, "
        "men likt for bare litt over halvparten (BENCHMARKS.md, sak 17): les det som ±1."
    ),
    "Actors by group (small cells suppressed)": "Aktører etter gruppe (små tall skjult)",
    "Themes by group: share of turns, Fisher exact test against the other groups, Benjamini-Hochberg q "
    "(turns "
    "within an interview are not independent: read p-values as descriptive)": (
        "Temaer etter gruppe: andel av ytringene, Fishers eksakte test mot de andre gruppene, "
        "Benjamini-Hochberg "
        "q (ytringer i samme intervju er ikke uavhengige: les p-verdiene som beskrivende)"
    ),
    "Reliability against human coding": "Samsvar med manuell koding",
    "Human vs machine, per code": "Menneske mot maskin, per tema",
    "Between human coders, per code": "Mellom menneskelige kodere, per tema",
    "Learned suggestions: cross-validated agreement with the human coder": (
        "Lærte forslag: kryssvalidert samsvar med den manuelle kodingen"
    ),
    "Candidate themes (NMF on lemma TF-IDF)": "Mulige nye temaer (NMF på lemma-TF-IDF)",
    "Collocations that could become multi-word keywords": "Ordforbindelser som kan bli nøkkelord",
    # phase 3
    "Effect of the practice (phase 3)": "Effekt av praksisen (fase 3)",
    "Effect estimates (shares as fractions: 0.031 = 3.1 percentage points).": "Effektestimater.",
    "Matched comparison of individuals": "Matchet sammenligning av enkeltpersoner",
    "Refutation of the matched comparison.": "Motprøver av den matchede sammenligningen.",
    "Love plot: balance on the risk factors before and after matching.": (
        "Balanse på risikofaktorene før og etter matching."
    ),
    "Interrupted time series": "Avbrutt tidsserie",
    "Monthly figures, the fitted segments and the pre-practice trend projected forward.": (
        "Månedstall, de tilpassede segmentene og trenden fra før praksisen, framskrevet."
    ),
    "Plain TWFE against the group-time estimator.": "Enkel TWFE mot gruppe-tid-estimatoren.",
    "Notes": "Merknader",
    "O/E with 95 % interval, empirical-Bayes shrunk O/E, z and flag (small cells hidden).": (
        "Observert/forventet (O/F) med 95 % intervall, krympet O/F (empirisk Bayes), z-verdi og markering "
        "(små tall skjult)."
    ),
}

_NB_FIGURES: dict[str, str] = {
    # texts inside the figures (axis labels, titles, legends, notes), see translate_figure
    "before": "før",
    "after matching": "etter matching",
    "|standardised mean difference| (treated SD)": (
        "|standardisert gjennomsnittsforskjell| (SD i tiltaksgruppen)"
    ),
    "Covariate balance (Love plot)": "Balanse i bakgrunnsvariabler (Love-plott)",
    "controls": "sammenligning",
    "treated": "tiltak",
    "logit of the propensity score": "logit av tilbøyelighetsskåren",
    "density": "tetthet",
    "Overlap of propensity scores": "Overlapp i tilbøyelighetsskårer",
    "precision (expected² / variance)": "presisjon (forventet² / varians)",
    "observed / expected successes": "observert / forventet antall som lyktes",
    "perfect calibration": "perfekt kalibrering",
    "predicted probability of the good outcome": "predikert sannsynlighet for godt utfall",
    "observed share with the good outcome": "observert andel med godt utfall",
    "high-risk cut-off": "grense for høy risiko",
    "predicted risk of the bad outcome (cross-fitted)": "predikert risiko for dårlig utfall (kryssvalidert)",
    "share of runs flagged (people flagged at least once)": (
        "andel kjøringer med markering (personer markert minst én gang)"
    ),
    "nobody was flagged in any run": "ingen ble markert i noen kjøring",
    "observed": "observert",
    "fitted": "tilpasset",
    "trend without the practice": "trend uten praksisen",
    "years relative to adoption (0 = first year with the practice)": (
        "år relativt til innføringen (0 = første år med praksisen)"
    ),
    "effect": "effekt",
    "TWFE event study": "TWFE-hendelsesstudie",
    "group-time ATT": "gruppe-tid-ATT",
    "young\nperson": "den\nunge",
    "tone": "tone",
    "positive": "positiv",
    "negative": "negativ",
    "mixed": "blandet",
    "neutral": "nøytral",
    "tone hidden (small counts)": "tone skjult (små tall)",
    "no actor mentioned, or every count hidden": "ingen aktør nevnt, eller alle tall skjult",
    "turns coded with both": "ytringer kodet med begge",
}

_NB_FIGURE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Funnel plot: (.+)$"), r"Traktplott: \1"),
    (re.compile(r"^(\d+(?:\.\d+)?)% limits$"), r"\1 %-grenser"),
    (re.compile(r"^(.+) \(cross-fitted\)$"), r"\1 (kryssvalidert)"),
    (re.compile(r"^Interrupted time series — (.+)$"), r"Avbrutt tidsserie — \1"),
    (re.compile(r"^Interrupted time series$"), r"Avbrutt tidsserie"),
    (
        re.compile(r"^Effect by years since adoption — (.+) level \((.+)\)$"),
        r"Effekt etter år siden innføring — \1 (\2)",
    ),
    (re.compile(r"^effect \((.+)\)$"), r"effekt (\1)"),
    (re.compile(r"^(.+): hidden people$"), r"\1: skjult antall personer"),
    (re.compile(r"^(.+): (\d+) people$"), r"\1: \2 personer"),
    (re.compile(r"^(.+)\nhidden$"), r"\1\nskjult"),
]

_NB_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Units: (.+)$"), r"Enheter: \1"),
    (re.compile(r"^Event study — (.+) level$"), r"Hendelsesstudie — nivå: \1"),
    (re.compile(r"^Funnel plot for (.+?): (.+) limits\.$"), r"Traktplott for \1: grenser \2."),
    (re.compile(r"^Study (.+)$"), r"Studie \1"),
    (
        re.compile(r"^System map: (.+?)\. System map per group: .*$", re.S),
        r"Systemkart: \1. Den unge i midten, aktørene gruppen nevner rundt. Tallet (og flaten) er hvor "
        r"mange i gruppen som nevner aktøren; strekens farge og mønster er tonen de beskriver (den "
        r"vanligste; likt er blandet). 'hidden': færre enn minstegrensen, eller skjult så et lite tall ikke "
        r"kan regnes ut. "
        r"Aktører ingen nevner er utelatt.",
    ),
    (
        re.compile(r"^Persistence across cohorts \((.+)\): a practice persists, luck does not\.$"),
        r"Varighet over kull (\1): en praksis varer, flaks gjør det ikke.",
    ),
]


def translate(text: str, language: str) -> str:
    """``text`` in ``language`` ('nb' or 'en'); unknown phrases are returned unchanged."""
    if language != "nb" or not text:
        return text
    if text in _NB:
        return _NB[text]
    for pattern, replacement in _NB_PATTERNS:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text


def translate_figure(fig: Any, language: str) -> Any:
    """Every text of a matplotlib figure (title, axis labels, legend entries, notes) in ``language``.

    The phases draw their figures with English labels; a Norwegian report passes each figure through here
    before it is embedded, so a NAV office reads "predikert sannsynlighet for godt utfall" under the axis. A
    label the tables do not know (a variable name, a number) stays as it is. Numeric tick labels get a decimal
    comma ("0,25"), as Norwegian text writes numbers. Returns ``fig``.
    """
    if language != "nb":
        return fig
    from matplotlib.text import Text

    from toolkit.report.figure_numbers import decimal_comma

    for artist in fig.findobj(Text):
        label = artist.get_text()
        shown = _figure_text(label) if label else label
        if shown != label:
            artist.set_text(shown)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            decimal_comma(axis)
    return fig


def _figure_text(label: str) -> str:
    if label in _NB_FIGURES:
        return _NB_FIGURES[label]
    for pattern, replacement in _NB_FIGURE_PATTERNS:
        if pattern.match(label):
            return pattern.sub(replacement, label)
    return label


__all__ = ["translate", "translate_figure"]
