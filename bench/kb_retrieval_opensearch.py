"""Knowledge-base retrieval benchmark on OpenSearch: BM25 alone and hybrid (BM25 + k-NN).

Same dataset, queries and metrics as `bench.kb_retrieval` (the SQLite backend), against a
running OpenSearch node with the k-NN plugin (`scripts/opensearch.sh start`). The corpus
is bulk-indexed into a throw-away index, which is deleted afterwards. Run with
`python -m bench.kb_retrieval_opensearch --url http://127.0.0.1:9200 --embedder hashing`.
`--compare` also scores the embedded (SQLite) backend with the same BM25F parameters in the
same run, for a side-by-side of the two backends on identical queries.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError

from bench.kb_retrieval import (
    DEFAULT_DATASET,
    TENANT,
    index_and_score,
    load_dataset,
    make_embedder,
    print_metrics,
)
from bench.kb_retrieval import run as run_embedded
from tools.embeddings.base import Embedder
from tools.knowledge.bm25 import Bm25Params
from tools.knowledge.opensearch_client import connect
from tools.knowledge.opensearch_index import HybridWeights, OpenSearchKnowledgeBase

BM25_ONLY_DIMENSION = 8
"""Vector size of the throw-away index when no embedder is used (no vectors are written)."""


def run(
    folder: Path,
    url: str,
    embedder: Embedder | None,
    weights: HybridWeights,
    bm25: Bm25Params | None = None,
) -> dict[str, float]:
    """Index the corpus into a fresh index, run every judged query and return the metrics."""
    data = load_dataset(folder)
    client = connect(url)
    index_name = f"bench-kb-{uuid.uuid4().hex[:8]}"
    dimension = embedder.dimension if embedder is not None else BM25_ONLY_DIMENSION
    kb = OpenSearchKnowledgeBase(
        client,
        index_name,
        embedder=embedder,
        dimension=dimension,
        default_tenant=TENANT,
        weights=weights,
        bm25=bm25,
    )
    try:
        return index_and_score(kb, data)
    finally:
        client.indices.delete(index=index_name, ignore_unavailable=True)
        kb.close()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="BEIR-style folder")
    parser.add_argument("--url", default="http://127.0.0.1:9200", help="OpenSearch endpoint")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--embedder",
        choices=("none", "hashing", "pretrained"),
        default="none",
        help="vectors for hybrid retrieval (none: BM25 alone)",
    )
    parser.add_argument("--bm25-weight", type=float, default=1.0)
    parser.add_argument("--vector-weight", type=float, default=HybridWeights.vector)
    parser.add_argument("--pool", type=int, default=50, help="candidates per retriever")
    parser.add_argument("--title-weight", type=float, default=Bm25Params.title_weight)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also score the embedded (SQLite) backend, BM25F alone, in the same run",
    )
    args = parser.parse_args(argv)
    folder: Path = args.dataset
    if not all(
        (folder / name).is_file() for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv")
    ):
        print(f"kb_retrieval_opensearch: dataset not found at {folder}; nothing to benchmark.")
        return 0
    weights = HybridWeights(bm25=args.bm25_weight, vector=args.vector_weight, pool=args.pool)
    try:
        bm25 = Bm25Params(title_weight=args.title_weight)
        result = run(folder, args.url, make_embedder(args.embedder), weights, bm25)
    except OpenSearchConnectionError as exc:
        print(f"kb_retrieval_opensearch: cannot reach OpenSearch at {args.url}: {exc}")
        return 1
    embedded = run_embedded(folder, bm25=bm25) if args.compare else None
    if args.json:
        print(
            json.dumps(
                result if embedded is None else {"opensearch": result, "embedded": embedded},
                indent=2,
            )
        )
        return 0
    retriever = (
        "BM25"
        if args.embedder == "none"
        else f"hybrid {args.embedder} min-max {args.bm25_weight:g}:{args.vector_weight:g}"
    )
    print(
        f"kb_retrieval_opensearch · {folder.name} · {retriever}: {result['documents']:.0f} "
        f"documents, {result['queries']:.0f} queries (indexed in {result['index_seconds']:.2f} s)"
    )
    print_metrics(result)
    if embedded is not None:
        print(
            "kb_retrieval · the embedded (SQLite) backend, same parameters and queries "
            f"(indexed in {embedded['index_seconds']:.2f} s)"
        )
        print_metrics(embedded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
