"""Label I/O: reading text and JSONL streams, the writers, and labelling whole files."""

import csv
import io
import json

import pytest

import stance
from stance.errors import InputError, StanceError
from stance.labelling import iter_jsonl_records, iter_text_chunks, label_files, make_writer, open_input


@pytest.fixture(scope="module")
def model():
    return stance.load()


def _chunks(data: bytes, **kw):
    return list(iter_text_chunks(io.BytesIO(data), "t.txt", **kw))


def test_chunks_end_at_line_breaks_and_keep_offsets():
    text = "".join(f"Line {i} says something.\n" for i in range(50))
    chunks = _chunks(text.encode(), chunk_chars=100)
    assert len(chunks) > 5
    assert "".join(c for _, c in chunks) == text
    for offset, chunk in chunks:
        assert text[offset:offset + len(chunk)] == chunk
        assert chunk.endswith("\n")


def test_a_byte_order_mark_is_dropped():
    assert _chunks("\ufeffCuba sent doctors.\n".encode("utf-8")) == [(0, "Cuba sent doctors.\n")]


@pytest.mark.parametrize("data, encoding, message", [
    (b"ok\ncaf\xe9\n", "utf-8", r"t\.txt:2: not valid utf-8 .*--encoding"),
    (b"text\x00binary\n", "utf-8", r"t\.txt:1: looks like a binary file"),
])
def test_undecodable_input_names_file_and_line(data, encoding, message):
    with pytest.raises(InputError, match=message):
        _chunks(data, encoding=encoding)


def test_jsonl_records_name_the_line_and_field():
    data = b'{"id": 7, "text": "Cuba sent doctors."}\n\n{"body": "x"}\n'
    records = iter_jsonl_records(io.BytesIO(data), "in.jsonl", "text", "id")
    assert next(records) == (1, "7", "Cuba sent doctors.")
    with pytest.raises(InputError, match=r"in\.jsonl:3: no field 'text' \(fields: body\); choose it with --text-field"):
        next(records)
    with pytest.raises(InputError, match=r"in\.jsonl:1: field 'text' is a number, not text"):
        list(iter_jsonl_records(io.BytesIO(b'{"text": 3}\n'), "in.jsonl", "text"))


