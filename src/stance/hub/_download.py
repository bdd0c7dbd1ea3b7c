"""Downloading one published file into the cache, in huggingface_hub's layout, checked against its sha256.

The bytes come through :mod:`._transfer` (one deadline, no retries). They go to a process-unique
``blobs/<etag>.<random>.incomplete`` file, are hashed as they arrive, and become ``blobs/<etag>``
only when whole and matching the manifest's sha256 (else they are deleted); then the snapshot's link
and the revision's ref are written. All of it happens under huggingface_hub's own lock for that blob
(``.locks/``), so two processes filling one entry, stance's or huggingface_hub's, never clash, and an
interrupted download leaves only an ``.incomplete`` file. ``huggingface_hub.try_to_load_from_cache``
finds the result as it finds a file it downloaded itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from stance._paths import readable_by_umask, write_atomic
from stance.errors import ChecksumError, RegistryError, StanceError

from ._manifest import Entry, download_timeout, hex_digest, repo_cache_dir, verify
from ._transfer import Remote, locate, receive

__all__ = ["download"]


def download(e: Entry, cache: Path, *, progress: bool | None = None, force: bool = False) -> Path:
    """Download ``e`` into ``cache`` (the Hub's cache layout), check its sha256 and return its path.

    ``force`` transfers the file again even if a blob with its checksum is there. The wait for
    progress is :func:`~stance.hub.download_timeout` seconds (``STANCE_DOWNLOAD_TIMEOUT``).
    """
    from huggingface_hub.utils import WeakFileLock

    window = download_timeout()
    show = progress if progress is not None else _stderr_is_tty()
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegistryError(f"cannot write to the model cache {cache}: {exc.strerror or exc}; "
                            "set STANCE_HOME to a writable directory") from None
    remote = locate(e, window)
    storage = repo_cache_dir(cache, e.repo_id)
    blob = storage / "blobs" / remote.etag
    pointer = storage / "snapshots" / remote.commit / e.filename
    lock = cache / ".locks" / storage.name / f"{remote.etag}.lock"
    try:
        for folder in (blob.parent, pointer.parent, lock.parent):
            folder.mkdir(parents=True, exist_ok=True)
        with WeakFileLock(lock):
            if force or not verify(blob, e.sha256 or ""):  # another process may have fetched it meanwhile
                _fetch_blob(e, remote, blob, window, show)
            _link(blob, pointer)
            if e.revision != remote.commit:
                _write_ref(storage / "refs" / e.revision, remote.commit)
    except StanceError:
        raise
    except OSError as exc:
        raise RegistryError(f"cannot write model {e.name!r} into the cache {cache}: {exc.strerror or exc}; "
                            "free some space or set STANCE_HOME to a writable directory") from None
    return pointer


def _fetch_blob(e: Entry, remote: Remote, blob: Path, window: float, show: bool) -> None:
    """Transfer the bytes into a temporary file beside ``blob``; move it into place only when its sha256
    is the manifest's. A failure deletes the temporary file; a killed process leaves it, still
    ``.incomplete``."""
    fd, name = tempfile.mkstemp(dir=blob.parent, prefix=f"{blob.name}.", suffix=".incomplete")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            actual, size = receive(e, remote, out, window, show=show)
            out.flush()
            os.fsync(out.fileno())
        expected = hex_digest(e.sha256 or "")
        if actual != expected:
            raise ChecksumError(
                f"checksum mismatch for model {e.name!r} from {e.url}: expected sha256 {expected}, got {actual} "
                f"({size} bytes" + (f", expected {e.size}" if e.size is not None else "") + "); the download was "
                "deleted", expected=expected, actual=actual)
        readable_by_umask(tmp)
        os.replace(tmp, blob)
    finally:
        tmp.unlink(missing_ok=True)


def _link(blob: Path, pointer: Path) -> None:
    """Make the snapshot's file point at the blob: a relative symbolic link, or a copy where links are
    not allowed; put in place atomically."""
    tmp = pointer.with_name(f".{pointer.name}.{uuid.uuid4().hex[:8]}.link")
    try:
        try:
            os.symlink(os.path.relpath(blob, pointer.parent), tmp)
        except OSError:  # no symbolic links here (Windows without the privilege)
            shutil.copyfile(blob, tmp)
        os.replace(tmp, pointer)
    finally:
        tmp.unlink(missing_ok=True)


def _write_ref(ref: Path, commit: str) -> None:
    """Record which commit the pinned revision names (huggingface_hub's ``refs/<revision>``)."""
    if ref.is_file() and ref.read_text(encoding="utf-8").strip() == commit:
        return
    ref.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(ref, commit.encode("ascii"), force=True, what="cache ref")


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
