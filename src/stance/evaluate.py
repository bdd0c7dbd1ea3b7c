"""How well do stance's models label sentences? Cross-validation, intervals, comparisons.

Everything a report needs, as plain functions returning plain dicts (JSON-ready):

* :func:`cross_validate` fits a fresh clone of a model per fold and predicts every
  held-out sentence. Two schemes:

  - ``lodo`` (primary): leave one document out. The folds are the documents; a
    model is never tested on an article it was trained on.
  - ``kfold`` (comparison): repeated stratified k-fold over sentences. Flagged
    ``optimistic``: sentences of one article fall on both sides of a split, so
    the model has seen the article's topic, names and style.

* :func:`summarize` gives per-class precision/recall/F1/support, macro-F1,
  accuracy, Cohen's kappa against gold and the confusion matrix, with seeded
  bootstrap intervals (resampling sentences; for LODO also documents).
* :func:`compare` pairs two models on the same folds: macro-F1 difference with
  a paired bootstrap interval and McNemar's exact test.
* :func:`human_ceiling` reads ``labels/agreement.json`` (two labelling passes).
* :func:`learning_curve` trains on k of the other documents, LODO-style.
* :func:`error_rows` lists every misclassified sentence.
* :func:`evaluate_on` scores a fitted model on outside labelled data (CSV/TSV,
  JSONL, a pandas DataFrame or a ``datasets`` dataset saved to disk), with a
  label mapping and an optional binary loaded-vs-not mode.

Nothing here imports matplotlib (see :mod:`stance.plots`). Every random choice
takes a seed, so a rerun with the same seed gives the same numbers.
"""

from __future__ import annotations

import ast
import csv
import json
import math
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

__all__ = [
    "LABELS",
    "BINARY_LABELS",
    "SCHEMES",
    "KFOLD_REASON",
    "EvaluationError",
    "CorpusData",
    "CVResult",
    "OutsideData",
    "corpus_data",
    "lodo_splits",
    "kfold_splits",
    "cross_validate",
    "compare_predictions",
    "scores",
    "bootstrap",
    "summarize",
    "compare",
    "mcnemar_exact",
    "human_ceiling",
    "learning_curve",
    "error_rows",
    "read_outside",
    "evaluate_on",
    "explain_overlap",
    "run_corpus",
]

LABELS: tuple[str, ...] = ("claim", "quote", "loaded")
NOT_LOADED = "not-loaded"
BINARY_LABELS: tuple[str, ...] = (NOT_LOADED, "loaded")
SCHEMES = ("lodo", "kfold")
DROP = "drop"
KFOLD_REASON = (
    "sentences of one article fall on both sides of a split, so the model is tested on "
    "articles whose topic, names and wording it has already seen in training"
)
LODO_NOTE = (
    "leave one document out: each model is trained on all other documents and tested on the "
    "held-out one; every sentence is predicted once, by a model that never saw its document"
)
NEVER_SEEN = (
    "The model never saw this data: it was not used for training or tuning, only for scoring "
    "here. Its labels follow another scheme, mapped to stance's labels as stated."
)


class EvaluationError(ValueError):
    """Bad evaluation input (missing column, unknown labels, empty data, bad options)."""


# --------------------------------------------------------------------------- data


@dataclass
class CorpusData:
    """Sentences with gold labels and the document each comes from."""

    texts: list[str]
    labels: np.ndarray  # label strings
    ids: list[str]
    doc_ids: list[str]

    def __post_init__(self) -> None:
        self.labels = np.asarray([str(v) for v in self.labels], dtype=object)
        n = len(self.texts)
        if not (len(self.labels) == len(self.ids) == len(self.doc_ids) == n):
            raise EvaluationError("texts, labels, ids and doc_ids must have the same length")
        if n == 0:
            raise EvaluationError("no labelled sentences to evaluate on")
        unknown = sorted(set(self.labels) - set(LABELS))
        if unknown:
            raise EvaluationError(f"unknown labels {', '.join(unknown)}; expected {', '.join(LABELS)}")

    def __len__(self) -> int:
        return len(self.texts)

    def summary(self) -> dict[str, Any]:
        return {
            "sentences": len(self),
            "documents": len(set(self.doc_ids)),
            "labels": {lab: int(np.sum(self.labels == lab)) for lab in LABELS},
            "per_document": {d: int(sum(1 for x in self.doc_ids if x == d)) for d in sorted(set(self.doc_ids))},
        }


def corpus_data(root: str | Path | None = None) -> CorpusData:
    """The labelled corpus (duplicates and excluded sentences left out)."""
    from . import corpus

    ds = corpus.load(root)
    names = ds.features["label"].names
    return CorpusData(
        texts=list(ds["text"]),
        labels=np.asarray([names[i] for i in ds["label"]], dtype=object),
        ids=list(ds["id"]),
        doc_ids=list(ds["doc_id"]),
    )


# --------------------------------------------------------------------------- folds


