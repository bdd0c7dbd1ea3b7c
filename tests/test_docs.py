"""README.md and experiments/README.md run as written: every shell, console and Python block, in
page order, in a scratch copy of the checkout's example files.

A block whose first line is ``# (not run by the docs test: <why>)`` is illustration (installs,
hours of experiments, the test command itself): the reason is visible on the page. A block whose
first line says it ``needs the outside data`` runs only where ../shared/external is. ``console``
blocks are compared with their shown output; ``bash`` blocks must exit 0; ``python`` blocks each
run in a fresh interpreter, so each imports what it uses.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("README.md", "experiments/README.md")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M)
NOTE = re.compile(r"<!--\s*docs-test:\s*(?P<note>(?:(?!-->).)*?)\s*-->[ \t]*\n[ \t]*\Z", re.S)
NOT_RUN = re.compile(r"^not run: (?P<why>.+)$")
NEEDS_OUTSIDE = re.compile(r"^needs the outside data")
RUNNABLE = ("bash", "console", "python")


def blocks(page: str) -> list[dict]:
    text = (ROOT / page).read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        indent = m.group("indent")
        body = "".join(line[len(indent):] if line.startswith(indent) else line
                       for line in m.group("body").splitlines(keepends=True))
        note = NOTE.search(text[max(0, m.start() - 400):m.start()])
        out.append({"page": page, "line": text[:m.start()].count("\n") + 1, "lang": m.group("lang"), "body": body,
                    "note": note.group("note") if note else ""})
    return out


ALL = [b for page in PAGES for b in blocks(page)]


def _external() -> Path | None:
    from stance.corpora import default_external

    path = Path(os.environ.get("STANCE_EXTERNAL") or ROOT.parent / "shared" / "external")
    path = path if path.is_dir() else default_external()
    return path if (path / "babe").is_dir() else None


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A scratch checkout: the example files, corpus and labels, a home of its own."""
    d = tmp_path_factory.mktemp("docs")
    for name in ("examples", "corpus", "labels"):
        shutil.copytree(ROOT / name, d / name)
    (d / "home").mkdir()
    return d


def _env(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(scratch / "home"), STANCE_HOME=str(scratch / "stance-home"), STANCE_OFFLINE="1",
               COLUMNS="100", PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""))
    external = _external()
    if external is not None:
        env["STANCE_EXTERNAL"] = str(external)
    return env


def _console(body: str) -> list[tuple[str, str]]:
    """(command, shown output) pairs of a console block."""
    pairs: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        elif pairs:
            pairs[-1][1].append(line)
    return [(cmd, "\n".join(out)) for cmd, out in pairs]


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def test_the_pages_have_blocks_and_every_skip_says_why():
    readme = [b for b in ALL if b["page"] == "README.md"]
    assert len([b for b in readme if b["lang"] in RUNNABLE]) >= 12
    assert all(b["lang"] in RUNNABLE for b in ALL), [(b["page"], b["line"], b["lang"]) for b in ALL]
    for b in ALL:
        first = b["body"].splitlines()[0] if b["body"].strip() else ""
        assert "docs test" not in first, f"{b['page']}:{b['line']}: a note for the docs test in the visible code"
        if b["note"]:
            assert NOT_RUN.match(b["note"]) or NEEDS_OUTSIDE.match(b["note"]), f"{b['page']}:{b['line']}: {b['note']}"


@pytest.mark.slow
@pytest.mark.parametrize("block", ALL, ids=[f"{b['page']}:{b['line']}" for b in ALL])
def test_block_runs_as_written(block, scratch):
    body, note = block["body"], block["note"]
    if NOT_RUN.match(note):
        pytest.skip(f"marked on the page: {NOT_RUN.match(note).group('why')}")
    if NEEDS_OUTSIDE.match(note) and _external() is None:
        pytest.skip("needs the outside data (../shared/external), absent here")
    env, where = _env(scratch), f"{block['page']}:{block['line']}"
    if block["lang"] == "python":
        r = subprocess.run([sys.executable, "-c", body], cwd=scratch, env=env, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, f"{where}: python block failed:\n{r.stderr[-3000:]}"
    elif block["lang"] == "bash":
        r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", body], cwd=scratch, env=env, capture_output=True,
                           text=True, timeout=900)
        assert r.returncode == 0, f"{where}: shell block failed:\n{r.stderr[-3000:]}"
    else:
        for cmd, shown in _console(body):
            r = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", cmd], cwd=scratch, env=env, capture_output=True,
                               text=True, timeout=300)
            assert r.returncode == 0, f"{where}: {cmd}:\n{r.stderr[-3000:]}"
            assert _norm(r.stdout) == _norm(shown), f"{where}: the output of {cmd!r} is not what the page shows"
