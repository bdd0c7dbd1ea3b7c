import json
from pathlib import Path

import pytest


import stance.corpora
from stance.errors import CorpusError


def _rewrite(path: Path, edit):
    rows = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    rows = edit(rows)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _problems(root):
    with pytest.raises(CorpusError) as exc:
        stance.corpora.check(root)
    return [str(p) for p in exc.value.problems]


def test_real_corpus_passes():
    c = stance.corpora.check()
    assert len(c.documents) == 5


def test_load_returns_labelled_unique_sentences():
    ds = stance.corpora.load()
    assert ds.features["label"].names == ["claim", "quote", "loaded"]
    assert set(ds.column_names) >= {"id", "doc_id", "text", "label", "speaker", "direct", "cues", "start", "end"}
    assert len(set(ds["text"])) == len(ds), "duplicate texts leaked into the corpus"
    assert sorted(set(ds["doc_id"])) == ["000", "001", "002", "003", "004"]
    assert 140 <= len(ds) <= 175
    names = ds.features["label"].names
    for row in ds:
        if names[row["label"]] == "loaded":
            assert row["cues"] and all(c in row["text"] for c in row["cues"])
        if names[row["label"]] == "quote":
            assert isinstance(row["direct"], bool)


def test_texts_equal_source_slices():
    c = stance.corpora.read()
    docs = {d["id"]: c.source_text(d) for _, d in c.documents}
    for _, s in c.sentences:
        assert docs[s["doc_id"]][s["start"] : s["end"]] == s["text"]


def test_include_excluded_keeps_everything():
    full = stance.corpora.load(include_excluded=True)
    c = stance.corpora.read()
    assert len(full) == len(c.sentences)
    dups = [r for r in full if r["duplicate_of"]]
    assert dups and all(r["label"] != "excluded" or r["reason"] for r in full)
    excl = [r for r in full if r["label"] == "excluded" and not r["duplicate_of"]]
    assert excl and all(r["reason"] for r in excl)


def test_source_001_repeats_are_linked_to_first_occurrence():
    rows = {r["id"]: r for r in stance.corpora.records(include_excluded=True)}
    assert rows["001-012"]["duplicate_of"] == "001-004"
    assert rows["001-012"]["text"] == rows["001-004"]["text"]


def test_unknown_id_in_labels(corpus_copy):
    _rewrite(corpus_copy / "labels/gold.jsonl", lambda r: r + [{"id": "009-001", "label": "claim"}])
    probs = _problems(corpus_copy)
    assert any(p.startswith("labels/gold.jsonl:196: id:") and "009-001" in p for p in probs)


def test_text_not_equal_to_slice(corpus_copy):
    def edit(rows):
        rows[3]["text"] = rows[3]["text"].replace("Salazar", "Salasar")
        return rows

    _rewrite(corpus_copy / "corpus/sentences.jsonl", edit)
    probs = _problems(corpus_copy)
    assert any(p.startswith("corpus/sentences.jsonl:4: text:") for p in probs)


def test_overlapping_offsets(corpus_copy):
    def edit(rows):
        rows[2]["start"] -= 5
        rows[2]["text"] = None
        return rows

    _rewrite(corpus_copy / "corpus/sentences.jsonl", edit)
    probs = _problems(corpus_copy)
    assert any(p.startswith("corpus/sentences.jsonl:3: start:") and "overlap" in p for p in probs)


def test_out_of_order_offsets(corpus_copy):
    _rewrite(corpus_copy / "corpus/sentences.jsonl", lambda r: [r[1], r[0]] + r[2:])
    probs = _problems(corpus_copy)
    assert any(p.startswith("corpus/sentences.jsonl:2: start:") for p in probs)


def test_unknown_label(corpus_copy):
    def edit(rows):
        rows[0]["label"] = "opinion"
        return rows

    _rewrite(corpus_copy / "labels/gold.jsonl", edit)
    assert any(p.startswith("labels/gold.jsonl:1: label:") and "opinion" in p for p in _problems(corpus_copy))


def test_loaded_without_cues_and_with_bad_cue(corpus_copy):
    def edit(rows):
        loaded = [r for r in rows if r["label"] == "loaded"]
        loaded[0]["cues"] = []
        loaded[1]["cues"] = ["not in the sentence at all"]
        return rows

    _rewrite(corpus_copy / "labels/gold.jsonl", edit)
    probs = _problems(corpus_copy)
    assert any("cues: a loaded sentence needs at least one cue" in p for p in probs)
    assert any("cues: cue 'not in the sentence at all' is not a substring" in p for p in probs)


