"""The ladder of named models and their building blocks: the scikit-learn side of stance.

- the ladder: :func:`make` a fresh, unfitted estimator by name (``majority``, ``rules``,
  ``tfidf-lr``, ``tfidf-svm``, ``nb``, ``hybrid``, ``embed``, ``accurate``), :func:`names`,
  :func:`describe`, :func:`needs` and :func:`available`;
- the building blocks: scikit-learn transformers and classifiers that take sentence strings
  (:class:`CueFeatures`, :class:`RuleVotes`, :class:`RulesClassifier`, :class:`LexicalFeatures`,
  :class:`StaticEmbedding`, :class:`TextDummyClassifier`) and :func:`fit_estimator`;
- compiling: :func:`compile_estimator` turns a fitted estimator into the scoring spec the label
  path scores with numpy (:mod:`stance.model`).

Importing this package imports scikit-learn; the label path never does.
"""

from __future__ import annotations

from ._blocks import (
    CueFeatures,
    LexicalFeatures,
    RulesClassifier,
    RuleVotes,
    StaticEmbedding,
    TextDummyClassifier,
    TextInputMixin,
    fit_estimator,
)
from ._compile import compile_estimator
from ._encoder import BASE_LICENCE, BASE_MODEL, MISSING_TRAIN_EXTRA, EncoderClassifier, base_model_dir
from ._ladder import (
    ACCURATE_PARAMS,
    DEFAULT_MODEL,
    EMBED_C,
    EMBED_WEIGHTS,
    HYBRID_C,
    HYBRID_WEIGHTS,
    OPTIONAL,
    available,
    check_name,
    describe,
    make,
    names,
    needs,
    set_seed,
)

__all__ = [
    "make", "names", "describe", "needs", "available", "check_name", "set_seed", "DEFAULT_MODEL", "OPTIONAL",
    "HYBRID_C", "HYBRID_WEIGHTS", "EMBED_C", "EMBED_WEIGHTS",
    "TextInputMixin", "CueFeatures", "RulesClassifier", "RuleVotes", "LexicalFeatures", "StaticEmbedding",
    "TextDummyClassifier", "fit_estimator", "compile_estimator",
    "EncoderClassifier", "ACCURATE_PARAMS", "BASE_MODEL", "BASE_LICENCE", "MISSING_TRAIN_EXTRA", "base_model_dir",
]
