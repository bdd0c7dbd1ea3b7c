"""Sentences: segmentation shared by the corpus builders and the pipeline, and the check of a batch.

Text is first cut at line breaks (a line break always ends a sentence in the
web articles stance is built for: headings, list items and paragraphs sit on
their own lines), then each line is split into sentences by ``sentencex``.
Every span is stripped of surrounding whitespace and returned with character
offsets into the input, so ``text[start:end] == sentence``.

Bounds, so that no input makes the work grow faster than its length:

- a line longer than :data:`SEGMENT_CHARS` is cut (after a sentence end near the bound, else at
  whitespace) before sentencex sees it;
- a sentence longer than :data:`MAX_SENTENCE_CHARS` (a run of words without a sentence end, a
  table flattened into one line) is cut at whitespace near that bound into pieces; each piece is a
  :class:`Span` with ``cut=True``, which the pipeline labels and flags with :data:`CUT_REASON`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Span", "segment", "check_texts", "bound_span", "cut_point", "MAX_SENTENCE_CHARS", "SEGMENT_CHARS",
           "CUT_REASON"]

MAX_SENTENCE_CHARS = 2000
SEGMENT_CHARS = 100_000
CUT_REASON = f"cut: part of a sentence over {MAX_SENTENCE_CHARS} characters"

_LINE = re.compile(r"[^\n]+")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019\u00bb)\]]*\s+")


@dataclass(frozen=True)
class Span:
    """A sentence: offsets into the text and its text; ``cut`` marks a piece of an over-long sentence."""

    start: int
    end: int
    text: str
    cut: bool = False


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def cut_point(text: str, start: int, end: int, limit: int) -> int:
    """Where to cut ``text[start:end]`` so that the first part is at most ``limit`` characters long.

    In the second half of the first ``limit`` characters: after the last line break, else after the
    last sentence end (``.``, ``!``, ``?`` and closing quotes, then whitespace), else after the last
    space or tab, else at the limit. Returns ``end`` when the stretch fits.
    """
    if end - start <= limit:
        return end
    hi = start + limit
    lo = start + max(1, limit // 2)
    nl = text.rfind("\n", lo, hi)
    if nl >= 0:
        return nl + 1
    last = None
    for last in _SENTENCE_END.finditer(text, lo, hi):
        pass
    if last is not None:
        return last.end()
    space = max(text.rfind(" ", lo, hi), text.rfind("\t", lo, hi))
    return space + 1 if space >= 0 else hi


def bound_span(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The sentence ``text[start:end]`` (stripped) as one :class:`Span`, or, when it is longer than
    :data:`MAX_SENTENCE_CHARS`, as pieces cut at whitespace near that bound, each with ``cut=True``."""
    end = len(text) if end is None else end
    start, end = _strip_span(text, start, end)
    if end - start <= MAX_SENTENCE_CHARS:
        return [Span(start, end, text[start:end])] if start < end else []
    pieces = []
    while start < end:
        cut = cut_point(text, start, end, MAX_SENTENCE_CHARS)
        s, e = _strip_span(text, start, cut)
        if s < e:
            pieces.append(Span(s, e, text[s:e], cut=True))
        start = cut
    return pieces


def segment(text: str, language: str = "en") -> list[Span]:
    """Split ``text`` into sentence spans with offsets into ``text`` (bounded: see the module)."""
    from sentencex import get_sentence_boundaries

    spans: list[Span] = []
    for line in _LINE.finditer(text):
        pos, line_end = line.span()
        while pos < line_end:
            cut = cut_point(text, pos, line_end, SEGMENT_CHARS)
            piece = text[pos:cut]
            if not piece.isspace():
                for b in get_sentence_boundaries(language, piece):
                    if not b.get("is_paragraph_break"):
                        spans += bound_span(text, pos + b["start_index"], pos + b["end_index"])
            pos = cut
    return spans


def check_texts(X: Any) -> list[str]:
    """Validate a batch of sentences: a non-string iterable of strings (1-d arrays allowed)."""
    if isinstance(X, str):
        raise TypeError("expected a list of sentences, got a single string; wrap it in a list")
    import numpy as np

    if isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        elif X.ndim != 1:
            raise ValueError(f"expected a 1-d sequence of sentences, got an array of shape {X.shape}")
    try:
        texts = list(X)
    except TypeError:
        raise TypeError(f"expected a list of sentences, got {type(X).__name__}") from None
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"sentence {i} is {type(t).__name__}, not a string")
    return texts
