"""Features for the intent classifier: TF-IDF n-grams, plus pretrained sentence vectors.

The TF-IDF block (word 1-2 grams and character 2-5 grams within word boundaries, both with
sublinear term frequency) needs nothing beyond scikit-learn. When the ``encoder`` extra is
installed, mean-pooled hidden states of the last layers of all-MiniLM-L6-v2 are appended:
they know that "card hasn't come" and "still waiting on my card" mean the same thing, which
n-grams cannot.

:class:`SparseTextScorer` reproduces ``TfidfVectorizer.transform`` for one message without
scikit-learn's per-call validation, which keeps single-message inference fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

if TYPE_CHECKING:
    from tools.embeddings.pretrained import PretrainedEmbedder

ENCODER_LAYERS: tuple[int, ...] = (4, 5, 6)
"""Which encoder layers are mean-pooled into features (6 is the sentence-embedding layer)."""

ENCODER_WEIGHT = 1.0
"""Scale of each L2-normalised encoder block relative to a TF-IDF block (also unit norm)."""


def build_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Return fresh (word, character) TF-IDF vectorizers."""
    words = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        lowercase=False,
        token_pattern=r"(?u)\b\w+\b",
        dtype=np.float32,
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        lowercase=False,
        min_df=1,
        dtype=np.float32,
    )
    return words, chars


class TextFeatures:
    """Word and character TF-IDF blocks side by side, each row of each block unit length."""

    def __init__(self) -> None:
        self.words, self.chars = build_vectorizers()

    @property
    def width(self) -> int:
        """Number of columns :meth:`transform` returns (after fitting)."""
        return len(self.words.vocabulary_) + len(self.chars.vocabulary_)

    def fit_transform(self, normalised: Sequence[str]) -> sparse.csr_matrix:
        """Fit both vocabularies on ``normalised`` texts and return their features."""
        texts = list(normalised)
        return sparse.hstack(
            [self.words.fit_transform(texts), self.chars.fit_transform(texts)], format="csr"
        )

    def transform(self, normalised: Sequence[str]) -> sparse.csr_matrix:
        """Return features of ``normalised`` texts with the fitted vocabularies."""
        texts = list(normalised)
        return sparse.hstack(
            [self.words.transform(texts), self.chars.transform(texts)], format="csr"
        )


class SparseTextScorer:
    """Adds one message's TF-IDF contribution to class scores, without scikit-learn overhead.

    ``coef_t`` holds the linear model's weights for the TF-IDF columns, one row per column.
    """

    def __init__(self, features: TextFeatures, coef_t: np.ndarray) -> None:
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray, int]] = []
        offset = 0
        for vectorizer in (features.words, features.chars):
            vocabulary = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            self._blocks.append((vectorizer.build_analyzer(), vocabulary, idf, offset))
            offset += len(vocabulary)
        self._coef_t = coef_t

    def add_scores(self, normalised: str, scores: np.ndarray) -> None:
        """Add the message's weighted features to ``scores`` in place."""
        for analyzer, vocabulary, idf, offset in self._blocks:
            counts: dict[int, int] = {}
            for term in analyzer(normalised):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (np.log(tf) + 1.0) * idf[indices]
            weights /= np.sqrt(weights @ weights)
            scores += weights @ self._coef_t[indices + offset]


_memo: dict[str, np.ndarray] | None = None


@contextmanager
def remembered_encoder_features() -> Iterator[None]:
    """Within this block, encode each distinct text once (benchmarks retrain on overlaps).

    Only for offline evaluation: the memo grows with every distinct text it sees.
    """
    global _memo
    previous, _memo = _memo, {} if _memo is None else _memo
    try:
        yield
    finally:
        _memo = previous


def encoder_features(embedder: PretrainedEmbedder, texts: Sequence[str]) -> np.ndarray:
    """Return the weighted encoder feature block for ``texts`` (float32, dense)."""
    batch = list(texts)
    memo = _memo
    if memo is None:
        features = embedder.layer_features(batch, ENCODER_LAYERS)
        return np.asarray(features * np.float32(ENCODER_WEIGHT), dtype=np.float32)
    missing = sorted({text for text in batch if text not in memo})
    if missing:
        fresh = embedder.layer_features(missing, ENCODER_LAYERS) * np.float32(ENCODER_WEIGHT)
        memo.update(zip(missing, fresh.astype(np.float32), strict=True))
    width = embedder.dimension * len(ENCODER_LAYERS)
    if not batch:
        return np.zeros((0, width), dtype=np.float32)
    return np.stack([memo[text] for text in batch])
