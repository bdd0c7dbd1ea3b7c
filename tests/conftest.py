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


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped corpus root (corpus/ and labels/)."""
    root = data_root()
    shutil.copytree(root / "corpus", tmp_path / "corpus")
    shutil.copytree(root / "labels", tmp_path / "labels")
    return tmp_path


@pytest.fixture
def sources() -> list[Path]:
    """The five source articles of the corpus (corpus/sources/*.txt), in id order."""
    return sorted((data_root() / "corpus" / "sources").glob("*.txt"))


@pytest.fixture(scope="session")
def hybrid():
    """The default recipe trained now on the shipped data (seed 0), with its LODO card."""
    return stance.train("hybrid", seed=0)


@pytest.fixture(scope="session")
def default():
    """The shipped default model."""
    return stance.load()


def write_jsonl(path: Path, rows) -> Path:
    """Write ``rows`` (dicts) as a JSONL file and return its path."""
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
