"""Which model ``stance.load()`` returns: the loading policy over the file format.

- ``None`` / ``"default"``: the default shipped inside the package (works offline); if the
  installed scikit-learn cannot unpickle its estimator, it is retrained from the shipped data
  (same data and seed), cached, and a warning is given once;
- ``"accurate"``: the fine-tuned encoder shipped inside the package (works offline; labelling with it
  needs the ``onnx`` extra);
- a published name (``stance models``): fetched once into the cache (:mod:`stance.hub`)
  and checked against the sha256 pinned in the package;
- a model of the ladder without a published artifact (``embed``): trained from the
  shipped data on first use and cached;
- a path: that file, read by :func:`stance.model.read` as data. Its pickled scikit-learn estimator
  is unpickled only with ``trusted=True``; a model whose scoring needs it (``tfidf-svm``, ``nb``),
  or an old pickle-format file, loads only with ``trusted=True``.

The shipped default, checked downloads and the models stance trains into its own cache are trusted:
they are as trusted as the installed package (downloads are checked against the sha256 it pins).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from stance.errors import ArtifactError, UnknownModelError, UntrustedModelError, VersionWarning
from stance.model import DEFAULT_PATH, SUFFIX, ModelData, StanceModel, check_versions, read

from . import _registry
from ._manifest import cache_dir

__all__ = ["load", "model_file", "load_or_fit", "loadable_names", "catalogue", "cache_model", "rebuild_default",
           "TRAIN_LOCALLY", "SHIPPED"]

# Models of the ladder that load by name without a published artifact: trained from the shipped
# data on first use, deterministically, and cached (the cache name carries the recipe's hash).
TRAIN_LOCALLY = ("embed",)
# Models shipped inside the package, by the name stance.load takes: they load offline.
SHIPPED = {"default": DEFAULT_PATH, "accurate": DEFAULT_PATH.with_name("accurate" + SUFFIX)}


def _from_payload(payload: ModelData, source: str, rebuild=None, trusted: bool = True) -> StanceModel:
    if payload.scoring is None and not trusted:
        raise UntrustedModelError(
            f"{source} ({payload.card.get('model', 'model')}) has no data-only scoring form: its predictions "
            "need the pickled scikit-learn estimator inside, and unpickling runs code. If you trust the file, "
            "load it with stance.load(path, trusted=True) (--trust)")
    try:
        return StanceModel.from_data(payload, source=source, trusted=trusted, rebuild=rebuild)
    except ValueError as exc:
        raise ArtifactError(f"{source}: damaged stance model file ({exc})") from None


def load(name_or_path: str | os.PathLike | None = None, *, trusted: bool = False):
    """Load a model: the shipped default, a published model by name, or a local file.

    - ``None`` or ``"default"``: the default model shipped inside the package
      (works offline). If the installed scikit-learn cannot load its estimator,
      it is rebuilt deterministically from the shipped corpus, cached, and a
      warning is given once.
    - a name from ``stance models`` (``"hybrid"``, ...): downloaded on first use
      into the cache and checked against the sha256 pinned in the package.
    - a path to a model file (written by ``StanceModel.save`` or ``stance-train``): read as data;
      ``trusted=True`` also allows unpickling the scikit-learn estimator inside it, which runs code
      (needed for ``model.estimator``, for models without a data-only form, and for old
      pickle-format files).
    """
    if name_or_path is None or name_or_path == "default":
        return _load_default()
    if not _is_path(name_or_path):
        name = str(name_or_path)
        if name in SHIPPED and SHIPPED[name].exists():
            return _from_payload(read(SHIPPED[name]), f"the shipped {name} model")
        if name in TRAIN_LOCALLY and name not in _registry.names():
            return _train_cached(name)
        return _from_payload(read(model_file(name)), f"model {name_or_path!r}")
    p = Path(name_or_path)
    payload = read(p, trusted=trusted)
    check_versions(payload.card, str(p), payload.scoring is not None)
    return _from_payload(payload, str(p), trusted=trusted)


def _is_path(name_or_path: str | os.PathLike) -> bool:
    p = Path(name_or_path)
    return isinstance(name_or_path, os.PathLike) or bool(p.suffix) or os.sep in str(name_or_path) or p.exists()


def model_file(name_or_path: str | os.PathLike | None = None) -> Path:
    """The file behind a name :func:`load` takes: the shipped default (``None``/``"default"``), a
    published model (fetched and checked if needed), or the path itself."""
    if name_or_path is None or name_or_path == "default":
        return DEFAULT_PATH
    if _is_path(name_or_path):
        return Path(name_or_path)
    if str(name_or_path) in SHIPPED and SHIPPED[str(name_or_path)].exists():
        return SHIPPED[str(name_or_path)]
    if str(name_or_path) not in _registry.names():
        known, what = (loadable_names(), "names stance.load takes (or the path of a model file)")
        if str(name_or_path) in TRAIN_LOCALLY:  # loads by name, but is trained on first use: no file
            known, what = ["default", *_registry.names()], "models with a file (or the path of one)"
        raise UnknownModelError(str(name_or_path), known, what)
    return _registry.fetch(str(name_or_path))


def _train_cached(name: str):
    import hashlib
    from importlib.metadata import version

    from stance import __version__, recipes
    from stance.training import train

    recipe = hashlib.sha256(repr(recipes.make(name, seed=0)).encode("utf-8")).hexdigest()[:8]
    cached = cache_dir() / f"{name}-{recipe}-trained-{__version__}-sklearn{version('scikit-learn')}{SUFFIX}"
    if cached.exists():
        try:
            return _from_payload(read(cached), str(cached))
        except ArtifactError:
            cached.unlink(missing_ok=True)
    warnings.warn(f"no published {name!r} artifact: training it from the shipped corpus (seed 0) and caching it "
                  f"at {cached}", UserWarning, stacklevel=3)
    model = train(name, seed=0)
    cache_model(model, cached)
    return model


def cache_model(model: StanceModel, path: Path) -> None:
    """Keep a model stance trained in the cache at ``path`` (replacing what is there, atomically); a
    cache that cannot be written costs only a retrain, with a warning that says so."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path, force=True)
    except OSError as exc:
        warnings.warn(f"cannot cache the trained model in {path.parent} ({exc.strerror or exc}); it will be "
                          "trained again next time (set STANCE_HOME to a writable directory)", UserWarning,
                      stacklevel=4)


