"""Accuracy floors of the intent engine on public datasets (skipped when they are absent).

The floors sit a little below what the benchmarks in ``bench/intent_*.py`` measure, so a
change that degrades the engine fails here. The Bitext floors run that benchmark itself
(:func:`bench.intent_bitext.run`); Banking77's uses its loader with one 80/20 split instead
of the five folds, to stay short. They use the default TF-IDF engine, and the
pretrained-encoder engine where it is installed and the run stays short.
"""

from __future__ import annotations

import pytest

from bench import intent_bitext
from bench.intent_common import (
    DEFAULT_DATASETS,
    DatasetMissing,
    IntentOptions,
    load_banking77,
    new_classifier,
)
from bench.result import BenchmarkResult
from tools.embeddings.pretrained import EXTRA_HINT, pretrained_available

pytestmark = pytest.mark.datasets


def _bitext(encoder: str) -> BenchmarkResult:
    result = intent_bitext.run(DEFAULT_DATASETS, IntentOptions(encoder=encoder))  # type: ignore[arg-type]
    if result.status == "skipped":
        pytest.skip(result.reason)
    assert result.status == "ok"
    return result


def test_bitext_default_engine_floor() -> None:
    result = _bitext("off")
    assert result.details["engine"] == "tfidf-svm"
    assert result.metrics["accuracy"] >= 0.98


@pytest.mark.skipif(not pretrained_available(), reason=f"encoder not installed ({EXTRA_HINT})")
def test_bitext_encoder_engine_floor() -> None:
    result = _bitext("on")
    assert result.details["engine"].startswith("tfidf-svm+")  # the first installed choice
    assert result.metrics["accuracy"] >= 0.98


def test_banking77_default_engine_floor() -> None:
    from sklearn.model_selection import train_test_split

    try:
        texts, labels = load_banking77(DEFAULT_DATASETS)
    except DatasetMissing as error:
        pytest.skip(str(error))
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, stratify=labels, random_state=0
    )
    classifier = new_classifier(IntentOptions(encoder="off")).train(train_x, train_y)
    predictions = classifier.predict_batch(test_x)
    accuracy = sum(p.intent == g for p, g in zip(predictions, test_y, strict=True)) / len(test_y)
    assert accuracy >= 0.88
