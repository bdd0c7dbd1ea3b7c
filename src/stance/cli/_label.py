"""``stance label`` and ``stance spark-label``: label text files, stdin, JSONL records or an archive."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from stance.errors import UsageError

from ._common import positive_float, positive_int

__all__ = ["add_parsers"]


def _label(args: argparse.Namespace) -> int:
    from stance import labelling
    from stance.hub import load

    if args.jsonl and args.sentences:
        raise UsageError("--jsonl and --sentences cannot be combined")
    if args.uncertain is not None:
        clash = [o for o, v in (("--format", args.format), ("--html", args.html), ("--explain", args.explain)) if v]
        if clash:
            raise UsageError(f"--uncertain writes a CSV of sentences to label; it cannot be combined with {clash[0]}")
    if args.allow_empty and not args.jsonl:
        raise UsageError("--allow-empty is for JSONL records (--jsonl)")
    if args.html and Path(args.html).is_dir():
        raise UsageError(f"{args.html} is a directory; give the path of the page to write")
    if args.html and Path(args.html).exists() and not args.force:
        raise UsageError(f"{args.html} already exists; pass --force to overwrite it")
    page = None
    if args.html:  # checked (folder, permission) before anything is labelled
        page = labelling.HtmlPage(args.html, force=args.force, title="stance: " + ", ".join(args.files or ["stdin"]),
                                  max_input=round(args.html_max_mb * 1_000_000))
    fmt = args.format or ("table" if sys.stdout.isatty() else "jsonl")
    model = load(args.model, trusted=args.trust)
    if args.uncertain is not None:
        writer: labelling.Writer = labelling.UncertainWriter(sys.stdout, args.uncertain, args.strategy)
    else:
        writer = labelling.make_writer(fmt, explain=args.explain)
    try:
        total, _ = labelling.label_files(
            model, args.files, writer, jsonl=args.jsonl, sentences=args.sentences, text_field=args.text_field,
            id_field=args.id_field, encoding=args.encoding, explain=args.explain, k=args.k,
            progress=args.progress != "never", allow_empty=args.allow_empty, page=page)
        if total == 0:
            raise UsageError("no text to label: the input is empty" + (f" ({', '.join(args.files)})" if args.files else ""))
        writer.close()
        if page is not None:
            page.write()
            print(f"wrote {args.html}", file=sys.stderr)
    finally:
        if page is not None:
            page.discard()
    if args.uncertain is not None:
        rows = writer.rows  # type: ignore[attr-defined]
        print(f"{len(rows)} sentences to label from {len({r['doc_id'] for r in rows})} documents: fill in the label "
              "column (claim, quote or loaded; delete rows you cannot decide) and train with "
              "stance-train --data FILE --extend", file=sys.stderr)
    return 0


def _spark_label(args: argparse.Namespace) -> int:
    try:
        from stance.labelling import spark_label_files

        res = spark_label_files(args.input, args.output, master=args.master, partitions=args.partitions, model=args.model,
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


def add_parsers(sub: Any) -> None:
    """Add ``stance label`` and ``stance spark-label``."""
    lab = sub.add_parser(
        "label", help="label the sentences of text files, stdin or JSONL records",
        description="Label the sentences of plain text files, stdin or JSONL records. Every input is checked "
                    "before the first is labelled: a PDF, an office document, an archive, an image or another "
                    "binary file is named (extract the text first), as is a file that does not decode. A "
                    "sentence over 2000 characters is labelled in pieces cut at whitespace, each marked "
                    "'cut: ...' in its reason. Memory is bounded by the largest document (a text file is read "
                    "in chunks of about 1 MB, JSONL a record at a time).")
    lab.add_argument("files", nargs="*", help="text files (default: stdin; '-' is stdin)")
    mode = lab.add_mutually_exclusive_group()
    mode.add_argument("--sentences", action="store_true", help="one sentence per line: no segmentation")
    mode.add_argument("--jsonl", action="store_true", help="input is JSONL, one article per record (see --text-field)")
    lab.add_argument("--text-field", default="text", help="JSONL field holding the text (default: text)")
    lab.add_argument("--id-field", help="JSONL field holding a record id to carry into the output")
    lab.add_argument("--allow-empty", action="store_true",
                     help="with --jsonl: let a record whose text is empty give no sentences (by default it is "
                          "refused, naming its file and line)")
    lab.add_argument("--format", choices=("table", "jsonl", "csv"),
                     help="output format (default: table on a terminal, jsonl when piped)")
    lab.add_argument("--html", metavar="OUT.html",
                     help="also write a page with the sentences highlighted by label. The page is built a "
                          "document at a time (memory bounded by the largest document) and written whole at "
                          "the end; input over --html-max-mb is refused before any labelling (a page is about "
                          "6 times its input): use --format jsonl or csv for that")
    lab.add_argument("--html-max-mb", type=positive_float, default=10.0, metavar="MB",
                     help="the most input, in MB, an --html page is made from (default 10)")
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
    lab.add_argument("--uncertain", type=positive_int, metavar="N",
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
    sp.add_argument("--partitions", type=positive_int, help="partitions to spread the documents over "
                                                            "(default: the cluster's parallelism)")
    sp.add_argument("--model", help="model name or path of a model file (default: the shipped model)")
    sp.add_argument("--trust", action="store_true", help="allow unpickling the estimator inside --model (as for label)")
    sp.add_argument("--text-col", default="text", help="the documents' text column (default: text)")
    sp.add_argument("--id-col", default="id", help="the documents' id column (default: id; '' numbers them)")
    sp.add_argument("--explain", action="store_true", help="add the features behind each label")
    sp.add_argument("--force", action="store_true", help="overwrite OUTPUT if it exists")
    sp.set_defaults(func=_spark_label)
