"""Banking77: stratified 5-fold cross-validation of the intent classifier on ``train.csv``.

Prints accuracy per fold and on average, macro-F1 and the expected calibration error of the
confidences. Each sentence is encoded once across the folds (the timing of a full training
is :mod:`bench.intent_latency`'s job). ``tandem eval benchmarks --only banking77`` runs the
same :func:`run`.

Usage: ``python -m bench.intent_banking77 [--encoder auto|on|off] [--folds 5]``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.intent_common import (
    FOLDS,
    SEED,
    DatasetMissing,
    IntentOptions,
    cv_folds,
    engine_line,
    fold_summary,
    load_banking77,
    options_from,
    parser,
    print_result,
    score_folds,
)
from bench.result import BenchmarkResult, skipped

NAME = "banking77"


def run(
    datasets: Path,
    options: IntentOptions | None = None,
    folds: int = FOLDS,
    progress: Callable[[str], None] | None = None,
) -> BenchmarkResult:
    """Cross-validate the classifier on Banking77's ``train.csv``; skipped when absent.

    ``progress`` receives one line per fold.
    """
    options = options or IntentOptions()
    try:
        texts, labels = load_banking77(datasets)
    except DatasetMissing as error:
        return skipped(NAME, str(error))
    per_fold, engine = score_folds(texts, labels, cv_folds(labels, folds), options, progress)
    return BenchmarkResult(
        name=NAME,
        dataset=f"banking77/train.csv ({len(texts)} rows, {len(set(labels))} intents)",
        metrics=fold_summary(per_fold),
        reference={"accuracy": "TF-IDF+SVM 0.913, SOTA 0.937–0.942 (test split)"},
        details={
            "folds": per_fold,
            "cv": f"stratified {folds}-fold, random_state={SEED}",
            **engine,
        },
    )


def _lines(result: BenchmarkResult) -> list[str]:
    metrics = result.metrics
    return [
        f"dataset:  {result.dataset}",
        engine_line(result.details),
        f"cv:       {result.details['cv']}",
        f"accuracy: {metrics['accuracy']:.4f} (std {metrics['accuracy_std']:.4f})",
        f"macro-F1: {metrics['macro_f1']:.4f}",
        f"ECE:      {metrics['ece']:.4f}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args_parser = parser("Banking77 stratified k-fold cross-validation")
    args_parser.add_argument("--folds", type=int, default=FOLDS)
    args = args_parser.parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    result = run(
        args.datasets, options_from(args), args.folds, lambda line: print(line, flush=True)
    )
    result.seconds = time.perf_counter() - started
    return print_result(result, _lines)


if __name__ == "__main__":
    raise SystemExit(main())
