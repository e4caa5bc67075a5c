"""Rule-based auto-coding: codebook keywords, patterns and description words as weighted evidence.

A turn is coded with a theme when it is *about* the theme, not when a keyword passes by (the coding
guidelines of every set this was measured on say so). Matching finds the evidence;
:mod:`~toolkit.coding.evidence`
weighs it (keyword specificity learned from the corpus being coded, negation and hypotheticals, compound
parts, description words as weak evidence, sentence evidence aggregated to the turn, the interviewer's
question as context) and a turn is coded when its evidence reaches the theme's threshold. Every coded
segment carries a ``confidence`` and the words that carried it (``evidence`` = codebook entries,
``evidence_words`` = the words of the text), so a researcher can audit every code.

Matching, and why:

* a keyword word matches a text word when one of the word's keys equals one of the keyword's keys
  (:meth:`toolkit.language.NorwegianAnalyzer.analyse`): its lemma(s), its compound parts, its Bokmål
  lemma if Nynorsk, or — for words no lexicon knows — its Snowball stem against the keyword's stem;
* multi-word keywords (``trygg voksen``, ``stole på``) match their words in order, with at most
  ``max_gap`` other words between them (``trygge, gode voksne``);
* ``patterns`` are regular expressions on the raw text of a sentence, case-insensitive;
* content words of a code's name and description (four letters or more, not stop words, not keywords)
  match like single keywords, as weak evidence.

Interviewer turns are never coded by default (``code_interviewer=False``): coders code what participants
say. They are still read, as the question a participant's turn answers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.coding import evidence as ev
from toolkit.coding.codebook import Codebook
from toolkit.language import WORD_RE, NorwegianAnalyzer, get_analyzer, stop_words

SEGMENT_CONTRACT = ["source", "turn_index", "speaker", "start", "end", "code_id"]
"""The contract columns of ``segments.csv`` (DESIGN.md); ``confidence``, ``evidence`` and others follow."""

SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+")
MIN_DESCRIPTION_WORD = 4
MIN_STEM = 4
EXCLUSION_START = re.compile(r"^\W*(ikke|ikkje|unntatt|unntak|men ikke|not|except)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One piece of a codebook that can match: a keyword, a phrase, a pattern or a description word."""

    theme: int
    code_id: str
    label: str
    kind: str


@dataclass
class Matches:
    """Every match in a list of texts, one array element per (text, sentence, entry) — the raw evidence."""

    text_index: np.ndarray
    entry: np.ndarray
    factor: np.ndarray
    surface: list[str]
    n_sentences: np.ndarray
    sentence: np.ndarray | None = None
    """Per match, the index of its sentence among all sentences of the texts (for
    :func:`evidence.sentence_focus`); None where unknown, then sentences are not told apart."""


