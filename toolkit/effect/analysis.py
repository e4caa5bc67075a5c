"""Phase 3 in one call: every effect estimate the protocol's ``phase3:`` section asks for, at every level.

Levels, as the Kongsvinger design asks ("measure effect at several levels"):

* **individual** — young people who received the practice against similar young people who did not
  (propensity matching with the phase 2 engine, :func:`toolkit.deviance.propensity.match_att`);
* **unit** — municipalities (or NAV offices): difference-in-differences on the unit × period panel where every
  unit counts once (the effect in the average adopting municipality), plus an interrupted time series of one
  unit's monthly NAV figures;
* **region** — the adopting units pooled, weighted by their number of young people (the effect on the region's
  own NEET share), with the effect also stated as a number of young people.

Each panel analysis runs both the two-way fixed effects regression and the group-time estimator. When adoption
is staggered, the group-time estimate is the headline (``primary``) and the report shows how far plain TWFE is
off and why (its negative weights). Every estimate carries a 95% interval and a plain-language reading; tables
that count people go through :func:`toolkit.disclosure.suppress_small_cells`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.disclosure import suppress_small_cells, table_note
from toolkit.effect.did import (
    COHORT,
    NEVER,
    PERIOD,
    UNIT,
    EventStudyResult,
    PanelSpec,
    W,
    Y,
    event_study,
    plot_event_time,
    prepare_panel,
    pyplot,
    twfe_did,
    twfe_weights,
)
from toolkit.effect.its import ItsResult, interrupted_time_series
from toolkit.effect.staggered import StaggeredResult, group_time_att
from toolkit.errors import InputDataError
from toolkit.io import write_csv
from toolkit.protocol import Phase3Section

ESTIMATE_COLUMNS = [
    "level", "method", "estimand", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n", "n_of",
    "primary", "reading",
]  # fmt: skip

# Who the outcome counts, for turning a regional effect on a share into a number of people.
_OUTCOME_PEOPLE = {"andel_neet": "young people NEET", "andel_neet_trinnvis": "young people NEET"}

_OUTCOME_LABELS = {
    "andel_neet": "the NEET share",
    "andel_neet_trinnvis": "the NEET share",
    "antall": "the monthly number of young people registered with NAV",
}

METHOD_TWFE = "DiD, two-way fixed effects"
METHOD_CS = "DiD, group-time ATT (not-yet-treated controls)"
METHOD_MATCH = "Matched comparison (propensity score)"
METHOD_WEIGHTING = "Entropy balancing (reweighted comparison)"
METHOD_ITS = "Interrupted time series (segmented regression)"


@dataclass
class _Scale:
    """How an outcome is spoken about: a share in percentage points, or a number in its own units."""

    label: str
    factor: float
    unit: str
    decimals: int

    def fmt(self, value: float) -> str:
        return f"{value * self.factor:.{self.decimals}f}"


def _scale_for(values: pd.Series, name: str, *, binary_label: bool = False) -> _Scale:
    label = _OUTCOME_LABELS.get(name, f"'{name}'")
    v = pd.to_numeric(values, errors="coerce").dropna()
    if len(v) and v.between(0, 1).all():
        if binary_label and name not in _OUTCOME_LABELS:
            label = f"the chance of '{name}'"
        return _Scale(label=label, factor=100.0, unit="percentage points", decimals=1)
    return _Scale(label=label, factor=1.0, unit="", decimals=1 if v.abs().max() >= 10 else 3)


def plain_reading(
    estimate: float,
    ci_low: float,
    ci_high: float,
    scale: _Scale,
    *,
    subject: str = "The practice",
    per: str = "",
    tail: str = "",
) -> str:
    """One sentence a NAV adviser can read: direction, size, interval, and whether it could be chance.

    ``per`` follows the size (" per month"), ``tail`` ends the sentence (", about 400 fewer people ...").
    Why the wording: an interval that includes zero is said in words ("cannot be told from no effect"),
    because
    a reader who sees only the point estimate takes it as a finding.
    """
    if not np.isfinite(estimate):
        return "Not shown: too few people behind this estimate (small-cell rule)."
    unit = f" {scale.unit}" if scale.unit else ""
    if ci_low <= 0 <= ci_high:
        return (
            f"{subject} changed {scale.label} by {scale.fmt(estimate)}{unit}{per} (95% CI "
            f"{scale.fmt(ci_low)} to "
            f"{scale.fmt(ci_high)}); the interval includes zero, so this cannot be told from no effect."
        )
    if estimate < 0:
        verb, lo, hi = "lowered", -ci_high, -ci_low
    else:
        verb, lo, hi = "raised", ci_low, ci_high
    return (
        f"{subject} {verb} {scale.label} by {scale.fmt(abs(estimate))}{unit}{per} "
        f"(95% CI {scale.fmt(lo)} to {scale.fmt(hi)}){tail}."
    )


@dataclass
class EffectResult:
    """Everything phase 3 estimated.

    Attributes
    ----------
    estimates:
        Tidy table, one row per estimate: ``level`` (individual / unit / region), ``method``, ``estimand``,
        ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``p_value``, ``n`` and ``n_of`` (what ``n``
        counts),
        ``primary`` (the estimate to read first at its level) and ``reading`` (a plain-language sentence).
        Shares are in their own scale (0.031 = 3.1 percentage points).
    tables:
        Supporting tables by name (event-study coefficients, group-time ATTs, pre-trend tests, TWFE weights,
        descriptives, balance, ITS fit), small cells already suppressed.
    notes:
        Warnings and design facts a reader needs (staggered adoption, dropped units, few clusters ...).
    """

    estimates: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    notes: list[str]
    min_cell: int
    outcome: str | None = None
    event_studies: dict[str, EventStudyResult] = field(default_factory=dict)
    staggered: dict[str, StaggeredResult] = field(default_factory=dict)
    its: ItsResult | None = None
    matched: Any = None
    is_staggered: bool = False
    _scale: _Scale | None = None

    # ------------------------------------------------------------------------------------------- reading
    def summary(self) -> str:
        """The readings, the pre-trend verdicts and the notes, as text for a notebook cell or a terminal."""
        lines = ["Phase 3 — effect estimates"]
        for row in self.estimates.itertuples():
            mark = "*" if row.primary else " "
            lines.append(f" {mark} [{row.level}] {row.method} — {row.estimand}: {row.reading}")
        for level, es in self.event_studies.items():
            lines.append(f"   [{level}] TWFE event study: {es.pretrend.reading()}")
        for level, st in self.staggered.items():
            lines.append(f"   [{level}] group-time ATT: {st.pretrend.reading()}")
        lines += [f"   note: {n}" for n in self.notes]
        lines.append("   (* = the estimate to read first at its level)")
        return "\n".join(lines)

    def estimate(self, level: str, method: str | None = None, estimand: str | None = None) -> pd.Series:
        """One row of :attr:`estimates` (the primary one of ``level`` unless ``method``/``estimand`` say
        otherwise)."""
        rows = self.estimates[self.estimates["level"] == level]
        if method is not None:
            rows = rows[rows["method"] == method]
        if estimand is not None:
            rows = rows[rows["estimand"] == estimand]
        elif method is None:
            rows = rows[rows["primary"]]
        if rows.empty:
            raise KeyError(f"no estimate for level={level!r}, method={method!r}, estimand={estimand!r}")
        return rows.iloc[0]

    # ------------------------------------------------------------------------------------------- figures
    def figures(self) -> dict[str, Any]:
        """Matplotlib figures by name: ``event_study_<level>`` (TWFE and group-time side by side) and
        ``its``."""
        plt = pyplot()

        figs: dict[str, Any] = {}
        scale = self._scale.factor if self._scale else 1.0
        ylabel = f"effect ({self._scale.unit})" if self._scale and self._scale.unit else "effect"
        for level, es in self.event_studies.items():
            fig, ax = plt.subplots(figsize=(8, 4.2))
            plot_event_time(
                es.coefficients, ax=ax, scale=scale, ylabel=ylabel, label="TWFE event study", offset=-0.12
            )
            if level in self.staggered:
                plot_event_time(
                    self.staggered[level].dynamic,
                    ax=ax,
                    scale=scale,
                    ylabel=ylabel,
                    label="group-time ATT",
                    offset=0.12,
                )
            who = "each unit counts once" if level == "unit" else "weighted by number of people"
            ax.set_title(f"Effect by years since adoption — {level} level ({who})")
            figs[f"event_study_{level}"] = fig
        if self.its is not None:
            figs["its"] = self.its.plot()
        return figs

    def add_to_report(self, report: Any) -> None:
        """Append the phase 3 section (estimates, plots, pre-trend tests, tables, notes) to a
        :class:`Report`."""
        report.add_heading("Effect of the practice (phase 3)")
        report.add_text(
            "Each estimate compares what happened where the practice was introduced with a comparison that "
            "shows "
            "what would otherwise have happened: units that had not (yet) introduced it, similar young "
            "people who did "
            "not receive it, or the unit's own earlier trend. Intervals are 95% confidence intervals."
        )
        shown = self.estimates[
            ["level", "method", "estimand", "estimate", "ci_low", "ci_high", "p_value", "n", "n_of"]
        ]
        report.add_table(
            shown,
            caption="Effect estimates (shares as fractions: 0.031 = 3.1 percentage points).",
            float_format="{:.4f}",
        )
        report.add_list(
            [
                f"{r.level} — {r.method}{' (read first)' if r.primary else ''}: {r.reading}"
                for r in self.estimates.itertuples()
            ]
        )
        figs = self.figures()
        self._add_event_studies(report, figs)
        if "descriptives" in self.tables:
            report.add_table(
                self.tables["descriptives"],
                caption="Outcome by period and adoption group. " + table_note(self.min_cell),
            )
        self._add_individual_checks(report)
        if self.its is not None:
            report.add_heading("Interrupted time series", level=3)
            report.add_figure(
                figs["its"],
                caption="Monthly figures, the fitted segments and the pre-practice trend projected forward.",
            )
            report.add_text(self.its.summary().split("\n")[0])
            report.add_text(
                "A time series of one unit has no comparison group: anything else that changed in the same "
                "month is "
                "mixed up with the practice."
            )
        if self.notes:
            report.add_heading("Notes", level=3)
            report.add_list(self.notes)

    def _add_event_studies(self, report: Any, figs: dict[str, Any]) -> None:
        """Per level: the event-study figure, both pre-trend readings and, when staggered, TWFE's check."""
        for level, es in self.event_studies.items():
            report.add_heading(f"Event study — {level} level", level=3)
            report.add_figure(
                figs[f"event_study_{level}"],
                caption="Effect by year relative to adoption (−1 = the year before, the reference). Points "
                "left of the "
                "dashed line should be near zero if adopters and comparison units were moving alike before "
                "adoption.",
            )
            report.add_text(es.pretrend.reading())
            if level in self.staggered:
                report.add_text(self.staggered[level].pretrend.reading())
            if f"twfe_check_{level}" in self.tables:
                report.add_table(
                    self.tables[f"twfe_check_{level}"], caption="Plain TWFE against the group-time estimator."
                )

    def _add_individual_checks(self, report: Any) -> None:
        """The matched comparison's balance, its refuters and its sensitivity to unmeasured confounding."""
        if "balance" in self.tables:
            report.add_heading("Matched comparison of individuals", level=3)
            report.add_table(
                self.tables["balance"],
                caption="Covariate balance before and after matching (|SMD| ≤ 0.1 is good; SMD = mean "
                "difference "
                "/ SD of the treated, the MatchIt/cobalt convention for an ATT; eCDF = gaps between "
                "distributions).",
            )
        if "refutation" in self.tables:
            report.add_text(
                "Refuters re-run the matched comparison where the answer is known: with the treatment "
                "randomly "
                "permuted (should be 0), with a random extra covariate and on 80% subsets (should barely "
                "move)."
            )
            report.add_table(self.tables["refutation"], caption="Refutation of the matched comparison.")
        if "sensitivity" in self.tables:
            report.add_text(
                "Sensitivity to unmeasured confounding: "
                + str(self.tables["sensitivity"]["reading"].iloc[0])
                + "."
            )

    def outputs(self) -> dict[str, pd.DataFrame]:
        """What phase 3 publishes (the results contract): ``estimates.csv``, every table as ``<name>.csv``."""
        return {"estimates.csv": self.estimates, **{f"{name}.csv": t for name, t in self.tables.items()}}

    def summary_line(self) -> str:
        """One line for the study index."""
        estimates = self.estimates
        primary = int(estimates["primary"].sum()) if "primary" in estimates else len(estimates)
        return f"{len(estimates)} estimates, {primary} primary"

    def write_tables(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``estimates.csv`` and every table as ``<name>.csv`` under ``out_dir``; returns name →
        path."""
        out_dir = Path(out_dir)
        return {Path(name).stem: write_csv(out_dir / name, table) for name, table in self.outputs().items()}


# ------------------------------------------------------------------------------------------------
# orchestration
@dataclass
class _Findings:
    """What one sub-analysis found: estimate rows, supporting tables and notes, merged in order by the caller.

    Sub-analyses return one of these (or a subclass with their model objects) instead of filling lists passed
    in, so each can be run and checked on its own.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, other: _Findings) -> None:
        """Append another sub-analysis' rows, tables and notes after these."""
        self.rows += other.rows
        self.tables.update(other.tables)
        self.notes += other.notes


