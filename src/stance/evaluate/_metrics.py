"""Scores of predictions against gold (per class, macro-F1, kappa, confusion) and bootstrap intervals."""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np

from stance.errors import EvaluationError
from ._data import LABELS


def codes(y: Iterable[Any], labels: Sequence[str], what: str) -> np.ndarray:
    index = {lab: i for i, lab in enumerate(labels)}
    out = []
    for v in y:
        s = str(v)
        if s not in index:
            raise EvaluationError(f"{what} label {s!r} is not one of {', '.join(labels)}")
        out.append(index[s])
    return np.asarray(out, dtype=int)


def metrics_from_confusion(M: np.ndarray) -> dict[str, np.ndarray]:
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


def as_float(x: Any) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def confusion_matrix(t: np.ndarray, p: np.ndarray, K: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(t * K + p, weights=weights, minlength=K * K).reshape(K, K)


def scores(y_true: Sequence[Any], y_pred: Sequence[Any], labels: Sequence[str] = LABELS) -> dict[str, Any]:
    """Per-class precision/recall/F1/support, macro-F1, accuracy, Cohen's kappa, confusion matrix.

    Equal to ``sklearn.metrics`` with ``labels=labels`` and ``zero_division=0``.
    The confusion matrix has gold labels as rows and predictions as columns.
    """
    labels = list(labels)
    t = codes(y_true, labels, "gold")
    p = codes(y_pred, labels, "predicted")
    if len(t) != len(p):
        raise EvaluationError(f"{len(t)} gold labels but {len(p)} predictions")
    if len(t) == 0:
        raise EvaluationError("no sentences to score")
    M = confusion_matrix(t, p, len(labels))
    m = metrics_from_confusion(M)
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
        "kappa": as_float(m["kappa"]),
        "confusion_matrix": M.astype(int).tolist(),
    }


def draw_weights(n_units: int, n_bootstrap: int, rng: np.random.Generator) -> np.ndarray:
    """How often each unit is drawn in each bootstrap replicate: (n_bootstrap, n_units)."""
    draws = rng.integers(0, n_units, size=(n_bootstrap, n_units))
    offsets = (np.arange(n_bootstrap) * n_units)[:, None]
    return np.bincount((draws + offsets).ravel(), minlength=n_bootstrap * n_units).reshape(n_bootstrap, n_units)


def unit_cells(t: np.ndarray, p: np.ndarray, K: int, units: np.ndarray) -> np.ndarray:
    """Confusion counts per resampling unit: (n_units, K*K)."""
    C = np.zeros((int(units.max()) + 1, K * K))
    np.add.at(C, (units, t * K + p), 1)
    return C


def cluster_units(clusters: Sequence[Any] | None, n: int) -> tuple[np.ndarray, int]:
    if clusters is None:
        return np.arange(n), n
    _, inv = np.unique(np.asarray([str(c) for c in clusters], dtype=object), return_inverse=True)
    return inv.ravel(), int(inv.max()) + 1


def interval(x: np.ndarray, level: float) -> list[float | None]:
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
    t = codes(y_true, labels, "gold")
    p = codes(y_pred, labels, "predicted")
    if n_bootstrap < 1:
        raise EvaluationError(f"n_bootstrap must be at least 1, got {n_bootstrap}")
    units, n_units = cluster_units(clusters, len(t))
    rng = np.random.default_rng(seed)
    W = draw_weights(n_units, n_bootstrap, rng)
    M = (W @ unit_cells(t, p, K, units)).reshape(n_bootstrap, K, K)
    m = metrics_from_confusion(M)
    return {
        "method": "percentile",
        "unit": unit if clusters is not None else "sentence",
        "units": n_units,
        "n_bootstrap": int(n_bootstrap),
        "seed": int(seed),
        "level": level,
        "macro_f1": interval(m["macro_f1"], level),
        "accuracy": interval(m["accuracy"], level),
        "kappa": interval(m["kappa"], level),
        "per_class": {
            lab: {k: interval(m[k][:, i], level) for k in ("precision", "recall", "f1")} for i, lab in enumerate(labels)
        },
    }
