"""The module paths of stance 0.1, kept working until the version named here removes them.

stance 0.2 grouped its modules into packages (``stance.text``, ``stance.model``, ``stance.recipes``,
``stance.corpora``, ``stance.training``, ``stance.hub``, ``stance.labelling``). Code that imports
an old path (``import stance.models``, ``from stance.corpus import load``), and model files whose
pickled estimator names an old path (``stance.estimators.CueFeatures``), still work: the old
path is an alias of the new package, with a :class:`DeprecationWarning` naming both. This module
is the only place that knows the old names.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings
from typing import Any

REMOVED_IN = "0.3.0"

# old module -> (new module, {old name: new name} where a name changed too)
MOVED: dict[str, tuple[str, dict[str, str]]] = {
    "stance.segment": ("stance.text", {}),
    "stance.exclusion": ("stance.text", {}),
    "stance.features": ("stance.text", {}),
    "stance.lexical": ("stance.text", {}),
    "stance.speakers": ("stance.text", {}),
    "stance.document": ("stance.text", {}),
    "stance.stance_model": ("stance.model", {}),
    "stance.artifact": ("stance.model", {}),
    "stance.compiled": ("stance.model", {"compile_estimator": "stance.recipes"}),
    "stance.models": ("stance.recipes", {}),
    "stance.estimators": ("stance.recipes", {}),
    "stance.corpus": ("stance.corpora", {}),
    "stance.labelled_sets": ("stance.corpora", {}),
    "stance.tables": ("stance.corpora", {}),
    "stance.training_data": ("stance.training", {}),
    "stance.loading": ("stance.hub", {}),
    "stance.registry": ("stance.hub", {}),
    "stance.batch": ("stance.labelling", {}),
    "stance.uncertainty": ("stance.labelling", {}),
    "stance.spark": ("stance.labelling", {"label": "spark_label", "label_files": "spark_label_files",
                                          "session": "spark_session", "SCHEMA": "SPARK_SCHEMA",
                                          "MISSING_EXTRA": "SPARK_MISSING_EXTRA"}),
    "stance.html": ("stance.labelling", {"write": "write_html"}),
}


class _Alias(types.ModuleType):
    """An old module path: every attribute is looked up in the new package."""

    def __init__(self, old: str, new: str, renames: dict[str, str]):
        super().__init__(old, f"Moved to {new}; the old path goes in stance {REMOVED_IN}.")
        self._new = new
        self._renames = renames

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        target = self._renames.get(name, name)
        if target.startswith("stance."):  # the name moved to another package
            return getattr(importlib.import_module(target), name)
        module = importlib.import_module(self._new)
        if not hasattr(module, target) and target.endswith(("Error", "Warning", "Missing")):
            module = importlib.import_module("stance.errors")  # 0.1 modules re-exported the errors they raised
        return getattr(module, target)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(importlib.import_module(self._new))) | set(self._renames))


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        new, renames = MOVED[spec.name]
        warnings.warn(f"{spec.name} is now {new}; the old path goes in stance {REMOVED_IN}", DeprecationWarning,
                      stacklevel=2)
        return _Alias(spec.name, new, renames)

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def install() -> None:
    """Let the old module paths be imported (once per interpreter)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())


def moved(name: str) -> Any:
    """``stance.<name>`` for an old module name, else the AttributeError Python expects."""
    if f"stance.{name}" in MOVED:
        return importlib.import_module(f"stance.{name}")
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
