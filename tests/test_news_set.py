"""The news set as shipped (corpus/news and labels/news): what the READMEs promise holds in the data.

Splits by document, every sentence of every drawn document decided, sentences as stance's own segmenter
gives them, the size floors, licences, the WNC pairs, the agreement figures. Reads the files only (a few
seconds in all, no model); the rebuild from ../shared/news is ``slow`` and skipped where that folder is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import pytest

from stance import LABELS
from stance.corpora import NEWS_SOURCES, NEWS_SPLITS, data_root, news_documents, news_records, wnc_records
from stance.text import MAX_SENTENCE_CHARS, bound_span, segment

NEWS, DECIDED = data_root() / "corpus" / "news", data_root() / "labels" / "news"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "news"  # sample.py's default --shared
# Segmented before stance.text.segment cut sentences over MAX_SENTENCE_CHARS (a known defect, see below).
STALE = {"pr-0096"}


@cache
def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def docs() -> dict[str, dict]:
    return {d["id"]: d for d in news_documents()}


@cache
def labelled(split: str | tuple[str, ...] | None = None, excluded: bool = False) -> list[dict]:
    return news_records(split, include_excluded=excluded)


def decided() -> list[dict]:
    return labelled(None, True)


def text_of(doc_id: str) -> str:
    return (NEWS / docs()[doc_id]["file"]).read_bytes().decode("utf-8")  # keep any \r: offsets count it


def test_the_loader_gives_the_documented_splits_and_sources():
    assert NEWS_SPLITS == ("train", "dev", "test", "pool", "heldout")
    assert {d["split"] for d in docs().values()} == set(NEWS_SPLITS)
    assert {d["source"] for d in docs().values()} == set(NEWS_SOURCES)
    train, rest = labelled("train"), labelled(NEWS_SPLITS[1:])
    assert {r["split"] for r in train} == {"train"} and {r["split"] for r in rest} == set(NEWS_SPLITS[1:])
    assert len(train) + len(rest) == len(labelled())
    assert {r["source"] for r in news_records(source="speeches")} == {"speeches"}
    with pytest.raises(ValueError):
        news_records("validation")


def test_splits_are_by_document_and_train_shares_nothing_with_the_rest():
    assert all(r["split"] == docs()[r["doc_id"]]["split"] for r in decided())  # one split per document
    train, rest = labelled("train"), labelled(NEWS_SPLITS[1:])
    assert not {r["id"] for r in train} & {r["id"] for r in rest}
    assert not {r["doc_id"] for r in train} & {r["doc_id"] for r in rest}
    assert len({r["text"] for r in decided()}) == len(decided())  # repeats left out: no text in two splits
    for d in docs().values():
        assert (d["block"] is not None) == (d["split"] in ("pool", "heldout")), d["id"]
        assert d["wave"] == 1 or d["block"] or d["split"] == "train", d["id"]  # wave 2's documents are train
    n, groups = Counter(s["doc_id"] for s in rows(NEWS / "sentences.jsonl")), defaultdict(Counter)
    for d in docs().values():  # wave 1, within each source and genre: test 17%+, dev 15%+ of the sentences
        if d["wave"] == 1 and not d["block"]:
            groups[d["source"], d["genre"]][d["split"]] += n[d["id"]]
    for key, c in groups.items():
        total = sum(c.values())
        assert c["test"] >= 0.17 * total and c["dev"] >= 0.15 * total and c["train"] > total / 2, (key, c)


def test_every_sentence_of_every_document_is_decided():
    sents = rows(NEWS / "sentences.jsonl")
    gold = {g["id"]: g for g in rows(DECIDED / "gold.jsonl")}
    assert {s["doc_id"] for s in sents} == set(docs())
    assert set(gold) == {s["id"] for s in sents if not s["duplicate_of"]}
    first = {}
    for s in sents:  # a repeat points at the first occurrence of its text, and only a repeat does
        assert s["duplicate_of"] == (None if first.setdefault(s["text"], s["id"]) == s["id"] else first[s["text"]])
    for g in gold.values():
        assert g["label"] in (*LABELS, "excluded"), g
        assert bool(g["reason"]) == (g["label"] == "excluded"), g
        assert g["label"] != "loaded" or g["cues"], g
        assert g["label"] != "quote" or isinstance(g["direct"], bool), g


def test_gold_follows_the_passes_and_the_second_pass_covers_its_scope():
    p1, p2 = ({r["id"]: r["label"] for r in rows(DECIDED / f)} for f in ("pass1.jsonl", "pass2.jsonl"))
    dec = {r["id"]: r["label"] for r in rows(DECIDED / "decisions.jsonl")}
    for g in rows(DECIDED / "gold.jsonl"):
        i = g["id"]
        assert i in dec or p2.get(i, p1[i]) == p1[i], f"{i}: the passes disagree and nothing decided it"
        assert g["label"] == dec.get(i, p1[i]), i
    sample = set(json.loads((DECIDED / "second_pass_train.json").read_text(encoding="utf-8")))
    assert all(docs()[d]["split"] == "train" for d in sample)
    doc = {i: i.rsplit("-", 1)[0] for i in p1}
    assert set(p2) == {i for i in p1 if docs()[doc[i]]["split"] != "train" or doc[i] in sample}
    train = [r for r in decided() if r["split"] == "train"]
    assert sum(r["doc_id"] in sample for r in train) >= 0.15 * len(train)


def test_sentences_are_what_stances_segmenter_gives_on_the_stored_text():
    by_doc = defaultdict(list)
    for s in rows(NEWS / "sentences.jsonl"):
        by_doc[s["doc_id"]].append(s)
    for doc_id, stored in by_doc.items():  # all 639 documents: about 0.2 s
        text = text_of(doc_id)
        assert [s["id"] for s in stored] == [f"{doc_id}-{i:03d}" for i in range(1, len(stored) + 1)]
        spans = [(p.start, p.end, p.text) for p in segment(text)]
        if doc_id in STALE:  # all that differs is the later bound on sentence length
            assert max(len(s["text"]) for s in stored) > MAX_SENTENCE_CHARS
            stored = [{"start": p.start, "end": p.end, "text": p.text}
                      for s in stored for p in bound_span(text, s["start"], s["end"])]
        assert [(s["start"], s["end"], s["text"]) for s in stored] == spans, doc_id


@pytest.mark.xfail(strict=True, reason="pr-0096-015 (2,162 characters) predates segment's 2,000-character "
                   "cut: segment now gives pr-0096 18 sentences, sentences.jsonl 17; resegment, relabel, drop STALE")
@pytest.mark.parametrize("doc_id", sorted(STALE))
def test_stale_documents_are_resegmented(doc_id):
    stored = [(s["start"], s["end"]) for s in rows(NEWS / "sentences.jsonl") if s["doc_id"] == doc_id]
    assert stored == [(p.start, p.end) for p in segment(text_of(doc_id))]


def test_the_promised_size_floors_hold():
    outside = [r for r in labelled() if r["block"] is None]  # outside the one-topic block
    assert len(outside) >= 12_000
    per_source = Counter(r["source"] for r in outside)
    floors = {"wikinews": 3000, "congress": 3000, "speeches": 2000, "current-events": 1500}
    assert all(per_source[s] >= n for s, n in floors.items()), per_source
    assert sum(r["block"] is not None for r in labelled()) >= 1200  # "the block above 1,200 labelled rows"


def test_the_readme_table_is_the_data():
    readme = (NEWS / "README.md").read_text(encoding="utf-8")
    table = {m[1]: tuple(int(x.replace(",", "")) for x in m.groups()[1:])
             for m in re.finditer(r"\(`(\w+)-`\) \| ([\d,]+) \| ([\d,]+) \| ([\d,]+) \|", readme)}
    prefix = {d: "tb" if docs()[d]["block"] else d[:2] for d in docs()}
    n_docs, n_decided = Counter(prefix.values()), Counter(prefix[r["doc_id"]] for r in decided())
    n_labelled = Counter(prefix[r["doc_id"]] for r in labelled())
    assert table == {p: (n_docs[p], n_decided[p], n_labelled[p]) for p in n_docs}
    wnc = re.search(r"\(`wnc\.jsonl`\) \| ([\d,]+) pairs \| ([\d,]+) \| ([\d,]+)", readme)
    corpus = rows(NEWS / "wnc.jsonl")
    assert tuple(int(x.replace(",", "")) for x in wnc.groups()) == (
        len({r["pair"] for r in corpus}), len(corpus), len(wnc_records()))


def test_each_source_has_its_notice_and_each_document_its_provenance():
    licences = defaultdict(set)
    for d in docs().values():
        assert all(d.get(k) for k in ("source", "url", "date", "licence", "licence_url", "title")), d["id"]
        assert d["url"].startswith("https://") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["date"]), d["id"]
        assert (NEWS / d["file"]).is_file() and d["file"] == f"texts/{d['id']}.txt"
        licences[d["source"]].add((d["licence"], d["licence_url"]))
    for source, found in licences.items():
        assert len(found) == 1, (source, found)
        licence = next(iter(found))[0]  # "CC BY 2.5", or the statute of "Public domain (17 U.S.C. 105)"
        name = re.search(r"\((.+)\)", licence)[1] if "(" in licence else licence
        assert name in (NEWS / f"NOTICE-{source}.md").read_text(encoding="utf-8"), source
    assert "CC BY-SA" in (NEWS / "NOTICE-wikipedia-wnc.md").read_text(encoding="utf-8")
    assert len(list((NEWS / "texts").glob("*.txt"))) == len(docs())


def test_wnc_pairs_have_both_sides_decided_and_split_by_pair():
    corpus = rows(NEWS / "wnc.jsonl")
    gold = {g["id"]: g for g in rows(DECIDED / "wnc.jsonl")}
    assert set(gold) == {r["id"] for r in corpus} and len(gold) == len(corpus)
    assert all(re.fullmatch(r"wnc-\d{4}", r["id"]) for r in corpus)  # the id says nothing of the side
    pairs = defaultdict(list)
    for r in corpus:
        pairs[r["pair"]].append(r)
        g = gold[r["id"]]
        assert g["label"] in (*LABELS, "excluded") and bool(g["reason"]) == (g["label"] == "excluded"), g
    for pair, sides in pairs.items():
        assert sorted(s["side"] for s in sides) == ["post", "pre"], pair
        assert {s["source_split"] for s in sides} == {pair.split("-")[1]}, pair
    loaded = wnc_records()  # the decided rows less the excluded ones
    assert {r["label"] for r in loaded} == set(LABELS)
    assert len(loaded) == sum(g["label"] != "excluded" for g in gold.values())


def _kappa(a: list[str], b: list[str]) -> float:
    n, ca, cb = len(a), Counter(a), Counter(b)
    po, pe = sum(x == y for x, y in zip(a, b)) / n, sum(ca[k] * cb[k] for k in ca) / n / n
    return (po - pe) / (1 - pe)


def test_agreement_is_the_passes_and_the_readme_reports_it():
    figures = json.loads((DECIDED / "agreement.json").read_text(encoding="utf-8"))
    parts = [figures, *figures["parts"].values(), *figures["sources"].values()]
    assert all(0 <= k <= 1 for f in parts for k in (f["kappa"], *f["per_label_kappa"].values()))
    p1, p2 = ({r["id"]: r["label"] for r in rows(DECIDED / f)} for f in ("pass1.jsonl", "pass2.jsonl"))
    both = [i for i in p1 if i in p2]
    assert figures["n"] == len(both) == sum(f["n"] for f in figures["parts"].values())
    assert figures["kappa"] == pytest.approx(_kappa([p1[i] for i in both], [p2[i] for i in both]), abs=1e-9)
    readme = " ".join((DECIDED / "README.md").read_text(encoding="utf-8").split())
    m = re.search(r"kappa ([\d.]+) over ([\d,]+) doubly labelled sentences \(dev ([\d.]+), test ([\d.]+), "
                  r"pool ([\d.]+), heldout ([\d.]+), the train sample ([\d.]+); speeches ([\d.]+), the lowest", readme)
    assert m, "labels/news/README.md no longer states the agreement"
    assert (float(m[1]), int(m[2].replace(",", ""))) == (round(figures["kappa"], 3), figures["n"])
    for name, value in zip(("dev", "test", "pool", "heldout", "train sample"), m.groups()[2:7]):
        assert float(value) == round(figures["parts"][name]["kappa"], 3), name
    lowest = min(figures["sources"], key=lambda s: figures["sources"][s]["kappa"])
    assert (lowest, float(m[8])) == ("speeches", round(figures["sources"]["speeches"]["kappa"], 3))


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason=f"needs ../shared/news (sample.py's input), absent at {SHARED}")
def test_sample_py_rebuilds_the_folder_from_shared(tmp_path):
    script = tmp_path / "corpus" / "news" / "sample.py"  # a copy writes beside itself, not into the checkout
    script.parent.mkdir(parents=True)
    shutil.copy(NEWS / "sample.py", script)
    subprocess.run([sys.executable, str(script), "--shared", str(SHARED)], cwd=tmp_path, check=True,
                   capture_output=True, timeout=300)
    out, skip = script.parent, {"README.md", "sample.py", "sentences.jsonl", "__pycache__"}  # sentences: below
    files = [sorted(str(p.relative_to(d)) for p in d.rglob("*")
                    if p.is_file() and not skip & set(p.relative_to(d).parts)) for d in (out, NEWS)]
    assert len(files[1]) == len(docs()) + 7  # the texts, documents, wnc and five notices
    assert files[0] == files[1] and [f for f in files[1] if (out / f).read_bytes() != (NEWS / f).read_bytes()] == []
    fresh, shipped = ([s for s in rows(p / "sentences.jsonl") if s["doc_id"] not in STALE] for p in (out, NEWS))
    assert fresh == shipped  # all but the stale documents (see test_stale_documents_are_resegmented)
