"""Cue features: speech verbs read in context, quoted material set aside."""

import numpy as np
import pytest

import stance.text
import stance.recipes
from stance.model import StanceModel

VERBS = stance.text.CUE_NAMES.index("speech_verb")
HEDGE = stance.text.CUE_NAMES.index("hedge")


def cue(text, name):
    return stance.text.cue_vector(text)[stance.text.CUE_NAMES.index(name)]


@pytest.mark.parametrize(
    "text",
    [
        "Cuba sent doctors to the United States last year.",  # a name, not "states"
        "The report was published in May.",  # "report" after a determiner is a noun
        "The young doctor was posted to a clinic in El Sombrero.",  # assigned, not speaking
        "The programme will continue to grow.",
    ],
)
def test_words_that_only_look_like_speech_verbs(text):
    assert cue(text, "speech_verb") == 0
    assert "speech_verb" not in stance.text.cue_matches(text)


@pytest.mark.parametrize(
    "text",
    [
        "The minister said the doctors would stay.",
        "She reported that 16 doctors lacked credentials.",
        "Peru Official Declares Cuban Doctors Unfit to Treat COVID-19",  # title case keeps the verb
        "Remittances are estimated by the central bank at $4 billion.",  # an agent: attribution
        "He posted on Facebook that the brigade had left.",
        'These practices have been described as "modern slavery" by rights groups.',  # agent after the quote
    ],
)
def test_reporting_verbs_still_count(text):
    assert cue(text, "speech_verb") >= 1


def test_agentless_passive_is_a_bare_hedge():
    text = "Remittances are estimated to be between $4 and $8 billion a year."
    v = stance.text.cue_vector(text)
    assert v[VERBS] == 0 and v[HEDGE] == 1
    assert stance.text.cue_matches(text)["hedge"] == ["estimated"]
    # and the rules then leave it with the author
    assert stance.recipes.make("rules").fit(["a"], ["claim"]).predict([text])[0] == "claim"


def test_loaded_words_inside_quotation_marks_are_not_the_authors():
    own = stance.text.cue_vector("The Castro regime sent more doctors.")
    quoted = stance.text.cue_vector('"The Castro regime sent more doctors," the activist said.')
    pej = stance.text.CUE_NAMES.index("pejorative_label")
    assert own[pej] == 1 and quoted[pej] == 0


def test_weighted_feature_blocks_compile_exactly():
    """Block weights of the FeatureUnion are folded into the compiled coefficients."""
    X = [
        "Cuba sent 27 doctors to Peru in May.",
        "The clinic opened in 2019 with 40 beds.",
        '"We are proud," the minister said.',
        "According to the ministry, 300 doctors left.",
        "The Castro regime exploits its slave doctors.",
        "The cynical regime weaponized medicine.",
    ]
    y = ["claim", "claim", "quote", "quote", "loaded", "loaded"]
    est = stance.recipes.make("hybrid", features__transformer_weights={"words": 0.5, "cues": 2.0, "rules": 4.0}).fit(X, y)
    m = StanceModel(est, compiled=stance.recipes.compile_estimator(est))
    assert m.scoring is not None
    probe = X + ["The regime said nothing.", "Doctors arrived on Tuesday."]
    np.testing.assert_allclose(m.predict_proba(probe), est.predict_proba(probe), atol=1e-9)
