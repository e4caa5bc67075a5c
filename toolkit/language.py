"""The toolkit's one Norwegian language layer: tokeniser, lemmas, compound parts, stems, stop words and the
trained pipeline when one is installed — without downloads. Auto-coding (word keys for keywords and actors)
and de-identification (lemmas for Presidio's context words, the lexicon the review uses to spot unknown
capitalised words, which trained pipeline to load) all build on it.

Why these pieces:

* **Lemmas.** ``spacy.blank("nb")`` has no lemmatizer data of its own, and the small ``nb_lemma_lookup``
  table in ``spacy-lookups-data`` maps almost every word to itself. The large ``nb_lemma_exc`` tables (from
  Norsk Ordbank, one per part of speech, ~590,000 forms) do the work. They are merged into one
  ``form → lemma`` table and given to the lemmatizer with its own ``initialize(lookups=…)``;
  ``nlp.initialize()`` would reload the small table. Three traps are handled here: case (a capitalised form
  is retried in lower case), forms that are both noun and verb (``veileder`` noun vs ``veilede`` verb,
  ``søker``/``søke``: a form that is itself a lemma keeps itself), and one lemma kept per form (for
  *matching* every candidate lemma of a form is kept, so ``veileder`` matches both keywords).
  ``simplemma`` (pure Python, data included, Bokmål and Nynorsk) is the alternative back end, and in the
  ``spacy`` back end its lemma is added as a second matching key, because the Ordbank export keeps one lemma
  per form (``regler`` → ``regle`` only, not ``regel``) and lacks some forms (``spurte``).
  :data:`DEFAULT_BACKEND` was chosen by measurement on the shipped test data: the two back ends code the
  hand-coded turns with the same kappa, and ``spacy`` lemmatises the gold list
  (``tests/data/coding/lemma_gold.csv``) more accurately (0.92 vs 0.89).
* **Compounds.** Norwegian writes compounds as one word (``skolehverdagen`` → skole + hverdag,
  ``NAV-veilederen`` → NAV + veileder), so a keyword must match inside them. Compounds are split against
  the lexicon of lemmas (fewest parts, then the longest head; linking ``-s-``/``-e-`` allowed).
* **Nynorsk and dialect.** Transcripts mix in forms such as ``eg``, ``ikkje``, ``heime``, ``skulen``.
  simplemma's Nynorsk data lemmatise them (``skulen`` → ``skule``); a short table (:data:`NYNORSK_TO_BOKMAL`)
  then maps the Nynorsk lemmas whose Bokmål lemma differs, so a Bokmål keyword (``skole``) matches. The table
  is hand-written because no installed package maps Nynorsk lemmas to Bokmål ones; it lists only common
  words of interviews about school, work, health, family and help services.
* **Unknown words** fall back to the Snowball Norwegian stemmer (nltk), matched against keyword stems.
* A **trained Norwegian spaCy pipeline** (``nb_core_news_*``) is used when installed (``backend="auto"``):
  its lemma in context (part of speech known) becomes a word's first key, ahead of the table keys
  (:meth:`NorwegianAnalyzer.text_keys`). Nothing is downloaded; without one, the tables are used.
* **Lemmas for de-identification.** :func:`blank_nb_with_lookup_lemmas` gives Presidio the lemmas of
  spaCy's own small ``nb_lemma_lookup`` table, applied column-wise (its context words are in that table's
  form); :func:`blank_nb_with_lemmas` gives the coder the merged Ordbank table.

Everything per word form is cached, so a corpus of a million words costs one analysis per distinct form.
"""

from __future__ import annotations

import importlib.metadata
import marshal
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

BACKENDS = ("auto", "spacy", "simplemma", "pipeline")
DEFAULT_BACKEND = "spacy"
"""Back end used by ``backend="auto"`` when no trained pipeline is installed (chosen by measurement)."""

TRAINED_PIPELINES = ("nb_core_news_lg", "nb_core_news_md", "nb_core_news_sm")

WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+", re.UNICODE)
"""A word: letters with inner hyphens/apostrophes (``NAV-veilederen`` is one word), or a number."""

