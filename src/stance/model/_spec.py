"""What a scoring spec may hold: a model file is untrusted data, checked whole before anything scores it.

A spec names its text processing from closed sets this library defines (:data:`PREPROCESSORS`,
:data:`TOKENIZERS`): no regular expression or other code-like value is taken from a file. Every
array must be finite, of the shape its block says and of plausible size; the classes must be
stance's own labels. :func:`check_spec` says in a few words what is wrong, or ``None``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from stance import LABELS
from stance.text import CUE_NAMES, LEXICAL_NAMES, author_voice_lower, static_dims

__all__ = ["check_spec", "tokenizer_name", "PREPROCESSORS", "TOKENIZERS"]

PREPROCESSORS = {"author_voice_lower": author_voice_lower, "lower": str.lower}
# The tokenizers a tf-idf block may name, by name: the library's own patterns. "sklearn-default" is
# scikit-learn's default token_pattern, the one every model stance trains uses.
TOKENIZERS = {"sklearn-default": r"(?u)\b\w\w+\b"}

_BLOCK_TYPES = ("tfidf", "cues", "lexical", "static", "rules")
_KINDS = ("prior", "rules", "linear", "encoder")
_MAX_WEIGHT = 1e6  # far beyond any fitted weight; larger ones could overflow a score to infinity
_MAX_NGRAM = 8
_MAX_CUES = 1000  # a threshold on cue counts
_PRIOR_TOLERANCE = 1e-6
_MAX_TOKENIZER = 64 << 20  # a tokenizer's JSON (a sentence encoder's is under 1 MiB)


def check_spec(spec: Any) -> str | None:
    """What is wrong with a scoring spec read from a file, in a few words; ``None`` if it can be scored."""
    if not isinstance(spec, dict) or not isinstance(spec.get("kind"), str) or spec["kind"] not in _KINDS:
        return "kind is not prior, rules, linear or encoder"
    classes = spec.get("classes")
    problem = _check_classes(classes)
    if problem:
        return problem
    k = len(classes)
    if spec["kind"] == "encoder":
        return _check_encoder(spec)
    if spec["kind"] == "prior":
        p = spec.get("prior")
        problem = _check_array(p, (k,), "prior probabilities", 0.0, 1.0)
        if problem is None and abs(float(p.sum()) - 1.0) > _PRIOR_TOLERANCE:
            problem = f"prior probabilities that sum to {float(p.sum()):.6g}, not 1"
        return problem
    if spec["kind"] == "rules":
        s = spec.get("smoothing")
        if not _is_int(spec.get("min_loaded_cues"), 0, _MAX_CUES) or not (
                isinstance(s, (int, float)) and not isinstance(s, bool) and math.isfinite(s) and 0 <= s <= 1):
            return "rules settings that are not a cue threshold and a smoothing between 0 and 1"
        return None if classes == list(LABELS) else f"rules for classes other than {', '.join(LABELS)} in that order"
    return _check_linear(spec, k)


def tokenizer_name(block: dict[str, Any]) -> str | None:
    """The tokenizer a tf-idf block names, among :data:`TOKENIZERS`; a file written before blocks named it
    stores ``token_pattern``, read as a name only when it is exactly that tokenizer's pattern. ``None``
    for anything else: a pattern from a file is never compiled."""
    name = block.get("tokenizer")
    if "token_pattern" in block:
        legacy = next((n for n, p in TOKENIZERS.items() if p == block["token_pattern"]), None)
        if name is None:
            name = legacy
        elif name != legacy:
            return None
    return name if isinstance(name, str) and name in TOKENIZERS else None


def _is_int(x: Any, lo: int, hi: float) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and lo <= x <= hi


def _shown(value: Any) -> str:
    """A value from the file, quoted and cut short, for a one-line message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_classes(classes: Any) -> str | None:
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        return "classes is not a list of labels"
    unknown = [c for c in classes if c not in LABELS]
    if unknown:
        return f"class {_shown(unknown[0])} is not one of stance's labels ({', '.join(LABELS)})"
    if len(set(classes)) != len(classes):
        return "a class is listed twice"
    return None


def _check_array(a: Any, shape: tuple[int, ...], what: str, lo: float = -_MAX_WEIGHT,
                 hi: float = _MAX_WEIGHT) -> str | None:
    """What is wrong with an array of floats that should have ``shape`` and values in ``[lo, hi]``."""
    if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
        return f"{what} that are not an array of floats"
    if a.shape != shape:
        return f"{what} of shape {a.shape} where the spec says {shape}"
    if not np.isfinite(a).all():
        return f"{what} that are not all finite (NaN or infinity)"
    if a.size and (a.min() < lo or a.max() > hi):
        return f"{what} outside {lo:g} to {hi:g}"
    return None


