"""Measure the local intent classifier on the Bitext customer-support sample.

Trains :class:`tools.intent.IntentClassifier` on a stratified 80% of the Bitext rows
(column ``instruction``, label ``intent``) and prints accuracy and calibration error on the
other 20%, together with single-message inference latency. Exits cleanly when the dataset
is absent.

Usage: ``python -m bench.intent_bitext [--encoder auto|on|off]``
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.intent_common import (
    SEED,
    ece_of,
    embedding_memo,
    engine_line,
    load_bitext,
    load_line,
    new_classifier,
    parser,
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args = parser("Bitext 27 intents, stratified 80/20 split").parse_args(
        sys.argv[1:] if argv is None else argv
    )
    data = load_bitext(args.datasets)
    if data is None:
        return 0
    texts, labels = data

    from sklearn.model_selection import train_test_split

    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, stratify=labels, random_state=SEED
    )
    started = time.perf_counter()
    with embedding_memo(args):
        classifier = new_classifier(args).train(train_x, train_y)
        train_seconds = time.perf_counter() - started
        classifier.predict_batch(test_x)  # remember the test vectors too

    latencies: list[float] = []
    predictions = []
    for text in test_x:
        started = time.perf_counter()
        predictions.append(classifier.predict(text))
        latencies.append((time.perf_counter() - started) * 1000.0)
    correct = sum(p.intent == g for p, g in zip(predictions, test_y, strict=True))

    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"dataset:  bitext ({len(texts)} rows, {len(set(labels))} intents)")
    print(engine_line(classifier))
    print(f"split:    {len(train_x)} train / {len(test_x)} test (stratified, random_state={SEED})")
    print(f"train:    {train_seconds:.2f} s")
    print(f"accuracy: {correct / len(test_x):.4f}")
    print(f"ECE:      {ece_of(predictions, test_y):.4f}")
    print(f"latency:  p50 {statistics.median(latencies):.3f} ms, p95 {p95:.3f} ms per message")
    print(load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
