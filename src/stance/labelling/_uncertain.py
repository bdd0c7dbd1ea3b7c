"""The sentences worth labelling first: uncertainty sampling, spread over documents.

A user adapting stance to a topic labels some of their own sentences and trains with
``stance-train --extend``. The sentences that teach the model most are those it is least sure
about (uncertainty sampling): the smallest margin between its two most probable labels, or the
highest entropy of its probabilities. Taking them strictly by score tends to take many from one
odd document, so :func:`pick_diverse` caps each document's share first and fills up after.

``stance label --uncertain N`` streams the user's articles through :class:`UncertainWriter`,
which keeps only the most uncertain candidates (bounded memory) and writes the chosen sentences
as a CSV with an empty ``label`` column, ready to fill in and give to ``stance-train``.
Scoring needs only numpy: this module is on ``stance label``'s light import path.
"""

from __future__ import annotations

import csv
import heapq
import itertools
from collections import Counter
from typing import IO, Any, Iterable, Mapping, Sequence

import numpy as np

from stance import pipeline

from ._writers import Writer

__all__ = ["STRATEGIES", "UNCERTAIN_FIELDS", "uncertainty", "pick_diverse", "UncertainWriter", "select_uncertain"]

STRATEGIES = ("margin", "entropy")
UNCERTAIN_FIELDS = ["text", "label", "suggested", "p_suggested", "uncertainty", "doc_id", "index", "start", "end"]


def uncertainty(proba: Any, strategy: str = "margin") -> np.ndarray:
    """How unsure the model is about each row of ``proba`` (rows of class probabilities).

    ``margin``: 1 minus the gap between the two most probable labels (1 = a tie);
    ``entropy``: the entropy of the row divided by its maximum, log(number of labels).
    Both lie in [0, 1]; higher is less sure.
    """
    P = np.asarray(proba, dtype=float)
    if P.ndim != 2 or P.shape[1] < 2:
        raise ValueError(f"expected a 2-D array of probabilities over two or more labels, got shape {P.shape}")
    if strategy == "margin":
        top2 = np.sort(P, axis=1)[:, -2:]
        return 1.0 - (top2[:, 1] - top2[:, 0])
    if strategy == "entropy":
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.where(P > 0, P * np.log(P), 0.0).sum(axis=1)
        return h / np.log(P.shape[1])
    raise ValueError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")


def pick_diverse(scores: Sequence[float], groups: Sequence[Any], n: int) -> np.ndarray:
    """Indices of up to ``n`` rows, most uncertain first, at most ``ceil(n / documents)`` per
    document until every document has had its share, then the most uncertain of the rest.

    Ties keep the input order, so the choice is deterministic.
    """
    s = np.asarray(scores, dtype=float)
    if len(s) != len(groups):
        raise ValueError(f"{len(s)} scores but {len(groups)} groups")
    if n < 1 or len(s) == 0:
        return np.zeros(0, dtype=int)
    order = np.lexsort((np.arange(len(s)), -s))
    cap = -(-n // len(set(groups)))
    taken: list[int] = []
    per: Counter = Counter()
    for i in order:
        if per[groups[i]] < cap:
            taken.append(int(i))
            per[groups[i]] += 1
            if len(taken) == n:
                return np.asarray(taken)
    chosen = set(taken)
    taken += [int(i) for i in order if i not in chosen][: n - len(taken)]
    return np.asarray(taken)


class UncertainWriter(Writer):
    """A :class:`stance.labelling.Writer` that keeps the ``n`` sentences worth labelling first
    and writes them as a CSV when closed.

    Excluded sentences (boilerplate, headings, questions, ...) are never proposed, nor is a text
    already kept. Memory is bounded: only the ``pool`` most uncertain candidates are held.
    """

    def __init__(self, out: IO[str], n: int, strategy: str = "margin", pool: int | None = None):
        super().__init__(out)
        if n < 1:
            raise ValueError(f"the number of sentences to propose must be at least 1, got {n}")
        uncertainty(np.full((1, 2), 0.5), strategy)  # reject an unknown strategy before any work
        self.n, self.strategy = n, strategy
        self.pool = pool or max(20 * n, 2000)
        self._heap: list[tuple[float, int, dict[str, Any]]] = []
        self._seen: set[str] = set()
        self._count = itertools.count()
        self.rows: list[dict[str, Any]] = []

    @property
    def held(self) -> int:
        """How many candidates are held now (at most ``pool``)."""
        return len(self._heap)

    def sentence(self, source: str, record: str | None, index: int, s: Any) -> None:
        p: Mapping[str, float] | None = s.probabilities
        if not p:
            return
        key = " ".join(s.text.split())
        if key in self._seen:
            return
        labels = list(p)
        u = float(uncertainty([[p[c] for c in labels]], self.strategy)[0])
        if len(self._heap) >= self.pool and u <= self._heap[0][0]:
            return
        best = max(labels, key=p.__getitem__)
        row = {"text": key, "label": "", "suggested": best, "p_suggested": f"{p[best]:.4f}",
               "uncertainty": f"{u:.4f}", "doc_id": source if record is None else f"{source}#{record}",
               "index": index, "start": s.start, "end": s.end}
        # negative counter: among equal scores the earliest sentence stays
        item = (u, -next(self._count), row)
        self._seen.add(key)
        if len(self._heap) < self.pool:
            heapq.heappush(self._heap, item)
        else:
            dropped = heapq.heappushpop(self._heap, item)
            self._seen.discard(dropped[2]["text"])

    def chosen(self) -> list[dict[str, Any]]:
        """The chosen rows, in input order (documents as read, sentences in order)."""
        items = sorted(self._heap, key=lambda it: -it[1])  # input order
        rows = [it[2] for it in items]
        picked = pick_diverse([it[0] for it in items], [r["doc_id"] for r in rows], self.n)
        return [rows[i] for i in sorted(picked)]

    def close(self) -> None:
        self.rows = self.chosen()
        w = csv.DictWriter(self, fieldnames=UNCERTAIN_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows)
        super().close()


def select_uncertain(texts: Iterable[str] | Mapping[str, str], n: int, model: Any = None,
                     strategy: str = "margin") -> list[dict[str, Any]]:
    """The ``n`` sentences of ``texts`` worth labelling first, as rows for ``stance-train``.

    ``texts``: article texts, or a mapping of document id to text. ``model``: a loaded
    :class:`stance.StanceModel`, a name or a path (default: the shipped model).
    Each row has the sentence ``text``, an empty ``label`` to fill in, the model's ``suggested``
    label and its probability, the ``uncertainty``, the ``doc_id`` and the sentence's ``index``,
    ``start`` and ``end`` in its document (see :data:`UNCERTAIN_FIELDS`).
    """
    import io

    from ._batch import model_for

    model = model_for(model)
    items = texts.items() if isinstance(texts, Mapping) else ((str(i), t) for i, t in enumerate(texts))
    writer = UncertainWriter(io.StringIO(), n, strategy)
    for doc_id, text in items:
        if not isinstance(text, str):
            raise TypeError(f"document {doc_id}: expected text, got {type(text).__name__}")
        for i, s in enumerate(pipeline.label_text(model, text, id=str(doc_id)).sentences):
            writer.sentence(str(doc_id), None, i, s)
    writer.close()
    return writer.rows
