"""The accurate model's figures (issue: an accurate fine-tuned encoder that runs without torch).

    python benchmarks/bench_accurate.py [--model accurate] [--sentences 2000] [--threads 2]

Prints: the size of the model file; the cold start of ``stance label --model accurate`` on one
sentence (a fresh process, median of 3: import, read and check the file, build the onnxruntime
session, label); the rate of ``predict`` on real news sentences (the news set's dev split, in its
own order, ``--threads`` onnxruntime threads, best of 3) beside the default's; the peak resident
memory of a process that loads the model and labels them; and whether torch or transformers were
imported on the way (they must not be). Needs the onnx extra (``pip install ".[onnx]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

_CHILD = """
import json, resource, sys, time
import stance
from stance.corpora import news_records
texts = [r["text"] for r in news_records("dev")][:{n}]
t = time.perf_counter()
model = stance.load({model!r})
loaded = time.perf_counter() - t
model.predict(texts[:8])
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    model.predict(texts)
    best = min(best, time.perf_counter() - t)
print(json.dumps({{"n": len(texts), "load_s": loaded, "predict_s": best,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "torch": "torch" in sys.modules, "transformers": "transformers" in sys.modules}}))
"""


def _stance_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "stance"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "stance"]


def cold_start(model: str, env: dict[str, str]) -> float:
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(_stance_cmd() + ["label", "--model", model, "--sentences", "--format", "jsonl"],
                       input="The council approved the plan on Tuesday.\n", capture_output=True, text=True,
                       check=True, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(model: str, n: int, env: dict[str, str]) -> dict:
    r = subprocess.run([sys.executable, "-c", _CHILD.format(n=n, model=model)], capture_output=True, text=True,
                       check=True, env=env)
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="accurate", help="a model name or file (default: accurate)")
    ap.add_argument("--sentences", type=int, default=2000, help="news dev sentences to label (default: 2000)")
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime threads (STANCE_THREADS; default: 2)")
    args = ap.parse_args(argv)
    env = dict(os.environ, STANCE_THREADS=str(args.threads), STANCE_OFFLINE="1")

    from stance.hub import SHIPPED

    path = SHIPPED.get(args.model, Path(args.model))
    if path.is_file():
        print(f"model file: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"cold start, stance label --model {args.model} on one sentence: {cold_start(args.model, env):.2f} s "
          "(median of 3)")
    acc = measure(args.model, args.sentences, env)
    default = measure("default", args.sentences, env)
    for name, m in ((args.model, acc), ("default", default)):
        print(f"{name:>10}: {m['n'] / m['predict_s']:,.0f} sentences/s on {m['n']} news dev sentences "
              f"({args.threads} threads, best of 3); load {m['load_s']:.2f} s; peak memory {m['peak_mb']:.0f} MB; "
              f"torch imported: {m['torch']}, transformers imported: {m['transformers']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
