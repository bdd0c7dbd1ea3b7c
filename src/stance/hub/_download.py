"""Downloading one published file with huggingface_hub into the cache, checked against its sha256.

Every way a download can fail becomes one line: the HTTP status, what to do when nothing is
reachable, a checksum mismatch (the file is deleted). huggingface_hub's own retry log lines are held
back so that an error stays one line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from stance.errors import ChecksumError, DownloadError, OfflineError, RegistryError

from ._manifest import Entry, endpoint, hex_digest, sha256sum

__all__ = ["download", "ETAG_TIMEOUT"]

ETAG_TIMEOUT = 20  # seconds for the Hub to answer the metadata request


def download(e: Entry, cache: Path, *, progress: bool | None = None, force: bool = False) -> Path:
    """Download ``e`` into ``cache`` (the Hub's cache layout), check its sha256 and return its path."""
    from huggingface_hub import hf_hub_download

    show = progress if progress is not None else _stderr_is_tty()
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RegistryError(f"cannot write to the model cache {cache}: {exc.strerror or exc}; "
                            "set STANCE_HOME to a writable directory") from None
    try:
        with _hub_quiet():  # its retry messages would break the one-line error
            got = Path(hf_hub_download(e.repo_id, e.filename, revision=e.revision, cache_dir=cache,
                                       endpoint=endpoint(), force_download=force, etag_timeout=ETAG_TIMEOUT,
                                       tqdm_class=_tqdm_class(show, f"{e.name} {e.version}")))
    except Exception as exc:
        raise _download_error(e, exc, cache) from None
    actual = sha256sum(got)
    expected = hex_digest(e.sha256 or "")
    if actual != expected:
        size = got.stat().st_size
        _evict(got)
        raise ChecksumError(
            f"checksum mismatch for model {e.name!r} from {e.url}: expected sha256 {expected}, got {actual} "
            f"({size} bytes" + (f", expected {e.size}" if e.size is not None else "") + "); the download was "
            "deleted", expected=expected, actual=actual)
    return got


class _hub_quiet:
    """Hold back huggingface_hub's log messages below ERROR for the duration of a download."""

    def __enter__(self) -> None:
        import logging

        self._logger = logging.getLogger("huggingface_hub")
        self._level = self._logger.level
        self._logger.setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        self._logger.setLevel(self._level)


def _tqdm_class(show: bool, desc: str):
    """A tqdm class for huggingface_hub's transfer: a bar on stderr named after the model, or none."""
    from tqdm.auto import tqdm

    class Bar(tqdm):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.update(disable=not show, file=sys.stderr, leave=False)
            if kwargs.get("desc"):
                kwargs["desc"] = desc
            super().__init__(*args, **kwargs)

    return Bar


def _evict(path: Path) -> None:
    """Remove a cached file that failed its checksum: the blob and the snapshot's link to it."""
    blob = Path(os.path.realpath(path))
    for p in (path, blob):
        try:
            p.unlink()
        except OSError:
            pass


def _download_error(e: Entry, exc: BaseException, cache: Path) -> RegistryError:
    """One line for whatever went wrong in ``hf_hub_download``."""
    import huggingface_hub.errors as hub

    where = f"cannot download model {e.name!r} from {e.url}"
    if isinstance(exc, hub.OfflineModeIsEnabled):
        return OfflineError(f"{where}: huggingface_hub is in offline mode (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE)")
    if isinstance(exc, hub.LocalEntryNotFoundError):  # (a kind of EntryNotFoundError)
        if isinstance(exc.__cause__ or exc.__context__, hub.OfflineModeIsEnabled):
            return OfflineError(f"{where}: huggingface_hub is in offline mode (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE)")
        return DownloadError(f"{where}: the connection failed (is the network or HF_ENDPOINT reachable?)", url=e.url)
    if isinstance(exc, hub.RepositoryNotFoundError):
        return DownloadError(f"{where}: the Hub has no repository {e.repo_id} (HTTP 401/404); until the first "
                             "release is uploaded, download needs a mirror (HF_ENDPOINT) or a local folder "
                             "(STANCE_MODELS_DIR)", url=e.url)
    if isinstance(exc, hub.RevisionNotFoundError):
        return DownloadError(f"{where}: revision {e.revision} is not in {e.repo_id}", url=e.url)
    if isinstance(exc, hub.EntryNotFoundError):
        return DownloadError(f"{where}: {e.filename} is not in {e.repo_id} at {e.revision} (HTTP 404)", url=e.url)
    if isinstance(exc, hub.HfHubHTTPError):
        resp = getattr(exc, "response", None)
        code = getattr(resp, "status_code", None)
        if code in (401, 403, 404):
            return DownloadError(f"{where}: HTTP {code}: no public repository {e.repo_id} there; until the first "
                                 "release is uploaded, download needs a mirror (HF_ENDPOINT) or a local folder of "
                                 "release files (STANCE_MODELS_DIR)", url=e.url)
        return DownloadError(f"{where}: HTTP {code or 'error'}", url=e.url)
    if isinstance(exc, OSError) and not _is_network(exc):
        if "consistency check" in str(exc).lower():
            return DownloadError(f"{where}: the transfer ended before the whole file arrived; nothing was kept, "
                                 "try again", url=e.url)
        return RegistryError(f"cannot write model {e.name!r} into the cache {cache}: {exc.strerror or exc}; "
                             "free some space or set STANCE_HOME to a writable directory")
    return DownloadError(f"{where}: {_reason(exc)}", url=e.url)


def _is_network(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in ("httpx", "httpcore", "requests", "urllib3", "h11", "ssl")


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        return "no response in time"
    if name in ("RemoteProtocolError", "ReadError", "ChunkedEncodingError", "IncompleteRead"):
        return "the connection was dropped before the transfer completed; nothing was kept, try again"
    if "Connect" in name:
        return "connection failed"
    return f"{name}: {str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}".rstrip(": ")


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
