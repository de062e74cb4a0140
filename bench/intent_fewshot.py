"""Few-shot Banking77: train on only N examples per intent, test on held-out rows.

For each of the 5 stratified folds of ``train.csv``, N examples per intent are drawn
(seeded) from the other folds and the classifier is tested on the fold. Prints accuracy
per fold and on average. Like the product, the classifier adds each intent's name,
underscores read as spaces ("card arrival"), as one more training example (a tenant always
names its intents); ``--no-label-names`` measures without them.

Usage: ``python -m bench.intent_fewshot [--shots 10] [--folds 5] [--encoder auto|on|off]
[--no-label-names]``
"""

from __future__ import annotations

import statistics
import sys

from bench.intent_common import (
    cv_folds,
    ece_of,
    embedding_memo,
    engine_line,
    few_shot_draw,
    load_banking77,
    new_classifier,
    parser,
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args_parser = parser("Banking77 with N training examples per intent")
    args_parser.add_argument("--shots", type=int, default=10)
    args_parser.add_argument("--folds", type=int, default=5)
    args = args_parser.parse_args(sys.argv[1:] if argv is None else argv)
    data = load_banking77(args.datasets)
    if data is None:
        return 0
    texts, labels = data

    accuracies: list[float] = []
    eces: list[float] = []
    classifier = new_classifier(args)
    with embedding_memo(args):
        for fold, (pool, test_index) in enumerate(cv_folds(labels, args.folds), 1):
            chosen = few_shot_draw(labels, pool, args.shots, fold)
            train_x = [texts[i] for i in chosen]
            train_y = [labels[i] for i in chosen]
            classifier = new_classifier(args).train(train_x, train_y)
            gold = [labels[i] for i in test_index]
            predictions = classifier.predict_batch([texts[i] for i in test_index])
            correct = sum(p.intent == g for p, g in zip(predictions, gold, strict=True))
            accuracies.append(correct / len(gold))
            eces.append(ece_of(predictions, gold))
            print(f"fold {fold}:   accuracy {accuracies[-1]:.4f}  ECE {eces[-1]:.4f}", flush=True)
    print(
        f"dataset:  banking77/train.csv, {args.shots} examples per intent "
        f"({args.shots * len(set(labels))} training rows per fold"
        f"{', plus the intent names' if args.label_names else ''})"
    )
    print(engine_line(classifier))
    print(f"accuracy: {statistics.fmean(accuracies):.4f} (std {statistics.pstdev(accuracies):.4f})")
    print(f"ECE:      {statistics.fmean(eces):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
