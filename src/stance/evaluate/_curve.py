"""The learning curve over the number of training documents, leave-one-document-out style."""

from __future__ import annotations

from itertools import combinations
from typing import Any, Sequence

import numpy as np

from stance.errors import EvaluationError
from ._cv import fresh_model, name_of_model
from ._data import LABELS, CorpusData, corpus_data
from ._metrics import codes, confusion_matrix, metrics_from_confusion


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
            t = codes(data.labels[test], LABELS, "gold")
            Md, done = np.zeros((K, K)), 0
            for sub in subsets:
                train = np.flatnonzero(np.isin(doc_arr, list(sub)))
                est = fresh_model(model, seed)
                try:
                    est.fit([data.texts[i] for i in train], list(data.labels[train]))
                except ValueError as exc:  # e.g. a single document with too few labels of a class
                    skipped.append({"held_out": held, "train_documents": list(sub), "reason": str(exc).splitlines()[0]})
                    continue
                p = codes(est.predict([data.texts[i] for i in test]), LABELS, "predicted")
                Md += confusion_matrix(t, p, K)
                n_train.append(len(train))
                done += 1
            if done:
                M += Md / done
                runs += done
        m = metrics_from_confusion(M) if runs else None
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
        "model": name_of_model(model),
        "seed": seed,
        "max_subsets": max_subsets,
        "method": "each document held out in turn; trained on k of the others (all subsets, or max_subsets "
        "drawn with the seed); confusion averaged over subsets, summed over held-out documents",
        "points": points,
    }