@dataclass
class _PanelFindings(_Findings):
    """The panel analyses: the prepared panel, how the outcome is spoken about, and the models per level."""

    prepared: pd.DataFrame | None = None
    scale: _Scale | None = None
    is_staggered: bool = False
    event_studies: dict[str, EventStudyResult] = field(default_factory=dict)
    staggered: dict[str, StaggeredResult] = field(default_factory=dict)


@dataclass
class _IndividualFindings(_Findings):
    """The matched comparison of individuals (and its checks)."""

    matched: Any = None


@dataclass
class _SeriesFindings(_Findings):
    """The interrupted time series of one unit."""

    its: ItsResult | None = None


def analyse_effects(
    panel: pd.DataFrame | None,
    *,
    config: Phase3Section,
    series: pd.DataFrame | None = None,
    individuals: pd.DataFrame | None = None,
    min_cell: int = 5,
    seed: int = 0,
    n_boot: int = 999,
) -> EffectResult:
    """Run every phase 3 analysis the ``phase3:`` section (:class:`toolkit.protocol.Phase3Section`)
    configures.

    ``panel`` is the unit × period table (``config.unit``, ``config.period``, ``config.outcome``,
    ``config.treated_from``, optional ``config.weight``); ``individuals`` the person-level table for the
    matched
    comparison (``config.treatment``, ``config.individual_outcome``, ``config.covariates``); ``series`` one
    unit's monthly figures (``config.series_time``, ``config.series_outcome``; rows of other units are dropped
    via ``config.series_unit``, the unit's code in the series' ``config.unit`` column). Any of the three may
    be
    ``None``. ``seed`` drives the bootstrap and the matching tie-breaks, so the same inputs give the same
    numbers;
    ``n_boot`` is the number of bootstrap draws of the group-time estimator.
    """
    if panel is None and series is None and individuals is None:
        raise InputDataError(
            "phase 3 has nothing to analyse: no panel, no individuals and no series",
            file=getattr(config, "panel", None),
            fix="set phase3.panel, phase3.individuals or phase3.series in the protocol",
        )
    found = _Findings()
    by_panel = by_people = by_series = None
    if panel is not None:
        by_panel = _panel_analyses(panel, config, min_cell=min_cell, seed=seed, n_boot=n_boot)
        found.add(by_panel)
    if individuals is not None:
        by_people = _individual_analysis(individuals, config, min_cell=min_cell, seed=seed)
        found.add(by_people)
    if series is not None:
        prepared = by_panel.prepared if by_panel is not None else None
        by_series = _series_analysis(series, config, prepared, min_cell=min_cell)
        found.add(by_series)

    estimates = pd.DataFrame(found.rows, columns=ESTIMATE_COLUMNS)
    estimates["primary"] = estimates["primary"].astype(bool)
    return EffectResult(
        estimates=estimates,
        tables=found.tables,
        notes=found.notes,
        min_cell=min_cell,
        outcome=config.outcome if by_panel is not None else None,
        event_studies=by_panel.event_studies if by_panel is not None else {},
        staggered=by_panel.staggered if by_panel is not None else {},
        its=by_series.its if by_series is not None else None,
        matched=by_people.matched if by_people is not None else None,
        is_staggered=by_panel.is_staggered if by_panel is not None else False,
        _scale=by_panel.scale if by_panel is not None else None,
    )


