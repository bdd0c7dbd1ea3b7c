"""Scoring a fitted model on outside labelled data (tables, DataFrames, datasets), and explanation overlap."""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from stance.errors import EvaluationError
from ._cv import aligned_proba, name_of_model
from ._data import BINARY_LABELS, DROP, LABELS, NEVER_SEEN, NOT_LOADED
from ._explain import explain_overlap
from ._metrics import as_float, bootstrap, scores


@dataclass(frozen=True)
class OutsideColumns:
    """How to read an outside labelled table, and how its labels map onto stance's.

    ``text`` and ``label``: the columns of the sentence and its label; ``label_map``: each outside
    label to ``claim``, ``quote`` or ``loaded`` (with ``binary`` also ``not-loaded``), or to ``None`` /
    ``"drop"`` to leave its rows out; ``binary``: score loaded vs not-loaded; ``split``: the split of a
    ``datasets.DatasetDict``; ``id``: a column naming each row; ``words``: a column of marked words
    (BABE's ``biased_words``) to check what ``explain`` points at.
    """

    text: str = "text"
    label: str = "label"
    label_map: Mapping[Any, str | None] | None = None
    binary: bool = False
    split: str | None = None
    id: str | None = None
    words: str | None = None


@dataclass
class OutsideData:
    """Outside sentences with labels mapped to stance's (``not-loaded`` allowed in binary mode)."""

    texts: list[str]
    labels: np.ndarray
    raw_labels: list[str]
    ids: list[str]
    source: str
    text_column: str
    label_column: str
    label_map: dict[str, str | None] | None
    dropped: dict[str, int]
    words: list[list[str]] | None = None

    def __len__(self) -> int:
        return len(self.texts)


