"""Property tests: no input makes a reader raise anything but the library's own errors (issue 15)."""

from __future__ import annotations

import functools
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.errors import StanceError

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_json_like = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.lists(st.one_of(st.just('{"text": "a", "label": "claim"}'), st.just("null"), st.just("[1]"),
                       st.just('{"text": null}'), st.just('{"text": 3, "label": "loaded"}'), st.just("{"),
                       st.text(max_size=30)), max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8")),
)


def _only_stance_errors(read, path, data):
    path.write_bytes(data)
    try:
        read(path)
    except StanceError:
        pass


@SETTINGS
@given(data=_json_like, suffix=st.sampled_from([".jsonl", ".csv", ".tsv", ".json", ".txt"]))
def test_read_table_raises_only_table_errors(tmp_path, data, suffix):
    from stance.corpora import read_table

    _only_stance_errors(read_table, tmp_path / f"t{suffix}", data)


@SETTINGS
@given(data=_json_like, suffix=st.sampled_from([".jsonl", ".csv"]))
def test_read_data_raises_only_data_errors(tmp_path, data, suffix):
    from stance.training import read_data

    _only_stance_errors(read_data, tmp_path / f"d{suffix}", data)


@SETTINGS
@given(data=_json_like, encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_label_input_readers_raise_only_input_errors(data, encoding):
    from stance.labelling import iter_jsonl_records, iter_text_chunks

    for reader in (lambda: list(iter_text_chunks(io.BytesIO(data), "in.txt", encoding)),
                   lambda: list(iter_jsonl_records(io.BytesIO(data), "in.jsonl", "text", "id", encoding))):
        try:
            reader()
        except StanceError:
            pass


@SETTINGS
@given(data=st.binary(max_size=300))
def test_artifact_read_raises_only_artifact_errors(tmp_path, data):
    from stance.model import read

    _only_stance_errors(read, tmp_path / "m.stance", data)


@functools.cache
def _default():
    """The shipped default, loaded once (loading it for each of the 120 examples took most of the test's time)."""
    import stance

    return stance.load()


@SETTINGS
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=100).map(lambda b: b.decode("latin-1"))))
def test_labelling_any_text_never_fails(text):
    doc = _default().label_text(text)
    assert all(text[s.start:s.end] == s.text for s in doc.sentences)


@pytest.mark.parametrize("line", ["", "{}", '{"id": "001"}', "[]", "null", "{bad", '{"id": 5, "file": null}'])
def test_corpus_files_raise_only_corpus_errors(corpus_copy, line):
    import stance.corpora

    with (corpus_copy / "corpus" / "documents.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    try:
        stance.corpora.check(corpus_copy)
    except StanceError:
        pass


_MODEL: dict = {}


def _model_data():
    """The data of a small tf-idf model (the session's, trained on the corpus alone)."""
    if "data" not in _MODEL:
        from conftest import trained

        _MODEL["data"] = trained("tfidf-lr").to_data()
    return _MODEL["data"]


def _model_file():
    """The bytes of that model's file and its members by name."""
    if "file" not in _MODEL:
        import io
        import zipfile

        from stance.model import to_bytes

        buf = io.BytesIO(to_bytes(_model_data()))
        with zipfile.ZipFile(buf) as zf:
            _MODEL["file"] = buf.getvalue(), {n: zf.read(n) for n in zf.namelist()}
    return _MODEL["file"]


@SETTINGS
@given(pos=st.integers(0, 10**7), byte=st.integers(0, 255), keep=st.floats(0, 1))
def test_loading_a_damaged_model_file_raises_only_artifact_errors(tmp_path, pos, byte, keep):
    import stance

    data = bytearray(_model_file()[0])
    data[pos % len(data)] = byte
    data = bytes(data[: max(1, int(len(data) * keep))]) if keep < 1 else bytes(data)
    _only_stance_errors(lambda p: stance.load(p).predict(["Cuba sent doctors."]), tmp_path / "m.stance", data)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=12)


@SETTINGS
@given(change=st.dictionaries(st.sampled_from(["card", "scoring", "parts", "estimator", "format_version"]), _json,
                              min_size=1, max_size=3),
       scoring_change=st.dictionaries(st.sampled_from(["kind", "classes", "blocks", "coef", "intercept"]), _json,
                                      max_size=2))
def test_loading_a_model_file_with_any_model_json_raises_only_artifact_errors(tmp_path, change, scoring_change):
    import io
    import json
    import zipfile

    import stance

    members = dict(_model_file()[1])
    doc = json.loads(members["model.json"])
    if isinstance(doc.get("scoring"), dict):
        doc["scoring"].update(scoring_change)
    doc.update(change)
    members["model.json"] = json.dumps(doc).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    _only_stance_errors(lambda p: stance.load(p).predict(["Cuba sent doctors."]), tmp_path / "m.stance",
                        buf.getvalue())


def _small_spec(spec):
    """The spec cut to the first 400 columns of its vocabulary (still a spec stance scores): fast to write and read."""
    if "small" not in _MODEL:
        block = dict(spec["blocks"][0])
        n = 400
        block.update(vocabulary={t: c for t, c in block["vocabulary"].items() if c < n}, idf=block["idf"][:n], size=n)
        _MODEL["small"] = dict(spec, blocks=[block], coef=spec["coef"][:, :n])
    return _MODEL["small"]


_weights = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1e300, -1e300, 1e6, -1e6, 0.0])
_SCORED = ["Cuba sent 300 doctors to Italy.", "The minister said the plan was a disgrace.", "aaaaaaaaaaaaaaaaaaaaaaaab"]


@SETTINGS
@given(pokes=st.lists(st.tuples(st.sampled_from(["coef", "intercept", "idf"]), st.integers(0, 10**6), _weights),
                      max_size=3),
       classes=st.none() | st.lists(st.sampled_from(["claim", "quote", "loaded", "opinion", "Claim", ""]), min_size=1,
                                    max_size=4),
       pattern=st.none() | st.text(st.characters(codec="utf-8"), max_size=12)
       | st.sampled_from(["(a+)+$", r"(?u)\b\w\w+\b", r"\w+"]))
def test_a_model_file_with_any_weights_classes_or_pattern_is_refused_or_scores_finite_probabilities(
        tmp_path, pokes, classes, pattern):
    """Whatever numbers, classes or token pattern a file carries (hashes recomputed, as anyone can): one
    line refusing it, or finite probabilities over stance's labels, scored with stance's own tokenizer."""
    import copy
    import json

    import numpy as np

    import stance
    from stance.errors import ArtifactError
    from stance.model import TOKENIZERS, ModelData, to_bytes

    data = _model_data()
    spec = copy.deepcopy(_small_spec(data.scoring))
    for key, i, value in pokes:
        target = spec["blocks"][0] if key == "idf" else spec
        target[key] = target[key].copy()
        target[key].flat[i % target[key].size] = value
    if classes is not None:
        spec["classes"] = classes
    if pattern is not None:
        del spec["blocks"][0]["tokenizer"]
        spec["blocks"][0]["token_pattern"] = pattern
    path = tmp_path / "m.stance"
    path.write_bytes(to_bytes(ModelData(card=data.card, scoring=spec)))
    try:
        model = stance.load(path)
    except ArtifactError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    assert pattern in (None, TOKENIZERS["sklearn-default"])
    P = model.predict_proba(_SCORED)
    assert np.isfinite(P).all() and np.allclose(P.sum(axis=1), 1.0)
    json.dumps(P.tolist(), allow_nan=False)
    assert set(model.classes_) <= set(stance.LABELS) and len(set(model.classes_)) == len(model.classes_)
