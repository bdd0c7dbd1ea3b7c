"""The error contract: every bad input is a StanceError; the installed commands print it as one
line on stderr and exit 2, with no traceback, and touch nothing the user had."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import stance
import stance.corpora
import stance.errors


def _script(name):
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"the console script {name!r} is not installed next to {sys.executable}")
    return found


def _run(cmd, tmp_path, **kw):
    env = dict(os.environ, STANCE_HOME=str(tmp_path / "home"), STANCE_OFFLINE="1")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300, **kw)


def test_every_error_class_is_a_stance_error_with_its_builtin_base():
    assert issubclass(stance.errors.DataError, ValueError) and issubclass(stance.errors.DataError, stance.errors.StanceError)
    assert issubclass(stance.errors.OutsideDataMissing, FileNotFoundError)
    assert issubclass(stance.errors.UnknownModelError, KeyError) and issubclass(stance.errors.UnknownModelError, stance.errors.RegistryError)
    e = stance.errors.UnknownModelError("hybird", ["hybrid", "rules"], "known models")
    assert str(e) == "unknown model 'hybird'; known models: hybrid, rules. Did you mean 'hybrid'?"
    c = stance.errors.CorpusError(["a.jsonl:3: label: unknown", "b.jsonl:1: missing"])
    assert str(c).startswith("2 problems in the corpus:") and len(c.problems) == 2


def test_errors_live_in_one_module_and_old_paths_still_find_them():
    import importlib
    import warnings

    for package in ("text", "pipeline", "model", "corpora", "recipes", "evaluate", "training", "hub", "labelling"):
        module = importlib.import_module(f"stance.{package}")
        assert not [n for n in getattr(module, "__all__", []) if n.endswith("Error")], package
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = importlib.import_module("stance.corpus")
        assert old.CorpusError is stance.errors.CorpusError and old.load is stance.corpora.load


@pytest.mark.parametrize("argv, message", [
    (["stance", "label", "absent.txt"], r"^stance: error: absent\.txt: no such file$"),
    (["stance", "label", "a.txt", "--model", "hybird"], r"^stance: error: unknown model 'hybird'"),
    (["stance", "label", "a.txt", "--html", "a.txt"], r"^stance: error: a\.txt already exists; pass --force to overwrite it$"),
    (["stance", "evaluate", "--model", "rules", "--out", "o"], r"^stance: error: --model scores one model on outside data"),
    (["stance-train", "--data", "bad.jsonl", "--output", "m.stance"], r"^stance-train: error: bad\.jsonl:1: unknown label 'opinion'"),
    (["stance-train", "--model", "hybird", "--output", "m.stance"], r"^stance-train: error: unknown model 'hybird'"),
    (["stance-train", "--output", "no-dir/m.stance"], r"^stance-train: error: no-dir: no such directory"),
    (["stance-train", "--output", "."], r"^stance-train: error: \. is a directory"),
    (["stance", "label", "a.txt", "--html", ".", "--force"], r"^stance: error: \. is a directory; give the path"),
])
def test_installed_commands_print_one_line_and_exit_2(tmp_path, argv, message):
    import re

    (tmp_path / "a.txt").write_text("Cuba sent 27 doctors to Peru.\n")
    (tmp_path / "bad.jsonl").write_text('{"text": "x", "label": "opinion"}\n')
    r = _run([_script(argv[0]), *argv[1:]], tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(message, lines[0]), r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert not (tmp_path / "m.stance").exists() and not (tmp_path / "o").exists()


def test_python_dash_m_stance_is_the_same_command(tmp_path):
    (tmp_path / "a.txt").write_text('Cuba sent 27 doctors to Peru.\n"We are proud," the minister said.\n')
    r = _run([sys.executable, "-m", "stance", "label", "a.txt", "--format", "csv"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert [row.split(",")[5] for row in r.stdout.splitlines()[1:]] == ["claim", "quote"]
    r = _run([sys.executable, "-m", "stance", "label", "absent.txt"], tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("stance: error: absent.txt") and "Traceback" not in r.stderr


def test_stance_train_then_stance_label_with_what_it_wrote(tmp_path, corpus_jsonl):
    # on the corpus alone (a file outside tmp_path): tfidf-lr takes a minute on the whole shipped data
    r = _run([_script("stance-train"), "--model", "tfidf-lr", "--data", str(corpus_jsonl), "--no-eval", "--output",
              "mine.joblib"], tmp_path)
    assert r.returncode == 0, r.stderr
    # exactly the path given, whatever its suffix, and data inside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.joblib"]
    assert __import__("zipfile").is_zipfile(tmp_path / "mine.joblib")
    (tmp_path / "a.txt").write_text('Cuba sent 27 doctors to Peru.\n"We are proud," the minister said.\n')
    r = _run([_script("stance"), "label", "a.txt", "--model", "mine.joblib", "--format", "jsonl"], tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [__import__("json").loads(x) for x in r.stdout.splitlines()]
    assert len(rows) == 2 and all(x["label"] in ("claim", "quote", "loaded") for x in rows)
    assert all(set(x["probabilities"]) == {"claim", "quote", "loaded"} for x in rows)


def test_stance_train_help_names_commands_that_exist(tmp_path):
    r = _run([_script("stance-train"), "--help"], tmp_path)
    assert r.returncode == 0 and "--baselines" not in r.stdout and "stance models" in r.stdout
