"""Labelling figures (issue: labelling new text).

    python benchmarks/bench_labelling.py [--mb 50]

Prints: the cold wall time of ``stance label --sentences`` on one sentence
(a fresh process, median of 5); end-to-end throughput of ``label_text`` on raw
articles (segmentation, exclusion rules, speakers included) and of ``predict``
alone, on one core (CPU time, best of 3), beside a plain TF-IDF + logistic regression pipeline's; the peak memory of ``stance label
--jsonl`` on a generated JSONL file of ``--mb`` megabytes; and how the speaker
finder and the exclusion rules agree with the corpus annotations (in-sample:
these rules were written while reading this corpus).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import stance  # noqa: E402
from stance import corpus  # noqa: E402
from stance.text import exclusion_reason  # noqa: E402
from stance.text import speaker_agreement  # noqa: E402


def _stance_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "stance"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "stance.cli"]


def cold_start() -> float:
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(_stance_cmd() + ["label", "--sentences", "--format", "jsonl"], input="Cuba sent doctors.\n",
                       capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def sources() -> list[str]:
    c = corpus.read()
    return [c.source_text(d) for _, d in c.documents]


def throughput(model) -> tuple[float, float, int]:
    texts = sources() * 40
    n = sum(len(model.label_text(t).sentences) for t in texts[:5]) * 40

    def run_e2e():
        for t in texts:
            model.label_text(t)

    sentences = [r["text"] for r in corpus.records()]
    X = (sentences * (10000 // len(sentences) + 1))[:10000]
    e2e = min(_cpu(run_e2e) for _ in range(3))
    pred = min(_cpu(lambda: model.predict(X)) for _ in range(3))
    return n / e2e, len(X) / pred, n


def plain_pipeline_predict() -> float:
    """Sentences/s of a plain scikit-learn TF-IDF + logistic regression on the same 10,000 sentences."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from stance.training import builtin_data

    td = builtin_data()
    plain = Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                      ("clf", LogisticRegression(max_iter=2000))]).fit(td.texts, td.labels)
    sentences = [r["text"] for r in corpus.records()]
    X = (sentences * (10000 // len(sentences) + 1))[:10000]
    return len(X) / min(_cpu(lambda: plain.predict(X)) for _ in range(3))


def _cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def peak_memory(mb: int) -> tuple[float, int, float]:
    arts = sources()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            i = 0
            while fh.tell() < mb * 1_000_000:
                fh.write(json.dumps({"id": i, "text": arts[i % len(arts)]}) + "\n")
                i += 1
        size = path.stat().st_size
        t = time.perf_counter()
        subprocess.run(_stance_cmd() + ["label", "--jsonl", str(path), "--id-field", "id", "--format", "jsonl"],
                       stdout=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB -> MiB on Linux
    return peak, size, wall


def in_sample_rules() -> tuple[dict, dict]:
    recs = corpus.records(include_excluded=True)
    c = corpus.read()
    texts = {d["id"]: c.source_text(d) for _, d in c.documents}
    tp = fp = fn = 0
    for r in recs:
        if r["duplicate_of"]:
            continue
        text = texts[r["doc_id"]]
        ls = text.rfind("\n", 0, r["start"]) + 1
        le = text.find("\n", r["end"])
        whole = text[ls : (len(text) if le < 0 else le)].strip() == r["text"]
        pred = exclusion_reason(r["text"], whole_line=whole, first=r["id"].endswith("-001")) is not None
        gold = r["label"] == "excluded"
        tp += pred and gold
        fp += pred and not gold
        fn += gold and not pred
    excl = {"precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1), "tp": tp, "fp": fp, "fn": fn}
    spk = speaker_agreement((r["text"], r["speaker"]) for r in recs if r["label"] == "quote" and not r["duplicate_of"])
    return excl, spk


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=int, default=50, help="size of the generated JSONL input (default 50)")
    args = p.parse_args(argv)
    model = stance.load()
    print(f"stance label --sentences, one sentence, cold: {cold_start():.3f} s wall (median of 5; target < 1 s)")
    e2e, pred, n = throughput(model)
    print(f"end to end on raw articles (segmentation included): {e2e:,.0f} sentences/s on {n:,} sentences "
          "(one core; target >= 16,000)")
    print(f"predict alone: {pred:,.0f} sentences/s on 10,000 sentences (one core; target >= 20,000)")
    peak, size, wall = peak_memory(args.mb)
    print(f"stance label --jsonl on {size / 1e6:.1f} MB: peak RSS {peak:.0f} MiB, {wall:.1f} s wall")
    plain = plain_pipeline_predict()  # after the memory figure: scikit-learn stays out of this process until now
    print(f"a plain TF-IDF + logistic regression pipeline predicts {plain:,.0f} sentences/s on the same sentences: "
          f"the default's predict runs at {pred / plain:.2f}x (target >= 1.00x)")
    excl, spk = in_sample_rules()
    print(f"exclusion rules vs the corpus (in-sample): precision {excl['precision']:.3f}, recall {excl['recall']:.3f} "
          f"(tp {excl['tp']}, fp {excl['fp']}, fn {excl['fn']})")
    print(f"speaker finder vs the corpus (in-sample): {spk['quotes']} quotes, {spk['named']} with a named speaker: "
          f"exact {spk['exact_rate']:.3f}, partial {spk['partial_rate']:.3f}; null when unnamed "
          f"{spk['null_correct']}/{spk['null_gold']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
