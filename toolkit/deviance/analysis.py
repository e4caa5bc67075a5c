"""Phase 2 in one call: expectations, individual and unit deviants, profile, interview frame and the report.

:func:`analyse_deviance` orchestrates the modules of :mod:`toolkit.deviance` and never re-implements them. It
reads only the anonymised register (a ``pid`` column, never an identity number) and returns a
:class:`DevianceResult` whose tables are ready to publish (small cells suppressed), plus the per-person table
and the interview sampling frame (pseudonyms only).

Variable roles follow the data-powered positive deviance handbook: the protocol's risk factors are the
*controls* the expectation adjusts for; units are *where* deviance is looked for; every other column is kept
to
*characterise* deviants and is never adjusted away.

**The unit benchmark.** A unit with a strong practice raises the model's intercept and so the expectation of
everyone else, which makes ordinary units look worse than they are (on the synthetic cohort an ordinary school
is flagged "below" for exactly this reason). So units are analysed in two passes: units flagged *above* in the
first pass are taken out of the benchmark (each gets its own indicator in the cross-fitted model, and all
expectations are predicted as for an ordinary unit), and the flags come from the second pass. This is done per
unit column, because a municipality's practice also travels with its pupils into the schools they attend.
Units flagged *below* stay in the benchmark: the search is for positive practice, and removing low units would
raise expectations for everybody else. Individual expectations use the risk factors only (first pass).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from toolkit.background import Answer, HelperProcess
from toolkit.deviance import figures as fig
from toolkit.deviance import individuals as ind
from toolkit.deviance import profile as prof
from toolkit.deviance import sampling as smp
from toolkit.deviance import units as unt
from toolkit.deviance.propensity import SMD_TARGET, MatchResult
from toolkit.deviance.risk import RiskModelResult, check_outcome, fit_risk
from toolkit.disclosure import DisclosurePolicy, suppress_small_cells
from toolkit.errors import InputDataError, ProtocolError
from toolkit.results import StepResult, Summary

RULE_TEXT = {
    "score": "pd_score ≥ {threshold} (a success the model gave at most a {p:.0%} chance)",
    "top_share": "the top {share:.0%} of high-risk successes by pd_score",
    "two_sd": "pd_score at least 2 standard deviations above the high-risk group's mean",
}


@dataclass
class DevianceResult(StepResult):
    """Everything phase 2 found. DataFrames are tidy; ``tables`` are suppressed and ready to publish."""

    individuals: pd.DataFrame
    units: pd.DataFrame
    sampling_frame: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    risk: RiskModelResult
    unit_analyses: list[unt.UnitAnalysis]
    matched: MatchResult | None
    settings: dict[str, Any]
    roles: pd.DataFrame
    disclosure: DisclosurePolicy
    notes: list[str] = field(default_factory=list)

    # ----------------------------------------------------------------------------------------- contract
    def outputs(self) -> dict[str, pd.DataFrame]:
        """The contract files (DESIGN.md) first, then every published table, as CSV."""
        return {
            "individuals.csv": self.individuals,
            "units.csv": self.units,
            "interview_sampling_frame.csv": self.sampling_frame,
            **{f"{name}.csv": table for name, table in self.tables.items()},
        }

    @property
    def figures(self) -> dict[str, Any]:
        """The distribution of predicted risk and of the share of runs each person was flagged in."""
        return {"risk": self._risk_figure()(), "stability": self._stability_figure()()}

    def summary_line(self) -> str:
        flagged = self.units[self.units["flag"].fillna("") != ""]
        where = (
            "; ".join(f"{r.unit_var}={r.unit} ({r.flag})" for r in flagged.itertuples()) or "no unit flagged"
        )
        deviants = self.disclosure.shown_count(int(self.individuals["is_deviant"].sum()))
        return f"{deviants} positive deviants; {where}"

    def summary(self) -> Summary:
        """Headline numbers, one row each."""
        i = self.individuals
        flagged_units = self.units.loc[self.units["flag"] != "", ["unit_var", "unit", "flag"]]
        rows = [
            ("people", len(i)),
            ("model", self.risk.model),
            ("cross-fitted AUC", round(self.risk.metrics["auc"], 3)),
            ("Brier score", round(self.risk.metrics["brier"], 4)),
            ("high-risk people", int(i["high_risk"].sum())),
            ("positive deviants", self.disclosure.shown_count(int(i["is_deviant"].sum()))),
            (
                "deviants flagged in every run",
                self.disclosure.shown_count(int((i["is_deviant"] & (i["flagged_share"] == 1)).sum())),
            ),
            ("negative deviants", self.disclosure.shown_count(int(i["is_negative_deviant"].sum()))),
            (
                "units flagged",
                "; ".join(f"{r.unit_var}={r.unit} ({r.flag})" for r in flagged_units.itertuples()) or "none",
            ),
            (
                "interview sampling frame",
                ", ".join(f"{k}: {v}" for k, v in self.sampling_frame["role"].value_counts().items()),
            ),
        ]
        return Summary("Phase 2 — positive deviance", rows)

    # ----------------------------------------------------------------------------------------- report
    def add_to_report(self, report: Any) -> None:
        """Add every section of the phase 2 report to a :class:`toolkit.report.Report`."""
        report.add_heading("Summary")
        report.add_table(self.summary().frame, "Phase 2 at a glance.")
        for note in self.notes:
            report.add_text(note)

        self._report_model(report)
        self._report_individuals(report)
        self._report_units(report)
        self._report_profile(report)
        self._report_limits(report)

    def _report_model(self, report: Any) -> None:
        """Variable roles, the expected-outcome model and the risk distribution."""
        s = self.settings
        report.add_heading("Variable roles")
        report.add_text(
            "Risk factors are the controls the expected outcome adjusts for. Units are where deviance is "
            "looked for; "
            "they are never in the model. Every other column is used only to describe deviants, never "
            "adjusted away."
        )
        report.add_table(self.roles, "Role of every column of the anonymised register.")

        report.add_heading("Expected outcome")
        report.add_text(
            f"Each person's expected probability of '{s['outcome']}' comes from a model fitted on the other "
            f"{s['folds'] - 1} of {s['folds']} folds (cross-fitting), so nobody's own outcome informs their "
            f"own "
            f"expectation. Model family: {self.risk.model} (setting: {s['model']})."
        )
        report.add_table(
            self.tables["model_comparison"],
            "Cross-validated performance of the candidate models (lower log loss and Brier are better).",
        )
        report.add_figure(
            partial(fig.reliability, self.risk.calibration, self.risk.model),
            "Calibration: observed against predicted, by tenth of predicted probability.",
        )
        report.add_table(self.tables["calibration"], "Calibration table.")
        if len(self.tables["odds_ratios"]):
            report.add_table(
                self.tables["odds_ratios"],
                "Logistic regression (GLM, all rows): odds ratios of the good outcome with 95 % intervals.",
            )

        report.add_heading("Risk distribution")
        report.add_figure(
            self._risk_figure(),
            f"Predicted risk of not reaching '{s['outcome']}'; the line marks the high-risk cut-off (top "
            f"{1 - s['high_risk_quantile']:.0%}).",
        )

    def _report_individuals(self, report: Any) -> None:
        """Individual positive deviants: rule, counts, stability."""
        s = self.settings
        report.add_heading("Individual positive deviants")
        rule = RULE_TEXT[s["rule"]].format(
            threshold=s["score_threshold"], p=1 / (1 + s["score_threshold"] ** 2), share=s["top_share"]
        )
        report.add_text(
            f"A positive deviant succeeded, was in the top {1 - s['high_risk_quantile']:.0%} of predicted "
            f"risk, and passes the rule: {rule}. "
            "The base-rate check below compares the number flagged with the number that luck alone would "
            "produce under the model."
        )
        report.add_table(
            self.tables["base_rate"], "Base-rate check (counts below the minimum cell size are hidden)."
        )
        report.add_figure(
            self._stability_figure(),
            f"Stability: share of the {s['stability_seeds']} cross-fitting runs (different fold splits) in "
            f"which each ever-flagged person was flagged.",
        )
        if "isolation_comparison" in self.tables:
            report.add_text(
                "Second lens: an isolation forest scores how unusual each success's combination of risk "
                "factors is among all successes. "
                "It does not know the outcome model; agreement with pd_score on the clearest cases is "
                "reassuring, disagreement marks people worth a second look."
            )
            report.add_table(
                self.tables["isolation_comparison"], "pd_score and isolation-forest score side by side."
            )

    def _report_units(self, report: Any) -> None:
        """Units: funnel plots, over-dispersion, persistence, per unit column."""
        s = self.settings
        report.add_heading("Units")
        report.add_text(
            "Observed against expected successes per unit (indirect standardisation). Units flagged above in "
            "a first pass are left "
            "out of the benchmark, so that their practice does not raise everybody else's expectation. "
            f"Units with fewer than {s['min_unit_size']} people are never flagged."
        )
        for analysis in self.unit_analyses:
            report.add_heading(f"Units: {analysis.unit_var}", level=3)
            report.add_text(analysis.dispersion_note())
            report.add_figure(
                partial(fig.funnel, *fig.funnel_inputs(analysis)),
                f"Funnel plot for {analysis.unit_var}: 95 % and {s['unit_limit']:.1%} limits.",
            )
            shown = self.units[self.units["unit_var"] == analysis.unit_var]
            report.add_table(
                shown[
                    [
                        "unit",
                        "n",
                        "observed",
                        "expected",
                        "o_e",
                        "o_e_ci_low",
                        "o_e_ci_high",
                        "o_e_shrunk",
                        "z",
                        "flag",
                    ]
                ],
                "O/E with 95 % interval, empirical-Bayes shrunk O/E, z and flag (small cells hidden).",
            )
            key = f"persistence_{analysis.unit_var}"
            if key in self.tables:
                report.add_table(
                    self.tables[key],
                    f"Persistence across cohorts ({s['cohort']}): a practice persists, luck does not.",
                )

    def _report_profile(self, report: Any) -> None:
        """How deviants differ from their high-risk peers, and the interview sampling frame."""
        s = self.settings
        report.add_heading("Profile: how deviants differ")
        report.add_text(
            "Standardised mean differences between positive deviants and high-risk people who did not "
            "succeed, with 95 % intervals. "
            "|SMD| above 0.2 is a noticeable difference. These are descriptions, not causes."
        )
        report.add_table(
            self.tables["profile"], "Deviants against high-risk non-deviants, every observed variable."
        )
        if self.matched is not None:
            report.add_text(
                "Matched comparison: each deviant is matched on the risk factors to up to three high-risk "
                "non-deviants "
                f"({self.matched.message}). Differences that remain are not explained by the measured risk."
            )
            report.add_figure(
                partial(fig.love, self.matched.balance, SMD_TARGET),
                "Love plot: balance on the risk factors before and after matching.",
            )
            report.add_figure(
                partial(fig.overlap, self.matched.logit_propensity, self.matched.treated),
                "Overlap of propensity scores (deviants vs high-risk peers).",
            )
            if "matched_profile" in self.tables and len(self.tables["matched_profile"]):
                report.add_table(
                    self.tables["matched_profile"],
                    "Characterising variables after matching on the risk factors.",
                )

        report.add_heading("Interview sampling frame")
        report.add_text(
            "Deviants (most stable first), typical high-risk cases and negative deviants, spread over strata "
            f"({', '.join(s['strata']) or 'none'}). Pseudonyms only; the data controller's contact list is "
            f"written to the restricted folder."
        )
        report.add_table(self.tables["sampling_roles"], "People in the sampling frame by role.")

    def _report_limits(self, report: Any) -> None:
        """Limitations, in plain language."""
        report.add_heading("Limitations, in plain language")
        report.add_list(
            [
                "Luck or practice? Some young people succeed against the odds by chance. The base-rate check "
                "shows how many "
                "flags luck alone would give; stability across runs and cohorts helps, and interviews must "
                "do the rest.",
                "Omitted variables: the expectation only knows the listed risk factors. Someone who looks "
                "surprising may simply "
                "have had an advantage the register does not record (a supportive family, good health).",
                "Regression to the mean: units or people picked because they were extreme this time will, on "
                "average, be less "
                "extreme next time. Shrunk estimates and persistence across cohorts show how much is left.",
                "Few units: with a handful of municipalities, over-dispersion cannot be estimated well and "
                "one unit can move "
                "the benchmark; unit flags are hypotheses for fieldwork, not verdicts.",
                "Describing is not explaining: how deviants differ (profile) does not show what caused their "
                "success; some "
                "differences may be consequences of succeeding.",
            ]
        )

    def _risk_figure(self) -> Callable[[], Any]:
        """The call that draws the distribution of predicted risk (see :mod:`toolkit.deviance.figures`)."""
        risk = self.individuals["risk"].to_numpy()
        return partial(fig.risk_distribution, risk, self.settings["high_risk_quantile"])

    def _stability_figure(self) -> Callable[[], Any]:
        """The call that draws the share of runs each ever-flagged person was flagged in."""
        share = self.individuals.loc[self.individuals["flagged_share"] > 0, "flagged_share"]
        return partial(fig.stability, share, self.settings["stability_seeds"])


# ---------------------------------------------------------------------------------------------------------


def _check_columns(frame: pd.DataFrame, outcome: str, units: Sequence[str], config: Any) -> None:
    if "pid" not in frame.columns:
        raise InputDataError(
            "the register has no 'pid' column; phase 2 reads only the anonymised register",
            fix="run 'pdtk anonymise' first, or rename the pseudonym column to pid",
        )
    if frame["pid"].isna().any() or frame["pid"].duplicated().any():  # duplicated: half is_unique's time
        raise InputDataError(
            "column 'pid' has missing or repeated pseudonyms",
            fix="re-run 'pdtk anonymise' on the raw register",
        )
    for unit in units:
        if unit not in frame.columns:
            raise InputDataError(
                f"unit column '{unit}' is not in the register", fix="check 'units:' in the protocol"
            )
        if unit == outcome:
            raise ProtocolError(
                f"the outcome '{unit}' is also listed as a unit", fix="remove it from 'units:'"
            )
    if config.cohort is not None and config.cohort not in frame.columns:
        raise ProtocolError(
            f"key 'deviance.cohort' names '{config.cohort}', which is not a column of the register"
        )
    for col in config.exact_match:
        if col not in frame.columns:
            raise ProtocolError(
                f"key 'deviance.exact_match' names '{col}', which is not a column of the register"
            )


def variable_roles(
    frame: pd.DataFrame, *, outcome: str, risk: RiskModelResult, units: Sequence[str], cohort: str | None
) -> pd.DataFrame:
    """The report's roles table: every column and what phase 2 does with it."""
    rows = [
        {"variable": "pid", "role": "pseudonym (identifies rows; never analysed)", "coding": ""},
        {"variable": outcome, "role": "outcome (1 = good outcome)", "coding": "0/1"},
    ]
    rows += risk.design.roles().to_dict("records")
    rows += [
        {
            "variable": u,
            "role": "unit (where deviance is looked for; not adjusted for)",
            "coding": f"{frame[u].nunique()} units",
        }
        for u in units
    ]
    used = {"pid", outcome, *risk.design.risk_factors, *units}
    for col in frame.columns:
        if col not in used:
            role = (
                "cohort (persistence) and characterising"
                if col == cohort
                else "characterising (describes deviants; never adjusted away)"
            )
            rows.append({"variable": col, "role": role, "coding": ""})
    return pd.DataFrame(rows)


