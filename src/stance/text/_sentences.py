"""Sentences: segmentation shared by the corpus builders and the pipeline, and the check of a batch.

Text is first cut at line breaks (a line break always ends a sentence in the
web articles stance is built for: headings, list items and paragraphs sit on
their own lines), then each line is split into sentences by ``sentencex``.
Every span is stripped of surrounding whitespace and returned with character
offsets into the input, so ``text[start:end] == sentence``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Span", "segment", "check_texts"]

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def segment(text: str, language: str = "en") -> list[Span]:
    """Split ``text`` into sentence spans with offsets into ``text``."""
    from sentencex import get_sentence_boundaries

    spans: list[Span] = []
    for line in _LINE.finditer(text):
        base = line.start()
        chunk = line.group()
        if not chunk.strip():
            continue
        for b in get_sentence_boundaries(language, chunk):
            if b.get("is_paragraph_break"):
                continue
            s, e = _strip_span(chunk, b["start_index"], b["end_index"])
            if s < e:
                spans.append(Span(base + s, base + e, chunk[s:e]))
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
