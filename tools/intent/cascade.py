"""A fast first stage: TF-IDF alone answers the messages it is sure of, the encoder the rest.

A pretrained encoder costs tens to hundreds of milliseconds per message on a CPU, the TF-IDF
model under one. Most support messages are easy: where the TF-IDF model's calibrated
confidence is high it is as accurate as the model with encoder features, so those messages
skip the encoder. The threshold is chosen on out-of-fold predictions of the training set:
the lowest one at which the cascade is as accurate as the full model alone, give or take
:data:`ACCURACY_BUDGET`.
"""

from __future__ import annotations

import numpy as np

CANDIDATE_THRESHOLDS = np.round(np.arange(0.5, 1.0, 0.01), 2)
"""Confidence thresholds of the fast stage that are tried, in steps of 0.01."""

ACCURACY_BUDGET = 0.001
"""Out-of-fold accuracy (0.1 point) the cascade may give up to skip the encoder.

Exact equality would hinge on a single training row in small catalogues.
"""


def cascade_accuracy(
    fast: np.ndarray, full: np.ndarray, gold: np.ndarray, threshold: float
) -> tuple[float, float]:
    """Return (accuracy, share answered by the fast stage) of the cascade at ``threshold``.

    ``fast`` and ``full`` are the two stages' probabilities for rows whose classes are
    ``gold``; a row goes to the full model when the fast stage's top probability is lower.
    """
    answered = fast.max(axis=1) >= threshold
    predicted = np.where(answered, fast.argmax(axis=1), full.argmax(axis=1))
    return float(np.mean(predicted == gold)), float(np.mean(answered))


def fit_cascade_threshold(fast: np.ndarray, full: np.ndarray, gold: np.ndarray) -> float | None:
    """The lowest threshold whose cascade is as accurate as ``full`` alone, or None if none is.

    "As accurate" allows :data:`ACCURACY_BUDGET` less.

    Both probability arrays are out-of-fold predictions of the training rows.
    """
    baseline = float(np.mean(full.argmax(axis=1) == gold))
    for threshold in CANDIDATE_THRESHOLDS:
        accuracy, _ = cascade_accuracy(fast, full, gold, float(threshold))
        if accuracy >= baseline - ACCURACY_BUDGET - 1e-12:
            return float(threshold)
    return None


def combine(fast: np.ndarray, full: np.ndarray, threshold: float | None) -> np.ndarray:
    """Each row from the fast stage where it is sure enough, else from the full model."""
    if threshold is None:
        return full
    answered = fast.max(axis=1, keepdims=True) >= threshold
    return np.where(answered, fast, full)
