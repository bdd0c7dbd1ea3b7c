"""Ideas to make stance's loaded signal general, for ``experiments/configs/generalise.toml``.

Helpers for ``experiments/run.py`` only; nothing here is part of the stance package and nothing
here saves a model.

* :class:`SubjectivityLexicon` -- three features from a general-purpose subjectivity lexicon
  (TextBlob's ``en/en-sentiment.xml``, PDDL) on the author's own voice, appended to the hybrid's
  FeatureUnion by :func:`make_variant`. TextBlob is located with ``importlib.util.find_spec``
  and never imported; it is not a stance dependency, so the variant is skipped when it is absent.
* :func:`read_auxiliary` -- outside data mapped onto stance's three labels for training:
  the outside "loaded" label -> ``loaded``; the outside "not loaded" label -> ``quote`` where
  stance's rules say quote, else ``claim``.
* :func:`binary_scores` -- loaded-vs-not macro-F1 and loaded precision/recall with bootstrap
  intervals (the same figures as ``stance.evaluate.evaluate_on(binary=True))``).

Variant names are ``BASE`` or ``BASE+IDEA[+IDEA...]``: BASE a stance model with a ``features``
union (``hybrid``), IDEA ``lexicon`` or the name of an ``[[auxiliary]]`` training source in the config.
"""

from __future__ import annotations

import importlib.util
import math
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

import stance
import stance.evaluate
import stance.text
import stance.recipes

BUILTIN_IDEAS = ("lexicon",)
LEXICON_LICENCE = "PDDL"
LEXICON_SOURCE = "TextBlob's en/en-sentiment.xml (Tom De Smedt and Walter Daelemans, from Pattern)"
LEXICON_THRESHOLD = 0.6
LEXICON_CAP = 3
LEXICON_FEATURES = ("lexicon:subjective_words", "lexicon:max_subjectivity", "lexicon:polarity_mass")
_WORD = re.compile(r"[a-z][a-z'’-]*")


# --------------------------------------------------------------------------- variants


def parse_variant(variant: str) -> tuple[str, list[str]]:
    """``"hybrid+checkthat"`` -> ``("hybrid", ["checkthat"])``."""
    parts = [p.strip() for p in str(variant).split("+")]
    if not parts[0] or any(not p for p in parts):
        raise ValueError(f"bad variant name {variant!r}: expected BASE or BASE+IDEA[+IDEA...]")
    return parts[0], parts[1:]


def check_variant(variant: str, known_models: Sequence[str], auxiliary: Sequence[str]) -> str | None:
    """An error message for an unknown base model or idea, else None."""
    try:
        base, ideas = parse_variant(variant)
    except ValueError as exc:
        return str(exc)
    if base not in known_models:
        return f"variant {variant!r}: unknown model {base!r}; known models: {', '.join(known_models)}"
    known_ideas = list(BUILTIN_IDEAS) + list(auxiliary)
    bad = [i for i in ideas if i not in known_ideas]
    if bad:
        return f"variant {variant!r}: unknown idea {', '.join(bad)}; known ideas: {', '.join(known_ideas)}"
    if len(set(ideas)) != len(ideas):
        return f"variant {variant!r}: an idea is named twice"
    return None


# --------------------------------------------------------------------------- (b) lexicon


def lexicon_path() -> Path | None:
    """TextBlob's ``en/en-sentiment.xml``, found without importing textblob; None when absent."""
    try:
        spec = importlib.util.find_spec("textblob")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    roots = list(spec.submodule_search_locations or []) or ([str(Path(spec.origin).parent)] if spec.origin else [])
    for root in roots:
        path = Path(root) / "en" / "en-sentiment.xml"
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=4)
def load_lexicon(path: str) -> dict[str, tuple[float, float]]:
    """word form (lower-case) -> (mean subjectivity, mean polarity) over its senses."""
    sums: dict[str, list[float]] = {}
    for el in ET.parse(path).getroot().iter("word"):
        form = (el.get("form") or "").strip().lower()
        if not form or " " in form:
            continue
        try:
            subj, pol = float(el.get("subjectivity", "nan")), float(el.get("polarity", "nan"))
        except ValueError:
            continue
        if math.isnan(subj) or math.isnan(pol):
            continue
        s = sums.setdefault(form, [0.0, 0.0, 0.0])
        s[0] += subj
        s[1] += pol
        s[2] += 1
    return {w: (s[0] / s[2], s[1] / s[2]) for w, s in sums.items()}


