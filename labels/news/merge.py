"""Gather the labellers' batch files of one pass into ``labels/news/<pass>.jsonl``.

    python labels/news/merge.py pass1      # from labels/news/work/pass1/batch-*.jsonl (and pass1-wN/, later waves)
    python labels/news/merge.py pass2

Each batch file is checked against its batch (``check.py``) first; rows are written in the order of
``corpus/news/sentences.jsonl``, with the fields of labels/GUIDELINES.md section 3.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check import batch_sentences, problems  # noqa: E402

FIELDS = ("id", "label", "reason", "speaker", "direct", "cues", "note")


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "pass1"
    rows: dict[str, dict] = {}
    batches = sorted((HERE / "work" / which).glob("batch-*.txt"))
    batches += sorted(p for d in sorted((HERE / "work").glob(f"{which}-w*")) for p in d.glob("batch-*.txt"))
    for batch in batches:
        out = batch.with_suffix(".jsonl")
        if not out.exists():
            print(f"{out}: missing", file=sys.stderr)
            return 1
        got = [(n, json.loads(line)) for n, line in enumerate(out.read_text(encoding="utf-8").splitlines(), 1)
               if line.strip()]
        found = problems(batch_sentences(str(batch)), got)
        if found:
            print(f"{out}: {found[0]} ({len(found)} problems)", file=sys.stderr)
            return 1
        for _, r in got:
            rows[r["id"]] = {f: r.get(f, [] if f == "cues" else None) for f in FIELDS}
    order = [json.loads(line)["id"] for line in (HERE.parents[1] / "corpus" / "news" / "sentences.jsonl")
             .read_text(encoding="utf-8").splitlines()]
    with (HERE / f"{which}.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for sid in order:
            if sid in rows:
                fh.write(json.dumps(rows[sid], ensure_ascii=False) + "\n")
    print(f"{which}: {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
