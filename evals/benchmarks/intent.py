"""Intent benchmarks with Tandem's own classifier (`tools.intent.IntentClassifier`).

- Banking77: stratified 5-fold cross-validation on `train.csv` (a tenant's own taxonomy).
- CLINC150: train on `train`, evaluate on `val`, including out-of-scope detection, two ways:
  `oos` as a trained class (with the `oos_train` rows), and a confidence threshold on a
  model trained without it; the class model with the threshold added is reported too.
- Bitext: a stratified 80/20 held-out split (random_state 0).
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from pathlib import Path

from evals.benchmarks.base import BenchmarkResult, missing, skipped
from tools.intent import IntentClassifier, IntentPrediction

SEED = 0
FOLDS = 5
OOS = "oos"
DEFAULT_THRESHOLD = 0.45
"""The support graph's default `intent_confidence_threshold`."""


def _scores(gold: list[str], predicted: list[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return {
        "accuracy": correct / len(gold),
        "macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
    }


def banking77(datasets: Path) -> BenchmarkResult:
    """Stratified 5-fold cross-validation of the classifier on Banking77's `train.csv`."""
    from sklearn.model_selection import StratifiedKFold

    folder = datasets / "banking77"
    reason = missing(folder, ["train.csv"])
    if reason:
        return skipped("banking77", reason)
    with (folder / "train.csv").open(newline="", encoding="utf-8") as handle:
        rows = [(row["text"], row["category"]) for row in csv.DictReader(handle)]
    texts = [t for t, _ in rows]
    labels = [label for _, label in rows]
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    per_fold: list[dict[str, float]] = []
    for train_idx, test_idx in folds.split(texts, labels):
        model = IntentClassifier().train(
            [texts[i] for i in train_idx], [labels[i] for i in train_idx]
        )
        predicted = [p.intent for p in model.predict_batch([texts[i] for i in test_idx])]
        per_fold.append(_scores([labels[i] for i in test_idx], predicted))
    accuracies = [f["accuracy"] for f in per_fold]
    return BenchmarkResult(
        name="banking77",
        dataset=f"banking77/train.csv ({len(rows)} rows, {len(set(labels))} intents)",
        metrics={
            "accuracy": statistics.fmean(accuracies),
            "accuracy_std": statistics.pstdev(accuracies),
            "macro_f1": statistics.fmean(f["macro_f1"] for f in per_fold),
        },
        reference={
            "accuracy": "TF-IDF+SVM 0.913, SOTA 0.937–0.942 (test split)",
        },
        details={"folds": per_fold, "cv": f"stratified {FOLDS}-fold, random_state={SEED}"},
    )


def _oos_scores(
    gold_in: list[str],
    predictions_in: list[IntentPrediction],
    predictions_oos: list[IntentPrediction],
    threshold: float | None,
) -> dict[str, float]:
    def label(prediction: IntentPrediction) -> str:
        if threshold is not None and prediction.confidence < threshold:
            return OOS
        return prediction.intent

    in_correct = sum(1 for g, p in zip(gold_in, predictions_in, strict=True) if label(p) == g)
    oos_found = sum(1 for p in predictions_oos if label(p) == OOS)
    return {
        "in_scope_accuracy": in_correct / len(gold_in),
        "oos_recall": oos_found / len(predictions_oos) if predictions_oos else 0.0,
    }


def clinc150(datasets: Path, threshold: float = DEFAULT_THRESHOLD) -> BenchmarkResult:
    """Train on CLINC150 `train`, evaluate on `val`: in-scope accuracy and OOS recall."""
    folder = datasets / "clinc150"
    reason = missing(folder, ["data_train_val.json"])
    if reason:
        return skipped("clinc150", reason)
    data = json.loads((folder / "data_train_val.json").read_text(encoding="utf-8"))
    train, val = data["train"], data["val"]
    oos_train, oos_val = data.get("oos_train", []), data.get("oos_val", [])
    val_texts = [t for t, _ in val]
    gold = [label for _, label in val]
    oos_texts = [t for t, _ in oos_val]

    with_class = IntentClassifier().train(
        [t for t, _ in train] + [t for t, _ in oos_train],
        [label for _, label in train] + [OOS] * len(oos_train),
    )
    class_in, class_oos = with_class.predict_batch(val_texts), with_class.predict_batch(oos_texts)
    without = IntentClassifier().train([t for t, _ in train], [label for _, label in train])
    plain_in, plain_oos = without.predict_batch(val_texts), without.predict_batch(oos_texts)

    as_class = _oos_scores(gold, class_in, class_oos, None)
    by_threshold = _oos_scores(gold, plain_in, plain_oos, threshold)
    both = _oos_scores(gold, class_in, class_oos, threshold)
    sweep = {
        f"{t:.2f}": _oos_scores(gold, plain_in, plain_oos, t) for t in (0.2, 0.3, 0.45, 0.6, 0.75)
    }
    return BenchmarkResult(
        name="clinc150",
        dataset=f"clinc150 train {len(train)} (+{len(oos_train)} oos) → val {len(val)} "
        f"(+{len(oos_val)} oos), {len(set(gold))} intents",
        metrics={
            "in_scope_acc_oos_class": as_class["in_scope_accuracy"],
            "oos_recall_oos_class": as_class["oos_recall"],
            "in_scope_acc_threshold": by_threshold["in_scope_accuracy"],
            "oos_recall_threshold": by_threshold["oos_recall"],
            "in_scope_acc_both": both["in_scope_accuracy"],
            "oos_recall_both": both["oos_recall"],
        },
        reference={
            "in_scope_acc_oos_class": "BERT 0.969 (published); TF-IDF+SVM 0.924",
            "oos_recall_oos_class": "BERT 0.403 (published); TF-IDF+SVM 0.166",
            "in_scope_acc_threshold": f"confidence < {threshold} → oos",
            "in_scope_acc_both": f"oos class, and confidence < {threshold} → oos",
        },
        details={"threshold": threshold, "threshold_sweep_without_oos_class": sweep},
    )


def bitext(datasets: Path) -> BenchmarkResult:
    """Stratified 80/20 held-out split of the Bitext customer-support sample."""
    from sklearn.model_selection import train_test_split

    folder = datasets / "bitext"
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return skipped("bitext", f"Bitext CSV not found in {folder}")
    with files[0].open(newline="", encoding="utf-8") as handle:
        rows = [(row["instruction"], row["intent"]) for row in csv.DictReader(handle)]
    texts = [t for t, _ in rows]
    labels = [label for _, label in rows]
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, stratify=labels, random_state=SEED
    )
    model = IntentClassifier().train(train_x, train_y)
    started = time.perf_counter()
    predicted = [p.intent for p in model.predict_batch(test_x)]
    per_message_ms = (time.perf_counter() - started) * 1000 / len(test_x)
    scores = _scores(test_y, predicted)
    return BenchmarkResult(
        name="bitext",
        dataset=f"{files[0].name} ({len(rows)} rows, {len(set(labels))} intents), "
        f"{len(train_x)} train / {len(test_x)} held out",
        metrics={**scores, "batch_ms_per_message": per_message_ms},
        reference={"accuracy": "no published figure for this sample"},
        details={"split": f"stratified 80/20, random_state={SEED}"},
    )
