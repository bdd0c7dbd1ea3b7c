"""Check one labeller's output file against the batch it labels (standard library only).

    python labels/news/check.py BATCH.txt OUTPUT.jsonl [--rule]

Every sentence line of the batch (``[id] text``) needs exactly one JSON row in the output with
the fields of labels/GUIDELINES.md section 3: ``id``, ``label`` (claim, quote, loaded, excluded),
``reason`` (excluded only), ``speaker`` (quote only: a substring of the sentence, or null),
``direct`` (quote only: true or false), ``cues`` (loaded only: one or more substrings of the
sentence) and an optional ``note``. Lines marked ``(repeat of ...)`` are not labelled. In an adjudication or review batch the lines to
decide are ``>>SENTENCE [id] text``, and ``--rule`` asks every row for a non-empty ``rule`` (the
codebook rule that decides it).
Prints every problem with its line, or ``OK`` and the counts; exit status 1 when a problem is found.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter

LINE = re.compile(r"^(?:>>SENTENCE )?\[([A-Za-z0-9-]+)\] (.*)$")
LABELS = {"claim", "quote", "loaded", "excluded"}


def batch_sentences(path: str) -> dict[str, str]:
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = LINE.match(line.rstrip("\n"))
            if m and not m.group(2).startswith("(repeat of "):
                out[m.group(1)] = m.group(2)
    return out


def problems(batch: dict[str, str], rows: list[tuple[int, object]], need_rule: bool = False) -> list[str]:
    found: list[str] = []
    seen: Counter = Counter()
    for n, row in rows:
        where = f"line {n}"
        if not isinstance(row, dict):
            found.append(f"{where}: not a JSON object")
            continue
        sid = row.get("id")
        if sid not in batch:
            found.append(f"{where}: id {sid!r} is not a sentence of this batch")
            continue
        seen[sid] += 1
        text = batch[sid]
        label = row.get("label")
        if label not in LABELS:
            found.append(f"{where} ({sid}): label {label!r} is not one of {sorted(LABELS)}")
            continue
        if need_rule and not (isinstance(row.get("rule"), str) and row["rule"].strip()):
            found.append(f"{where} ({sid}): no rule named")
        reason, speaker, direct, cues = row.get("reason"), row.get("speaker"), row.get("direct"), row.get("cues", [])
        if label == "excluded":
            if not isinstance(reason, str) or not reason.strip():
                found.append(f"{where} ({sid}): excluded needs a reason")
        elif reason is not None:
            found.append(f"{where} ({sid}): reason must be null unless excluded")
        if label == "quote":
            if speaker is not None and (not isinstance(speaker, str) or speaker not in text):
                found.append(f"{where} ({sid}): speaker {speaker!r} is not a substring of the sentence")
            if not isinstance(direct, bool):
                found.append(f"{where} ({sid}): a quote needs direct true or false")
        else:
            if speaker is not None or direct is not None:
                found.append(f"{where} ({sid}): speaker and direct must be null unless quote")
        if label == "loaded":
            if not isinstance(cues, list) or not cues:
                found.append(f"{where} ({sid}): loaded needs at least one cue")
            else:
                for c in cues:
                    if not isinstance(c, str) or not c or c not in text:
                        found.append(f"{where} ({sid}): cue {c!r} is not a substring of the sentence")
        elif cues not in ([], None):
            found.append(f"{where} ({sid}): cues must be [] unless loaded")
    for sid in batch:
        if seen[sid] == 0:
            found.append(f"{sid}: not labelled")
        elif seen[sid] > 1:
            found.append(f"{sid}: labelled {seen[sid]} times")
    return found


def main(argv: list[str]) -> int:
    need_rule = "--rule" in argv
    argv = [a for a in argv if a != "--rule"]
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    batch = batch_sentences(argv[0])
    rows: list[tuple[int, object]] = []
    with open(argv[1], encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append((n, json.loads(line)))
                except json.JSONDecodeError as exc:
                    rows.append((n, f"bad JSON: {exc}"))
    found = problems(batch, rows, need_rule)
    for p in found:
        print(p)
    if found:
        print(f"{len(found)} problems")
        return 1
    counts = Counter(r.get("label") for _, r in rows if isinstance(r, dict))
    print("OK", len(rows), "rows:", dict(sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
