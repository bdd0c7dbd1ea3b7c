"""Scoring the ``accurate`` model's spec: an ONNX encoder with onnxruntime, its tokenizer with tokenizers.

The label path of a fine-tuned encoder (made by ``stance.recipes.EncoderClassifier.export``): no
torch, no transformers; the ``onnx`` extra (``pip install "stance[onnx]"``) brings onnxruntime and
tokenizers. Sentences are tokenised as in training, sorted by length and run in batches padded to
their longest sentence, so that little time goes to padding; the probabilities come back in the
input's order.

:meth:`EncoderScorer.explain` says which words moved a prediction, honestly: each word is taken out
of the sentence in turn (its tokens masked) and the drop in the label's probability is its weight.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from stance.errors import ArtifactError, MissingExtraError

__all__ = ["EncoderScorer", "MISSING_ONNX_EXTRA"]

MISSING_ONNX_EXTRA = ('labelling with the accurate model needs the onnx extra: pip install "stance[onnx]" '
                      "(onnxruntime and tokenizers)")
_BATCH = 64


class EncoderScorer:
    """Class probabilities of an encoder spec (``kind: "encoder"``), with onnxruntime."""

    def __init__(self, spec: dict[str, Any]):
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError:
            raise MissingExtraError(MISSING_ONNX_EXTRA) from None
        self.spec = spec
        self.classes_ = np.asarray(spec["classes"], dtype=object)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("STANCE_THREADS", "0")) or (os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # A model file is untrusted data: what onnxruntime or tokenizers cannot read becomes stance's one-line
        # ArtifactError (stance.load adds the file's name), not their own exception and a traceback.
        try:
            self.session = onnxruntime.InferenceSession(spec["onnx"], sess_options=options,
                                                        providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's errors (InvalidProtobuf, Fail, ...) derive from Exception only
            raise ArtifactError(f"an encoder whose network onnxruntime cannot load as ONNX "
                                f"({_first_line(exc)})") from None
        inputs = sorted(i.name for i in self.session.get_inputs())
        if inputs != ["attention_mask", "input_ids"]:
            raise ArtifactError(f"an encoder whose network takes {', '.join(inputs) or 'no input'}, not input_ids "
                                "and attention_mask")
        if len(self.session.get_outputs()) != 1:
            raise ArtifactError(f"an encoder whose network gives {len(self.session.get_outputs())} outputs, not "
                                "its logits alone")
        try:
            self.tokenizer = Tokenizer.from_str(spec["tokenizer"].decode("utf-8"))
        except Exception as exc:  # tokenizers raises a bare Exception for JSON it cannot read
            raise ArtifactError(f"an encoder whose tokenizer tokenizers cannot read ({_first_line(exc)})") from None
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(int(spec["max_length"]))

    def _run(self, ids: list[list[int]], masks: list[list[int]] | None = None) -> np.ndarray:
        width = max(1, max(len(i) for i in ids))  # a tokenizer may give no token for "": one masked pad then
        x = np.zeros((len(ids), width), dtype=np.int64)
        m = np.zeros((len(ids), width), dtype=np.int64)
        for r, row in enumerate(ids):
            x[r, :len(row)] = row
            m[r, :len(row)] = 1 if masks is None else masks[r]
        logits = self.session.run(None, {"input_ids": x, "attention_mask": m})[0].astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        return logits / logits.sum(axis=1, keepdims=True)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.classes_)))
        if not len(texts):
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = np.argsort([len(i) for i in ids], kind="stable")
        for start in range(0, len(order), _BATCH):
            rows = order[start:start + _BATCH]
            out[rows] = self._run([ids[r] for r in rows])
        return out

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(texts), axis=1)]

    def explain(self, sentence: str, label: str, k: int = 5) -> list[dict[str, Any]]:
        """The ``k`` words whose removal lowers the probability of ``label`` most, with that drop."""
        c = list(self.classes_).index(label)
        enc = self.tokenizer.encode(sentence)
        words = sorted({w for w in enc.word_ids if w is not None})
        if not words:
            return []
        ids = list(enc.ids)
        full = np.ones(len(ids), dtype=np.int64)
        masks = []
        for w in words:
            m = full.copy()
            m[[j for j, wid in enumerate(enc.word_ids) if wid == w]] = 0
            masks.append(m.tolist())
        base = self._run([ids])[0, c]
        dropped = np.concatenate([self._run([ids] * len(masks[s:s + _BATCH]), masks[s:s + _BATCH])[:, c]
                                  for s in range(0, len(masks), _BATCH)])
        out = []
        for w, p in zip(words, dropped):
            weight = float(base - p)
            if weight <= 0:
                continue
            spans = [enc.offsets[j] for j, wid in enumerate(enc.word_ids) if wid == w]
            start, end = spans[0][0], spans[-1][1]
            text = sentence[start:end]
            out.append({"feature": text, "kind": "words", "weight": round(weight, 4),
                        "description": f"the word “{text}”: without it, P({label}) falls by {weight:.2f}"})
        out.sort(key=lambda d: -d["weight"])
        return out[:k]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:197] + "..."
