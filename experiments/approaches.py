"""Approaches tried for the outside targets, scored on the outside codebook set's dev split only.

    python experiments/approaches.py [--external DIR] [--grid | --embed-grid]

Each approach is trained on the built-in data (corpus + constructed set) and scored on outside dev
(three classes); test is never touched here. Prints one row per approach: macro-F1 and per-class F1.

  default            the shipped recipe: hybrid (rules x3, static vectors x3, C=0.3), constructed rows x0.05
  unweighted         the same features, constructed rows at full weight, the former settings (rules x3, C=0.3)
  no-resources       the default without the VADER, TextBlob and static-vector blocks
  prior-shift        the default with P(claim) scaled x3 before the argmax (a threshold tuned on dev)
  cascade            two binary models in the codebook's order: loaded vs not, then quote vs claim
  word-loadedness    the default + a word-level loadedness scorer learned on static word vectors
                     (every author-voice word of a loaded sentence a positive), max and counts per sentence

``--grid`` instead prints the search that chose the default's C and the constructed rows' weight:
outside dev macro-F1 and corpus leave-one-document-out macro-F1 for each pair. ``--embed-grid``
prints the search that chose the numpy ``embed`` recipe (static MiniLM vectors + cues + rules +
lexicons, no n-grams): standardised cues or weighted blocks, for each C, on outside dev.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from stance import LABELS


class WordLoadedness:
    """Per-word loadedness from static vectors, learned from the training sentences' labels."""

    def __init__(self, C: float = 1.0):
        self.C = C

    def get_params(self, deep: bool = True):
        return {"C": self.C}

    def set_params(self, **p):
        self.C = p.get("C", self.C)
        return self

    def fit(self, X, y=None):
        from sklearn.linear_model import LogisticRegression

        import stance.text

        flat, owner, _ = stance.text.author_word_ids(list(X))
        rows, vecs = stance.text.static_vectors()
        r = rows[flat]
        keep = r >= 0
        pairs = np.unique(np.c_[owner[keep], r[keep]], axis=0)
        yw = np.asarray(y)[pairs[:, 0]] == "loaded"
        lr = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000).fit(vecs[pairs[:, 1]], yw)
        self.scores_ = 1 / (1 + np.exp(-(vecs @ lr.coef_[0] + lr.intercept_[0])))
        return self

    def transform(self, X):
        import stance.text

        X = list(X)
        flat, owner, counts = stance.text.author_word_ids(X)
        r = stance.text.static_vectors()[0][flat]
        keep = r >= 0
        s, o, n = self.scores_[r[keep]], owner[keep], len(X)
        mx = np.zeros(n)
        np.maximum.at(mx, o, s)
        hi = np.bincount(o, weights=(s > 0.7).astype(float), minlength=n)
        return np.c_[mx, hi / np.maximum(counts, 1), np.minimum(hi, 3) / 3]

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)


