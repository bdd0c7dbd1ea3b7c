"""Faults a user can hit, each in a real process: killed mid-write, two processes on one cache entry,
a full disk (RLIMIT_FSIZE), a read-only home, a download dropped or served with a wrong hash, a
corrupted cached file. Each ends in one line on stderr and exit 2 (or success), and never leaves a
partial file where a model, cache entry or output belongs.

Downloads come from :class:`hub_server.FakeHub` on 127.0.0.1, named by a manifest of the test's own
(``STANCE_MANIFEST``).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hub_server import FakeHub
from test_cli import _script

import stance
from stance.model import to_bytes

REPO, REV = "test-org/stance-models", "v1.0"
ARTICLE = 'Cuba sent 27 doctors to Peru.\n"We are proud of our doctors," the minister said.\n'


@pytest.fixture(scope="module")
def small_model(trained_rules) -> bytes:
    """The bytes of a real (small) model file."""
    return to_bytes(trained_rules.model.to_data())


@pytest.fixture
def world(tmp_path: Path, small_model: bytes):
    """A manifest naming ``small`` (a real model), ``big`` (slow to serve), ``dropped`` and ``wrong``;
    a Hub serving them; an environment pointing stance at both, with no proxies."""
    big = os.urandom(400_000)
    files = {"small.stance": small_model, "big.bin": big, "dropped.bin": big, "wrong.bin": big}
    entries = [{"name": n.split(".")[0], "version": "1", "filename": n, "sha256": hashlib.sha256(b).hexdigest(),
                "size": len(b), "labels": ["claim", "loaded", "quote"]} for n, b in files.items()]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"format": 2, "repo_id": REPO, "revision": REV, "models": entries}))
    with FakeHub(files, repo_id=REPO, revision=REV, behaviour={"dropped.bin": "drop", "wrong.bin": "wrong"}) as hub:
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "hf_hub_offline", "transformers_offline",
                                  "stance_offline")}
        env.update(STANCE_HOME=str(tmp_path / "home"), STANCE_MANIFEST=str(manifest), HF_ENDPOINT=hub.url,
                   NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost", HF_HUB_DISABLE_TELEMETRY="1",
                   PYTHONDONTWRITEBYTECODE="1")
        (tmp_path / "a.txt").write_text(ARTICLE)
        yield hub, env, tmp_path


def _run(argv, env, cwd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=180, check=False, **kw)


def _one_line_error(r: subprocess.CompletedProcess, *words: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def _blobs(home: Path) -> list[Path]:
    return sorted(home.glob("models/models--*/blobs/*"))


def _snapshots(home: Path) -> list[Path]:
    return sorted(home.glob("models/models--*/snapshots/*/*"))


# --------------------------------------------------------------------------- killed mid-write
_KILL_MID_WRITE = """
import os, signal, sys
real = os.fdopen
class Half:
    def __init__(self, f): self.f = f
    def __enter__(self): return self
    def __exit__(self, *a): self.f.close()
    def write(self, b):
        self.f.write(b[: len(b) // 2]); self.f.flush(); os.fsync(self.f.fileno())
        os.kill(os.getpid(), signal.SIGKILL)
def fdopen(fd, mode="r", *a, **k):
    f = real(fd, mode, *a, **k)
    return Half(f) if "w" in mode else f
import stance
{prepare}
os.fdopen = fdopen
{write}
"""


@pytest.mark.parametrize("what", ["model", "page"])
@pytest.mark.parametrize("had_one", [True, False])
def test_a_process_killed_mid_write_leaves_the_old_file_or_none(tmp_path, what, had_one):
    target = tmp_path / ("m.stance" if what == "model" else "out.html")
    if what == "model":
        prepare = "m = stance.train('rules', seed=0, evaluate=False)"
        write = f"m.save({str(target)!r}, force=True)"
    else:
        prepare = "from stance import html; doc = stance.load().label_text('Cuba sent 27 doctors to Peru. ' * 50)"
        write = f"html.write({str(target)!r}, [doc], force=True)"
    old = b""
    if had_one:
        if what == "model":
            stance.train("majority", seed=0, evaluate=False).save(target)
        else:
            target.write_text("<html>the page from yesterday</html>")
        old = target.read_bytes()
    r = subprocess.run([sys.executable, "-c", _KILL_MID_WRITE.format(prepare=prepare, write=write)],
                       capture_output=True, text=True, timeout=180, check=False)
    assert r.returncode == -signal.SIGKILL, r.stderr
    if had_one:
        assert target.read_bytes() == old
        if what == "model":
            assert stance.load(target).card["model"] == "majority"
    else:
        assert not target.exists()
    # what the killed process left is its hidden temporary file, never at the path a user reads
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(n.startswith(f".{target.name}.") and n.endswith(".part") for n in leftovers), leftovers


@pytest.mark.network
def test_a_download_killed_mid_transfer_leaves_nothing_that_looks_complete(world):
    hub, env, tmp = world
    hub.behaviour["big.bin"] = "slow"
    home = Path(env["STANCE_HOME"])
    p = subprocess.Popen([_script("stance"), "download", "big"], env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(home.glob("models/models--*/blobs/*.incomplete")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # some of the file has arrived
    finally:
        p.kill()
        p.wait(30)
    partial = list(home.glob("models/models--*/blobs/*.incomplete"))
    assert partial and partial[0].stat().st_size < 400_000
    assert _snapshots(home) == []
    r = _run([_script("stance"), "models", "--json"], env, tmp)
    assert {d["name"]: d for d in json.loads(r.stdout)}["big"]["cache_state"] == "no"
    hub.behaviour["big.bin"] = ""
    r = _run([_script("stance"), "download", "big"], env, tmp)
    assert r.returncode == 0, r.stderr
    (snap,) = _snapshots(home)
    assert hashlib.sha256(snap.read_bytes()).hexdigest() == hashlib.sha256(hub.files["big.bin"]).hexdigest()


# --------------------------------------------------------------------------- two processes, one cache entry
@pytest.mark.network
@pytest.mark.slow  # the Hub serves "big" slowly on purpose, so that the two downloads overlap: 5 s
def test_two_processes_filling_the_same_cache_entry(world):
    hub, env, tmp = world
    hub.behaviour["big.bin"] = "slow"
    procs = [subprocess.Popen([_script("stance"), "download", "big"], env=env, cwd=tmp, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    home = Path(env["STANCE_HOME"])
    (snap,) = _snapshots(home)
    assert [b.name for b in _blobs(home)] == [hashlib.sha256(hub.files["big.bin"]).hexdigest()]
    assert snap.read_bytes() == hub.files["big.bin"]


def test_two_processes_caching_the_same_trained_model(tmp_path):
    code = ("import sys, stance; from stance.hub import cache_model; from pathlib import Path\n"
            "m = stance.train('rules', seed=0, evaluate=False)\n"
            "for _ in range(30): cache_model(m, Path(sys.argv[1]))\n")
    target = tmp_path / "cache" / "rules.stance"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(target)], stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    errs = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    assert stance.load(target).card["model"] == "rules"
    assert sorted(p.name for p in target.parent.iterdir()) == ["rules.stance"]


# --------------------------------------------------------------------------- a full disk
def _file_size_limit(limit: int):
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_while_writing_a_model(tmp_path, corpus_jsonl, trained_tfidf):
    # tfidf-lr on the corpus alone (a minute on the whole shipped data); its file is over twice the limit
    limit = 50_000
    assert trained_tfidf.path.stat().st_size > 2 * limit
    out = tmp_path / "m.stance"
    argv = [_script("stance-train"), "--model", "tfidf-lr", "--data", str(corpus_jsonl), "--no-eval", "-o", str(out)]
    r = _run(argv, dict(os.environ, STANCE_HOME=str(tmp_path / "home")), tmp_path, preexec_fn=_file_size_limit(limit))
    _one_line_error(r, f"cannot write the model file {out}", "File too large", "nothing was written")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"] or not out.exists()
    assert not out.exists() and not list(tmp_path.glob(".m.stance.*"))
    stance.train("majority", seed=0, evaluate=False).save(out)
    before = out.read_bytes()
    r = _run(argv + ["--force"], dict(os.environ, STANCE_HOME=str(tmp_path / "home")), tmp_path,
             preexec_fn=_file_size_limit(limit))
    _one_line_error(r, "the existing file is unchanged")
    assert out.read_bytes() == before


def test_a_full_disk_while_writing_a_page(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE * 200)
    r = _run([_script("stance"), "label", "a.txt", "--html", "out.html", "--format", "csv"], dict(os.environ),
             tmp_path, preexec_fn=_file_size_limit(50_000))
    _one_line_error(r, "cannot write the page out.html", "File too large")
    assert not (tmp_path / "out.html").exists() and not list(tmp_path.glob(".out.html.*"))


@pytest.mark.network
def test_a_full_disk_while_downloading(world):
    hub, env, tmp = world
    r = _run([_script("stance"), "download", "big"], env, tmp, preexec_fn=_file_size_limit(100_000))
    _one_line_error(r, "cannot write model 'big' into the cache", "File too large")
    assert _snapshots(Path(env["STANCE_HOME"])) == []
    r = _run([_script("stance"), "download", "big"], env, tmp)  # space again: the download completes
    assert r.returncode == 0, r.stderr


# --------------------------------------------------------------------------- a read-only home
def _without_root_override() -> list[str]:
    """A command prefix under which file modes bind: as root, drop the capabilities that ignore them."""
    if os.geteuid() != 0:
        return []
    import shutil

    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): file modes would not bind")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.network
def test_a_read_only_home(world):
    hub, env, tmp = world
    home = tmp / "readonly-home"
    home.mkdir()
    os.chmod(home, 0o555)
    try:
        env = {k: v for k, v in env.items() if k not in ("STANCE_HOME", "XDG_CACHE_HOME")}
        env.update(HOME=str(home))
        pre = _without_root_override()
        # labelling with the shipped default writes nothing
        r = _run(pre + [_script("stance"), "label", "a.txt", "--format", "csv"], env, tmp)
        assert r.returncode == 0, r.stderr
        assert len(r.stdout.strip().splitlines()) == 3
        # a download says where it cannot write and what to do
        r = _run(pre + [_script("stance"), "download", "small"], env, tmp)
        _one_line_error(r, "cannot write to the model cache", str(home), "set STANCE_HOME")
        assert list(home.iterdir()) == []
        # a model stance trains on first use still works; it says once why it is not cached
        r = _run(pre + [sys.executable, "-W", "always", "-c",
                        "import stance; from stance.hub import cache_dir, cache_model\n"
                        "cache_model(stance.train('rules', seed=0, evaluate=False), cache_dir() / 'r.stance')"],
                 env, tmp)
        assert r.returncode == 0 and "cannot cache the trained model" in r.stderr and "STANCE_HOME" in r.stderr, r.stderr
        assert list(home.iterdir()) == []
    finally:
        os.chmod(home, 0o755)


# --------------------------------------------------------------------------- bad downloads, bad cache
@pytest.mark.network
@pytest.mark.parametrize("name, words", [("dropped", "the connection was dropped"),
                                         ("wrong", "checksum mismatch for model 'wrong'")])
def test_a_download_dropped_or_with_a_wrong_hash(world, name, words):
    hub, env, tmp = world
    r = _run([_script("stance"), "download", name], env, tmp)
    line = _one_line_error(r, words)
    assert hub.url in line
    home = Path(env["STANCE_HOME"])
    assert _snapshots(home) == [] and [b for b in _blobs(home) if not b.name.endswith(".incomplete")] == []


@pytest.mark.network
def test_a_corrupted_cached_model_is_fetched_again_or_named_offline(world):
    hub, env, tmp = world
    label = [_script("stance"), "label", "a.txt", "--model", "small", "--format", "csv"]
    r = _run(label, env, tmp)
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 3, r.stderr
    (snap,) = _snapshots(Path(env["STANCE_HOME"]))
    snap.resolve().write_bytes(b"PK\x03\x04 a damaged copy")
    r = _run([_script("stance"), "models"], env, tmp)
    assert "corrupt (sha256 mismatch" in next(ln for ln in r.stdout.splitlines() if ln.startswith("small "))
    line = _one_line_error(_run(label, dict(env, STANCE_OFFLINE="1"), tmp), "cached copy of model 'small'", "corrupt",
                           "stance download small --force")
    assert str(snap) in line
    gets = len(hub.gets())
    r = _run(label, env, tmp)  # with the network: fetched again, checked, used
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 3, r.stderr
    assert len(hub.gets()) == gets + 1
    assert hashlib.sha256(snap.read_bytes()).hexdigest() == hashlib.sha256(hub.files["small.stance"]).hexdigest()