NEGATORS = frozenset({"ikke", "ikkje", "aldri", "ingen", "inga", "ingenting", "intet", "verken", "ei"})

NYNORSK_TO_BOKMAL: dict[str, str] = {
    # pronouns and function words that carry meaning in coding rules (negation, self-reference)
    "eg": "jeg",
    "ikkje": "ikke",
    "ho": "hun",
    "dei": "de",
    "kva": "hva",
    "korleis": "hvordan",
    "kven": "hvem",
    "noko": "noe",
    "nokon": "noen",
    "ingenting": "ingenting",
    "berre": "bare",
    "mykje": "mye",
    "sjølv": "selv",
    "saman": "sammen",
    "heile": "hele",
    "heil": "hel",
    "åleine": "alene",
    "aleine": "alene",
    "einsam": "ensom",
    # places and people
    "heime": "hjemme",
    "heim": "hjem",
    "skule": "skole",
    "vidaregåande": "videregående",
    "vaksen": "voksen",
    "ven": "venn",
    "vener": "venn",
    "venene": "venn",
    "venen": "venn",
    "venninne": "venninne",
    "syskjen": "søsken",
    "sysken": "søsken",
    "mor": "mor",
    "far": "far",
    "bror": "bror",
    "syster": "søster",
    "besteforelder": "besteforelder",
    "lærar": "lærer",
    "rektor": "rektor",
    "sjukepleiar": "sykepleier",
    "helsesjukepleiar": "helsesykepleier",
    "helsesyster": "helsesøster",
    "saksbehandlar": "saksbehandler",
    "saksbehandle": "saksbehandler",
    "rettleiar": "veileder",
    "rettleie": "veilede",
    "veiledar": "veileder",
    "trenar": "trener",
    "arbeidsgjevar": "arbeidsgiver",
    "lærling": "lærling",
    "elev": "elev",
    "klasse": "klasse",
    "bygd": "bygd",
    "fengsel": "fengsel",
    # states, feelings and health
    "sjuk": "syk",
    "sjukdom": "sykdom",
    "kjensle": "følelse",
    "kjenne": "kjenne",
    "redd": "redd",
    "trist": "trist",
    "uro": "uro",
    "angst": "angst",
    "tanke": "tanke",
    "meiningslaus": "meningsløs",
    "tung": "tung",
    "trygg": "trygg",
    "utrygg": "utrygg",
    "sterk": "sterk",
    "svak": "svak",
    # school and work
    "fråvær": "fravær",
    "fråvære": "fravær",
    "karakter": "karakter",
    "eksamen": "eksamen",
    "fag": "fag",
    "lekse": "lekse",
    "mobbing": "mobbing",
    "mobbe": "mobbe",
    "arbeid": "arbeid",
    "jobb": "jobb",
    "stilling": "stilling",
    "løn": "lønn",
    "praksisplass": "praksisplass",
    "tiltak": "tiltak",
    "arbeidsmarknadsbedrift": "arbeidsmarkedsbedrift",
    "arbeidsmarknad": "arbeidsmarked",
    # verbs
    "vere": "være",
    "verte": "bli",
    "vert": "bli",
    "vart": "bli",
    "byrje": "begynne",
    "byrja": "begynne",
    "høyre": "høre",
    "spørje": "spørre",
    "spurde": "spørre",
    "snakke": "snakke",
    "fortelje": "fortelle",
    "skulke": "skulke",
    "slutte": "slutte",
    "orke": "orke",
    "meistre": "mestre",
    "meistring": "mestring",
    "få": "få",
    "gje": "gi",
    "gjere": "gjøre",
    "seie": "si",
    "vite": "vite",
    "veit": "vite",
    "tru": "tro",
    "trudde": "tro",
    "ønskje": "ønske",
    "kome": "komme",
    "bu": "bo",
    "budde": "bo",
    "hjelpe": "hjelpe",
    "fylgje": "følge",
    "følgje": "følge",
    "avgjere": "avgjøre",
    "bestemme": "bestemme",
    "velje": "velge",
    "ventetid": "ventetid",
    "venteliste": "venteliste",
    "søknad": "søknad",
    "avslag": "avslag",
    "samarbeide": "samarbeide",
    "tilhøyre": "tilhøre",
    "høyre_til": "høre_til",
}
"""Nynorsk (and common dialect) lemmas whose Bokmål lemma differs — or that simplemma's Bokmål data lack."""


