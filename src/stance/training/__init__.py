"""Training a named model on labelled data, measuring it, and writing its card.

- :func:`train`: fit a model of the ladder (:mod:`stance.recipes`) on the shipped data, your own
  rows (``data=``), or both (``extend=True``), with a leave-one-document-out summary or a
  cross-validation over your rows on the card; returns a :class:`stance.StanceModel`;
- the training data: :class:`TrainingData`, :func:`read_data` (CSV, TSV, JSONL, a
  ``datasets.Dataset`` or a pandas DataFrame), :func:`builtin_data` (the corpus and the constructed
  set), :func:`extend_data`, :func:`wide_data`, :func:`fingerprint`;
- the summary a command prints: :func:`summary_lines`, :func:`conflict_lines`.
"""

from __future__ import annotations

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
from ._train import conflict_lines, extend_summary, lodo_summary, summary_lines, train, user_folds

__all__ = [
    "train", "lodo_summary", "extend_summary", "user_folds", "summary_lines", "conflict_lines",
    "TrainingData", "read_data", "builtin_data", "extend_data", "wide_data", "fingerprint", "repeated_rows",
    "CONSTRUCTED_WEIGHT", "NEWS_WEIGHT", "WNC_WEIGHT", "USER_WEIGHT",
]
