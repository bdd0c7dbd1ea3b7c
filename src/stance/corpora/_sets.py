"""The labelled sets beside the corpus: the outside codebook set and the constructed set.

**The outside codebook set** (``labels/outside/``) is 640 news sentences on many topics, drawn
with a fixed seed from other people's data sets (CheckThat! 2025 English subjectivity and BABE,
kept in ``../shared/external``) and labelled by this project under ``labels/GUIDELINES.md``.
The repository stores no text of theirs: per row the data set, file, row key and the sha256 of
the text, and our decision with speaker and cues as character offsets. :func:`outside_records`
joins the text from the files at load time and checks every hash. The set is split once into
``dev`` (for all tuning) and ``test`` (only for reported figures).

**The vaccines set** (``labels/vaccines/``) is built and stored the same way: every BABE sentence
on vaccines the outside set did not draw (384), for measuring adaptation to one new topic; it is
split once into ``pool`` (rows a user might label) and ``heldout`` (only for reported figures).

**The constructed set** (``corpus/constructed.jsonl``) is training text the project wrote
itself: minimal-contrast groups over many news topics (the same invented event stated
neutrally, framed in loaded words, quoted directly and indirectly, attributed with loaded
framing). Every row is marked ``constructed``; it is training data only and never part of an
evaluation figure.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from stance import LABELS
from stance._paths import PACKAGE_DIR
from stance.errors import LabelledSetError, OutsideDataMissing, TableError

from ._corpus import data_root
from ._tables import json_object, read_table

__all__ = [
    "OUTSIDE_SPLITS",
    "LABELLED_SETS",
    "default_external",
    "outside_records",
    "load_outside",
    "constructed_records",
    "load_constructed",
    "sha256",
]

OUTSIDE_SPLITS = ("dev", "test")
# the sets joined from the outside files: their folder and splits
LABELLED_SETS = {"outside": ("labels/outside", OUTSIDE_SPLITS), "vaccines": ("labels/vaccines", ("pool", "heldout"))}
CONSTRUCTED = "corpus/constructed.jsonl"
# the variants of a contrast group (what each row shows about the same invented event)
_CONSTRUCTED_VARIANTS = ("claim", "claim-hard", "loaded", "loaded-subtle", "loaded-attributed", "quote", "quote-direct",
                         "quote-indirect", "quote-indirect-verb", "quote-indirect-noverb",
                         # wave I: the codebook's news cases (5a, 5e): no comment, stance frames, reporting verbs
                         "claim-no-comment", "claim-reaction", "quote-no-comment-content", "quote-stance-frame",
                         "quote-reporting-verb", "loaded-verb", "loaded-single-word")


def sha256(text: str) -> str:
    """The hex sha256 of ``text`` as UTF-8 (the hash stored for every outside row)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_external() -> Path:
    """Where the outside data is looked for when no path is given.

    ``$STANCE_EXTERNAL`` when set; else ``shared/external`` beside the source checkout
    (``../shared/external`` from the repository root); else ``../shared/external`` from the
    current directory.
    """
    env = os.environ.get("STANCE_EXTERNAL")
    if env:
        return Path(env).expanduser()
    beside_checkout = PACKAGE_DIR.parent.parent.parent / "shared" / "external"
    if beside_checkout.is_dir():
        return beside_checkout
    return Path.cwd().parent / "shared" / "external"


def _jsonl(path: Path, rel: str) -> list[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise LabelledSetError(f"{rel}: no such file")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append((n, json_object(line)))
            except ValueError as exc:
                raise LabelledSetError(f"{rel}:{n}: {exc}") from None
    return out


def _span(text: str, span: Any, where: str, field: str) -> str:
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)
            and 0 <= span[0] < span[1] <= len(text)):
        raise LabelledSetError(f"{where}: field {field!r}: {span!r} is not a [start, end] span inside the text")
    return text[span[0]:span[1]]