def _panel_analyses(
    panel: pd.DataFrame, config: Any, *, min_cell: int, seed: int, n_boot: int
) -> _PanelFindings:
    """Difference-in-differences on the unit × period panel: unit level, and region level when weighted."""
    spec = PanelSpec(
        unit=config.unit,
        period=config.period,
        outcome=config.outcome,
        treated_from=config.treated_from,
        weight=config.weight,
    )
    prepared = prepare_panel(panel, spec, source=config.panel)
    cohorts = sorted({int(g) for g in prepared[COHORT].unique() if g != NEVER})
    found = _PanelFindings(
        prepared=prepared, scale=_scale_for(prepared[Y], config.outcome), is_staggered=len(cohorts) > 1
    )
    found.notes += _adoption_notes(prepared, cohorts)
    found.tables["descriptives"] = _descriptives(prepared, weighted=bool(config.weight), min_cell=min_cell)
    levels = [("unit", False)] + ([("region", True)] if config.weight else [])
    for level, weighted in levels:
        did = twfe_did(prepared, weighted=weighted)
        es = event_study(prepared, weighted=weighted)
        cs = group_time_att(prepared, weighted=weighted, seed=seed, n_boot=n_boot)
        found.event_studies[level] = es
        found.staggered[level] = cs
        found.notes.extend(
            f"{level} level: {n}" for n in cs.notes if f"{level} level: {n}" not in found.notes
        )
        found.add(_panel_level(found, config, level, weighted, did, es, cs, min_cell=min_cell))
    return found


