"""The hand-labelled corpus: reading, validating, summarising and extending it.

Layout of a corpus root (the shipped one, or a user's copy)::

    corpus/documents.jsonl    one row per source document (id, file, title, ...)
    corpus/sources/*.txt      the source texts, unchanged
    corpus/sentences.jsonl    the sentence table: id, doc_id, start, end, text,
                              duplicate_of, boundary (the stored truth; nothing
                              re-segments at load time)
    labels/gold.jsonl         one decision per non-duplicate sentence
    labels/agreement.json     inter-annotator figures (optional)

Every reader reports problems as ``file:line: field: message``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from stance import LABELS
from stance._paths import PACKAGE_DIR
from stance.errors import CorpusError

from ._tables import json_object

__all__ = ["data_root", "DECISIONS", "GOLD", "DOC_ID", "Problem", "Corpus", "read", "load", "records", "check", "read_jsonl"]

DECISIONS: tuple[str, ...] = LABELS + ("excluded",)
GOLD = "labels/gold.jsonl"
_ID = re.compile(r"^\d{3}-\d{3}$")
DOC_ID = re.compile(r"^\d{3}$")

_INSTALLED = PACKAGE_DIR / "_data"
_CHECKOUT = PACKAGE_DIR.parent.parent  # src/stance -> repository root


def data_root() -> Path:
    """Directory holding ``corpus/`` and ``labels/``.

    An installed wheel carries them under ``stance/_data``; a source checkout
    (editable install, running from ``src``) reads the repository's own copies.
    """
    if (_INSTALLED / "corpus").is_dir():
        return _INSTALLED
    if (_CHECKOUT / "corpus").is_dir() and (_CHECKOUT / "labels").is_dir():
        return _CHECKOUT
    raise FileNotFoundError(
        "stance's corpus is missing: neither the package data "
        f"({_INSTALLED}) nor a source checkout ({_CHECKOUT}) holds corpus/ and labels/. "
        "Reinstall stance."
    )


@dataclass(frozen=True)
class Problem:
    """One validation failure, located in a file, line and field."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def read_jsonl(path: Path, rel: str) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a JSONL file with their 1-based line numbers; blank lines skipped."""
    if not path.is_file():
        raise CorpusError(Problem(rel, None, None, "file not found"))
    rows: list[tuple[int, dict[str, Any]]] = []
    problems: list[Problem] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json_object(line)
            except ValueError as exc:
                problems.append(Problem(rel, n, None, str(exc)))
                continue
            rows.append((n, row))
    if problems:
        raise CorpusError(problems)
    return rows


@dataclass
class Corpus:
    """The raw tables of a corpus root, with line numbers kept for messages."""

    root: Path
    documents: list[tuple[int, dict[str, Any]]]
    sentences: list[tuple[int, dict[str, Any]]]
    labels: list[tuple[int, dict[str, Any]]]
    agreement: dict[str, Any] | None

    def source_text(self, doc: dict[str, Any]) -> str:
        return (self.root / "corpus" / "sources" / doc["file"]).read_text(encoding="utf-8")


def read(root: str | Path | None = None, labels_file: str = GOLD) -> Corpus:
    """Read the tables of a corpus root (default: the corpus shipped with stance)."""
    root = Path(root) if root is not None else data_root()
    agreement_path = root / "labels" / "agreement.json"
    agreement = None
    if agreement_path.is_file():
        agreement = json.loads(agreement_path.read_text(encoding="utf-8"))
    return Corpus(
        root=root,
        documents=read_jsonl(root / "corpus" / "documents.jsonl", "corpus/documents.jsonl"),
        sentences=read_jsonl(root / "corpus" / "sentences.jsonl", "corpus/sentences.jsonl"),
        labels=read_jsonl(root / labels_file, labels_file),
        agreement=agreement,
    )


# --------------------------------------------------------------------------- validation


