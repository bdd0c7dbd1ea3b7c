"""The pretrained-model registry: manifest, cache, checked downloads from a Hub, CLI.

Server tests run :class:`hub_server.FakeHub`, the Hub's file API on 127.0.0.1, serving small
arbitrary files; the registry only deals in bytes, hashes and files.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from hub_server import FakeHub

import stance.hub
import stance.cli
import stance.errors

GOOD = b"stance test artifact\n" + bytes(range(256)) * 200  # ~51 kB
OTHER = b"some other bytes entirely\n" * 100
DROPPED = b"dropped model\n" * 4000
REPO, REV = "test-org/stance-models", "v1.0"


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _manifest() -> dict:
    base = {
        "name": "tiny", "version": "1.0", "filename": "tiny-1.0.stance",
        "sha256": _sha(GOOD), "size": len(GOOD), "sklearn_version": "1.5.0",
        "labels": ["claim", "loaded", "quote"],
        "metrics": {"macro_f1": 0.8123, "macro_f1_ci95": [0.75, 0.87]},
        "description": "a test model", "licence": "MIT", "training_data": "none",
    }
    models = [
        base,
        {**base, "name": "corrupt", "filename": "corrupt-1.0.stance"},   # the hub serves OTHER
        {**base, "name": "missing", "filename": "missing-1.0.stance"},   # not in the repository
        {**base, "name": "dropped", "filename": "dropped-1.0.stance", "sha256": _sha(DROPPED),
         "size": len(DROPPED)},                                           # the hub hangs up mid-body
        {**base, "name": "unpublished", "filename": "unpublished-1.0.stance", "sha256": None, "size": None,
         "metrics": {}},
    ]
    return {"format": 2, "repo_id": REPO, "revision": REV, "uploaded": False, "models": models}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tmp STANCE_HOME, a test manifest, no proxies and no offline mode."""
    import huggingface_hub
    from huggingface_hub import constants

    h = tmp_path / "home"
    monkeypatch.setenv("STANCE_HOME", str(h))
    for var in ("STANCE_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "STANCE_MODELS_DIR", "STANCE_MANIFEST", "HF_ENDPOINT", "http_proxy", "https_proxy",
                "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # the test session runs with HF_HUB_OFFLINE=1 (conftest), which huggingface_hub reads at import
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    huggingface_hub.close_session()  # a new HTTP client, made without the proxies
    _use_manifest(tmp_path, monkeypatch, _manifest())
    return h


def _use_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manifest: dict) -> None:
    """Point STANCE_MANIFEST at ``manifest``, as a user with a registry of their own does."""
    path = tmp_path / f"manifest-{len(list(tmp_path.glob('manifest-*.json')))}.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setenv("STANCE_MANIFEST", str(path))