class AutoCoder:
    """Code segments into the themes of a codebook by weighted evidence.

    Parameters
    ----------
    codebook:
        A validated :class:`~toolkit.coding.codebook.Codebook`.
    analyzer:
        A :class:`~toolkit.language.NorwegianAnalyzer`; by default the shared one for ``backend``.
    backend:
        Lemma back end when no analyzer is given (``auto``, ``spacy``, ``simplemma``, ``pipeline``).
    max_gap:
        Words allowed between the words of a multi-word keyword.
    code_interviewer:
        Also code interviewer turns.
    thresholds:
        Evidence a turn needs per theme (``{code_id: value}``); others use ``threshold``.
    description_words:
        Use the content words of each code's name and description as weak evidence.
    use_question:
        Add the evidence of the interviewer's question before a turn (:data:`evidence.QUESTION_WEIGHT`).
    """

    def __init__(
        self,
        codebook: Codebook,
        *,
        analyzer: NorwegianAnalyzer | None = None,
        backend: str = "auto",
        max_gap: int = 2,
        code_interviewer: bool = False,
        threshold: float = ev.DEFAULT_THRESHOLD,
        thresholds: dict[str, float] | None = None,
        description_words: bool = True,
        use_question: bool = True,
    ):
        if max_gap < 0:
            raise ValueError("max_gap must be 0 or more")
        if threshold <= 0:
            raise ValueError("threshold must be positive")
        self.codebook = codebook
        self.analyzer = analyzer or get_analyzer(backend)
        self.max_gap = int(max_gap)
        self.code_interviewer = bool(code_interviewer)
        self.description_words = bool(description_words)
        self.use_question = bool(use_question)
        self.base_thresholds = np.array(
            [float((thresholds or {}).get(c, threshold)) for c in codebook.ids], dtype=float
        )
        self.thresholds = self.base_thresholds.copy()
        self.thresholds_fitted_ = False
        self.entries: list[Entry] = []
        self._single: dict[str, list[int]] = defaultdict(list)
        self._stems: dict[str, list[int]] = defaultdict(list)
        self._stem_of_form: dict[str, str] = {}
        self._hits_cache: dict[str, tuple] = {}
        self._multi: dict[str, list[tuple[int, tuple[frozenset[str], ...]]]] = defaultdict(list)
        self._patterns: list[tuple[int, str, re.Pattern[str], tuple[str, ...] | None]] = []
        self._compile()
        self._compile_prefix_scan()
        self.entry_theme = np.array([e.theme for e in self.entries], dtype=int)
        self.weights_: np.ndarray | None = None

    # ------------------------------------------------------------------------------------------ compile
    def _new_entry(self, theme: int, code_id: str, label: str, kind: str) -> int:
        self.entries.append(Entry(theme, code_id, label, kind))
        return len(self.entries) - 1

    def _compile(self) -> None:
        keyword_keys: set[str] = set()
        for theme, code in enumerate(self.codebook):
            for keyword in code.keywords:
                words = WORD_RE.findall(keyword)
                if not words:
                    continue
                key_sets = [frozenset(self.analyzer.keyword_keys(w)) for w in words]
                entry = self._new_entry(theme, code.id, keyword, "keyword" if len(words) == 1 else "phrase")
                if len(words) == 1:
                    self._index_stem(words[0], entry)
                for key in key_sets[0]:
                    if len(words) == 1:
                        self._single[key].append(entry)
                        keyword_keys.add(key)
                    else:
                        self._multi[key].append((entry, tuple(key_sets[1:])))
            for pattern in code.patterns:
                compiled = re.compile(pattern, re.IGNORECASE)
                entry = self._new_entry(theme, code.id, f"/{pattern}/", "pattern")
                self._patterns.append((entry, pattern, compiled, literal_prefixes(pattern)))
        if self.description_words:
            self._compile_descriptions(keyword_keys)
        for key, items in self._single.items():
            self._single[key] = list(dict.fromkeys(items))
        labels = [e.label.lower() for e in self.entries]
        counts: dict[str, int] = defaultdict(int)
        for label in labels:
            counts[label] += 1
        self.entry_sharing = np.array([counts[label] for label in labels], dtype=int)

    def _index_stem(self, word: str, entry: int) -> None:
        """Index a single-word entry by its Snowball stem, so derivations match (``jobb``: ``jobber``,
        ``jobbet``; ``tilrettelegging``: ``tilrettelegge``). Stems under :data:`MIN_STEM` letters are not
        indexed: short stems join unrelated words."""
        stem = self._stem(word.lower())
        if len(stem) >= MIN_STEM:
            self._stems[stem].append(entry)

    def _stem(self, form: str) -> str:
        """The Snowball stem of a word's lemma (cached per form)."""
        stem = self._stem_of_form.get(form)
        if stem is None:
            stem = self.analyzer._stemmer.stem(self.analyzer.analyse(form).lemma)
            self._stem_of_form[form] = stem
        return stem

    def _compile_prefix_scan(self) -> None:
        """One regular expression that finds, in one pass over a turn, which patterns could match in it.

        A pattern whose every match starts with one of a few literals (:func:`literal_prefixes`) is tried
        only on turns that contain one of them; ~40 patterns then cost one scan per turn instead of 40.
        Patterns anchored at a word start (``\\b…``) share one scan of word starts (``\\b`` and a
        one-letter look-ahead let the engine skip most positions before it tries the literals); it resumes
        one character after each hit, so overlapping literals are all seen, and a found literal also counts
        for every shorter literal it starts with (``bytt`` for ``byt``). Other patterns use substring tests.
        """
        self._always: list[int] = []
        self._unanchored: list[tuple[int, tuple[str, ...]]] = []
        self._by_prefix: dict[str, list[int]] = defaultdict(list)
        for index, (_entry, pattern, _compiled, found) in enumerate(self._patterns):
            if not found:
                self._always.append(index)
            elif pattern.startswith("\\b"):
                for prefix in found:
                    self._by_prefix[prefix].append(index)
            else:
                self._unanchored.append((index, found))
        prefixes = sorted(self._by_prefix, key=len, reverse=True)
        self._shorter = {p: [q for q in prefixes if p.startswith(q)] for p in prefixes}
        first_letters = "".join(sorted({re.escape(p[0]) for p in prefixes}))
        alternation = longest_first_alternation(prefixes)
        self._prefix_scan = re.compile(rf"\b(?=[{first_letters}])(?:{alternation})") if prefixes else None

    def _candidate_patterns(self, text: str) -> list[int]:
        """Indexes of the patterns worth trying on ``text`` (see :meth:`_compile_prefix_scan`)."""
        if not self._patterns:
            return []
        found: set[int] = set(self._always)
        lowered = text.lower()
        scan = self._prefix_scan
        if scan is not None:
            match = scan.search(lowered)
            while match is not None:
                for prefix in self._shorter[match.group(0)]:
                    found.update(self._by_prefix[prefix])
                match = scan.search(lowered, match.start() + 1)
        for index, literals in self._unanchored:
            if any(literal in lowered for literal in literals):
                found.add(index)
        return sorted(found)

    def _compile_descriptions(self, keyword_keys: set[str]) -> None:
        """Content words of names and descriptions, as weak single-word entries (not where a keyword is)."""
        stop = stop_words()
        for theme, code in enumerate(self.codebook):
            seen: set[str] = set()
            for word in WORD_RE.findall(f"{code.name} {inclusion_text(code.description)}"):
                lower = word.lower()
                if len(lower) < MIN_DESCRIPTION_WORD or lower in stop or lower.isdigit():
                    continue
                lemma = self.analyzer.analyse(lower).lemma
                if lemma in stop or lemma in keyword_keys or lemma in seen:
                    continue
                seen.add(lemma)
                entry = self._new_entry(theme, code.id, lemma, "description")
                self._single[lemma].append(entry)
                self._index_stem(lemma, entry)

    def add_words(self, words_by_theme: dict[int, list[str]], kind: str = "learned") -> None:
        """Add single words (lemmas) as evidence entries of ``kind`` — words learned from hand coding.

        Weights must be fitted again afterwards (:meth:`fit_weights`): the new entries change the corpus
        statistics the weights come from.
        """
        for theme, words in words_by_theme.items():
            code_id = self.codebook.ids[theme]
            for word in words:
                entry = self._new_entry(theme, code_id, word, kind)
                self._single[word].append(entry)
        self.entry_theme = np.array([e.theme for e in self.entries], dtype=int)
        labels = [e.label.lower() for e in self.entries]
        counts: dict[str, int] = defaultdict(int)
        for label in labels:
            counts[label] += 1
        self.entry_sharing = np.array([counts[label] for label in labels], dtype=int)
        self.weights_ = None
        self._hits_cache.clear()

    # ------------------------------------------------------------------------------------------ matching
    def _form_hits(self, form: str) -> tuple[tuple[tuple[int, float], ...], tuple, tuple[str, ...]]:
        """What one word form can start, cached per form: single-word entries with their factor (compound
        modifier, stem only), multi-word keyword candidates, and the form's match keys. Most forms start
        nothing, so a sentence costs one dictionary look-up per word."""
        cached = self._hits_cache.get(form)
        if cached is not None:
            return cached
        keys = self.analyzer.analyse(form).keys
        singles: dict[int, float] = {}
        for entry in self._stems.get(self._stem(form.lower()), ()):
            singles[entry] = ev.STEM_MATCH
        for key in keys:
            for entry in self._single.get(key, ()):
                singles[entry] = max(singles.get(entry, 0.0), self._part_factor(form, key))
        multis = tuple(item for key in keys for item in self._multi.get(key, ()))
        cached = (tuple(singles.items()), multis, keys)
        self._hits_cache[form] = cached
        return cached

    def _sentence_matches(self, sentence: str, patterns: list[int]) -> dict[int, tuple[float, str]]:
        """``{entry: (factor, word)}`` for one sentence (trying only ``patterns``), best factor per entry."""
        found: dict[int, tuple[float, str]] = {}
        if self.analyzer._pipeline is None:
            words = WORD_RE.findall(sentence)
            hits = [self._form_hits(w) for w in words]
        else:  # a trained pipeline: the lemma in context comes first among a word's keys
            words, keys_per_word = self.analyzer.text_keys(sentence)
            hits = [(*self._form_hits(w)[:2], keys) for w, keys in zip(words, keys_per_word, strict=True)]
        lowered: list[str] | None = None
        keys_per_word: list[tuple[str, ...]] | None = None
        for i, (singles, multis, _keys) in enumerate(hits):
            if not singles and not multis:
                continue
            if lowered is None:
                lowered = [w.lower() for w in words]
            scope = ev.scope_factor(lowered, i)
            for entry, factor in singles:
                _keep_best(found, entry, scope * factor, words[i])
            if multis:
                if keys_per_word is None:
                    keys_per_word = [h[2] for h in hits]
                for entry, rest in multis:
                    end = self._match_rest(keys_per_word, i + 1, rest)
                    if end:
                        _keep_best(found, entry, scope, " ".join(words[i:end]))
        for index in patterns:
            entry, _pattern, compiled, _prefixes = self._patterns[index]
            match = compiled.search(sentence)
            if match:
                _keep_best(found, entry, 1.0, match.group(0))
        return found

    def _part_factor(self, word: str, key: str) -> float:
        """Weaker when the key is only a compound's modifier (``skolebussen`` for ``skole``)."""
        analysis = self.analyzer.analyse(word)
        parts = analysis.parts
        if parts and key != parts[-1] and key in parts[:-1] and key != analysis.lemma:
            return ev.COMPOUND_MODIFIER
        return 1.0

    def _match_rest(
        self, keys_per_word: list[tuple[str, ...]], start: int, rest: tuple[frozenset[str], ...]
    ) -> int:
        """Position after the last word of a multi-word keyword matched from ``start``, or 0."""
        position = start
        for wanted in rest:
            limit = min(len(keys_per_word), position + self.max_gap + 1)
            for j in range(position, limit):
                if not wanted.isdisjoint(keys_per_word[j]):
                    position = j + 1
                    break
            else:
                return 0
        return position

    def match(self, texts: list[str]) -> Matches:
        """Every (text, sentence, entry) match of ``texts``, with its scope factor and the matching word."""
        text_index: list[int] = []
        entries: list[int] = []
        factors: list[float] = []
        surface: list[str] = []
        sentence_index: list[int] = []
        n_sentences = np.zeros(len(texts), dtype=int)
        seen = 0
        for t, text in enumerate(texts):
            sentences = [s for s in SENTENCE_SPLIT.split(text) if s]
            n_sentences[t] = len(sentences)
            patterns = self._candidate_patterns(text)
            for sentence in sentences:
                for entry, (factor, word) in self._sentence_matches(sentence, patterns).items():
                    text_index.append(t)
                    entries.append(entry)
                    factors.append(factor)
                    surface.append(word)
                    sentence_index.append(seen)
                seen += 1
        return Matches(
            np.array(text_index, dtype=int),
            np.array(entries, dtype=int),
            np.array(factors, dtype=float),
            surface,
            n_sentences,
            np.array(sentence_index, dtype=int),
        )

    def code_text(self, text: str) -> dict[str, list[str]]:
        """``{code_id: [entry, ...]}``: every keyword and pattern that matched one text, weighed or not."""
        hits: dict[str, list[str]] = {}
        patterns = self._candidate_patterns(text)
        for sentence in SENTENCE_SPLIT.split(text):
            for entry in self._sentence_matches(sentence, patterns):
                item = self.entries[entry]
                if item.kind != "description" and item.label not in hits.get(item.code_id, []):
                    hits.setdefault(item.code_id, []).append(item.label)
        return hits

    # ------------------------------------------------------------------------------------------ evidence
    def fit_weights(self, matches: Matches, n_texts: int) -> AutoCoder:
        """Learn every entry's weight from how widely it is spread over the texts (no labels needed)."""
        pairs = (
            np.unique(np.stack([matches.text_index, matches.entry]), axis=1) if len(matches.entry) else None
        )
        empty = np.zeros(0, dtype=int)
        self.weights_ = ev.specificity_weights(
            pairs[0] if pairs is not None else empty,
            pairs[1] if pairs is not None else empty,
            n_texts,
            self.entry_theme,
            [e.kind for e in self.entries],
            self.entry_sharing,
        )
        return self

    def fit_thresholds(self, scores: np.ndarray) -> AutoCoder:
        """Set each theme's threshold from the corpus's evidence (``scores``, turns × themes): the given
        threshold, moved only where the theme would be coded in too few or too many turns
        (:func:`evidence.prevalence_bounded_thresholds`). No labels are needed."""
        self.thresholds = ev.prevalence_bounded_thresholds(scores, self.base_thresholds)
        self.thresholds_fitted_ = True
        return self

    def raw_scores(self, matches: Matches, n_texts: int) -> np.ndarray:
        """Text × theme evidence before the question is added (sentence sums over the length factor)."""
        if self.weights_ is None:
            self.fit_weights(matches, n_texts)
        summed = np.zeros((n_texts, len(self.codebook)), dtype=float)
        if len(matches.entry):
            contribution = self.weights_[matches.entry] * matches.factor
            themes = self.entry_theme[matches.entry]
            if matches.sentence is None:
                np.add.at(summed, (matches.text_index, themes), contribution)
            else:
                ev.add_sentence_evidence(summed, matches.text_index, matches.sentence, themes, contribution)
        return ev.turn_scores(summed, matches.n_sentences, np.zeros_like(summed))

    def score_texts(self, texts: list[str], questions: list[str] | None = None) -> tuple[np.ndarray, Matches]:
        """Text × theme evidence (with each text's question, when given) and the matches behind it."""
        matches = self.match(texts)
        scores = self.raw_scores(matches, len(texts))
        if self.use_question and questions is not None:
            distinct = sorted({q for q in questions if q})
            if distinct:
                asked = self.raw_scores(self.match(distinct), len(distinct))
                row_of = {q: i for i, q in enumerate(distinct)}
                for i, question in enumerate(questions):
                    if question:
                        scores[i] += ev.question_evidence(scores[i], asked[row_of[question]])
        return scores, matches

    def evidence_lists(
        self, matches: Matches, texts: np.ndarray, themes: np.ndarray
    ) -> list[tuple[list[str], list[str]]]:
        """:meth:`evidence_of` for many (text, theme) pairs at once: one sort of the matches, not one scan
        per pair (a million words give tens of thousands of coded pairs)."""
        n_themes = len(self.codebook)
        if len(matches.entry) == 0:
            return [([], []) for _ in texts]
        theme_of = self.entry_theme[matches.entry]
        weight = self.weights_[matches.entry] * matches.factor
        order = np.lexsort((-weight, theme_of, matches.text_index))
        keys = matches.text_index[order].astype(np.int64) * n_themes + theme_of[order]
        cuts = np.flatnonzero(np.diff(keys)) + 1
        starts = np.concatenate([[0], cuts])
        ends = np.concatenate([cuts, [len(keys)]])
        wanted = set((np.asarray(texts, dtype=np.int64) * n_themes + np.asarray(themes)).tolist())
        found: dict[int, tuple[list[str], list[str]]] = {}
        for first, last in zip(starts, ends, strict=True):
            key = int(keys[first])
            if key in wanted:
                rows = order[first:last]
                labels = list(dict.fromkeys(self.entries[matches.entry[r]].label for r in rows))
                words = list(dict.fromkeys(matches.surface[r] for r in rows))
                found[key] = (labels, words)
        return [found.get(int(t) * n_themes + int(h), ([], [])) for t, h in zip(texts, themes, strict=True)]

    def evidence_of(self, matches: Matches, text: int, theme: int) -> tuple[list[str], list[str]]:
        """Codebook entries and text words that carried a theme in one text, strongest first."""
        rows = np.flatnonzero((matches.text_index == text) & (self.entry_theme[matches.entry] == theme))
        weight = self.weights_[matches.entry[rows]] * matches.factor[rows]
        order = rows[np.argsort(-weight, kind="stable")]
        labels = list(dict.fromkeys(self.entries[matches.entry[r]].label for r in order))
        words = list(dict.fromkeys(matches.surface[r] for r in order))
        return labels, words

    def evidence_table(self, segments: pd.DataFrame) -> pd.DataFrame:
        """``source, turn_index, code_id, evidence, evidence_words`` for every unit and theme with any match,
        coded or not — what a reviewer sees beside a learned suggestion."""
        units, _scores, matches = self.unit_scores(segments)
        rows = []
        if len(matches.entry):
            pairs = np.unique(np.stack([matches.text_index, self.entry_theme[matches.entry]]), axis=1)
            lists = self.evidence_lists(matches, pairs[0], pairs[1])
            sources, turns = units["source"].to_numpy(), units["turn_index"].to_numpy()
            for text, theme, (labels, words) in zip(pairs[0], pairs[1], lists, strict=True):
                rows.append(
                    (
                        sources[text],
                        int(turns[text]),
                        self.codebook.ids[theme],
                        "; ".join(labels),
                        "; ".join(words),
                    )
                )
        return pd.DataFrame(rows, columns=["source", "turn_index", "code_id", "evidence", "evidence_words"])

    # ------------------------------------------------------------------------------------------ segments
    def fit(self, segments: pd.DataFrame) -> AutoCoder:
        """Learn entry weights and per-theme thresholds from the coded units of ``segments`` (the corpus
        itself; no labels)."""
        self.weights_ = None
        self.thresholds_fitted_ = False
        self.unit_scores(segments)
        return self

    def _units(self, segments: pd.DataFrame) -> pd.DataFrame:
        if "role" in segments.columns and not self.code_interviewer:
            return segments[segments["role"] != "interviewer"]
        return segments

    def unit_scores(self, segments: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, Matches]:
        """The coded units, their unit × theme evidence, and the matches (weights and thresholds fitted on
        first use)."""
        units = self._units(segments).reset_index(drop=True)
        questions = question_texts(segments, units) if self.use_question else None
        scores, matches = self.score_texts(units["text"].tolist(), questions)
        if not self.thresholds_fitted_:
            self.fit_thresholds(scores)
        return units, scores, matches

    def transform(self, segments: pd.DataFrame) -> pd.DataFrame:
        """Code segments (from :mod:`toolkit.coding.segments`) into one row per segment and code.

        Returns the contract columns ``source, turn_index, speaker, start, end, code_id`` followed by
        ``confidence``, ``evidence`` (codebook entries, ``; ``-joined), ``evidence_words`` (words of the
        text), ``n_evidence`` and, for sentence units, ``sentence_index``. Weights and thresholds are
        learned from ``segments`` unless :meth:`fit` was called first.
        """
        units, scores, matches = self.unit_scores(segments)
        coded_rows, coded_themes = np.nonzero(ev.coded_mask(scores, self.thresholds))
        confidences = ev.confidence(scores[coded_rows, coded_themes], self.thresholds[coded_themes])
        evidence = self.evidence_lists(matches, coded_rows, coded_themes)
        frame = pd.DataFrame(
            {
                "source": units["source"].to_numpy()[coded_rows],
                "turn_index": units["turn_index"].to_numpy()[coded_rows],
                "speaker": units["speaker"].to_numpy()[coded_rows],
                "start": units["start"].to_numpy()[coded_rows],
                "end": units["end"].to_numpy()[coded_rows],
                "code_id": np.array(self.codebook.ids, dtype=object)[coded_themes],
                "confidence": np.round(confidences, 4),
                "evidence": ["; ".join(labels) for labels, _words in evidence],
                "evidence_words": ["; ".join(words) for _labels, words in evidence],
                "n_evidence": [len(labels) for labels, _words in evidence],
            }
        )
        order = ["source", "turn_index"]
        if "sentence_index" in units.columns:
            frame["sentence_index"] = units["sentence_index"].to_numpy()[coded_rows]
            order.append("sentence_index")
        if len(frame):
            frame = frame.sort_values(order, kind="stable")
        return frame.astype(
            {"turn_index": "int64", "start": "int64", "end": "int64", "n_evidence": "int64"}
        ).reset_index(drop=True)

    def fit_transform(self, segments: pd.DataFrame, y: object = None) -> pd.DataFrame:
        """Learn the weights from ``segments`` and code them."""
        return self.fit(segments).transform(segments)


