"""Literal strings that every match of a regular expression contains: a substring test that skips the regex
where it cannot match.

Why: the tone lexicon's complaint patterns ("det tok fem måneder", "sju måneder på venteliste",
``protocols/actors_tone_nb.yml``) are tried on every sentence of every transcript, and Python's ``re`` tries
a pattern that opens with ``\\b`` and an alternation at every position of the text; on a million words
that was a tenth of the actor extraction, for a handful of hits. Testing first whether the sentence holds
the literal words every match must contain (``" måneder"``, ``"det gikk "``…) is a fast substring search,
and the pattern runs only where it could match, so the matches are the same. The strings are read from the
parsed pattern (``re._parser``), so a pattern added to the lexicon gets its own test; a pattern the analysis
cannot say anything about (case-insensitive, or no literal of two characters or more) always runs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

try:
    from re import _constants as sre_constants
    from re import _parser as sre_parse  # Python >= 3.11
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

LIMIT = 64
"""Most strings one requirement may list (the product of adjacent alternatives grows fast)."""

_REPEATS = {
    sre_constants.MAX_REPEAT,
    sre_constants.MIN_REPEAT,
    getattr(sre_constants, "POSSESSIVE_REPEAT", None),
}


def required_substrings(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Sets of strings such that every match of ``pattern`` contains at least one string of each set.

    Empty when nothing can be said: then every text may match. :func:`may_match` applies the sets.
    """
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return ()
    try:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover - it compiled, so it parses
        return ()
    needs: list[set[str]] = []
    _collect(list(parsed), needs)
    return tuple(frozenset(need) for need in needs if need and min(map(len, need)) >= 2)


def may_match(text: str, needs: Sequence[frozenset[str]]) -> bool:
    """Whether ``text`` holds a string of each of the ``needs`` (:func:`required_substrings`)."""
    return all(any(literal in text for literal in need) for need in needs)


def _collect(items: list, needs: list[set[str]]) -> None:
    """Add the requirements of a sequence that is matched whole: each maximal run of literal items (their
    strings joined), and what the groups and repeats matched at least once require inside."""
    run: set[str] = {""}
    for op, av in items:
        strings = _literal_strings([(op, av)])
        if strings is not None:
            joined = {a + b for a in run for b in strings}
            if len(joined) > LIMIT:
                needs.append(run)
                joined = strings
            run = joined
            continue
        needs.append(run)
        run = {""}
        if op == sre_constants.SUBPATTERN and not av[1] & re.IGNORECASE:
            _collect(list(av[-1]), needs)
        elif op in _REPEATS and av[0] >= 1:
            _collect(list(av[2]), needs)
    needs.append(run)


def _literal_strings(items: list) -> set[str] | None:
    """Every string a sequence of literals, literal groups and alternatives of literals matches; None when
    the sequence holds anything else or more than :data:`LIMIT` strings."""
    out: set[str] = {""}
    for op, av in items:
        if op == sre_constants.LITERAL:
            inner: set[str] | None = {chr(av)}
        elif op == sre_constants.SUBPATTERN and not av[1] & re.IGNORECASE:
            inner = _literal_strings(list(av[-1]))
        elif op == sre_constants.BRANCH:
            inner = set()
            for alternative in av[1]:
                found = _literal_strings(list(alternative))
                if found is None:
                    return None
                inner |= found
        else:
            return None
        if inner is None or len(out) * len(inner) > LIMIT:
            return None
        out = {a + b for a in out for b in inner}
    return out


__all__ = ["LIMIT", "may_match", "required_substrings"]
