"""A fitted model and its file: what the label path needs, numpy only.

- :class:`StanceModel`: predict, label whole texts (through :mod:`stance.pipeline`), explain, save;
- the file format: :func:`write` and :func:`read`, mirror images over :class:`ModelData` (a zip of
  JSON and numpy arrays with a sha256 per part, read without unpickling anything);
- what a spec read from a file may hold, checked as untrusted data before anything scores it
  (:func:`check_spec`; text processing named from closed sets, :data:`PREPROCESSORS`, :data:`TOKENIZERS`);
- the scoring of a linear, rules or prior spec with numpy alone (:class:`CompiledModel`).

Which model :func:`stance.load` returns (the shipped default, a published name, a file) is
decided in :mod:`stance.hub`; how a model is trained, in :mod:`stance.recipes` and
:mod:`stance.training`.
"""

from __future__ import annotations

from ._format import DEFAULT_PATH, FORMAT, FORMAT_VERSION, SUFFIX, ModelData, check_versions, read, to_bytes, write
from ._model import StanceModel
from ._encoder import EncoderScorer
from ._scoring import CompiledModel
from ._spec import PREPROCESSORS, TOKENIZERS, check_spec

__all__ = ["StanceModel", "ModelData", "write", "read", "to_bytes", "check_versions", "FORMAT", "FORMAT_VERSION",
           "DEFAULT_PATH", "SUFFIX", "CompiledModel", "EncoderScorer", "check_spec", "PREPROCESSORS", "TOKENIZERS"]