def _load_default():
    if not DEFAULT_PATH.exists():
        warnings.warn("the shipped default model is missing from this installation; rebuilding it from the "
                      "shipped corpus", VersionWarning, stacklevel=3)
        return rebuild_default()
    payload = read(DEFAULT_PATH)
    return _from_payload(payload, "the shipped default model", rebuild=_rebuild_default_estimator)


def rebuild_default() -> StanceModel:
    """The shipped default trained again from the shipped data (same recipe and seed), cached: what
    :func:`load` falls back on when the installed scikit-learn cannot unpickle the default's estimator,
    or the default's file is missing. Warns when it trains."""
    from importlib.metadata import version

    from stance import __version__
    from stance.training import train

    cached = cache_dir() / f"default-rebuilt-{__version__}-sklearn{version('scikit-learn')}{SUFFIX}"
    if cached.exists():
        try:
            payload = read(cached)
            model = _from_payload(payload, str(cached))
            model.estimator  # noqa: B018 - make sure it loads here
            return model
        except Exception:
            cached.unlink(missing_ok=True)
    warnings.warn("the shipped default model could not be loaded with the installed scikit-learn; rebuilt it "
                  f"from the shipped corpus (same data and seed) and cached it at {cached}", VersionWarning,
                  stacklevel=4)
    model = train("hybrid", seed=0)
    card_default = read(DEFAULT_PATH).card if DEFAULT_PATH.exists() else {}
    if card_default.get("metrics"):
        model.card["metrics"] = card_default["metrics"]
    model.card["rebuilt_from_corpus"] = True
    cache_model(model, cached)
    return model


