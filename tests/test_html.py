"""The HTML report: structure, escaping, summary, source offsets and writing."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stance.text import Document, LabelledSentence
from stance.labelling import render, write_html as write

TEXT = (
    "Council backs the bypass\n\n"
    "The council approved the bypass on Monday. "
    '"It will cut journeys by ten minutes," said Mayor Ada Smith.\n'
    "Critics call it a reckless <script>alert('x')</script> & wasteful scheme.\n\n\n"
    "Work starts in May.   Ok."
)


def _sent(text: str, label: str, probs=None, **kw) -> LabelledSentence:
    start = TEXT.index(text)
    p = dict(zip(("claim", "quote", "loaded"), probs)) if probs else None
    return LabelledSentence(text, start, start + len(text), label, probabilities=p, **kw)


def make_doc(doc_id: str | None = "007") -> Document:
    return Document(
        [
            _sent("Council backs the bypass", "excluded", reason="heading"),
            _sent("The council approved the bypass on Monday.", "claim", (0.81, 0.07, 0.12)),
            _sent('"It will cut journeys by ten minutes," said Mayor Ada Smith.', "quote", (0.04, 0.93, 0.03),
                  speaker="Mayor Ada Smith",
                  explanation=[{"feature": "w:said", "description": "verb of saying 'said'", "weight": 1.37}]),
            _sent("Critics call it a reckless <script>alert('x')</script> & wasteful scheme.", "loaded",
                  (0.11, 0.09, 0.80)),
            _sent("Work starts in May.", "claim", (0.66, 0.04, 0.30)),
            _sent("Ok.", "excluded", reason="too short"),
        ],
        id=doc_id,
        text_length=len(TEXT),
    )


class Page(HTMLParser):
    """Minimal DOM summary: tags seen, sentence spans, legend items, table rows, paragraphs."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.sentences: list[dict] = []
        self.legend: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self.paragraphs: list[list[str]] = []  # per <p> in .article: sentence texts and gap text
        self.title = ""
        self.speakers: list[str] = []
        self._stack: list[tuple[str, dict]] = []
        self._row: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def _inside(self, cls: str) -> bool:
        return any(cls in (a.get("class") or "").split() for _, a in self._stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        classes = (a.get("class") or "").split()
        if tag == "span" and "sentence" in classes:
            self.sentences.append({"attrs": a, "classes": classes, "text": "", "para": len(self.paragraphs) - 1})
        if tag == "li" and self._inside("legend"):
            self.legend.append(a["data-label"])
        if tag == "tr" and (a.get("class") or "").startswith("row-"):
            self._row = a["class"][4:]
            self.rows[self._row] = []
        if tag in ("td", "th") and self._row:
            self._cell = []
        if tag == "p" and self._inside("article"):
            self.paragraphs.append([])
        if tag not in ("meta", "br"):
            self._stack.append((tag, a))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row:
            self.rows[self._row].append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr":
            self._row = None
        while self._stack:
            t, _ = self._stack.pop()
            if t == tag:
                break

    def handle_data(self, data):
        top = self._stack[-1] if self._stack else ("", {})
        if top[0] == "title":
            self.title += data
        if self._cell is not None:
            self._cell.append(data)
        if top[0] == "span" and "speaker" in (top[1].get("class") or ""):
            self.speakers.append(data)
        if self._inside("sentence"):
            self.sentences[-1]["text"] += data
        if self.paragraphs and self._inside("article") and any(t == "p" for t, _ in self._stack):
            self.paragraphs[-1].append(data)


def test_each_sentence_once_in_order_with_label_class_and_focus() -> None:
    doc = make_doc()
    page = Page(render(doc))
    assert [s["text"] for s in page.sentences] == [s.text for s in doc.sentences]
    for span, s in zip(page.sentences, doc.sentences):
        assert f"label-{s.label}" in span["classes"]
        assert span["attrs"]["data-label"] == s.label
        assert span["attrs"]["tabindex"] == "0"
    ids = [s["attrs"]["id"] for s in page.sentences]
    assert len(set(ids)) == len(ids)


def test_hover_text_has_probabilities_speaker_reason_and_explanation() -> None:
    doc = make_doc()
    spans = Page(render(doc)).sentences
    claim = spans[1]["attrs"]
    assert "claim 0.81" in claim["title"] and "quote 0.07" in claim["title"] and "loaded 0.12" in claim["title"]
    assert claim["title"] == claim["data-tip"]  # same text for the CSS panel shown on focus
    quote = spans[2]["attrs"]["title"]
    assert "quote 0.93" in quote and "speaker: Mayor Ada Smith" in quote
    assert "verb of saying 'said' (+1.37)" in quote
    assert spans[0]["attrs"]["title"] == "excluded: heading"
    assert "0." not in spans[5]["attrs"]["title"]  # no probabilities for excluded sentences


def test_sentence_text_is_escaped() -> None:
    doc = make_doc()
    html = render(doc, title="<b>T</b> & co")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; wasteful" in html
    page = Page(html)
    assert not [t for t, _ in page.tags if t in ("script", "b")]
    assert page.sentences[3]["text"] == "Critics call it a reckless <script>alert('x')</script> & wasteful scheme."
    assert page.title == "<b>T</b> & co"


def test_escaping_in_attributes_and_speakers() -> None:
    s = LabelledSentence('He said "hi" <img src=x onerror=alert(1)>.', 0, 40, "quote",
                         probabilities={"claim": 0.1, "quote": 0.8, "loaded": 0.1},
                         speaker='Eve "<img src=x>"')
    page = Page(render(Document([s])))
    assert not [t for t, _ in page.tags if t == "img"]
    assert page.sentences[0]["attrs"]["title"].endswith('speaker: Eve "<img src=x>"')
    assert page.speakers == ['Eve "<img src=x>"']


def test_legend_lists_every_label_with_a_non_colour_cue() -> None:
    html = render(make_doc())
    page = Page(html)
    assert page.legend == ["claim", "quote", "loaded", "excluded"]
    for cue in ("solid underline", "double underline", "wavy underline", "dotted underline"):
        assert cue in html
    for style in ("text-decoration-style: solid", "text-decoration-style: double",
                  "text-decoration-style: wavy", "text-decoration-style: dotted"):
        assert style in html


def test_summary_counts_shares_and_speakers() -> None:
    doc = make_doc()
    page = Page(render(doc))
    assert page.rows["claim"] == ["Claim", "2", "50.0%"]
    assert page.rows["quote"] == ["Quote", "1", "25.0%"]
    assert page.rows["loaded"] == ["Loaded", "1", "25.0%"]
    assert page.rows["excluded"][:2] == ["Excluded", "2"]
    assert page.speakers == ["Mayor Ada Smith"]
    assert "6 sentences, 4 labelled" in render(doc)


def test_self_contained_no_external_resources() -> None:
    html = render(make_doc())
    page = Page(html)
    assert html.startswith("<!DOCTYPE html>")
    tags = {t for t, _ in page.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attrs in page.tags:
        for k, v in attrs.items():
            if k in ("src", "href"):
                pytest.fail(f"external reference {k}={v!r}")
    assert "url(" not in html and "@import" not in html and "http" not in html.split("<body>")[0]


def test_without_source_sentences_are_joined_with_spaces() -> None:
    page = Page(render(make_doc()))
    assert len(page.paragraphs) == 1
    assert "".join(page.paragraphs[0]) == " ".join(s.text for s in make_doc().sentences)


def test_source_text_keeps_gaps_and_paragraph_breaks() -> None:
    doc = make_doc()
    page = Page(render(doc, source_texts=[TEXT]))
    assert [s["text"] for s in page.sentences] == [s.text for s in doc.sentences]
    # heading / two sentences + line break + loaded / "Work starts in May.   Ok."
    assert [s["para"] for s in page.sentences] == [0, 1, 1, 1, 2, 2]
    assert len(page.paragraphs) == 3
    assert "".join(page.paragraphs[1]) == TEXT.split("\n\n")[1]
    assert "".join(page.paragraphs[2]) == "Work starts in May.   Ok."
    # a bare string is accepted for one document; the whole text is reproduced
    # apart from the blank lines that became paragraph boundaries
    again = Page(render(doc, source_texts=TEXT))
    assert "".join("".join(p) for p in again.paragraphs) == TEXT.replace("\n\n\n", "").replace("\n\n", "")


def test_source_text_sorts_by_offset_and_keeps_text_outside_sentences() -> None:
    text = "Intro: The sky is blue.  He said so. [end]"
    a = LabelledSentence("The sky is blue.", 7, 23, "claim")
    b = LabelledSentence("He said so.", 25, 36, "quote")
    page = Page(render(Document([b, a]), source_texts=[text]))
    assert [s["text"] for s in page.sentences] == ["The sky is blue.", "He said so."]
    assert "".join(page.paragraphs[0]) == text


def test_source_text_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not match source text"):
        render(make_doc(), source_texts=[TEXT.upper()])
    with pytest.raises(ValueError, match="2 source texts for 1 documents"):
        render(make_doc(), source_texts=[TEXT, TEXT])


def test_several_documents() -> None:
    docs = [make_doc("001"), make_doc(None)]
    html = render(docs, source_texts=[TEXT, None])
    page = Page(html)
    assert len(page.sentences) == 12
    assert [s["text"] for s in page.sentences] == [s.text for d in docs for s in d.sentences]
    assert len({s["attrs"]["id"] for s in page.sentences}) == 12
    assert "Document 001" in html and "Document 2" in html and "All 2 documents" in html
    articles = [a for t, a in page.tags if t == "article"]
    assert len(articles) == 2 and articles[0]["data-doc-id"] == "001"
    assert page.rows["claim"] == ["Claim", "2", "50.0%"]  # last table wins: per-document counts
    assert "12 sentences, 8 labelled" in html  # the combined summary
    assert "Mayor Ada Smith</span> (2)" in html


def test_empty_inputs() -> None:
    assert "No documents." in render([])
    html = render(Document([]))
    assert "No sentences." in html and Page(html).rows["claim"] == ["Claim", "0", "0.0%"]
    with pytest.raises(TypeError):
        render(["not a document"])  # type: ignore[list-item]


def test_write_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert write(out, make_doc(), title="first") == out
    first = out.read_text(encoding="utf-8")
    assert "<title>first</title>" in first
    with pytest.raises(FileExistsError, match="already exists.*force"):
        write(out, make_doc(), title="second")
    assert out.read_text(encoding="utf-8") == first
    write(str(out), [make_doc()], force=True, title="second", source_texts=[TEXT])
    assert "<title>second</title>" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temp files left


def test_write_failures_leave_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "bad.html"
    with pytest.raises(ValueError):
        write(out, make_doc(), source_texts=["wrong text"])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError):
        write(tmp_path / "missing" / "x.html", make_doc())


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_written_file_is_readable_by_others(tmp_path: Path) -> None:
    out = write(tmp_path / "r.html", make_doc())
    old = os.umask(0o022)
    os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o666 & ~old


def test_import_stays_light() -> None:
    code = (
        "import sys, stance.labelling;"
        "heavy = [m for m in ('sklearn', 'scipy', 'datasets', 'joblib', 'pyspark', 'torch') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("n", [0, 1, 3])
def test_a_page_built_a_document_at_a_time_is_the_rendered_page(tmp_path: Path, n: int) -> None:
    from stance.labelling import HtmlPage

    docs = [make_doc(f"00{i}") for i in range(n)]
    with HtmlPage(tmp_path / "page.html", title="t") as page:
        for d in docs:
            page.add(d, TEXT)
        assert page.write() == tmp_path / "page.html"
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == render(docs, title="t", source_texts=[TEXT] * n)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]  # no temporary file left


def test_a_page_refuses_input_over_its_bound(tmp_path: Path) -> None:
    from stance.errors import UsageError
    from stance.labelling import PAGE_MAX_INPUT, HtmlPage

    page = HtmlPage(tmp_path / "page.html")
    assert page.max_input == PAGE_MAX_INPUT == 10_000_000
    page.check_input(PAGE_MAX_INPUT)
    with pytest.raises(UsageError, match=r"the input \(10\.5 MB\) is over the 10 MB .*--format jsonl"):
        page.check_input(10_500_000)
    HtmlPage(tmp_path / "other.html", max_input=None).check_input(10**12)
    assert list(tmp_path.iterdir()) == []
