"""Step 1 of the codebook: what is excluded from labelling, and with which reason."""

import pytest

from stance.exclusion import exclusion_reason

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
