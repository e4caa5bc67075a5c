"""Labels: what a report calls a column or a value, in the report's language.

A NAV office reads "Fravær (prosent)", not ``fravaer_prosent``, and "Kongsvinger", not ``3401``. Labels come
from,
in order of precedence:

1. the study's data dictionary (``report.dictionary``: a CSV of ``column,label,description``, and optionally
   ``values`` such as ``K=Kvinne; M=Mann`` for the labels of coded values);
2. variable and value labels stored in an SPSS (.sav) or Stata (.dta) register;
3. the toolkit's own names for the columns it computes (``success_rate`` → "Andel som lyktes");
4. the column name made readable (underscores to spaces, first letter capital), so that no table header is a
   raw name even for a column nobody labelled.

Municipality codes become names through :mod:`toolkit.report.places`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.report.places import kommune_name

# The toolkit's own output columns: (Norwegian, English).
_OWN: dict[str, tuple[str, str]] = {
    "n": ("Antall", "Number"),
    "n_success": ("Antall som lyktes", "Number who succeeded"),
    "success_rate": ("Andel som lyktes", "Success rate"),
    "share": ("Andel", "Share"),
    "level": ("Nivå", "Level"),
    "variable": ("Variabel", "Variable"),
    "suppressed": ("Skjult (lite tall)", "Hidden (small count)"),
    "mean_risk_factors": ("Snitt antall risikofaktorer", "Mean number of risk factors"),
    "n_risk_factors": ("Antall risikofaktorer", "Number of risk factors"),
    "risk_factor": ("Risikofaktor", "Risk factor"),
    "n_with": ("Antall med", "Number with"),
    "n_without": ("Antall uten", "Number without"),
    "prevalence": ("Andel med", "Prevalence"),
    "success_rate_with": ("Andel som lyktes, med", "Success rate, with"),
    "success_rate_without": ("Andel som lyktes, uten", "Success rate, without"),
    "gap": ("Forskjell", "Gap"),
    "unit": ("Enhet", "Unit"),
    "unit_var": ("Enhetstype", "Unit type"),
    "observed": ("Observert", "Observed"),
    "expected": ("Forventet", "Expected"),
    "observed_rate": ("Observert andel", "Observed rate"),
    "expected_rate": ("Forventet andel", "Expected rate"),
    "excess_rate": ("Merandel", "Excess rate"),
    "excess_rate_shrunk": ("Merandel (krympet)", "Excess rate (shrunk)"),
    "o_e": ("Observert/forventet", "Observed/expected"),
    "o_e_shrunk": ("Observert/forventet (krympet)", "Observed/expected (shrunk)"),
    "o_e_ci_low": ("O/F, nedre grense", "O/E, lower limit"),
    "o_e_ci_high": ("O/F, øvre grense", "O/E, upper limit"),
    "z": ("z-verdi", "z"),
    "z_adjusted": ("z-verdi (justert)", "z (adjusted)"),
    "z_first_pass": ("z-verdi (første runde)", "z (first pass)"),
    "flag": ("Markering", "Flag"),
    "flag_first_pass": ("Markering (første runde)", "Flag (first pass)"),
    "too_small": ("For liten", "Too small"),
    # regions (toolkit.regions)
    "region": ("Region", "Region"),
    "mean_predicted_risk": ("Snitt predikert risiko", "Mean predicted risk"),
    "n_high_risk": ("Antall med høy risiko", "Number at high risk"),
    "share_high_risk": ("Andel med høy risiko", "Share at high risk"),
    "o_minus_e": ("Observert − forventet", "Observed − expected"),
    "limit_low": ("Nedre kontrollgrense", "Lower control limit"),
    "limit_high": ("Øvre kontrollgrense", "Upper control limit"),
    "limit_95_low": ("Nedre 95 %-grense", "Lower 95 % limit"),
    "limit_95_high": ("Øvre 95 %-grense", "Upper 95 % limit"),
    "positive_deviants": ("Positive avvikere", "Positive deviants"),
    "units_flagged": ("Enheter markert", "Units flagged"),
    "phase3": ("Fase 3", "Phase 3"),
    "no_unit": ("Uten enhet", "No unit"),
    "cohorts": ("Kull", "Cohorts"),
    "cohort": ("Kull", "Cohort"),
    "cohorts_above_expected": ("Kull over forventet", "Cohorts above expected"),
    "in_benchmark": ("I sammenligningsgrunnlaget", "In the benchmark"),
    "ci_low": ("Nedre grense (95 %)", "Lower limit (95%)"),
    "ci_high": ("Øvre grense (95 %)", "Upper limit (95%)"),
    "p_value": ("p-verdi", "p-value"),
    "p": ("p-verdi", "p-value"),
    "q": ("q-verdi (justert)", "q-value (adjusted)"),
    "q_value": ("q-verdi (justert)", "q-value (adjusted)"),
    "odds_ratio": ("Oddsratio", "Odds ratio"),
    "term": ("Ledd", "Term"),
    "estimate": ("Estimat", "Estimate"),
    "se": ("Standardfeil", "Standard error"),
    "estimand": ("Hva som måles", "Estimand"),
    "method": ("Metode", "Method"),
    "primary": ("Hovedanalyse", "Primary"),
    "role": ("Rolle", "Role"),
    "model": ("Modell", "Model"),
    "measure": ("Mål", "Measure"),
    "value": ("Verdi", "Value"),
    "smd": ("Standardisert forskjell", "Standardised difference"),
    "smd_before": ("Standardisert forskjell før", "SMD before"),
    "smd_after": ("Standardisert forskjell etter", "SMD after"),
    "covariate": ("Bakgrunnsvariabel", "Covariate"),
    "mean_deviants": ("Snitt, positive avvikere", "Mean, positive deviants"),
    "mean_comparison": ("Snitt, sammenligning", "Mean, comparison"),
    "mean_matched_peers": ("Snitt, matchede jevnaldrende", "Mean, matched peers"),
    "n_deviants": ("Antall positive avvikere", "Number of positive deviants"),
    "n_comparison": ("Antall i sammenligning", "Number compared"),
    "pd_score": ("Avviksskår", "Deviance score"),
    "pid": ("Pseudonym", "Pseudonym"),
    "rank": ("Rangering", "Rank"),
    "auc": ("AUC", "AUC"),
    "brier": ("Brier-skår", "Brier score"),
    "log_loss": ("Log-tap", "Log loss"),
    "significant": ("Signifikant", "Significant"),
    "code_id": ("Tema", "Theme"),
    "code": ("Tema", "Theme"),
    "name": ("Navn", "Name"),
    "group": ("Gruppe", "Group"),
    "source": ("Intervju", "Interview"),
    "n_turns": ("Antall ytringer", "Number of turns"),
    "n_transcripts": ("Antall intervjuer", "Number of interviews"),
    "n_units": ("Antall enheter", "Number of units"),
    "step": ("Trinn", "Step"),
    "period": ("Periode", "Period"),
    "year": ("År", "Year"),
    "aar": ("År", "Year"),
    "kommune": ("Kommune", "Municipality"),
    "kommunenavn": ("Kommune", "Municipality"),
    "above_expected": ("Over forventet", "Above expected"),
    "bin": ("Intervall", "Bin"),
    "chosen": ("Valgt", "Chosen"),
    "coding": ("Koding", "Coding"),
    "expected_by_chance": ("Forventet ved tilfeldighet", "Expected by chance"),
    "gain_se": ("Gevinst, standardfeil", "Gain, standard error"),
    "item": ("Hva", "Item"),
    "log_loss_gain_vs_logit": ("Gevinst i log-tap mot logit", "Log-loss gain over logit"),
    "mean_predicted": ("Snitt predikert", "Mean predicted"),
    "rows_compared": ("Rader sammenlignet", "Rows compared"),
    "share_of_high_risk": ("Andel av høy risiko", "Share of high risk"),
    "bigram": ("Ordpar", "Word pair"),
    "candidate": ("Kandidat", "Candidate"),
    "closest_code": ("Nærmeste tema", "Closest theme"),
    "code_a": ("Tema A", "Theme A"),
    "code_b": ("Tema B", "Theme B"),
    "count": ("Antall", "Count"),
    "jaccard": ("Jaccard-likhet", "Jaccard similarity"),
    "n_both": ("Antall med begge", "Number with both"),
    "n_coded": ("Antall kodet", "Number coded"),
    "n_segments": ("Antall ytringer", "Number of turns"),
    "n_sources": ("Antall intervjuer", "Number of interviews"),
    "score": ("Skår", "Score"),
    "share_keywords": ("Andel nøkkelord", "Share of keywords"),
    "share_of_units": ("Andel av ytringene", "Share of turns"),
    "share_other_groups": ("Andel i de andre gruppene", "Share in the other groups"),
    "top_terms": ("Viktigste ord", "Top terms"),
    "topic": ("Emne", "Topic"),
    "weight": ("Vekt", "Weight"),
    "binary": ("Ja/nei-variabel", "Yes/no variable"),
    "ecdf_max_after": ("Største fordelingsavstand etter", "Largest eCDF gap after"),
    "ecdf_max_before": ("Største fordelingsavstand før", "Largest eCDF gap before"),
    "ecdf_mean_after": ("Snitt fordelingsavstand etter", "Mean eCDF gap after"),
    "ecdf_mean_before": ("Snitt fordelingsavstand før", "Mean eCDF gap before"),
    "mean_outcome": ("Snitt utfall", "Mean outcome"),
    "n_of": ("Hva som telles", "What is counted"),
    "n_people": ("Antall personer", "Number of people"),
    "n_runs": ("Antall kjøringer", "Number of runs"),
    "new_max": ("Ny største", "New maximum"),
    "new_mean": ("Nytt snitt", "New mean"),
    "new_min": ("Ny minste", "New minimum"),
    "original": ("Opprinnelig", "Original"),
    "passed": ("Bestått", "Passed"),
    "reading": ("Tolkning", "Reading"),
    "refuter": ("Motprøve", "Refuter"),
    "units": ("Enheter", "Units"),
    "variance_ratio_after": ("Variansforhold etter", "Variance ratio after"),
    "variance_ratio_before": ("Variansforhold før", "Variance ratio before"),
}


def readable_name(column: str) -> str:
    """A column nobody labelled, made readable: ``fravaer_prosent`` → "Fravaer prosent"."""
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else str(column)


@dataclass
class Labels:
    """Column and value labels for one report language."""

    language: str = "en"
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)

    def column(self, name: object) -> str:
        """The label of a register column or of a toolkit output column."""
        key = str(name)
        if key in self.columns:
            return self.columns[key]
        if key in _OWN:
            return _OWN[key][0 if self.language == "nb" else 1]
        return readable_name(key)

    def knows(self, name: object) -> bool:
        return str(name) in self.columns

    def value(self, column: object, value: object) -> str | None:
        """The label of a value of ``column`` (SPSS/Stata value labels, municipality names), or None."""
        column = str(column)
        text = str(value)
        labelled = self.values.get(column, {})
        if text in labelled:
            return labelled[text]
        if "kommune" in column.lower():
            name = kommune_name(text)
            if name is not None:
                return f"{name} ({text.zfill(4)})"
        return None

    # ------------------------------------------------------------------------------------------ sources
    def add_dictionary(self, path: Path) -> Labels:
        """Read a data dictionary CSV (``column,label[,description]``); its labels win over everything
        else."""
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                column = (row.get("column") or "").strip()
                label = (row.get("label") or "").strip()
                if column and label:
                    self.columns[column] = label
                    if (row.get("description") or "").strip():
                        self.descriptions[column] = row["description"].strip()
                for pair in (row.get("values") or "").split(";"):
                    code, sep, meaning = pair.partition("=")
                    if column and sep and code.strip():
                        self.values.setdefault(column, {})[code.strip()] = meaning.strip()
        return self

    def add_file_metadata(self, path: Path) -> Labels:
        """Variable and value labels stored in an SPSS or Stata file (without reading its rows)."""
        suffix = Path(path).suffix.lower()
        if suffix not in {".sav", ".zsav", ".dta"}:
            return self
        import pyreadstat

        reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
        _, meta = reader(str(path), metadataonly=True)
        for column, label in (meta.column_names_to_labels or {}).items():
            if label and column not in self.columns:
                self.columns[column] = str(label)
        for column, mapping in (meta.variable_value_labels or {}).items():
            self.values.setdefault(column, {}).update({_code_text(k): str(v) for k, v in mapping.items()})
        return self


def _code_text(code: object) -> str:
    """Value-label keys as the text a table shows: 1.0 → "1"."""
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def labels_for(protocol: object) -> Labels:
    """The labels a study's reports use: its language, data dictionary and register metadata."""
    language = getattr(protocol, "language", "en")
    labels = Labels(language=language)
    report = getattr(protocol, "report", None)
    dictionary = getattr(report, "dictionary", None) if report is not None else None
    if dictionary is not None:
        labels.add_dictionary(Path(dictionary))
    data = getattr(protocol, "data", None)
    register = getattr(data, "register", None)
    if register is not None and Path(register).is_file():
        labels.add_file_metadata(Path(register))
    return labels


__all__ = ["Labels", "labels_for", "readable_name"]
