"""Names of the ladder an evaluation is asked for, checked before any work."""

from __future__ import annotations

from typing import Sequence

from stance.errors import EvaluationError


def _known(names: Sequence[str]) -> str:
    return ", ".join(names)


def _all_names() -> list[str]:
    """Every model of the ladder, optional ones (``embed``) included."""
    from stance import recipes

    return list(recipes.names())


def check_names(requested: Sequence[str]) -> list[str]:
    """``requested`` if every name is a model of the ladder, named once, whose estimator can be built
    here (optional extras installed); else an :class:`EvaluationError` saying which is not."""
    from stance import recipes

    known = _all_names()
    bad = [n for n in requested if n not in known]
    if bad:
        raise EvaluationError(f"unknown model{'s' if len(bad) > 1 else ''} {', '.join(map(repr, bad))}; known models: {_known(known)}")
    if len(set(requested)) != len(requested):
        raise EvaluationError("each model may be named only once in --models")
    for n in requested:
        try:
            recipes.make(n)
        except ImportError as exc:
            raise EvaluationError(f"model {n!r} cannot be built here: {exc}") from None
    return list(requested)
