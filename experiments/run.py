"""Rerun stance's experiments and regenerate experiments/README.md.

    python experiments/run.py               # every experiment in experiments/configs/
    python experiments/run.py --only NAME   # one experiment (README still lists all)

Each ``configs/<name>.toml`` describes one experiment:

    name        results go to experiments/results/<name>/
    order       optional: position in the README (lower first)
    description one line for the README
    models      baseline names (stance.recipes.names())
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

from stance.evaluate import fmt, fmt_interval

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
KEYS = {"name", "order", "description", "models", "cv", "folds", "repeats", "seeds", "bootstrap", "learning_curve", "outside",
        "variants", "auxiliary", "kind", "default", "wide", "sizes", "held_out", "weights", "selection_seeds",
        "selection_rows", "scenarios", "present_params", "present_constructed_weight"}
ADAPT_KEYS = ("sizes", "held_out", "weights", "selection_seeds", "selection_rows", "scenarios")
AUX_KEYS = {"name", "paths", "text_column", "label_column", "loaded", "not_loaded", "drop", "licence", "scored_as",
            "group_column", "folds"}
DATA_KEYS = {"name", "path", "text_column", "label_column", "label_map", "binary", "words_column", "id_column",
             "split", "licence", "anchor", "leave_out_labelled"}


class ConfigError(ValueError):
    pass


def load_ideas() -> Any:
    """experiments/ideas.py, imported under a private name (it is not an installed module)."""
    return _local("ideas")


def _topics() -> Any:
    """experiments/topics.py (the ``topics`` experiment kind)."""
    return _local("topics")


def _generalise() -> Any:
    """experiments/generalise.py (configs with ``variants``)."""
    return _local("generalise")


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
    import stance.recipes

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
    known = stance.recipes.names()
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
        from stance.corpora import LABELLED_SETS, NEWS_SPLITS

        sets = {name: splits for name, (_, splits) in LABELLED_SETS.items()} | {"news": NEWS_SPLITS}
        for sc in cfg["scenarios"]:
            missing = [k for k in ("name", "set", "pool", "heldout") if k not in sc]
            if missing:
                raise ConfigError(f"{where}: [[scenarios]] {sc.get('name')!r} needs {', '.join(missing)}")
            if sc["set"] not in sets:
                raise ConfigError(f"{where}: [[scenarios]] {sc['name']!r}: unknown set {sc['set']!r}; known: "
                                  f"{', '.join(sets)}")
            splits = sets[sc["set"]]
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
    idea_lib = load_ideas()
    for v in variants:
        msg = idea_lib.check_variant(v, [m for m in cfg["models"] if m in known], names)
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
    import stance.evaluate
    from stance.evaluate import check_out, write_corpus_outputs

    seeds = cfg["seeds"]
    kw = dict(cv=cfg["cv"], n_bootstrap=cfg["bootstrap"], n_splits=cfg.get("folds", 5), n_repeats=cfg.get("repeats", 5))
    data = stance.evaluate.corpus_data()
    results, cvs = stance.evaluate.run_corpus(cfg["models"], seed=seeds[0], with_learning_curve=cfg.get("learning_curve", True),
                                data=data, **kw)
    if len(seeds) > 1:
        results["seed_runs"] = {}
        for s in seeds[1:]:
            r, _ = stance.evaluate.run_corpus(cfg["models"], seed=s, with_learning_curve=False, data=data, **kw)
            results["seed_runs"][str(s)] = {n: m["macro_f1"] for n, m in r["models"].items()}
    results["experiment"] = {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")}
    check_out(out, force=True)
    return write_corpus_outputs(out, results, cvs, command=f"python experiments/run.py --only {cfg['name']}")


def run_outside(cfg: dict[str, Any], out: Path, repo: Path = REPO, external: Path | None = None) -> dict[str, Any]:
    """Score models trained on the whole corpus on each outside data set; aggregate figures only."""
    import stance.evaluate
    import stance.recipes
    from stance.evaluate import check_out, write_outside_outputs

    o = cfg["outside"]
    root = external if external is not None else (repo / o["root"])
    if not root.is_dir():
        return {"skipped": f"outside data directory {o['root']} (relative to the checkout root) is absent; "
                           "experiment skipped"}
    seed = cfg["seeds"][0]
    data = stance.evaluate.corpus_data()
    fitted: list[tuple[str, Any, str]] = []
    for name in cfg["models"]:
        est = stance.recipes.make(name, seed=seed).fit(data.texts, list(data.labels))
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
            columns = stance.evaluate.OutsideColumns(
                text=d["text_column"], label=d["label_column"], label_map=d.get("label_map"),
                binary=d.get("binary", False), split=d.get("split"), id=d.get("id_column"), words=d.get("words_column"))
            ev = stance.evaluate.evaluate_on(model, path, columns, n_bootstrap=cfg["bootstrap"], seed=seed,
                                             explain_k=o.get("explain_k", 5), model_name=name)
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


def _readme_cv(name: str, res: dict[str, Any], rel: str) -> list[str]:
    from stance import LABELS

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
        L.append("| " + " | ".join([n, f"{fmt(m['macro_f1'])} {fmt_interval(m['intervals']['macro_f1'])}", fmt(m["accuracy"]),
                                     fmt(m["kappa"])] + [fmt(m["per_class"][lab]["f1"]) for lab in LABELS] + [link]) + " |")
    hc = dict(res["human_ceiling"])
    if hc.get("available") and "complete" not in hc:  # results written before the scope was recorded
        from stance.evaluate import human_ceiling

        now = human_ceiling()
        if now.get("n") == hc.get("n"):
            hc["complete"], hc["scope"] = now.get("complete", True), now.get("scope")
    if hc.get("available"):
        per = hc.get("per_label_kappa") or {}
        L.append("| " + " | ".join([("*human ceiling (pass 1 vs pass 2)*" if hc.get("complete", True) else f"*human ceiling (pass 1 vs pass 2; partial: n={hc.get('n')})*"), "–", f"*{fmt(hc.get('agreement'))}* agreement",
                                     f"*{fmt(hc.get('kappa'))}*"] + [f"*κ {fmt(per.get(lab))}*" for lab in LABELS] + ["–"]) + " |")
    else:
        L.append("| " + " | ".join(["*human ceiling*", "not yet computed", "–", "–"] + ["–"] * len(LABELS) + ["–"]) + " |")
    L.append("")
    if res["comparisons"]:
        c = res["comparisons"][0]
        verdict = "significant" if c["significant"] else "not significant"
        L += [f"Best: **{res['best']}**; lead over {c['b']} {c['macro_f1_difference']:+.3f} {fmt_interval(c['interval'])} "
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
                e["model"], f"{fmt(e['metrics']['macro_f1'])} {fmt_interval(e['intervals']['macro_f1'])}",
                f"{fmt(lo.get('precision'))} {fmt_interval(lo.get('precision_interval'))}",
                f"{fmt(lo.get('recall'))} {fmt_interval(lo.get('recall_interval'))}", ov_s,
                f"[png]({rel}/{png})" if png in made else "–"]) + " |")
        L.append("")
    for n in res["settings"].get("notes", []):
        L.append(f"- note: {n}")
    for n in res["settings"].get("skipped_datasets", []):
        L.append(f"- skipped: {n}")
    L += ["", f"Files: [report]({rel}/report.md), [results.json]({rel}/results.json) (aggregate figures only)", ""]
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
            L += _generalise().readme_lines(name, res, rel)
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
    ap.add_argument("--models", metavar="NAME", nargs="+",
                    help="topics only: score these models again and keep the stored figures of the others")
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
    if importlib.util.find_spec("matplotlib") is None:
        # without it the plots would be deleted and their links replaced: refuse before touching anything
        print("run.py: error: the experiments write plots and need matplotlib: pip install \".[plot]\" "
              "(nothing was run or changed)", file=sys.stderr)
        return 2
    skipped: dict[str, str] = {}
    for cfg in cfgs:
        if args.only and cfg["name"] not in args.only:
            continue
        out = results_dir / cfg["name"]
        print(f"== {cfg['name']}", flush=True)
        if cfg.get("kind") in ("topics", "adapt"):
            if args.models and cfg["kind"] == "topics":
                if not (out / "results.json").exists():
                    print(f"run.py: error: --models rescoring needs a stored {out / 'results.json'}", file=sys.stderr)
                    return 2
                cfg = cfg | {"_only_models": args.models}
            run = _topics().run_topics if cfg["kind"] == "topics" else _adapt().run_adapt
            res = run(cfg, out, repo=repo, external=args.external or external)
            if "skipped" in res:
                skipped[cfg["name"]] = res["skipped"]
                print(f"   skipped: {res['skipped']}", flush=True)
            continue
        if "variants" in cfg or "outside" in cfg:
            if "variants" in cfg:
                res = _generalise().run_generalise(cfg, out, load_ideas(), repo=repo, external=args.external or external)
            else:
                res = run_outside(cfg, out, repo=repo, external=args.external or external)
            if "skipped" in res:
                skipped[cfg["name"]] = res["skipped"]
                print(f"   skipped: {res['skipped']}", flush=True)
                continue
            if "variants" in cfg:
                continue
            for e in res["evaluations"]:
                print(f"   {e['dataset']:>18} {e['model']:>18}: macro-F1 {fmt(e['metrics']['macro_f1'])} "
                      f"{fmt_interval(e['intervals']['macro_f1'])}", flush=True)
        else:
            res = run_cv(cfg, out)
            for n in res["ranking"]:
                m = res["models"][n]
                print(f"   {n:>10}: macro-F1 {fmt(m['macro_f1'])} {fmt_interval(m['intervals']['macro_f1'])}", flush=True)
    write_readme(cfgs, results_dir, readme, skipped)
    print(f"wrote {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