class SubjectivityLexicon(stance.recipes.TextInputMixin, TransformerMixin, BaseEstimator):
    """Three features of the author's own voice from a subjectivity lexicon.

    * the number of words whose mean subjectivity is at least ``threshold`` (capped at ``cap``),
    * the largest subjectivity of any word (0 when none is in the lexicon),
    * the sum of |polarity| over the words, divided by the square root of the number of words.

    ``path``: the lexicon XML (TextBlob's ``en/en-sentiment.xml`` by default). Nothing is learned.
    """

    _requires_fit = True

    def __init__(self, path: str | None = None, threshold: float = LEXICON_THRESHOLD, cap: int = LEXICON_CAP):
        self.path = path
        self.threshold = threshold
        self.cap = cap

    def _lexicon_file(self) -> str:
        path = self.path if self.path is not None else lexicon_path()
        if path is None or not Path(path).is_file():
            raise FileNotFoundError("the subjectivity lexicon (textblob's en/en-sentiment.xml) was not found")
        return str(path)

    def fit(self, X: Any, y: Any = None) -> "SubjectivityLexicon":
        stance.text.check_texts(X)
        self.lexicon_file_ = self._lexicon_file()
        self.n_features_out_ = len(LEXICON_FEATURES)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        lex = load_lexicon(self.lexicon_file_)
        texts = stance.text.check_texts(X)
        out = np.zeros((len(texts), 3))
        for i, text in enumerate(texts):
            words = _WORD.findall(stance.text.author_voice(text, " ").lower().replace("’", "'"))
            if not words:
                continue
            hits = [lex[w] for w in words if w in lex]
            if not hits:
                continue
            subj = [s for s, _ in hits]
            out[i, 0] = min(sum(s >= self.threshold for s in subj), self.cap)
            out[i, 1] = max(subj)
            out[i, 2] = sum(abs(p) for _, p in hits) / math.sqrt(len(words))
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(LEXICON_FEATURES, dtype=object)


# --------------------------------------------------------------------------- building a variant


def make_variant(variant: str, seed: int = 0) -> Any:
    """A fresh, unfitted estimator for ``variant``; auxiliary-data ideas change only the training data."""
    base, ideas = parse_variant(variant)
    est = stance.recipes.make(base, seed=seed)
    union = est.named_steps["features"]
    if "lexicon" in ideas:
        union.transformer_list.append(("lexicon", SubjectivityLexicon()))
    return est


# --------------------------------------------------------------------------- (c) auxiliary training data


def normalise(text: str) -> str:
    """The key used to find the same sentence in two data sets."""
    return " ".join(str(text).lower().split())


