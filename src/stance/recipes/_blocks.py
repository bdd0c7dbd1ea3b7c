"""The estimator building blocks of stance's models: scikit-learn transformers and classifiers
that take a list of sentence strings as ``X``.

* :class:`TextInputMixin`: the scikit-learn tags of an estimator whose input is text;
* :class:`CueFeatures`: attribution and loadedness cue counts (:mod:`stance.text`);
* :class:`RulesClassifier`: the codebook's decision procedure as a classifier, and
  :class:`RuleVotes`: its three votes as features;
* :class:`LexicalFeatures`, :class:`StaticEmbedding`: the general resources of
  :mod:`stance.text` (VADER, TextBlob subjectivity, model2vec static vectors);
* :class:`TextDummyClassifier`: the majority floor.

The named models built from them (``hybrid``, ``tfidf-lr``, ...) are the ladder (``_ladder.py``);
the ``accurate`` model is a fine-tuned encoder instead (``_encoder.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.dummy import DummyClassifier
from sklearn.utils.validation import check_is_fitted

from stance import LABELS
from stance.text import (
    CUE_NAMES,
    LEXICAL_NAMES,
    check_texts,
    cue_matrix,
    lexical_matrix,
    rule_decisions,
    static_dims,
    static_matrix,
)

__all__ = ["TextInputMixin", "CueFeatures", "RulesClassifier", "RuleVotes", "LexicalFeatures", "StaticEmbedding",
           "TextDummyClassifier", "fit_estimator"]



class TextInputMixin:
    """scikit-learn tags for estimators whose ``X`` is a list of sentences, not a 2-d array.

    Put it first among the bases (``class C(TextInputMixin, TransformerMixin, BaseEstimator)``);
    ``_requires_fit = True`` marks a transformer whose ``transform`` needs ``fit`` first.
    """

    _requires_fit = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        if self._requires_fit:
            tags.requires_fit = True
        return tags


class CueFeatures(TextInputMixin, TransformerMixin, BaseEstimator):
    """Attribution and author-voice loadedness cues (see :mod:`stance.text`).

    Stateless: ``fit`` only records the number of output features, so nothing
    learned from one fold reaches another.
    """

    _requires_fit = True

    def fit(self, X: Any, y: Any = None) -> "CueFeatures":
        check_texts(X)
        self.n_features_out_ = len(CUE_NAMES)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        return cue_matrix(check_texts(X))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"cue:{n}" for n in CUE_NAMES], dtype=object)


class RulesClassifier(TextInputMixin, ClassifierMixin, BaseEstimator):
    """The codebook's decision procedure, applied with hand-written cues.

    1. Loaded wording in the author's own voice (evaluative words, pejorative
       labels, scare quotes: at least ``min_loaded_cues`` of them) -> ``loaded``.
    2. Otherwise quotation marks, a speech verb or an attribution phrase ->
       ``quote``.
    3. Otherwise ``claim``.

    Nothing is learned: ``fit`` only checks the labels. ``predict_proba`` gives
    ``1 - smoothing`` to the rule's answer and spreads ``smoothing`` evenly.
    """

    LABELS = LABELS  # the class attribute names the labels it decides between

    def __init__(self, min_loaded_cues: int = 1, smoothing: float = 0.1):
        self.min_loaded_cues = min_loaded_cues
        self.smoothing = smoothing

    def fit(self, X: Any, y: Any) -> "RulesClassifier":
        texts = check_texts(X)
        y = np.asarray(y, dtype=object)
        if len(texts) != len(y):
            raise ValueError(f"X has {len(texts)} sentences but y has {len(y)} labels")
        if not isinstance(self.min_loaded_cues, (int, np.integer)) or self.min_loaded_cues < 1:
            raise ValueError(f"min_loaded_cues must be a positive integer, got {self.min_loaded_cues!r}")
        if not 0 <= self.smoothing < 1:
            raise ValueError(f"smoothing must be in [0, 1), got {self.smoothing!r}")
        unknown = sorted(set(map(str, y)) - set(self.LABELS))
        if unknown:
            raise ValueError(f"the rules only know the labels {', '.join(self.LABELS)}; got {', '.join(unknown)}")
        self.classes_ = np.asarray(self.LABELS, dtype=object)
        return self

    def _decide(self, texts: list[str]) -> np.ndarray:
        return rule_decisions(cue_matrix(texts), self.min_loaded_cues)

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "classes_")
        return self.classes_[self._decide(check_texts(X))]

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "classes_")
        d = self._decide(check_texts(X))
        k = len(self.classes_)
        P = np.full((len(d), k), self.smoothing / k)
        P[np.arange(len(d)), d] += 1 - self.smoothing
        return P


class RuleVotes(TextInputMixin, TransformerMixin, BaseEstimator):
    """The decision of :class:`RulesClassifier` as three indicator features.

    Lets a learned model start from the codebook's procedure (loaded overrides
    quote, quote overrides claim) and learn where to depart from it. Stateless.
    """

    def __init__(self, min_loaded_cues: int = 1):
        self.min_loaded_cues = min_loaded_cues

    def fit(self, X: Any, y: Any = None) -> "RuleVotes":
        check_texts(X)
        self.n_features_out_ = 3
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        d = RulesClassifier(min_loaded_cues=self.min_loaded_cues)._decide(check_texts(X))
        return np.eye(3)[d] if len(d) else np.zeros((0, 3))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(["rule:claim", "rule:quote", "rule:loaded"], dtype=object)


class _StatelessBlock(TextInputMixin, TransformerMixin, BaseEstimator):
    """A feature block computed from each sentence alone; ``fit`` only records its width."""

    _requires_fit = True
    _prefix = ""

    def _names(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _matrix(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def fit(self, X: Any, y: Any = None):
        check_texts(X)
        self.n_features_out_ = len(self._names())
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        return self._matrix(check_texts(X))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"{self._prefix}:{n}" for n in self._names()], dtype=object)


class LexicalFeatures(_StatelessBlock):
    """VADER valence and TextBlob subjectivity of the author's own words (see :mod:`stance.lexical`)."""

    _prefix = "lexical"

    def _names(self) -> tuple[str, ...]:
        return LEXICAL_NAMES

    def _matrix(self, texts: list[str]) -> np.ndarray:
        return lexical_matrix(texts)


