"""Banking77: stratified 5-fold cross-validation of the intent classifier on ``train.csv``.

Prints accuracy per fold and on average, and the expected calibration error of the
confidences. Each sentence is encoded once across the folds (the timing of a full training
is :mod:`bench.intent_latency`'s job).

Usage: ``python -m bench.intent_banking77 [--encoder auto|on|off] [--folds 5]``
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.intent_common import (
    SEED,
    cv_folds,
    ece_of,
    embedding_memo,
    engine_line,
    load_banking77,
    load_line,
    new_classifier,
    parser,
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args_parser = parser("Banking77 stratified k-fold cross-validation")
    args_parser.add_argument("--folds", type=int, default=5)
    args = args_parser.parse_args(sys.argv[1:] if argv is None else argv)
    data = load_banking77(args.datasets)
    if data is None:
        return 0
    texts, labels = data

    accuracies: list[float] = []
    eces: list[float] = []
    started = time.perf_counter()
    classifier = new_classifier(args)
    with embedding_memo(args):
        for fold, (train_index, test_index) in enumerate(cv_folds(labels, args.folds), 1):
            classifier = new_classifier(args).train(
                [texts[i] for i in train_index], [labels[i] for i in train_index]
            )
            gold = [labels[i] for i in test_index]
            predictions = classifier.predict_batch([texts[i] for i in test_index])
            accuracy = sum(p.intent == g for p, g in zip(predictions, gold, strict=True))
            accuracies.append(accuracy / len(gold))
            eces.append(ece_of(predictions, gold))
            print(f"fold {fold}:   accuracy {accuracies[-1]:.4f}  ECE {eces[-1]:.4f}", flush=True)
    print(f"dataset:  banking77/train.csv ({len(texts)} rows, {len(set(labels))} intents)")
    print(engine_line(classifier))
    print(f"cv:       stratified {args.folds}-fold, random_state={SEED}")
    print(f"accuracy: {statistics.fmean(accuracies):.4f} (std {statistics.pstdev(accuracies):.4f})")
    print(f"ECE:      {statistics.fmean(eces):.4f}")
    print(
        f"elapsed:  {time.perf_counter() - started:.1f} s, "
        f"{time.process_time():.1f} s CPU in this process"
    )
    print(load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
