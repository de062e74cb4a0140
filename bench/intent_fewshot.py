"""Few-shot Banking77: train on only N examples per intent, test on held-out rows.

For each of the 5 stratified folds of ``train.csv``, N examples per intent are drawn
(seeded) from the other folds and the classifier is tested on the fold. Prints accuracy
per fold and on average. Like the product, the classifier adds each intent's name,
underscores read as spaces ("card arrival"), as one more training example (a tenant always
names its intents); ``--no-label-names`` measures without them. ``tandem eval benchmarks
--only banking77_fewshot`` runs the same :func:`run` with 10 examples per intent.

Usage: ``python -m bench.intent_fewshot [--shots 10] [--folds 5] [--encoder auto|on|off]
[--no-label-names]``
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
    few_shot_draw,
    fold_summary,
    load_banking77,
    options_from,
    parser,
    print_result,
    score_folds,
)
from bench.result import BenchmarkResult, skipped

NAME = "banking77_fewshot"
SHOTS = 10


def run(
    datasets: Path,
    options: IntentOptions | None = None,
    shots: int = SHOTS,
    folds: int = FOLDS,
    progress: Callable[[str], None] | None = None,
) -> BenchmarkResult:
    """Train on ``shots`` Banking77 examples per intent, test on each held-out fold.

    Skipped when the dataset is absent; ``progress`` receives one line per fold.
    """
    options = options or IntentOptions()
    try:
        texts, labels = load_banking77(datasets)
    except DatasetMissing as error:
        return skipped(NAME, str(error))
    splits = (
        (few_shot_draw(labels, pool, shots, fold), test_index)
        for fold, (pool, test_index) in enumerate(cv_folds(labels, folds), 1)
    )
    per_fold, engine = score_folds(texts, labels, splits, options, progress)
    names = ", plus the intent names" if options.label_names else ""
    return BenchmarkResult(
        name=NAME,
        dataset=f"banking77/train.csv, {shots} examples per intent "
        f"({shots * len(set(labels))} training rows per fold{names})",
        metrics=fold_summary(per_fold),
        reference={"accuracy": "full training set: see banking77"},
        details={
            "folds": per_fold,
            "shots": shots,
            "cv": f"stratified {folds}-fold, draws seeded {SEED} + fold",
            **engine,
        },
    )


def _lines(result: BenchmarkResult) -> list[str]:
    metrics = result.metrics
    return [
        f"dataset:  {result.dataset}",
        engine_line(result.details),
        f"accuracy: {metrics['accuracy']:.4f} (std {metrics['accuracy_std']:.4f})",
        f"macro-F1: {metrics['macro_f1']:.4f}",
        f"ECE:      {metrics['ece']:.4f}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args_parser = parser("Banking77 with N training examples per intent")
    args_parser.add_argument("--shots", type=int, default=SHOTS)
    args_parser.add_argument("--folds", type=int, default=FOLDS)
    args = args_parser.parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    result = run(
        args.datasets,
        options_from(args),
        args.shots,
        args.folds,
        lambda line: print(line, flush=True),
    )
    result.seconds = time.perf_counter() - started
    return print_result(result, _lines)


if __name__ == "__main__":
    raise SystemExit(main())
