"""Compiling a fitted estimator into the scoring spec the label path scores with numpy.

:func:`compile_estimator` turns a fitted ``majority``, ``rules`` or linear pipeline (``hybrid``,
``tfidf-lr``, ``embed``) into plain data that :class:`stance.model.StanceModel` scores without
scikit-learn; ``None`` for estimators it does not know (those keep their pickled estimator).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from stance.model import TOKENIZERS
from stance.text import CUE_NAMES, LEXICAL_NAMES, author_voice_lower, static_dims

__all__ = ["compile_estimator"]


def _compile_tfidf(vec: Any) -> dict[str, Any]:
    """The fitted state of a word ``TfidfVectorizer`` as plain data."""
    if vec.analyzer != "word" or vec.tokenizer is not None or vec.stop_words is not None:
        raise _Unsupported("only word analyzers with the default tokenizer are compiled")
    if vec.preprocessor is None:
        if not vec.lowercase or vec.strip_accents is not None:
            raise _Unsupported("only lower-casing preprocessors are compiled")
        pre = "lower"
    elif vec.preprocessor is author_voice_lower:
        pre = "author_voice_lower"
    else:
        raise _Unsupported(f"unknown preprocessor {vec.preprocessor!r}")
    # the file names the tokenizer; a pattern stance does not define is not compiled (the file carries no regex)
    tokenizer = next((name for name, pattern in TOKENIZERS.items() if pattern == vec.token_pattern), None)
    if tokenizer is None:
        raise _Unsupported(f"token pattern {vec.token_pattern!r} is not among stance's tokenizers")
    if vec.norm not in ("l2", None) or vec.binary:
        raise _Unsupported("only l2 or no normalisation, non-binary counts are compiled")
    idf = np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else None
    return {
        "type": "tfidf",
        "preprocessor": pre,
        "tokenizer": tokenizer,
        "ngram_range": [int(vec.ngram_range[0]), int(vec.ngram_range[1])],
        "sublinear_tf": bool(vec.sublinear_tf),
        "norm": vec.norm,
        "vocabulary": {str(k): int(v) for k, v in vec.vocabulary_.items()},
        "idf": idf,
        "size": len(vec.vocabulary_),
    }


class _Unsupported(Exception):
    pass


def _compile_block(name: str, step: Any) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ._blocks import CueFeatures, LexicalFeatures, RuleVotes, StaticEmbedding

    if isinstance(step, TfidfVectorizer):
        block = _compile_tfidf(step)
    elif isinstance(step, CueFeatures):
        block = {"type": "cues", "size": len(CUE_NAMES)}
    elif isinstance(step, LexicalFeatures):
        block = {"type": "lexical", "size": len(LEXICAL_NAMES)}
    elif isinstance(step, StaticEmbedding):
        block = {"type": "static", "size": static_dims()}
    elif isinstance(step, RuleVotes):
        block = {"type": "rules", "min_loaded_cues": int(step.min_loaded_cues), "size": 3}
    else:
        raise _Unsupported(f"unknown feature step {type(step).__name__}")
    block["name"] = name
    return block


def compile_estimator(est: Any) -> dict[str, Any] | None:
    """A plain-data spec of a fitted estimator, or ``None`` if it cannot be compiled."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    from ._blocks import RulesClassifier, TextDummyClassifier

    from ._encoder import EncoderClassifier

    if isinstance(est, EncoderClassifier):
        return est.export(quantize=True)
    try:
        if isinstance(est, TextDummyClassifier) and est.strategy == "prior":
            return {"kind": "prior", "classes": [str(c) for c in est.classes_],
                    "prior": np.asarray(est.class_prior_, dtype=np.float64)}
        if isinstance(est, RulesClassifier):
            return {"kind": "rules", "classes": [str(c) for c in est.classes_],
                    "min_loaded_cues": int(est.min_loaded_cues), "smoothing": float(est.smoothing)}
        if not isinstance(est, Pipeline) or len(est.steps) != 2:
            return None
        (fname, feats), (_, clf) = est.steps
        if not isinstance(clf, LogisticRegression) or len(clf.classes_) < 3:
            return None
        scale: list[float] = []
        if isinstance(feats, FeatureUnion):
            kept = [(n, t) for n, t in feats.transformer_list if t not in ("drop", None)]
            blocks = [_compile_block(n, t) for n, t in kept]
            # FeatureUnion multiplies each block by its weight; fold that into the coefficients.
            weights = feats.transformer_weights or {}
            scale = [float(weights.get(n, 1.0)) for n, _ in kept]
        else:
            blocks = [_compile_block(fname, feats)]
        coef = np.array(clf.coef_, dtype=np.float64)
        if coef.shape[1] != sum(b["size"] for b in blocks):
            return None
        start = 0
        for b, w in zip(blocks, scale):
            coef[:, start : start + b["size"]] *= w
            start += b["size"]
        return {
            "kind": "linear",
            "classes": [str(c) for c in clf.classes_],
            "blocks": blocks,
            "coef": coef,
            "intercept": np.asarray(clf.intercept_, dtype=np.float64),
        }
    except _Unsupported:
        return None
