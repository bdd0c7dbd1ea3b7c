"""Render labelled documents as one self-contained HTML page.

The page needs no network, no JavaScript and no external files: the styles are
inline and every piece of text from the input is escaped. Each sentence is a
``<span class="sentence label-LABEL">`` in reading order, highlighted by a
colour *and* an underline style (solid, double, wavy, dotted) so the labels stay
distinguishable without colour vision. Its probabilities, speaker or exclusion
reason are in its ``title`` (shown on mouse hover) and in a detail panel shown
when the sentence is hovered or focused; every sentence is reachable with Tab.
The pieces are in :mod:`._html_parts`.

Two ways to make one:

- :func:`render` / :func:`write_html` take documents already in memory;
- :class:`HtmlPage` (``stance label --html``) is bounded. It takes the documents
  one at a time as they are labelled, keeps only the running totals in memory
  (each document's HTML goes to a temporary file beside the page), and writes
  the same page as :func:`render` would, whole or not at all. And it refuses,
  before any labelling, input over :data:`PAGE_MAX_INPUT` bytes (10 MB; a page
  is about six times its input, and a browser struggles with a page of hundreds
  of megabytes): label such input with ``--format jsonl`` or ``csv``, or in
  parts, or raise the bound (``max_input``, ``--html-max-mb``).

Only the standard library is imported here, so ``stance label --html`` does not
pay for the model stack twice.

>>> from stance.labelling import render, write_html
>>> page = render(document, source_texts=[text])        # doctest: +SKIP
>>> write_html("out.html", [doc1, doc2], force=True)    # doctest: +SKIP
>>> with HtmlPage("out.html") as page:                  # doctest: +SKIP
...     for doc, text in labelled:
...         page.add(doc, text)
...     page.write()
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from stance._paths import AtomicFile, check_output, write_atomic, write_failed
from stance.errors import UsageError
from stance.text import Document

from ._html_parts import LABEL_STYLES, PAGE_TAIL, PageBody

__all__ = ["render", "write_html", "HtmlPage", "LABEL_STYLES", "PAGE_MAX_INPUT"]

PAGE_MAX_INPUT = 10_000_000


def render(
    documents: Document | Iterable[Document],
    *,
    title: str = "stance",
    source_texts: str | Sequence[str | None] | None = None,
) -> str:
    """Return one self-contained HTML page showing ``documents``.

    ``documents`` is a :class:`~stance.document.Document` or a list of them.
    ``source_texts`` (one string per document, ``None`` allowed; a bare string
    for a single document) are the texts that were labelled: with them, the
    text between sentences and paragraph breaks are kept using the sentence
    offsets (``ValueError`` if the offsets do not match). Without them, the
    sentences of a document are joined with spaces into one paragraph.
    """
    docs = _as_list(documents)
    sources = _sources(source_texts, len(docs))
    body = PageBody()
    articles = [body.document(doc, source) for doc, source in zip(docs, sources)]
    return body.head(title) + "\n".join(articles) + PAGE_TAIL


def write_html(
    path: str | os.PathLike[str],
    documents: Document | Iterable[Document],
    *,
    force: bool = False,
    **kw: Any,
) -> Path:
    """Render ``documents`` (see :func:`render`, which gets ``**kw``) to ``path``.

    Refuses to replace an existing file unless ``force`` is true
    (``FileExistsError``). The page is written to a temporary file beside the
    target and moved into place, so a reader never sees a half-written page.
    Returns the path written.
    """
    target = check_output(path, force=force, what="page")  # before the page is rendered
    page = render(documents, **kw).encode("utf-8")
    write_atomic(target, page, force=force, what="page")
    return target


class HtmlPage:
    """The page of :func:`render`, built one document at a time in bounded memory.

    The path is checked at once (a directory, an existing file without ``force``, a missing or
    read-only folder: a :class:`~stance.errors.WriteError`). :meth:`check_input` refuses input over
    ``max_input`` bytes (``None``: no bound) before any is labelled; :meth:`add` renders a document
    into a temporary file beside the page; :meth:`write` writes the page whole, or nothing. As a
    context manager it drops what it holds on the way out (call :meth:`write` inside).
    """

    def __init__(self, path: str | os.PathLike[str], *, force: bool = False, title: str = "stance",
                 max_input: int | None = PAGE_MAX_INPUT) -> None:
        self.target = check_output(path, force=force, what="page")
        self.force, self.title, self.max_input = force, title, max_input
        self.body = PageBody()
        self.spool: IO[bytes] | None = None

    def check_input(self, size: int, exact: bool = True) -> None:
        """Refuse ``size`` bytes of input (``exact=False``: at least that many) if over ``max_input``."""
        if self.max_input is None or size <= self.max_input:
            return
        raise UsageError(
            f"the input ({_mb(size)}{'' if exact else ' or more'}) is over the {_mb(self.max_input)} an HTML page "
            f"is made for (a page is about 6 times its input, too large for a browser past that): label it with "
            "--format jsonl or csv instead, or in parts, or raise the bound with --html-max-mb")

    def add(self, document: Document, source: str | None = None) -> None:
        """Render ``document`` (labelled from ``source``, see :func:`render`) into the page."""
        html = self.body.document(document, source)
        try:
            if self.spool is None:
                import tempfile

                self.spool = tempfile.TemporaryFile(dir=self.target.parent, prefix=f".{self.target.name}.",
                                                    suffix=".part")
            else:
                self.spool.write(b"\n")
            self.spool.write(html.encode("utf-8"))
        except OSError as exc:
            self.discard()
            raise write_failed("page", self.target, exc) from None

    def write(self) -> Path:
        """Write the page (moved into place once complete); returns its path."""
        with AtomicFile(self.target, force=self.force, what="page") as out:
            out.write(self.body.head(self.title).encode("utf-8"))
            if self.spool is not None:
                self.spool.seek(0)
                while block := self.spool.read(1 << 20):
                    out.write(block)
            out.write(PAGE_TAIL.encode("utf-8"))
        self.discard()
        return self.target

    def discard(self) -> None:
        """Drop the documents rendered so far (nothing is written)."""
        if self.spool is not None:
            self.spool.close()
            self.spool = None

    def __enter__(self) -> "HtmlPage":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.discard()


def _mb(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    return f"{size / 1e6:.3g} MB" if size >= 1e6 else f"{size / 1e3:.3g} kB"


def _as_list(documents: Document | Iterable[Document]) -> list[Document]:
    if isinstance(documents, Document):
        return [documents]
    docs = list(documents)
    for d in docs:
        if not isinstance(d, Document):
            raise TypeError(f"expected stance.document.Document objects, got {type(d).__name__}")
    return docs


def _sources(source_texts: str | Sequence[str | None] | None, n: int) -> list[str | None]:
    if source_texts is None:
        return [None] * n
    if isinstance(source_texts, str):
        if n != 1:
            raise ValueError("a single source text was given for several documents; pass one per document")
        return [source_texts]
    texts = list(source_texts)
    if len(texts) != n:
        raise ValueError(f"got {len(texts)} source texts for {n} documents")
    return texts
