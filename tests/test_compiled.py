"""The numpy-only compiled form scores exactly as the scikit-learn estimator does."""


import numpy as np
import pytest
from conftest import SENTENCES, trained

from stance.training import read_data


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Every tenth shipped training sentence (~1.4k, mostly words the corpus-trained models never saw) and the odd ones."""
    return read_data().texts[::10] + SENTENCES


@pytest.mark.parametrize("name", ["hybrid", "tfidf-lr", "rules", "majority"])
def test_compiled_form_equals_the_estimator(name, texts):
    # the session's shared model (hybrid and tfidf-lr trained on the corpus alone); the shipped default,
    # trained on all the shipped data, is compared with its rebuilt estimator in test_loading (slow)
    m = trained(name)
    assert m.scoring is not None
    X = texts
    np.testing.assert_allclose(m.predict_proba(X), m.estimator.predict_proba(X), atol=1e-9)
    assert list(m.predict(X)) == list(m.estimator.predict(X))


def test_uncompiled_models_use_the_estimator(trained_nb):
    m = trained_nb.model
    assert m.scoring is None
    assert m.predict(SENTENCES[:3]).shape == (3,)
