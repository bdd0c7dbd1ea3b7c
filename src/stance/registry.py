"""Published pretrained models: the manifest, the local cache and the download.

The package ships a manifest, ``stance/data/registry.json``, naming every published
model with its file name, URL, SHA-256 checksum, size and headline metrics. A model
is fetched once into the cache directory and checked against that checksum; after
that it is read from disk and the network is never touched again.

- ``cache_dir()`` is ``$STANCE_HOME/models`` when ``STANCE_HOME`` is set, else
  ``models`` under ``platformdirs.user_cache_dir("stance")``.
- ``STANCE_REGISTRY_URL`` replaces the manifest's ``base_url`` (a mirror, a test
  server).
- ``STANCE_OFFLINE=1`` (or ``fetch(..., offline=True)``) uses the cache only.

A download goes to a temporary file beside the target and is moved into place
only once its checksum matches, so an interrupted or corrupted download never
leaves a file that looks complete. The HTTP transfer itself is done by
``pooch.HTTPDownloader``. Every error raised here subclasses ``RegistryError``
and carries a one-line message.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ._paths import readable_by_umask
from .errors import ChecksumError, DownloadError, OfflineError, RegistryError, UnknownModelError

__all__ = [
    "RegistryError", "UnknownModelError", "ChecksumError", "DownloadError", "OfflineError",
    "Entry", "Registry", "MANIFEST", "load_manifest", "default_registry", "cache_dir",
    "entries", "entry", "names", "local_path", "is_cached", "fetch", "verify", "sha256sum",
    "is_offline", "headline",
]

MANIFEST = Path(__file__).resolve().parent / "data" / "registry.json"
MANIFEST_FORMAT = 1
DEFAULT_URL_TEMPLATE = "{base_url}/{filename}"
TIMEOUT = 60  # seconds without data before a download is given up
_CHUNK = 1 << 16
_REQUIRED = ("name", "version", "filename", "url")
_TRUE = {"1", "true", "yes", "on"}


# --------------------------------------------------------------------------- helpers
def sha256sum(path: str | os.PathLike[str]) -> str:
    """The hex SHA-256 digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: str | os.PathLike[str], sha256: str) -> bool:
    """True if ``path`` is an existing file whose SHA-256 digest is ``sha256``."""
    p = Path(path)
    if not p.is_file():
        return False
    return sha256sum(p) == sha256.strip().lower().removeprefix("sha256:")


def cache_dir() -> Path:
    """Directory holding downloaded model files (created on first download).

    ``$STANCE_HOME/models`` when ``STANCE_HOME`` is set, else ``models`` under
    ``platformdirs.user_cache_dir("stance")`` (``~/.cache/stance/models`` on Linux).
    """
    from ._paths import cache_dir as stance_cache

    return stance_cache() / "models"


def is_offline() -> bool:
    """True if the environment asks for offline mode (``STANCE_OFFLINE=1``)."""
    return os.environ.get("STANCE_OFFLINE", "").strip().lower() in _TRUE


# --------------------------------------------------------------------------- entries
@dataclass(frozen=True)
class Entry:
    """One published model as the manifest describes it (``url`` already resolved)."""

    name: str
    version: str
    filename: str
    url: str
    sha256: str | None = None
    size: int | None = None
    sklearn_version: str | None = None
    labels: tuple[str, ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    licence: str = ""
    training_data: str = ""

    @property
    def published(self) -> bool:
        """True once the release script has filled in the checksum."""
        return bool(self.sha256)

    def headline(self) -> str:
        """The headline metric as text: macro-F1 with its interval when known."""
        return headline(self.metrics)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["labels"] = list(self.labels)
        d["metrics"] = dict(self.metrics)
        return d


def headline(metrics: Mapping[str, Any]) -> str:
    """``"0.712 [0.650, 0.770]"`` from a metrics mapping; ``"-"`` if there is none.

    The macro-F1 may be a number (an interval then read from ``macro_f1_ci95``,
    ``macro_f1_ci`` or ``macro_f1_interval``) or a mapping with ``mean``/``value`` and ``low``/``high``
    (or ``ci``).
    """
    value = metrics.get("macro_f1") if metrics else None
    ci: Any = None
    if isinstance(value, Mapping):
        ci = value.get("ci") or value.get("interval")
        if ci is None and "low" in value and "high" in value:
            ci = (value["low"], value["high"])
        value = next((value[k] for k in ("mean", "value", "estimate", "point") if k in value), None)
    if ci is None and metrics:
        ci = next((metrics[k] for k in ("macro_f1_ci95", "macro_f1_ci", "macro_f1_interval")
                   if metrics.get(k)), None)
    if not isinstance(value, (int, float)):
        return "-"
    text = f"{value:.3f}"
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(x, (int, float)) for x in ci):
        text += f" [{ci[0]:.3f}, {ci[1]:.3f}]"
    return text


