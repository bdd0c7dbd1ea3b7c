"""Many documents at once, as flat rows: one row per sentence, for tables, ``datasets`` and Spark.

:func:`sentence_rows` labels documents and returns one dict per sentence with the fields of
``stance label --format jsonl`` (``doc_id``, ``index``, ``text``, ``start``, ``end``, ``label``,
``probabilities``, ``reason``, ``speaker``, and ``explanation`` as a JSON string with
``explain=True``). A null, non-text or empty document gives one row that says so (label
``excluded``, the reason) instead of failing a whole job.

:class:`LabelBatch` is the same as a function ``datasets.Dataset.map`` takes
(``batched=True``): picklable, it loads the model once per worker process, so
``num_proc=N`` spreads an archive over N cores::

    ds = datasets.Dataset.from_list(articles)
    rows = ds.map(stance.labelling.LabelBatch(), batched=True, remove_columns=ds.column_names, num_proc=2)

:func:`stance.labelling.spark_label` does the same on a Spark cluster.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

from stance import LABELS, pipeline
from stance.errors import InputError

__all__ = ["ROW_FIELDS", "sentence_rows", "columns", "LabelBatch", "model_for"]

# The fields of a sentence row, in order (stance label --format jsonl, with the document id).
ROW_FIELDS = ("doc_id", "index", "text", "start", "end", "label", "probabilities", "reason", "speaker", "explanation")

_MODELS: dict[Any, Any] = {}  # one loaded model per spec, per process


def model_for(spec: Any = None, *, trusted: bool = False) -> Any:
    """The model for ``spec`` (``None``: the shipped default; a name, a path, or a model file's bytes;
    a loaded model is returned as is), loaded once per process; ``trusted`` as for :func:`stance.load`."""
    if spec is not None and not isinstance(spec, (str, bytes)) and hasattr(spec, "label_text"):
        return spec
    key = (spec, trusted)
    if key not in _MODELS:
        from stance.hub import load

        if isinstance(spec, bytes):  # an artifact's bytes (Spark broadcasts them to the workers)
            import os
            import tempfile

            fd, tmp = tempfile.mkstemp(suffix=".stance")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(spec)
                _MODELS[key] = load(tmp, trusted=trusted)
            finally:
                os.unlink(tmp)
        else:
            _MODELS[key] = load(spec, trusted=trusted)
    return _MODELS[key]


def _empty_row(doc_id: Any, text: Any, reason: str) -> dict[str, Any]:
    return {"doc_id": doc_id, "index": 0, "text": text if isinstance(text, str) else None, "start": 0,
            "end": len(text) if isinstance(text, str) else 0, "label": "excluded", "probabilities": None,
            "reason": reason, "speaker": None, "explanation": None}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, as pandas gives a missing value in an object column
    except Exception:
        return False


def sentence_rows(texts: Iterable[Any], ids: Iterable[Any] | None = None, model: Any = None, *,
                  explain: bool = False, k: int = 3) -> list[dict[str, Any]]:
    """One row per sentence of each document in ``texts`` (``ids`` name them; default: the position).

    ``model`` is a loaded model, a name, a path or ``None`` (the shipped default). Rows are in
    document order, then sentence order; offsets are into each document, as ``stance label`` gives.
    """
    m = model_for(model)
    texts = list(texts)
    ids = [str(i) for i in range(len(texts))] if ids is None else list(ids)
    if len(ids) != len(texts):
        raise InputError(f"{len(ids)} ids for {len(texts)} texts")
    rows: list[dict[str, Any]] = []
    for text, doc_id in zip(texts, ids):
        doc_id = None if _is_missing(doc_id) else str(doc_id)
        if _is_missing(text):
            rows.append(_empty_row(doc_id, None, "no text (null)"))
            continue
        if not isinstance(text, str):
            rows.append(_empty_row(doc_id, None, f"not text ({type(text).__name__})"))
            continue
        if not text.strip():
            rows.append(_empty_row(doc_id, text, "empty text"))
            continue
        doc = pipeline.label_text(m, text, explain=explain, k=k, id=doc_id)
        for i, s in enumerate(doc.sentences):
            rows.append({"doc_id": doc_id, "index": i, "text": s.text, "start": s.start, "end": s.end,
                         "label": s.label, "probabilities": s.probabilities, "reason": s.reason,
                         "speaker": s.speaker,
                         "explanation": json.dumps(s.explanation, ensure_ascii=False) if s.explanation else None})
    return rows


def columns(rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows as columns (``ROW_FIELDS``), probabilities as one column per label (``p_claim``, ...)
    for tables that want flat numbers."""
    out: dict[str, list[Any]] = {f: [r[f] for r in rows] for f in ROW_FIELDS if f != "probabilities"}
    for lab in LABELS:
        out[f"p_{lab}"] = [(r["probabilities"] or {}).get(lab) for r in rows]
    return out


class LabelBatch:
    """A picklable ``datasets.Dataset.map`` function (``batched=True``): a batch of documents in,
    a batch of sentence rows out (:func:`columns`); the model loads once per worker process."""

    def __init__(self, model: str | None = None, text_column: str = "text", id_column: str | None = "id",
                 explain: bool = False, k: int = 3):
        if model is not None and not isinstance(model, str):
            raise TypeError("LabelBatch takes a model name or path (it is sent to worker processes), not a model")
        self.model, self.text_column, self.id_column, self.explain, self.k = model, text_column, id_column, explain, k

    def __call__(self, batch: dict[str, list[Any]], indices: list[int] | None = None) -> dict[str, list[Any]]:
        """``indices`` (``with_indices=True``) name the documents when there is no id column."""
        if self.text_column not in batch:
            raise InputError(f"no column {self.text_column!r} (columns: {', '.join(batch) or 'none'})")
        texts = batch[self.text_column]
        if self.id_column is not None and self.id_column not in batch:
            raise InputError(f"no column {self.id_column!r} (columns: {', '.join(batch)}); pass id_column=None "
                             "and map with with_indices=True to number the documents")
        ids = batch[self.id_column] if self.id_column is not None else indices
        return columns(sentence_rows(texts, ids, self.model, explain=self.explain, k=self.k))
