"""A fast local intent classifier trained from the intent catalogue's examples.

Features are TF-IDF word 1-2 grams plus character 2-5 grams within word boundaries (robust
to typos), both with sublinear term frequency, feeding a multinomial logistic regression
whose class probabilities serve as confidence. Training takes a second or two; inference on
one message takes well under two milliseconds, so the model answers first and a language
model is consulted only when it is not confident.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from tools.intent.normalise import normalise_text

if TYPE_CHECKING:
    from prompts.catalogue import IntentCatalogue

logger = logging.getLogger(__name__)

MODEL_VERSION = 1
"""Bumped whenever features or hyper-parameters change, so cached models are retrained."""

RANDOM_STATE = 0
"""Seed for every stochastic step, so training is deterministic."""

TOP_K = 3
"""How many intents a prediction's ranking holds."""

_FORMAT = "tandem-intent-classifier"


@dataclass(frozen=True)
class IntentPrediction:
    """The classifier's answer for one message.

    ``intent`` is always the top class, even when ``confidence`` is low; the caller decides
    with :meth:`is_confident` whether to trust it or defer (to a language model, or to
    treating the message as out of scope).
    """

    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)

    def is_confident(self, threshold: float | None = None) -> bool:
        """Whether the top class's probability reaches ``threshold``.

        ``None`` uses the ``intent_confidence_threshold`` setting.
        """
        if threshold is None:
            from config.settings import get_settings

            threshold = get_settings().intent_confidence_threshold
        return self.confidence >= threshold

    @property
    def is_out_of_scope(self) -> bool:
        """Whether the top class is the ``out_of_scope`` intent."""
        return self.intent == "out_of_scope"


def _build_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
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


class _DirectScorer:
    """Scores one message without scikit-learn's per-call validation and sparse overhead.

    It reproduces ``TfidfVectorizer.transform`` (sublinear tf, idf, l2 norm per block) and
    ``LogisticRegression.predict_proba`` (multinomial softmax) for a single text, which is
    roughly ten times faster than the generic path on short messages.
    """

    def __init__(
        self, words: TfidfVectorizer, chars: TfidfVectorizer, model: LogisticRegression
    ) -> None:
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray, int]] = []
        offset = 0
        for vectorizer in (words, chars):
            vocabulary = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            self._blocks.append((vectorizer.build_analyzer(), vocabulary, idf, offset))
            offset += len(vocabulary)
        coef = np.asarray(model.coef_, dtype=np.float64)
        intercept = np.asarray(model.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:
            coef = np.vstack([-coef, coef]) / 2.0
            intercept = np.array([-intercept[0], intercept[0]]) / 2.0
        self._coef_t = np.ascontiguousarray(coef.T)
        self._intercept = intercept

    def probabilities(self, normalised: str) -> np.ndarray:
        """Return class probabilities for one normalised message."""
        scores = self._intercept.copy()
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
        scores -= scores.max()
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum())


def _build_model() -> LogisticRegression:
    return LogisticRegression(
        C=20.0,
        max_iter=2000,
        class_weight="balanced",
        random_state=RANDOM_STATE,
    )


