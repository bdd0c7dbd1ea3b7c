"""Labelling files for ``stance label``: inputs read and labelled in bounded memory.

Plain text is read in chunks cut at line breaks (a line break always ends a sentence for the
segmenter, so chunking never changes the result) and labelled chunk by chunk; JSONL input is
labelled record by record. Every sentence goes through :mod:`stance.pipeline` and out to a
:class:`~stance.labelling.Writer` as it comes. Problems with the input raise
:class:`~stance.errors.InputError` naming the file, line and field.
"""

from __future__ import annotations

import codecs
import re
import sys
from pathlib import Path
from typing import IO, Any, Iterator

from stance import pipeline
from stance._paths import existing_file
from stance.corpora import json_object, json_type
from stance.errors import InputError
from stance.text import Document

from ._writers import Writer

__all__ = ["iter_text_chunks", "iter_jsonl_records", "open_input", "progress_bar", "label_files", "CHUNK_CHARS"]

CHUNK_CHARS = 1 << 20


def open_input(path: str, encoding: str = "utf-8") -> tuple[IO[bytes], str, int | None]:
    """A binary handle for ``path`` (``-`` is stdin), its display name and size in bytes."""
    if path == "-":
        return sys.stdin.buffer, "<stdin>", None
    p = existing_file(path, InputError, "is a directory; pass the text files inside it")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r} (--encoding)") from None
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    return fh, path, p.stat().st_size


def _decoded_lines(fh: IO[bytes], name: str, encoding: str) -> Iterator[tuple[int, str, int]]:
    """(line number, decoded line, size in bytes), with clear errors for binary or mis-encoded input."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pos = 0
    for lineno, raw in enumerate(fh, 1):
        if b"\x00" in raw and not encoding.lower().replace("-", "").startswith("utf16"):
            raise InputError(f"{name}:{lineno}: looks like a binary file (NUL bytes), not text")
        try:
            line = decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}:{lineno}: not valid {encoding.removesuffix('-sig')} (byte {pos + exc.start} of the file); "
                "pass the right --encoding (for example --encoding latin-1)"
            ) from None
        except UnicodeError as exc:  # a decoder's own complaint, e.g. UTF-16 without a byte-order mark
            raise InputError(f"{name}:{lineno}: not valid {encoding} ({exc}); pass the right --encoding") from None
        pos += len(raw)
        yield lineno, line, len(raw)
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeError:
        raise InputError(f"{name}: ends inside a {encoding} character; the file is truncated or not {encoding}") from None
    if tail:
        yield lineno + 1, tail, 0


def iter_text_chunks(fh: IO[bytes], name: str, encoding: str = "utf-8", chunk_chars: int = CHUNK_CHARS,
                     progress: Any = None) -> Iterator[tuple[int, str]]:
    """(character offset, text) chunks of a text stream, each ending at a line break."""
    buf: list[str] = []
    size = 0
    offset = 0
    if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
        encoding = "utf-8-sig"  # drop a byte-order mark
    for _, line, nbytes in _decoded_lines(fh, name, encoding):
        buf.append(line)
        size += len(line)
        if progress is not None:
            progress.update(nbytes)
        if size >= chunk_chars and line.endswith("\n"):
            chunk = "".join(buf)
            yield offset, chunk
            offset += len(chunk)
            buf, size = [], 0
    if buf:
        yield offset, "".join(buf)


def iter_jsonl_records(fh: IO[bytes], name: str, text_field: str, id_field: str | None = None,
                       encoding: str = "utf-8", progress: Any = None) -> Iterator[tuple[int, str | None, str]]:
    """(line number, record id, text) for each record of a JSONL stream."""
    for lineno, line, nbytes in _decoded_lines(fh, name, encoding):
        if progress is not None:
            progress.update(nbytes)
        if not line.strip():
            continue
        try:
            rec = json_object(line)
        except ValueError as exc:
            raise InputError(f"{name}:{lineno}: {exc}") from None
        if text_field not in rec:
            raise InputError(f"{name}:{lineno}: no field {text_field!r} (fields: {', '.join(map(str, rec)) or 'none'}); "
                             "choose it with --text-field")
        text = rec[text_field]
        if not isinstance(text, str):
            raise InputError(f"{name}:{lineno}: field {text_field!r} is {json_type(text)}, not text")
        rid = rec.get(id_field) if id_field else None
        yield lineno, (None if rid is None else str(rid)), text


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
) -> tuple[int, list[tuple[Any, str]] | None]:
    """Label files (``"-"``: standard input) with ``model`` into ``writer``, streamed.

    Plain text is labelled chunk by chunk (memory bounded by :data:`CHUNK_CHARS`), as running
    text or, with ``sentences``, one sentence per line; with ``jsonl`` each record's
    ``text_field`` is a document; plain text is read ``chunk_chars`` characters at a time (cut at a line
    break). Returns the number of sentences written and, with
    ``keep_documents``, the labelled documents with their texts (for an HTML page).
    The writer is not closed: the caller decides what an empty input means.
    """
    documents: list[tuple[Any, str]] | None = [] if keep_documents else None
    for path in paths or ["-"]:  # every input is checked before the first is labelled
        if path != "-":
            existing_file(path, InputError, "is a directory; pass the text files inside it")
    total = 0
    for path in paths or ["-"]:
        fh, name, size = open_input(path, encoding)
        bar = progress_bar(size, Path(name).name) if progress else None
        try:
            if jsonl:
                for lineno, rid, text in iter_jsonl_records(fh, name, text_field, id_field, encoding, bar):
                    doc = pipeline.label_text(model, text, explain=explain, k=k, id=rid or f"line {lineno}")
                    total += _emit(writer, name, rid or str(lineno), doc, documents, text)
            else:
                total += _label_chunks(model, writer, name, iter_text_chunks(fh, name, encoding, chunk_chars, progress=bar),
                                       sentences, explain, k, documents)
        finally:
            if bar is not None:
                bar.close()
            if fh is not sys.stdin.buffer:
                fh.close()
    return total, documents


def _emit(writer: Writer, source: str, record: str | None, doc: Document, documents: list | None, text: str) -> int:
    for i, s in enumerate(doc.sentences):
        writer.sentence(source, record, i, s)
    writer.summary(source, record, doc.summary["counts"], doc.summary["labelled"])
    if documents is not None:
        documents.append((doc, text))
    return len(doc.sentences)


def _label_chunks(model: pipeline.Predictor, writer: Writer, name: str, chunks: Iterator[tuple[int, str]], sentences: bool,
                  explain: bool, k: int, documents: list | None) -> int:
    """Label a text file chunk by chunk: memory stays bounded by the chunk size."""
    from collections import Counter

    counts: Counter = Counter()
    n = labelled = 0
    kept: list = []
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
        if documents is not None:
            kept.extend(doc.sentences)
            texts.append(chunk)
    if n:
        writer.summary(name, None, {c: counts.get(c, 0) for c in model.classes_}, labelled)
    if documents is not None and kept:
        documents.append((Document(kept, labels=tuple(model.classes_), id=name), "".join(texts)))
    return n
