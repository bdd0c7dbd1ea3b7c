"""The news set's training decisions, made on dev splits only (news dev and outside dev).

    python experiments/news.py --sources [--external DIR]   # which source's rows to label more of
    python experiments/news.py --grid [--external DIR]      # the default's recipe: C and row weights
    python experiments/news.py --wnc [--external DIR]       # do the Wikipedia neutrality pairs help?
    python experiments/news.py --corpus [--external DIR]    # corpus rows weighted up: corpus LODO vs dev
    python experiments/news.py --settings [--external DIR]  # the hybrid's min_df and solver tolerance

``--sources`` trains the default's recipe on the corpus + constructed set + the news set's train
rows, then again without each source's train rows, and prints macro-F1 on news dev and outside dev
for each, with the loss per 1,000 rows removed: the source whose rows buy most per row is the one to
label more of (the "curve" of the news issue; labels/news/README.md records each decision). ``--grid``
prints the search that chose the default's C, the news rows' weight and the constructed rows' weight.
``--wnc`` trains the default's recipe with the Wiki Neutrality Corpus rows (both sides of each edit,
labelled blind) added at several weights: they are training rows only if they help on dev.
Test splits are never read here.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

from stance import LABELS


def _dev_sets(external: Path | None) -> dict[str, tuple[list[str], list[str]]]:
    from stance.corpora import news_records, outside_records
    from stance.errors import OutsideDataMissing

    out = {}
    news = news_records("dev")
    out["news dev"] = ([r["text"] for r in news], [r["label"] for r in news])
    for src in ("wikinews", "congress", "speeches", "current-events"):
        rows = [r for r in news if r["source"] == src]
        out[f"  {src}"] = ([r["text"] for r in rows], [r["label"] for r in rows])
    try:
        dev = outside_records("dev", external=external)
        out["outside dev"] = ([r["text"] for r in dev], [r["label"] for r in dev])
    except OutsideDataMissing as exc:
        print(f"outside dev skipped: {exc}", file=sys.stderr)
    return out


def _score(est, sets) -> dict[str, float]:
    from stance import evaluate

    return {name: evaluate.scores(y, est.predict(X), list(LABELS))["macro_f1"] for name, (X, y) in sets.items()}


def _fit(td, keep: np.ndarray, C: float, news_weight: float, constructed_weight: float, seed: int = 0,
         wnc_weight: float = 0.0, corpus_weight: float = 1.0):
    from stance import recipes

    w = np.full(len(td), corpus_weight)
    w[np.asarray(td.news, dtype=bool)] = news_weight
    w[np.asarray(td.constructed, dtype=bool)] = constructed_weight
    w[np.asarray(td.wnc, dtype=bool)] = wnc_weight  # the pairs' own experiment is --wnc
    keep = keep & (w > 0)
    X = [td.texts[i] for i in np.flatnonzero(keep)]
    y = np.asarray(td.labels, dtype=object)[keep]
    return recipes.fit_estimator(recipes.make("hybrid", seed=seed, clf__C=C), X, y, w[keep])


def sources(td, sets, C: float, news_weight: float, constructed_weight: float) -> None:
    from stance.corpora import news_records

    src_of = {r["id"]: r["source"] for r in news_records("train")}
    row_src = np.asarray([src_of.get(i, "") for i in td.ids], dtype=object)
    everything = np.ones(len(td), dtype=bool)
    base = _score(_fit(td, everything, C, news_weight, constructed_weight), sets)
    names = list(sets)
    print(f"{'trained on':34s} {'rows':>6s} " + " ".join(f"{n.strip()[:14]:>14s}" for n in names))
    print(f"{'all news train':34s} {int(sum(td.news)):6d} " + " ".join(f"{base[n]:14.3f}" for n in names))
    no_news = _score(_fit(td, ~np.asarray(td.news, dtype=bool), C, news_weight, constructed_weight), sets)
    print(f"{'no news rows':34s} {0:6d} " + " ".join(f"{no_news[n]:14.3f}" for n in names))
    for src in ("wikinews", "congress", "speeches", "current-events"):
        drop = row_src == src
        sc = _score(_fit(td, ~drop, C, news_weight, constructed_weight), sets)
        k = int(drop.sum())
        print(f"{'without ' + src:34s} {k:6d} " + " ".join(f"{sc[n]:14.3f}" for n in names))
        print(f"{'  loss per 1,000 of its rows':34s} {'':6s} "
              + " ".join(f"{1000 * (base[n] - sc[n]) / k:+14.4f}" for n in names))


def wnc(td, sets, C: float, news_weight: float, constructed_weight: float) -> None:
    names = list(sets)
    n = int(sum(td.wnc))
    print(f"{'Wikipedia pairs weight':24s} {'rows':>6s} " + " ".join(f"{n.strip()[:14]:>14s}" for n in names))
    everything = np.ones(len(td), dtype=bool)
    for weight in (0.0, 0.1, 0.3, 1.0):
        sc = _score(_fit(td, everything, C, news_weight, constructed_weight, wnc_weight=weight), sets)
        print(f"{weight:24.1f} {n if weight else 0:6d} " + " ".join(f"{sc[k]:14.3f}" for k in names), flush=True)


def corpus_weight(td, sets, C: float, news_weight: float, constructed_weight: float,
                  weights: tuple[float, ...] = (1.0, 3.0)) -> None:
    """The corpus rows weighted up: corpus leave-one-document-out against news dev and outside dev."""
    from stance import evaluate

    names = list(sets)
    corpus = ~td.extra_rows()
    docs = sorted({g for g, c in zip(td.groups, corpus) if c})
    print(f"{'corpus weight':>13s} {'corpus LODO':>11s} " + " ".join(f"{n.strip()[:14]:>14s}" for n in names))
    for cw in weights:
        def fit(keep):
            est = _fit(td, keep, C, news_weight, constructed_weight, wnc_weight=0.3, corpus_weight=cw)
            return est
        sc = _score(fit(np.ones(len(td), dtype=bool)), sets)
        y_true, y_pred = [], []
        for d in docs:
            held = corpus & (np.asarray(td.groups, dtype=object) == d)
            est = fit(~held)
            y_true += [td.labels[i] for i in np.flatnonzero(held)]
            y_pred += list(est.predict([td.texts[i] for i in np.flatnonzero(held)]))
        lodo = evaluate.scores(y_true, y_pred, list(LABELS))["macro_f1"]
        print(f"{cw:13.1f} {lodo:11.3f} " + " ".join(f"{sc[n]:14.3f}" for n in names), flush=True)


def settings(td, sets) -> None:
    """The hybrid's vectorizer min_df and solver tolerance: dev figures and fit time for each."""
    import time

    from stance import recipes

    names = list(sets)
    w = td.sample_weight()
    y = np.asarray(td.labels, dtype=object)
    print(f"{'setting':>18s} {'fit s':>6s} " + " ".join(f"{n.strip()[:14]:>14s}" for n in names))
    for key, value in (("words__min_df", 1), ("words__min_df", 2), ("clf__tol", 1e-4), ("clf__tol", 1e-3)):
        est = recipes.make("hybrid", seed=0)
        est.set_params(**{next(k for k in est.get_params() if k.endswith(key)): value})
        start = time.perf_counter()
        recipes.fit_estimator(est, td.texts, y, w)
        took = time.perf_counter() - start
        sc = _score(est, sets)
        print(f"{key.split('__')[1] + ' ' + str(value):>18s} {took:6.0f} " + " ".join(f"{sc[n]:14.3f}" for n in names),
              flush=True)


