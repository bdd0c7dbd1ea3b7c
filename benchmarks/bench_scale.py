"""Scale-out: one process, ``datasets`` over 1 and 2 processes, Spark local[1] and local[2].

    python benchmarks/bench_scale.py [--mb 20] [--skip-spark]

On a generated JSONL of at least ``--mb`` MB (the corpus sources and the example articles,
repeated), prints for each way: wall time (for Spark: the job, from reading the input to the written
Parquet, in a session already started), sentences/s, start-up, and the cost per million
sentences in core-seconds; the speed-ups of 2 workers over 1 (targets >= 1.4x); and whether every
way gave the same rows (document, index, offsets, label, probabilities) as the single process.
Spark needs the spark extra and Java 17; it is skipped with the reason without them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")


def make_input(path: Path, mb: int) -> int:
    arts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus" / "sources").glob("*.txt"))]
    arts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").rglob("*.txt"))]
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        while fh.tell() < mb * 1_000_000:
            fh.write(json.dumps({"id": f"d{n}", "text": arts[n % len(arts)]}) + "\n")
            n += 1
    return n


def digest(rows) -> str:
    h = hashlib.sha256()
    for r in sorted(rows, key=lambda r: (r["doc_id"], r["index"])):
        p = r["probabilities"] or {}
        h.update(json.dumps([r["doc_id"], r["index"], r["start"], r["end"], r["label"],
                             {k: round(float(v), 9) for k, v in sorted(p.items())}]).encode())
    return h.hexdigest()[:16]


def one_process(path: Path) -> tuple[float, int, str]:
    out = path.with_suffix(".out.jsonl")
    t = time.perf_counter()
    with out.open("w") as fh:
        subprocess.run([sys.executable, "-m", "stance", "label", "--jsonl", str(path), "--id-field", "id",
                        "--format", "jsonl"], stdout=fh, check=True)
    wall = time.perf_counter() - t
    rows = [json.loads(line) for line in out.open()]
    rows = [{"doc_id": r["record"], **r} for r in rows]
    return wall, len(rows), digest(rows)


def with_datasets(path: Path, num_proc: int) -> tuple[float, int, str]:
    import datasets

    import stance.labelling

    datasets.disable_progress_bars()
    records = [json.loads(line) for line in path.open()]
    t = time.perf_counter()
    ds = datasets.Dataset.from_list(records)
    rows = ds.map(stance.labelling.LabelBatch(), batched=True, batch_size=200, remove_columns=ds.column_names,
                  num_proc=num_proc if num_proc > 1 else None)
    wall = time.perf_counter() - t
    cols = rows.to_dict()
    out = [{"doc_id": d, "index": i, "start": s, "end": e, "label": lab,
            "probabilities": ({"claim": a, "quote": b, "loaded": c} if a is not None else None)}
           for d, i, s, e, lab, a, b, c in zip(cols["doc_id"], cols["index"], cols["start"], cols["end"], cols["label"],
                                               cols["p_claim"], cols["p_quote"], cols["p_loaded"])]
    return wall, len(out), digest(out)


def with_spark(path: Path, cores: int, tmp: Path) -> tuple[float, float, int, str]:
    """stance.labelling.spark_label_files in a fresh process: (job time, session start-up, rows, digest)."""
    out = tmp / f"spark-{cores}"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    code = (
        "import json, time; t0 = time.perf_counter(); from stance import spark; "
        f"s = spark.session('local[{cores}]'); s.sparkContext.setLogLevel('ERROR'); t1 = time.perf_counter(); "
        f"spark.label_files({str(path)!r}, {str(out)!r}, partitions={4 * cores}, force=True); "
        "print(json.dumps([t1 - t0, time.perf_counter() - t1]))"
    )
    r = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    startup, job = json.loads(r.stdout.strip().splitlines()[-1])
    import pandas as pd

    rows = pd.read_parquet(out).to_dict("records")
    for row in rows:
        row["probabilities"] = (None if row["p_claim"] != row["p_claim"] or row["p_claim"] is None else
                                {lab: row[f"p_{lab}"] for lab in ("claim", "quote", "loaded")})
    return job, startup, len(rows), digest(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=20)
    ap.add_argument("--skip-spark", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "docs.jsonl"
        docs = make_input(path, args.mb)
        print(f"input: {path.stat().st_size / 1e6:.1f} MB, {docs:,} documents; {os.cpu_count()} cores")
        results = {}
        wall, n, d = one_process(path)
        results["one process (stance label --jsonl)"] = (wall, None, n, d, 1)
        for k in (1, 2):
            wall, n, d = with_datasets(path, k)
            results[f"datasets map, num_proc {k}"] = (wall, None, n, d, k)
        skipped = None
        if args.skip_spark:
            skipped = "--skip-spark"
        else:
            try:
                import pyspark  # noqa: F401
            except ImportError:
                skipped = 'pyspark is not installed (pip install "stance[spark]")'
        if skipped is None:
            for k in (1, 2):
                wall, startup, n, d = with_spark(path, k, tmp)
                results[f"Spark local[{k}] (stance spark-label)"] = (wall, startup, n, d, k)
        ref = results["one process (stance label --jsonl)"]
        for name, (wall, startup, n, d, cores) in results.items():
            extra = f", start-up {startup:.1f} s" if startup is not None else ""
            print(f"{name:42s} {wall:7.1f} s wall, {n / wall:8,.0f} sentences/s{extra}; "
                  f"{wall * cores / n * 1e6:,.0f} core-seconds per million sentences; "
                  f"rows {'identical' if (n, d) == (ref[2], ref[3]) else 'DIFFERENT'} to one process")
        r1, r2 = results["datasets map, num_proc 1"][0], results["datasets map, num_proc 2"][0]
        print(f"datasets num_proc 2 vs 1: {r1 / r2:.2f}x (target >= 1.4x)")
        if skipped is None:
            s1, s2 = results["Spark local[1] (stance spark-label)"][0], results["Spark local[2] (stance spark-label)"][0]
            print(f"Spark local[2] vs local[1]: {s1 / s2:.2f}x (target >= 1.4x)")
        else:
            print(f"Spark skipped: {skipped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
