"""``stance evaluate``: files written, overwrite protection, clear user errors, plots optional."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

import stance.recipes
from stance.cli import build_parser
from stance.errors import StanceError
from stance.evaluate import parse_label_map


def run(*argv: str) -> int:
    args = build_parser().parse_args(["evaluate", *argv])
    return args.func(args)


CHEAP = ["--models", "majority", "rules", "--bootstrap", "30"]


def test_cli_writes_every_file(tmp_path, capsys):
    out = tmp_path / "eval"
    assert run(*CHEAP, "--out", str(out)) == 0
    for name in ("results.json", "report.md", "errors.csv"):
        assert (out / name).is_file()
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert res["settings"]["cv"] == "lodo" and res["settings"]["bootstrap"] == 30
    assert set(res["models"]) == {"majority", "rules"} and res["best"] == "rules"
    assert res["comparisons"][0]["b"] == "majority" and "significant" in res["comparisons"][0]
    assert "learning_curves" in res
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "leave-one-document-out" in report and "Best model: rules" in report
    assert "human ceiling" in report.lower() and "macro-F1 [95% CI]" in report
    with (out / "errors.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == res["n_errors"] > 0
    assert {"id", "doc_id", "gold", "predicted", "p_claim", "p_quote", "p_loaded"} <= set(rows[0])
    if res["plots"]["skipped"] is None:
        assert (out / "confusion_majority.png").is_file() and (out / "confusion_rules.png").is_file()
        assert (out / "learning_curve.png").is_file()
    assert "wrote" in capsys.readouterr().out


def test_cli_reruns_are_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    args = [*CHEAP, "--no-learning-curve", "--seed", "5"]
    run(*args, "--out", str(a))
    run(*args, "--out", str(b))
    ra = json.loads((a / "results.json").read_text())
    rb = json.loads((b / "results.json").read_text())
    assert ra == rb


def test_cli_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "eval"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(StanceError, match="--force"):
        run(*CHEAP, "--no-learning-curve", "--out", str(out))
    assert not (out / "results.json").exists()
    assert run(*CHEAP, "--no-learning-curve", "--out", str(out), "--force") == 0
    assert (out / "results.json").is_file()
    assert (out / "notes.txt").read_text() == "mine"  # --force replaces only evaluate's own files


def test_cli_unknown_model_lists_the_known_ones(tmp_path):
    with pytest.raises(StanceError) as ei:
        run("--models", "majority", "bert", "--out", str(tmp_path / "x"))
    msg = str(ei.value)
    assert "'bert'" in msg
    for name in stance.recipes.names():  # embed included: it is a model you can name
        assert name in msg
    assert not (tmp_path / "x").exists()


def test_cli_kfold_is_reported_as_optimistic(tmp_path):
    out = tmp_path / "k"
    run("--models", "majority", "--cv", "kfold", "--folds", "3", "--repeats", "2", "--bootstrap", "20",
        "--no-learning-curve", "--out", str(out))
    res = json.loads((out / "results.json").read_text())
    assert res["cv"]["optimistic"] is True and "both sides" in res["cv"]["reason"]
    assert "Optimistic" in (out / "report.md").read_text()


def _outside_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sentence", "label"])
        w.writerows([
            ["The minister said the plan would cost millions.", "OBJ"],
            ["This shameful and disgraceful scheme is a scandal.", "SUBJ"],
            ["The report was published on Monday.", "OBJ"],
            ["A sinister regime keeps exploiting its doctors.", "SUBJ"],
        ])
    return path


def test_cli_outside_data_unknown_labels_are_named(tmp_path):
    data = _outside_csv(tmp_path / "outside.csv")
    with pytest.raises(StanceError) as ei:
        run("--model", "rules", "--data", str(data), "--text-column", "sentence", "--out", str(tmp_path / "o"))
    msg = str(ei.value)
    assert "'OBJ'" in msg and "'SUBJ'" in msg and "--label-map" in msg and "outside.csv" in msg
    with pytest.raises(StanceError, match="no text column 'text'.*'sentence'"):
        run("--model", "rules", "--data", str(data), "--label-map", "SUBJ=loaded,OBJ=claim", "--out", str(tmp_path / "o"))
    assert not (tmp_path / "o").exists()


def test_cli_outside_data_binary(tmp_path):
    data = _outside_csv(tmp_path / "outside.csv")
    out = tmp_path / "o"
    assert run("--model", "rules", "--data", str(data), "--text-column", "sentence", "--label-map",
               '{"SUBJ": "loaded", "OBJ": "claim"}', "--binary", "--bootstrap", "20", "--out", str(out)) == 0
    res = json.loads((out / "results.json").read_text())
    ev = res["evaluations"][0]
    assert res["never_seen"] is True and ev["binary"] is True and ev["n"] == 4
    assert {"precision", "recall", "precision_interval", "recall_interval"} <= set(ev["loaded"])
    assert "never saw" in (out / "report.md").read_text()
    assert (out / "errors.csv").is_file()


def test_cli_model_needs_data(tmp_path):
    with pytest.raises(StanceError, match="--data"):
        run("--model", "rules", "--out", str(tmp_path / "o"))


def test_parse_label_map():
    assert parse_label_map("SUBJ=loaded, OBJ=claim") == {"SUBJ": "loaded", "OBJ": "claim"}
    assert parse_label_map('{"Biased": "loaded", "No agreement": null}') == {"Biased": "loaded", "No agreement": None}
    assert parse_label_map("No agreement=drop") == {"No agreement": "drop"}
    with pytest.raises(StanceError):
        parse_label_map("SUBJ")
    with pytest.raises(StanceError):
        parse_label_map("{not json")


def _hide_matplotlib(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_plots_need_matplotlib_and_say_how_to_install(monkeypatch, tmp_path):
    import stance.evaluate

    _hide_matplotlib(monkeypatch)
    with pytest.raises(ImportError, match=r'pip install "stance\[plot\]"'):
        stance.evaluate.confusion_png([[1, 0], [0, 1]], ["a", "b"], tmp_path / "c.png")


def test_cli_skips_plots_cleanly_without_matplotlib(monkeypatch, tmp_path, capsys):
    _hide_matplotlib(monkeypatch)
    out = tmp_path / "eval"
    assert run(*CHEAP, "--out", str(out)) == 0
    assert not list(out.glob("*.png"))
    res = json.loads((out / "results.json").read_text())
    assert res["plots"]["made"] == [] and "stance[plot]" in res["plots"]["skipped"]
    report = (out / "report.md").read_text()
    assert "plots skipped" in report and 'pip install "stance[plot]"' in report
    assert "plots skipped" in capsys.readouterr().out


def test_plots_draw_pngs(tmp_path):
    pytest.importorskip("matplotlib")
    import stance.evaluate

    p = stance.evaluate.confusion_png([[3, 1, 0], [0, 2, 1], [1, 0, 4]], ["claim", "quote", "loaded"], tmp_path / "c.png", "t")
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    curve = {"points": [{"train_documents": 1, "train_sentences_mean": 30.0, "macro_f1": 0.5},
                        {"train_documents": 2, "train_sentences_mean": 60.0, "macro_f1": 0.6}]}
    q = stance.evaluate.learning_curve_png({"m": curve}, tmp_path / "lc.png")
    assert q.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_gives_the_experiments_intervals_for_the_same_figures(tmp_path, capsys):
    """`stance evaluate` with the settings of configs/baselines-lodo.toml reproduces the stored figures."""
    stored = json.loads((Path(__file__).resolve().parents[1] / "experiments" / "results" / "baselines-lodo"
                         / "results.json").read_text(encoding="utf-8"))
    s = stored["settings"]
    out = tmp_path / "eval"
    assert run("--models", "majority", "rules", "--cv", s["cv"], "--seed", str(s["seed"]), "--bootstrap",
               str(s["bootstrap"]), "--no-learning-curve", "--out", str(out)) == 0
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    for name in ("majority", "rules"):
        mine, theirs = res["models"][name], stored["models"][name]
        assert mine["macro_f1"] == theirs["macro_f1"]
        assert mine["intervals"]["macro_f1"] == theirs["intervals"]["macro_f1"]
        assert mine["intervals"]["per_class"] == theirs["intervals"]["per_class"]
