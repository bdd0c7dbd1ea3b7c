"""The numpy-only compiled form scores exactly as the scikit-learn estimator does."""


import numpy as np
import pytest
from conftest import SENTENCES

import stance
from stance.training import read_data


@pytest.mark.parametrize("name", ["hybrid", "tfidf-lr", "rules", "majority"])
def test_compiled_form_equals_the_estimator(name):
    m = stance.train(name, seed=0)
    assert m.scoring is not None
    X = read_data().texts + SENTENCES
    np.testing.assert_allclose(m.predict_proba(X), m.estimator.predict_proba(X), atol=1e-9)
    assert list(m.predict(X)) == list(m.estimator.predict(X))


def test_uncompiled_models_use_the_estimator():
    m = stance.train("nb", seed=0)
    assert m.scoring is None
    assert m.predict(SENTENCES[:3]).shape == (3,)
