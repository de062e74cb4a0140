"""Merge ranked lists from different retrievers (BM25, dense vectors) into one ranking.

Backend-neutral: every function takes lists of ``(document_id, score)`` pairs, best first,
and returns one fused list in the same form, so the SQLite and OpenSearch backends share
the same fusion. Two methods:

- `reciprocal_rank_fusion` (RRF, Cormack et al. 2009): each list contributes
  ``weight / (k + rank)``; it ignores score scales entirely.
- `min_max_fusion`: each list's scores are scaled to [0, 1] by min-max and the weighted sum
  is taken; a document missing from a list gets 0 from it. It keeps how far apart scores
  are, which RRF throws away.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

RRF_K = 60
"""The usual RRF damping constant: later ranks still count, the top few count most."""


def min_max_normalise(scores: Sequence[float]) -> list[float]:
    """Scale scores to [0, 1]; when all are equal, every score becomes 1.0."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0] * len(scores)
    return [(score - low) / (high - low) for score in scores]


def _check_weights(
    lists: Sequence[Sequence[tuple[Key, float]]], weights: Sequence[float] | None
) -> list[float]:
    if weights is None:
        return [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"{len(weights)} weights for {len(lists)} ranked lists")
    if any(weight < 0 for weight in weights):
        raise ValueError("fusion weights must not be negative")
    return list(weights)


def _ordered(totals: dict[Key, float], first_seen: dict[Key, int]) -> list[tuple[Key, float]]:
    return sorted(totals.items(), key=lambda item: (-item[1], first_seen[item[0]]))


def reciprocal_rank_fusion(
    lists: Sequence[Sequence[tuple[Key, float]]],
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> list[tuple[Key, float]]:
    """Fuse ranked lists by weighted reciprocal rank; ties keep first-seen order.

    A document repeated within one list counts once, at its best rank.
    """
    factors = _check_weights(lists, weights)
    totals: dict[Key, float] = {}
    first_seen: dict[Key, int] = {}
    for factor, ranked in zip(factors, lists, strict=True):
        seen: set[Key] = set()
        for rank, (key, _score) in enumerate(ranked, start=1):
            if key in seen:
                continue
            seen.add(key)
            first_seen.setdefault(key, len(first_seen))
            totals[key] = totals.get(key, 0.0) + factor / (k + rank)
    return _ordered(totals, first_seen)


def min_max_fusion(
    lists: Sequence[Sequence[tuple[Key, float]]],
    weights: Sequence[float] | None = None,
) -> list[tuple[Key, float]]:
    """Fuse ranked lists by the weighted sum of min-max-normalised scores.

    A document repeated within one list counts once, with its best score.
    """
    factors = _check_weights(lists, weights)
    totals: dict[Key, float] = {}
    first_seen: dict[Key, int] = {}
    for factor, ranked in zip(factors, lists, strict=True):
        best: dict[Key, float] = {}
        for key, score in ranked:
            if key not in best or score > best[key]:
                best[key] = score
        for key, scaled in zip(best, min_max_normalise(list(best.values())), strict=True):
            first_seen.setdefault(key, len(first_seen))
            totals[key] = totals.get(key, 0.0) + factor * scaled
    return _ordered(totals, first_seen)
