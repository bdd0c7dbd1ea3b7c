"""The ``topics`` experiment: does stance work on news about anything?

Run by ``python experiments/run.py --only topics`` (configs/topics.toml). For every model of the
ladder, trained on the built-in training data (the corpus + the project's constructed set):

* corpus leave-one-document-out (the constructed rows join every training fold, never a test fold);
* the outside codebook set (labels/outside/, 3 classes): dev and test, per-class F1, loaded recall;
* CheckThat! 2025 English test and BABE as binary loaded vs not (BABE rows of the labelled set left
  out, so no model is scored on a row it could have been tuned on);
* a paired bootstrap of the default against ``rules`` on outside test;
* a learning curve of the default over the size of the constructed set, on outside dev;
* ``wide``: the default's recipe trained on the built-in data + the outside dev labels, scored on
  outside test, CheckThat test and BABE.

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


def _figures(y: np.ndarray, pred: np.ndarray, n_bootstrap: int, seed: int, binary: bool = False) -> dict[str, Any]:
    import stance.evaluate

    if binary:
        labels = list(stance.evaluate.BINARY_LABELS)
        y = np.where(y == "loaded", "loaded", stance.evaluate.NOT_LOADED).astype(object)
        pred = np.where(pred == "loaded", "loaded", stance.evaluate.NOT_LOADED).astype(object)
    else:
        labels = list(LABELS)
    sc = stance.evaluate.scores(y, pred, labels)
    iv = stance.evaluate.bootstrap(y, pred, labels, n_bootstrap=n_bootstrap, seed=seed)
    out = {"n": sc["n"], "macro_f1": sc["macro_f1"], "macro_f1_interval": iv["macro_f1"],
           "per_class_f1": {lab: sc["per_class"][lab]["f1"] for lab in labels},
           "per_class_f1_interval": {lab: iv["per_class"][lab]["f1"] for lab in labels},
           "loaded": stance.evaluate.loaded_figures(sc, iv), "confusion_matrix": sc["confusion_matrix"], "labels": labels}
    return out


def _binary_sets(cfg: dict[str, Any], root: Path, labelled_babe: set[str]) -> dict[str, tuple[list[str], np.ndarray]]:
    import stance.evaluate

    sets = {}
    for d in cfg["outside"]["data"]:
        od = stance.evaluate.read_outside(root / d["path"], stance.evaluate.OutsideColumns(
            text=d["text_column"], label=d["label_column"], label_map=d.get("label_map"), binary=True))
        keep = [i for i, k in enumerate(od.ids) if not (d.get("leave_out_labelled") and k in labelled_babe)]
        sets[d["name"]] = ([od.texts[i] for i in keep], np.asarray([od.labels[i] for i in keep], dtype=object))
    return sets


def _constructed_subset(builtin, k: int | None, seed: int):
    """The corpus plus ``k`` constructed rows, drawn as whole contrast groups (seeded)."""
    from stance.training import TrainingData

    corpus_idx = [i for i, c in enumerate(builtin.constructed) if not c]
    built_idx = [i for i, c in enumerate(builtin.constructed) if c]
    if k is None or k >= len(built_idx):
        chosen = built_idx
    else:
        groups: dict[str, list[int]] = {}
        for i in built_idx:
            groups.setdefault(builtin.groups[i], []).append(i)
        order = sorted(groups)
        np.random.default_rng(seed).shuffle(order)
        chosen = []
        for g in order:
            if len(chosen) >= k:
                break
            chosen += groups[g]
        chosen = chosen[:k]
    idx = corpus_idx + sorted(chosen)
    return TrainingData([builtin.texts[i] for i in idx], [builtin.labels[i] for i in idx],
                        [builtin.groups[i] for i in idx], [builtin.ids[i] for i in idx], builtin.source,
                        [builtin.constructed[i] for i in idx])


def run_topics(cfg: dict[str, Any], out: Path, repo: Path, external: Path | None = None) -> dict[str, Any]:
    import stance.recipes
    from stance.evaluate import compare_predictions
    from stance.corpora import outside_records
    from stance.recipes import fit_estimator
    from stance.training import CONSTRUCTED_WEIGHT, builtin_data, lodo_summary, wide_data

    root = external if external is not None else (repo / cfg["outside"]["root"])
    if not root.is_dir():
        return {"skipped": f"outside data directory {root} is absent (the outside codebook set joins its text there)"}
    seed, nb = cfg["seeds"][0], cfg["bootstrap"]
    default = cfg.get("default", stance.recipes.DEFAULT_MODEL)
    builtin = builtin_data()
    dev = outside_records("dev", external=root)
    test = outside_records("test", external=root)
    labelled_babe = {r["key"] for r in outside_records(external=root, include_excluded=True) if r["dataset"] == "babe"}
    binary = _binary_sets(cfg, root, labelled_babe)
    y_dev = np.asarray([r["label"] for r in dev], dtype=object)
    y_test = np.asarray([r["label"] for r in test], dtype=object)
    results: dict[str, Any] = {
        "kind": "topics",
        "experiment": {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")},
        "training_data": {"corpus_rows": int(sum(not c for c in builtin.constructed)),
                          "constructed_rows": int(sum(builtin.constructed)), "constructed_weight": CONSTRUCTED_WEIGHT},
        "outside_set": {"dev": len(dev), "test": len(test),
                        "dev_labels": {lab: int(np.sum(y_dev == lab)) for lab in LABELS},
                        "test_labels": {lab: int(np.sum(y_test == lab)) for lab in LABELS}},
        "binary_sets": {name: {"n": len(t), "loaded": int(np.sum(y == "loaded"))} for name, (t, y) in binary.items()},
        "default": default, "seed": seed, "bootstrap": nb, "models": {},
    }
    available = set(stance.recipes.names())
    test_preds: dict[str, np.ndarray] = {}
    for name in cfg["models"]:
        if name not in available:
            continue
        try:
            est = stance.recipes.make(name, seed=seed)
        except ImportError as exc:
            results["models"][name] = {"skipped": str(exc)}
            continue
        row: dict[str, Any] = {}
        lodo = lodo_summary(name, builtin, seed=seed, n_boot=nb)
        row["corpus_lodo"] = {"macro_f1": lodo["macro_f1"], "macro_f1_interval": lodo["macro_f1_ci95"],
                              "per_class_f1": lodo["per_class_f1"]}
        fit_estimator(est, builtin.texts, np.asarray(builtin.labels, dtype=object), builtin.sample_weight())
        p_dev = np.asarray(est.predict([r["text"] for r in dev]), dtype=object)
        p_test = np.asarray(est.predict([r["text"] for r in test]), dtype=object)
        test_preds[name] = p_test
        row["outside_dev"] = _figures(y_dev, p_dev, nb, seed)
        row["outside_test"] = _figures(y_test, p_test, nb, seed)
        for bname, (texts, y) in binary.items():
            row[bname] = _figures(y, np.asarray(est.predict(texts), dtype=object), nb, seed, binary=True)
        results["models"][name] = row
        print(f"   {name:>10}: LODO {lodo['macro_f1']:.3f}  dev {row['outside_dev']['macro_f1']:.3f}  "
              f"test {row['outside_test']['macro_f1']:.3f}  "
              + "  ".join(f"{b} {row[b]['macro_f1']:.3f}" for b in binary), flush=True)
    if default in test_preds and "rules" in test_preds:
        results["default_vs_rules"] = {"a": default, "b": "rules", "data": "outside test"} | compare_predictions(
            y_test, test_preds[default], test_preds["rules"], n_bootstrap=nb, seed=seed)
    # learning curve over the size of the constructed set, on outside dev
    curve = []
    for k in cfg.get("learning_curve", []):
        kk = None if k == "all" else int(k)
        td = _constructed_subset(builtin, kk, seed)
        est = fit_estimator(stance.recipes.make(default, seed=seed), td.texts, np.asarray(td.labels, dtype=object), td.sample_weight())
        f = _figures(y_dev, np.asarray(est.predict([r["text"] for r in dev]), dtype=object), nb, seed)
        curve.append({"constructed_rows": int(sum(td.constructed)), "macro_f1": f["macro_f1"],
                      "macro_f1_interval": f["macro_f1_interval"], "per_class_f1": f["per_class_f1"]})
    results["learning_curve"] = curve
    # wide: the default's recipe + the outside dev labels
    if cfg.get("wide"):
        wide = wide_data(root)
        est = fit_estimator(stance.recipes.make(default, seed=seed), wide.texts, np.asarray(wide.labels, dtype=object),
                            wide.sample_weight())
        row = {"outside_test": _figures(y_test, np.asarray(est.predict([r["text"] for r in test]), dtype=object), nb, seed)}
        for bname, (btexts, y) in binary.items():
            row[bname] = _figures(y, np.asarray(est.predict(btexts), dtype=object), nb, seed, binary=True)
        results["wide"] = row
        print(f"   {'wide':>10}: test {row['outside_test']['macro_f1']:.3f}  "
              + "  ".join(f"{b} {row[b]['macro_f1']:.3f}" for b in binary), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text("\n".join(readme_lines(results, ".", details=True)) + "\n", encoding="utf-8")
    return results


def readme_lines(res: dict[str, Any], rel: str, details: bool = False) -> list[str]:
    L = [res["experiment"]["description"], ""]
    td, os_ = res["training_data"], res["outside_set"]
    L += [f"Training data of every model: the corpus ({td['corpus_rows']} labelled sentences) + the constructed set "
          f"({td['constructed_rows']} sentences written by the project, each weighted {td['constructed_weight']}; training "
          "only, never scored). "
          f"Outside codebook set (labels/outside/): dev {os_['dev']} {os_['dev_labels']}, test {os_['test']} "
          f"{os_['test_labels']}; test is used only for these figures. Binary sets: "
          + ", ".join(f"{k} n={v['n']} (loaded {v['loaded']})" for k, v in res["binary_sets"].items()) + ".", ""]
    bnames = list(res["binary_sets"])
    L += ["| model | corpus LODO | outside dev | outside test | test F1 claim / quote / loaded | test loaded recall | "
          + " | ".join(f"{b} (binary)" for b in bnames) + " |",
          "|---|---|---|---|---|---|" + "---|" * len(bnames)]
    for name, row in res["models"].items():
        if "skipped" in row:
            L.append(f"| {name} | skipped: {row['skipped']} |" + " |" * (5 + len(bnames)))
            continue
        t = row["outside_test"]
        pc = t["per_class_f1"]
        mark = " (default)" if name == res["default"] else ""
        L.append(f"| {name}{mark} | {fmt(row['corpus_lodo']['macro_f1'])} {_ci(row['corpus_lodo']['macro_f1_interval'])} "
                 f"| {fmt(row['outside_dev']['macro_f1'])} | {fmt(t['macro_f1'])} {_ci(t['macro_f1_interval'])} "
                 f"| {fmt(pc['claim'])} / {fmt(pc['quote'])} / {fmt(pc['loaded'])} | {fmt(t['loaded']['recall'])} | "
                 + " | ".join(f"{fmt(row[b]['macro_f1'])} {_ci(row[b]['macro_f1_interval'])}" for b in bnames) + " |")
    if "wide" in res:
        w = res["wide"]
        pc = w["outside_test"]["per_class_f1"]
        L.append(f"| wide (+ outside dev labels) | | | {fmt(w['outside_test']['macro_f1'])} "
                 f"{_ci(w['outside_test']['macro_f1_interval'])} | {fmt(pc['claim'])} / {fmt(pc['quote'])} / "
                 f"{fmt(pc['loaded'])} | {fmt(w['outside_test']['loaded']['recall'])} | "
                 + " | ".join(f"{fmt(w[b]['macro_f1'])} {_ci(w[b]['macro_f1_interval'])}" for b in bnames) + " |")
    L.append("")
    c = res.get("default_vs_rules")
    if c:
        L += [f"Default ({c['a']}) minus rules on outside test: macro-F1 {c['macro_f1_difference']:+.3f}, paired "
              f"bootstrap 95% interval {_ci(c['interval'])}, McNemar p = {c['mcnemar']['p_value']:.3g}"
              f" ({'significant' if c['significant'] else 'not significant'}).", ""]
    if res.get("learning_curve"):
        L += ["Learning curve of the default on outside dev, by the number of constructed training rows "
              "(whole contrast groups, seeded):", "",
              "| constructed rows | outside dev macro-F1 | F1 claim / quote / loaded |", "|---|---|---|"]
        for p in res["learning_curve"]:
            pc = p["per_class_f1"]
            L.append(f"| {p['constructed_rows']} | {fmt(p['macro_f1'])} {_ci(p['macro_f1_interval'])} | "
                     f"{fmt(pc['claim'])} / {fmt(pc['quote'])} / {fmt(pc['loaded'])} |")
        L.append("")
    if not details:
        L += [f"Files: [report]({rel}/report.md), [results.json]({rel}/results.json) (aggregate figures only)", ""]
    return L
