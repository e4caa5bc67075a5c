"""Phase 2's helper process: a second interpreter for the work that holds the GIL and needs little data.

On a large register four steps of phase 2 run there (:class:`toolkit.background.HelperProcess`), each on
inputs of a few megabytes: the model comparison's boosting fits on the selection sample
(:func:`toolkit.deviance.risk.fit_risk`; with them there this process never imports scikit-learn, 0.6 s)
while this process fits the logistic models; then the isolation forest
(:func:`toolkit.deviance.individuals.isolation_scores`, on a sample of the successes' risk factors) and the
matched comparison (:func:`toolkit.deviance.profile.compare_matched`, on the deviants and a sample of their
high-risk peers) while this process builds the profile and its worker threads run the unit analyses; and the
report's figures (:mod:`toolkit.deviance.figures`) while this process writes the tables. On worker threads
they took turns with this process's Python for the GIL (the forest alone cost about a second of a
nine-second run). Every step gives the same bytes wherever it runs. This module imports nothing heavy, so
``pdtk phase2`` starts the helper before it imports pandas and reads the register, and the helper's own
imports run on the other core meanwhile.
"""

from __future__ import annotations

from toolkit.background import HelperProcess

HELPER_FROM_ROWS = 200_000
"""From this many register rows on, phase 2 starts a helper process. Below it everything runs in this
process: a second interpreter costs about a second and a half of CPU to start, more than the forest and the
figures of a small register take."""

PRELOAD = ("sklearn.ensemble", "toolkit.deviance.risk", "toolkit.deviance.individuals")
"""What the helper imports before the first call: boosting's model-selection fits (the first call, needed
while this process's logistic fits run) and the isolation forest."""

THEN_IMPORT = ("matplotlib.pyplot", "toolkit.deviance.figures", "toolkit.report.html")
"""What it imports right after the first call: matplotlib, the figures and the report's PNG encoder, needed
only at the end of the phase (importing them first would hold back the first call by ~0.4 s)."""


def start_helper(rows: int) -> HelperProcess:
    """Phase 2's helper process for a register of about ``rows`` rows, started now (see the module
    docstring); below :data:`HELPER_FROM_ROWS` rows one that does every call here, at once. Close it (or use
    it as a context manager) once the report is written."""
    return HelperProcess(PRELOAD, then_import=THEN_IMPORT, worth_it=rows >= HELPER_FROM_ROWS)


__all__ = ["HELPER_FROM_ROWS", "PRELOAD", "THEN_IMPORT", "start_helper"]
