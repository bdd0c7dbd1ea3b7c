from hypothesis import given, settings
from hypothesis import strategies as st

from stance.text import segment


def test_offsets_slice_back_and_lines_are_boundaries():
    text = "Heading here\n\nFirst sentence. Second one, said Dr. Smith.\nA list item\n"
    spans = segment(text)
    assert [s.text for s in spans] == [
        "Heading here",
        "First sentence.",
        "Second one, said Dr. Smith.",
        "A list item",
    ]
    for s in spans:
        assert text[s.start : s.end] == s.text


def test_non_ascii_offsets_are_characters():
    text = "Áncash recibió “médicos”. Otro día — llegaron más.\n"
    for s in segment(text):
        assert text[s.start : s.end] == s.text


def test_empty_and_blank():
    assert segment("") == []
    assert segment("  \n\n \t\n") == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300))
def test_any_text_offsets_slice_back(text):
    prev_end = 0
    for s in segment(text):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= prev_end
        prev_end = s.end
