"""Rank fusion shared by the knowledge-base backends: RRF and min-max score fusion."""

from __future__ import annotations

import pytest

from tools.knowledge.fusion import min_max_fusion, min_max_normalise, reciprocal_rank_fusion


def test_min_max_normalise_scales_to_unit_interval() -> None:
    assert min_max_normalise([2.0, 4.0, 3.0]) == [0.0, 1.0, 0.5]
    assert min_max_normalise([5.0, 5.0]) == [1.0, 1.0]
    assert min_max_normalise([]) == []


def test_rrf_rewards_documents_ranked_well_by_both_lists() -> None:
    bm25 = [("a", 12.0), ("b", 11.0), ("c", 3.0)]
    dense = [("b", 0.9), ("c", 0.8), ("d", 0.7)]
    fused = reciprocal_rank_fusion([bm25, dense])
    assert [key for key, _ in fused] == ["b", "c", "a", "d"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_weights_and_duplicates() -> None:
    fused = reciprocal_rank_fusion([[("a", 1.0), ("a", 0.5)], [("b", 1.0)]], weights=[1.0, 2.0])
    assert [key for key, _ in fused] == ["b", "a"]
    assert fused[1][1] == pytest.approx(1 / 61)


def test_min_max_fusion_keeps_score_gaps() -> None:
    bm25 = [("a", 10.0), ("b", 9.9), ("c", 0.0)]
    dense = [("c", 0.9), ("a", 0.1), ("b", 0.0)]
    fused = dict(min_max_fusion([bm25, dense]))
    assert fused["a"] == pytest.approx(1.0 + 0.1 / 0.9)
    assert fused["c"] == pytest.approx(1.0)
    assert max(fused, key=fused.__getitem__) == "a"


def test_ties_keep_first_seen_order() -> None:
    fused = reciprocal_rank_fusion([[("x", 1.0)], [("y", 1.0)]])
    assert [key for key, _ in fused] == ["x", "y"]


@pytest.mark.parametrize("weights", [[1.0], [1.0, -1.0]])
def test_bad_weights_are_rejected(weights: list[float]) -> None:
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[("a", 1.0)], [("b", 1.0)]], weights=weights)
    with pytest.raises(ValueError):
        min_max_fusion([[("a", 1.0)], [("b", 1.0)]], weights=weights)