def _rebuild_default_estimator():
    return rebuild_default().estimator


def loadable_names() -> list[str]:
    """Every name :func:`load` takes: the shipped models, the published ones, the ladder models it trains."""
    published = _registry.names()
    shipped = [n for n, p in SHIPPED.items() if n == "default" or p.exists()]
    return shipped + [n for n in published if n not in shipped] + [n for n in TRAIN_LOCALLY if n not in published]


def load_or_fit(spec: str, seed: int = 0, root: str | os.PathLike | None = None, *,
                trusted: bool = False) -> tuple[Any, str]:
    """A fitted model for ``spec`` and a line saying what it is: a name of the ladder
    (:func:`stance.recipes.names`) is fitted now on the whole corpus under ``root``; anything else
    is what :func:`load` returns for it (a published name or a saved file)."""
    from stance import recipes
    from stance.evaluate import corpus_data

    if spec in recipes.names() and not Path(spec).exists():
        data = corpus_data(root)
        est = recipes.make(spec, seed=seed).fit(data.texts, list(data.labels))
        return est, f"baseline `{spec}` trained now on the whole stance corpus ({len(data)} sentences, seed {seed})"
    model = load(spec, trusted=trusted)
    trained_on = model.card.get("training_data")
    return model, f"saved model `{spec}`" + (f" (trained on: {_brief(trained_on)})" if trained_on else "")


def _brief(x: Any) -> str:
    if isinstance(x, dict):
        what = x.get("description") or x.get("source") or x.get("name")
        x = (f"{what}, {x['rows']} sentences" if what and x.get("rows") else what) or ", ".join(
            f"{k}={v}" for k, v in list(x.items())[:4])
    return str(x)[:200]


def catalogue() -> list[dict[str, Any]]:
    """Every model a user can load or train by name, with what each needs.

    ``kind`` says how: ``"shipped"`` (inside the package: ``stance.load()`` / ``stance.load("accurate")``,
    offline; with the corpus and other-topics figures of its card), ``"ladder"`` (``stance-train --model
    NAME``, ``stance.recipes.make(NAME)``; ``embed`` also loads by name, trained on first use), or
    ``"published"`` (``stance.load(NAME)`` downloads it into the cache; with its version, size, headline
    figures, whether a verified copy is cached (``cache_state``) and what to do about a copy that is not
    (``cache_advice``)). ``needs`` is what it needs beyond stance's own dependencies; ``available``
    whether that is installed here. The shipped default is the ladder's ``hybrid``.
    """
    import importlib.util

    from stance import recipes

    out: list[dict[str, Any]] = []
    for name, path in SHIPPED.items():
        if not path.exists():
            continue
        card = read(path).card
        metrics = card.get("metrics") or {}
        recipe = card.get("model", name)
        encoder = (read(path).scoring or {}).get("kind") == "encoder"
        out.append({"name": name, "kind": "shipped", "model": recipe, "path": str(path), "size": path.stat().st_size,
                    "corpus_lodo": metrics.get("macro_f1"), "other_topics": metrics.get("other_topics") or {},
                    "needs": 'the onnx extra: pip install "stance[onnx]"' if encoder else None,
                    "available": not encoder or importlib.util.find_spec("onnxruntime") is not None})
    for name in recipes.names():
        out.append({"name": name, "kind": "ladder", "description": recipes.describe(name), "needs": recipes.needs(name),
                    "available": recipes.available(name), "loads_by_name": name in TRAIN_LOCALLY,
                    "default": name == recipes.DEFAULT_MODEL})
    reg = _registry.default_registry()
    for e in reg.entries():
        state, advice = reg.cache_status(e.name)
        out.append({**e.to_dict(), "kind": "published", "published": e.published, "headline": e.headline(),
                    "needs": None, "available": True, "cache_state": state, "cache_advice": advice,
                    "cached": state == "yes",
                    "path": str(reg.local_path(e.name))})
    return out
