"""The corpus as evaluation data, and the folds over it (leave one document out, repeated k-fold)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from stance import LABELS
from stance.errors import EvaluationError

NOT_LOADED = "not-loaded"
BINARY_LABELS: tuple[str, ...] = (NOT_LOADED, "loaded")
SCHEMES = ("lodo", "kfold")
DROP = "drop"
KFOLD_REASON = (
    "sentences of one article fall on both sides of a split, so the model is tested on "
    "articles whose topic, names and wording it has already seen in training"
)
LODO_NOTE = (
    "leave one document out: each model is trained on all other documents and tested on the "
    "held-out one; every sentence is predicted once, by a model that never saw its document"
)
NEVER_SEEN = (
    "The model never saw this data: it was not used for training or tuning, only for scoring "
    "here. Its labels follow another scheme, mapped to stance's labels as stated."
)


@dataclass
class CorpusData:
    """Sentences with gold labels and the document each comes from."""

    texts: list[str]
    labels: np.ndarray  # label strings
    ids: list[str]
    doc_ids: list[str]

    def __post_init__(self) -> None:
        self.labels = np.asarray([str(v) for v in self.labels], dtype=object)
        n = len(self.texts)
        if not (len(self.labels) == len(self.ids) == len(self.doc_ids) == n):
            raise EvaluationError("texts, labels, ids and doc_ids must have the same length")
        if n == 0:
            raise EvaluationError("no labelled sentences to evaluate on")
        unknown = sorted(set(self.labels) - set(LABELS))
        if unknown:
            raise EvaluationError(f"unknown labels {', '.join(unknown)}; expected {', '.join(LABELS)}")

    def __len__(self) -> int:
        return len(self.texts)

    def summary(self) -> dict[str, Any]:
        return {
            "sentences": len(self),
            "documents": len(set(self.doc_ids)),
            "labels": {lab: int(np.sum(self.labels == lab)) for lab in LABELS},
            "per_document": {d: int(sum(1 for x in self.doc_ids if x == d)) for d in sorted(set(self.doc_ids))},
        }


def corpus_data(root: str | Path | None = None) -> CorpusData:
    """The labelled corpus (duplicates and excluded sentences left out)."""
    from stance import corpora

    ds = corpora.load(root)
    names = ds.features["label"].names
    return CorpusData(
        texts=list(ds["text"]),
        labels=np.asarray([names[i] for i in ds["label"]], dtype=object),
        ids=list(ds["id"]),
        doc_ids=list(ds["doc_id"]),
    )


def lodo_splits(doc_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One fold per document (sorted by id): train on the others, test on it."""
    docs = np.asarray(list(doc_ids), dtype=object)
    if len(set(docs)) < 2:
        raise EvaluationError("leave-one-document-out needs at least two documents")
    out = []
    for i, d in enumerate(sorted(set(docs))):
        test = np.flatnonzero(docs == d)
        train = np.flatnonzero(docs != d)
        out.append({"fold": i, "repeat": 0, "test_documents": [str(d)], "train": train, "test": test})
    return out


def kfold_splits(labels: Sequence[str], n_splits: int = 5, n_repeats: int = 5, seed: int = 0) -> list[dict[str, Any]]:
    """Repeated stratified k-fold over sentences (seeded)."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    y = np.asarray(list(labels), dtype=object)
    counts = {lab: int(np.sum(y == lab)) for lab in sorted(set(y))}
    if n_splits < 2 or n_repeats < 1:
        raise EvaluationError(f"k-fold needs n_splits >= 2 and n_repeats >= 1, got {n_splits} and {n_repeats}")
    small = {k: v for k, v in counts.items() if v < n_splits}
    if small:
        raise EvaluationError(
            f"stratified {n_splits}-fold needs at least {n_splits} sentences per label; "
            + ", ".join(f"{k} has {v}" for k, v in small.items())
        )
    rskf = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    out = []
    for i, (train, test) in enumerate(rskf.split(np.zeros(len(y)), y)):
        out.append({"fold": i % n_splits, "repeat": i // n_splits, "test_documents": None, "train": train, "test": test})
    return out
