"""Accuracy floors of the intent engine on public datasets (skipped when they are absent).

The floors sit a little below what the benchmarks in ``bench/intent_*.py`` measure, so a
change that degrades the engine fails here. They use the default TF-IDF engine, and the
pretrained-encoder engine where it is installed and the run stays short.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tools.embeddings.pretrained import EXTRA_HINT, pretrained_available
from tools.intent import IntentClassifier

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
BITEXT = DATASETS / "bitext"
BANKING77 = DATASETS / "banking77" / "train.csv"

pytestmark = pytest.mark.datasets


def _bitext() -> tuple[list[str], list[str]]:
    files = sorted(BITEXT.glob("*.csv")) if BITEXT.is_dir() else []
    if not files:
        pytest.skip(f"Bitext dataset not found in {BITEXT}")
    with files[0].open(newline="", encoding="utf-8") as handle:
        rows = [(row["instruction"], row["intent"]) for row in csv.DictReader(handle)]
    return [t for t, _ in rows], [label for _, label in rows]


def _held_out_accuracy(
    texts: list[str], labels: list[str], encoder: str
) -> tuple[float, IntentClassifier]:
    from sklearn.model_selection import train_test_split

    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, stratify=labels, random_state=0
    )
    classifier = IntentClassifier(encoder).train(train_x, train_y)  # type: ignore[arg-type]
    predictions = classifier.predict_batch(test_x)
    correct = sum(p.intent == g for p, g in zip(predictions, test_y, strict=True))
    return correct / len(test_y), classifier


def test_bitext_default_engine_floor() -> None:
    accuracy, classifier = _held_out_accuracy(*_bitext(), encoder="off")
    assert classifier.engine == "tfidf-svm"
    assert accuracy >= 0.98


@pytest.mark.skipif(not pretrained_available(), reason=f"encoder not installed ({EXTRA_HINT})")
def test_bitext_encoder_engine_floor() -> None:
    accuracy, classifier = _held_out_accuracy(*_bitext(), encoder="on")
    assert classifier.engine.startswith("tfidf-svm+")  # the first installed encoder choice
    assert accuracy >= 0.98


def test_banking77_default_engine_floor() -> None:
    if not BANKING77.is_file():
        pytest.skip(f"Banking77 not found at {BANKING77}")
    with BANKING77.open(newline="", encoding="utf-8") as handle:
        rows = [(row["text"], row["category"]) for row in csv.DictReader(handle)]
    accuracy, _ = _held_out_accuracy(
        [t for t, _ in rows], [label for _, label in rows], encoder="off"
    )
    assert accuracy >= 0.88