def inclusion_text(description: str) -> str:
    """A description without its exclusion sentences ("Ikke når skolen bare nevnes …"): their words are
    what the theme is *not*, so they must not count as evidence for it."""
    sentences = SENTENCE_SPLIT.split(description)
    return " ".join(s for s in sentences if not EXCLUSION_START.match(s))


def question_texts(segments: pd.DataFrame, units: pd.DataFrame) -> list[str]:
    """For each unit, the text of the last interviewer turn before it in the same file: '' when none, or
    when more than :data:`evidence.QUESTION_REACH` participant turns lie between (a participant who goes on
    unprompted is no longer answering it)."""
    if "role" not in segments.columns:
        return [""] * len(units)
    previous: dict[tuple[str, int], str] = {}
    last_question, last_source, since, last_turn = "", None, 0, None
    for source, turn_index, role, text in zip(
        segments["source"], segments["turn_index"], segments["role"], segments["text"], strict=True
    ):
        if source != last_source:
            last_question, last_source, since, last_turn = "", source, 0, None
        if role == "interviewer":
            last_question, since, last_turn = text, 0, None
            continue
        if turn_index != last_turn:  # sentence units of one turn count once
            since, last_turn = since + 1, turn_index
        previous.setdefault((source, int(turn_index)), last_question if since <= ev.QUESTION_REACH else "")
    return [previous.get((s, int(t)), "") for s, t in zip(units["source"], units["turn_index"], strict=True)]


