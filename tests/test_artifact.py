"""The model file format: save and read back, refusals and version checks, each named."""

import json

import joblib
import numpy as np
import pytest
from conftest import SENTENCES

import stance
from stance.artifact import ArtifactError, VersionWarning
from stance.training import read_data


def test_save_load_round_trip_identical(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.joblib")
    card = json.loads((tmp_path / "m.card.json").read_text())
    assert card["model"] == "hybrid" and card["labels"] == ["claim", "loaded", "quote"]
    assert card["training_data"]["fingerprint"].startswith("sha256:")
    assert card["seed"] == 0 and card["sklearn_version"] and card["stance_version"] == stance.__version__
    loaded = stance.load(path)
    X = read_data().texts
    assert np.array_equal(loaded.predict_proba(X), hybrid.predict_proba(X))
    np.testing.assert_allclose(loaded.estimator.predict_proba(X), hybrid.estimator.predict_proba(X), atol=0)
    with pytest.raises(FileExistsError, match="force"):
        hybrid.save(path)
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        hybrid.save(path)
    assert path.read_bytes() == before
    hybrid.save(path, force=True)


def test_load_refuses_non_artifacts(tmp_path):
    txt = tmp_path / "notes.joblib"
    txt.write_text("hello")
    with pytest.raises(ArtifactError, match="not a stance model artifact"):
        stance.load(txt)
    other = tmp_path / "other.joblib"
    joblib.dump({"some": "dict"}, other)
    with pytest.raises(ArtifactError, match="format marker"):
        stance.load(other)
    newer = tmp_path / "newer.joblib"
    joblib.dump({"format": "stance-model", "format_version": 99, "card": {}, "estimator": b""}, newer)
    with pytest.raises(ArtifactError, match="upgrade stance"):
        stance.load(newer)
    with pytest.raises(FileNotFoundError):
        stance.load(tmp_path / "missing.joblib")


def test_version_mismatch_warns(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.joblib")
    payload = joblib.load(path)
    payload["card"]["sklearn_version"] = "0.0.1"
    joblib.dump(payload, path)
    with pytest.warns(VersionWarning, match="scikit-learn 0.0.1"):
        m = stance.load(path)
    assert m.predict(SENTENCES[:2]).shape == (2,)


def test_unloadable_estimator_gives_clear_error(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.joblib")
    payload = joblib.load(path)
    payload["estimator"] = b"not a pickle"
    payload["card"]["sklearn_version"] = "0.0.1"
    joblib.dump(payload, path)
    with pytest.warns(VersionWarning):
        m = stance.load(path)
    assert m.predict(SENTENCES[:1]).shape == (1,)  # the compiled form still labels
    with pytest.raises(ArtifactError, match="cannot be loaded with the installed scikit-learn"):
        m.estimator


def test_model_files_are_as_readable_as_the_umask_says(tmp_path):
    import os

    model = stance.train("rules", seed=0, evaluate=False)
    old = os.umask(0o022)
    try:
        path = model.save(tmp_path / "m.joblib")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "m.card.json").stat().st_mode & 0o777 == 0o644


def test_a_truncated_model_is_named_as_damaged(tmp_path):
    path = stance.train("rules", seed=0, evaluate=False).save(tmp_path / "m.joblib")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtifactError, match="damaged or truncated one.*write or download it again") as info:
        stance.load(path)
    assert "\n" not in str(info.value)
