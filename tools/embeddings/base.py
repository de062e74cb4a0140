"""The embedding interface every backend implements, and a deterministic local one.

Vectors are float32 rows with unit L2 norm, so a dot product is the cosine similarity.
`HashingEmbedder` needs no model: it hashes words and character trigrams into a fixed
number of buckets. It is what tests and the smallest installs use, and a stand-in with the
same interface as the pretrained and Bedrock Titan encoders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors of a fixed dimension."""

    name: str
    """A stable identifier of the model, stored beside indexed vectors."""

    dimension: int
    """The length of every vector this embedder returns."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return a `(len(texts), dimension)` float32 array of L2-normalised rows."""
        ...


@runtime_checkable
class SentenceEncoder(Embedder, Protocol):
    """A pretrained encoder that also offers mean-pooled states of its layers."""

    layer_count: int
    """Transformer layers; layer ``layer_count`` is the sentence layer."""

    def layer_features(self, texts: Sequence[str], layers: Sequence[int]) -> np.ndarray:
        """Return the mean-pooled, L2-normalised states of ``layers``, side by side."""
        ...


class HashingEmbedder:
    """Deterministic bag-of-features vectors: word unigrams and character trigrams, hashed."""

    def __init__(self, dimension: int = 384) -> None:
        """Create an embedder whose vectors have `dimension` entries."""
        self.dimension = dimension
        self.name = f"hashing-{dimension}"
        self._words = HashingVectorizer(
            n_features=dimension, alternate_sign=False, norm=None, ngram_range=(1, 1)
        )
        self._chars = HashingVectorizer(
            n_features=dimension,
            alternate_sign=False,
            norm=None,
            analyzer="char_wb",
            ngram_range=(3, 3),
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return unit vectors for `texts`; an empty text maps to the zero vector."""
        batch = list(texts)
        if not batch:
            return np.zeros((0, self.dimension), dtype=np.float32)
        counts = self._words.transform(batch) * 2.0 + self._chars.transform(batch)
        dense = np.log1p(counts.toarray()).astype(np.float32)
        return normalise_rows(dense)


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Scale each row to unit L2 norm, leaving all-zero rows as they are."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def normalise_blocks(matrix: np.ndarray, blocks: int) -> np.ndarray:
    """Split rows into ``blocks`` equal column blocks and scale each to unit L2 norm."""
    if not len(matrix) or blocks < 1:
        return matrix
    return np.concatenate(
        [normalise_rows(block) for block in np.split(matrix, blocks, axis=1)], axis=1
    )