def _read_table(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of a CSV/TSV/JSONL/JSON file (see :mod:`stance.tables`)."""
    from stance.corpora import read_table
    from stance.errors import TableError

    try:
        cols, rows = read_table(path)
    except TableError as exc:
        raise EvaluationError(
            str(exc) + ("" if "unsupported" not in str(exc) else " (or a directory written by datasets' save_to_disk)")
        ) from None
    for r in rows:
        r.pop("__line__", None)
    return cols, rows


def _from_dataset(ds: Any, where: str, split: str | None, label_column: str) -> tuple[list[str], list[dict[str, Any]]]:
    from datasets import DatasetDict

    if isinstance(ds, DatasetDict):
        splits = list(ds)
        if split is None:
            if len(splits) != 1:
                raise EvaluationError(f"{where} holds the splits {', '.join(splits)}; choose one with split=")
            split = splits[0]
        if split not in ds:
            raise EvaluationError(f"{where} has no split {split!r}; it has {', '.join(splits)}")
        ds = ds[split]
    cols = list(ds.column_names)
    feat = ds.features.get(label_column) if hasattr(ds, "features") else None
    rows = ds.to_list()
    if feat is not None and hasattr(feat, "int2str"):
        for r in rows:
            if r.get(label_column) is not None:
                r[label_column] = feat.int2str(int(r[label_column]))
    return cols, rows


def _load_rows(data: Any, split: str | None, label_column: str) -> tuple[str, list[str], list[dict[str, Any]]]:
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.exists():
            raise EvaluationError(f"{path}: no such file or directory")
        if path.is_dir():
            from datasets import load_from_disk

            try:
                ds = load_from_disk(str(path))
            except (FileNotFoundError, ValueError) as exc:
                raise EvaluationError(f"{path}: not a dataset saved with datasets' save_to_disk ({exc})") from None
            cols, rows = _from_dataset(ds, str(path), split, label_column)
            return str(path), cols, rows
        cols, rows = _read_table(path)
        return str(path), cols, rows
    if hasattr(data, "column_names") and hasattr(data, "to_list") or type(data).__name__ == "DatasetDict":
        cols, rows = _from_dataset(data, "the dataset", split, label_column)
        return "the dataset", cols, rows
    if hasattr(data, "columns") and hasattr(data, "to_dict"):  # pandas DataFrame
        cols = [str(c) for c in data.columns]
        return "the DataFrame", cols, data.to_dict(orient="records")
    raise EvaluationError(
        f"cannot read outside data of type {type(data).__name__}: pass a CSV/TSV/JSONL path, a pandas DataFrame "
        "or a datasets dataset (or a directory saved with save_to_disk)"
    )


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _parse_words(v: Any) -> list[str]:
    if _missing(v):
        return []
    if isinstance(v, (list, tuple)):
        return [str(w) for w in v]
    s = str(v).strip()
    if not s:
        return []
    try:
        obj = ast.literal_eval(s)
    except (ValueError, SyntaxError):
        return [w.strip() for w in s.split(",") if w.strip()]
    return [str(w) for w in obj] if isinstance(obj, (list, tuple)) else [str(obj)]


def read_outside(data: Any, columns: OutsideColumns) -> OutsideData:
    """Read outside labelled data and map its labels onto stance's, as ``columns`` says.

    Rows whose label maps to ``None`` or ``"drop"`` are left out (and counted in ``dropped``). Raises :class:`EvaluationError` naming the source and column
    for a missing column, unknown labels or empty data.
    """
    text_column, label_column, label_map, binary = columns.text, columns.label, columns.label_map, columns.binary
    id_column, words_column = columns.id, columns.words
    where, cols, rows = _load_rows(data, columns.split, label_column)
    for what, col in (("text", text_column), ("label", label_column), ("id", id_column), ("words", words_column)):
        if col is not None and col not in cols:
            raise EvaluationError(
                f"{where}: no {what} column {col!r}; its columns are {', '.join(map(repr, cols)) or '(none)'}"
            )
    if not rows:
        raise EvaluationError(f"{where}: no rows (empty data)")
    targets = set(LABELS) | ({NOT_LOADED} if binary else set())
    mapping: dict[str, str | None] | None = None
    if label_map is not None:
        mapping = {}
        for k, v in label_map.items():
            v = None if v is None or str(v).strip().lower() in (DROP, "") else str(v).strip()
            if v is not None and v not in targets:
                extra = " (not-loaded only with binary=True)" if v == NOT_LOADED else ""
                raise EvaluationError(
                    f"label_map maps {k!r} to {v!r}, which is not one of {', '.join(sorted(targets))}{extra}; "
                    f"map a label to {DROP!r} to leave its rows out"
                )
            mapping[str(k)] = v
    raw = [None if _missing(r.get(label_column)) else str(r.get(label_column)).strip() for r in rows]
    empty_labels = [i + 1 for i, v in enumerate(raw) if v is None or v == ""]
    if empty_labels:
        raise EvaluationError(
            f"{where}: column {label_column!r} is empty in {len(empty_labels)} row(s), first row {empty_labels[0]}"
        )
    known = mapping if mapping is not None else {lab: lab for lab in LABELS}
    unknown = sorted({v for v in raw if v not in known})  # type: ignore[misc]
    if unknown:
        from collections import Counter

        counts = Counter(v for v in raw if v in unknown)
        shown = ", ".join(f"{u!r} ({counts[u]} row{'s' if counts[u] != 1 else ''})" for u in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        choices = "|".join(sorted(targets)) + f"|{DROP}"
        example = ", ".join(f'"{u}": "{choices}"' for u in unknown[:3])
        cli = ",".join(f"{u}=..." for u in unknown[:3])
        raise EvaluationError(
            f"{where}: column {label_column!r} has labels stance does not know: {shown}{more}. "
            f"Map each of them onto stance's labels with the label_map option, e.g. label_map={{{example}}} "
            f"(command line: --label-map '{cli}'); {DROP!r} leaves a label's rows out"
            + ("" if binary else f"; with binary=True (--binary) you may also map to {NOT_LOADED!r}")
        )
    texts, labels, raws, ids, words = [], [], [], [], []
    dropped: dict[str, int] = {}
    for i, (r, v) in enumerate(zip(rows, raw)):
        target = known[v]  # type: ignore[index]
        if target is None:
            dropped[v] = dropped.get(v, 0) + 1  # type: ignore[index]
            continue
        t = r.get(text_column)
        if _missing(t) or not str(t).strip():
            raise EvaluationError(f"{where}: column {text_column!r} is empty in row {i + 1}")
        texts.append(str(t))
        labels.append(target)
        raws.append(v)
        ids.append(str(r.get(id_column)) if id_column else str(i + 1))
        if words_column:
            words.append(_parse_words(r.get(words_column)))
    if not texts:
        raise EvaluationError(f"{where}: no rows left after mapping labels (dropped: {dropped})")
    return OutsideData(
        texts=texts,
        labels=np.asarray(labels, dtype=object),
        raw_labels=raws,
        ids=ids,
        source=where,
        text_column=text_column,
        label_column=label_column,
        label_map=mapping,
        dropped=dropped,
        words=words if words_column else None,
    )


def loaded_figures(sc: Mapping[str, Any], iv: Mapping[str, Any]) -> dict[str, Any]:
    """Loaded precision, recall and F1 with their intervals, from :func:`scores` and :func:`bootstrap`."""
    p, b = sc["per_class"]["loaded"], iv["per_class"]["loaded"]
    return {"precision": p["precision"], "recall": p["recall"], "f1": p["f1"],
            "precision_interval": b["precision"], "recall_interval": b["recall"], "f1_interval": b["f1"]}


def evaluate_on(model: Any, data: Any, columns: OutsideColumns, *, n_bootstrap: int = 1000, seed: int = 0,
                level: float = 0.95, explain_k: int = 5, model_name: str | None = None) -> dict[str, Any]:
    """Score a fitted model on outside labelled data, read as ``columns`` says.

    ``data`` is a CSV/TSV/JSONL path, a pandas DataFrame, a ``datasets``
    dataset or a directory saved with ``save_to_disk``. Three-class mode
    scores claim/quote/loaded; ``columns.binary`` scores loaded vs not-loaded
    (binary macro-F1 and loaded precision/recall with bootstrap intervals).
    With ``columns.words`` (e.g. BABE's ``biased_words``) the result also says
    how often ``model.explain`` points at those words, for sentences that are
    gold loaded and predicted loaded (n/a for models without ``explain``).
    The returned dict has an ``errors`` list (misclassified rows with text).
    """
    od = read_outside(data, columns)
    binary = columns.binary
    pred = np.asarray([str(p) for p in model.predict(od.texts)], dtype=object)
    unknown = sorted(set(pred) - set(LABELS))
    if unknown:
        raise EvaluationError(f"the model predicted labels outside {', '.join(LABELS)}: {', '.join(unknown)}")
    proba = aligned_proba(model, od.texts, LABELS)
    if binary:
        labels = list(BINARY_LABELS)
        gold = np.where(od.labels == "loaded", "loaded", NOT_LOADED).astype(object)
        shown = np.where(pred == "loaded", "loaded", NOT_LOADED).astype(object)
    else:
        labels = list(LABELS)
        gold, shown = od.labels, pred
    sc = scores(gold, shown, labels)
    iv = bootstrap(gold, shown, labels, n_bootstrap=n_bootstrap, seed=seed, level=level)
    from collections import Counter

    out: dict[str, Any] = {
        "model": model_name or name_of_model(model),
        "source": od.source,
        "text_column": od.text_column,
        "label_column": od.label_column,
        "label_map": od.label_map,
        "mode": "binary: loaded vs not-loaded" if binary else "three-class: claim/quote/loaded",
        "binary": binary,
        "never_seen": True,
        "note": NEVER_SEEN,
        "n": len(od),
        "dropped": od.dropped,
        "gold_labels": dict(sorted(Counter(od.raw_labels).items())),
        "predicted_labels": {lab: int(np.sum(pred == lab)) for lab in LABELS},
        "metrics": sc,
        "intervals": iv,
    }
    if binary:
        out["loaded"] = loaded_figures(sc, iv)
    if od.words is not None:
        sel = [j for j in range(len(od)) if od.labels[j] == "loaded" and pred[j] == "loaded"]
        out["explain_overlap"] = explain_overlap(
            model, [od.texts[j] for j in sel], [od.words[j] for j in sel], k=explain_k
        ) | {"selection": "gold loaded and predicted loaded, with marked words", "words_column": columns.words}
    errors = []
    for j in np.flatnonzero(gold != shown):
        row = {"model": out["model"], "id": od.ids[j], "gold": str(gold[j]), "gold_raw": od.raw_labels[j],
               "predicted": str(pred[j])}
        for c, lab in enumerate(LABELS):
            row[f"p_{lab}"] = as_float(round(float(proba[j, c]), 4))
        row["text"] = od.texts[j]
        errors.append(row)
    out["errors"] = errors
    return out


def parse_label_map(text: str | None) -> dict[str, str | None] | None:
    """``'{"SUBJ": "loaded"}'`` or ``SUBJ=loaded,OBJ=claim`` -> dict (``drop`` or empty -> None)."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    if s.startswith("{"):
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"--label-map is not valid JSON ({exc.msg}); use '{{\"SUBJ\": \"loaded\"}}' or SUBJ=loaded") from None
        if not isinstance(obj, dict):
            raise EvaluationError("--label-map JSON must be an object mapping outside labels to stance labels")
        return {str(k): (None if v is None else str(v)) for k, v in obj.items()}
    out: dict[str, str | None] = {}
    for part in s.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise EvaluationError(f"--label-map: {part.strip()!r} is not KEY=VALUE; use SUBJ=loaded,OBJ=claim or JSON")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip() or None
    return out
