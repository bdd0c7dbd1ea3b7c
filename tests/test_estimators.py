"""The building blocks: text-only input, the rules as the codebook's decision procedure, weights
routed to the final step."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from stance import LABELS
import stance.text
from stance.recipes import CueFeatures, RulesClassifier, RuleVotes, TextDummyClassifier, fit_estimator

X = [
    "Cuba sent 27 doctors to Peru in May.",
    '"We are proud," the minister said.',
    "The Castro regime said it would send more slave doctors.",
]


@pytest.mark.parametrize("est", [RulesClassifier(), TextDummyClassifier(strategy="prior"), CueFeatures()])
def test_text_estimators_reject_non_text(est):
    with pytest.raises(TypeError, match="single string"):
        est.fit("one sentence", ["claim"])
    with pytest.raises(TypeError):
        est.fit([1, 2, 3], ["claim", "quote", "loaded"])


def test_rules_follow_the_decision_procedure():
    est = RulesClassifier().fit(["a"], ["claim"])
    assert list(est.predict(X)) == ["claim", "quote", "loaded"]  # loaded wording wins over the speech verb
    P = est.predict_proba(X)
    assert P.shape == (3, 3) and np.allclose(P.sum(axis=1), 1) and list(est.classes_) == list(LABELS)


def test_rule_votes_are_one_hot_and_cues_have_their_names():
    votes = RuleVotes().fit(X).transform(X)
    assert votes.shape == (3, 3) and (votes.sum(axis=1) == 1).all()
    cues = CueFeatures().fit(X)
    assert list(cues.get_feature_names_out()) == [f"cue:{n}" for n in stance.text.CUE_NAMES]
    assert cues.transform(X).shape == (3, len(stance.text.CUE_NAMES))


def test_fit_estimator_routes_weights_to_the_final_step():
    texts = ["good", "bad", "good", "bad"]
    y = ["claim", "loaded", "claim", "loaded"]
    pipe = Pipeline([("cues", CueFeatures()), ("clf", LogisticRegression())])
    a = fit_estimator(pipe, texts, y, np.array([1.0, 1.0, 1.0, 1.0]))
    b = fit_estimator(Pipeline([("cues", CueFeatures()), ("clf", LogisticRegression())]), texts, y,
                      np.array([10.0, 1.0, 10.0, 1.0]))
    # ten times the weight on the claim rows moves the decision towards claim
    assert b.named_steps["clf"].intercept_[0] < a.named_steps["clf"].intercept_[0]
    # an estimator that takes no weights is fitted plainly
    assert fit_estimator(TextDummyClassifier(strategy="prior"), texts, y, np.ones(4)).predict(["x"])[0] in y
