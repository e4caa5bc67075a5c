"""Replacement: consistent tags (``[PERSON_1]``) or keyed surrogates, one replacer per transcript."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter

import toolkit  # noqa: F401  (sets TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS before presidio is imported)
from toolkit.deidentify.gazetteers import load_gazetteers
from toolkit.deidentify.spans import TYPES


# =============================================================================================== replacement
class _Replacer:
    """Chooses the replacement for each span: a consistent tag per transcript, or a keyed surrogate."""

    TAG_NAMES = {t: t for t in TYPES}

    def __init__(self, mode: str, key: bytes):
        self.mode = mode
        self.key = key
        self.tags: dict[tuple[str, str], str] = {}
        self.counters: Counter[str] = Counter()
        self._faker = None

    def reset(self) -> None:
        """Tags restart for each transcript ([PERSON_1] is the first person of *this* transcript)."""
        self.tags.clear()
        self.counters.clear()

    def _normal(self, kind: str, original: str) -> str:
        """The key a replacement is chosen by: case and spacing folded, digits only for numbers, and a
        possessive ("Karis", "Holmenkollen's") folded into its name when the name is known."""
        value = " ".join(original.split()).lower()
        if kind in ("FNR", "TELEFON", "ID"):
            value = re.sub(r"\D", "", value)[-11:] if kind != "ID" else re.sub(r"[\s]", "", value)
            if kind == "TELEFON":
                value = value[-8:]
        if kind in ("PERSON", "STED", "ORG") and len(value) > 3:
            for suffix in ("'s", "’s", "s"):
                stem = value[: -len(suffix)]
                if value.endswith(suffix) and (
                    (kind, stem) in self.tags or (kind == "PERSON" and stem in load_gazetteers().first_names)
                ):
                    return stem
        return value

    def replace(self, kind: str, original: str) -> str:
        key = (kind, self._normal(kind, original))
        if self.mode == "tags":
            if key not in self.tags:
                self.counters[kind] += 1
                self.tags[key] = f"[{self.TAG_NAMES[kind]}_{self.counters[kind]}]"
            return self.tags[key]
        return self._surrogate(kind, key[1], original)

    def _surrogate(self, kind: str, normal: str, original: str) -> str:
        """A keyed, deterministic stand-in for ``original`` that keeps none of its identifying words.

        Faker draws from lists of common Norwegian names and places, so a plain draw can hand back the very
        name it replaces ("Kari Nordby" -> "Kari Hansen" keeps the real first name; a 17-year-old stays 17
        one time in twelve; "Kari" -> "Karin" spells the real name inside the stand-in). The draw is repeated
        with the next keyed seed until it shares no name word (nor contains one, nor is contained in one) or
        number with the original: still the same stand-in for the same original under the same key.
        """
        digest = hmac.new(self.key, f"{kind}\x1f{normal}".encode(), hashlib.sha256).digest()
        seed = int.from_bytes(digest[:8], "big")
        kept = _identifying_words(original, kind)
        for attempt in range(_MAX_DRAWS):
            drawn = self._draw(kind, original, normal, (seed + attempt) % 2**64)
            if not _shares(kept, _identifying_words(drawn, kind), kind):
                return drawn
        return drawn  # every draw shared a word (only possible for very short originals)

    def _draw(self, kind: str, original: str, normal: str, seed: int) -> str:
        import datetime as dt

        import numpy as np
        from faker import Faker

        from toolkit.anonymise.identifiers import make_tenor_number

        if self._faker is None:
            self._faker = Faker("no_NO")
        fake = self._faker
        fake.seed_instance(seed)
        if kind == "PERSON":
            words = original.split()
            out = fake.first_name() if len(words) == 1 else f"{fake.first_name()} {fake.last_name()}"
            return out + (
                "s" if original.endswith("s") and len(original) > 3 and normal != original.lower() else ""
            )
        if kind == "STED":
            return fake.city()
        if kind == "ORG":
            return fake.company()
        if kind == "ADRESSE":
            return f"{fake.street_name()} {1 + seed % 60}"
        if kind == "EPOST":
            return f"{fake.user_name()}@example.no"
        if kind == "TELEFON":
            return f"{'49' if seed % 2 else '94'}{seed % 1_000_000:06d}"
        if kind == "FNR":
            born = dt.date(1995, 1, 1) + dt.timedelta(days=seed % 7000)
            return make_tenor_number(born, np.random.default_rng(seed))
        if kind == "ID":
            return re.sub(r"\d", lambda _m: str(fake.random_digit()), original)
        if kind == "DATO":
            return fake.date_between(dt.date(2010, 1, 1), dt.date(2024, 12, 31)).strftime("%d.%m.%Y")
        if kind == "ALDER":
            return re.sub(r"\d{1,2}|[a-zæøå]+(?=\s|$|-)", lambda _m: str(14 + seed % 12), original, count=1)
        raise ValueError(kind)  # pragma: no cover


_MAX_DRAWS = 20
_NUMBER_KINDS = frozenset({"ID", "ALDER", "DATO", "TELEFON", "FNR"})
_NOT_IDENTIFYING = frozenset(
    ["og", "i", "på", "as", "asa", "da", "ans", "sa", "gate", "gata", "vei", "veien", "vegen", "veg", "plass"]
)


def _shares(kept: set[str], drawn: set[str], kind: str) -> bool:
    """Whether a draw gives an original word away: the same number, or a name word inside another ("kari" in
    "karin", "berg" in "bergen"; words of three letters or more)."""
    if kept & drawn:
        return True
    if kind in _NUMBER_KINDS:
        return False
    return any(len(a) >= 3 and len(b) >= 3 and (a in b or b in a) for a in kept for b in drawn)


def _identifying_words(text: str, kind: str) -> set[str]:
    """What a stand-in must not share with its original: the numbers of a number-like kind (an age, a date,
    a case number), the words of a name (legal forms and street kinds left out), lower case."""
    words = re.findall(r"\w+", text.lower())
    if kind in _NUMBER_KINDS:
        return {w for w in words if w.isdigit()}
    return {w for w in words if w not in _NOT_IDENTIFYING}
