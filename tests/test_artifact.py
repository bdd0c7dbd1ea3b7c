"""The model file format: data, not code. Save and read back, refusals and version checks, each named."""

import io
import json
import os
import pickle
import zipfile

import joblib
import numpy as np
import pytest
from conftest import SENTENCES, corpus_data

import stance
from stance.model import DEFAULT_PATH, FORMAT_VERSION
from stance.errors import ArtifactError, UntrustedModelError, VersionWarning


def _rewrite(path, change):
    """Rewrite the model.json of a model file with ``change(doc)`` (the parts are kept as they are)."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(members["model.json"])
    change(doc)
    members["model.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)


@pytest.fixture
def no_unpickling(monkeypatch):
    """Make every way of unpickling fail, as a hostile file would want it to succeed."""
    def refuse(*a, **k):
        raise AssertionError("something was unpickled")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    monkeypatch.setattr(joblib, "load", refuse)


def test_save_load_round_trip_identical(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.stance")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.stance"]  # exactly the path given, nothing beside it
    loaded = stance.load(path, trusted=True)
    card = loaded.card
    assert card["model"] == "hybrid" and card["labels"] == ["claim", "loaded", "quote"]
    assert card["training_data"]["fingerprint"].startswith("sha256:")
    assert card["seed"] == 0 and card["sklearn_version"] and card["stance_version"] == stance.__version__
    X = corpus_data().texts + SENTENCES
    assert np.array_equal(loaded.predict_proba(X), hybrid.predict_proba(X))
    np.testing.assert_allclose(loaded.estimator.predict_proba(X), hybrid.estimator.predict_proba(X), atol=0)
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="force"):
        hybrid.save(path)
    assert path.read_bytes() == before
    hybrid.save(path, force=True)
    assert path.read_bytes() == before  # the same model gives the same bytes


def test_the_file_is_json_and_numpy_arrays_with_a_sha256_per_part(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.stance")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        doc = json.loads(zf.read("model.json"))
        assert doc["format"] == "stance-model" and doc["format_version"] == FORMAT_VERSION
        assert names[0] == "model.json" and set(names[1:]) == set(doc["parts"])
        for name, digest in doc["parts"].items():
            import hashlib

            assert digest == "sha256:" + hashlib.sha256(zf.read(name)).hexdigest()
        arrays = [n for n in names if n.endswith(".npy")]
        assert "arrays/coef.npy" in arrays and "arrays/intercept.npy" in arrays
        for n in arrays:  # plain numpy arrays: readable without allowing pickles
            assert np.load(io.BytesIO(zf.read(n)), allow_pickle=False).dtype != object
    assert doc["estimator"]["part"] == "estimator.pkl" and doc["scoring"]["kind"] == "linear"
    assert doc["card"]["model"] == "hybrid"


@pytest.mark.parametrize("name", ["model", "m.bin", "m.joblib", "m.stance.tmp"])
def test_output_path_is_written_exactly_whatever_its_suffix(tmp_path, name, trained_rules):
    model = trained_rules.model
    path = model.save(tmp_path / name)
    assert path == tmp_path / name and sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert stance.load(path).predict(SENTENCES[:3]).tolist() == model.predict(SENTENCES[:3]).tolist()


def test_loading_and_labelling_never_unpickle(tmp_path, hybrid, no_unpickling):
    path = hybrid.save(tmp_path / "m.stance")
    model = stance.load(path)
    doc = model.label_text("The minister said the plan was a disgrace. Cuba sent 300 doctors to Italy.", explain=True)
    expected = hybrid.label_text("The minister said the plan was a disgrace. Cuba sent 300 doctors to Italy.")
    assert [s.label for s in doc.sentences] == [s.label for s in expected.sentences]
    default = stance.load()  # the shipped default is data too
    assert default.predict(SENTENCES[:3]).shape == (3,)


def test_the_estimator_is_unpickled_only_when_trusted(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.stance")
    model = stance.load(path)
    with pytest.raises(UntrustedModelError, match=r"unpickling runs code.*trusted=True") as info:
        model.estimator  # noqa: B018 - the property raises
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    # saving an untrusted model again keeps its estimator bytes without unpickling them
    again = model.save(tmp_path / "again.stance")
    assert again.read_bytes() == path.read_bytes()
    assert stance.load(path, trusted=True).estimator.classes_.tolist() == ["claim", "loaded", "quote"]


def test_a_model_without_data_only_scoring_needs_trust(tmp_path, trained_nb):
    nb = trained_nb.model
    path = nb.save(tmp_path / "nb.stance")
    with pytest.raises(UntrustedModelError, match=r"\(nb\) has no data-only scoring form.*--trust"):
        stance.load(path)
    trusted = stance.load(path, trusted=True)
    assert trusted.predict(SENTENCES[:3]).tolist() == nb.predict(SENTENCES[:3]).tolist()


def test_old_pickle_format_loads_only_when_trusted_and_converts(tmp_path, hybrid):
    old = tmp_path / "old.joblib"
    joblib.dump({"format": "stance-model", "format_version": 1, "card": hybrid.card, "compiled": hybrid.scoring,
                 "estimator": pickle.dumps(hybrid.estimator)}, old, compress=3)
    with pytest.raises(UntrustedModelError, match="old pickle format.*trusted=True.*save it again") as info:
        stance.load(old)
    assert "\n" not in str(info.value)
    model = stance.load(old, trusted=True)
    assert np.array_equal(model.predict_proba(SENTENCES), hybrid.predict_proba(SENTENCES))
    new = model.save(tmp_path / "new.stance")
    assert np.array_equal(stance.load(new).predict_proba(SENTENCES), hybrid.predict_proba(SENTENCES))


def test_load_refuses_what_is_not_a_model_file(tmp_path, hybrid):
    for text in ("hello", "x", "x marks the spot"):  # a text starting with x is not a zlib stream
        txt = tmp_path / "notes.stance"
        txt.write_text(text)
        with pytest.raises(ArtifactError, match="not a stance model file .it is not a zip archive"):
            stance.load(txt)
    z = tmp_path / "other.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ArtifactError, match="without model.json"):
        stance.load(z)
    path = hybrid.save(tmp_path / "m.stance")
    _rewrite(path, lambda d: d.update(format="something-else"))
    with pytest.raises(ArtifactError, match="format marker"):
        stance.load(path)
    _rewrite(path, lambda d: d.update(format="stance-model", format_version=99))
    with pytest.raises(ArtifactError, match="version 99 is newer.*upgrade stance"):
        stance.load(path)
    with pytest.raises(FileNotFoundError, match="no such model file"):
        stance.load(tmp_path / "missing.stance")
    with pytest.raises(ArtifactError, match="is a directory"):
        stance.load(tmp_path)


def test_a_changed_part_is_named(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.stance")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    coef = np.load(io.BytesIO(members["arrays/coef.npy"]))
    buf = io.BytesIO()
    np.save(buf, coef * 2)
    members["arrays/coef.npy"] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    with pytest.raises(ArtifactError, match="part arrays/coef.npy does not match its sha256"):
        stance.load(path)


def test_version_mismatch_warns(tmp_path, hybrid):
    path = hybrid.save(tmp_path / "m.stance")
    _rewrite(path, lambda d: d["card"].update(sklearn_version="0.0.1"))
    with pytest.warns(VersionWarning, match="scikit-learn 0.0.1"):
        m = stance.load(path)
    assert m.predict(SENTENCES[:2]).shape == (2,)


def test_unloadable_estimator_gives_clear_error(tmp_path, hybrid):
    import hashlib

    path = hybrid.save(tmp_path / "m.stance")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["estimator.pkl"] = b"not a pickle"
    doc = json.loads(members["model.json"])
    doc["parts"]["estimator.pkl"] = "sha256:" + hashlib.sha256(b"not a pickle").hexdigest()
    doc["card"]["sklearn_version"] = "0.0.1"
    members["model.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    with pytest.warns(VersionWarning):
        m = stance.load(path, trusted=True)
    assert m.predict(SENTENCES[:1]).shape == (1,)  # the data-only form still labels
    with pytest.raises(ArtifactError, match="cannot be loaded with the installed scikit-learn"):
        m.estimator  # noqa: B018 - the property raises


def test_model_files_are_as_readable_as_the_umask_says(tmp_path, trained_rules):
    model = trained_rules.model
    old = os.umask(0o022)
    try:
        path = model.save(tmp_path / "m.stance")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_truncated_model_is_named_as_damaged(tmp_path, trained_rules):
    path = trained_rules.model.save(tmp_path / "m.stance")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtifactError, match="damaged or truncated stance model file.*write or download it again") as info:
        stance.load(path)
    assert "\n" not in str(info.value)


def test_the_shipped_default_is_a_data_file():
    assert DEFAULT_PATH.suffix == ".stance" and zipfile.is_zipfile(DEFAULT_PATH)
    assert sorted(p.name for p in DEFAULT_PATH.parent.iterdir() if not p.name.startswith("__")) == ["accurate.stance",
                                                                                                  "default.stance"]
    model = stance.load()
    assert model.card.get("default") is True and model.card["model"] == "hybrid"
    assert model.estimator.classes_.tolist() == ["claim", "loaded", "quote"]  # the package's own file is trusted


def test_same_data_and_seed_give_the_same_file_bytes_with_source_date_epoch(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = stance.train("tfidf-lr", data=corpus_data(), seed=0, evaluate=False).save(tmp_path / "a.stance")
    time.sleep(1.1)
    second = stance.train("tfidf-lr", data=corpus_data(), seed=0, evaluate=False).save(tmp_path / "b.stance")
    assert first.read_bytes() == second.read_bytes()
    assert stance.load(first).card["trained"] == "2023-11-14T22:13:20+00:00"
