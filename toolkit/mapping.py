"""Phase 1 — mapping (kartlegging): who is at risk, how often they succeed, and where.

Seed 004's phase 1 asks for "an overview through statistics of the characteristics of young people at risk".
This module turns the anonymised register into the descriptive tables that answer it: prevalence of each risk
factor, outcome rates by risk factor and by the number of risk factors a person has, and by sex, country
background and unit. Every count passes :func:`toolkit.disclosure.suppress_small_cells` before it
leaves this module, so the tables are publishable as they are.

What counts as "having" a risk factor, for the count of risk factors:

* a 0/1 column: the value 1;
* a numeric column: the quartile with the lowest success rate (so low ``grunnskolepoeng`` and high
  ``fravaer_prosent`` both count, without the user naming a direction);
* a categorical column: the level with the lowest success rate.

That rule is descriptive only; phase 2's risk model uses the factors as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.disclosure import suppress_small_cells, table_note
from toolkit.report.labels import Labels

DEFAULT_BREAKDOWNS = ("kjonn", "landbakgrunn")


def _is_binary(series: pd.Series) -> bool:
    values = set(pd.unique(series.dropna()))
    return bool(values) and values <= {0, 1}


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not _is_binary(series) and series.nunique() > 6


def _levels(series: pd.Series) -> pd.Series:
    """Levels to tabulate: quartile bins for numbers, the values themselves otherwise; missing is its own
    level."""
    if _is_numeric(series):
        try:
            binned = pd.qcut(series, 4, duplicates="drop")
        except ValueError:
            binned = pd.cut(series, 4)
        order = [str(c) for c in binned.cat.categories]
        labels = binned.astype("string").fillna("missing")
        # an ordered categorical keeps the quartiles in numeric order in every table (not "(35.9 …" before
        # "(9.9 …")
        return pd.Series(
            pd.Categorical(labels, categories=[*order, "missing"], ordered=True), index=series.index
        )
    return series.astype("string").fillna("missing")


def _rate_table(frame: pd.DataFrame, by: pd.Series, outcome: str) -> pd.DataFrame:
    grouped = frame[outcome].groupby(by, observed=True, sort=True)
    table = pd.DataFrame({"n": grouped.size(), "n_success": grouped.sum()}).reset_index()
    table = table.rename(columns={table.columns[0]: "level"})
    table["n"] = table["n"].astype("Int64")
    table["n_success"] = table["n_success"].astype("Int64")
    return table


def risk_indicator(series: pd.Series, success: pd.Series) -> pd.Series:
    """0/1 per person: does this person have the risk factor (see the module docstring for the rule)?"""
    if _is_binary(series):
        return series.fillna(0).astype(int)
    levels = _levels(series)
    rates = success.groupby(levels, observed=True).mean()
    rates = rates.drop("missing", errors="ignore")
    if rates.empty:
        return pd.Series(0, index=series.index)
    worst = rates.idxmin()
    return (levels == worst).astype(int)


@dataclass
class MappingResult:
    """Phase 1 tables (already suppressed) and the figures' data."""

    outcome: str
    risk_factors: list[str]
    units: list[str]
    min_cell: int
    n: int
    overall_rate: float
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """One row per risk factor: prevalence of the risk level and the success-rate gap it goes with."""
        return self.tables["risk_factor_summary"]

    def outputs(self) -> dict[str, pd.DataFrame]:
        """What phase 1 publishes (the results contract): every table as ``<name>.csv``."""
        return {f"{name}.csv": table for name, table in self.tables.items()}

    def summary_line(self) -> str:
        return (
            f"{self.n} young people, success rate {self.overall_rate:.1%}, "
            f"{len(self.risk_factors)} risk factors"
        )

    # ------------------------------------------------------------------------------------------ plots
    def plot_prevalence(self, labels: Labels | None = None):
        """Bar chart: share of young people with each risk factor."""
        labels = labels or Labels()
        plt = _pyplot()
        summary = self.tables["risk_factor_summary"].dropna(subset=["prevalence"])
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(summary) + 1.2))
        names = [labels.column(c) for c in summary["risk_factor"]]
        ax.barh(names, summary["prevalence"].astype(float) * 100, color="#4a78a8")
        ax.set_xlabel(
            _say(labels, "andel ungdommer med risikofaktoren (%)", "share of young people with it (%)")
        )
        ax.invert_yaxis()
        return fig

    def plot_risk_count(self, labels: Labels | None = None):
        """Line chart: success rate by the number of risk factors."""
        labels = labels or Labels()
        plt = _pyplot()
        counts = self.tables["outcome_by_risk_count"].dropna(subset=["success_rate"])
        fig, ax = plt.subplots(figsize=(6, 3.2))
        ax.plot(
            counts["n_risk_factors"].astype(str),
            counts["success_rate"].astype(float) * 100,
            marker="o",
            color="#b5533c",
        )
        ax.set_ylim(0, 100)
        ax.set_xlabel(_say(labels, "antall risikofaktorer", "number of risk factors"))
        ax.set_ylabel(
            _say(labels, "andel som lyktes (%)", "success rate (%)") + f"\n{labels.column(self.outcome)}"
        )
        return fig

    def plot_breakdown(self, variable: str, labels: Labels | None = None):
        """Bar chart: raw success rate per level of ``variable`` (a unit, sex, background)."""
        labels = labels or Labels()
        plt = _pyplot()
        table = self.tables[f"by_{variable}"].dropna(subset=["success_rate"])
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(table) + 1.2))
        missing = _say(labels, "mangler", "missing")
        names = [missing if v == "missing" else labels.value(variable, v) or str(v) for v in table["level"]]
        ax.barh(names, table["success_rate"].astype(float) * 100, color="#6a9a5b")
        ax.axvline(self.overall_rate * 100, color="grey", linestyle="--", linewidth=1)
        ax.set_xlim(0, 100)
        ax.set_xlabel(_say(labels, "andel som lyktes (%) (stiplet: alle)", "success rate (%) (dashed: all)"))
        ax.invert_yaxis()
        return fig

    def add_to_report(self, report: Any) -> None:
        """Add the phase 1 sections (text, tables, figures) to a :class:`toolkit.report.Report`."""
        labels: Labels = getattr(report, "labels", None) or Labels()
        nb = labels.language == "nb"
        outcome = labels.column(self.outcome)
        note = table_note(self.min_cell, language="nb" if nb else "en")
        rate = f"{self.overall_rate:.1%}".replace(".", ",") if nb else f"{self.overall_rate:.1%}"
        report.add_heading("Hvem er med i dataene" if nb else "Who is in the data")
        report.add_text(
            f"{self.n} ungdommer i protokollens populasjon. Utfall: «{outcome}» (1 = det gode utfallet); "
            f"{rate} lyktes. {note}"
            if nb
            else f"{self.n} young people in the population of the protocol. Outcome: '{outcome}' "
            f"(1 = the good outcome); {rate} succeeded. {note}"
        )
        report.add_heading(
            "Risikofaktorer: forekomst og utfall" if nb else "Risk factors: prevalence and outcome"
        )
        report.add_text(
            "For hver risikofaktor: andelen ungdommer som har den, og andelen som lyktes med og uten den. "
            "Tall er "
            "delt i kvartiler; kvartilen eller kategorien med lavest andel som lyktes, regnes som å «ha» "
            "faktoren."
            if nb
            else "For each risk factor, the share of young people who have it and the success rate with and "
            "without it. Numbers are grouped in quartiles; the quartile or category with the lowest success "
            "rate "
            "counts as 'having' the factor."
        )
        report.add_table(self.tables["risk_factor_summary"], "Risikofaktorer" if nb else "Risk factors")
        report.add_figure(
            self.plot_prevalence(labels),
            "Forekomst av hver risikofaktor" if nb else "Prevalence of each risk factor",
        )
        report.add_table(
            self.tables["risk_factors"],
            "Andel som lyktes, etter nivå på hver risikofaktor"
            if nb
            else "Outcome rate by level of each risk factor",
        )
        report.add_heading("Risikofaktorer hoper seg opp" if nb else "Risk factors add up")
        report.add_text(
            "Andel som lyktes, etter hvor mange risikofaktorer ungdommen har. Positive avvikere finnes blant "
            "dem "
            "med mange risikofaktorer som likevel lyktes."
            if nb
            else "Success rate by the number of risk factors a young person has. Positive deviants are found "
            "among those with many risk factors who still succeeded."
        )
        report.add_table(
            self.tables["outcome_by_risk_count"],
            "Utfall etter antall risikofaktorer" if nb else "Outcome by number of risk factors",
        )
        report.add_figure(
            self.plot_risk_count(labels),
            "Andelen som lykkes, faller når risikofaktorene hoper seg opp"
            if nb
            else "Success rate falls as risk factors add up",
        )
        for name, table in self.tables.items():
            if name.startswith("by_"):
                self._add_breakdown(report, name.removeprefix("by_"), table, labels)

    def _add_breakdown(self, report: Any, variable: str, table: pd.DataFrame, labels: Labels) -> None:
        nb = labels.language == "nb"
        label = _in_sentence(labels.column(variable))
        report.add_heading(f"Etter {label}" if nb else f"By {label}")
        shown = table.rename(columns={"level": variable})
        report.add_table(
            shown,
            f"Andel som lyktes og risiko, etter {label}" if nb else f"Success rate and risk by {label}",
        )
        if variable in self.units:
            report.add_figure(
                self.plot_breakdown(variable, labels),
                f"Rå andel som lyktes, etter {label}. Fase 2 sammenligner hver enhet med det inntaket "
                "tilsier."
                if nb
                else f"Raw success rate by {label}. Phase 2 compares each unit with what its intake "
                "predicts.",
            )


