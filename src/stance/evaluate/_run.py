"""Several models on the same folds, with everything a corpus report needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from stance.errors import EvaluationError
from ._ceiling import human_ceiling
from ._compare import compare
from ._curve import learning_curve
from ._cv import CVResult, cross_validate, name_of_model, summarize
from ._data import CorpusData, corpus_data
from ._outside import OutsideColumns, evaluate_on, read_outside
from ._files import check_out, slug
from ._report import write_outside_outputs


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
    from stance import __version__, recipes

    models = list(models) if models is not None else recipes.names(optional=False)
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
                summaries[name]["description"] = recipes.describe(m)
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
    columns: OutsideColumns = OutsideColumns(),
    seed: int = 0,
    n_bootstrap: int = 1000,
    command: str | None = None,
) -> dict[str, Any]:
    """Score fitted models on outside labelled ``data`` and write the report into ``out``.

    ``models`` maps a name to a fitted model, or to ``(model, description)`` where the description
    says what it is (:func:`stance.hub.load_or_fit` gives both). ``columns`` says how to read the data
    and map its labels (:class:`OutsideColumns`). The data's columns and labels, then the output
    directory are checked before any model is scored. Returns the written results (``out`` included).
    """
    read_outside(data, columns)
    out = check_out(out, force)
    evaluations = []
    for spec, entry in models.items():
        model, source = entry if isinstance(entry, tuple) else (entry, None)
        ev = evaluate_on(model, data, columns, n_bootstrap=n_bootstrap, seed=seed, model_name=slug(spec))
        name = Path(str(data)).name
        ev.update(dataset=name, source_label=name)
        if source:
            ev["model_source"] = source
        evaluations.append(ev)
    settings = {"seed": seed, "bootstrap": n_bootstrap, "level": 0.95, "binary": columns.binary, "models": list(models),
                "data": str(data)}
    res = write_outside_outputs(out, evaluations, settings, command=command)
    res["out"] = str(out)
    return res
