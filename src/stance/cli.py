"""Command-line entry points: ``stance`` and ``stance-train``.

Each command is a thin function that parses its arguments and calls a plain
library function; ``main(argv)`` returns an exit code so tests call it directly.
Expected failures (bad input, missing files) print one clear line on stderr and
return 2; nothing the user had is overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from .errors import StanceError, UsageError

UserError = UsageError  # the name tests and callers used before stance.errors


def _corpus_stats(args: argparse.Namespace) -> int:
    from . import corpus

    s = corpus.stats(args.root)
    print(json.dumps(s, indent=2, ensure_ascii=False) if args.json else corpus.format_stats(s))
    return 0


def _corpus_check(args: argparse.Namespace) -> int:
    from . import corpus

    c = corpus.check(args.root, args.labels)
    n = sum(1 for _, s in c.sentences)
    print(f"ok: {len(c.documents)} documents, {n} sentences, {len(c.labels)} decisions in {args.labels}")
    return 0


def _corpus_add(args: argparse.Namespace) -> int:
    from . import corpus

    rows = corpus.add_document(
        args.file, args.root, doc_id=args.doc_id, title=args.title, outlet=args.outlet,
        viewpoint=args.viewpoint, language=args.language,
    )
    todo = [r for r in rows if r["duplicate_of"] is None]
    doc = rows[0]["doc_id"]  # add_document refuses a file without sentences
    print(f"added document {doc}: {len(rows)} sentences ({len(rows) - len(todo)} duplicates); "
          f"decide them in {Path(args.root) / 'labels' / f'todo-{doc}.jsonl'}")
    return 0


# --------------------------------------------------------------------------- stance label
def _label(args: argparse.Namespace) -> int:
    from . import labelling
    from .loading import load

    if args.jsonl and args.sentences:
        raise UsageError("--jsonl and --sentences cannot be combined")
    if args.uncertain is not None:
        clash = [o for o, v in (("--format", args.format), ("--html", args.html), ("--explain", args.explain)) if v]
        if clash:
            raise UsageError(f"--uncertain writes a CSV of sentences to label; it cannot be combined with {clash[0]}")
    if args.html and Path(args.html).is_dir():
        raise UsageError(f"{args.html} is a directory; give the path of the page to write")
    if args.html and Path(args.html).exists() and not args.force:
        raise UsageError(f"{args.html} already exists; pass --force to overwrite it")
    fmt = args.format or ("table" if sys.stdout.isatty() else "jsonl")
    model = load(args.model, trusted=args.trust)
    if args.uncertain is not None:
        from .uncertainty import UncertainWriter

        writer: labelling.Writer = UncertainWriter(sys.stdout, args.uncertain, args.strategy)
    else:
        writer = labelling.make_writer(fmt, explain=args.explain)
    total, documents = labelling.label_files(
        model, args.files, writer, jsonl=args.jsonl, sentences=args.sentences, text_field=args.text_field,
        id_field=args.id_field, encoding=args.encoding, explain=args.explain, k=args.k,
        progress=args.progress != "never", keep_documents=bool(args.html))
    if total == 0:
        raise UsageError("no text to label: the input is empty" + (f" ({', '.join(args.files)})" if args.files else ""))
    writer.close()
    if args.uncertain is not None:
        rows = writer.rows  # type: ignore[attr-defined]
        print(f"{len(rows)} sentences to label from {len({r['doc_id'] for r in rows})} documents: fill in the label "
              "column (claim, quote or loaded; delete rows you cannot decide) and train with "
              "stance-train --data FILE --extend", file=sys.stderr)
    if args.html:
        from .html import write

        write(args.html, [d for d, _ in documents], force=args.force, source_texts=[t for _, t in documents],
              title="stance: " + ", ".join(args.files or ["stdin"]))
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def _positive_int(v: str) -> int:
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {v!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more, got {n}")
    return n


def _positive_float(v: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {v!r}") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {v}")
    return x


def _train(args: argparse.Namespace) -> int:
    import warnings

    from .training import conflict_lines, summary_lines, train

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
                      user_weight=args.user_weight)
    for line in conflict_lines(model.card):
        print(f"warning: {line}", file=sys.stderr)
    for line in summary_lines(model.card, evaluated=not args.no_eval):
        print(line)
    model.save(out, force=args.force)
    print(f"saved {args.model} model to {out} (its card: stance card {out})")
    return 0


def build_train_parser() -> argparse.ArgumentParser:
    from . import __version__

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
    p.add_argument("--user-weight", type=_positive_float,
                   help="with --extend: the weight of each of your rows (default: the one chosen on the "
                        "outside dev set, recorded on the card)")
    p.add_argument("--text-column", default="text")
    p.add_argument("--label-column", default="label")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-eval", action="store_true", help="skip the leave-one-document-out summary")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.set_defaults(func=_train)
    return p


def train_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``stance-train``."""
    return _run(build_train_parser(), argv)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="stance", description="Label sentences as claim, quote or loaded.")
    p.add_argument("--version", action="version", version=f"stance {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    pc = sub.add_parser("corpus", help="inspect, validate and extend the labelled corpus")
    csub = pc.add_subparsers(dest="corpus_command", required=True, metavar="ACTION")
    s = csub.add_parser("stats", help="sentences per document and label, exclusions, duplicates, agreement")
    s.add_argument("--root", help="corpus root holding corpus/ and labels/ (default: the shipped corpus)")
    s.add_argument("--json", action="store_true", help="print machine-readable JSON")
    s.set_defaults(func=_corpus_stats)
    c = csub.add_parser("check", help="validate a corpus root; every problem names file, line and field")
    c.add_argument("--root", help="corpus root (default: the shipped corpus)")
    c.add_argument("--labels", default="labels/gold.jsonl", help="labels file relative to the root")
    c.set_defaults(func=_corpus_check)
    a = csub.add_parser("add", help="segment a new text file into the sentence table with empty decisions")
    a.add_argument("file", help="UTF-8 text file of the new article")
    a.add_argument("--root", required=True, help="corpus root to extend (a copy; the installed corpus is read-only)")
    a.add_argument("--doc-id", help="three-digit id (default: next free)")
    a.add_argument("--title")
    a.add_argument("--outlet", help="only if the text itself names it")
    a.add_argument("--viewpoint", help="one line on the document's viewpoint")
    a.add_argument("--language", default="en")
    a.set_defaults(func=_corpus_add)

    lab = sub.add_parser("label", help="label the sentences of text files, stdin or JSONL records")
    lab.add_argument("files", nargs="*", help="text files (default: stdin; '-' is stdin)")
    mode = lab.add_mutually_exclusive_group()
    mode.add_argument("--sentences", action="store_true", help="one sentence per line: no segmentation")
    mode.add_argument("--jsonl", action="store_true", help="input is JSONL, one article per record (see --text-field)")
    lab.add_argument("--text-field", default="text", help="JSONL field holding the text (default: text)")
    lab.add_argument("--id-field", help="JSONL field holding a record id to carry into the output")
    lab.add_argument("--format", choices=("table", "jsonl", "csv"),
                     help="output format (default: table on a terminal, jsonl when piped)")
    lab.add_argument("--html", metavar="OUT.html", help="also write a page with the sentences highlighted by label")
    lab.add_argument("--force", action="store_true", help="overwrite an existing --html file")
    lab.add_argument("--model", help="model name (stance models) or path of a model file (default: shipped)")
    lab.add_argument("--trust", action="store_true",
                     help="allow unpickling the scikit-learn estimator inside --model (runs code from the file; "
                          "needed only for models without a data-only form and for old pickle-format files)")
    lab.add_argument("--explain", action="store_true", help="show the features behind each label")
    lab.add_argument("-k", type=int, default=3, help="features per sentence with --explain (default 3)")
    lab.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")
    lab.add_argument("--progress", choices=("auto", "never"), default="auto",
                     help="progress bar on stderr when it is a terminal (default auto)")
    lab.add_argument("--uncertain", type=_positive_int, metavar="N",
                     help="instead of labels, write a CSV of the N sentences worth labelling first "
                          "(the model's least certain, spread over documents), for stance-train --extend")
    lab.add_argument("--strategy", choices=("margin", "entropy"), default="margin",
                     help="with --uncertain: how uncertainty is measured (default margin)")
    lab.set_defaults(func=_label)

    sp = sub.add_parser("spark-label", help="label JSONL or Parquet documents on Apache Spark into Parquet sentence rows",
                        description="Label documents on Spark (local or a cluster; also under spark-submit): one "
                                    "Parquet row per sentence, the fields of `stance label --format jsonl`. Needs "
                                    'pip install "stance[spark]" and Java 17.')
    sp.add_argument("input", help="JSONL or Parquet: a file, a directory or a glob")
    sp.add_argument("output", help="the Parquet directory to write")
    sp.add_argument("--master", help="Spark master URL (default: spark-submit's, else local[*])")
    sp.add_argument("--partitions", type=_positive_int, help="partitions to spread the documents over "
                                                            "(default: the cluster's parallelism)")
    sp.add_argument("--model", help="model name or path of a model file (default: the shipped model)")
    sp.add_argument("--trust", action="store_true", help="allow unpickling the estimator inside --model (as for label)")
    sp.add_argument("--text-col", default="text", help="the documents' text column (default: text)")
    sp.add_argument("--id-col", default="id", help="the documents' id column (default: id; '' numbers them)")
    sp.add_argument("--explain", action="store_true", help="add the features behind each label")
    sp.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    sp.set_defaults(func=_spark_label)

    for register in _extensions():
        register(sub)
    return p


def _spark_label(args: argparse.Namespace) -> int:
    try:
        from .spark import label_files

        res = label_files(args.input, args.output, master=args.master, partitions=args.partitions, model=args.model,
                          trusted=args.trust,
                          text_col=args.text_col, id_col=args.id_col or None, explain=args.explain, force=args.force)
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # Spark's own errors (unreadable input, a failed job): one line, no JVM trace
        if type(exc).__module__.startswith(("pyspark", "py4j")):
            raise UsageError(f"spark: {str(exc).strip().splitlines()[0]}") from None
        raise
    print(f"labelled {res['documents']} documents: {res['sentences']} sentence rows in {res['output']}")
    return 0


def _extensions():
    """Subcommands defined in their own modules (evaluation, model registry)."""
    from . import cli_evaluate, cli_registry

    return [cli_evaluate.add_parser, cli_registry.add_parsers]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``stance``."""
    return _run(build_parser(), argv)


def _run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (stance label ... | head): not an error
        return 0
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if isinstance(exc, (StanceError, FileNotFoundError, FileExistsError, IsADirectoryError)):
            print(f"{parser.prog}: error: {exc}", file=sys.stderr)
            return 2
        raise
