"""Cross-validation: fresh model per fold, every held-out sentence predicted once; its summary and error rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from stance.errors import EvaluationError
from ._data import KFOLD_REASON, LABELS, LODO_NOTE, SCHEMES, CorpusData, corpus_data, kfold_splits, lodo_splits
from ._metrics import as_float, bootstrap, scores


def name_of_model(model: Any) -> str:
    if isinstance(model, str):
        return model
    return str(getattr(model, "name", None) or type(model).__name__)


def fresh_model(model: Any, seed: int) -> Any:
    """A fresh unfitted estimator: ``make(name)`` for a name, else ``clone``; seeded."""
    from stance import recipes

    if isinstance(model, str):
        try:
            return recipes.make(model, seed=seed)
        except ValueError as exc:
            raise EvaluationError(str(exc)) from None
    from sklearn.base import clone

    est = clone(model)
    if hasattr(est, "get_params"):
        recipes.set_seed(est, seed)
    return est


def aligned_proba(model: Any, texts: list[str], labels: Sequence[str]) -> np.ndarray:
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
        elif self.scheme == "lodo":
            info["note"] = LODO_NOTE
        else:
            info["note"] = "folds given by the caller; every held-out row predicted once"
        info["fold_sizes"] = [
            {k: v for k, v in f.items() if k not in ("train", "test")} | {"train": len(f["train"]), "test": len(f["test"])}
            for f in self.folds
        ]
        return info


def _splits(data: CorpusData, cv: Any, seed: int, n_splits: int, n_repeats: int) -> list[dict[str, Any]]:
    if isinstance(cv, str):
        if cv == "lodo":
            return lodo_splits(data.doc_ids)
        if cv == "kfold":
            return kfold_splits(data.labels, n_splits=n_splits, n_repeats=n_repeats, seed=seed)
        raise EvaluationError(f"unknown cv scheme {cv!r}; choose one of {', '.join(SCHEMES)}")
    folds = []
    for k, split in enumerate(cv):
        train, test = (np.asarray(x, dtype=int) for x in split)
        folds.append({"repeat": 0, "fold": k, "train": train, "test": test})
    if not folds:
        raise EvaluationError("cv gave no folds")
    seen = np.concatenate([f["test"] for f in folds])
    if len(seen) != len(np.unique(seen)) or seen.min() < 0 or seen.max() >= len(data):
        raise EvaluationError("the folds of cv must test each row of the data at most once")
    return folds


def _extra(extra: Any) -> tuple[list[str], list[str], np.ndarray | None]:
    if extra is None:
        return [], [], None
    if len(extra) not in (2, 3):
        raise EvaluationError("extra is (texts, labels) or (texts, labels, sample_weight)")
    texts, labels = list(extra[0]), [str(v) for v in extra[1]]
    if len(texts) != len(labels):
        raise EvaluationError(f"extra has {len(texts)} texts and {len(labels)} labels")
    weight = None if len(extra) == 2 or extra[2] is None else np.asarray(extra[2], dtype=float)
    if weight is not None and len(weight) != len(texts):
        raise EvaluationError(f"extra has {len(texts)} texts and {len(weight)} weights")
    return texts, labels, weight


def cross_validate(
    model: Any,
    data: CorpusData | None = None,
    cv: Any = "lodo",
    seed: int = 0,
    n_splits: int = 5,
    n_repeats: int = 5,
    *,
    extra: Sequence[Any] | None = None,
    sample_weight: Sequence[float] | None = None,
    name: str | None = None,
    progress: Any = None,
) -> CVResult:
    """Fit a fresh clone of ``model`` (a name of the ladder or an unfitted estimator) per fold and
    predict the fold's held-out rows of ``data`` (the corpus by default).

    ``cv`` is ``"lodo"`` (leave one document out), ``"kfold"`` (repeated stratified k-fold) or an
    iterable of ``(train, test)`` index arrays into ``data``, as scikit-learn's ``cv`` takes.
    ``extra`` is training data that joins every training fold and is never scored: ``(texts,
    labels)`` or ``(texts, labels, sample_weight)`` (the constructed set, the shipped data next to a
    user's rows). ``sample_weight`` weighs the rows of ``data`` when they train; weights go to the
    final step of a pipeline; ``name`` names the model in the result (default: the model's name or
    class); ``progress``, a callable, is told ``"fold i of n"`` before each fold is fitted. Returns the
    held-out predictions and class probabilities of every fold.
    """
    from stance.recipes import fit_estimator

    data = data if data is not None else corpus_data()
    folds = _splits(data, cv, seed, n_splits, n_repeats)
    scheme = cv if isinstance(cv, str) else "custom"
    x_texts, x_labels, x_weight = _extra(extra)
    own_weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if own_weight is not None and len(own_weight) != len(data):
        raise EvaluationError(f"sample_weight has {len(own_weight)} values for {len(data)} rows")
    weighted = own_weight is not None or x_weight is not None
    texts = data.texts
    rows, rep, fno, pred, proba = [], [], [], [], []
    for k, f in enumerate(folds, 1):
        if progress is not None:
            progress(f"fold {k} of {len(folds)}")
        est = fresh_model(model, seed)
        train_texts = [texts[i] for i in f["train"]] + x_texts
        train_labels = list(data.labels[f["train"]]) + x_labels
        weight = None
        if weighted:
            weight = np.r_[own_weight[f["train"]] if own_weight is not None else np.ones(len(f["train"])),
                           x_weight if x_weight is not None else np.ones(len(x_texts))]
        fit_estimator(est, train_texts, train_labels, weight)
        test_texts = [texts[i] for i in f["test"]]
        pred.append(np.asarray([str(p) for p in est.predict(test_texts)], dtype=object))
        proba.append(aligned_proba(est, test_texts, LABELS))
        rows.append(f["test"])
        rep.append(np.full(len(f["test"]), f["repeat"]))
        fno.append(np.full(len(f["test"]), f["fold"]))
    r = np.concatenate(rows)
    return CVResult(
        model=name or name_of_model(model),
        scheme=scheme,
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
            row[f"p_{lab}"] = as_float(round(float(result.proba[j, c]), 4))
        row["text"] = data.texts[i]
        out.append(row)
    return out
