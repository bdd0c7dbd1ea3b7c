"""stance.evaluate: metrics, folds, bootstrap, paired comparison, outside data."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm

from stance import evaluate
import stance.recipes

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data() -> evaluate.CorpusData:
    return evaluate.corpus_data()


@pytest.fixture(scope="module")
def rules_model(data):
    return stance.recipes.make("rules").fit(data.texts, list(data.labels))


# --------------------------------------------------------------------------- metrics

GOLD = ["claim", "claim", "quote", "loaded", "loaded", "quote", "claim", "loaded", "quote", "claim", "loaded", "quote"]
PRED = ["claim", "quote", "quote", "loaded", "claim", "quote", "claim", "quote", "loaded", "claim", "loaded", "claim"]


def test_scores_equal_sklearn_on_a_fixed_case():
    s = evaluate.scores(GOLD, PRED)
    labels = list(stance.LABELS)
    p, r, f, sup = skm.precision_recall_fscore_support(GOLD, PRED, labels=labels, zero_division=0)
    for i, lab in enumerate(labels):
        assert s["per_class"][lab]["precision"] == pytest.approx(p[i])
        assert s["per_class"][lab]["recall"] == pytest.approx(r[i])
        assert s["per_class"][lab]["f1"] == pytest.approx(f[i])
        assert s["per_class"][lab]["support"] == sup[i]
    assert s["macro_f1"] == pytest.approx(skm.f1_score(GOLD, PRED, labels=labels, average="macro", zero_division=0))
    assert s["accuracy"] == pytest.approx(skm.accuracy_score(GOLD, PRED))
    assert s["kappa"] == pytest.approx(skm.cohen_kappa_score(GOLD, PRED, labels=labels))
    assert s["confusion_matrix"] == skm.confusion_matrix(GOLD, PRED, labels=labels).tolist()
    assert s["n"] == len(GOLD)


def test_scores_with_an_absent_class_follow_sklearn_zero_division():
    gold = ["claim", "claim", "quote", "quote"]
    pred = ["claim", "quote", "quote", "quote"]  # no loaded anywhere
    s = evaluate.scores(gold, pred)
    assert s["per_class"]["loaded"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert s["macro_f1"] == pytest.approx(
        skm.f1_score(gold, pred, labels=list(stance.LABELS), average="macro", zero_division=0)
    )


def test_scores_reject_unknown_labels():
    with pytest.raises(stance.errors.EvaluationError, match="'opinion'"):
        evaluate.scores(["claim", "opinion"], ["claim", "claim"])


# --------------------------------------------------------------------------- folds


def test_lodo_folds_never_put_one_document_on_both_sides(data):
    folds = evaluate.lodo_splits(data.doc_ids)
    docs = np.asarray(data.doc_ids)
    assert len(folds) == len(set(data.doc_ids))
    seen = []
    for f in folds:
        train_docs, test_docs = set(docs[f["train"]]), set(docs[f["test"]])
        assert train_docs.isdisjoint(test_docs)
        assert test_docs == set(f["test_documents"]) and len(test_docs) == 1
        assert len(f["train"]) + len(f["test"]) == len(data)
        seen.extend(f["test"].tolist())
    assert sorted(seen) == list(range(len(data)))  # every sentence tested exactly once


def test_cross_validate_lodo_predicts_every_sentence_once_without_its_document(data):
    r = evaluate.cross_validate("majority", data, cv="lodo", seed=0)
    assert sorted(r.rows.tolist()) == list(range(len(data)))
    assert not r.optimistic
    docs = np.asarray(data.doc_ids)
    for f in r.folds:
        assert not set(docs[f["train"]]) & set(docs[f["test"]])
    # the majority model of each fold predicts its training majority, never looking at the held-out doc
    for f in r.folds:
        train_labels = list(data.labels[f["train"]])
        top = max(train_labels.count(lab) for lab in stance.LABELS)
        preds = set(r.y_pred[np.isin(r.rows, f["test"])])
        assert len(preds) == 1 and train_labels.count(preds.pop()) == top


def test_kfold_is_flagged_optimistic_with_its_reason(data):
    r = evaluate.cross_validate("majority", data, cv="kfold", seed=3, n_splits=3, n_repeats=2)
    info = r.scheme_info()
    assert info["optimistic"] is True
    assert "both sides" in info["reason"]
    assert len(r.rows) == 2 * len(data)
    for rep in (0, 1):
        assert sorted(r.rows[r.repeat == rep].tolist()) == list(range(len(data)))
    s = evaluate.summarize(r, n_bootstrap=20, seed=0)
    assert len(s["macro_f1_per_repeat"]) == 2


def test_unknown_cv_scheme_is_an_error(data):
    with pytest.raises(stance.errors.EvaluationError, match="lodo, kfold"):
        evaluate.cross_validate("majority", data, cv="shuffle")


def test_reruns_with_the_same_seed_match_exactly(data):
    a = evaluate.cross_validate("tfidf-svm", data, cv="kfold", seed=7, n_splits=3, n_repeats=1)
    b = evaluate.cross_validate("tfidf-svm", data, cv="kfold", seed=7, n_splits=3, n_repeats=1)
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.y_pred, b.y_pred)
    assert np.array_equal(a.proba, b.proba)
    assert evaluate.summarize(a, n_bootstrap=50, seed=1) == evaluate.summarize(b, n_bootstrap=50, seed=1)


def test_cross_validate_clones_an_estimator_instead_of_fitting_it(data):
    est = stance.recipes.make("nb")
    r = evaluate.cross_validate(est, data, cv="lodo")
    assert not hasattr(est, "classes_")  # the passed estimator stays unfitted
    assert r.model == "Pipeline"
    assert np.allclose(r.proba.sum(1), 1.0)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_is_deterministic_under_a_seed():
    a = evaluate.bootstrap(GOLD, PRED, n_bootstrap=200, seed=11)
    b = evaluate.bootstrap(GOLD, PRED, n_bootstrap=200, seed=11)
    c = evaluate.bootstrap(GOLD, PRED, n_bootstrap=200, seed=12)
    assert a == b
    assert a["macro_f1"] != c["macro_f1"]
    lo, hi = a["macro_f1"]
    assert 0 <= lo <= evaluate.scores(GOLD, PRED)["macro_f1"] <= hi <= 1
    for lab in stance.LABELS:
        assert set(a["per_class"][lab]) == {"precision", "recall", "f1"}


def test_bootstrap_by_cluster_keeps_groups_together():
    gold = ["claim"] * 5 + ["quote"] * 5
    pred = ["claim"] * 5 + ["claim"] * 5
    # two groups: one all right, one all wrong -> accuracy is 0, 0.5 or 1 in every replicate
    iv = evaluate.bootstrap(gold, pred, labels=stance.LABELS, n_bootstrap=100, seed=0, clusters=["a"] * 5 + ["b"] * 5, unit="document")
    assert iv["unit"] == "document" and iv["units"] == 2
    assert set(iv["accuracy"]) <= {0.0, 0.5, 1.0}


def test_summarize_lodo_gives_sentence_and_document_intervals(data):
    r = evaluate.cross_validate("rules", data, cv="lodo")
    s = evaluate.summarize(r, n_bootstrap=100, seed=0)
    assert s["intervals"]["unit"] == "sentence"
    assert s["macro_f1_by_document"]["unit"] == "document"
    lo, hi = s["intervals"]["macro_f1"]
    assert lo <= s["macro_f1"] <= hi
    assert s["macro_f1"] == pytest.approx(skm.f1_score(r.y_true, r.y_pred, average="macro"))


# --------------------------------------------------------------------------- paired comparison


def test_comparing_a_model_with_itself_gives_zero(data):
    r = evaluate.cross_validate("nb", data, cv="lodo")
    c = evaluate.compare(r, r, n_bootstrap=100, seed=0)
    assert c["macro_f1_difference"] == 0
    assert c["interval"] == [0.0, 0.0]
    assert c["mcnemar"] == {"a_right_b_wrong": 0, "a_wrong_b_right": 0, "p_value": 1.0}
    assert c["significant"] is False


def test_paired_comparison_and_mcnemar(data):
    from scipy.stats import binomtest

    a = evaluate.cross_validate("rules", data, cv="lodo")
    b = evaluate.cross_validate("majority", data, cv="lodo")
    c = evaluate.compare(a, b, n_bootstrap=200, seed=0)
    diff = evaluate.scores(a.y_true, a.y_pred)["macro_f1"] - evaluate.scores(b.y_true, b.y_pred)["macro_f1"]
    assert c["macro_f1_difference"] == pytest.approx(diff)
    ra, rb = a.y_pred == a.y_true, b.y_pred == b.y_true
    n10, n01 = int(np.sum(ra & ~rb)), int(np.sum(~ra & rb))
    assert (c["mcnemar"]["a_right_b_wrong"], c["mcnemar"]["a_wrong_b_right"]) == (n10, n01)
    assert c["mcnemar"]["p_value"] == pytest.approx(binomtest(n10, n10 + n01, 0.5).pvalue)
    assert c["significant"] is True and c["interval"][0] > 0
    assert evaluate.compare(a, b, n_bootstrap=200, seed=0) == c  # seeded


def test_comparison_needs_the_same_folds(data):
    a = evaluate.cross_validate("majority", data, cv="kfold", seed=0, n_splits=3, n_repeats=1)
    b = evaluate.cross_validate("majority", data, cv="kfold", seed=1, n_splits=3, n_repeats=1)
    with pytest.raises(stance.errors.EvaluationError, match="same folds"):
        evaluate.compare(a, b)


def test_mcnemar_exact_small_case():
    m = evaluate.mcnemar_exact([True, True, True, False], [False, False, False, False])
    assert m["a_right_b_wrong"] == 3 and m["a_wrong_b_right"] == 0
    assert m["p_value"] == pytest.approx(0.25)  # 2 * 0.5**3


# --------------------------------------------------------------------------- ceiling, curve, errors


def test_human_ceiling_absent_and_present(corpus_copy):
    (corpus_copy / "labels" / "agreement.json").unlink(missing_ok=True)
    hc = evaluate.human_ceiling(corpus_copy)
    assert hc["available"] is False and "not yet computed" in hc["note"]
    (corpus_copy / "labels" / "agreement.json").write_text(
        json.dumps({"n": 150, "kappa": 0.81, "agreement": 0.88, "per_label_kappa": {"claim": 0.8}}), encoding="utf-8"
    )
    hc = evaluate.human_ceiling(corpus_copy)
    assert hc["available"] is True
    assert (hc["n"], hc["kappa"], hc["agreement"]) == (150, 0.81, 0.88)
    assert hc["per_label_kappa"] == {"claim": 0.8}


def test_learning_curve_ends_at_lodo(data):
    lc = evaluate.learning_curve("nb", data, seed=0)
    pts = lc["points"]
    assert [p["train_documents"] for p in pts] == list(range(1, len(set(data.doc_ids))))
    assert pts[0]["train_sentences_mean"] < pts[-1]["train_sentences_mean"]
    lodo = evaluate.summarize(evaluate.cross_validate("nb", data, cv="lodo"), n_bootstrap=10)["macro_f1"]
    assert pts[-1]["macro_f1"] == pytest.approx(lodo)
    rules = evaluate.learning_curve("rules", data, sizes=[1, 2])
    assert rules["points"][0]["macro_f1"] == pytest.approx(rules["points"][1]["macro_f1"])  # rules learn nothing


def test_error_rows_list_every_misclassified_sentence(data):
    r = evaluate.cross_validate("nb", data, cv="lodo")
    rows = evaluate.error_rows(r)
    assert len(rows) == int(np.sum(r.y_true != r.y_pred))
    ids = dict(zip(data.ids, data.labels))
    for row in rows:
        assert row["gold"] != row["predicted"]
        assert ids[row["id"]] == row["gold"]
        assert row["id"].startswith(row["doc_id"] + "-")
        assert sum(row[f"p_{lab}"] for lab in stance.LABELS) == pytest.approx(1.0, abs=1e-3)


def test_probabilities_are_aligned_to_label_order():
    class Fake:
        classes_ = np.array(["loaded", "claim", "quote"])

        def predict(self, X):
            return np.array(["loaded"] * len(X))

        def predict_proba(self, X):
            return np.tile([0.7, 0.2, 0.1], (len(X), 1))

    P = evaluate.aligned_proba(Fake(), ["a", "b"], stance.LABELS)
    assert P.tolist() == [[0.2, 0.1, 0.7]] * 2


def test_run_corpus_gathers_everything(data):
    res, cvs = evaluate.run_corpus(["majority", "rules"], data=data, n_bootstrap=30, with_learning_curve=False)
    assert res["ranking"][0] == "rules" and res["best"] == "rules"
    assert res["comparisons"][0]["a"] == "rules" and res["comparisons"][0]["b"] == "majority"
    assert set(cvs) == {"majority", "rules"}
    assert res["cv"]["scheme"] == "lodo" and res["cv"]["optimistic"] is False
    assert "human_ceiling" in res
    json.dumps(res)  # JSON-ready


def test_importing_evaluate_does_not_import_matplotlib():
    code = "import sys, stance.evaluate; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# --------------------------------------------------------------------------- outside data


def _write_csv(path: Path, rows, header=("sentence", "label"), sep=","):
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=sep)
        w.writerow(header)
        w.writerows(rows)
    return path


OUTSIDE = [
    ("The minister said the plan would cost millions.", "OBJ"),
    ("This shameful and disgraceful scheme is a scandal.", "SUBJ"),
    ("The report was published on Monday.", "OBJ"),
    ("A sinister regime keeps exploiting its doctors.", "SUBJ"),
    ('"We will not stop," the spokesperson told reporters.', "OBJ"),
]
MAP = {"SUBJ": "loaded", "OBJ": "claim"}


def test_evaluate_on_csv_binary(tmp_path, rules_model):
    path = _write_csv(tmp_path / "outside.csv", OUTSIDE)
    res = evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("sentence", "label", MAP, binary=True), n_bootstrap=50, seed=0)
    assert res["never_seen"] is True and "never saw" in res["note"]
    assert res["n"] == 5 and res["binary"] is True
    assert res["metrics"]["labels"] == ["not-loaded", "loaded"]
    pred = rules_model.predict([t for t, _ in OUTSIDE])
    gold = ["loaded" if lab == "SUBJ" else "not-loaded" for _, lab in OUTSIDE]
    shown = ["loaded" if p == "loaded" else "not-loaded" for p in pred]
    assert res["metrics"]["macro_f1"] == pytest.approx(skm.f1_score(gold, shown, average="macro", zero_division=0))
    assert res["loaded"]["precision"] == pytest.approx(skm.precision_score(gold, shown, pos_label="loaded", zero_division=0))
    assert res["loaded"]["recall"] == pytest.approx(skm.recall_score(gold, shown, pos_label="loaded", zero_division=0))
    assert len(res["loaded"]["recall_interval"]) == 2
    assert len(res["errors"]) == sum(g != s for g, s in zip(gold, shown))
    assert res == evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("sentence", "label", MAP, binary=True), n_bootstrap=50, seed=0)


def test_evaluate_on_jsonl_dataframe_and_saved_dataset_agree(tmp_path, rules_model):
    pd = pytest.importorskip("pandas")
    from datasets import ClassLabel, Dataset, Features, Value

    rows = [{"text": t, "gold": g} for t, g in OUTSIDE]
    jl = tmp_path / "outside.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    ds = Dataset.from_dict(
        {"text": [t for t, _ in OUTSIDE], "gold": [1 if g == "SUBJ" else 0 for _, g in OUTSIDE]},
        features=Features({"text": Value("string"), "gold": ClassLabel(names=["OBJ", "SUBJ"])}),
    )
    ds.save_to_disk(str(tmp_path / "saved"))
    got = [
        evaluate.evaluate_on(rules_model, src, evaluate.OutsideColumns("text", "gold", MAP), n_bootstrap=20)
        for src in (jl, pd.DataFrame(rows), tmp_path / "saved", ds)
    ]
    for g in got[1:]:
        assert g["metrics"] == got[0]["metrics"] and g["n"] == 5
    assert got[0]["mode"].startswith("three-class")


def test_evaluate_on_missing_column_names_file_and_columns(tmp_path, rules_model):
    path = _write_csv(tmp_path / "outside.csv", OUTSIDE)
    with pytest.raises(stance.errors.EvaluationError) as ei:
        evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("text", "label", MAP))
    msg = str(ei.value)
    assert "outside.csv" in msg and "'text'" in msg and "'sentence'" in msg


def test_evaluate_on_unknown_labels_names_them_and_the_option(tmp_path, rules_model):
    path = _write_csv(tmp_path / "outside.csv", OUTSIDE)
    with pytest.raises(stance.errors.EvaluationError) as ei:
        evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("sentence", "label"))
    msg = str(ei.value)
    assert "'OBJ'" in msg and "'SUBJ'" in msg and "label_map" in msg and "--label-map" in msg
    with pytest.raises(stance.errors.EvaluationError, match="'OBJ'"):
        evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("sentence", "label", {"SUBJ": "loaded"}))
    with pytest.raises(stance.errors.EvaluationError, match="binary"):
        evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("sentence", "label", {"SUBJ": "loaded", "OBJ": "not-loaded"}))


def test_evaluate_on_empty_data(tmp_path, rules_model):
    path = _write_csv(tmp_path / "empty.csv", [])
    with pytest.raises(stance.errors.EvaluationError, match="empty.csv.*empty"):
        evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("sentence", "label", MAP))
    only_dropped = _write_csv(tmp_path / "dropped.csv", [("x", "NA")])
    with pytest.raises(stance.errors.EvaluationError, match="no rows left"):
        evaluate.evaluate_on(rules_model, only_dropped, evaluate.OutsideColumns("sentence", "label", {"NA": "drop"}))


def test_evaluate_on_drops_mapped_rows_and_reads_semicolons(tmp_path, rules_model):
    rows = OUTSIDE + [("Unclear sentence.", "No agreement")]
    path = _write_csv(tmp_path / "babe-like.csv", rows, header=("text", "label_bias"), sep=";")
    res = evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("text", "label_bias", MAP | {"No agreement": "drop"}, binary=True),
                        n_bootstrap=10)
    assert res["n"] == 5 and res["dropped"] == {"No agreement": 1}


class ExplainingModel:
    """A tiny fitted model with stance.load()'s interface."""

    classes_ = np.array(["claim", "quote", "loaded"])
    card = {"model": "fake"}

    def predict(self, X):
        return np.array(["loaded" if ("shameful" in x or "sinister" in x) else "claim" for x in X])

    def predict_proba(self, X):
        return np.array([[0.1, 0.1, 0.8] if p == "loaded" else [0.8, 0.1, 0.1] for p in self.predict(X)])

    def explain(self, sentence, k=5):
        word = "shameful" if "shameful" in sentence else "regime"
        return [
            {"feature": "evaluative", "description": f"evaluative words in the author's own voice: {word}", "weight": 1.0},
            {"feature": "length", "description": "sentence length", "weight": 0.1},
        ][:k]


