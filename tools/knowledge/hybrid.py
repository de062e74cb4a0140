"""Hybrid retrieval settings: how BM25 and dense-vector rankings are combined.

The embedded backend (`SqliteKnowledgeBase` with an embedder) asks both retrievers for a
candidate pool, fuses the two ranked lists with `tools.knowledge.fusion` and keeps the
top `k`. The defaults were chosen on `bench/kb_retrieval.py` with all-MiniLM-L6-v2 vectors
and the earlier BM25: min-max fusion with the vector list at half weight was the best mix
(nDCG@10 0.426 against 0.388 for equal-weight RRF). With the cross-validated BM25F (0.458
alone) the vectors no longer add to nDCG@10 on that set of long scenarios: weights 0.25,
0.5 and 1.0 score 0.454, 0.437 and 0.409, while success@5 moves from 0.928 to 0.938, 0.959
and 0.887; and embedding a long message costs hundreds of milliseconds (p50 617 ms per
query with the encoder in NumPy). Vectors pay off on paraphrased short questions that
share no word with the article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tools.knowledge.fusion import min_max_fusion, reciprocal_rank_fusion

FusionMethod = Literal["rrf", "minmax"]


@dataclass(frozen=True)
class HybridConfig:
    """How many candidates each retriever returns and how their lists are fused."""

    fusion: FusionMethod = "minmax"
    bm25_weight: float = 1.0
    dense_weight: float = 0.5
    pool: int = 50
    """Candidates taken from each retriever (at least `k`)."""
    min_dense_score: float = 0.3
    """Vector matches below this cosine are dropped, so an unrelated question can still get
    no passage at all (nearest neighbours always exist)."""

    def fuse(
        self, bm25: Sequence[tuple[int, float]], dense: Sequence[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """Fuse the two ranked `(document_id, score)` lists, best first."""
        weights = (self.bm25_weight, self.dense_weight)
        dense = [(key, score) for key, score in dense if score >= self.min_dense_score]
        if self.fusion == "minmax":
            return min_max_fusion([bm25, dense], weights)
        return reciprocal_rank_fusion([bm25, dense], weights)
