"""Looking after a corpus root: its statistics, and adding a document to it.

A corpus root holds ``corpus/`` (sources, documents, sentences) and ``labels/`` (the codebook's
decisions); :mod:`stance.corpora` reads and checks it, this module reports on it and extends it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from stance import LABELS
from stance.errors import CorpusError

from ._corpus import DOC_ID, GOLD, Problem, check, read, records

__all__ = ["stats", "format_stats", "add_document"]


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(path)


# --------------------------------------------------------------------------- statistics


def stats(root: str | Path | None = None) -> dict[str, Any]:
    """Counts per document and label, exclusions by reason, duplicates, agreement."""
    corpus = check(root)
    rows = records(root, include_excluded=True)
    per_doc: dict[str, Counter] = {}
    for r in rows:
        c = per_doc.setdefault(r["doc_id"], Counter())
        c["sentences"] += 1
        c["duplicate" if r["duplicate_of"] else r["label"]] += 1
    unique = [r for r in rows if not r["duplicate_of"]]
    return {
        "documents": len(corpus.documents),
        "sentences": len(rows),
        "duplicates": sum(1 for r in rows if r["duplicate_of"]),
        "labels": dict(Counter(r["label"] for r in unique if r["label"] != "excluded")),
        "excluded": sum(1 for r in unique if r["label"] == "excluded"),
        "excluded_by_reason": dict(Counter(r["reason"].split(":")[0] for r in unique if r["label"] == "excluded")),
        "per_document": {d: dict(c) for d, c in sorted(per_doc.items())},
        "agreement": corpus.agreement,
    }


def format_stats(s: dict[str, Any]) -> str:
    cols = ["sentences", "claim", "quote", "loaded", "excluded", "duplicate"]
    lines = [f"{s['documents']} documents, {s['sentences']} sentences ({s['duplicates']} exact duplicates)", ""]
    lines.append("doc  " + "".join(f"{c:>10}" for c in cols))
    for d, c in s["per_document"].items():
        lines.append(f"{d}  " + "".join(f"{c.get(k, 0):>10}" for k in cols))
    total = {k: sum(c.get(k, 0) for c in s["per_document"].values()) for k in cols}
    lines.append("all  " + "".join(f"{total[k]:>10}" for k in cols))
    lines += ["", "labelled: " + ", ".join(f"{k} {s['labels'].get(k, 0)}" for k in LABELS)
              + f" (total {sum(s['labels'].values())}); excluded {s['excluded']}"]
    lines.append("excluded by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(s["excluded_by_reason"].items())))
    a = s.get("agreement")
    if a:
        lines.append(
            f"agreement (pass 1 vs pass 2, {a['n']} sentences): Cohen's kappa {a['kappa']:.3f}, "
            f"raw agreement {a['agreement']:.3f}"
            + ("" if a.get("complete", True) else f" [{a.get('scope', 'partial')}]")
        )
        per = a.get("per_label_kappa", {})
        if per:
            lines.append("per-label kappa (one vs rest): " + ", ".join(f"{k} {v:.3f}" for k, v in per.items()))
    return "\n".join(lines)


# --------------------------------------------------------------------------- extending


def add_document(
    source: str | Path,
    root: str | Path,
    doc_id: str | None = None,
    title: str | None = None,
    outlet: str | None = None,
    viewpoint: str | None = None,
    language: str = "en",
) -> list[dict[str, Any]]:
    """Add a new source text to a corpus root and segment it into the sentence table.

    The file is copied unchanged into ``corpus/sources/``, a document row is
    appended, its sentences (with offsets and exact-duplicate links) are
    appended to ``corpus/sentences.jsonl`` and ``labels/todo-<doc_id>.jsonl``
    is written with one empty decision per new non-duplicate sentence, for a
    person to fill in and move into ``labels/gold.jsonl``. Nothing existing is
    overwritten. Returns the new sentence rows.
    """
    from stance.text import segment

    root = Path(root)
    source = Path(source)
    if not (root / "corpus").is_dir():
        raise CorpusError(Problem(str(root), None, None, "not a corpus root (no corpus/ folder in it)"))
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorpusError(Problem(str(source), None, None, "file not found")) from None
    except UnicodeDecodeError as exc:
        raise CorpusError(Problem(str(source), None, None, f"not UTF-8 text (byte {exc.start})")) from None
    corpus = read(root)
    existing = {d["id"] for _, d in corpus.documents}
    if doc_id is None:
        doc_id = f"{max((int(i) for i in existing), default=-1) + 1:03d}"
    if not DOC_ID.match(doc_id):
        raise CorpusError(Problem("corpus/documents.jsonl", None, "id", f"{doc_id!r} is not a three-digit document id"))
    if doc_id in existing:
        raise CorpusError(Problem("corpus/documents.jsonl", None, "id", f"document {doc_id} already exists"))
    fname = source.name if source.name.startswith(f"{doc_id}_") else f"{doc_id}_{source.name}"
    target = root / "corpus" / "sources" / fname
    if target.exists():
        raise CorpusError(Problem(f"corpus/sources/{fname}", None, None, "already exists; not overwritten"))
    todo = root / "labels" / f"todo-{doc_id}.jsonl"
    if todo.exists():
        raise CorpusError(Problem(f"labels/{todo.name}", None, None, "already exists; not overwritten"))

    spans = segment(text, language)
    if not spans:
        raise CorpusError(Problem(str(source), None, None, "no sentences: the file is empty; nothing was added"))
    first_by_text = {}
    for _, s in corpus.sentences:
        first_by_text.setdefault(s["text"], s["id"])
    new_rows = []
    for i, span in enumerate(spans, 1):
        sid = f"{doc_id}-{i:03d}"
        first = first_by_text.setdefault(span.text, sid)
        new_rows.append(
            {
                "id": sid,
                "doc_id": doc_id,
                "start": span.start,
                "end": span.end,
                "text": span.text,
                "duplicate_of": None if first == sid else first,
                "boundary": "sentencex",
            }
        )
    target.write_bytes(source.read_bytes())
    doc = {"id": doc_id, "file": fname, "title": title, "outlet": outlet, "language": language, "viewpoint": viewpoint}
    _write_jsonl(root / "corpus" / "documents.jsonl", [d for _, d in corpus.documents] + [doc])
    _write_jsonl(root / "corpus" / "sentences.jsonl", [s for _, s in corpus.sentences] + new_rows)
    _write_jsonl(
        todo,
        (
            {"id": r["id"], "text": r["text"], "label": None, "reason": None, "speaker": None, "direct": None, "cues": [], "note": None}
            for r in new_rows
            if r["duplicate_of"] is None
        ),
    )
    return new_rows
