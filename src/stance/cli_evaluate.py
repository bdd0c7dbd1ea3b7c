"""``stance evaluate``: cross-validate models on the corpus, or score one on outside data.

Two modes:

* corpus (default): ``stance evaluate [--models NAME ...] [--cv lodo|kfold] --out DIR``
  cross-validates each model on the same folds and writes ``results.json``,
  ``report.md``, ``errors.csv``, ``confusion_<model>.png`` and
  ``learning_curve.png``.
* outside data: ``stance evaluate --model NAME|PATH --data FILE --text-column C
  --label-column L [--label-map JSON|k=v,...] [--binary] --out DIR`` scores a
  model (a baseline trained now on the whole corpus, or a saved model) on
  labelled data it never saw.

``add_parser(subparsers)`` registers the command; the writers
(:func:`write_corpus_outputs`, :func:`write_outside_outputs`) are shared with
``experiments/run.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

__all__ = [
    "add_parser",
    "run",
    "parse_label_map",
    "check_out",
    "write_corpus_outputs",
    "write_outside_outputs",
    "corpus_report",
    "outside_report",
    "OUTPUT_FILES",
]

OUTPUT_FILES = ("results.json", "report.md", "errors.csv", "learning_curve.png")
OUTPUT_GLOBS = ("confusion_*.png",)
ERROR_FIELDS = ["model", "cv", "repeat", "fold", "id", "doc_id", "gold", "predicted", "p_claim", "p_quote", "p_loaded", "text"]
OUTSIDE_ERROR_FIELDS = ["dataset", "model", "id", "gold", "gold_raw", "predicted", "p_claim", "p_quote", "p_loaded", "text"]


def _user_error(msg: str) -> Exception:
    from .cli import UserError

    return UserError(msg)


# --------------------------------------------------------------------------- parser


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``evaluate`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "evaluate",
        help="cross-validate models on the corpus, or score a model on outside labelled data",
        description=(
            "Cross-validate models on the labelled corpus (leave one document out by default) and write "
            "results.json, report.md, errors.csv and plots into --out; or, with --data, score a model on "
            "outside labelled data it never saw."
        ),
    )
    p.add_argument("--models", nargs="+", metavar="NAME", help="baselines to cross-validate (default: all)")
    p.add_argument("--cv", choices=["lodo", "kfold"], default="lodo",
                   help="lodo: leave one document out (default); kfold: repeated stratified k-fold over sentences "
                        "(optimistic: one article's sentences on both sides)")
    p.add_argument("--folds", type=int, default=5, help="k for --cv kfold (default 5)")
    p.add_argument("--repeats", type=int, default=5, help="repeats for --cv kfold (default 5)")
    p.add_argument("--no-learning-curve", dest="learning_curve", action="store_false",
                   help="skip the learning curve (it refits each model many times)")
    p.add_argument("--root", help="corpus root holding corpus/ and labels/ (default: the shipped corpus)")
    o = p.add_argument_group("outside data")
    o.add_argument("--model", metavar="NAME|PATH",
                   help="model to score on --data: a baseline name (trained now on the whole corpus) or a saved model")
    o.add_argument("--data", metavar="PATH", help="labelled CSV/TSV/JSONL file, or a directory saved by datasets")
    o.add_argument("--text-column", default="text", help="column holding the sentence (default: text)")
    o.add_argument("--label-column", default="label", help="column holding the label (default: label)")
    o.add_argument("--label-map", metavar="JSON|K=V,...",
                   help='map outside labels to claim/quote/loaded (or not-loaded with --binary, or drop), '
                        'e.g. \'{"SUBJ": "loaded", "OBJ": "claim"}\' or SUBJ=loaded,OBJ=claim')
    o.add_argument("--binary", action="store_true", help="score loaded vs not-loaded only")
    o.add_argument("--split", help="split of a saved DatasetDict")
    o.add_argument("--id-column", help="column with row ids for errors.csv (default: row number)")
    o.add_argument("--words-column", help="column of marked words (e.g. BABE's biased_words) to check explain() against")
    p.add_argument("--seed", type=int, default=0, help="seed for folds, models and bootstrap (default 0)")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples (default 1000)")
    p.add_argument("--out", default="stance-evaluation", metavar="DIR", help="output directory (default: stance-evaluation)")
    p.add_argument("--force", action="store_true", help="overwrite the output files in an existing --out DIR")
    p.set_defaults(func=run)
    return p


def parse_label_map(text: str | None) -> dict[str, str | None] | None:
    """``'{"SUBJ": "loaded"}'`` or ``SUBJ=loaded,OBJ=claim`` -> dict (``drop`` or empty -> None)."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    if s.startswith("{"):
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as exc:
            raise _user_error(f"--label-map is not valid JSON ({exc.msg}); use '{{\"SUBJ\": \"loaded\"}}' or SUBJ=loaded") from None
        if not isinstance(obj, dict):
            raise _user_error("--label-map JSON must be an object mapping outside labels to stance labels")
        return {str(k): (None if v is None else str(v)) for k, v in obj.items()}
    out: dict[str, str | None] = {}
    for part in s.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise _user_error(f"--label-map: {part.strip()!r} is not KEY=VALUE; use SUBJ=loaded,OBJ=claim or JSON")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip() or None
    return out


# --------------------------------------------------------------------------- output directory


def check_out(out: str | Path, force: bool) -> Path:
    """Refuse an existing non-empty directory unless ``force``; with it, remove only evaluate's own files."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise _user_error(f"--out {out} is a file, not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise _user_error(f"output directory {out} already exists and is not empty; pass --force to overwrite it")
        for name in OUTPUT_FILES:
            (out / name).unlink(missing_ok=True)
        for pattern in OUTPUT_GLOBS:
            for f in out.glob(pattern):
                f.unlink()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _slug(name: str) -> str:
    name = Path(name).stem if ("/" in name or "\\" in name) else name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "model"


def _clean(obj: Any) -> Any:
    """NaN -> None, numpy scalars -> Python, for strict JSON."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):  # numpy scalars and arrays
        return _clean(obj.tolist())
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(_clean(obj), indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")


def _write_csv(path: Path, rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(fields), extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in fields})


# --------------------------------------------------------------------------- formatting


def _f(x: Any, nd: int = 3) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def _ci(iv: Sequence[Any] | None) -> str:
    if not iv or iv[0] is None:
        return "[–]"
    return f"[{iv[0]:.3f}, {iv[1]:.3f}]"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return lines


def _ceiling_lines(hc: Mapping[str, Any]) -> list[str]:
    if not hc.get("available"):
        return [f"**Human ceiling:** {hc.get('note', 'not yet computed')}."]
    per = hc.get("per_label_kappa") or {}
    per_s = "; per-label kappa " + ", ".join(f"{k} {_f(v)}" for k, v in per.items()) if per else ""
    return [
        f"**Human ceiling:** two independent labelling passes agree with Cohen's kappa {_f(hc.get('kappa'))} "
        f"(raw agreement {_f(hc.get('agreement'))}, {hc.get('n')} sentences{per_s}). A model's kappa against gold "
        "near this is about as good as the labels allow."
    ]


def _comparison_sentence(c: Mapping[str, Any]) -> str:
    mc = c["mcnemar"]
    verdict = "**significant**" if c["significant"] else "**not significant**"
    why = "excludes" if c["significant"] else "includes"
    return (
        f"Its lead over **{c['b']}** is {_signed(c['macro_f1_difference'])} macro-F1 {_ci(c['interval'])}: {verdict} "
        f"at the 5% level (the paired bootstrap interval {why} 0; McNemar exact p {'' if mc['p_value'] < 0.001 else '= '}{_p(mc['p_value'])}, "
        f"{mc['a_right_b_wrong']} sentences right only for {c['a']}, {mc['a_wrong_b_right']} only for {c['b']})."
    )


def corpus_report(results: Mapping[str, Any], command: str | None = None) -> str:
    """The Markdown report of a cross-validation run (``results`` from ``run_corpus`` plus ``plots``)."""
    from .evaluate import LABELS

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
        rows.append([i, f"**{name}**" if i == 1 else name, f"{_f(m['macro_f1'])} {_ci(m['intervals']['macro_f1'])}",
                     _f(m["accuracy"]), _f(m["kappa"])] + [_f(m["per_class"][lab]["f1"]) for lab in LABELS])
    if hc.get("available"):
        per = hc.get("per_label_kappa") or {}
        rows.append(["–", ("*human ceiling (pass 1 vs pass 2)*" if hc.get("complete", True) else f"*human ceiling (pass 1 vs pass 2; partial: n={hc.get('n')})*"), "–", f"*{_f(hc.get('agreement'))}* (agreement)",
                     f"*{_f(hc.get('kappa'))}*"] + [f"*κ {_f(per[lab])}*" if lab in per else "–" for lab in LABELS])
    else:
        rows.append(["–", "*human ceiling*", "not yet computed", "–", "–"] + ["–"] * len(LABELS))
    L += _table(["#", "model", f"macro-F1 [{level}% CI]", "accuracy", "kappa vs gold"] + [f"F1 {lab}" for lab in LABELS], rows)
    L += [""] + _ceiling_lines(hc) + [""]
    best = results["best"]
    L.append(f"**Best model: {best}** (macro-F1 {_f(models[best]['macro_f1'])} {_ci(models[best]['intervals']['macro_f1'])}).")
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
            rows.append([name, lab, f"{_f(pc['precision'])} {_ci(iv['precision'])}", f"{_f(pc['recall'])} {_ci(iv['recall'])}",
                         f"{_f(pc['f1'])} {_ci(iv['f1'])}", pc["support"]])
    L += _table(["model", "label", "precision", "recall", "F1", "support"], rows)
    if results["comparisons"]:
        L += ["", f"## {best} against each other model", "",
              f"Macro-F1 difference ({best} minus other), paired bootstrap over sentences (both models on the same "
              "draws), and McNemar's exact test on the sentences one model gets right and the other wrong"
              + (" (first repeat, so each sentence counts once)." if cv.get("optimistic") else "."), ""]
        L += _table(["other", "difference", f"{level}% CI", "McNemar p", "significant"],
                    [[c["b"], _signed(c["macro_f1_difference"]), _ci(c["interval"]), _p(c['mcnemar']['p_value']),
                      "yes" if c["significant"] else "no"] for c in results["comparisons"]])
    if cv["scheme"] == "lodo":
        L += ["", "## Resampling documents instead of sentences", "",
              "Sentences of one article are not independent. This interval resamples whole documents; with "
              f"{corpus['documents']} documents it is coarse, so read it as a reminder of how few articles there are.", ""]
        L += _table(["model", f"macro-F1 [{level}% CI, documents resampled]"],
                    [[n, f"{_f(models[n]['macro_f1'])} {_ci(models[n]['macro_f1_by_document']['interval'])}"] for n in results["ranking"]])
    seed_runs = results.get("seed_runs")
    if seed_runs:
        seeds = [str(k) for k in seed_runs]
        L += ["", "## Other seeds", "",
              "Macro-F1 when the whole evaluation (folds, model seeds) is rerun with other seeds; the tables above use "
              f"seed {s['seed']}.", ""]
        L += _table(["model", f"seed {s['seed']}"] + [f"seed {k}" for k in seeds],
                    [[n, _f(models[n]["macro_f1"])] + [_f(seed_runs[k].get(n)) for k in seeds] for n in results["ranking"]])
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
            rows.append([name] + [_f(by[k]["macro_f1"]) if k in by else "–" for k in sizes])
            for p in c["points"]:
                if p["skipped"]:
                    notes.append(f"{name}, k={p['train_documents']}: {len(p['skipped'])} of "
                                 f"{len(p['skipped']) + p['runs']} fits failed and were left out "
                                 f"({p['skipped'][0]['reason'][:120]})")
        L += _table(["model"] + [f"k={k} (~{sent.get(k, 0):.0f} sent.)" for k in sizes], rows)
        if notes:
            L += [""] + [f"- {n}" for n in notes]
    L += ["", "## Confusion matrices", "", "Rows are gold labels, columns predictions"
          + (f" (summed over {cv['repeats']} repeats)." if cv.get("optimistic") else ".")]
    for name in results["ranking"]:
        m = models[name]
        png = f"confusion_{_slug(name)}.png"
        L += ["", f"### {name}", ""]
        if png in plots.get("made", []):
            L += [f"![confusion matrix of {name}]({png})", ""]
        L += _table(["gold \\ predicted"] + list(LABELS),
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
        from . import plots

        plots.require_matplotlib()
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
    from . import evaluate as E

    out = Path(out)
    errors = [row for r in cvs.values() for row in E.error_rows(r)]
    results["n_errors"] = len(errors)

    def confusion(name: str):
        from . import plots as P

        reps = results["cv"]["repeats"]
        title = f"{name}: " + ("leave one document out" if results['cv']['scheme'] == "lodo" else "repeated k-fold (optimistic)") + (f" (summed over {reps} repeats)" if reps > 1 else "")
        return lambda: P.confusion_png(results["models"][name]["confusion_matrix"], E.LABELS, out / f"confusion_{_slug(name)}.png", title)

    jobs = [(f"confusion_{_slug(n)}.png", confusion(n)) for n in results["ranking"]]
    if results.get("learning_curves"):
        def lc():
            from . import plots as P

            P.learning_curve_png(results["learning_curves"], out / "learning_curve.png")

        jobs.append(("learning_curve.png", lc))
    results["plots"] = _make_plots(jobs, plots)
    results["files"] = {"report": "report.md", "errors": "errors.csv", "plots": results["plots"]["made"]}
    _write_csv(out / "errors.csv", errors, ERROR_FIELDS)
    _write_json(out / "results.json", results)
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
            rows = [[e["model"], f"{_f(e['metrics']['macro_f1'])} {_ci(e['intervals']['macro_f1'])}",
                     f"{_f(e['loaded']['precision'])} {_ci(e['loaded']['precision_interval'])}",
                     f"{_f(e['loaded']['recall'])} {_ci(e['loaded']['recall_interval'])}",
                     _f(e["metrics"]["accuracy"]), _f(e["metrics"]["kappa"])] for e in group]
        else:
            from .evaluate import LABELS

            header = ["model", f"macro-F1 [{level}% CI]", "accuracy", "kappa"] + [f"F1 {lab}" for lab in LABELS]
            rows = [[e["model"], f"{_f(e['metrics']['macro_f1'])} {_ci(e['intervals']['macro_f1'])}",
                     _f(e["metrics"]["accuracy"]), _f(e["metrics"]["kappa"])]
                    + [_f(e["metrics"]["per_class"][lab]["f1"]) for lab in LABELS] for e in group]
        if any("explain_overlap" in e for e in group):
            header.append("explain hits marked words")
            for r, e in zip(rows, group):
                ov = e.get("explain_overlap", {})
                r.append(f"{ov['hit_rate']:.3f} of {ov['sentences']} (word recall {ov['word_recall']:.3f})"
                         if ov.get("available") else "n/a")
        L += _table(header, rows)
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
    from . import __version__

    out = Path(out)
    many = len({e["dataset"] for e in evaluations}) > 1
    errors = []
    jobs = []
    for e in evaluations:
        for r in e.pop("errors", []):
            errors.append({"dataset": e["dataset"]} | r)
        png = f"confusion_{_slug(e['dataset']) + '_' if many else ''}{_slug(e['model'])}.png"
        e["confusion_png"] = png
        if not row_level:
            e["source"] = e.get("source_label", e["source"])

        def job(e=e, png=png):
            from . import plots as P

            P.confusion_png(e["metrics"]["confusion_matrix"], e["metrics"]["labels"], out / png, f"{e['model']} on {e['dataset']}")

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
        _write_csv(out / "errors.csv", errors, OUTSIDE_ERROR_FIELDS)
    _write_json(out / "results.json", results)
    (out / "report.md").write_text(outside_report(results, command), encoding="utf-8")
    return results


# --------------------------------------------------------------------------- handler


def _known(names: Sequence[str]) -> str:
    return ", ".join(names)


def _all_names() -> list[str]:
    """Every registered model, optional ones (``embed``) included."""
    from . import models as registry

    try:
        return list(registry.names(optional=True))
    except TypeError:  # a registry without optional models
        return list(registry.names())


def _check_names(requested: Sequence[str]) -> list[str]:
    """Known, unique names whose estimators can be built (optional extras installed)."""
    from . import models as registry

    known = _all_names()
    bad = [n for n in requested if n not in known]
    if bad:
        raise _user_error(f"unknown model{'s' if len(bad) > 1 else ''} {', '.join(map(repr, bad))}; known models: {_known(known)}")
    if len(set(requested)) != len(requested):
        raise _user_error("each model may be named only once in --models")
    for n in requested:
        try:
            registry.make(n)
        except ImportError as exc:
            raise _user_error(f"model {n!r} cannot be built here: {exc}") from None
    return list(requested)


def _resolve_model(spec: str, seed: int, root: str | None) -> tuple[Any, str]:
    """A fitted model for ``--model``: a baseline fitted now on the corpus, or a saved model via ``stance.load``."""
    from . import evaluate as E, models as registry

    if spec in _all_names() and not Path(spec).exists():
        _check_names([spec])
        data = E.corpus_data(root)
        est = registry.make(spec, seed=seed).fit(data.texts, list(data.labels))
        return est, f"baseline `{spec}` trained now on the whole stance corpus ({len(data)} sentences, seed {seed})"
    try:
        import stance

        model = stance.load(spec)
    except ImportError:
        raise _user_error(
            f"unknown model {spec!r}: it is not a baseline and loading saved models is not available in this "
            f"stance version; known models: {_known(_all_names())}"
        ) from None
    except (FileNotFoundError, ValueError, KeyError, OSError) as exc:
        raise _user_error(
            f"unknown model {spec!r} ({exc}); known models: {_known(_all_names())}, or the path of a saved model"
        ) from None
    card = getattr(model, "card", None)
    trained_on = card.get("training_data") if isinstance(card, dict) else None
    return model, f"saved model `{spec}`" + (f" (trained on: {_brief(trained_on)})" if trained_on else "")


def _brief(x: Any) -> str:
    if isinstance(x, dict):
        what = x.get("description") or x.get("source") or x.get("name")
        x = (f"{what}, {x['rows']} sentences" if what and x.get("rows") else what) or ", ".join(
            f"{k}={v}" for k, v in list(x.items())[:4])
    return str(x)[:200]


def _command(args: argparse.Namespace) -> str:
    parts = ["stance evaluate"]
    if args.data:
        parts += [f"--model {args.model}"] if args.model else []
        parts += [f"--data {args.data}", f"--text-column {args.text_column}", f"--label-column {args.label_column}"]
        if args.label_map:
            parts.append(f"--label-map '{args.label_map}'")
        if args.binary:
            parts.append("--binary")
        if args.words_column:
            parts.append(f"--words-column {args.words_column}")
    else:
        parts += ["--models " + " ".join(args.models)] if args.models else []
        parts.append(f"--cv {args.cv}")
        if args.cv == "kfold":
            parts.append(f"--folds {args.folds} --repeats {args.repeats}")
        if not args.learning_curve:
            parts.append("--no-learning-curve")
    parts += [f"--seed {args.seed}", f"--bootstrap {args.bootstrap}", f"--out {args.out}"]
    return " ".join(parts)


def run(args: argparse.Namespace) -> int:
    """Handler of ``stance evaluate``; returns the exit code."""
    from . import evaluate as E, models as registry

    if args.bootstrap < 1:
        raise _user_error(f"--bootstrap must be at least 1, got {args.bootstrap}")
    if args.model and not args.data:
        raise _user_error("--model scores one model on outside data and needs --data; to cross-validate use --models")
    try:
        if args.data:
            specs = [args.model] if args.model else (list(args.models) if args.models else [registry.DEFAULT_MODEL])
            if not args.model:
                _check_names(specs)
            label_map = parse_label_map(args.label_map)
            # Check the data (columns, labels) before any model is trained or the output touched.
            E.read_outside(args.data, args.text_column, args.label_column, label_map, args.binary,
                           args.split, args.id_column, args.words_column)
            resolved = [(spec, *_resolve_model(spec, args.seed, args.root)) for spec in specs]
            out = check_out(args.out, args.force)
            evaluations = []
            for spec, model, source in resolved:
                ev = E.evaluate_on(model, args.data, args.text_column, args.label_column, label_map, args.binary,
                                   n_bootstrap=args.bootstrap, seed=args.seed, split=args.split,
                                   id_column=args.id_column, words_column=args.words_column, model_name=_slug(spec))
                ev["dataset"] = Path(args.data).name
                ev["source_label"] = Path(args.data).name
                ev["model_source"] = source
                evaluations.append(ev)
            settings = {"seed": args.seed, "bootstrap": args.bootstrap, "level": 0.95, "binary": args.binary,
                        "models": specs, "data": str(args.data)}
            res = write_outside_outputs(out, evaluations, settings, command=_command(args))
            for e in res["evaluations"]:
                extra = f", loaded P {_f(e['loaded']['precision'])} R {_f(e['loaded']['recall'])}" if e["binary"] else ""
                print(f"{e['model']}: macro-F1 {_f(e['metrics']['macro_f1'])} {_ci(e['intervals']['macro_f1'])}{extra} "
                      f"on {e['n']} outside sentences")
        else:
            names = _check_names(args.models) if args.models else registry.names()
            out = check_out(args.out, args.force)
            results, cvs = E.run_corpus(
                names, cv=args.cv, seed=args.seed, n_bootstrap=args.bootstrap, n_splits=args.folds,
                n_repeats=args.repeats, root=args.root, with_learning_curve=args.learning_curve,
            )
            res = write_corpus_outputs(out, results, cvs, command=_command(args))
            for n in res["ranking"]:
                m = res["models"][n]
                print(f"{n:>10}  macro-F1 {_f(m['macro_f1'])} {_ci(m['intervals']['macro_f1'])}  kappa {_f(m['kappa'])}")
            if res["comparisons"]:
                c = res["comparisons"][0]
                print(f"best: {c['a']}, lead over {c['b']} {_signed(c['macro_f1_difference'])} {_ci(c['interval'])} "
                      f"({'significant' if c['significant'] else 'not significant'})")
        if res["plots"]["skipped"]:
            print(f"plots skipped: {res['plots']['skipped']}")
        print(f"wrote {out / 'report.md'}")
    except E.EvaluationError as exc:
        raise _user_error(str(exc)) from None
    return 0
