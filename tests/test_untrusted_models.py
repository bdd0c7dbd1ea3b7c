"""Model files from strangers are untrusted data: anyone can recompute the per-part sha256, so the
hashes prove integrity, not origin. Each crafted file below is refused in one line naming the file and
what is wrong, before anything is scored; the regex and bomb cases in a real ``stance label`` process,
with a timeout so that a hang fails the test, not the suite."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest
from conftest import SENTENCES, trained
from test_cli import _script

import stance
from stance.errors import ArtifactError
from stance.model import DEFAULT_PATH, TOKENIZERS, ModelData, check_spec, read, to_bytes

CATASTROPHIC = "(a+)+$"  # exponential backtracking on "aaa...ab"
SLOW_LINE = "a" * 60 + "b\n"


@pytest.fixture(scope="module")
def tfidf(trained_tfidf) -> ModelData:
    """The data of a real tf-idf model (the session's, trained on the corpus alone)."""
    return trained_tfidf.model.to_data()


def _crafted(tmp_path, data: ModelData, change, name="m.stance"):
    """A model file written from ``data`` after ``change(spec)``: parts and sha256 made afresh, as a forger would."""
    spec = copy.deepcopy(data.scoring)
    change(spec)
    path = tmp_path / name
    path.write_bytes(to_bytes(ModelData(card=data.card, scoring=spec, estimator=None)))
    return path


def _refused(path, *words):
    with pytest.raises(ArtifactError) as info:
        stance.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message, message
    for w in words:
        assert w in message, message
    return message


def _set(where, key, value):
    def change(spec):
        target = spec if where is None else spec["blocks"][where]
        target[key] = value(target[key]) if callable(value) else value
    return change


def _poke(key, index, value, block=None):
    """Set one entry of an array of the spec (of a block's, with ``block``)."""
    def change(spec):
        target = spec if block is None else spec["blocks"][block]
        arr = target[key].copy()
        arr.flat[index] = value
        target[key] = arr
    return change


def _foreign_pattern(spec):
    block = spec["blocks"][0]
    del block["tokenizer"]
    block["token_pattern"] = CATASTROPHIC


def _two_terms_one_column(spec):
    vocab = spec["blocks"][0]["vocabulary"]
    first, second = list(vocab)[:2]
    vocab[second] = vocab[first]


@pytest.mark.parametrize("change, words", [
    (_poke("coef", 5, np.nan), ["coefficients that are not all finite (NaN or infinity)"]),
    (_poke("coef", 7, 1e300), ["coefficients outside -1e+06 to 1e+06"]),
    (_poke("intercept", 1, -np.inf), ["intercepts that are not all finite"]),
    (_poke("idf", 3, np.inf, block=0), ["block 'tfidf' idf weights that are not all finite"]),
    (_poke("idf", 0, 0.0, block=0), ["idf weights outside"]),
    (_set(None, "coef", lambda c: c[:, 1:]), ["coefficients of shape"]),
    (_set(None, "coef", lambda c: c.astype(np.int64)), ["coefficients that are not an array of floats"]),
    (_set(None, "intercept", lambda c: c[:2]), ["intercepts of shape (2,)"]),
    (_set(0, "idf", lambda c: c[:-1]), ["idf weights of shape"]),
    (_set(0, "size", lambda s: s + 1), ["vocabulary that does not fit its size"]),
    (_two_terms_one_column, ["two vocabulary terms in one column"]),
    (_set(0, "vocabulary", lambda v: {**v, "a  b": 0}), ["vocabulary that does not fit its size"]),
    (_set(0, "ngram_range", [1, 10**9]), ["bad n-gram range"]),
    (_set(None, "classes", ["claim", "opinion", "quote"]), ["class 'opinion' is not one of stance's labels"]),
    (_set(None, "classes", ["claim", "claim", "quote"]), ["a class is listed twice"]),
    (_set(None, "classes", ["Claim", "loaded", "quote"]), ["class 'Claim'"]),
    (_foreign_pattern, ["token pattern stance does not define (sklearn-default)", "never run"]),
    (_set(0, "tokenizer", "whitespace"), ["tokenizer or token pattern stance does not define"]),
    (_set(0, "preprocessor", "eval"), ["preprocessor stance does not define"]),
    (_set(0, "preprocessor", ["lower"]), ["preprocessor stance does not define"]),
])
def test_a_crafted_linear_model_is_refused_in_one_line(tmp_path, tfidf, change, words):
    _refused(_crafted(tmp_path, tfidf, change), "a model stance will not score", *words)


@pytest.mark.parametrize("name, change, words", [
    ("majority", _poke("prior", 0, np.nan), ["prior probabilities that are not all finite"]),
    ("majority", _poke("prior", 0, -0.25), ["prior probabilities outside 0 to 1"]),
    ("majority", _set(None, "prior", lambda p: p / 2), ["sum to 0.5, not 1"]),
    ("majority", _set(None, "classes", lambda c: c[:2]), ["prior probabilities of shape (3,) where the spec says"]),
    ("rules", _set(None, "smoothing", 2.0), ["a smoothing between 0 and 1"]),
    ("rules", _set(None, "classes", ["claim", "loaded", "quote"]), ["rules for classes other than claim, quote"]),
])
def test_crafted_prior_and_rules_models_are_refused(tmp_path, name, change, words):
    data = trained(name).to_data()
    _refused(_crafted(tmp_path, data, change), *words)


def test_nan_and_infinity_in_model_json_are_refused(tmp_path, trained_rules):
    path = trained_rules.model.save(tmp_path / "m.stance")
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["model.json"] = members["model.json"].replace(b'"smoothing": 0.', b'"smoothing": NaN, "x": 0.')
    assert b"NaN" in members["model.json"]
    path.write_bytes(_zip([(n, b) for n, b in members.items()]))
    _refused(path, "model.json is not valid JSON (NaN is not a JSON number)")


@pytest.mark.parametrize("change, words", [
    ({"classes": ["claim", "neutral"]}, ["class 'neutral'"]),
    ({"max_length": 10**6}, ["maximum length of 8 to 512"]),
    ({"max_length": True}, ["maximum length of 8 to 512"]),
    ({"onnx": b""}, ["without its network"]),
    ({"tokenizer": "{}"}, ["without its tokenizer"]),
    ({"tokenizer": b"\xff\xfe"}, ["tokenizer is not UTF-8"]),
])
def test_a_crafted_encoder_model_is_refused_before_onnxruntime(tmp_path, change, words):
    spec = {"kind": "encoder", "classes": ["claim", "loaded", "quote"], "onnx": b"not run", "tokenizer": b"{}",
            "max_length": 128, **change}
    path = tmp_path / "enc.stance"
    path.write_bytes(to_bytes(ModelData(card={"model": "accurate"}, scoring=spec)))
    _refused(path, *words)
    valid = {**spec, "classes": ["quote", "claim"], "max_length": 64, "onnx": b"x", "tokenizer": b"{}"}
    assert check_spec(valid) is None  # a subset of the labels, in any order


# --------------------------------------------------------------------------- tokenizers by name
def test_the_shipped_default_names_its_tokenizer(default):
    block = read(DEFAULT_PATH).scoring["blocks"][0]
    assert block["tokenizer"] == "sklearn-default" and "token_pattern" not in block
    assert TOKENIZERS["sklearn-default"] == r"(?u)\b\w\w+\b"
    assert default.predict(["Cuba sent 300 doctors to Italy."]).tolist() == ["claim"]


def test_models_name_their_tokenizer_and_old_files_score_the_same(tmp_path, tfidf):
    block = tfidf.scoring["blocks"][0]
    assert block["tokenizer"] == "sklearn-default" and "token_pattern" not in block
    new = stance.load(_crafted(tmp_path, tfidf, lambda s: None, "new.stance"))

    def as_old(spec):
        del spec["blocks"][0]["tokenizer"]
        spec["blocks"][0]["token_pattern"] = r"(?u)\b\w\w+\b"

    old = stance.load(_crafted(tmp_path, tfidf, as_old, "old.stance"))
    assert np.array_equal(old.predict_proba(SENTENCES), new.predict_proba(SENTENCES))
    both = _crafted(tmp_path, tfidf, lambda s: s["blocks"][0].update(token_pattern=r"\w+"), "both.stance")
    _refused(both, "token pattern stance does not define")


def test_an_estimator_with_another_token_pattern_is_not_compiled():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from stance.recipes import compile_estimator
    from stance.training import read_data

    data = read_data()
    texts, labels = data.texts[:300], data.labels[:300]
    est = Pipeline([("words", TfidfVectorizer(token_pattern=r"\S+")), ("clf", LogisticRegression(max_iter=200))])
    est.fit(texts, labels)
    assert compile_estimator(est) is None  # it keeps its pickled estimator; no pattern goes into the file
    est.set_params(words__token_pattern=r"(?u)\b\w\w+\b").fit(texts, labels)
    assert compile_estimator(est)["blocks"][0]["tokenizer"] == "sklearn-default"


# --------------------------------------------------------------------------- zip parts
def _zip(members) -> bytes:
    """A zip written by hand: ``members`` are ``(name, data)`` (deflated honestly) or
    ``(name, stored_bytes, method, crc, declared_size)``, whatever the stored bytes inflate to."""
    out, central = io.BytesIO(), io.BytesIO()
    for member in members:
        if len(member) == 2:
            c = zlib.compressobj(6, zlib.DEFLATED, -15)
            member = (member[0], c.compress(member[1]) + c.flush(), 8, zlib.crc32(member[1]), len(member[1]))
        name, data, method, crc, size = member
        n, offset = name.encode(), out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(n), 0))
        out.write(n + data)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                                  len(n), 0, 0, 0, 0, 0, offset) + n)
    start, cd = out.tell(), central.getvalue()
    out.write(cd + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(cd), start, 0))
    return out.getvalue()


