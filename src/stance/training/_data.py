"""Training data: what :func:`stance.train` learns from, read and checked before any fitting.

:class:`TrainingData` holds texts, labels, documents, ids and where each row came from (a file
line, the constructed set, the user's rows). :func:`read_data` reads a CSV/TSV/JSONL file, a
``datasets.Dataset``, a pandas ``DataFrame`` or a list of dicts, with a :class:`DataError`
naming the file, row and column; :func:`builtin_data` is the shipped data (the corpus and the
project's constructed set, see :mod:`stance.corpora`); :func:`extend_data` adds a user's
rows to it; :func:`wide_data` adds the outside dev labels (the ``wide`` model only).
"""

from __future__ import annotations

import hashlib
from dataclasses import KW_ONLY, dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from stance import LABELS
from stance.errors import DataError

__all__ = ["TrainingData", "read_data", "builtin_data", "extend_data", "wide_data", "fingerprint", "repeated_rows",
           "CONSTRUCTED_WEIGHT", "NEWS_WEIGHT", "WNC_WEIGHT", "USER_WEIGHT"]

# The weights of a constructed row and of a sentence of the news set's train split (corpus/news),
# relative to a corpus sentence. Chosen with the hybrid's C on the news set's dev split and the outside
# codebook set's dev split, the best mean of the two (python experiments/news.py --grid): the real news
# sentences teach how news speaks, the constructed rows the distinctions the opinion-heavy outside text
# needs (more weight to them raised outside dev, 0.596 -> 0.645, and lowered news dev a little).
CONSTRUCTED_WEIGHT = 0.5
NEWS_WEIGHT = 1.0
# The weight of a Wikipedia neutrality-pair sentence (corpus/news/wnc.jsonl, both sides of each edit,
# labelled blind): with them at 0.3, outside dev rose 0.645 -> 0.661 and news dev held (0.723 -> 0.725)
# (python experiments/news.py --wnc), so they are training rows.
WNC_WEIGHT = 0.3

# The weight of one of the user's rows in ``train(..., extend=True)``, relative to a corpus
# sentence. Chosen on the outside codebook set's dev split, on partitions of it that the reported
# adaptation figures do not use (python experiments/adapt.py --choose-weight; experiments/README.md, adapt).
USER_WEIGHT = 2.0


@dataclass(eq=False, repr=False)
class TrainingData:
    """Texts, labels, optional document groups and ids, and where they came from.

    ``constructed`` marks rows written by the project (training only), ``news`` the rows of the
    news set's train split, ``wnc`` the Wikipedia neutrality-pair rows: cross-validation over the
    corpus documents adds them to every training fold and never scores them (:meth:`extra_rows`), and
    fitting weights them by :data:`CONSTRUCTED_WEIGHT`, :data:`NEWS_WEIGHT` and :data:`WNC_WEIGHT`. ``user`` marks the rows a user added to the shipped data
    (:func:`extend_data`), weighted by ``user_weight``. ``where`` says where each row was read
    (``file:line``), for messages. ``licences`` names the sources of the rows and their licences, for
    the model card.
    """

    texts: list[str]
    labels: list[str]
    groups: list[str] | None
    ids: list[str] | None
    source: str
    constructed: list[bool] | None = None
    _: KW_ONLY
    news: list[bool] | None = None
    wnc: list[bool] | None = None
    user: list[bool] | None = None
    user_weight: float = 1.0
    where: list[str] | None = None
    licences: list[dict[str, str]] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def extra_rows(self) -> np.ndarray:
        """Which rows are not corpus documents (constructed or news rows): they join every training
        fold of a leave-one-document-out run and are never scored."""
        mask = np.zeros(len(self.texts), dtype=bool)
        for flags in (self.constructed, self.news, self.wnc):
            if flags is not None:
                mask |= np.asarray(flags, dtype=bool)
        return mask

    def sample_weight(self) -> np.ndarray | None:
        """Per-row training weights (``None`` when every row counts the same)."""
        w = np.ones(len(self.texts))
        if self.constructed is not None:
            w[np.asarray(self.constructed, dtype=bool)] = CONSTRUCTED_WEIGHT
        if self.news is not None:
            w[np.asarray(self.news, dtype=bool)] = NEWS_WEIGHT
        if self.wnc is not None:
            w[np.asarray(self.wnc, dtype=bool)] = WNC_WEIGHT
        if self.user is not None:
            w[np.asarray(self.user, dtype=bool)] = self.user_weight
        return None if np.all(w == 1.0) else w


def _rows_from_file(path: Path) -> tuple[list[dict[str, Any]], str]:
    from stance.corpora import read_table
    from stance.errors import TableError

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

    Every row needs a text (not empty, not only whitespace) and a label; a :class:`DataError` names
    the first row that has not (``file:line``). ``labels``: the allowed label names (``None`` allows
    any, for custom schemes).
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
        if not t.strip():
            raise DataError(f"{where}: field {text_column!r} is empty; a row needs the sentence it labels")
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


