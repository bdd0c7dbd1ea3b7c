"""``stance corpus stats | check | add``: inspect, validate and extend a labelled corpus root."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["add_parser"]


def _corpus_stats(args: argparse.Namespace) -> int:
    from stance import corpora

    s = corpora.stats(args.root)
    print(json.dumps(s, indent=2, ensure_ascii=False) if args.json else corpora.format_stats(s))
    return 0


def _corpus_check(args: argparse.Namespace) -> int:
    from stance import corpora

    c = corpora.check(args.root, args.labels)
    n = sum(1 for _, s in c.sentences)
    print(f"ok: {len(c.documents)} documents, {n} sentences, {len(c.labels)} decisions in {args.labels}")
    return 0


def _corpus_add(args: argparse.Namespace) -> int:
    from stance import corpora

    rows = corpora.add_document(
        args.file, args.root, doc_id=args.doc_id, title=args.title, outlet=args.outlet,
        viewpoint=args.viewpoint, language=args.language,
    )
    todo = [r for r in rows if r["duplicate_of"] is None]
    doc = rows[0]["doc_id"]  # add_document refuses a file without sentences
    print(f"added document {doc}: {len(rows)} sentences ({len(rows) - len(todo)} duplicates); "
          f"decide them in {Path(args.root) / 'labels' / f'todo-{doc}.jsonl'}")
    return 0


def add_parser(sub: Any) -> None:
    """Add ``stance corpus`` and its actions."""
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
