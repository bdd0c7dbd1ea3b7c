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

__all__ = ["train", "read_data", "builtin_data", "wide_data", "extend_data", "fit_estimator", "CONSTRUCTED_WEIGHT",
           "USER_WEIGHT", "TrainingData", "DataError", "fingerprint", "lodo_summary", "extend_summary"]


class DataError(ValueError):
    """The training or evaluation data is unusable; the message says where and why."""


# The weight of a constructed row relative to a labelled news sentence. Chosen on the outside
# codebook set's dev split with the hybrid's C (python experiments/approaches.py --grid): the
# constructed rows teach the distinctions on many topics, the real sentences keep the weight.
CONSTRUCTED_WEIGHT = 0.05

# The weight of one of the user's rows in ``train(..., extend=True)``, relative to a corpus
# sentence. Chosen on the outside codebook set's dev split, on partitions of it that the reported
# adaptation figures do not use (python experiments/adapt.py --choose-weight; experiments/README.md, adapt).
USER_WEIGHT = 2.0


class TrainingData:
    """Texts, labels, optional document groups and ids, and where they came from.

    ``constructed`` marks rows written by the project (training only): cross-validation
    adds them to every training fold and never scores them, and fitting weights them by
    :data:`CONSTRUCTED_WEIGHT`. ``user`` marks the rows a user added to the shipped data
    (:func:`extend_data`), weighted by ``user_weight``. ``where`` says where each row was read
    (``file:line``), for messages.
    """

    def __init__(self, texts: list[str], labels: list[str], groups: list[str] | None, ids: list[str] | None,
                 source: str, constructed: list[bool] | None = None, *, user: list[bool] | None = None,
                 user_weight: float = 1.0, where: list[str] | None = None):
        self.texts = texts
        self.labels = labels
        self.groups = groups
        self.ids = ids
        self.source = source
        self.constructed = constructed
        self.user = user
        self.user_weight = user_weight
        self.where = where

    def __len__(self) -> int:
        return len(self.texts)

    def sample_weight(self) -> np.ndarray | None:
        """Per-row training weights (``None`` when every row counts the same)."""
        w = np.ones(len(self.texts))
        if self.constructed is not None:
            w[np.asarray(self.constructed, dtype=bool)] = CONSTRUCTED_WEIGHT
        if self.user is not None:
            w[np.asarray(self.user, dtype=bool)] = self.user_weight
        return None if np.all(w == 1.0) else w


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
    texts, ys, wheres = [], [], []
    for i, r in enumerate(rows):
        where = f"{source}:{r.get('__line__', i + 1)}" if "__line__" in r else f"{source}, row {i}"
        wheres.append(where)
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
    return TrainingData(texts, ys, groups, ids, source, where=wheres)


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


def _norm(text: str) -> str:
    return " ".join(text.split())


def extend_data(user: TrainingData, weight: float | None = None,
                base: TrainingData | None = None) -> tuple[TrainingData, list[dict[str, Any]]]:
    """The shipped training data (``base``, default :func:`builtin_data`) plus the user's rows.

    Each user row weighs ``weight`` (default :data:`USER_WEIGHT`) against a corpus sentence, so that
    a few hundred of them matter next to the shipped data. A user row whose text (whitespace aside)
    repeats a shipped row replaces that row. Returns the data and the conflicts: every shipped row
    the user labelled differently (the user's label is the one trained on) and every text the
    user's data gives two labels; each conflict names the user's row (``file:line``).
    """
    weight = USER_WEIGHT if weight is None else float(weight)
    if not (np.isfinite(weight) and weight > 0):
        raise DataError(f"the weight of your rows must be a positive number, got {weight!r}")
    base = builtin_data() if base is None else base
    where = user.where or [f"{user.source}, row {i}" for i in range(len(user))]
    first: dict[str, int] = {}
    conflicts: list[dict[str, Any]] = []
    for i, t in enumerate(user.texts):
        j = first.setdefault(_norm(t), i)
        if j != i and user.labels[j] != user.labels[i]:
            conflicts.append({"where": where[i], "text": t, "label": user.labels[i], "other_label": user.labels[j],
                              "other": where[j], "kind": "your data labels this text twice"})
    keep = []
    for j, t in enumerate(base.texts):
        i = first.get(_norm(t))
        if i is None:
            keep.append(j)
        elif user.labels[i] != base.labels[j]:
            conflicts.append({"where": where[i], "text": t, "label": user.labels[i], "other_label": base.labels[j],
                              "other": f"shipped row {base.ids[j] if base.ids else j}",
                              "kind": "a shipped training row with another label (yours is used)"})
    n = len(user)
    groups = [f"yours:{g}" for g in user.groups] if user.groups is not None else ["yours"] * n
    ids = user.ids if user.ids is not None else [f"yours-{i}" for i in range(n)]
    built = base.constructed or [False] * len(base)
    data = TrainingData(
        [base.texts[j] for j in keep] + list(user.texts),
        [base.labels[j] for j in keep] + list(user.labels),
        [(base.groups[j] if base.groups else "shipped") for j in keep] + groups,
        [(base.ids[j] if base.ids else f"shipped-{j}") for j in keep] + [str(i) for i in ids],
        f"{base.source} + {user.source} (your rows x{weight:g})",
        [built[j] for j in keep] + [False] * n,
        user=[False] * len(keep) + [True] * n, user_weight=weight,
        where=[f"shipped row {j}" for j in keep] + where,
    )
    return data, conflicts


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


