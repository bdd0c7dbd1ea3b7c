"""What every command shares: argument types and the one way a command ends (exit codes)."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from stance.errors import StanceError

__all__ = ["positive_int", "positive_float", "run"]


def positive_int(v: str) -> int:
    try:
        n = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {v!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more, got {n}")
    return n


def positive_float(v: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {v!r}") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {v}")
    return x


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
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
