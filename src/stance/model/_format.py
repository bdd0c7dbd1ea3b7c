"""The model file format: :func:`write` and :func:`read`, mirror images over :class:`ModelData`.

A stance model file is data. It is a zip archive (any file name, any suffix) holding:

- ``model.json`` -- ``{"format": "stance-model", "format_version": 2, "card": {...},
  "scoring": {...} | null, "parts": {"arrays/coef.npy": "sha256:...", ...},
  "estimator": {"part": "estimator.pkl", "serialisation": "pickle", ...} | null}``.
  ``scoring`` is what the label path needs (vocabularies, thresholds, feature blocks; see
  :mod:`stance.model._spec`), each numpy array replaced by ``{"$array": "arrays/NAME.npy"}`` and
  each run of bytes (an encoder's ``model.onnx``, its ``tokenizer.json``) by ``{"$blob": "blobs/NAME"}``;
- ``arrays/NAME.npy`` -- those arrays in numpy's own format, read with ``allow_pickle=False``;
- ``blobs/NAME`` -- those bytes, as they are (an ONNX network is data: onnxruntime parses it, nothing in
  it runs as Python);
- ``estimator.pkl`` -- optional: the fitted scikit-learn estimator, pickled, for refitting and
  for models with no data-only scoring form (``tfidf-svm``, ``nb``).

``read()`` checks the format marker and version and the sha256 of every part before anything is
used, and never unpickles: the estimator part stays bytes. Anyone can recompute those hashes, so the
file is read as untrusted data: each part's declared size is capped before it is inflated and what it
inflates to is never more than it declares; arrays are plain numbers whose header fits their bytes; the
scoring spec is checked whole by :func:`stance.model.check_spec` before it is returned. Unpickling
runs code, so it happens only when the caller has said it trusts the file (``stance.load(path,
trusted=True)``, ``--trust``), the way skops asks for trusted types. Files of format version 1 (joblib
pickles written by stance 0.1) are read only with ``trusted=True``; saving such a model again writes
the data format.

Every write goes to a temporary file beside the target, moved into place once complete, so a
killed process leaves the old file or none, never a partial one. Which file to load (the shipped
default, a published name, a path) is decided in :mod:`stance.hub`; this module knows only the
format, and works on plain data: it never sees a model object.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance._paths import PACKAGE_DIR, check_output, existing_file, write_atomic
from stance.errors import ArtifactError, ModelFileMissing, UntrustedModelError, VersionWarning

from ._spec import check_spec

__all__ = ["ModelData", "write", "read", "to_bytes", "check_versions", "FORMAT", "FORMAT_VERSION", "DEFAULT_PATH",
           "SUFFIX"]

FORMAT = "stance-model"
FORMAT_VERSION = 2
SUFFIX = ".stance"
DEFAULT_PATH = PACKAGE_DIR / "data" / "models" / ("default" + SUFFIX)
_JSON = "model.json"
_ESTIMATOR = "estimator.pkl"
_ARRAY = "$array"
_BLOB = "$blob"
# Caps on what a part may declare before it is inflated: a model file is untrusted data.
_MAX_PART = 512 << 20
_MAX_TOTAL = 1 << 30
_CHUNK = 1 << 20  # inflated at a time
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so that the same model gives the same bytes
_MAX_JSON = 32 << 20  # the shipped default's is 1.4 MB; parsed JSON takes up to ~25 times its size


@dataclass(frozen=True)
class ModelData:
    """What a model file holds, as plain data.

    ``card``: the model card (JSON values); ``scoring``: the scoring spec that the label path scores
    with numpy (JSON values and numpy arrays), or ``None``; ``estimator``: the fitted scikit-learn
    estimator, pickled, or ``None``; ``format_version``: the version of the file it was read from.
    """

    card: dict[str, Any]
    scoring: dict[str, Any] | None = None
    estimator: bytes | None = None
    format_version: int = FORMAT_VERSION


# --------------------------------------------------------------------------- write
def write(data: ModelData, path: str | Path, *, force: bool = False) -> Path:
    """Write ``data`` to exactly ``path`` (whatever its suffix), atomically; refuse to overwrite
    an existing file without ``force``."""
    path = check_output(path, force=force, what="model file")  # before the model is serialised
    return write_atomic(path, to_bytes(data), force=force, what="model file")


def to_bytes(data: ModelData) -> bytes:
    """The bytes of the file that holds ``data``: the same data gives the same bytes."""
    import numpy as np

    arrays: dict[str, Any] = {}
    scoring = None if data.scoring is None else _encode(data.scoring, arrays, "")
    parts: dict[str, bytes] = {}
    for name, arr in arrays.items():
        if isinstance(arr, bytes):
            parts[name] = arr
            continue
        if arr.dtype.hasobject:
            raise ArtifactError(f"cannot save array {name!r} of dtype object as data")
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
        parts[name] = buf.getvalue()
    estimator = None
    if data.estimator is not None:
        parts[_ESTIMATOR] = data.estimator
        estimator = {"part": _ESTIMATOR, "serialisation": "pickle",
                     "sklearn_version": data.card.get("sklearn_version"),
                     "note": "unpickled only by stance.load(path, trusted=True): unpickling runs code"}
    doc = {"format": FORMAT, "format_version": FORMAT_VERSION, "card": data.card, "scoring": scoring,
           "estimator": estimator,
           "parts": {name: "sha256:" + hashlib.sha256(b).hexdigest() for name, b in sorted(parts.items())}}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _member(zf, _JSON, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8"))
        for name in sorted(parts):
            _member(zf, name, parts[name])
    return buf.getvalue()


def _member(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    zf.writestr(info, data, compresslevel=6)


def _encode(obj: Any, arrays: dict[str, Any], where: str) -> Any:
    import numpy as np

    if isinstance(obj, (np.ndarray, bytes)):
        blob = isinstance(obj, bytes)
        name = f"blobs/{where.strip('.') or 'blob'}" if blob else f"arrays/{where.strip('.') or 'array'}.npy"
        if name in arrays:
            raise ArtifactError(f"two parts would be stored as {name}")
        arrays[name] = obj
        return {_BLOB if blob else _ARRAY: name}
    if isinstance(obj, dict):
        if _ARRAY in obj or _BLOB in obj:
            raise ArtifactError(f"a key named {_ARRAY!r} or {_BLOB!r} cannot be stored ({where})")
        return {str(k): _encode(v, arrays, f"{where}.{k}") for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_encode(v, arrays, f"{where}.{i}") for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    raise ArtifactError(f"cannot store a {type(obj).__name__} as data ({where.strip('.')})")


# --------------------------------------------------------------------------- read
def read(path: str | Path, *, trusted: bool = False) -> ModelData:
    """The checked contents of a model file.

    Nothing is unpickled, except for a file of format version 1 (a joblib pickle), read only with
    ``trusted=True``.
    """
    path = existing_file(path, ArtifactError, "is a directory, not a stance model file", ModelFileMissing,
                         "no such model file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot read the model file: {exc.strerror or exc}") from None
    if not head.startswith(b"PK"):
        # joblib's zlib stream (compress=1..9) or a pickle's protocol marker (2-5): stance 0.1's format
        if head[:2] in (b"x\x01", b"x^", b"x\x9c", b"x\xda") or (head[:1] == b"\x80" and head[1:2] in
                                                                    (b"\x02", b"\x03", b"\x04", b"\x05")):
            return _read_pickled(path, trusted)
        raise ArtifactError(f"{path}: not a stance model file (it is not a zip archive); save models with "
                            "StanceModel.save() or stance-train")
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_zip(path, zf)
    except zipfile.BadZipFile as exc:
        raise ArtifactError(f"{path}: a damaged or truncated stance model file ({exc}); if stance wrote it, "
                            "write or download it again") from None
    except ArtifactError:
        raise
    except (zlib.error, OSError, EOFError, ValueError, KeyError, RuntimeError, NotImplementedError) as exc:
        raise ArtifactError(f"{path}: a damaged or truncated stance model file ({type(exc).__name__}: "
                            f"{_first_line(exc)}); if stance wrote it, write or download it again") from None


def _read_zip(path: Path, zf: zipfile.ZipFile) -> ModelData:
    import numpy as np

    names = set(zf.namelist())
    if _JSON not in names:
        raise ArtifactError(f"{path}: not a stance model file (a zip archive without {_JSON})")
    if zf.getinfo(_JSON).file_size > _MAX_JSON:
        raise ArtifactError(f"{path}: {_JSON} is implausibly large; not a stance model file")
    try:
        doc = json.loads(_inflate(path, zf, _JSON).decode("utf-8"), parse_constant=_no_constant)
    except ValueError as exc:  # not UTF-8, not JSON, NaN or Infinity (stance never writes them)
        raise ArtifactError(f"{path}: {_JSON} is not valid JSON ({_first_line(exc)}); a damaged model file") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ArtifactError(f"{path}: not a stance model file (no '{FORMAT}' format marker in {_JSON})")
    version = doc.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 2:
        raise ArtifactError(f"{path}: model file format version {version!r} is not one this stance reads")
    if version > FORMAT_VERSION:
        raise ArtifactError(f"{path}: model file format version {version} is newer than this stance understands "
                            f"({FORMAT_VERSION}); upgrade stance")
    parts = doc.get("parts")
    if not isinstance(parts, dict) or not isinstance(doc.get("card"), dict):
        raise ArtifactError(f"{path}: damaged stance model file ({_JSON} lacks its card or its list of parts)")
    total = 0
    for name in parts:
        if name not in names:
            raise ArtifactError(f"{path}: damaged stance model file (part {name} is missing)")
        size = zf.getinfo(name).file_size  # declared, checked before anything is inflated
        total += size
        if size > _MAX_PART or total > _MAX_TOTAL:
            raise ArtifactError(f"{path}: part {name} declares {size} bytes, more than a stance model file may hold "
                                f"({_MAX_PART >> 20} MiB a part, {_MAX_TOTAL >> 20} MiB in all); not read")
    blobs: dict[str, bytes] = {}
    for name, digest in parts.items():
        data = _inflate(path, zf, name)
        if not isinstance(digest, str) or "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            raise ArtifactError(f"{path}: damaged stance model file (part {name} does not match its sha256); "
                                "write or download it again")
        blobs[name] = data

    def array(name: Any, blob: bool = False) -> Any:
        if not isinstance(name, str) or name not in blobs or (name.endswith(".npy") == blob):
            raise ArtifactError(f"{path}: damaged stance model file (part {name!r} is not among its parts)")
        if blob:
            return blobs[name]
        try:
            return _npy(blobs[name])
        except ValueError as exc:
            raise ArtifactError(f"{path}: array {name} cannot be read as data ({_first_line(exc)})") from None

    scoring = _decode(doc.get("scoring"), array)
    if scoring is not None and (not isinstance(scoring, dict) or "kind" not in scoring or "classes" not in scoring):
        raise ArtifactError(f"{path}: damaged stance model file (its scoring section lacks kind or classes)")
    problem = None if scoring is None else check_spec(scoring)
    if problem:
        raise ArtifactError(f"{path}: a model stance will not score: {problem}")
    est = doc.get("estimator")
    est_bytes = None
    if isinstance(est, dict):
        part = est.get("part")
        if est.get("serialisation") != "pickle" or part not in blobs:
            raise ArtifactError(f"{path}: damaged stance model file (estimator part {part!r} is missing)")
        est_bytes = blobs[part]
    if scoring is None and est_bytes is None:
        raise ArtifactError(f"{path}: damaged stance model file (neither a scoring section nor an estimator)")
    return ModelData(card=doc["card"], scoring=scoring, estimator=est_bytes, format_version=version)


def _inflate(path: Path, zf: zipfile.ZipFile, name: str) -> bytes:
    """The bytes of member ``name``, never more than it declares, a megabyte at a time.

    ``ZipFile.read`` stops at the declared size but inflates up to 2 GiB in one step before it cuts, so a
    header that lies about a small part would still cost that much memory; read in chunks, zipfile
    inflates at most a chunk ahead. A member that carries more compressed bytes than its declared size
    can take, or is compressed other than as stance writes (stored or deflated), is refused unread.
    """
    info = zf.getinfo(name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ArtifactError(f"{path}: part {name} is compressed with method {info.compress_type}, not as stance "
                            "writes model files (stored or deflated); not read")
    if info.compress_size > info.file_size + info.file_size // 1000 + 1024:  # deflate never grows data more
        raise ArtifactError(f"{path}: part {name} holds {info.compress_size} compressed bytes for the "
                            f"{info.file_size} it declares, more than deflate ever needs; a forged or damaged model "
                            "file, not read")
    out = io.BytesIO()
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            out.write(chunk)
    if out.tell() != info.file_size:
        raise ArtifactError(f"{path}: part {name} holds {out.tell()} bytes where it declares {info.file_size}; "
                            "a damaged model file")
    return out.getvalue()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _npy(data: bytes) -> Any:
    """A numeric .npy array, its header checked against its bytes before anything is allocated."""
    import numpy as np
    from numpy.lib import format as npy

    fh = io.BytesIO(data)
    version = npy.read_magic(fh)
    if version not in ((1, 0), (2, 0)):
        raise ValueError(f".npy version {version} is not one stance writes")
    shape, _, dtype = (npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0)(fh)
    if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        raise ValueError(f"dtype {dtype} is not a plain number type")
    if math.prod(shape) * dtype.itemsize != len(data) - fh.tell():
        raise ValueError(f"its header says shape {shape} of {dtype}, its data holds {len(data) - fh.tell()} bytes")
    return np.load(io.BytesIO(data), allow_pickle=False)


def _decode(obj: Any, array: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {_ARRAY}:
            return array(obj[_ARRAY])
        if set(obj) == {_BLOB}:
            return array(obj[_BLOB], blob=True)
        return {k: _decode(v, array) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v, array) for v in obj]
    return obj


def _read_pickled(path: Path, trusted: bool) -> ModelData:
    """A format-1 file: a joblib pickle. Loading it runs code, so only with ``trusted=True``."""
    if not trusted:
        raise UntrustedModelError(
            f"{path} is a stance model in the old pickle format (version 1): loading it runs code. If you trust "
            "it, load it with stance.load(path, trusted=True) (--trust), then save it again to write the data format")
    import joblib

    try:
        payload = joblib.load(path)
    except Exception as exc:
        raise ArtifactError(f"{path}: not a stance model file, or a damaged or truncated one (joblib could not "
                            f"read it: {type(exc).__name__}{': ' + _first_line(exc) if str(exc).strip() else ''}); "
                            "if stance wrote it, write or download it again") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ArtifactError(f"{path}: not a stance model file (no '{FORMAT}' format marker)")
    if payload.get("format_version") != 1 or "card" not in payload or "estimator" not in payload:
        raise ArtifactError(f"{path}: a pickled stance model file of unknown version "
                            f"{payload.get('format_version')!r} or missing parts")
    return ModelData(card=payload["card"], scoring=payload.get("compiled"), estimator=payload["estimator"],
                     format_version=1)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def check_versions(card: dict[str, Any], source: str, compiled: bool) -> None:
    from importlib.metadata import version

    saved = card.get("sklearn_version")
    here = version("scikit-learn")
    if saved and saved != here:
        effect = ("predictions use the data-only scoring form and are unaffected; the scikit-learn estimator "
                  "inside may not load" if compiled else "the estimator may fail to load or predict differently")
        warnings.warn(f"{source} was saved with scikit-learn {saved}, this is {here}: {effect}. "
                      "Retrain it with stance-train to match.", VersionWarning, stacklevel=3)
