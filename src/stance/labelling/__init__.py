"""Applying a model to your texts: files, archives, Spark, the sentences to label first, a page.

Every path labels through :mod:`stance.pipeline`, so a sentence gets the same label everywhere.

- files (``stance label``): :func:`label_files` streams text files, stdin or JSONL records into a
  :class:`Writer` (:func:`make_writer`: ``jsonl``, ``csv``, ``table``) in bounded memory;
- archives on many cores: :func:`sentence_rows` and :class:`LabelBatch` (a ``datasets.Dataset.map``
  function, one row per sentence);
- Spark clusters (the ``spark`` extra): :func:`spark_label` (a DataFrame of documents to one of
  sentences) and :func:`spark_label_files` (``stance spark-label``);
- the sentences worth labelling first: :func:`select_uncertain` and :class:`UncertainWriter`;
- the HTML page of labelled articles: :func:`render` and :func:`write_html`.
"""

from __future__ import annotations

from ._batch import ROW_FIELDS, LabelBatch, columns, model_for, sentence_rows
from ._files import CHUNK_CHARS, iter_jsonl_records, iter_text_chunks, label_files, open_input, progress_bar
from ._html import LABEL_STYLES, render, write_html
from ._spark import SPARK_MISSING_EXTRA, SPARK_SCHEMA, spark_label, spark_label_files, spark_session
from ._uncertain import STRATEGIES, UNCERTAIN_FIELDS, UncertainWriter, pick_diverse, select_uncertain, uncertainty
from ._writers import CSV_FIELDS, CsvWriter, JsonlWriter, TableWriter, Writer, make_writer

__all__ = [
    "label_files", "open_input", "iter_text_chunks", "iter_jsonl_records", "progress_bar", "CHUNK_CHARS",
    "Writer", "JsonlWriter", "CsvWriter", "TableWriter", "make_writer", "CSV_FIELDS",
    "ROW_FIELDS", "sentence_rows", "columns", "LabelBatch", "model_for",
    "SPARK_SCHEMA", "SPARK_MISSING_EXTRA", "spark_label", "spark_label_files", "spark_session",
    "STRATEGIES", "UNCERTAIN_FIELDS", "uncertainty", "pick_diverse", "UncertainWriter", "select_uncertain",
    "render", "write_html", "LABEL_STYLES",
]
