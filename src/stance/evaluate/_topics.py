"""How a fitted model does on news about other topics: the figures a model card and ``stance models`` show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance import LABELS

from ._metrics import scores

__all__ = ["other_topics"]


def other_topics(model: Any, external: str | Path | None = None) -> dict[str, Any]:
    """Macro-F1 on news about other topics: the news set's test split, and the outside codebook set's test
    split when its texts can be joined (three classes; figures only, no row leaves the data)."""
    from stance.corpora import news_records, outside_records
    from stance.errors import OutsideDataMissing

    out: dict[str, Any] = {}
    sets = {"news_test": news_records("test")}
    try:
        sets["outside_test"] = outside_records("test", external=external)
    except OutsideDataMissing:
        pass
    for key, rows in sets.items():
        y = [r["label"] for r in rows]
        sc = scores(y, model.predict([r["text"] for r in rows]), list(LABELS))
        out[key] = {"macro_f1": round(sc["macro_f1"], 4), "n": len(rows)}
    return out
