"""The ``accurate`` model end to end, on a TINY encoder built here (a two-layer BERT of width 32 over a
WordPiece vocabulary trained on the sentences below), so that fine-tuning, ONNX export and int8
quantisation take seconds: what ``stance.train("accurate", base=...)`` writes is data (ONNX and a
tokenizer, no torch pickle), the same seed gives the same bytes, int8 agrees with fp32 and fp32 with
torch, and the label path runs with torch and transformers blocked. The bad-file and missing-extra
cases need no torch: they run wherever stance is installed.

Training needs the train extra (torch, transformers); labelling needs the onnx extra (onnxruntime,
tokenizers). Tests that need what is not installed skip with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import SENTENCES
from test_cli import _script

import stance
from stance import LABELS, recipes
from stance.errors import ArtifactError, MissingExtraError
from stance.hub import SHIPPED
from stance.model import ModelData, read, to_bytes

# Ten sentences of each label, in the codebook's sense.
TRAIN = [
    *({"text": t, "label": "claim"} for t in [
        "Cuba sent 27 doctors to Peru in May.",
        "Doctors arrived in Lima on Monday.",
        "The ministry published its budget on Friday.",
        "The hospital treated 400 patients last year.",
        "Parliament passed the law by 120 votes to 80.",
        "The brigade returned to Havana in June.",
        "Prices rose by three percent in April.",
        "The clinic opened a second ward in 2019.",
        "Nurses worked twelve hour shifts in the north.",
        "The programme started in 1963 in Algeria.",
    ]),
    *({"text": t, "label": "quote"} for t in [
        '"We are proud of our doctors," the minister said.',
        "According to the ministry, 400 nurses arrived.",
        '"The mission saved lives," a spokesman told reporters.',
        "The president said the doctors would stay.",
        '"We were never paid," one doctor told the paper.',
        "Officials said the brigade would leave in July.",
        '"This is solidarity," the ambassador declared.',
        "The report says nurses worked without pay.",
        '"Our hospitals need them," the mayor said on Monday.',
        "A spokeswoman said the contract was renewed.",
    ]),
    *({"text": t, "label": "loaded"} for t in [
        "The Castro regime cynically exploits its slave doctors.",
        "A cynical dictatorship sells its medics abroad.",
        "The shameful scheme enriches a corrupt elite.",
        "These so-called missions are modern slavery.",
        "The brutal regime uses doctors as pawns.",
        "A disgraceful trade in human beings continues.",
        "The tyranny profits from its exploited workers.",
        "This outrageous deal props up a failed regime.",
        "The sham programme is pure propaganda.",
        "Greedy officials pocket the doctors' wages.",
    ]),
]
TEXTS = [r["text"] for r in TRAIN]
# How the tiny encoder is fine-tuned: fast, one torch thread (two cores, other jobs running).
TINY = {"epochs": 4, "learning_rate": 1e-3, "batch_size": 8, "max_length": 32, "threads": 1}
HELD_OUT = [
    "Cuba sent 300 doctors to Italy.",
    '"They saved us," the nurse said.',
    "The corrupt regime exploits its doctors.",
    "The doctors arrived in March.",
    "The minister said the mission was a success.",
    "A shameful and cynical propaganda stunt.",
]
NEEDS_TORCH = "training the accurate model needs the train extra (torch, transformers)"
ONNX_EXTRA = 'pip install "stance[onnx]"'

# Run first in a subprocess: imports of the named top-level packages fail, as if they were not installed,
# and every attempt is recorded in _Blocked.tried.
BLOCKER = '''
import sys

class _Blocked:
    tried = []

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            _Blocked.tried.append(name)
            raise ImportError(f"No module named {name!r} (blocked by the test)")
        return None

BLOCKED = set(sys.argv.pop(1).split(","))
sys.meta_path.insert(0, _Blocked())
'''


def _run(code: str, blocked: str, *args: str, tmp_path) -> subprocess.CompletedProcess:
    """``code`` after :data:`BLOCKER` in a fresh interpreter (this one), with ``blocked`` modules unimportable."""
    env = dict(os.environ, STANCE_HOME=str(tmp_path / "home"), STANCE_THREADS="1")
    return subprocess.run([sys.executable, "-c", BLOCKER + code, blocked, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def _one_line(r: subprocess.CompletedProcess, *words: str) -> str:
    """The single line a failed ``stance`` command printed on stderr (exit 2, no traceback)."""
    assert r.returncode == 2, (r.returncode, r.stdout[:300], r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def _tokenizer_json() -> bytes:
    """A small valid tokenizers JSON (word level), for specs whose network is the thing under test."""
    tokenizers = pytest.importorskip("tokenizers", reason="labelling with the accurate model needs tokenizers")
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    tok = tokenizers.Tokenizer(WordLevel({"[UNK]": 0, "cuba": 1, "doctors": 2}, unk_token="[UNK]"))
    tok.pre_tokenizer = Whitespace()
    return tok.to_str().encode("utf-8")


def _encoder_file(path, **change) -> os.PathLike:
    """A model file holding an encoder spec that passes check_spec (garbage network unless ``change`` says)."""
    spec = {"kind": "encoder", "classes": list(LABELS), "onnx": b"\x08\x07garbage, not an ONNX protobuf",
            "tokenizer": change.pop("tokenizer", None) or _tokenizer_json(), "max_length": 32, "base": "test",
            "quantized": True, **change}
    path.write_bytes(to_bytes(ModelData(card={"model": "accurate", "labels": list(LABELS)}, scoring=spec)))
    return path


# --------------------------------------------------------------------------- the tiny encoder
@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    """A folder as ``EncoderClassifier(base=...)`` reads it: config.json, model.safetensors, tokenizer.json."""
    torch = pytest.importorskip("torch", reason=NEEDS_TORCH)
    transformers = pytest.importorskip("transformers", reason=NEEDS_TORCH)
    pytest.importorskip("onnx", reason="exporting the accurate model needs onnx (the train extra)")
    pytest.importorskip("onnxruntime", reason="exporting the accurate model needs onnxruntime (the train extra)")
    from tokenizers import BertWordPieceTokenizer
    from tokenizers.processors import BertProcessing

    folder = tmp_path_factory.mktemp("tiny-base")
    tok = BertWordPieceTokenizer(lowercase=True)
    tok.train_from_iterator(TEXTS + HELD_OUT, vocab_size=400, min_frequency=1, show_progress=False)
    # [CLS] ... [SEP] around each sentence, as MiniLM's tokenizer.json does (training alone does not set it)
    tok.post_processor = BertProcessing(("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    tok.save(str(folder / "tokenizer.json"))
    config = transformers.BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.manual_seed(0)
    transformers.BertModel(config).save_pretrained(folder)
    yield folder
    torch.set_num_threads(threads)  # fit sets both for the whole process
    torch.use_deterministic_algorithms(deterministic)


def _train_tiny(base):
    return stance.train("accurate", data=TRAIN, seed=0, base=str(base), **TINY)


@pytest.fixture(scope="module")
def tiny(tiny_base):
    """The tiny encoder fine-tuned by ``stance.train("accurate", ...)``."""
    return _train_tiny(tiny_base)


@pytest.fixture(scope="module")
def tiny_file(tiny, tmp_path_factory):
    return tiny.save(tmp_path_factory.mktemp("tiny-model") / "tiny.stance")


@pytest.fixture(scope="module")
def tiny_estimator(tiny_base):
    """The same fine-tuning, with the estimator kept (to export fp32 and to predict with torch)."""
    est = recipes.make("accurate", base=str(tiny_base), **TINY)
    return est.fit(TEXTS, [r["label"] for r in TRAIN])


def test_train_gives_a_data_only_model_that_saves_and_reloads(tiny, tiny_file, tiny_base):
    assert tiny.scoring["kind"] == "encoder" and tiny.scoring["quantized"] is True
    assert tiny.scoring["onnx"][:1] == b"\x08" and isinstance(tiny.scoring["tokenizer"], bytes)  # ONNX protobuf
    assert tiny.scoring["max_length"] == TINY["max_length"] and tiny.scoring["classes"] == ["claim", "loaded", "quote"]
    card = tiny.card
    assert card["model"] == "accurate" and card["labels"] == ["claim", "loaded", "quote"] and card["seed"] == 0
    assert card["base_model"]["name"] == str(tiny_base) and card["base_model"]["licence"] == recipes.BASE_LICENCE
    assert card["base_model"]["quantization"].startswith("int8")
    assert card["training_data"]["rows"] == len(TRAIN)

    data = read(tiny_file)  # as data: nothing to unpickle, no torch
    assert data.estimator is None and tiny.to_data().estimator is None
    assert data.scoring["kind"] == "encoder" and data.scoring["onnx"] == tiny.scoring["onnx"]
    assert data.scoring["tokenizer"] == tiny.scoring["tokenizer"]
    assert data.card["base_model"] == card["base_model"]

    loaded = stance.load(tiny_file)  # untrusted path: fine, there is no pickle
    assert loaded.scoring["kind"] == "encoder" and list(loaded.classes_) == list(tiny.classes_)
    assert loaded.card["base_model"]["licence"] == "Apache-2.0"
    assert np.array_equal(loaded.predict_proba(SENTENCES), tiny.predict_proba(SENTENCES))
    assert loaded.predict(SENTENCES).tolist() == tiny.predict(SENTENCES).tolist()


def test_labels_are_in_the_label_set_and_probabilities_sum_to_one(tiny):
    texts = SENTENCES + HELD_OUT  # with an empty sentence and one far over max_length
    p = tiny.predict_proba(texts)
    assert p.shape == (len(texts), 3) and np.isfinite(p).all() and (p >= 0).all() and (p <= 1).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    pred = tiny.predict(texts)
    assert set(pred) <= set(LABELS) and pred.tolist() == [tiny.classes_[i] for i in p.argmax(axis=1)]
    # sorted by length inside, returned in the caller's order
    np.testing.assert_array_equal(tiny.predict_proba(texts[::-1]), p[::-1])
    assert tiny.predict_proba([]).shape == (0, 3) and tiny.predict([]).tolist() == []
    # it learned something: most of its own training sentences get their label back
    assert np.mean(tiny.predict(TEXTS) == np.asarray([r["label"] for r in TRAIN])) >= 0.6


def test_padding_in_a_batch_does_not_change_a_sentence_much(tiny):
    batch = tiny.predict_proba(HELD_OUT)  # padded to the longest; int8 scales activations per batch
    alone = np.vstack([tiny.predict_proba([t]) for t in HELD_OUT])
    np.testing.assert_allclose(batch, alone, atol=0.05)


def test_a_tokenizer_that_gives_no_token_for_an_empty_sentence_does_not_break_scoring(tiny, tmp_path):
    """A base whose tokenizer adds no [CLS]/[SEP] cuts "" into no token at all: alone, it used to reach
    onnxruntime as a batch of width 0 (a Reshape failure and a traceback); now it is one masked pad, as
    it already was inside a longer batch."""
    doc = json.loads(tiny.scoring["tokenizer"])
    doc["post_processor"] = None
    bare = json.dumps(doc).encode("utf-8")
    path = _encoder_file(tmp_path / "bare.stance", onnx=tiny.scoring["onnx"], tokenizer=bare)
    model = stance.load(path)
    from stance.model import EncoderScorer

    assert EncoderScorer(model.scoring).tokenizer.encode("").ids == []
    alone = model.predict_proba([""])
    assert alone.shape == (1, 3) and np.isfinite(alone).all()
    np.testing.assert_allclose(alone.sum(), 1.0, atol=1e-9)
    np.testing.assert_allclose(model.predict_proba(["", " ", "Cuba sent doctors."])[:2], np.vstack([alone, alone]),
                               atol=0.05)
    assert model.predict([""]).tolist()[0] in LABELS and model.explain("") == []


def test_same_seed_gives_the_same_model_bytes_and_predictions(tiny, tiny_base, tiny_estimator):
    again = _train_tiny(tiny_base)
    assert again.scoring["onnx"] == tiny.scoring["onnx"]  # "same data and seed give the same weights"
    assert again.scoring["tokenizer"] == tiny.scoring["tokenizer"]
    assert np.array_equal(again.predict_proba(SENTENCES + HELD_OUT), tiny.predict_proba(SENTENCES + HELD_OUT))
    # fitting the estimator directly is what stance.train does
    assert tiny_estimator.export(quantize=True)["onnx"] == tiny.scoring["onnx"]


def test_the_seed_given_to_train_reaches_the_encoder():
    assert recipes.make("accurate", seed=5).random_state == 5


def test_fp32_onnx_matches_torch_and_int8_agrees_with_fp32(tiny_estimator):
    from stance.model import EncoderScorer

    texts = HELD_OUT + TEXTS[::5] + ["", "x" * 2000]  # other batch sizes and lengths than the export's example
    fp32 = tiny_estimator.export(quantize=False)
    assert fp32["quantized"] is False and fp32["kind"] == "encoder"
    p_torch = tiny_estimator.predict_proba(texts)
    p32 = EncoderScorer(fp32).predict_proba(texts)
    np.testing.assert_allclose(p32, p_torch, atol=1e-4)

    int8 = tiny_estimator.export(quantize=True)
    assert len(int8["onnx"]) < len(fp32["onnx"])
    p8 = EncoderScorer(int8).predict_proba(texts)
    agree = np.mean(p8.argmax(axis=1) == p32.argmax(axis=1))
    assert agree >= 0.8, (agree, p8.round(3), p32.round(3))
    assert np.abs(p8 - p32).max() < 0.1


def test_explain_names_words_of_the_sentence_with_their_weight(tiny):
    sentence = "The Castro regime cynically exploits its slave doctors."
    label = str(tiny.predict([sentence])[0])
    items = tiny.explain(sentence, k=3)
    assert 1 <= len(items) <= 3, items
    for item in items:
        assert set(item) == {"feature", "kind", "weight", "description"}
        assert item["kind"] == "words" and item["feature"] in sentence and item["feature"].strip() == item["feature"]
        assert isinstance(item["weight"], float) and 0 < item["weight"] <= 1
        assert f"“{item['feature']}”" in item["description"] and f"P({label})" in item["description"]
    assert [i["weight"] for i in items] == sorted((i["weight"] for i in items), reverse=True)
    assert len(tiny.explain(sentence, k=1)) == 1 and tiny.explain(sentence, k=1)[0] == items[0]
    for other in tiny.classes_:  # any label may be asked for
        assert all(f"P({other})" in i["description"] for i in tiny.explain(sentence, label=str(other)))
    assert tiny.explain("") == []  # no words: nothing to take out
    with pytest.raises(ValueError, match="unknown label"):
        tiny.explain(sentence, label="opinion")


# --------------------------------------------------------------------------- the label path: no torch
LABEL_CODE = '''
import json
import stance
model = stance.load(sys.argv[1])
doc = model.label_text("Cuba sent 300 doctors to Italy. \\"We are proud,\\" the minister said. The regime lies.")
print(json.dumps({"labels": [s.label for s in doc.sentences], "kind": model.scoring["kind"],
                  "torch": "torch" in sys.modules, "transformers": "transformers" in sys.modules,
                  "tried": _Blocked.tried}))
'''


def _label_without_torch(model, tmp_path):
    r = _run(LABEL_CODE, "torch,transformers", str(model), tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["kind"] == "encoder"
    assert out["torch"] is False and out["transformers"] is False
    assert out["tried"] == []  # nothing on the label path even tries
    assert len(out["labels"]) == 3 and set(out["labels"]) <= set(LABELS), out


def test_the_label_path_imports_no_torch(tiny_file, tmp_path):
    _label_without_torch(tiny_file, tmp_path)


def test_the_shipped_accurate_model_labels_without_torch(tmp_path):
    if not SHIPPED["accurate"].exists():
        pytest.skip(f"no shipped accurate model at {SHIPPED['accurate']}")
    pytest.importorskip("onnxruntime", reason="labelling with the accurate model needs the onnx extra")
    pytest.importorskip("tokenizers", reason="labelling with the accurate model needs the onnx extra")
    _label_without_torch("accurate", tmp_path)


# --------------------------------------------------------------------------- bad files, missing extras
def test_an_encoder_whose_network_is_garbage_is_refused_in_one_line(tmp_path):
    pytest.importorskip("onnxruntime", reason="labelling with the accurate model needs the onnx extra")
    path = _encoder_file(tmp_path / "bad.stance")
    with pytest.raises(ArtifactError) as info:
        stance.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "ONNX" in message, message
    (tmp_path / "a.txt").write_text("Cuba sent 27 doctors to Peru.\n")
    r = subprocess.run([_script("stance"), "label", "--model", str(path), str(tmp_path / "a.txt")],
                       capture_output=True, text=True, env=dict(os.environ, STANCE_HOME=str(tmp_path / "home")),
                       timeout=120, check=False)
    _one_line(r, str(path), "ONNX")


def test_an_onnx_network_that_is_not_an_encoder_is_refused_at_load(tmp_path):
    onnx = pytest.importorskip("onnx", reason="building an ONNX graph needs onnx (the train extra)")
    pytest.importorskip("onnxruntime", reason="labelling with the accurate model needs the onnx extra")
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "not-an-encoder",
                              [helper.make_tensor_value_info("x", TensorProto.INT64, ["batch", "tokens"])],
                              [helper.make_tensor_value_info("y", TensorProto.INT64, ["batch", "tokens"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)  # valid ONNX: onnxruntime loads it, and it would fail only when labelling
    path = _encoder_file(tmp_path / "other.stance", onnx=model.SerializeToString())
    with pytest.raises(ArtifactError, match="takes x, not input_ids and attention_mask") as info:
        stance.load(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_an_encoder_whose_tokenizer_is_garbage_is_refused_in_one_line(tiny, tmp_path):
    path = _encoder_file(tmp_path / "bad.stance", onnx=tiny.scoring["onnx"], tokenizer=b'{"model": "none"}')
    with pytest.raises(ArtifactError) as info:
        stance.load(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "tokenizer" in message, message


@pytest.mark.parametrize("missing", ["onnxruntime", "tokenizers"])
def test_without_the_onnx_extra_the_error_names_the_install(tmp_path, missing):
    path = _encoder_file(tmp_path / "enc.stance")  # never parsed: the import fails first
    code = ("from stance.errors import MissingExtraError\nimport stance\ntry:\n    stance.load(sys.argv[1])\n"
            "except MissingExtraError as exc:\n    print('MISSING', exc)\n")
    r = _run(code, missing, str(path), tmp_path=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("MISSING "), (r.stdout, r.stderr[-2000:])
    assert ONNX_EXTRA in r.stdout and "\n" not in r.stdout.strip(), r.stdout
    assert issubclass(MissingExtraError, ImportError)  # not wrapped as a damaged file by stance.load

    (tmp_path / "a.txt").write_text("Cuba sent 27 doctors to Peru.\n")
    cli = "from stance.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    r = _run(cli, missing, "label", "--model", str(path), str(tmp_path / "a.txt"), tmp_path=tmp_path)
    _one_line(r, ONNX_EXTRA)