@dataclass(frozen=True)
class WordAnalysis:
    """What one word form can match: its lemma(s), compound parts, and a stem if the form is unknown."""

    form: str
    lemma: str
    keys: tuple[str, ...]
    parts: tuple[str, ...] = ()
    known: bool = True


@dataclass
class _Lexicon:
    lookup: dict[str, str]  # form -> the one lemma (spaCy table semantics)
    candidates: dict[str, tuple[str, ...]]  # form -> every lemma it can have (for matching)
    lemmas: frozenset[str]  # every lemma of any part of speech
    nouns: frozenset[str]  # noun lemmas (compound heads)
    adj_verb: frozenset[str] = field(default_factory=frozenset)


_POS_ORDER = ("noun", "verb", "adj", "adv")

MIN_MODIFIER = 4
"""Shortest first part when splitting a word the lexicon knows. Three-letter modifiers split derivations
falsely (veileder → vei + leder, vennlig), so known words need four; unknown forms may use three (bil-)."""


LEXICON_CACHE_ENV = "PDTK_CACHE_DIR"
"""Environment variable naming the folder for the lexicon cache (default ``$XDG_CACHE_HOME/pdtk``)."""


def _cache_root() -> Path:
    """The folder of the language caches: ``PDTK_CACHE_DIR`` or ``$XDG_CACHE_HOME/pdtk``."""
    return Path(
        os.environ.get(LEXICON_CACHE_ENV)
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pdtk"
    )


def lexicon_cache_path() -> Path | None:
    """Where the merged lexicon is cached, keyed by the spacy-lookups-data version; None when unknown."""
    try:
        version = importlib.metadata.version("spacy-lookups-data")
    except importlib.metadata.PackageNotFoundError:
        return None
    return _cache_root() / f"nb_lexicon-{version}-v1.marshal"


def _write_cache(path: Path, data: object) -> None:
    """Write a ``marshal`` cache atomically; a read-only home means no cache, with the same results."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_suffix(f".{os.getpid()}.tmp")
        staged.write_bytes(marshal.dumps(data))
        staged.replace(path)
    except OSError:
        pass


class _CachedSimplemmaDictionaries:
    """simplemma's form → lemma dictionaries (a ``DictionaryFactory``), read from a ``marshal`` cache.

    Why: simplemma decompresses and decodes its Bokmål dictionary on first use, ~0.7 s per process (a
    twentieth of ``pdtk autocode`` on a million words); the decoded dictionary as a plain ``dict`` loads in
    ~0.2 s. It is the same data (``DefaultDictionaryFactory().get_dictionary(lang)`` item by item), keyed
    by the simplemma version, so the lemmas are the same (a test compares them); it holds no study data.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, dict[str, str]] = {}

    def get_dictionary(self, lang: str) -> dict[str, str]:
        found = self._loaded.get(lang)
        if found is None:
            found = self._loaded[lang] = self._read(lang)
        return found

    @staticmethod
    def _read(lang: str) -> dict[str, str]:
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        path = _cache_root() / f"simplemma-{importlib.metadata.version('simplemma')}-{lang}-v1.marshal"
        if path.is_file():
            try:
                cached = marshal.loads(path.read_bytes())
                if isinstance(cached, dict):
                    return cached
            except (ValueError, EOFError, TypeError, OSError):
                pass  # a damaged cache is rebuilt below
        dictionary = dict(DefaultDictionaryFactory().get_dictionary(lang).items())
        _write_cache(path, dictionary)
        return dictionary