def _in_sentence(label: str) -> str:
    """A label inside a sentence: "Kommune" → "kommune", but "NAV-kontor" keeps its capitals."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _say(labels: Labels, nb: str, en: str) -> str:
    return nb if labels.language == "nb" else en


def _pyplot():
    """pyplot, imported late; the backend is left to the caller (inline in Jupyter, Agg for the CLI and
    tests)."""
    import matplotlib.pyplot as plt

    return plt


def map_risk(
    frame: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: list[str],
    units: list[str] = (),  # type: ignore[assignment]
    breakdowns: tuple[str, ...] = DEFAULT_BREAKDOWNS,
    min_cell: int = 5,
) -> MappingResult:
    """Compute the phase 1 tables. ``frame`` is the anonymised register restricted to the population."""
    frame = frame.dropna(subset=[outcome]).copy()
    success = frame[outcome].astype(int)
    frame[outcome] = success
    levels = _risk_factor_levels(frame, risk_factors, outcome, min_cell=min_cell)
    indicators = pd.DataFrame(
        {factor: risk_indicator(frame[factor], success) for factor in risk_factors}, index=frame.index
    )
    count = indicators.sum(axis=1).clip(upper=4)
    tables: dict[str, pd.DataFrame] = {
        "risk_factor_summary": _risk_factor_summary(indicators, risk_factors, success, min_cell=min_cell),
        "risk_factors": levels,
        "outcome_by_risk_count": _outcome_by_risk_count(frame, count, outcome, min_cell=min_cell),
    }
    frame["_n_risk"] = count
    for var in [*[b for b in breakdowns if b in frame.columns and b not in units], *units]:
        tables[f"by_{var}"] = _breakdown(frame, var, outcome, min_cell=min_cell)
    return MappingResult(
        outcome=outcome,
        risk_factors=list(risk_factors),
        units=list(units),
        min_cell=min_cell,
        n=len(frame),
        overall_rate=float(success.mean()),
        tables=tables,
    )


def _risk_factor_levels(
    frame: pd.DataFrame, risk_factors: list[str], outcome: str, *, min_cell: int
) -> pd.DataFrame:
    """Every level of every risk factor: people, share, success rate (small cells suppressed per factor)."""
    level_tables = []
    for factor in risk_factors:
        table = _rate_table(frame, _levels(frame[factor]), outcome)
        table.insert(0, "variable", factor)
        level_tables.append(table)
    levels = pd.concat(level_tables, ignore_index=True)
    levels["share"] = levels["n"] / levels.groupby("variable")["n"].transform("sum")
    levels["success_rate"] = levels["n_success"] / levels["n"]
    return suppress_small_cells(
        levels,
        min_cell=min_cell,
        count_cols=["n", "n_success"],
        total_col="n",
        derived={"share": ["n"], "success_rate": ["n_success", "n"]},
        group_cols=["variable"],
    )


def _risk_factor_summary(
    indicators: pd.DataFrame, risk_factors: list[str], success: pd.Series, *, min_cell: int
) -> pd.DataFrame:
    """One row per risk factor: how many have it, and the success rate with and without it (the gap)."""
    summary_rows = []
    for factor in risk_factors:
        has = indicators[factor]
        n_with = int(has.sum())
        summary_rows.append(
            {
                "risk_factor": factor,
                "n": len(indicators),
                "n_with": n_with,
                "n_success_with": int(success[has == 1].sum()),
                "n_without": len(indicators) - n_with,
                "n_success_without": int(success[has == 0].sum()),
            }
        )
    summary = pd.DataFrame(summary_rows)
    for col in ("n", "n_with", "n_success_with", "n_without", "n_success_without"):
        summary[col] = summary[col].astype("Int64")
    summary["prevalence"] = summary["n_with"] / summary["n"]
    summary["success_rate_with"] = summary["n_success_with"] / summary["n_with"]
    summary["success_rate_without"] = summary["n_success_without"] / summary["n_without"]
    summary["gap"] = summary["success_rate_without"] - summary["success_rate_with"]
    return _suppress_summary(summary, min_cell)


def _outcome_by_risk_count(
    frame: pd.DataFrame, count: pd.Series, outcome: str, *, min_cell: int
) -> pd.DataFrame:
    """Success rate by the number of risk factors a person has (0, 1, 2, 3, 4+)."""
    count_label = count.map(lambda v: "4+" if v >= 4 else str(int(v)))
    by_count = _rate_table(frame, count_label, outcome).rename(columns={"level": "n_risk_factors"})
    by_count["share"] = by_count["n"] / by_count["n"].sum()
    by_count["success_rate"] = by_count["n_success"] / by_count["n"]
    return suppress_small_cells(
        by_count,
        min_cell=min_cell,
        count_cols=["n", "n_success"],
        total_col="n",
        derived={"share": ["n"], "success_rate": ["n_success", "n"]},
    )


def _breakdown(frame: pd.DataFrame, var: str, outcome: str, *, min_cell: int) -> pd.DataFrame:
    """Success rate and mean number of risk factors (``_n_risk``) by one variable's values."""
    table = _rate_table(frame, frame[var].astype("string").fillna("missing"), outcome)
    mean_risk = frame.groupby(frame[var].astype("string").fillna("missing"), observed=True)["_n_risk"].mean()
    table["success_rate"] = table["n_success"] / table["n"]
    table["mean_risk_factors"] = table["level"].map(mean_risk).astype(float)
    return suppress_small_cells(
        table,
        min_cell=min_cell,
        count_cols=["n", "n_success"],
        total_col="n",
        derived={"success_rate": ["n_success", "n"], "mean_risk_factors": ["n"]},
    )


