"""Rerun stance's experiments and regenerate experiments/README.md.

    python experiments/run.py               # every experiment in experiments/configs/
    python experiments/run.py --only NAME   # one experiment (README still lists all)

Each ``configs/<name>.toml`` describes one experiment:

    name        results go to experiments/results/<name>/
    order       optional: position in the README (lower first)
    description one line for the README
    models      baseline names (stance.models.names())
    cv          "lodo" | "kfold" | "none" (outside data only)
    folds, repeats          for kfold (default 5 and 5)
    seeds       list of seeds; the first gives the reported tables, the others a stability row
    bootstrap   number of bootstrap resamples
    learning_curve          true/false (cross-validation experiments)
    [outside]   optional: root (relative to the checkout root), shipped, explain_k,
                and [[outside.data]] entries: name, path (relative to root), text_column,
                label_column, label_map, binary, words_column, licence, anchor
    variants    optional: ideas to compare (see experiments/ideas.py), "BASE" or "BASE+IDEA+...":
                BASE one of `models`, IDEA "lexicon" or the name of an [[auxiliary]] source.
                Each variant is scored on the corpus (LODO) and, binary, on every [[outside.data]].
    [[auxiliary]]  optional: outside data added to every training fold (never a test fold):
                name, paths (relative to [outside] root), text_column, label_column,
                loaded / not_loaded / drop (lists of outside labels), licence, and optionally
                scored_as (the [[outside.data]] it is drawn from: scored there by grouped
                folds), group_column and folds (GroupKFold over that column, default 5)

Outside data is read where it lies and never copied here: its experiment writes only
aggregate figures (no sentence, id or per-row label), and it is skipped with a clear
message when the outside directory is absent.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import warnings
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
KEYS = {"name", "order", "description", "models", "cv", "folds", "repeats", "seeds", "bootstrap", "learning_curve", "outside",
        "variants", "auxiliary", "kind", "default", "wide", "sizes", "held_out", "weights", "selection_seeds",
        "selection_rows", "scenarios"}
ADAPT_KEYS = ("sizes", "held_out", "weights", "selection_seeds", "selection_rows", "scenarios")
AUX_KEYS = {"name", "paths", "text_column", "label_column", "loaded", "not_loaded", "drop", "licence", "scored_as",
            "group_column", "folds"}
DATA_KEYS = {"name", "path", "text_column", "label_column", "label_map", "binary", "words_column", "id_column",
             "split", "licence", "anchor", "leave_out_labelled"}


class ConfigError(ValueError):
    pass


def _ideas() -> Any:
    """experiments/ideas.py, imported under a private name (it is not an installed module)."""
    return _local("ideas")


def _topics() -> Any:
    """experiments/topics.py (the ``topics`` experiment kind)."""
    return _local("topics")


def _adapt() -> Any:
    """experiments/adapt.py (the ``adapt`` experiment kind)."""
    return _local("adapt")


def _local(stem: str) -> Any:
    name = f"stance_experiments_{stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / f"{stem}.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            del sys.modules[name]
            raise
    return sys.modules[name]


# --------------------------------------------------------------------------- configs


def load_config(path: Path) -> dict[str, Any]:
    """Read and check one experiment config."""
    from stance import models

    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    where = path.name
    unknown = sorted(set(cfg) - KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown keys {', '.join(unknown)}; known: {', '.join(sorted(KEYS))}")
    for key in ("name", "models", "cv", "seeds", "bootstrap"):
        if key not in cfg:
            raise ConfigError(f"{where}: missing key {key!r}")
    try:
        known = models.names(optional=True)
    except TypeError:
        known = models.names()
    bad = [m for m in cfg["models"] if m not in known]
    if bad:
        raise ConfigError(f"{where}: unknown models {', '.join(bad)}; known models: {', '.join(known)}")
    if cfg.get("kind", "cv") not in ("cv", "topics", "adapt"):
        raise ConfigError(f"{where}: kind must be 'cv', 'topics' or 'adapt', got {cfg['kind']!r}")
    if cfg.get("kind") in ("topics", "adapt") and "outside" not in cfg:
        raise ConfigError(f"{where}: kind = {cfg['kind']!r} needs an [outside] section")
    if cfg.get("kind") == "adapt":
        missing = [k for k in ADAPT_KEYS if k not in cfg]
        if missing:
            raise ConfigError(f"{where}: kind = 'adapt' needs {', '.join(missing)}")
        if not all(isinstance(k, int) and k >= 0 for k in cfg["sizes"]) or 0 not in cfg["sizes"]:
            raise ConfigError(f"{where}: sizes must be whole numbers of rows and include 0 (the shipped default)")
        if not all(isinstance(w, (int, float)) and w > 0 for w in cfg["weights"]):
            raise ConfigError(f"{where}: weights must be positive numbers")
        from stance.labelled_sets import LABELLED_SETS

        for sc in cfg["scenarios"]:
            missing = [k for k in ("name", "set", "pool", "heldout") if k not in sc]
            if missing:
                raise ConfigError(f"{where}: [[scenarios]] {sc.get('name')!r} needs {', '.join(missing)}")
            if sc["set"] not in LABELLED_SETS:
                raise ConfigError(f"{where}: [[scenarios]] {sc['name']!r}: unknown set {sc['set']!r}; known: "
                                  f"{', '.join(LABELLED_SETS)}")
            splits = LABELLED_SETS[sc["set"]][1]
            if sc["pool"] not in splits or sc["heldout"] not in splits or sc["pool"] == sc["heldout"]:
                raise ConfigError(f"{where}: [[scenarios]] {sc['name']!r}: pool and heldout must be two splits of "
                                  f"{', '.join(splits)}")
    if cfg["cv"] not in ("lodo", "kfold", "none"):
        raise ConfigError(f"{where}: cv must be lodo, kfold or none, got {cfg['cv']!r}")
    if cfg["cv"] == "none" and "outside" not in cfg:
        raise ConfigError(f"{where}: cv = 'none' needs an [outside] section")
    if not cfg["seeds"] or not all(isinstance(s, int) for s in cfg["seeds"]):
        raise ConfigError(f"{where}: seeds must be a non-empty list of integers")
    if not isinstance(cfg["bootstrap"], int) or cfg["bootstrap"] < 1:
        raise ConfigError(f"{where}: bootstrap must be a positive integer")
    if "outside" in cfg:
        o = cfg["outside"]
        if "root" not in o or (not o.get("data") and cfg.get("kind") != "adapt"):
            raise ConfigError(f"{where}: [outside] needs root and at least one [[outside.data]]")
        for d in o.get("data", []):
            extra = sorted(set(d) - DATA_KEYS)
            if extra:
                raise ConfigError(f"{where}: [[outside.data]] {d.get('name')}: unknown keys {', '.join(extra)}")
            for key in ("name", "path", "text_column", "label_column"):
                if key not in d:
                    raise ConfigError(f"{where}: [[outside.data]] needs {key!r}")
    _check_variants(cfg, where, known)
    cfg["_file"] = f"configs/{path.name}"
    return cfg


def _check_variants(cfg: dict[str, Any], where: str, known: list[str]) -> None:
    aux = cfg.get("auxiliary", [])
    if aux and "variants" not in cfg:
        raise ConfigError(f"{where}: [[auxiliary]] needs a variants list that uses it")
    if "variants" not in cfg:
        return
    variants = cfg["variants"]
    if not isinstance(variants, list) or not variants or not all(isinstance(v, str) for v in variants):
        raise ConfigError(f"{where}: variants must be a non-empty list of names")
    if len(set(variants)) != len(variants):
        raise ConfigError(f"{where}: variants are named twice")
    if cfg["cv"] != "lodo":
        raise ConfigError(f"{where}: variants are scored leave one document out: cv must be 'lodo'")
    outside = {d["name"] for d in cfg.get("outside", {}).get("data", [])}
    names = []
    for a in aux:
        extra = sorted(set(a) - AUX_KEYS)
        if extra:
            raise ConfigError(f"{where}: [[auxiliary]] {a.get('name')}: unknown keys {', '.join(extra)}")
        for key in ("name", "paths", "text_column", "label_column", "loaded", "not_loaded", "licence"):
            if key not in a:
                raise ConfigError(f"{where}: [[auxiliary]] {a.get('name')} needs {key!r}")
        if "outside" not in cfg:
            raise ConfigError(f"{where}: [[auxiliary]] needs an [outside] section (its root holds the data)")
        if a.get("scored_as") is not None:
            if a["scored_as"] not in outside:
                raise ConfigError(f"{where}: [[auxiliary]] {a['name']}: scored_as {a['scored_as']!r} is not an "
                                  f"[[outside.data]] name; known: {', '.join(sorted(outside))}")
            if not a.get("group_column"):
                raise ConfigError(f"{where}: [[auxiliary]] {a['name']}: scored_as needs group_column")
        names.append(a["name"])
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: [[auxiliary]] names must be unique")
    I = _ideas()
    for v in variants:
        msg = I.check_variant(v, [m for m in cfg["models"] if m in known], names)
        if msg:
            raise ConfigError(f"{where}: {msg} (the models list of this config: {', '.join(cfg['models'])})")


def load_configs(configs_dir: Path) -> list[dict[str, Any]]:
    cfgs = sorted((load_config(p) for p in sorted(configs_dir.glob("*.toml"))), key=lambda c: c.get("order", 100))
    names = [c["name"] for c in cfgs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"experiment names must be unique: {', '.join(dup)}")
    return cfgs


# --------------------------------------------------------------------------- running


def run_cv(cfg: dict[str, Any], out: Path) -> dict[str, Any]:
    from stance import evaluate as E
    from stance.cli_evaluate import check_out, write_corpus_outputs

    seeds = cfg["seeds"]
    kw = dict(cv=cfg["cv"], n_bootstrap=cfg["bootstrap"], n_splits=cfg.get("folds", 5), n_repeats=cfg.get("repeats", 5))
    data = E.corpus_data()
    results, cvs = E.run_corpus(cfg["models"], seed=seeds[0], with_learning_curve=cfg.get("learning_curve", True),
                                data=data, **kw)
    if len(seeds) > 1:
        results["seed_runs"] = {}
        for s in seeds[1:]:
            r, _ = E.run_corpus(cfg["models"], seed=s, with_learning_curve=False, data=data, **kw)
            results["seed_runs"][str(s)] = {n: m["macro_f1"] for n, m in r["models"].items()}
    results["experiment"] = {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")}
    check_out(out, force=True)
    return write_corpus_outputs(out, results, cvs, command=f"python experiments/run.py --only {cfg['name']}")


def run_outside(cfg: dict[str, Any], out: Path, repo: Path = REPO, external: Path | None = None) -> dict[str, Any]:
    """Score models trained on the whole corpus on each outside data set; aggregate figures only."""
    from stance import evaluate as E, models
    from stance.cli_evaluate import check_out, write_outside_outputs

    o = cfg["outside"]
    root = external if external is not None else (repo / o["root"])
    if not root.is_dir():
        return {"skipped": f"outside data directory {o['root']} (relative to the checkout root) is absent; "
                           "experiment skipped"}
    seed = cfg["seeds"][0]
    data = E.corpus_data()
    fitted: list[tuple[str, Any, str]] = []
    for name in cfg["models"]:
        est = models.make(name, seed=seed).fit(data.texts, list(data.labels))
        fitted.append((name, est, f"baseline trained on the whole stance corpus ({len(data)} sentences, seed {seed})"))
    notes = []
    if o.get("shipped"):
        try:
            import stance

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                m = stance.load()
            td = (m.card or {}).get("training_data", {}) if isinstance(getattr(m, "card", None), dict) else {}
            src = "the shipped default model, stance.load()"
            if isinstance(td, dict) and td.get("source"):
                src += f" (trained on {td['source']}, {td.get('rows')} sentences)"
            fitted.append(("default (shipped)", m, src))
            notes += [f"stance.load(): {w.message}" for w in caught]
        except Exception as exc:  # the shipped model is optional here
            notes.append(f"the shipped default model could not be loaded ({type(exc).__name__}: {exc}); left out")
    evaluations, skipped = [], []
    for d in o["data"]:
        path = root / d["path"]
        if not path.exists():
            skipped.append(f"{d['name']}: {o['root']}/{d['path']} is absent")
            continue
        for name, model, source in fitted:
            ev = E.evaluate_on(
                model, path, d["text_column"], d["label_column"], d.get("label_map"), binary=d.get("binary", False),
                n_bootstrap=cfg["bootstrap"], seed=seed, words_column=d.get("words_column"),
                id_column=d.get("id_column"), split=d.get("split"), explain_k=o.get("explain_k", 5), model_name=name,
            )
            ev["errors"] = []  # no per-sentence rows: the outside data stays outside the repository
            ev["dataset"] = d["name"]
            ev["source_label"] = f"{o['root']}/{d['path']}"
            ev["model_source"] = source
            ev["licence"] = d.get("licence")
            ev["anchor"] = d.get("anchor")
            evaluations.append(ev)
    if not evaluations:
        return {"skipped": "no outside data set found: " + "; ".join(skipped)}
    settings = {"seed": seed, "bootstrap": cfg["bootstrap"], "level": 0.95, "models": [n for n, _, _ in fitted],
                "outside_root": o["root"], "notes": notes, "skipped_datasets": skipped}
    check_out(out, force=True)
    experiment = {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")}
    return write_outside_outputs(out, evaluations, settings, command=f"python experiments/run.py --only {cfg['name']}",
                                 row_level=False, extra={"experiment": experiment})


LICENCE_NOTE = (
    "Licences: a model trained with CheckThat data (CC BY-NC-SA 4.0) or with BABE data (GNU AGPL v3) would be bound "
    "by that licence. Such a model is never the default, and this experiment saves and ships no model at all: "
    "every model is fitted in memory, scored and discarded; only aggregate figures are written. "
    "The subjectivity lexicon is TextBlob's en-sentiment.xml (PDDL); textblob is not a stance dependency "
    "(the optional extra `stance[experiments]` installs it)."
)


def _corpus_figures(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "macro_f1": summary["macro_f1"],
        "macro_f1_interval": summary["intervals"]["macro_f1"],
        "macro_f1_by_document_interval": (summary.get("macro_f1_by_document") or {}).get("interval"),
        "accuracy": summary["accuracy"],
        "kappa": summary["kappa"],
        "per_class_f1": {lab: v["f1"] for lab, v in summary["per_class"].items()},
        "loaded": {k: summary["per_class"]["loaded"][k] for k in ("precision", "recall", "f1")}
        | {"precision_interval": summary["intervals"]["per_class"]["loaded"]["precision"],
           "recall_interval": summary["intervals"]["per_class"]["loaded"]["recall"]},
        "confusion_matrix": summary["confusion_matrix"],
    }


def run_generalise(cfg: dict[str, Any], out: Path, repo: Path = REPO, external: Path | None = None) -> dict[str, Any]:
    """Score each variant (an idea to make the loaded signal general) on the corpus and the outside sets.

    Corpus: leave one document out, three labels; auxiliary outside data is added to every training
    fold. Outside sets: binary loaded vs not; models trained on the whole corpus (+ auxiliary data), or,
    where the auxiliary data is drawn from the scored set itself, by grouped folds (GroupKFold over
    ``group_column``), trained on the corpus + the other folds. No model is saved; aggregates only.
    """
    import time

    import numpy as np

    o = cfg.get("outside")
    root = None
    if o is not None:
        root = external if external is not None else (repo / o["root"])
        if not root.is_dir():
            return {"skipped": f"outside data directory {o['root']} (relative to the checkout root) is absent; "
                               "experiment skipped"}
    I = _ideas()
    from stance import __version__, evaluate as E

    t0 = time.time()
    seed, nb = cfg["seeds"][0], cfg["bootstrap"]
    aux_specs = {a["name"]: a for a in cfg.get("auxiliary", [])}
    notes: list[str] = []
    data = E.corpus_data()
    corpus_keys = {I.normalise(t) for t in data.texts}

    # outside sets to score on (binary gold), read where they lie
    outside: dict[str, dict[str, Any]] = {}
    for d in (o or {}).get("data", []):
        path = root / d["path"]
        if not path.exists():
            notes.append(f"{d['name']}: {o['root']}/{d['path']} is absent; not scored")
            continue
        od = E.read_outside(path, d["text_column"], d["label_column"], d.get("label_map"), binary=True)
        gold = np.where(od.labels == "loaded", "loaded", E.NOT_LOADED).astype(object)
        outside[d["name"]] = {"spec": d, "path": path, "texts": od.texts, "gold": gold,
                              "keys": {I.normalise(t) for t in od.texts},
                              "info": {"n": len(od), "gold_loaded": int(np.sum(gold == "loaded")),
                                       "dropped": od.dropped, "source_label": f"{o['root']}/{d['path']}",
                                       "licence": d.get("licence"), "label_map": d.get("label_map")}}

    # auxiliary training sources: read once, sentences also in the corpus or in a set they are not
    # drawn from are removed (so no scored sentence is ever trained on)
    aux: dict[str, dict[str, Any]] = {}
    aux_missing: dict[str, str] = {}
    for name, a in aux_specs.items():
        absent = [p for p in a["paths"] if not (root / p).exists()]
        if absent:
            aux_missing[name] = f"auxiliary data {name} is absent ({', '.join(o['root'] + '/' + p for p in absent)})"
            continue
        ad = I.read_auxiliary(root, a)
        keep = np.ones(len(ad["texts"]), dtype=bool)
        removed: dict[str, int] = {}
        for other, keys in [("stance corpus", corpus_keys)] + [(n, s["keys"]) for n, s in outside.items()
                                                                if n != a.get("scored_as")]:
            hit = np.asarray([k in keys for k in ad["keys"]], dtype=bool)
            removed[other] = int(np.sum(hit & keep))
            keep &= ~hit
        for k in ("texts", "keys"):
            ad[k] = [x for x, m in zip(ad[k], keep) if m]
        for k in ("labels", "groups"):
            ad[k] = ad[k][keep]
        ad["counts"]["removed_as_overlap"] = removed
        ad["counts"]["used"] = len(ad["texts"])
        aux[name] = ad

    lex_path = I.lexicon_path()
    embed_missing = I.embed_available()
    folds = E.lodo_splits(data.doc_ids)
    cvs: dict[str, Any] = {}
    preds: dict[str, dict[str, np.ndarray]] = {}
    variants: dict[str, dict[str, Any]] = {}
    skipped_variants: dict[str, str] = {}

    def extra_for(names: list[str], exclude: tuple[str, set[str], set[str]] | None = None) -> tuple[list[str], list[str]]:
        """Auxiliary training sentences; ``exclude`` = (source, test groups, test keys) for grouped folds."""
        texts: list[str] = []
        labels: list[str] = []
        for n in names:
            ad = aux[n]
            for t, y, g, k in zip(ad["texts"], ad["labels"], ad["groups"], ad["keys"]):
                if exclude is not None and n == exclude[0] and (str(g) in exclude[1] or k in exclude[2]):
                    continue
                texts.append(t)
                labels.append(str(y))
        return texts, labels

    for v in cfg["variants"]:
        base, ideas = I.parse_variant(v)
        aux_names = [i for i in ideas if i in aux_specs]
        reason = None
        if base == "embed" and embed_missing:
            reason = embed_missing
        elif "lexicon" in ideas and lex_path is None:
            reason = ("textblob's en/en-sentiment.xml was not found (textblob is not a stance dependency: "
                      "pip install \".[experiments]\" to run this variant)")
        elif any(n in aux_missing for n in aux_names):
            reason = "; ".join(aux_missing[n] for n in aux_names if n in aux_missing)
        if reason:
            skipped_variants[v] = reason
            print(f"   {v}: skipped: {reason}", flush=True)
            continue
        tv = time.time()
        # corpus, leave one document out; the auxiliary data joins every training fold
        extra_t, extra_y = extra_for(aux_names)
        rows, fno, pred, proba = [], [], [], []
        for f in folds:
            est = I.make_variant(v, seed=seed)
            est.fit([data.texts[i] for i in f["train"]] + extra_t, list(data.labels[f["train"]]) + extra_y)
            test = [data.texts[i] for i in f["test"]]
            pred.append(np.asarray([str(p) for p in est.predict(test)], dtype=object))
            proba.append(E._aligned_proba(est, test, E.LABELS))
            rows.append(f["test"])
            fno.append(np.full(len(f["test"]), f["fold"]))
        r = np.concatenate(rows)
        cv = E.CVResult(model=v, scheme="lodo", seed=seed, rows=r, repeat=np.zeros(len(r), dtype=int),
                        fold=np.concatenate(fno), y_true=data.labels[r], y_pred=np.concatenate(pred),
                        proba=np.vstack(proba), data=data, folds=folds)
        cvs[v] = cv
        entry: dict[str, Any] = {
            "base": base, "ideas": ideas,
            "trained_on": "stance corpus" + "".join(f" + {n} ({len(aux[n]['texts'])} sentences)" for n in aux_names),
            "training_licences": [aux_specs[n]["licence"] for n in aux_names],
            "lodo": _corpus_figures(E.summarize(cv, n_bootstrap=nb, seed=seed)),
        }
        if base in cvs and base != v:
            c = E.compare(cv, cvs[base], n_bootstrap=nb, seed=seed)
            entry["lodo_vs_base"] = {k: c[k] for k in ("b", "macro_f1_difference", "interval", "significant", "mcnemar")}
        # outside sets, binary
        final = None
        entry["outside"] = {}
        preds[v] = {}
        for ds, od in outside.items():
            grouped = [n for n in aux_names if aux_specs[n].get("scored_as") == ds]
            if grouped:
                a = aux_specs[grouped[0]]
                from sklearn.model_selection import GroupKFold

                g = np.asarray([str(x) for x in E.read_outside(
                    od["path"], od["spec"]["text_column"], od["spec"]["label_column"], od["spec"].get("label_map"),
                    binary=True, id_column=a["group_column"]).ids], dtype=object)
                p = np.empty(len(od["texts"]), dtype=object)
                score = np.zeros(len(od["texts"]))
                k = int(a.get("folds", 5))
                for _, test in GroupKFold(n_splits=k).split(np.zeros(len(g)), groups=g):
                    test_texts = [od["texts"][i] for i in test]
                    xt, xy = extra_for(aux_names, (grouped[0], set(g[test]), {I.normalise(t) for t in test_texts}))
                    est = I.make_variant(v, seed=seed).fit(list(data.texts) + xt, list(data.labels) + xy)
                    p[test] = [str(x) for x in est.predict(test_texts)]
                    score[test] = E._aligned_proba(est, test_texts, E.LABELS)[:, E.LABELS.index("loaded")]
                scheme = (f"{k}-fold GroupKFold over {a['group_column']} of {ds}: trained on the whole corpus + "
                          f"the {ds} sentences of the other folds" + "".join(
                              f" + {n}" for n in aux_names if n != grouped[0]))
            else:
                if final is None:
                    final = I.make_variant(v, seed=seed).fit(list(data.texts) + extra_t, list(data.labels) + extra_y)
                p = np.asarray([str(x) for x in final.predict(od["texts"])], dtype=object)
                score = E._aligned_proba(final, od["texts"], E.LABELS)[:, E.LABELS.index("loaded")]
                scheme = "trained on the whole corpus" + "".join(f" + {n}" for n in aux_names) + f"; never saw {ds}"
            preds[v][ds] = p
            res = I.binary_scores(od["gold"], p, nb, seed) | {"scheme": scheme,
                                                              "ranking": I.ranking_figures(od["gold"], score)}
            if base in preds and base != v and ds in preds[base]:
                res["vs_base"] = I.paired_binary_difference(od["gold"], p, preds[base][ds], nb, seed) | {"b": base}
            entry["outside"][ds] = res
        entry["seconds"] = round(time.time() - tv, 1)
        variants[v] = entry
        print(f"   {v:>16}: LODO {_f(entry['lodo']['macro_f1'])} {_ci(entry['lodo']['macro_f1_interval'])}"
              + "".join(f"; {ds} {_f(r_['macro_f1'])} {_ci(r_['macro_f1_interval'])}"
                        for ds, r_ in entry["outside"].items()) + f"  ({entry['seconds']} s)", flush=True)

    if not variants:
        return {"skipped": "no variant could run: " + "; ".join(f"{k}: {r_}" for k, r_ in skipped_variants.items())}
    results = {
        "stance_version": __version__,
        "kind": "generalise",
        "experiment": {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")},
        "settings": {
            "seed": seed, "bootstrap": nb, "level": 0.95, "cv": "lodo", "variants": cfg["variants"],
            "outside_root": (o or {}).get("root"),
            "lexicon": {"file": "textblob/en/en-sentiment.xml", "source": I.LEXICON_SOURCE, "licence": I.LEXICON_LICENCE,
                        "available": lex_path is not None, "threshold": I.LEXICON_THRESHOLD, "cap": I.LEXICON_CAP,
                        "features": list(I.LEXICON_FEATURES)},
            "embeddings_cached": I.embedding_cache_size(),
            "seconds": round(time.time() - t0, 1),
        },
        "licence_note": LICENCE_NOTE,
        "corpus": data.summary(),
        "outside_data": {n: s["info"] for n, s in outside.items()},
        "auxiliary": {n: {"paths": [f"{o['root']}/{p}" for p in aux_specs[n]["paths"]],
                          "licence": aux_specs[n]["licence"],
                          "mapping": {"loaded": aux_specs[n]["loaded"], "not_loaded": aux_specs[n]["not_loaded"],
                                      "rule": "not-loaded sentences become quote where stance's rules say quote, "
                                              "else claim"},
                          "scored_as": aux_specs[n].get("scored_as"), "group_column": aux_specs[n].get("group_column"),
                          "folds": aux_specs[n].get("folds", 5) if aux_specs[n].get("scored_as") else None,
                          "counts": aux[n]["counts"]} for n in aux},
        "variants": variants,
        "skipped_variants": skipped_variants,
        "notes": notes,
    }
    _write_generalise(out, results, command=f"python experiments/run.py --only {cfg['name']}")
    return results


def _write_generalise(out: Path, results: dict[str, Any], command: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("results.json", "report.md"):
        (out / name).unlink(missing_ok=True)
    from stance.cli_evaluate import _write_json

    _write_json(out / "results.json", results)
    exp = results["experiment"]
    lines = [f"# Experiment: {exp['name']}", "", f"Command: `{command}` (config `experiments/{exp['config']}`).", "",
             f"stance {results['stance_version']}; seed {results['settings']['seed']}, "
             f"{results['settings']['bootstrap']} bootstrap resamples, 95% percentile intervals; "
             f"run time {results['settings']['seconds']} s.", ""]
    lines += _readme_generalise(exp["name"], results, ".", details=True)
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------- README


def _f(x: Any) -> str:
    return "–" if x is None else f"{x:.3f}"


def _ci(iv: Any) -> str:
    return "[–]" if not iv or iv[0] is None else f"[{iv[0]:.3f}, {iv[1]:.3f}]"


def _readme_cv(name: str, res: dict[str, Any], rel: str) -> list[str]:
    from stance.evaluate import LABELS

    cv, s = res["cv"], res["settings"]
    L = []
    exp = res.get("experiment", {})
    if exp.get("description"):
        L += [exp["description"], ""]
    if cv.get("optimistic"):
        L += [f"> Optimistic: {cv['reason']}.", ""]
    made = set(res.get("plots", {}).get("made", []))
    header = ["model", "macro-F1 [95% CI]", "accuracy", "kappa vs gold"] + [f"F1 {lab}" for lab in LABELS] + ["confusion"]
    L += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for n in res["ranking"]:
        m = res["models"][n]
        png = f"confusion_{n}.png"
        link = f"[png]({rel}/{png})" if png in made else "–"
        L.append("| " + " | ".join([n, f"{_f(m['macro_f1'])} {_ci(m['intervals']['macro_f1'])}", _f(m["accuracy"]),
                                     _f(m["kappa"])] + [_f(m["per_class"][lab]["f1"]) for lab in LABELS] + [link]) + " |")
    hc = dict(res["human_ceiling"])
    if hc.get("available") and "complete" not in hc:  # results written before the scope was recorded
        from stance.evaluate import human_ceiling

        now = human_ceiling()
        if now.get("n") == hc.get("n"):
            hc["complete"], hc["scope"] = now.get("complete", True), now.get("scope")
    if hc.get("available"):
        per = hc.get("per_label_kappa") or {}
        L.append("| " + " | ".join([("*human ceiling (pass 1 vs pass 2)*" if hc.get("complete", True) else f"*human ceiling (pass 1 vs pass 2; partial: n={hc.get('n')})*"), "–", f"*{_f(hc.get('agreement'))}* agreement",
                                     f"*{_f(hc.get('kappa'))}*"] + [f"*κ {_f(per.get(lab))}*" for lab in LABELS] + ["–"]) + " |")
    else:
        L.append("| " + " | ".join(["*human ceiling*", "not yet computed", "–", "–"] + ["–"] * len(LABELS) + ["–"]) + " |")
    L.append("")
    if res["comparisons"]:
        c = res["comparisons"][0]
        verdict = "significant" if c["significant"] else "not significant"
        L += [f"Best: **{res['best']}**; lead over {c['b']} {c['macro_f1_difference']:+.3f} {_ci(c['interval'])} "
              f"({verdict}; McNemar p = {c['mcnemar']['p_value']:.3g}).", ""]
    if res.get("seed_runs"):
        L += ["Macro-F1 over seeds " + ", ".join([str(s["seed"])] + list(res["seed_runs"])) + ": "
              + "; ".join(f"{n} {min([res['models'][n]['macro_f1']] + [r[n] for r in res['seed_runs'].values()]):.3f}–"
                          f"{max([res['models'][n]['macro_f1']] + [r[n] for r in res['seed_runs'].values()]):.3f}"
                          for n in res["ranking"]) + ".", ""]
    links = [f"[report]({rel}/report.md)", f"[results.json]({rel}/results.json)", f"[errors.csv]({rel}/errors.csv)"]
    if "learning_curve.png" in made:
        links.append(f"[learning curve]({rel}/learning_curve.png)")
    L += ["Files: " + ", ".join(links), ""]
    return L


def _readme_outside(name: str, res: dict[str, Any], rel: str) -> list[str]:
    L = []
    exp = res.get("experiment", {})
    if exp.get("description"):
        L += [exp["description"], ""]
    L += ["**The models never saw this data**: it was used only for scoring. Labels mapped onto loaded vs not-loaded "
          "as the config states.", ""]
    made = set(res.get("plots", {}).get("made", []))
    for ds in dict.fromkeys(e["dataset"] for e in res["evaluations"]):
        group = [e for e in res["evaluations"] if e["dataset"] == ds]
        e0 = group[0]
        L += [f"**{ds}** (`{e0['source_label']}`, {e0['n']} sentences, licence {e0.get('licence') or '?'}). "
              f"Reported anchor: {e0.get('anchor') or '–'}.", ""]
        header = ["model", "binary macro-F1 [95% CI]", "loaded precision [CI]", "loaded recall [CI]", "explain hits marked words", "confusion"]
        L += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for e in group:
            lo = e.get("loaded") or {}
            ov = e.get("explain_overlap")
            ov_s = "–" if ov is None else (f"{ov['hit_rate']:.3f} of {ov['sentences']}" if ov.get("available") else "n/a")
            png = e.get("confusion_png")
            L.append("| " + " | ".join([
                e["model"], f"{_f(e['metrics']['macro_f1'])} {_ci(e['intervals']['macro_f1'])}",
                f"{_f(lo.get('precision'))} {_ci(lo.get('precision_interval'))}",
                f"{_f(lo.get('recall'))} {_ci(lo.get('recall_interval'))}", ov_s,
                f"[png]({rel}/{png})" if png in made else "–"]) + " |")
        L.append("")
    for n in res["settings"].get("notes", []):
        L.append(f"- note: {n}")
    for n in res["settings"].get("skipped_datasets", []):
        L.append(f"- skipped: {n}")
    L += ["", f"Files: [report]({rel}/report.md), [results.json]({rel}/results.json) (aggregate figures only)", ""]
    return L


def _dropped(d: dict[str, int] | None) -> str:
    return "" if not d else " after dropping " + ", ".join(f"{v} {k!r}" for k, v in d.items())


def _readme_generalise(name: str, res: dict[str, Any], rel: str, details: bool = False) -> list[str]:
    L = []
    exp = res.get("experiment", {})
    if exp.get("description"):
        L += [exp["description"], ""]
    L += [f"> {res['licence_note']}", ""]
    sets = list(res.get("outside_data", {}))
    V = res["variants"]
    grouped_mark = "†"

    def cell(r: dict[str, Any] | None) -> str:
        if r is None:
            return "–"
        mark = f" {grouped_mark}" if "GroupKFold" in r.get("scheme", "") else ""
        return f"{_f(r['macro_f1'])} {_ci(r['macro_f1_interval'])}{mark}"

    def delta(d: dict[str, Any] | None) -> str:
        if not d:
            return "–"
        return f"{d['macro_f1_difference']:+.3f} {_ci(d['interval'])}" + (" *" if d.get("significant") else "")

    info = res.get("outside_data", {})
    head = ["variant", "trained on", "corpus LODO macro-F1 [95% CI]"] + [
        f"{ds} binary macro-F1 [95% CI] (n={info[ds]['n']})" for ds in sets]
    L += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v in res["settings"]["variants"]:
        if v in V:
            e = V[v]
            L.append("| " + " | ".join([f"`{v}`", e["trained_on"],
                                         f"{_f(e['lodo']['macro_f1'])} {_ci(e['lodo']['macro_f1_interval'])}"]
                                        + [cell(e["outside"].get(ds)) for ds in sets]) + " |")
        elif v in res.get("skipped_variants", {}):
            L.append("| " + " | ".join([f"`{v}`", f"skipped: {res['skipped_variants'][v]}", "–"] + ["–"] * len(sets))
                     + " |")
    L.append("")
    if any("GroupKFold" in r.get("scheme", "") for e in V.values() for r in e["outside"].values()):
        gs = [a for a in res.get("auxiliary", {}).values() if a.get("scored_as")]
        how = "; ".join(f"{a['scored_as']}: {a['folds']}-fold GroupKFold over `{a['group_column']}`" for a in gs)
        L += [f"{grouped_mark} Trained on the data set it is scored on, so scored by grouped folds ({how}): each "
              "fold is predicted by a model trained on the corpus + the other folds; never on the test fold.", ""]
    L += ["Difference from the base model (same folds / same sentences, paired bootstrap 95% CI; * the interval "
          "excludes 0):", ""]
    head = ["variant", "Δ corpus LODO"] + [f"Δ {ds}" for ds in sets]
    L += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v, e in V.items():
        if e["ideas"]:
            L.append("| " + " | ".join([f"`{v}` − `{e['base']}`", delta(e.get("lodo_vs_base"))]
                                        + [delta(e["outside"].get(ds, {}).get("vs_base")) for ds in sets]) + " |")
    L.append("")
    if any(r.get("ranking") for e in V.values() for r in e["outside"].values()):
        L += ["How well each variant's P(loaded) ranks the outside sentences: ROC AUC, and the *ceiling*: the best "
              "binary macro-F1 that any threshold on P(loaded) reaches when the threshold is chosen on the scored "
              "sentences themselves (share predicted loaded at that threshold in brackets). The ceiling is an upper "
              "bound on what recalibrating the decision could give, not a score.", ""]
        head = ["variant"] + [x for ds in sets for x in (f"{ds} AUC", f"{ds} ceiling")]
        L += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for v, e in V.items():
            row = [f"`{v}`"]
            for ds in sets:
                rk = (e["outside"].get(ds) or {}).get("ranking") or {}
                row += ([_f(rk["auc"]), f"{_f(rk['ceiling_macro_f1'])} ({rk['ceiling_loaded_share']:.0%})"]
                        if rk.get("auc") is not None else ["–", "–"])
            L.append("| " + " | ".join(row) + " |")
        L.append("")
    L += ["Loaded precision and recall [95% CI] (corpus: three labels, LODO; outside sets: loaded vs not):", ""]
    head = ["variant", "corpus P", "corpus R"] + [x for ds in sets for x in (f"{ds} P", f"{ds} R")]
    L += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v, e in V.items():
        lo = e["lodo"]["loaded"]
        row = [f"`{v}`", f"{_f(lo['precision'])} {_ci(lo['precision_interval'])}",
               f"{_f(lo['recall'])} {_ci(lo['recall_interval'])}"]
        for ds in sets:
            r = e["outside"].get(ds)
            row += (["–", "–"] if r is None else
                    [f"{_f(r['loaded']['precision'])} {_ci(r['loaded']['precision_interval'])}",
                     f"{_f(r['loaded']['recall'])} {_ci(r['loaded']['recall_interval'])}"])
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    for ds in sets:
        d = info[ds]
        L.append(f"- {ds}: `{d['source_label']}`, {d['n']} sentences ({d['gold_loaded']} loaded), licence "
                 f"{d.get('licence') or '?'}; labels "
                 + ", ".join(f"{k} → {v}" for k, v in (d.get("label_map") or {}).items()) + ".")
    for n, a in res.get("auxiliary", {}).items():
        c = a["counts"]
        removed = ", ".join(f"{k} {v}" for k, v in c.get("removed_as_overlap", {}).items())
        L.append(f"- auxiliary {n}: {', '.join(f'`{p}`' for p in a['paths'])}, licence {a['licence']}; "
                 f"{c['used']} of {c['sentences']} sentences used{_dropped(c.get('dropped'))} ({c['loaded']} loaded, "
                 f"{c['not_loaded_as_quote']} not-loaded → quote, {c['not_loaded_as_claim']} → claim by the rules); "
                 f"removed as also in a scored set: {removed or 'none'}.")
    lx = res["settings"].get("lexicon", {})
    if lx:
        L.append(f"- lexicon: {lx.get('source', lx['file'])}, licence {lx['licence']}; features on the author's voice: words with mean "
                 f"subjectivity ≥ {lx['threshold']} (capped at {lx['cap']}), max subjectivity, "
                 "Σ|polarity|/√(words); appended to the hybrid's FeatureUnion.")
    for n in res.get("notes", []):
        L.append(f"- note: {n}")
    L.append("")
    if details:
        return L
    L += [f"Files: [report]({rel}/report.md), [results.json]({rel}/results.json) (aggregate figures only)", ""]
    return L


def write_readme(cfgs: list[dict[str, Any]], results_dir: Path, readme: Path, skipped: dict[str, str]) -> None:
    from stance import __version__

    rel_root = Path("results")
    L = ["# Experiments", "",
         "Generated by `python experiments/run.py` from `experiments/configs/*.toml`; do not edit by hand. "
         "Rerun one experiment with `python experiments/run.py --only NAME`.", "",
         "Intervals are 95% percentile bootstrap intervals over sentences, seeded. Leave-one-document-out (LODO) "
         "is the primary scheme: a model is never tested on an article it was trained on. The human ceiling is the "
         "agreement of two independent labelling passes (`labels/agreement.json`).", ""]
    for cfg in cfgs:
        name = cfg["name"]
        L += [f"## {name}", "", f"Config: [`{cfg['_file']}`]({cfg['_file']})", ""]
        path = results_dir / name / "results.json"
        if name in skipped:
            L += [f"**Skipped on the last run:** {skipped[name]}.", ""]
        if not path.is_file():
            L += ["No results yet.", ""]
            continue
        res = json.loads(path.read_text(encoding="utf-8"))
        if name in skipped:
            L += ["Results below are from an earlier run.", ""]
        rel = (rel_root / name).as_posix()
        if res.get("kind") == "topics":
            L += _topics().readme_lines(res, rel)
        elif res.get("kind") == "adapt":
            L += _adapt().readme_lines(res, rel)
        elif res.get("kind") == "generalise":
            L += _readme_generalise(name, res, rel)
        elif res.get("kind") == "outside-data":
            L += _readme_outside(name, res, rel)
        else:
            L += _readme_cv(name, res, rel)
    L += [f"stance {__version__}.", ""]
    readme.write_text("\n".join(L), encoding="utf-8")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None, configs_dir: Path | None = None, results_dir: Path | None = None,
         readme: Path | None = None, repo: Path = REPO, external: Path | None = None) -> int:
    ap = argparse.ArgumentParser(description="Rerun stance's experiments into experiments/results/ and regenerate experiments/README.md.")
    ap.add_argument("--only", metavar="NAME", action="append", help="run only this experiment (repeatable)")
    ap.add_argument("--external", type=Path, help="outside data directory (default: the config's root, relative to the checkout)")
    args = ap.parse_args(argv)
    configs_dir = configs_dir or HERE / "configs"
    results_dir = results_dir or HERE / "results"
    readme = readme or HERE / "README.md"
    try:
        cfgs = load_configs(configs_dir)
    except ConfigError as exc:
        print(f"run.py: error: {exc}", file=sys.stderr)
        return 2
    names = [c["name"] for c in cfgs]
    if args.only:
        bad = [n for n in args.only if n not in names]
        if bad:
            print(f"run.py: error: unknown experiment {', '.join(bad)}; known: {', '.join(names)}", file=sys.stderr)
            return 2
    skipped: dict[str, str] = {}
    for cfg in cfgs:
        if args.only and cfg["name"] not in args.only:
            continue
        out = results_dir / cfg["name"]
        print(f"== {cfg['name']}", flush=True)
        if cfg.get("kind") in ("topics", "adapt"):
            run = _topics().run_topics if cfg["kind"] == "topics" else _adapt().run_adapt
            res = run(cfg, out, repo=repo, external=args.external or external)
            if "skipped" in res:
                skipped[cfg["name"]] = res["skipped"]
                print(f"   skipped: {res['skipped']}", flush=True)
            continue
        if "variants" in cfg or "outside" in cfg:
            runner = run_generalise if "variants" in cfg else run_outside
            res = runner(cfg, out, repo=repo, external=args.external or external)
            if "skipped" in res:
                skipped[cfg["name"]] = res["skipped"]
                print(f"   skipped: {res['skipped']}", flush=True)
                continue
            if "variants" in cfg:
                continue
            for e in res["evaluations"]:
                print(f"   {e['dataset']:>18} {e['model']:>18}: macro-F1 {_f(e['metrics']['macro_f1'])} "
                      f"{_ci(e['intervals']['macro_f1'])}", flush=True)
        else:
            res = run_cv(cfg, out)
            for n in res["ranking"]:
                m = res["models"][n]
                print(f"   {n:>10}: macro-F1 {_f(m['macro_f1'])} {_ci(m['intervals']['macro_f1'])}", flush=True)
    write_readme(cfgs, results_dir, readme, skipped)
    print(f"wrote {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
