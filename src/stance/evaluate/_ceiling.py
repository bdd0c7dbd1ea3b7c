"""The human ceiling: agreement of the two labelling passes (labels/agreement.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def human_ceiling(root: str | Path | None = None) -> dict[str, Any]:
    """Inter-annotator agreement from ``labels/agreement.json``, or a note that it is not yet computed."""
    from stance.corpora import data_root

    path = (Path(root) if root is not None else data_root()) / "labels" / "agreement.json"
    base = {"source": "labels/agreement.json"}
    if not path.is_file():
        return base | {"available": False, "note": "not yet computed (labels/agreement.json is absent)"}
    try:
        a = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        return base | {"available": False, "note": f"not readable: {exc}"}
    if not isinstance(a, dict) or "kappa" not in a:
        return base | {"available": False, "note": "labels/agreement.json has no kappa"}
    return base | {
        "available": True,
        "n": a.get("n"),
        "kappa": a.get("kappa"),
        "agreement": a.get("agreement"),
        "per_label_kappa": a.get("per_label_kappa") or {},
        "complete": a.get("complete", True),
        "scope": a.get("scope", "all decided sentences"),
        "note": "two independent labelling passes compared with each other; a model's kappa against gold "
        "near this figure is about as good as the labels allow"
        + ("" if a.get("complete", True) else f" (PARTIAL: {a.get('scope')})"),
    }
