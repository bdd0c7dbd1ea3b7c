"""Two models on the same rows: McNemar's exact test and the paired bootstrap of the macro-F1 difference."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from stance.errors import EvaluationError
from ._cv import CVResult
from ._data import LABELS
from ._metrics import (
    cluster_units,
    codes,
    draw_weights,
    interval,
    metrics_from_confusion,
    scores,
    unit_cells,
)


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


def compare_predictions(y_true: Sequence[Any], pred_a: Sequence[Any], pred_b: Sequence[Any],
                        labels: Sequence[str] = LABELS, n_bootstrap: int = 1000, seed: int = 0, level: float = 0.95,
                        alpha: float = 0.05, clusters: Sequence[Any] | None = None,
                        mcnemar_mask: Sequence[bool] | None = None) -> dict[str, Any]:
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
    t = codes(y, labels, "gold")
    pa = codes(ya, labels, "predicted")
    pb = codes(yb, labels, "predicted")
    units, n_units = cluster_units(clusters, len(t))
    W = draw_weights(n_units, n_bootstrap, np.random.default_rng(seed))
    fa = metrics_from_confusion((W @ unit_cells(t, pa, K, units)).reshape(-1, K, K))["macro_f1"]
    fb = metrics_from_confusion((W @ unit_cells(t, pb, K, units)).reshape(-1, K, K))["macro_f1"]
    diff = scores(y, ya, labels)["macro_f1"] - scores(y, yb, labels)["macro_f1"]
    ci = interval(fa - fb, level)
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
