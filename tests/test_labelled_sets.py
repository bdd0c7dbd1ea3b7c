"""The outside codebook set (text joined at load time) and the constructed training set."""

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

import stance
import stance.corpora
from stance.corpora import data_root
from stance.errors import LabelledSetError, OutsideDataMissing
from stance.corpora import constructed_records, default_external, load_constructed, load_outside, outside_records

EXTERNAL = default_external()
needs_external = pytest.mark.skipif(
    not (EXTERNAL / "babe").is_dir(), reason=f"outside data not found at {EXTERNAL} (set STANCE_EXTERNAL)")


def _fake_set(tmp_path: Path, text: str, stored_text: str | None = None) -> tuple[Path, Path]:
    """A corpus root with a two-row outside set over a fake CheckThat file, and that external dir."""
    root, ext = tmp_path / "root", tmp_path / "external"
    (root / "labels" / "outside").mkdir(parents=True)
    (ext / "checkthat-subjectivity-en").mkdir(parents=True)
    other = "The port reopened on Monday."
    (ext / "checkthat-subjectivity-en" / "train_en.tsv").write_text(
        f"sentence_id\tsentence\tlabel\tsolved_conflict\na1\t{text}\tSUBJ\tFalse\na2\t{other}\tOBJ\tFalse\n",
        encoding="utf-8")
    rows = [{"id": "x001", "dataset": "checkthat", "file": "checkthat-subjectivity-en/train_en.tsv", "key": "a1",
             "sha256": hashlib.sha256((stored_text or text).encode()).hexdigest(), "split": "dev"},
            {"id": "x002", "dataset": "checkthat", "file": "checkthat-subjectivity-en/train_en.tsv", "key": "a2",
             "sha256": hashlib.sha256(other.encode()).hexdigest(), "split": "test"}]
    gold = [{"id": "x001", "label": "loaded", "reason": None, "speaker_span": None, "direct": None,
             "cue_spans": [[4, 12]]},
            {"id": "x002", "label": "claim", "reason": None, "speaker_span": None, "direct": None, "cue_spans": []}]
    for name, data in (("rows.jsonl", rows), ("gold.jsonl", gold)):
        (root / "labels" / "outside" / name).write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    return root, ext


def test_outside_rows_join_text_and_turn_spans_into_cues(tmp_path):
    root, ext = _fake_set(tmp_path, "The shameful plan failed.")
    rows = outside_records(root=root, external=ext)
    assert [r["id"] for r in rows] == ["x001", "x002"]
    assert rows[0]["text"] == "The shameful plan failed." and rows[0]["cues"] == ["shameful"]
    assert rows[0]["source_label"] == "SUBJ" and rows[1]["label"] == "claim"
    assert [r["id"] for r in outside_records("test", root=root, external=ext)] == ["x002"]


def test_outside_hash_mismatch_names_the_row(tmp_path):
    root, ext = _fake_set(tmp_path, "The shameful plan failed.", stored_text="The plan failed.")
    with pytest.raises(LabelledSetError, match=r"rows.jsonl:1: row x001: the text of key a1 .* sha256"):
        outside_records(root=root, external=ext)


def test_outside_missing_data_names_the_path(tmp_path):
    root, _ = _fake_set(tmp_path, "The shameful plan failed.")
    with pytest.raises(OutsideDataMissing, match=str(tmp_path / "nowhere")):
        outside_records(root=root, external=tmp_path / "nowhere")
    with pytest.raises(ValueError, match="unknown split 'train'"):
        outside_records("train", root=root, external=tmp_path)


def test_outside_span_outside_the_text_is_an_error(tmp_path):
    root, ext = _fake_set(tmp_path, "Bad.")
    with pytest.raises(LabelledSetError, match=r"gold.jsonl:1: field 'cue_spans'"):
        outside_records(root=root, external=ext)


@pytest.mark.parametrize("folder", ["outside", "vaccines"])
def test_outside_files_store_no_text(folder):
    """Row keys, hashes and decisions only: no field long enough to hold a sentence."""
    for name in ("rows.jsonl", "gold.jsonl", "pass1.jsonl", "pass2.jsonl"):
        for line in (data_root() / "labels" / folder / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert "text" not in row and "sentence" not in row
            for k, v in row.items():
                if isinstance(v, str) and k not in ("sha256", "rule", "note"):
                    assert len(v) < 64, (name, k, v)


@needs_external
def test_real_outside_set_joins_and_is_split_once():
    rows = outside_records(external=EXTERNAL, include_excluded=True)
    assert len(rows) >= 600
    assert Counter(r["dataset"] for r in rows) == {"checkthat": 320, "babe": 320}
    dev = {r["id"] for r in rows if r["split"] == "dev"}
    test = {r["id"] for r in rows if r["split"] == "test"}
    assert dev and test and not dev & test and len(dev | test) == len(rows)
    assert not any(r["file"].endswith("test_en_labeled.tsv") for r in rows)
    labelled = [r for r in rows if r["label"] != "excluded"]
    assert {r["label"] for r in labelled} == set(stance.LABELS)
    for r in labelled:
        assert all(c in r["text"] for c in r["cues"])
        if r["label"] == "loaded":
            assert r["cues"]
    ds = load_outside("dev", external=EXTERNAL)
    assert ds.features["label"].names == list(stance.LABELS) and len(ds) == sum(
        1 for r in labelled if r["split"] == "dev")


@needs_external
def test_real_vaccines_set_is_one_topic_apart_from_the_outside_set():
    rows = outside_records(external=EXTERNAL, include_excluded=True, name="vaccines")
    assert len(rows) == 384 and {r["topic"] for r in rows} == {"vaccine", "vaccines"}
    assert Counter(r["split"] for r in rows) == {"pool": 200, "heldout": 184}
    outside_keys = {r["key"] for r in outside_records(external=EXTERNAL, include_excluded=True) if r["dataset"] == "babe"}
    assert not outside_keys & {r["key"] for r in rows}
    labelled = [r for r in rows if r["label"] != "excluded"]
    assert {r["label"] for r in labelled} == set(stance.LABELS)
    assert all(r["cues"] and all(c in r["text"] for c in r["cues"]) for r in labelled if r["label"] == "loaded")
    assert len(load_outside("heldout", external=EXTERNAL, name="vaccines")) == sum(
        1 for r in labelled if r["split"] == "heldout")
    with pytest.raises(ValueError, match="the vaccines set has pool, heldout"):
        outside_records("dev", external=EXTERNAL, name="vaccines")
    with pytest.raises(ValueError, match="unknown labelled set 'nope'"):
        outside_records(external=EXTERNAL, name="nope")


def test_constructed_set_is_broad_marked_and_grouped():
    rows = constructed_records()
    assert len(rows) >= 800 and all(r["constructed"] for r in rows)
    assert len({r["topic"] for r in rows}) >= 25
    assert set(Counter(r["label"] for r in rows)) == set(stance.LABELS)
    groups = Counter(r["doc_id"] for r in rows)
    assert min(groups.values()) >= 3  # minimal-contrast groups, not lone sentences
    assert len({r["text"] for r in rows}) == len(rows)
    assert load_constructed().features["label"].names == list(stance.LABELS)


def test_constructed_row_must_be_marked(tmp_path):
    (tmp_path / "corpus").mkdir()
    row = {"id": "c1", "group": "g", "topic": "t", "variant": "claim", "text": "A port reopened.", "label": "claim"}
    (tmp_path / "corpus" / "constructed.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(LabelledSetError, match="constructed.jsonl:1: field 'constructed' must be true"):
        constructed_records(tmp_path)