@lru_cache(maxsize=1)
def _simplemma_lemmatizer():  # noqa: ANN202 - a simplemma.Lemmatizer, imported lazily
    """simplemma's default lemmatizer (as ``simplemma.lemmatize`` uses it) on the cached dictionaries."""
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(
        lemmatization_strategy=DefaultStrategy(dictionary_factory=_CachedSimplemmaDictionaries())
    )


def simplemma_lemma(word: str, lang: str) -> str:
    """``simplemma.lemmatize(word, lang=lang)``, with the dictionaries from the cache."""
    return _simplemma_lemmatizer().lemmatize(word, lang)


@lru_cache(maxsize=1)
def load_lexicon() -> _Lexicon:
    """The merged lexicon (:func:`build_lexicon`), from a cache file when one exists (0.5 s instead of ~3 s).

    The cache holds only strings, lists and dicts (``marshal``, which cannot run code on load); it is keyed
    by the installed spacy-lookups-data version and rebuilt when missing or unreadable. It lives outside the
    project (``PDTK_CACHE_DIR`` or ``~/.cache/pdtk``) and holds no study data.
    """
    path = lexicon_cache_path()
    if path is not None and path.is_file():
        try:
            lookup, candidates, lemmas, nouns, adj_verb = marshal.loads(path.read_bytes())
            return _Lexicon(lookup, candidates, frozenset(lemmas), frozenset(nouns), frozenset(adj_verb))
        except (ValueError, EOFError, TypeError, OSError):
            pass  # a damaged cache is rebuilt below
    lexicon = build_lexicon()
    if path is not None:
        data = (
            lexicon.lookup,
            lexicon.candidates,
            sorted(lexicon.lemmas),
            sorted(lexicon.nouns),
            sorted(lexicon.adj_verb),
        )
        _write_cache(path, data)
    return lexicon


def build_lexicon() -> _Lexicon:
    """Merge the ``nb_lemma_exc`` part-of-speech tables of spacy-lookups-data into one lexicon.

    One lemma per form for the spaCy table: a form that is itself a lemma keeps itself (``veileder`` stays
    ``veileder`` even though it is also a verb form of ``veilede``); otherwise noun before verb before
    adjective before adverb. All candidates are kept separately for keyword matching.
    """
    from spacy.lookups import load_lookups

    exc = load_lookups("nb", ["lemma_exc"]).get_table("lemma_exc")
    tables = {pos: exc[pos] for pos in _POS_ORDER if pos in exc}
    lemmas: set[str] = set()
    nouns: set[str] = set()
    adj_verb: set[str] = set()
    for pos, table in tables.items():
        for values in table.values():
            lemmas.update(values)
            if pos == "noun":
                nouns.update(values)
            elif pos in {"adj", "verb"}:
                adj_verb.update(values)
    candidates: dict[str, list[str]] = {}
    for pos in _POS_ORDER:
        for form, values in tables.get(pos, {}).items():
            known = candidates.setdefault(form, [])
            for value in values:
                if value not in known:
                    known.append(value)
    lookup: dict[str, str] = {}
    for form, values in candidates.items():
        lookup[form] = form if form in lemmas else values[0]
    return _Lexicon(
        lookup=lookup,
        candidates={f: tuple(v) for f, v in candidates.items()},
        lemmas=frozenset(lemmas),
        nouns=frozenset(nouns),
        adj_verb=frozenset(adj_verb),
    )


EXTRA_STOP_WORDS = frozenset(
    [
        "eg",
        "ein",
        "eit",
        "ei",
        "ikkje",
        "kva",
        "korleis",
        "kvar",
        "kven",
        "dei",
        "ho",
        "han",
        "berre",
        "noko",
        "nokon",
        "mykje",
        "heile",
        "vere",
        "vore",
        "frå",
        "seie",
        "sjølv",
        "einaste",
        "gong",
        "gonger",
        "då",
        "no",
        "òg",
        "hva",
        "min",
        "mi",
        "mitt",
        "mine",
        "sånn",
        "nei",
        "ja",
        "hvordan",
        "hvorfor",
        "kanskje",
        "liksom",
        "egentlig",
        "altså",
        "veldig",
        "ganske",
        "litt",
        "mye",
        "jo",
        "vel",
        "nå",
        "da",
        "også",
        "ting",
        "gang",
        "helt",
        "hm",
        "mm",
    ]
)
"""Nynorsk function words and interview fillers that spaCy's Bokmål stop list lacks (for
discovery/learning)."""


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's Norwegian stop words (lower case), plus :data:`EXTRA_STOP_WORDS`."""
    return frozenset(w.lower() for w in _spacy_nb_stop_words()) | EXTRA_STOP_WORDS