def _suppress_summary(summary: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Suppress the with/without halves of the summary as two small tables sharing the row total."""
    with_part = suppress_small_cells(
        summary[["risk_factor", "n", "n_with", "n_success_with", "prevalence", "success_rate_with"]].rename(
            columns={"n_with": "count", "n_success_with": "success"}
        ),
        min_cell=min_cell,
        count_cols=["count", "success"],
        total_col="count",
        derived={"prevalence": ["count"], "success_rate_with": ["success", "count"]},
    )
    without_part = suppress_small_cells(
        summary[["risk_factor", "n_without", "n_success_without", "success_rate_without"]].rename(
            columns={"n_without": "count", "n_success_without": "success"}
        ),
        min_cell=min_cell,
        count_cols=["count", "success"],
        total_col="count",
        derived={"success_rate_without": ["success", "count"]},
    )
    out = pd.DataFrame({"risk_factor": summary["risk_factor"]})
    out["n"] = summary["n"]
    out["n_with"] = with_part["count"]
    out["prevalence"] = with_part["prevalence"]
    out["success_rate_with"] = with_part["success_rate_with"]
    out["n_without"] = without_part["count"]
    out["success_rate_without"] = without_part["success_rate_without"]
    gap = out["success_rate_without"].astype("Float64") - out["success_rate_with"].astype("Float64")
    out["gap"] = gap
    return out


def add_disclosure_section(report: Any, disclosure: dict[str, Any]) -> None:
    """How the register was anonymised, as a short table in words (``disclosure.json`` has every figure)."""
    labels: Labels = getattr(report, "labels", None) or Labels()
    nb = labels.language == "nb"
    report.add_heading(
        "Personvern: slik ble registeret anonymisert" if nb else "Disclosure control of the released register"
    )
    report.add_text(
        "Før analysen ble fødselsnummer byttet ut med pseudonymer, direkte identifikatorer fjernet og "
        "bakgrunnsopplysninger grovinndelt eller skjult til hver kombinasjon gjaldt minst k personer. Alle "
        "tall "
        "og definisjoner står i anonymised/disclosure.json."
        if nb
        else "Before any analysis, identity numbers were replaced by pseudonyms, direct identifiers removed "
        "and "
        "background variables generalised or suppressed until every combination held at least k people. "
        "Every "
        "figure and its definition is in anonymised/disclosure.json."
    )
    rows = [(what, result) for what, result in _disclosure_rows(disclosure, labels) if result]
    column_what, column_result = ("Hva", "Resultat") if nb else ("What", "Result")
    report.add_table(
        pd.DataFrame(rows, columns=[column_what, column_result]),
        "Anonymisering i korte trekk" if nb else "Anonymisation in brief",
        text=True,
    )


def _pct(value: Any, labels: Labels) -> str:
    text = f"{float(value):.1%}"
    return text.replace(".", ",").replace("%", " %") if labels.language == "nb" else text


def _rule_words(rule: Any, labels: Labels) -> str:
    """A quasi-identifier rule in words: ``[1996, 1998]`` → "grouped from 1996, 1998"."""
    nb = labels.language == "nb"
    if isinstance(rule, list):
        cuts = ", ".join(str(int(v)) if float(v).is_integer() else str(v) for v in rule)
        return f"grovinndelt i grupper fra {cuts}" if nb else f"grouped into bands starting at {cuts}"
    words = {
        "year": ("bare året", "year only"),
        "month": ("bare måned og år", "month and year only"),
        "keep": ("beholdt", "kept"),
        "drop": ("fjernet", "removed"),
        "municipality": ("til kommune", "to municipality"),
        "region": ("til region", "to region"),
    }
    return words.get(str(rule), (str(rule), str(rule)))[0 if nb else 1]


def _disclosure_rows(d: dict[str, Any], labels: Labels) -> list[tuple[str, str]]:
    """(what, result) sentences for the disclosure table; figures the report has not are left out."""
    nb = labels.language == "nb"
    name = labels.column
    dropped = ", ".join(name(c) for c in d.get("dropped_columns", []))
    rules = d.get("quasi_identifiers", {})
    generalised = "; ".join(
        f"{name(c)}: {_rule_words(r, labels)}" for c, r in rules.items() if r not in ("keep", "drop")
    )
    kept = ", ".join(name(c) for c, r in rules.items() if r == "keep")
    risk = d.get("risk", {})
    before, after = risk.get("before", {}), risk.get("after", {})
    l_reached = d.get("l_reached") or {}
    rows = [
        (
            "Identitetsnummer" if nb else "Identity numbers",
            ("erstattet med pseudonymer (nøkkel " if nb else "replaced by pseudonyms (key ")
            + f"{d.get('key_id', '?')})",
        ),
        ("Fjernet" if nb else "Removed", dropped),
        ("Grovinndelt" if nb else "Generalised", generalised),
        ("Beholdt som de var" if nb else "Kept as they were", kept),
    ]
    if "rows_touched" in d:
        rows.append(
            (
                "Skjult" if nb else "Suppressed",
                (
                    f"{d['cells_suppressed']} verdier hos {d['rows_touched']} personer "
                    f"({_pct(d['share_rows_touched'], labels)}); {d.get('rows_removed', 0)} personer tatt ut"
                    if nb
                    else f"{d['cells_suppressed']} values of {d['rows_touched']} people "
                    f"({_pct(d['share_rows_touched'], labels)}); {d.get('rows_removed', 0)} people left out"
                ),
            )
        )
    if "k_reached" in d:
        rows.append(
            (
                "k-anonymitet" if nb else "k-anonymity",
                f"krav k = {d.get('k_requested')}, oppnådd k = {d['k_reached']} (minste gruppe)"
                if nb
                else f"required k = {d.get('k_requested')}, reached k = {d['k_reached']} (smallest group)",
            )
        )
    if l_reached:
        shown = ", ".join(f"{name(c)}: {v}" for c, v in l_reached.items())
        rows.append(
            (
                "l-diversitet" if nb else "l-diversity",
                f"krav l = {d.get('l_requested')}; oppnådd {shown}"
                if nb
                else f"required l = {d.get('l_requested')}; reached {shown}",
            )
        )
    if before and after:
        rows.append(
            (
                "Risiko for gjenkjenning" if nb else "Re-identification risk",
                (
                    f"høyeste risiko {_pct(before['prosecutor_risk_max'], labels)} før og "
                    f"{_pct(after['prosecutor_risk_max'], labels)} etter; personer med unik kombinasjon: "
                    f"{before['sample_uniques']} før, {after['sample_uniques']} etter"
                    if nb
                    else f"highest risk {_pct(before['prosecutor_risk_max'], labels)} before and "
                    f"{_pct(after['prosecutor_risk_max'], labels)} after; people with a unique combination: "
                    f"{before['sample_uniques']} before, {after['sample_uniques']} after"
                ),
            )
        )
    return rows


__all__ = ["MappingResult", "map_risk", "risk_indicator", "add_disclosure_section"]