def _check_encoder(spec: dict[str, Any]) -> str | None:
    onnx, tokenizer = spec.get("onnx"), spec.get("tokenizer")
    if not isinstance(onnx, bytes) or not onnx:
        return "an encoder without its network"
    if not isinstance(tokenizer, bytes) or not 0 < len(tokenizer) <= _MAX_TOKENIZER:
        return f"an encoder without its tokenizer (UTF-8 JSON of at most {_MAX_TOKENIZER >> 20} MiB)"
    try:
        tokenizer.decode("utf-8")
    except UnicodeDecodeError:
        return "an encoder whose tokenizer is not UTF-8 text"
    if not _is_int(spec.get("max_length"), 8, 512):
        return "an encoder without a maximum length of 8 to 512"
    return None


def _check_linear(spec: dict[str, Any], k: int) -> str | None:
    blocks = spec.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return "no feature blocks"
    names: set[str] = set()
    for b in blocks:
        problem = _check_block(b)
        if problem:
            return problem
        if b["name"] in names:
            return f"two feature blocks named {_shown(b['name'])}"
        names.add(b["name"])
    total = sum(b["size"] for b in blocks)
    return (_check_array(spec.get("coef"), (k, total), "coefficients")
            or _check_array(spec.get("intercept"), (k,), "intercepts"))


def _check_block(b: Any) -> str | None:
    if not isinstance(b, dict) or not isinstance(b.get("type"), str) or b["type"] not in _BLOCK_TYPES:
        return "a feature block of unknown type (a newer stance wrote this model?)"
    if not isinstance(b.get("name"), str):
        return "a feature block without a name"
    where = f"block {_shown(b['name'])}"
    if not _is_int(b.get("size"), 1, math.inf):
        return f"{where} has no size"
    size = b["size"]
    if b["type"] == "tfidf":
        return _check_tfidf(b, where, size)
    if b["type"] == "rules" and (not _is_int(b.get("min_loaded_cues"), 0, _MAX_CUES) or size != 3):
        return "a rules block without its threshold or of a size other than 3"
    if b["type"] == "cues" and size > len(CUE_NAMES):
        return "more cue features than this stance has (a newer stance wrote this model?)"
    if b["type"] == "lexical" and size != len(LEXICAL_NAMES):
        return "a lexicon block of another size than this stance's lexicons"
    if b["type"] == "static" and size != static_dims():
        return "a word-vector block of another size than this stance's static vectors"
    return None


def _check_tfidf(b: dict[str, Any], where: str, size: int) -> str | None:
    pre = b.get("preprocessor")
    if not isinstance(pre, str) or pre not in PREPROCESSORS:
        return f"{where} has a preprocessor stance does not define ({', '.join(PREPROCESSORS)})"
    if tokenizer_name(b) is None:
        return (f"{where} has a tokenizer or token pattern stance does not define ({', '.join(TOKENIZERS)}); "
                "patterns from a file are never run")
    ngram = b.get("ngram_range")
    if not (isinstance(ngram, list) and len(ngram) == 2 and _is_int(ngram[0], 1, _MAX_NGRAM)
            and _is_int(ngram[1], ngram[0], _MAX_NGRAM)):
        return f"{where} has a bad n-gram range"
    if b.get("norm") not in ("l2", None) or not isinstance(b.get("sublinear_tf"), bool):
        return f"{where} has bad weighting settings"
    vocab = b.get("vocabulary")
    if not isinstance(vocab, dict) or len(vocab) != size:
        return f"{where} has a vocabulary that does not fit its size"
    if set(map(type, vocab)) != {str} or set(map(type, vocab.values())) != {int}:
        return f"{where} has a vocabulary that is not terms and their columns"
    columns = np.fromiter(vocab.values(), dtype=np.int64, count=size) if max(vocab.values()) < size else None
    if columns is None or columns.min() < 0:
        return f"{where} has a vocabulary that does not fit its size"
    if np.bincount(columns, minlength=size).max() != 1:  # each column once: the terms number the columns
        return f"{where} has two vocabulary terms in one column"
    idf = b.get("idf")
    return None if idf is None else _check_array(idf, (size,), f"{where} idf weights", 1e-12, _MAX_WEIGHT)
