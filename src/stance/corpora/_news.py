"""The news set: real documents from many topics and registers, labelled whole (``corpus/news``).

546 openly licensed documents (Wikinews articles and interviews, Wikipedia's Current Events
summaries, press releases of members of the US Congress, US presidential speeches), every sentence
decided under the codebook (``labels/news/gold.jsonl``), split once by document into ``train``,
``dev`` and ``test``; a one-topic block of press releases on immigration and the border, split
into ``pool`` and ``heldout``, kept out of the default's training; and the Wiki Neutrality Corpus
sample (Wikipedia sentences before and after a neutralising edit, read alone,
``labels/news/wnc.jsonl``). ``corpus/news/sample.py`` says how it was drawn, ``NOTICE-*.md`` beside
it gives each source's licence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stance import LABELS
from stance.errors import CorpusError

from ._corpus import Problem, data_root

__all__ = ["NEWS_SPLITS", "NEWS_SOURCES", "news_documents", "news_records", "wnc_records", "load_news"]

NEWS_SPLITS = ("train", "dev", "test", "pool", "heldout")
NEWS_SOURCES = ("wikinews", "congress", "speeches", "current-events")
_NEWS = "corpus/news"
_LABELS = "labels/news"


def _rows(path: Path, rel: str) -> list[dict[str, Any]]:
    if not path.is_file():
        raise CorpusError(Problem(rel, None, None, "file not found (the news set is not in this installation)"))
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise CorpusError(Problem(rel, n, None, f"not valid JSON ({exc.msg})")) from None
    return out


def news_documents(root: str | Path | None = None) -> list[dict[str, Any]]:
    """Every document of the news set: id, source, genre, title, url, date, licence, split, wave, block."""
    base = Path(root) if root is not None else data_root()
    return _rows(base / _NEWS / "documents.jsonl", f"{_NEWS}/documents.jsonl")


def news_records(split: str | tuple[str, ...] | None = None, *, source: str | None = None,
                 root: str | Path | None = None, include_excluded: bool = False) -> list[dict[str, Any]]:
    """The news set's decided sentences as plain dicts, in document order.

    ``split``: one of :data:`NEWS_SPLITS` or a tuple of them (default: all); ``source``: one of
    :data:`NEWS_SOURCES`. Each row has ``id``, ``doc_id``, ``text``, ``label``, ``speaker``, ``direct``,
    ``cues``, ``source``, ``genre``, ``split`` and ``block`` (the one-topic block's topic, or None).
    Repeats of an earlier sentence and excluded sentences are left out unless ``include_excluded``
    (then excluded rows carry their ``reason``; repeats still never appear twice).
    """
    splits = (split,) if isinstance(split, str) else split
    for s in splits or ():
        if s not in NEWS_SPLITS:
            raise ValueError(f"unknown news split {s!r}; expected one of {', '.join(NEWS_SPLITS)}")
    if source is not None and source not in NEWS_SOURCES:
        raise ValueError(f"unknown news source {source!r}; expected one of {', '.join(NEWS_SOURCES)}")
    base = Path(root) if root is not None else data_root()
    docs = {d["id"]: d for d in news_documents(root)}
    gold = {r["id"]: r for r in _rows(base / _LABELS / "gold.jsonl", f"{_LABELS}/gold.jsonl")}
    out = []
    for s in _rows(base / _NEWS / "sentences.jsonl", f"{_NEWS}/sentences.jsonl"):
        doc = docs[s["doc_id"]]
        if (splits and doc["split"] not in splits) or (source and doc["source"] != source) or s["duplicate_of"]:
            continue
        d = gold.get(s["id"])
        if d is None:
            raise CorpusError(Problem(f"{_LABELS}/gold.jsonl", None, "id", f"sentence {s['id']} has no decision"))
        if d["label"] == "excluded" and not include_excluded:
            continue
        out.append({"id": s["id"], "doc_id": s["doc_id"], "text": s["text"], "label": d["label"],
                    "speaker": d.get("speaker") if d["label"] == "quote" else None,
                    "direct": bool(d.get("direct")) if d["label"] == "quote" else None,
                    "cues": list(d.get("cues") or []) if d["label"] == "loaded" else [],
                    "reason": d.get("reason") if d["label"] == "excluded" else None,
                    "source": doc["source"], "genre": doc["genre"], "split": doc["split"], "block": doc.get("block")})
    return out


def wnc_records(root: str | Path | None = None) -> list[dict[str, Any]]:
    """Both sides of every Wiki Neutrality Corpus pair, decided under the codebook (excluded rows left
    out): ``id``, ``pair``, ``side`` (``pre``: before the neutralising edit, ``post``: after),
    ``source_split``, ``text`` (lower-cased and tokenised, as the corpus gives it), ``label``."""
    base = Path(root) if root is not None else data_root()
    gold = {r["id"]: r for r in _rows(base / _LABELS / "wnc.jsonl", f"{_LABELS}/wnc.jsonl")}
    out = []
    for r in _rows(base / _NEWS / "wnc.jsonl", f"{_NEWS}/wnc.jsonl"):
        d = gold.get(r["id"])
        if d is not None and d["label"] in LABELS:
            out.append({**r, "label": d["label"]})
    return out


def load_news(split: str | tuple[str, ...] | None = None, *, source: str | None = None,
              root: str | Path | None = None):
    """The news set's labelled sentences as an in-memory ``datasets.Dataset`` (see :func:`news_records`);
    ``label`` is a ``ClassLabel`` with names ``claim``, ``quote``, ``loaded``."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    rows = news_records(split, source=source, root=root)
    features = Features({"id": Value("string"), "doc_id": Value("string"), "text": Value("string"),
                         "label": ClassLabel(names=list(LABELS)), "speaker": Value("string"), "direct": Value("bool"),
                         "cues": Sequence(Value("string")), "source": Value("string"), "genre": Value("string"),
                         "split": Value("string"), "block": Value("string")})
    return Dataset.from_list([{k: r[k] for k in features} for r in rows], features=features)
