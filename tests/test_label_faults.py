"""Faults on the `stance label` path, each in a real process (the installed scripts): inputs that are
not text, outputs that cannot be written, empty rows, over-long lines and sentences, pages over their
bound, a full disk and a closed pipe on standard output, a missing model file. Each ends in one line on
stderr and exit 2 (or success), with nothing on stdout when the command stops before labelling."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from test_cli import _script
from test_faults import _one_line_error, _without_root_override

import stance
from stance.errors import ModelFileMissing, StanceError, WriteError
from stance.labelling import HtmlPage, write_html
from stance.text import CUT_REASON, MAX_SENTENCE_CHARS

GOOD = 'Cuba sent 27 doctors to Peru.\n"We are proud of our doctors," the minister said.\n'


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, STANCE_HOME=str(tmp_path / "home"), STANCE_OFFLINE="1")


def _label(tmp_path: Path, *args: str, stdin: str | None = None, pre: list[str] | None = None,
           **kw) -> subprocess.CompletedProcess:
    """``stance label ARGS`` in ``tmp_path``; stdout and stderr captured unless given in ``kw``."""
    if "stdout" not in kw:
        kw["capture_output"] = True
    return subprocess.run([*(pre or []), _script("stance"), "label", *args], text=True, env=_env(tmp_path), cwd=tmp_path,
                          timeout=300, check=False, input=stdin, **kw)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    return tmp_path


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


NOT_TEXT = {
    "paper.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "a PDF document"),
    "report.docx": (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}),
                    "a Word document (DOCX)"),
    "sheet.xlsx": (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
                   "an Excel workbook (XLSX)"),
    "notes.odt": (_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
                  "an OpenDocument text (ODT)"),
    "texts.zip": (_zip({"a.txt": b"Cuba sent doctors."}), "a ZIP archive"),
    "article.txt.gz": (gzip.compress(GOOD.encode()), "a gzip-compressed file"),
    "photo.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "a PNG image"),
    "photo.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "a JPEG image"),
    "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "an old Microsoft Office document"),
    "blob.bin": (bytes(range(256)) * 8, "looks like a binary file (NUL bytes)"),
    "noise.bin": (bytes(b for b in range(1, 256) if b not in b"\t\n\v\f\r\x1a\x1b") * 8,
                  "looks like a binary file (control characters)"),
}


@pytest.mark.parametrize("name", sorted(NOT_TEXT))
# latin-1 decodes any bytes, so only the sniffing can stop these files: that half runs in the quick loop;
# the utf-8 half (22 real processes in all, ~0.6 s each) with the slow tests
@pytest.mark.parametrize("encoding", [pytest.param("utf-8", marks=pytest.mark.slow), "latin-1"])
def test_a_file_that_is_not_text_is_named_before_any_output(good, name, encoding):
    data, what = NOT_TEXT[name]
    (good / name).write_bytes(data)
    r = _label(good, "good.txt", name, "--encoding", encoding, "--format", "jsonl")
    line = _one_line_error(r, f"{name}: {what}", "extract the text first")
    assert "--encoding" not in line and r.stdout == ""  # not the first file's labels, and no encoding advice


def test_a_file_that_is_not_text_on_stdin(tmp_path):
    r = _label(tmp_path, "--format", "jsonl", stdin=NOT_TEXT["paper.pdf"][0].decode("latin-1"))
    _one_line_error(r, "<stdin>: a PDF document", "extract the text first")
    assert r.stdout == ""


def test_mis_encoded_text_keeps_the_encoding_advice_and_is_found_anywhere_in_the_file(good):
    # the bad byte is far past the first bytes sniffed: the whole file is read through before labelling
    (good / "latin.txt").write_bytes(("Cuba sent doctors.\n" * 2000 + "Le caf\xe9 est arriv\xe9.\n").encode("latin-1"))
    r = _label(good, "good.txt", "latin.txt", "--format", "jsonl")
    _one_line_error(r, "latin.txt:2001: not valid utf-8", "pass the right --encoding (for example --encoding latin-1)")
    assert r.stdout == ""
    r = _label(good, "good.txt", "latin.txt", "--format", "jsonl", "--encoding", "latin-1")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2 + 2001, r.stderr


def test_utf16_text_is_told_to_pass_its_encoding(good):
    (good / "u16.txt").write_bytes(GOOD.encode("utf-16"))
    _one_line_error(_label(good, "u16.txt"), "u16.txt: UTF-16 text", "pass --encoding utf-16")
    r = _label(good, "u16.txt", "--encoding", "utf-16", "--format", "jsonl")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2, r.stderr


def test_nul_bytes_past_the_first_bytes_are_found_before_any_output(good):
    (good / "late.txt").write_bytes(b"Cuba sent doctors.\n" * 1000 + b"and then \x00\x00 binary\n")
    r = _label(good, "good.txt", "late.txt", "--format", "jsonl")
    _one_line_error(r, "late.txt:1001: looks like a binary file (NUL bytes)", "extract the text first")
    assert r.stdout == ""


# --------------------------------------------------------------------------- the page's path, checked first
@pytest.mark.parametrize("target, words", [
    ("missing/page.html", ["missing: no such directory (for the page page.html)"]),
    (".", [". is a directory"]),
    ("good.txt", ["good.txt already exists; pass --force"]),
])
def test_a_page_that_cannot_be_written_is_refused_before_labelling(good, target, words):
    before = sorted(p.name for p in good.iterdir())
    r = _label(good, "good.txt", "--format", "jsonl", "--html", target)
    _one_line_error(r, *words)
    assert r.stdout == "" and sorted(p.name for p in good.iterdir()) == before


def test_a_page_in_a_read_only_folder_is_refused_before_labelling(good):
    ro = good / "ro"
    ro.mkdir()
    os.chmod(ro, 0o555)
    try:
        r = _label(good, "good.txt", "--format", "jsonl", "--html", "ro/page.html", pre=_without_root_override())
        _one_line_error(r, "ro: cannot write there", "for the page page.html")
        assert r.stdout == "" and list(ro.iterdir()) == []
    finally:
        os.chmod(ro, 0o755)


# --------------------------------------------------------------------------- empty text
def test_training_data_with_an_empty_text_is_refused_with_its_line(tmp_path):
    (tmp_path / "f.csv").write_text('text,label\nCuba sent doctors.,claim\n,loaded\n"We are proud, he said.",quote\n')
    env = dict(os.environ, STANCE_HOME=str(tmp_path / "home"))
    r = subprocess.run([_script("stance-train"), "--data", "f.csv", "--no-eval", "-o", "m.stance"], capture_output=True,
                       text=True, env=env, cwd=tmp_path, timeout=300, check=False)
    _one_line_error(r, "f.csv:3: field 'text' is empty")
    assert not (tmp_path / "m.stance").exists()


def test_a_jsonl_record_with_empty_text_is_refused_unless_allowed(good):
    (good / "b.jsonl").write_text(json.dumps({"id": "a", "text": GOOD}) + "\n" + json.dumps({"id": "b", "text": " \n"}) + "\n")
    r = _label(good, "--jsonl", "b.jsonl", "--format", "jsonl")
    _one_line_error(r, "b.jsonl:2: field 'text' is empty", "--allow-empty")
    assert r.stdout == ""
    r = _label(good, "--jsonl", "b.jsonl", "--id-field", "id", "--format", "jsonl", "--allow-empty")
    assert r.returncode == 0 and [json.loads(x)["record"] for x in r.stdout.splitlines()] == ["a", "a"], r.stderr


# --------------------------------------------------------------------------- size
def test_a_long_line_without_punctuation_is_labelled_in_bounded_pieces(tmp_path):
    words = ("the council approved a plan and critics said it was reckless " * 50_000).split()  # 3 MB, one line
    text = " ".join(words)
    (tmp_path / "line.txt").write_text(text, encoding="utf-8")
    r = _label(tmp_path, "line.txt", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) >= len(text) // MAX_SENTENCE_CHARS
    assert max(len(x["text"]) for x in rows) <= MAX_SENTENCE_CHARS
    assert all(text[x["start"]:x["end"]] == x["text"] for x in rows)
    labelled = [x for x in rows if x["label"] != "excluded"]
    assert labelled and all(x["reason"] == CUT_REASON for x in labelled)  # flagged, never a silent label


def test_a_page_over_the_bound_is_refused_before_any_work(good):
    big = good / "big.txt"
    with big.open("w", encoding="utf-8") as fh:  # the real default: 10 MB
        for _ in range(10_000_001 // len(GOOD) + 1):
            fh.write(GOOD)
    r = _label(good, "big.txt", "--format", "jsonl", "--html", "page.html")
    _one_line_error(r, "over the 10 MB an HTML page is made for", "--format jsonl")
    assert r.stdout == "" and not (good / "page.html").exists()
    r = _label(good, "good.txt", "--format", "jsonl", "--html", "page.html", "--html-max-mb", "0.00005")
    _one_line_error(r, f"the input ({len(GOOD.encode())} bytes) is over the 50 bytes")
    r = _label(good, "--format", "jsonl", "--html", "page.html", "--html-max-mb", "0.00005", stdin=GOOD * 3)
    _one_line_error(r, "the input (51 bytes or more) is over the 50 bytes")
    assert r.stdout == "" and not (good / "page.html").exists()
    r = _label(good, "--format", "jsonl", "--html", "page.html", "--html-max-mb", "0.0001", stdin=GOOD)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2, r.stderr
    assert "the minister said" in (good / "page.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- standard output
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_a_full_disk_on_standard_output_is_one_line(good, fmt):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        r = _label(good, "good.txt", "--format", fmt, stdout=full, stderr=subprocess.PIPE)
    _one_line_error(r, "stance: error: cannot write the output: No space left on device")


@pytest.mark.parametrize("lines, read_one", [(1, False), (5000, True)])
def test_a_closed_pipe_ends_quietly(good, lines, read_one):
    (good / "many.txt").write_text(GOOD * lines, encoding="utf-8")
    read, write = os.pipe()
    reader, writer = os.fdopen(read, "rb"), os.fdopen(write, "wb")
    if not read_one:
        reader.close()  # gone before the first line
    p = subprocess.Popen([_script("stance"), "label", "many.txt", "--format", "jsonl"], stdout=writer,
                         stderr=subprocess.PIPE, text=True, env=_env(good), cwd=good)
    writer.close()
    if read_one:
        reader.readline()  # as `| head -1` does
        reader.close()
    err = p.communicate(timeout=300)[1]
    assert p.returncode == 0 and err == "", err


# --------------------------------------------------------------------------- a missing model file
def test_a_missing_model_file_is_a_stance_error_and_a_file_not_found_error(good):
    with pytest.raises(ModelFileMissing, match="/no/such.stance: no such model file") as caught:
        stance.load("/no/such.stance")
    assert isinstance(caught.value, StanceError) and isinstance(caught.value, FileNotFoundError)
    _one_line_error(_label(good, "good.txt", "--model", "/no/such.stance"), "/no/such.stance: no such model file")


def test_page_paths_refused_by_the_library_are_stance_errors(tmp_path):
    doc = stance.load().label_text(GOOD)
    for target, builtin in ((tmp_path, IsADirectoryError), (tmp_path / "no" / "p.html", FileNotFoundError)):
        with pytest.raises(WriteError) as caught:
            write_html(target, [doc])
        assert isinstance(caught.value, builtin)
    (tmp_path / "p.html").write_text("old")
    with pytest.raises(FileExistsError) as caught:
        HtmlPage(tmp_path / "p.html")
    assert isinstance(caught.value, StanceError)
