"""scripts/release_models.py: a release rebuilt from a checkout is the bytes the shipped manifest pins,
for every model it pins, usable from a local folder; the upload refuses files the manifest does not pin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import stance
import stance.hub

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "release_models.py"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """``rules`` built by the release script into a folder, against a copy of the shipped manifest."""
    if not SCRIPT.is_file():
        pytest.skip("scripts/ is not in this installation (run from a checkout)")
    d = tmp_path_factory.mktemp("release")
    manifest = d / "stance.hub.json"
    manifest.write_bytes(stance.hub.MANIFEST.read_bytes())
    out = d / "out"
    r = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), "--models", "rules", "--manifest", str(manifest),
                        "--write-manifest"], capture_output=True, text=True, timeout=600, check=False,
                       env=dict(os.environ, STANCE_HOME=str(d / "home")))
    assert r.returncode == 0, r.stderr
    return out, manifest, json.loads(r.stdout)


PINNED = [m["name"] for m in json.loads(stance.hub.MANIFEST.read_text())["models"]]


def _external() -> Path | None:
    path = Path(os.environ.get("STANCE_EXTERNAL") or ROOT.parent / "shared" / "external")
    return path if (path / "babe").is_dir() else None


@pytest.fixture(scope="module")
def release_all(tmp_path_factory):
    """Every pinned model built by the release script in one run (``wide`` needs the outside data)."""
    if not SCRIPT.is_file():
        pytest.skip("scripts/ is not in this installation (run from a checkout)")
    names = [n for n in PINNED if n != "wide" or _external() is not None]
    d = tmp_path_factory.mktemp("release-all")
    r = subprocess.run([sys.executable, str(SCRIPT), "--out", str(d), "--models", *names], capture_output=True,
                       text=True, timeout=3600, check=False, env=dict(os.environ, STANCE_HOME=str(d / "home")))
    assert r.returncode == 0, r.stderr[-3000:]
    return d, {e["name"]: e for e in json.loads(r.stdout)}


@pytest.mark.slow
@pytest.mark.parametrize("name", PINNED)
def test_every_pinned_model_rebuilds_byte_for_byte(release_all, name):
    out, built = release_all
    if name not in built:
        pytest.skip(f"{name} needs the outside data (../shared/external), absent here")
    pinned = {e["name"]: e for e in json.loads(stance.hub.MANIFEST.read_text())["models"]}[name]
    assert built[name]["filename"] == pinned["filename"]
    assert stance.hub.sha256sum(out / pinned["filename"]) == built[name]["sha256"] == pinned["sha256"], (
        f"{name}: the release script no longer rebuilds the file the manifest pins; rebuild the release "
        "(python scripts/release_models.py --out release --write-manifest) and commit the manifest")
    assert built[name]["size"] == pinned["size"]


def test_the_release_script_rebuilds_the_bytes_the_manifest_pins(release):
    out, manifest, built = release
    shipped = {e["name"]: e for e in json.loads(stance.hub.MANIFEST.read_text())["models"]}
    (entry,) = built
    assert entry["filename"] == shipped["rules"]["filename"] and (out / entry["filename"]).is_file()
    assert stance.hub.sha256sum(out / entry["filename"]) == entry["sha256"] == shipped["rules"]["sha256"]
    assert entry["size"] == shipped["rules"]["size"]
    merged = json.loads(manifest.read_text())
    assert merged["format"] == 2 and merged["repo_id"] == json.loads(stance.hub.MANIFEST.read_text())["repo_id"]
    assert {m["name"] for m in merged["models"]} == set(shipped)  # the other entries are kept
    card = (out / "README.md").read_text()
    assert card.startswith("---\nlicense:") and entry["sha256"] in card and "library_name: stance" in card


def test_a_local_folder_of_release_files_is_used_in_place(release, monkeypatch):
    out, _, _ = release
    monkeypatch.setenv("STANCE_MODELS_DIR", str(out))
    monkeypatch.delenv("STANCE_MANIFEST", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # never contacted
    assert stance.hub.fetch("rules") == out / "rules-0.1.0.stance"
    model = stance.load("rules")
    assert model.card["model"] == "rules"
    doc = model.label_text('"We are proud of our doctors," the minister said.')
    assert [s.label for s in doc.sentences] == ["quote"]


def test_upload_refuses_files_the_manifest_does_not_pin(release, tmp_path):
    out, manifest, _ = release
    changed = tmp_path / "out"
    changed.mkdir()
    for f in out.iterdir():
        (changed / f.name).write_bytes(f.read_bytes())
    (changed / "rules-0.1.0.stance").write_bytes(b"PK not the release")
    only_rules = json.loads(manifest.read_text())
    only_rules["models"] = [m for m in only_rules["models"] if m["name"] == "rules"]
    (tmp_path / "stance.hub.json").write_text(json.dumps(only_rules))
    r = subprocess.run([sys.executable, str(SCRIPT), "--out", str(changed), "--upload", "--no-build", "--manifest",
                        str(tmp_path / "stance.hub.json")], capture_output=True, text=True, timeout=120, check=False,
                       env=dict(os.environ, HF_ENDPOINT="http://127.0.0.1:9", HF_TOKEN="unused"))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "not the file the manifest pins" in r.stderr and "rules-0.1.0.stance" in r.stderr
    assert json.loads((tmp_path / "stance.hub.json").read_text()) == only_rules  # nothing pinned
