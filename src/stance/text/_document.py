"""Results of labelling a whole text: one :class:`LabelledSentence` per sentence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from stance import LABELS

__all__ = ["LabelledSentence", "Document"]


@dataclass
class LabelledSentence:
    """One sentence of an input text with its decision.

    ``start``/``end`` are character offsets into the input, so
    ``input[start:end] == text``. ``label`` is ``claim``, ``quote``, ``loaded``
    or ``excluded``; an excluded sentence has a ``reason`` and no
    probabilities. A labelled sentence has a ``reason`` only as a warning:
    :data:`~stance.text.CUT_REASON` marks a piece of a sentence longer than
    :data:`~stance.text.MAX_SENTENCE_CHARS`, cut at whitespace (every writer
    prints it). ``speaker`` is set for quotes when the text names one.
    """

    text: str
    start: int
    end: int
    label: str
    probabilities: dict[str, float] | None = None
    reason: str | None = None
    speaker: str | None = None
    explanation: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["explanation"] is None:
            d.pop("explanation")
        return d


@dataclass
class Document:
    """All sentences of one input text, and a summary of its labels."""

    sentences: list[LabelledSentence]
    labels: tuple[str, ...] = LABELS
    id: str | None = None
    text_length: int = 0
    summary: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.summary = self._summary()

    def _summary(self) -> dict[str, Any]:
        labelled = [s for s in self.sentences if s.label != "excluded"]
        counts = {lab: sum(1 for s in labelled if s.label == lab) for lab in self.labels}
        n = len(labelled)
        return {
            "sentences": len(self.sentences),
            "labelled": n,
            "excluded": len(self.sentences) - n,
            "counts": counts,
            "shares": {lab: (c / n if n else 0.0) for lab, c in counts.items()},
            "speakers": sorted({s.speaker for s in labelled if s.label == "quote" and s.speaker}),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "summary": self.summary,
            "sentences": [s.to_dict() for s in self.sentences],
        }
