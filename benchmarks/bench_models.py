"""Quality, speed and size of the baselines (issue: baseline classifiers).

    python benchmarks/bench_models.py [--models ...] [--bootstrap 1000]

Prints, per model, the leave-one-document-out macro-F1 with a 95% bootstrap
interval (sentences resampled, seed 0) and per-class F1; then for ``hybrid``:
the share of held-out corpus sentences on which it agrees with ``rules``,
predict throughput on 10,000 sentences on one core, training time on the
built-in data (corpus + constructed set), artifact size and load time in a
fresh process. Timings are CPU time
of this single-threaded process (best of 3), so a busy machine skews them less.
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
from stance import models  # noqa: E402
from stance.training import lodo_summary, read_data  # noqa: E402


def best_of(n, fn):
    times = []
    for _ in range(n):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def agreement_with_rules(td) -> None:
    """How often the hybrid makes the rules' decision on held-out corpus sentences (same folds)."""
    import numpy as np
    from sklearn.base import clone
    from sklearn.model_selection import LeaveOneGroupOut

    from stance.recipes import fit_estimator

    y = np.asarray(td.labels, dtype=object)
    built = np.asarray(td.constructed or [False] * len(y), dtype=bool)
    w = td.sample_weight()
    scored, extra = np.flatnonzero(~built), np.flatnonzero(built)
    groups = np.asarray(td.groups, dtype=object)[scored]
    same = []
    for tr, te in LeaveOneGroupOut().split(scored, groups=groups):
        rows = np.r_[scored[tr], extra]
        hyb = fit_estimator(clone(models.make("hybrid", seed=0)), [td.texts[i] for i in rows], y[rows],
                            None if w is None else w[rows])
        test = [td.texts[i] for i in scored[te]]
        same.append(hyb.predict(test) == models.make("rules").fit(test, y[scored[te]]).predict(test))
    print(f"\nhybrid and rules agree on {np.mean(np.concatenate(same)):.1%} of the held-out corpus sentences "
          "(the hybrid's settings were chosen on the outside dev split: python experiments/approaches.py)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=models.names(optional=False))
    p.add_argument("--bootstrap", type=int, default=1000)
    args = p.parse_args(argv)
    td = read_data()
    built = td.constructed or [False] * len(td)
    docs = {g for g, c in zip(td.groups, built) if not c}
    print(f"training data: {built.count(False)} corpus sentences in {len(docs)} documents + {built.count(True)} "
          "constructed sentences (in every training fold, never scored)\n")
    print("Leave-one-document-out (95% bootstrap interval over sentences, seed 0)")
    print(f"{'model':10s} {'macro-F1':>8s}  {'95% CI':13s}  {'claim':>6s} {'quote':>6s} {'loaded':>6s}")
    for name in args.models:
        m = lodo_summary(name, td, seed=0, n_boot=args.bootstrap)
        f = m["per_class_f1"]
        lo, hi = m["macro_f1_ci95"]
        print(f"{name:10s} {m['macro_f1']:8.3f}  [{lo:.3f}, {hi:.3f}]  {f['claim']:6.3f} {f['quote']:6.3f} {f['loaded']:6.3f}")

    if "hybrid" in args.models:
        agreement_with_rules(td)

    print("\nhybrid, one core")
    train_s = best_of(3, lambda: stance.train("hybrid", seed=0))
    model = stance.train("hybrid", seed=0)
    X = (td.texts * (10000 // len(td.texts) + 1))[:10000]
    pred_s = best_of(3, lambda: model.predict(X))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hybrid.stance"
        model.save(path)
        size = path.stat().st_size
        code = ("import time; t=time.perf_counter(); import stance; m=stance.load(%r); "
                "m.predict(['x']); print(time.perf_counter()-t)") % str(path)
        loads = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(3)]
    print(f"  predict: {len(X) / pred_s:,.0f} sentences/s on {len(X):,} sentences (target >= 20,000)")
    print(f"  training on the corpus + constructed set: {train_s:.2f} s (target < 5 s)")
    print(f"  artifact: {size / 1e6:.2f} MB (target < 5 MB)")
    print(f"  load in a fresh process (imports + load + first predict): {min(loads):.3f} s (target < 0.3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