def _spacy_nb_stop_words() -> set[str]:
    """``spacy.lang.nb.stop_words.STOP_WORDS``, read from its own file when it can be.

    Importing it the usual way runs ``spacy/__init__`` first (about half a second, most of ``pdtk
    autocode``'s spaCy cost); the file is a plain list and needs none of it. Any surprise falls back to the
    import.
    """
    import importlib.util

    spec = importlib.util.find_spec("spacy")
    locations = list(spec.submodule_search_locations or []) if spec else []
    path = Path(locations[0], "lang", "nb", "stop_words.py") if locations else None
    if path is not None and path.is_file():
        module_spec = importlib.util.spec_from_file_location("_pdtk_spacy_nb_stop_words", path)
        if module_spec is not None and module_spec.loader is not None:
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            if isinstance(getattr(module, "STOP_WORDS", None), set):
                return module.STOP_WORDS
    from spacy.lang.nb.stop_words import STOP_WORDS

    return STOP_WORDS


@lru_cache(maxsize=1)
def blank_nb_with_lemmas():
    """``spacy.blank("nb")`` with a lookup lemmatizer initialised on the merged Ordbank table.

    The table is handed to the lemmatizer's own ``initialize(lookups=…)`` — ``nlp.initialize()`` would
    replace it with the small ``nb_lemma_lookup`` table that returns words unchanged.
    """
    import spacy
    from spacy.lookups import Lookups

    nlp = spacy.blank("nb")
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    lookups = Lookups()
    lookups.add_table("lemma_lookup", load_lexicon().lookup)
    lemmatizer.initialize(lookups=lookups)
    return nlp


@lru_cache(maxsize=1)
def blank_nb_with_lookup_lemmas():
    """``spacy.blank("nb")`` with spaCy's own small ``nb`` lookup table as lemmas (Presidio's context words).

    Applied column-wise (``doc.to_array``/``from_array``) rather than by spaCy's ``Lemmatizer``, which walks
    the tokens in Python and was a sixth of the de-identification engine's time; the lemmas are the same.
    """
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe(_register_lookup_lemmatizer())
    return nlp


def _register_lookup_lemmatizer() -> str:
    """Register the column-wise lookup lemmatizer component once; returns its factory name."""
    from spacy.language import Language

    name = "pdtk_nb_lookup_lemmatizer"
    if not Language.has_factory(name):

        @Language.factory(name)
        def _factory(nlp, name):  # noqa: ANN001, ANN202
            return _LookupLemmatizer(nlp)

    return name


class _LookupLemmatizer:
    """spaCy component: lemma = ``nb_lemma_lookup[token.text]`` or the token itself (spaCy's lookup mode)."""

    def __init__(self, nlp):  # noqa: ANN001
        import gzip
        import json

        import spacy_lookups_data

        path = Path(spacy_lookups_data.__file__).parent / "data" / "nb_lemma_lookup.json.gz"
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            table = json.load(handle)
        strings = nlp.vocab.strings
        self.mapping = {strings.add(word): strings.add(lemma) for word, lemma in table.items()}

    def __call__(self, doc):  # noqa: ANN001, ANN204
        import numpy as np
        from spacy.attrs import LEMMA, ORTH

        if not len(doc):
            return doc
        orths = doc.to_array([ORTH]).tolist()
        get = self.mapping.get
        lemmas = np.array([get(o, o) for o in orths], dtype="uint64").reshape(-1, 1)
        doc.from_array([LEMMA], lemmas)
        return doc


