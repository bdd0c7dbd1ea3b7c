"""Draw the outside codebook set from ../shared/external, once, with a fixed seed.

    python labels/outside/sample.py [--external ../shared/external] [--seed 0] [--work DIR]

Writes ``labels/outside/rows.jsonl``: one row per drawn sentence with the dataset, the file,
the row key (CheckThat ``sentence_id``, BABE row number counted from 1 after the header), the
sha256 of the text exactly as :func:`stance.corpora.read_table` reads it, and the split
(``dev`` for all tuning, ``test`` only for reported figures). No sentence text, and none of the
outside labels, is written to the repository: the loader joins them from the files. With ``--work DIR`` it also writes the texts, for the labellers, outside the
repository (``DIR/sentences.jsonl``).

The draw: 320 sentences from CheckThat! 2025 English train, dev and dev_test (a third from each
file, stratified by OBJ/SUBJ; ``test_en_labeled.tsv`` is left out, it stays the binary outside
test), and 320 from BABE, allocated over its ``topic`` x ``label_bias`` cells in proportion
(largest remainders). Repeated texts (after whitespace folding) are drawn at most once. The
split is drawn once, half and half within each dataset x outside-label stratum.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stance.corpora import read_table  # noqa: E402

CHECKTHAT = ("checkthat-subjectivity-en/train_en.tsv", "checkthat-subjectivity-en/dev_en.tsv",
             "checkthat-subjectivity-en/dev_test_en.tsv")
BABE = "babe/final_labels_SG2.csv"
N_CHECKTHAT, N_BABE = 320, 320


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fold(text: str) -> str:
    return " ".join(text.split()).lower()


def _allocate(sizes: dict, total: int) -> dict:
    """Proportional allocation with largest remainders (deterministic tie-break by key)."""
    n = sum(sizes.values())
    if total > n:
        raise ValueError(f"cannot draw {total} from {n}")
    exact = {k: total * v / n for k, v in sizes.items()}
    out = {k: min(int(x), sizes[k]) for k, x in exact.items()}
    rest = sorted(sizes, key=lambda k: (-(exact[k] - int(exact[k])), str(k)))
    i = 0
    while sum(out.values()) < total:
        k = rest[i % len(rest)]
        if out[k] < sizes[k]:
            out[k] += 1
        i += 1
    return out


def draw(external: Path, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    seen: set[str] = set()
    drawn: list[dict] = []

    def take(cands: list[dict], k: int) -> None:
        cands = sorted(cands, key=lambda c: c["key"])
        rng.shuffle(cands)
        got = 0
        for c in cands:
            if got == k:
                break
            f = _fold(c["text"])
            if f in seen or not f:
                continue
            seen.add(f)
            drawn.append(c)
            got += 1

    per_file = _allocate({f: N_CHECKTHAT for f in CHECKTHAT}, N_CHECKTHAT)  # a third each
    for f in CHECKTHAT:
        _, rows = read_table(external / f)
        by_label = defaultdict(list)
        for r in rows:
            by_label[r["label"]].append({"dataset": "checkthat", "file": f, "key": r["sentence_id"],
                                         "text": r["sentence"], "source_label": r["label"], "stratum": r["label"]})
        for lab, k in _allocate({k: len(v) for k, v in by_label.items()}, per_file[f]).items():
            take(by_label[lab], k)
    _, rows = read_table(external / BABE)
    cells = defaultdict(list)
    for n, r in enumerate(rows, 1):
        cells[(r["topic"], r["label_bias"])].append({
            "dataset": "babe", "file": BABE, "key": str(n), "text": r["text"], "source_label": r["label_bias"],
            "stratum": r["label_bias"], "topic": r["topic"]})
    for cell, k in _allocate({c: len(v) for c, v in cells.items()}, N_BABE).items():
        take(cells[cell], k)
    # the split, once: half and half within each dataset x outside-label stratum
    strata = defaultdict(list)
    for d in drawn:
        strata[(d["dataset"], d["stratum"])].append(d)
    for key in sorted(strata):
        group = sorted(strata[key], key=lambda d: (d["file"], d["key"]))
        rng.shuffle(group)
        for i, d in enumerate(group):
            d["split"] = "dev" if i % 2 == 0 else "test"
    drawn.sort(key=lambda d: (d["dataset"], d["file"], d["key"]))
    for i, d in enumerate(drawn, 1):
        d["id"] = f"x{i:03d}"
    return drawn


def write_set(drawn: list[dict], folder: Path, work: str | None, strata: str = "dataset") -> int:
    """Write ``folder/rows.jsonl`` (no text) and, with ``work``, the texts for the labellers outside
    the repository; print the counts per split and ``strata`` field. Returns an exit code."""
    if work and Path(work).resolve().is_relative_to(ROOT):
        print(f"{work}: the texts must not be written inside the repository", file=sys.stderr)
        return 2
    with (folder / "rows.jsonl").open("w", encoding="utf-8") as fh:
        for d in drawn:
            row = {"id": d["id"], "dataset": d["dataset"], "file": d["file"], "key": d["key"],
                   "sha256": sha256(d["text"]), "split": d["split"]}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    if work:
        Path(work).mkdir(parents=True, exist_ok=True)
        with (Path(work) / "sentences.jsonl").open("w", encoding="utf-8") as fh:
            for d in drawn:
                fh.write(json.dumps({"id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n")
    counts = defaultdict(int)
    for d in drawn:
        counts[(d[strata], d["split"])] += 1
    print(f"{len(drawn)} sentences: " + ", ".join(f"{k[0]} {k[1]} {v}" for k, v in sorted(counts.items())))
    return 0


def sample_main(argv, description: str, draw_fn, folder: Path, strata: str = "dataset") -> int:
    """The command line of a sampling script: ``--external``, ``--seed``, ``--work``; draws with
    ``draw_fn(external, seed)`` and writes the set into ``folder``."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--external", default=str(ROOT.parent / "shared" / "external"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", help="also write the texts here for the labellers (outside the repository)")
    args = p.parse_args(argv)
    external = Path(args.external)
    if not external.is_dir():
        print(f"{external}: no such directory (the outside data)", file=sys.stderr)
        return 2
    return write_set(draw_fn(external, args.seed), folder, args.work, strata=strata)


def main(argv=None) -> int:
    return sample_main(argv, __doc__.splitlines()[0], draw, HERE)


if __name__ == "__main__":
    sys.exit(main())
