"""The labelled data: the corpus, the labelled sets, the news set, and reading tables.

- the corpus (``corpus/`` and ``labels/``): :func:`read`, :func:`check`, :func:`records`,
  :func:`load` (a ``datasets.Dataset``), :func:`stats`, :func:`add_document`;
- the labelled sets: :func:`load_outside` (the outside codebook set and the vaccines set: row keys
  and hashes in the repository, text joined at load time from ``../shared/external``) and
  :func:`load_constructed` (the constructed training set);
- tables: :func:`read_table` reads CSV, TSV, JSONL and JSON with errors naming file and line.
"""

from __future__ import annotations

from ._corpus import DECISIONS, data_root, DOC_ID, GOLD, Corpus, Problem, check, load, read, read_jsonl, records
from ._curation import add_document, format_stats, stats
from ._news import NEWS_SOURCES, NEWS_SPLITS, load_news, news_documents, news_records, wnc_records
from ._sets import (
    LABELLED_SETS,
    OUTSIDE_SPLITS,
    constructed_records,
    default_external,
    load_constructed,
    load_outside,
    outside_records,
    sha256,
)
from ._tables import SUFFIXES, json_object, json_type, read_table

__all__ = [
    "data_root", "DECISIONS", "GOLD", "DOC_ID", "Problem", "Corpus", "read", "read_jsonl", "check", "records", "load",
    "stats", "format_stats", "add_document",
    "OUTSIDE_SPLITS", "LABELLED_SETS", "default_external", "outside_records", "load_outside", "constructed_records",
    "load_constructed", "sha256",
    "NEWS_SPLITS", "NEWS_SOURCES", "news_documents", "news_records", "wnc_records", "load_news",
    "read_table", "json_object", "json_type", "SUFFIXES",
]
