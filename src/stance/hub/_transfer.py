"""One published file over HTTP under one deadline, and the one line for each way that fails.

Two requests through huggingface_hub's HTTP client, neither retried: ``HEAD`` at the pinned revision
(``huggingface_hub.get_hf_file_metadata``, which reads the Hub's headers: the commit, the ETag, the
size and where the bytes are) and a streamed ``GET`` of the bytes. One clock covers both: a request
that gets no answer, or a body that brings fewer than ``MIN_PROGRESS`` bytes, within ``window``
seconds (``STANCE_DOWNLOAD_TIMEOUT``, 60 by default) ends the download. A server that never answers
ends it after one window; a body that stops or trickles within two; no retry multiplies the wait.

Every failure is a one-line :class:`~stance.errors.DownloadError` (or ``OfflineError``) naming the
URL: the HTTP status with its code, a refused connection, a name that does not resolve, no answer, a
stalled or dropped body; when nothing is reachable it names the ways that need no network.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from stance.errors import DownloadError, OfflineError, RegistryError

from ._manifest import WITHOUT_NETWORK, Entry, endpoint

__all__ = ["Remote", "MIN_PROGRESS", "locate", "receive"]

MIN_PROGRESS = 16_384  # bytes that count as progress within one window

# what each HTTP status means for a download, after "HTTP <code>: "
_STATUS = {
    400: "the server refused the request as malformed",
    401: "no public repository {repo} there (missing, private or gated: HF_TOKEN gives access to one you may read)",
    403: "access to {repo} is forbidden (HF_TOKEN lacks the permission?)",
    404: "not found (no such file, revision or repository there)",
    408: "the server timed out waiting for the request; try again",
    429: "too many requests; try again later",
    500: "the server failed (internal server error); try again later",
    502: "bad gateway (a proxy or the mirror got no valid answer from upstream); try again later",
    503: "the service is unavailable (down or overloaded); try again later",
    504: "gateway timeout (a proxy or the mirror got no answer from upstream in time); try again later",
}
_ERROR_CODES = {  # the Hub's X-Error-Code says which 404 (or 401) it is
    "RevisionNotFound": "revision {revision} is not in {repo}",
    "EntryNotFound": "{filename} is not in {repo} at {revision}",
    "RepoNotFound": "no public repository {repo} there (is HF_ENDPOINT a mirror that holds the release?)",
    "RepositoryNotFound": "no public repository {repo} there (is HF_ENDPOINT a mirror that holds the release?)",
    "GatedRepo": "{repo} is gated: accept its terms on the Hub and set HF_TOKEN",
}


@dataclass(frozen=True)
class Remote:
    """A published file as the Hub's metadata request describes it."""

    url: str          # where the bytes are (the resolve URL, or where the Hub redirects it)
    etag: str         # the name of its blob in the cache
    commit: str       # the commit the pinned revision resolves to
    size: int | None  # its length, when the Hub says


def locate(e: Entry, window: float) -> Remote:
    """Ask the Hub (``HEAD``, once, waiting at most ``window`` seconds) where ``e``'s bytes are."""
    from huggingface_hub import get_hf_file_metadata

    try:
        with _hub_quiet():
            meta = get_hf_file_metadata(e.url, timeout=window, retry_on_errors=False, endpoint=endpoint())
    except Exception as exc:
        raise _failure(e, exc, window) from None
    commit, etag = meta.commit_hash or "", meta.etag or ""
    if not re.fullmatch(r"[0-9a-fA-F]{40}", commit) or not re.fullmatch(r"[\w-][\w.-]*", etag):
        raise DownloadError(f"{_where(e)}: {endpoint()} does not answer like a Hugging Face Hub (no commit or ETag "
                            "header); is HF_ENDPOINT a Hub mirror?", url=e.url)
    return Remote(url=meta.location or e.url, etag=etag, commit=commit, size=meta.size)


