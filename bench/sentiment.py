"""Sentiment benchmark: how well an analyzer finds the negative customer messages.

Data: UCI "Sentiment Labelled Sentences" (Kotzias, Denil, de Freitas and Smyth, KDD 2015),
`amazon_cells_labelled.txt`: 1,000 Amazon customer review sentences, 500 negative and 500
positive, tab-separated `sentence<TAB>label`. Licence CC BY 4.0 (UCI Machine Learning
Repository, dataset 331). It is not part of the repository: put the file under
`~/.cache/tandem/datasets/uci_sentiment/` (or pass `--dataset`); without it the benchmark
says so and exits 0.

The split is fixed: a stratified 80/20 split with seed 13 (800 train, 200 test). Every
analyzer is scored on the test split as a negative-vs-not decision (the decision that
triggers escalation): accuracy and macro-F1. Rows: VADER's compound score alone (the
floor), VADER with the frustration cues (the default analyzer), the linear model trained
on the train split with cues (`sentiment_backend=learned`), and 5-fold cross-validation of
the linear model on all 1,000 sentences. `--save-model PATH` writes the train-split model,
which `TANDEM_SENTIMENT_MODEL_PATH` then loads. Run with `python -m bench.sentiment`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from tools.sentiment import NEGATIVE_THRESHOLD, VaderSentimentAnalyzer
from tools.sentiment_learned import LearnedSentimentAnalyzer
from tools.sentiment_model import train_linear_model

DATASET_FILE = "amazon_cells_labelled.txt"
DEFAULT_DATASET = (
    Path(os.environ.get("TANDEM_DATASET_CACHE", Path.home() / ".cache" / "tandem" / "datasets"))
    / "uci_sentiment"
    / DATASET_FILE
)
PROVENANCE = (
    "UCI Sentiment Labelled Sentences (Kotzias et al. 2015), amazon_cells_labelled.txt, "
    "train split (stratified 80/20, seed 13); CC BY 4.0"
)
SPLIT_SEED = 13


@dataclass(frozen=True)
class Split:
    """Train and test sentences with labels (1 positive, 0 negative)."""

    train_texts: list[str]
    train_labels: list[int]
    test_texts: list[str]
    test_labels: list[int]


def read_labelled_sentences(path: Path) -> tuple[list[str], list[int]]:
    """Read `sentence<TAB>label` lines; a sentence wrapped in CSV quotes is unquoted."""
    texts: list[str] = []
    labels: list[int] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        text, _, label = line.rpartition("\t")
        text = text.strip()
        if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
            text = text[1:-1].replace('""', '"')
        texts.append(text)
        labels.append(int(label))
    return texts, labels


def fixed_split(texts: list[str], labels: list[int]) -> Split:
    """The benchmark's stratified 80/20 split (seed 13)."""
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, random_state=SPLIT_SEED, stratify=labels
    )
    return Split(list(train_x), list(train_y), list(test_x), list(test_y))


def score_negative_detection(
    predict_negative: Callable[[str], bool], texts: Sequence[str], labels: Sequence[int]
) -> dict[str, float]:
    """Accuracy and macro-F1 of a negative-vs-not decision against 0/1 labels."""
    predicted = [0 if predict_negative(text) else 1 for text in texts]
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "macro_f1": float(f1_score(labels, predicted, average="macro")),
    }


def cross_validated_linear(texts: list[str], labels: list[int], folds: int = 5) -> dict[str, float]:
    """Mean accuracy and macro-F1 of the linear model (with cues) over stratified folds."""
    results: list[dict[str, float]] = []
    target = np.asarray(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SPLIT_SEED)
    for train_index, test_index in splitter.split(texts, target):
        model = train_linear_model([texts[i] for i in train_index], target[train_index].tolist())
        results.append(
            _score_learned(
                LearnedSentimentAnalyzer(model),
                [texts[i] for i in test_index],
                target[test_index].tolist(),
            )
        )
    return {name: float(np.mean([row[name] for row in results])) for name in results[0]}


def run(path: Path, save_model: Path | None = None) -> dict[str, dict[str, float]]:
    """Score every analyzer on the test split; optionally save the train-split model."""
    texts, labels = read_labelled_sentences(path)
    split = fixed_split(texts, labels)
    vader = SentimentIntensityAnalyzer()
    with_cues = VaderSentimentAnalyzer()
    trained = train_linear_model(split.train_texts, split.train_labels, provenance=PROVENANCE)
    if save_model is not None:
        trained.save(save_model)
    results = {
        "vader": score_negative_detection(
            lambda t: vader.polarity_scores(t)["compound"] <= NEGATIVE_THRESHOLD,
            split.test_texts,
            split.test_labels,
        ),
        "vader+cues": score_negative_detection(
            lambda t: with_cues.analyze(t).label == "negative",
            split.test_texts,
            split.test_labels,
        ),
        "linear+cues (trained now)": _score_learned(
            LearnedSentimentAnalyzer(trained), split.test_texts, split.test_labels
        ),
    }
    results["linear+cues 5-fold CV"] = cross_validated_linear(texts, labels)
    return results


def _score_learned(
    analyzer: LearnedSentimentAnalyzer, texts: list[str], labels: list[int]
) -> dict[str, float]:
    return score_negative_detection(
        lambda t: analyzer.analyze(t).label == "negative", texts, labels
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help=DATASET_FILE)
    parser.add_argument("--save-model", type=Path, help="write the train-split model here")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not args.dataset.is_file():
        print(f"sentiment: dataset not found at {args.dataset}; nothing to benchmark.")
        return 0
    results = run(args.dataset, args.save_model)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"sentiment · {args.dataset.name}: negative-vs-not on the test split (200 sentences)")
    for name, row in results.items():
        print(f"  {name:<28} accuracy {row['accuracy']:.3f}   macro-F1 {row['macro_f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
