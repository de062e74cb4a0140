"""Measure the local intent classifier on the Bitext customer-support sample.

Trains :class:`tools.intent.IntentClassifier` on a stratified 80% of the Bitext rows
(column ``instruction``, label ``intent``) and prints accuracy, macro-F1 and calibration
error on the other 20%, with the batch cost and the single-message latency per message.
Exits cleanly when the dataset is absent. ``tandem eval benchmarks --only bitext`` runs the
same :func:`run`.

Usage: ``python -m bench.intent_bitext [--encoder auto|on|off]``
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench.intent_common import (
    SEED,
    DatasetMissing,
    IntentOptions,
    accuracy_scores,
    embedding_memo,
    engine_details,
    engine_line,
    load_bitext,
    new_classifier,
    options_from,
    parser,
    print_result,
)
from bench.result import BenchmarkResult, skipped

NAME = "bitext"
HELD_OUT = 0.2


def run(datasets: Path, options: IntentOptions | None = None) -> BenchmarkResult:
    """Train on a stratified 80% of Bitext, score the other 20%; skipped when absent."""
    from sklearn.model_selection import train_test_split

    options = options or IntentOptions()
    try:
        source, texts, labels = load_bitext(datasets)
    except DatasetMissing as error:
        return skipped(NAME, str(error))
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=HELD_OUT, stratify=labels, random_state=SEED
    )
    with embedding_memo(options):
        started = time.perf_counter()
        classifier = new_classifier(options).train(train_x, train_y)
        train_seconds = time.perf_counter() - started
        started = time.perf_counter()
        predictions = classifier.predict_batch(test_x)
        batch_ms = (time.perf_counter() - started) * 1000 / len(test_x)

    latencies: list[float] = []
    for text in test_x:
        started = time.perf_counter()
        classifier.predict(text)
        latencies.append((time.perf_counter() - started) * 1000.0)
    latencies.sort()
    return BenchmarkResult(
        name=NAME,
        dataset=f"{source} ({len(texts)} rows, {len(set(labels))} intents), "
        f"{len(train_x)} train / {len(test_x)} held out",
        metrics={
            **accuracy_scores(predictions, test_y),
            "batch_ms_per_message": batch_ms,
            "p50_ms": statistics.median(latencies),
            "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        },
        reference={
            "accuracy": "no published figure for this sample",
            "p50_ms": "one message at a time",
        },
        details={
            "split": f"stratified 80/20, random_state={SEED}",
            "train_seconds": round(train_seconds, 2),
            **engine_details(classifier),
        },
    )


def _lines(result: BenchmarkResult) -> list[str]:
    metrics = result.metrics
    return [
        f"dataset:  {result.dataset}",
        engine_line(result.details),
        f"split:    {result.details['split']}",
        f"train:    {result.details['train_seconds']:.2f} s",
        f"accuracy: {metrics['accuracy']:.4f}",
        f"macro-F1: {metrics['macro_f1']:.4f}",
        f"ECE:      {metrics['ece']:.4f}",
        f"latency:  p50 {metrics['p50_ms']:.3f} ms, p95 {metrics['p95_ms']:.3f} ms per message "
        f"(batch {metrics['batch_ms_per_message']:.3f} ms)",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args = parser("Bitext 27 intents, stratified 80/20 split").parse_args(
        sys.argv[1:] if argv is None else argv
    )
    started = time.perf_counter()
    result = run(args.datasets, options_from(args))
    result.seconds = time.perf_counter() - started
    return print_result(result, _lines)


if __name__ == "__main__":
    raise SystemExit(main())
