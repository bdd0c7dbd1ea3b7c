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


def test_a_long_line_is_cut_before_sentencex_and_long_sentences_into_flagged_pieces(monkeypatch):
    import sentencex

    from stance.text import MAX_SENTENCE_CHARS, SEGMENT_CHARS

    seen: list[int] = []
    real = sentencex.get_sentence_boundaries

    def recording(language, text):
        seen.append(len(text))
        return real(language, text)

    monkeypatch.setattr(sentencex, "get_sentence_boundaries", recording)
    sentences = "Cuba sent doctors to Peru. " * 6000  # 162,000 characters on one line
    words = "word " * 1000  # a 5,000-character sentence
    text = sentences + "\n" + words + "\nThe end."
    spans = segment(text)
    assert max(seen) <= SEGMENT_CHARS and len(seen) >= 3
    assert all(text[s.start:s.end] == s.text for s in spans)
    assert [s.text for s in spans if not s.cut][-1] == "The end."
    assert sum(1 for s in spans if s.text == "Cuba sent doctors to Peru.") == 6000  # the cut fell between sentences
    cut = [s for s in spans if s.cut]
    assert len(cut) == 3 and all(len(s.text) <= MAX_SENTENCE_CHARS for s in cut)
    assert " ".join(s.text for s in cut) == words.strip()


def test_cut_point_prefers_line_breaks_then_sentence_ends_then_spaces():
    from stance.text import cut_point

    assert cut_point("short", 0, 5, 10) == 5
    assert cut_point("aaaa. bbbb\ncccc dddd", 0, 20, 16) == 11
    assert cut_point("aaaa bbbb. cccc dddd", 0, 20, 16) == 11
    assert cut_point("aaaa bbbb cccc dddd", 0, 19, 16) == 15
    assert cut_point("a" * 40, 0, 40, 16) == 16
