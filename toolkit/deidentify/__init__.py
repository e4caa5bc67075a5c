"""De-identify Norwegian interview transcripts: names, numbers, places, organisations, dates and ages.

The package, module by module (read in this order):

* ``spans`` — entity types, :class:`Span`, how overlapping spans merge;
* ``gazetteers`` and ``patterns`` — the word lists (data files) and regexes behind the rules;
* ``rules`` — :class:`NorwegianDetector`, one ``find_*`` method per entity type;
* ``ner`` — the Norwegian NER model trained on NorNE and shipped in the package;
* ``registry`` — one recogniser per entity type, configurable (switch off, deny-list, allow-list);
* ``engine`` — the Presidio analyzer for ``nb``;
* ``replace`` — tags and keyed surrogates;
* ``deidentifier`` — :class:`Deidentifier` (detect → make consistent → replace);
* ``folder`` — :func:`deidentify_folder`, the batch runner with its safety checks.

Interviews with young people name their helpers, the school, the NAV office, the village and the shop they work
in, and sometimes read out a fødselsnummer. Before anyone but the interviewer reads a transcript, every such
detail is replaced by a consistent tag (``[PERSON_1]``, ``[STED_2]`` …) or by a realistic surrogate.

Framework: Presidio. An :class:`~presidio_analyzer.AnalyzerEngine` with language ``nb``, a spaCy NLP engine built
on ``spacy.blank("nb")`` plus the Norwegian lookup lemmatizer (no model download), and our *own*
:class:`~presidio_analyzer.RecognizerRegistry` (the default registry is English-centred and noisy for ``nb``).
Replacement runs through Presidio's :class:`~presidio_anonymizer.AnonymizerEngine` with ``custom`` operators.

The recognisers are hand-written because no library knows Norwegian names, places, street names or the
fødselsnummer checksum variants; each is a Presidio ``EntityRecognizer`` whose matching is compiled regexes and
set look-ups over hand-written gazetteers in ``toolkit/anonymise/data/``. Because Presidio's per-call overhead
dominates on short texts, whole groups of paragraphs (up to ~64 kB) are analysed per call, and the same recognisers
can be called without the engines (``engine="direct"``), which gives the same spans (a test checks this) and
needs about a third less CPU; ``bench/bench_deid.py`` measures both.

Presidio traps handled here (see issue 7): the analyzer's default ``regex_flags`` include IGNORECASE, so the
per-transcript deny-list of names already seen ("Per") would match "per dag" — we pass flags without it; context
words only work with lemmas, so the NLP engine carries the ``nb`` lookup lemmatizer; e-mail detection imports
``tldextract``, which downloads unless ``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS`` is empty (``import toolkit`` sets
it); phone numbers are validated with ``phonenumbers`` for region ``NO`` only; and surrogates are chosen by a
*keyed* HMAC (Presidio's ``hash`` operator is an unkeyed hash, which anyone can reverse by hashing candidate names).

Types (Norwegian tag names): PERSON, STED, ORG, ADRESSE, FNR, TELEFON, EPOST, ID, DATO, ALDER.
"""

from toolkit.deidentify.deidentifier import Deidentifier, DeidResult
from toolkit.deidentify.folder import MAP_FILE, SPANS_FILE, _output_name, deidentify_folder
from toolkit.deidentify.spans import DIRECT_TYPES, TYPES, Span, merge_spans

__all__ = [
    "DIRECT_TYPES",
    "MAP_FILE",
    "SPANS_FILE",
    "TYPES",
    "DeidResult",
    "Deidentifier",
    "Span",
    "_output_name",
    "deidentify_folder",
    "merge_spans",
]
