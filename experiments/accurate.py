"""The accurate model and its alternatives, side by side on news dev and outside dev (test never read).

    python experiments/accurate.py --fine-tune [--learning-rate LR] [--epochs N] [--save PATH]
    python experiments/accurate.py --alternatives

``--fine-tune`` trains the ``accurate`` recipe (all-MiniLM-L6-v2 fine-tuned, stance.recipes.EncoderClassifier)
on the built-in training data (corpus + news train + constructed set) and prints macro-F1 on news dev and
outside dev after every epoch (torch, fp32); at the end it exports the int8 ONNX model and scores that
too, so fp32 and int8 stand side by side; ``--save`` writes the int8 model as a stance model file (with
the default settings it is the model ``stance-train --model accurate`` and the release script build:
same data, settings and seed, same weights). The settings of ``stance.recipes.ACCURATE_PARAMS`` were chosen
from these runs. ``--alternatives`` scores, on the same dev sets: the default (``hybrid``), frozen
MiniLM sentence embeddings + logistic regression (sentence-transformers), and model2vec's trainable
static classifier on a static model distilled from the same MiniLM weights (``pip install
"model2vec[distill,train]" sentence-transformers`` beside the train extra).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from stance import LABELS


def dev_sets(external: Path | None) -> dict[str, tuple[list[str], list[str]]]:
    from stance.corpora import news_records, outside_records

    news = news_records("dev")
    out = {"news dev": ([r["text"] for r in news], [r["label"] for r in news])}
    dev = outside_records("dev", external=external)
    out["outside dev"] = ([r["text"] for r in dev], [r["label"] for r in dev])
    return out


def show(name: str, predict, sets) -> dict[str, float]:
    from stance import evaluate

    row = {}
    for set_name, (X, y) in sets.items():
        sc = evaluate.scores(y, predict(X), list(LABELS))
        row[set_name] = sc["macro_f1"]
        per = " / ".join(f"{sc['per_class'][c]['f1']:.3f}" for c in LABELS)
        print(f"{name:40s} {set_name:12s} macro-F1 {sc['macro_f1']:.3f}  F1 claim/quote/loaded {per}", flush=True)
    return row


def fine_tune(args, sets) -> None:
    import stance
    from stance.recipes import ACCURATE_PARAMS

    params = {k: v for k, v in (("epochs", args.epochs), ("learning_rate", args.learning_rate)) if v is not None}
    label = "accurate " + " ".join(f"{k}={v}" for k, v in (ACCURATE_PARAMS | params).items())
    start = time.perf_counter()

    def scored(est, epoch: int) -> None:
        show(f"{label} epoch {epoch} (fp32, {time.perf_counter() - start:.0f} s)", est.predict, sets)

    model = stance.train("accurate", seed=0, epoch_callback=scored, **params)
    model.card["params"] = {k: repr(v) for k, v in params.items()}  # the callback is the experiment's, not the model's
    show(f"{label} int8 ONNX ({len(model.scoring['onnx']) / 1e6:.1f} MB)", model.predict, sets)
    if args.save:
        model.save(args.save, force=True)
        print(f"saved {args.save}")


def alternatives(args, sets) -> None:
    import stance
    from stance.training import builtin_data

    show("default (hybrid, shipped)", stance.load().predict, sets)
    td = builtin_data()
    w = td.sample_weight()
    try:
        from sentence_transformers import SentenceTransformer
        from sklearn.linear_model import LogisticRegression

        from stance.recipes import base_model_dir

        enc = SentenceTransformer(str(base_model_dir()), device="cpu")
        Xtr = enc.encode(td.texts, batch_size=64, normalize_embeddings=True)
        lr = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced").fit(Xtr, td.labels, sample_weight=w)
        show("frozen MiniLM embeddings + logistic regression",
             lambda X: lr.predict(enc.encode(X, batch_size=64, normalize_embeddings=True)), sets)
    except ImportError as exc:
        print(f"frozen embeddings skipped: {exc}", file=sys.stderr)
    try:
        from model2vec.distill import distill
        from model2vec.train import StaticModelForClassification

        from stance.recipes import base_model_dir

        static = distill(model_name=str(base_model_dir()), pca_dims=256)  # the same MiniLM weights, distilled here
        clf = StaticModelForClassification.from_static_model(model=static, out_dim=len(LABELS))
        clf.fit(td.texts, td.labels, random_seed=0, class_weight="balanced", device="cpu")
        show("model2vec trainable static classifier (distilled MiniLM)", clf.predict, sets)
    except ImportError as exc:  # model2vec's distill and train extras absent
        print(f"model2vec static classifier skipped: {exc}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fine-tune", action="store_true")
    ap.add_argument("--alternatives", action="store_true")
    ap.add_argument("--learning-rate", type=float)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--save", type=Path, help="write the int8 model file here")
    ap.add_argument("--external", type=Path)
    args = ap.parse_args(argv)
    sets = dev_sets(args.external)
    if args.fine_tune:
        fine_tune(args, sets)
    if args.alternatives:
        alternatives(args, sets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