def analyse_deviance(
    frame: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: Sequence[str],
    units: Sequence[str],
    config: Any,
    seed: int,
    disclosure: DisclosurePolicy | int,
    strata: Sequence[str] | None = None,
    isolation: bool = True,
    threads: int | None = 1,
    helper: HelperProcess | None = None,
) -> DevianceResult:
    """Run phase 2 on the anonymised register ``frame`` (see the module docstring for the design).

    ``disclosure`` is the study's :class:`~toolkit.disclosure.DisclosurePolicy` (an int means its
    ``min_cell``).
    ``config`` is the protocol's :class:`toolkit.protocol.DevianceSection`. ``strata`` overrides the interview
    strata (default: the first unit and a sex column when present). ``isolation=False`` skips the
    isolation-forest lens. ``threads`` caps BLAS/OpenMP threads (``None``: library defaults). The default is 1
    because phase 2 is many medium-sized fits: on a shared two-core machine, thread synchronisation cost more
    than it gained (gradient boosting measured 3.8 times slower with two threads than with one). Independent,
    seeded steps run on worker threads instead, each with one BLAS/OpenMP thread: boosting's model-selection
    fits beside the logistic fits, and the unit analyses and the isolation forest beside the profiles and the
    sampling frame; their results do not depend on which thread finishes first. ``helper`` (a started
    :func:`toolkit.deviance.helper.start_helper`) makes boosting's model-selection fits and grows the
    isolation forest in that second process instead of on worker threads; the results are the same.
    """
    with threadpool_limits(limits=threads) if threads is not None else contextlib.nullcontext():
        return _analyse(
            frame,
            outcome=outcome,
            risk_factors=risk_factors,
            units=units,
            config=config,
            seed=seed,
            disclosure=DisclosurePolicy.coerce(disclosure),
            strata=strata,
            isolation=isolation,
            helper=helper,
        )


