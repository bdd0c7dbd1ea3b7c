"""The one pipeline from text to a :class:`~stance.text.Document`.

segment -> exclude -> predict -> speaker -> explain, in that order, for any model that can give
class probabilities (the :class:`Predictor` protocol: :class:`stance.StanceModel` is one).
``StanceModel.label_text``, ``stance label`` (:mod:`stance.labelling`), ``stance.labelling.LabelBatch``
(datasets) and Spark all call these two functions, so a sentence is labelled the same way everywhere.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, Sequence, runtime_checkable

from stance.text import (CUT_REASON, MAX_SENTENCE_CHARS, Document, LabelledSentence, bound_span, check_texts, exclusion_reason,
                         find_speaker, segment)

__all__ = ["Predictor", "label_text", "label_sentences"]


@runtime_checkable
class Predictor(Protocol):
    """What the pipeline needs of a model: its labels, probabilities and explanations."""

    classes_: Any

    def predict_proba(self, X: Sequence[str]) -> Any:
        """Class probabilities, one row per sentence, columns in the order of ``classes_``."""

    def explain(self, sentence: str, k: int = 5, label: str | None = None) -> list[dict[str, Any]]:
        """The features behind ``label`` for one sentence."""


# (start, end, text, alone on its line, first sentence of the document, a piece of an over-long sentence)
_Row = tuple[int, int, str, bool, bool, bool]
_BLANK = re.compile(r"\s*")


def label_text(model: Predictor, text: str, *, explain: bool = False, k: int = 3, id: str | None = None,
               language: str = "en", offset: int = 0, headline: bool = True) -> Document:
    """Segment ``text``, exclude non-assertions (with the reason), label the rest.

    A sentence longer than :data:`stance.text.MAX_SENTENCE_CHARS` is labelled in pieces cut at
    whitespace, each with the ``reason`` :data:`stance.text.CUT_REASON`.

    Offsets are into ``text``: ``text[s.start:s.end] == s.text`` for every sentence. ``offset`` is
    added to every offset (for a chunk of a longer text); ``headline=False`` says the text does not
    start a document, so its first line is not treated as the headline.
    """
    if not isinstance(text, str):
        raise TypeError(f"label_text expects a string, got {type(text).__name__}")
    rows: list[_Row] = []
    line_start = prev_end = 0
    line_end = -1
    for i, sp in enumerate(segment(text, language=language)):
        # the sentence's line, found from the previous one's: linear however long the lines are
        nl = text.rfind("\n", prev_end, sp.start)
        line_start = nl + 1 if nl >= 0 else line_start
        if line_end < sp.end:
            line_end = text.find("\n", sp.end)
            line_end = len(text) if line_end < 0 else line_end
        whole = bool(_BLANK.fullmatch(text, line_start, sp.start) and _BLANK.fullmatch(text, sp.end, line_end))
        rows.append((offset + sp.start, offset + sp.end, sp.text, whole, headline and i == 0, sp.cut))
        prev_end = sp.end
    return _label_rows(model, rows, explain=explain, k=k, id=id, text_length=len(text))


def label_sentences(model: Predictor, sentences: Sequence[str], *, explain: bool = False, k: int = 3,
                    id: str | None = None, starts: Sequence[int] | None = None) -> Document:
    """Label sentences given one by one (no segmentation).

    Offsets are into the sentences joined with newlines, or start at ``starts[i]`` when given (the
    position of each sentence in its file). Questions, boilerplate and word-less fragments are still
    excluded; the heading rule is not applied, since a bare sentence has no layout. A sentence longer
    than :data:`stance.text.MAX_SENTENCE_CHARS` is cut into pieces, as :func:`label_text` does.
    """
    texts = check_texts(sentences)
    if starts is not None and len(starts) != len(texts):
        raise ValueError(f"got {len(starts)} starts for {len(texts)} sentences")
    rows: list[_Row] = []
    pos = 0
    for i, s in enumerate(texts):
        if starts is not None:
            pos = int(starts[i])
        if len(s) > MAX_SENTENCE_CHARS:
            rows += [(pos + p.start, pos + p.end, p.text, False, True, True) for p in bound_span(s)]
        else:
            rows.append((pos, pos + len(s), s, False, True, False))
        pos += len(s) + 1
    return _label_rows(model, rows, explain=explain, k=k, id=id, text_length=max(pos - 1, 0))


def _label_rows(model: Predictor, rows: list[_Row], *, explain: bool, k: int, id: str | None,
                text_length: int) -> Document:
    import numpy as np

    reasons = [exclusion_reason(t, whole_line=w, first=f) if t.strip() else "empty" for _, _, t, w, f, _ in rows]
    todo = [r[2] for r, why in zip(rows, reasons) if why is None]
    classes = [str(c) for c in model.classes_]
    P = np.asarray(model.predict_proba(todo)) if todo else np.zeros((0, len(classes)))
    best = P.argmax(axis=1).tolist() if len(P) else []
    probs = P.tolist()  # Python floats, converted once for the batch
    out, j = [], 0
    for (start, end, t, _, _, cut), why in zip(rows, reasons):
        if why is not None:
            out.append(LabelledSentence(t, start, end, "excluded", reason=why))
            continue
        label = classes[best[j]]
        ls = LabelledSentence(t, start, end, label, probabilities=dict(zip(classes, probs[j])),
                              reason=CUT_REASON if cut else None)
        j += 1
        if label == "quote":
            ls.speaker = find_speaker(t)
        if explain:
            ls.explanation = model.explain(t, k=k, label=label)
        out.append(ls)
    return Document(out, labels=tuple(classes), id=id, text_length=text_length)
