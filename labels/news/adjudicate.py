"""Adjudication of the news set, and its gold labels.

    python labels/news/adjudicate.py items         # work/adjudicate/batch-*.txt: every disagreement
    python labels/news/adjudicate.py review        # work/review/batch-*.txt: rows a rule of 5e decides
    python labels/news/adjudicate.py collect       # decisions.jsonl from every decided items/review batch
    python labels/news/adjudicate.py gold          # labels/news/gold.jsonl from the passes and decisions

``items`` lists every sentence on which the two passes disagree, in its document's context, with
both decisions (A = pass 1, B = pass 2) for an adjudicator who decides it under the codebook and
names the rule. ``review`` lists every other decided sentence whose text holds a phrase that a rule
of labels/GUIDELINES.md section 5e decides (:data:`TRIGGERS`), with its current decision, for a
reviewer who keeps it unless the codebook decides otherwise. Decisions come back as
``work/<adjudicate|review>/batch-*.jsonl`` and are kept in ``decisions.jsonl`` (id, label, fields,
``rule``, ``note``).

``gold`` takes, for every sentence: the decision of the adjudication or review where there is one,
else the passes' shared decision (pass 1 where only pass 1 labelled it). Each gold row keeps ``rule``
and a ``note`` naming both passes' labels where a decision changed or settled them.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEWS = HERE.parents[1] / "corpus" / "news"
FIELDS = ("id", "label", "reason", "speaker", "direct", "cues")
SIZE = {"items": 80, "review": 170}

# Phrases that a rule of section 5e decides (the rule's name first).
TRIGGERS = {
    "names for migrants and contested situations": r"\billegal (immigrants?|migrants?|aliens?)\b|\billegals\b|\bcrisis\b",
    "the author's own requests": r"\b(I|we|We) (strongly |respectfully )?(urge|call on|call upon|request|recommend|ask)\b"
                                 r"|\bwrite to (urge|request|ask)\b",
    "the author's own feelings": r"\b(pleased|proud|proudly|delighted|thrilled|honored|honoured|saddened|excited) "
                                 r"(to|that|of|by)\b|\bI (thank|want to thank)\b|\bgrateful\b",
    "the author's own earlier words": r"\b(I|we|We) (have )?(said|stated|proclaimed|wrote|told|declared|announced)\b",
    "documents and formal acts": r"\b(bill|act|legislation|ruling|order|resolution|law|court|judge) (would|will|rules?|"
                                 r"ruled|holds?|held|requires?|directs?|finds?|found)\b",
    "meetings, visits and interviews": r"\b(met with|meets with|roundtable|briefing|toured|tours|visited|visits|"
                                       r"interviews?)\b",
    "transcripts": r"^(Yes|No|Absolutely|Both|Sure|Exactly|Right|Correct)[.!]?$",
    "stances described, praise given": r"\b(tireless|champion|true leader|strong supporter|longtime advocate|"
                                       r"advocate for)\b",
    "names in encyclopaedic summaries": r"\bregime\b|\bfar-right\b|\bfar-left\b",
    "titles that name a document": r"^.{0,120}\b(Statement|Letter|Remarks|Reaction)\b",
}


def read(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return {r["id"]: r for r in (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                                   if line.strip())}


def corpus() -> tuple[dict[str, dict], dict[str, list[dict]], dict[str, dict]]:
    docs = read(NEWS / "documents.jsonl")
    by_doc: dict[str, list[dict]] = defaultdict(list)
    sents = {}
    for line in (NEWS / "sentences.jsonl").read_text(encoding="utf-8").splitlines():
        s = json.loads(line)
        by_doc[s["doc_id"]].append(s)
        sents[s["id"]] = s
    return docs, by_doc, sents


def _decision(tag: str, r: dict) -> str:
    extra = []
    if r["label"] == "quote":
        extra.append(f"speaker={r.get('speaker')!r} direct={r.get('direct')}")
    if r["label"] == "loaded":
        extra.append(f"cues={r.get('cues')}")
    if r["label"] == "excluded":
        extra.append(f"reason={r.get('reason')!r}")
    if r.get("note"):
        extra.append(f"note={r['note']!r}")
    return f"{tag}: {r['label']}  " + "  ".join(extra)


def _item(sid: str, docs: dict, by_doc: dict, sents: dict, decisions: list[tuple[str, dict]]) -> str:
    s = sents[sid]
    doc = docs[s["doc_id"]]
    rows = by_doc[s["doc_id"]]
    i = next(k for k, r in enumerate(rows) if r["id"] == sid)
    who = f" | {doc['member']['name']} ({doc['member']['party']})" if doc.get("member") else ""
    who += f" | {doc['president']}" if doc.get("president") else ""
    out = [f"### {sid}", f"document: {doc['genre']} | {doc['date']}{who} | title: {doc['title']}"]
    out += [f"  before [{r['id']}] {r['text']}" for r in rows[max(0, i - 3):i]]
    out.append(f">>SENTENCE [{sid}] {s['text']}")
    out += [f"  after  [{r['id']}] {r['text']}" for r in rows[i + 1:i + 2]]
    out += [_decision(tag, r) for tag, r in decisions]
    return "\n".join(out) + "\n\n"


def write_batches(kind: str, items: list[str]) -> None:
    out = HERE / "work" / kind
    n = 1
    while any(out.glob("batch-*.jsonl")):  # a folder already decided is kept: the next one is kind-2, kind-3 ...
        n += 1
        out = HERE / "work" / f"{kind}-{n}"
    out.mkdir(parents=True, exist_ok=True)
    for n, start in enumerate(range(0, len(items), SIZE[kind]), 1):
        (out / f"batch-{n:02d}.txt").write_text("".join(items[start:start + SIZE[kind]]), encoding="utf-8")
        print(kind, f"batch-{n:02d}", len(items[start:start + SIZE[kind]]))


def collect(sents: dict[str, dict]) -> int:
    """Gather the adjudicators' and reviewers' checked decisions into ``decisions.jsonl``."""
    sys.path.insert(0, str(HERE))
    from check import batch_sentences, problems

    rows: dict[str, dict] = {}
    for folder in sorted(p for p in (HERE / "work").iterdir() if p.name.split("-")[0] in ("items", "review")):
        for batch in sorted(folder.glob("batch-*.txt")):
            out = batch.with_suffix(".jsonl")
            got = [(n, json.loads(line)) for n, line in enumerate(out.read_text(encoding="utf-8").splitlines(), 1)
                   if line.strip()]
            found = problems(batch_sentences(str(batch)), got, need_rule=True)
            if found:
                print(f"{out}: {found[0]}", file=sys.stderr)
                return 1
            for _, r in got:
                rows[r["id"]] = {f: r.get(f) for f in (*FIELDS, "rule", "note")} | {"cues": r.get("cues") or []}
    order = {sid: i for i, sid in enumerate(sents)}
    with (HERE / "decisions.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for r in sorted(rows.values(), key=lambda r: order[r["id"]]):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"decisions: {len(rows)}")
    return 0


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "gold"
    docs, by_doc, sents = corpus()
    a, b = read(HERE / "pass1.jsonl"), read(HERE / "pass2.jsonl")
    disagree = [i for i in a if i in b and a[i]["label"] != b[i]["label"]]
    if which == "collect":
        return collect(sents)
    decided = read(HERE / "decisions.jsonl")
    if which == "items":  # the disagreements not yet decided (a later wave's)
        todo = [i for i in disagree if i not in decided]
        write_batches("items", [_item(i, docs, by_doc, sents, [("A", a[i]), ("B", b[i])]) for i in todo])
        return 0
    if which == "review":  # wave 1: its labellers worked before section 5e was written
        todo = []
        for sid in a:
            if sid in disagree or docs[sents[sid]["doc_id"]]["wave"] != 1:
                continue
            rules = [name for name, pat in TRIGGERS.items() if re.search(pat, sents[sid]["text"])]
            if rules:
                todo.append(_item(sid, docs, by_doc, sents, [("CURRENT", a[sid])]) + f"(5e rules to check: "
                            f"{'; '.join(rules)})\n\n")
        write_batches("review", todo)
        return 0
    missing = [i for i in disagree if i not in decided]
    if missing:
        print(f"{len(missing)} disagreements are not adjudicated (first: {missing[0]})", file=sys.stderr)
        return 1
    with (HERE / "gold.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for sid in a:
            base = a[sid]
            row = {f: base.get(f) for f in FIELDS}
            row["rule"], row["note"] = None, base.get("note")
            if sid in decided:
                d = decided[sid]
                row = {f: d.get(f) for f in FIELDS} | {"rule": d["rule"]}
                passes = f"pass 1 {a[sid]['label']}" + (f", pass 2 {b[sid]['label']}" if sid in b else "")
                row["note"] = f"{'adjudicated' if sid in disagree else 'reviewed under 5e'} ({passes})" + (
                    f": {d['note']}" if d.get("note") else "")
            row["cues"] = row["cues"] or []
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"gold: {len(a)} rows, {len(decided)} decided by adjudication or review")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