def grid(td, sets) -> None:
    names = list(sets)
    print(f"{'C':>5s} {'news w':>7s} {'constr w':>8s} " + " ".join(f"{n.strip()[:14]:>14s}" for n in names))
    everything = np.ones(len(td), dtype=bool)
    for C, nw, cw in itertools.product((0.3, 1.0, 3.0), (0.5, 1.0, 2.0), (0.0, 0.05, 0.2)):
        sc = _score(_fit(td, everything, C, nw, cw), sets)
        print(f"{C:5.1f} {nw:7.2f} {cw:8.2f} " + " ".join(f"{sc[n]:14.3f}" for n in names), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", action="store_true", help="the value of each source's train rows")
    ap.add_argument("--grid", action="store_true", help="the search for the default's C and row weights")
    ap.add_argument("--wnc", action="store_true", help="the Wikipedia neutrality pairs as training rows")
    ap.add_argument("--settings", action="store_true", help="the hybrid's min_df and solver tolerance on dev")
    ap.add_argument("--corpus", action="store_true",
                    help="the corpus rows weighted up: corpus LODO against news dev and outside dev")
    ap.add_argument("--external", type=Path, help="the outside data (default ../shared/external)")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--news-weight", type=float, default=1.0)
    ap.add_argument("--constructed-weight", type=float, default=0.5)
    args = ap.parse_args(argv)
    from stance.training import builtin_data

    td = builtin_data()
    sets = _dev_sets(args.external)
    if args.grid:
        grid(td, sets)
    if args.wnc:
        wnc(td, sets, args.C, args.news_weight, args.constructed_weight)
    if args.settings:
        settings(td, sets)
    if args.corpus:
        corpus_weight(td, sets, args.C, args.news_weight, args.constructed_weight)
    if args.sources or not (args.grid or args.wnc or args.corpus or args.settings):
        sources(td, sets, args.C, args.news_weight, args.constructed_weight)
    return 0


if __name__ == "__main__":
    sys.exit(main())
