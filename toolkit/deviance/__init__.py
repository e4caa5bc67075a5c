"""Phase 2: positive deviance among individuals and units, without fooling ourselves.

Modules: :mod:`~toolkit.deviance.risk` (cross-fitted expected outcomes), :mod:`~toolkit.deviance.individuals`
(pd_score, deviants, stability, comparison groups), :mod:`~toolkit.deviance.units` (O/E, funnel limits,
over-dispersion, shrinkage, persistence), :mod:`~toolkit.deviance.propensity` (matching engine, also
``pdtk match``), :mod:`~toolkit.deviance.profile` (how deviants differ), :mod:`~toolkit.deviance.sampling`
(interview sampling frame) and :mod:`~toolkit.deviance.analysis` (the whole phase in one call).
Imports are lazy so that ``import toolkit.deviance`` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["analyse_deviance", "DevianceResult", "match_att", "MatchResult"]


def __getattr__(name: str) -> Any:
    if name in ("analyse_deviance", "DevianceResult"):
        from toolkit.deviance import analysis

        return getattr(analysis, name)
    if name in ("match_att", "MatchResult"):
        from toolkit.deviance import propensity

        return getattr(propensity, name)
    raise AttributeError(f"module 'toolkit.deviance' has no attribute {name!r}")
