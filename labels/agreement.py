"""Agreement between the two independent labelling passes.

    python labels/agreement.py            # writes labels/agreement.json, prints the figures
    python labels/agreement.py --list     # also prints every disagreement (for adjudication)
    python labels/agreement.py --set outside [--list]
                                          # the outside codebook set: labels/outside/agreement.json
                                          # (--list joins the texts from ../shared/external)
    python labels/agreement.py --set vaccines [--list]   # the vaccines set, likewise
    python labels/agreement.py --set news [--list]       # the news set: labels/news/agreement.json, with
                                          # the figures of each doubly labelled part (dev, test, the
                                          # one-topic block, the train sample) and each source

Compares ``labels/pass1.jsonl`` and ``labels/pass2.jsonl`` over every decided
(non-duplicate) sentence, on the four decisions claim / quote / loaded /
excluded: Cohen's kappa overall, one-vs-rest kappa per label, raw agreement,
and the confusion table (rows pass 1, columns pass 2). Agreement on the extra
fields is reported too: quote speakers (exact, case-insensitive) and `direct`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).resolve().parent
DECISIONS = ("claim", "quote", "loaded", "excluded")


def rows(name: str, where: Path = HERE) -> dict[str, dict]:
    out = {}
    for line in (where / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out[r["id"]] = r
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--list", action="store_true", help="print every disagreement")
    p.add_argument("--set", choices=("corpus", "outside", "vaccines", "news"), default="corpus", help="which labelled set")
    args = p.parse_args(argv)
    where = HERE if args.set == "corpus" else HERE / args.set
    rel = "labels/" if args.set == "corpus" else f"labels/{args.set}/"
    a, b = rows("pass1.jsonl", where), rows("pass2.jsonl", where)
    if args.set == "news":
        return _news(a, b, where, rel, args.list)
    if args.set != "corpus":  # speakers are stored as spans
        for r in (*a.values(), *b.values()):
            r["speaker"] = json.dumps(r.get("speaker_span"))
    extra = sorted(set(b) - set(a))
    if extra:
        print(f"pass 2 has sentences pass 1 does not: {', '.join(extra[:10])}", file=sys.stderr)
        return 2
    ids = [i for i in a if i in b]
    complete = len(ids) == len(a)
    y1 = [a[i]["label"] for i in ids]
    y2 = [b[i]["label"] for i in ids]
    per = {lab: float(cohen_kappa_score([x == lab for x in y1], [x == lab for x in y2])) for lab in DECISIONS}
    confusion = {l1: {l2: sum(1 for x, y in zip(y1, y2) if x == l1 and y == l2) for l2 in DECISIONS} for l1 in DECISIONS}
    both_quote = [i for i in ids if a[i]["label"] == b[i]["label"] == "quote"]
    norm = lambda s: " ".join((s or "").lower().split())  # noqa: E731
    result = {
        "passes": [f"{rel}pass1.jsonl", f"{rel}pass2.jsonl"],
        "complete": complete,
        "scope": "all decided sentences" if complete else (
            f"partial: the {len(ids)} sentences of document(s) {', '.join(sorted({i[:3] for i in ids}))} that the "
            f"second pass covers, of {len(a)}"),
        "n": len(ids),
        "kappa": float(cohen_kappa_score(y1, y2)),
        "agreement": sum(x == y for x, y in zip(y1, y2)) / len(ids),
        "per_label_kappa": per,
        "confusion": confusion,
        "labelled_only": {
            "n": sum(1 for x, y in zip(y1, y2) if "excluded" not in (x, y)),
            "kappa": float(cohen_kappa_score(*zip(*[(x, y) for x, y in zip(y1, y2) if "excluded" not in (x, y)]))),
        },
        "quote_fields": {
            "both_quote": len(both_quote),
            "speaker_exact": sum(norm(a[i]["speaker"]) == norm(b[i]["speaker"]) for i in both_quote),
            "direct_same": sum(a[i]["direct"] == b[i]["direct"] for i in both_quote),
        },
        "disagreements": sum(x != y for x, y in zip(y1, y2)),
    }
    (where / "agreement.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not complete:
        print(f"PARTIAL: {result['scope']}")
    print(f"{result['n']} sentences; Cohen's kappa {result['kappa']:.3f}; raw agreement {result['agreement']:.3f}; "
          f"{result['disagreements']} disagreements")
    print("per-label kappa (one vs rest): " + ", ".join(f"{k} {v:.3f}" for k, v in per.items()))
    print(f"kappa on sentences both passes labelled: {result['labelled_only']['kappa']:.3f} "
          f"(n={result['labelled_only']['n']})")
    if args.list:
        sentences = {}
        if args.set != "corpus":
            sys.path.insert(0, str(HERE.parent / "src"))
            from stance.corpora import outside_records

            sentences = {r["id"]: r["text"] for r in outside_records(labels_file=None, name=args.set)}
        else:
            root = HERE.parent / "corpus" / "sentences.jsonl"
            for line in root.read_text(encoding="utf-8").splitlines():
                s = json.loads(line)
                sentences[s["id"]] = s["text"]
        for i in ids:
            if a[i]["label"] != b[i]["label"]:
                print(f"\n{i} pass1={a[i]['label']} pass2={b[i]['label']}\n  {sentences[i]}\n"
                      f"  p1: cues={a[i].get('cues', a[i].get('cue_spans'))} note={a[i].get('note', a[i].get('rule'))} "
                      f"reason={a[i].get('reason')}\n"
                      f"  p2: cues={b[i].get('cues', b[i].get('cue_spans'))} note={b[i].get('note', b[i].get('rule'))} "
                      f"reason={b[i].get('reason')}")
    return 0


def _figures(a: dict, b: dict, ids: list[str]) -> dict:
    y1 = [a[i]["label"] for i in ids]
    y2 = [b[i]["label"] for i in ids]
    present = [lab for lab in DECISIONS if lab in y1 or lab in y2]
    per = {lab: float(cohen_kappa_score([x == lab for x in y1], [x == lab for x in y2])) for lab in present
           if len({x == lab for x in y1 + y2}) > 1}
    return {"n": len(ids), "kappa": float(cohen_kappa_score(y1, y2)),
            "agreement": sum(x == y for x, y in zip(y1, y2)) / len(ids), "per_label_kappa": per,
            "disagreements": sum(x != y for x, y in zip(y1, y2))}


def _news(a: dict, b: dict, where: Path, rel: str, listing: bool) -> int:
    """The news set: pass 2 covers dev, test, the one-topic block and a sample of train."""
    root = HERE.parent / "corpus" / "news"
    docs = {d["id"]: d for d in map(json.loads, (root / "documents.jsonl").read_text(encoding="utf-8").splitlines())}
    texts = {s["id"]: s["text"] for s in map(json.loads, (root / "sentences.jsonl").read_text(encoding="utf-8")
                                                 .splitlines())}
    ids = [i for i in a if i in b]
    part = {i: docs[i.rsplit("-", 1)[0]]["split"] for i in ids}
    part = {i: ("train sample" if p == "train" else p) for i, p in part.items()}
    result = {"passes": [f"{rel}pass1.jsonl", f"{rel}pass2.jsonl"],
              "scope": "every sentence of the dev, test, pool and heldout documents and of a seeded 15% of the "
                       "train documents (labels/news/second_pass_train.json); the rest of train has one pass",
              **_figures(a, b, ids), "parts": {}, "sources": {}}
    for p in ("dev", "test", "pool", "heldout", "train sample"):
        result["parts"][p] = _figures(a, b, [i for i in ids if part[i] == p])
    for src in sorted({docs[i.rsplit("-", 1)[0]]["source"] for i in ids}):
        result["sources"][src] = _figures(a, b, [i for i in ids if docs[i.rsplit("-", 1)[0]]["source"] == src])
    (where / "agreement.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"{result['n']} sentences; Cohen's kappa {result['kappa']:.3f}; {result['disagreements']} disagreements")
    for name, fig in [*result["parts"].items(), *result["sources"].items()]:
        print(f"  {name:15s} n={fig['n']:5d} kappa {fig['kappa']:.3f}  " +
              ", ".join(f"{k} {v:.3f}" for k, v in fig["per_label_kappa"].items()))
    if listing:
        for i in ids:
            if a[i]["label"] != b[i]["label"]:
                print(f"\n{i} pass1={a[i]['label']} pass2={b[i]['label']}\n  {texts[i]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
