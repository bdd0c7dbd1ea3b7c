"""stance: label the sentences of news and advocacy texts as claim, quote or loaded.

The top level is what README documents: :func:`load`, :func:`train`, :class:`StanceModel`, the
result types :class:`Document` and :class:`LabelledSentence`, :data:`LABELS`, and the packages
below (imported on first use, so ``import stance`` stays light).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
LABELS: tuple[str, ...] = ("claim", "quote", "loaded")  # the codebook's three labels: the one definition

_FUNCTIONS = {"load": "stance.hub", "train": "stance.training", "StanceModel": "stance.model",
              "Document": "stance.text", "LabelledSentence": "stance.text"}
_PACKAGES = ("text", "pipeline", "model", "corpora", "recipes", "evaluate", "training", "hub", "labelling", "errors")

__all__ = ["__version__", "LABELS", *_FUNCTIONS, *_PACKAGES]


def __getattr__(name: str) -> Any:  # PEP 562: the names of __all__, imported on first use
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(_FUNCTIONS[name]), name)
    if name in _PACKAGES:
        return importlib.import_module(f"stance.{name}")
    from ._compat import moved

    return moved(name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


from ._compat import install as _install_compat  # noqa: E402

_install_compat()