def _keep_best(found: dict[int, tuple[float, str]], entry: int, factor: float, word: str) -> None:
    known = found.get(entry)
    if known is None or factor > known[0]:
        found[entry] = (factor, word)


def longest_first_alternation(literals: list[str]) -> str:
    """A regular expression that matches, at a position, the longest of ``literals`` found there.

    The same match as ``"|".join(map(re.escape, sorted(literals, key=len, reverse=True)))``, written as a
    trie: ``ab``, ``abc``, ``ad`` give ``a(?:b(?:c)?|d)``. Why: Python's ``re`` tries the alternatives of a
    plain alternation one by one at every word start, and the ~300 pattern prefixes of the codebook made
    that scan a quarter of the theme coding; in the trie the engine follows one branch per character. A
    greedy ``?`` after a literal that ends where longer ones go on tries the longer ones first, so the
    longest literal wins, as in the longest-first alternation (a property test compares the two). Written
    here because no installed package builds it.
    """
    trie: dict[str, dict] = {}
    for literal in literals:
        node = trie
        for character in literal:
            node = node.setdefault(character, {})
        node[""] = {}  # a literal ends here
    return _trie_pattern(trie)


def _trie_pattern(node: dict[str, dict]) -> str:
    """The pattern of one trie node: its branches, optional when a literal also ends at the node."""
    branches = [
        re.escape(character) + _trie_pattern(child) for character, child in sorted(node.items()) if character
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in node:
        return body
    return f"(?:{body})?" if len(branches) == 1 else body + "?"


def literal_prefixes(pattern: str) -> tuple[str, ...] | None:
    """Literal strings (lower case) one of which every match of ``pattern`` must start with, or None.

    Derived from the parsed regular expression (``re._parser``): leading anchors such as ``\\b`` are skipped,
    a run of literal characters is a prefix, and groups or alternations give one prefix per branch. When the
    start is not literal (a character class, an optional group) the answer is None and the pattern always
    runs.
    This makes the ~40 codebook patterns cost a few substring tests per turn instead of 40 regex scans.
    """
    try:
        from re import _parser as sre_parse  # Python >= 3.11
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    prefixes = _prefixes_of(list(parsed), sre_parse)
    if not prefixes or any(len(p) < 2 for p in prefixes):
        return None
    return tuple(sorted(set(prefixes)))


def _prefixes_of(items: list, sre_parse: object, limit: int = 64) -> list[str] | None:
    """Literal prefixes of a parsed sequence: literal runs, extended through fully literal groups/branches."""
    prefixes, complete = _sequence_prefixes(items, sre_parse, limit)
    return prefixes if prefixes and prefixes != [""] else None


def _sequence_prefixes(items: list, sre_parse: object, limit: int) -> tuple[list[str], bool]:
    """``(prefixes, complete)``: complete when the whole sequence is literal (so what follows may extend
    it)."""
    constants = sre_parse._constants if hasattr(sre_parse, "_constants") else sre_parse  # type:
    # ignore[attr-defined]
    prefixes = [""]
    for op, av in items:
        if op == constants.AT:
            continue
        if op == constants.LITERAL:
            prefixes = [p + chr(av).lower() for p in prefixes]
            continue
        if op == constants.SUBPATTERN:
            inner, complete = _sequence_prefixes(list(av[-1]), sre_parse, limit)
        elif op == constants.BRANCH:
            inner, complete = [], True
            for alternative in av[1]:
                found, whole = _sequence_prefixes(list(alternative), sre_parse, limit)
                if found == [""]:
                    return prefixes, False
                inner.extend(found)
                complete = complete and whole
        else:
            return prefixes, False
        if inner == [""] or len(prefixes) * len(inner) > limit:
            return prefixes, False
        prefixes = [p + q for p in prefixes for q in inner]
        if not complete:
            return prefixes, False
    return prefixes, True


def coded_units(segments: pd.DataFrame, *, code_interviewer: bool = False) -> pd.DataFrame:
    """The units a coder could code (participant turns by default): ``source, turn_index, start, end,
    text``."""
    if "role" in segments.columns and not code_interviewer:
        segments = segments[segments["role"] != "interviewer"]
    return segments.reset_index(drop=True)


def to_indicator_matrix(units: pd.DataFrame, coded: pd.DataFrame, code_ids: list[str]) -> pd.DataFrame:
    """A 0/1 matrix: one row per unit (``source, turn_index``), one column per code.

    Codings whose (source, turn_index) is not a unit are ignored; a turn counts as coded if any of its
    sentences is.
    """
    keys = units[["source", "turn_index"]].astype({"source": str, "turn_index": "int64"}).drop_duplicates()
    index = pd.MultiIndex.from_frame(keys)
    values = np.zeros((len(index), len(code_ids)), dtype="int64")
    if len(coded):
        pairs = coded[["source", "turn_index", "code_id"]].drop_duplicates()
        rows = index.get_indexer(
            pd.MultiIndex.from_arrays([pairs["source"].astype(str), pairs["turn_index"].astype("int64")])
        )
        column_of = {c: j for j, c in enumerate(code_ids)}
        cols = np.array([column_of.get(c, -1) for c in pairs["code_id"]], dtype=int)
        keep = (rows >= 0) & (cols >= 0)
        values[rows[keep], cols[keep]] = 1
    return pd.DataFrame(values, index=index, columns=list(code_ids))
