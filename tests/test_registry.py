"""The pretrained-model registry: manifest, cache, checked downloads, CLI.

Server tests run a real ThreadingHTTPServer on 127.0.0.1 serving small arbitrary
files; the registry only deals in bytes, hashes and files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stance import registry
from stance.cli_registry import add_parsers

GOOD = b"stance test artifact\n" + bytes(range(256)) * 200  # ~51 kB
OTHER = b"some other bytes entirely\n" * 100


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _manifest(**overrides: dict) -> dict:
    base = {
        "name": "tiny", "version": "1.0", "filename": "tiny-1.0.joblib", "url": "{base_url}/{filename}",
        "sha256": _sha(GOOD), "size": len(GOOD), "sklearn_version": "1.5.0",
        "labels": ["claim", "loaded", "quote"],
        "metrics": {"macro_f1": 0.8123, "macro_f1_ci95": [0.75, 0.87]},
        "description": "a test model", "licence": "MIT", "training_data": "none",
    }
    models = [
        base,
        {**base, "name": "corrupt", "filename": "corrupt-1.0.joblib"},   # server sends OTHER
        {**base, "name": "missing", "filename": "missing-1.0.joblib"},   # server answers 404
        {**base, "name": "dropped", "filename": "dropped-1.0.joblib"},   # server hangs up mid-body
        {**base, "name": "unpublished", "filename": "unpublished-1.0.joblib", "sha256": None, "size": None,
         "metrics": {}},
    ]
    for m in models:
        m.update(overrides.get(m["name"], {}))
    return {"format": 1, "base_url": "http://unused.invalid/models", "models": models}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp STANCE_HOME, a test manifest, no proxies and no offline mode."""
    h = tmp_path / "home"
    monkeypatch.setenv("STANCE_HOME", str(h))
    monkeypatch.delenv("STANCE_OFFLINE", raising=False)
    monkeypatch.delenv("STANCE_REGISTRY_URL", raising=False)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setattr(registry, "load_manifest", lambda path=None: _manifest())
    return h


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    requests: list[str] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        name = self.path.rsplit("/", 1)[-1]
        if name.startswith("dropped"):
            # promise more bytes than are sent, then hang up
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD[: len(GOOD) // 3])
            self.wfile.flush()
            self.close_connection = True
            return
        body = self.files.get(name)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server(home: Path, monkeypatch: pytest.MonkeyPatch):
    """Serve GOOD as tiny-1.0.joblib and OTHER as corrupt-1.0.joblib on 127.0.0.1."""
    handler = type("Handler", (_Handler,), {
        "files": {"tiny-1.0.joblib": GOOD, "corrupt-1.0.joblib": OTHER}, "requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    monkeypatch.setenv("STANCE_REGISTRY_URL", f"http://127.0.0.1:{httpd.server_address[1]}/models/")
    try:
        yield handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(5)


def _files(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def _cli(*argv: str) -> int:
    p = argparse.ArgumentParser(prog="stance")
    add_parsers(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(list(argv))
    return args.func(args)


# --------------------------------------------------------------------------- no server
def test_cache_dir_honours_stance_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCE_HOME", str(tmp_path / "sh"))
    assert registry.cache_dir() == tmp_path / "sh" / "models"
    monkeypatch.delenv("STANCE_HOME")
    import platformdirs

    assert registry.cache_dir() == Path(platformdirs.user_cache_dir("stance", appauthor=False)) / "models"


def test_shipped_manifest_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STANCE_REGISTRY_URL", raising=False)
    reg = registry.Registry(registry.load_manifest())
    names = reg.names()
    assert {"hybrid", "tfidf-lr", "rules"} <= set(names)
    for e in reg.entries():
        assert e.filename.endswith(".joblib") and e.name in e.filename
        assert e.url.startswith(("https://", "http://")) and e.url.endswith("/" + e.filename)
        if e.sha256 is not None:  # filled by scripts/release_models.py
            assert re.fullmatch(r"[0-9a-f]{64}", e.sha256)
            assert e.size and e.size > 0
            assert set(e.labels) == {"claim", "quote", "loaded"}
            assert 0 <= e.metrics["macro_f1"] <= 1
    monkeypatch.setenv("STANCE_REGISTRY_URL", "http://mirror.test/x/")
    assert reg.entry("hybrid").url == "http://mirror.test/x/" + reg.entry("hybrid").filename


def test_unknown_model_suggests_close_names(home: Path) -> None:
    with pytest.raises(registry.UnknownModelError) as info:
        registry.entry("tinny")
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, ValueError) and isinstance(err, registry.RegistryError)
    assert "tiny" in err.suggestions
    msg = str(err)
    assert msg.startswith("unknown model 'tinny'") and "Did you mean 'tiny'" in msg and "\n" not in msg
    with pytest.raises(registry.UnknownModelError, match="unknown model 'zzz'"):
        registry.fetch("zzz")
    assert not (home / "models").exists()


def test_verify_and_sha256sum(tmp_path: Path) -> None:
    f = tmp_path / "a.bin"
    f.write_bytes(GOOD)
    assert registry.sha256sum(f) == _sha(GOOD)
    assert registry.verify(f, _sha(GOOD))
    assert registry.verify(f, "sha256:" + _sha(GOOD).upper())
    assert not registry.verify(f, _sha(OTHER))
    assert not registry.verify(tmp_path / "absent.bin", _sha(GOOD))


def test_offline_without_cache_raises_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the URL points nowhere reachable: offline mode must not even try it
    monkeypatch.setenv("STANCE_REGISTRY_URL", "http://127.0.0.1:9/never")
    with pytest.raises(registry.OfflineError) as info:
        registry.fetch("tiny", offline=True)
    msg = str(info.value)
    assert "'tiny'" in msg and "stance download tiny" in msg and "\n" not in msg
    monkeypatch.setenv("STANCE_OFFLINE", "1")
    with pytest.raises(registry.OfflineError, match="stance download tiny"):
        registry.fetch("tiny")
    assert _files(home / "models") == []


def test_unpublished_entry_cannot_be_fetched(home: Path) -> None:
    with pytest.raises(registry.RegistryError, match="'unpublished' has no published checksum"):
        registry.fetch("unpublished")
    assert not registry.is_cached("unpublished")


def test_headline_formats_interval() -> None:
    assert registry.headline({"macro_f1": 0.8123, "macro_f1_ci95": [0.75, 0.87]}) == "0.812 [0.750, 0.870]"
    assert registry.headline({"macro_f1": 0.5}) == "0.500"
    assert registry.headline({}) == "-"


# --------------------------------------------------------------------------- with a server
@pytest.mark.network
def test_good_download(home: Path, server) -> None:
    assert not registry.is_cached("tiny")
    path = registry.fetch("tiny", progress=False)
    assert path == home / "models" / "tiny-1.0.joblib" == registry.local_path("tiny")
    assert path.read_bytes() == GOOD
    assert registry.is_cached("tiny")
    assert server.requests == ["/models/tiny-1.0.joblib"]
    assert _files(home / "models") == ["tiny-1.0.joblib"]  # no temporary file left behind


@pytest.mark.network
def test_cache_hit_makes_no_request(home: Path, server, monkeypatch: pytest.MonkeyPatch) -> None:
    first = registry.fetch("tiny", progress=False)
    assert len(server.requests) == 1
    assert registry.fetch("tiny") == first
    assert len(server.requests) == 1
    # offline mode is happy with a verified cached copy
    monkeypatch.setenv("STANCE_OFFLINE", "1")
    assert registry.fetch("tiny") == first
    assert registry.fetch("tiny", offline=True) == first
    assert len(server.requests) == 1


@pytest.mark.network
def test_corrupted_cache_is_downloaded_again(home: Path, server) -> None:
    target = home / "models" / "tiny-1.0.joblib"
    target.parent.mkdir(parents=True)
    target.write_bytes(GOOD[:-10])  # a truncated copy from some earlier accident
    assert not registry.is_cached("tiny")
    with pytest.raises(registry.OfflineError, match="does not match"):
        registry.fetch("tiny", offline=True)
    assert registry.fetch("tiny", progress=False).read_bytes() == GOOD
    assert len(server.requests) == 1


@pytest.mark.network
def test_checksum_mismatch_deletes_file_and_raises(home: Path, server) -> None:
    with pytest.raises(registry.ChecksumError) as info:
        registry.fetch("corrupt", progress=False)
    err = info.value
    assert err.expected == _sha(GOOD) and err.actual == _sha(OTHER)
    msg = str(err)
    assert err.expected in msg and err.actual in msg and "corrupt-1.0.joblib" in msg and "\n" not in msg
    assert server.requests == ["/models/corrupt-1.0.joblib"]
    assert _files(home / "models") == []
    assert not registry.is_cached("corrupt")


@pytest.mark.network
def test_http_404_raises_download_error(home: Path, server) -> None:
    with pytest.raises(registry.DownloadError) as info:
        registry.fetch("missing", progress=False)
    url = registry.entry("missing").url
    assert info.value.url == url
    assert url in str(info.value) and "404" in str(info.value)
    assert _files(home / "models") == []


@pytest.mark.network
def test_dropped_connection_leaves_no_complete_looking_file(home: Path, server) -> None:
    with pytest.raises(registry.DownloadError) as info:
        registry.fetch("dropped", progress=False)
    assert not isinstance(info.value, registry.ChecksumError)
    assert registry.entry("dropped").url in str(info.value)
    assert server.requests == ["/models/dropped-1.0.joblib"]
    assert _files(home / "models") == []
    assert not registry.is_cached("dropped")


@pytest.mark.network
def test_connection_refused_raises_download_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    monkeypatch.setenv("STANCE_REGISTRY_URL", f"http://127.0.0.1:{port}")
    with pytest.raises(registry.DownloadError, match=f"127.0.0.1:{port}/tiny-1.0.joblib"):
        registry.fetch("tiny", progress=False)
    assert _files(home / "models") == []


@pytest.mark.network
def test_progress_bar_goes_to_stderr(home: Path, server, capsys: pytest.CaptureFixture[str]) -> None:
    registry.fetch("tiny", progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "tiny 1.0" in err
    assert registry.is_cached("tiny")


# --------------------------------------------------------------------------- CLI
@pytest.mark.network
def test_cli_models_and_download(home: Path, server, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("models") == 0
    out = capsys.readouterr().out
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.strip()}
    assert lines["tiny"].split()[:2] == ["tiny", "1.0"]
    assert "0.812 [0.750, 0.870]" in lines["tiny"]
    assert " no " in lines["tiny"] and "unpublished" in lines["unpublished"]
    assert str(home / "models" / "tiny-1.0.joblib") in lines["tiny"]

    assert _cli("download", "tiny") == 0
    out = capsys.readouterr().out
    assert "downloaded tiny 1.0" in out and str(home / "models" / "tiny-1.0.joblib") in out
    assert (home / "models" / "tiny-1.0.joblib").read_bytes() == GOOD
    assert len(server.requests) == 1

    assert _cli("download", "tiny") == 0  # already cached: no request
    assert "already cached" in capsys.readouterr().out
    assert len(server.requests) == 1
    assert _cli("download", "tiny", "--force") == 0
    capsys.readouterr()
    assert len(server.requests) == 2

    assert _cli("models", "--json") == 0
    data = {d["name"]: d for d in json.loads(capsys.readouterr().out)}
    assert data["tiny"]["cached"] is True and data["corrupt"]["cached"] is False
    assert data["tiny"]["path"] == str(home / "models" / "tiny-1.0.joblib")
    assert data["tiny"]["sha256"] == _sha(GOOD) and data["tiny"]["size"] == len(GOOD)
    assert data["tiny"]["metrics"]["macro_f1"] == pytest.approx(0.8123)


@pytest.mark.network
def test_cli_download_errors(home: Path, server, monkeypatch: pytest.MonkeyPatch) -> None:
    from stance.cli import UserError

    with pytest.raises(registry.UnknownModelError, match="Did you mean 'tiny'"):
        _cli("download", "tinyy")
    with pytest.raises(registry.ChecksumError):
        _cli("download", "corrupt")
    with pytest.raises(registry.DownloadError, match="404"):
        _cli("download", "missing")
    monkeypatch.setenv("STANCE_OFFLINE", "1")
    with pytest.raises(UserError, match="STANCE_OFFLINE"):
        _cli("download", "tiny")
    assert _files(home / "models") == []
