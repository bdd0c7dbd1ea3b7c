"""The ``adapt`` experiment: what a user's own labels buy, and which sentences to label first.

Run by ``python experiments/run.py --only adapt`` (configs/adapt.toml). It plays a user who labels
some of their own sentences and trains with ``stance-train --extend`` (the shipped data + their
rows), in three scenarios (``[[scenarios]]``):

* **one topic in press releases**: the news set's one-topic block (press releases on immigration and
  the border, labels/news/, two passes, never in the default's training data): rows to label from its
  ``pool`` documents, figures on its ``heldout`` documents;
* **one new topic**: the vaccines set (labels/vaccines/: BABE sentences on vaccines, labelled
  under the codebook): rows to label from its ``pool`` split, figures on its ``heldout`` split;
* **news on many topics**: the outside codebook set: rows to label from dev, figures on test
  (outside dev is never the held-out side: the default's recipe was tuned on all of it).

The user labels 0, 25, 50, 100 or 200 rows, chosen **at random** (several seeds) or by
``stance label --uncertain`` (the shipped default's least certain, spread over topics). Every
figure is macro-F1 on the held-out rows, with a bootstrap interval (held-out rows drawn as
clusters across seeds) and the paired difference to the shipped default on the same rows.

The weight of a user row is chosen first, on outside dev alone: cuts of dev into rows added (100
at random) and rows held out, for each candidate weight; the run says when the choice differs
from the weight that ships (``stance.training.USER_WEIGHT``), which every curve uses.

Only aggregate figures are written: no sentence, id or per-row label of the outside data.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from stance import LABELS
from stance.evaluate import fmt, fmt_interval

_ci = partial(fmt_interval, missing="")  # a blank cell where there is no interval

STRATEGIES = ("random", "uncertain")


def _group(r: dict[str, Any]) -> str:
    """The 'document' of an outside row for spreading the choice: BABE's topic, else the dataset split."""
    return str(r.get("topic") or r["doc_id"])


def _user_data(rows: list[dict[str, Any]]):
    from stance.training import TrainingData

    return TrainingData([r["text"] for r in rows], [r["label"] for r in rows], [_group(r) for r in rows],
                        [r["id"] for r in rows], "outside dev rows")


class _Adapter:
    """Fits the default's recipe on the shipped data plus chosen user rows."""

    def __init__(self, model: str, seed: int):
        import stance.recipes
        from stance.recipes import fit_estimator
        from stance.training import builtin_data

        self.model, self.seed = model, seed
        self.base = builtin_data()
        self.reference = fit_estimator(stance.recipes.make(model, seed=seed), self.base.texts,
                                       np.asarray(self.base.labels, dtype=object), self.base.sample_weight())

    def fit(self, rows: list[dict[str, Any]], weight: float):
        import stance.recipes
        from stance.recipes import fit_estimator
        from stance.training import extend_data

        if not rows:
            return self.reference
        td, _ = extend_data(_user_data(rows), weight, base=self.base)
        return fit_estimator(stance.recipes.make(self.model, seed=self.seed), td.texts, np.asarray(td.labels, dtype=object),
                             td.sample_weight())


def _choose(adapter: _Adapter, strategy: str, pool: list[dict[str, Any]], k: int, seed: int,
            pool_proba: np.ndarray) -> list[dict[str, Any]]:
    from stance.labelling import pick_diverse, uncertainty

    if k >= len(pool):
        return list(pool)
    if strategy == "random":
        return [pool[i] for i in sorted(np.random.default_rng(seed + 1000).permutation(len(pool))[:k])]
    picked = pick_diverse(uncertainty(pool_proba), [_group(r) for r in pool], k)
    return [pool[i] for i in sorted(picked)]


