"""Render labelled documents as one self-contained HTML page.

The page needs no network, no JavaScript and no external files: the styles are
inline and every piece of text from the input is escaped. Each sentence is a
``<span class="sentence label-LABEL">`` in reading order, highlighted by a
colour *and* an underline style (solid, double, wavy, dotted) so the labels stay
distinguishable without colour vision. Its probabilities, speaker or exclusion
reason are in its ``title`` (shown on mouse hover) and in a detail panel shown
when the sentence is hovered or focused; every sentence is reachable with Tab.

Only the standard library is imported here, so ``stance label --html`` does not
pay for the model stack twice.

>>> from stance.labelling import render, write_html
>>> page = render(document, source_texts=[text])        # doctest: +SKIP
>>> write_html("out.html", [doc1, doc2], force=True)    # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from string import Template
from typing import Any

from stance import LABELS
from stance._paths import check_output, write_atomic
from stance.text import Document, LabelledSentence

__all__ = ["render", "write_html", "LABEL_STYLES"]

# label -> (name shown in the legend, short description, underline style)
LABEL_STYLES: dict[str, tuple[str, str, str]] = {
    "claim": ("Claim", "factual claim stated by the text itself", "solid underline"),
    "quote": ("Quote", "attributed quote or reported speech", "double underline"),
    "loaded": ("Loaded", "loaded characterisation", "wavy underline"),
    "excluded": ("Excluded", "not labelled (heading, fragment, ...)", "dotted underline, grey text"),
}

_PARAGRAPH_BREAK = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n\s*")

# Colours: light tints of the Okabe-Ito palette behind near-black text
# (contrast above 12:1), with the underline in a darker shade of the same hue.
_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 52rem; padding: 1.5rem 1.25rem 10rem;
  font: 1.0625rem/1.7 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: #1b1b1b; background: #ffffff; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 .75rem; border-top: 1px solid #c8c8c8; padding-top: 1.25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
.legend, .summary { font-size: .95rem; }
.legend ul { list-style: none; padding: 0; margin: .25rem 0 0; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; }
.legend li { margin: 0; }
.legend .how { color: #4a4a4a; }
.legend p { margin: .5rem 0 0; color: #4a4a4a; }
table { border-collapse: collapse; margin: .25rem 0 .5rem; }
th, td { text-align: left; padding: .15rem .9rem .15rem 0; border-bottom: 1px solid #dedede; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.speakers { margin: .25rem 0 0; }
.counts { margin: 0 0 .25rem; }
.article p { margin: 0 0 1em; }
.article.source p { white-space: pre-wrap; }
.sentence, .swatch { color: #1b1b1b; border-radius: 2px; padding: 0 .05em;
  text-decoration-line: underline; text-decoration-thickness: 2px; text-underline-offset: .22em;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.label-claim { background: #d4e9f7; text-decoration-style: solid; text-decoration-color: #005a8c; }
.label-quote { background: #f6dcec; text-decoration-style: double; text-decoration-color: #8a3b6b;
  text-decoration-thickness: 3px; }
.label-loaded { background: #fde3bf; text-decoration-style: wavy; text-decoration-color: #a14a00;
  text-decoration-thickness: 1.5px; }
.label-excluded { background: transparent; color: #555555; text-decoration-style: dotted;
  text-decoration-color: #6e6e6e; }
.label-other { background: #ececec; text-decoration-style: dashed; text-decoration-color: #4a4a4a; }
.swatch { display: inline-block; line-height: 1.4; padding: 0 .35em; font-weight: 600; }
.sentence:focus { outline: 3px solid #1b1b1b; outline-offset: 1px; }
.sentence:hover { filter: brightness(0.95); }
.sentence:hover::after, .sentence:focus::after {
  content: attr(data-tip); position: fixed; left: 1rem; right: 1rem; bottom: 1rem; z-index: 10;
  max-width: 40rem; margin: 0 auto; padding: .6rem .9rem; border-radius: 6px;
  background: #1b1b1b; color: #ffffff; font-size: .9rem; line-height: 1.45; font-weight: normal;
  white-space: pre-line; text-decoration: none; box-shadow: 0 2px 10px rgba(0, 0, 0, .35); }
.empty { color: #4a4a4a; font-style: italic; }
@media print {
  .sentence:hover::after, .sentence:focus::after { display: none; }
  .sentence, .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@media (prefers-reduced-motion: no-preference) { .sentence { transition: filter .1s; } }
"""

