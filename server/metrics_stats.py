"""The statistics the dashboard reports: median, nearest-rank percentile, rates."""

from __future__ import annotations

import math
import statistics


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    """The median (the mean of the two middle values for an even count), None when empty.

    Rounded to the millisecond, so float noise does not show.
    """
    return round(float(statistics.median(values)), 3) if values else None


def rate(part: int, whole: int) -> float | None:
    """`part / whole` to four places, None when `whole` is 0."""
    return round(part / whole, 4) if whole else None
