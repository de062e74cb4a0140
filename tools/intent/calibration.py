"""Confidence calibration for the intent classifier: temperature scaling and its yardsticks.

A linear model's scores are turned into probabilities by a softmax at a temperature fitted
on out-of-fold scores of the training set, so that a confidence of 0.8 is right about 80%
of the time. The router relies on that when it hands unsure messages to a language model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.model_selection import StratifiedKFold


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``scores / temperature``."""
    scaled = np.asarray(scores, dtype=np.float64) / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return np.asarray(exp / exp.sum(axis=-1, keepdims=True))


def negative_log_likelihood(probabilities: np.ndarray, gold: np.ndarray) -> float:
    """Mean negative log-probability of the gold class (``gold`` holds column indices)."""
    picked = probabilities[np.arange(len(gold)), gold]
    return float(-np.mean(np.log(np.clip(picked, 1e-12, None))))


def fit_temperature(scores: np.ndarray, gold: np.ndarray) -> float:
    """Return the temperature minimising the negative log-likelihood of ``gold``.

    Searched on a log scale between 0.01 and 100, which covers both SVM margins and
    logistic-regression logits.
    """
    if len(gold) == 0:
        return 1.0

    def loss(log_temperature: float) -> float:
        return negative_log_likelihood(softmax(scores, float(np.exp(log_temperature))), gold)

    result = minimize_scalar(loss, bounds=(np.log(0.01), np.log(100.0)), method="bounded")
    return float(np.exp(result.x))


def expected_calibration_error(
    confidences: np.ndarray, correct: np.ndarray, bins: int = 15
) -> float:
    """Expected calibration error with ``bins`` equal-width confidence bins.

    The gap between mean confidence and accuracy in each bin, weighted by the bin's share
    of the predictions.
    """
    confidences = np.asarray(confidences, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if len(confidences) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(confidences, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for bin_index in range(bins):
        members = index == bin_index
        if members.any():
            gap = abs(confidences[members].mean() - correct[members].mean())
            error += gap * members.mean()
    return float(error)


def out_of_fold_scores(
    build: Callable[[], Any], features: Any, gold: np.ndarray, n_labels: int, folds: int, seed: int
) -> np.ndarray:
    """Scores of every training row from a model fitted on the other folds.

    ``build`` returns an unfitted linear model; ``gold`` holds class indices. A class absent
    from a fold's training part scores below everything else for that fold's rows.
    """
    scores = np.zeros((len(gold), n_labels))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(gold)), gold):
        model = build().fit(features[train_index], gold[train_index])
        fold_scores = decision_scores(model, features[test_index])
        scores[np.ix_(test_index, model.classes_)] = fold_scores
        absent = np.setdiff1d(np.arange(n_labels), model.classes_)
        scores[np.ix_(test_index, absent)] = fold_scores.min() - 1.0
    return scores


def decision_scores(model: Any, features: Any) -> np.ndarray:
    """A linear model's class scores, with two classes spread over two columns."""
    scores = np.asarray(model.decision_function(features), dtype=np.float64)
    if scores.ndim == 1:  # two classes: one margin, positive for classes_[1]
        scores = np.column_stack([-scores, scores]) / 2.0
    return scores