def _adoption_notes(prepared: pd.DataFrame, cohorts: list[int]) -> list[str]:
    """How many units adopted and when; a warning when too few adopted for clustered standard errors."""
    n_adopters = int(prepared.loc[prepared[COHORT] != NEVER, UNIT].nunique())
    n_units = int(prepared[UNIT].nunique())
    notes = [
        f"{n_adopters} of {n_units} units adopted the practice "
        + (
            f"at different times ({', '.join(map(str, cohorts))}): staggered adoption."
            if len(cohorts) > 1
            else f"in {cohorts[0]}."
        )
    ]
    if n_adopters < 10:
        notes.append(
            f"Only {n_adopters} units adopted: standard errors clustered by unit are unreliable with this "
            f"few adopting "
            "clusters (intervals tend to be too narrow)."
        )
    return notes


def _panel_level(
    panel: _PanelFindings,
    config: Any,
    level: str,
    weighted: bool,
    did: Any,
    es: EventStudyResult,
    cs: StaggeredResult,
    *,
    min_cell: int,
) -> _Findings:
    """One level's estimates (TWFE and group-time ATT), its tables, the TWFE check and pre-trend warnings."""
    simple = cs.simple.iloc[0]
    found = _Findings(
        rows=_level_rows(panel, config, level, weighted, did, simple),
        tables=_level_tables(level, weighted, es, cs, min_cell=min_cell),
    )
    if panel.is_staggered:
        found.add(_twfe_check(panel.prepared, level, weighted, did, simple, panel.scale))
    found.notes += [
        f"{level} level, {label}: the pre-trend test rejects (p = {test.p_value:.3f}); treat the "
        f"estimates with caution."
        for test, label in ((es.pretrend, "TWFE event study"), (cs.pretrend, "group-time ATT"))
        if test.rejects
    ]
    return found


