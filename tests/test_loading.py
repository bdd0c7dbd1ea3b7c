"""Which model stance.load() returns: the shipped default, rebuilt when its estimator cannot load."""

import warnings

import numpy as np
import pytest
from conftest import SENTENCES

import stance
from stance import artifact, loading
from stance.artifact import VersionWarning
from stance.training import read_data


def test_default_model_is_shipped_and_labels(default):
    assert artifact.DEFAULT_PATH.exists()
    assert default.name == "hybrid" and default.card.get("default") is True
    assert default.card["metrics"]["scheme"] == "leave-one-document-out"
    assert list(default.predict(SENTENCES[:3])) == ["claim", "quote", "loaded"]


def test_default_rebuilds_when_estimator_cannot_load(tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_HOME", str(tmp_path))
    monkeypatch.setattr(loading, "_warned", set())
    m = stance.load()
    m._estimator_bytes = b"broken"
    with pytest.warns(VersionWarning, match="rebuilt it from the shipped corpus"):
        est = m.estimator
    X = read_data().texts
    np.testing.assert_allclose(est.predict_proba(X), m.predict_proba(X), atol=1e-9)
    assert list((tmp_path / "models").glob("default-rebuilt-*.joblib"))
    with warnings.catch_warnings():  # warned once; the second rebuild comes from the cache
        warnings.simplefilter("error")
        m2 = stance.load()
        m2._estimator_bytes = b"broken"
        m2.estimator
