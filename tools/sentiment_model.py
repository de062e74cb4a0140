"""A small learned sentiment model: TF-IDF words and characters plus VADER, one linear layer.

Features are word unigrams and bigrams, character 2–5-grams within word boundaries, and
seven dense features: VADER's negative, neutral, positive and compound scores and the counts
of worded and emphasis frustration cues (see `tools.sentiment`). A logistic regression on
them gives a calibrated probability that a message is positive.

The trained model is stored as gzipped JSON (vocabularies, IDF weights, coefficients), so
loading it needs neither pickle nor the training data. `train_linear_model` keeps only the
most useful n-grams (by coefficient size) and refits on them, which keeps the file small.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

FORMAT_VERSION = 1
"""Version of the stored model layout."""
DENSE_FEATURES = ("vader_neg", "vader_neu", "vader_pos", "vader_compound", "cues", "emphasis")
DENSE_WEIGHT = 0.5
"""Scale of the dense features beside the L2-normalised TF-IDF blocks."""


def _word_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, lowercase=True, vocabulary=vocabulary
    )


def _char_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        lowercase=True,
        vocabulary=vocabulary,
    )


class DenseFeatures:
    """VADER scores and frustration-cue counts of messages, as a dense matrix."""

    def __init__(self) -> None:
        from tools.sentiment import frustration_cues

        self._vader = SentimentIntensityAnalyzer()
        self._cues = frustration_cues

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Return a `(len(texts), len(DENSE_FEATURES))` float array."""
        rows = []
        for text in texts:
            scores = self._vader.polarity_scores(text)
            lexical, emphasis = self._cues(text)
            rows.append(
                [
                    scores["neg"],
                    scores["neu"],
                    scores["pos"],
                    scores["compound"],
                    min(len(lexical), 3) / 3,
                    len(emphasis) / 2,
                ]
            )
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(DENSE_FEATURES))


@dataclass
class LinearSentimentModel:
    """A fitted model: two TF-IDF vectorizers, dense features and logistic weights."""

    words: TfidfVectorizer
    chars: TfidfVectorizer
    coefficients: np.ndarray
    intercept: float
    provenance: str = ""
    """Where the training data came from (name, licence), stored with the weights."""

    def __post_init__(self) -> None:
        self._dense = DenseFeatures()

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return the feature matrix of `texts` (words, characters, dense)."""
        batch = list(texts)
        dense = sparse.csr_matrix(self._dense.transform(batch) * DENSE_WEIGHT)
        blocks = [self.words.transform(batch), self.chars.transform(batch), dense]
        return sparse.hstack(blocks, format="csr")

    def probability_positive(self, texts: Sequence[str]) -> np.ndarray:
        """Return the probability that each text is positive, in [0, 1]."""
        if not texts:
            return np.zeros(0)
        margin = self.features(texts) @ self.coefficients + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-margin))).ravel()

    def save(self, path: str | Path) -> None:
        """Write the model as gzipped JSON."""
        payload = {
            "format": FORMAT_VERSION,
            "provenance": self.provenance,
            "dense_features": list(DENSE_FEATURES),
            "words": _vectorizer_state(self.words),
            "chars": _vectorizer_state(self.chars),
            "coefficients": [round(float(value), 6) for value in self.coefficients],
            "intercept": round(self.intercept, 6),
        }
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            json.dump(payload, handle, separators=(",", ":"))

    @classmethod
    def load(cls, path: str | Path) -> LinearSentimentModel:
        """Read a model written by `save`; raise ValueError for another layout."""
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            payload: dict[str, Any] = json.load(handle)
        if payload.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: sentiment model format {payload.get('format')!r}")
        if payload.get("dense_features") != list(DENSE_FEATURES):
            raise ValueError(f"{path}: the model was trained on other dense features")
        words = _restore(_word_vectorizer, payload["words"])
        chars = _restore(_char_vectorizer, payload["chars"])
        return cls(
            words=words,
            chars=chars,
            coefficients=np.asarray(payload["coefficients"], dtype=np.float64),
            intercept=float(payload["intercept"]),
            provenance=str(payload.get("provenance", "")),
        )


def _vectorizer_state(vectorizer: TfidfVectorizer) -> dict[str, Any]:
    terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return {"terms": terms, "idf": [round(float(value), 5) for value in vectorizer.idf_]}


def _restore(factory: Any, state: dict[str, Any]) -> TfidfVectorizer:
    vocabulary = {term: index for index, term in enumerate(state["terms"])}
    vectorizer: TfidfVectorizer = factory(vocabulary)
    vectorizer.idf_ = np.asarray(state["idf"], dtype=np.float64)
    return vectorizer


def train_linear_model(
    texts: Sequence[str],
    positive: Sequence[int],
    *,
    keep_terms: int = 6000,
    regularisation: float = 4.0,
    provenance: str = "",
) -> LinearSentimentModel:
    """Fit the model on `texts` labelled 1 (positive) or 0 (negative).

    After a first fit on every n-gram, the `keep_terms` n-grams with the largest absolute
    weights are kept and the model is refitted on them alone.
    """
    batch = list(texts)
    target = np.asarray(positive, dtype=np.int64)
    if len(batch) != len(target) or len(set(target.tolist())) != 2:
        raise ValueError("training needs texts with both labels 0 and 1, one label per text")
    dense = sparse.csr_matrix(DenseFeatures().transform(batch) * DENSE_WEIGHT)
    words, chars = _word_vectorizer(), _char_vectorizer()
    matrix = sparse.hstack(
        [words.fit_transform(batch), chars.fit_transform(batch), dense], format="csr"
    )
    first = LogisticRegression(C=regularisation, max_iter=2000).fit(matrix, target)
    weights = np.abs(first.coef_.ravel())
    n_words = len(words.vocabulary_)
    n_terms = n_words + len(chars.vocabulary_)
    keep = set(np.argsort(-weights[:n_terms])[:keep_terms].tolist())
    word_terms = [t for t, i in words.vocabulary_.items() if i in keep]
    char_terms = [t for t, i in chars.vocabulary_.items() if i + n_words in keep]
    words = _word_vectorizer({t: i for i, t in enumerate(sorted(word_terms))})
    chars = _char_vectorizer({t: i for i, t in enumerate(sorted(char_terms))})
    matrix = sparse.hstack(
        [words.fit_transform(batch), chars.fit_transform(batch), dense], format="csr"
    )
    final = LogisticRegression(C=regularisation, max_iter=2000).fit(matrix, target)
    return LinearSentimentModel(
        words=words,
        chars=chars,
        coefficients=final.coef_.ravel().astype(np.float64),
        intercept=float(final.intercept_[0]),
        provenance=provenance,
    )
