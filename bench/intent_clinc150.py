"""CLINC150: train on ``train`` (+ ``oos_train``), evaluate on ``val`` (+ ``oos_val``).

The out-of-scope examples train an ``oos`` class. A message counts as rejected ("I can't
help with that here") in one of three ways, each scored as in-scope accuracy (a rejected
in-scope message counts as wrong) and out-of-scope recall:

- ``oos_class``: the ``oos`` class wins;
- ``fitted``: the classifier's own decision: the ``oos`` class wins or the calibrated
  confidence is below :attr:`~tools.intent.IntentClassifier.rejection_threshold`, which
  training fits on out-of-fold scores of the training set only;
- ``graph``: the support graph's decision without a chat model: the ``oos`` class wins or
  the confidence is below the ``intent_confidence_threshold`` setting, which by default is
  the classifier's fitted threshold (the graph then asks a clarifying question instead of
  answering).

A second model trained without the ``oos`` rows (a taxonomy with no out-of-scope examples,
so no fitted threshold) is scored with the setting alone (``no_oos_class``). Also prints the
ECE on the in-scope validation messages. The test split is never read.
``tandem eval benchmarks --only clinc150`` runs the same :func:`run`.

Usage: ``python -m bench.intent_clinc150 [--encoder auto|on|off]``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.intent_common import (
    DatasetMissing,
    IntentOptions,
    ece_of,
    embedding_memo,
    engine_details,
    engine_line,
    load_clinc150,
    new_classifier,
    options_from,
    parser,
    print_result,
)
from bench.result import BenchmarkResult, skipped
from graphs.services import FALLBACK_INTENT_THRESHOLD

if TYPE_CHECKING:
    from tools.intent import IntentClassifier, IntentPrediction

NAME = "clinc150"
OOS = "oos"

Rejects = Callable[["IntentPrediction"], bool]


def classifier_rejects(classifier: IntentClassifier) -> Rejects:
    """The classifier's out-of-scope decision: its out-of-scope class, or low confidence.

    Confidence is low below the classifier's fitted ``rejection_threshold``; without one
    (no out-of-scope class in training) only the class counts.
    """
    threshold = classifier.rejection_threshold

    def rejects(prediction: IntentPrediction) -> bool:
        low = threshold is not None and not prediction.is_confident(threshold)
        return prediction.is_out_of_scope or low

    return rejects


def graph_rejects(confidence_threshold: float) -> Rejects:
    """The support graph's decision: out-of-scope class, or confidence below the setting.

    Below ``intent_confidence_threshold`` the graph defers to a chat model or, without one,
    asks a clarifying question: the message is not answered.
    """

    def rejects(prediction: IntentPrediction) -> bool:
        return prediction.is_out_of_scope or not prediction.is_confident(confidence_threshold)

    return rejects


def graph_threshold_of(classifier: IntentClassifier, configured: float | None) -> float:
    """The threshold the support graph applies with this classifier and setting."""
    if configured is not None:
        return configured
    fitted = classifier.rejection_threshold
    return FALLBACK_INTENT_THRESHOLD if fitted is None else fitted


def class_only(prediction: IntentPrediction) -> bool:
    """Rejected only when the out-of-scope class wins."""
    return prediction.is_out_of_scope


def rejection_scores(
    gold: list[str],
    in_scope: list[IntentPrediction],
    out_of_scope: list[IntentPrediction],
    rejects: Rejects,
) -> tuple[float, float]:
    """Return (in-scope accuracy, out-of-scope recall) under the decision ``rejects``."""
    correct = sum(p.intent == g and not rejects(p) for p, g in zip(in_scope, gold, strict=True))
    found = sum(rejects(p) for p in out_of_scope)
    return correct / len(gold), found / len(out_of_scope) if out_of_scope else 0.0


def run(
    datasets: Path, confidence_threshold: float | None, options: IntentOptions | None = None
) -> BenchmarkResult:
    """Score the three out-of-scope decisions on CLINC150's validation split.

    ``confidence_threshold`` is the ``intent_confidence_threshold`` setting, passed in by
    the entry point; None applies what the graph then applies, the classifier's fitted
    threshold (:data:`~graphs.services.FALLBACK_INTENT_THRESHOLD` without one).
    Skipped when the dataset is absent.
    """
    options = options or IntentOptions()
    try:
        data = load_clinc150(datasets)
    except DatasetMissing as error:
        return skipped(NAME, str(error))
    train, oos_train = data["train"], data.get("oos_train", [])
    val, oos_val = data["val"], data.get("oos_val", [])
    val_texts, gold = [t for t, _ in val], [label for _, label in val]
    oos_texts = [t for t, _ in oos_val]
    with embedding_memo(options):
        started = time.perf_counter()
        with_class = new_classifier(options).train(
            [t for t, _ in train] + [t for t, _ in oos_train],
            [label for _, label in train] + [OOS] * len(oos_train),
        )
        train_seconds = time.perf_counter() - started
        class_in, class_oos = (
            with_class.predict_batch(val_texts),
            with_class.predict_batch(oos_texts),
        )
        without = new_classifier(options).train(
            [t for t, _ in train], [label for _, label in train]
        )
        plain_in, plain_oos = without.predict_batch(val_texts), without.predict_batch(oos_texts)

    graph_threshold = graph_threshold_of(with_class, confidence_threshold)
    plain_threshold = graph_threshold_of(without, confidence_threshold)
    decisions = {
        "oos_class": (class_in, class_oos, class_only),
        "fitted": (class_in, class_oos, classifier_rejects(with_class)),
        "graph": (class_in, class_oos, graph_rejects(graph_threshold)),
        "no_oos_class": (plain_in, plain_oos, graph_rejects(plain_threshold)),
    }
    metrics: dict[str, float] = {}
    for name, (in_scope, out_of_scope, rejects) in decisions.items():
        accuracy, recall = rejection_scores(gold, in_scope, out_of_scope, rejects)
        metrics[f"in_scope_acc_{name}"] = accuracy
        metrics[f"oos_recall_{name}"] = recall
    fitted = with_class.rejection_threshold
    setting = f"intent_confidence_threshold {graph_threshold:.2f}"
    return BenchmarkResult(
        name=NAME,
        dataset=f"clinc150 train {len(train)} (+{len(oos_train)} oos) → val {len(val)} "
        f"(+{len(oos_val)} oos), {len(set(gold))} intents",
        metrics=metrics,
        reference={
            "in_scope_acc_oos_class": "BERT 0.969 (published); TF-IDF+SVM 0.924",
            "oos_recall_oos_class": "BERT 0.403 (published); TF-IDF+SVM 0.166",
            "in_scope_acc_fitted": "oos class, or confidence < fitted rejection threshold"
            + (f" {fitted:.2f}" if fitted is not None else " (none)"),
            "in_scope_acc_graph": f"oos class, or confidence < {setting}",
            "in_scope_acc_no_oos_class": f"trained without oos rows; confidence < {setting}",
        },
        details={
            "rejection_threshold": fitted,
            "confidence_threshold": graph_threshold,
            "train_seconds": round(train_seconds, 2),
            "ece_in_scope": ece_of(class_in, gold),
            **engine_details(with_class),
        },
    )


def _lines(result: BenchmarkResult) -> list[str]:
    metrics, details = result.metrics, result.details
    fitted = details["rejection_threshold"]
    labels = {
        "oos_class": "oos class",
        "fitted": f"+ fitted {fitted:.2f}" if fitted is not None else "+ fitted (none)",
        "graph": f"+ setting {details['confidence_threshold']:.2f}",
        "no_oos_class": "no class, setting",
    }
    return [
        f"dataset:  {result.dataset}",
        engine_line(details),
        f"train:    {details['train_seconds']:.1f} s",
        *(
            f"{label:<17} in-scope accuracy {metrics[f'in_scope_acc_{name}']:.4f}  "
            f"oos recall {metrics[f'oos_recall_{name}']:.4f}"
            for name, label in labels.items()
        ),
        f"ECE (in-scope val): {details['ece_in_scope']:.4f}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    from config.settings import get_settings

    args = parser("CLINC150 train -> val with out-of-scope detection").parse_args(
        sys.argv[1:] if argv is None else argv
    )
    started = time.perf_counter()
    threshold = get_settings().intent_confidence_threshold
    result = run(args.datasets, threshold, options_from(args))
    result.seconds = time.perf_counter() - started
    return print_result(result, _lines)


if __name__ == "__main__":
    raise SystemExit(main())
