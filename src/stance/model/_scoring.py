"""Pure-numpy scoring of a model's scoring spec: the light label path.

Importing scikit-learn takes 1.5 s, longer than a user waits for ``stance label`` on one sentence.
A fitted ``hybrid`` or ``tfidf-lr`` pipeline is therefore compiled at training time
(:func:`stance.recipes.compile_estimator`) into plain data (a vocabulary dict, idf weights, the
coefficient matrix) that :class:`CompiledModel` scores with numpy alone. The result equals the
pipeline's own ``predict_proba`` (a test checks it to 1e-9). :func:`stance.model.check_spec` says
what is wrong with a spec read from a file before anything scores it.
"""

from __future__ import annotations

import math
import re
from itertools import chain, repeat
from typing import Any, Sequence

import numpy as np

from stance import LABELS
from stance.text import (
    CUE_NAMES,
    LEXICAL_NAMES,
    author_word_ids,
    cue_matrix,
    lexical_matrix,
    rule_decisions,
    static_matrix,
)

from ._spec import PREPROCESSORS, TOKENIZERS, check_spec, tokenizer_name

__all__ = ["CompiledModel"]


# --------------------------------------------------------------------------- score
def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


class _Tfidf:
    def __init__(self, block: dict[str, Any]):
        self.pre = PREPROCESSORS[block["preprocessor"]]
        self.token = re.compile(TOKENIZERS[tokenizer_name(block)])  # the library's pattern, never the file's
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
            return np.eye(3)[rule_decisions(M, block["min_loaded_cues"])]
        if kind == "lexical":
            return lexical_matrix(texts, ids)
        if kind == "static":
            return static_matrix(texts, ids)
        raise ValueError(f"unknown feature block type {kind!r} (a newer stance wrote this model?)")

    def _features(self, texts: Sequence[str]):
        """Sparse (row, column, value) triplets of the word blocks and (offset, matrix) of the dense ones."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        dense: list[tuple[int, np.ndarray]] = []
        M = cue_matrix(texts) if self.needs_cues else None
        ids = author_word_ids(texts) if self.needs_words else None
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
            d = rule_decisions(cue_matrix(texts), self.spec["min_loaded_cues"])
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
            names = {"cues": CUE_NAMES, "lexical": LEXICAL_NAMES, "rules": LABELS}[block["type"]]
            for j in np.flatnonzero(row):
                out.append((block["type"], names[j], float(row[j]), self.W[off + j] * row[j]))
        return out