def _level_rows(
    panel: _PanelFindings, config: Any, level: str, weighted: bool, did: Any, s: pd.Series
) -> list[dict[str, Any]]:
    """TWFE and the group-time ATT (``s``, its simple aggregate) as estimates rows with plain readings.

    The group-time estimate is the one to read first when adoption is staggered, TWFE otherwise; at region
    level an effect on a share is also said as a number of people.
    """
    prepared, scale, staggered = panel.prepared, panel.scale, panel.is_staggered
    subject = (
        "The practice"
        if level == "unit"
        else "In the region as a whole (weighted by number of people), the practice"
    )
    tail_twfe = tail_cs = ""
    if weighted and scale.unit == "percentage points":  # a share: effect × people is a number of people
        treated_people = float(prepared.loc[prepared["_treated"] == 1, W].sum())
        cells = int((prepared["_treated"] == 1).sum())
        tail_twfe = _people_tail(did.estimate, treated_people, cells, config.weight, config.outcome)
        tail_cs = _people_tail(float(s.estimate), treated_people, cells, config.weight, config.outcome)
    n_units = int(prepared[UNIT].nunique())
    twfe_reading = plain_reading(
        did.estimate, did.ci_low, did.ci_high, scale, subject=subject, tail=tail_twfe
    )
    if staggered:
        twfe_reading += (
            " Adoption is staggered, so this plain regression can be biased; read the group-time estimate."
        )
    cs_reading = plain_reading(
        float(s.estimate), float(s.ci_low), float(s.ci_high), scale, subject=subject, tail=tail_cs
    )
    suffix = " (weighted)" if weighted else ""
    return [
        _estimate_row(
            level,
            METHOD_TWFE + suffix,
            "ATT, all years after adoption",
            (did.estimate, did.std_error, did.ci_low, did.ci_high, did.p_value),
            n_units,
            "units",
            primary=not staggered,
            reading=twfe_reading,
        ),
        _estimate_row(
            level,
            METHOD_CS + suffix,
            "ATT, simple average of group-time effects",
            (float(s.estimate), float(s.std_error), float(s.ci_low), float(s.ci_high), float(s.p_value)),
            n_units,
            "units",
            primary=staggered,
            reading=cs_reading,
        ),
    ]


def _estimate_row(
    level: str,
    method: str,
    estimand: str,
    numbers: tuple[float, float, float, float, float],
    n: Any,
    n_of: str,
    *,
    primary: bool,
    reading: str,
) -> dict[str, Any]:
    """One row of the estimates table; ``numbers`` are estimate, standard error, interval and p-value."""
    estimate, std_error, ci_low, ci_high, p_value = numbers
    return {
        "level": level,
        "method": method,
        "estimand": estimand,
        "estimate": estimate,
        "std_error": std_error,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "p_value": p_value,
        "n": n,
        "n_of": n_of,
        "primary": primary,
        "reading": reading,
    }