def test_explain_overlap_with_and_without_explain(tmp_path, rules_model):
    rows = [(t, lab, "['shameful', 'scandal']" if "shameful" in t else "['sinister']" if "sinister" in t else "[]")
            for t, lab in OUTSIDE]
    path = _write_csv(tmp_path / "words.csv", rows, header=("text", "label", "biased_words"))
    res = evaluate.evaluate_on(ExplainingModel(), path, evaluate.OutsideColumns("text", "label", MAP, binary=True, words="biased_words"),
                        n_bootstrap=10)
    ov = res["explain_overlap"]
    assert ov["available"] is True and ov["sentences"] == 2
    assert ov["hit_rate"] == pytest.approx(0.5)  # 'shameful' found, 'sinister' missed (explain said 'regime')
    assert ov["word_recall"] == pytest.approx((1 / 2 + 0) / 2)
    assert ov["feature_precision"] == pytest.approx((1 / 2 + 0) / 2)
    res = evaluate.evaluate_on(rules_model, path, evaluate.OutsideColumns("text", "label", MAP, binary=True, words="biased_words"),
                        n_bootstrap=10)
    assert res["explain_overlap"]["available"] is False and "n/a" in res["explain_overlap"]["note"]


# --------------------------------------------------------------------------- experiments runner


