"""Many documents as flat sentence rows: the same rows as ``stance label``, and datasets' map over cores."""

import json

import pytest

import stance
from stance.labelling import ROW_FIELDS, LabelBatch, columns, sentence_rows
from stance.errors import InputError


@pytest.fixture
def articles(sources):
    texts = [p.read_text(encoding="utf-8") for p in sources]
    return texts, [p.stem for p in sources]


def test_rows_are_the_sentences_stance_label_gives(default, articles):
    texts, ids = articles
    rows = sentence_rows(texts, ids)
    assert all(tuple(r) == ROW_FIELDS for r in rows)
    for text, doc_id in zip(texts, ids):
        doc = default.label_text(text, id=doc_id)
        mine = [r for r in rows if r["doc_id"] == doc_id]
        assert [r["index"] for r in mine] == list(range(len(doc.sentences)))
        for r, s in zip(mine, doc.sentences):
            assert (r["text"], r["start"], r["end"], r["label"], r["probabilities"], r["reason"], r["speaker"]) == (
                s.text, s.start, s.end, s.label, s.probabilities, s.reason, s.speaker)
            assert text[r["start"]:r["end"]] == r["text"]


def test_null_non_text_and_empty_documents_give_a_row_that_says_so():
    rows = sentence_rows([None, float("nan"), 3, "  ", "Cuba sent doctors."], ["a", "b", "c", "d", "e"])
    assert [(r["doc_id"], r["label"], r["reason"]) for r in rows[:4]] == [
        ("a", "excluded", "no text (null)"), ("b", "excluded", "no text (null)"), ("c", "excluded", "not text (int)"),
        ("d", "excluded", "empty text")]
    assert rows[4]["label"] == "claim" and rows[4]["doc_id"] == "e"
    with pytest.raises(InputError, match="2 ids for 1 texts"):
        sentence_rows(["x"], ["a", "b"])


def test_explanations_are_json_and_columns_are_flat():
    rows = sentence_rows(["The regime cynically exploits its slave doctors."], explain=True)
    assert json.loads(rows[0]["explanation"])[0]["description"]
    cols = columns(rows)
    assert set(cols) == (set(ROW_FIELDS) - {"probabilities"}) | {"p_claim", "p_quote", "p_loaded"}
    assert cols["p_loaded"][0] == rows[0]["probabilities"]["loaded"]


@pytest.mark.slow  # two worker processes, each importing stance and loading the default: 6 s
def test_datasets_map_on_two_processes_gives_the_single_process_rows(articles, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    texts, ids = articles
    ds = datasets.Dataset.from_list([{"id": i, "text": t} for i, t in zip(ids, texts)])
    one = ds.map(LabelBatch(), batched=True, batch_size=2, remove_columns=ds.column_names)
    two = ds.map(LabelBatch(), batched=True, batch_size=2, remove_columns=ds.column_names, num_proc=2)
    assert one.to_list() == two.to_list() == [
        dict(zip(columns(sentence_rows(texts, ids)).keys(), row)) for row in zip(*columns(sentence_rows(texts, ids)).values())]
    numbered = ds.map(LabelBatch(id_column=None), batched=True, with_indices=True, remove_columns=ds.column_names)
    assert set(numbered["doc_id"]) == {"0", "1", "2", "3", "4"}
    with pytest.raises(InputError, match="no column 'body'"):
        ds.map(LabelBatch(text_column="body"), batched=True)
    with pytest.raises(TypeError, match="model name or path"):
        LabelBatch(model=stance.load())
