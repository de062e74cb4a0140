"""A fast local intent classifier that learns any taxonomy from the catalogue's examples.

Features are TF-IDF word 1-2 grams and character 2-5 grams (robust to typos) and, when a
pretrained encoder is installed, mean-pooled layers of the all-MiniLM-L6-v2 (extra ``encoder``)
and/or all-mpnet-base-v2 (extra ``encoder-mpnet``) sentence encoders (see
:mod:`tools.intent.features`). A linear SVM scores every intent; its scores become
probabilities through a softmax whose temperature is fitted on out-of-fold scores of the
training examples, so confidences are calibrated and the router can hand unsure messages to
a language model. When the taxonomy has an out-of-scope class, a rejection threshold on that
confidence is tuned on the same out-of-fold scores (never on evaluation data).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import joblib
import numpy as np
import sklearn
from scipy import sparse
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from tools.intent.calibration import fit_temperature, softmax
from tools.intent.features import (
    INTENT_ENCODER_LAYERS,
    SparseTextScorer,
    TextFeatures,
    encoder_features,
)
from tools.intent.normalise import encoder_text, normalise_text
from tools.intent.rejection import OUT_OF_SCOPE_LABELS, fit_rejection_threshold

if TYPE_CHECKING:
    from prompts.catalogue import IntentCatalogue
    from tools.embeddings.pretrained import PretrainedEmbedder

logger = logging.getLogger(__name__)

MODEL_VERSION = 4
"""Bumped whenever features or hyper-parameters change, so cached models are retrained."""

RANDOM_STATE = 0
"""Seed for every stochastic step, so training is deterministic."""

TOP_K = 3
"""How many intents a prediction's ranking holds."""

CALIBRATION_FOLDS = 3
"""Folds of the out-of-fold scores that fit the temperature and the rejection threshold."""

EncoderMode = Literal["auto", "on", "off"]
"""``auto`` uses the pretrained encoders that are installed; ``on`` requires one."""

_FORMAT = "tandem-intent-classifier"
_TFIDF_ENGINE = "tfidf-svm"


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
        """Whether the top class is an out-of-scope intent (``out_of_scope`` or ``oos``)."""
        return self.intent in OUT_OF_SCOPE_LABELS


def _configured_models() -> tuple[str, ...]:
    from config.settings import get_settings

    return tuple(get_settings().intent_encoder_models)


def encoder_models(
    encoder: EncoderMode = "auto", models: Sequence[str] | None = None
) -> tuple[str, ...]:
    """Name the pretrained encoders :class:`IntentClassifier` would use.

    ``models`` lists the candidates (default: the ``intent_encoder_models`` setting). With
    ``auto`` the installed ones are used; with ``on`` too, but an install without any of
    them is an error, and so is a missing one that ``models`` names explicitly.
    Raises :class:`tools.embeddings.pretrained.PretrainedEncoderUnavailable` then.
    """
    if encoder == "off":
        return ()
    from tools.embeddings.encoders import ENCODERS, encoder_available
    from tools.embeddings.pretrained import PretrainedEncoderUnavailable

    wanted = tuple(models) if models is not None else _configured_models()
    installed = tuple(name for name in wanted if encoder_available(name))
    if encoder == "on":
        missing = [name for name in wanted if name not in installed]
        if (models is not None and missing) or not installed:
            hints = "; ".join(ENCODERS[name].hint for name in missing if name in ENCODERS)
            raise PretrainedEncoderUnavailable(
                f"pretrained encoder {', '.join(missing)} not installed; run: {hints}"
            )
    return installed


def engine_name(encoder: EncoderMode = "auto", models: Sequence[str] | None = None) -> str:
    """Name the feature set :class:`IntentClassifier` would use with ``encoder``."""
    return "+".join((_TFIDF_ENGINE, *encoder_models(encoder, models)))


def _load_embedders(engine: str) -> list[PretrainedEmbedder]:
    from tools.embeddings.encoders import load_encoder

    return [load_encoder(name) for name in engine.split("+")[1:]]


def _build_model() -> LinearSVC:
    return LinearSVC(C=1.0, class_weight="balanced", random_state=RANDOM_STATE, max_iter=5000)


def _decision_scores(model: LinearSVC, features: Any) -> np.ndarray:
    scores = np.asarray(model.decision_function(features), dtype=np.float64)
    if scores.ndim == 1:  # two classes: one margin, positive for classes_[1]
        scores = np.column_stack([-scores, scores]) / 2.0
    return scores


