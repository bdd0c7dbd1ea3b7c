"""stance.train and its data readers: every source type, every bad-data error."""

import json

import numpy as np
import pytest

import stance
from stance import models
from stance.training import DataError, builtin_data, fingerprint, lodo_summary, read_data

ROWS = [
    {"text": "Cuba sent 27 doctors to Peru.", "label": "claim", "doc_id": "a"},
    {"text": '"We are proud," the minister said.', "label": "quote", "doc_id": "a"},
    {"text": "The regime exploits its slave doctors.", "label": "loaded", "doc_id": "b"},
    {"text": "Doctors arrived on Monday.", "label": "claim", "doc_id": "b"},
    {"text": "According to the ministry, 400 nurses came.", "label": "quote", "doc_id": "c"},
    {"text": "A cynical dictatorship sells its medics.", "label": "loaded", "doc_id": "c"},
]


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _csv(path, rows, cols=("text", "label", "doc_id")):
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(cols))
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c) for c in cols})
    return path


def test_default_is_the_corpus_plus_the_constructed_set():
    td = read_data()
    assert set(td.labels) == {"claim", "quote", "loaded"} and td.constructed is not None
    corpus_groups = {g for g, c in zip(td.groups, td.constructed) if not c}
    assert len(corpus_groups) == 5 and 140 < td.constructed.count(False) < 200
    assert td.constructed.count(True) >= 800
    assert all(g.startswith("constructed:") for g, c in zip(td.groups, td.constructed) if c)
    only = builtin_data(constructed=False)
    assert only.constructed is None and len(only) == td.constructed.count(False)


def test_lodo_never_scores_a_constructed_row():
    """The constructed rows join every training fold; only corpus documents are held out and scored."""
    td = read_data()
    m = lodo_summary("rules", td, seed=0, n_boot=10)
    assert m["documents"] == 5 and m["sentences"] == td.constructed.count(False)
    assert m["constructed_rows_in_every_training_fold"] == td.constructed.count(True)


@pytest.mark.parametrize("kind", ["jsonl", "csv", "dataframe", "dataset", "list"])
def test_every_source_type_trains(tmp_path, kind):
    if kind == "jsonl":
        data = _jsonl(tmp_path / "d.jsonl", ROWS)
    elif kind == "csv":
        data = _csv(tmp_path / "d.csv", ROWS)
    elif kind == "dataframe":
        pd = pytest.importorskip("pandas")
        data = pd.DataFrame(ROWS)
    elif kind == "dataset":
        from datasets import ClassLabel, Dataset, Features, Value

        feats = Features({"text": Value("string"), "label": ClassLabel(names=["claim", "quote", "loaded"]),
                          "doc_id": Value("string")})
        data = Dataset.from_list([dict(r, label=["claim", "quote", "loaded"].index(r["label"])) for r in ROWS],
                                 features=feats)
    else:
        data = ROWS
    m = stance.train("hybrid", data=data, seed=0)
    assert set(m.classes_) == {"claim", "quote", "loaded"}
    assert m.predict(["Cuba sent doctors."]).shape == (1,)
    assert m.card["training_data"]["rows"] == 6


def test_column_names_are_configurable(tmp_path):
    rows = [{"sentence": r["text"], "gold": r["label"]} for r in ROWS]
    m = stance.train("rules", data=_jsonl(tmp_path / "d.jsonl", rows), text_column="sentence", label_column="gold")
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
        stance.train("hybrid", data=_jsonl(tmp_path / "bad.jsonl", rows))


def test_file_errors(tmp_path):
    with pytest.raises(DataError, match="the data is empty"):
        stance.train(data=_jsonl(tmp_path / "empty.jsonl", []))
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


def test_evaluate_puts_lodo_metrics_in_the_card():
    m = stance.train("rules", evaluate=True)
    met = m.card["metrics"]
    assert met["scheme"] == "leave-one-document-out" and met["documents"] == 5
    lo, hi = met["macro_f1_ci95"]
    assert 0 <= lo <= met["macro_f1"] <= hi <= 1
    assert np.isclose(np.mean(list(met["per_class_f1"].values())), met["macro_f1"])


def test_constructed_rows_are_weighted_in_fitting():
    from stance.training import CONSTRUCTED_WEIGHT, fit_estimator

    td = read_data()
    w = td.sample_weight()
    assert set(np.unique(w)) == {CONSTRUCTED_WEIGHT, 1.0}
    assert np.all(w[np.asarray(td.constructed)] == CONSTRUCTED_WEIGHT)
    assert builtin_data(constructed=False).sample_weight() is None
    y = np.asarray(td.labels, dtype=object)
    weighted = fit_estimator(models.make("tfidf-lr", seed=0), td.texts, y, w)
    plain = fit_estimator(models.make("tfidf-lr", seed=0), td.texts, y, None)
    assert not np.allclose(weighted[-1].coef_, plain[-1].coef_)
    # estimators without sample_weight in fit are fitted plainly, not refused
    rules = fit_estimator(models.make("rules"), td.texts, y, w)
    assert list(rules.classes_) == ["claim", "quote", "loaded"]
    card = stance.train("tfidf-lr", seed=0).card["training_data"]
    assert card["constructed_weight"] == CONSTRUCTED_WEIGHT and card["constructed_rows"] == td.constructed.count(True)
