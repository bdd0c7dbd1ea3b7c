"""The command line: stance label, stance-train, and the installed console scripts."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stance.cli import main, train_main

ARTICLE = (
    "Cuba Sends Doctors to Peru\n\n"
    "Cuba sent 27 doctors to Peru in June. "
    "“We are proud of our doctors,” Health Minister José Portal said. "
    "The Castro regime cynically exploits its slave doctors.\n"
    "Leave a Reply\n"
)


@pytest.fixture
def article(tmp_path):
    p = tmp_path / "article.txt"
    p.write_text(ARTICLE, encoding="utf-8")
    return p


def _jsonl(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def test_label_file_jsonl(article, capsys):
    assert main(["label", str(article), "--format", "jsonl"]) == 0
    rows = _jsonl(capsys.readouterr().out)
    assert [r["label"] for r in rows] == ["claim", "claim", "quote", "loaded", "excluded"]
    for r in rows:
        assert ARTICLE[r["start"] : r["end"]] == r["text"] and r["source"] == str(article)
    assert rows[2]["speaker"] == "Health Minister José Portal"
    assert rows[4]["reason"] == "boilerplate"


def test_label_table_and_explain(article, capsys):
    assert main(["label", str(article), "--format", "table", "--explain", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "LOADED" in out and "[Health Minister José Portal]" in out
    assert "regime" in out  # the explanation names the loaded word
    assert "4 labelled: claim 2 (50%)" in out


def test_label_csv(article, capsys):
    assert main(["label", str(article), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("source,record,index,start,end,label,p_claim")
    assert len(lines) == 6


def test_label_stdin_sentences(monkeypatch, capsys):
    import io

    data = "Cuba sent 27 doctors to Peru.\n\n\"We are proud,\" the minister said.\nIs this true?\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    assert main(["label", "--sentences", "--format", "jsonl"]) == 0
    rows = _jsonl(capsys.readouterr().out)
    assert [r["label"] for r in rows] == ["claim", "quote", "excluded"]
    assert [data[r["start"] : r["end"]] for r in rows] == [r["text"] for r in rows]


def test_label_jsonl_records(tmp_path, capsys):
    src = tmp_path / "batch.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{i}", "body": ARTICLE}) + "\n" for i in range(3)))
    assert main(["label", "--jsonl", str(src), "--text-field", "body", "--id-field", "id", "--format", "jsonl"]) == 0
    rows = _jsonl(capsys.readouterr().out)
    assert len(rows) == 15 and {r["record"] for r in rows} == {"a0", "a1", "a2"}


def test_label_html(article, tmp_path, capsys):
    out = tmp_path / "page.html"
    assert main(["label", str(article), "--html", str(out), "--format", "jsonl"]) == 0
    page = out.read_text()
    assert "slave doctors" in page and "loaded" in page
    assert main(["label", str(article), "--html", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == page


@pytest.mark.parametrize(
    "setup, args, message",
    [
        (lambda d: None, ["missing.txt"], "missing.txt: no such file"),
        (lambda d: (d / "folder").mkdir(), ["folder"], "folder: is a directory"),
        (lambda d: (d / "empty.txt").write_text(""), ["empty.txt"], "no text to label: the input is empty"),
        (lambda d: (d / "bin.txt").write_bytes(b"\x89PNG\x00\x00\x01"), ["bin.txt"], "looks like a binary file"),
        (lambda d: (d / "latin.txt").write_bytes("Caf\xe9 ol\xe9.".encode("latin-1")), ["latin.txt"],
         "not valid utf-8 .*--encoding"),
        (lambda d: (d / "b.jsonl").write_text('{"body": "x"}\n'), ["--jsonl", "b.jsonl"], r"b.jsonl:1: no field 'text'"),
        (lambda d: (d / "a.txt").write_text("Hi there."), ["a.txt", "--model", "hybird"], "unknown model 'hybird'"),
        (lambda d: (d / "a.txt").write_text("Hi there."), ["a.txt", "--model", "nope.joblib"], "no such model file"),
    ],
)
def test_label_bad_input(tmp_path, monkeypatch, capsys, setup, args, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STANCE_OFFLINE", "1")
    monkeypatch.setenv("STANCE_HOME", str(tmp_path / "home"))
    setup(tmp_path)
    assert main(["label", *args]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    import re

    assert re.search(message, err), err


def test_label_encoding_option(tmp_path, capsys):
    p = tmp_path / "latin.txt"
    p.write_bytes("Le café est arrivé à Lima.".encode("latin-1"))
    assert main(["label", str(p), "--encoding", "latin-1", "--format", "jsonl"]) == 0
    assert _jsonl(capsys.readouterr().out)[0]["text"] == "Le café est arrivé à Lima."


def test_label_streams_large_files_in_chunks(tmp_path):
    import io

    import stance
    import stance.labelling

    text = ARTICLE * 20
    p = tmp_path / "big.txt"
    p.write_text(text, encoding="utf-8")
    out = io.StringIO()
    n, _ = stance.labelling.label_files(stance.load(), [str(p)], stance.labelling.make_writer("jsonl", out),
                                        chunk_chars=200, progress=False)
    assert n == 100
    rows = _jsonl(out.getvalue())
    assert len(rows) == 100
    assert all(text[r["start"] : r["end"]] == r["text"] for r in rows)
    assert [r["index"] for r in rows] == list(range(100))


def test_stance_train(tmp_path, capsys):
    out = tmp_path / "rules.stance"
    assert train_main(["--model", "rules", "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "leave-one-document-out over 5 documents" in printed and "macro-F1" in printed
    assert f"its card: stance card {out}" in printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules.stance"]  # exactly -o PATH
    assert main(["card", str(out)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["card"]["metrics"]["macro_f1"] > 0.5 and shown["data_only_scoring"] is True
    assert shown["format_version"] == 2 and shown["path"] == str(out)
    before = out.read_bytes()
    assert train_main(["--model", "rules", "--output", str(out), "--no-eval"]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == before
    assert train_main(["--model", "rules", "--output", str(out), "--no-eval", "--force"]) == 0


def test_stance_train_bad_data(tmp_path, capsys):
    bad = tmp_path / "d.jsonl"
    bad.write_text('{"text": "x", "label": "opinion"}\n')
    assert train_main(["--data", str(bad), "--output", str(tmp_path / "m.stance")]) == 2
    err = capsys.readouterr().err
    assert "unknown label 'opinion'" in err and "Traceback" not in err
    assert not (tmp_path / "m.stance").exists()


def _script(name):
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"the console script {name!r} is not installed next to {sys.executable}")
    return found


def test_installed_console_scripts(article, tmp_path):
    """The entry points declared in pyproject.toml exist and run."""
    env = dict(os.environ, STANCE_HOME=str(tmp_path / "home"))
    r = subprocess.run([_script("stance"), "label", str(article), "--format", "jsonl"], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert len(_jsonl(r.stdout)) == 5
    r = subprocess.run([_script("stance-train"), "--model", "majority", "--no-eval", "--output",
                        str(tmp_path / "m.stance")], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([_script("stance"), "--version"], capture_output=True, text=True, timeout=60)
    assert r.stdout.startswith("stance ")


def test_label_does_not_import_heavy_modules(article):
    code = (
        "import sys; from stance.cli import main; main(['label', %r, '--format', 'jsonl']); "
        "heavy = [m for m in ('sklearn', 'datasets', 'matplotlib', 'torch', 'scipy') if m in sys.modules]; "
        "print('HEAVY', heavy, file=sys.stderr)"
    ) % str(article)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "HEAVY []" in r.stderr
