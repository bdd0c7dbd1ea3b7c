"""Applying a model to your texts: files, archives, Spark, the sentences to label first, a page.

Every path labels through :mod:`stance.pipeline`, so a sentence gets the same label everywhere.

- files (``stance label``): :func:`label_files` checks every input first (:func:`check_inputs`:
  PDFs, archives, images and other binary files are named; the encoding; JSONL records), then
  streams text files, stdin or JSONL records into a :class:`Writer` (:func:`make_writer`: ``jsonl``,
  ``csv``, ``table``) in bounded memory;
- archives on many cores: :func:`sentence_rows` and :class:`LabelBatch` (a ``datasets.Dataset.map``
  function, one row per sentence);
- Spark clusters (the ``spark`` extra): :func:`spark_label` (a DataFrame of documents to one of
  sentences) and :func:`spark_label_files` (``stance spark-label``);
- the sentences worth labelling first: :func:`select_uncertain` and :class:`UncertainWriter`;
- the HTML page of labelled articles: :func:`render` and :func:`write_html`, and :class:`HtmlPage`,
  built a document at a time and bounded (``stance label --html``).
"""

from __future__ import annotations

from ._batch import ROW_FIELDS, LabelBatch, columns, model_for, sentence_rows
from ._files import label_files, progress_bar
from ._html import LABEL_STYLES, PAGE_MAX_INPUT, HtmlPage, render, write_html
from ._inputs import CHUNK_CHARS, PIECE_BYTES, check_inputs, iter_jsonl_records, iter_text_chunks, open_input
from ._sniff import SIGNATURES, sniff
from ._spark import SPARK_MISSING_EXTRA, SPARK_SCHEMA, spark_label, spark_label_files, spark_session
from ._uncertain import STRATEGIES, UNCERTAIN_FIELDS, UncertainWriter, pick_diverse, select_uncertain, uncertainty
from ._writers import CSV_FIELDS, CsvWriter, JsonlWriter, TableWriter, Writer, make_writer

__all__ = [
    "label_files", "check_inputs", "open_input", "iter_text_chunks", "iter_jsonl_records", "progress_bar", "CHUNK_CHARS",
    "PIECE_BYTES", "sniff", "SIGNATURES",
    "Writer", "JsonlWriter", "CsvWriter", "TableWriter", "make_writer", "CSV_FIELDS",
    "ROW_FIELDS", "sentence_rows", "columns", "LabelBatch", "model_for",
    "SPARK_SCHEMA", "SPARK_MISSING_EXTRA", "spark_label", "spark_label_files", "spark_session",
    "STRATEGIES", "UNCERTAIN_FIELDS", "uncertainty", "pick_diverse", "UncertainWriter", "select_uncertain",
    "render", "write_html", "HtmlPage", "PAGE_MAX_INPUT", "LABEL_STYLES",
]
