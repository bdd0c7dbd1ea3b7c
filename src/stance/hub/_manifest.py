"""The manifest of published models and where they are kept: plain data, no network.

The package ships the manifest, ``stance/data/registry.json``: the Hub repository, the revision it
pins, and every published model's file name, size, sha256 and headline figures (:class:`Entry`).
``STANCE_MANIFEST`` replaces it with a registry of your own in the same format; ``STANCE_MODELS_DIR``
names a local folder of release files; :func:`cache_dir` is where downloads and models trained on
first use are kept; :func:`mirror` is the Hub mirror ``HF_ENDPOINT`` names, and
:func:`download_timeout` how long a download may go without progress (``STANCE_DOWNLOAD_TIMEOUT``).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from stance._paths import PACKAGE_DIR
from stance.errors import RegistryError

__all__ = ["Entry", "MANIFEST", "MANIFEST_FORMAT", "DEFAULT_ENDPOINT", "DEFAULT_DOWNLOAD_TIMEOUT", "WITHOUT_NETWORK",
           "load_manifest", "cache_dir", "repo_cache_dir", "models_dir", "headline", "sha256sum", "verify", "hex_digest",
           "is_offline", "endpoint", "mirror", "download_timeout"]

MANIFEST = PACKAGE_DIR / "data" / "registry.json"
MANIFEST_FORMAT = 2
DEFAULT_ENDPOINT = "https://huggingface.co"
DEFAULT_DOWNLOAD_TIMEOUT = 60.0  # seconds a download may go without progress
# the two ways to a published model that need no network (messages name them)
WITHOUT_NETWORK = ("STANCE_MODELS_DIR=DIR (a folder of release files built with "
                   "`python scripts/release_models.py --out DIR`) or HF_HUB_OFFLINE=1 with a cache that holds the model")
_TRUE = {"1", "true", "yes", "on"}


def sha256sum(path: str | os.PathLike[str]) -> str:
    """The hex SHA-256 digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def hex_digest(sha256: str) -> str:
    """A sha256 as bare lower-case hex (``sha256:`` prefix dropped)."""
    return sha256.strip().lower().removeprefix("sha256:")


def verify(path: str | os.PathLike[str], sha256: str) -> bool:
    """True if ``path`` is an existing file whose SHA-256 digest is ``sha256``."""
    p = Path(path)
    if not p.is_file():
        return False
    try:
        return sha256sum(p) == hex_digest(sha256)
    except OSError:
        return False


def cache_dir() -> Path:
    """The directory where stance keeps models: downloads, and the ones it trains on first use.

    ``$STANCE_HOME/models`` when ``STANCE_HOME`` is set, else ``models`` under
    ``platformdirs.user_cache_dir("stance")`` (``~/.cache/stance/models`` on Linux). Created by
    whoever writes into it first.
    """
    home = os.environ.get("STANCE_HOME")
    if home:
        return Path(home).expanduser() / "models"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("stance", appauthor=False)) / "models"


def is_offline() -> bool:
    """True if the environment asks for offline mode: ``STANCE_OFFLINE=1``, or ``HF_HUB_OFFLINE=1`` (or
    ``TRANSFORMERS_OFFLINE=1``, which huggingface_hub also obeys)."""
    return any(os.environ.get(v, "").strip().lower() in _TRUE
               for v in ("STANCE_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def endpoint() -> str:
    """The Hub to download from: ``$HF_ENDPOINT`` (a mirror) or ``https://huggingface.co``."""
    return (os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_ENDPOINT).rstrip("/")


def mirror() -> str | None:
    """The Hub mirror ``$HF_ENDPOINT`` names; ``None`` when unset or set to the Hub itself."""
    return endpoint() if endpoint() != DEFAULT_ENDPOINT else None


def download_timeout() -> float:
    """Seconds a download may go without progress: ``$STANCE_DOWNLOAD_TIMEOUT``, else 60."""
    raw = os.environ.get("STANCE_DOWNLOAD_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_DOWNLOAD_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise RegistryError(f"STANCE_DOWNLOAD_TIMEOUT must be a number of seconds above 0, got {raw!r}")
    return seconds


def repo_cache_dir(cache: Path, repo_id: str) -> Path:
    """The folder of a Hub model repository in a cache laid out as huggingface_hub lays it out."""
    return cache / ("models--" + repo_id.replace("/", "--"))


def models_dir() -> Path | None:
    """``$STANCE_MODELS_DIR``, a local folder of release files used in place; ``None`` when unset."""
    d = os.environ.get("STANCE_MODELS_DIR", "").strip()
    return Path(d).expanduser() if d else None


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
