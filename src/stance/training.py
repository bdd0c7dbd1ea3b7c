"""Training: ``stance.train(model="hybrid", data=None, seed=0)``.

``data`` is the built-in training data (default: the hand-labelled corpus plus the
project's constructed set, see :mod:`stance.labelled_sets`), a ``datasets.Dataset``, a pandas
``DataFrame``, a list of dicts, or a path to a CSV or JSONL file. Bad data gets
a :class:`DataError` naming the file, row and column, never a traceback from
deep inside a library.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from . import LABELS

__all__ = ["train", "read_data", "builtin_data", "wide_data", "fit_estimator", "CONSTRUCTED_WEIGHT", "TrainingData",
           "DataError", "fingerprint", "lodo_summary"]


class DataError(ValueError):
    """The training or evaluation data is unusable; the message says where and why."""


# The weight of a constructed row relative to a labelled news sentence. Chosen on the outside
# codebook set's dev split with the hybrid's C (python experiments/approaches.py --grid): the
# constructed rows teach the distinctions on many topics, the real sentences keep the weight.
CONSTRUCTED_WEIGHT = 0.05


class TrainingData:
    """Texts, labels, optional document groups and ids, and where they came from.

    ``constructed`` marks rows written by the project (training only): cross-validation
    adds them to every training fold and never scores them, and fitting weights them by
    :data:`CONSTRUCTED_WEIGHT`.
    """

    def __init__(self, texts: list[str], labels: list[str], groups: list[str] | None, ids: list[str] | None,
                 source: str, constructed: list[bool] | None = None):
        self.texts = texts
        self.labels = labels
        self.groups = groups
        self.ids = ids
        self.source = source
        self.constructed = constructed

    def __len__(self) -> int:
        return len(self.texts)

    def sample_weight(self) -> np.ndarray | None:
        """Per-row training weights (``None`` when every row counts the same)."""
        if self.constructed is None or not any(self.constructed):
            return None
        return np.where(np.asarray(self.constructed, dtype=bool), CONSTRUCTED_WEIGHT, 1.0)


def fit_estimator(est: Any, texts: list[str], y: Any, sample_weight: Any = None) -> Any:
    """``est.fit(texts, y)``, passing ``sample_weight`` to the final step of a pipeline (or to
    the estimator itself) when given; estimators that take no weights are fitted plainly."""
    if sample_weight is None:
        return est.fit(texts, y)
    steps = getattr(est, "steps", None)
    if steps:
        return est.fit(texts, y, **{f"{steps[-1][0]}__sample_weight": sample_weight})
    import inspect

    if "sample_weight" in inspect.signature(est.fit).parameters:
        return est.fit(texts, y, sample_weight=sample_weight)
    return est.fit(texts, y)


def _rows_from_file(path: Path) -> tuple[list[dict[str, Any]], str]:
    from .tables import TableError, read_table

    try:
        return read_table(path)[1], str(path)
    except TableError as exc:
        raise DataError(str(exc)) from None


def _rows_from_object(data: Any) -> tuple[list[dict[str, Any]], str]:
    mod = type(data).__module__
    if mod.startswith("datasets"):
        if not hasattr(data, "column_names") or not hasattr(data, "to_list"):
            raise DataError("pass a datasets.Dataset (not a DatasetDict: pick a split, e.g. data['train'])")
        rows = data.to_list()
        return rows, f"datasets.Dataset({len(rows)} rows)"
    if mod.startswith("pandas"):
        if not hasattr(data, "to_dict"):
            raise DataError(f"unsupported pandas object {type(data).__name__}; pass a DataFrame")
        return data.to_dict("records"), f"DataFrame({len(data)} rows)"
    if isinstance(data, (list, tuple)) and all(isinstance(r, dict) for r in data):
        return list(data), f"list({len(data)} rows)"
    raise DataError(
        f"unsupported data of type {type(data).__name__}; pass None (the built-in corpus), a datasets.Dataset, "
        "a pandas DataFrame, a list of dicts, or a path to a CSV/JSONL file"
    )


def read_data(data: Any = None, text_column: str = "text", label_column: str = "label",
              group_column: str | None = "doc_id", id_column: str | None = "id",
              labels: Iterable[str] | None = LABELS) -> TrainingData:
    """Validate and read labelled data into a :class:`TrainingData`.

    ``labels``: the allowed label names (``None`` allows any, for custom schemes).
    """
    if data is None:
        return builtin_data()
    label_names = None
    if isinstance(data, (str, Path)):
        rows, source = _rows_from_file(Path(data))
    else:
        rows, source = _rows_from_object(data)
        if type(data).__module__.startswith("datasets"):
            feat = data.features.get(label_column)
            label_names = getattr(feat, "names", None)
    if not rows:
        raise DataError(f"{source}: the data is empty (no rows)")
    columns = set().union(*(r.keys() for r in rows[:50])) - {"__line__"}
    for col, what in ((text_column, "text"), (label_column, "label")):
        if col not in columns:
            raise DataError(
                f"{source}: no {what} column {col!r}; columns are: {', '.join(sorted(map(str, columns)))}. "
                f"Choose it with --{what}-column / {what}_column="
            )
    texts, ys = [], []
    for i, r in enumerate(rows):
        where = f"{source}:{r.get('__line__', i + 1)}" if "__line__" in r else f"{source}, row {i}"
        t = r.get(text_column)
        if not isinstance(t, str):
            raise DataError(f"{where}: field {text_column!r} is {type(t).__name__}, not text")
        y = r.get(label_column)
        if label_names is not None and isinstance(y, (int, np.integer)) and 0 <= y < len(label_names):
            y = label_names[y]
        if y is None or (isinstance(y, float) and np.isnan(y)) or (isinstance(y, str) and not y.strip()):
            raise DataError(f"{where}: field {label_column!r} is empty")
        y = str(y).strip()
        if labels is not None and y not in labels:
            raise DataError(f"{where}: unknown label {y!r} in field {label_column!r}; expected one of {', '.join(labels)}")
        texts.append(t)
        ys.append(y)
    if len(set(ys)) < 2:
        raise DataError(f"{source}: every row has the label {ys[0]!r}; a classifier needs at least two classes")
    groups = [str(r[group_column]) for r in rows] if group_column and group_column in columns and all(
        r.get(group_column) is not None for r in rows) else None
    ids = [str(r[id_column]) for r in rows] if id_column and id_column in columns else None
    return TrainingData(texts, ys, groups, ids, source)


def builtin_data(constructed: bool = True) -> TrainingData:
    """The training data shipped with stance: the corpus (labels/gold.jsonl) and, unless
    ``constructed=False``, the project's constructed set (corpus/constructed.jsonl)."""
    from . import corpus
    from .labelled_sets import constructed_records

    rows = corpus.records()
    source = "stance corpus (labels/gold.jsonl)"
    flags = [False] * len(rows)
    if constructed:
        extra = constructed_records()
        rows = rows + extra
        flags += [True] * len(extra)
        source += " + constructed set (corpus/constructed.jsonl)"
    return TrainingData([r["text"] for r in rows], [r["label"] for r in rows], [r["doc_id"] for r in rows],
                        [r["id"] for r in rows], source, flags if constructed else None)