def outside_records(
    split: str | None = None,
    external: str | Path | None = None,
    include_excluded: bool = False,
    labels_file: str | None = "gold.jsonl",
    root: str | Path | None = None,
    name: str = "outside",
) -> list[dict[str, Any]]:
    """The outside codebook set (or, with ``name="vaccines"``, the vaccines set) as plain dicts,
    the text joined from the outside files.

    ``split``: ``"dev"``, ``"test"`` or ``None`` for both (the vaccines set: ``"pool"``,
    ``"heldout"``). ``external``: the directory holding
    ``checkthat-subjectivity-en/`` and ``babe/`` (default :func:`default_external`).
    ``labels_file``: ``gold.jsonl`` (adjudicated) or one pass (``pass1.jsonl``,
    ``pass2.jsonl``), or ``None`` for the rows and texts alone (``label`` None). Raises :class:`OutsideDataMissing` naming the path when the data is
    absent and :class:`LabelledSetError` naming the row when a text's hash differs.
    """
    if name not in LABELLED_SETS:
        raise ValueError(f"unknown labelled set {name!r}; known: {', '.join(LABELLED_SETS)}")
    folder, splits = LABELLED_SETS[name]
    if split is not None and split not in splits:
        raise ValueError(f"unknown split {split!r}; the {name} set has {', '.join(splits)}")
    base = Path(root) if root is not None else data_root()
    rows_rel, labels_rel = f"{folder}/rows.jsonl", f"{folder}/{labels_file}"
    rows = _jsonl(base / rows_rel, rows_rel)
    decisions = {} if labels_file is None else {r.get("id"): (n, r) for n, r in _jsonl(base / labels_rel, labels_rel)}
    ext = Path(external).expanduser() if external is not None else default_external()
    if not ext.is_dir():
        raise OutsideDataMissing(
            f"{ext}: no such directory; the outside codebook set joins its text from the CheckThat and BABE "
            "files kept there (pass external= or set STANCE_EXTERNAL)")
    tables: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
    out = []
    for n, r in rows:
        where = f"{rows_rel}:{n}"
        for field in ("id", "dataset", "file", "key", "sha256", "split"):
            if not isinstance(r.get(field), str):
                raise LabelledSetError(f"{where}: field {field!r} is missing or not a string")
        if split is not None and r["split"] != split:
            continue
        table = tables.get(r["file"])
        if table is None:
            path = ext / r["file"]
            if not path.is_file():
                raise OutsideDataMissing(f"{path}: no such file (row {r['id']} of {rows_rel} reads it)")
            try:
                _, trows = read_table(path)
            except TableError as exc:
                raise LabelledSetError(str(exc)) from None
            table = tables[r["file"]] = {}
            for i, t in enumerate(trows, 1):
                if r["dataset"] == "checkthat":
                    table[str(t.get("sentence_id"))] = (t.get("sentence") or "", t)
                else:
                    table[str(i)] = (t.get("text") or "", t)
        if r["key"] not in table:
            raise LabelledSetError(f"{where}: row {r['id']}: key {r['key']!r} is not in {ext / r['file']}")
        text, source_row = table[r["key"]]
        if sha256(text) != r["sha256"]:
            raise LabelledSetError(
                f"{where}: row {r['id']}: the text of key {r['key']} in {ext / r['file']} does not match the stored "
                "sha256 (the outside file differs from the one the set was drawn from)")
        if labels_file is None:
            ln, d = 0, {"label": None}
        elif r["id"] not in decisions:
            raise LabelledSetError(f"{labels_rel}: no decision for row {r['id']}")
        else:
            ln, d = decisions[r["id"]]
        dwhere = f"{labels_rel}:{ln}"
        label = d.get("label")
        if labels_file is not None and label not in LABELS and label != "excluded":
            raise LabelledSetError(f"{dwhere}: field 'label': {label!r} is not one of {', '.join(LABELS)}, excluded")
        if label == "excluded" and not include_excluded:
            continue
        speaker = None
        if label == "quote" and d.get("speaker_span") is not None:
            speaker = _span(text, d["speaker_span"], dwhere, "speaker_span")
        cues = [_span(text, s, dwhere, "cue_spans") for s in (d.get("cue_spans") or [])] if label == "loaded" else []
        out.append({
            "id": r["id"],
            "doc_id": f"{r['dataset']}:{r['split']}",
            "text": text,
            "label": label,
            "speaker": speaker,
            "direct": bool(d.get("direct")) if label == "quote" else None,
            "cues": cues,
            "reason": d.get("reason") if label == "excluded" else None,
            "split": r["split"],
            "dataset": r["dataset"],
            "file": r["file"],
            "key": r["key"],
            "source_label": source_row.get("label") if r["dataset"] == "checkthat" else source_row.get("label_bias"),
            "topic": source_row.get("topic") if r["dataset"] == "babe" else None,
        })
    return out


