"""How corpus/sentences.jsonl was made (kept for the record; nothing runs it at load time).

1. Each source is segmented with stance.segment (line breaks, then sentencex).
2. Every segment was reviewed by hand. The corrections below are the ones the
   review found; each is a split the segmenter missed, given as the text that
   ends the first part. Multi-sentence quotations that the source presents as
   one attributed unit ("... . ...," the UN has said) stay one sentence on
   purpose (labels/GUIDELINES.md, "Sentence boundaries").
3. Exact repeats of an earlier sentence are linked to their first occurrence.

Run from the repository root: python corpus/build_sentences.py
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from stance.text import segment  # noqa: E402

# doc_id -> list of (text ending the first part, why)
HAND_SPLITS = {
    "000": [
        (
            "communications with nationals or foreigners.",
            "sentencex missed the boundary: the unbalanced quotation marks in "
            "'“64 hours per week“' made it treat the rest as one quotation",
        ),
    ],
}


def main() -> None:
    docs = [json.loads(l) for l in (ROOT / "corpus" / "documents.jsonl").open(encoding="utf-8")]
    rows, first = [], {}
    for doc in docs:
        text = (ROOT / "corpus" / "sources" / doc["file"]).read_text(encoding="utf-8")
        spans = [(s.start, s.end, "sentencex", None) for s in segment(text)]
        for marker, why in HAND_SPLITS.get(doc["id"], []):
            cut = text.index(marker) + len(marker)
            out = []
            for s, e, how, note in spans:
                if s < cut < e:
                    nxt = cut
                    while text[nxt].isspace():
                        nxt += 1
                    out += [(s, cut, "hand", why), (nxt, e, "hand", why)]
                else:
                    out.append((s, e, how, note))
            spans = out
        for i, (s, e, how, note) in enumerate(spans, 1):
            sid = f"{doc['id']}-{i:03d}"
            t = text[s:e]
            f = first.setdefault(t, sid)
            row = {"id": sid, "doc_id": doc["id"], "start": s, "end": e, "text": t,
                   "duplicate_of": None if f == sid else f, "boundary": how}
            if note:
                row["boundary_note"] = note
            rows.append(row)
    with (ROOT / "corpus" / "sentences.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), "sentences,", sum(1 for r in rows if r["duplicate_of"]), "duplicates")


if __name__ == "__main__":
    main()