class IntentClassifier:
    """TF-IDF n-grams (plus pretrained sentence features when installed) and a linear SVM."""

    def __init__(self, encoder: EncoderMode = "auto", models: Sequence[str] | None = None) -> None:
        """Create an untrained classifier; ``encoder`` and ``models`` choose the feature set.

        ``models`` names the pretrained encoders to consider (see :func:`encoder_models`).
        """
        self.encoder: EncoderMode = encoder
        self.models = tuple(models) if models is not None else None
        self.engine = _TFIDF_ENGINE
        """The feature set in use: TF-IDF alone, or TF-IDF plus the pretrained encoder."""
        self.temperature = 1.0
        """Softmax temperature applied to the SVM scores (fitted on out-of-fold scores)."""
        self.rejection_threshold: float | None = None
        """Confidence below which a message is better treated as out of scope.

        Fitted only when the training labels include an out-of-scope class, else ``None``.
        """
        self.fingerprint: str | None = None
        """Fingerprint of the catalogue this model was trained from, if any."""
        self._text = TextFeatures()
        self._embedders: list[PretrainedEmbedder] = []
        self._model: LinearSVC | None = None
        self._labels: list[str] = []
        self._scorer: SparseTextScorer | None = None
        self._intercept = np.zeros(0)
        self._dense_coef_t = np.zeros((0, 0))

    @property
    def labels(self) -> list[str]:
        """The intents this classifier can predict, sorted."""
        return list(self._labels)

    @property
    def is_trained(self) -> bool:
        """Whether :meth:`train` has run."""
        return bool(self._labels)

    def _features(self, normalised: list[str], fit: bool = False) -> Any:
        text = self._text.fit_transform(normalised) if fit else self._text.transform(normalised)
        if not self._embedders:
            return text
        dense = encoder_features(self._embedders, [encoder_text(t) for t in normalised])
        return sparse.hstack([text, sparse.csr_matrix(dense)], format="csr")

    def train(self, texts: list[str], labels: list[str]) -> IntentClassifier:
        """Fit on ``texts`` labelled with intent names; return ``self``.

        Raises ``ValueError`` when the inputs differ in length or hold fewer than two labels.
        """
        if len(texts) != len(labels):
            raise ValueError("texts and labels must have the same length")
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two distinct labels")
        self.engine = engine_name(self.encoder, self.models)
        self._embedders = _load_embedders(self.engine)
        normalised = [normalise_text(text) for text in texts]
        self._text = TextFeatures()
        features = self._features(normalised, fit=True)
        model = _build_model()
        model.fit(features, labels)
        self._labels = [str(label) for label in model.classes_]
        self._model = model
        self._calibrate(features, labels)
        self._prepare_scorer()
        return self

    def _calibrate(self, features: Any, labels: list[str]) -> None:
        """Fit the temperature and the rejection threshold on out-of-fold scores."""
        gold = np.searchsorted(np.array(self._labels), np.array(labels))
        smallest = int(np.bincount(gold).min())
        folds = min(CALIBRATION_FOLDS, smallest)
        self.temperature, self.rejection_threshold = 1.0, None
        if folds < 2:
            return
        scores = np.zeros((len(labels), len(self._labels)))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
        for train_index, test_index in splitter.split(np.zeros(len(gold)), gold):
            model = clone(_build_model()).fit(features[train_index], gold[train_index])
            fold_scores = _decision_scores(model, features[test_index])
            scores[np.ix_(test_index, model.classes_)] = fold_scores
            absent = np.setdiff1d(np.arange(len(self._labels)), model.classes_)
            scores[np.ix_(test_index, absent)] = fold_scores.min() - 1.0
        self.temperature = fit_temperature(scores, gold)
        out_of_scope = [i for i, name in enumerate(self._labels) if name in OUT_OF_SCOPE_LABELS]
        if out_of_scope:
            probabilities = softmax(scores, self.temperature)
            self.rejection_threshold = fit_rejection_threshold(probabilities, gold, out_of_scope[0])

    def _prepare_scorer(self) -> None:
        assert self._model is not None
        coef = np.asarray(self._model.coef_, dtype=np.float64)
        intercept = np.asarray(self._model.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:
            coef = np.vstack([-coef, coef]) / 2.0
            intercept = np.array([-intercept[0], intercept[0]]) / 2.0
        width = self._text.width
        self._intercept = intercept
        self._scorer = SparseTextScorer(self._text, np.ascontiguousarray(coef[:, :width].T))
        self._dense_coef_t = np.ascontiguousarray(coef[:, width:].T)

    @classmethod
    def from_catalogue(
        cls, catalogue: IntentCatalogue, encoder: EncoderMode = "auto"
    ) -> IntentClassifier:
        """Train a new classifier on every example of ``catalogue``."""
        texts, labels = catalogue.training_data()
        classifier = cls(encoder).train(texts, labels)
        classifier.fingerprint = catalogue.fingerprint
        return classifier

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Return an ``(n_texts, n_labels)`` array of probabilities, columns as :attr:`labels`."""
        if self._model is None:
            raise RuntimeError("the intent classifier has not been trained")
        normalised = [normalise_text(text) for text in texts]
        scores = _decision_scores(self._model, self._features(normalised))
        return softmax(scores, self.temperature)

    def _prediction(self, row: np.ndarray) -> IntentPrediction:
        order = np.argsort(-row, kind="stable")[:TOP_K]
        ranking = [(self._labels[i], round(float(row[i]), 6)) for i in order]
        return IntentPrediction(ranking[0][0], ranking[0][1], ranking)

    def predict(self, text: str) -> IntentPrediction:
        """Classify one message."""
        if self._scorer is None:
            raise RuntimeError("the intent classifier has not been trained")
        normalised = normalise_text(text)
        scores = self._intercept.copy()
        self._scorer.add_scores(normalised, scores)
        if self._embedders:
            dense = encoder_features(self._embedders, [encoder_text(normalised)])[0]
            scores += dense.astype(np.float64) @ self._dense_coef_t
        return self._prediction(softmax(scores, self.temperature))

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
            "engine": self.engine,
            "encoder_layers": INTENT_ENCODER_LAYERS,
            "fingerprint": self.fingerprint,
            "labels": self._labels,
            "text": self._text,
            "model": self._model,
            "temperature": self.temperature,
            "rejection_threshold": self.rejection_threshold,
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
        Raises ``ValueError`` when the file is not a classifier of the current version, and
        :class:`tools.embeddings.pretrained.PretrainedEncoderUnavailable` when it was trained
        with the pretrained encoder and that is not installed.
        """
        payload = joblib.load(Path(path))
        if (
            not isinstance(payload, dict)
            or payload.get("format") != _FORMAT
            or payload.get("model_version") != MODEL_VERSION
            or payload.get("sklearn_version") != sklearn.__version__
            or payload.get("encoder_layers") != INTENT_ENCODER_LAYERS
        ):
            raise ValueError(f"{path} is not a compatible intent classifier")
        engine = str(payload["engine"])
        models = engine.split("+")[1:]
        classifier = cls("on" if models else "off", models)
        classifier.engine = engine
        classifier._embedders = _load_embedders(engine)
        classifier._text = payload["text"]
        classifier._model = payload["model"]
        classifier._labels = list(payload["labels"])
        classifier.temperature = float(payload["temperature"])
        classifier.rejection_threshold = payload["rejection_threshold"]
        classifier.fingerprint = payload["fingerprint"]
        classifier._prepare_scorer()
        return classifier

    @staticmethod
    def cache_path(
        catalogue: IntentCatalogue,
        cache_dir: str | Path,
        encoder: EncoderMode = "auto",
        models: Sequence[str] | None = None,
    ) -> Path:
        """Where :meth:`load_or_train` caches the model for ``catalogue``."""
        engine = engine_name(encoder, models)
        key = f"{catalogue.fingerprint}:{sklearn.__version__}:{MODEL_VERSION}:{engine}"
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
        return Path(cache_dir) / f"intent-{digest}.joblib"

    @classmethod
    def load_or_train(
        cls,
        catalogue: IntentCatalogue,
        cache_dir: str | Path | None = None,
        encoder: EncoderMode = "auto",
    ) -> IntentClassifier:
        """Return a classifier for ``catalogue``, reusing a cached model when one matches.

        The cache key combines the catalogue's fingerprint, the scikit-learn version,
        :data:`MODEL_VERSION` and the feature set (with or without the pretrained encoder),
        so editing the catalogue, upgrading scikit-learn or installing the encoder retrains.
        ``cache_dir`` defaults to the ``cache_dir`` setting. An unreadable cache file is
        replaced; a cache folder that cannot be written only costs the cache.
        """
        if cache_dir is None:
            from config.settings import get_settings

            cache_dir = get_settings().cache_dir
        path = cls.cache_path(catalogue, cache_dir, encoder)
        if path.exists():
            try:
                classifier = cls.load(path)
                if classifier.fingerprint == catalogue.fingerprint:
                    return classifier
            except Exception as error:  # a corrupt or foreign cache file is rebuilt
                logger.warning("ignoring intent classifier cache %s: %s", path, error)
        classifier = cls.from_catalogue(catalogue, encoder)
        try:
            classifier.save(path)
        except OSError as error:
            logger.warning("could not cache intent classifier at %s: %s", path, error)
        return classifier
