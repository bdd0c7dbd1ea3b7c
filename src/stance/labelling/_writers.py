"""Where labelled sentences go as they come: JSONL, CSV, or a table for a terminal.

A :class:`Writer` receives each labelled sentence (:class:`~stance.text.LabelledSentence`) and,
after each source or record, its summary; :func:`make_writer` picks one by format name.
"""

from __future__ import annotations

import abc
import csv
import json
import shutil
import sys
from typing import IO, Any

from stance import LABELS
from stance._paths import output_error
from stance.errors import InputError

__all__ = ["Writer", "JsonlWriter", "CsvWriter", "TableWriter", "make_writer", "CSV_FIELDS"]

CSV_FIELDS = ["source", "record", "index", "start", "end", "label", *(f"p_{c}" for c in LABELS), "speaker", "reason",
               "text"]


class Writer(abc.ABC):
    """Writes labelled sentences as they come, then the per-source summaries.

    A failed write (a full disk, a device error) is a :class:`~stance.errors.WriteError` in one line
    (``cannot write the output: No space left on device``); a closed pipe stays a ``BrokenPipeError``,
    which the command line ends quietly.
    """

    def __init__(self, out: IO[str]):
        self.out = out

    def write(self, text: str) -> None:
        """Write ``text`` to the output (what subclasses write through)."""
        self._do(self.out.write, text)

    def _do(self, op: Any, *args: Any) -> None:
        try:
            op(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise output_error(exc) from None

    @abc.abstractmethod
    def sentence(self, source: str, record: str | None, index: int, s: Any) -> None:
        """Write one labelled sentence."""

    def summary(self, source: str, record: str | None, counts: dict[str, int], n: int) -> None:
        """Called after each source or record."""

    def close(self) -> None:
        self._do(self.out.flush)


class JsonlWriter(Writer):
    def sentence(self, source, record, index, s):
        d = {"source": source}
        if record is not None:
            d["record"] = record
        d["index"] = index
        d.update(s.to_dict())
        self.write(json.dumps(d, ensure_ascii=False) + "\n")


class CsvWriter(Writer):
    def __init__(self, out):
        super().__init__(out)
        self.w = csv.DictWriter(self, fieldnames=CSV_FIELDS, lineterminator="\n")
        self.w.writeheader()

    def sentence(self, source, record, index, s):
        p = s.probabilities or {}
        row = {"source": source, "record": record or "", "index": index, "start": s.start, "end": s.end,
               "label": s.label, "speaker": s.speaker or "", "reason": s.reason or "", "text": s.text}
        for c in LABELS:
            row[f"p_{c}"] = f"{p[c]:.4f}" if c in p else ""
        self.w.writerow(row)


class TableWriter(Writer):
    _MARK = {"claim": "claim ", "quote": "quote ", "loaded": "LOADED", "excluded": "  -   "}

    def __init__(self, out, explain: bool = False):
        super().__init__(out)
        self.width = max(60, shutil.get_terminal_size((100, 20)).columns)
        self.explain = explain
        self.header_for: tuple[str, str | None] | None = None

    def sentence(self, source, record, index, s):
        if self.header_for != (source, record):
            self.header_for = (source, record)
            self.write(f"== {source}{'' if record is None else f' [{record}]'}\n")
        p = s.probabilities or {}
        conf = f"{p[s.label]:.2f}" if s.label in p else "    "
        extra = "".join(f"[{x}] " for x in (s.speaker, s.reason) if x)
        room = self.width - 20
        text = extra + " ".join(s.text.split())
        text = text if len(text) <= room else text[: room - 1] + "…"
        self.write(f"{index:4d} {self._MARK.get(s.label, s.label):6s} {conf} {text}\n")
        if self.explain and s.explanation:
            for e in s.explanation:
                self.write(f"{'':17s}+{e['weight']:.2f} {e['description']}\n")

    def summary(self, source, record, counts, n):
        parts = ", ".join(f"{lab} {c} ({c / n:.0%})" if n else f"{lab} 0" for lab, c in counts.items())
        self.write(f"   {n} labelled: {parts}\n\n")


def make_writer(fmt: str, out: IO[str] | None = None, explain: bool = False) -> Writer:
    out = out or sys.stdout
    if fmt == "jsonl":
        return JsonlWriter(out)
    if fmt == "csv":
        return CsvWriter(out)
    if fmt == "table":
        return TableWriter(out, explain=explain)
    raise InputError(f"unknown format {fmt!r}; use table, jsonl or csv")