_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="stance $version">
<title>$title</title>
<style>$css</style>
</head>
<body>
<header>
<h1>$title</h1>
$legend
</header>
<main>
$body
</main>
</body>
</html>
""")


def _css_label(label: str) -> str:
    return f"label-{label}" if label in LABEL_STYLES else "label-other"


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _label_order(doc: Document) -> list[str]:
    order = list(doc.labels)
    for s in doc.sentences:
        if s.label != "excluded" and s.label not in order:
            order.append(s.label)
    return order


def _tip(s: LabelledSentence, labels: Sequence[str]) -> str:
    """Plain-text description of one sentence's decision (escaped by the caller)."""
    lines: list[str] = []
    if s.label == "excluded":
        lines.append(f"excluded: {s.reason}" if s.reason else "excluded")
    else:
        head = s.label
        if s.probabilities and s.label in s.probabilities:
            head += f" ({_pct(s.probabilities[s.label])})"
        lines.append(head)
    if s.probabilities:
        keys = [k for k in labels if k in s.probabilities]
        keys += [k for k in s.probabilities if k not in keys]
        lines.append("probabilities: " + ", ".join(f"{k} {s.probabilities[k]:.2f}" for k in keys))
    if s.speaker:
        lines.append(f"speaker: {s.speaker}")
    if s.label != "excluded" and s.reason:
        lines.append(f"note: {s.reason}")
    if s.explanation:
        parts = []
        for item in s.explanation[:3]:
            what = item.get("description") or item.get("feature") or "?"
            weight = item.get("weight")
            parts.append(f"{what} ({weight:+.2f})" if isinstance(weight, (int, float)) else str(what))
        lines.append("why: " + "; ".join(parts))
    return "\n".join(lines)


def _sentence_html(s: LabelledSentence, labels: Sequence[str], doc_n: int, i: int) -> str:
    tip = _tip(s, labels)
    return (
        f'<span class="sentence {_css_label(s.label)}" tabindex="0" '
        f'id="d{doc_n}-s{i}" data-label="{escape(s.label)}" '
        f'title="{escape(tip)}" data-tip="{escape(tip)}">{escape(s.text)}</span>'
    )


def _article_html(doc: Document, source: str | None, doc_n: int) -> str:
    labels = _label_order(doc)
    if not doc.sentences:
        return '<div class="article"><p class="empty">No sentences.</p></div>'
    if source is None:
        spans = " ".join(_sentence_html(s, labels, doc_n, i) for i, s in enumerate(doc.sentences))
        return f'<div class="article"><p>{spans}</p></div>'

    order = sorted(range(len(doc.sentences)), key=lambda k: doc.sentences[k].start)
    for k in order:
        s = doc.sentences[k]
        if source[s.start : s.end] != s.text:
            raise ValueError(
                f"document {doc.id or doc_n + 1}: sentence {k} ({s.text[:40]!r}) does not match "
                f"source text at offsets {s.start}:{s.end}; pass the exact text that was labelled"
            )
    paragraphs: list[list[str]] = [[]]

    def add_gap(gap: str) -> None:
        pieces = _PARAGRAPH_BREAK.split(gap)
        for n, piece in enumerate(pieces):
            if n:
                paragraphs.append([])
            if not paragraphs[-1]:
                piece = piece.lstrip()
            if n < len(pieces) - 1:
                piece = piece.rstrip()
            if piece:
                paragraphs[-1].append(escape(piece, quote=False))

    pos = 0
    for k in order:
        s = doc.sentences[k]
        if s.start > pos:
            add_gap(source[pos : s.start])
        paragraphs[-1].append(_sentence_html(s, labels, doc_n, k))
        pos = max(pos, s.end)
    tail = source[pos:]
    if tail.strip():
        add_gap(tail.rstrip())
    body = "\n".join(f"<p>{''.join(p)}</p>" for p in paragraphs if p)
    return f'<div class="article source">\n{body}\n</div>'


