"""CLINC150: train on ``train`` (+ ``oos_train``), evaluate on ``val`` (+ ``oos_val``).

The out-of-scope examples train an ``oos`` class; a message is rejected ("I can't help with
that here") when that class wins or when the calibrated confidence falls below the
classifier's rejection threshold, which training tunes on out-of-fold scores of the
training set only. Prints in-scope accuracy (a rejected in-scope message counts as wrong),
out-of-scope recall, both with the class alone and with the threshold, and the ECE.

Usage: ``python -m bench.intent_clinc150 [--encoder auto|on|off]``
"""

from __future__ import annotations

import sys
import time

from bench.intent_common import (
    ece_of,
    embedding_memo,
    engine_line,
    load_clinc150,
    load_line,
    new_classifier,
    parser,
)

OOS = "oos"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its numbers; return the process exit code."""
    args = parser("CLINC150 train -> val with out-of-scope detection").parse_args(
        sys.argv[1:] if argv is None else argv
    )
    data = load_clinc150(args.datasets)
    if data is None:
        return 0

    from tools.intent import IntentPrediction

    train = data["train"] + data["oos_train"]
    val, oos_val = data["val"], data["oos_val"]
    started = time.perf_counter()
    with embedding_memo(args):
        classifier = new_classifier(args).train(
            [text for text, _ in train],
            [OOS if label == OOS else label for _, label in train],
        )
        train_seconds = time.perf_counter() - started
        in_scope = classifier.predict_batch([text for text, _ in val])
        out_of_scope = classifier.predict_batch([text for text, _ in oos_val])
    gold = [label for _, label in val]
    threshold = classifier.rejection_threshold or 0.0

    def rejected(prediction: IntentPrediction, with_threshold: bool) -> bool:
        low = with_threshold and prediction.confidence < threshold
        return prediction.intent == OOS or low

    print(
        f"dataset:  clinc150 train {len(train)} (incl. {len(data['oos_train'])} oos) → "
        f"val {len(val)} + {len(oos_val)} oos, {len(set(gold))} intents"
    )
    print(engine_line(classifier))
    print(f"train:    {train_seconds:.1f} s")
    for name, with_threshold in (("oos class", False), (f"+ threshold {threshold:.2f}", True)):
        accuracy = sum(
            p.intent == g and not rejected(p, with_threshold)
            for p, g in zip(in_scope, gold, strict=True)
        ) / len(gold)
        recall = sum(rejected(p, with_threshold) for p in out_of_scope) / len(out_of_scope)
        print(f"{name:<17} in-scope accuracy {accuracy:.4f}  oos recall {recall:.4f}")
    print(f"ECE (in-scope val): {ece_of(in_scope, gold):.4f}")
    print(load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