class StaticEmbedding(_StatelessBlock):
    """Mean static word vector (model2vec distilled from MiniLM) of the author's own words."""

    _prefix = "static"

    def _names(self) -> tuple[str, ...]:
        return tuple(f"d{i}" for i in range(static_dims()))

    def _matrix(self, texts: list[str]) -> np.ndarray:
        return static_matrix(texts)


class TextDummyClassifier(TextInputMixin, DummyClassifier):
    """``DummyClassifier`` that checks its input is a list of sentences."""

    def fit(self, X, y, sample_weight=None):
        texts = check_texts(X)
        return super().fit(np.zeros((len(texts), 1)), y, sample_weight)

    def predict(self, X):
        return super().predict(np.zeros((len(check_texts(X)), 1)))

    def predict_proba(self, X):
        return super().predict_proba(np.zeros((len(check_texts(X)), 1)))


def fit_estimator(est: Any, texts: list[str], y: Any, sample_weight: Any = None) -> Any:
    """``est.fit(texts, y)``, passing ``sample_weight`` to the final step of a pipeline (or to
    the estimator itself) when given; estimators that take no weights are fitted plainly."""
    if sample_weight is None:
        return est.fit(texts, y)
    steps = getattr(est, "steps", None)
    if steps:
        return est.fit(texts, y, **{f"{steps[-1][0]}__sample_weight": sample_weight})
    import inspect

    if "sample_weight" in inspect.signature(est.fit).parameters:
        return est.fit(texts, y, sample_weight=sample_weight)
    return est.fit(texts, y)
