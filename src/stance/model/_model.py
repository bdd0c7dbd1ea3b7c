"""A fitted stance model: predict, label whole texts, explain, save.

:class:`StanceModel` holds a model card and a way to score sentences: a scoring spec (plain data
that :mod:`stance.model._scoring` scores with numpy alone, so labelling never imports scikit-learn)
and/or the fitted scikit-learn estimator, kept pickled until something needs it. It converts to
and from :class:`~stance.model.ModelData`, the plain data the file format writes and reads.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from stance.text import (
    CUE_DESCRIPTIONS,
    CUE_NAMES,
    LEXICAL_DESCRIPTIONS,
    Document,
    check_texts,
    cue_matches,
    cue_matrix,
)

from ._format import ModelData, write
from ._scoring import CompiledModel, check_spec

__all__ = ["StanceModel"]


class StanceModel:
    """A fitted model with its card. Create with :func:`stance.train` or :func:`stance.load`."""

    def __init__(self, estimator: Any = None, card: dict[str, Any] | None = None, *,
                 compiled: dict[str, Any] | None = None, estimator_bytes: bytes | None = None,
                 rebuild: Callable[[], Any] | None = None, source: str | None = None, trusted: bool = True):
        """``estimator``: a fitted scikit-learn estimator; ``compiled``: its scoring spec (made by
        :func:`stance.recipes.compile_estimator`; pass it with the estimator when it can be compiled);
        ``estimator_bytes``: the estimator pickled, unpickled on first use if ``trusted``."""
        if estimator is None and estimator_bytes is None and compiled is None:
            raise ValueError("a StanceModel needs an estimator, its pickled bytes, or a compiled form")
        self._estimator = estimator
        self._estimator_bytes = estimator_bytes
        self._trusted = trusted
        self._rebuild = rebuild
        self.card: dict[str, Any] = dict(card or {})
        self.source = source
        self.scoring = compiled
        self._compiled: Any = None
        if compiled is not None and compiled.get("kind") == "encoder":
            from ._encoder import EncoderScorer

            problem = check_spec(compiled)
            if problem:
                raise ValueError(f"not a scoring spec stance can use: {problem}")
            self._compiled = EncoderScorer(compiled)
        elif compiled is not None:
            self._compiled = CompiledModel(compiled)
        if self._compiled is not None:
            self.classes_ = self._compiled.classes_
        elif estimator is not None:
            self.classes_ = np.asarray([str(c) for c in estimator.classes_], dtype=object)
        else:
            self.classes_ = np.asarray(self.card.get("labels", []), dtype=object)
        self.card.setdefault("labels", [str(c) for c in self.classes_])

    # ------------------------------------------------------------------ the estimator
    @property
    def name(self) -> str:
        return str(self.card.get("model", "model"))

    @property
    def estimator(self) -> Any:
        """The fitted scikit-learn estimator, for refitting or inspection.

        Stored pickled in the model file, and unpickled on first use only if the file was loaded
        with ``trusted=True`` (the shipped default and checked downloads are; a file given by path is
        not unless you say so): unpickling runs code. Labelling never needs it for the models with
        a data-only scoring form (``hybrid``, ``embed``, ``tfidf-lr``, ``rules``, ``majority``).
        """
        if self._estimator is None:
            if self._estimator_bytes is None:
                from stance.errors import ArtifactError

                raise ArtifactError(f"{self.source or 'this model'} was saved without its scikit-learn estimator")
            if not self._trusted:
                from stance.errors import UntrustedModelError

                raise UntrustedModelError(
                    f"the scikit-learn estimator inside {self.source or 'this model file'} is a pickle, and "
                    "unpickling runs code: load the file with stance.load(path, trusted=True) if you trust it")
            try:
                self._estimator = pickle.loads(self._estimator_bytes)  # noqa: S301 - checked artifact
            except Exception as exc:  # an incompatible scikit-learn, most often
                if self._rebuild is None:
                    from stance.errors import ArtifactError

                    raise ArtifactError(
                        f"the scikit-learn estimator inside {self.source or 'this artifact'} cannot be loaded with "
                        f"the installed scikit-learn {_installed('scikit-learn')} (it was saved with "
                        f"{self.card.get('sklearn_version')}): {type(exc).__name__}: {exc}. Retrain it with "
                        "stance-train, or install the scikit-learn version it was saved with."
                    ) from None
                self._estimator = self._rebuild()
        return self._estimator

    # ------------------------------------------------------------------ prediction
    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        texts = check_texts(X)
        if self._compiled is not None:
            return self._compiled.predict_proba(texts)
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return np.asarray(self.estimator.predict_proba(texts), dtype=np.float64)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The label of each sentence, as an array of strings."""
        texts = check_texts(X)
        if self._compiled is not None:
            return self._compiled.predict(texts)
        if not texts:
            return np.zeros(0, dtype=object)
        return np.asarray(self.estimator.predict(texts), dtype=object)

    # ------------------------------------------------------------------ whole texts
    def label_text(self, text: str, *, explain: bool = False, k: int = 3, id: str | None = None,
                   language: str = "en", offset: int = 0, headline: bool = True) -> Document:
        """Segment ``text``, exclude non-assertions (with the reason), label the rest
        (:func:`stance.pipeline.label_text`). ``text[s.start:s.end] == s.text`` for every sentence."""
        from stance import pipeline

        return pipeline.label_text(self, text, explain=explain, k=k, id=id, language=language, offset=offset,
                                   headline=headline)

    def label_sentences(self, sentences: Sequence[str], *, explain: bool = False, k: int = 3,
                        id: str | None = None, starts: Sequence[int] | None = None) -> Document:
        """Label sentences given one by one, without segmentation (:func:`stance.pipeline.label_sentences`)."""
        from stance import pipeline

        return pipeline.label_sentences(self, sentences, explain=explain, k=k, id=id, starts=starts)

    # ------------------------------------------------------------------ explanations
    def explain(self, sentence: str, k: int = 5, label: str | None = None) -> list[dict[str, Any]]:
        """The ``k`` features that pushed ``sentence`` most toward ``label`` (default: the prediction).

        Each item: ``feature`` (the n-gram or cue), ``kind`` (``words``, ``cue``
        or ``rule``), ``weight`` (its contribution to the label's score minus its
        mean contribution to the other labels), ``description`` in plain words.
        """
        if not isinstance(sentence, str):
            raise TypeError(f"explain expects one sentence (a string), got {type(sentence).__name__}")
        if label is None:
            label = str(self.predict([sentence])[0])
        if label not in list(self.classes_):
            raise ValueError(f"unknown label {label!r}; this model's labels are {', '.join(self.classes_)}")
        c = list(self.classes_).index(label)
        kind = (self.scoring or {}).get("kind")
        if kind == "encoder":
            return self._compiled.explain(sentence, label, k)
        if kind == "linear":
            items = self._compiled.contributions(sentence)
        elif kind == "rules":
            return _explain_rules(sentence, label, k)
        else:
            items = self._generic_contributions(sentence)
        matches = cue_matches(sentence)
        author_voice = self._author_voice()
        scored = []
        for kind, name, value, contrib in items:
            others = np.delete(contrib, c)
            w = float(contrib[c] - (others.mean() if len(others) else 0.0))
            if w <= 0:
                continue
            scored.append({"feature": name, "kind": {"tfidf": "words", "cues": "cue", "rules": "rule"}.get(kind, kind),
                           "weight": round(w, 4), "description": _describe(kind, name, matches, author_voice)})
        scored.sort(key=lambda d: -d["weight"])
        return scored[:k]

    def _author_voice(self) -> bool:
        spec = self.scoring or {}
        return any(b.get("preprocessor") == "author_voice_lower" for b in spec.get("blocks", []))

    def _generic_contributions(self, sentence: str) -> list[tuple[str, str, float, np.ndarray]]:
        """Per-feature contributions for linear-ish scikit-learn pipelines that are not compiled."""
        est = self.estimator
        steps = getattr(est, "steps", None)
        if not steps:
            return []
        feats, clf = est[:-1], steps[-1][1]
        W = None
        if hasattr(clf, "coef_"):
            W = np.asarray(clf.coef_)
        elif hasattr(clf, "feature_log_prob_"):
            # ComplementNB already stores its complement weights negated: larger means more of that class
            W = np.asarray(clf.feature_log_prob_)
        elif hasattr(clf, "calibrated_classifiers_"):
            W = np.mean([np.asarray(cc.estimator.coef_) for cc in clf.calibrated_classifiers_], axis=0)
        if W is None:
            return []
        x = feats.transform([sentence])
        row = np.asarray(x.toarray() if hasattr(x, "toarray") else x)[0]
        names = [str(n) for n in feats.get_feature_names_out()]
        out: list[tuple[str, str, float, np.ndarray]] = []
        dense_contrib = np.zeros(W.shape[0])
        dense_block = None
        for j in np.flatnonzero(row):
            name, v = names[j], float(row[j])
            block, _, local = name.rpartition("__")
            if local.startswith("cue:"):
                out.append(("cues", local[4:], v, W[:, j] * v))
            elif local.startswith("rule:"):
                out.append(("rules", local[5:], v, W[:, j] * v))
            elif local.startswith("lexical:"):
                out.append(("lexical", local[8:], v, W[:, j] * v))
            elif local.startswith("static:"):
                dense_contrib += W[:, j] * v
                dense_block = "static word vectors"
            elif block and local.startswith("emb"):
                dense_contrib += W[:, j] * v  # embedding dimensions mean nothing one by one: sum them
                dense_block = block
            else:
                out.append(("tfidf", local, v, W[:, j] * v))
        if dense_block is not None:
            out.append(("embedding", dense_block, 1.0, dense_contrib))
        return out

    # ------------------------------------------------------------------ persistence
    def to_data(self) -> ModelData:
        """The model as plain data: card, scoring spec, and the estimator's pickled bytes (a stored
        pickle is passed on as it is, never unpickled)."""
        raw = self._estimator_bytes
        if self._estimator is not None:
            raw = pickle.dumps(self._estimator, protocol=pickle.HIGHEST_PROTOCOL)
        return ModelData(card=dict(self.card), scoring=self.scoring, estimator=raw)

    @classmethod
    def from_data(cls, data: ModelData, *, source: str | None = None, trusted: bool = False,
                  rebuild: Callable[[], Any] | None = None) -> StanceModel:
        """A model from :class:`ModelData` (as :func:`stance.model.read` returns it)."""
        return cls(card=data.card, compiled=data.scoring, estimator_bytes=data.estimator, rebuild=rebuild,
                   source=source, trusted=trusted)

    def save(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the model to exactly ``path`` (any suffix; ``.stance`` by convention), atomically.

        The file is data (JSON + numpy arrays, see :mod:`stance.model`) with the card inside;
        refuses to overwrite an existing file unless ``force=True``.
        """
        return write(self.to_data(), path, force=force)

    def __repr__(self) -> str:
        m = (self.card.get("metrics") or {}).get("macro_f1")
        extra = f", lodo_macro_f1={m:.3f}" if isinstance(m, float) else ""
        return f"StanceModel(model={self.name!r}, labels={list(self.classes_)}{extra})"


def _installed(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _describe(kind: str, name: str, matches: dict[str, list[str]], author_voice: bool) -> str:
    if kind == "tfidf":
        if name == "qqquote" or "qqquote" in name.split():
            return "a quotation stands here (the quoted words themselves are set aside)"
        where = ", in the author's own voice (outside quotation marks)" if author_voice else ""
        return f"the words “{name}”{where}"
    if kind == "cues":
        desc = CUE_DESCRIPTIONS.get(name, name)
        words = matches.get(name) or (matches.get("quotation") if name in ("has_quote", "scare_quote") else None)
        return f"{desc}: {', '.join(words[:4])}" if words else desc
    if kind == "rules":
        return f"the codebook's hand-written rules point to {name}"
    if kind == "embedding":
        if name == "static word vectors":
            return "the overall meaning of the author's own words (static word vectors), taken together"
        return "the overall meaning of the author's own words (sentence embedding), taken together"
    if kind == "lexical":
        return LEXICAL_DESCRIPTIONS.get(name, name)
    return name


def _explain_rules(sentence: str, label: str, k: int) -> list[dict[str, Any]]:
    M = cue_matrix([sentence])[0]
    matches = cue_matches(sentence)
    wanted = {"loaded": ("evaluative", "pejorative_label", "scare_quote"),
              "quote": ("has_quote", "speech_verb", "attribution_phrase"),
              "claim": ()}[label]
    out = []
    for name in wanted:
        v = float(M[CUE_NAMES.index(name)])
        if v > 0:
            out.append({"feature": name, "kind": "cue", "weight": v,
                        "description": _describe("cues", name, matches, True)})
    if not out:
        out.append({"feature": "no cue", "kind": "rule", "weight": 1.0,
                    "description": "no loaded wording and no attribution cue: the rules fall back to claim"
                    if label == "claim" else f"the rules chose {label}"})
    return out[:k]
