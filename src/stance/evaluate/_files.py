"""Figures as reports print them, and the output folder of an evaluation run.

The formatters (:func:`fmt`, :func:`fmt_interval`, ...) are the one way figures are printed in
reports and READMEs; :func:`check_out` checks an output folder before any work; :func:`write_json`
and :func:`write_csv` write strict JSON and CSV.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from stance.errors import EvaluationError

__all__ = ["OUTPUT_FILES", "OUTPUT_GLOBS", "check_out", "write_json", "write_csv", "json_ready", "slug", "fmt",
           "fmt_interval", "fmt_p", "fmt_signed", "markdown_table"]

OUTPUT_FILES = ("results.json", "report.md", "errors.csv", "learning_curve.png")
OUTPUT_GLOBS = ("confusion_*.png",)


def check_out(out: str | Path, force: bool) -> Path:
    """Refuse an existing non-empty directory unless ``force``; with it, remove only evaluate's own files."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EvaluationError(f"--out {out} is a file, not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise EvaluationError(f"output directory {out} already exists and is not empty; pass --force to overwrite it")
        for name in OUTPUT_FILES:
            (out / name).unlink(missing_ok=True)
        for pattern in OUTPUT_GLOBS:
            for f in out.glob(pattern):
                f.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def slug(name: str) -> str:
    name = Path(name).stem if ("/" in name or "\\" in name) else name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "model"


def json_ready(obj: Any) -> Any:
    """NaN -> None, numpy scalars -> Python, for strict JSON."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):  # numpy scalars and arrays
        return json_ready(obj.tolist())
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(json_ready(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(fields), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in fields})


def fmt(x: Any, nd: int = 3) -> str:
    """A figure with ``nd`` decimals, or a dash when there is none: the one way reports print figures."""
    return "–" if x is None else f"{x:.{nd}f}"


def fmt_interval(iv: Sequence[Any] | None, missing: str = "[–]") -> str:
    if not iv or iv[0] is None:
        return missing
    return f"[{iv[0]:.3f}, {iv[1]:.3f}]"


def fmt_p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_signed(x: float) -> str:
    return f"{x:+.3f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return lines
