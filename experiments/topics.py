"""The ``topics`` experiment: does stance work on news about anything?

Run by ``python experiments/run.py --only topics`` (configs/topics.toml). Every model of the ladder
is trained on the built-in training data (the corpus + the news set's train split + the project's
constructed set) and scored, per source, on text it never saw:

* corpus leave-one-document-out (news and constructed rows join every training fold, never a test fold);
* the news set's test split, whole and per source (Wikinews, press releases, speeches, Current Events),
  three classes, with loaded precision (labels/news/);
* the Wikipedia neutrality pairs' own test part (both sides of each edit, read alone; labels/news/wnc.jsonl);
* the outside codebook set's test split (labels/outside/, three classes), CheckThat! 2025 English test
  and BABE as binary loaded vs not (BABE rows of the labelled set left out);
* the ``accurate`` model as shipped (its training takes about half an hour: the release script builds
  it with a fixed seed), scored on the same sets when the onnx extra is installed;
* paired bootstraps on outside test: the new default against the present one's recipe (the corpus +
  the constructed set, trained now: the same predictions as the 0.1 default) and against ``rules``;
* a learning curve of the default over news train rows (0, 1k, 2k, 4k, 8k, all; whole documents,
  seeded) on news dev and outside dev: the curve that decides what to label next;
* ``wide``: the default's recipe trained on the built-in data + the outside dev labels.

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
SOURCES = ("wikinews", "congress", "speeches", "current-events")


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
    return {"n": sc["n"], "macro_f1": sc["macro_f1"], "macro_f1_interval": iv["macro_f1"],
            "per_class_f1": {lab: sc["per_class"][lab]["f1"] for lab in labels},
            "loaded": stance.evaluate.loaded_figures(sc, iv), "labels": labels}


def eval_sets(cfg: dict[str, Any], root: Path) -> dict[str, tuple[list[str], np.ndarray, bool]]:
    """Every scored set: name -> (texts, gold labels, binary)."""
    import stance.evaluate
    from stance.corpora import news_records, outside_records, wnc_records

    sets: dict[str, tuple[list[str], np.ndarray, bool]] = {}
    test = news_records("test")
    sets["news test"] = ([r["text"] for r in test], np.asarray([r["label"] for r in test], dtype=object), False)
    for src in SOURCES:
        rows = [r for r in test if r["source"] == src]
        sets[f"news test: {src}"] = ([r["text"] for r in rows], np.asarray([r["label"] for r in rows], dtype=object),
                                     False)
    wnc = [r for r in wnc_records() if r["source_split"] == "test"]
    sets["wikipedia pairs (test)"] = ([r["text"] for r in wnc], np.asarray([r["label"] for r in wnc], dtype=object),
                                      False)
    out = outside_records("test", external=root)
    sets["outside test"] = ([r["text"] for r in out], np.asarray([r["label"] for r in out], dtype=object), False)
    labelled_babe = {r["key"] for r in outside_records(external=root, include_excluded=True) if r["dataset"] == "babe"}
    for d in cfg["outside"]["data"]:
        od = stance.evaluate.read_outside(root / d["path"], stance.evaluate.OutsideColumns(
            text=d["text_column"], label=d["label_column"], label_map=d.get("label_map"), binary=True))
        keep = [i for i, k in enumerate(od.ids) if not (d.get("leave_out_labelled") and k in labelled_babe)]
        sets[d["name"]] = ([od.texts[i] for i in keep], np.asarray([od.labels[i] for i in keep], dtype=object), True)
    return sets


def _dev_sets(root: Path) -> dict[str, tuple[list[str], np.ndarray]]:
    from stance.corpora import news_records, outside_records

    news, out = news_records("dev"), outside_records("dev", external=root)
    return {"news dev": ([r["text"] for r in news], np.asarray([r["label"] for r in news], dtype=object)),
            "outside dev": ([r["text"] for r in out], np.asarray([r["label"] for r in out], dtype=object))}


def _score_all(predict, sets, nb: int, seed: int) -> dict[str, Any]:
    return {name: _figures(y, np.asarray(predict(texts), dtype=object), nb, seed, binary)
            for name, (texts, y, binary) in sets.items()}


def _news_subset(td, k: int | None, seed: int):
    """The training data with ``k`` of its news rows (whole documents, seeded); ``None``: all."""
    from stance.training import TrainingData

    news = np.asarray(td.news, dtype=bool)
    if k is not None:
        docs: dict[str, list[int]] = {}
        for i in np.flatnonzero(news):
            docs.setdefault(td.groups[i], []).append(i)
        order = sorted(docs)
        np.random.default_rng(seed).shuffle(order)
        chosen: list[int] = []
        for d in order:
            if len(chosen) >= k:
                break
            chosen += docs[d]
        keep = ~news
        keep[chosen[:k]] = True
    else:
        keep = np.ones(len(td), dtype=bool)
    idx = np.flatnonzero(keep)
    return TrainingData([td.texts[i] for i in idx], [td.labels[i] for i in idx], [td.groups[i] for i in idx],
                        [td.ids[i] for i in idx], td.source, [td.constructed[i] for i in idx],
                        news=[td.news[i] for i in idx], wnc=[td.wnc[i] for i in idx])


def _model_row(name: str, builtin, sets, nb: int, seed: int, out_preds: dict[str, np.ndarray]) -> dict[str, Any]:
    """One model's figures: ``accurate`` as shipped; every other model trained here, with its corpus LODO."""
    import stance
    import stance.recipes
    from stance.recipes import fit_estimator
    from stance.training import lodo_summary

    if name == "accurate":
        try:
            model = stance.load("accurate")
        except (ImportError, stance.errors.StanceError) as exc:
            return {"skipped": str(exc)}
        row: dict[str, Any] = {"note": "the shipped model (stance-train --model accurate, seed 0), not retrained here"}
        predict = model.predict
    else:
        est = stance.recipes.make(name, seed=seed)
        lodo = lodo_summary(name, builtin, seed=seed, n_boot=nb)
        fit_estimator(est, builtin.texts, np.asarray(builtin.labels, dtype=object), builtin.sample_weight())
        row = {"corpus_lodo": {"macro_f1": lodo["macro_f1"], "macro_f1_interval": lodo["macro_f1_ci95"]}}
        predict = est.predict
    row["sets"] = _score_all(predict, sets, nb, seed)
    out_preds[name] = np.asarray(predict(sets["outside test"][0]), dtype=object)
    print(f"   {name:>10}: " + "  ".join(f"{k} {v['macro_f1']:.3f}" for k, v in row["sets"].items()
                                         if not k.startswith("news test:")), flush=True)
    return row