def read_auxiliary(root: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """Outside sentences as extra training data with stance's three labels.

    The outside labels in ``spec["loaded"]`` become ``loaded``; those in ``spec["not_loaded"]``
    become ``quote`` when the rules (:func:`stance.text.rule_decisions`) say quote, else
    ``claim``; those in ``spec["drop"]`` are left out. Returns texts, labels, groups (the
    ``group_column``, when given) and aggregate counts.
    """
    label_map: dict[str, str] = {}
    for lab in spec.get("loaded", []):
        label_map[str(lab)] = "loaded"
    for lab in spec.get("not_loaded", []):
        label_map[str(lab)] = stance.evaluate.NOT_LOADED
    for lab in spec.get("drop", []):
        label_map[str(lab)] = "drop"
    texts: list[str] = []
    binary: list[str] = []
    groups: list[str] = []
    dropped: dict[str, int] = {}
    for rel in spec["paths"]:
        od = stance.evaluate.read_outside(root / rel, stance.evaluate.OutsideColumns(
            text=spec["text_column"], label=spec["label_column"], label_map=label_map, binary=True,
            id=spec.get("group_column")))
        texts += od.texts
        binary += list(od.labels)
        groups += od.ids if spec.get("group_column") else [rel] * len(od)
        for k, v in od.dropped.items():
            dropped[k] = dropped.get(k, 0) + v
    binary_arr = np.asarray(binary, dtype=object)
    decisions = stance.text.rule_decisions(stance.text.cue_matrix(texts))
    labels = np.where(binary_arr == "loaded", "loaded", np.where(decisions == 1, "quote", "claim")).astype(object)
    return {
        "texts": texts,
        "labels": labels,
        "groups": np.asarray(groups, dtype=object),
        "keys": [normalise(t) for t in texts],
        "counts": {
            "sentences": len(texts),
            "loaded": int(np.sum(labels == "loaded")),
            "not_loaded_as_quote": int(np.sum(labels == "quote")),
            "not_loaded_as_claim": int(np.sum(labels == "claim")),
            "dropped": dropped,
        },
    }


# --------------------------------------------------------------------------- scoring


def binary_scores(gold: Sequence[str], pred: Sequence[str], n_bootstrap: int, seed: int,
                  level: float = 0.95) -> dict[str, Any]:
    """Loaded vs not-loaded: macro-F1, accuracy, loaded precision/recall/F1 with bootstrap intervals.

    ``gold`` holds ``loaded``/``not-loaded``; ``pred`` stance's three labels. Aggregates only.
    """
    gold = np.asarray([str(g) for g in gold], dtype=object)
    pred = np.asarray([str(p) for p in pred], dtype=object)
    shown = np.where(pred == "loaded", "loaded", stance.evaluate.NOT_LOADED).astype(object)
    labels = list(stance.evaluate.BINARY_LABELS)
    sc = stance.evaluate.scores(gold, shown, labels)
    iv = stance.evaluate.bootstrap(gold, shown, labels, n_bootstrap=n_bootstrap, seed=seed, level=level)
    return {
        "n": sc["n"],
        "gold_loaded": int(np.sum(gold == "loaded")),
        "predicted_labels": {lab: int(np.sum(pred == lab)) for lab in stance.LABELS},
        "macro_f1": sc["macro_f1"],
        "macro_f1_interval": iv["macro_f1"],
        "accuracy": sc["accuracy"],
        "confusion_matrix": sc["confusion_matrix"],
        "confusion_labels": labels,
        "loaded": stance.evaluate.loaded_figures(sc, iv),
        "bootstrap": {"n_bootstrap": n_bootstrap, "seed": seed, "level": level, "unit": "sentence"},
    }


def ranking_figures(gold: Sequence[str], loaded_score: Sequence[float]) -> dict[str, Any]:
    """How well P(loaded) ranks the outside sentences, whatever the decision rule.

    ``auc``: ROC AUC of the loaded probability against the binary gold. ``ceiling_macro_f1``: the
    best binary macro-F1 any threshold on that probability reaches, the threshold being chosen on
    these very sentences -- an upper bound of what recalibrating the decision could give, never a
    score (``ceiling_loaded_share``: the share predicted loaded at that threshold).
    """
    g = np.asarray([str(x) == "loaded" for x in gold], dtype=bool)
    s = np.asarray(loaded_score, dtype=np.float64)
    if g.all() or not g.any():
        return {"auc": None, "ceiling_macro_f1": None, "ceiling_loaded_share": None}
    from sklearn.metrics import roc_auc_score

    order = np.argsort(-s, kind="stable")
    gs, ss = g[order], s[order]
    tp = np.cumsum(gs)
    fp = np.cumsum(~gs)
    last = np.r_[ss[1:] != ss[:-1], True]  # cut only between distinct scores
    tp, fp = tp[last], fp[last]
    P, N = int(g.sum()), int((~g).sum())
    fn, tn = P - tp, N - fp
    f_loaded = 2 * tp / (2 * tp + fp + fn)
    f_not = np.where(2 * tn + fn + fp > 0, 2 * tn / np.maximum(2 * tn + fn + fp, 1), 0.0)
    macro = (f_loaded + f_not) / 2
    best = int(np.argmax(macro))
    return {"auc": float(roc_auc_score(g, s)), "ceiling_macro_f1": float(macro[best]),
            "ceiling_loaded_share": float((tp[best] + fp[best]) / len(g))}


def paired_binary_difference(gold: Sequence[str], pred_a: Sequence[str], pred_b: Sequence[str], n_bootstrap: int,
                             seed: int, level: float = 0.95) -> dict[str, Any]:
    """Binary (loaded vs not) macro-F1 of ``a`` minus ``b`` on the same sentences, paired bootstrap interval
    (:func:`stance.evaluate.compare_predictions` on the labels folded to loaded / not-loaded)."""

    def fold(v: Sequence[str]) -> list[str]:
        return ["loaded" if str(x) == "loaded" else stance.evaluate.NOT_LOADED for x in v]

    return stance.evaluate.compare_predictions(fold(gold), fold(pred_a), fold(pred_b), stance.evaluate.BINARY_LABELS, n_bootstrap=n_bootstrap,
                                 seed=seed, level=level)
