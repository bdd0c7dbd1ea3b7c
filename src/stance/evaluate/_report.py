"""Reports of an evaluation: the Markdown report, and ``results.json``, the error CSV and the plots
written into an output directory that is checked before any work.

Used by ``stance evaluate`` and by ``experiments/run.py`` alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from stance import LABELS

from ._cv import error_rows
from ._files import check_out, fmt, fmt_interval, fmt_p, fmt_signed, markdown_table, slug, write_csv, write_json

__all__ = ["corpus_report", "outside_report", "write_corpus_outputs", "write_outside_outputs"]

ERROR_FIELDS = ["model", "cv", "repeat", "fold", "id", "doc_id", "gold", "predicted", "p_claim", "p_quote", "p_loaded", "text"]
OUTSIDE_ERROR_FIELDS = ["dataset", "model", "id", "gold", "gold_raw", "predicted", "p_claim", "p_quote", "p_loaded", "text"]


def _ceiling_lines(hc: Mapping[str, Any]) -> list[str]:
    if not hc.get("available"):
        return [f"**Human ceiling:** {hc.get('note', 'not yet computed')}."]
    per = hc.get("per_label_kappa") or {}
    per_s = "; per-label kappa " + ", ".join(f"{k} {fmt(v)}" for k, v in per.items()) if per else ""
    return [
        f"**Human ceiling:** two independent labelling passes agree with Cohen's kappa {fmt(hc.get('kappa'))} "
        f"(raw agreement {fmt(hc.get('agreement'))}, {hc.get('n')} sentences{per_s}). A model's kappa against gold "
        "near this is about as good as the labels allow."
    ]


def _comparison_sentence(c: Mapping[str, Any]) -> str:
    mc = c["mcnemar"]
    verdict = "**significant**" if c["significant"] else "**not significant**"
    why = "excludes" if c["significant"] else "includes"
    return (
        f"Its lead over **{c['b']}** is {fmt_signed(c['macro_f1_difference'])} macro-F1 {fmt_interval(c['interval'])}: {verdict} "
        f"at the 5% level (the paired bootstrap interval {why} 0; McNemar exact p {'' if mc['p_value'] < 0.001 else '= '}{fmt_p(mc['p_value'])}, "
        f"{mc['a_right_b_wrong']} sentences right only for {c['a']}, {mc['a_wrong_b_right']} only for {c['b']})."
    )


def corpus_report(results: Mapping[str, Any], command: str | None = None) -> str:
    """The Markdown report of a cross-validation run (``results`` from ``run_corpus`` plus ``plots``)."""
    s, cv, corpus = results["settings"], results["cv"], results["corpus"]
    models = results["models"]
    level = int(round(s["level"] * 100))
    title = "leave-one-document-out" if cv["scheme"] == "lodo" else f"repeated stratified {s['n_splits']}-fold (optimistic)"
    L = [f"# stance evaluation: {title}", ""]
    counts = ", ".join(f"{k} {v}" for k, v in corpus["labels"].items())
    L.append(
        f"{corpus['sentences']} sentences from {corpus['documents']} documents ({counts}). "
        + (f"Scheme: {cv['note']}." if cv["scheme"] == "lodo" else
           f"Scheme: {s['n_splits']} folds over sentences, repeated {s['n_repeats']} times; every sentence is "
           f"predicted once per repeat and the scores pool all repeats.")
    )
    if cv.get("optimistic"):
        L += ["", f"> **Optimistic comparison, not a promise about new articles:** {cv['reason']}. "
                  "Use the leave-one-document-out figures for that."]
    L += ["", f"Intervals: {level}% percentile bootstrap over sentences ({s['bootstrap']} resamples, seed {s['seed']}). "
              "Each model is a fresh clone fitted per fold with the same seed; rerunning with the same seed gives "
              "the same numbers.", ""]
    hc = results["human_ceiling"]
    rows = []
    for i, name in enumerate(results["ranking"], 1):
        m = models[name]
        rows.append([i, f"**{name}**" if i == 1 else name, f"{fmt(m['macro_f1'])} {fmt_interval(m['intervals']['macro_f1'])}",
                     fmt(m["accuracy"]), fmt(m["kappa"])] + [fmt(m["per_class"][lab]["f1"]) for lab in LABELS])
    if hc.get("available"):
        per = hc.get("per_label_kappa") or {}
        rows.append(["–", ("*human ceiling (pass 1 vs pass 2)*" if hc.get("complete", True) else f"*human ceiling (pass 1 vs pass 2; partial: n={hc.get('n')})*"), "–", f"*{fmt(hc.get('agreement'))}* (agreement)",
                     f"*{fmt(hc.get('kappa'))}*"] + [f"*κ {fmt(per[lab])}*" if lab in per else "–" for lab in LABELS])
    else:
        rows.append(["–", "*human ceiling*", "not yet computed", "–", "–"] + ["–"] * len(LABELS))
    L += markdown_table(["#", "model", f"macro-F1 [{level}% CI]", "accuracy", "kappa vs gold"] + [f"F1 {lab}" for lab in LABELS], rows)
    L += [""] + _ceiling_lines(hc) + [""]
    best = results["best"]
    L.append(f"**Best model: {best}** (macro-F1 {fmt(models[best]['macro_f1'])} {fmt_interval(models[best]['intervals']['macro_f1'])}).")
    if results["comparisons"]:
        L += ["", _comparison_sentence(results["comparisons"][0])]
    L += ["", "## Per-class scores", "",
          f"Precision, recall and F1 with {level}% bootstrap intervals; support is the number of gold sentences"
          + (" (counted once per repeat)." if cv.get("optimistic") else "."), ""]
    rows = []
    for name in results["ranking"]:
        m = models[name]
        for lab in LABELS:
            pc, iv = m["per_class"][lab], m["intervals"]["per_class"][lab]
            rows.append([name, lab, f"{fmt(pc['precision'])} {fmt_interval(iv['precision'])}", f"{fmt(pc['recall'])} {fmt_interval(iv['recall'])}",
                         f"{fmt(pc['f1'])} {fmt_interval(iv['f1'])}", pc["support"]])
    L += markdown_table(["model", "label", "precision", "recall", "F1", "support"], rows)
    if results["comparisons"]:
        L += ["", f"## {best} against each other model", "",
              f"Macro-F1 difference ({best} minus other), paired bootstrap over sentences (both models on the same "
              "draws), and McNemar's exact test on the sentences one model gets right and the other wrong"
              + (" (first repeat, so each sentence counts once)." if cv.get("optimistic") else "."), ""]
        L += markdown_table(["other", "difference", f"{level}% CI", "McNemar p", "significant"],
                    [[c["b"], fmt_signed(c["macro_f1_difference"]), fmt_interval(c["interval"]), fmt_p(c['mcnemar']['p_value']),
                      "yes" if c["significant"] else "no"] for c in results["comparisons"]])
    if cv["scheme"] == "lodo":
        L += ["", "## Resampling documents instead of sentences", "",
              "Sentences of one article are not independent. This interval resamples whole documents; with "
              f"{corpus['documents']} documents it is coarse, so read it as a reminder of how few articles there are.", ""]
        L += markdown_table(["model", f"macro-F1 [{level}% CI, documents resampled]"],
                    [[n, f"{fmt(models[n]['macro_f1'])} {fmt_interval(models[n]['macro_f1_by_document']['interval'])}"] for n in results["ranking"]])
    seed_runs = results.get("seed_runs")
    if seed_runs:
        seeds = [str(k) for k in seed_runs]
        L += ["", "## Other seeds", "",
              "Macro-F1 when the whole evaluation (folds, model seeds) is rerun with other seeds; the tables above use "
              f"seed {s['seed']}.", ""]
        L += markdown_table(["model", f"seed {s['seed']}"] + [f"seed {k}" for k in seeds],
                    [[n, fmt(models[n]["macro_f1"])] + [fmt(seed_runs[k].get(n)) for k in seeds] for n in results["ranking"]])
    plots = results.get("plots", {})
    lc = results.get("learning_curves")
    if lc:
        sizes = sorted({p["train_documents"] for c in lc.values() for p in c["points"]})
        L += ["", "## Learning curve", "",
              "Macro-F1 on a held-out document when training on k of the other documents (every subset of size k, "
              "averaged; each document held out in turn). The last column equals leave-one-document-out.", ""]
        if "learning_curve.png" in plots.get("made", []):
            L += ["![learning curve](learning_curve.png)", ""]
        sent = {}
        for c in lc.values():
            for p in c["points"]:
                if p.get("train_sentences_mean") is not None:
                    sent.setdefault(p["train_documents"], p["train_sentences_mean"])
        rows = []
        notes = []
        for name, c in lc.items():
            by = {p["train_documents"]: p for p in c["points"]}
            rows.append([name] + [fmt(by[k]["macro_f1"]) if k in by else "–" for k in sizes])
            for p in c["points"]:
                if p["skipped"]:
                    notes.append(f"{name}, k={p['train_documents']}: {len(p['skipped'])} of "
                                 f"{len(p['skipped']) + p['runs']} fits failed and were left out "
                                 f"({p['skipped'][0]['reason'][:120]})")
        L += markdown_table(["model"] + [f"k={k} (~{sent.get(k, 0):.0f} sent.)" for k in sizes], rows)
        if notes:
            L += [""] + [f"- {n}" for n in notes]
    L += ["", "## Confusion matrices", "", "Rows are gold labels, columns predictions"
          + (f" (summed over {cv['repeats']} repeats)." if cv.get("optimistic") else ".")]
    for name in results["ranking"]:
        m = models[name]
        png = f"confusion_{slug(name)}.png"
        L += ["", f"### {name}", ""]
        if png in plots.get("made", []):
            L += [f"![confusion matrix of {name}]({png})", ""]
        L += markdown_table(["gold \\ predicted"] + list(LABELS),
                    [[lab] + row for lab, row in zip(LABELS, m["confusion_matrix"])])
    L += ["", "## Files", "",
          "- `results.json`: everything above, machine-readable",
          f"- `errors.csv`: every misclassified sentence ({results.get('n_errors', 0)} rows over all models) with id, "
          "document, gold, prediction and class probabilities"]
    if plots.get("skipped"):
        L.append(f"- plots skipped: {plots['skipped']}")
    else:
        L.append("- " + ", ".join(f"`{p}`" for p in plots.get("made", [])))
    if command:
        L += ["", f"Reproduce: `{command}`"]
    return "\n".join(L) + "\n"


def _make_plots(jobs: Sequence[tuple[str, Any]], do_plots: bool) -> dict[str, Any]:
    """Run plotting callables; if matplotlib is missing, record that plots were skipped."""
    if not do_plots:
        return {"made": [], "skipped": "plots not requested"}
    try:
        from . import _plots

        _plots.require_matplotlib()
    except ImportError as exc:
        return {"made": [], "skipped": str(exc)}
    made = []
    for name, job in jobs:
        job()
        made.append(name)
    return {"made": made, "skipped": None}


def write_corpus_outputs(
    out: Path,
    results: dict[str, Any],
    cvs: Mapping[str, Any],
    command: str | None = None,
    plots: bool = True,
) -> dict[str, Any]:
    """Write results.json, report.md, errors.csv and the PNGs of a cross-validation run into ``out``."""

    out = Path(out)
    errors = [row for r in cvs.values() for row in error_rows(r)]
    results["n_errors"] = len(errors)

    def confusion(name: str):
        from . import _plots

        reps = results["cv"]["repeats"]
        title = f"{name}: " + ("leave one document out" if results['cv']['scheme'] == "lodo" else "repeated k-fold (optimistic)") + (f" (summed over {reps} repeats)" if reps > 1 else "")
        return lambda: _plots.confusion_png(results["models"][name]["confusion_matrix"], LABELS, out / f"confusion_{slug(name)}.png", title)

    jobs = [(f"confusion_{slug(n)}.png", confusion(n)) for n in results["ranking"]]
    if results.get("learning_curves"):
        def lc():
            from . import _plots

            _plots.learning_curve_png(results["learning_curves"], out / "learning_curve.png")

        jobs.append(("learning_curve.png", lc))
    results["plots"] = _make_plots(jobs, plots)
    results["files"] = {"report": "report.md", "errors": "errors.csv", "plots": results["plots"]["made"]}
    write_csv(out / "errors.csv", errors, ERROR_FIELDS)
    write_json(out / "results.json", results)
    (out / "report.md").write_text(corpus_report(results, command), encoding="utf-8")
    return results


def outside_report(results: Mapping[str, Any], command: str | None = None) -> str:
    """The Markdown report of outside-data evaluations."""
    evs = results["evaluations"]
    level = int(round(results["settings"]["level"] * 100))
    L = ["# stance on outside data", "",
         "**The models never saw this data**: it was not used for training or tuning, only for scoring here. "
         "Its labels follow other schemes and are mapped onto stance's labels as stated below, so these figures "
         "measure how well stance transfers, not how well it fits its own corpus.", "",
         f"Intervals: {level}% percentile bootstrap over sentences ({results['settings']['bootstrap']} resamples, "
         f"seed {results['settings']['seed']}).", ""]
    plots = results.get("plots", {})
    for ds in dict.fromkeys(e["dataset"] for e in evs):
        group = [e for e in evs if e["dataset"] == ds]
        e0 = group[0]
        L += [f"## {ds}", "",
              f"Source: `{e0['source_label']}`; text column `{e0['text_column']}`, label column `{e0['label_column']}`; "
              f"{e0['n']} sentences scored ({e0['mode']}).",
              "Label mapping: " + (", ".join(f"`{k}` → {v or 'dropped'}" for k, v in (e0["label_map"] or {}).items())
                                   or "none (labels are already stance's)")
              + (". Dropped rows: " + ", ".join(f"{k} {v}" for k, v in e0["dropped"].items()) if e0["dropped"] else "")
              + ". Gold label counts: " + ", ".join(f"{k} {v}" for k, v in e0["gold_labels"].items()) + ".", ""]
        if e0.get("anchor"):
            L += [f"Reported anchor: {e0['anchor']}", ""]
        if e0["binary"]:
            header = ["model", f"binary macro-F1 [{level}% CI]", "loaded precision [CI]", "loaded recall [CI]", "accuracy", "kappa"]
            rows = [[e["model"], f"{fmt(e['metrics']['macro_f1'])} {fmt_interval(e['intervals']['macro_f1'])}",
                     f"{fmt(e['loaded']['precision'])} {fmt_interval(e['loaded']['precision_interval'])}",
                     f"{fmt(e['loaded']['recall'])} {fmt_interval(e['loaded']['recall_interval'])}",
                     fmt(e["metrics"]["accuracy"]), fmt(e["metrics"]["kappa"])] for e in group]
        else:
            header = ["model", f"macro-F1 [{level}% CI]", "accuracy", "kappa"] + [f"F1 {lab}" for lab in LABELS]
            rows = [[e["model"], f"{fmt(e['metrics']['macro_f1'])} {fmt_interval(e['intervals']['macro_f1'])}",
                     fmt(e["metrics"]["accuracy"]), fmt(e["metrics"]["kappa"])]
                    + [fmt(e["metrics"]["per_class"][lab]["f1"]) for lab in LABELS] for e in group]
        if any("explain_overlap" in e for e in group):
            header.append("explain hits marked words")
            for r, e in zip(rows, group):
                ov = e.get("explain_overlap", {})
                r.append(f"{ov['hit_rate']:.3f} of {ov['sentences']} (word recall {ov['word_recall']:.3f})"
                         if ov.get("available") else "n/a")
        L += markdown_table(header, rows)
        by_source: dict[str, list[str]] = {}
        for e in group:
            if e.get("model_source"):
                by_source.setdefault(e["model_source"], []).append(e["model"])
        if by_source:
            L.append("")
            L += [f"- {', '.join(ms)}: {src}" for src, ms in by_source.items()]
        if any("explain_overlap" in e for e in group):
            ov_note = next((e["explain_overlap"].get("note") for e in group if e["explain_overlap"].get("available")), None)
            L += ["", "Explain overlap: for sentences that are gold loaded and predicted loaded, how often the top-5 "
                      "features of `explain()` are words the annotators marked. n/a: the model has no `explain()` "
                      "(a bare scikit-learn estimator)." + (f" {ov_note}." if ov_note else "")]
        L.append("")
        for e in group:
            png = e.get("confusion_png")
            if png and png in plots.get("made", []):
                L += [f"![confusion matrix of {e['model']} on {ds}]({png})", ""]
    L += ["## Files", "", "- `results.json`: everything above, machine-readable"]
    if results.get("row_level", True):
        L.append(f"- `errors.csv`: every misclassified row ({results.get('n_errors', 0)} rows) with the model's class probabilities")
    else:
        L.append("- no per-sentence rows are written here, so that none of the outside data is copied")
    if plots.get("skipped"):
        L.append(f"- plots skipped: {plots['skipped']}")
    elif plots.get("made"):
        L.append("- " + ", ".join(f"`{p}`" for p in plots["made"]))
    if command:
        L += ["", f"Reproduce: `{command}`"]
    return "\n".join(L) + "\n"


def write_outside_outputs(
    out: Path,
    evaluations: list[dict[str, Any]],
    settings: Mapping[str, Any],
    command: str | None = None,
    plots: bool = True,
    row_level: bool = True,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Write results.json, report.md, errors.csv (if ``row_level``) and confusion PNGs for outside data.

    Each evaluation is a dict from :func:`stance.evaluate.evaluate_on` with a
    ``dataset`` name. With ``row_level=False`` no sentence, id or per-row
    label is written (use it where the data must not be copied). ``extra``
    entries are added to results.json.
    """
    from stance import __version__

    out = Path(out)
    many = len({e["dataset"] for e in evaluations}) > 1
    errors = []
    jobs = []
    for e in evaluations:
        for r in e.pop("errors", []):
            errors.append({"dataset": e["dataset"]} | r)
        png = f"confusion_{slug(e['dataset']) + '_' if many else ''}{slug(e['model'])}.png"
        e["confusion_png"] = png
        if not row_level:
            e["source"] = e.get("source_label", e["source"])

        def job(e=e, png=png):
            from . import _plots

            _plots.confusion_png(e["metrics"]["confusion_matrix"], e["metrics"]["labels"], out / png, f"{e['model']} on {e['dataset']}")

        jobs.append((png, job))
    results = {
        "stance_version": __version__,
        "kind": "outside-data",
        "never_seen": True,
        "note": "The models never saw this data: it was not used for training or tuning, only for scoring.",
        "settings": dict(settings),
        "evaluations": evaluations,
        "row_level": row_level,
        "n_errors": len(errors),
    } | dict(extra or {})
    results["plots"] = _make_plots(jobs, plots)
    if row_level:
        write_csv(out / "errors.csv", errors, OUTSIDE_ERROR_FIELDS)
    write_json(out / "results.json", results)
    (out / "report.md").write_text(outside_report(results, command), encoding="utf-8")
    return results
