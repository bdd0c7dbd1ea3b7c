"""Cut the news set into labelling batches: whole documents, about 400 sentences each.

    python labels/news/batches.py pass1 [--wave N]   # every document (of wave N)
    python labels/news/batches.py pass2 [--wave N]   # dev, test, the one-topic block, a seeded 15%+ of train

Writes ``labels/news/work/<pass>/batch-NN.txt`` (not tracked: derived from corpus/news) with, for
each document, a header (id, source, genre, date, title) and its sentences as ``[id] text`` lines,
a blank line where the source starts a new paragraph; a repeat of an earlier sentence shows
``(repeat of ID)`` and is not labelled. The second pass's train documents are drawn with
``random.Random(SEED)`` in document order until they hold at least 15% of train's sentences, and
are listed in ``labels/news/second_pass_train.json`` (wave 1; later waves add their own 15%+ of their
train documents). ``--wave N`` cuts only the documents that wave drew, into ``work/<pass>-wN/``.
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEWS = HERE.parent.parent / "corpus" / "news"
SEED = 20261207
SIZE = 400
GENRE = {"article": "Wikinews article", "interview": "Wikinews interview", "summary": "Wikipedia Current Events day",
         "press release": "press release of a member of the US Congress", "speech": "US presidential speech"}


def read(name: str) -> list[dict]:
    with (NEWS / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def second_pass_train(docs: list[dict], sents: dict[str, list[dict]], wave: int = 1) -> list[str]:
    train = [d["id"] for d in docs if d["split"] == "train" and d["wave"] == wave]
    total = sum(len(sents[d]) for d in train)
    rng = random.Random(SEED)
    picked, n = [], 0
    for doc_id in rng.sample(train, len(train)):
        if n >= 0.15 * total:
            break
        picked.append(doc_id)
        n += len(sents[doc_id])
    return sorted(picked)


def render(doc: dict, rows: list[dict], text: str) -> str:
    member = doc.get("member") or {}
    who = f" | {member.get('name')} ({member.get('party')}, {member.get('chamber')})" if member else ""
    who += f" | {doc['president']}" if doc.get("president") else ""
    out = [f"=== DOCUMENT {doc['id']} | {GENRE[doc['genre']]} | {doc['date']}{who}",
           f"=== title: {doc['title']}", ""]
    prev_end = None
    for r in rows:
        if prev_end is not None and "\n" in text[prev_end:r["start"]]:
            out.append("")
        body = f"(repeat of {r['duplicate_of']})" if r["duplicate_of"] else r["text"].replace("\n", " ")
        out.append(f"[{r['id']}] {body}")
        prev_end = r["end"]
    return "\n".join(out) + "\n\n"


def main(argv: list[str]) -> None:
    which = argv[0] if argv else "pass1"
    wave = int(argv[argv.index("--wave") + 1]) if "--wave" in argv else 1
    docs = [d for d in read("documents.jsonl") if d["wave"] == wave]
    sents: dict[str, list[dict]] = defaultdict(list)
    for s in read("sentences.jsonl"):
        sents[s["doc_id"]].append(s)
    if which == "pass2":
        extra = second_pass_train(docs, sents, wave)
        listed = HERE / "second_pass_train.json"
        before = json.loads(listed.read_text(encoding="utf-8")) if wave > 1 else []
        listed.write_text(json.dumps(sorted(set(before) | set(extra)), indent=0) + "\n", encoding="utf-8")
        chosen = [d for d in docs if d["split"] in ("dev", "test", "pool", "heldout") or d["id"] in set(extra)]
    else:
        chosen = docs
    out_dir = HERE / "work" / (which if wave == 1 else f"{which}-w{wave}")
    out_dir.mkdir(parents=True, exist_ok=True)
    batches: list[list[dict]] = [[]]
    size = 0
    for d in sorted(chosen, key=lambda d: (d["source"], d["block"] or "", d["id"])):
        n = sum(1 for s in sents[d["id"]] if not s["duplicate_of"])
        if size and (size + n > SIZE * 1.25 or (batches[-1] and batches[-1][-1]["source"] != d["source"])):
            batches.append([])
            size = 0
        batches[-1].append(d)
        size += n
    for i, batch in enumerate(batches, 1):
        text = "".join(render(d, sents[d["id"]], (NEWS / d["file"]).read_text(encoding="utf-8")) for d in batch)
        (out_dir / f"batch-{i:02d}.txt").write_text(text, encoding="utf-8")
        n = sum(1 for d in batch for s in sents[d["id"]] if not s["duplicate_of"])
        print(f"batch-{i:02d}", len(batch), "documents", n, "sentences", batch[0]["source"])


if __name__ == "__main__":
    main(sys.argv[1:])
