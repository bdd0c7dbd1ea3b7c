"""stance.uncertainty and `stance label --uncertain`: the sentences worth labelling first."""

import csv
import io
import os
import subprocess

import numpy as np
import pytest

import stance
from stance.cli import main
from stance.text import LabelledSentence
from stance.labelling import UNCERTAIN_FIELDS as CSV_FIELDS, UncertainWriter, pick_diverse, select_uncertain, uncertainty


def test_uncertainty_scores_order_rows_from_sure_to_unsure():
    P = np.array([[1.0, 0.0, 0.0], [0.6, 0.3, 0.1], [0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    m = uncertainty(P, "margin")
    assert np.allclose(m, [0.0, 0.7, 1.0, 1.0])
    e = uncertainty(P, "entropy")
    # entropy counts the third label too: [.6, .3, .1] is less sure than a clean tie of two
    assert e[0] == 0.0 and np.isclose(e[3], 1.0) and e[0] < e[2] < e[1] < e[3] and np.isclose(e[2], np.log(2) / np.log(3))
    with pytest.raises(ValueError, match="unknown strategy 'least'"):
        uncertainty(P, "least")
    with pytest.raises(ValueError, match="2-D array"):
        uncertainty([0.5, 0.5])


def test_pick_diverse_caps_each_document_then_fills_up():
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.1]
    groups = ["a", "a", "a", "a", "b", "c"]
    # n=3 over 3 documents: one each, most uncertain first within a document
    assert sorted(pick_diverse(scores, groups, 3)) == [0, 4, 5]
    # n=4: cap 2 per document, then nothing left to cap: the best of the rest fills
    assert sorted(pick_diverse(scores, groups, 4)) == [0, 1, 4, 5]
    # more than there are: everything, once
    assert sorted(pick_diverse(scores, groups, 10)) == list(range(6))
    # ties keep input order
    assert list(pick_diverse([0.5, 0.5, 0.5], ["x", "x", "x"], 2)) == [0, 1]
    assert len(pick_diverse([], [], 3)) == 0


def _sentence(text, p=None, start=0):
    return LabelledSentence(text, start, start + len(text), max(p, key=p.get) if p else "excluded", p,
                            None if p else "heading")


def test_writer_skips_excluded_and_repeated_sentences_and_keeps_a_bounded_pool():
    out = io.StringIO()
    w = UncertainWriter(out, n=2, pool=3)
    w.sentence("a.txt", None, 0, _sentence("HEADING"))
    w.sentence("a.txt", None, 1, _sentence("sure", {"claim": 0.9, "quote": 0.05, "loaded": 0.05}))
    w.sentence("a.txt", None, 2, _sentence("torn", {"claim": 0.45, "quote": 0.1, "loaded": 0.45}))
    w.sentence("b.txt", None, 0, _sentence("torn  ", {"claim": 0.45, "quote": 0.1, "loaded": 0.45}))
    w.sentence("b.txt", None, 1, _sentence("unsure", {"claim": 0.4, "quote": 0.35, "loaded": 0.25}))
    w.sentence("b.txt", None, 2, _sentence("fairly sure", {"claim": 0.1, "quote": 0.8, "loaded": 0.1}))
    assert w.held == 3  # the pool bound
    w.close()
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == CSV_FIELDS
    assert [r["text"] for r in rows] == ["torn", "unsure"]  # one per document, in input order
    assert all(r["label"] == "" for r in rows)
    assert rows[0]["suggested"] == "claim" and rows[0]["doc_id"] == "a.txt" and rows[1]["doc_id"] == "b.txt"
    with pytest.raises(ValueError, match="at least 1"):
        UncertainWriter(io.StringIO(), n=0)


def test_select_uncertain_on_articles(sources):
    texts = {p.name: p.read_text(encoding="utf-8") for p in sources}
    rows = select_uncertain(texts, 10)
    assert len(rows) == 10 and len({r["doc_id"] for r in rows}) == len(texts)  # spread over all documents
    model = stance.load()
    for r in rows:
        doc = texts[r["doc_id"]]
        assert " ".join(doc[r["start"]:r["end"]].split()) == r["text"]
        assert r["label"] == "" and r["suggested"] in model.classes_
    # the choice is the least certain: no chosen sentence is surer than the median labelled sentence
    ps = [s.probabilities for t in texts.values() for s in model.label_text(t).sentences if s.probabilities]
    median = np.median(uncertainty([[p[c] for c in model.classes_] for p in ps]))
    assert min(float(r["uncertainty"]) for r in rows) > median
    assert select_uncertain(texts, 10) == rows  # deterministic


def test_cli_uncertain_writes_a_csv_that_stance_train_reads_back(sources, tmp_path, capsys):
    assert main(["label", "--uncertain", "6", *map(str, sources)]) == 0
    cap = capsys.readouterr()
    assert "6 sentences to label" in cap.err and "--extend" in cap.err
    rows = list(csv.DictReader(io.StringIO(cap.out)))
    assert len(rows) == 6
    # filled in, the file trains with --extend (the check runs before any work)
    for r in rows:
        r["label"] = r["suggested"]
    path = tmp_path / "mine.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        w.writeheader()
        w.writerows(rows)
    from stance.training import read_data

    td = read_data(path)
    assert len(td) == 6 and td.groups is not None and set(td.groups) == {r["doc_id"] for r in rows}


@pytest.mark.parametrize("extra, match", [(["--html", "x.html"], "--html"), (["--format", "jsonl"], "--format"),
                                          (["--explain"], "--explain")])
def test_cli_uncertain_refuses_other_outputs(sources, extra, match, capsys, tmp_path):
    assert main(["label", "--uncertain", "3", *extra, str(sources[0])]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.html").exists()


def test_cli_uncertain_needs_a_positive_number(sources, capsys):
    with pytest.raises(SystemExit) as e:
        main(["label", "--uncertain", "0", str(sources[0])])
    assert e.value.code == 2 and "1 or more" in capsys.readouterr().err


def test_installed_script_uncertain(sources, tmp_path):
    from test_cli import _script

    env = dict(os.environ, STANCE_HOME=str(tmp_path / "home"))
    r = subprocess.run([_script("stance"), "label", "--uncertain", "4", "--strategy", "entropy", str(sources[1])],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 4 and all(float(x["uncertainty"]) > 0 for x in rows)