def receive(e: Entry, remote: Remote, out: BinaryIO, window: float, *, show: bool) -> tuple[str, int]:
    """Stream ``remote``'s bytes into ``out``; return their sha256 and length.

    Ends with a one-line ``DownloadError`` when no answer comes within ``window`` seconds, when fewer
    than ``MIN_PROGRESS`` bytes arrive in a window, or when the body ends short. Errors writing ``out``
    (a full disk) are the caller's: they propagate as ``OSError``.
    """
    import httpx
    from huggingface_hub import get_session
    from huggingface_hub.errors import OfflineModeIsEnabled
    from huggingface_hub.utils import build_hf_headers

    headers = build_hf_headers()
    headers["Accept-Encoding"] = "identity"  # the bytes the sha256 is of
    if urlsplit(remote.url).hostname != urlsplit(e.url).hostname:
        headers.pop("authorization", None)  # a signed storage URL: the token stays with the Hub
    digest, got, answered = hashlib.sha256(), 0, False
    try:
        with _hub_quiet(), get_session().stream("GET", remote.url, headers=headers, timeout=window,
                                                follow_redirects=True) as response:
            answered = True
            if response.status_code >= 400:
                raise DownloadError(f"{_where(e)}: {_status(e, response)}", url=e.url)
            with _bar(show, f"{e.name} {e.version}", remote.size) as bar:
                since, last = 0, time.monotonic()
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    digest.update(chunk)
                    got, since = got + len(chunk), since + len(chunk)
                    bar.update(len(chunk))
                    if since >= MIN_PROGRESS:
                        since, last = 0, time.monotonic()
                    elif time.monotonic() - last > window:
                        raise DownloadError(_stalled(e, window, got, remote.size), url=e.url)
    except httpx.TimeoutException as exc:
        raise (DownloadError(_stalled(e, window, got, remote.size), url=e.url) if answered
               else _failure(e, exc, window)) from None
    except (httpx.HTTPError, OfflineModeIsEnabled) as exc:
        raise _failure(e, exc, window) from None
    if remote.size is not None and got != remote.size:
        raise DownloadError(f"{_where(e)}: the transfer ended after {got} of {remote.size} bytes; nothing was kept, "
                            "try again", url=e.url)
    return digest.hexdigest(), got


# --------------------------------------------------------------------------- one line per failure
def _where(e: Entry) -> str:
    return f"cannot download model {e.name!r} from {e.url}"


def _stalled(e: Entry, window: float, got: int, size: int | None) -> str:
    return (f"{_where(e)}: the transfer stalled: {got} of {size if size is not None else '?'} bytes arrived, then "
            f"fewer than {MIN_PROGRESS} bytes in {window:g} s (STANCE_DOWNLOAD_TIMEOUT); nothing was kept, try again")


def _status(e: Entry, response: Any) -> str:
    """``HTTP <code>: what it means`` for an error answer, the Hub's ``X-Error-Code`` first."""
    code = response.status_code
    words = _ERROR_CODES.get(response.headers.get("X-Error-Code", "")) or _STATUS.get(code)
    if words is None:
        words = f"{response.reason_phrase or 'error'}" + ("; try again later" if code >= 500 else "")
    return f"HTTP {code}: " + words.format(repo=e.repo_id, revision=e.revision, filename=e.filename, url=e.url)


def _failure(e: Entry, exc: BaseException, window: float) -> RegistryError:
    """The one line for an exception of the metadata request or of opening the transfer."""
    import httpx
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    where = _where(e)
    if isinstance(exc, OfflineModeIsEnabled):
        return OfflineError(f"{where}: huggingface_hub is in offline mode (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE)")
    if isinstance(exc, HfHubHTTPError) and exc.response is not None:
        return DownloadError(f"{where}: {_status(e, exc.response)}", url=e.url)
    netloc = urlsplit(e.url).netloc
    if isinstance(exc, httpx.TimeoutException):
        reason = f"no answer from {netloc} within {window:g} s (STANCE_DOWNLOAD_TIMEOUT)"
    elif isinstance(exc, httpx.ConnectError):
        reason = _unreachable(exc, netloc)
    elif isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return DownloadError(f"{where}: the connection was dropped before the transfer completed; nothing was kept, "
                             "try again", url=e.url)
    else:
        text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
        return DownloadError(f"{where}: {type(exc).__name__}" + (f": {text}" if text else ""), url=e.url)
    return DownloadError(f"{where}: {reason}; without the network use {WITHOUT_NETWORK}", url=e.url)


def _unreachable(exc: BaseException, netloc: str) -> str:
    """Why a connection could not be made, from the operating system's error behind ``exc``."""
    import socket

    cause: BaseException | None = exc
    while cause is not None and not (isinstance(cause, OSError) and cause.errno is not None):
        cause = cause.__cause__ or cause.__context__
    text = f"{cause or exc}".lower()
    if isinstance(cause, ConnectionRefusedError) or "refused" in text:
        return f"the connection to {netloc} was refused (nothing listens there)"
    if isinstance(cause, socket.gaierror) or "name or service" in text or "name resolution" in text:
        return f"the name {urlsplit('//' + netloc).hostname} does not resolve (no network, or no DNS)"
    why = getattr(cause, "strerror", None) or (str(exc).strip().splitlines() or ["failed"])[0][:120]
    return f"cannot connect to {netloc} ({why})"


# --------------------------------------------------------------------------- quiet, with a bar
class _hub_quiet:
    """Hold back huggingface_hub's log messages below ERROR: an error stays one line."""

    def __enter__(self) -> None:
        import logging

        self._logger = logging.getLogger("huggingface_hub")
        self._level = self._logger.level
        self._logger.setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        self._logger.setLevel(self._level)


def _bar(show: bool, desc: str, total: int | None):
    """A progress bar on stderr named after the model (a silent one when ``show`` is false)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, disable=not show,
                file=sys.stderr, leave=False)