def _runner():
    spec = importlib.util.spec_from_file_location("stance_experiments_run", REPO / "experiments" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_runner_skips_outside_data_when_absent_and_writes_readme(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="experiments/run.py needs the plot extra")
    run = _runner()
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "tiny.toml").write_text(
        'name = "tiny"\nmodels = ["majority", "rules"]\ncv = "lodo"\nseeds = [0]\nbootstrap = 20\nlearning_curve = false\n',
        encoding="utf-8",
    )
    (configs / "outside.toml").write_text(
        'name = "outside"\nmodels = ["rules"]\ncv = "none"\nseeds = [0]\nbootstrap = 20\n'
        '[outside]\nroot = "no-such-dir"\n[[outside.data]]\nname = "x"\npath = "x.csv"\n'
        'text_column = "text"\nlabel_column = "label"\n',
        encoding="utf-8",
    )
    readme = tmp_path / "README.md"
    code = run.main([], configs_dir=configs, results_dir=tmp_path / "results", readme=readme, repo=tmp_path)
    assert code == 0
    out = capsys.readouterr().out
    assert "skipped" in out and "no-such-dir" in out
    text = readme.read_text(encoding="utf-8")
    assert "Skipped on the last run" in text and "| rules |" in text and "human ceiling" in text
    assert (tmp_path / "results" / "tiny" / "report.md").is_file()
    assert not (tmp_path / "results" / "outside").exists()


def test_runner_rejects_a_bad_config(tmp_path):
    run = _runner()
    (tmp_path / "bad.toml").write_text('name = "bad"\nmodels = ["nope"]\ncv = "lodo"\nseeds = [0]\nbootstrap = 5\n')
    with pytest.raises(run.ConfigError, match="known models"):
        run.load_configs(tmp_path)


def test_shipped_experiment_configs_are_valid():
    run = _runner()
    cfgs = run.load_configs(REPO / "experiments" / "configs")
    names = [c["name"] for c in cfgs]
    assert {"baselines-lodo", "baselines-kfold", "outside"} <= set(names)
