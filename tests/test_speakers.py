"""Who a quote names as its speaker, and the agreement measure over annotated quotes."""

import pytest

from stance.text import find_speaker, speaker_agreement


@pytest.mark.parametrize("sentence, speaker", [
    ('"We are proud of our doctors," Health Minister José Portal said.', "Health Minister José Portal"),
    ("The World Health Organization said the programme saved lives.", "The World Health Organization"),
    ("According to the State Department, the doctors are not paid fairly.", "the State Department"),
])
def test_the_named_speaker_is_found(sentence, speaker):
    assert find_speaker(sentence) == speaker


@pytest.mark.parametrize("sentence", [
    '"We will stay," he said.',  # a pronoun: the codebook records no speaker
    "Cuba sent 27 doctors to Peru.",  # nothing is reported
    "",
])
def test_no_speaker_when_none_is_named(sentence):
    assert find_speaker(sentence) is None


def test_speaker_agreement_counts_exact_partial_and_null():
    pairs = [
        ("The World Health Organization said the programme saved lives.", "World Health Organization"),
        ('"We will stay," he said.', None),
        ("Cuba sent 27 doctors to Peru.", "the ministry"),
    ]
    r = speaker_agreement(pairs)
    assert (r["quotes"], r["named"], r["null_gold"], r["null_correct"]) == (3, 2, 1, 1)
    assert r["exact"] == 1  # a leading "the" is ignored
    assert r["exact_rate"] == pytest.approx(0.5)
    assert r["overall_exact_or_null_rate"] == pytest.approx(2 / 3)