def lodo_splits(doc_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One fold per document (sorted by id): train on the others, test on it."""
    docs = np.asarray(list(doc_ids), dtype=object)
    if len(set(docs)) < 2:
        raise EvaluationError("leave-one-document-out needs at least two documents")
    out = []
    for i, d in enumerate(sorted(set(docs))):
        test = np.flatnonzero(docs == d)
        train = np.flatnonzero(docs != d)
        out.append({"fold": i, "repeat": 0, "test_documents": [str(d)], "train": train, "test": test})
    return out


def kfold_splits(labels: Sequence[str], n_splits: int = 5, n_repeats: int = 5, seed: int = 0) -> list[dict[str, Any]]:
    """Repeated stratified k-fold over sentences (seeded)."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    y = np.asarray(list(labels), dtype=object)
    counts = {lab: int(np.sum(y == lab)) for lab in sorted(set(y))}
    if n_splits < 2 or n_repeats < 1:
        raise EvaluationError(f"k-fold needs n_splits >= 2 and n_repeats >= 1, got {n_splits} and {n_repeats}")
    small = {k: v for k, v in counts.items() if v < n_splits}
    if small:
        raise EvaluationError(
            f"stratified {n_splits}-fold needs at least {n_splits} sentences per label; "
            + ", ".join(f"{k} has {v}" for k, v in small.items())
        )
    rskf = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    out = []
    for i, (train, test) in enumerate(rskf.split(np.zeros(len(y)), y)):
        out.append({"fold": i % n_splits, "repeat": i // n_splits, "test_documents": None, "train": train, "test": test})
    return out


# --------------------------------------------------------------------------- models


def _model_name(model: Any) -> str:
    if isinstance(model, str):
        return model
    return str(getattr(model, "name", None) or type(model).__name__)


def _fresh(model: Any, seed: int) -> Any:
    """A fresh unfitted estimator: ``make(name)`` for a name, else ``clone``; seeded."""
    from . import models

    if isinstance(model, str):
        try:
            return models.make(model, seed=seed)
        except ValueError as exc:
            raise EvaluationError(str(exc)) from None
    from sklearn.base import clone

    est = clone(model)
    if hasattr(est, "get_params"):
        models.set_seed(est, seed)
    return est


def _aligned_proba(model: Any, texts: list[str], labels: Sequence[str]) -> np.ndarray:
    """``predict_proba`` with columns in the order of ``labels`` (NaN if unavailable)."""
    if not callable(getattr(model, "predict_proba", None)):
        return np.full((len(texts), len(labels)), np.nan)
    P = np.asarray(model.predict_proba(texts), dtype=float)
    classes = [str(c) for c in getattr(model, "classes_", [])]
    if P.ndim != 2 or P.shape[1] != len(classes):
        return np.full((len(texts), len(labels)), np.nan)
    out = np.zeros((len(texts), len(labels)))
    for j, c in enumerate(classes):
        if c in labels:
            out[:, list(labels).index(c)] = P[:, j]
    return out


# --------------------------------------------------------------------------- cross-validation


@dataclass
class CVResult:
    """Held-out predictions of one model under one CV scheme.

    One row per (repeat, sentence): LODO has one repeat; repeated k-fold has
    ``n_repeats``, so each sentence is predicted once per repeat.
    """

    model: str
    scheme: str
    seed: int
    rows: np.ndarray  # index into the data for each prediction row
    repeat: np.ndarray
    fold: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray  # (n_rows, len(LABELS)), NaN when the model has no predict_proba
    data: CorpusData = field(repr=False)
    folds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def optimistic(self) -> bool:
        return self.scheme == "kfold"

    @property
    def doc_ids(self) -> np.ndarray:
        return np.asarray(self.data.doc_ids, dtype=object)[self.rows]

    def scheme_info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "scheme": self.scheme,
            "optimistic": self.optimistic,
            "folds": len(self.folds),
            "repeats": int(self.repeat.max()) + 1 if len(self.repeat) else 0,
            "seed": self.seed,
        }
        if self.optimistic:
            info["reason"] = KFOLD_REASON
        else:
            info["note"] = LODO_NOTE
        info["fold_sizes"] = [
            {k: v for k, v in f.items() if k not in ("train", "test")} | {"train": len(f["train"]), "test": len(f["test"])}
            for f in self.folds
        ]
        return info


def _splits(data: CorpusData, cv: str, seed: int, n_splits: int, n_repeats: int) -> list[dict[str, Any]]:
    if cv == "lodo":
        return lodo_splits(data.doc_ids)
    if cv == "kfold":
        return kfold_splits(data.labels, n_splits=n_splits, n_repeats=n_repeats, seed=seed)
    raise EvaluationError(f"unknown cv scheme {cv!r}; choose one of {', '.join(SCHEMES)}")


def cross_validate(
    model: Any,
    data: CorpusData | None = None,
    cv: str = "lodo",
    seed: int = 0,
    n_splits: int = 5,
    n_repeats: int = 5,
) -> CVResult:
    """Fit a fresh clone of ``model`` (a baseline name or an unfitted estimator) per fold.

    Returns the held-out predictions and class probabilities of every fold.
    """
    data = data if data is not None else corpus_data()
    folds = _splits(data, cv, seed, n_splits, n_repeats)
    texts = data.texts
    rows, rep, fno, pred, proba = [], [], [], [], []
    for f in folds:
        est = _fresh(model, seed)
        est.fit([texts[i] for i in f["train"]], list(data.labels[f["train"]]))
        test_texts = [texts[i] for i in f["test"]]
        pred.append(np.asarray([str(p) for p in est.predict(test_texts)], dtype=object))
        proba.append(_aligned_proba(est, test_texts, LABELS))
        rows.append(f["test"])
        rep.append(np.full(len(f["test"]), f["repeat"]))
        fno.append(np.full(len(f["test"]), f["fold"]))
    r = np.concatenate(rows)
    return CVResult(
        model=_model_name(model),
        scheme=cv,
        seed=seed,
        rows=r,
        repeat=np.concatenate(rep),
        fold=np.concatenate(fno),
        y_true=data.labels[r],
        y_pred=np.concatenate(pred),
        proba=np.vstack(proba),
        data=data,
        folds=folds,
    )


# --------------------------------------------------------------------------- metrics


def _codes(y: Iterable[Any], labels: Sequence[str], what: str) -> np.ndarray:
    index = {lab: i for i, lab in enumerate(labels)}
    out = []
    for v in y:
        s = str(v)
        if s not in index:
            raise EvaluationError(f"{what} label {s!r} is not one of {', '.join(labels)}")
        out.append(index[s])
    return np.asarray(out, dtype=int)


def _metrics_from_confusion(M: np.ndarray) -> dict[str, np.ndarray]:
    """Precision/recall/F1 per class, macro-F1, accuracy, kappa for a stack of confusions (..., K, K).

    Rows are gold, columns predicted. Undefined ratios are 0 (sklearn's
    ``zero_division=0``); kappa is NaN when chance agreement is 1.
    """
    M = np.asarray(M, dtype=float)
    tp = np.diagonal(M, axis1=-2, axis2=-1)
    true = M.sum(-1)
    pred = M.sum(-2)
    total = M.sum((-1, -2))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(true + pred > 0, 2 * tp / (true + pred), 0.0)
        acc = np.where(total > 0, tp.sum(-1) / total, np.nan)
        pe = np.where(total > 0, (true * pred).sum(-1) / total**2, np.nan)
        kappa = np.where(pe < 1, (acc - pe) / (1 - pe), np.nan)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": true,
        "macro_f1": f1.mean(-1),
        "accuracy": acc,
        "kappa": kappa,
    }


def _num(x: Any) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _confusion(t: np.ndarray, p: np.ndarray, K: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(t * K + p, weights=weights, minlength=K * K).reshape(K, K)


def scores(y_true: Sequence[Any], y_pred: Sequence[Any], labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, macro-F1, accuracy, Cohen's kappa, confusion matrix.

    Equal to ``sklearn.metrics`` with ``labels=labels`` and ``zero_division=0``.
    The confusion matrix has gold labels as rows and predictions as columns.
    """
    labels = list(labels)
    t = _codes(y_true, labels, "gold")
    p = _codes(y_pred, labels, "predicted")
    if len(t) != len(p):
        raise EvaluationError(f"{len(t)} gold labels but {len(p)} predictions")
    if len(t) == 0:
        raise EvaluationError("no sentences to score")
    M = _confusion(t, p, len(labels))
    m = _metrics_from_confusion(M)
    return {
        "labels": labels,
        "n": int(len(t)),
        "per_class": {
            lab: {
                "precision": float(m["precision"][i]),
                "recall": float(m["recall"][i]),
                "f1": float(m["f1"][i]),
                "support": int(m["support"][i]),
            }
            for i, lab in enumerate(labels)
        },
        "macro_f1": float(m["macro_f1"]),
        "accuracy": float(m["accuracy"]),
        "kappa": _num(m["kappa"]),
        "confusion_matrix": M.astype(int).tolist(),
    }


def _draw_weights(n_units: int, n_bootstrap: int, rng: np.random.Generator) -> np.ndarray:
    """How often each unit is drawn in each bootstrap replicate: (n_bootstrap, n_units)."""
    draws = rng.integers(0, n_units, size=(n_bootstrap, n_units))
    offsets = (np.arange(n_bootstrap) * n_units)[:, None]
    return np.bincount((draws + offsets).ravel(), minlength=n_bootstrap * n_units).reshape(n_bootstrap, n_units)


def _unit_cells(t: np.ndarray, p: np.ndarray, K: int, units: np.ndarray) -> np.ndarray:
    """Confusion counts per resampling unit: (n_units, K*K)."""
    C = np.zeros((int(units.max()) + 1, K * K))
    np.add.at(C, (units, t * K + p), 1)
    return C


def _units(clusters: Sequence[Any] | None, n: int) -> tuple[np.ndarray, int]:
    if clusters is None:
        return np.arange(n), n
    _, inv = np.unique(np.asarray([str(c) for c in clusters], dtype=object), return_inverse=True)
    return inv.ravel(), int(inv.max()) + 1


def _interval(x: np.ndarray, level: float) -> list[float | None]:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return [None, None]
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(x, [a, 100 - a])
    return [float(lo), float(hi)]


def bootstrap(
    y_true: Sequence[Any],
    y_pred: Sequence[Any],
    labels: Sequence[str] = LABELS,
    n_bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    clusters: Sequence[Any] | None = None,
    unit: str = "sentence",
) -> dict[str, Any]:
    """Percentile bootstrap intervals for macro-F1, per-class precision/recall/F1, accuracy, kappa.

    Resamples sentences with replacement (or, with ``clusters``, whole groups
    of rows: all rows of a drawn group come along; ``unit`` names what a group
    is). Seeded: the same inputs and seed give the same intervals.
    """
    labels = list(labels)
    K = len(labels)
    t = _codes(y_true, labels, "gold")
    p = _codes(y_pred, labels, "predicted")
    if n_bootstrap < 1:
        raise EvaluationError(f"n_bootstrap must be at least 1, got {n_bootstrap}")
    units, n_units = _units(clusters, len(t))
    rng = np.random.default_rng(seed)
    W = _draw_weights(n_units, n_bootstrap, rng)
    M = (W @ _unit_cells(t, p, K, units)).reshape(n_bootstrap, K, K)
    m = _metrics_from_confusion(M)
    return {
        "method": "percentile",
        "unit": unit if clusters is not None else "sentence",
        "units": n_units,
        "n_bootstrap": int(n_bootstrap),
        "seed": int(seed),
        "level": level,
        "macro_f1": _interval(m["macro_f1"], level),
        "accuracy": _interval(m["accuracy"], level),
        "kappa": _interval(m["kappa"], level),
        "per_class": {
            lab: {k: _interval(m[k][:, i], level) for k in ("precision", "recall", "f1")} for i, lab in enumerate(labels)
        },
    }


def summarize(result: CVResult, n_bootstrap: int = 1000, seed: int = 0, level: float = 0.95) -> dict[str, Any]:
    """Scores of a CV result with bootstrap intervals.

    Intervals resample sentences (for repeated k-fold all repeats of a drawn
    sentence come along). For LODO a second, coarser interval for macro-F1
    resamples whole documents (``macro_f1_by_document``).
    """
    out = {"model": result.model, "cv": result.scheme_info()} | scores(result.y_true, result.y_pred)
    reps = int(result.repeat.max()) + 1
    if reps > 1:
        out["note"] = f"pooled over {reps} repeats: every sentence is counted once per repeat"
        out["macro_f1_per_repeat"] = [
            scores(result.y_true[result.repeat == r], result.y_pred[result.repeat == r])["macro_f1"] for r in range(reps)
        ]
    out["intervals"] = bootstrap(
        result.y_true, result.y_pred, n_bootstrap=n_bootstrap, seed=seed, level=level, clusters=result.rows, unit="sentence"
    )
    if result.scheme == "lodo":
        by_doc = bootstrap(
            result.y_true, result.y_pred, n_bootstrap=n_bootstrap, seed=seed, level=level,
            clusters=result.doc_ids, unit="document",
        )
        out["macro_f1_by_document"] = {
            "interval": by_doc["macro_f1"],
            "unit": "document",
            "units": by_doc["units"],
            "note": "resamples whole documents; with few documents this interval is coarse",
        }
    return out


# --------------------------------------------------------------------------- paired comparison


def mcnemar_exact(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> dict[str, Any]:
    """McNemar's exact (binomial) test on paired right/wrong decisions, two-sided."""
    from scipy.stats import binomtest

    a = np.asarray(correct_a, dtype=bool)
    b = np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape:
        raise EvaluationError("paired decisions must have the same length")
    only_a = int(np.sum(a & ~b))
    only_b = int(np.sum(~a & b))
    n = only_a + only_b
    p = 1.0 if n == 0 else float(binomtest(only_a, n, 0.5, alternative="two-sided").pvalue)
    return {"a_right_b_wrong": only_a, "a_wrong_b_right": only_b, "p_value": p}


def compare(
    a: CVResult, b: CVResult, n_bootstrap: int = 1000, seed: int = 0, level: float = 0.95, alpha: float = 0.05
) -> dict[str, Any]:
    """Macro-F1 of ``a`` minus ``b`` on the same folds, paired bootstrap interval, McNemar's exact test.

    The paired bootstrap draws the same sentences for both models. McNemar's
    test uses each sentence once (the first repeat of a repeated k-fold).
    ``significant`` is true when the interval excludes 0.
    """
    if a.scheme != b.scheme or a.seed != b.seed or not (
        np.array_equal(a.rows, b.rows) and np.array_equal(a.fold, b.fold) and np.array_equal(a.repeat, b.repeat)
    ):
        raise EvaluationError(
            f"{a.model} and {b.model} were not evaluated on the same folds (same scheme and seed needed)"
        )
    first = a.repeat == 0
    out = compare_predictions(a.y_true, a.y_pred, b.y_pred, n_bootstrap=n_bootstrap, seed=seed, level=level,
                              alpha=alpha, clusters=a.rows, mcnemar_mask=first)
    return {"a": a.model, "b": b.model} | out


def compare_predictions(
    y_true: Sequence[Any],
    pred_a: Sequence[Any],
    pred_b: Sequence[Any],
    labels: Sequence[str] = LABELS,
    n_bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    alpha: float = 0.05,
    clusters: Sequence[Any] | None = None,
    mcnemar_mask: Sequence[bool] | None = None,
) -> dict[str, Any]:
    """Macro-F1 of predictions ``a`` minus ``b`` on the same gold labels: paired bootstrap + McNemar.

    The paired bootstrap draws the same sentences (or, with ``clusters``, the same groups of
    rows) for both. McNemar's exact test uses the rows in ``mcnemar_mask`` (default all).
    ``significant`` is true when the interval excludes 0.
    """
    labels = list(labels)
    K = len(labels)
    y = np.asarray(y_true, dtype=object)
    ya, yb = np.asarray(pred_a, dtype=object), np.asarray(pred_b, dtype=object)
    if not (len(y) == len(ya) == len(yb)):
        raise EvaluationError(f"{len(y)} gold labels but {len(ya)} and {len(yb)} predictions")
    t = _codes(y, labels, "gold")
    pa = _codes(ya, labels, "predicted")
    pb = _codes(yb, labels, "predicted")
    units, n_units = _units(clusters, len(t))
    W = _draw_weights(n_units, n_bootstrap, np.random.default_rng(seed))
    fa = _metrics_from_confusion((W @ _unit_cells(t, pa, K, units)).reshape(-1, K, K))["macro_f1"]
    fb = _metrics_from_confusion((W @ _unit_cells(t, pb, K, units)).reshape(-1, K, K))["macro_f1"]
    diff = scores(y, ya, labels)["macro_f1"] - scores(y, yb, labels)["macro_f1"]
    ci = _interval(fa - fb, level)
    mask = np.ones(len(y), dtype=bool) if mcnemar_mask is None else np.asarray(mcnemar_mask, dtype=bool)
    mc = mcnemar_exact(ya[mask] == y[mask], yb[mask] == y[mask])
    significant = bool(ci[0] is not None and (ci[0] > 0 or ci[1] < 0))
    return {
        "macro_f1_difference": float(diff),
        "interval": ci,
        "level": level,
        "n_bootstrap": int(n_bootstrap),
        "seed": int(seed),
        "bootstrap_unit": "sentence (paired: both models on the same draws)",
        "mcnemar": mc,
        "significant": significant,
        "significant_rule": f"the paired {int(level * 100)}% bootstrap interval of the difference excludes 0",
        "mcnemar_significant": bool(mc["p_value"] < alpha),
    }


# --------------------------------------------------------------------------- human ceiling


def human_ceiling(root: str | Path | None = None) -> dict[str, Any]:
    """Inter-annotator agreement from ``labels/agreement.json``, or a note that it is not yet computed."""
    from ._paths import data_root

    path = (Path(root) if root is not None else data_root()) / "labels" / "agreement.json"
    base = {"source": "labels/agreement.json"}
    if not path.is_file():
        return base | {"available": False, "note": "not yet computed (labels/agreement.json is absent)"}
    try:
        a = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        return base | {"available": False, "note": f"not readable: {exc}"}
    if not isinstance(a, dict) or "kappa" not in a:
        return base | {"available": False, "note": "labels/agreement.json has no kappa"}
    return base | {
        "available": True,
        "n": a.get("n"),
        "kappa": a.get("kappa"),
        "agreement": a.get("agreement"),
        "per_label_kappa": a.get("per_label_kappa") or {},
        "complete": a.get("complete", True),
        "scope": a.get("scope", "all decided sentences"),
        "note": "two independent labelling passes compared with each other; a model's kappa against gold "
        "near this figure is about as good as the labels allow"
        + ("" if a.get("complete", True) else f" (PARTIAL: {a.get('scope')})"),
    }


# --------------------------------------------------------------------------- learning curve


def learning_curve(
    model: Any, data: CorpusData | None = None, seed: int = 0, max_subsets: int = 10, sizes: Sequence[int] | None = None
) -> dict[str, Any]:
    """Macro-F1 against the number of training documents, LODO-style.

    Each document is held out in turn; the model is trained on ``k`` of the
    other documents (every subset of size ``k``, or ``max_subsets`` of them
    drawn with ``seed``) and predicts the held-out one. For each ``k`` the
    confusion matrices are averaged over a held-out document's subsets and
    summed over held-out documents; macro-F1 is computed on that. At the
    largest ``k`` this equals LODO.
    """
    data = data if data is not None else corpus_data()
    docs = sorted(set(data.doc_ids))
    if len(docs) < 2:
        raise EvaluationError("a learning curve needs at least two documents")
    sizes = list(sizes) if sizes is not None else list(range(1, len(docs)))
    doc_arr = np.asarray(data.doc_ids, dtype=object)
    rng = np.random.default_rng(seed)
    K = len(LABELS)
    points = []
    for k in sizes:
        M = np.zeros((K, K))
        n_train, runs, skipped = [], 0, []
        for held in docs:
            others = [d for d in docs if d != held]
            subsets = list(combinations(others, k))
            if len(subsets) > max_subsets:
                pick = sorted(rng.choice(len(subsets), size=max_subsets, replace=False))
                subsets = [subsets[i] for i in pick]
            test = np.flatnonzero(doc_arr == held)
            t = _codes(data.labels[test], LABELS, "gold")
            Md, done = np.zeros((K, K)), 0
            for sub in subsets:
                train = np.flatnonzero(np.isin(doc_arr, list(sub)))
                est = _fresh(model, seed)
                try:
                    est.fit([data.texts[i] for i in train], list(data.labels[train]))
                except ValueError as exc:  # e.g. a single document with too few labels of a class
                    skipped.append({"held_out": held, "train_documents": list(sub), "reason": str(exc).splitlines()[0]})
                    continue
                p = _codes(est.predict([data.texts[i] for i in test]), LABELS, "predicted")
                Md += _confusion(t, p, K)
                n_train.append(len(train))
                done += 1
            if done:
                M += Md / done
                runs += done
        m = _metrics_from_confusion(M) if runs else None
        points.append(
            {
                "train_documents": int(k),
                "train_sentences_mean": float(np.mean(n_train)) if n_train else None,
                "macro_f1": float(m["macro_f1"]) if m is not None else None,
                "accuracy": float(m["accuracy"]) if m is not None else None,
                "runs": runs,
                "skipped": skipped,
            }
        )
    return {
        "model": _model_name(model),
        "seed": seed,
        "max_subsets": max_subsets,
        "method": "each document held out in turn; trained on k of the others (all subsets, or max_subsets "
        "drawn with the seed); confusion averaged over subsets, summed over held-out documents",
        "points": points,
    }


# --------------------------------------------------------------------------- errors


def error_rows(result: CVResult) -> list[dict[str, Any]]:
    """Every misclassified held-out sentence with its class probabilities."""
    out = []
    data = result.data
    for j in np.flatnonzero(result.y_true != result.y_pred):
        i = int(result.rows[j])
        row = {
            "model": result.model,
            "cv": result.scheme,
            "repeat": int(result.repeat[j]),
            "fold": int(result.fold[j]),
            "id": data.ids[i],
            "doc_id": data.doc_ids[i],
            "gold": str(result.y_true[j]),
            "predicted": str(result.y_pred[j]),
        }
        for c, lab in enumerate(LABELS):
            row[f"p_{lab}"] = _num(round(float(result.proba[j, c]), 4))
        row["text"] = data.texts[i]
        out.append(row)
    return out


# --------------------------------------------------------------------------- whole-corpus run


def run_corpus(
    models: Sequence[Any] | None = None,
    cv: str = "lodo",
    seed: int = 0,
    n_bootstrap: int = 1000,
    level: float = 0.95,
    n_splits: int = 5,
    n_repeats: int = 5,
    root: str | Path | None = None,
    with_learning_curve: bool = True,
    max_subsets: int = 10,
    data: CorpusData | None = None,
) -> tuple[dict[str, Any], dict[str, CVResult]]:
    """Cross-validate several models on the same folds and gather everything a report needs.

    Returns ``(results, cv_results)``: a JSON-ready dict (settings, corpus
    summary, per-model scores with intervals, ranking, the best model against
    each other model, human ceiling, learning curves) and the raw
    :class:`CVResult` per model (for error rows and plots).
    """
    from . import __version__, models as registry

    models = list(models) if models is not None else registry.names()
    if not models:
        raise EvaluationError("no models to evaluate")
    names = [_model_name(m) for m in models]
    if len(set(names)) != len(names):
        raise EvaluationError(f"model names must be unique, got {', '.join(names)}")
    data = data if data is not None else corpus_data(root)
    cvs = {name: cross_validate(m, data, cv=cv, seed=seed, n_splits=n_splits, n_repeats=n_repeats) for name, m in zip(names, models)}
    summaries = {name: summarize(r, n_bootstrap=n_bootstrap, seed=seed, level=level) for name, r in cvs.items()}
    for name, m in zip(names, models):
        if isinstance(m, str):
            try:
                summaries[name]["description"] = registry.describe(m)
            except (ValueError, KeyError):
                pass
    ranking = sorted(names, key=lambda n: (-summaries[n]["macro_f1"], names.index(n)))
    comparisons = [compare(cvs[ranking[0]], cvs[other], n_bootstrap=n_bootstrap, seed=seed, level=level) for other in ranking[1:]]
    results: dict[str, Any] = {
        "stance_version": __version__,
        "kind": "cross-validation",
        "settings": {
            "cv": cv,
            "seed": seed,
            "bootstrap": n_bootstrap,
            "level": level,
            "n_splits": n_splits if cv == "kfold" else None,
            "n_repeats": n_repeats if cv == "kfold" else None,
            "models": names,
        },
        "cv": next(iter(cvs.values())).scheme_info(),
        "corpus": data.summary(),
        "models": summaries,
        "ranking": ranking,
        "best": ranking[0],
        "comparisons": comparisons,
        "human_ceiling": human_ceiling(root),
    }
    if with_learning_curve:
        results["learning_curves"] = {
            name: learning_curve(m, data, seed=seed, max_subsets=max_subsets) for name, m in zip(names, models)
        }
    return results, cvs


# --------------------------------------------------------------------------- outside data


@dataclass
class OutsideData:
    """Outside sentences with labels mapped to stance's (``not-loaded`` allowed in binary mode)."""

    texts: list[str]
    labels: np.ndarray
    raw_labels: list[str]
    ids: list[str]
    source: str
    text_column: str
    label_column: str
    label_map: dict[str, str | None] | None
    dropped: dict[str, int]
    words: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.texts)


def _read_table(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of a CSV/TSV/JSONL/JSON file (see :mod:`stance.tables`)."""
    from .tables import TableError, read_table

    try:
        cols, rows = read_table(path)
    except TableError as exc:
        raise EvaluationError(
            str(exc) + ("" if "unsupported" not in str(exc) else " (or a directory written by datasets' save_to_disk)")
        ) from None
    for r in rows:
        r.pop("__line__", None)
    return cols, rows


def _from_dataset(ds: Any, where: str, split: str | None, label_column: str) -> tuple[list[str], list[dict[str, Any]]]:
    from datasets import DatasetDict

    if isinstance(ds, DatasetDict):
        splits = list(ds)
        if split is None:
            if len(splits) != 1:
                raise EvaluationError(f"{where} holds the splits {', '.join(splits)}; choose one with split=")
            split = splits[0]
        if split not in ds:
            raise EvaluationError(f"{where} has no split {split!r}; it has {', '.join(splits)}")
        ds = ds[split]
    cols = list(ds.column_names)
    feat = ds.features.get(label_column) if hasattr(ds, "features") else None
    rows = ds.to_list()
    if feat is not None and hasattr(feat, "int2str"):
        for r in rows:
            if r.get(label_column) is not None:
                r[label_column] = feat.int2str(int(r[label_column]))
    return cols, rows


def _load_rows(data: Any, split: str | None, label_column: str) -> tuple[str, list[str], list[dict[str, Any]]]:
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.exists():
            raise EvaluationError(f"{path}: no such file or directory")
        if path.is_dir():
            from datasets import load_from_disk

            try:
                ds = load_from_disk(str(path))
            except (FileNotFoundError, ValueError) as exc:
                raise EvaluationError(f"{path}: not a dataset saved with datasets' save_to_disk ({exc})") from None
            cols, rows = _from_dataset(ds, str(path), split, label_column)
            return str(path), cols, rows
        cols, rows = _read_table(path)
        return str(path), cols, rows
    if hasattr(data, "column_names") and hasattr(data, "to_list") or type(data).__name__ == "DatasetDict":
        cols, rows = _from_dataset(data, "the dataset", split, label_column)
        return "the dataset", cols, rows
    if hasattr(data, "columns") and hasattr(data, "to_dict"):  # pandas DataFrame
        cols = [str(c) for c in data.columns]
        return "the DataFrame", cols, data.to_dict(orient="records")
    raise EvaluationError(
        f"cannot read outside data of type {type(data).__name__}: pass a CSV/TSV/JSONL path, a pandas DataFrame "
        "or a datasets dataset (or a directory saved with save_to_disk)"
    )


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _parse_words(v: Any) -> list[str]:
    if _missing(v):
        return []
    if isinstance(v, (list, tuple)):
        return [str(w) for w in v]
    s = str(v).strip()
    if not s:
        return []
    try:
        obj = ast.literal_eval(s)
    except (ValueError, SyntaxError):
        return [w.strip() for w in s.split(",") if w.strip()]
    return [str(w) for w in obj] if isinstance(obj, (list, tuple)) else [str(obj)]


def read_outside(
    data: Any,
    text_column: str,
    label_column: str,
    label_map: Mapping[Any, str | None] | None = None,
    binary: bool = False,
    split: str | None = None,
    id_column: str | None = None,
    words_column: str | None = None,
) -> OutsideData:
    """Read outside labelled data and map its labels onto stance's.

    ``label_map`` maps each outside label to ``claim``, ``quote`` or
    ``loaded`` (in binary mode also ``not-loaded``); mapping a label to
    ``None`` or ``"drop"`` leaves its rows out (they are counted in
    ``dropped``). Raises :class:`EvaluationError` naming the source and column
    for a missing column, unknown labels or empty data.
    """
    where, cols, rows = _load_rows(data, split, label_column)
    for what, col in (("text", text_column), ("label", label_column), ("id", id_column), ("words", words_column)):
        if col is not None and col not in cols:
            raise EvaluationError(
                f"{where}: no {what} column {col!r}; its columns are {', '.join(map(repr, cols)) or '(none)'}"
            )
    if not rows:
        raise EvaluationError(f"{where}: no rows (empty data)")
    targets = set(LABELS) | ({NOT_LOADED} if binary else set())
    mapping: dict[str, str | None] | None = None
    if label_map is not None:
        mapping = {}
        for k, v in label_map.items():
            v = None if v is None or str(v).strip().lower() in (DROP, "") else str(v).strip()
            if v is not None and v not in targets:
                extra = " (not-loaded only with binary=True)" if v == NOT_LOADED else ""
                raise EvaluationError(
                    f"label_map maps {k!r} to {v!r}, which is not one of {', '.join(sorted(targets))}{extra}; "
                    f"map a label to {DROP!r} to leave its rows out"
                )
            mapping[str(k)] = v
    raw = [None if _missing(r.get(label_column)) else str(r.get(label_column)).strip() for r in rows]
    empty_labels = [i + 1 for i, v in enumerate(raw) if v is None or v == ""]
    if empty_labels:
        raise EvaluationError(
            f"{where}: column {label_column!r} is empty in {len(empty_labels)} row(s), first row {empty_labels[0]}"
        )
    known = mapping if mapping is not None else {lab: lab for lab in LABELS}
    unknown = sorted({v for v in raw if v not in known})  # type: ignore[misc]
    if unknown:
        from collections import Counter

        counts = Counter(v for v in raw if v in unknown)
        shown = ", ".join(f"{u!r} ({counts[u]} row{'s' if counts[u] != 1 else ''})" for u in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        choices = "|".join(sorted(targets)) + f"|{DROP}"
        example = ", ".join(f'"{u}": "{choices}"' for u in unknown[:3])
        cli = ",".join(f"{u}=..." for u in unknown[:3])
        raise EvaluationError(
            f"{where}: column {label_column!r} has labels stance does not know: {shown}{more}. "
            f"Map each of them onto stance's labels with the label_map option, e.g. label_map={{{example}}} "
            f"(command line: --label-map '{cli}'); {DROP!r} leaves a label's rows out"
            + ("" if binary else f"; with binary=True (--binary) you may also map to {NOT_LOADED!r}")
        )
    texts, labels, raws, ids, words = [], [], [], [], []
    dropped: dict[str, int] = {}
    for i, (r, v) in enumerate(zip(rows, raw)):
        target = known[v]  # type: ignore[index]
        if target is None:
            dropped[v] = dropped.get(v, 0) + 1  # type: ignore[index]
            continue
        t = r.get(text_column)
        if _missing(t) or not str(t).strip():
            raise EvaluationError(f"{where}: column {text_column!r} is empty in row {i + 1}")
        texts.append(str(t))
        labels.append(target)
        raws.append(v)
        ids.append(str(r.get(id_column)) if id_column else str(i + 1))
        if words_column:
            words.append(_parse_words(r.get(words_column)))
    if not texts:
        raise EvaluationError(f"{where}: no rows left after mapping labels (dropped: {dropped})")
    return OutsideData(
        texts=texts,
        labels=np.asarray(labels, dtype=object),
        raw_labels=raws,
        ids=ids,
        source=where,
        text_column=text_column,
        label_column=label_column,
        label_map=mapping,
        dropped=dropped,
        words=words if words_column else None,
    )


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


def loaded_figures(sc: Mapping[str, Any], iv: Mapping[str, Any]) -> dict[str, Any]:
    """Loaded precision, recall and F1 with their intervals, from :func:`scores` and :func:`bootstrap`."""
    p, b = sc["per_class"]["loaded"], iv["per_class"]["loaded"]
    return {"precision": p["precision"], "recall": p["recall"], "f1": p["f1"],
            "precision_interval": b["precision"], "recall_interval": b["recall"], "f1_interval": b["f1"]}


def evaluate_on(
    model: Any,
    data: Any,
    text_column: str,
    label_column: str,
    label_map: Mapping[Any, str | None] | None = None,
    binary: bool = False,
    n_bootstrap: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    split: str | None = None,
    id_column: str | None = None,
    words_column: str | None = None,
    explain_k: int = 5,
    model_name: str | None = None,
) -> dict[str, Any]:
    """Score a fitted model on outside labelled data.

    ``data`` is a CSV/TSV/JSONL path, a pandas DataFrame, a ``datasets``
    dataset or a directory saved with ``save_to_disk``. Three-class mode
    scores claim/quote/loaded; ``binary=True`` scores loaded vs not-loaded
    (binary macro-F1 and loaded precision/recall with bootstrap intervals).
    With ``words_column`` (e.g. BABE's ``biased_words``) the result also says
    how often ``model.explain`` points at those words, for sentences that are
    gold loaded and predicted loaded (n/a for models without ``explain``).
    The returned dict has an ``errors`` list (misclassified rows with text).
    """
    od = read_outside(data, text_column, label_column, label_map, binary, split, id_column, words_column)
    pred = np.asarray([str(p) for p in model.predict(od.texts)], dtype=object)
    unknown = sorted(set(pred) - set(LABELS))
    if unknown:
        raise EvaluationError(f"the model predicted labels outside {', '.join(LABELS)}: {', '.join(unknown)}")
    proba = _aligned_proba(model, od.texts, LABELS)
    if binary:
        labels = list(BINARY_LABELS)
        gold = np.where(od.labels == "loaded", "loaded", NOT_LOADED).astype(object)
        shown = np.where(pred == "loaded", "loaded", NOT_LOADED).astype(object)
    else:
        labels = list(LABELS)
        gold, shown = od.labels, pred
    sc = scores(gold, shown, labels)
    iv = bootstrap(gold, shown, labels, n_bootstrap=n_bootstrap, seed=seed, level=level)
    from collections import Counter

    out: dict[str, Any] = {
        "model": model_name or _model_name(model),
        "source": od.source,
        "text_column": od.text_column,
        "label_column": od.label_column,
        "label_map": od.label_map,
        "mode": "binary: loaded vs not-loaded" if binary else "three-class: claim/quote/loaded",
        "binary": binary,
        "never_seen": True,
        "note": NEVER_SEEN,
        "n": len(od),
        "dropped": od.dropped,
        "gold_labels": dict(sorted(Counter(od.raw_labels).items())),
        "predicted_labels": {lab: int(np.sum(pred == lab)) for lab in LABELS},
        "metrics": sc,
        "intervals": iv,
    }
    if binary:
        out["loaded"] = loaded_figures(sc, iv)
    if od.words is not None:
        sel = [j for j in range(len(od)) if od.labels[j] == "loaded" and pred[j] == "loaded"]
        out["explain_overlap"] = explain_overlap(
            model, [od.texts[j] for j in sel], [od.words[j] for j in sel], k=explain_k
        ) | {"selection": "gold loaded and predicted loaded, with marked words", "words_column": words_column}
    errors = []
    for j in np.flatnonzero(gold != shown):
        row = {"model": out["model"], "id": od.ids[j], "gold": str(gold[j]), "gold_raw": od.raw_labels[j],
               "predicted": str(pred[j])}
        for c, lab in enumerate(LABELS):
            row[f"p_{lab}"] = _num(round(float(proba[j, c]), 4))
        row["text"] = od.texts[j]
        errors.append(row)
    out["errors"] = errors
    return out
