"""Load a rendered page in headless chromium: DOM, computed styles, screenshot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a headless chromium start per test: seconds each

_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_html_in_browser.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("check_html_in_browser", _SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


checker = _load_script()
CHROMIUM = checker.find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason=f"no chromium binary on PATH (looked for {', '.join(checker.CHROMIUM_NAMES)})"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    html, sentences = checker.sample_page()
    path = tmp_path_factory.mktemp("browser") / "page.html"
    path.write_text(html, encoding="utf-8")
    return path, sentences


@needs_chromium
def test_dom_has_sentence_spans_with_label_classes(page) -> None:
    path, sentences = page
    dom = checker.dump_dom(CHROMIUM, path)
    spans = checker.parse_spans(dom).spans
    assert [s["text"] for s in spans] == [s.text for s in sentences]
    assert [next(c for c in s["classes"] if c.startswith("label-")) for s in spans] == [
        f"label-{s.label}" for s in sentences
    ]
    assert all(s["attrs"]["tabindex"] == "0" for s in spans)
    assert "quote 0.91" in spans[2]["attrs"]["title"]
    assert "<script>alert(1)" not in dom.split("<body", 1)[1]


@needs_chromium
def test_full_check_with_styles_and_screenshot(page, tmp_path: Path) -> None:
    path, sentences = page
    png = tmp_path / "shot.png"
    log: list[str] = []
    checker.check(CHROMIUM, path, sentences, png, log=log.append)
    assert len(log) == 3 and all(line.startswith("ok") for line in log)
    assert png.stat().st_size > 10_000
    width, height, rows = checker.read_png(png)
    assert (width, height) == checker.WINDOW
    n_colours, counts = checker.colour_stats(rows)
    assert n_colours > 50
    for rgb in checker.HIGHLIGHTS.values():
        assert counts.get(rgb, 0) > 200


@needs_chromium
def test_script_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "s.png"
    assert checker.main([str(png), "--html", str(tmp_path / "p.html")]) == 0
    out = capsys.readouterr().out
    assert "all checks passed" in out and png.is_file() and (tmp_path / "p.html").is_file()
