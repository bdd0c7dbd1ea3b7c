"""Reading the inputs of ``stance label``: every one checked before the first is labelled, then each
read in bounded memory.

:func:`check_inputs` opens each file, tells a PDF, an office document, an archive, an image or
another binary format from its first bytes (:mod:`._sniff`) and reads it through once (decoding,
and for JSONL each record's text field), so that a bad input is named, with its line, before
anything is written. Standard input cannot be read twice: its first bytes are sniffed, the rest is
checked as it is labelled.

Plain text is read in pieces of at most :data:`PIECE_BYTES` and handed out in chunks of about
``chunk_chars`` characters that end at a line break (a line break always ends a sentence for the
segmenter, so such a cut never changes the result); a line longer than a chunk is cut after a
sentence end or at whitespace (:func:`stance.text.cut_point`). JSONL is read record by record.
Memory is bounded by the chunk size for text and by the largest record for JSONL. Problems raise
:class:`~stance.errors.InputError` naming the file, line and field.
"""

from __future__ import annotations

import codecs
import io
import sys
from typing import IO, Any, Callable, Iterator

from stance._paths import existing_file
from stance.corpora import json_object, json_type
from stance.errors import InputError
from stance.text import cut_point

from ._sniff import HEAD_BYTES, binary_message, looks_binary, sniff, wide_encoding

__all__ = ["check_inputs", "open_input", "decoded_lines", "iter_text_chunks", "iter_jsonl_records", "CHUNK_CHARS",
           "PIECE_BYTES"]

CHUNK_CHARS = 1 << 20
PIECE_BYTES = 1 << 16
_IS_DIR = "is a directory; pass the text files inside it"


def _check_encoding(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r} (--encoding)") from None


def open_input(path: str, encoding: str = "utf-8") -> tuple[IO[bytes], str, int | None]:
    """A binary handle for ``path`` (``-`` is stdin), its display name and size in bytes."""
    if path == "-":
        return sys.stdin.buffer, "<stdin>", None
    p = existing_file(path, InputError, _IS_DIR)
    _check_encoding(encoding)
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    return fh, path, p.stat().st_size


def _head(fh: IO[bytes]) -> bytes:
    """The first bytes of a stream, left in it to be read again."""
    peek = getattr(fh, "peek", None)
    if peek is not None:
        return peek(HEAD_BYTES)[:HEAD_BYTES]
    if fh.seekable():
        at = fh.tell()
        head = fh.read(HEAD_BYTES)
        fh.seek(at)
        return head
    return b""


def check_inputs(paths: list[str], *, encoding: str = "utf-8", jsonl: bool = False, text_field: str = "text",
                 id_field: str | None = None, allow_empty: bool = False, stdin_limit: int | None = None,
                 size_check: Callable[[int, bool], None] | None = None) -> IO[bytes]:
    """Check every input before any is labelled: each file exists, is text (not a PDF, an archive, an
    image, ...) and decodes in ``encoding``, and with ``jsonl`` each record has a text field
    (non-empty unless ``allow_empty``). Raises :class:`~stance.errors.InputError` naming the file and
    line. Returns the stream to read standard input (``-``) from.

    With ``stdin_limit``, standard input is read into memory first, up to that many bytes and one
    more. ``size_check(size, exact)`` is called with the size of the inputs in bytes (``exact`` is
    false when standard input was cut at ``stdin_limit`` + 1) before they are read through."""
    _check_encoding(encoding)
    files = [existing_file(p, InputError, _IS_DIR) for p in paths if p != "-"]
    total = sum(p.stat().st_size for p in files)
    stdin: IO[bytes] = sys.stdin.buffer
    if "-" in paths and stdin_limit is not None:
        stdin = io.BytesIO(stdin.read(stdin_limit + 1))
        total += len(stdin.getvalue())
    if size_check is not None:
        size_check(total, "-" not in paths or stdin_limit is None or total <= stdin_limit)
    if "-" in paths:
        why = sniff(_head(stdin), encoding)
        if why:
            raise InputError(f"<stdin>: {why}")
    handles = []
    try:
        for p in files:
            fh, name, _ = open_input(str(p), encoding)
            handles.append(fh)
            why = sniff(_head(fh), encoding, name)
            if why:
                raise InputError(f"{name}: {why}")
        for fh, p in zip(handles, files):  # each read through once, in bounded memory
            records = (iter_jsonl_records(fh, str(p), text_field, id_field, encoding, allow_empty=allow_empty) if jsonl
                       else decoded_lines(fh, str(p), encoding, PIECE_BYTES))
            for _ in records:
                pass
    finally:
        for fh in handles:
            fh.close()
    return stdin


