"""A fast local intent classifier that learns any taxonomy from the catalogue's examples.

Features are TF-IDF word 1-2 grams and character 2-5 grams (robust to typos) and, when a
pretrained encoder is installed, mean-pooled layers of a sentence encoder (the bundled int8
all-MiniLM-L6-v2, or all-MiniLM-L6-v2 / all-mpnet-base-v2 from the ``encoder`` /
``encoder-mpnet`` extras; see :mod:`tools.intent.features`). A linear SVM scores every
intent (or, on request, logistic regression; see :mod:`tools.intent.fitting`); its scores
become probabilities through a softmax whose temperature is fitted on out-of-fold scores
of the training examples, so confidences are calibrated and the router can hand unsure
messages to a language model. When the taxonomy has an out-of-scope class, a rejection
threshold on that confidence is tuned on the same out-of-fold scores (never on evaluation
data).

With an encoder, a second SVM on the TF-IDF block alone answers the messages it is sure of
and only the others are encoded (see :mod:`tools.intent.cascade`): the encoder's accuracy
at a fraction of its cost per message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import sklearn
from scipy import sparse

from tools.intent.calibration import (
    assemble_out_of_fold,
    calibration_splits,
    decision_scores,
    fit_temperature,
    softmax,
)
from tools.intent.cascade import combine, fit_cascade_threshold
from tools.intent.engines import (
    DEFAULT_PREFERENCES,
    TFIDF_ENGINE,
    EncoderMode,
    encoder_models,
    engine_name,
    load_embedders,
)
from tools.intent.features import (
    INTENT_ENCODER_LAYERS,
    SparseTextScorer,
    TextFeatures,
    encoder_features,
    prepare_encoders,
)
from tools.intent.fitting import (
    RANDOM_STATE,
    Fit,
    Head,
    LinearModel,
    linear_parts,
    run_fits,
)
from tools.intent.label_names import with_label_names
from tools.intent.normalise import encoder_text, normalise_text
from tools.intent.prediction import IntentPrediction
from tools.intent.rejection import OUT_OF_SCOPE_LABELS, fit_rejection_threshold
from tools.intent.storage import read_payload, write_payload

if TYPE_CHECKING:
    from prompts.catalogue import IntentCatalogue
    from tools.embeddings.base import SentenceEncoder

logger = logging.getLogger(__name__)

__all__ = ["EncoderMode", "IntentClassifier", "IntentPrediction", "encoder_models", "engine_name"]

MODEL_VERSION = 9
"""Bumped whenever features or hyper-parameters change, so cached models are retrained."""

TOP_K = 3
"""How many intents a prediction's ranking holds."""

CALIBRATION_FOLDS = 3
"""Folds of the out-of-fold scores that fit the temperature and the rejection threshold."""

CASCADE_MIN_EXAMPLES = 12
"""Fewest examples of every intent for the TF-IDF first stage (see :mod:`tools.intent.cascade`).

Its threshold is fitted on out-of-fold predictions; with only a few examples per intent they
are too noisy. On Banking77 (5 folds, examples drawn from the other folds) the cascade gives
up 0.6 point of accuracy at 10 examples per intent, 0.2 at 12, 0.3 at 16 and 0.2 at 20
(`python -m bench.intent_fewshot --shots N`, with and without `--no-cascade`), so from 12
examples on sure messages skip the encoder. The bundled catalogue's smallest intent has 12.
"""


def _versions() -> dict[str, Any]:
    """What a saved classifier must have been written with to be loaded."""
    return {
        "model_version": MODEL_VERSION,
        "sklearn_version": sklearn.__version__,
        "encoder_layers": INTENT_ENCODER_LAYERS,
    }


