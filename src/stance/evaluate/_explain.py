"""How often an explanation points at the words a human marked (BABE's biased words).

``explain_overlap`` asks the model for its top ``k`` features per sentence and counts the
sentences where one of them covers a marked word.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

import numpy as np

_TOKEN = re.compile(r"\w[\w'’-]*")
_QUOTED = re.compile(r"[\"“«]([^\"”»]{1,60})[\"”»]")


def _tokens(s: str) -> set[str]:
    return set(_TOKEN.findall(s.lower().replace("_", " ")))


def _feature_words(f: Mapping[str, Any], text: str) -> set[str]:
    """The sentence words an explained feature points at.

    The ``feature`` string counts when it occurs in the sentence (an n-gram);
    in the ``description``, quoted words and the words after a final ``": "``
    (how stance lists the words a cue matched) count too.
    """
    toks: set[str] = set()
    feat = str(f.get("feature", "") or "")
    if feat and feat.lower() in text.lower():
        toks |= _tokens(feat)
    desc = str(f.get("description", "") or "")
    for q in _QUOTED.findall(desc):
        toks |= _tokens(q)
    if ": " in desc:
        toks |= _tokens(desc.rsplit(": ", 1)[1])
    return toks


def explain_overlap(model: Any, texts: Sequence[str], words: Sequence[Sequence[str]], k: int = 5) -> dict[str, Any]:
    """How often what ``model.explain`` points at is among the words people marked.

    For each sentence with marked words, the ``k`` features of
    ``explain(sentence, k)`` are matched word by word (case-insensitive)
    against the marked words; a feature's words are its ``feature`` string
    when that occurs in the sentence, quoted words in its ``description`` and
    the words listed after a final ``": "`` there. Reports the share of sentences with at least one hit,
    the mean share of marked words found and the mean share of features that
    hit. Models without ``explain`` (a bare scikit-learn estimator) get n/a.
    """
    if not callable(getattr(model, "explain", None)):
        return {"available": False, "note": "n/a: this model has no explain() (a bare scikit-learn estimator)"}
    hit, recall, precision, n = 0, [], [], 0
    for text, ws in zip(texts, words):
        marked = set().union(*(_tokens(w) for w in ws)) if ws else set()
        if not marked:
            continue
        feats = list(model.explain(text, k=k) or [])[:k]
        ftoks = []
        ftoks = [_feature_words(f, text) for f in feats]
        n += 1
        found = {w for w in marked if any(w in t for t in ftoks)}
        hits = sum(1 for t in ftoks if t & marked)
        hit += bool(found)
        recall.append(len(found) / len(marked))
        if ftoks:
            precision.append(hits / len(ftoks))
    if n == 0:
        return {"available": False, "note": "n/a: no sentence with marked words to check"}
    return {
        "available": True,
        "k": k,
        "sentences": n,
        "hit_rate": hit / n,
        "word_recall": float(np.mean(recall)),
        "feature_precision": float(np.mean(precision)) if precision else None,
        "note": "share of sentences where at least one of the top-k explained features is a word the experts "
        "marked; word_recall: mean share of marked words found; feature_precision: mean share of features "
        "that hit a marked word",
    }
