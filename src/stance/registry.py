"""Published pretrained models: the manifest, the local cache and the download.

Releases are published to a Hugging Face Hub model repository (the manifest's ``repo_id``, at the
revision it pins) and fetched with ``huggingface_hub``. The package ships the manifest,
``stance/data/registry.json``: every published model's file name, size, SHA-256 and headline
figures. A file is used only once its SHA-256 matches the manifest's, wherever it came from.

- The cache is ``$STANCE_HOME/models`` when ``STANCE_HOME`` is set, else ``models`` under
  ``platformdirs.user_cache_dir("stance")``; inside it the Hub's own cache layout (``models--...``),
  so concurrent downloads of one file wait for each other (huggingface_hub's file locks) and an
  interrupted download leaves only an ``.incomplete`` file, resumed or replaced next time.
- ``HF_ENDPOINT`` points at a Hub mirror (read at each call); ``HF_HUB_OFFLINE=1`` or
  ``STANCE_OFFLINE=1`` (or ``fetch(..., offline=True)``) uses the cache only.
- ``STANCE_MANIFEST`` replaces the shipped manifest with one of your own (the same format: an
  organisation's own Hub repository of models).
- ``STANCE_MODELS_DIR`` names a local directory holding the release files (as
  ``scripts/release_models.py --out DIR`` writes them): those are checked and used in place,
  and the network is never touched.

A cached file that fails its checksum is downloaded again when the network may be used, and named
as corrupt when it may not. Every error raised here subclasses ``RegistryError`` and carries a
one-line message.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ChecksumError, DownloadError, OfflineError, RegistryError, UnknownModelError

__all__ = [
    "RegistryError", "UnknownModelError", "ChecksumError", "DownloadError", "OfflineError",
    "Entry", "Registry", "MANIFEST", "load_manifest", "default_registry", "cache_dir",
    "entries", "entry", "names", "local_path", "is_cached", "cache_state", "fetch", "verify", "sha256sum",
    "is_offline", "endpoint", "headline",
]

MANIFEST = Path(__file__).resolve().parent / "data" / "registry.json"
MANIFEST_FORMAT = 2
DEFAULT_ENDPOINT = "https://huggingface.co"
ETAG_TIMEOUT = 20  # seconds for the Hub to answer the metadata request
_REQUIRED = ("name", "version", "filename")
_TRUE = {"1", "true", "yes", "on"}


# --------------------------------------------------------------------------- helpers
def sha256sum(path: str | os.PathLike[str]) -> str:
    """The hex SHA-256 digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _hex(sha256: str) -> str:
    return sha256.strip().lower().removeprefix("sha256:")


def verify(path: str | os.PathLike[str], sha256: str) -> bool:
    """True if ``path`` is an existing file whose SHA-256 digest is ``sha256``."""
    p = Path(path)
    if not p.is_file():
        return False
    try:
        return sha256sum(p) == _hex(sha256)
    except OSError:
        return False


def cache_dir() -> Path:
    """Directory holding downloaded model files (created on first download).

    ``$STANCE_HOME/models`` when ``STANCE_HOME`` is set, else ``models`` under
    ``platformdirs.user_cache_dir("stance")`` (``~/.cache/stance/models`` on Linux).
    """
    from ._paths import cache_dir as stance_cache

    return stance_cache() / "models"


