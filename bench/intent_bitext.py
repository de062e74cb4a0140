"""Measure the local intent classifier on the Bitext customer-support sample.

Trains :class:`tools.intent.IntentClassifier` on a stratified 80% of the Bitext rows
(column ``instruction``, label ``intent``) and prints accuracy on the other 20% together
with single-message inference latency. Exits cleanly when the dataset is absent.

Usage: ``python -m bench.intent_bitext [CSV]``
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from pathlib import Path

DEFAULT_CSV = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "datasets"
    / "bitext"
    / "bitext_cs_v_337b968.csv"
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_CSV
    if not path.is_file():
        print(f"skipped: Bitext dataset not found at {path}")
        return 0

    from sklearn.model_selection import train_test_split

    from tools.intent import IntentClassifier

    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["instruction"], row["intent"]) for row in csv.DictReader(handle)]
    texts = [text for text, _ in rows]
    labels = [label for _, label in rows]
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, stratify=labels, random_state=0
    )

    started = time.perf_counter()
    classifier = IntentClassifier().train(train_x, train_y)
    train_seconds = time.perf_counter() - started

    latencies: list[float] = []
    correct = 0
    for text, gold in zip(test_x, test_y, strict=True):
        started = time.perf_counter()
        prediction = classifier.predict(text)
        latencies.append((time.perf_counter() - started) * 1000.0)
        correct += prediction.intent == gold

    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"dataset:  {path.name} ({len(rows)} rows, {len(set(labels))} intents)")
    print(f"split:    {len(train_x)} train / {len(test_x)} test (stratified, random_state=0)")
    print(f"train:    {train_seconds:.2f} s")
    print(f"accuracy: {correct / len(test_x):.4f}")
    print(f"latency:  p50 {statistics.median(latencies):.3f} ms, p95 {p95:.3f} ms per message")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