def _analyse(
    frame: pd.DataFrame,
    *,
    outcome: str,
    risk_factors: Sequence[str],
    units: Sequence[str],
    config: Any,
    seed: int,
    disclosure: DisclosurePolicy,
    strata: Sequence[str] | None,
    isolation: bool,
    helper: HelperProcess | None = None,
) -> DevianceResult:
    units = list(units)
    _check_columns(frame, outcome, units, config)
    frame = frame.reset_index(drop=True)
    y = check_outcome(frame, outcome)
    individual_table = partial(
        ind.individual_table,
        frame["pid"].to_numpy(),
        y,
        high_risk_quantile=config.high_risk_quantile,
        rule=config.rule,
        score_threshold=config.score_threshold,
        top_share=config.top_share,
    )
    risk = fit_risk(
        frame,
        outcome=outcome,
        risk_factors=risk_factors,
        model=config.model,
        folds=config.folds,
        seed=seed,
        stability_seeds=config.stability_seeds,
        units=units,
        timing=config.timing,
        helper=helper,
        while_waiting=individual_table,  # made while boosting is fitted, if it still is
    )
    tables: dict[str, pd.DataFrame] = {}
    strata = list(strata) if strata is not None else smp.default_strata(frame, units)
    # Independent, seeded steps share two cores: the unit analyses, one task per unit column (logistic
    # refits, NumPy releases the GIL), start on worker threads as soon as the expectations are there, while
    # this thread builds the per-person table; then the isolation-forest lens (tree code releases the GIL)
    # joins them, and this thread builds the profiles and the sampling frame, which read nothing the workers
    # produce. Every result is joined before it is read, so the outputs do not depend on which thread
    # finishes first.
    cohort = config.cohort
    coded = {cohort: unt.unit_codes(frame[cohort])} if cohort is not None and cohort in frame else {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        unit_futures = [
            pool.submit(
                unit_analyses_with_benchmark, frame, y, risk, outcome, risk_factors, [u], config, seed, coded
            )
            for u in units
        ]
        individuals = risk.made_while_waiting
        if individuals is None:
            individuals = individual_table(risk.p_runs)
        iso_future = (
            _isolation(pool, helper, risk.X, individuals, seed) if isolation and (y == 1).sum() > 10 else None
        )
        profile_tables, matching, profile_notes = _profiles(
            frame, individuals, risk, outcome, units, config, seed, disclosure, helper
        )
        frame_sample = smp.sampling_frame(
            frame,
            individuals,
            strata=strata,
            n_deviants=config.interview_deviants,
            n_comparisons=config.interview_comparisons,
            seed=seed,
        )
        if iso_future is not None:
            individuals = ind.with_isolation_scores(individuals, iso_future.result())
            tables["isolation_comparison"] = _isolation_comparison(individuals, disclosure)
        unit_analyses = [analysis for future in unit_futures for analysis in future.result()]
    notes = [a.dispersion_note() for a in unit_analyses if not a.dispersion["estimable"]]
    matched = _matched_tables(matching, profile_tables)
    tables.update(profile_tables)
    notes += profile_notes
    tables.update(_published_tables(frame_sample, risk, individuals, unit_analyses, config, disclosure))
    roles = variable_roles(frame, outcome=outcome, risk=risk, units=units, cohort=config.cohort)
    tables["variable_roles"] = roles
    return DevianceResult(
        individuals=individuals,
        units=_publish_units(unit_analyses, disclosure),
        sampling_frame=frame_sample,
        tables=tables,
        risk=risk,
        unit_analyses=unit_analyses,
        matched=matched,
        settings=_settings(config, outcome=outcome, strata=strata, seed=seed),
        roles=roles,
        disclosure=disclosure,
        notes=notes,
    )


def _isolation(
    pool: ThreadPoolExecutor,
    helper: HelperProcess | None,
    features: np.ndarray,
    individuals: pd.DataFrame,
    seed: int,
) -> Future | _IsolationApart:
    """The isolation-forest lens, started: in the helper process when there is one (the rows are chosen
    here, the forest grows there), else on a worker thread. ``result()`` gives ``pid`` and
    ``isolation_score`` either way."""
    if helper is None or not helper.apart:
        return pool.submit(ind.isolation_view, features, individuals, seed=seed)
    inputs = ind.isolation_inputs(features, individuals, seed=seed)
    scores = helper.submit(ind.isolation_scores, inputs.fit_rows, inputs.rows, seed)
    return _IsolationApart(inputs, scores)


@dataclass
class _IsolationApart:
    """The isolation scores the helper process is making, and what turns them into the table."""

    inputs: ind.IsolationInputs
    scores: Answer[np.ndarray]

    def result(self) -> pd.DataFrame:
        return ind.isolation_table(self.inputs, self.scores.result())


def unit_analyses_with_benchmark(
    frame: pd.DataFrame,
    y: np.ndarray,
    risk: RiskModelResult,
    outcome: str,
    risk_factors: Sequence[str],
    units: list[str],
    config: Any,
    seed: int,
    coded: unt.Coded | None = None,
) -> list[unt.UnitAnalysis]:
    """Two passes per unit column: flag units, then refit the benchmark without those flagged above it.

    Each unit column is coded once here (``coded`` may bring the cohort's) and every step reuses the codes.
    """
    unit_analyses: list[unt.UnitAnalysis] = []
    for unit in units:
        unit_coded = {**(coded or {}), unit: unt.unit_codes(frame[unit])}
        first = _analyse_unit(frame, unit, y, risk.p_expected, config, unit_coded)
        above = first.table.loc[first.table["flag"] == "above", "unit"].tolist()
        analysis = first
        if above:
            bench = fit_risk(
                frame,
                outcome=outcome,
                risk_factors=risk_factors,
                model=risk.model,
                folds=config.folds,
                seed=seed,
                stability_seeds=1,
                units=units,
                timing=config.timing,
                outside_benchmark={unit: above},
                odds_ratios=False,
                metrics=False,
                prepared=(risk.design, risk.X, risk.logit_state),
                coded=unit_coded,
            )
            analysis = _analyse_unit(frame, unit, y, bench.p_expected, config, unit_coded)
        analysis.table["in_benchmark"] = ~analysis.table["unit"].isin(above)
        analysis.table["z_first_pass"] = first.table["z"].to_numpy()
        analysis.table["flag_first_pass"] = first.table["flag"].to_numpy()
        unit_analyses.append(analysis)
    return unit_analyses


def _analyse_unit(
    frame: pd.DataFrame, unit: str, y: np.ndarray, p_expected: np.ndarray, config: Any, coded: unt.Coded
) -> unt.UnitAnalysis:
    """One pass of the unit statistics against ``p_expected`` (the first pass and the refitted benchmark)."""
    return unt.analyse_units(
        frame,
        unit,
        y,
        p_expected,
        limit=config.unit_limit,
        min_unit_size=config.min_unit_size,
        cohort=config.cohort,
        coded=coded,
    )


def _profiles(
    frame: pd.DataFrame,
    individuals: pd.DataFrame,
    risk: RiskModelResult,
    outcome: str,
    units: list[str],
    config: Any,
    seed: int,
    disclosure: DisclosurePolicy,
    helper: HelperProcess | None = None,
) -> tuple[dict[str, pd.DataFrame], Answer[tuple[MatchResult, pd.DataFrame]] | None, list[str]]:
    """How deviants differ from high-risk peers: SMD profile, and after matching on the risk factors.

    The matched comparison (propensity fits on ~50,000 rows) is started first: in the helper process when
    there is one (its rows are a few megabytes; one BLAS thread there as here, so the same bits), else made
    here at once. :func:`_matched_tables` collects it.
    """
    tables: dict[str, pd.DataFrame] = {}
    deviant = individuals["is_deviant"].to_numpy()
    peers = individuals["high_risk"].to_numpy() & ~deviant
    characterise = prof.profile_columns(
        frame, exclude=["pid", outcome, *units], characterise=config.characterise
    )
    enough = deviant.sum() >= max(disclosure.min_cell, 2)
    described = [c for c in characterise if c not in risk.design.risk_factors]
    needed = [*risk.design.risk_factors, *described, *config.exact_match]
    sub = (
        prof.matching_rows(frame, individuals, seed=seed, min_cell=disclosure.min_cell, columns=needed)
        if enough
        else None
    )
    matching = None
    if sub is not None:
        call = partial(
            prof.compare_matched,
            sub,
            risk_factors=risk.design.risk_factors,
            characterise=described,
            exact=config.exact_match,
            seed=seed,
            min_cell=disclosure.min_cell,
            blas_threads=1,
        )
        matching = helper.submit(call) if helper is not None and helper.apart else Answer(call, ())
    roles_map = {c: "risk factor" for c in risk.design.risk_factors}
    profile_cols = list(dict.fromkeys([*risk.design.risk_factors, *characterise]))
    tables["profile"] = prof.smd_profile(
        frame, deviant, peers, profile_cols, roles=roles_map, disclosure=disclosure
    )
    if not enough:
        note = (
            f"Fewer than {max(disclosure.min_cell, 2)} positive deviants: no profile comparison or matching "
            "was done."
        )
        return tables, None, [note]
    return tables, matching, []


def _matched_tables(
    matching: Answer[tuple[MatchResult, pd.DataFrame]] | None, tables: dict[str, pd.DataFrame]
) -> MatchResult | None:
    """The matched comparison :func:`_profiles` started, its tables added to ``tables``."""
    if matching is None:
        return None
    matched, tables["matched_profile"] = matching.result()
    tables["matched_balance"] = matched.balance
    return matched


def _published_tables(
    frame_sample: pd.DataFrame,
    risk: RiskModelResult,
    individuals: pd.DataFrame,
    unit_analyses: list[unt.UnitAnalysis],
    config: Any,
    disclosure: DisclosurePolicy,
) -> dict[str, pd.DataFrame]:
    """The model, calibration, base-rate, over-dispersion and persistence tables, small cells suppressed."""
    tables: dict[str, pd.DataFrame] = {}
    roles_count = frame_sample["role"].value_counts().rename_axis("role").reset_index(name="n")
    tables["sampling_roles"] = suppress_small_cells(
        roles_count, disclosure, count_cols=["n"], group_cols=None
    ).drop(columns="suppressed")
    tables["model_comparison"] = risk.comparison
    tables["odds_ratios"] = risk.odds_ratios
    tables["calibration"] = suppress_small_cells(
        risk.calibration, disclosure, count_cols=["n"], group_cols=None
    ).drop(columns="suppressed")
    base = ind.base_rate_table(individuals, score_threshold=config.score_threshold, rule=config.rule)
    tables["base_rate"] = suppress_small_cells(
        base, disclosure, count_cols=["n"], derived={"share_of_high_risk": ["n"]}, group_cols=None
    ).drop(columns="suppressed")
    tables["overdispersion"] = pd.DataFrame(
        [
            {"unit_var": a.unit_var, **a.dispersion, "widened": a.widened, "tau2": a.tau2}
            for a in unit_analyses
        ]
    )
    for a in unit_analyses:
        if len(a.persistence):
            tables[f"persistence_{a.unit_var}"] = suppress_small_cells(
                a.persistence,
                disclosure,
                count_cols=["observed"],
                total_col="n",
                derived={"z": ["observed"]},
                group_cols=None,
            ).drop(columns="suppressed")
    return tables


def _settings(config: Any, *, outcome: str, strata: list[str], seed: int) -> dict[str, Any]:
    """The settings phase 2 ran with, for the report."""
    return {
        "outcome": outcome,
        "model": config.model,
        "folds": config.folds,
        "high_risk_quantile": config.high_risk_quantile,
        "rule": config.rule,
        "score_threshold": config.score_threshold,
        "top_share": config.top_share,
        "stability_seeds": config.stability_seeds,
        "unit_limit": config.unit_limit,
        "min_unit_size": config.min_unit_size,
        "cohort": config.cohort,
        "strata": strata,
        "seed": seed,
    }


def _publish_units(analyses: list[unt.UnitAnalysis], disclosure: DisclosurePolicy) -> pd.DataFrame:
    """All unit tables stacked, contract columns first, small cells (and everything derived from them)
    hidden."""
    if not analyses:
        return pd.DataFrame(columns=unt.CONTRACT_COLUMNS)
    table = pd.concat([a.table for a in analyses], ignore_index=True).drop(columns=["variance"])
    derived_from_observed = [
        "z",
        "o_e",
        "o_e_ci_low",
        "o_e_ci_high",
        "z_adjusted",
        "observed_rate",
        "excess_rate",
        "excess_rate_shrunk",
        "o_e_shrunk",
        "z_first_pass",
    ]
    published = suppress_small_cells(
        table,
        disclosure,
        count_cols=["observed"],
        total_col="n",
        derived={c: ["observed"] for c in derived_from_observed if c in table.columns},
        group_cols=["unit_var"],
    )
    extras = [c for c in published.columns if c not in unt.CONTRACT_COLUMNS]
    return published[[*unt.CONTRACT_COLUMNS, *extras]]


def _isolation_comparison(individuals: pd.DataFrame, disclosure: DisclosurePolicy) -> pd.DataFrame:
    """Agreement of pd_score and isolation score among high-risk successes (rank correlation, top-list
    overlap)."""
    mask = individuals["high_risk"] & (individuals["outcome"] == 1) & individuals["isolation_score"].notna()
    sub = individuals[mask]
    if len(sub) < 3:
        return pd.DataFrame(
            {"measure": ["high-risk successes"], "value": [str(disclosure.shown_count(len(sub)))]}
        )
    # DataFrame.corr ranks in pandas' own code (Series.corr would import scipy.stats for this)
    rho = float(sub[["pd_score", "isolation_score"]].corr(method="spearman").iloc[0, 1])
    top = max(int(round(0.1 * len(sub))), 1)
    top_pd = set(sub.nlargest(top, "pd_score")["pid"])
    top_iso = set(sub.nlargest(top, "isolation_score")["pid"])
    overlap = len(top_pd & top_iso)
    deviants = sub[sub["is_deviant"]]
    rows = [
        ("high-risk successes compared", len(sub)),
        ("Spearman correlation of pd_score and isolation score", round(rho, 3)),
        ("size of each top-10 % list", top),
        (
            "people in both top-10 % lists",
            disclosure.shown_count(overlap),
        ),
        (
            "mean isolation score, deviants",
            round(float(deviants["isolation_score"].mean()), 3) if len(deviants) else np.nan,
        ),
        (
            "mean isolation score, other high-risk successes",
            round(float(sub.loc[~sub["is_deviant"], "isolation_score"].mean()), 3),
        ),
    ]
    return pd.DataFrame(rows, columns=["measure", "value"]).astype({"value": "string"})
