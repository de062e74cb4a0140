"""Confidence calibration and out-of-scope rejection of the intent classifier."""

from __future__ import annotations

import numpy as np
import pytest

from tools.intent import IntentClassifier, IntentPrediction
from tools.intent.calibration import (
    expected_calibration_error,
    fit_temperature,
    negative_log_likelihood,
    softmax,
)
from tools.intent.rejection import fit_rejection_threshold, rejection_rates


def test_softmax_rows_sum_to_one_and_temperature_flattens() -> None:
    scores = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    sharp, flat = softmax(scores, 0.5), softmax(scores, 4.0)
    assert np.allclose(sharp.sum(axis=1), 1.0)
    assert np.allclose(flat.sum(axis=1), 1.0)
    assert sharp[0, 0] > softmax(scores)[0, 0] > flat[0, 0] > 1 / 3


def test_fit_temperature_recovers_the_generating_temperature() -> None:
    generator = np.random.default_rng(0)
    logits = generator.normal(scale=3.0, size=(4000, 5))
    probabilities = softmax(logits)
    gold = np.array([generator.choice(5, p=row) for row in probabilities])
    # Scores ten times too large need a temperature of about ten.
    temperature = fit_temperature(logits * 10.0, gold)
    assert temperature == pytest.approx(10.0, rel=0.15)
    assert negative_log_likelihood(softmax(logits * 10.0, temperature), gold) < (
        negative_log_likelihood(softmax(logits * 10.0), gold)
    )


def test_expected_calibration_error() -> None:
    confidences = np.array([0.9] * 10 + [0.6] * 10)
    correct = np.array([1] * 9 + [0] + [1] * 6 + [0] * 4)
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.0)
    overconfident = np.ones(10)
    half_right = np.array([1, 0] * 5)
    assert expected_calibration_error(overconfident, half_right) == pytest.approx(0.5)
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0


def test_rejection_threshold_trades_in_scope_accuracy_for_recall() -> None:
    # Class 2 is out of scope. In-scope rows are confident; out-of-scope rows are unsure.
    probabilities = np.array(
        [[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.8, 0.1, 0.1], [0.5, 0.4, 0.1], [0.4, 0.5, 0.1]]
    )
    gold = np.array([0, 1, 0, 2, 2])
    assert rejection_rates(probabilities, gold, 2, 0.0) == (1.0, 0.0)
    assert rejection_rates(probabilities, gold, 2, 0.85) == (pytest.approx(2 / 3), 1.0)
    threshold = fit_rejection_threshold(probabilities, gold, 2)
    assert 0.5 < threshold <= 0.8
    assert rejection_rates(probabilities, gold, 2, threshold) == (1.0, 1.0)


def _toy_data(with_oos: bool) -> tuple[list[str], list[str]]:
    topics = {
        "balance": ["what is my balance", "how much money do i have", "show my balance"],
        "transfer": ["send money to john", "transfer funds to savings", "wire cash to mum"],
        "card": ["my card is lost", "block my card", "my card was stolen"],
    }
    texts: list[str] = []
    labels: list[str] = []
    for label, phrases in topics.items():
        for phrase in phrases:
            for suffix in ("", " please", " now", " today"):
                texts.append(phrase + suffix)
                labels.append(label)
    if with_oos:
        for phrase in ("tell me a joke", "what's the weather", "who won the match"):
            for suffix in ("", " please", " now", " today"):
                texts.append(phrase + suffix)
                labels.append("oos")
    return texts, labels


def test_rejection_threshold_fitted_only_with_an_out_of_scope_class() -> None:
    with_oos = IntentClassifier("off").train(*_toy_data(with_oos=True))
    without = IntentClassifier("off").train(*_toy_data(with_oos=False))
    assert with_oos.rejection_threshold is not None
    assert 0.0 <= with_oos.rejection_threshold < 1.0
    assert without.rejection_threshold is None
    assert with_oos.temperature > 0
    assert with_oos.predict("tell me a joke please").is_out_of_scope


def test_oos_label_counts_as_out_of_scope() -> None:
    assert IntentPrediction("oos", 0.9).is_out_of_scope
    assert IntentPrediction("out_of_scope", 0.9).is_out_of_scope
    assert not IntentPrediction("balance", 0.9).is_out_of_scope


def test_calibrated_confidence_tracks_accuracy_on_held_out_rows() -> None:
    texts, labels = _toy_data(with_oos=False)
    classifier = IntentClassifier("off").train(texts, labels)
    prediction = classifier.predict("how much money is in my account")
    assert prediction.intent == "balance"
    assert 0.34 < prediction.confidence <= 1.0
    assert classifier.predict("block my card please").confidence > 0.5
