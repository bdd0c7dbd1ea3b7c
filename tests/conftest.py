import dataclasses
import functools
import os
import shutil
from pathlib import Path

# Tests never reach the network: the embedding model comes from a local package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

import stance
from stance.corpora import data_root

# Sentences every model test labels: one of each label, an empty one and a very long one.
SENTENCES = [
    "Cuba sent 27 doctors to Peru in May.",
    '"We are proud of our doctors," the minister said.',
    "The Castro regime cynically exploits its slave doctors.",
    "According to the ministry, 400 nurses arrived on Monday.",
    "",
    "x" * 2000,
]

# A tiny labelled table over three documents, two rows of each label.
ROWS = [
    {"text": "Cuba sent 27 doctors to Peru.", "label": "claim", "doc_id": "a"},
    {"text": '"We are proud," the minister said.', "label": "quote", "doc_id": "a"},
    {"text": "The regime exploits its slave doctors.", "label": "loaded", "doc_id": "b"},
    {"text": "Doctors arrived on Monday.", "label": "claim", "doc_id": "b"},
    {"text": "According to the ministry, 400 nurses came.", "label": "quote", "doc_id": "c"},
    {"text": "A cynical dictatorship sells its medics.", "label": "loaded", "doc_id": "c"},
]


def _top_level_news(folder: str, names: list[str]) -> list[str]:
    """copytree's ignore: the news set's folders (corpus/news, labels/news), whatever is inside them."""
    return ["news"] if Path(folder).name in ("corpus", "labels") and "news" in names else []


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus root (corpus/ and labels/) without the news set
    (corpus/news, labels/news: ~24 MB that the corpus tables, checks and curation never read)."""
    root = data_root()
    shutil.copytree(root / "corpus", tmp_path / "corpus", ignore=_top_level_news)
    shutil.copytree(root / "labels", tmp_path / "labels", ignore=_top_level_news)
    return tmp_path


@pytest.fixture
def sources() -> list[Path]:
    """The five source articles of the corpus (corpus/sources/*.txt), in id order."""
    return sorted((data_root() / "corpus" / "sources").glob("*.txt"))


# --------------------------------------------------------------------------- trained models, once a session
#
# Training on the shipped data (~14k rows) takes a minute for hybrid or tfidf-lr. A test that needs
# *some* trained model (to save, load, label, craft a file from) takes one of these instead; only a
# test about the shipped data itself trains on it (and is marked slow).

@functools.cache
def corpus_data():
    """The hand-labelled corpus alone (labels/gold.jsonl): ~160 sentences over five documents."""
    from stance.training import builtin_data

    return builtin_data(constructed=False, news=False)


@functools.cache
def thinned_shipped(step: int = 100):
    """The shipped training data thinned: every corpus row and every ``step``-th news, WNC and constructed
    row, each still marked (and so weighted) as it is in the shipped data; ~300 rows at the default step."""
    from stance.training import builtin_data

    import numpy as np

    full = builtin_data()
    extra = full.extra_rows()
    nth = np.cumsum(extra) - 1  # the number of each added row among the added rows
    keep = [i for i in range(len(full)) if not extra[i] or nth[i] % step == 0]
    pick = lambda v: None if v is None else [v[i] for i in keep]  # noqa: E731
    return dataclasses.replace(full, texts=pick(full.texts), labels=pick(full.labels), groups=pick(full.groups),
                               ids=pick(full.ids), constructed=pick(full.constructed), news=pick(full.news),
                               wnc=pick(full.wnc), where=pick(full.where),
                               source=f"{full.source}, thinned (every {step}th added row)")


# Which data each shared model trains on: the shipped data where that takes under two seconds.
_SMALL = {"tfidf-lr", "tfidf-svm", "hybrid", "embed"}


@functools.cache
def trained(name: str):
    """``stance.train(name, seed=0, evaluate=False)``, once a session: on the corpus alone for the
    recipes that take a minute on the shipped data (tfidf-lr, tfidf-svm, hybrid, embed), on the
    shipped data for the quick ones (majority, rules, nb). Shared: never change it; save a copy."""
    data = corpus_data() if name in _SMALL else None
    return stance.train(name, data=data, seed=0, evaluate=False)


@dataclasses.dataclass(frozen=True)
class Trained:
    """A shared trained model and its file, saved once in a session folder: copy the file before changing it."""

    model: "stance.model.StanceModel"
    path: Path


def _trained_file(tmp_path_factory, name: str) -> Trained:
    model = trained(name)
    return Trained(model, model.save(tmp_path_factory.mktemp(f"trained-{name}") / f"{name}.stance"))


@pytest.fixture(scope="session")
def trained_rules(tmp_path_factory) -> Trained:
    """``rules`` trained on the shipped data (seed 0, no evaluation), and its file."""
    return _trained_file(tmp_path_factory, "rules")


@pytest.fixture(scope="session")
def trained_nb(tmp_path_factory) -> Trained:
    """``nb`` trained on the shipped data (seed 0, no evaluation; no data-only scoring form), and its file."""
    return _trained_file(tmp_path_factory, "nb")


@pytest.fixture(scope="session")
def trained_tfidf(tmp_path_factory) -> Trained:
    """``tfidf-lr`` trained on the corpus alone (seed 0, no evaluation), and its file."""
    return _trained_file(tmp_path_factory, "tfidf-lr")


@pytest.fixture(scope="session")
def corpus_jsonl(tmp_path_factory) -> Path:
    """The corpus alone as a labelled JSONL file (text, label, doc_id, id), for ``stance-train --data``."""
    td = corpus_data()
    rows = [{"text": t, "label": y, "doc_id": g, "id": i} for t, y, g, i in zip(td.texts, td.labels, td.groups, td.ids)]
    return write_jsonl(tmp_path_factory.mktemp("corpus-data") / "corpus.jsonl", rows)


@pytest.fixture(scope="session")
def hybrid():
    """The default recipe (hybrid, seed 0) trained on the corpus alone: a trained hybrid model to save,
    load and label (the shipped default, trained on the shipped data, is the ``default`` fixture)."""
    return trained("hybrid")


@pytest.fixture(scope="session")
def default():
    """The shipped default model."""
    return stance.load()


def write_jsonl(path: Path, rows) -> Path:
    """Write ``rows`` (dicts) as a JSONL file and return its path."""
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
