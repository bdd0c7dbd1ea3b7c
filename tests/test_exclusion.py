"""Step 1 of the codebook: what is excluded from labelling, and with which reason."""

import pytest

from stance.text import exclusion_reason

EXCLUDED = {
    "Why did the ministry send doctors abroad?": "question",
    "Leave a Reply": "boilerplate",
    "Your email address will not be published.": "boilerplate",
    "Please donate to keep this site running.": "call to action",
    "- Annual report of the ministry": "list item: names a document or topic",
    "and then the minister left.": "fragment: starts mid-sentence",
    "Background:": "heading",
    "Cuba's Medical Missions Abroad": "heading",
    "…": "fragment: no words",
}


@pytest.mark.parametrize("sentence, reason", EXCLUDED.items())
def test_non_assertions_are_excluded_with_their_reason(sentence, reason):
    assert exclusion_reason(sentence) == reason


@pytest.mark.parametrize("sentence", [
    "Cuba sent 27 doctors to Peru in 2020.",
    '"We are proud of our doctors," the minister said.',
    "The regime exploits its doctors.",
])
def test_assertions_are_labelled(sentence):
    assert exclusion_reason(sentence) is None


def test_a_headline_is_labelled_when_it_asserts():
    headline = "Peru Official Declares Cuban Doctors Unfit to Treat COVID-19"
    assert exclusion_reason(headline, first=True) is None
    assert exclusion_reason(headline, first=False) == "heading"


def test_only_whole_lines_are_headings():
    # the same words inside running text (not alone on a line) are not a heading
    assert exclusion_reason("Cuba's Medical Missions Abroad", whole_line=False) is None



EARLY = ("fragment: no words", "question", "boilerplate", "call to action")


def _early_reference(sentence):
    """The first four decisions written plainly, without the fast path's literal pre-checks."""
    import re

    import stance.text

    text = sentence.strip()
    if len(re.findall(r"[^\W\d_]", text)) < 2:
        return "fragment: no words"
    for why, pattern in stance.text.EXCLUSION_PATTERNS.items():
        if pattern.search(text):
            return why
    return None


def test_the_fast_path_decides_as_the_plain_patterns(sources):
    from stance.corpora import constructed_records
    from stance.text import segment

    sentences = [s.text for p in sources for s in segment(p.read_text(encoding="utf-8"))]
    sentences += [r["text"] for r in constructed_records()]
    sentences += list(EXCLUDED) + ["SHARE THIS ARTICLE", "Copyright 2024 The Paper", "© Reuters", "Tags: Cuba",
                                   "Read our Cookie Settings.", "Please SIGN the petition today.",
                                   "He did not contact us.", "Stay tuned for more.", "x", "12 34", "¿Qué?"]
    decided = 0
    for s in sentences:
        want, got = _early_reference(s), exclusion_reason(s)
        if want is not None:
            decided += 1
            assert got == want, s
        else:
            assert got not in EARLY, s
    assert decided >= 12