def trained_pipeline_name() -> str | None:
    """Name of an installed trained Norwegian spaCy pipeline, or None.

    Asks the installed distributions, as ``spacy.util.is_package`` does, without importing spaCy (about half a
    second that ``pdtk autocode`` does not otherwise spend).
    """
    from importlib.metadata import PackageNotFoundError, distribution

    for name in TRAINED_PIPELINES:
        try:
            distribution(name)
        except PackageNotFoundError:
            continue
        return name
    return None


class NorwegianAnalyzer:
    """Analyse Norwegian word forms into match keys (lemmas, compound parts, stems), cached per form.

    Parameters
    ----------
    backend:
        ``"spacy"`` (Ordbank tables through spaCy's lemmatizer), ``"simplemma"``, ``"pipeline"`` (a trained
        ``nb_core_news_*`` pipeline; an error if none is installed) or ``"auto"`` (the trained pipeline if
        installed, else :data:`DEFAULT_BACKEND`).
    split_compounds:
        Add the parts of compounds as match keys.
    nynorsk:
        Lemmatise words the Bokmål data do not know with simplemma's Nynorsk data and map them to Bokmål.
    stem_unknown:
        Give words no lexicon knows a ``~stem`` key (Snowball), matched against keyword stems.
    """

    def __init__(
        self,
        backend: str = "auto",
        *,
        split_compounds: bool = True,
        nynorsk: bool = True,
        stem_unknown: bool = True,
    ):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
        self.requested_backend = backend
        if backend == "auto":
            backend = "pipeline" if trained_pipeline_name() else DEFAULT_BACKEND
        if backend == "pipeline" and trained_pipeline_name() is None:
            raise ValueError(
                "backend='pipeline' needs an installed nb_core_news_* spaCy pipeline; none is installed"
            )
        self.backend = backend
        self.split_compounds = split_compounds
        self.nynorsk = nynorsk
        self.stem_unknown = stem_unknown
        self.lexicon = load_lexicon()
        self._stop = stop_words()
        self._cache: dict[str, WordAnalysis] = {}
        self._split_cache: dict[str, tuple[str, ...] | None] = {}
        from nltk.stem.snowball import NorwegianStemmer

        self._stemmer = NorwegianStemmer()
        self._table = None
        self._pipeline = None
        if backend in {"spacy", "pipeline"}:
            # the same form -> lemma table that blank_nb_with_lemmas() hands to spaCy's lemmatizer, used
            # directly: building the spaCy pipeline only to read the table back cost ~2.4 s per process
            self._table = self.lexicon.lookup
        if backend == "pipeline":
            import spacy

            self._pipeline = spacy.load(trained_pipeline_name(), exclude=["ner", "parser"])

    # ----------------------------------------------------------------------------------------- lemmas
    def _base_lemmas(self, form: str) -> tuple[tuple[str, ...], bool]:
        """Candidate lemmas of one form (first = the lemma), and whether a lexicon knew the form."""
        lower = form.lower()
        if self.backend == "simplemma":
            lemma = simplemma_lemma(lower, "nb").lower()
            known = lemma != lower or lower in self.lexicon.lemmas
            extra = self.lexicon.candidates.get(lower, ())
            return _unique((lemma, *extra)), known or bool(extra)
        # spaCy table: the text as written, then lower case (the table's keys are mostly lower case).
        # simplemma's Bokmål lemma is a second opinion: the Ordbank export keeps one lemma per form
        # (regler -> regle only, not regel) and lacks some forms (spurte); for matching, both are keys.
        second = simplemma_lemma(lower, "nb").lower()
        if lower in self._stop and lower not in self.lexicon.lemmas:
            # Pronouns and conjunctions are not in the noun/verb/adjective/adverb tables, which then map them
            # to rare verbs (meg -> mige, seg -> sige, dem -> demme); simplemma knows them (meg -> jeg).
            return (second,), True
        for text in (form, lower):
            if text in self._table:
                lemma = self._table[text].lower()
                return _unique(
                    (lemma, *(c.lower() for c in self.lexicon.candidates.get(text, ())), second)
                ), True
        return ((second, lower), True) if second != lower else ((lower,), False)

    def text_keys(self, text: str) -> tuple[list[str], list[tuple[str, ...]]]:
        """Words of a text and the match keys of each word.

        With a trained pipeline (``backend="pipeline"``) the pipeline's lemma in context comes first among a
        word's keys, followed by the table keys of the form; otherwise keys are per form and cached. The
        pipeline path is much slower (a tagger runs on every text) and is used only when installed.
        """
        if self._pipeline is None:
            words = WORD_RE.findall(text)
            analyse = self.analyse
            return words, [analyse(w).keys for w in words]
        words, keys = [], []
        for token in self._pipeline(text):
            if not WORD_RE.fullmatch(token.text):
                continue
            words.append(token.text)
            keys.append(_unique((token.lemma_.lower(), *self.analyse(token.text).keys)))
        return words, keys

    def lemma(self, form: str) -> str:
        """The lemma of a word form (lower case)."""
        return self.analyse(form).lemma

    def analyse(self, form: str) -> WordAnalysis:
        """Match keys of one word form: lemma candidates, compound parts, Nynorsk mapping, stem."""
        cached = self._cache.get(form)
        if cached is not None:
            return cached
        result = self._analyse(form)
        self._cache[form] = result
        return result

    def _analyse(self, form: str) -> WordAnalysis:
        lower = form.lower()
        if "-" in lower.strip("-"):
            pieces = [p for p in re.split(r"[-'’]", form) if p]
            analyses = [self.analyse(p) for p in pieces]
            keys = [lower, *(k for a in analyses for k in a.keys)]
            parts = tuple(a.lemma for a in analyses)
            whole, known = self._base_lemmas(form)
            lemma = whole[0] if known else "-".join(parts)
            return WordAnalysis(form, lemma, _unique((lemma, *keys)), parts, True)
        lemmas, known = self._base_lemmas(form)
        keys = list(lemmas)
        if self.nynorsk:
            mapped = self._nynorsk(lower, lemmas)
            if mapped:
                explicit = lower in NYNORSK_TO_BOKMAL or lemmas[0] in NYNORSK_TO_BOKMAL
                if not known or explicit:  # a Nynorsk/dialect form: its Bokmål lemma is the lemma
                    keys = [*mapped, *keys]
                else:
                    keys.extend(mapped)
                known = True
        parts: tuple[str, ...] = ()
        if self.split_compounds and len(lower) >= 6 and lower not in self._stop:
            if not known:  # an inflected compound the lexicon lacks: the head carries the inflection
                parts = self._split_unknown(lower) or ()
            if not parts:
                parts = self.compound_parts(keys[0]) or ()
            keys.extend(parts)
            known = known or bool(parts)
        if not known and self.stem_unknown:
            keys.append("~" + self._stemmer.stem(lower))
        return WordAnalysis(form, (keys[0] if keys else lower), _unique(keys), parts, known)

    def _nynorsk(self, lower: str, lemmas: tuple[str, ...]) -> list[str]:
        found = [NYNORSK_TO_BOKMAL[x] for x in (lower, *lemmas) if x in NYNORSK_TO_BOKMAL]
        if lower in self.lexicon.candidates and not found:
            return []
        nn = simplemma_lemma(lower, "nn").lower()
        if nn in NYNORSK_TO_BOKMAL:
            found.append(NYNORSK_TO_BOKMAL[nn])
        elif nn != lower and lower not in self.lexicon.candidates:
            found.append(nn)
        return found

    # ----------------------------------------------------------------------------------------- compounds
    def compound_parts(self, lemma: str) -> tuple[str, ...] | None:
        """Split a lemma into lexicon lemmas (``skolehverdag`` → ``("skole", "hverdag")``), or None.

        Fewest parts wins, then the longest head. The first part has at least :data:`MIN_MODIFIER` letters,
        later parts at least 3, and short stop words are never parts; the head
        is a noun, adjective or verb lemma; a linking ``s`` or ``e`` may join two parts (``arbeidsplass``).
        """
        if lemma in self._split_cache:
            return self._split_cache[lemma]
        result = self._split(lemma, depth=0)
        self._split_cache[lemma] = result
        return result

    def _is_part(self, text: str) -> bool:
        # Short stop words ("for", "der", "som") are not compound parts; long ones ("kontakt") can be.
        return len(text) >= 3 and text in self.lexicon.lemmas and (len(text) > 4 or text not in self._stop)

    def _split(self, word: str, depth: int) -> tuple[str, ...] | None:
        if depth > 3 or len(word) < 6:
            return None
        best: tuple[str, ...] | None = None
        for cut in range(3, len(word) - 2):  # longest head first
            head = word[cut:]
            if not (self._is_part(head) and (head in self.lexicon.nouns or head in self.lexicon.adj_verb)):
                continue
            left = word[:cut]
            for candidate in _left_candidates(left, head):
                if self._is_part(candidate) and len(candidate) >= MIN_MODIFIER:
                    option: tuple[str, ...] | None = (candidate, head)
                else:
                    inner = self._split(candidate, depth + 1)
                    option = (*inner, head) if inner else None
                if option and (best is None or len(option) < len(best)):
                    best = option
            if best is not None and len(best) == 2:
                return best
        return best

    def _split_unknown(self, lower: str) -> tuple[str, ...] | None:
        """Split an unknown form whose head is an inflected form (``nav-kontoret`` style, or new
        compounds)."""
        for cut in range(3, len(lower) - 2):
            head = lower[cut:]
            head_lemmas = self.lexicon.candidates.get(head)
            if not head_lemmas or head in self._stop:
                continue
            left = lower[:cut]
            for candidate in _left_candidates(left, head):
                if self._is_part(candidate):
                    return (candidate, head_lemmas[0])
                inner = self.compound_parts(candidate)
                if inner:
                    return (*inner, head_lemmas[0])
        return None

    # ----------------------------------------------------------------------------------------- text
    def words(self, text: str) -> list[str]:
        """Word forms of a text (fast regular-expression tokenizer; see :data:`WORD_RE`)."""
        return WORD_RE.findall(text)

    def lemmas(self, text: str, *, drop_stop_words: bool = False) -> list[str]:
        """Lemmas of the words of a text, lower case; optionally without spaCy's stop words."""
        out = [self.analyse(w).lemma for w in WORD_RE.findall(text)]
        if drop_stop_words:
            out = [w for w in out if w not in self._stop and len(w) > 1]
        return out

    def keyword_keys(self, keyword_word: str) -> tuple[str, ...]:
        """Keys a keyword word (given in base form) matches: itself, its lemma, its Bokmål form, its stem."""
        lower = keyword_word.lower()
        keys = [lower]
        analysis = self.analyse(lower)
        if analysis.lemma != lower and lower not in self.lexicon.lemmas:
            keys.append(analysis.lemma)
        if lower in NYNORSK_TO_BOKMAL:
            keys.append(NYNORSK_TO_BOKMAL[lower])
        if self.stem_unknown:
            keys.append("~" + self._stemmer.stem(lower))
        return _unique(keys)

    def cache_size(self) -> int:
        return len(self._cache)


def _left_candidates(left: str, head: str) -> list[str]:
    """The modifier as written, without a linking s/e, and with a consonant restored (fotball+lag =
    fotballag)."""
    out = [left]
    if left[-1:] in {"s", "e"} and len(left) > 3:
        out.append(left[:-1])
    if head[:1] == left[-1:] and head[:1] not in "aeiouyæøå":
        out.append(left + head[0])
    return out


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


@lru_cache(maxsize=8)
def get_analyzer(
    backend: str = "auto", split_compounds: bool = True, nynorsk: bool = True, stem_unknown: bool = True
) -> NorwegianAnalyzer:
    """A shared analyzer (building the lexicon takes a few seconds; do it once per process)."""
    return NorwegianAnalyzer(
        backend, split_compounds=split_compounds, nynorsk=nynorsk, stem_unknown=stem_unknown
    )
