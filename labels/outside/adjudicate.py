"""Build the outside set's gold labels from the two passes and the adjudicated decisions.

    python labels/outside/adjudicate.py DECISIONS.jsonl [DECISIONS.jsonl ...] [--set vaccines]

Where the passes agree and no decision revisits the row, gold takes pass 1's row. Every other row
takes its adjudicated decision (speaker and cues given as exact substrings, turned into spans), with
``note`` naming both passes' labels and ``rule`` the codebook rule that decided it. Writes
``labels/<set>/gold.jsonl`` (``--set``: outside, the default, or vaccines).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))
sys.path.insert(0, str(HERE))

from convert import FIELDS, _find  # noqa: E402

from stance.corpora import outside_records  # noqa: E402


def _rows(folder: Path, name: str) -> dict[str, dict]:
    return {json.loads(line)["id"]: json.loads(line)
            for line in (folder / name).read_text(encoding="utf-8").splitlines() if line.strip()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("decisions", nargs="+", type=Path)
    p.add_argument("--set", default="outside", choices=("outside", "vaccines"))
    args = p.parse_args(argv)
    folder = HERE.parent / args.set
    texts = {r["id"]: r["text"] for r in outside_records(labels_file=None, name=args.set)}
    a, b = _rows(folder, "pass1.jsonl"), _rows(folder, "pass2.jsonl")
    decided = {}
    for path in args.decisions:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                d = json.loads(line)
                decided[d["id"]] = (d, f"{path}:{n} ({d['id']})")
    gold, n_dis, n_changed = [], 0, 0
    for i, t in texts.items():
        disagree = a[i]["label"] != b[i]["label"]
        if disagree and i not in decided:
            raise SystemExit(f"{i}: the passes disagree and no decision adjudicates it")
        if i not in decided:
            gold.append({k: a[i].get(k) for k in FIELDS} | {"note": None})
            continue
        d, where = decided[i]
        lab = d["label"]
        row = {
            "id": i, "label": lab, "reason": d.get("reason") if lab == "excluded" else None,
            "speaker_span": _find(t, d["speaker"], where) if lab == "quote" and d.get("speaker") else None,
            "direct": bool(d.get("direct")) if lab == "quote" else None,
            "cue_spans": [_find(t, c, where) for c in d.get("cues") or []] if lab == "loaded" else [],
            "rule": d.get("rule"),
        }
        if disagree:
            n_dis += 1
            row["note"] = f"adjudicated: pass 1 {a[i]['label']}, pass 2 {b[i]['label']}"
        elif lab != a[i]["label"]:
            n_changed += 1
            row["note"] = f"relabelled under codebook {d.get('section', '5b')}: both passes said {a[i]['label']}"
        else:
            row["note"] = f"checked under codebook {d.get('section', '5b')}: both passes' {lab} kept"
        gold.append(row)
    (folder / "gold.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold), encoding="utf-8")
    print(f"wrote gold.jsonl: {len(gold)} rows, {n_dis} disagreements adjudicated, "
          f"{n_changed} agreed labels changed under the sharpened codebook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
