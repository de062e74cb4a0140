"""Training time on 10,000 examples and single-message inference latency.

Trains on 10,000 Banking77 rows (seeded shuffle) and prints the wall-clock and CPU time
(CPU of this process: large trainings fit their SVMs in worker processes, not counted).
Latency is measured on messages the classifier has not seen: a second classifier is
trained on four of the five cross-validation folds (with ``--embedding-cache``, from
remembered encoder vectors, since its training time is not what is measured) and classifies
``--messages`` rows of the fifth one at a time. That matters with an encoder, whose
TF-IDF first stage answers the messages it is sure of; the share it answers is printed.
On a shared machine the CPU time is the fairer measure of what one core needs. Run it on
one core for the per-core figure:

``OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 taskset -c 0 python -m bench.intent_latency``

Usage: ``python -m bench.intent_latency [--encoder auto|on|off] [--messages 1000]``
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

from bench.intent_common import (
    SEED,
    DatasetMissing,
    cv_folds,
    embedding_memo,
    engine_details,
    engine_line,
    load_banking77,
    new_classifier,
    options_from,
    parser,
)

TRAIN_SIZE = 10_000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args_parser = parser("Intent classifier training time and latency")
    args_parser.add_argument("--messages", type=int, default=1000)
    args = args_parser.parse_args(sys.argv[1:] if argv is None else argv)
    options = options_from(args)
    try:
        texts, labels = load_banking77(args.datasets)
    except DatasetMissing as error:
        print(f"skipped: {error}")
        return 0
    rows = list(zip(texts, labels, strict=True))
    random.Random(SEED).shuffle(rows)
    train = rows[:TRAIN_SIZE]

    wall, cpu = time.perf_counter(), time.process_time()
    classifier = new_classifier(options).train(
        [text for text, _ in train], [label for _, label in train]
    )
    train_wall, train_cpu = time.perf_counter() - wall, time.process_time() - cpu

    train_index, test_index = cv_folds(labels, 5)[0]
    probe = [texts[i] for i in test_index[: args.messages]]
    with embedding_memo(options):
        held_out = new_classifier(options).train(
            [texts[i] for i in train_index], [labels[i] for i in train_index]
        )
    held_out.predict(probe[0])  # first call pays one-off lazy set-up
    fast = held_out.fast_stage_answers(probe)
    walls: list[float] = []
    cpus: list[float] = []
    for text in probe:
        wall, cpu = time.perf_counter(), time.thread_time()
        held_out.predict(text)
        cpus.append((time.thread_time() - cpu) * 1000.0)
        walls.append((time.perf_counter() - wall) * 1000.0)

    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    print(
        f"cores:    {len(os.sched_getaffinity(0))} usable, OMP_NUM_THREADS={threads}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(engine_line(engine_details(classifier)))
    print(
        f"train:    {len(train)} examples, {len(set(classifier.labels))} intents: "
        f"{train_wall:.1f} s wall, {train_cpu:.1f} s CPU in this process"
    )
    print(
        f"latency:  wall p50 {statistics.median(walls):.2f} ms, p95 "
        f"{_percentile(walls, 0.95):.2f} ms; CPU p50 {statistics.median(cpus):.2f} ms, "
        f"p95 {_percentile(cpus, 0.95):.2f} ms per message ({len(probe)} held-out messages"
        + (f", {fast:.0%} answered by the TF-IDF stage)" if held_out.cascade_threshold else ")")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