class IntentClassifier:
    """TF-IDF n-grams (plus pretrained sentence features when installed) and a linear SVM."""

    def __init__(
        self,
        encoder: EncoderMode = "auto",
        models: Sequence[str] | None = None,
        cascade: bool = True,
        *,
        label_names: bool = True,
        workers: int | None = None,
        head: Head | None = None,
    ) -> None:
        """Create an untrained classifier; ``encoder`` and ``models`` choose the feature set.

        ``models`` names the pretrained encoders to consider (see :func:`encoder_models`);
        ``cascade=False`` encodes every message instead of letting TF-IDF answer sure ones.
        ``label_names`` adds each intent's name as an example (see
        :mod:`tools.intent.label_names`). ``workers`` caps the processes fitting SVMs at once
        (default: see :func:`tools.intent.fitting.run_fits`). ``head`` chooses the linear
        model (default: the SVM).
        """
        self.encoder: EncoderMode = encoder
        self.models = tuple(models) if models is not None else None
        self.cascade = cascade
        self.label_names = label_names
        self.workers = workers
        self.engine = TFIDF_ENGINE
        """The feature set in use: TF-IDF alone, or TF-IDF plus the pretrained encoder."""
        self.temperature = 1.0
        """Softmax temperature applied to the SVM scores (fitted on out-of-fold scores)."""
        self.rejection_threshold: float | None = None
        """Confidence below which a message is better treated as out of scope.

        Fitted only when the training labels include an out-of-scope class, else ``None``.
        """
        self.fast_temperature = 1.0
        """Temperature of the TF-IDF-only first stage (with an encoder)."""
        self.cascade_threshold: float | None = None
        """The first stage answers when its confidence reaches this; None: never."""
        self.fingerprint: str | None = None
        """Fingerprint of the catalogue this model was trained from, if any."""
        self._text = TextFeatures()
        self._embedders: list[SentenceEncoder] = []
        self.requested_head = head
        self.head: Head = head or "svm"
        """The linear model: the SVM, or logistic regression when asked for."""
        self._model: LinearModel | None = None
        self._fast: LinearModel | None = None
        self._labels: list[str] = []
        self._scorer: SparseTextScorer | None = None
        self._intercept = np.zeros(0)
        self._fast_intercept = np.zeros(0)
        self._dense_coef_t = np.zeros((0, 0))

    @property
    def labels(self) -> list[str]:
        """The intents this classifier can predict, sorted."""
        return list(self._labels)

    @property
    def is_trained(self) -> bool:
        """Whether :meth:`train` has run."""
        return bool(self._labels)

    def _with_encoders(self, text: Any, normalised: list[str]) -> Any:
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
        self._embedders = load_embedders(self.engine)
        if self.label_names:
            texts, labels = with_label_names(list(texts), [str(label) for label in labels])
        normalised = [normalise_text(text) for text in texts]
        self._text = TextFeatures()
        text = self._text.fit_transform(normalised)
        features = self._with_encoders(text, normalised)
        classes, gold = np.unique(np.asarray(labels), return_inverse=True)
        self._labels = [str(label) for label in classes]
        shape = (len(gold), len(classes))
        smallest = int(np.bincount(gold).min())
        use_fast = self.cascade and bool(self._embedders) and smallest >= CASCADE_MIN_EXAMPLES
        folds = min(CALIBRATION_FOLDS, smallest)
        splits = calibration_splits(gold, folds, RANDOM_STATE) if folds >= 2 else []
        self.head = self.requested_head or "svm"
        blocks = [features, text] if use_fast else [features]
        fits = [Fit(block, gold, head=self.head) for block in blocks]
        fits += [
            Fit(block, gold, rows, held_out, self.head)
            for block in blocks
            for rows, held_out in splits
        ]
        results = run_fits(fits, self.workers)
        models = [cast(LinearModel, result) for result in results[: len(blocks)]]
        self._model, self._fast = models[0], (models[1] if use_fast else None)
        held_out = [rows for _, rows in splits]
        per_fold = [cast(tuple[np.ndarray, np.ndarray], r) for r in results[len(blocks) :]]
        folds_of = [per_fold[i * len(splits) : (i + 1) * len(splits)] for i in range(len(blocks))]
        out_of_fold = (
            [assemble_out_of_fold(held_out, f, *shape) for f in folds_of] if splits else []
        )
        self._calibrate(out_of_fold, gold)
        self._prepare_scorer()
        return self

    def _calibrate(self, out_of_fold: list[np.ndarray], gold: np.ndarray) -> None:
        """Fit temperatures, the cascade and rejection thresholds on out-of-fold scores.

        ``out_of_fold`` holds the full model's scores and, with the cascade, the first
        stage's; it is empty when an intent has too few examples for two folds.
        """
        self.temperature, self.rejection_threshold = 1.0, None
        self.fast_temperature, self.cascade_threshold = 1.0, None
        if not out_of_fold:
            return
        self.temperature = fit_temperature(out_of_fold[0], gold)
        probabilities = softmax(out_of_fold[0], self.temperature)
        if self._fast is not None:
            self.fast_temperature = fit_temperature(out_of_fold[1], gold)
            fast = softmax(out_of_fold[1], self.fast_temperature)
            self.cascade_threshold = fit_cascade_threshold(fast, probabilities, gold)
            probabilities = combine(fast, probabilities, self.cascade_threshold)
        out_of_scope = [i for i, name in enumerate(self._labels) if name in OUT_OF_SCOPE_LABELS]
        if out_of_scope:
            self.rejection_threshold = fit_rejection_threshold(probabilities, gold, out_of_scope[0])

    def _prepare_scorer(self) -> None:
        """Lay out the weights for single-message scoring: both stages in one text pass."""
        assert self._model is not None
        coef, self._intercept = linear_parts(self._model)
        width = self._text.width
        text_coef = [coef[:, :width]]
        if self._fast is not None:
            fast_coef, self._fast_intercept = linear_parts(self._fast)
            text_coef.append(fast_coef)
        self._scorer = SparseTextScorer(self._text, np.ascontiguousarray(np.vstack(text_coef).T))
        self._dense_coef_t = np.ascontiguousarray(coef[:, width:].T)

    @classmethod
    def from_catalogue(
        cls,
        catalogue: IntentCatalogue,
        encoder: EncoderMode = "auto",
        models: Sequence[str] | None = None,
    ) -> IntentClassifier:
        """Train a new classifier on every example of ``catalogue``."""
        texts, labels = catalogue.training_data()
        classifier = cls(encoder, models).train(texts, labels)
        classifier.fingerprint = catalogue.fingerprint
        return classifier

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Return an ``(n_texts, n_labels)`` array of probabilities, columns as :attr:`labels`.

        With the cascade, rows the first stage is sure of carry its probabilities, and only
        the other texts are encoded.
        """
        if self._model is None:
            raise RuntimeError("the intent classifier has not been trained")
        normalised = [normalise_text(text) for text in texts]
        text = self._text.transform(normalised)
        if self._fast is None:
            scores = decision_scores(self._model, self._with_encoders(text, normalised))
            return softmax(scores, self.temperature)
        fast = softmax(decision_scores(self._fast, text), self.fast_temperature)
        threshold = self.cascade_threshold
        rest = np.arange(len(texts))
        if threshold is not None:
            rest = np.flatnonzero(fast.max(axis=1) < threshold)
        result = fast.copy()
        if len(rest):
            features = self._with_encoders(text[rest], [normalised[i] for i in rest])
            result[rest] = softmax(decision_scores(self._model, features), self.temperature)
        return result

    def fast_stage_answers(self, texts: list[str]) -> float:
        """The share of ``texts`` the TF-IDF first stage answers (0 without the cascade)."""
        if self._fast is None or self.cascade_threshold is None or not texts:
            return 0.0
        text = self._text.transform([normalise_text(t) for t in texts])
        fast = softmax(decision_scores(self._fast, text), self.fast_temperature)
        return float(np.mean(fast.max(axis=1) >= self.cascade_threshold))

    def _prediction(self, row: np.ndarray) -> IntentPrediction:
        order = np.argsort(-row, kind="stable")[:TOP_K]
        ranking = [(self._labels[i], round(float(row[i]), 6)) for i in order]
        return IntentPrediction(ranking[0][0], ranking[0][1], ranking)

    def predict(self, text: str) -> IntentPrediction:
        """Classify one message."""
        if self._scorer is None:
            raise RuntimeError("the intent classifier has not been trained")
        normalised = normalise_text(text)
        width = len(self._labels)
        both = np.zeros(width * (2 if self._fast is not None else 1))
        self._scorer.add_scores(normalised, both)
        if self._fast is not None and self.cascade_threshold is not None:
            fast = softmax(both[width:] + self._fast_intercept, self.fast_temperature)
            if fast.max() >= self.cascade_threshold:
                return self._prediction(fast)
        scores = both[:width] + self._intercept
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
        payload = {
            **_versions(),
            "engine": self.engine,
            "fingerprint": self.fingerprint,
            "labels": self._labels,
            "text": self._text,
            "head": self.head,
            "model": self._model,
            "fast_model": self._fast,
            "fast_temperature": self.fast_temperature,
            "cascade_threshold": self.cascade_threshold,
            "temperature": self.temperature,
            "rejection_threshold": self.rejection_threshold,
        }
        return write_payload(payload, path)

    @classmethod
    def load(cls, path: str | Path) -> IntentClassifier:
        """Read a classifier written by :meth:`save`.

        Only load files this process or a trusted deployment wrote: the format is a pickle.
        Raises ``ValueError`` when the file is not a classifier of the current version, and
        :class:`tools.embeddings.pretrained.PretrainedEncoderUnavailable` when it was trained
        with the pretrained encoder and that is not installed.
        """
        payload = read_payload(path, _versions())
        engine = str(payload["engine"])
        models = engine.split("+")[1:]
        classifier = cls("on" if models else "off", models)
        classifier.engine = engine
        classifier._embedders = load_embedders(engine)
        prepare_encoders(classifier._embedders)
        classifier._text = payload["text"]
        classifier.head = payload["head"]
        classifier._model = payload["model"]
        classifier._fast = payload["fast_model"]
        classifier.fast_temperature = float(payload["fast_temperature"])
        classifier.cascade_threshold = payload["cascade_threshold"]
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
        cache_dir: str | Path,
        encoder: EncoderMode = "auto",
        preferences: Sequence[str] = DEFAULT_PREFERENCES,
    ) -> IntentClassifier:
        """Return a classifier for ``catalogue``, reusing a cached model when one matches.

        The cache key combines the catalogue's fingerprint, the scikit-learn version,
        :data:`MODEL_VERSION` and the feature set (with or without the pretrained encoder),
        so editing the catalogue, upgrading scikit-learn or installing the encoder retrains.
        ``preferences`` lists the encoder choices in order (the first installed is used).
        An unreadable cache file is replaced; a cache folder that cannot be written only
        costs the cache.
        """
        models = encoder_models(encoder, None, preferences)
        path = cls.cache_path(catalogue, cache_dir, encoder, models)
        if path.exists():
            try:
                classifier = cls.load(path)
                if classifier.fingerprint == catalogue.fingerprint:
                    return classifier
            except Exception as error:  # a corrupt or foreign cache file is rebuilt
                logger.warning("ignoring intent classifier cache %s: %s", path, error)
        classifier = cls.from_catalogue(catalogue, encoder, models)
        try:
            classifier.save(path)
        except OSError as error:
            logger.warning("could not cache intent classifier at %s: %s", path, error)
        return classifier