def _accurate_comparison(default: str, y_out, sets, out_preds: dict[str, np.ndarray], nb: int,
                         seed: int) -> list[dict[str, Any]]:
    """accurate against the default on outside test, paired (the default as shipped when not trained here)."""
    import stance
    from stance.evaluate import compare_predictions

    if "accurate" not in out_preds:
        return []
    base = out_preds.get(default)
    if base is None:
        base = np.asarray(stance.load().predict(sets["outside test"][0]), dtype=object)
    return [{"a": "accurate", "b": default, "data": "outside test"}
            | compare_predictions(y_out, out_preds["accurate"], base, n_bootstrap=nb, seed=seed)]


def run_topics(cfg: dict[str, Any], out: Path, repo: Path, external: Path | None = None) -> dict[str, Any]:
    import stance
    import stance.recipes
    from stance.evaluate import compare_predictions
    from stance.recipes import fit_estimator
    from stance.training import builtin_data, lodo_summary, wide_data

    root = external if external is not None else (repo / cfg["outside"]["root"])
    if not root.is_dir():
        return {"skipped": f"outside data directory {root} is absent (the outside codebook set joins its text there)"}
    seed, nb = cfg["seeds"][0], cfg["bootstrap"]
    default = cfg.get("default", stance.recipes.DEFAULT_MODEL)
    builtin = builtin_data()
    sets = eval_sets(cfg, root)
    results: dict[str, Any] = {
        "kind": "topics",
        "experiment": {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")},
        "training_data": {"corpus_rows": int(np.sum(~builtin.extra_rows())), "news_rows": int(sum(builtin.news)),
                          "constructed_rows": int(sum(builtin.constructed))},
        "sets": {name: {"n": len(texts), "binary": binary, "labels": {lab: int(np.sum(y == lab)) for lab in set(y)}}
                 for name, (texts, y, binary) in sets.items()},
        "default": default, "seed": seed, "bootstrap": nb, "models": {},
    }
    y_out = sets["outside test"][1]
    out_preds: dict[str, np.ndarray] = {}
    only = cfg.get("_only_models")
    if only:  # score these models again and keep the stored figures of everything else
        stored = json.loads((out / "results.json").read_text(encoding="utf-8"))
        for name in only:
            stored["models"][name] = _model_row(name, builtin, sets, nb, seed, out_preds)
        stored["comparisons"] = [c for c in stored.get("comparisons", []) if c["a"] not in only]
        stored["comparisons"] += _accurate_comparison(default, y_out, sets, out_preds, nb, seed)
        (out / "results.json").write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
        (out / "report.md").write_text("\n".join(readme_lines(stored, ".", details=True)) + "\n", encoding="utf-8")
        return stored
    for name in cfg["models"]:
        results["models"][name] = _model_row(name, builtin, sets, nb, seed, out_preds)
    # the present default's recipe: the corpus + the constructed set (0.1's training data), trained now
    present = builtin_data(news=False)
    w = np.ones(len(present))
    w[np.asarray(present.constructed, dtype=bool)] = cfg.get("present_constructed_weight", 0.05)
    est = fit_estimator(stance.recipes.make(default, seed=seed, **cfg.get("present_params", {})), present.texts,
                        np.asarray(present.labels, dtype=object), w)
    results["present_default"] = {"sets": _score_all(est.predict, sets, nb, seed),
                                  "recipe": "the default's model trained on the corpus + the constructed set"}
    out_preds["present default"] = np.asarray(est.predict(sets["outside test"][0]), dtype=object)
    results["comparisons"] = [
        {"a": default, "b": b, "data": "outside test"} | compare_predictions(y_out, out_preds[default], out_preds[b],
                                                                             n_bootstrap=nb, seed=seed)
        for b in ("present default", "rules") if default in out_preds and b in out_preds]
    results["comparisons"] += _accurate_comparison(default, y_out, sets, out_preds, nb, seed)
    # the learning curve over news train rows, on the dev sets
    dev = _dev_sets(root)
    curve = []
    for k in cfg.get("learning_curve", []):
        td = _news_subset(builtin, None if k == "all" else int(k), seed)
        est = fit_estimator(stance.recipes.make(default, seed=seed), td.texts, np.asarray(td.labels, dtype=object),
                            td.sample_weight())
        curve.append({"news_rows": int(sum(td.news))} | {
            name: _figures(y, np.asarray(est.predict(texts), dtype=object), nb, seed)["macro_f1"]
            for name, (texts, y) in dev.items()})
        print(f"   curve {curve[-1]}", flush=True)
    results["learning_curve"] = curve
    if cfg.get("wide"):
        wide = wide_data(root)
        est = fit_estimator(stance.recipes.make(default, seed=seed), wide.texts, np.asarray(wide.labels, dtype=object),
                            wide.sample_weight())
        results["wide"] = {"sets": _score_all(est.predict, {k: v for k, v in sets.items()
                                                            if k == "outside test" or v[2]}, nb, seed)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out / "report.md").write_text("\n".join(readme_lines(results, ".", details=True)) + "\n", encoding="utf-8")
    return results


def _cell(row: dict[str, Any], name: str, interval: bool = True) -> str:
    f = row.get("sets", {}).get(name)
    if f is None:
        return ""
    return f"{fmt(f['macro_f1'])} {_ci(f['macro_f1_interval'])}" if interval else fmt(f["macro_f1"])


def readme_lines(res: dict[str, Any], rel: str, details: bool = False) -> list[str]:
    td = res["training_data"]
    L = [res["experiment"]["description"], "",
         f"Training data of every model but `accurate`'s: the corpus ({td['corpus_rows']} sentences), the news set's "
         f"train split ({td['news_rows']}) and the constructed set ({td['constructed_rows']}, training only). "
         "Every set below is text the models never trained on; test splits are read only for these figures.", ""]
    main = ["news test", "outside test", "wikipedia pairs (test)"] + [n for n, v in res["sets"].items() if v["binary"]]
    L += ["| model | corpus LODO | " + " | ".join(main) + " | outside test F1 claim / quote / loaded |",
          "|---|---|" + "---|" * len(main) + "---|"]
    rows = list(res["models"].items()) + [("present default (0.1 recipe)", res["present_default"])]
    if "wide" in res:
        rows.append(("wide (+ outside dev labels)", res["wide"]))
    for name, row in rows:
        if "skipped" in row:
            L.append(f"| {name} | skipped: {row['skipped']} |" + " |" * len(main))
            continue
        lodo = row.get("corpus_lodo")
        pc = row["sets"]["outside test"]["per_class_f1"]
        mark = " (default)" if name == res["default"] else ""
        L.append(f"| {name}{mark} | {fmt(lodo['macro_f1']) if lodo else ''} | "
                 + " | ".join(_cell(row, n) for n in main)
                 + f" | {fmt(pc['claim'])} / {fmt(pc['quote'])} / {fmt(pc['loaded'])} |")
    L += ["", "Per source of the news set's test split (macro-F1; loaded precision in brackets):", "",
          "| model | " + " | ".join(SOURCES) + " |", "|---|" + "---|" * len(SOURCES)]
    for name, row in rows:
        if "skipped" in row:
            continue
        if f"news test: {SOURCES[0]}" not in row["sets"]:
            continue  # wide is scored on the outside sets only
        cells = []
        for src in SOURCES:
            f = row["sets"][f"news test: {src}"]
            cells.append(f"{fmt(f['macro_f1'])} ({fmt(f['loaded']['precision'])})")
        L.append(f"| {name} | " + " | ".join(cells) + " |")
    L.append("")
    for c in res.get("comparisons", []):
        L += [f"{c['a']} minus {c['b']} on outside test: macro-F1 {c['macro_f1_difference']:+.3f}, paired bootstrap "
              f"95% interval {_ci(c['interval'])}, McNemar p = {c['mcnemar']['p_value']:.3g} "
              f"({'significant' if c['significant'] else 'not significant'}).", ""]
    if res.get("learning_curve"):
        L += ["Learning curve of the default over news train rows (whole documents, seeded), on the dev sets:", "",
              "| news train rows | news dev | outside dev |", "|---|---|---|"]
        for p in res["learning_curve"]:
            L.append(f"| {p['news_rows']} | {fmt(p['news dev'])} | {fmt(p['outside dev'])} |")
        L.append("")
    if not details:
        L += [f"Files: [report]({rel}/report.md), [results.json]({rel}/results.json) (aggregate figures only)", ""]
    return L
