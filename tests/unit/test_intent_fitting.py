"""Fitting the intent classifier's models: which head, and in worker processes or not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from prompts.catalogue import load_catalogue
from tools.intent import IntentClassifier, fitting
from tools.intent.calibration import assemble_out_of_fold
from tools.intent.fitting import PARALLEL_MIN_NONZEROS, Fit, run_fits


def test_worker_processes_fit_exactly_the_in_process_models() -> None:
    texts, labels = load_catalogue().training_data()
    alone = IntentClassifier("off", workers=1).train(texts, labels)
    side_by_side = IntentClassifier("off", workers=2).train(texts, labels)
    assert alone._model is not None and side_by_side._model is not None
    assert np.array_equal(alone._model.coef_, side_by_side._model.coef_)
    assert alone.temperature == side_by_side.temperature
    assert alone.rejection_threshold == side_by_side.rejection_threshold
    assert alone.labels == side_by_side.labels
    for text in texts[:20]:
        assert alone.predict(text) == side_by_side.predict(text)


def test_results_come_back_in_the_order_the_fits_were_given() -> None:
    generator = np.random.default_rng(3)
    features = generator.normal(size=(60, 4))
    labels = (features[:, 0] > 0).astype(int)
    held_out = np.arange(50, 60)
    fits = [
        Fit(features, labels, np.arange(0, 20), held_out),
        Fit(features, labels),  # the largest: started first, returned second
        Fit(features, labels, np.arange(0, 40), held_out),
    ]
    in_process, in_workers = run_fits(fits, workers=1), run_fits(fits, workers=3)
    for one, other in zip(in_process, in_workers, strict=True):
        if isinstance(one, tuple):
            assert isinstance(other, tuple)
            assert np.array_equal(one[0], other[0]) and np.array_equal(one[1], other[1])
        else:
            assert not isinstance(other, tuple)
            assert np.array_equal(one.coef_, other.coef_)
    assert not isinstance(in_workers[1], tuple)


def test_small_problems_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_workers(*args: object, **kwargs: object) -> None:
        raise AssertionError("worker processes started for a small problem")

    monkeypatch.setattr(fitting, "Parallel", no_workers)
    features = np.eye(6)[np.arange(40) % 6]
    labels = np.arange(40) % 2
    assert features.size * 2 < PARALLEL_MIN_NONZEROS
    results = run_fits([Fit(features, labels), Fit(features, labels)])
    assert len(results) == 2
    with pytest.raises(AssertionError, match="worker processes"):
        run_fits([Fit(features, labels), Fit(features, labels)], workers=2)


def test_a_class_missing_from_a_fold_scores_below_every_other() -> None:
    held_out = [np.array([0, 1]), np.array([2])]
    results = [
        (np.array([0, 2]), np.array([[1.0, -1.0], [0.5, 0.2]])),
        (np.array([0, 1, 2]), np.array([[0.1, 0.2, 0.3]])),
    ]
    scores = assemble_out_of_fold(held_out, results, n_rows=3, n_labels=3)
    assert scores[0].tolist() == [1.0, -2.0, -1.0]
    assert scores[1].tolist() == [0.5, -2.0, 0.2]
    assert scores[2].tolist() == [0.1, 0.2, 0.3]


def test_the_svm_is_the_default_and_logistic_regression_is_kept_when_loaded(
    tmp_path: Path,
) -> None:
    texts, labels = load_catalogue().training_data()
    default = IntentClassifier("off", workers=1).train(texts, labels)
    assert default.head == "svm" and isinstance(default._model, LinearSVC)
    classifier = IntentClassifier("off", workers=1, head="logistic").train(texts, labels)
    assert classifier.head == "logistic"
    assert isinstance(classifier._model, LogisticRegression)
    loaded = IntentClassifier.load(classifier.save(tmp_path / "intent.joblib"))
    assert loaded.head == "logistic" and isinstance(loaded._model, LogisticRegression)
    for text in ["where is my order", "I want a refund", "cancel it please"]:
        assert loaded.predict(text) == classifier.predict(text)
        row = classifier.predict_proba([text])[0]
        assert abs(row.sum() - 1.0) < 1e-9
        assert classifier.predict(text).confidence == round(float(row.max()), 6)
