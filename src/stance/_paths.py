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
    unless ``force``, in a folder that exists. Call it before the work that makes the data."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory; give the path of the {what} to write")
    if target.exists() and not force:
        raise FileExistsError(f"{target} already exists; pass force=True (--force) to overwrite it")
    if not target.parent.is_dir():
        raise FileNotFoundError(f"{target.parent}: no such directory (for the {what} {target.name})")
    return target


def write_atomic(path: str | Path, data: bytes, *, force: bool, what: str = "file") -> Path:
    """Write ``data`` to ``path`` through a temporary file beside it, moved into place only once
    complete and on disk: a killed process or a full disk leaves the old file, or none, never a
    partial one. Without ``force`` an existing file is never replaced, even one that appeared
    meanwhile (``FileExistsError``). The new file gets the mode the umask gives (an existing
    file's mode is kept). Failures to write are a :class:`~stance.errors.WriteError` in one line.
    """
    import os
    import tempfile

    from .errors import WriteError

    target = check_output(path, force=force, what=what)
    exists = target.exists()
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise WriteError(f"cannot write the {what} {target}: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if exists:
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            readable_by_umask(tmp)
        if force:
            os.replace(tmp, target)
        else:
            try:  # no-clobber: fails if the target appeared meanwhile
                os.link(tmp, target)
            except FileExistsError:
                raise FileExistsError(f"{target} already exists; pass force=True (--force) to overwrite it") from None
            except OSError:  # a filesystem without hard links
                if target.exists():
                    raise FileExistsError(f"{target} already exists; pass force=True (--force) to overwrite it") from None
                os.replace(tmp, target)
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise
        raise WriteError(f"cannot write the {what} {target}: {exc.strerror or exc}; "
                         + ("the existing file is unchanged" if exists else "nothing was written")) from None
    finally:
        tmp.unlink(missing_ok=True)
    return target
