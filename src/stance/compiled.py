"""Pure-numpy inference for the linear stance models.

Importing scikit-learn takes 1.5 s, longer than a user waits for
``stance label`` on one sentence. A fitted ``hybrid`` or ``tfidf-lr`` pipeline is
therefore *compiled* at save time into plain data (a vocabulary dict, idf
weights, the coefficient matrix) that this module scores with numpy alone. The
result equals the pipeline's own ``predict_proba`` (a test checks it to 1e-9).

``compile_estimator(est)`` returns the plain spec or ``None`` for estimators it
does not know (those are scored by the pickled scikit-learn estimator);
:class:`CompiledModel` scores a spec.
"""

from __future__ import annotations

import math
import re
from itertools import chain, repeat
from typing import Any, Sequence

import numpy as np

from . import LABELS, features, lexical

__all__ = ["compile_estimator", "CompiledModel", "check_spec"]

_PREPROCESSORS = {"author_voice_lower": features.author_voice_lower, "lower": str.lower}


# --------------------------------------------------------------------------- compile
def _compile_tfidf(vec: Any) -> dict[str, Any]:
    """The fitted state of a word ``TfidfVectorizer`` as plain data."""
    if vec.analyzer != "word" or vec.tokenizer is not None or vec.stop_words is not None:
        raise _Unsupported("only word analyzers with the default tokenizer are compiled")
    if vec.preprocessor is None:
        if not vec.lowercase or vec.strip_accents is not None:
            raise _Unsupported("only lower-casing preprocessors are compiled")
        pre = "lower"
    elif vec.preprocessor is features.author_voice_lower:
        pre = "author_voice_lower"
    else:
        raise _Unsupported(f"unknown preprocessor {vec.preprocessor!r}")
    if vec.norm not in ("l2", None) or vec.binary:
        raise _Unsupported("only l2 or no normalisation, non-binary counts are compiled")
    idf = np.asarray(vec.idf_, dtype=np.float64) if vec.use_idf else None
    return {
        "type": "tfidf",
        "preprocessor": pre,
        "token_pattern": vec.token_pattern,
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

    from .models import CueFeatures, LexicalFeatures, RuleVotes, StaticEmbedding

    if isinstance(step, TfidfVectorizer):
        block = _compile_tfidf(step)
    elif isinstance(step, CueFeatures):
        block = {"type": "cues", "size": len(features.CUE_NAMES)}
    elif isinstance(step, LexicalFeatures):
        block = {"type": "lexical", "size": len(lexical.LEXICAL_NAMES)}
    elif isinstance(step, StaticEmbedding):
        block = {"type": "static", "size": lexical.static_dims()}
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

    from .models import RulesClassifier, TextDummyClassifier

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


# --------------------------------------------------------------------------- score
def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


class _Tfidf:
    def __init__(self, block: dict[str, Any]):
        self.pre = _PREPROCESSORS[block["preprocessor"]]
        self.token = re.compile(block["token_pattern"])
        self.lo, self.hi = block["ngram_range"]
        self.sublinear = block["sublinear_tf"]
        self.norm = block["norm"]
        self.vocab: dict[str, int] = block["vocabulary"]
        self.idf = block["idf"]
        self.names: list[str] | None = None
        # With no vocabulary pruning, every known n-gram is made of known words, so
        # n-grams need only be built over runs of known words (much faster).
        self.closed = self.lo == 1 and all(
            all(w in self.vocab for w in t.split(" ")) for t in self.vocab if " " in t
        )

    def terms(self, text: str) -> list[str]:
        tokens = self.token.findall(self.pre(text))
        out = tokens if self.lo == 1 else []
        n = len(tokens)
        for k in range(max(self.lo, 2), min(self.hi, n) + 1):
            out = out + [" ".join(tokens[i : i + k]) for i in range(n - k + 1)]
        return out

    def _counts(self, text: str) -> dict[int, int]:
        vocab = self.vocab
        counts: dict[int, int] = {}
        if not self.closed:
            for t in self.terms(text):
                j = vocab.get(t)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            return counts
        tokens = self.token.findall(self.pre(text))
        known = [t in vocab for t in tokens]
        for t, ok in zip(tokens, known):
            if ok:
                j = vocab[t]
                counts[j] = counts.get(j, 0) + 1
        n = len(tokens)
        for k in range(2, self.hi + 1):
            for i in range(n - k + 1):
                if all(known[i : i + k]):
                    j = vocab.get(" ".join(tokens[i : i + k]))
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
        return counts

    def _ngram_index(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """For k >= 2: sorted integer codes of the known k-grams (from word ids) and their columns."""
        if getattr(self, "_index", None) is None:
            V = len(self.vocab) + 1
            by_k: dict[int, tuple[list[int], list[int]]] = {}
            for term, col in self.vocab.items():
                words = term.split(" ")
                if len(words) > 1:
                    code = 0
                    for w in words:
                        code = code * V + self.vocab[w]
                    by_k.setdefault(len(words), ([], []))[0].append(code)
                    by_k[len(words)][1].append(col)
            index = {}
            for k, (codes, cols) in by_k.items():
                order = np.argsort(codes)
                index[k] = (np.asarray(codes, dtype=np.int64)[order], np.asarray(cols, dtype=np.int64)[order])
            self._index = index
        return self._index

    def batch(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, values) of the tf-idf matrix of ``texts``, vectorised over the batch."""
        if not self.closed or self.hi > 3 or (len(self.vocab) + 1) ** self.hi >= 2**62:
            rows, cols, vals = [], [], []
            for i, t in enumerate(texts):
                c, v = self.row(t)
                rows.extend([i] * len(c))
                cols.extend(c)
                vals.extend(v)
            return np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp), np.asarray(vals)
        vocab_get = self.vocab.get
        find, pre = self.token.findall, self.pre
        tokens = [find(pre(t)) for t in texts]
        lens = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
        words = list(chain.from_iterable(tokens))
        ids = np.fromiter(map(vocab_get, words, repeat(-1, len(words))), dtype=np.int64, count=len(words))
        row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lens)
        known = ids >= 0
        rows_parts, cols_parts = [row_of[known]], [ids[known]]
        V = len(self.vocab) + 1
        for k, (codes, cols) in self._ngram_index().items():
            if k > self.hi or len(ids) < k:
                continue
            m = len(ids) - k + 1
            ok = known[:m].copy()
            code = ids[:m].copy()
            for j in range(1, k):
                ok &= known[j : j + m] & (row_of[j : j + m] == row_of[:m])
                code = code * V + ids[j : j + m]
            code, r = code[ok], row_of[:m][ok]
            pos = np.searchsorted(codes, code)
            pos[pos >= len(codes)] = 0
            hit = codes[pos] == code if len(codes) else np.zeros(len(code), dtype=bool)
            rows_parts.append(r[hit])
            cols_parts.append(cols[pos[hit]])
        rows = np.concatenate(rows_parts)
        cols = np.concatenate(cols_parts)
        D = len(self.vocab)
        keys, counts = np.unique(rows * D + cols, return_counts=True)
        rows, cols = keys // D, keys % D
        vals = counts.astype(np.float64)
        if self.sublinear:
            vals = 1.0 + np.log(vals)
        if self.idf is not None:
            vals *= self.idf[cols]
        if self.norm == "l2" and len(vals):
            norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=len(texts)))
            vals /= norms[rows]
        return rows.astype(np.intp), cols.astype(np.intp), vals

    def row(self, text: str) -> tuple[list[int], list[float]]:
        counts = self._counts(text)
        if not counts:
            return [], []
        cols = list(counts)
        if self.sublinear:
            vals = [1.0 + math.log(c) for c in counts.values()]
        else:
            vals = [float(c) for c in counts.values()]
        if self.idf is not None:
            idf = self.idf
            vals = [v * idf[j] for v, j in zip(vals, cols)]
        if self.norm == "l2":
            s = math.sqrt(sum(v * v for v in vals))
            if s > 0:
                vals = [v / s for v in vals]
        return cols, vals

    def feature_names(self) -> list[str]:
        if self.names is None:
            names = [""] * len(self.vocab)
            for t, j in self.vocab.items():
                names[j] = t
            self.names = names
        return self.names


_BLOCK_TYPES = ("tfidf", "cues", "lexical", "static", "rules")


def check_spec(spec: Any) -> str | None:
    """What is wrong with a scoring spec read from a file, in a few words; ``None`` if it can be scored."""
    if not isinstance(spec, dict) or spec.get("kind") not in ("prior", "rules", "linear"):
        return "kind is not prior, rules or linear"
    classes = spec.get("classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        return "classes is not a list of labels"
    k = len(classes)
    if spec["kind"] == "prior":
        p = spec.get("prior")
        return None if isinstance(p, np.ndarray) and p.shape == (k,) and p.dtype.kind == "f" else "bad prior"
    if spec["kind"] == "rules":
        ok = isinstance(spec.get("min_loaded_cues"), int) and isinstance(spec.get("smoothing"), (int, float))
        return None if ok and classes == list(LABELS) else "bad rules settings"
    blocks = spec.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return "no feature blocks"
    total = 0
    for b in blocks:
        if not isinstance(b, dict) or b.get("type") not in _BLOCK_TYPES:
            return "a feature block of unknown type (a newer stance wrote this model?)"
        size = b.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return f"block {b.get('name')!r} has no size"
        if b["type"] == "tfidf":
            vocab, idf = b.get("vocabulary"), b.get("idf")
            if b.get("preprocessor") not in _PREPROCESSORS or not isinstance(b.get("token_pattern"), str):
                return f"block {b.get('name')!r} has an unknown preprocessor or token pattern"
            try:
                re.compile(b["token_pattern"])
            except re.error:
                return f"block {b.get('name')!r} has an invalid token pattern"
            ngram = b.get("ngram_range")
            if not (isinstance(ngram, list) and len(ngram) == 2 and all(isinstance(n, int) for n in ngram)
                    and 1 <= ngram[0] <= ngram[1]):
                return f"block {b.get('name')!r} has a bad n-gram range"
            if b.get("norm") not in ("l2", None) or not isinstance(b.get("sublinear_tf"), bool):
                return f"block {b.get('name')!r} has bad weighting settings"
            if not isinstance(vocab, dict) or not all(isinstance(v, int) and 0 <= v < size for v in vocab.values()):
                return f"block {b.get('name')!r} has a vocabulary that does not fit its size"
            if idf is not None and not (isinstance(idf, np.ndarray) and idf.shape == (size,)):
                return f"block {b.get('name')!r} has idf weights that do not fit its size"
        elif b["type"] == "rules" and (not isinstance(b.get("min_loaded_cues"), int) or size != 3):
            return "a rules block without its threshold or of a size other than 3"
        elif b["type"] == "cues" and size > len(features.CUE_NAMES):
            return "more cue features than this stance has (a newer stance wrote this model?)"
        elif b["type"] == "lexical" and size != len(lexical.LEXICAL_NAMES):
            return "a lexicon block of another size than this stance's lexicons"
        elif b["type"] == "static" and size != lexical.static_dims():
            return "a word-vector block of another size than this stance's static vectors"
        total += size
    coef, intercept = spec.get("coef"), spec.get("intercept")
    if not (isinstance(coef, np.ndarray) and coef.shape == (k, total) and coef.dtype.kind == "f"):
        return "coefficients that do not fit the feature blocks"
    if not (isinstance(intercept, np.ndarray) and intercept.shape == (k,) and intercept.dtype.kind == "f"):
        return "intercepts that do not fit the classes"
    return None


class CompiledModel:
    """Scores a spec from :func:`compile_estimator` with numpy alone."""

    def __init__(self, spec: dict[str, Any]):
        problem = check_spec(spec)
        if problem:
            raise ValueError(f"not a scoring spec stance can use: {problem}")
        self.spec = spec
        self.kind = spec["kind"]
        self.classes_ = np.asarray(spec["classes"], dtype=object)
        if self.kind == "linear":
            self.blocks = spec["blocks"]
            self._tfidf = {b["name"]: _Tfidf(b) for b in self.blocks if b["type"] == "tfidf"}
            self.W = np.ascontiguousarray(spec["coef"].T)  # (n_features, n_classes)
            self.b = spec["intercept"]
            offsets, o = [], 0
            for b in self.blocks:
                offsets.append(o)
                o += b["size"]
            self.offsets = offsets
            self.needs_cues = any(b["type"] in ("cues", "rules") for b in self.blocks)
            self.needs_words = any(b["type"] in ("lexical", "static") for b in self.blocks)

    # -- features
    def _dense(self, block: dict[str, Any], texts: Sequence[str], M: np.ndarray | None, ids: Any) -> np.ndarray:
        kind = block["type"]
        if kind == "cues":
            return M[:, : block["size"]]  # cues are only ever appended: older models read the first ones
        if kind == "rules":
            return np.eye(3)[features.rule_decisions(M, block["min_loaded_cues"])]
        if kind == "lexical":
            return lexical.lexical_matrix(texts, ids)
        if kind == "static":
            return lexical.static_matrix(texts, ids)
        raise ValueError(f"unknown feature block type {kind!r} (a newer stance wrote this model?)")

    def _features(self, texts: Sequence[str]):
        """Sparse (row, column, value) triplets of the word blocks and (offset, matrix) of the dense ones."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        dense: list[tuple[int, np.ndarray]] = []
        M = features.cue_matrix(texts) if self.needs_cues else None
        ids = lexical.author_word_ids(texts) if self.needs_words else None
        for block, off in zip(self.blocks, self.offsets):
            if block["type"] == "tfidf":
                r, c, v = self._tfidf[block["name"]].batch(texts)
                rows.append(r)
                cols.append(c + off)
                vals.append(v)
            else:
                dense.append((off, self._dense(block, texts, M, ids)))
        if rows:
            sparse = (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))
        else:
            sparse = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0))
        return sparse, dense

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        n = len(texts)
        Z = np.tile(self.b, (n, 1))
        if n:
            (r, c, v), dense = self._features(texts)
            contrib = self.W[c] * v[:, None]
            for k in range(Z.shape[1]):
                Z[:, k] += np.bincount(r, weights=contrib[:, k], minlength=n)
            for off, D in dense:
                Z += D @ self.W[off : off + D.shape[1]]
        return Z

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        n = len(texts)
        k = len(self.classes_)
        if self.kind == "prior":
            return np.tile(self.spec["prior"], (n, 1))
        if self.kind == "rules":
            d = features.rule_decisions(features.cue_matrix(texts), self.spec["min_loaded_cues"])
            s = self.spec["smoothing"]
            P = np.full((n, k), s / k)
            P[np.arange(n), d] += 1 - s
            return P
        return _softmax(self.decision_function(texts))

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        if self.kind == "prior":
            return np.full(len(texts), self.classes_[int(np.argmax(self.spec["prior"]))], dtype=object)
        return self.classes_[np.argmax(self.predict_proba(texts), axis=1)]

    # -- explanations
    def contributions(self, text: str) -> list[tuple[str, str, float, np.ndarray]]:
        """Each active feature of ``text``: (block type, feature, value, per-class contribution).

        The static word vector dimensions mean nothing one by one: their block is summed into
        one ``embedding`` item.
        """
        if self.kind != "linear":
            return []
        (r, c, v), dense = self._features([text])
        out = []
        for col, val in zip(c.tolist(), v.tolist()):
            bi = max(i for i, off in enumerate(self.offsets) if off <= col)
            name = self._tfidf[self.blocks[bi]["name"]].feature_names()[col - self.offsets[bi]]
            out.append(("tfidf", name, val, self.W[col] * val))
        dense_blocks = [b for b in self.blocks if b["type"] != "tfidf"]
        for block, (off, D) in zip(dense_blocks, dense):
            row = D[0]
            if block["type"] == "static":
                if row.any():
                    out.append(("embedding", "static word vectors", 1.0, row @ self.W[off : off + len(row)]))
                continue
            names = {"cues": features.CUE_NAMES, "lexical": lexical.LEXICAL_NAMES, "rules": LABELS}[block["type"]]
            for j in np.flatnonzero(row):
                out.append((block["type"], names[j], float(row[j]), self.W[off + j] * row[j]))
        return out
