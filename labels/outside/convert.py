"""Turn a labelling pass written with substrings into the stored form with character spans.

    python labels/outside/convert.py LABELS.jsonl [LABELS.jsonl ...] --out labels/outside/pass1.jsonl
    python labels/outside/convert.py LABELS.jsonl ... --set vaccines --out labels/vaccines/pass1.jsonl

Each input row: ``id``, ``label``, ``reason``, ``speaker`` (exact substring or null), ``direct``,
``cues`` (exact substrings), ``rule``. The output keeps the decision and the rule and replaces
every substring by its ``[start, end]`` in the row's text (joined from ../shared/external), so no
outside text is stored. A substring that is not in the text is an error naming the row.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stance.corpora import outside_records  # noqa: E402

FIELDS = ("id", "label", "reason", "speaker_span", "direct", "cue_spans", "rule")


def _find(text: str, sub: str, where: str) -> list[int]:
    i = text.find(sub)
    if i < 0:
        raise SystemExit(f"{where}: {sub!r} is not a substring of the row's text")
    return [i, i + len(sub)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", type=Path)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--external", help="the outside data directory (default: stance's default)")
    p.add_argument("--set", default="outside", help="which labelled set the rows belong to (outside, vaccines)")
    args = p.parse_args(argv)
    texts = {r["id"]: r["text"] for r in outside_records(labels_file=None, external=args.external, name=args.set)}
    got = {}
    for path in args.inputs:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            where = f"{path}:{n} ({r.get('id')})"
            if r["id"] not in texts:
                raise SystemExit(f"{where}: unknown row id")
            t = texts[r["id"]]
            lab = r["label"]
            got[r["id"]] = {
                "id": r["id"], "label": lab,
                "reason": r.get("reason") if lab == "excluded" else None,
                "speaker_span": _find(t, r["speaker"], where) if lab == "quote" and r.get("speaker") else None,
                "direct": bool(r.get("direct")) if lab == "quote" else None,
                "cue_spans": [_find(t, c, where) for c in r.get("cues") or []] if lab == "loaded" else [],
                "rule": r.get("rule"),
            }
    missing = [i for i in texts if i not in got]
    if missing:
        raise SystemExit(f"no decision for {len(missing)} rows, first {missing[0]}")
    with args.out.open("w", encoding="utf-8") as fh:
        for i in texts:
            fh.write(json.dumps(got[i], ensure_ascii=False) + "\n")
    print(f"wrote {args.out}: {len(got)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
