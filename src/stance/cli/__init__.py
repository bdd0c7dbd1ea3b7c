"""Command-line entry points: ``stance`` and ``stance-train``.

Each command is a thin function that parses its arguments and calls a plain library function;
``main(argv)`` returns an exit code so tests call it directly. Expected failures (bad input,
missing files) print one clear line on stderr and return 2; nothing the user had is overwritten
without ``--force``. One module per command group: ``_label`` (label, spark-label), ``_train``
(stance-train), ``_corpus``, ``_evaluate``, ``_models`` (models, download, card).
"""

from __future__ import annotations

import argparse
from typing import Sequence

from . import _corpus, _evaluate, _label, _models
from ._common import run
from ._train import build_train_parser

__all__ = ["main", "train_main", "build_parser", "build_train_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The ``stance`` command and its subcommands."""
    from stance import __version__

    p = argparse.ArgumentParser(prog="stance", description="Label sentences as claim, quote or loaded.")
    p.add_argument("--version", action="version", version=f"stance {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _corpus.add_parser(sub)
    _label.add_parsers(sub)
    _evaluate.add_parser(sub)
    _models.add_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``stance``."""
    return run(build_parser(), argv)


def train_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``stance-train``."""
    return run(build_train_parser(), argv)
