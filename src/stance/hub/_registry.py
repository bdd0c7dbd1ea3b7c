"""Published pretrained models: the manifest, the local cache and the download.

Releases are published to a Hugging Face Hub model repository (the manifest's ``repo_id``, at the
revision it pins) and fetched with ``huggingface_hub``. The package ships the manifest,
``stance/data/registry.json``: every published model's file name, size, SHA-256 and headline
figures. A file is used only once its SHA-256 matches the manifest's, wherever it came from.

- The cache is ``$STANCE_HOME/models`` when ``STANCE_HOME`` is set, else ``models`` under
  ``platformdirs.user_cache_dir("stance")``; inside it the Hub's own cache layout (``models--...``),
  so concurrent downloads of one file wait for each other (huggingface_hub's file locks) and an
  interrupted download leaves only an ``.incomplete`` file, replaced next time.
- Until the manifest says the release is ``uploaded``, there is nothing on the Hub: without a
  mirror a download fails at once, without touching the network (``NotUploadedError``, naming the
  ways that work).
- ``HF_ENDPOINT`` points at a Hub mirror (read at each call); ``HF_HUB_OFFLINE=1`` or
  ``STANCE_OFFLINE=1`` (or ``fetch(..., offline=True)``) uses the cache only;
  ``STANCE_DOWNLOAD_TIMEOUT`` is how many seconds a download may go without progress (60).
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

import os
from pathlib import Path
from typing import Any, Mapping

from stance.errors import ChecksumError, NotUploadedError, OfflineError, RegistryError, UnknownModelError

from ._download import download
from ._manifest import (
    MANIFEST_FORMAT,
    WITHOUT_NETWORK,
    Entry,
    cache_dir,
    hex_digest,
    is_offline,
    load_manifest,
    mirror,
    models_dir,
    repo_cache_dir,
    sha256sum,
    verify,
)

__all__ = ["Registry", "default_registry", "entries", "entry", "names", "local_path", "is_cached", "cache_state",
           "cache_status", "fetch", "NOT_UPLOADED"]

_REQUIRED = ("name", "version", "filename")
NOT_UPLOADED = "not uploaded yet"  # the cache state of a model there is no release of to download


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

    @property
    def downloadable(self) -> bool:
        """True if a download can be tried: the release is uploaded, or ``HF_ENDPOINT`` names a mirror."""
        return self.uploaded or mirror() is not None

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
        local = models_dir()
        if local is not None:
            return local / e.filename
        return self._cached(e) or repo_cache_dir(self.cache, e.repo_id)

    def cache_status(self, name: str) -> tuple[str, str]:
        """The state of ``name``'s copy here and what to do about it (``""`` when nothing is to do).

        The state is ``"yes"`` (a copy with the manifest's checksum is here), ``"no"`` (none; it can
        be downloaded), ``"not uploaded yet"`` (none, and there is no release to download: the entry
        has no sha256, or the release was never uploaded and no mirror is set; a file in
        ``STANCE_MODELS_DIR`` that differs from an unreleased entry is such a case too, a local
        rebuild), or ``"corrupt"`` (a downloaded copy, or a file in ``STANCE_MODELS_DIR`` of an
        uploaded release, that fails the checksum). ``stance download NAME --force`` is suggested only
        where it can work.
        """
        e = self.entry(name)
        if not e.sha256:
            return NOT_UPLOADED, "the manifest has no sha256 for it"
        local = models_dir()
        path = local / e.filename if local is not None else self._cached(e)
        if path is not None and path.is_file():
            if verify(path, e.sha256):
                return "yes", ""
            if local is None:  # a download that went bad: it came from the Hub or a mirror
                return "corrupt", "sha256 mismatch: " + ("stance download NAME --force" if self.downloadable else
                                                         "set HF_ENDPOINT to its mirror, then stance download NAME --force")
            if self.uploaded:
                return "corrupt", "sha256 mismatch: not the published file; replace it, or unset STANCE_MODELS_DIR"
            return NOT_UPLOADED, "the STANCE_MODELS_DIR file is not the release the manifest pins: a local rebuild"
        return ("no", "") if self.downloadable else (NOT_UPLOADED, "")

    def cache_state(self, name: str) -> str:
        """``"yes"``, ``"no"``, ``"not uploaded yet"`` or ``"corrupt"``: see :meth:`cache_status`."""
        return self.cache_status(name)[0]

    def is_cached(self, name: str) -> bool:
        """True if a copy with the published checksum is here (see :meth:`cache_status`)."""
        return self.cache_state(name) == "yes"

    def fetch(self, name: str, *, offline: bool | None = None, progress: bool | None = None,
              force: bool = False) -> Path:
        """The local path of model ``name``, downloading and checking it if needed.

        A cached file whose checksum matches is returned without any network access; one that
        fails it is downloaded again (or named as corrupt when offline). A release the manifest
        does not say is uploaded is downloaded only from a mirror (``HF_ENDPOINT``); without one,
        ``NotUploadedError`` at once. ``offline`` (default: ``STANCE_OFFLINE`` / ``HF_HUB_OFFLINE``)
        forbids downloads; ``progress`` (default: stderr is a terminal) shows a bar; ``force``
        downloads again even if a good copy is cached.
        """
        e = self.entry(name)
        if not e.sha256:
            raise RegistryError(f"model {name!r} has no published checksum in the manifest yet (not uploaded yet); "
                                "it cannot be downloaded")
        local = models_dir()
        if local is not None:
            return self._from_dir(e, local)
        cached = self._cached(e)
        corrupt = cached is not None and not verify(cached, e.sha256)
        if cached is not None and not corrupt and not force:
            return cached
        offline = is_offline() if offline is None else offline
        if corrupt and (offline or not self.downloadable):
            fix = (f"run `stance download {name} --force` with network access" if self.downloadable else
                   f"set HF_ENDPOINT to the mirror it came from and run `stance download {name} --force`, or use "
                   "STANCE_MODELS_DIR")
            raise ChecksumError(
                f"the cached copy of model {name!r} at {cached} is corrupt (its sha256 is not the published "
                f"{hex_digest(e.sha256)})" + (" and offline mode is on" if offline else "") + f"; {fix}",
                expected=hex_digest(e.sha256), actual=sha256sum(cached))
        if not self.downloadable:
            raise NotUploadedError(
                f"cannot download model {name!r}: release {self.revision} of {self.repo_id} is not uploaded to the "
                f"Hub yet (the manifest says uploaded: false) and HF_ENDPOINT names no mirror; use HF_ENDPOINT=URL "
                f"(a mirror that holds the release), {WITHOUT_NETWORK} (the one at {self.cache} does not)")
        if offline:
            raise OfflineError(f"model {name!r} is needed but it is not in the cache ({self.cache}) and offline mode "
                               f"is on; run `stance download {name}` with network access (STANCE_OFFLINE and "
                               "HF_HUB_OFFLINE unset), or set STANCE_MODELS_DIR to a folder holding "
                               f"{e.filename}")
        return download(e, self.cache, progress=progress, force=force or corrupt)

    def _from_dir(self, e: Entry, local: Path) -> Path:
        path = local / e.filename
        if not path.is_file():
            raise OfflineError(f"model {e.name!r}: {path} does not exist (STANCE_MODELS_DIR={local}); put the "
                               f"release file {e.filename} there" + (", or unset STANCE_MODELS_DIR to download it"
                                                                      if self.downloadable else ""))
        actual = sha256sum(path)
        if actual != hex_digest(e.sha256 or ""):
            why = ("" if self.uploaded else " (the release is not uploaded yet: a rebuilt file matches only when built "
                   "from the same code, data and library versions; load it by its path, stance.load(PATH) or --model PATH)")
            raise ChecksumError(f"{path} is not the published model {e.name!r} {e.version}: its sha256 is {actual}, "
                                f"the manifest's {hex_digest(e.sha256 or '')}; the file was left as it is{why}",
                                expected=hex_digest(e.sha256 or ""), actual=actual)
        return path


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
    """``"yes"``, ``"no"``, ``"not uploaded yet"`` or ``"corrupt"``: see :meth:`Registry.cache_status`."""
    return default_registry().cache_state(name)


def cache_status(name: str) -> tuple[str, str]:
    """The state of ``name``'s copy here and what to do about it: see :meth:`Registry.cache_status`."""
    return default_registry().cache_status(name)


def fetch(name: str, *, offline: bool | None = None, progress: bool | None = None,
          force: bool = False) -> Path:
    """Path of the checked local copy of model ``name``, downloaded if needed.

    See ``Registry.fetch``.
    """
    return default_registry().fetch(name, offline=offline, progress=progress, force=force)
