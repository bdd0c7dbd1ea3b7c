"""Draw the single-topic adaptation set from BABE, once, with a fixed seed.

    python labels/vaccines/sample.py [--external ../shared/external] [--seed 0] [--work DIR]

The outside codebook set (labels/outside/) mixes dozens of topics; a user adapting stance to
*their* topic has news about one. This set is every BABE sentence (``babe/final_labels_SG2.csv``)
of the topics ``vaccine`` and ``vaccines`` that the outside set did not already draw, repeated
texts (after whitespace folding) once. It is labelled under labels/GUIDELINES.md like the outside
set and split once: ``pool`` (200 rows a user might label) and ``heldout`` (the rest, only for
reported figures), in proportion within BABE's ``label_bias`` strata.

Writes ``labels/vaccines/rows.jsonl`` (dataset, file, row key, sha256 of the text, split: no
text, none of BABE's labels). With ``--work DIR`` it also writes the texts for the labellers,
outside the repository (``DIR/sentences.jsonl``).
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "labels" / "outside"))

from sample import _fold, sample_main  # noqa: E402  (labels/outside/sample.py)

from stance.corpora import read_table  # noqa: E402

BABE = "babe/final_labels_SG2.csv"
TOPICS = ("vaccine", "vaccines")
POOL = 200


def draw(external: Path, seed: int = 0) -> list[dict]:
    taken = {json.loads(l)["key"] for l in (ROOT / "labels" / "outside" / "rows.jsonl").open(encoding="utf-8")
             if json.loads(l)["dataset"] == "babe"}
    _, rows = read_table(external / BABE)
    seen = {_fold(rows[int(k) - 1]["text"]) for k in taken}
    drawn = []
    for n, r in enumerate(rows, 1):
        f = _fold(r["text"] or "")
        if r["topic"] not in TOPICS or str(n) in taken or not f or f in seen:
            continue
        seen.add(f)
        drawn.append({"dataset": "babe", "file": BABE, "key": str(n), "text": r["text"], "stratum": r["label_bias"]})
    rng = random.Random(seed)
    strata = defaultdict(list)
    for d in drawn:
        strata[d["stratum"]].append(d)
    # pool rows per stratum in proportion (largest remainders, ties by name)
    exact = {k: POOL * len(v) / len(drawn) for k, v in strata.items()}
    quota = {k: int(x) for k, x in exact.items()}
    for k in sorted(strata, key=lambda k: (-(exact[k] - int(exact[k])), k))[: POOL - sum(quota.values())]:
        quota[k] += 1
    for k in sorted(strata):
        group = sorted(strata[k], key=lambda d: int(d["key"]))
        rng.shuffle(group)
        for i, d in enumerate(group):
            d["split"] = "pool" if i < quota[k] else "heldout"
    drawn.sort(key=lambda d: int(d["key"]))
    for i, d in enumerate(drawn, 1):
        d["id"] = f"v{i:03d}"
    return drawn


def main(argv=None) -> int:
    return sample_main(argv, __doc__.splitlines()[0], draw, HERE, strata="stratum")


if __name__ == "__main__":
    sys.exit(main())