@pytest.fixture
def server(home: Path, monkeypatch: pytest.MonkeyPatch):
    """A Hub serving GOOD as tiny-1.0.stance and OTHER as corrupt-1.0.stance."""
    files = {"tiny-1.0.stance": GOOD, "corrupt-1.0.stance": OTHER, "dropped-1.0.stance": DROPPED}
    with FakeHub(files, repo_id=REPO, revision=REV, behaviour={"dropped-1.0.stance": "drop"}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield hub


def _files(d: Path) -> list[str]:
    """Every file under ``d`` that holds bytes (blobs, links and partial downloads; not the lock files)."""
    if not d.exists():
        return []
    return sorted(str(p.relative_to(d)) for p in d.rglob("*")
                  if (p.is_file() or p.is_symlink()) and ".locks" not in p.parts and p.name != "CACHEDIR.TAG"
                  and "refs" not in p.parts)


def _cli(*argv: str) -> int:
    return stance.cli.main(list(argv))


# --------------------------------------------------------------------------- no server
def test_cache_dir_honours_stance_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCE_HOME", str(tmp_path / "sh"))
    assert stance.hub.cache_dir() == tmp_path / "sh" / "models"
    monkeypatch.delenv("STANCE_HOME")
    import platformdirs

    assert stance.hub.cache_dir() == Path(platformdirs.user_cache_dir("stance", appauthor=False)) / "models"


def test_shipped_manifest_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    reg = stance.hub.Registry(stance.hub.load_manifest())
    names = reg.names()
    assert {"hybrid", "tfidf-lr", "rules"} <= set(names)
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", reg.repo_id) and reg.revision
    for e in reg.entries():
        assert e.filename.endswith(".stance") and e.name in e.filename
        assert e.url == f"https://huggingface.co/{reg.repo_id}/resolve/{reg.revision}/{e.filename}"
        assert re.fullmatch(r"[0-9a-f]{64}", e.sha256 or "")
        assert e.size and e.size > 0
        assert set(e.labels) == {"claim", "quote", "loaded"}
        assert 0 <= e.metrics["macro_f1"] <= 1
    monkeypatch.setenv("HF_ENDPOINT", "http://mirror.test/x/")
    assert reg.entry("hybrid").url.startswith(f"http://mirror.test/x/{reg.repo_id}/resolve/")


def test_unknown_model_suggests_close_names(home: Path) -> None:
    with pytest.raises(stance.errors.UnknownModelError) as info:
        stance.hub.entry("tinny")
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, ValueError) and isinstance(err, stance.errors.RegistryError)
    assert "tiny" in err.suggestions
    msg = str(err)
    assert msg.startswith("unknown model 'tinny'") and "Did you mean 'tiny'" in msg and "\n" not in msg
    with pytest.raises(stance.errors.UnknownModelError, match="unknown model 'zzz'"):
        stance.hub.fetch("zzz")
    assert not (home / "models").exists()


def test_verify_and_sha256sum(tmp_path: Path) -> None:
    f = tmp_path / "a.bin"
    f.write_bytes(GOOD)
    assert stance.hub.sha256sum(f) == _sha(GOOD)
    assert stance.hub.verify(f, _sha(GOOD))
    assert stance.hub.verify(f, "sha256:" + _sha(GOOD).upper())
    assert not stance.hub.verify(f, _sha(OTHER))
    assert not stance.hub.verify(tmp_path / "absent.bin", _sha(GOOD))


