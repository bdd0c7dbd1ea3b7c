"""Every error and warning stance raises for bad input, in one place.

``StanceError`` is the base of them all: ``except stance.errors.StanceError`` catches any
problem with what was given (a file, a name, an argument) and nothing else. Each class also keeps
the built-in base callers relied on before (``ValueError``, ``KeyError``, ``FileNotFoundError``).
No other module defines or re-exports an error: import them from here. The command line prints
any ``StanceError`` as one line and exits 2.

This module imports nothing from stance: every other module may import it.
"""

from __future__ import annotations

import difflib
from typing import Iterable

__all__ = [
    "StanceError", "UsageError", "InputError", "TableError", "DataError", "CorpusError", "LabelledSetError",
    "OutsideDataMissing", "EvaluationError", "ArtifactError", "ModelFileMissing", "UntrustedModelError", "WriteError",
    "OutputExists", "OutputIsADirectory", "OutputFolderMissing", "OutputNotWritable", "RegistryError", "UnknownModelError",
    "ChecksumError", "DownloadError", "OfflineError", "NotUploadedError", "MissingExtraError", "VersionWarning",
]


class StanceError(Exception):
    """Base class of every error stance raises for input it cannot use; the message says why in one line."""


class UsageError(StanceError, ValueError):
    """Arguments that cannot go together (``--jsonl`` with ``--sentences``, an output that exists, ...)."""


class InputError(StanceError, ValueError):
    """Text to label that cannot be read (encoding, a JSONL line without the text field, ...)."""


class TableError(StanceError, ValueError):
    """A CSV, TSV or JSONL table that cannot be read; the message names the file and line."""


class DataError(StanceError, ValueError):
    """Training data that cannot be used (unknown label, empty text, too few rows); names file and line."""


class CorpusError(StanceError, ValueError):
    """The corpus files are missing or inconsistent: one problem or a list of them (each located in a
    file, line and field, see ``stance.corpus.Problem``), kept in ``problems``."""

    def __init__(self, problems: object) -> None:
        self.problems = list(problems) if isinstance(problems, (list, tuple)) else [problems]
        shown = "\n".join(f"  {p}" for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        n = len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the corpus:\n{shown}{more}")


class LabelledSetError(StanceError, ValueError):
    """A labelled set (outside, vaccines, constructed) is damaged or does not match its source rows."""


class OutsideDataMissing(LabelledSetError, FileNotFoundError):
    """The outside data (../shared/external) that a labelled set joins its text from is absent."""


class EvaluationError(StanceError, ValueError):
    """An evaluation cannot run as asked (bad scheme, missing column, no overlap of labels)."""


class ArtifactError(StanceError, ValueError):
    """A file is not a usable stance model artifact; the message says why."""


class ModelFileMissing(ArtifactError, FileNotFoundError):
    """The path given for a model file (``stance.load(path)``, ``--model PATH``) does not exist."""


class UntrustedModelError(ArtifactError):
    """Using this model file would run code from it (unpickling), and the caller has not said it trusts
    the file: pass ``trusted=True`` (``--trust``) to allow it."""


class WriteError(StanceError, OSError):
    """A file could not be written (disk full, file too large, no permission, read-only); the file
    that was there before, if any, is unchanged."""


class OutputExists(WriteError, FileExistsError):
    """The file to write exists, and the caller did not say to replace it (``force=True``, ``--force``)."""


class OutputIsADirectory(WriteError, IsADirectoryError):
    """The path to write a file to is a directory."""


class OutputFolderMissing(WriteError, FileNotFoundError):
    """The folder of the file to write does not exist."""


class OutputNotWritable(WriteError, PermissionError):
    """The folder of the file to write cannot be written to (no permission, a read-only file system)."""


class RegistryError(StanceError):
    """Base class of the errors of the model registry (names, checksums, downloads)."""


class UnknownModelError(RegistryError, KeyError, ValueError):
    """A model name stance does not know; the message lists the known ones and suggests close matches."""

    def __init__(self, name: str, known: Iterable[str], what: str = "published models", quote: bool = True) -> None:
        self.name = name
        self.known = list(known)
        self.suggestions = difflib.get_close_matches(name, self.known, n=3, cutoff=0.5)
        msg = f"unknown model {name!r}; {what}: {', '.join(self.known) or '(none)'}"
        if self.suggestions:
            shown = [repr(s) if quote else s for s in self.suggestions]
            msg += f". Did you mean {' or '.join(shown)}?"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0])


class ChecksumError(RegistryError):
    """A downloaded file does not match the checksum in the manifest (it was deleted)."""

    def __init__(self, message: str, *, expected: str, actual: str) -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class DownloadError(RegistryError):
    """The file could not be transferred (HTTP error, refused or dropped connection)."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class OfflineError(RegistryError):
    """Offline mode is on and the model is not in the cache."""


class NotUploadedError(RegistryError):
    """The manifest's release is not uploaded to the Hub yet and no mirror is set: there is nothing to
    download; the message names the ways to a model without it (STANCE_MODELS_DIR, HF_ENDPOINT,
    HF_HUB_OFFLINE with a filled cache)."""


class MissingExtraError(StanceError, ImportError):
    """An optional extra is not installed; the message names the ``pip install`` that brings it."""


class VersionWarning(UserWarning):
    """A model artifact was saved with other library versions than the installed ones."""
