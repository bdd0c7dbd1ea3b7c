"""stance: label the sentences of news and advocacy texts as claim, quote or loaded.

The top level stays light: heavy modules (scikit-learn, datasets) are imported
only when the function that needs them is called.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
LABELS = ("claim", "quote", "loaded")

__all__ = ["__version__", "LABELS", "load", "train", "corpus", "models", "evaluate"]


def __getattr__(name: str) -> Any:  # PEP 562 lazy attributes
    import importlib

    if name in ("corpus", "models", "evaluate", "segment", "features", "registry", "uncertainty"):
        return importlib.import_module(f"stance.{name}")
    if name == "train":
        from .training import train

        return train
    if name == "load":
        from .artifact import load

        return load
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
