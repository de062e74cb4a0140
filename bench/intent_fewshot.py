"""Few-shot Banking77: train on only N examples per intent, test on held-out rows.

For each of the 5 stratified folds of ``train.csv``, N examples per intent are drawn
(seeded) from the other folds and the classifier is tested on the fold. Prints accuracy
per fold and on average.

Usage: ``python -m bench.intent_fewshot [--shots 10] [--folds 5] [--encoder auto|on|off]``
"""

from __future__ import annotations

import random
import statistics
import sys
from collections import defaultdict

from bench.intent_common import SEED, ece_of, engine_line, load_banking77, parser


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

    from sklearn.model_selection import StratifiedKFold

    from tools.intent import IntentClassifier
    from tools.intent.features import remembered_encoder_features

    splitter = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=SEED)
    accuracies: list[float] = []
    eces: list[float] = []
    classifier = IntentClassifier(args.encoder)
    with remembered_encoder_features():
        for fold, (pool, test_index) in enumerate(splitter.split(texts, labels), 1):
            by_label: dict[str, list[int]] = defaultdict(list)
            for index in pool:
                by_label[labels[index]].append(int(index))
            sampler = random.Random(SEED + fold)
            chosen = [
                index
                for label in sorted(by_label)
                for index in sampler.sample(by_label[label], args.shots)
            ]
            classifier = IntentClassifier(args.encoder).train(
                [texts[i] for i in chosen], [labels[i] for i in chosen]
            )
            gold = [labels[i] for i in test_index]
            predictions = classifier.predict_batch([texts[i] for i in test_index])
            correct = sum(p.intent == g for p, g in zip(predictions, gold, strict=True))
            accuracies.append(correct / len(gold))
            eces.append(ece_of(predictions, gold))
            print(f"fold {fold}:   accuracy {accuracies[-1]:.4f}  ECE {eces[-1]:.4f}", flush=True)
    print(
        f"dataset:  banking77/train.csv, {args.shots} examples per intent "
        f"({args.shots * len(set(labels))} training rows per fold)"
    )
    print(engine_line(classifier))
    print(f"accuracy: {statistics.fmean(accuracies):.4f} (std {statistics.pstdev(accuracies):.4f})")
    print(f"ECE:      {statistics.fmean(eces):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
