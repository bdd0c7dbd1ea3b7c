"""Where a named model comes from: the shipped default, the published releases, or training now.

- :func:`load` (``stance.load``): the default shipped inside the package, a published model by name
  (downloaded once with ``huggingface_hub`` and checked against the sha256 the package pins), a
  model of the ladder trained on first use (``embed``), or a file you name;
- :func:`model_file`, :func:`loadable_names`, :func:`catalogue` (what ``stance models`` lists),
  :func:`load_or_fit`;
- the published releases: the manifest (:class:`Registry`, :class:`Entry`, :func:`names`,
  :func:`entries`), the cache (:func:`cache_dir`, :func:`cache_state`, :func:`cache_status`) and
  :func:`fetch` (at most :func:`download_timeout` seconds without progress; from :func:`mirror` when
  the release is not uploaded).
"""

from __future__ import annotations

from ._loading import (
    SHIPPED,
    TRAIN_LOCALLY,
    cache_model,
    catalogue,
    load,
    load_or_fit,
    loadable_names,
    model_file,
    rebuild_default,
)
from ._manifest import (
    MANIFEST,
    WITHOUT_NETWORK,
    Entry,
    cache_dir,
    endpoint,
    headline,
    is_offline,
    load_manifest,
    download_timeout,
    mirror,
    models_dir,
    sha256sum,
    verify,
)
from ._registry import (
    NOT_UPLOADED,
    Registry,
    cache_state,
    cache_status,
    default_registry,
    entries,
    entry,
    fetch,
    is_cached,
    local_path,
    names,
)

__all__ = [
    "load", "model_file", "load_or_fit", "loadable_names", "catalogue", "cache_model", "rebuild_default", "TRAIN_LOCALLY", "SHIPPED",
    "Entry", "Registry", "MANIFEST", "WITHOUT_NETWORK", "load_manifest", "default_registry", "cache_dir", "entries",
    "entry", "names", "local_path", "is_cached", "cache_state", "cache_status", "NOT_UPLOADED", "fetch", "verify",
    "sha256sum", "is_offline", "endpoint", "mirror", "download_timeout", "headline", "models_dir",
]
