import os
import shutil
from pathlib import Path

# Tests never reach the network: the embedding model comes from a local package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

from stance._paths import data_root


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
