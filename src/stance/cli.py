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


class UserError(Exception):
    """An error caused by the user's input: shown as one line, no traceback."""


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
    doc = rows[0]["doc_id"] if rows else args.doc_id
    print(f"added document {doc}: {len(rows)} sentences ({len(rows) - len(todo)} duplicates); "
          f"decide them in {Path(args.root) / 'labels' / f'todo-{doc}.jsonl'}")
    return 0


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
    return p


def main(argv: Sequence[str] | None = None) -> int:
    from .corpus import CorpusError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UserError, CorpusError, FileNotFoundError) as exc:
        print(f"stance: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
