"""The shipped default on the cases the news set was labelled to teach it (issue: real news from many
topics): plain hard news is a claim, not loaded; not commenting is an action of the source (a claim);
a neutral reporting verb is a quote (5a); the author's evaluative word is loaded; a stance frame of an
identifiable group is a quote; speakers of statements and of 'told reporters'.

These sentences were written for this test, on topics absent from the corpus; none is a training row
(checked below) and none paraphrases an evaluation sentence.
"""

from __future__ import annotations

import pytest

import stance

CASES = [
    # grim hard news in the author's own neutral voice
    ("claim", "The fire destroyed 40 homes and killed two firefighters."),
    ("claim", "The suspect was sentenced to life in prison for the murders of four people."),
    ("claim", "Floodwaters forced 3,000 residents from their homes along the river overnight."),
    # no comment (codebook 5e)
    ("claim", "Mwangi has not commented on the allegations."),
    ("claim", "The ministry declined to comment."),
    ("claim", "The company did not respond to a request for comment."),
    ("claim", "The striking drivers did not respond to a request for comment."),
    # a neutral reporting verb is what the source said (codebook 5a)
    ("quote", "The senator criticised the new fishing quotas."),
    ("quote", "Environmental groups condemned the decision."),
    # the author's evaluative wording
    ("loaded", "It was a landmark ruling for the rights of workers."),
    ("loaded", "The government's reckless, shameful policy has betrayed every family in the country."),
    # a stance frame: what an identifiable group holds (codebook: reported feelings)
    ("quote", "Fans are furious that the club sold its best player."),
    # speakers
    ("quote", "The win is a big relief for fans, Mwangi said in a statement released by his agent."),
    ("quote", "The hospitals are understaffed and dangerous, the nurses' association told reporters."),
]

SPEAKERS = {
    "The win is a big relief for fans, Mwangi said in a statement released by his agent.": "Mwangi",
    "The hospitals are understaffed and dangerous, the nurses' association told reporters.": "the nurses' association",
}


@pytest.fixture(scope="module")
def default():
    return stance.load()


def test_the_cases_are_not_training_rows():
    from stance.training import builtin_data

    texts = {t.strip().lower() for t in builtin_data().texts}
    assert not [s for _, s in CASES if s.lower() in texts]


@pytest.mark.parametrize(("label", "sentence"), CASES, ids=[s[:40] for _, s in CASES])
def test_the_default_labels_the_case(default, label, sentence):
    (sent,) = default.label_text(sentence).sentences
    assert sent.label == label, f"{sentence!r}: {sent.label} ({sent.reason})"
    if sentence in SPEAKERS:
        assert sent.speaker == SPEAKERS[sentence]


def test_no_comment_gives_no_speaker_a_quote(default):
    (sent,) = default.label_text("The striking drivers did not respond to a request for comment.").sentences
    assert sent.label == "claim" and sent.speaker in (None, "The striking drivers")


def test_a_source_that_says_it_will_not_comment_is_still_quoted(default):
    (sent,) = default.label_text("The company said it would not comment on pending litigation.").sentences
    assert sent.label == "quote" and sent.speaker == "The company"
