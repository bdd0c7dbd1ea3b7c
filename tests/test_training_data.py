"""Training data: every source type, configurable columns, errors naming file, line and column."""


import pytest
from conftest import ROWS, write_jsonl

import stance
from stance.errors import DataError
from stance.training import fingerprint, read_data


def test_column_names_are_configurable(tmp_path):
    rows = [{"sentence": r["text"], "gold": r["label"]} for r in ROWS]
    m = stance.train("rules", data=write_jsonl(tmp_path / "d.jsonl", rows), text_column="sentence", label_column="gold")
    assert m.card["training_data"]["rows"] == 6


@pytest.mark.parametrize(
    "rows, match",
    [
        ([{"sentence": "x", "label": "claim"}], r"no text column 'text'; columns are: label, sentence"),
        ([{"text": "x", "tag": "claim"}], r"no label column 'label'"),
        ([{"text": "x", "label": "opinion"}, {"text": "y", "label": "claim"}], r":1: unknown label 'opinion'"),
        ([{"text": "x", "label": "claim"}, {"text": "y", "label": ""}], r":2: field 'label' is empty"),
        ([{"text": "x", "label": "claim"}, {"text": "y", "label": "claim"}], r"at least two classes"),
        ([{"text": 5, "label": "claim"}, {"text": "y", "label": "quote"}], r":1: field 'text' is int, not text"),
    ],
)
def test_bad_data_errors_name_the_problem(tmp_path, rows, match):
    with pytest.raises(DataError, match=match):
        stance.train("hybrid", data=write_jsonl(tmp_path / "bad.jsonl", rows))


def test_file_errors(tmp_path):
    with pytest.raises(DataError, match="the data is empty"):
        stance.train(data=write_jsonl(tmp_path / "empty.jsonl", []))
    (tmp_path / "d.parquet").write_bytes(b"PAR1")
    with pytest.raises(DataError, match="unsupported file type '.parquet'"):
        stance.train(data=tmp_path / "d.parquet")
    (tmp_path / "broken.jsonl").write_text('{"text": "x", "label": "claim"}\n{oops\n')
    with pytest.raises(DataError, match=r"broken.jsonl:2: not valid JSON"):
        stance.train(data=tmp_path / "broken.jsonl")
    (tmp_path / "latin.csv").write_bytes("text,label\ncaf\xe9,claim\n".encode("latin-1"))
    with pytest.raises(DataError, match="not UTF-8"):
        stance.train(data=tmp_path / "latin.csv")
    with pytest.raises(DataError, match="no such file"):
        stance.train(data=tmp_path / "nope.csv")
    with pytest.raises(DataError, match="unsupported data of type int"):
        stance.train(data=42)
    with pytest.raises(ValueError, match="unknown model 'hybird'"):
        stance.train("hybird")


def test_fingerprint_tracks_ids_and_labels():
    td = read_data()
    fp = fingerprint(td)
    td.labels[0] = "loaded" if td.labels[0] != "loaded" else "claim"
    assert fingerprint(td) != fp
