"""toolkit.coding.regex_literals: a text the substring test turns away has no match of the pattern."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.coding.actors import load_tone_lexicon
from toolkit.coding.regex_literals import may_match, required_substrings

TONE = load_tone_lexicon()
PATTERNS = [
    *TONE.negative_patterns,
    *TONE.state_patterns,
    re.compile(r"\b(?:ab|ac)(?:de)?f+g"),
    re.compile(r"x(?:y|z)*w|q"),
    re.compile(r"(?i)nav"),
    re.compile(r"(?:a(?i:b)c)d"),
    re.compile(r"(\w+) sa \1"),
]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:30])
def test_every_text_with_a_match_passes_the_substring_test(pattern):
    needs = required_substrings(pattern)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(pattern), st.text(max_size=20), st.text(max_size=20))
    def check(inside, before, after):
        text = before + inside + after
        if pattern.search(text):
            assert may_match(text, needs)

    check()


def test_the_shipped_complaint_patterns_get_a_test_and_case_insensitive_ones_none():
    assert all(required_substrings(p) for p in TONE.negative_patterns)
    assert required_substrings(re.compile("(?i)nav")) == ()
    assert not may_match("det tok lang tid", required_substrings(TONE.negative_patterns[0]))
    assert may_match("det tok fem måneder", required_substrings(TONE.negative_patterns[0]))