def test_duplicate_labelled_twice(corpus_copy):
    _rewrite(corpus_copy / "labels/gold.jsonl", lambda r: r + [{"id": "001-012", "label": "claim"}])
    probs = _problems(corpus_copy)
    assert any("001-012 is a duplicate of 001-004" in p for p in probs)


def test_sentence_without_decision(corpus_copy):
    _rewrite(corpus_copy / "labels/gold.jsonl", lambda r: [x for x in r if x["id"] != "002-007"])
    probs = _problems(corpus_copy)
    assert any(p.startswith("corpus/sentences.jsonl:") and "002-007 has no decision" in p for p in probs)


def test_unmarked_duplicate(corpus_copy):
    def edit(rows):
        for r in rows:
            if r["id"] == "001-012":
                r["duplicate_of"] = None
        return rows

    _rewrite(corpus_copy / "corpus/sentences.jsonl", edit)
    assert any("repeats the text of 001-004" in p for p in _problems(corpus_copy))


def test_invalid_json_line(corpus_copy):
    p = corpus_copy / "labels/gold.jsonl"
    p.write_text(p.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    assert any(x.startswith("labels/gold.jsonl:196:") and "not valid JSON" in x for x in _problems(corpus_copy))


def test_add_document(corpus_copy, tmp_path):
    src = tmp_path / "new.txt"
    src.write_text(
        "A New Headline\n\nThe minister said the plan works. Critics called it a “disaster”.\n"
        "After the trade in illegal drugs, human trafficking is one of the most profitable criminal activities in the world today.\n",
        encoding="utf-8",
    )
    rows = stance.corpora.add_document(src, corpus_copy, title="A New Headline")
    assert rows[0]["id"] == "005-001" and len(rows) == 4
    assert rows[3]["duplicate_of"] == "001-002"
    todo = (corpus_copy / "labels/todo-005.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(todo) == 3
    # the new sentences have no decision yet: check says so
    assert sum("has no decision" in p for p in _problems(corpus_copy)) == 3
    # nothing is overwritten on a second add with the same id
    with pytest.raises(CorpusError, match="already exists"):
        stance.corpora.add_document(src, corpus_copy, doc_id="005")


def test_stats_counts_add_up():
    s = stance.corpora.stats()
    total = sum(s["labels"].values()) + s["excluded"] + s["duplicates"]
    assert total == s["sentences"]
    assert set(s["labels"]) == {"claim", "quote", "loaded"}


def test_two_passes_cover_every_decision_and_every_disagreement_is_adjudicated():
    from sklearn.metrics import cohen_kappa_score

    labels = Path(__file__).resolve().parent.parent / "labels"

    def rows(name):
        return {r["id"]: r for r in map(json.loads, (labels / name).read_text(encoding="utf-8").splitlines())}

    p1, p2, gold = rows("pass1.jsonl"), rows("pass2.jsonl"), rows("gold.jsonl")
    assert list(p1) == list(p2) == list(gold)  # the same sentences, in corpus order
    disagree = [i for i in p1 if p1[i]["label"] != p2[i]["label"]]
    assert disagree
    for i in disagree:
        assert gold[i]["label"] in (p1[i]["label"], p2[i]["label"]), i
        assert (gold[i]["note"] or "").startswith("adjudicated"), i
    stored = json.loads((labels / "agreement.json").read_text(encoding="utf-8"))
    ids = list(p1)
    assert stored["complete"] and stored["n"] == len(ids)
    assert stored["kappa"] == pytest.approx(cohen_kappa_score([p1[i]["label"] for i in ids],
                                                              [p2[i]["label"] for i in ids]))
    assert stored["disagreements"] == len(disagree)


def test_add_refuses_an_empty_file_and_a_missing_root_and_writes_nothing(corpus_copy, tmp_path):
    import stance.corpora

    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    before = {p: p.read_bytes() for p in corpus_copy.rglob("*") if p.is_file()}
    with pytest.raises(CorpusError, match="empty.txt: no sentences: the file is empty; nothing was added"):
        stance.corpora.add_document(empty, corpus_copy)
    with pytest.raises(CorpusError, match="no-such-root: not a corpus root"):
        stance.corpora.add_document(empty, tmp_path / "no-such-root")
    assert {p: p.read_bytes() for p in corpus_copy.rglob("*") if p.is_file()} == before
