"""stance: label the sentences of news and advocacy texts as claim, quote or loaded.

The top level stays light: heavy modules (scikit-learn, datasets) are imported
only when the function that needs them is called.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
LABELS: tuple[str, ...] = ("claim", "quote", "loaded")  # the codebook's three labels: the one definition

__all__ = ["__version__", "LABELS", "load", "train", "StanceModel", "corpus", "models", "evaluate", "errors"]


def __getattr__(name: str) -> Any:  # PEP 562 lazy attributes
    import importlib

    if name in ("corpus", "models", "evaluate", "segment", "features", "registry", "uncertainty", "errors", "estimators",
                "batch", "spark", "loading"):
        return importlib.import_module(f"stance.{name}")
    if name == "train":
        from .training import train

        return train
    if name == "load":
        from .loading import load

        return load
    if name == "StanceModel":
        from .stance_model import StanceModel

        return StanceModel
    raise AttributeError(f"module 'stance' has no attribute {name!r}")
