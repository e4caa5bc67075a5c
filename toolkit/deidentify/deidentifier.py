"""The :class:`Deidentifier` estimator: detect spans with the registry, make them consistent, replace."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.deidentify.compose import compose
from toolkit.deidentify.consistency import drop_nameless, present_strings, seen_finder, surface_strings
from toolkit.deidentify.engine import build_analyzer
from toolkit.deidentify.registry import RecognizerRegistry, RegistryConfig
from toolkit.deidentify.replace import _Replacer
from toolkit.deidentify.rules import NorwegianDetector
from toolkit.deidentify.spans import LANGUAGE, TYPES, Span, merge_spans

ChunkSource = list[tuple[int, str]] | Callable[[], Iterator[tuple[int, str]]]
MODES = ("tags", "surrogates")
ENGINES = ("presidio", "direct")
CHUNK_CHARS = 64 * 1024


# =============================================================================================== public API
@dataclass
class DeidResult:
    """What :func:`deidentify_folder` did: one row per replaced span in ``spans`` (no original text)."""

    spans: pd.DataFrame
    files: pd.DataFrame
    out_dir: Path
    mode: str
    restricted_map: Path | None = None
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, one-line reason): no output

    def counts(self) -> pd.DataFrame:
        """Replaced spans per file and type (a tidy table)."""
        if self.spans.empty:
            return pd.DataFrame(columns=["source", "type", "n"])
        return self.spans.groupby(["source", "type"]).size().rename("n").reset_index()

    def summary(self) -> str:
        by_type = self.spans["type"].value_counts().to_dict() if not self.spans.empty else {}
        parts = ", ".join(f"{t} {by_type[t]}" for t in TYPES if t in by_type) or "none"
        words = int(self.files["words"].sum()) if not self.files.empty else 0
        return (
            f"De-identified {len(self.files)} transcript(s), {words:,} words, mode '{self.mode}': "
            f"{len(self.spans)} span(s) replaced ({parts}). Output in {self.out_dir}"
            + (
                f"; key to originals in {self.restricted_map}"
                if self.restricted_map
                else "; no key to originals written"
            )
            + "."
            + (
                f" Skipped {len(self.skipped)} file(s): "
                + "; ".join(f"{n} ({why})" for n, why in self.skipped)
                if self.skipped
                else ""
            )
        )

    def summary_line(self) -> str:
        """One line for the command line: counts, no paths."""
        words = int(self.files["words"].sum()) if not self.files.empty else 0
        line = f"{len(self.files)} transcript(s), {words:,} words, {len(self.spans)} span(s) replaced"
        return line + (f", {len(self.skipped)} skipped" if self.skipped else "")


class Deidentifier:
    """Replace identifying details in Norwegian text with tags or surrogates.

    Parameters
    ----------
    mode : "tags" or "surrogates"
        ``tags`` gives ``[PERSON_1]``-style tags, consistent within one transcript (the same name gets the same
        tag); ``surrogates`` gives realistic Faker ``no_NO`` values chosen by a keyed HMAC of the original, so the
        same person gets the same surrogate in every transcript of a study run with the same key.
    seed : int
        Makes surrogates reproducible when no ``key`` is given (then they are *not* secret: anyone with the seed
        could test candidate names). :func:`deidentify_folder` keeps a random key in ``restricted_dir``.
    engine : "presidio" or "direct"
        ``presidio`` runs the recognisers through Presidio's AnalyzerEngine/AnonymizerEngine; ``direct`` calls
        the same recognisers without them (same spans, faster; see ``bench/bench_deid.py``).
    spacy_model : "auto", None, a package name or a folder
        The named-entity model. ``auto`` loads the NorNE-trained model shipped in the package (or, if it is
        missing, an installed ``nb_core_news_*``); ``None`` runs the rules alone; a name or folder loads that
        spaCy pipeline. Its entities are one recogniser of the registry, so both engines use it.
    registry : RecognizerRegistry, optional
        The recognisers to use (default: :meth:`RecognizerRegistry.default` with ``spacy_model``); build one from
        a protocol's ``deidentify:`` section with :class:`RegistryConfig` to switch recognisers off or add
        deny-/allow-lists.
    key : bytes or str, optional
        Secret for surrogates.
    """

    def __init__(
        self,
        mode: str = "tags",
        seed: int = 0,
        *,
        engine: str = "presidio",
        spacy_model: str | None = "auto",
        key: bytes | str | None = None,
        registry: RecognizerRegistry | None = None,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        if spacy_model not in (None, "auto") and not isinstance(spacy_model, str):
            raise ValueError("spacy_model must be 'auto', None, or the name or folder of a spaCy pipeline")
        self.mode = mode
        self.seed = seed
        self.engine = engine
        self.spacy_model = spacy_model
        if key is None:
            key = f"pdtk-deid-seed-{seed}".encode()
        self.key = key.encode() if isinstance(key, str) else bytes(key)
        self.detector = NorwegianDetector()
        self.registry = registry if registry is not None else self._default_registry()
        self._analyzer = None
        self._anonymizer = None
        self._replacer = _Replacer(mode, self.key)

    # ------------------------------------------------------------------------------------ engines
    def _default_registry(self) -> RecognizerRegistry:
        return RecognizerRegistry.default(RegistryConfig(ner_model=self.spacy_model), detector=self.detector)

    @property
    def analyzer(self):
        if self._analyzer is None:
            self._analyzer = build_analyzer(self.registry)
        return self._analyzer

    @property
    def anonymizer(self):
        if self._anonymizer is None:
            from presidio_anonymizer import AnonymizerEngine

            self._anonymizer = AnonymizerEngine()
        return self._anonymizer

    # ------------------------------------------------------------------------------------ detection
    def analyze(self, text: str) -> list[Span]:
        """Merged spans for one chunk of whole paragraphs (offsets into ``text``)."""
        if not text.strip():
            return []
        if self.engine == "direct":
            return compose(text, merge_spans(self.registry.find_all(text)))
        results = self.analyzer.analyze(
            text=text,
            language=LANGUAGE,
            entities=list(TYPES),
            score_threshold=0.3,
            # Not IGNORECASE (Presidio's default): no pattern here should match "per dag" as "Per".
            regex_flags=re.DOTALL | re.MULTILINE,
        )
        return compose(
            text,
            merge_spans(
                Span(
                    r.start,
                    r.end,
                    r.entity_type,
                    r.score,
                    "model" if _recognizer(r) == "NerRecognizer" else "",
                )
                for r in results
            ),
        )

    # ------------------------------------------------------------------------------------ replacement
    def _apply(self, text: str, spans: list[Span]) -> str:
        if not spans:
            return text
        if self.engine == "direct":
            parts, pos = [], 0
            for s in spans:
                parts.append(text[pos : s.start])
                parts.append(self._replacer.replace(s.type, text[s.start : s.end]))
                pos = s.end
            parts.append(text[pos:])
            return "".join(parts)
        from presidio_anonymizer.entities import ConflictResolutionStrategy, OperatorConfig, RecognizerResult

        operators = {
            t: OperatorConfig("custom", {"lambda": functools.partial(self._replacer.replace, t)})
            for t in TYPES
        }
        for s in spans:  # number tags in reading order (Presidio applies operators from the end of the text)
            self._replacer.replace(s.type, text[s.start : s.end])
        results = [RecognizerResult(s.type, s.start, s.end, s.score) for s in spans]
        return self.anonymizer.anonymize(
            text=text,
            analyzer_results=results,
            operators=operators,
            conflict_resolution=ConflictResolutionStrategy.REMOVE_INTERSECTIONS,
            merge_entities_with_spaces=False,
        ).text

    def deidentify(self, text: str) -> tuple[str, list[dict]]:
        """De-identify one transcript. Returns ``(new_text, spans)``; spans are ``{start, end, type}`` dicts
        with offsets into the *original* text. Tags restart for each call (one call = one transcript)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        chunks = list(_chunk_paragraphs(text))
        out_parts, all_spans = self._deidentify_chunks(chunks)
        return "".join(out_parts), [{"start": s.start, "end": s.end, "type": s.type} for s in all_spans]

    def detect_chunks(self, chunks: ChunkSource) -> tuple[list[list[Span]], dict[str, str]]:
        """Pass 1: spans per chunk, and the surface strings (persons, places, organisations) they found."""
        first: list[list[Span]] = []
        strings: dict[str, str] = {}
        for _offset, chunk in _chunk_iter(chunks):
            spans = drop_nameless(chunk, self.analyze(chunk), self.detector.g)
            first.append(spans)
            for string, kind in surface_strings(chunk, spans, self.detector.g).items():
                strings.setdefault(string, kind)
        return first, strings

    def replace_chunks(
        self,
        chunks: ChunkSource,
        first: list[list[Span]],
        strings: dict[str, str],
        sink: Callable[[str, str, list[Span]], None] | None = None,
    ) -> tuple[list[str], list[Span]]:
        """Pass 2: add every other occurrence of the strings, then replace (tags numbered per document)."""
        self._replacer.reset()
        allowed = {s: k for s, k in strings.items() if s.casefold() not in self.registry.allow}
        find_seen = seen_finder(present_strings(allowed, (chunk for _, chunk in _chunk_iter(chunks))))
        out_parts: list[str] = []
        all_spans: list[Span] = []
        for (offset, chunk), spans in zip(_chunk_iter(chunks), first, strict=True):
            if find_seen is not None:
                extra = find_seen(chunk)
                if extra:
                    spans = merge_spans([*spans, *extra])
            new = self._apply(chunk, spans)
            all_spans += [Span(s.start + offset, s.end + offset, s.type, s.score) for s in spans]
            if sink is not None:
                sink(new, chunk, spans)
            else:
                out_parts.append(new)
        return out_parts, all_spans

    def _deidentify_chunks(self, chunks: ChunkSource, sink=None, known: dict[str, str] | None = None):
        """Both passes; ``known`` adds strings found elsewhere (the batch's person names)."""
        first, strings = self.detect_chunks(chunks)
        for string, kind in (known or {}).items():
            strings.setdefault(string, kind)
        return self.replace_chunks(chunks, first, strings, sink)

    def with_key(self, key: bytes) -> Deidentifier:
        """The same de-identifier (same registry and model) with another surrogate key."""
        clone = Deidentifier(**self.get_params(), key=key, registry=self.registry)
        return clone

    def get_params(self) -> dict:
        """The constructor parameters (scikit-learn style; the key is not returned)."""
        return {"mode": self.mode, "seed": self.seed, "engine": self.engine, "spacy_model": self.spacy_model}

    def __repr__(self) -> str:
        return f"Deidentifier(mode={self.mode!r}, seed={self.seed}, engine={self.engine!r})"


def _recognizer(result) -> str:
    """The name of the recogniser behind a Presidio result (kept in its recognition metadata)."""
    return (result.recognition_metadata or {}).get("recognizer_name", "")


def _chunk_iter(chunks: ChunkSource) -> Iterator[tuple[int, str]]:
    """Chunks from a list, or from a callable that re-opens a stream (huge files are read twice, not held)."""
    return chunks() if callable(chunks) else iter(chunks)


def _chunk_paragraphs(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Split at blank lines into chunks of about ``limit`` characters (an entity never spans a paragraph)."""
    if len(text) <= limit:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = text.rfind("\n\n", start, end)
            if cut <= start:
                cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.find("\n", end)
                cut = len(text) if cut < 0 else cut
            end = cut + 1 if cut < len(text) else cut
        yield start, text[start:end]
        start = end
