"""Out-of-scope rejection: a confidence threshold tuned on the training data only.

A trained out-of-scope class catches the kinds of off-topic messages it has seen; a
threshold on the calibrated confidence catches the rest, where the classifier is unsure
between in-scope intents. The threshold is chosen on out-of-fold probabilities of the
training examples, never on evaluation data.
"""

from __future__ import annotations

import numpy as np

OUT_OF_SCOPE_LABELS = ("out_of_scope", "oos")
"""Intent names treated as "not something this deployment handles"."""

CANDIDATE_THRESHOLDS = np.round(np.arange(0.0, 0.96, 0.01), 2)
"""Thresholds tried, in steps of 0.01."""

ACCURACY_BUDGET = 0.01
"""In-scope accuracy (out-of-fold) the threshold may give up to reject off-topic messages.

Answering fewer in-scope questions costs a hand-off; guessing on an off-topic one costs a
wrong answer, so one point of accuracy is traded for as much out-of-scope recall as it buys.
"""


def rejection_rates(
    probabilities: np.ndarray, gold: np.ndarray, out_of_scope: int, threshold: float
) -> tuple[float, float]:
    """Return (in-scope accuracy, out-of-scope recall) when confidence < threshold rejects.

    A message is rejected when its top class is ``out_of_scope`` or its top probability is
    below ``threshold``; an in-scope message counts as correct only if it is accepted with
    the right intent.
    """
    top = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    rejected = (top == out_of_scope) | (confidence < threshold)
    in_scope = gold != out_of_scope
    accuracy = float(np.mean((top == gold) & ~rejected, where=in_scope)) if in_scope.any() else 0.0
    recall = float(np.mean(rejected, where=~in_scope)) if (~in_scope).any() else 0.0
    return accuracy, recall


def fit_rejection_threshold(
    probabilities: np.ndarray, gold: np.ndarray, out_of_scope: int
) -> float:
    """Return the threshold that rejects the most out-of-scope messages within a budget.

    ``probabilities`` are out-of-fold predictions for the training examples whose class
    indices are ``gold``. Among thresholds that cost at most :data:`ACCURACY_BUDGET` of
    in-scope accuracy (compared with no threshold), the one with the highest out-of-scope
    recall wins; ties go to the lower threshold, which keeps more answers.
    """
    baseline, _ = rejection_rates(probabilities, gold, out_of_scope, 0.0)
    best, best_recall = 0.0, -1.0
    for threshold in CANDIDATE_THRESHOLDS:
        accuracy, recall = rejection_rates(probabilities, gold, out_of_scope, float(threshold))
        if accuracy >= baseline - ACCURACY_BUDGET and recall > best_recall + 1e-9:
            best, best_recall = float(threshold), recall
    return best