def test_offline_without_cache_raises_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the endpoint points nowhere reachable: offline mode must not even try it
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(stance.errors.OfflineError) as info:
        stance.hub.fetch("tiny", offline=True)
    msg = str(info.value)
    assert "'tiny'" in msg and "stance download tiny" in msg and "STANCE_MODELS_DIR" in msg and "\n" not in msg
    for var in ("STANCE_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(var, "1")
        with pytest.raises(stance.errors.OfflineError, match="stance download tiny"):
            stance.hub.fetch("tiny")
        monkeypatch.delenv(var)
    assert _files(home / "models") == []


def test_unpublished_entry_cannot_be_fetched(home: Path) -> None:
    with pytest.raises(stance.errors.RegistryError, match="'unpublished' has no published checksum"):
        stance.hub.fetch("unpublished")
    assert not stance.hub.is_cached("unpublished")


def test_headline_formats_interval() -> None:
    assert stance.hub.headline({"macro_f1": 0.8123, "macro_f1_ci95": [0.75, 0.87]}) == "0.812 [0.750, 0.870]"
    assert stance.hub.headline({"macro_f1": 0.5}) == "0.500"
    assert stance.hub.headline({}) == "-"



# --------------------------------------------------------------------------- with a Hub on 127.0.0.1
def _snapshot(home: Path, filename: str) -> Path:
    return home / "models" / f"models--{REPO.replace('/', '--')}" / "snapshots" / "0123456789abcdef0123456789abcdef01234567" / filename


@pytest.mark.network
def test_good_download(home: Path, server: FakeHub) -> None:
    import os

    assert stance.hub.cache_state("tiny") == "no"
    old = os.umask(0o022)
    try:
        path = stance.hub.fetch("tiny", progress=False)
    finally:
        os.umask(old)
    assert path.resolve().stat().st_mode & 0o777 == 0o644  # as readable as the umask says: a shared cache works
    assert path == _snapshot(home, "tiny-1.0.stance") == stance.hub.local_path("tiny")
    assert path.read_bytes() == GOOD
    assert stance.hub.is_cached("tiny") and stance.hub.cache_state("tiny") == "yes"
    assert server.gets() == [f"/{REPO}/resolve/{REV}/tiny-1.0.stance"]  # the pinned revision
    # the Hub's cache layout: a blob named by its hash, a snapshot link; nothing partial left
    names = _files(home / "models")
    assert [n for n in names if "/blobs/" in n] == [f"models--{REPO.replace('/', '--')}/blobs/{_sha(GOOD)}"]
    assert not [n for n in names if n.endswith(".incomplete")]


@pytest.mark.network
def test_cache_hit_makes_no_request(home: Path, server: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    first = stance.hub.fetch("tiny", progress=False)
    n = len(server.requests)
    assert stance.hub.fetch("tiny") == first
    # offline mode (either variable) is happy with a verified cached copy
    for var in ("STANCE_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(var, "1")
        assert stance.hub.fetch("tiny") == first
        monkeypatch.delenv(var)
    assert stance.hub.fetch("tiny", offline=True) == first
    assert len(server.requests) == n


@pytest.mark.network
def test_corrupted_cache_is_named_offline_and_fetched_again_online(home: Path, server: FakeHub) -> None:
    path = stance.hub.fetch("tiny", progress=False)
    blob = path.resolve()
    blob.write_bytes(GOOD[:-10])  # a truncated copy from some earlier accident
    assert stance.hub.cache_state("tiny") == "corrupt" and not stance.hub.is_cached("tiny")
    with pytest.raises(stance.errors.ChecksumError) as info:
        stance.hub.fetch("tiny", offline=True)
    msg = str(info.value)
    assert "cached copy of model 'tiny'" in msg and "corrupt" in msg and "stance download tiny --force" in msg
    assert "\n" not in msg and blob.read_bytes() == GOOD[:-10]  # offline: named, left for the user to see
    assert stance.hub.fetch("tiny", progress=False).read_bytes() == GOOD  # online: fetched again
    assert len(server.gets()) == 2 and stance.hub.cache_state("tiny") == "yes"


@pytest.mark.network
def test_checksum_mismatch_deletes_file_and_raises(home: Path, server: FakeHub) -> None:
    with pytest.raises(stance.errors.ChecksumError) as info:
        stance.hub.fetch("corrupt", progress=False)
    err = info.value
    assert err.expected == _sha(GOOD) and err.actual == _sha(OTHER)
    msg = str(err)
    assert err.expected in msg and err.actual in msg and "corrupt-1.0.stance" in msg and "\n" not in msg
    assert "deleted" in msg
    assert _files(home / "models") == []
    assert stance.hub.cache_state("corrupt") == "no"


@pytest.mark.network
def test_missing_file_revision_and_repository_are_named(home: Path, server: FakeHub,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(stance.errors.DownloadError) as info:
        stance.hub.fetch("missing", progress=False)
    assert info.value.url == stance.hub.entry("missing").url and info.value.url in str(info.value)
    assert "missing-1.0.stance is not in" in str(info.value)
    for key, value, words in (("revision", "v9", "revision v9 is not in"),
                              ("repo_id", "someone/else", "HF_ENDPOINT")):
        _use_manifest(home.parent, monkeypatch, {**_manifest(), key: value})
        with pytest.raises(stance.errors.DownloadError, match=re.escape(words)) as info:
            stance.hub.fetch("tiny", progress=False)
        assert "\n" not in str(info.value)
    assert _files(home / "models") == []


@pytest.mark.network
def test_dropped_connection_leaves_no_complete_looking_file(home: Path, server: FakeHub,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(stance.errors.DownloadError) as info:
        stance.hub.fetch("dropped", progress=False)
    assert not isinstance(info.value, stance.errors.ChecksumError)
    assert stance.hub.entry("dropped").url in str(info.value) and "\n" not in str(info.value)
    assert "before the whole file arrived" in str(info.value) or "dropped" in str(info.value)
    assert not [n for n in _files(home / "models") if "/snapshots/" in n or "/blobs/" in n and
                not n.endswith(".incomplete")]
    assert stance.hub.cache_state("dropped") == "no"
    assert capsys.readouterr().err == ""  # huggingface_hub's retry messages are held back


@pytest.mark.network
def test_connection_refused_raises_download_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(stance.errors.DownloadError, match=f"127.0.0.1:{port}/{REPO}/resolve/{REV}/tiny-1.0.stance"):
        stance.hub.fetch("tiny", progress=False)
    assert _files(home / "models") == []


def test_a_local_directory_of_release_files(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "release"
    d.mkdir()
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # never used
    monkeypatch.setenv("STANCE_MODELS_DIR", str(d))
    with pytest.raises(stance.errors.OfflineError, match="tiny-1.0.stance does not exist"):
        stance.hub.fetch("tiny")
    (d / "tiny-1.0.stance").write_bytes(GOOD)
    assert stance.hub.fetch("tiny") == d / "tiny-1.0.stance" and stance.hub.cache_state("tiny") == "yes"
    (d / "corrupt-1.0.stance").write_bytes(OTHER)
    with pytest.raises(stance.errors.ChecksumError, match="left as it is"):
        stance.hub.fetch("corrupt")
    assert (d / "corrupt-1.0.stance").read_bytes() == OTHER  # the user's file is never deleted
    assert not (home / "models").exists()


@pytest.mark.network
def test_progress_bar_goes_to_stderr(home: Path, server: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    stance.hub.fetch("tiny", progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "tiny 1.0" in err
    assert stance.hub.is_cached("tiny")


# --------------------------------------------------------------------------- CLI
@pytest.mark.network
def test_cli_models_and_download(home: Path, server: FakeHub, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli("models") == 0
    out = capsys.readouterr().out
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.strip()}
    assert lines["tiny"].split()[:2] == ["tiny", "1.0"]
    assert "0.812 [0.750, 0.870]" in lines["tiny"]
    assert " no " in lines["tiny"] and "unpublished" in lines["unpublished"]
    assert f"{server.url}/{REPO} at revision {REV}" in out and "not on the Hub yet" in out

    assert _cli("download", "tiny") == 0
    out = capsys.readouterr().out
    assert "downloaded tiny 1.0" in out and str(_snapshot(home, "tiny-1.0.stance")) in out
    assert _snapshot(home, "tiny-1.0.stance").read_bytes() == GOOD
    assert len(server.gets()) == 1

    assert _cli("download", "tiny") == 0  # already cached: no request
    assert "already here" in capsys.readouterr().out
    assert len(server.gets()) == 1
    assert _cli("download", "tiny", "--force") == 0
    capsys.readouterr()
    assert len(server.gets()) == 2

    _snapshot(home, "tiny-1.0.stance").resolve().write_bytes(b"damaged")
    assert _cli("models", "--json") == 0
    data = {d["name"]: d for d in json.loads(capsys.readouterr().out)}
    assert data["tiny"]["cache_state"] == "corrupt" and data["tiny"]["cached"] is False
    assert data["corrupt"]["cache_state"] == "no"
    assert data["tiny"]["sha256"] == _sha(GOOD) and data["tiny"]["size"] == len(GOOD)
    assert data["tiny"]["metrics"]["macro_f1"] == pytest.approx(0.8123)
    assert _cli("models") == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("tiny "))
    assert "corrupt (sha256 mismatch: stance download NAME --force)" in line


@pytest.mark.network
def test_cli_download_errors(home: Path, server: FakeHub, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    for argv, words in ((("download", "tinyy"), "Did you mean 'tiny'"), (("download", "corrupt"), "checksum mismatch"),
                        (("download", "missing"), "404")):
        assert _cli(*argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("stance: error: ") and words in err and err.count("\n") == 1, err
    monkeypatch.setenv("STANCE_OFFLINE", "1")
    assert _cli("download", "tiny") == 2
    assert "STANCE_OFFLINE" in capsys.readouterr().err
    assert _files(home / "models") == []


# --------------------------------------------------------------------------- not uploaded, deadlines, cache states
def test_a_release_not_uploaded_is_not_downloaded_without_a_mirror(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was touched")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert stance.hub.cache_status("tiny") == ("not uploaded yet", "")  # nothing to download it from
    for call in (lambda: stance.load("tiny"), lambda: stance.hub.fetch("tiny", offline=True)):
        with pytest.raises(stance.errors.NotUploadedError) as info:
            call()
        msg = str(info.value)
        assert "'tiny'" in msg and "not uploaded" in msg and "\n" not in msg
        for words in ("STANCE_MODELS_DIR=DIR", "python scripts/release_models.py --out DIR", "HF_ENDPOINT=URL",
                      "HF_HUB_OFFLINE=1"):
            assert words in msg, msg
    assert _files(home / "models") == []


def test_the_download_deadline_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STANCE_DOWNLOAD_TIMEOUT", raising=False)
    assert stance.hub.download_timeout() == 60
    monkeypatch.setenv("STANCE_DOWNLOAD_TIMEOUT", "2.5")
    assert stance.hub.download_timeout() == 2.5
    for bad in ("0", "-1", "soon", "inf", "nan"):
        monkeypatch.setenv("STANCE_DOWNLOAD_TIMEOUT", bad)
        with pytest.raises(stance.errors.RegistryError, match="STANCE_DOWNLOAD_TIMEOUT must be a number of seconds"):
            stance.hub.download_timeout()


@pytest.mark.parametrize("uploaded", [False, True])
def test_a_local_rebuild_is_never_called_corrupt_before_an_upload(home: Path, tmp_path: Path, uploaded: bool,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "release"
    d.mkdir()
    (d / "tiny-1.0.stance").write_bytes(OTHER)  # rebuilt here: other bytes than the manifest pins
    monkeypatch.setenv("STANCE_MODELS_DIR", str(d))
    _use_manifest(tmp_path, monkeypatch, {**_manifest(), "uploaded": uploaded})
    assert _cli("models") == 0
    lines = {ln.split()[0]: ln for ln in capsys.readouterr().out.splitlines() if ln.strip()}
    assert "not uploaded yet" in lines["unpublished"] and "corrupt" not in lines["unpublished"]
    assert "--force" not in lines["tiny"]  # stance download cannot replace a file in STANCE_MODELS_DIR
    if uploaded:
        assert "corrupt (sha256 mismatch: not the published file" in lines["tiny"]
    else:
        assert "not uploaded yet (the STANCE_MODELS_DIR file is not the release" in lines["tiny"]
        assert "corrupt" not in lines["tiny"]
        with pytest.raises(stance.errors.ChecksumError, match="the release is not uploaded yet") as info:
            stance.hub.fetch("tiny")
        assert "\n" not in str(info.value) and (d / "tiny-1.0.stance").read_bytes() == OTHER
    assert _cli("models", "--json") == 0
    data = {x["name"]: x for x in json.loads(capsys.readouterr().out) if x["kind"] == "published"}
    assert data["tiny"]["cache_state"] == ("corrupt" if uploaded else "not uploaded yet")
    assert data["unpublished"]["cache_state"] == "not uploaded yet" and data["tiny"]["cache_advice"]


@pytest.mark.network
def test_a_corrupt_download_suggests_force_only_where_it_can_work(home: Path, server: FakeHub,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    stance.hub.fetch("tiny", progress=False).resolve().write_bytes(b"damaged")
    assert stance.hub.cache_status("tiny") == ("corrupt", "sha256 mismatch: stance download NAME --force")
    monkeypatch.delenv("HF_ENDPOINT")  # the mirror it came from is no longer named, and nothing is uploaded
    state, advice = stance.hub.cache_status("tiny")
    assert state == "corrupt" and "set HF_ENDPOINT to its mirror" in advice
    with pytest.raises(stance.errors.ChecksumError) as info:
        stance.hub.fetch("tiny")
    assert "set HF_ENDPOINT to the mirror it came from" in str(info.value) and "\n" not in str(info.value)
    _use_manifest(home.parent, monkeypatch, {**_manifest(), "uploaded": True})
    assert stance.hub.cache_status("tiny") == ("corrupt", "sha256 mismatch: stance download NAME --force")
