"""Confidence calibration for the intent classifier: temperature scaling and its yardsticks.

A linear model's scores are turned into probabilities by a softmax at a temperature fitted
on out-of-fold scores of the training set, so that a confidence of 0.8 is right about 80%
of the time. The router relies on that when it hands unsure messages to a language model.
"""

from __future__ import annotations

from collections.abc import Sequence
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


def calibration_splits(
    gold: np.ndarray, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified ``(train rows, held-out rows)`` pairs covering every row once as held out."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(gold)), gold))


def assemble_out_of_fold(
    held_out: Sequence[np.ndarray],
    results: Sequence[tuple[np.ndarray, np.ndarray]],
    n_rows: int,
    n_labels: int,
) -> np.ndarray:
    """Scores of every training row from the model fitted without its fold.

    ``held_out`` lists each fold's rows and ``results`` each fold model's ``(classes,
    scores)`` for them, classes being column indices. A class absent from a fold's
    training part scores below everything else for that fold's rows.
    """
    scores = np.zeros((n_rows, n_labels))
    for rows, (classes, fold_scores) in zip(held_out, results, strict=True):
        scores[np.ix_(rows, classes)] = fold_scores
        absent = np.setdiff1d(np.arange(n_labels), classes)
        scores[np.ix_(rows, absent)] = fold_scores.min() - 1.0
    return scores


def decision_scores(model: Any, features: Any) -> np.ndarray:
    """A linear model's class scores, with two classes spread over two columns."""
    scores = np.asarray(model.decision_function(features), dtype=np.float64)
    if scores.ndim == 1:  # two classes: one margin, positive for classes_[1]
        scores = np.column_stack([-scores, scores]) / 2.0
    return scores
