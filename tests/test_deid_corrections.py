"""A corrected name takes the found name's type; plain kin words name lower-case persons."""

from toolkit.deidentify.corrections import corrected
from toolkit.deidentify.spans import Span


def test_correction_after_a_person_is_a_person() -> None:
    text = "min veileder heter line nei lene bakke"
    start = text.index("line")
    out = corrected(text, [Span(start, start + 4, "PERSON")])
    assert any(text[s.start : s.end] == "lene" and s.type == "PERSON" for s in out)


def test_corrected_place_before_a_found_place() -> None:
    text = "jeg bodde på mottak i ski nei skien først"
    start = text.index("skien")
    out = corrected(text, [Span(start, start + 5, "STED")])
    assert any(text[s.start : s.end] == "ski" and s.type == "STED" for s in out)


def test_no_correction_word_leaves_spans_alone() -> None:
    spans = [Span(0, 4, "PERSON")]
    assert corrected("Kari og Ola", spans) is spans


def test_plain_kin_word_names_a_lower_case_person() -> None:
    from toolkit.deidentify.rules import NorwegianDetector

    text = "d: ja min mor faadumo hun kom via familiegjenforening og far jobbar i bergen\n"
    spans = NorwegianDetector().find_nicknames(text)
    found = {text[s.start : s.end] for s in spans}
    assert "faadumo" in found and "jobbar" not in found