def _with_new_ids(rows: list[tuple[int, dict[str, Any]]], problems: list[Problem], file: str, pattern: re.Pattern,
                  shape: str, what: str) -> Iterable[tuple[int, dict[str, Any], str]]:
    """(line, row, id) for each row whose ``id`` is well formed and not seen before in ``file``;
    every other row is recorded in ``problems`` with the reason."""
    first_line: dict[str, int] = {}
    for n, row in rows:
        value = row.get("id")
        if not isinstance(value, str) or not pattern.match(value):
            problems.append(Problem(file, n, "id", f"{value!r} is not {shape}"))
        elif value in first_line:
            problems.append(Problem(file, n, "id", f"{what} {value} appears twice (first on line {first_line[value]})"))
        else:
            first_line[value] = n
            yield n, row, value


def _problems(corpus: Corpus, labels_file: str = GOLD) -> list[Problem]:
    P: list[Problem] = []
    DOCS, SENTS = "corpus/documents.jsonl", "corpus/sentences.jsonl"

    docs: dict[str, dict[str, Any]] = {}
    texts: dict[str, str] = {}
    for n, d, did in _with_new_ids(corpus.documents, P, DOCS, DOC_ID, "a three-digit document id", "document"):
        docs[did] = d
        fname = d.get("file")
        src = corpus.root / "corpus" / "sources" / str(fname)
        if not isinstance(fname, str) or not src.is_file():
            P.append(Problem(DOCS, n, "file", f"source file corpus/sources/{fname} not found"))
            continue
        try:
            texts[did] = src.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            P.append(Problem(DOCS, n, "file", f"corpus/sources/{fname} is not UTF-8 text"))

    sent_by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    first_by_text: dict[str, str] = {}
    last_end: dict[str, int] = {}
    for n, s, sid in _with_new_ids(corpus.sentences, P, SENTS, _ID, "a sentence id like 002-014", "sentence"):
        sent_by_id[sid] = (n, s)
        did = s.get("doc_id")
        if did not in docs:
            P.append(Problem(SENTS, n, "doc_id", f"{did!r} is not a document in {DOCS}"))
            continue
        if not sid.startswith(f"{did}-"):
            P.append(Problem(SENTS, n, "id", f"{sid} does not start with its doc_id {did}"))
        start, end, text = s.get("start"), s.get("end"), s.get("text")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end):
            P.append(Problem(SENTS, n, "start/end", f"offsets {start!r}..{end!r} are not a non-empty range"))
            continue
        if start < last_end.get(did, 0):
            P.append(
                Problem(SENTS, n, "start", f"{sid} starts at {start}, before the previous sentence of {did} ends ({last_end[did]}): offsets overlap or are out of order")
            )
        last_end[did] = max(end, last_end.get(did, 0))
        if did in texts:
            src = texts[did]
            if end > len(src):
                P.append(Problem(SENTS, n, "end", f"{end} is past the end of the source ({len(src)} characters)"))
            elif text != src[start:end]:
                P.append(Problem(SENTS, n, "text", f"text is not equal to source {did}[{start}:{end}] ({src[start:end][:60]!r})"))
        if not isinstance(text, str):
            continue
        dup = s.get("duplicate_of")
        first = first_by_text.get(text)
        if dup is None and first is not None:
            P.append(Problem(SENTS, n, "duplicate_of", f"{sid} repeats the text of {first} but is not marked as its duplicate"))
        elif dup is not None:
            if first is None:
                P.append(Problem(SENTS, n, "duplicate_of", f"{dup!r} is not an earlier sentence with the same text"))
            elif dup != first:
                P.append(Problem(SENTS, n, "duplicate_of", f"{sid} must point at the first occurrence {first}, not {dup}"))
        if first is None:
            first_by_text[text] = sid

    seen: dict[str, int] = {}
    for n, row in corpus.labels:
        sid = row.get("id")
        if sid not in sent_by_id:
            P.append(Problem(labels_file, n, "id", f"{sid!r} is not a sentence in {SENTS}"))
            continue
        if sid in seen:
            P.append(Problem(labels_file, n, "id", f"{sid} is decided twice (first on line {seen[sid]})"))
            continue
        seen[sid] = n
        sent = sent_by_id[sid][1]
        if sent.get("duplicate_of"):
            P.append(
                Problem(labels_file, n, "id", f"{sid} is a duplicate of {sent['duplicate_of']} and must not be labelled again")
            )
        label = row.get("label")
        if label not in DECISIONS:
            P.append(Problem(labels_file, n, "label", f"unknown label {label!r}; expected one of {', '.join(DECISIONS)}"))
            continue
        text = sent.get("text") or ""
        if label == "excluded":
            if not isinstance(row.get("reason"), str) or not row["reason"].strip():
                P.append(Problem(labels_file, n, "reason", "an excluded sentence needs a reason"))
        if label == "loaded":
            cues = row.get("cues")
            if not isinstance(cues, list) or not cues:
                P.append(Problem(labels_file, n, "cues", "a loaded sentence needs at least one cue"))
            else:
                for cue in cues:
                    if not isinstance(cue, str) or not cue or cue not in text:
                        P.append(Problem(labels_file, n, "cues", f"cue {cue!r} is not a substring of sentence {sid}"))
        if label == "quote":
            speaker = row.get("speaker")
            if speaker is not None and not (isinstance(speaker, str) and speaker.strip()):
                P.append(Problem(labels_file, n, "speaker", "speaker must be a non-empty string or null"))
            if not isinstance(row.get("direct"), bool):
                P.append(Problem(labels_file, n, "direct", "a quote needs direct: true or false"))

    for sid, (n, s) in sent_by_id.items():
        if not s.get("duplicate_of") and sid not in seen:
            P.append(Problem(SENTS, n, "id", f"sentence {sid} has no decision in {labels_file}"))
    return P


