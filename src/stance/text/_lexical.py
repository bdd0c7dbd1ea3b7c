"""General language resources as features: sentiment and subjectivity lexicons, static word vectors.

The hand-written word lists of the cues (:mod:`stance.text`) model one topic's vocabulary. The
resources here are general and well kept, built into the package by
``scripts/build_resources.py`` (their packages, versions, licences and hashes are in
``stance/data/resources.json`` and on every model card that uses them):

* VADER's sentiment lexicon (MIT): how strongly a word is felt, -4 .. 4;
* TextBlob's subjectivity lexicon (MIT, from pattern): how much a word judges, 0 .. 1;
* static word vectors distilled with model2vec from all-MiniLM-L6-v2: what a word means,
  so that loaded words the lists never saw land near the ones they did.

Every feature is computed on the author's own voice (quotations set aside, as the codebook
says loaded wording inside quotation marks belongs to the source), with numpy alone.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

import numpy as np

from ._voice import author_voice, names_and_descriptions

__all__ = ["LEXICAL_NAMES", "LEXICAL_DESCRIPTIONS", "lexical_matrix", "static_matrix", "static_dims", "static_vectors",
           "author_word_ids", "resource_info", "valence", "subjectivity"]

_CHUNK = 512  # texts per slice in static_matrix
_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]")

_LEXICAL: tuple[tuple[str, str], ...] = (
    ("vader_negative", "share of the author's words that VADER rates negative (valence <= -1)"),
    ("vader_positive", "share of the author's words that VADER rates positive (valence >= 1)"),
    ("vader_strength", "mean absolute VADER valence of the author's words (how strongly they are felt)"),
    ("vader_peak", "the strongest single VADER valence among the author's words (absolute, / 4)"),
    ("subjective_share", "share of the author's words that TextBlob's lexicon rates subjective (>= 0.5)"),
    ("subjectivity_mean", "mean TextBlob subjectivity of the author's rated words"),
    ("subjectivity_peak", "the highest TextBlob subjectivity among the author's words"),
    ("polarity_strength", "mean absolute TextBlob polarity of the author's rated words"),
)
LEXICAL_NAMES, LEXICAL_DESCRIPTIONS = names_and_descriptions(_LEXICAL)


def _data(rel: str):
    return resources.files("stance").joinpath("data", *rel.split("/"))


def _read_tsv(rel: str) -> list[list[str]]:
    text = _data(rel).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=None)
def valence() -> dict[str, float]:
    """VADER's single-word lexicon: word -> mean valence (-4 .. 4)."""
    return {w: float(v) for w, v in _read_tsv("lexicons/vader.tsv")}


@lru_cache(maxsize=None)
def subjectivity() -> dict[str, tuple[float, float]]:
    """TextBlob's lexicon: word -> (polarity -1 .. 1, subjectivity 0 .. 1)."""
    return {w: (float(p), float(s)) for w, p, s in _read_tsv("lexicons/subjectivity.tsv")}


@lru_cache(maxsize=None)
def resource_info() -> dict[str, Any]:
    """Package, version, licence and sha256 of each shipped resource file."""
    return json.loads(_data("resources.json").read_text(encoding="utf-8"))


def _words(text: str) -> list[str]:
    return _WORD.findall(author_voice(text).lower().replace("’", "'"))


@lru_cache(maxsize=None)
def _table() -> tuple[dict[str, int], np.ndarray, np.ndarray, np.ndarray]:
    """One index over every resource word: word -> id; per id valence, (polarity, subjectivity), vector row.

    Missing values are NaN (valence, subjectivity) or -1 (vector row).
    """
    val, subj = valence(), subjectivity()
    vindex, _ = _vectors()
    words = sorted(set(val) | set(subj) | set(vindex))
    index = {w: i for i, w in enumerate(words)}
    v = np.array([val.get(w, np.nan) for w in words])
    ps = np.array([subj.get(w, (np.nan, np.nan)) for w in words]).reshape(len(words), 2)
    rows = np.array([vindex.get(w, -1) for w in words], dtype=np.intp)
    return index, v, ps, rows


