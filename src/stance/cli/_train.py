"""``stance-train``: train a model of the ladder and write its model file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from stance.errors import UsageError

from ._common import positive_float

__all__ = ["build_train_parser"]


def _progress(msg: str) -> None:
    print(f"stance-train: {msg}", file=sys.stderr, flush=True)


def _train(args: argparse.Namespace) -> int:
    import warnings

    from stance.training import conflict_lines, summary_lines, train

    out = Path(args.output)
    if out.is_dir():
        raise UsageError(f"{out} is a directory; give the path of the model file to write")
    if out.exists() and not args.force:
        raise UsageError(f"{out} already exists; pass --force to overwrite it")
    if not out.parent.is_dir():
        raise UsageError(f"{out.parent}: no such directory (for the model file {out.name})")
    if args.extend and not args.data:
        raise UsageError("--extend adds your labelled rows to the shipped data: pass them with --data FILE")
    if args.user_weight is not None and not args.extend:
        raise UsageError("--user-weight weights the rows --extend adds; pass --extend too")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # conflicts are printed below, one line each
        model = train(args.model, data=args.data, seed=args.seed, text_column=args.text_column,
                      label_column=args.label_column, evaluate=not args.no_eval, extend=args.extend,
                      user_weight=args.user_weight,
                      progress=_progress if args.extend else None)
    for line in conflict_lines(model.card):
        print(f"warning: {line}", file=sys.stderr)
    for line in summary_lines(model.card, evaluated=not args.no_eval):
        print(line)
    model.save(out, force=args.force)
    print(f"saved {args.model} model to {out} (its card: stance card {out})")
    return 0


def build_train_parser() -> argparse.ArgumentParser:
    from stance import __version__

    p = argparse.ArgumentParser(prog="stance-train", description="Train a stance model and save it as an artifact.")
    p.add_argument("--version", action="version", version=f"stance {__version__}")
    p.add_argument("--model", default="hybrid", help="model name (see `stance models`; default hybrid)")
    p.add_argument("--output", "-o", required=True,
                   help="the model file to write, exactly this path (any suffix; .stance by convention)")
    p.add_argument("--data", help="labelled CSV/TSV/JSONL file (default: the shipped training data); "
                                  "it replaces the shipped data unless --extend is given")
    p.add_argument("--extend", action="store_true",
                   help="train on the shipped data plus the --data rows (adapt stance to your topic); the "
                        "summary cross-validates over your rows")
    p.add_argument("--user-weight", type=positive_float,
                   help="with --extend: the weight of each of your rows (default: the one chosen on the "
                        "outside dev set, recorded on the card)")
    p.add_argument("--text-column", default="text",
                   help="the column (CSV/TSV) or field (JSONL) of --data holding the sentence (default: text)")
    p.add_argument("--label-column", default="label",
                   help="the column or field of --data holding its label: claim, quote or loaded (default: label)")
    p.add_argument("--seed", type=int, default=0,
                   help="the random seed: the same data and seed give the same model (default: 0)")
    p.add_argument("--no-eval", action="store_true", help="skip the leave-one-document-out summary")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(func=_train)
    return p