def _level_tables(
    level: str, weighted: bool, es: EventStudyResult, cs: StaggeredResult, *, min_cell: int
) -> dict[str, pd.DataFrame]:
    """Event-study coefficients, the group-time tables (people counts suppressed) and both pre-trend tests."""
    pretrend = pd.concat(
        [
            es.pretrend.as_frame().assign(method=METHOD_TWFE),
            cs.pretrend.as_frame().assign(method=METHOD_CS),
        ],
        ignore_index=True,
    )[["method", "test", "statistic", "df", "p_value", "rejects"]]
    return {
        f"event_study_{level}": es.coefficients,
        f"dynamic_{level}": cs.dynamic,
        f"group_{level}": _people_suppressed(cs.group, weighted, min_cell),
        f"group_time_att_{level}": _people_suppressed(cs.att_gt, weighted, min_cell),
        f"pretrend_{level}": pretrend,
    }


def _twfe_check(
    prepared: pd.DataFrame, level: str, weighted: bool, did: Any, simple: pd.Series, scale: _Scale
) -> _Findings:
    """Under staggered adoption: TWFE beside the group-time estimate, and why TWFE's weights mislead."""
    weights = twfe_weights(prepared, weighted=weighted)
    negative = weights[weights["weight"] < 0]
    check = pd.DataFrame(
        [
            {"method": METHOD_TWFE, "estimate": did.estimate, "ci_low": did.ci_low, "ci_high": did.ci_high},
            {
                "method": METHOD_CS,
                "estimate": float(simple.estimate),
                "ci_low": float(simple.ci_low),
                "ci_high": float(simple.ci_high),
            },
        ]
    )
    note = (
        f"{level} level: plain TWFE gives {scale.fmt(did.estimate)} and the group-time estimator "
        f"{scale.fmt(float(simple.estimate))} {scale.unit}. TWFE puts negative weight on {len(negative)} "
        f"of "
        f"{len(weights)} adopted cohort-years (sum {negative['weight'].sum():.2f}): it compares late "
        f"adopters "
        "with early adopters that already have the practice, so effects that grow over time pull it "
        "toward zero."
    )
    return _Findings(tables={f"twfe_weights_{level}": weights, f"twfe_check_{level}": check}, notes=[note])


def _people_tail(estimate: float, treated_people: float, cells: int, weight: str, outcome: str) -> str:
    """The region effect on a share as a number of people: estimate × the people (``weight``) under the
    practice."""
    if not np.isfinite(estimate) or treated_people <= 0:
        return ""
    direction = "fewer" if estimate < 0 else "more"
    who = _OUTCOME_PEOPLE.get(outcome, f"people counted in '{outcome}'")
    return (
        f"; that is about {abs(estimate) * treated_people:.0f} {direction} {who}, added up over the {cells} "
        f"unit-years with the practice (estimate × total '{weight}')"
    )


def _people_suppressed(table: pd.DataFrame, weighted: bool, min_cell: int) -> pd.DataFrame:
    """Weighted tables carry the number of people per cohort (``weight_sum``): hide small ones and their
    effects."""
    if not weighted or "weight_sum" not in table.columns:
        return table.drop(columns=["weight_sum"], errors="ignore")
    out = table.rename(columns={"weight_sum": "n_people"}).copy()
    out["n_people"] = out["n_people"].round().astype("Int64")
    derived = {
        c: ["n_people"] for c in ("estimate", "std_error", "ci_low", "ci_high", "p_value") if c in out.columns
    }
    return suppress_small_cells(
        out, min_cell=min_cell, count_cols=["n_people"], derived=derived, group_cols=None
    )


def _descriptives(prepared: pd.DataFrame, *, weighted: bool, min_cell: int) -> pd.DataFrame:
    """Mean outcome by period and adoption group (adopted / not yet / never), with people counts
    suppressed."""
    group = np.where(
        prepared[COHORT] == NEVER,
        "never adopts",
        np.where(prepared["_treated"] == 1, "has the practice", "adopts later"),
    )
    frame = prepared.assign(group=group, wy=prepared[Y] * prepared[W])
    out = (
        frame.groupby([PERIOD, "group"], as_index=False)
        .agg(units=(UNIT, "nunique"), n_people=(W, "sum"), wy=("wy", "sum"))
        .rename(columns={PERIOD: "period"})
    )
    out["mean_outcome"] = out["wy"] / out["n_people"]
    out = out.drop(columns=["wy"])
    if not weighted:
        return out.drop(columns=["n_people"])
    out["n_people"] = out["n_people"].round().astype("Int64")
    return suppress_small_cells(
        out,
        min_cell=min_cell,
        count_cols=["n_people"],
        derived={"mean_outcome": ["n_people"]},
        group_cols=None,
    )