def fingerprint(data: TrainingData) -> str:
    """sha256 of the training rows (ids, or texts when there are none, and labels)."""
    h = hashlib.sha256()
    keys = data.ids if data.ids is not None else data.texts
    for k, y in zip(keys, data.labels):
        h.update(k.encode("utf-8") + b"\t" + y.encode("utf-8") + b"\n")
    return "sha256:" + h.hexdigest()


def lodo_summary(model: str, data: TrainingData, seed: int = 0, n_boot: int = 1000, **params: Any) -> dict[str, Any]:
    """Leave-one-document-out macro-F1 (95% bootstrap interval) and per-class F1.

    ``params`` go to :func:`stance.models.make` (``clf__C=1.0``).
    """
    from sklearn.base import clone
    from sklearn.metrics import f1_score
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    from . import models

    if data.groups is None or len(set(data.groups)) < 2:
        raise DataError(f"{data.source}: leave-one-document-out needs a document column with two or more documents")
    est = models.make(model, seed=seed, **params)
    y_all = np.asarray(data.labels, dtype=object)
    groups_all = np.asarray(data.groups, dtype=object)
    if data.constructed is not None and any(data.constructed):
        # constructed rows join every training fold and are never scored
        built = np.asarray(data.constructed, dtype=bool)
        weight = data.sample_weight()
        scored = np.flatnonzero(~built)
        extra = np.flatnonzero(built)
        y, groups = y_all[scored], groups_all[scored]
        pred = np.empty(len(y), dtype=object)
        for train_idx, test_idx in LeaveOneGroupOut().split(scored, y, groups):
            rows = np.r_[scored[train_idx], extra]
            fold = fit_estimator(clone(est), [data.texts[i] for i in rows], y_all[rows], weight[rows])
            pred[test_idx] = fold.predict([data.texts[i] for i in scored[test_idx]])
    else:
        texts, y, groups = data.texts, y_all, groups_all
        pred = cross_val_predict(est, texts, y, groups=groups, cv=LeaveOneGroupOut())
    classes = sorted(set(data.labels))
    rng = np.random.default_rng(seed)
    n = len(y)
    boots = []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        boots.append(f1_score(y[idx], pred[idx], labels=classes, average="macro", zero_division=0))
    per_class = f1_score(y, pred, labels=classes, average=None, zero_division=0)
    return {
        "scheme": "leave-one-document-out",
        "documents": len(set(groups)),
        "constructed_rows_in_every_training_fold": int(sum(data.constructed or [])),
        "sentences": n,
        "macro_f1": float(f1_score(y, pred, labels=classes, average="macro", zero_division=0)),
        "macro_f1_ci95": [float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))],
        "accuracy": float(np.mean(y == pred)),
        "per_class_f1": {c: float(f) for c, f in zip(classes, per_class)},
        "bootstrap": {"resamples": n_boot, "unit": "sentence", "seed": seed},
    }


