"""stance.train and its data readers: every source type, every bad-data error."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import ROWS, thinned_shipped, write_jsonl

import stance
import stance.recipes
from stance.errors import DataError
from stance.training import builtin_data, lodo_summary, read_data


def _csv(path, rows, cols=("text", "label", "doc_id")):
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(cols))
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c) for c in cols})
    return path


def test_default_is_the_corpus_the_news_train_split_and_the_constructed_set():
    td = read_data()
    assert set(td.labels) == {"claim", "quote", "loaded"}
    kinds = [("constructed" if c else "news" if n else "wnc" if w else "corpus")
             for c, n, w in zip(td.constructed, td.news, td.wnc)]
    corpus_groups = {g for g, k in zip(td.groups, kinds) if k == "corpus"}
    assert len(corpus_groups) == 5 and 140 < kinds.count("corpus") < 200
    assert kinds.count("constructed") >= 800
    assert kinds.count("news") >= 8_000 and kinds.count("wnc") >= 1_000
    assert all(g.startswith("constructed:") for g, k in zip(td.groups, kinds) if k == "constructed")
    # only the news set's train split trains: never a dev, test or held-out block sentence
    from stance.corpora import news_records

    held = {r["id"] for split in ("dev", "test", "pool", "heldout") for r in news_records(split)}
    assert held and not held & {i for i, k in zip(td.ids, kinds) if k == "news"}
    assert {lic["source"].split(" ")[0] for lic in td.licences} >= {"Wikinews", "stance"}
    only = builtin_data(constructed=False, news=False)
    assert only.constructed is None and only.news is None and len(only) == kinds.count("corpus")


def test_lodo_never_scores_a_constructed_or_news_row():
    """The constructed and news rows join every training fold; only corpus documents are held out and scored."""
    td = read_data()
    m = lodo_summary("rules", td, seed=0, n_boot=10)
    assert m["documents"] == 5 and m["sentences"] == int((~td.extra_rows()).sum())
    assert m["constructed_rows_in_every_training_fold"] == td.constructed.count(True)


@pytest.mark.parametrize("kind", ["jsonl", "csv", "dataframe", "dataset", "list"])
def test_every_source_type_trains(tmp_path, kind):
    if kind == "jsonl":
        data = write_jsonl(tmp_path / "d.jsonl", ROWS)
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


def test_evaluate_puts_lodo_metrics_in_the_card():
    m = stance.train("rules", evaluate=True)
    met = m.card["metrics"]
    assert met["scheme"] == "leave-one-document-out" and met["documents"] == 5
    lo, hi = met["macro_f1_ci95"]
    assert 0 <= lo <= met["macro_f1"] <= hi <= 1
    assert np.isclose(np.mean(list(met["per_class_f1"].values())), met["macro_f1"])


def test_constructed_rows_are_weighted_in_fitting():
    from stance.recipes import fit_estimator
    from stance.training import CONSTRUCTED_WEIGHT

    td = read_data()
    from stance.training import NEWS_WEIGHT, WNC_WEIGHT

    w = td.sample_weight()
    assert set(np.unique(w)) == {CONSTRUCTED_WEIGHT, NEWS_WEIGHT, WNC_WEIGHT, 1.0}
    assert np.all(w[np.asarray(td.constructed)] == CONSTRUCTED_WEIGHT)
    assert np.all(w[np.asarray(td.wnc)] == WNC_WEIGHT) and np.all(w[np.asarray(td.news)] == NEWS_WEIGHT)
    assert builtin_data(constructed=False, news=False).sample_weight() is None
    y = np.asarray(td.labels, dtype=object)
    # the weights change the fit: shown on the shipped data thinned (every corpus row and every 100th added
    # row, each weighted as in the whole), which tfidf-lr fits in a second where the whole takes a minute
    small = thinned_shipped()
    sw, ys = small.sample_weight(), np.asarray(small.labels, dtype=object)
    assert set(np.unique(sw)) == set(np.unique(w))
    weighted = fit_estimator(stance.recipes.make("tfidf-lr", seed=0), small.texts, ys, sw)
    plain = fit_estimator(stance.recipes.make("tfidf-lr", seed=0), small.texts, ys, None)
    assert not np.allclose(weighted[-1].coef_, plain[-1].coef_)
    # estimators without sample_weight in fit are fitted plainly, not refused
    rules = fit_estimator(stance.recipes.make("rules"), td.texts, y, w)
    assert list(rules.classes_) == ["claim", "quote", "loaded"]
    card = stance.train("rules", seed=0).card["training_data"]  # the card is the data's, whatever the model
    assert card["constructed_weight"] == CONSTRUCTED_WEIGHT and card["constructed_rows"] == td.constructed.count(True)


# --------------------------------------------------------------------------- extend: your rows on top of ours

# Six rows of a user on another topic (sport), two of each label, over three documents.
MINE = [json.loads(line)
        for line in (Path(__file__).parent / "data" / "your_rows.jsonl").read_text(encoding="utf-8").splitlines()]


def test_extend_adds_your_rows_weighted_and_reports_conflicts(tmp_path):
    from stance.training import CONSTRUCTED_WEIGHT, USER_WEIGHT, extend_data

    shipped = builtin_data()
    corpus_row = next(i for i, c in enumerate(shipped.constructed) if not c)
    relabel = {"claim": "loaded", "quote": "claim", "loaded": "claim"}[shipped.labels[corpus_row]]
    rows = MINE + [{"text": "  " + shipped.texts[corpus_row] + " ", "label": relabel, "doc_id": "s4"},
                   {"text": MINE[0]["text"], "label": "loaded", "doc_id": "s4"}]
    user = read_data(_csv(tmp_path / "mine.csv", rows))
    data, conflicts = extend_data(user)
    # the shipped row the user relabelled is replaced, everything else is kept, the user's rows come last
    assert len(data) == len(shipped) - 1 + len(rows)
    assert data.texts[-len(rows):] == user.texts and data.labels[-len(rows):] == user.labels
    w = data.sample_weight()
    assert np.all(w[-len(rows):] == USER_WEIGHT) and np.all(w[np.asarray(data.constructed)] == CONSTRUCTED_WEIGHT)
    assert data.groups[-1] == "yours:s4" and "mine.csv" in data.source
    kinds = sorted(c["kind"] for c in conflicts)
    assert len(conflicts) == 2 and kinds[0].startswith("a shipped training row") and "twice" in kinds[1]
    shipped_conflict = next(c for c in conflicts if c["kind"].startswith("a shipped"))
    assert shipped_conflict["where"] == f"{tmp_path / 'mine.csv'}:8"
    assert shipped_conflict["other_label"] == shipped.labels[corpus_row] and shipped_conflict["label"] == relabel
    twice = next(c for c in conflicts if "twice" in c["kind"])
    assert twice["where"].endswith(":9") and twice["other"].endswith(":2")
    with pytest.raises(DataError, match="positive number"):
        extend_data(user, weight=0)


def test_train_extend_records_the_user_rows_on_the_card(tmp_path, trained_nb):
    """On the whole shipped data with nb, which fits it in about a second (the extend plumbing is the same
    for every recipe; a tf-idf fit on the shipped data takes a minute, and this test makes four)."""
    from stance.training import USER_WEIGHT

    path = write_jsonl(tmp_path / "mine.jsonl", MINE)
    plain = trained_nb.model  # stance.train("nb", seed=0, evaluate=False)
    m = stance.train("nb", data=path, extend=True, seed=0)
    td = m.card["training_data"]
    assert td["user_rows"] == len(MINE) and td["user_weight"] == USER_WEIGHT and td["conflicts"] == []
    assert td["rows"] == plain.card["training_data"]["rows"] + len(MINE)
    # the user's rows change the model; a larger weight changes it more, towards their labels
    texts = [r["text"] for r in MINE]
    p0, p1 = plain.predict_proba(texts), m.predict_proba(texts)
    p9 = stance.train("nb", data=path, extend=True, user_weight=50, seed=0).predict_proba(texts)
    cols = [list(m.classes_).index(r["label"]) for r in MINE]
    own = lambda P: P[np.arange(len(MINE)), cols].mean()  # noqa: E731
    assert own(p0) < own(p1) < own(p9)
    # same data and seed, same model
    again = stance.train("nb", data=path, extend=True, seed=0)
    assert np.array_equal(again.predict_proba(texts), p1)
    with pytest.raises(DataError, match="pass them as data"):
        stance.train("tfidf-lr", extend=True)


def test_extend_summary_cross_validates_over_your_rows_only(tmp_path):
    from stance.training import extend_data, extend_summary

    rows = [dict(r, doc_id=f"d{i % 5}") for i, r in enumerate(MINE * 3)]
    rows = [dict(r, text=f"{r['text']} ({i})") for i, r in enumerate(rows)]
    # on the shipped data thinned (each added row still weighted): six tf-idf fits on the whole take minutes
    data, _ = extend_data(read_data(rows), base=thinned_shipped())
    s = extend_summary("tfidf-lr", data, seed=0, n_splits=5, n_boot=200)
    assert s["rows"] == 18 and s["user_weight"] == data.user_weight
    assert 0 <= s["macro_f1_ci95"][0] <= s["macro_f1"] <= s["macro_f1_ci95"][1] <= 1
    assert np.isclose(s["difference"], s["macro_f1"] - s["shipped_only_macro_f1"])
    with pytest.raises(DataError, match="at least 10"):
        extend_summary("tfidf-lr", extend_data(read_data(MINE))[0], n_splits=5)
    with pytest.raises(DataError, match="no rows of yours"):
        extend_summary("tfidf-lr", builtin_data())


def test_stance_train_extend_then_label_with_the_result(tmp_path, capsys):
    """The installed commands on the whole shipped data, with rules: --extend cross-validates with six fits
    on it, seconds for rules where tf-idf takes minutes (what the weights do is tested above, with nb)."""
    import os
    import subprocess

    from test_cli import _script

    rows = [dict(r, text=f"{r['text']} ({i})", doc_id=f"d{i % 5}") for i, r in enumerate(MINE * 2)]
    data = _csv(tmp_path / "mine.csv", rows)
    out = tmp_path / "adapted.stance"
    env = dict(os.environ, STANCE_HOME=str(tmp_path / "home"))
    r = subprocess.run([_script("stance-train"), "--model", "rules", "--data", str(data), "--extend", "-o", str(out)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"plus your {len(rows)} rows" in r.stdout and "with the shipped data alone" in r.stdout
    r = subprocess.run([_script("stance"), "card", str(out)], capture_output=True, text=True, env=env, timeout=120)
    card = json.loads(r.stdout)["card"]
    assert card["metrics"]["rows"] == len(rows) and card["training_data"]["user_rows"] == len(rows)
    r = subprocess.run([_script("stance"), "label", "--sentences", "--model", str(out), "--format", "jsonl"],
                       input=MINE[2]["text"] + "\n", capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.splitlines()[0])["label"] in ("claim", "quote", "loaded")


@pytest.mark.parametrize("args, match", [(["--extend"], "--extend adds your labelled rows"),
                                         (["--user-weight", "3"], "pass --extend too")])
def test_stance_train_extend_usage_errors(tmp_path, capsys, args, match):
    from stance.cli import train_main

    out = tmp_path / "m.stance"
    assert train_main(["--model", "tfidf-lr", "-o", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err and not out.exists()


def test_repeated_sentences_and_ids_are_reported_not_silently_merged(tmp_path, capsys):
    from stance.cli import train_main

    rows = [dict(r, id=f"r{i}") for i, r in enumerate(MINE)]
    rows.append({"text": " " + MINE[0]["text"], "label": "loaded", "doc_id": "s1", "id": "r6"})
    rows.append({"text": "A new sentence about the club.", "label": "claim", "doc_id": "s2", "id": "r1"})
    data = write_jsonl(tmp_path / "mine.jsonl", rows)
    with pytest.warns(UserWarning, match="2 rows repeat an earlier sentence"):
        model = stance.train("tfidf-lr", data=data, seed=0, evaluate=False)
    kinds = [c["kind"] for c in model.card["training_data"]["conflicts"]]
    assert kinds == ["your data labels this text twice", "the id 'r1' is used twice"]
    assert train_main(["--model", "tfidf-lr", "--data", str(data), "--no-eval", "-o", str(tmp_path / "m.stance")]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: ") == 2 and "mine.jsonl:7" in err and "mine.jsonl:1" in err


def test_data_scikit_learn_cannot_fit_is_named_in_one_line(tmp_path, capsys):
    from stance.cli import train_main

    data = _csv(tmp_path / "tiny.csv", [{"text": "A b c.", "label": "claim"}, {"text": "D e.", "label": "loaded"}])
    with pytest.raises(stance.errors.DataError, match=r"tiny.csv: tfidf-lr cannot be trained on these 2 rows"):
        stance.train("tfidf-lr", data=data, seed=0, evaluate=False)
    assert train_main(["--model", "tfidf-lr", "--data", str(data), "--no-eval", "-o", str(tmp_path / "m.stance")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "empty vocabulary" in err and not (tmp_path / "m.stance").exists()


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_a_row_with_empty_text_is_refused_with_where_it_is(tmp_path, text):
    rows = [{"text": "Cuba sent doctors.", "label": "claim"}, {"text": text, "label": "loaded"}]
    with pytest.raises(DataError, match=r"row 1: field 'text' is empty"):
        read_data(rows)
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    with pytest.raises(DataError, match=r"d\.jsonl:2: field 'text' is empty"):
        read_data(path)