def decoded_lines(fh: IO[bytes], name: str, encoding: str, piece_bytes: int = -1) -> Iterator[tuple[int, str, int]]:
    """(line number, decoded line, size in bytes), with clear errors for binary or mis-encoded input.

    With ``piece_bytes`` a line longer than that comes in pieces (the same line number for each):
    memory stays bounded however long the lines are."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    wide = wide_encoding(encoding)
    pos = 0
    lineno = 1
    while raw := fh.readline(piece_bytes):
        if b"\x00" in raw and not wide:
            raise InputError(f"{name}:{lineno}: {binary_message('NUL bytes')}")
        try:
            line = decoder.decode(raw)
        except UnicodeDecodeError as exc:
            why = looks_binary(raw, encoding)
            if why:
                raise InputError(f"{name}:{lineno}: {binary_message(why)}") from None
            raise InputError(
                f"{name}:{lineno}: not valid {encoding.removesuffix('-sig')} (byte {pos + exc.start} of the file); "
                "pass the right --encoding (for example --encoding latin-1)"
            ) from None
        except UnicodeError as exc:  # a decoder's own complaint, e.g. UTF-16 without a byte-order mark
            raise InputError(f"{name}:{lineno}: not valid {encoding} ({exc}); pass the right --encoding") from None
        pos += len(raw)
        yield lineno, line, len(raw)
        lineno += raw.endswith(b"\n")
    try:
        tail = decoder.decode(b"", final=True)
    except UnicodeError:
        raise InputError(f"{name}: ends inside a {encoding} character; the file is truncated or not {encoding}") from None
    if tail:
        yield lineno, tail, 0


def iter_text_chunks(fh: IO[bytes], name: str, encoding: str = "utf-8", chunk_chars: int = CHUNK_CHARS,
                     progress: Any = None) -> Iterator[tuple[int, str]]:
    """(character offset, text) chunks of a text stream of about ``chunk_chars`` characters, each ending
    at a line break, or, inside a line longer than that, after a sentence end or at whitespace."""
    buf: list[str] = []
    size = 0
    offset = 0
    if encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig"):
        encoding = "utf-8-sig"  # drop a byte-order mark
    for _, piece, nbytes in decoded_lines(fh, name, encoding, PIECE_BYTES):
        buf.append(piece)
        size += len(piece)
        if progress is not None:
            progress.update(nbytes)
        if size >= chunk_chars:
            text = "".join(buf)
            cut = len(text) if piece.endswith("\n") else cut_point(text, 0, len(text), max(1, len(text) - 1))
            yield offset, text[:cut]
            offset += cut
            buf, size = ([text[cut:]], len(text) - cut) if cut < len(text) else ([], 0)
    if buf:
        yield offset, "".join(buf)


def iter_jsonl_records(fh: IO[bytes], name: str, text_field: str, id_field: str | None = None,
                       encoding: str = "utf-8", progress: Any = None,
                       allow_empty: bool = False) -> Iterator[tuple[int, str | None, str]]:
    """(line number, record id, text) for each record of a JSONL stream. A record whose text is empty
    (or only whitespace) is refused unless ``allow_empty`` (it then gives no sentences)."""
    for lineno, line, nbytes in decoded_lines(fh, name, encoding):
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
        if not allow_empty and not text.strip():
            raise InputError(f"{name}:{lineno}: field {text_field!r} is empty; remove the record, or pass "
                             "--allow-empty (allow_empty=True) to let it give no sentences")
        rid = rec.get(id_field) if id_field else None
        yield lineno, (None if rid is None else str(rid)), text
