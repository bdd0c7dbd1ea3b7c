"""Which model stance.load() returns: the shipped default, rebuilt when its estimator cannot load."""

import dataclasses
import warnings

import numpy as np
import pytest
from conftest import SENTENCES

import stance
import stance.model
import stance.hub
from stance.errors import VersionWarning
from stance.model import StanceModel
from stance.training import read_data


def test_default_model_is_shipped_and_labels(default):
    assert stance.model.DEFAULT_PATH.exists()
    assert default.name == "hybrid" and default.card.get("default") is True
    assert default.card["metrics"]["scheme"] == "leave-one-document-out"
    assert list(default.predict(SENTENCES[:3])) == ["claim", "quote", "loaded"]


def _with_broken_estimator(model):
    """``model`` as if its pickled estimator could not be loaded here (what an incompatible scikit-learn
    gives), falling back on the shipped default rebuilt from the shipped data, as stance.load() does."""
    return StanceModel.from_data(dataclasses.replace(model.to_data(), estimator=b"broken"), trusted=True,
                                 rebuild=lambda: stance.hub.rebuild_default().estimator)


@pytest.mark.slow  # the rebuild trains hybrid on the whole shipped data (a minute or more)
def test_default_rebuilds_when_estimator_cannot_load(tmp_path, monkeypatch):
    monkeypatch.setenv("STANCE_HOME", str(tmp_path))
    m = _with_broken_estimator(stance.load())
    with pytest.warns(VersionWarning, match="rebuilt it from the shipped corpus"):
        est = m.estimator
    X = read_data().texts
    np.testing.assert_allclose(est.predict_proba(X), m.predict_proba(X), atol=1e-9)
    assert list((tmp_path / "models").glob("default-rebuilt-*.stance"))
    with warnings.catch_warnings():  # warned once; the second rebuild comes from the cache
        warnings.simplefilter("error")
        _with_broken_estimator(stance.load()).estimator


def test_the_catalogue_lists_every_model_you_can_name_and_what_it_needs():
    import importlib.util

    import stance.recipes
    from stance.hub import catalogue

    entries = catalogue()
    ladder = {e["name"]: e for e in entries if e["kind"] == "ladder"}
    assert list(ladder) == stance.recipes.names() and {"embed", "accurate"} <= set(ladder)
    accurate = ladder["accurate"]
    assert accurate["needs"].startswith("to train, the train extra") and "stance[onnx]" in accurate["needs"]
    assert accurate["available"] == (importlib.util.find_spec("transformers") is not None)
    assert not accurate["loads_by_name"]  # never trained on first use: by name it is the shipped file
    assert ladder["embed"]["needs"] is None and ladder["embed"]["available"] and ladder["embed"]["loads_by_name"]
    assert ladder["hybrid"]["default"] and ladder["hybrid"]["needs"] is None and ladder["hybrid"]["available"]
    published = [e for e in entries if e["kind"] == "published"]
    assert {e["name"] for e in published} == set(__import__("stance").registry.names())
    assert all({"version", "cached", "path", "headline", "published"} <= set(e) for e in published)


def test_an_unknown_name_lists_every_name_load_takes():
    from stance.errors import UnknownModelError

    with pytest.raises(UnknownModelError) as info:
        stance.load("nope")
    msg = str(info.value)
    assert msg.startswith("unknown model 'nope'") and "embed" in msg and "default" in msg
    # accurate loads by name only as the file shipped inside the package
    assert ("accurate" in msg) == stance.hub.SHIPPED["accurate"].exists()
