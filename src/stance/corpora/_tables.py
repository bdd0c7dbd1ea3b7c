"""Reading labelled tables (CSV, TSV, JSONL, JSON) with errors that name file and line.

Shared by training (:mod:`stance.training`), evaluation (:mod:`stance.evaluate`),
the corpus files (:mod:`stance.corpora`) and ``stance label --jsonl``. Standard
library only, so it is cheap to import.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from stance._paths import existing_file
from stance.errors import TableError

__all__ = ["json_object", "json_type", "read_table", "SUFFIXES"]

SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json")


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (``null``, ``number``, ``array``, ...), for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def json_object(line: str) -> dict[str, Any]:
    """One JSONL line as a dict; ``ValueError`` with a short reason otherwise."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (column {exc.colno}: {exc.msg})") from None
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got {json_type(row)}")
    return row


def _delimiter(path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of a table file; each row carries its line number as ``__line__``.

    CSV/TSV delimiters are sniffed from the header (``,`` ``;`` tab ``|``);
    tab-separated files are read unquoted, as research data usually is.
    """
    path = existing_file(path, TableError, "is a directory, expected a CSV, TSV or JSONL file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            rows: list[dict[str, Any]] = []
            with path.open(encoding="utf-8-sig") as fh:
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        try:
                            row = json_object(line)
                        except ValueError as exc:
                            raise TableError(f"{path}:{n}: {exc}; expected one JSON object per line") from None
                        row["__line__"] = n
                        rows.append(row)
        elif suffix == ".json":
            try:
                obj = json.loads(path.read_text(encoding="utf-8-sig"))
            except json.JSONDecodeError as exc:
                raise TableError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
            if not (isinstance(obj, list) and all(isinstance(r, dict) for r in obj)):
                raise TableError(f"{path}: expected a JSON array of objects (or use .jsonl, one object per line)")
            rows = [dict(r, __line__=None) for r in obj]
        elif suffix in (".csv", ".tsv", ".txt"):
            delim = _delimiter(path)
            quoting = csv.QUOTE_NONE if delim == "\t" else csv.QUOTE_MINIMAL
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh, delimiter=delim, quoting=quoting)
                rows = []
                header = list(reader.fieldnames or [])
                for row in reader:
                    if None in row:
                        raise TableError(f"{path}:{reader.line_num}: more fields than the header has columns")
                    row["__line__"] = reader.line_num
                    rows.append(row)
        else:
            raise TableError(f"{path}: unsupported file type {suffix or '(none)'!r}; use a .csv, .tsv or .jsonl file")
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not UTF-8 text (byte {exc.start}); convert it to UTF-8") from None
    if suffix in (".csv", ".tsv", ".txt"):
        return header, rows
    cols = [c for c in dict.fromkeys(k for r in rows for k in r) if c != "__line__"]
    return cols, rows
