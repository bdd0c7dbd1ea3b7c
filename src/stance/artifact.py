"""Model artifacts: ``stance.load()`` and ``StanceModel.save()``.

An artifact is a joblib file holding one dict::

    {"format": "stance-model", "format_version": 1,
     "card": {...},            # model name, versions, labels, data fingerprint, metrics
     "compiled": {...} | None, # numpy-only scoring data (see stance.compiled)
     "estimator": bytes}       # the pickled scikit-learn estimator, unpickled lazily

The card is also written beside the file as ``<stem>.card.json``. Loading
checks the format and version and says clearly what is wrong; a different
scikit-learn version gives a warning (predictions of compiled models do not
depend on it). Loading a joblib file runs code: load only files you trust.
Downloaded models are loaded only after their sha256 matches the manifest in
the installed package (:mod:`stance.registry`).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ._paths import PACKAGE_DIR

__all__ = ["load", "save", "ArtifactError", "VersionWarning", "FORMAT", "FORMAT_VERSION", "DEFAULT_PATH"]

FORMAT = "stance-model"
FORMAT_VERSION = 1
DEFAULT_PATH = PACKAGE_DIR / "data" / "models" / "default.joblib"
_warned: set[str] = set()


class ArtifactError(ValueError):
    """A file is not a usable stance artifact; the message says why."""


class VersionWarning(UserWarning):
    """The artifact was saved with other library versions than the installed ones."""


def card_path(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(p.stem + ".card.json")


def save(model: Any, path: str | Path, *, force: bool = False) -> Path:
    """Write ``model`` to ``path`` atomically; refuse to overwrite without ``force``."""
    import json

    import joblib

    path = Path(path)
    card_file = card_path(path)
    for p in (path, card_file):
        if p.exists() and not force:
            raise FileExistsError(f"{p} already exists; pass force=True (--force) to overwrite it")
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"{path.parent}: no such directory")
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "card": model.card,
        "compiled": model._spec,
        "estimator": pickle.dumps(model.estimator, protocol=pickle.HIGHEST_PROTOCOL),
    }
    _atomic(path, lambda fh: joblib.dump(payload, fh, compress=3))
    _atomic(card_file, lambda fh: fh.write(json.dumps(model.card, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"))
    return path


def _atomic(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(path: str | Path) -> dict[str, Any]:
    """The checked payload dict of an artifact file."""
    import joblib

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such model file")
    if path.is_dir():
        raise ArtifactError(f"{path}: is a directory, not a stance model file")
    try:
        payload = joblib.load(path)
    except Exception as exc:
        raise ArtifactError(f"{path}: not a stance model artifact (joblib could not read it: {type(exc).__name__})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ArtifactError(f"{path}: not a stance model artifact (no '{FORMAT}' format marker); "
                            "save models with StanceModel.save() or stance-train")
    version = payload.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArtifactError(f"{path}: artifact format version {version!r} is newer than this stance understands "
                            f"({FORMAT_VERSION}); upgrade stance")
    for key in ("card", "estimator"):
        if key not in payload:
            raise ArtifactError(f"{path}: damaged stance artifact (missing {key!r})")
    return payload


def _from_payload(payload: dict[str, Any], source: str, rebuild=None):
    from .model import StanceModel

    return StanceModel(card=payload["card"], compiled=payload.get("compiled"),
                       estimator_bytes=payload["estimator"], rebuild=rebuild, source=source)


def _check_versions(card: dict[str, Any], source: str, compiled: bool) -> None:
    from importlib.metadata import version

    saved = card.get("sklearn_version")
    here = version("scikit-learn")
    if saved and saved != here:
        effect = ("predictions use the compiled form and are unaffected; the scikit-learn estimator inside "
                  "may not load" if compiled else "the estimator may fail to load or predict differently")
        warnings.warn(f"{source} was saved with scikit-learn {saved}, this is {here}: {effect}. "
                      "Retrain it with stance-train to match.", VersionWarning, stacklevel=3)


def load(name_or_path: str | os.PathLike | None = None):
    """Load a model: the shipped default, a published model by name, or a local file.

    - ``None`` or ``"default"``: the default model shipped inside the package
      (works offline). If the installed scikit-learn cannot load its estimator,
      it is rebuilt deterministically from the shipped corpus, cached, and a
      warning is given once.
    - a name from ``stance models`` (``"hybrid"``, ...): downloaded on first use
      into the cache and checked against the sha256 pinned in the package.
    - a path to a ``.joblib`` file: your explicit choice to run that file's code.
    """
    if name_or_path is None or name_or_path == "default":
        return _load_default()
    p = Path(name_or_path)
    looks_like_path = isinstance(name_or_path, os.PathLike) or p.suffix or os.sep in str(name_or_path) or p.exists()
    if not looks_like_path:
        from . import registry

        name = str(name_or_path)
        if name in _TRAIN_LOCALLY and name not in registry.names():
            return _train_cached(name)
        path = registry.fetch(name)
        payload = read(path)
        return _from_payload(payload, f"model {name_or_path!r}")
    payload = read(p)
    _check_versions(payload["card"], str(p), payload.get("compiled") is not None)
    return _from_payload(payload, str(p))


# Models whose artifact holds no weights of its own (the embedding model comes from
# its own package): without a published artifact they are trained from the shipped
# corpus on first use, deterministically, and cached.
_TRAIN_LOCALLY = ("embed",)


def _train_cached(name: str):
    from importlib.metadata import version

    from . import __version__
    from ._paths import cache_dir
    from .training import train

    cached = cache_dir() / "models" / f"{name}-trained-{__version__}-sklearn{version('scikit-learn')}.joblib"
    if cached.exists():
        try:
            return _from_payload(read(cached), str(cached))
        except ArtifactError:
            cached.unlink(missing_ok=True)
    if name not in _warned:
        _warned.add(name)
        warnings.warn(f"no published {name!r} artifact: training it from the shipped corpus (seed 0) and caching it "
                      f"at {cached}", UserWarning, stacklevel=3)
    model = train(name, seed=0)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        save(model, cached, force=True)
    except OSError:
        pass
    return model


def _load_default():
    if not DEFAULT_PATH.exists():
        warnings.warn("the shipped default model is missing from this installation; rebuilding it from the "
                      "shipped corpus", VersionWarning, stacklevel=3)
        return _rebuild_default()
    payload = read(DEFAULT_PATH)
    return _from_payload(payload, "the shipped default model", rebuild=_rebuild_default_estimator)


def _rebuild_default():
    """Train the default model from the shipped corpus and cache it (warns once)."""
    from importlib.metadata import version

    from . import __version__
    from ._paths import cache_dir
    from .training import train

    cached = cache_dir() / "models" / f"default-rebuilt-{__version__}-sklearn{version('scikit-learn')}.joblib"
    if cached.exists():
        try:
            payload = read(cached)
            model = _from_payload(payload, str(cached))
            model.estimator  # noqa: B018 - make sure it loads here
            return model
        except Exception:
            cached.unlink(missing_ok=True)
    if "rebuild" not in _warned:
        _warned.add("rebuild")
        warnings.warn("the shipped default model could not be loaded with the installed scikit-learn; rebuilt it "
                      f"from the shipped corpus (same data and seed) and cached it at {cached}", VersionWarning,
                      stacklevel=4)
    model = train("hybrid", seed=0)
    card_default = read(DEFAULT_PATH)["card"] if DEFAULT_PATH.exists() else {}
    if card_default.get("metrics"):
        model.card["metrics"] = card_default["metrics"]
    model.card["rebuilt_from_corpus"] = True
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        save(model, cached, force=True)
    except OSError:
        pass  # a read-only cache only costs a retrain next time
    return model


def _rebuild_default_estimator():
    return _rebuild_default().estimator