def _user_folds(data: TrainingData, rows: np.ndarray, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds over the user's rows: whole documents when there are enough, stratified when every
    label has a row in each fold."""
    from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold

    y = np.asarray(data.labels, dtype=object)[rows]
    groups = np.asarray(data.groups, dtype=object)[rows] if data.groups is not None else None
    stratify = min(np.unique(y, return_counts=True)[1]) >= n_splits
    cv: Any
    if groups is not None and len(set(groups)) >= n_splits:
        cv = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed) if stratify else GroupKFold(n_splits)
        return list(cv.split(rows, y, groups))
    cv = StratifiedKFold(n_splits, shuffle=True, random_state=seed) if stratify else \
        KFold(n_splits, shuffle=True, random_state=seed)
    return list(cv.split(rows, y))


def extend_summary(model: str, data: TrainingData, seed: int = 0, n_splits: int = 5, n_boot: int = 1000,
                   **params: Any) -> dict[str, Any]:
    """What the user's rows buy: cross-validation over the user's rows of :func:`extend_data`.

    Each fold trains on all the shipped rows plus the other folds' user rows and predicts its own
    user rows (folds keep a user document together when the data names documents); the reference is
    the same model trained on the shipped rows alone, on the same user rows. Returns both macro-F1
    figures and their paired bootstrap difference.
    """
    from sklearn.base import clone

    from . import models
    from .evaluate import bootstrap, compare_predictions, scores

    if data.user is None or not any(data.user):
        raise DataError(f"{data.source}: no rows of yours to cross-validate (train with extend=True)")
    mask = np.asarray(data.user, dtype=bool)
    mine, shipped = np.flatnonzero(mask), np.flatnonzero(~mask)
    if len(mine) < 2 * n_splits:
        raise DataError(f"{len(mine)} rows of yours: {n_splits}-fold cross-validation needs at least {2 * n_splits}")
    est = models.make(model, seed=seed, **params)
    y_all = np.asarray(data.labels, dtype=object)
    weight = data.sample_weight()
    weight = np.ones(len(data)) if weight is None else weight
    texts = data.texts
    pred = np.empty(len(mine), dtype=object)
    for train_idx, test_idx in _user_folds(data, mine, n_splits, seed):
        rows = np.r_[shipped, mine[train_idx]]
        fold = fit_estimator(clone(est), [texts[i] for i in rows], y_all[rows], weight[rows])
        pred[test_idx] = fold.predict([texts[i] for i in mine[test_idx]])
    ref = fit_estimator(clone(est), [texts[i] for i in shipped], y_all[shipped], weight[shipped])
    ref_pred = ref.predict([texts[i] for i in mine])
    y = y_all[mine]
    labels = [c for c in LABELS if c in set(data.labels)] + sorted(set(data.labels) - set(LABELS))
    sc, ref_sc = scores(y, pred, labels), scores(y, ref_pred, labels)
    diff = compare_predictions(y, pred, ref_pred, labels, n_bootstrap=n_boot, seed=seed)
    return {
        "scheme": f"{n_splits}-fold cross-validation over your rows (shipped rows in every training fold)",
        "rows": int(len(mine)),
        "user_weight": data.user_weight,
        "macro_f1": sc["macro_f1"],
        "macro_f1_ci95": bootstrap(y, pred, labels, n_bootstrap=n_boot, seed=seed)["macro_f1"],
        "per_class_f1": {c: sc["per_class"][c]["f1"] for c in labels},
        "shipped_only_macro_f1": ref_sc["macro_f1"],
        "difference": diff["macro_f1_difference"],
        "difference_ci95": diff["interval"],
        "bootstrap": {"resamples": n_boot, "unit": "sentence (paired)", "seed": seed},
    }


def train(model: str = "hybrid", data: Any = None, seed: int = 0, *, text_column: str = "text",
          label_column: str = "label", evaluate: bool = False, extend: bool = False,
          user_weight: float | None = None, **params: Any):
    """Fit the named model and return a :class:`stance.model.StanceModel`.

    ``data`` replaces the shipped training data, unless ``extend=True``: then the model trains on
    the shipped data plus ``data``'s rows, each weighted ``user_weight`` (default
    :data:`USER_WEIGHT`); rows that repeat a shipped sentence with another label are listed on the
    card (``training_data.conflicts``) and warned about.
    ``evaluate=True`` adds a leave-one-document-out summary to the model card (when the data has
    documents), or with ``extend=True`` a cross-validation over your rows next to the shipped data
    alone (:func:`extend_summary`). ``params`` go to :func:`stance.models.make`.
    Same data and seed give the same model and predictions.
    """
    from . import __version__, models
    from .model import StanceModel

    models._check_name(model)
    conflicts: list[dict[str, Any]] = []
    if extend:
        if data is None:
            raise DataError("extend=True adds your labelled rows to the shipped data: pass them as data")
        user = data if isinstance(data, TrainingData) else read_data(data, text_column, label_column)
        td, conflicts = extend_data(user, user_weight)
        if conflicts:
            import warnings

            warnings.warn(f"{len(conflicts)} of your rows repeat a training sentence with another label "
                          f"(first: {conflicts[0]['where']}); see the card's training_data.conflicts", stacklevel=2)
    else:
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
    if td.user is not None:
        card["training_data"]["user_rows"] = int(sum(td.user))
        card["training_data"]["user_weight"] = td.user_weight
        card["training_data"]["user_weight_chosen"] = (
            "USER_WEIGHT, chosen on the outside codebook set's dev split (experiments/adapt.py --choose-weight)"
            if user_weight is None else "given by the caller")
        card["training_data"]["conflicts"] = conflicts
    used = _resources_used(est)
    if used:
        card["resources"] = used
    if evaluate and td.user is not None:
        card["metrics"] = extend_summary(model, td, seed=seed, **params)
    elif evaluate and td.groups is not None and len(set(td.groups)) > 1:
        card["metrics"] = lodo_summary(model, td, seed=seed, **params)
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
