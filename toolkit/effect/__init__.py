"""Phase 3: measuring the effect of a practice at the individual, unit and region level.

* :mod:`toolkit.effect.did` — difference-in-differences (two-way fixed effects), event study, pre-trend test;
* :mod:`toolkit.effect.staggered` — group-time effects for staggered adoption (Callaway & Sant'Anna);
* :mod:`toolkit.effect.its` — interrupted time series (segmented regression) for one unit's monthly figures;
* :mod:`toolkit.effect.analysis` — :func:`analyse_effects`, which runs what the protocol's ``phase3:`` asks
for.
"""

from toolkit.effect.analysis import EffectResult, analyse_effects, plain_reading
from toolkit.effect.did import PanelSpec, event_study, prepare_panel, twfe_did, twfe_weights
from toolkit.effect.its import ItsResult, interrupted_time_series
from toolkit.effect.staggered import StaggeredResult, group_time_att

__all__ = [
    "EffectResult",
    "ItsResult",
    "PanelSpec",
    "StaggeredResult",
    "analyse_effects",
    "event_study",
    "group_time_att",
    "interrupted_time_series",
    "plain_reading",
    "prepare_panel",
    "twfe_did",
    "twfe_weights",
]