def train(model: str = "hybrid", data: Any = None, seed: int = 0, *, text_column: str = "text",
          label_column: str = "label", evaluate: bool = False, **params: Any):
    """Fit the named model and return a :class:`stance.model.StanceModel`.

    ``evaluate=True`` adds a leave-one-document-out summary to the model card
    (when the data has documents). ``params`` go to :func:`stance.models.make`.
    Same data and seed give the same model and predictions.
    """
    from . import __version__, models
    from .model import StanceModel

    models._check_name(model)
    td = data if isinstance(data, TrainingData) else read_data(data, text_column, label_column)
    est = models.make(model, seed=seed, **params)
    fit_estimator(est, td.texts, np.asarray(td.labels, dtype=object), td.sample_weight())
    counts = {c: td.labels.count(c) for c in sorted(set(td.labels))}
    card: dict[str, Any] = {
        "model": model,
        "description": models.describe(model),
        "params": {k: repr(v) for k, v in params.items()},
        "stance_version": __version__,
        "sklearn_version": _version("scikit-learn"),
        "numpy_version": _version("numpy"),
        "labels": [str(c) for c in est.classes_],
        "training_data": {"source": td.source, "rows": len(td), "label_counts": counts,
                          "fingerprint": fingerprint(td)},
        "trained": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "seed": seed,
        "metrics": None,
    }
    if td.constructed is not None:
        card["training_data"]["constructed_rows"] = int(sum(td.constructed))
        card["training_data"]["constructed_weight"] = CONSTRUCTED_WEIGHT
    used = _resources_used(est)
    if used:
        card["resources"] = used
    if evaluate and td.groups is not None and len(set(td.groups)) > 1:
        card["metrics"] = lodo_summary(model, td, seed=seed)
    return StanceModel(est, card)


def _resources_used(est: Any) -> dict[str, Any]:
    """Package, version, licence and hash of each general resource the estimator's features read."""
    from . import models
    from .lexical import resource_info

    kinds = {type(v) for v in est.get_params(deep=True).values()} if hasattr(est, "get_params") else set()
    info = resource_info()
    used = {}
    if models.LexicalFeatures in kinds:
        used.update({k: info[k] for k in ("lexicons/vader.tsv", "lexicons/subjectivity.tsv")})
    if models.StaticEmbedding in kinds:
        used["static_vectors.npz"] = info["static_vectors.npz"]
    return used


def wide_data(external: Any = None) -> TrainingData:
    """The built-in training data plus the outside codebook set's dev labels (for the ``wide`` model).

    The dev texts come from CheckThat! (CC BY-NC-SA 4.0) and BABE (GNU AGPL v3): a model trained on
    them carries those terms. The test split is never included.
    """
    from .labelled_sets import outside_records

    base = builtin_data()
    dev = outside_records("dev", external=external)
    return TrainingData(
        base.texts + [r["text"] for r in dev], base.labels + [r["label"] for r in dev],
        base.groups + [r["doc_id"] for r in dev], base.ids + [r["id"] for r in dev],
        base.source + " + outside codebook set dev split (labels/outside/, CheckThat! and BABE texts)",
        base.constructed + [False] * len(dev))


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"
