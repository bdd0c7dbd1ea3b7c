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

The package is cut by concept into private modules (``_data``: corpus data and folds;
``_metrics``: scores and bootstrap intervals; ``_cv``: cross-validation; ``_compare``: paired
comparisons; ``_ceiling``, ``_curve``: human ceiling, learning curve; ``_outside``: outside data;
``_explain``: explanation overlap with marked words; ``_names``: the ladder names asked for;
``_run``: whole runs (corpus, outside data); ``_report``: Markdown reports and output files);
every public name is re-exported here, so ``stance.evaluate.<name>`` is the one way in.

Nothing here imports matplotlib until a plot is drawn (:func:`confusion_png`, :func:`learning_curve_png`). Every random choice
takes a seed, so a rerun with the same seed gives the same numbers.
"""

from __future__ import annotations

from ._ceiling import human_ceiling
from ._compare import compare, compare_predictions, mcnemar_exact
from ._curve import learning_curve
from ._cv import CVResult, aligned_proba, cross_validate, error_rows, summarize
from ._data import (
    BINARY_LABELS,
    KFOLD_REASON,
    LODO_NOTE,
    NEVER_SEEN,
    NOT_LOADED,
    SCHEMES,
    CorpusData,
    corpus_data,
    kfold_splits,
    lodo_splits,
)
from ._explain import explain_overlap
from ._metrics import bootstrap, scores
from ._plots import confusion_png, learning_curve_png, require_matplotlib, save_png
from ._names import check_names
from ._outside import OutsideColumns, OutsideData, evaluate_on, loaded_figures, parse_label_map, read_outside
from ._files import (
    OUTPUT_FILES,
    check_out,
    fmt,
    fmt_interval,
    fmt_p,
    fmt_signed,
    json_ready,
    markdown_table,
    slug,
    write_csv,
    write_json,
)
from ._report import corpus_report, outside_report, write_corpus_outputs, write_outside_outputs
from ._run import run_corpus, run_outside
from ._topics import other_topics

__all__ = [
    "save_png",
    "BINARY_LABELS",
    "NOT_LOADED",
    "LODO_NOTE",
    "NEVER_SEEN",
    "SCHEMES",
    "KFOLD_REASON",
    "CorpusData",
    "CVResult",
    "OutsideColumns",
    "OutsideData",
    "corpus_data",
    "lodo_splits",
    "kfold_splits",
    "cross_validate",
    "aligned_proba",
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
    "loaded_figures",
    "run_corpus",
    "run_outside",
    "other_topics",
    "parse_label_map",
    "check_names",
    "OUTPUT_FILES",
    "check_out",
    "corpus_report",
    "outside_report",
    "write_corpus_outputs",
    "write_outside_outputs",
    "write_json",
    "write_csv",
    "json_ready",
    "slug",
    "fmt",
    "fmt_interval",
    "fmt_p",
    "fmt_signed",
    "markdown_table",
    "confusion_png",
    "learning_curve_png",
    "require_matplotlib",
]