def _cut(dev: list[dict[str, Any]], held_out: int, seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    order = np.random.default_rng(seed).permutation(len(dev))
    return [dev[i] for i in order[held_out:]], [dev[i] for i in order[:held_out]]


def _pooled(y: list[str], pred: list[str], ids: list[str], nb: int, seed: int) -> dict[str, Any]:
    import stance.evaluate

    sc = stance.evaluate.scores(y, pred, LABELS)
    iv = stance.evaluate.bootstrap(y, pred, LABELS, n_bootstrap=nb, seed=seed, clusters=ids, unit="outside row")
    return {"macro_f1": sc["macro_f1"], "macro_f1_interval": iv["macro_f1"],
            "per_class_f1": {c: sc["per_class"][c]["f1"] for c in LABELS}}


def _curve(adapter: _Adapter, pool: list[dict[str, Any]], held: list[dict[str, Any]], sizes: list[int],
           seeds: list[int], nb: int, weight: float) -> list[dict[str, Any]]:
    """Macro-F1 on ``held`` after adding k rows of ``pool`` (random: every seed; uncertain: once)."""
    import stance.evaluate

    y = [r["label"] for r in held]
    ids = [r["id"] for r in held]
    htexts = [r["text"] for r in held]
    pool_proba = adapter.reference.predict_proba([r["text"] for r in pool])
    reference = list(adapter.reference.predict(htexts))
    curve = [{"rows": 0, "strategy": "none (the shipped default)",
              "macro_f1_by_seed": [stance.evaluate.scores(y, reference, LABELS)["macro_f1"]]} | _pooled(y, reference, ids, nb, seeds[0])]
    for k in [k for k in sizes if k]:
        for strategy in STRATEGIES:
            y_rep, p_rep, r_rep, ids_rep, by_seed = [], [], [], [], []
            for s in seeds if strategy == "random" else seeds[:1]:  # uncertainty sampling has no dice
                pred = list(adapter.fit(_choose(adapter, strategy, pool, k, s, pool_proba), weight).predict(htexts))
                by_seed.append(stance.evaluate.scores(y, pred, LABELS)["macro_f1"])
                y_rep += y
                p_rep += pred
                r_rep += reference
                ids_rep += ids
            d = stance.evaluate.compare_predictions(y_rep, p_rep, r_rep, LABELS, n_bootstrap=nb, seed=seeds[0], clusters=ids_rep)
            curve.append({"rows": min(k, len(pool)), "strategy": strategy, "macro_f1_by_seed": by_seed}
                         | _pooled(y_rep, p_rep, ids_rep, nb, seeds[0])
                         | {"gain": {"macro_f1_difference": d["macro_f1_difference"], "interval": d["interval"],
                                     "significant": d["significant"]}})
            print(f"   {k:>6} {strategy:>9}: macro-F1 {curve[-1]['macro_f1']:.3f} "
                  f"(gain {d['macro_f1_difference']:+.3f} {_ci(d['interval'])})", flush=True)
    return curve


def run_adapt(cfg: dict[str, Any], out: Path, repo: Path, external: Path | None = None,
              plot: bool = True) -> dict[str, Any]:
    import stance.evaluate
    from stance.corpora import outside_records
    from stance.training import USER_WEIGHT

    root = external if external is not None else (repo / cfg["outside"]["root"])
    if not root.is_dir():
        return {"skipped": f"outside data directory {root} is absent (the outside codebook set joins its text there)"}
    nb, model = cfg["bootstrap"], cfg.get("default", "hybrid")
    sizes, held_out = [int(k) for k in cfg["sizes"]], int(cfg["held_out"])
    dev = outside_records("dev", external=root)
    if held_out >= len(dev) or cfg["selection_rows"] > len(dev) - held_out:
        raise ValueError(f"adapt: {len(dev)} dev rows cannot hold out {held_out} and offer {cfg['selection_rows']} "
                         "for the weight choice")
    adapter = _Adapter(model, cfg["seeds"][0])

    # 1. the weight of a user row, chosen on cuts of dev that the reported figures do not use
    choice = []
    for w in cfg["weights"]:
        f1s = []
        for s in cfg["selection_seeds"]:
            pool, held = _cut(dev, held_out, s)
            rows = _choose(adapter, "random", pool, cfg["selection_rows"], s, np.zeros((len(pool), 3)))
            pred = adapter.fit(rows, w).predict([r["text"] for r in held])
            f1s.append(stance.evaluate.scores([r["label"] for r in held], pred, LABELS)["macro_f1"])
        choice.append({"weight": w, "macro_f1_mean": float(np.mean(f1s)), "macro_f1_by_seed": f1s})
        print(f"   weight {w:>5}: mean held-out macro-F1 {np.mean(f1s):.3f}", flush=True)
    chosen = max(choice, key=lambda c: (round(c["macro_f1_mean"], 6), -c["weight"]))["weight"]
    if chosen != USER_WEIGHT:
        print(f"   note: the choice ({chosen}) differs from the shipped stance.training.USER_WEIGHT ({USER_WEIGHT})")

    # 2. the curves, with the shipped weight, one per scenario: the user labels rows of one split
    # and the figures are on another that no choice saw. Outside dev is never the held-out side:
    # the default's recipe was tuned on all of it.
    scenarios = []
    for sc in cfg["scenarios"]:
        pool, held = _rows(sc, sc["pool"], root), _rows(sc, sc["heldout"], root)
        if max(sizes) > len(pool):  # the largest size means the whole pool
            print(f"   note: {sc['name']}: {len(pool)} labelled rows to label; the size {max(sizes)} takes them all",
                  flush=True)
        print(f"   {sc['name']}: {len(pool)} rows to label, {len(held)} held out", flush=True)
        scenarios.append({"name": sc["name"], "set": sc["set"], "pool_split": sc["pool"], "heldout_split": sc["heldout"],
                          "pool": len(pool), "heldout": len(held),
                          "curve": _curve(adapter, pool, held, sizes, cfg["seeds"], nb, USER_WEIGHT)})

    results = {
        "kind": "adapt",
        "experiment": {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")},
        "model": model, "seeds": cfg["seeds"], "bootstrap": nb, "user_weight": USER_WEIGHT,
        "weight_selection": {"data": f"outside dev ({len(dev)} rows)", "seeds": cfg["selection_seeds"],
                             "rows": cfg["selection_rows"], "held_out": held_out, "candidates": choice,
                             "chosen": chosen, "shipped": USER_WEIGHT},
        "scenarios": scenarios,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if plot:
        try:
            results["plot"] = _plot(results, out / "adapt.png")
        except ImportError as exc:  # keep the figure of an earlier run rather than drop its link
            print(f"   plot not redrawn: {exc}", flush=True)
            if (out / "adapt.png").is_file():
                results["plot"] = "adapt.png"
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text("\n".join(readme_lines(results, ".", details=True)) + "\n", encoding="utf-8")
    return results


def _rows(scenario: dict[str, Any], split: str, root: Path) -> list[dict[str, Any]]:
    """One side of a scenario: the news set's one-topic block (set "news"), or a set joined from the outside data."""
    from stance.corpora import news_records, outside_records

    if scenario["set"] == "news":
        return news_records(split)
    return outside_records(split, external=root, name=scenario["set"])


def _plot(res: dict[str, Any], path: Path) -> str:
    from stance.evaluate import require_matplotlib, save_png

    Figure, Canvas = require_matplotlib()
    n = len(res["scenarios"])
    fig = Figure(figsize=(5.2 * n, 4.0))
    for j, sc in enumerate(res["scenarios"]):
        ax = fig.add_subplot(1, n, j + 1)
        base = next(p for p in sc["curve"] if p["rows"] == 0)
        for strategy, marker in (("random", "o"), ("uncertain", "s")):
            pts = sorted([base] + [p for p in sc["curve"] if p["strategy"] == strategy], key=lambda p: p["rows"])
            lo = [p["macro_f1"] - p["macro_f1_interval"][0] for p in pts]
            hi = [p["macro_f1_interval"][1] - p["macro_f1"] for p in pts]
            ax.errorbar([p["rows"] for p in pts], [p["macro_f1"] for p in pts], yerr=[lo, hi], marker=marker,
                        capsize=3, label=f"{strategy} rows (--extend)")
        ax.axhline(base["macro_f1"], color="grey", linestyle=":", label="shipped default")
        ax.set_xticks(sorted({p["rows"] for p in sc["curve"]}))
        ax.set_xlabel("labelled rows added")
        ax.set_ylabel("macro-F1 on held-out rows")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        ax.set_title(f"{sc['name']} ({sc['heldout']} held out)", fontsize=9)
    fig.tight_layout()
    save_png(fig, Canvas, path)
    return path.name


def readme_lines(res: dict[str, Any], rel: str, details: bool = False) -> list[str]:
    L = [res["experiment"]["description"], ""]
    ws = res["weight_selection"]
    L += [f"Each added row weighs {res['user_weight']:g} (`stance.training.USER_WEIGHT`), chosen on {ws['data']} "
          f"alone (seeds {', '.join(map(str, ws['seeds']))}: {ws['rows']} random rows added, {ws['held_out']} held "
          "out; mean held-out macro-F1 "
          + ", ".join(f"x{c['weight']:g} {c['macro_f1_mean']:.3f}" for c in ws["candidates"])
          + f"). Random rows: {len(res['seeds'])} seeds, predictions pooled; uncertain rows are the shipped "
          "default's least certain, spread over topics (`stance label --uncertain`), the same on every seed. "
          "Intervals draw held-out rows as clusters; the gain is paired with the shipped default on the same rows.", ""]
    for sc in res["scenarios"]:
        L += [f"**{sc['name']}**: rows to label from `labels/{sc['set']}/` {sc['pool_split']} ({sc['pool']}), "
              f"figures on its {sc['heldout_split']} split ({sc['heldout']} labelled rows).", "",
              "| rows labelled | chosen | macro-F1 | F1 claim / quote / loaded | gain over the shipped default |",
              "|---|---|---|---|---|"]
        for p in sorted(sc["curve"], key=lambda p: (p["rows"], p["strategy"])):
            pc = p["per_class_f1"]
            gain = p.get("gain")
            g = f"{gain['macro_f1_difference']:+.3f} {_ci(gain['interval'])}" if gain else ""
            L.append(f"| {p['rows']} | {p['strategy']} | {fmt(p['macro_f1'])} {_ci(p['macro_f1_interval'])} | "
                     f"{fmt(pc['claim'])} / {fmt(pc['quote'])} / {fmt(pc['loaded'])} | {g} |")
        L.append("")
    if res.get("plot"):
        L += [f"![adapt]({rel}/{res['plot']})", ""]
    if not details:
        L += [f"Files: [report]({rel}/report.md), [results.json]({rel}/results.json) (aggregate figures only)", ""]
    return L


# --------------------------------------------------------------------------- approaches (not part of the run)


def _cv_weight(adapter: _Adapter, rows: list[dict[str, Any]], candidates: tuple[float, ...] = (1, 2, 4, 8, 16)) -> float:
    """The user-row weight with the best 5-fold cross-validated macro-F1 over the user's own rows."""
    import stance.evaluate
    import stance.recipes
    from stance.training import extend_data, user_folds

    td, _ = extend_data(_user_data(rows), 1.0, base=adapter.base)
    mine = np.flatnonzero(td.user)
    shipped = np.flatnonzero(~np.asarray(td.user))
    y = np.asarray(td.labels, dtype=object)
    weight = td.sample_weight()
    user = stance.evaluate.CorpusData([td.texts[i] for i in mine], list(y[mine]), [td.ids[i] for i in mine],
                               [str(td.groups[i]) for i in mine])
    shipped_rows = ([td.texts[i] for i in shipped], list(y[shipped]), weight[shipped])
    folds = user_folds(td, mine, 5, adapter.seed)
    best: tuple[float, float] | None = None
    for w in candidates:
        cv = stance.evaluate.cross_validate(stance.recipes.make(adapter.model, seed=adapter.seed), user, folds, adapter.seed,
                                     extra=shipped_rows, sample_weight=np.full(len(mine), float(w)))
        f = stance.evaluate.scores(cv.y_true, cv.y_pred, LABELS)["macro_f1"]
        if best is None or f > best[0] + 1e-9:
            best = (f, w)
    assert best is not None
    return best[1]


def _recalibrated(adapter: _Adapter, rows: list[dict[str, Any]], texts: list[str]) -> list[str]:
    """The shipped default's log-probabilities, re-weighted by a logistic regression fitted on the user's rows."""
    from sklearn.linear_model import LogisticRegression

    lp = lambda t: np.log(adapter.reference.predict_proba(t) + 1e-9)  # noqa: E731
    lr = LogisticRegression(max_iter=2000, class_weight="balanced").fit(lp([r["text"] for r in rows]),
                                                                         [r["label"] for r in rows])
    return list(lr.predict(lp(texts)))


def approaches(external: Path | None = None, k: int = 100, seeds: tuple[int, ...] = (0, 1, 2, 3, 4)) -> int:
    """Ways of using k labelled rows of one new topic, on the vaccines set (pool -> heldout)."""
    import stance.evaluate
    from stance.corpora import outside_records
    from stance.training import USER_WEIGHT

    pool = outside_records("pool", external=external, name="vaccines")
    held = outside_records("heldout", external=external, name="vaccines")
    adapter = _Adapter("hybrid", 0)
    texts, y, ids = [r["text"] for r in held], [r["label"] for r in held], [r["id"] for r in held]
    reference = list(adapter.reference.predict(texts))
    pool_proba = adapter.reference.predict_proba([r["text"] for r in pool])
    ways = {
        f"--extend, weight x{USER_WEIGHT:g} (the shipped choice)": lambda rows: adapter.fit(rows, USER_WEIGHT).predict(texts),
        "--extend, weight chosen by CV over your rows": lambda rows: adapter.fit(rows, _cv_weight(adapter, rows)).predict(texts),
        "recalibrate the default on your rows": lambda rows: _recalibrated(adapter, rows, texts),
    }
    print(f"vaccines set: {k} of {len(pool)} pool rows labelled, {len(held)} held out; shipped default "
          f"{stance.evaluate.scores(y, reference, LABELS)['macro_f1']:.3f}")
    for name, way in ways.items():
        for strategy in STRATEGIES:
            ys, ps, rs = [], [], []
            for s in seeds if strategy == "random" else seeds[:1]:
                ps += list(way(_choose(adapter, strategy, pool, k, s, pool_proba)))
                ys += y
                rs += reference
            d = stance.evaluate.compare_predictions(ys, ps, rs, LABELS, clusters=ids * (len(ys) // len(y)))
            print(f"  {name:<48} {strategy:>9}: macro-F1 {stance.evaluate.scores(ys, ps, LABELS)['macro_f1']:.3f}, gain "
                  f"{d['macro_f1_difference']:+.3f} {_ci(d['interval'])}", flush=True)
    return 0


if __name__ == "__main__":
    import argparse
    import sys

    ap = argparse.ArgumentParser(description="Adaptation approaches on the vaccines set (the run itself: "
                                             "python experiments/run.py --only adapt)")
    ap.add_argument("--approaches", action="store_true", required=True)
    ap.add_argument("--external", type=Path)
    ap.add_argument("--rows", type=int, default=100)
    a = ap.parse_args()
    sys.exit(approaches(a.external, a.rows))
