"""PII redaction benchmark: recall on a synthetic set, and the identifiers it must keep.

The set is `bench.pii_synthetic` (fixed seed, the position of every piece of personal data
known). A piece counts as found when the redactor's output no longer contains it and the
redacted text still reads the same around it (the placeholder stands where it was).
Identifiers the order tools need (order ids, item ids, amounts, zip codes) must all come
through untouched: the benchmark prints the share kept, which must be 100%. It also prints
the redaction time per message (min / median / max over the repeats).

Run with `python -m bench.pii_redaction [--count N] [--seed S] [--repeats R]`; it exits 1
when recall is below 0.98 or an identifier was lost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter

from bench.pii_synthetic import DEFAULT_SEED, Sample, generate
from tools.pii_detect import find_pii

RECALL_TARGET = 0.98


def _found(sample: Sample) -> tuple[Counter[str], Counter[str], list[str]]:
    """Per kind: gold pieces and pieces fully covered by a detected span; lost identifiers."""
    spans = find_pii(sample.text)
    gold, hit = Counter[str](), Counter[str]()
    for piece in sample.spans:
        gold[piece.kind] += 1
        if any(s.start <= piece.start and piece.end <= s.end for s in spans):
            hit[piece.kind] += 1
    redacted_spans = [(s.start, s.end) for s in spans]
    lost = [
        value
        for value in sample.kept
        if any(
            start < index + len(value) and index < end
            for index in _positions(sample.text, value)
            for start, end in redacted_spans
        )
    ]
    return gold, hit, lost


def _positions(text: str, value: str) -> list[int]:
    found, index = [], text.find(value)
    while index >= 0:
        found.append(index)
        index = text.find(value, index + 1)
    return found


def run(count: int, seed: int, repeats: int) -> dict[str, object]:
    """Score the detector on `count` samples; time it `repeats` times."""
    samples = generate(count, seed)
    gold, hit = Counter[str](), Counter[str]()
    lost: list[str] = []
    kept_total = 0
    for sample in samples:
        g, h, missing = _found(sample)
        gold.update(g)
        hit.update(h)
        lost.extend(missing)
        kept_total += len(sample.kept)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        for sample in samples:
            find_pii(sample.text)
        timings.append((time.perf_counter() - started) / len(samples) * 1000)
    total_gold, total_hit = sum(gold.values()), sum(hit.values())
    return {
        "samples": count,
        "seed": seed,
        "pii_pieces": total_gold,
        "recall": round(total_hit / total_gold, 4),
        "recall_by_kind": {k: round(hit[k] / gold[k], 4) for k in sorted(gold)},
        "identifiers": kept_total,
        "identifiers_kept": round(1 - len(lost) / kept_total, 4) if kept_total else 1.0,
        "identifiers_lost": lost[:20],
        "ms_per_message": {
            "min": round(min(timings), 3),
            "median": round(statistics.median(timings), 3),
            "max": round(max(timings), 3),
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Print the benchmark's numbers as JSON; exit 1 below target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    result = run(args.count, args.seed, max(1, args.repeats))
    print(json.dumps(result, indent=2))
    ok = float(result["recall"]) >= RECALL_TARGET and not result["identifiers_lost"]  # type: ignore[arg-type]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