def _summary_html(summary: dict[str, Any], labels: Sequence[str], speakers: Counter[str], heading: str) -> str:
    rows = []
    for lab in labels:
        name = LABEL_STYLES.get(lab, (lab,))[0]
        rows.append(
            f'<tr class="row-{escape(lab)}"><th scope="row"><span class="swatch {_css_label(lab)}">'
            f"{escape(name)}</span></th>"
            f'<td class="num">{summary["counts"].get(lab, 0)}</td>'
            f'<td class="num">{_pct(summary["shares"].get(lab, 0.0))}</td></tr>'
        )
    rows.append(
        '<tr class="row-excluded"><th scope="row"><span class="swatch label-excluded">Excluded</span></th>'
        f'<td class="num">{summary["excluded"]}</td><td class="num">&mdash;</td></tr>'
    )
    caption = (
        f'{summary["sentences"]} sentences, {summary["labelled"]} labelled; '
        "shares are of labelled sentences"
    )
    if speakers:
        items = ", ".join(
            f'<span class="speaker">{escape(name)}</span> ({n})'
            for name, n in sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        spk = f'<p class="speakers"><strong>Speakers quoted:</strong> {items}</p>'
    else:
        spk = '<p class="speakers"><strong>Speakers quoted:</strong> <span class="empty">none named</span></p>'
    return (
        f'<section class="summary" aria-label="{escape(heading)}">\n'
        f'<p class="counts">{escape(caption)}.</p>\n'
        f'<table aria-label="{escape(heading)}">\n'
        '<thead><tr><th scope="col">Label</th><th scope="col" class="num">Sentences</th>'
        '<th scope="col" class="num">Share</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + f"\n</tbody></table>\n{spk}\n</section>"
    )


def _speakers(doc: Document) -> Counter[str]:
    return Counter(s.speaker for s in doc.sentences if s.label == "quote" and s.speaker)


def _legend_html(labels: Sequence[str]) -> str:
    items = []
    for lab in [*labels, "excluded"]:
        name, desc, how = LABEL_STYLES.get(lab, (lab, "", "dashed underline"))
        items.append(
            f'<li data-label="{escape(lab)}"><span class="swatch {_css_label(lab)}">{escape(name)}</span> '
            f'{escape(desc)} <span class="how">({escape(how)})</span></li>'
        )
    return (
        '<section class="legend" aria-label="Legend">\n<ul>\n'
        + "\n".join(items)
        + "\n</ul>\n<p>Hover over a sentence, or move to it with Tab, to see its probabilities, "
        "speaker or exclusion reason.</p>\n</section>"
    )


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
    from stance import __version__

    docs = _as_list(documents)
    sources = _sources(source_texts, len(docs))
    all_labels: list[str] = []
    for d in docs:
        all_labels += [lab for lab in _label_order(d) if lab not in all_labels]
    if not all_labels:
        all_labels = list(LABELS)

    parts: list[str] = []
    if len(docs) > 1:
        total = Document(
            [s for d in docs for s in d.sentences], labels=tuple(all_labels), id="all documents"
        )
        speakers: Counter[str] = Counter()
        for d in docs:
            speakers.update(_speakers(d))
        parts.append(
            '<section class="overall" aria-labelledby="overall-h">\n'
            f'<h2 id="overall-h">All {len(docs)} documents</h2>\n'
            + _summary_html(total.summary, all_labels, speakers, "Summary of all documents")
            + "\n</section>"
        )
    for n, (doc, source) in enumerate(zip(docs, sources)):
        name = f"Document {doc.id}" if doc.id else f"Document {n + 1}"
        doc_id = f' data-doc-id="{escape(doc.id)}"' if doc.id else ""
        parts.append(
            f'<article class="document" id="doc-{n}" aria-labelledby="doc-{n}-h"{doc_id}>\n'
            f'<h2 id="doc-{n}-h">{escape(name)}</h2>\n'
            f"<h3>Summary</h3>\n"
            + _summary_html(doc.summary, _label_order(doc), _speakers(doc), f"Summary of {name}")
            + "\n<h3>Text</h3>\n"
            + _article_html(doc, source, n)
            + "\n</article>"
        )
    if not docs:
        parts.append('<p class="empty">No documents.</p>')
    return _PAGE.substitute(
        version=escape(__version__),
        title=escape(title),
        css=_CSS,
        legend=_legend_html(all_labels),
        body="\n".join(parts),
    )


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
