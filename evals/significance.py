"""Is a difference between two runs real? McNemar's exact test and a paired bootstrap.

Both runs score the same cases, so the tests are paired. For pass/fail outcomes McNemar's
exact test looks only at the cases that flipped; for any metric the paired bootstrap
resamples cases (the same indices for both runs) and reports a confidence interval of
the difference. A 2-point change on 60 cases (two flips one way) is not significant.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for `b` and `c` discordant pairs (binomial, p=0.5)."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


@dataclass(frozen=True)
class BootstrapResult:
    """The observed difference (B − A) and its percentile confidence interval."""

    delta: float
    low: float
    high: float
    resamples: int

    @property
    def significant(self) -> bool:
        """Whether the interval excludes zero."""
        return self.low > 0 or self.high < 0


def paired_bootstrap(
    a: Sequence[T],
    b: Sequence[T],
    statistic: Callable[[Sequence[T]], float | None],
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> BootstrapResult | None:
    """Bootstrap CI of `statistic(b) - statistic(a)` over paired items `a[i]`, `b[i]`.

    Returns None when the statistic is undefined on the full data.
    """
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    observed_a, observed_b = statistic(a), statistic(b)
    if observed_a is None or observed_b is None or not a:
        return None
    rng = random.Random(seed)
    n = len(a)
    deltas: list[float] = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        value_a = statistic([a[i] for i in picks])
        value_b = statistic([b[i] for i in picks])
        if value_a is not None and value_b is not None:
            deltas.append(value_b - value_a)
    if not deltas:
        return None
    deltas.sort()
    tail = (1 - confidence) / 2
    low = deltas[max(0, math.floor(tail * len(deltas)))]
    high = deltas[min(len(deltas) - 1, math.ceil((1 - tail) * len(deltas)) - 1)]
    return BootstrapResult(observed_b - observed_a, low, high, len(deltas))


def multi_bootstrap(
    a: Sequence[T],
    b: Sequence[T],
    statistics: Callable[[Sequence[T]], dict[str, float | None]],
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, BootstrapResult]:
    """Like :func:`paired_bootstrap` for every metric a function returns, in one pass."""
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    if not a:
        return {}
    full_a, full_b = statistics(a), statistics(b)
    names = [k for k in full_a if full_a[k] is not None and full_b.get(k) is not None]
    rng = random.Random(seed)
    n = len(a)
    deltas: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        stats_a = statistics([a[i] for i in picks])
        stats_b = statistics([b[i] for i in picks])
        for name in names:
            value_a, value_b = stats_a.get(name), stats_b.get(name)
            if value_a is not None and value_b is not None:
                deltas[name].append(value_b - value_a)
    tail = (1 - confidence) / 2
    results: dict[str, BootstrapResult] = {}
    for name in names:
        values = sorted(deltas[name])
        if not values:
            continue
        low = values[max(0, math.floor(tail * len(values)))]
        high = values[min(len(values) - 1, math.ceil((1 - tail) * len(values)) - 1)]
        observed = float(full_b[name] or 0.0) - float(full_a[name] or 0.0)
        results[name] = BootstrapResult(observed, low, high, len(values))
    return results