def _ids(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Resource ids of each text's author-voice words, flattened; the row of each id; word counts."""
    index = _table()[0]
    flat: list[int] = []
    owner: list[int] = []
    counts = np.zeros(len(texts))
    get = index.get
    for i, t in enumerate(texts):
        words = _words(t)
        counts[i] = len(words)
        found = [j for j in map(get, words) if j is not None]  # map: the lookups run in C
        flat.extend(found)
        owner.extend([i] * len(found))
    return np.asarray(flat, dtype=np.intp), np.asarray(owner, dtype=np.intp), counts


def _sum_by(owner: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(owner, weights=x, minlength=n)


def _max_by(owner: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n)
    np.maximum.at(out, owner, x)
    return out


def lexical_matrix(texts: Sequence[str], ids: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The :data:`LEXICAL_NAMES` features of each text, shape (n, 8)."""
    n = len(texts)
    flat, owner, counts = ids if ids is not None else _ids(texts)
    _, v, ps, _ = _table()
    out = np.zeros((n, len(LEXICAL_NAMES)))
    if n == 0 or len(flat) == 0:
        return out
    words = np.maximum(counts, 1)
    val = v[flat]
    has_v = ~np.isnan(val)
    ov, a = owner[has_v], np.abs(val[has_v])
    out[:, 0] = _sum_by(ov, (val[has_v] <= -1).astype(float), n) / words
    out[:, 1] = _sum_by(ov, (val[has_v] >= 1).astype(float), n) / words
    out[:, 2] = _sum_by(ov, a, n) / words
    out[:, 3] = _max_by(ov, a, n) / 4
    pol, sub = ps[flat, 0], ps[flat, 1]
    has_s = ~np.isnan(sub)
    os_, q, p = owner[has_s], sub[has_s], np.abs(pol[has_s])
    rated = _sum_by(os_, np.ones(len(os_)), n)
    denom = np.maximum(rated, 1)
    out[:, 4] = _sum_by(os_, (q >= 0.5).astype(float), n) / words
    out[:, 5] = _sum_by(os_, q, n) / denom
    out[:, 6] = _max_by(os_, q, n)
    out[:, 7] = _sum_by(os_, p, n) / denom
    return out


@lru_cache(maxsize=None)
def _vectors() -> tuple[dict[str, int], np.ndarray]:
    with _data("static_vectors.npz").open("rb") as fh:
        z = np.load(fh, allow_pickle=False)
        words, vecs = z["words"], z["vectors"].astype(np.float32)
    return {str(w): i for i, w in enumerate(words)}, vecs


def static_vectors() -> tuple[np.ndarray, np.ndarray]:
    """The static word vectors: per resource word id (the ids of :func:`author_word_ids`) its row in
    the matrix (-1: the word has no vector), and the matrix (rows: words, columns: dimensions)."""
    return _table()[3], _vectors()[1]


def static_dims() -> int:
    return int(_vectors()[1].shape[1])


def static_matrix(texts: Sequence[str], ids: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Mean static word vector of each text's author-voice words, L2-normalised, shape (n, dims).

    Words outside the vocabulary are skipped; a text with none gives a zero row.
    """
    n = len(texts)
    flat, owner, _ = ids if ids is not None else _ids(texts)
    vecs = _vectors()[1]
    rows = _table()[3][flat]
    keep = rows >= 0
    out = np.zeros((n, vecs.shape[1]))
    own, rows = owner[keep], rows[keep]
    # owners are in order: sum each text's run of vectors at once, a slice of texts at a time so the
    # gathered vectors stay small
    bounds = np.searchsorted(own, np.arange(0, n + _CHUNK, _CHUNK))
    for a, b in zip(bounds[:-1], bounds[1:]):
        if b > a:
            o = own[a:b]
            starts = np.flatnonzero(np.r_[True, o[1:] != o[:-1]])
            out[o[starts]] = np.add.reduceat(vecs[rows[a:b]], starts, axis=0)
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norm, out=out, where=norm > 0)
    return out


def author_word_ids(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tokenise once for both :func:`lexical_matrix` and :func:`static_matrix` (pass as ``ids=``)."""
    return _ids(texts)
