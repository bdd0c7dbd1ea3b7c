"""The pieces of the HTML page (:mod:`._html`): styles, the legend, each document's summary and
text, the summary of all documents.

:class:`PageBody` renders one document at a time and keeps only the totals the page's head needs
(labels seen, counts, speakers), so a page can be built from a stream of documents in bounded memory.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from html import escape
from string import Template
from typing import Any

from stance import LABELS
from stance.text import Document, LabelledSentence

__all__ = ["LABEL_STYLES", "PageBody", "PAGE_TAIL"]

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

_HEAD = Template("""<!DOCTYPE html>
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
""")
PAGE_TAIL = """
</main>
</body>
</html>
"""


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


class PageBody:
    """The documents of a page, rendered one at a time: :meth:`document` returns a document's
    ``<article>``; :meth:`head` the page before the articles (title, legend and, for several
    documents, the summary of all of them), from the totals kept on the way."""

    def __init__(self) -> None:
        self.n = 0
        self.labels: list[str] = []
        self.counts: Counter[str] = Counter()
        self.sentences = 0
        self.speakers: Counter[str] = Counter()

    def document(self, doc: Document, source: str | None = None) -> str:
        """The ``<article>`` of ``doc`` (with its ``source`` text, see :func:`~stance.labelling.render`)."""
        n = self.n
        name = f"Document {doc.id}" if doc.id else f"Document {n + 1}"
        doc_id = f' data-doc-id="{escape(doc.id)}"' if doc.id else ""
        html = (
            f'<article class="document" id="doc-{n}" aria-labelledby="doc-{n}-h"{doc_id}>\n'
            f'<h2 id="doc-{n}-h">{escape(name)}</h2>\n'
            f"<h3>Summary</h3>\n"
            + _summary_html(doc.summary, _label_order(doc), _speakers(doc), f"Summary of {name}")
            + "\n<h3>Text</h3>\n"
            + _article_html(doc, source, n)
            + "\n</article>"
        )
        self.n += 1
        self.labels += [lab for lab in _label_order(doc) if lab not in self.labels]
        self.counts.update(s.label for s in doc.sentences if s.label != "excluded")
        self.sentences += len(doc.sentences)
        self.speakers.update(_speakers(doc))
        return html

    def head(self, title: str) -> str:
        """The page up to its first article; the articles follow, joined by newlines, then :data:`PAGE_TAIL`."""
        from stance import __version__

        labels = self.labels or list(LABELS)
        top = ""
        if self.n > 1:
            labelled = sum(self.counts.values())
            summary = {"sentences": self.sentences, "labelled": labelled, "excluded": self.sentences - labelled,
                       "counts": {lab: self.counts.get(lab, 0) for lab in labels},
                       "shares": {lab: self.counts.get(lab, 0) / labelled if labelled else 0.0 for lab in labels}}
            top = ('<section class="overall" aria-labelledby="overall-h">\n'
                   f'<h2 id="overall-h">All {self.n} documents</h2>\n'
                   + _summary_html(summary, labels, self.speakers, "Summary of all documents")
                   + "\n</section>\n")
        elif self.n == 0:
            top = '<p class="empty">No documents.</p>'
        return _HEAD.substitute(version=escape(__version__), title=escape(title), css=_CSS,
                                legend=_legend_html(labels)) + top