def main(argv=None) -> int:
    import stance.text
    import stance.recipes
    from stance.evaluate import scores
    from stance.errors import OutsideDataMissing
    from stance.corpora import outside_records
    from stance.recipes import fit_estimator
    from stance.training import builtin_data

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--external", type=Path)
    p.add_argument("--grid", action="store_true", help="the C x constructed-weight search (dev and corpus LODO)")
    p.add_argument("--embed-grid", action="store_true", help="the search that chose the embed recipe (dev)")
    args = p.parse_args(argv)
    try:
        dev = outside_records("dev", external=args.external)
    except OutsideDataMissing as exc:
        print(f"approaches.py: {exc}", file=sys.stderr)
        return 2
    X = [r["text"] for r in dev]
    y = np.asarray([r["label"] for r in dev], dtype=object)
    td = builtin_data()
    Y, w = np.asarray(td.labels, dtype=object), td.sample_weight()

    def show(name, pred):
        s = scores(y, np.asarray(pred, dtype=object))
        print(f"{name:16} dev macro-F1 {s['macro_f1']:.3f}   F1 " + " / ".join(
            f"{lab} {s['per_class'][lab]['f1']:.3f}" for lab in LABELS), flush=True)

    if args.grid:
        return grid(td, X, y)
    if args.embed_grid:
        return embed_grid(td, X, show)
    default = fit_estimator(stance.recipes.make("hybrid", seed=0), td.texts, Y, w)
    show("default", default.predict(X))
    show("unweighted", stance.recipes.make("hybrid", seed=0, clf__C=0.3,
                              features__transformer_weights={"rules": 3.0, "lexical": 1.0, "static": 1.0})
         .fit(td.texts, Y).predict(X))
    show("no-resources", fit_estimator(stance.recipes.make("hybrid", seed=0, features__lexical="drop", features__static="drop"),
                                       td.texts, Y, w).predict(X))
    P = default.predict_proba(X)
    cls = list(default.classes_)
    P[:, cls.index("claim")] *= 3
    show("prior-shift", np.asarray(cls, dtype=object)[P.argmax(1)])
    # cascade: the codebook's order, loaded first
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    def feats(weights):
        return FeatureUnion([("words", TfidfVectorizer(preprocessor=stance.text.author_voice_lower, ngram_range=(1, 2),
                                                       sublinear_tf=True)),
                             ("cues", stance.recipes.CueFeatures()), ("rules", stance.recipes.RuleVotes()), ("lexical", stance.recipes.LexicalFeatures()),
                             ("static", stance.recipes.StaticEmbedding())], transformer_weights=weights)

    clf = dict(class_weight="balanced", max_iter=5000)
    loaded = Pipeline([("f", feats({"rules": 1.0, "static": 3.0})), ("c", LogisticRegression(C=3.0, **clf))])
    fit_estimator(loaded, td.texts, Y == "loaded", w)
    keep = np.flatnonzero(Y != "loaded")
    quote = Pipeline([("f", feats({"rules": 3.0})), ("c", LogisticRegression(C=3.0, **clf))])
    fit_estimator(quote, [td.texts[i] for i in keep], Y[keep] == "quote", w[keep])
    pl, pq = loaded.predict_proba(X)[:, 1], quote.predict_proba(X)[:, 1]
    show("cascade", np.where(pl > 0.5, "loaded", np.where(pq > 0.5, "quote", "claim")))
    wl = stance.recipes.make("hybrid", seed=0)
    union = wl.steps[0][1]
    union.transformer_list.append(("wordload", WordLoadedness()))
    union.transformer_weights = dict(union.transformer_weights, wordload=3.0)
    show("word-loadedness", fit_estimator(wl, td.texts, Y, w).predict(X))
    return 0


def embed_grid(td, X, show) -> int:
    """Outside dev macro-F1 of the static-embedding recipes: the blocks of ``embed`` with the cues
    standardised or with block weights, for each C."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    import stance.recipes
    from stance.recipes import fit_estimator

    Y, w = np.asarray(td.labels, dtype=object), td.sample_weight()
    scaled = Pipeline([("cues", stance.recipes.CueFeatures()), ("scale", StandardScaler())])
    for C in (0.3, 1.0, 3.0):
        est = stance.recipes.make("embed", clf__C=C, features__cues=scaled, features__transformer_weights=None)
        show(f"scaled C={C:g}", fit_estimator(est, td.texts, Y, w).predict(X))
    for weights, name in ((None, "unweighted"), (stance.recipes.EMBED_WEIGHTS, "weighted")):
        for C in (1.0, 3.0, 10.0):
            est = stance.recipes.make("embed", clf__C=C, features__transformer_weights=weights)
            show(f"{name} C={C:g}", fit_estimator(est, td.texts, Y, w).predict(X))
    return 0


def grid(td, X, y) -> int:
    """Outside dev and corpus LODO macro-F1 over C x the constructed rows' weight."""
    import stance.recipes
    import stance.training
    from stance.evaluate import scores

    Y = np.asarray(td.labels, dtype=object)
    saved = stance.training.CONSTRUCTED_WEIGHT
    try:
        for C in (0.1, 0.3, 1.0, 3.0):
            for lam in (0.05, 0.1, 0.25, 1.0):
                stance.training.CONSTRUCTED_WEIGHT = lam
                est = stance.training.fit_estimator(stance.recipes.make("hybrid", seed=0, clf__C=C), td.texts, Y, td.sample_weight())
                dev = scores(y, est.predict(X))["macro_f1"]
                lodo = stance.training.lodo_summary("hybrid", td, seed=0, n_boot=10, clf__C=C)["macro_f1"]
                print(f"C={C:<4g} constructed weight {lam:<5g} dev macro-F1 {dev:.3f}   corpus LODO {lodo:.3f}", flush=True)
    finally:
        stance.training.CONSTRUCTED_WEIGHT = saved
    return 0


if __name__ == "__main__":
    sys.exit(main())