def load_outside(split: str | None = None, external: str | Path | None = None, name: str = "outside"):
    """The outside codebook set (or ``name="vaccines"``) as an in-memory ``datasets.Dataset``
    (labels as ``ClassLabel``)."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    rows = outside_records(split, external, name=name)
    features = Features({
        "id": Value("string"), "doc_id": Value("string"), "text": Value("string"),
        "label": ClassLabel(names=list(LABELS)), "speaker": Value("string"), "direct": Value("bool"),
        "cues": Sequence(Value("string")), "split": Value("string"), "dataset": Value("string"),
        "file": Value("string"), "key": Value("string"), "source_label": Value("string"), "topic": Value("string"),
    })
    return Dataset.from_list([{k: v for k, v in r.items() if k != "reason"} for r in rows], features=features)


def constructed_records(root: str | Path | None = None) -> list[dict[str, Any]]:
    """The project's constructed training sentences, every row marked ``constructed``.

    ``doc_id`` is ``constructed:<group>``: a contrast group (one invented event in its
    variants) is the unit that cross-validation keeps together.
    """
    base = Path(root) if root is not None else data_root()
    path = base / CONSTRUCTED
    out = []
    seen: dict[str, int] = {}
    for n, r in _jsonl(path, CONSTRUCTED):
        where = f"{CONSTRUCTED}:{n}"
        for field in ("id", "group", "topic", "variant", "text", "label"):
            if not isinstance(r.get(field), str) or not r[field].strip():
                raise LabelledSetError(f"{where}: field {field!r} is missing or empty")
        if r.get("constructed") is not True:
            raise LabelledSetError(f"{where}: field 'constructed' must be true (every row of this set is written by the project)")
        if r["label"] not in LABELS:
            raise LabelledSetError(f"{where}: field 'label': {r['label']!r} is not one of {', '.join(LABELS)}")
        if r["variant"] not in _CONSTRUCTED_VARIANTS:
            raise LabelledSetError(f"{where}: field 'variant': {r['variant']!r} is not one of {', '.join(_CONSTRUCTED_VARIANTS)}")
        if r["id"] in seen:
            raise LabelledSetError(f"{where}: field 'id': {r['id']!r} repeats line {seen[r['id']]}")
        seen[r["id"]] = n
        for c in r.get("cues") or []:
            if c not in r["text"]:
                raise LabelledSetError(f"{where}: field 'cues': {c!r} is not in the text")
        if r.get("speaker") is not None and r["speaker"] not in r["text"]:
            raise LabelledSetError(f"{where}: field 'speaker': {r['speaker']!r} is not in the text")
        out.append({
            "id": r["id"], "doc_id": f"constructed:{r['group']}", "text": r["text"], "label": r["label"],
            "speaker": r.get("speaker") if r["label"] == "quote" else None,
            "direct": bool(r.get("direct")) if r["label"] == "quote" else None,
            "cues": list(r.get("cues") or []) if r["label"] == "loaded" else [],
            "topic": r["topic"], "variant": r["variant"], "constructed": True,
        })
    return out


def load_constructed(root: str | Path | None = None):
    """The constructed set as an in-memory ``datasets.Dataset`` (labels as ``ClassLabel``)."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    features = Features({
        "id": Value("string"), "doc_id": Value("string"), "text": Value("string"),
        "label": ClassLabel(names=list(LABELS)), "speaker": Value("string"), "direct": Value("bool"),
        "cues": Sequence(Value("string")), "topic": Value("string"), "variant": Value("string"),
        "constructed": Value("bool"),
    })
    return Dataset.from_list(constructed_records(root), features=features)
