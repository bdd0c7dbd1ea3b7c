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

``add_parser(subparsers)`` registers the command; the work is done by
:mod:`stance.evaluate` (``run_corpus``, ``evaluate_on``, the report writers).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from stance.errors import UsageError

__all__ = ["add_parser", "run"]


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
    o.add_argument("--trust", action="store_true",
                   help="allow unpickling the estimator inside a saved --model (runs code from the file)")
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
    from stance import evaluate, recipes

    if args.bootstrap < 1:
        raise UsageError(f"--bootstrap must be at least 1, got {args.bootstrap}")
    if args.model and not args.data:
        raise UsageError("--model scores one model on outside data and needs --data; to cross-validate use --models")
    if args.data:
        from stance.hub import load_or_fit

        specs = [args.model] if args.model else (evaluate.check_names(args.models) if args.models
                                                 else [recipes.DEFAULT_MODEL])
        columns = evaluate.OutsideColumns(
            text=args.text_column, label=args.label_column, label_map=evaluate.parse_label_map(args.label_map),
            binary=args.binary, split=args.split, id=args.id_column, words=args.words_column)
        evaluate.read_outside(args.data, columns)  # the data (columns, labels) is checked before any model is fitted
        fitted = {spec: load_or_fit(spec, args.seed, args.root, trusted=args.trust) for spec in specs}
        res = evaluate.run_outside(args.data, fitted, out=args.out, force=args.force, columns=columns, seed=args.seed,
                                   n_bootstrap=args.bootstrap, command=_command(args))
        out = Path(res["out"])
        for e in res["evaluations"]:
            extra = (f", loaded P {evaluate.fmt(e['loaded']['precision'])} R {evaluate.fmt(e['loaded']['recall'])}"
                     if e["binary"] else "")
            print(f"{e['model']}: macro-F1 {evaluate.fmt(e['metrics']['macro_f1'])} "
                  f"{evaluate.fmt_interval(e['intervals']['macro_f1'])}{extra} on {e['n']} outside sentences")
    else:
        names = evaluate.check_names(args.models) if args.models else recipes.names(optional=False)
        out = evaluate.check_out(args.out, args.force)
        results, cvs = evaluate.run_corpus(
            names, cv=args.cv, seed=args.seed, n_bootstrap=args.bootstrap, n_splits=args.folds,
            n_repeats=args.repeats, root=args.root, with_learning_curve=args.learning_curve,
        )
        res = evaluate.write_corpus_outputs(out, results, cvs, command=_command(args))
        for n in res["ranking"]:
            m = res["models"][n]
            print(f"{n:>10}  macro-F1 {evaluate.fmt(m['macro_f1'])} {evaluate.fmt_interval(m['intervals']['macro_f1'])}"
                  f"  kappa {evaluate.fmt(m['kappa'])}")
        if res["comparisons"]:
            c = res["comparisons"][0]
            print(f"best: {c['a']}, lead over {c['b']} {evaluate.fmt_signed(c['macro_f1_difference'])} "
                  f"{evaluate.fmt_interval(c['interval'])} ({'significant' if c['significant'] else 'not significant'})")
    if res["plots"]["skipped"]:
        print(f"plots skipped: {res['plots']['skipped']}")
    print(f"wrote {out / 'report.md'}")
    return 0