def _zeros_deflated(mib: int) -> bytes:
    """A raw deflate stream of ``mib`` MiB of zeros, about 1 KB a MiB (blocks that reset history repeat)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    one = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return one * mib + c.flush()


@pytest.fixture(scope="module")
def rules_members(trained_rules) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(to_bytes(trained_rules.model.to_data()))) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _with_part(tmp_path, members, name, listed: bytes, member) -> os.PathLike:
    """The model file of ``members`` plus part ``name``, listed with the sha256 of ``listed``, stored as ``member``."""
    doc = json.loads(members["model.json"])
    doc["parts"][name] = "sha256:" + hashlib.sha256(listed).hexdigest()
    rest = [(n, b) for n, b in members.items() if n != "model.json"]
    path = tmp_path / "m.stance"
    path.write_bytes(_zip([("model.json", json.dumps(doc).encode()), *rest, member]))
    return path


def _label(path, tmp_path, *, measured: bool = False) -> tuple[str, int]:
    """``stance label --model PATH`` in a real process: its one-line error; with ``measured``, run through
    the same entry point with the peak resident memory (KiB) recorded."""
    (tmp_path / "a.txt").write_text("Cuba sent 27 doctors to Peru.\n" + SLOW_LINE)
    args = ["label", "--model", str(path), str(tmp_path / "a.txt")]
    peak = tmp_path / "peak"
    argv = [_script("stance"), *args]
    if measured:
        # VmHWM, not ru_maxrss: that one keeps the high-water mark of the (large) test process it was forked from
        code = ("import re, sys\nfrom stance.cli import main\ntry:\n    sys.exit(main(sys.argv[2:]))\nfinally:\n"
                "    status = open('/proc/self/status').read()\n"
                "    open(sys.argv[1], 'w').write(re.search(r'VmHWM:\\s*(\\d+) kB', status).group(1))")
        argv = [sys.executable, "-c", code, str(peak), *args]
    env = dict(os.environ, STANCE_HOME=str(tmp_path / "home"))
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert r.returncode == 2, (r.returncode, r.stdout[:300], r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr and str(path) in lines[0], r.stderr[-2000:]
    return lines[0], int(peak.read_text()) if measured else 0


def test_a_catastrophic_token_pattern_is_refused_not_run(tmp_path, tfidf):
    line, _ = _label(_crafted(tmp_path, tfidf, _foreign_pattern), tmp_path)
    assert "token pattern stance does not define" in line


def test_a_part_that_declares_more_than_the_cap_is_not_inflated(tmp_path, rules_members):
    bomb = _zeros_deflated(2048)  # 2 MB inflating to 2 GiB, declared honestly
    member = ("blobs/bomb", bomb, 8, 0, 2 << 30)
    line, _ = _label(_with_part(tmp_path, rules_members, "blobs/bomb", b"", member), tmp_path)
    assert "part blobs/bomb declares 2147483648 bytes, more than a stance model file may hold" in line


def test_a_part_whose_header_lies_small_is_not_inflated(tmp_path, rules_members):
    small = bytes(16)  # its header says 16 bytes (with their CRC and sha256); its stream inflates to 1 GiB
    member = ("blobs/x", _zeros_deflated(1024), 8, zlib.crc32(small), len(small))
    path = _with_part(tmp_path, rules_members, "blobs/x", small, member)
    if not os.path.exists("/proc/self/status"):
        pytest.skip("the peak memory of a process is read from /proc (Linux)")
    line, peak_kib = _label(path, tmp_path, measured=True)
    assert "part blobs/x holds 10" in line and "compressed bytes for the 16 it declares" in line
    assert peak_kib < 400 << 10  # MiB: inflating the part whole took over 2 GiB


@pytest.mark.parametrize("declared, stream, words", [
    (600 << 20, b"", "declares 629145600 bytes, more than a stance model file may hold"),  # lies big
    (1000, bytes(16), "holds 16 bytes where it declares 1000"),  # lies big, under the cap
    (16, bytes(1 << 20), "damaged"),  # lies small, within deflate's bound: zipfile stops at 16, the CRC fails
])
def test_a_part_whose_header_lies_is_refused(tmp_path, rules_members, declared, stream, words):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    member = ("blobs/x", c.compress(stream) + c.flush(), 8, zlib.crc32(stream), declared)
    _refused(_with_part(tmp_path, rules_members, "blobs/x", stream, member), words)


def test_a_part_compressed_otherwise_than_deflate_is_not_read(tmp_path, rules_members):
    data = bytes(1 << 20)
    member = ("blobs/x", __import__("lzma").compress(data), zipfile.ZIP_LZMA, zlib.crc32(data), len(data))
    _refused(_with_part(tmp_path, rules_members, "blobs/x", data, member), "compressed with method 14")


def test_an_array_header_that_lies_is_refused_before_allocation(tmp_path, tfidf):
    path = _crafted(tmp_path, tfidf, lambda spec: None)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    npy = members["arrays/intercept.npy"]
    end = npy.index(b"\n")  # the header, padded with spaces: claim 10**13 floats (80 TB) over the same 24 bytes
    forged = npy[:end].replace(b"(3,), }", b"(9999999999999,), }")[:end] + npy[end:]
    assert len(forged) == len(npy) and forged != npy
    members["arrays/intercept.npy"] = forged
    doc = json.loads(members["model.json"])
    doc["parts"]["arrays/intercept.npy"] = "sha256:" + hashlib.sha256(forged).hexdigest()
    members["model.json"] = json.dumps(doc).encode()
    path.write_bytes(_zip(list(members.items())))
    _refused(path, "array arrays/intercept.npy cannot be read as data (its header says shape (9999999999999,)")
