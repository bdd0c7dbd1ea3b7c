"""The ``generalise`` experiment: ideas to make the loaded signal general, scored side by side.

Run by ``python experiments/run.py --only generalise`` (configs/generalise.toml): every variant (a
model of the ladder plus ideas from experiments/ideas.py) on the corpus, leave one document out,
and on the outside sets as loaded vs not, with paired differences to its base model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance.evaluate import fmt, fmt_interval

REPO = Path(__file__).resolve().parent.parent


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


def run_generalise(cfg: dict[str, Any], out: Path, idea_lib: Any, repo: Path = REPO,
                   external: Path | None = None) -> dict[str, Any]:
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
    from stance import __version__
    import stance.evaluate

    seed, nb = cfg["seeds"][0], cfg["bootstrap"]
    aux_specs = {a["name"]: a for a in cfg.get("auxiliary", [])}
    notes: list[str] = []
    data = stance.evaluate.corpus_data()
    corpus_keys = {idea_lib.normalise(t) for t in data.texts}

    # outside sets to score on (binary gold), read where they lie
    outside: dict[str, dict[str, Any]] = {}
    for d in (o or {}).get("data", []):
        path = root / d["path"]
        if not path.exists():
            notes.append(f"{d['name']}: {o['root']}/{d['path']} is absent; not scored")
            continue
        od = stance.evaluate.read_outside(path, stance.evaluate.OutsideColumns(
            text=d["text_column"], label=d["label_column"], label_map=d.get("label_map"), binary=True))
        gold = np.where(od.labels == "loaded", "loaded", stance.evaluate.NOT_LOADED).astype(object)
        outside[d["name"]] = {"spec": d, "path": path, "texts": od.texts, "gold": gold,
                              "keys": {idea_lib.normalise(t) for t in od.texts},
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
        ad = idea_lib.read_auxiliary(root, a)
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

    lex_path = idea_lib.lexicon_path()
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
        base, ideas = idea_lib.parse_variant(v)
        aux_names = [i for i in ideas if i in aux_specs]
        reason = None
        if "lexicon" in ideas and lex_path is None:
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
        cv = stance.evaluate.cross_validate(idea_lib.make_variant(v, seed=seed), data, "lodo", seed,
                              extra=(extra_t, extra_y) if extra_t else None, name=v)
        cvs[v] = cv
        entry: dict[str, Any] = {
            "base": base, "ideas": ideas,
            "trained_on": "stance corpus" + "".join(f" + {n} ({len(aux[n]['texts'])} sentences)" for n in aux_names),
            "training_licences": [aux_specs[n]["licence"] for n in aux_names],
            "lodo": _corpus_figures(stance.evaluate.summarize(cv, n_bootstrap=nb, seed=seed)),
        }
        if base in cvs and base != v:
            c = stance.evaluate.compare(cv, cvs[base], n_bootstrap=nb, seed=seed)
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

                g = np.asarray([str(x) for x in stance.evaluate.read_outside(od["path"], stance.evaluate.OutsideColumns(
                    text=od["spec"]["text_column"], label=od["spec"]["label_column"],
                    label_map=od["spec"].get("label_map"), binary=True, id=a["group_column"])).ids], dtype=object)
                p = np.empty(len(od["texts"]), dtype=object)
                score = np.zeros(len(od["texts"]))
                k = int(a.get("folds", 5))
                for _, test in GroupKFold(n_splits=k).split(np.zeros(len(g)), groups=g):
                    test_texts = [od["texts"][i] for i in test]
                    xt, xy = extra_for(aux_names, (grouped[0], set(g[test]), {idea_lib.normalise(t) for t in test_texts}))
                    est = idea_lib.make_variant(v, seed=seed).fit(list(data.texts) + xt, list(data.labels) + xy)
                    p[test] = [str(x) for x in est.predict(test_texts)]
                    score[test] = stance.evaluate.aligned_proba(est, test_texts, stance.LABELS)[:, stance.LABELS.index("loaded")]
                scheme = (f"{k}-fold GroupKFold over {a['group_column']} of {ds}: trained on the whole corpus + "
                          f"the {ds} sentences of the other folds" + "".join(
                              f" + {n}" for n in aux_names if n != grouped[0]))
            else:
                if final is None:
                    final = idea_lib.make_variant(v, seed=seed).fit(list(data.texts) + extra_t, list(data.labels) + extra_y)
                p = np.asarray([str(x) for x in final.predict(od["texts"])], dtype=object)
                score = stance.evaluate.aligned_proba(final, od["texts"], stance.LABELS)[:, stance.LABELS.index("loaded")]
                scheme = "trained on the whole corpus" + "".join(f" + {n}" for n in aux_names) + f"; never saw {ds}"
            preds[v][ds] = p
            res = idea_lib.binary_scores(od["gold"], p, nb, seed) | {"scheme": scheme,
                                                              "ranking": idea_lib.ranking_figures(od["gold"], score)}
            if base in preds and base != v and ds in preds[base]:
                res["vs_base"] = idea_lib.paired_binary_difference(od["gold"], p, preds[base][ds], nb, seed) | {"b": base}
            entry["outside"][ds] = res
        seconds = round(time.time() - tv, 1)  # printed, not stored: a rerun writes the same files
        variants[v] = entry
        print(f"   {v:>16}: LODO {fmt(entry['lodo']['macro_f1'])} {fmt_interval(entry['lodo']['macro_f1_interval'])}"
              + "".join(f"; {ds} {fmt(r_['macro_f1'])} {fmt_interval(r_['macro_f1_interval'])}"
                        for ds, r_ in entry["outside"].items()) + f"  ({seconds} s)", flush=True)

    if not variants:
        return {"skipped": "no variant could run: " + "; ".join(f"{k}: {r_}" for k, r_ in skipped_variants.items())}
    results = {
        "stance_version": __version__,
        "kind": "generalise",
        "experiment": {"name": cfg["name"], "config": cfg["_file"], "description": cfg.get("description", "")},
        "settings": {
            "seed": seed, "bootstrap": nb, "level": 0.95, "cv": "lodo", "variants": cfg["variants"],
            "outside_root": (o or {}).get("root"),
            "lexicon": {"file": "textblob/en/en-sentiment.xml", "source": idea_lib.LEXICON_SOURCE, "licence": idea_lib.LEXICON_LICENCE,
                        "available": lex_path is not None, "threshold": idea_lib.LEXICON_THRESHOLD, "cap": idea_lib.LEXICON_CAP,
                        "features": list(idea_lib.LEXICON_FEATURES)},
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
    write_generalise(out, results, command=f"python experiments/run.py --only {cfg['name']}")
    return results


def write_generalise(out: Path, results: dict[str, Any], command: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in ("results.json", "report.md"):
        (out / name).unlink(missing_ok=True)
    from stance.evaluate import write_json

    write_json(out / "results.json", results)
    exp = results["experiment"]
    lines = [f"# Experiment: {exp['name']}", "", f"Command: `{command}` (config `experiments/{exp['config']}`).", "",
             f"stance {results['stance_version']}; seed {results['settings']['seed']}, "
             f"{results['settings']['bootstrap']} bootstrap resamples, 95% percentile intervals.", ""]
    lines += readme_lines(exp["name"], results, ".", details=True)
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


# --------------------------------------------------------------------------- README


def _dropped(d: dict[str, int] | None) -> str:
    return "" if not d else " after dropping " + ", ".join(f"{v} {k!r}" for k, v in d.items())


def readme_lines(name: str, res: dict[str, Any], rel: str, details: bool = False) -> list[str]:
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
        return f"{fmt(r['macro_f1'])} {fmt_interval(r['macro_f1_interval'])}{mark}"

    def delta(d: dict[str, Any] | None) -> str:
        if not d:
            return "–"
        return f"{d['macro_f1_difference']:+.3f} {fmt_interval(d['interval'])}" + (" *" if d.get("significant") else "")

    info = res.get("outside_data", {})
    head = ["variant", "trained on", "corpus LODO macro-F1 [95% CI]"] + [
        f"{ds} binary macro-F1 [95% CI] (n={info[ds]['n']})" for ds in sets]
    L += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v in res["settings"]["variants"]:
        if v in V:
            e = V[v]
            L.append("| " + " | ".join([f"`{v}`", e["trained_on"],
                                         f"{fmt(e['lodo']['macro_f1'])} {fmt_interval(e['lodo']['macro_f1_interval'])}"]
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
                row += ([fmt(rk["auc"]), f"{fmt(rk['ceiling_macro_f1'])} ({rk['ceiling_loaded_share']:.0%})"]
                        if rk.get("auc") is not None else ["–", "–"])
            L.append("| " + " | ".join(row) + " |")
        L.append("")
    L += ["Loaded precision and recall [95% CI] (corpus: three labels, LODO; outside sets: loaded vs not):", ""]
    head = ["variant", "corpus P", "corpus R"] + [x for ds in sets for x in (f"{ds} P", f"{ds} R")]
    L += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for v, e in V.items():
        lo = e["lodo"]["loaded"]
        row = [f"`{v}`", f"{fmt(lo['precision'])} {fmt_interval(lo['precision_interval'])}",
               f"{fmt(lo['recall'])} {fmt_interval(lo['recall_interval'])}"]
        for ds in sets:
            r = e["outside"].get(ds)
            row += (["–", "–"] if r is None else
                    [f"{fmt(r['loaded']['precision'])} {fmt_interval(r['loaded']['precision_interval'])}",
                     f"{fmt(r['loaded']['recall'])} {fmt_interval(r['loaded']['recall_interval'])}"])
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