def test_open_input_checks_before_reading(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_input(str(tmp_path / "absent.txt"))
    with pytest.raises(InputError, match="is a directory"):
        open_input(str(tmp_path))
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        open_input(str(tmp_path / "a.txt"), "klingon")
    assert issubclass(InputError, StanceError)


def test_make_writer_refuses_unknown_formats():
    with pytest.raises(InputError, match="unknown format 'xml'"):
        make_writer("xml", io.StringIO())


def test_label_files_writes_every_sentence_once(model, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text('Cuba sent 27 doctors to Peru.\n"We are proud," the minister said.\n', encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("The regime exploits its slave doctors.\n", encoding="utf-8")
    out = io.StringIO()
    n, docs = label_files(model, [str(a), str(b)], make_writer("csv", out), progress=False, keep_documents=True)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert n == len(rows) == 3
    assert [r["source"] for r in rows] == [str(a), str(a), str(b)]
    assert [r["label"] for r in rows] == ["claim", "quote", "loaded"]
    assert [d.id for d, _ in docs] == [str(a), str(b)] and docs[1][1].startswith("The regime")


def test_label_files_jsonl_records_and_sentences_mode(model, tmp_path):
    recs = tmp_path / "r.jsonl"
    recs.write_text(json.dumps({"id": "x1", "body": "Cuba sent doctors. They were paid little."}) + "\n")
    out = io.StringIO()
    n, docs = label_files(model, [str(recs)], make_writer("jsonl", out), jsonl=True, text_field="body",
                          id_field="id", progress=False)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert n == 2 and docs is None and {x["record"] for x in lines} == {"x1"}
    one = tmp_path / "one.txt"
    one.write_text("Cuba sent doctors. They were paid little.\nA second line.\n")
    out = io.StringIO()
    n, _ = label_files(model, [str(one)], make_writer("jsonl", out), sentences=True, progress=False)
    assert n == 2  # one sentence per line, not split further


def test_a_null_text_field_is_named_as_json_says_it():
    with pytest.raises(InputError, match=r"in\.jsonl:1: field 'text' is null, not text"):
        list(iter_jsonl_records(io.BytesIO(b'{"text": null}\n'), "in.jsonl", "text"))


def test_every_input_file_is_checked_before_any_is_labelled(default, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("Cuba sent 27 doctors to Peru.\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(InputError, match="missing.txt: no such file"):
        label_files(default, [str(a), str(tmp_path / "missing.txt")], make_writer("jsonl", out), progress=False)
    assert out.getvalue() == ""  # nothing of a.txt was written


def test_a_decoder_complaint_is_an_input_error():
    # UTF-16 without a byte-order mark: the codec raises a bare UnicodeError, not a decode error
    with pytest.raises(InputError, match=r"t\.txt:1: not valid utf-16 .*--encoding"):
        _chunks(b"\x00\x00", encoding="utf-16")


def test_a_single_long_line_is_read_in_bounded_chunks():
    from stance.labelling import PIECE_BYTES

    text = "Cuba sent 27 doctors to Peru. " * 20_000  # 600,000 characters, no line break
    chunks = _chunks(text.encode(), chunk_chars=50_000)
    assert len(chunks) >= len(text) // (50_000 + PIECE_BYTES) and "".join(c for _, c in chunks) == text
    for offset, chunk in chunks:
        assert text[offset:offset + len(chunk)] == chunk
        assert len(chunk) <= 50_000 + PIECE_BYTES
    assert all(c.endswith(". ") for _, c in chunks[:-1])  # cut after a sentence end


def test_labelling_a_long_line_in_chunks_keeps_offsets_and_flags_cut_sentences(model, tmp_path):
    from stance.text import CUT_REASON

    text = "Cuba sent 27 doctors to Peru. " * 3000 + "and " * 1500 + "\n"
    p = tmp_path / "line.txt"
    p.write_text(text, encoding="utf-8")
    out = io.StringIO()
    n, _ = label_files(model, [str(p)], make_writer("jsonl", out), chunk_chars=20_000, progress=False)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert n == len(rows) and sum(r["text"] == "Cuba sent 27 doctors to Peru." for r in rows) == 3000
    assert all(text[r["start"]:r["end"]] == r["text"] for r in rows)
    cut = [r for r in rows if r["text"].startswith("and")]
    assert len(cut) == 3 and all(r["reason"] == CUT_REASON or r["label"] == "excluded" for r in cut)


def test_label_sentences_cuts_an_over_long_sentence(model):
    from stance.pipeline import label_sentences
    from stance.text import MAX_SENTENCE_CHARS

    long = "The regime said " + "very " * 900 + "much."
    doc = label_sentences(model, ["Cuba sent doctors.", long])
    assert doc.sentences[0].reason is None and len(doc.sentences) == 4
    joined = "Cuba sent doctors.\n" + long
    assert all(joined[s.start:s.end] == s.text and len(s.text) <= MAX_SENTENCE_CHARS for s in doc.sentences)


@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.5\n%\xe2\xe3\n", "a PDF document"),
    (b"PK\x03\x04\x14\x00\x00\x00mimetypeapplication/epub+zip", "an EPUB book"),
    (b"\x1f\x8b\x08\x00", "a gzip-compressed file"),
    (b"GIF89a\x01\x00", "a GIF image"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "a WebP image"),
    (b"\x7fELF\x02\x01", "an executable (ELF)"),
    (b"Cuba sent doctors.\x00", "looks like a binary file (NUL bytes)"),
])
def test_sniffing_names_what_is_not_text(data, kind):
    from stance.labelling import sniff

    assert sniff(data).startswith(kind + ", not text; extract the text first")


@pytest.mark.parametrize("data", [b"Cuba sent doctors.\n", "Caf\xe9 ol\xe9\n".encode("latin-1"), b"BMW sold cars.\n",
                                  b"ID3 tags are metadata.\n", b"\x0cpage two\x1a", b""])
def test_sniffing_lets_text_through(data):
    from stance.labelling import sniff

    assert sniff(data) is None


def test_an_input_checked_whole_before_labelling(tmp_path):
    from stance.labelling import check_inputs

    a = tmp_path / "a.jsonl"
    a.write_text('{"text": "Cuba sent doctors."}\n{"text": ""}\n')
    with pytest.raises(InputError, match=r"a\.jsonl:2: field 'text' is empty"):
        check_inputs([str(a)], jsonl=True)
    check_inputs([str(a)], jsonl=True, allow_empty=True)
    sizes = []
    check_inputs([str(a)], jsonl=True, allow_empty=True, size_check=lambda n, exact: sizes.append((n, exact)))
    assert sizes == [(a.stat().st_size, True)]


def test_a_failed_write_is_one_line_and_a_closed_pipe_stays_a_broken_pipe(model):
    import errno

    from stance.errors import WriteError

    class Failing(io.StringIO):
        def __init__(self, exc):
            super().__init__()
            self.exc = exc

        def write(self, s):
            raise self.exc

    doc = model.label_text("Cuba sent doctors.")
    for fmt in ("jsonl", "csv", "table"):
        with pytest.raises(WriteError, match="^cannot write the output: No space left on device$"):
            w = make_writer(fmt, Failing(OSError(errno.ENOSPC, "No space left on device")))
            w.sentence("a.txt", None, 0, doc.sentences[0])
        with pytest.raises(BrokenPipeError):
            make_writer(fmt, Failing(BrokenPipeError(errno.EPIPE, "Broken pipe"))).sentence("a.txt", None, 0,
                                                                                             doc.sentences[0])