def is_offline() -> bool:
    """True if the environment asks for offline mode: ``STANCE_OFFLINE=1``, or ``HF_HUB_OFFLINE=1`` (or
    ``TRANSFORMERS_OFFLINE=1``, which huggingface_hub also obeys)."""
    return any(os.environ.get(v, "").strip().lower() in _TRUE
               for v in ("STANCE_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def endpoint() -> str:
    """The Hub to download from: ``$HF_ENDPOINT`` (a mirror) or ``https://huggingface.co``."""
    return (os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_ENDPOINT).rstrip("/")


def _models_dir() -> Path | None:
    d = os.environ.get("STANCE_MODELS_DIR", "").strip()
    return Path(d).expanduser() if d else None


# --------------------------------------------------------------------------- entries
@dataclass(frozen=True)
class Entry:
    """One published model as the manifest describes it."""

    name: str
    version: str
    filename: str
    repo_id: str
    revision: str
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

    @property
    def url(self) -> str:
        """Where the file is downloaded from (the Hub's ``resolve`` URL at the pinned revision)."""
        return f"{endpoint()}/{self.repo_id}/resolve/{self.revision}/{self.filename}"

    def headline(self) -> str:
        """The headline metric as text: macro-F1 with its interval when known."""
        return headline(self.metrics)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["labels"] = list(self.labels)
        d["metrics"] = dict(self.metrics)
        d["url"] = self.url
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
    """The parsed manifest: ``path``, else ``$STANCE_MANIFEST`` (a registry of your own, in the same
    format), else the one shipped in the package."""
    env = os.environ.get("STANCE_MANIFEST", "").strip()
    p = Path(path) if path is not None else Path(env).expanduser() if env else MANIFEST
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"model manifest {p} is missing; reinstall stance") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RegistryError(f"model manifest {p} cannot be read: {exc}") from None
    return data


class Registry:
    """A set of published models plus where they are cached.

    ``Registry(manifest)`` takes a parsed manifest (``{"format": 2, "repo_id": ..., "revision": ...,
    "models": [...]}``); ``cache`` defaults to ``cache_dir()`` at call time.
    """

    def __init__(self, manifest: Mapping[str, Any], *, cache: str | os.PathLike[str] | None = None) -> None:
        if not isinstance(manifest, Mapping) or not isinstance(manifest.get("models"), list):
            raise RegistryError("model manifest is malformed: expected an object with a 'models' list")
        fmt = manifest.get("format")
        if fmt != MANIFEST_FORMAT:
            raise RegistryError(f"model manifest has format {fmt!r}; this stance reads format "
                                f"{MANIFEST_FORMAT} (upgrade stance)")
        for key in ("repo_id", "revision"):
            if not isinstance(manifest.get(key), str) or not manifest.get(key):
                raise RegistryError(f"model manifest lacks {key!r}")
        self._manifest = manifest
        self._cache = Path(cache) if cache is not None else None
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
    def repo_id(self) -> str:
        return str(self._manifest["repo_id"])

    @property
    def revision(self) -> str:
        return str(self._manifest["revision"])

    @property
    def uploaded(self) -> bool:
        """False until the release script has uploaded a release to the Hub repository."""
        return bool(self._manifest.get("uploaded", False))

    # what is published
    def names(self) -> list[str]:
        return list(self._raw)

    def entry(self, name: str) -> Entry:
        m = self._raw.get(name)
        if m is None:
            raise UnknownModelError(name, self.names())
        size = m.get("size")
        return Entry(
            name=str(m["name"]),
            version=str(m["version"]),
            filename=str(m["filename"]),
            repo_id=self.repo_id,
            revision=self.revision,
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
    def _cached(self, e: Entry) -> Path | None:
        """The cached copy of ``e`` at the pinned revision, checked or not; ``None`` if there is none."""
        from huggingface_hub import try_to_load_from_cache

        try:
            found = try_to_load_from_cache(e.repo_id, e.filename, cache_dir=self.cache, revision=e.revision)
        except (OSError, ValueError):
            return None
        return Path(found) if isinstance(found, str) and Path(found).is_file() else None

    def local_path(self, name: str) -> Path:
        """Where ``name`` is: its copy in ``STANCE_MODELS_DIR`` or the cache, else the cache folder it would go to."""
        e = self.entry(name)
        local = _models_dir()
        if local is not None:
            return local / e.filename
        return self._cached(e) or self.cache / ("models--" + e.repo_id.replace("/", "--"))

    def cache_state(self, name: str) -> str:
        """``"yes"`` (a copy with the published checksum is here), ``"corrupt"`` (a copy that fails
        it), ``"no"``, or ``"unpublished"``."""
        e = self.entry(name)
        if not e.sha256:
            return "unpublished"
        local = _models_dir()
        path = local / e.filename if local is not None else self._cached(e)
        if path is None or not path.is_file():
            return "no"
        return "yes" if verify(path, e.sha256) else "corrupt"

    def is_cached(self, name: str) -> bool:
        """True if a copy with the published checksum is here (see :meth:`cache_state`)."""
        return self.cache_state(name) == "yes"

    def fetch(self, name: str, *, offline: bool | None = None, progress: bool | None = None,
              force: bool = False) -> Path:
        """The local path of model ``name``, downloading and checking it if needed.

        A cached file whose checksum matches is returned without any network access; one that
        fails it is downloaded again (or named as corrupt when offline). ``offline`` (default:
        ``STANCE_OFFLINE`` / ``HF_HUB_OFFLINE``) forbids downloads; ``progress`` (default: stderr
        is a terminal) shows a bar; ``force`` downloads again even if a good copy is cached.
        """
        e = self.entry(name)
        if not e.sha256:
            raise RegistryError(f"model {name!r} has no published checksum in the manifest yet; "
                                "it cannot be downloaded")
        local = _models_dir()
        if local is not None:
            return self._from_dir(e, local)
        cached = self._cached(e)
        corrupt = cached is not None and not verify(cached, e.sha256)
        if cached is not None and not corrupt and not force:
            return cached
        if is_offline() if offline is None else offline:
            if corrupt:
                raise ChecksumError(
                    f"the cached copy of model {name!r} at {cached} is corrupt (its sha256 is not the published "
                    f"{_hex(e.sha256)}) and offline mode is on; run `stance download {name} --force` with network "
                    "access", expected=_hex(e.sha256), actual=sha256sum(cached))
            raise OfflineError(f"model {name!r} is needed but it is not in the cache ({self.cache}) and offline mode "
                               f"is on; run `stance download {name}` with network access (STANCE_OFFLINE and "
                               "HF_HUB_OFFLINE unset), or set STANCE_MODELS_DIR to a folder holding "
                               f"{e.filename}")
        return self._download(e, progress, force=force or corrupt)

    def _from_dir(self, e: Entry, local: Path) -> Path:
        path = local / e.filename
        if not path.is_file():
            raise OfflineError(f"model {e.name!r}: {path} does not exist (STANCE_MODELS_DIR={local}); put the "
                               f"release file {e.filename} there, or unset STANCE_MODELS_DIR to download it")
        actual = sha256sum(path)
        if actual != _hex(e.sha256 or ""):
            raise ChecksumError(f"{path} is not the published model {e.name!r} {e.version}: its sha256 is {actual}, "
                                f"the manifest's {_hex(e.sha256 or '')}; the file was left as it is",
                                expected=_hex(e.sha256 or ""), actual=actual)
        return path

    def _download(self, e: Entry, progress: bool | None, *, force: bool) -> Path:
        from huggingface_hub import hf_hub_download

        show = progress if progress is not None else _stderr_is_tty()
        try:
            self.cache.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RegistryError(f"cannot write to the model cache {self.cache}: {exc.strerror or exc}; "
                                "set STANCE_HOME to a writable directory") from None
        try:
            with _hub_quiet():  # its retry messages would break the one-line error
                got = Path(hf_hub_download(e.repo_id, e.filename, revision=e.revision, cache_dir=self.cache,
                                           endpoint=endpoint(), force_download=force, etag_timeout=ETAG_TIMEOUT,
                                           tqdm_class=_tqdm_class(show, f"{e.name} {e.version}")))
        except Exception as exc:
            raise _download_error(e, exc, self.cache) from None
        actual = sha256sum(got)
        expected = _hex(e.sha256 or "")
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


def cache_state(name: str) -> str:
    """``"yes"``, ``"corrupt"``, ``"no"`` or ``"unpublished"``: see :meth:`Registry.cache_state`."""
    return default_registry().cache_state(name)


def fetch(name: str, *, offline: bool | None = None, progress: bool | None = None,
          force: bool = False) -> Path:
    """Path of the checked local copy of model ``name``, downloaded if needed.

    See ``Registry.fetch``.
    """
    return default_registry().fetch(name, offline=offline, progress=progress, force=force)