class IntentClassifier:
    """TF-IDF (word + character n-grams) and logistic regression over intent examples."""

    def __init__(self) -> None:
        self._words, self._chars = _build_vectorizers()
        self._model = _build_model()
        self._labels: list[str] = []
        self._scorer: _DirectScorer | None = None
        self.fingerprint: str | None = None
        """Fingerprint of the catalogue this model was trained from, if any."""

    @property
    def labels(self) -> list[str]:
        """The intents this classifier can predict, sorted."""
        return list(self._labels)

    @property
    def is_trained(self) -> bool:
        """Whether :meth:`train` has run."""
        return bool(self._labels)

    def train(self, texts: list[str], labels: list[str]) -> IntentClassifier:
        """Fit on ``texts`` labelled with intent names; return ``self``.

        Raises ``ValueError`` when the inputs differ in length or hold fewer than two labels.
        """
        if len(texts) != len(labels):
            raise ValueError("texts and labels must have the same length")
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two distinct labels")
        normalised = [normalise_text(text) for text in texts]
        self._words, self._chars = _build_vectorizers()
        features = sparse.hstack(
            [self._words.fit_transform(normalised), self._chars.fit_transform(normalised)],
            format="csr",
        )
        self._model = _build_model()
        self._model.fit(features, labels)
        self._labels = [str(label) for label in self._model.classes_]
        self._scorer = _DirectScorer(self._words, self._chars, self._model)
        return self

    @classmethod
    def from_catalogue(cls, catalogue: IntentCatalogue) -> IntentClassifier:
        """Train a new classifier on every example of ``catalogue``."""
        texts, labels = catalogue.training_data()
        classifier = cls().train(texts, labels)
        classifier.fingerprint = catalogue.fingerprint
        return classifier

    def _features(self, normalised: list[str]) -> Any:
        return sparse.hstack(
            [self._words.transform(normalised), self._chars.transform(normalised)], format="csr"
        )

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Return an ``(n_texts, n_labels)`` array of probabilities, columns as :attr:`labels`."""
        if not self.is_trained:
            raise RuntimeError("the intent classifier has not been trained")
        normalised = [normalise_text(text) for text in texts]
        return np.asarray(self._model.predict_proba(self._features(normalised)))

    def _prediction(self, row: np.ndarray) -> IntentPrediction:
        order = np.argsort(-row, kind="stable")[:TOP_K]
        ranking = [(self._labels[i], round(float(row[i]), 6)) for i in order]
        return IntentPrediction(ranking[0][0], ranking[0][1], ranking)

    def predict(self, text: str) -> IntentPrediction:
        """Classify one message."""
        if self._scorer is None:
            raise RuntimeError("the intent classifier has not been trained")
        return self._prediction(self._scorer.probabilities(normalise_text(text)))

    def predict_batch(self, texts: list[str]) -> list[IntentPrediction]:
        """Classify several messages with one vectorised pass."""
        if not texts:
            return []
        return [self._prediction(row) for row in self.predict_proba(texts)]

    def save(self, path: str | Path) -> Path:
        """Write the trained classifier to ``path`` atomically; return the path."""
        if not self.is_trained:
            raise RuntimeError("cannot save an untrained intent classifier")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": _FORMAT,
            "model_version": MODEL_VERSION,
            "sklearn_version": sklearn.__version__,
            "fingerprint": self.fingerprint,
            "labels": self._labels,
            "words": self._words,
            "chars": self._chars,
            "model": self._model,
        }
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
        os.close(handle)
        try:
            joblib.dump(payload, temporary)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return target

    @classmethod
    def load(cls, path: str | Path) -> IntentClassifier:
        """Read a classifier written by :meth:`save`.

        Only load files this process or a trusted deployment wrote: the format is a pickle.
        Raises ``ValueError`` when the file is not a classifier of the current version.
        """
        payload = joblib.load(Path(path))
        if (
            not isinstance(payload, dict)
            or payload.get("format") != _FORMAT
            or payload.get("model_version") != MODEL_VERSION
            or payload.get("sklearn_version") != sklearn.__version__
        ):
            raise ValueError(f"{path} is not a compatible intent classifier")
        classifier = cls()
        classifier._words = payload["words"]
        classifier._chars = payload["chars"]
        classifier._model = payload["model"]
        classifier._labels = list(payload["labels"])
        classifier._scorer = _DirectScorer(classifier._words, classifier._chars, classifier._model)
        classifier.fingerprint = payload["fingerprint"]
        return classifier

    @staticmethod
    def cache_path(catalogue: IntentCatalogue, cache_dir: str | Path) -> Path:
        """Where :meth:`load_or_train` caches the model for ``catalogue``."""
        key = f"{catalogue.fingerprint}:{sklearn.__version__}:{MODEL_VERSION}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
        return Path(cache_dir) / f"intent-{digest}.joblib"

    @classmethod
    def load_or_train(
        cls, catalogue: IntentCatalogue, cache_dir: str | Path | None = None
    ) -> IntentClassifier:
        """Return a classifier for ``catalogue``, reusing a cached model when one matches.

        The cache key combines the catalogue's fingerprint, the scikit-learn version and
        :data:`MODEL_VERSION`, so editing the catalogue or upgrading scikit-learn retrains.
        ``cache_dir`` defaults to the ``cache_dir`` setting. An unreadable cache file is
        replaced; a cache folder that cannot be written only costs the cache.
        """
        if cache_dir is None:
            from config.settings import get_settings

            cache_dir = get_settings().cache_dir
        path = cls.cache_path(catalogue, cache_dir)
        if path.exists():
            try:
                classifier = cls.load(path)
                if classifier.fingerprint == catalogue.fingerprint:
                    return classifier
            except Exception as error:  # a corrupt or foreign cache file is rebuilt
                logger.warning("ignoring intent classifier cache %s: %s", path, error)
        classifier = cls.from_catalogue(catalogue)
        try:
            classifier.save(path)
        except OSError as error:
            logger.warning("could not cache intent classifier at %s: %s", path, error)
        return classifier
