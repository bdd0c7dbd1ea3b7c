"""Facts about files: where the package is, and the one way stance checks and writes an output file."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def existing_file(path: str | Path, error: type[Exception], is_dir_message: str,
                  missing: type[Exception] | None = None, missing_message: str = "no such file") -> Path:
    """``path`` as a Path if it is a file; else ``missing`` (default ``error``) or ``error`` with
    ``<path>: <message>`` naming what is wrong."""
    p = Path(path)
    if not p.exists():
        raise (missing or error)(f"{path}: {missing_message}")
    if p.is_dir():
        raise error(f"{path}: {is_dir_message}")
    return p


def readable_by_umask(path: str | Path) -> None:
    """Give a file made by ``tempfile.mkstemp`` (always 0600) the mode a plain ``open`` would give it
    under the process's umask, so shared models and caches stay readable to colleagues."""
    import os

    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def check_output(path: str | Path, *, force: bool, what: str = "file") -> Path:
    """``path`` as a Path if a ``what`` may be written there: not a directory, not an existing file
    unless ``force``, in a folder that exists and can be written to. Call it before the work that
    makes the data. Each refusal is a :class:`~stance.errors.WriteError` (and the built-in error
    callers relied on before: ``IsADirectoryError``, ``FileExistsError``, ``FileNotFoundError``,
    ``PermissionError``)."""
    import os

    from .errors import OutputFolderMissing, OutputIsADirectory, OutputNotWritable

    target = Path(path)
    if target.is_dir():
        raise OutputIsADirectory(f"{target} is a directory; give the path of the {what} to write")
    if target.exists() and not force:
        raise _exists(target)
    if not target.parent.is_dir():
        raise OutputFolderMissing(f"{target.parent}: no such directory (for the {what} {target.name})")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputNotWritable(f"{target.parent}: cannot write there (no permission, or a read-only file system), "
                                f"for the {what} {target.name}")
    return target


def _exists(target: Path) -> Exception:
    from .errors import OutputExists

    return OutputExists(f"{target} already exists; pass force=True (--force) to overwrite it")


def write_failed(what: str, target: Path, exc: OSError, existed: bool = False) -> Exception:
    """The one-line error for a ``what`` (file, page, model file) that could not be written to ``target``."""
    from .errors import WriteError

    kept = "the existing file is unchanged" if existed else "nothing was written"
    return WriteError(f"cannot write the {what} {target}: {exc.strerror or exc}; {kept}")


def output_error(exc: OSError) -> Exception:
    """The one-line error for output that could not be written to a stream (standard output on a full
    disk, a device error): ``cannot write the output: <why>``."""
    from .errors import WriteError

    return WriteError(f"cannot write the output: {exc.strerror or exc}")


class AtomicFile:
    """A file written in parts through a temporary file beside ``path``, moved into place by
    :meth:`commit` only once complete and on disk: a killed process or a full disk leaves the old
    file, or none, never a partial one. Without ``force`` an existing file is never replaced, even one
    that appeared meanwhile (``FileExistsError``). The new file gets the mode the umask gives (an
    existing file's mode is kept). Failures to write are a :class:`~stance.errors.WriteError` in one
    line. As a context manager it commits on success and discards the temporary file on an error.
    """

    def __init__(self, path: str | Path, *, force: bool, what: str = "file") -> None:
        import os
        import tempfile

        self.target = check_output(path, force=force, what=what)
        self.force, self.what = force, what
        self.existed = self.target.exists()
        try:
            fd, tmp_name = tempfile.mkstemp(dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".part")
        except OSError as exc:
            raise self._failed(exc) from None
        self.tmp = Path(tmp_name)
        self.fh = os.fdopen(fd, "wb")

    def _failed(self, exc: OSError) -> Exception:
        return write_failed(self.what, self.target, exc, existed=self.existed)

    def write(self, data: bytes) -> None:
        try:
            self.fh.write(data)
        except OSError as exc:
            self.discard()
            raise self._failed(exc) from None

    def commit(self) -> Path:
        """Sync the temporary file and move it into place; returns the path written."""
        import os

        target = self.target
        try:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
            if self.existed:
                os.chmod(self.tmp, target.stat().st_mode & 0o777)
            else:
                readable_by_umask(self.tmp)
            if self.force:
                os.replace(self.tmp, target)
            else:
                try:  # no-clobber: fails if the target appeared meanwhile
                    os.link(self.tmp, target)
                except FileExistsError:
                    raise _exists(target) from None
                except OSError:  # a filesystem without hard links
                    if target.exists():
                        raise _exists(target) from None
                    os.replace(self.tmp, target)
        except OSError as exc:
            if isinstance(exc, FileExistsError):
                raise
            raise self._failed(exc) from None
        finally:
            self.discard()
        return target

    def discard(self) -> None:
        """Drop the temporary file (nothing is written at the target)."""
        try:
            self.fh.close()
        except OSError:
            pass
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> "AtomicFile":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def write_atomic(path: str | Path, data: bytes, *, force: bool, what: str = "file") -> Path:
    """Write ``data`` to ``path`` whole or not at all, through an :class:`AtomicFile`."""
    with AtomicFile(path, force=force, what=what) as fh:
        fh.write(data)
    return fh.target
