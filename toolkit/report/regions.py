"""The region comparison report: intake, observed against expected success, flags and a funnel plot.

Written in the report's language (Norwegian for the demo) directly, not through the phrase table: its
paragraphs are long and fixed, and a reader at a directorate should not meet half-translated sentences.
The tables given here were suppressed for small cells by :mod:`toolkit.regions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the comparison is handed in; the report layer never imports the phases
    from toolkit.regions import RegionComparison

_TEXT = {
    "nb": {
        "intro_head": "Regioner sammenlignet",
        "intro": (
            "Samme protokoll er kjørt i {k} regioner. Én risikomodell er tilpasset på de unge fra alle "
            "regionene samlet (kryssvalidert), og hver regions forventede antall som lyktes er summen av "
            "modellens sannsynligheter for regionens unge. En region som får flere til å lykkes enn inntaket "
            "tilsier, ligger over forventet: den kan ha en praksis som er verdt å lære av. Egne modeller per "
            "region ville gjort hver region lik seg selv; bare en felles modell spør om regionens unge "
            "lyktes bedre enn unge som dem andre steder."
        ),
        "intake_head": "Inntak: hvem regionene har",
        "intake_caption": (
            "Antall unge, andel med hver risikofaktor, gjennomsnittlig predikert risiko og andel med høy "
            "risiko (øverste kvartil i den samlede modellen), per region. Små celler er skjult."
        ),
        "deviance_head": "Observert mot forventet",
        "deviance_caption": (
            "Observert og forventet antall som lyktes, O − E, kontrollgrenser ({limit}) for det "
            "observerte antallet, z og flagg. Små celler er skjult."
        ),
        "funnel_caption": (
            "Traktplott: observert/forventet mot presisjon, med 95 % og {limit} grenser. Regioner "
            "utenfor den ytre trakten er flagget."
        ),
        "flag_head": "Flaggede regioner",
        "flagged": "Flagget over forventet: {above}. Flagget under forventet: {below}.",
        "none": "ingen",
        "benchmark": (
            "Regioner som ble flagget over forventet i en første runde, er holdt utenfor "
            "sammenligningsgrunnlaget i andre runde (samme regel som for kommuner og skoler i fase 2), så én "
            "regions praksis ikke får de andre til å se dårligere ut enn de er."
        ),
        "limits_head": "Begrensninger",
        "limits": [
            "Med få regioner kan overspredning ikke anslås (færre enn 15 enheter), så grensene er de vanlige "
            "binomiske. Et flagg er en hypotese å undersøke i feltarbeid, ikke en dom.",
            "Modellen kjenner bare risikofaktorene i protokollen. Forskjeller i inntak som registeret ikke "
            "måler, kan se ut som en praksis.",
            "Hver regions egne fase 1- og fase 2-resultater ligger i regions/<region>/.",
        ],
        "per_region_head": "Hver region for seg",
        "per_region_caption": (
            "Hver regions egen fase 2 (egen modell): positive avvikere og enheter markert innad i regionen."
        ),
        "share_with": "Andel:",
    },
    "en": {
        "intro_head": "Regions compared",
        "intro": (
            "The same protocol was run in {k} regions. One risk model was fitted on the young people of all "
            "regions together (cross-fitted), and a region's expected number of successes is the sum of the "
            "model's probabilities for its young people. A region with more successes than its intake "
            "predicts lies above expectation: it may have a practice worth learning from. A model per region "
            "would make every region equal to itself; only a shared model asks whether a region's young "
            "people did better than young people like them elsewhere."
        ),
        "intake_head": "Intake: who the regions have",
        "intake_caption": (
            "Young people, share with each risk factor, mean predicted risk and share at high risk (top "
            "quarter of the pooled model), per region. Small cells are hidden."
        ),
        "deviance_head": "Observed against expected",
        "deviance_caption": (
            "Observed and expected successes, O − E, control limits ({limit}) for the observed count, z "
            "and flag. Small cells are hidden."
        ),
        "funnel_caption": (
            "Funnel plot: observed/expected against precision, with 95 % and {limit} limits. Regions "
            "outside the outer funnel are flagged."
        ),
        "flag_head": "Flagged regions",
        "flagged": "Flagged above expectation: {above}. Flagged below expectation: {below}.",
        "none": "none",
        "benchmark": (
            "Regions flagged above expectation in a first pass are left out of the benchmark in the second "
            "(phase 2's rule for municipalities and schools), so one region's practice does not make the "
            "others look worse than they are."
        ),
        "limits_head": "Limitations",
        "limits": [
            "With few regions over-dispersion cannot be estimated (fewer than 15 units), so the limits are "
            "the plain binomial ones. A flag is a hypothesis for fieldwork, not a verdict.",
            "The model knows only the protocol's risk factors. Differences in intake the register does not "
            "measure can look like a practice.",
            "Each region's own phase 1 and phase 2 results are under regions/<region>/.",
        ],
        "per_region_head": "Each region on its own",
        "per_region_caption": (
            "Each region's own phase 2 (its own model): positive deviants and units flagged inside it."
        ),
        "share_with": "Share:",
    },
}


def add_region_sections(report: Any, comparison: RegionComparison) -> None:
    """Every section of the region comparison report, in the report's language."""
    words = _TEXT["nb" if report.language == "nb" else "en"]
    limit = comparison.settings["unit_limit"]
    limit_text = f"{limit:.1%}"
    if report.language == "nb":  # 99,8 %
        limit_text = limit_text.replace(".", ",").replace("%", " %")
    deviance = comparison.tables["region_deviance"]
    report.add_heading(words["intro_head"])
    report.add_text(words["intro"].format(k=len(deviance)))

    report.add_heading(words["flag_head"])
    flags = deviance["flag"].fillna("")
    above = ", ".join(deviance.loc[flags == "above", "region"]) or words["none"]
    below = ", ".join(deviance.loc[flags == "below", "region"]) or words["none"]
    report.add_text(words["flagged"].format(above=above, below=below))
    report.add_text(words["benchmark"])

    report.add_heading(words["intake_head"])
    intake = comparison.tables["regions"]
    shown = intake[[c for c in intake.columns if not c.startswith("n_with_")]]
    share_with = words["share_with"]
    shown = shown.rename(
        columns={
            c: f"{share_with} {report.labels.column(c.removeprefix('share_with_')).lower()}"
            for c in shown.columns
            if c.startswith("share_with_")
        }
    )
    report.add_table(shown, words["intake_caption"])

    report.add_heading(words["deviance_head"])
    report.add_figure(
        comparison.funnel_plot(report.language), words["funnel_caption"].format(limit=limit_text)
    )
    columns = [
        "region", "n", "observed", "expected", "o_minus_e", "limit_low", "limit_high", "o_e", "z", "flag",
    ]  # fmt: skip
    report.add_table(deviance[columns], words["deviance_caption"].format(limit=limit_text))

    if "per_region" in comparison.tables:
        report.add_heading(words["per_region_head"])
        report.add_table(comparison.tables["per_region"], words["per_region_caption"])
    report.add_heading(words["limits_head"])
    report.add_list(words["limits"])
