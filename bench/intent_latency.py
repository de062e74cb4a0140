"""Training time on 10,000 examples and single-message inference latency.

Trains on 10,000 Banking77 rows (seeded shuffle), then classifies 1,000 messages one at a
time. Prints wall-clock and CPU time: on a shared machine the CPU time is the fairer
measure of what one core needs. Run it on one core for the per-core figure:

``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 python -m bench.intent_latency``

Usage: ``python -m bench.intent_latency [--encoder auto|on|off] [--messages 1000]``
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

from bench.intent_common import SEED, engine_line, load_banking77, parser

TRAIN_SIZE = 10_000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args_parser = parser("Intent classifier training time and latency", embedding_cache=False)
    args_parser.add_argument("--messages", type=int, default=1000)
    args = args_parser.parse_args(sys.argv[1:] if argv is None else argv)
    data = load_banking77(args.datasets)
    if data is None:
        return 0
    rows = list(zip(*data, strict=True))
    random.Random(SEED).shuffle(rows)
    train, probe = rows[:TRAIN_SIZE], [text for text, _ in rows[-args.messages :]]

    from tools.intent import IntentClassifier

    wall, cpu = time.perf_counter(), time.process_time()
    classifier = IntentClassifier(args.encoder, args.encoders, args.cascade).train(
        [text for text, _ in train], [label for _, label in train]
    )
    train_wall, train_cpu = time.perf_counter() - wall, time.process_time() - cpu

    classifier.predict(probe[0])  # first call pays one-off lazy set-up
    walls: list[float] = []
    cpus: list[float] = []
    for text in probe:
        wall, cpu = time.perf_counter(), time.thread_time()
        classifier.predict(text)
        cpus.append((time.thread_time() - cpu) * 1000.0)
        walls.append((time.perf_counter() - wall) * 1000.0)

    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(
        f"cores:    {len(os.sched_getaffinity(0))} usable, OMP_NUM_THREADS={threads}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(engine_line(classifier))
    print(
        f"train:    {len(train)} examples, {len(set(classifier.labels))} intents: "
        f"{train_wall:.1f} s wall, {train_cpu:.1f} s CPU"
    )
    print(
        f"latency:  wall p50 {statistics.median(walls):.2f} ms, p95 "
        f"{_percentile(walls, 0.95):.2f} ms; CPU p50 {statistics.median(cpus):.2f} ms, "
        f"p95 {_percentile(cpus, 0.95):.2f} ms per message ({len(probe)} messages)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