def builtin_data(constructed: bool = True, news: bool = True) -> TrainingData:
    """The training data shipped with stance: the corpus (labels/gold.jsonl), unless ``news=False``
    the news set's train split (corpus/news, labels/news/gold.jsonl; never its dev, test or one-topic
    block) and the Wikipedia neutrality pairs' train part (labels/news/wnc.jsonl), and unless
    ``constructed=False`` the project's constructed set (corpus/constructed.jsonl)."""
    from stance import corpora

    rows = corpora.records()
    source = "stance corpus (labels/gold.jsonl)"
    kinds = ["corpus"] * len(rows)
    if news:
        extra = corpora.news_records("train")
        pairs = [r | {"doc_id": r["pair"], "source": "wnc"} for r in corpora.wnc_records() if r["source_split"] == "train"]
        rows = rows + extra + pairs
        kinds += ["news"] * len(extra) + ["wnc"] * len(pairs)
        source += " + news set train split and Wikipedia neutrality pairs (corpus/news)"
    if constructed:
        extra = corpora.constructed_records()
        rows = rows + extra
        kinds += ["constructed"] * len(extra)
        source += " + constructed set (corpus/constructed.jsonl)"
    return TrainingData([r["text"] for r in rows], [r["label"] for r in rows], [r["doc_id"] for r in rows],
                        [r["id"] for r in rows], source, [k == "constructed" for k in kinds] if constructed else None,
                        news=[k == "news" for k in kinds] if news else None,
                        wnc=[k == "wnc" for k in kinds] if news else None,
                        licences=shipped_licences(rows if news else []) + (CONSTRUCTED_LICENCE if constructed else []))


CORPUS_LICENCE = [{"source": "stance corpus: five news and advocacy articles on Cuba's medical missions "
                             "(corpus/sources/)", "licence": "quoted for research; see corpus/documents.jsonl"}]
CONSTRUCTED_LICENCE = [{"source": "stance constructed set (corpus/constructed.jsonl), written by the project",
                        "licence": "MIT, like stance"}]
_NEWS_SOURCES = {"wikinews": "Wikinews articles and interviews (https://en.wikinews.org), corpus/news",
                 "wnc": "Wiki Neutrality Corpus sample: Wikipedia sentences before and after a neutralising edit "
                        "(rpryzant/neutralizing-bias), corpus/news/wnc.jsonl",
                 "current-events": "Wikipedia Current Events summaries (https://en.wikipedia.org/wiki/Portal:Current_events), "
                                   "corpus/news",
                 "congress": "press releases of members of the US Congress, corpus/news",
                 "speeches": "US presidential speeches (Miller Center transcripts), corpus/news"}


def shipped_licences(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The sources and licences of the shipped data's rows: the corpus, and each news source present."""
    from stance.corpora import news_documents

    out = list(CORPUS_LICENCE)
    present = {r["source"] for r in rows if r.get("source")}
    if present:
        licence = {d["source"]: d["licence"] for d in news_documents()} | {"wnc": "CC BY-SA (Wikipedia text)"}
        out += [{"source": _NEWS_SOURCES[s], "licence": licence[s]} for s in _NEWS_SOURCES if s in present]
    return out


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
    for i, t in enumerate(user.texts):
        first.setdefault(_norm(t), i)
    conflicts = repeated_rows(user)
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
        news=[(base.news or [False] * len(base))[j] for j in keep] + [False] * n if base.news is not None else None,
        wnc=[(base.wnc or [False] * len(base))[j] for j in keep] + [False] * n if base.wnc is not None else None,
        user=[False] * len(keep) + [True] * n, user_weight=weight,
        where=[f"shipped row {j}" for j in keep] + where,
        licences=(base.licences or []) + [{"source": user.source, "licence": "the user's own data"}],
    )
    return data, conflicts


def repeated_rows(data: TrainingData) -> list[dict[str, Any]]:
    """Rows of ``data`` that repeat an earlier one: the same text (whitespace aside) with another
    label, or the same id. Each names both rows (``file:line``); training goes on, with a warning."""
    where = data.where or [f"{data.source}, row {i}" for i in range(len(data))]
    out: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for i, t in enumerate(data.texts):
        j = first.setdefault(_norm(t), i)
        if j != i and data.labels[j] != data.labels[i]:
            out.append({"where": where[i], "text": t, "label": data.labels[i], "other_label": data.labels[j],
                        "other": where[j], "kind": "your data labels this text twice"})
    if data.ids is not None:
        seen: dict[str, int] = {}
        for i, k in enumerate(data.ids):
            j = seen.setdefault(k, i)
            if j != i:
                out.append({"where": where[i], "text": data.texts[i], "label": data.labels[i],
                            "other_label": data.labels[j], "other": where[j], "kind": f"the id {k!r} is used twice"})
    return out


def fingerprint(data: TrainingData) -> str:
    """sha256 of the training rows (ids, or texts when there are none, and labels)."""
    h = hashlib.sha256()
    keys = data.ids if data.ids is not None else data.texts
    for k, y in zip(keys, data.labels):
        h.update(k.encode("utf-8") + b"\t" + y.encode("utf-8") + b"\n")
    return "sha256:" + h.hexdigest()


def wide_data(external: Any = None) -> TrainingData:
    """The built-in training data plus the outside codebook set's dev labels (for the ``wide`` model).

    The dev texts come from CheckThat! (CC BY-NC-SA 4.0) and BABE (GNU AGPL v3): a model trained on
    them carries those terms. The test split is never included.
    """
    from stance.corpora import outside_records

    base = builtin_data()
    dev = outside_records("dev", external=external)
    return TrainingData(
        base.texts + [r["text"] for r in dev], base.labels + [r["label"] for r in dev],
        base.groups + [r["doc_id"] for r in dev], base.ids + [r["id"] for r in dev],
        base.source + " + outside codebook set dev split (labels/outside/, CheckThat! and BABE texts)",
        base.constructed + [False] * len(dev), news=None if base.news is None else base.news + [False] * len(dev),
        wnc=None if base.wnc is None else base.wnc + [False] * len(dev),
        licences=(base.licences or []) + [
            {"source": "CheckThat! 2025 subjectivity (English), rows of the outside codebook set's dev split",
             "licence": "CC BY-NC-SA 4.0"},
            {"source": "BABE (Spinde et al. 2021), rows of the outside codebook set's dev split",
             "licence": "GNU AGPL v3"}])
