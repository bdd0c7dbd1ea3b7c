#!/usr/bin/env python
"""Render a sample stance HTML page and check it in headless chromium.

    python scripts/check_html_in_browser.py SCREENSHOT.png [--html PAGE.html] [--chromium PATH]

Checks that (1) chromium parses the page into one ``span.sentence`` per
sentence, in order, with its ``label-*`` class and hover text; (2) the styles
apply: the three labels get three different background colours and three
different underline styles (measured with getComputedStyle by a probe script
added to a *copy* of the page; the page itself has no script); (3) the
screenshot is a real PNG of the expected size that contains the highlight
colours. Prints each check and exits non-zero on failure. Standard library only.

The functions are reused by tests/test_browser.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WINDOW = (1000, 1400)  # width, height of the screenshot
TIMEOUT = 90.0

# Background colours of the label classes in stance.html's CSS.
HIGHLIGHTS = {"claim": (0xD4, 0xE9, 0xF7), "quote": (0xF6, 0xDC, 0xEC), "loaded": (0xFD, 0xE3, 0xBF)}

PROBE = """
<script>
for (const el of document.querySelectorAll('span.sentence')) {
  const cs = getComputedStyle(el);
  el.setAttribute('data-probe-bg', cs.backgroundColor);
  el.setAttribute('data-probe-deco', cs.textDecorationStyle + ' ' + cs.textDecorationLine);
  el.setAttribute('data-probe-tab', String(el.tabIndex));
}
document.body.setAttribute('data-probe-done', '1');
</script>
"""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run_chromium(chromium: str, args: list[str], timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run headless chromium with a throwaway profile; kill its whole process group on timeout."""
    with tempfile.TemporaryDirectory(prefix="stance-chromium-") as profile:
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--mute-audio",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            *args,
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # its own process group, so helpers die with it
            env={**os.environ, "HOME": profile},
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"chromium timed out after {timeout:.0f}s: {' '.join(cmd)}") from None
        finally:
            try:  # leftover helper processes of this run only
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited with {proc.returncode}: {err.strip()[-2000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def dump_dom(chromium: str, page: Path, timeout: float = TIMEOUT) -> str:
    return _run_chromium(chromium, ["--dump-dom", page.resolve().as_uri()], timeout).stdout


def screenshot(chromium: str, page: Path, png: Path, timeout: float = TIMEOUT) -> Path:
    png = png.resolve()
    png.unlink(missing_ok=True)
    _run_chromium(chromium, [f"--screenshot={png}", page.resolve().as_uri()], timeout)
    if not png.is_file():
        raise RuntimeError(f"chromium did not write the screenshot {png}")
    return png


class SentenceSpans(HTMLParser):
    """Collect ``span.sentence`` elements: attributes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.spans: list[dict] = []
        self._depth = 0  # span nesting inside the current sentence span
        self.body_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body":
            self.body_attrs = a
        if tag != "span":
            return
        if self._depth:
            self._depth += 1
        elif "sentence" in (a.get("class") or "").split():
            self.spans.append({"attrs": a, "classes": (a.get("class") or "").split(), "text": ""})
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.spans[-1]["text"] += data


def parse_spans(dom: str) -> SentenceSpans:
    p = SentenceSpans()
    p.feed(dom)
    p.close()
    return p


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG into rows of raw pixel bytes."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError(f"{path} has no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG format (depth {depth}, colour type {colour}, interlace {interlace})")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif f == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif f != 0:
            raise ValueError(f"bad PNG filter type {f} in row {y}")
        rows.append(bytes(line if bpp == 3 else _drop_alpha(line)))
        prev = line
    return width, height, rows


def _drop_alpha(line: bytearray) -> bytes:
    out = bytearray(len(line) // 4 * 3)
    out[0::3], out[1::3], out[2::3] = line[0::4], line[1::4], line[2::4]
    return bytes(out)


def colour_stats(rows: list[bytes]) -> tuple[int, dict[tuple[int, int, int], int]]:
    """Number of distinct colours and pixel counts per colour."""
    counts: dict[tuple[int, int, int], int] = {}
    for row in rows:
        for i in range(0, len(row), 3):
            c = (row[i], row[i + 1], row[i + 2])
            counts[c] = counts.get(c, 0) + 1
    return len(counts), counts


def sample_page() -> tuple[str, list]:
    """A short article exercising every label, escaping and paragraph breaks."""
    try:
        import stance.html  # noqa: F401
    except ImportError:  # running from a checkout without installing
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from stance.text import Document, LabelledSentence
    from stance.labelling import render

    text = (
        "Council backs the bypass\n\n"
        "The council approved the bypass on Monday by seven votes to two. "
        '"This road will cut journeys by ten minutes," said Mayor Ada Smith.\n'
        "Critics call it a reckless <script>alert(1)</script> vanity project that will wreck the valley.\n\n"
        "Work is due to start in May. "
        "Residents say the consultation was a sham."
    )
    specs = [
        ("Council backs the bypass", "excluded", None, None, "heading"),
        ("The council approved the bypass on Monday by seven votes to two.", "claim", (0.86, 0.06, 0.08), None, None),
        ('"This road will cut journeys by ten minutes," said Mayor Ada Smith.', "quote", (0.05, 0.91, 0.04),
         "Mayor Ada Smith", None),
        ("Critics call it a reckless <script>alert(1)</script> vanity project that will wreck the valley.",
         "loaded", (0.10, 0.12, 0.78), None, None),
        ("Work is due to start in May.", "claim", (0.80, 0.05, 0.15), None, None),
        ("Residents say the consultation was a sham.", "loaded", (0.20, 0.25, 0.55), None, None),
    ]
    sentences = []
    for t, label, probs, speaker, reason in specs:
        start = text.index(t)
        sentences.append(
            LabelledSentence(
                t, start, start + len(t), label,
                probabilities=dict(zip(("claim", "quote", "loaded"), probs)) if probs else None,
                reason=reason, speaker=speaker,
            )
        )
    doc = Document(sentences, id="sample", text_length=len(text))
    return render(doc, title="stance browser check", source_texts=[text]), sentences


def check(chromium: str, page: Path, sentences: list, png: Path, log=print) -> None:
    """Run all checks on ``page`` (rendered from ``sentences``); raise AssertionError on failure."""
    dom = dump_dom(chromium, page)
    parsed = parse_spans(dom)
    spans = parsed.spans
    assert len(spans) == len(sentences), f"DOM has {len(spans)} sentence spans, expected {len(sentences)}"
    for span, s in zip(spans, sentences):
        assert span["text"] == s.text, f"span text {span['text']!r} != sentence {s.text!r}"
        assert f"label-{s.label}" in span["classes"], f"span {s.text[:30]!r} lacks class label-{s.label}"
        assert span["attrs"].get("tabindex") == "0", f"span {s.text[:30]!r} is not focusable"
        if s.probabilities:
            assert f"{s.label} {s.probabilities[s.label]:.2f}" in (span["attrs"].get("title") or "")
    assert "<script>alert(1)" not in dom.split("<body", 1)[1], "unescaped <script> reached the DOM"
    log(f"ok  DOM: {len(spans)} sentence spans in order, label classes, tabindex, hover text, escaping")

    # Computed styles via a probe script in a copy of the page.
    probe_page = page.with_name(page.stem + ".probe.html")
    probe_page.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    try:
        probed = parse_spans(dump_dom(chromium, probe_page))
    finally:
        probe_page.unlink(missing_ok=True)
    assert probed.body_attrs.get("data-probe-done") == "1", "probe script did not run"
    by_label: dict[str, set[tuple[str, str]]] = {}
    for span, s in zip(probed.spans, sentences):
        assert span["attrs"].get("data-probe-tab") == "0"
        by_label.setdefault(s.label, set()).add((span["attrs"]["data-probe-bg"], span["attrs"]["data-probe-deco"]))
    styles = {lab: v for lab, v in by_label.items()}
    for lab, v in styles.items():
        assert len(v) == 1, f"sentences labelled {lab} are styled inconsistently: {v}"
    main = [next(iter(styles[lab])) for lab in ("claim", "quote", "loaded")]
    assert len({bg for bg, _ in main}) == 3, f"labels share a background colour: {main}"
    assert len({deco for _, deco in main}) == 3, f"labels share an underline style: {main}"
    assert all("underline" in deco for _, deco in main)
    log("ok  styles: " + "; ".join(f"{lab}: {next(iter(v))[0]}, {next(iter(v))[1]}" for lab, v in styles.items()))

    screenshot(chromium, page, png)
    width, height, rows = read_png(png)
    assert (width, height) == WINDOW, f"screenshot is {width}x{height}, expected {WINDOW[0]}x{WINDOW[1]}"
    n_colours, counts = colour_stats(rows)
    assert n_colours > 50, f"screenshot has only {n_colours} colours (blank page?)"
    white = counts.get((255, 255, 255), 0)
    assert white < width * height * 0.98, "screenshot is almost entirely white"
    for lab, rgb in HIGHLIGHTS.items():
        assert counts.get(rgb, 0) > 200, f"highlight colour of {lab} {rgb} not visible in the screenshot"
    log(
        f"ok  screenshot {png}: {width}x{height}, {png.stat().st_size} bytes, {n_colours} colours; "
        + ", ".join(f"{lab} highlight {counts[rgb]} px" for lab, rgb in HIGHLIGHTS.items())
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("screenshot", type=Path, help="where to save the PNG screenshot")
    ap.add_argument("--html", type=Path, help="also keep the rendered page here (default: a temp file)")
    ap.add_argument("--chromium", help="chromium binary (default: first of %s on PATH)" % ", ".join(CHROMIUM_NAMES))
    args = ap.parse_args(argv)
    chromium = args.chromium or find_chromium()
    if not chromium:
        print("no chromium binary found (looked for %s)" % ", ".join(CHROMIUM_NAMES), file=sys.stderr)
        return 2
    print(f"chromium: {chromium}")
    html, sentences = sample_page()
    with tempfile.TemporaryDirectory(prefix="stance-html-") as tmp:
        page = args.html or Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        print(f"page: {page} ({len(html)} characters, {len(sentences)} sentences)")
        try:
            check(chromium, page, sentences, args.screenshot)
        except (AssertionError, RuntimeError, ValueError) as exc:
            print(f"FAIL {exc}", file=sys.stderr)
            return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
