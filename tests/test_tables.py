"""Reading table files: every problem names the file and line."""

import pytest

from stance.errors import StanceError, TableError
from stance.corpora import json_object, read_table


def test_csv_with_sniffed_delimiter_and_line_numbers(tmp_path):
    p = tmp_path / "rows.csv"
    p.write_text("text;label\nCuba sent doctors.;claim\n\"He said, \"\"no\"\".\";quote\n", encoding="utf-8")
    cols, rows = read_table(p)
    assert cols == ["text", "label"]
    assert [r["label"] for r in rows] == ["claim", "quote"]
    assert [r["__line__"] for r in rows] == [2, 3]


def test_tsv_is_read_unquoted(tmp_path):
    p = tmp_path / "rows.tsv"
    p.write_text('text\tlabel\n"Quoted" words stay\tclaim\n', encoding="utf-8")
    _, rows = read_table(p)
    assert rows[0]["text"] == '"Quoted" words stay'


def test_jsonl_rows_keep_their_line_and_blank_lines_are_skipped(tmp_path):
    p = tmp_path / "rows.jsonl"
    p.write_text('{"text": "a", "label": "claim"}\n\n{"text": "b", "extra": 1}\n', encoding="utf-8")
    cols, rows = read_table(p)
    assert cols == ["text", "label", "extra"]
    assert [r["__line__"] for r in rows] == [1, 3]


@pytest.mark.parametrize("name, content, message", [
    ("bad.jsonl", '{"text": "a"}\n[1, 2]\n', r"bad\.jsonl:2: expected a JSON object, got an array"),
    ("bad.jsonl", '{"text": \n', r"bad\.jsonl:1: not valid JSON"),
    ("bad.csv", "text,label\na,claim,extra\n", r"bad\.csv:2: more fields than the header has columns"),
    ("bad.json", '{"text": "a"}', r"bad\.json: expected a JSON array of objects"),
    ("bad.xlsx", "x", r"unsupported file type '\.xlsx'"),
])
def test_bad_tables_name_file_and_line(tmp_path, name, content, message):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(TableError, match=message) as info:
        read_table(p)
    assert isinstance(info.value, StanceError) and "\n" not in str(info.value)


def test_missing_file_directory_and_encoding(tmp_path):
    with pytest.raises(TableError, match="no such file"):
        read_table(tmp_path / "absent.csv")
    with pytest.raises(TableError, match="is a directory"):
        read_table(tmp_path)
    p = tmp_path / "latin.csv"
    p.write_bytes("text,label\ncaf\xe9,claim\n".encode("latin-1"))
    with pytest.raises(TableError, match="not UTF-8 text"):
        read_table(p)


def test_json_object():
    assert json_object('{"a": 1}') == {"a": 1}
    with pytest.raises(ValueError, match="expected a JSON object"):
        json_object("3")


def test_json_messages_name_json_types_and_read_once(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text('{"text": "unterminated', encoding="utf-8")
    with pytest.raises(TableError) as info:
        read_table(p)
    assert "(column 10: Unterminated string starting at)" in str(info.value) and " at at " not in str(info.value)
    p.write_text("null\n", encoding="utf-8")
    with pytest.raises(TableError, match="expected a JSON object, got null"):
        read_table(p)
