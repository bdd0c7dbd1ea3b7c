"""Property tests: no input makes a reader raise anything but the library's own errors (issue 15)."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.errors import StanceError

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_json_like = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.lists(st.one_of(st.just('{"text": "a", "label": "claim"}'), st.just("null"), st.just("[1]"),
                       st.just('{"text": null}'), st.just('{"text": 3, "label": "loaded"}'), st.just("{"),
                       st.text(max_size=30)), max_size=6).map(lambda ls: "\n".join(ls).encode("utf-8")),
)


def _only_stance_errors(read, path, data):
    path.write_bytes(data)
    try:
        read(path)
    except StanceError:
        pass


@SETTINGS
@given(data=_json_like, suffix=st.sampled_from([".jsonl", ".csv", ".tsv", ".json", ".txt"]))
def test_read_table_raises_only_table_errors(tmp_path, data, suffix):
    from stance.tables import read_table

    _only_stance_errors(read_table, tmp_path / f"t{suffix}", data)


@SETTINGS
@given(data=_json_like, suffix=st.sampled_from([".jsonl", ".csv"]))
def test_read_data_raises_only_data_errors(tmp_path, data, suffix):
    from stance.training import read_data

    _only_stance_errors(read_data, tmp_path / f"d{suffix}", data)


@SETTINGS
@given(data=_json_like, encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_label_input_readers_raise_only_input_errors(data, encoding):
    from stance.labelling import iter_jsonl_records, iter_text_chunks

    for reader in (lambda: list(iter_text_chunks(io.BytesIO(data), "in.txt", encoding)),
                   lambda: list(iter_jsonl_records(io.BytesIO(data), "in.jsonl", "text", "id", encoding))):
        try:
            reader()
        except StanceError:
            pass


@SETTINGS
@given(data=st.binary(max_size=300))
def test_artifact_read_raises_only_artifact_errors(tmp_path, data):
    from stance.artifact import read

    _only_stance_errors(read, tmp_path / "m.joblib", data)


@SETTINGS
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=100).map(lambda b: b.decode("latin-1"))))
def test_labelling_any_text_never_fails(text):
    import stance

    doc = stance.load().label_text(text)
    assert all(text[s.start:s.end] == s.text for s in doc.sentences)


@pytest.mark.parametrize("line", ["", "{}", '{"id": "001"}', "[]", "null", "{bad", '{"id": 5, "file": null}'])
def test_corpus_files_raise_only_corpus_errors(corpus_copy, line):
    import stance.corpus as C

    with (corpus_copy / "corpus" / "documents.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    try:
        C.check(corpus_copy)
    except StanceError:
        pass
