"""Synthetic data with planted positive deviance: a register cohort and interview transcripts (all SYNTHETIC).

``make_register`` gives a raw register of young people in the Kongsvinger region with direct identifiers
(Tenor test identity numbers, invented names and addresses) and a hidden protective practice whose effect is
known; ``make_transcripts`` gives Norwegian interview transcripts whose personal data and themes are known;
``write_synthetic_study`` writes both, with their truth files, to a folder. The phase 3 panel is in
:mod:`toolkit.synth.panel`, and :func:`toolkit.synth.study.write_all` writes everything.
"""

from __future__ import annotations

from toolkit.synth.register import (
    PLANTED_KOMMUNE,
    PLANTED_SKOLE,
    SyntheticRegister,
    data_dictionary,
    make_register,
)
from toolkit.synth.study import write_synthetic_study
from toolkit.synth.transcripts import CODE_IDS, SyntheticTranscript, make_transcripts

__all__ = [
    "CODE_IDS",
    "PLANTED_KOMMUNE",
    "PLANTED_SKOLE",
    "SyntheticRegister",
    "SyntheticTranscript",
    "data_dictionary",
    "make_register",
    "make_transcripts",
    "write_synthetic_study",
]
