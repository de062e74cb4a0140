"""Knowledge-base retrieval on `kb_retrieval_banking` (τ²-bench's banking help centre).

The indexing, querying and scoring are `bench/kb_retrieval.py`'s; this wraps its result
as a benchmark row with the dataset's plain-BM25 reference.
"""

from __future__ import annotations

from pathlib import Path

from bench.result import BenchmarkResult, missing, skipped
from config.settings import Settings

FILES = ("corpus.jsonl", "queries.jsonl", "qrels.tsv")


def kb_retrieval(datasets: Path, settings: Settings | None = None) -> BenchmarkResult:
    """nDCG@10, success@5, recall@5 and MRR@10 of Tandem's KB search over the banking corpus.

    `settings` is accepted like every benchmark's and not needed here.
    """
    folder = datasets / "kb_retrieval_banking"
    reason = missing(folder, FILES)
    if reason:
        return skipped("kb_retrieval", reason)
    from bench.kb_retrieval import REFERENCE, run

    result = run(folder)
    return BenchmarkResult(
        name="kb_retrieval",
        dataset=f"kb_retrieval_banking: {result['documents']:.0f} documents, "
        f"{result['queries']:.0f} queries",
        metrics={
            "ndcg@10": result["ndcg@10"],
            "success@5": result["success@5"],
            "recall@5": result["recall@5"],
            "capped_recall@5": result["capped_recall@5"],
            "mrr@10": result["mrr@10"],
            "p50_ms": result["p50_ms"],
            "p95_ms": result["p95_ms"],
        },
        reference={
            "ndcg@10": f"{REFERENCE['ndcg@10']:.3f} plain BM25",
            "success@5": f"{REFERENCE['success@5']:.3f} plain BM25 (README's recall@5)",
            "mrr@10": f"{REFERENCE['mrr@10']:.3f} plain BM25",
        },
        details={"index_seconds": result["index_seconds"]},
    )
