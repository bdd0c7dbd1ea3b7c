"""What every command shares: argument types and the one way a command ends (exit codes)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from stance._paths import output_error
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
    """Run the command ``argv`` names and return its exit status: 0, or 2 with one line on stderr for a
    :class:`~stance.errors.StanceError` (a full disk or another failure to write standard output
    too: ``cannot write the output: ...``), 130 when interrupted. A closed pipe (``| head``) ends
    quietly with 0."""
    args = parser.parse_args(argv)
    try:
        code = int(args.func(args) or 0)
        _flush_stdout()  # what is still buffered fails here, not in the interpreter's exit
        return code
    except BrokenPipeError:  # the reader went away (stance label ... | head): not an error
        _drop_stdout()
        return 0
    except KeyboardInterrupt:
        print(f"{parser.prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if isinstance(exc, (StanceError, FileNotFoundError, FileExistsError, IsADirectoryError)):
            try:
                _flush_stdout()  # the output so far, before the error
            except (StanceError, OSError):
                _drop_stdout()
            print(f"{parser.prog}: error: {exc}", file=sys.stderr)
            return 2
        raise


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise output_error(exc) from None


def _drop_stdout() -> None:
    """Point standard output at the null device, so that what is left in its buffer goes nowhere instead
    of failing again when the interpreter exits."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced by a test's capture: nothing to drop
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)
