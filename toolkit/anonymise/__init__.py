"""Anonymise — the step before phase 1: from the raw register to the released one (``results/anonymised/``).

Modules: :mod:`~toolkit.anonymise.identifiers` (fødselsnummer kinds and validity),
:mod:`~toolkit.anonymise.pseudonym` (keys and keyed pseudonyms), :mod:`~toolkit.anonymise.tabular` (drop,
generalise, k-anonymity, l-diversity, risk and information loss); :mod:`~toolkit.anonymise._hashing` is the
speed code behind ``pseudonymise``. Small-cell suppression and the output guard serve every phase and live in
:mod:`toolkit.disclosure`.
"""