def _individual_analysis(
    individuals: pd.DataFrame, config: Any, *, min_cell: int, seed: int
) -> _IndividualFindings:
    """The matched comparison of young people who received the practice, then its checks when shown."""
    if not config.treatment or not config.individual_outcome or not config.covariates:
        raise InputDataError(
            "the matched comparison needs phase3.treatment, phase3.individual_outcome and phase3.covariates",
            file=config.individuals,
            fix="name the 0/1 column of who received the practice, the outcome column and the covariates to "
            "match on",
        )
    for col in [config.treatment, config.individual_outcome, *config.covariates]:
        if col not in individuals.columns:
            raise InputDataError(
                f"column '{col}' is not in the individual-level file (columns: "
                f"{', '.join(map(str, individuals.columns))})",
                file=config.individuals,
                fix="set phase3.treatment / individual_outcome / covariates to the file's column names",
            )
    from toolkit.deviance.propensity import match_att  # lazy: the matching engine is heavy and optional here

    covariates = list(config.covariates)
    match = match_att(individuals, config.treatment, config.individual_outcome, covariates, seed=seed)
    found = _IndividualFindings(matched=match)
    scale = _scale_for(individuals[config.individual_outcome], config.individual_outcome, binary_label=True)
    found.add(_individual_row(match.effect, METHOD_MATCH, scale, min_cell=min_cell, primary=True))
    found.tables["balance"] = match.balance
    if not match.all_balanced:
        found.notes.append(f"Matched comparison: {match.message}")
    if not np.isfinite(found.rows[-1]["estimate"]):
        return found  # small cells: the weighting estimate and the refuters would show what the rule hides
    found.add(_individual_checks(individuals, config, match, scale, min_cell=min_cell, seed=seed))
    return found


def _individual_checks(
    individuals: pd.DataFrame, config: Any, match: Any, scale: _Scale, *, min_cell: int, seed: int
) -> _Findings:
    """Entropy balancing beside matching, the DoWhy-style refuters and the E-value (issue 15)."""
    from toolkit.deviance.propensity import _prepare, refute_matching, sensitivity_of
    from toolkit.effect.weighting import entropy_balance_att

    covariates = list(config.covariates)
    data = _prepare(individuals, config.treatment, config.individual_outcome, covariates, [])
    weighting = entropy_balance_att(data.X, data.names, data.treated, data.y, seed=seed)
    found = _individual_row(weighting.effect, METHOD_WEIGHTING, scale, min_cell=min_cell, primary=False)
    found.tables["balance_weighting"] = weighting.balance
    refutation = refute_matching(
        individuals, config.treatment, config.individual_outcome, covariates, match, seed=seed
    )
    found.tables["refutation"] = refutation
    sensitivity = sensitivity_of(match, data.y)
    found.tables["sensitivity"] = pd.DataFrame([sensitivity])
    failed = refutation.loc[~refutation["passed"], "refuter"].tolist()
    found.notes.append(
        "Matched comparison refuters: "
        + (
            "all passed (placebo treatment, random common cause, data subset)"
            if not failed
            else f"FAILED: {', '.join(failed)}"
        )
        + f". Sensitivity (E-value): {sensitivity['reading']}."
    )
    return found


def _individual_row(
    eff: dict[str, Any], method: str, scale: _Scale, *, min_cell: int, primary: bool
) -> _Findings:
    """One estimates row for an individual-level ATT; hidden under the small-cell rule (with a note)."""
    from scipy import stats

    n_t, n_c = int(eff["n_treated"]), int(eff["n_controls"])
    estimate, lo, hi = float(eff["estimate"]), float(eff["ci_low"]), float(eff["ci_high"])
    se = float(eff.get("se", (hi - lo) / (2 * 1.959964)))
    p_value = float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else np.nan
    notes = []
    if n_t < min_cell or n_c < min_cell:
        estimate = lo = hi = se = p_value = np.nan
        notes.append(f"{method} not shown: fewer than {min_cell} people on one side (small-cell rule).")
    row = _estimate_row(
        "individual",
        method,
        "ATT among those who received the practice",
        (estimate, se, lo, hi, p_value),
        n_t + n_c if np.isfinite(estimate) else np.nan,
        "people (matched treated + controls)" if primary else "people (treated + weighted controls)",
        primary=primary,
        reading=plain_reading(estimate, lo, hi, scale, subject="Receiving the practice"),
    )
    return _Findings(rows=[row], notes=notes)


