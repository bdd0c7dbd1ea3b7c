"""Downloads that cannot work, each in a real process: a release not uploaded yet (no network touched),
a server that never answers, a body that stalls or trickles, HTTP errors, a refused connection.

Each ends in one line on stderr and exit 2 within its deadline (``STANCE_DOWNLOAD_TIMEOUT``, set small
here; the test only checks that the process returned), and leaves nothing in the cache that looks like
a model. The Hub is :class:`hub_server.FakeHub` on 127.0.0.1 (the ``world`` of ``test_faults``).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from test_cli import _script
from test_faults import _blobs, _one_line_error, _run, _snapshots, small_model, world  # noqa: F401 - fixtures

import stance.hub

NO_NETWORK = """
import os, socket
def refuse(*args, **kwargs):
    with open(os.environ["NETWORK_TOUCHED"], "a") as f:
        f.write("touched\\n")
    raise OSError("the network was touched")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
"""
# the ways to a model that every "nothing to download from" line names
WAYS = ("STANCE_MODELS_DIR", "python scripts/release_models.py --out DIR", "HF_HUB_OFFLINE=1")


def _without_network(env: dict, tmp: Path) -> dict:
    """``env`` for a process in which any connection or name lookup is recorded and refused."""
    site = tmp / "no-network"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(NO_NETWORK)
    return dict(env, PYTHONPATH=str(site), NETWORK_TOUCHED=str(tmp / "network-touched"))


def _nothing_kept(env: dict) -> None:
    home = Path(env["STANCE_HOME"])
    assert _snapshots(home) == [] and _blobs(home) == []


# --------------------------------------------------------------------------- not uploaded yet
@pytest.mark.parametrize("argv", [["download", "small"], ["label", "a.txt", "--model", "small", "--format", "csv"]])
def test_a_release_not_uploaded_fails_at_once_without_the_network(world, argv):
    hub, env, tmp = world  # the manifest does not say uploaded
    env = _without_network({k: v for k, v in env.items() if k != "HF_ENDPOINT"}, tmp)
    r = _run([_script("stance"), *argv], env, tmp)
    line = _one_line_error(r, "cannot download model 'small'", "not uploaded", "HF_ENDPOINT", *WAYS)
    assert "connection" not in line
    assert not (tmp / "network-touched").exists() and hub.requests == []
    _nothing_kept(env)


def test_the_shipped_release_not_uploaded_names_the_ways(tmp_path):
    if stance.hub.default_registry().uploaded:
        pytest.skip("the shipped release is uploaded")
    unset = ("HF_ENDPOINT", "STANCE_MANIFEST", "STANCE_MODELS_DIR", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
             "STANCE_OFFLINE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env = _without_network(dict(env, STANCE_HOME=str(tmp_path / "home")), tmp_path)
    (tmp_path / "a.txt").write_text("Cuba sent 27 doctors to Peru.\n")
    for argv in (["download", "hybrid"], ["label", "--model", "tfidf-lr", "a.txt"]):
        _one_line_error(_run([_script("stance"), *argv], env, tmp_path), "not uploaded", "HF_ENDPOINT", *WAYS)
    assert not (tmp_path / "network-touched").exists()


@pytest.mark.network
def test_a_release_not_uploaded_is_fetched_from_a_mirror(world):
    hub, env, tmp = world
    r = _run([_script("stance"), "download", "small"], env, tmp)
    assert r.returncode == 0, r.stderr
    assert hub.gets() == ["/test-org/stance-models/resolve/v1.0/small.stance"]


# --------------------------------------------------------------------------- one deadline
@pytest.mark.network
@pytest.mark.parametrize("mode, words", [
    ("hang", ("no answer from 127.0.0.1", "within 1 s (STANCE_DOWNLOAD_TIMEOUT)", *WAYS)),
    ("stall", ("the transfer stalled: 0 of 400000 bytes arrived", "in 1 s", "nothing was kept")),
    ("trickle", ("the transfer stalled", "bytes arrived, then fewer than 16384 bytes in 1 s", "nothing was kept")),
])
def test_a_download_that_makes_no_progress_ends_at_its_deadline(world, mode, words):
    hub, env, tmp = world
    hub.behaviour["big.bin"] = mode
    env = dict(env, STANCE_DOWNLOAD_TIMEOUT="1")
    line = _one_line_error(_run([_script("stance"), "download", "big"], env, tmp), "cannot download model 'big'",
                           *words)
    assert hub.url in line
    assert len(hub.requests) <= 2  # one HEAD, at most one GET: no retry
    _nothing_kept(env)
    if mode == "trickle":
        assert " 0 of " not in line  # some bytes came, too few to count as progress


# --------------------------------------------------------------------------- HTTP status, refused
@pytest.mark.network
@pytest.mark.parametrize("status, words", [
    ("404", "not found (no such file, revision or repository there)"),
    ("401", "no public repository test-org/stance-models there"),
    ("403", "access to test-org/stance-models is forbidden"),
    ("500", "the server failed (internal server error)"),
    ("502", "bad gateway"),
    ("503", "the service is unavailable"),
])
def test_each_http_status_is_named_with_its_code(world, status, words):
    hub, env, tmp = world
    hub.behaviour["big.bin"] = status
    line = _one_line_error(_run([_script("stance"), "download", "big"], env, tmp), f"HTTP {status}: {words}")
    assert "connection" not in line and len(hub.requests) == 1  # no retry
    _nothing_kept(env)


@pytest.mark.network
def test_a_refused_connection_names_the_ways_without_network(world):
    hub, env, tmp = world
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    env = dict(env, HF_ENDPOINT=f"http://127.0.0.1:{port}")
    for argv in (["download", "big"], ["label", "a.txt", "--model", "small"]):
        _one_line_error(_run([_script("stance"), *argv], env, tmp), f"the connection to 127.0.0.1:{port} was refused",
                        *WAYS)
    _nothing_kept(env)
