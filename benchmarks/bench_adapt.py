"""Speed of adapting stance to a topic (issue: adapt to your topic).

    python benchmarks/bench_adapt.py [--rows 200]

Prints, on one core:
* ``stance.train("hybrid", data=ROWS, extend=True)``: wall time of the fit on the shipped data
  (corpus + constructed set) plus ROWS of yours (target < 30 s), and of the same with
  ``evaluate=True`` (5-fold cross-validation over your rows + the shipped-only reference);
* whether the adapted model keeps the light label path: a compiled numpy form, and labelling it
  from a saved file in a fresh process imports neither scikit-learn nor scipy;
* ``stance label --uncertain``'s choice (``stance.labelling.select_uncertain``) in sentences/s
  over the corpus sources.

Your rows are the vaccines set's pool (labels/vaccines/, text from ../shared/external) when the
outside data is there, else ROWS constructed sentences standing in for them (timing only).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import stance  # noqa: E402


def _rows(n: int) -> tuple[list[dict], str]:
    from stance.errors import LabelledSetError
    from stance.corpora import constructed_records, outside_records

    try:
        pool = outside_records("pool", name="vaccines")
        return [{"text": r["text"], "label": r["label"], "doc_id": r["doc_id"]} for r in pool][:n], "vaccines pool"
    except (LabelledSetError, FileNotFoundError):
        rows = constructed_records()[:n]
        return [{"text": r["text"], "label": r["label"], "doc_id": r["doc_id"]} for r in rows], "constructed stand-ins"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200)
    args = ap.parse_args(argv)
    rows, what = _rows(args.rows)
    t = time.perf_counter()
    model = stance.train("hybrid", data=rows, extend=True, seed=0)
    fit = time.perf_counter() - t
    t = time.perf_counter()
    stance.train("hybrid", data=rows, extend=True, seed=0, evaluate=True)
    with_cv = time.perf_counter() - t
    td = model.card["training_data"]
    print(f"training data: {td['rows']} rows = shipped + {td['user_rows']} of yours ({what}), each weighted "
          f"{td['user_weight']:g}")
    print(f"  fit: {fit:.1f} s wall (target < 30 s)")
    print(f"  fit + cross-validation over your rows (evaluate=True, what stance-train prints): {with_cv:.1f} s wall")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "adapted.stance"
        model.save(path)
        code = ("import sys; from stance.hub import load; m = load(%r); m.label_text('The minister said so.'); "
                "print(m.scoring is not None, [x for x in ('sklearn', 'scipy') if x in sys.modules])") % str(path)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    print(f"  light label path: compiled numpy form {out[0] == 'True'}; heavy modules imported when labelling "
          f"from the saved file: {' '.join(out[1:])}")
    from stance.corpora import data_root
    from stance.labelling import select_uncertain

    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((data_root() / "corpus" / "sources").glob("*.txt"))}
    texts = {f"{k}#{i}": v for i in range(20) for k, v in texts.items()}
    default = stance.load()
    n = sum(len(default.label_text(t).sentences) for t in list(texts.values())[:5]) * len(texts) // 5
    t = time.perf_counter()
    select_uncertain(texts, 100, model=default)
    dt = time.perf_counter() - t
    print(f"stance label --uncertain 100 (select_uncertain) over {n:,} sentences in {len(texts)} documents: "
          f"{n / dt:,.0f} sentences/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
