"""The model file format: what ``StanceModel.save()`` writes and what ``read()`` checks.

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

Which file to load (the shipped default, a published name, a path) is decided in
:mod:`stance.loading`; this module knows only the format.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ._paths import PACKAGE_DIR, existing_file, readable_by_umask
from .errors import ArtifactError, VersionWarning

__all__ = ["save", "read", "card_path", "check_versions", "ArtifactError", "VersionWarning", "FORMAT",
           "FORMAT_VERSION", "DEFAULT_PATH"]

FORMAT = "stance-model"
FORMAT_VERSION = 1
DEFAULT_PATH = PACKAGE_DIR / "data" / "models" / "default.joblib"


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
        if p.is_dir():
            raise IsADirectoryError(f"{p} is a directory; give the path of the model file to write")
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
        readable_by_umask(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(path: str | Path) -> dict[str, Any]:
    """The checked payload dict of an artifact file."""
    import joblib

    path = existing_file(path, ArtifactError, "is a directory, not a stance model file", FileNotFoundError,
                         "no such model file")
    try:
        payload = joblib.load(path)
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        raise ArtifactError(f"{path}: not a stance model artifact, or a damaged or truncated one (joblib could not read "
                            f"it: {type(exc).__name__}{': ' + detail if detail else ''}); if stance wrote it, write or "
                            "download it again") from None
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


def check_versions(card: dict[str, Any], source: str, compiled: bool) -> None:
    from importlib.metadata import version

    saved = card.get("sklearn_version")
    here = version("scikit-learn")
    if saved and saved != here:
        effect = ("predictions use the compiled form and are unaffected; the scikit-learn estimator inside "
                  "may not load" if compiled else "the estimator may fail to load or predict differently")
        warnings.warn(f"{source} was saved with scikit-learn {saved}, this is {here}: {effect}. "
                      "Retrain it with stance-train to match.", VersionWarning, stacklevel=3)