def _series_analysis(
    series: pd.DataFrame, config: Any, prepared: pd.DataFrame | None, *, min_cell: int
) -> _SeriesFindings:
    """The interrupted time series of one unit's monthly figures: level and slope change, fitted months."""
    unit_column = config.unit if config.unit in series.columns else None
    unit = config.series_unit
    if unit is not None and unit_column is None:
        raise InputDataError(
            f"phase3.series_unit is set, but the series has no '{config.unit}' column to pick the unit from",
            file=config.series,
            fix=f"add a '{config.unit}' column to the series, or remove phase3.series_unit",
        )
    found = _SeriesFindings()
    interruption = config.interruption
    if interruption is None and prepared is not None:
        if unit is None and unit_column is not None and series[unit_column].nunique() == 1:
            unit = str(series[unit_column].iloc[0])
        if unit is not None:
            interruption = _adoption_month(prepared, unit)
            if interruption is not None:
                found.notes.append(
                    f"Interrupted time series: interruption taken as {interruption}, the unit's adoption "
                    f"year in the panel."
                )
    if interruption is None:
        raise InputDataError(
            "the interrupted time series needs the month the practice started",
            file=config.series,
            fix="set phase3.interruption (YYYY-MM)",
        )
    its = interrupted_time_series(
        series,
        time=config.series_time,
        outcome=config.series_outcome,
        interruption=interruption,
        unit_column=unit_column,
        unit=unit,
        source=config.series,
    )
    found.its = its
    found.rows += _its_rows(its, _scale_for(its.fitted["observed"], config.series_outcome))
    found.tables["its_coefficients"] = its.coefficients
    fit = _its_fit_table(its, min_cell=min_cell)
    if fit.notes:  # small months hidden in the table: the plot hides them too
        its.fitted = its.fitted.assign(
            observed=fit.tables["its_fit"]["observed"].astype("Float64").astype(float)
        )
    found.add(fit)
    return found


def _adoption_month(prepared: pd.DataFrame, unit: str) -> str | None:
    """January of the unit's adoption year in the panel, or None when it never adopts (or is not there)."""
    adoption = prepared.loc[prepared[UNIT] == str(unit), COHORT]
    if len(adoption) and adoption.iloc[0] != NEVER:
        return f"{int(adoption.iloc[0])}-01"
    return None


def _its_rows(its: ItsResult, scale: _Scale) -> list[dict[str, Any]]:
    """The level change (at once) and the slope change (per month, one more decimal) as estimates rows."""
    where = f" in {its.unit}" if its.unit else ""
    slope_scale = _Scale(
        label=scale.label, factor=scale.factor, unit=scale.unit, decimals=max(scale.decimals, 2)
    )
    rows = []
    for term, estimand, per, term_scale in (
        ("level_change", f"change in level at {its.interruption}", " at once", scale),
        ("slope_change", "change in trend per month", " per month", slope_scale),
    ):
        c = its.term(term)
        numbers = (float(c.estimate), float(c.std_error), float(c.ci_low), float(c.ci_high), float(c.p_value))
        reading = plain_reading(
            float(c.estimate),
            float(c.ci_low),
            float(c.ci_high),
            term_scale,
            subject=f"From {its.interruption}{where}, the practice",
            per=per,
        )
        rows.append(
            _estimate_row(
                "unit", METHOD_ITS, estimand, numbers, its.n_months, "months", primary=False, reading=reading
            )
        )
    return rows


def _its_fit_table(its: ItsResult, *, min_cell: int) -> _Findings:
    """The fitted months as a table; when the outcome counts people, small months (and their fit) hidden."""
    fitted = its.fitted.copy()
    notes = []
    observed = pd.to_numeric(fitted["observed"], errors="coerce")
    if (observed.dropna() == np.floor(observed.dropna())).all() and (observed.dropna() >= 0).all():
        # Whole non-negative numbers are counts of people: hide small months (and the model's fit of them).
        fitted = suppress_small_cells(
            fitted,
            min_cell=min_cell,
            count_cols=["observed"],
            derived={"fitted": ["observed"]},
            group_cols=None,
        )
        if fitted["suppressed"].any():
            notes.append(
                f"Interrupted time series: {int(fitted['suppressed'].sum())} month(s) below {min_cell} "
                f"hidden in the table."
            )
    return _Findings(tables={"its_fit": fitted}, notes=notes)
