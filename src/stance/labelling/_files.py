"""Labelling files for ``stance label``: inputs checked first, then read and labelled in bounded memory.

Every input is checked before the first is labelled (:func:`~stance.labelling.check_inputs`: it
exists, it is text and not a PDF, an archive or an image, it decodes, its JSONL records have text),
so a bad one stops the command before anything is written. Plain text is then labelled chunk by
chunk (memory bounded by the chunk, whatever the lines: see :mod:`._inputs`), JSONL record by record
(bounded by the largest record). Every sentence goes through :mod:`stance.pipeline` and out to a
:class:`~stance.labelling.Writer` as it comes, and each document to an
:class:`~stance.labelling.HtmlPage` if one is given. Problems with the input raise
:class:`~stance.errors.InputError` naming the file, line and field.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

from stance import pipeline
from stance.text import Document

from ._inputs import CHUNK_CHARS, check_inputs, iter_jsonl_records, iter_text_chunks, open_input
from ._writers import Writer

__all__ = ["progress_bar", "label_files"]


def progress_bar(total: int | None, desc: str):
    """A tqdm progress bar on stderr when stderr is a terminal, else ``None``."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc=desc, file=sys.stderr, leave=False)


_LINE = re.compile(r"[^\r\n]+")


def label_files(
    model: pipeline.Predictor,
    paths: list[str],
    writer: Writer,
    *,
    jsonl: bool = False,
    sentences: bool = False,
    text_field: str = "text",
    id_field: str | None = None,
    encoding: str = "utf-8",
    explain: bool = False,
    k: int = 5,
    progress: bool = True,
    keep_documents: bool = False,
    chunk_chars: int = CHUNK_CHARS,
    allow_empty: bool = False,
    page: Any = None,
) -> tuple[int, list[tuple[Any, str]] | None]:
    """Label files (``"-"``: standard input) with ``model`` into ``writer``, streamed.

    Every input is checked first (:func:`~stance.labelling.check_inputs`); nothing reaches
    ``writer`` if one is bad. Plain text is labelled chunk by chunk, about ``chunk_chars``
    characters at a time (cut at a line break; a longer line after a sentence end or at whitespace),
    as running text or, with ``sentences``, one sentence per line; with ``jsonl`` each record's
    ``text_field`` is a document (a record with empty text is refused unless ``allow_empty``).
    ``page`` (an :class:`~stance.labelling.HtmlPage`) gets each labelled document as it comes, and
    refuses input over its bound before any is labelled. Returns the number of sentences written and,
    with ``keep_documents``, the labelled documents with their texts (all held in memory).
    The writer is not closed: the caller decides what an empty input means.
    """
    paths = list(paths) or ["-"]
    stdin = check_inputs(paths, encoding=encoding, jsonl=jsonl, text_field=text_field, id_field=id_field,
                         allow_empty=allow_empty, stdin_limit=None if page is None else page.max_input,
                         size_check=None if page is None else page.check_input)
    documents: list[tuple[Any, str]] | None = [] if keep_documents else None

    def keep(doc: Document, text: str) -> None:
        if documents is not None:
            documents.append((doc, text))
        if page is not None:
            page.add(doc, text)

    keeping = keep if documents is not None or page is not None else None
    total = 0
    for path in paths:
        fh, name, nbytes = (stdin, "<stdin>", None) if path == "-" else open_input(path, encoding)
        bar = progress_bar(nbytes, Path(name).name) if progress else None
        try:
            if jsonl:
                for lineno, rid, text in iter_jsonl_records(fh, name, text_field, id_field, encoding, bar,
                                                            allow_empty=allow_empty):
                    doc = pipeline.label_text(model, text, explain=explain, k=k, id=rid or f"line {lineno}")
                    total += _emit(writer, name, rid or str(lineno), doc, keeping, text)
            else:
                total += _label_chunks(model, writer, name, iter_text_chunks(fh, name, encoding, chunk_chars, progress=bar),
                                       sentences, explain, k, keeping)
        finally:
            if bar is not None:
                bar.close()
            if fh is not stdin:
                fh.close()
    return total, documents


_Keep = Callable[[Document, str], None]


def _emit(writer: Writer, source: str, record: str | None, doc: Document, keep: _Keep | None, text: str) -> int:
    for i, s in enumerate(doc.sentences):
        writer.sentence(source, record, i, s)
    writer.summary(source, record, doc.summary["counts"], doc.summary["labelled"])
    if keep is not None:
        keep(doc, text)
    return len(doc.sentences)


def _label_chunks(model: pipeline.Predictor, writer: Writer, name: str, chunks: Iterator[tuple[int, str]], sentences: bool,
                  explain: bool, k: int, keep: _Keep | None) -> int:
    """Label a text file chunk by chunk: memory stays bounded by the chunk size (a page keeps the
    file's sentences: its memory is bounded by the file, the document)."""
    from collections import Counter

    counts: Counter = Counter()
    n = labelled = 0
    kept: list | None = [] if keep is not None else None
    texts: list[str] = []
    for offset, chunk in chunks:
        if sentences:
            lines = [(m.start() + offset, m.group()) for m in _LINE.finditer(chunk) if m.group().strip()]
            doc = pipeline.label_sentences(model, [t for _, t in lines], starts=[o for o, _ in lines],
                                           explain=explain, k=k, id=name)
        else:
            doc = pipeline.label_text(model, chunk, explain=explain, k=k, id=name, offset=offset,
                                      headline=offset == 0)
        for s in doc.sentences:
            writer.sentence(name, None, n, s)
            n += 1
        counts.update(doc.summary["counts"])
        labelled += doc.summary["labelled"]
        if kept is not None:
            kept.extend(doc.sentences)
            texts.append(chunk)
    if n:
        writer.summary(name, None, {c: counts.get(c, 0) for c in model.classes_}, labelled)
    if keep is not None and kept:
        keep(Document(kept, labels=tuple(model.classes_), id=name), "".join(texts))
    return n