def check(root: str | Path | None = None, labels_file: str = GOLD) -> Corpus:
    """Validate a corpus root; raise :class:`CorpusError` listing every problem."""
    corpus = read(root, labels_file)
    problems = _problems(corpus, labels_file)
    if problems:
        raise CorpusError(problems)
    return corpus


# --------------------------------------------------------------------------- loading


def records(
    root: str | Path | None = None,
    include_excluded: bool = False,
    labels_file: str = GOLD,
) -> list[dict[str, Any]]:
    """The corpus as plain dicts, one per sentence, in corpus order.

    Duplicates and excluded sentences are left out unless ``include_excluded``;
    then duplicates carry the decision of their first occurrence and a
    ``duplicate_of`` field, and excluded sentences carry ``label="excluded"``.
    """
    corpus = check(root, labels_file)
    decisions = {row["id"]: row for _, row in corpus.labels}
    out = []
    for _, s in corpus.sentences:
        dup = s.get("duplicate_of")
        d = decisions[dup or s["id"]]
        if not include_excluded and (dup or d["label"] == "excluded"):
            continue
        out.append(
            {
                "id": s["id"],
                "doc_id": s["doc_id"],
                "text": s["text"],
                "label": d["label"],
                "speaker": d.get("speaker") if d["label"] == "quote" else None,
                "direct": bool(d.get("direct")) if d["label"] == "quote" else None,
                "cues": list(d.get("cues") or []) if d["label"] == "loaded" else [],
                "start": s["start"],
                "end": s["end"],
                "duplicate_of": dup,
                "reason": d.get("reason") if d["label"] == "excluded" else None,
            }
        )
    return out


def load(root: str | Path | None = None, include_excluded: bool = False):
    """The labelled corpus as an in-memory ``datasets.Dataset``.

    The ``label`` column is a ``ClassLabel`` with names ``claim``, ``quote``,
    ``loaded``. With ``include_excluded=True`` excluded and duplicate sentences
    are kept too; their label is then a plain string column (``excluded`` is not
    a class) and ``duplicate_of``/``reason`` say why they are normally left out.
    Nothing is written to disk.
    """
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    rows = records(root, include_excluded=include_excluded)
    label_feature = Value("string") if include_excluded else ClassLabel(names=list(LABELS))
    features = Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "text": Value("string"),
            "label": label_feature,
            "speaker": Value("string"),
            "direct": Value("bool"),
            "cues": Sequence(Value("string")),
            "start": Value("int32"),
            "end": Value("int32"),
        }
        | ({"duplicate_of": Value("string"), "reason": Value("string")} if include_excluded else {})
    )
    if not include_excluded:
        rows = [{k: v for k, v in r.items() if k not in ("duplicate_of", "reason")} for r in rows]
    return Dataset.from_list(rows, features=features)
