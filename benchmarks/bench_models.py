"""Quality, speed and size of the baselines (issue: baseline classifiers).

    python benchmarks/bench_models.py [--models ...] [--bootstrap 1000]

Prints, per model, the leave-one-document-out macro-F1 with a 95% bootstrap
interval (sentences resampled, seed 0) and per-class F1; then for ``hybrid``:
the share of held-out sentences on which it agrees with ``rules``, its
leave-one-document-out macro-F1 when its two settings (the weight of the
rules' vote and C) are chosen inside each training fold by an inner
leave-one-document-out search (nested, so the choice never sees the held-out
document), predict throughput on 10,000 sentences on one core, training time on
the corpus, artifact size and load time in a fresh process. Timings are CPU time
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


GRID = [(w, c) for w in (1.0, 3.0, 10.0) for c in (0.1, 0.3, 1.0, 3.0)]


def _lodo_predict(est, texts, y, groups):
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    return cross_val_predict(est, list(texts), y, groups=groups, cv=LeaveOneGroupOut())


def _hybrid(w, c):
    return models.make("hybrid", features__transformer_weights={"rules": w}, clf__C=c)


def nested(td) -> None:
    """Hybrid vs rules on the same folds, and the hybrid's settings chosen without the held-out document."""
    import numpy as np
    from sklearn.metrics import f1_score

    texts = np.asarray(td.texts, dtype=object)
    y = np.asarray(td.labels, dtype=object)
    groups = np.asarray(td.groups, dtype=object)
    params = models.make("hybrid").get_params()
    w0, c0 = params["features__transformer_weights"]["rules"], params["clf__C"]
    hyb = _lodo_predict(_hybrid(w0, c0), texts, y, groups)
    rules = _lodo_predict(models.make("rules"), texts, y, groups)
    print(f"\nhybrid (rules' vote x{w0:g}, C={c0:g}) and rules agree on {np.mean(hyb == rules):.1%} of the "
          "held-out sentences")
    pred = np.empty(len(y), dtype=object)
    chosen = []
    for g in sorted(set(groups)):
        tr = groups != g
        inner = [(f1_score(y[tr], _lodo_predict(_hybrid(w, c), texts[tr], y[tr], groups[tr]), average="macro"), -i)
                 for i, (w, c) in enumerate(GRID)]
        w, c = GRID[-max(inner)[1]]
        chosen.append(f"{g}: x{w:g}, C={c:g}")
        pred[~tr] = _hybrid(w, c).fit(list(texts[tr]), list(y[tr])).predict(list(texts[~tr]))
    print(f"nested LODO macro-F1 of hybrid, settings chosen by inner LODO over {len(GRID)} settings: "
          f"{f1_score(y, pred, average='macro'):.3f} (chosen per held-out document: {'; '.join(chosen)})")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", default=models.names())
    p.add_argument("--bootstrap", type=int, default=1000)
    p.add_argument("--no-nested", action="store_true", help="skip the nested tuning check (about a minute)")
    args = p.parse_args(argv)
    td = read_data()
    print(f"corpus: {len(td)} labelled sentences, {len(set(td.groups))} documents\n")
    print("Leave-one-document-out (95% bootstrap interval over sentences, seed 0)")
    print(f"{'model':10s} {'macro-F1':>8s}  {'95% CI':13s}  {'claim':>6s} {'quote':>6s} {'loaded':>6s}")
    for name in args.models:
        m = lodo_summary(name, td, seed=0, n_boot=args.bootstrap)
        f = m["per_class_f1"]
        lo, hi = m["macro_f1_ci95"]
        print(f"{name:10s} {m['macro_f1']:8.3f}  [{lo:.3f}, {hi:.3f}]  {f['claim']:6.3f} {f['quote']:6.3f} {f['loaded']:6.3f}")

    if "hybrid" in args.models and not args.no_nested:
        nested(td)

    print("\nhybrid, one core")
    train_s = best_of(3, lambda: stance.train("hybrid", seed=0))
    model = stance.train("hybrid", seed=0)
    X = (td.texts * (10000 // len(td.texts) + 1))[:10000]
    pred_s = best_of(3, lambda: model.predict(X))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hybrid.joblib"
        model.save(path)
        size = path.stat().st_size
        code = ("import time; t=time.perf_counter(); import stance; m=stance.load(%r); "
                "m.predict(['x']); print(time.perf_counter()-t)") % str(path)
        loads = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(3)]
    print(f"  predict: {len(X) / pred_s:,.0f} sentences/s on {len(X):,} sentences (target >= 20,000)")
    print(f"  training on the corpus: {train_s:.2f} s (target < 5 s)")
    print(f"  artifact: {size / 1e6:.2f} MB (target < 5 MB)")
    print(f"  load in a fresh process (imports + load + first predict): {min(loads):.3f} s (target < 0.3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