def load_manifest(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The parsed manifest (the shipped one by default)."""
    p = Path(path) if path is not None else MANIFEST
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"model manifest {p} is missing; reinstall stance") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise RegistryError(f"model manifest {p} cannot be read: {exc}") from None
    return data


class Registry:
    """A set of published models plus where they are cached.

    ``Registry(manifest)`` takes a parsed manifest (``{"base_url": ..., "models":
    [...]}``); ``cache`` defaults to ``cache_dir()`` at call time and ``base_url``
    to ``$STANCE_REGISTRY_URL`` or the manifest's own.
    """

    def __init__(self, manifest: Mapping[str, Any], *, cache: str | os.PathLike[str] | None = None,
                 base_url: str | None = None) -> None:
        if not isinstance(manifest, Mapping) or not isinstance(manifest.get("models"), list):
            raise RegistryError("model manifest is malformed: expected an object with a 'models' list")
        fmt = manifest.get("format", MANIFEST_FORMAT)
        if fmt != MANIFEST_FORMAT:
            raise RegistryError(f"model manifest has format {fmt!r}; this stance reads format "
                                f"{MANIFEST_FORMAT} (upgrade stance)")
        self._manifest = manifest
        self._cache = Path(cache) if cache is not None else None
        self._base_url = base_url
        self._raw: dict[str, Mapping[str, Any]] = {}
        for i, m in enumerate(manifest["models"]):
            missing = [k for k in _REQUIRED if not isinstance(m, Mapping) or not m.get(k)]
            if missing:
                raise RegistryError(f"model manifest entry {i} lacks {', '.join(missing)}")
            if m["name"] in self._raw:
                raise RegistryError(f"model manifest lists {m['name']!r} twice")
            self._raw[m["name"]] = m

    # where things are
    @property
    def cache(self) -> Path:
        return self._cache if self._cache is not None else cache_dir()

    @property
    def base_url(self) -> str:
        url = self._base_url or os.environ.get("STANCE_REGISTRY_URL", "").strip() \
            or str(self._manifest.get("base_url", ""))
        return url.rstrip("/")

    # what is published
    def names(self) -> list[str]:
        return list(self._raw)

    def entry(self, name: str) -> Entry:
        m = self._raw.get(name)
        if m is None:
            raise UnknownModelError(name, self.names())
        try:
            url = str(m["url"]).format(base_url=self.base_url, name=m["name"], version=m["version"],
                                       filename=m["filename"])
        except (KeyError, IndexError, ValueError) as exc:
            raise RegistryError(f"model manifest entry {name!r} has a bad url template "
                                f"{m['url']!r}: {exc}") from None
        size = m.get("size")
        return Entry(
            name=str(m["name"]),
            version=str(m["version"]),
            filename=str(m["filename"]),
            url=url,
            sha256=m.get("sha256") or None,
            size=int(size) if size is not None else None,
            sklearn_version=m.get("sklearn_version") or None,
            labels=tuple(m.get("labels") or ()),
            metrics=dict(m.get("metrics") or {}),
            description=str(m.get("description") or ""),
            licence=str(m.get("licence") or ""),
            training_data=str(m.get("training_data") or ""),
        )

    def entries(self) -> list[Entry]:
        return [self.entry(n) for n in self._raw]

    # the cache
    def local_path(self, name: str) -> Path:
        """Where ``name`` is (or would be) cached."""
        return self.cache / self.entry(name).filename

    def is_cached(self, name: str) -> bool:
        """True if the cached file exists and matches the manifest's checksum."""
        e = self.entry(name)
        return bool(e.sha256) and verify(self.cache / e.filename, e.sha256)  # type: ignore[arg-type]

    def fetch(self, name: str, *, offline: bool | None = None, progress: bool | None = None,
              force: bool = False) -> Path:
        """The local path of model ``name``, downloading and checking it if needed.

        A cached file whose checksum matches is returned without any network access.
        ``offline`` (default: ``STANCE_OFFLINE``) forbids downloads; ``progress``
        (default: stderr is a terminal) shows a tqdm bar; ``force`` downloads again
        even if a good copy is cached (the old file stays until the new one checks out).
        """
        e = self.entry(name)
        if not e.sha256:
            raise RegistryError(f"model {name!r} has no published checksum in the manifest yet; "
                                "it cannot be downloaded")
        target = self.cache / e.filename
        present = target.is_file()
        if present and not force and verify(target, e.sha256):
            return target
        if is_offline() if offline is None else offline:
            why = ("its cached copy does not match the manifest checksum" if present
                   else "it is not in the cache")
            raise OfflineError(f"model {name!r} is needed but {why} ({target}) and offline mode is on; "
                               f"run `stance download {name}` with network access (STANCE_OFFLINE unset)")
        self._download(e, target, progress)
        return target

    def _download(self, e: Entry, target: Path, progress: bool | None) -> None:
        import pooch
        import requests

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{e.filename}.", suffix=".part", dir=target.parent)
            os.close(fd)
        except OSError as exc:
            raise RegistryError(f"cannot write to the model cache {target.parent}: {exc.strerror or exc}; "
                                "set STANCE_HOME to a writable directory") from None
        tmp = Path(tmp_name)
        bar = None
        try:
            if progress if progress is not None else _stderr_is_tty():
                from tqdm.auto import tqdm

                bar = tqdm(total=e.size or 0, desc=f"{e.name} {e.version}", unit="B",
                           unit_scale=True, unit_divisor=1024, file=sys.stderr, leave=False)
            downloader = pooch.HTTPDownloader(progressbar=bar if bar is not None else False,
                                              chunk_size=_CHUNK, timeout=TIMEOUT)
            try:
                downloader(e.url, str(tmp), None)
            except requests.HTTPError as exc:
                resp = exc.response
                status = f"HTTP {resp.status_code} {resp.reason}".strip() if resp is not None else str(exc)
                raise DownloadError(f"cannot download model {e.name!r} from {e.url}: {status}",
                                    url=e.url) from None
            except requests.RequestException as exc:
                raise DownloadError(f"cannot download model {e.name!r} from {e.url}: "
                                    f"{_reason(exc)}", url=e.url) from None
            except OSError as exc:
                raise RegistryError(f"cannot write model {e.name!r} to {tmp}: "
                                    f"{exc.strerror or exc}") from None
            actual = sha256sum(tmp)
            expected = str(e.sha256).lower().removeprefix("sha256:")
            if actual != expected:
                got = tmp.stat().st_size
                size = f"; got {got} bytes" + (f", expected {e.size}" if e.size is not None else "")
                raise ChecksumError(
                    f"checksum mismatch for model {e.name!r} from {e.url}: expected sha256 {expected}, "
                    f"got {actual}{size}; the download was deleted",
                    expected=expected, actual=actual)
            readable_by_umask(tmp)
            os.replace(tmp, target)
        finally:
            if bar is not None:
                bar.close()
            tmp.unlink(missing_ok=True)


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _reason(exc: Exception) -> str:
    import requests

    if isinstance(exc, requests.Timeout):
        return f"no response within {TIMEOUT} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection was dropped before the transfer completed"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed or was dropped"
    return f"{type(exc).__name__}"


# --------------------------------------------------------------------------- module API
def default_registry() -> Registry:
    """The registry of the shipped manifest (read afresh, environment read at call time)."""
    return Registry(load_manifest())


def names() -> list[str]:
    """Names of the published models, in manifest order."""
    return default_registry().names()


def entries() -> list[Entry]:
    """Every published model."""
    return default_registry().entries()


def entry(name: str) -> Entry:
    """The manifest entry for ``name``; ``UnknownModelError`` with suggestions otherwise."""
    return default_registry().entry(name)


def local_path(name: str) -> Path:
    """Where model ``name`` is (or would be) cached."""
    return default_registry().local_path(name)


def is_cached(name: str) -> bool:
    """True if ``name`` is in the cache with the published checksum."""
    return default_registry().is_cached(name)


def fetch(name: str, *, offline: bool | None = None, progress: bool | None = None,
          force: bool = False) -> Path:
    """Path of the checked local copy of model ``name``, downloaded if needed.

    See ``Registry.fetch``.
    """
    return default_registry().fetch(name, offline=offline, progress=progress, force=force)
