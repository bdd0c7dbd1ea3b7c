"""Several models on the same folds, with everything a corpus report needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import EvaluationError
from ._ceiling import human_ceiling
from ._compare import compare
from ._curve import learning_curve
from ._cv import CVResult, cross_validate, name_of_model, summarize
from ._data import CorpusData, corpus_data
from ._outside import evaluate_on, parse_label_map, read_outside
from ._report import check_out, slug, write_outside_outputs


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
    from .. import __version__
    from .. import models as ladder

    models = list(models) if models is not None else ladder.names(optional=False)
    if not models:
        raise EvaluationError("no models to evaluate")
    names = [name_of_model(m) for m in models]
    if len(set(names)) != len(names):
        raise EvaluationError(f"model names must be unique, got {', '.join(names)}")
    data = data if data is not None else corpus_data(root)
    cvs = {name: cross_validate(m, data, cv=cv, seed=seed, n_splits=n_splits, n_repeats=n_repeats) for name, m in zip(names, models)}
    summaries = {name: summarize(r, n_bootstrap=n_bootstrap, seed=seed, level=level) for name, r in cvs.items()}
    for name, m in zip(names, models):
        if isinstance(m, str):
            try:
                summaries[name]["description"] = ladder.describe(m)
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


def run_outside(
    data: Any,
    models: Mapping[str, Any],
    *,
    out: str | Path,
    force: bool = False,
    text_column: str = "text",
    label_column: str = "label",
    label_map: Mapping[str, str | None] | str | None = None,
    binary: bool = False,
    split: str | None = None,
    id_column: str | None = None,
    words_column: str | None = None,
    seed: int = 0,
    n_bootstrap: int = 1000,
    command: str | None = None,
) -> dict[str, Any]:
    """Score fitted models on outside labelled ``data`` and write the report into ``out``.

    ``models`` maps a name to a fitted model, or to ``(model, description)`` where the description
    says what it is (:func:`stance.loading.load_or_fit` gives both). ``label_map`` maps the data's
    labels to stance's (a dict, or the ``--label-map`` text). The label map, the data's columns and
    labels, then the output directory are checked before any model is scored. Returns the written
    results (``out`` included).
    """
    if isinstance(label_map, str) or label_map is None:
        label_map = parse_label_map(label_map)
    read_outside(data, text_column, label_column, label_map, binary, split, id_column, words_column)
    out = check_out(out, force)
    evaluations = []
    for spec, entry in models.items():
        model, source = entry if isinstance(entry, tuple) else (entry, None)
        ev = evaluate_on(model, data, text_column, label_column, label_map, binary, n_bootstrap=n_bootstrap, seed=seed,
                         split=split, id_column=id_column, words_column=words_column, model_name=slug(spec))
        name = Path(str(data)).name
        ev.update(dataset=name, source_label=name)
        if source:
            ev["model_source"] = source
        evaluations.append(ev)
    settings = {"seed": seed, "bootstrap": n_bootstrap, "level": 0.95, "binary": binary, "models": list(models),
                "data": str(data)}
    res = write_outside_outputs(out, evaluations, settings, command=command)
    res["out"] = str(out)
    return res
