"""Knowledge-base retrieval benchmark on the τ²-bench banking help centre (BEIR layout).

Indexes `corpus.jsonl` into an in-memory `SqliteKnowledgeBase`, runs every query of
`queries.jsonl` and scores the ranking against `qrels.tsv`: nDCG@10, success@5, recall@5,
capped recall@5, MRR@10, plus retrieval latency percentiles. Run with
`python -m bench.kb_retrieval`; add `--embedder hashing` or `--embedder pretrained` for
hybrid retrieval (BM25 + vectors, fused as `--fusion` says), `--embedder none` (the
default) for BM25 alone. `--k1`, `--b`, `--title-weight`, `--idf-power` and
`--max-query-terms` override the BM25F parameters (`bench.kb_tuning` chooses them by
cross-validation).

Metric names: the dataset README's "recall@5" of plain BM25 (0.784) is the share of
queries with at least one relevant article in the top 5, printed here as success@5
(`bench.kb_plain_bm25` recomputes that reference with bm25s). recall@5 is the share of a
query's relevant articles found in the top 5; with 9.8 relevant articles per query on
average it cannot come near 1. capped recall@5 divides by min(5, relevant) instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tools.embeddings.base import Embedder, HashingEmbedder
from tools.knowledge.base import Document, KnowledgeBase
from tools.knowledge.bm25 import Bm25Params
from tools.knowledge.hybrid import HybridConfig
from tools.knowledge.ingest import IngestTarget
from tools.knowledge.sqlite_index import SqliteKnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASET = REPO_ROOT.parent / "shared" / "datasets" / "kb_retrieval_banking"
TENANT = "bench"
REFERENCE = {"ndcg@10": 0.317, "success@5": 0.784, "mrr@10": 0.609}
"""Plain BM25 (bm25s, English stop words) over title+text, from the dataset README (which
calls success@5 "recall@5"); `python -m bench.kb_plain_bm25` reproduces all three."""


@dataclass(frozen=True)
class Dataset:
    """Corpus documents, query texts and graded relevance judgements."""

    corpus: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


class SearchableIndex(KnowledgeBase, IngestTarget, Protocol):
    """A knowledge base that can also be written to (both backends are)."""


def load_dataset(folder: Path) -> Dataset:
    """Read a BEIR-style folder: corpus.jsonl, queries.jsonl and qrels.tsv."""
    corpus: list[Document] = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                corpus.append(
                    Document(
                        article_id=row["_id"],
                        title=row.get("title") or "",
                        text=row.get("text") or "",
                        source=f"corpus.jsonl#{row['_id']}",
                        tenant=TENANT,
                    )
                )
    queries: dict[str, str] = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                queries[row["_id"]] = row["text"]
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with (folder / "qrels.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0:
                qrels[row["query-id"]][row["corpus-id"]] = int(row["score"])
    return Dataset(corpus=corpus, queries=queries, qrels=dict(qrels))


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """Normalised discounted cumulative gain of the first k results."""
    dcg = sum(
        (2 ** relevant.get(doc, 0) - 1) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k])
    )
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """Share of the relevant documents found in the first k results."""
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def capped_recall_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """Relevant documents in the first k results over min(k, number relevant)."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / min(k, len(relevant))


def success_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """1.0 when at least one relevant document is in the first k results, else 0.0."""
    return 1.0 if set(ranked[:k]) & set(relevant) else 0.0


def query_metrics(ranked: list[str], relevant: dict[str, int]) -> dict[str, float]:
    """Every reported metric of one query's ranking."""
    return {
        "ndcg@10": ndcg_at(ranked, relevant, 10),
        "success@5": success_at(ranked, relevant, 5),
        "recall@5": recall_at(ranked, relevant, 5),
        "capped_recall@5": capped_recall_at(ranked, relevant, 5),
        "mrr@10": mrr_at(ranked, relevant, 10),
    }


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    """Reciprocal rank of the first relevant document within the first k results."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def percentile(values: list[float], fraction: float) -> float:
    """Linear-interpolated percentile (fraction in [0, 1]) of a non-empty list."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def make_embedder(name: str) -> Embedder | None:
    """Return the embedder called `name`: none, hashing or pretrained.

    Raises SystemExit with a clear message when the pretrained encoder is not installed.
    """
    if name == "none":
        return None
    if name == "hashing":
        return HashingEmbedder()
    from tools.embeddings.encoders import load_sentence_embedder
    from tools.embeddings.pretrained import PretrainedEncoderUnavailable

    try:
        embedder: Embedder = load_sentence_embedder()
    except PretrainedEncoderUnavailable as exc:
        raise SystemExit(f"the pretrained encoder is not installed ({exc})") from None
    return embedder


def run(
    folder: Path,
    embedder: Embedder | None = None,
    hybrid: HybridConfig | None = None,
    index: Path | None = None,
    bm25: Bm25Params | None = None,
) -> dict[str, float]:
    """Index the corpus, run every judged query and return the metrics.

    The index is built in memory, or in the `index` file, which is kept between runs.
    """
    data = load_dataset(folder)
    kb = SqliteKnowledgeBase(
        index or ":memory:",
        default_tenant=TENANT,
        embedder=embedder,
        hybrid=hybrid,
        bm25=bm25,
    )
    try:
        return index_and_score(kb, data)
    finally:
        kb.close()


def index_and_score(kb: SearchableIndex, data: Dataset) -> dict[str, float]:
    """Index the corpus into `kb`, run every judged query and return the metrics."""
    started = time.perf_counter()
    kb.upsert_many(data.corpus)
    index_seconds = time.perf_counter() - started
    scores: dict[str, list[float]] = defaultdict(list)
    latencies: list[float] = []
    evaluated = [qid for qid in data.queries if qid in data.qrels]
    for qid in evaluated:
        started = time.perf_counter()
        passages = kb.search(data.queries[qid], k=10)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = [passage.article_id for passage in passages]
        for name, value in query_metrics(ranked, data.qrels[qid]).items():
            scores[name].append(value)
    result = {name: statistics.fmean(values) for name, values in scores.items()}
    result.update(
        documents=len(data.corpus),
        queries=len(evaluated),
        index_seconds=index_seconds,
        p50_ms=percentile(latencies, 0.5),
        p95_ms=percentile(latencies, 0.95),
    )
    return result


def print_metrics(result: dict[str, float]) -> None:
    """Print the quality metrics and latency of a run beside the plain BM25 reference."""
    ref = REFERENCE
    print(f"  nDCG@10          {result['ndcg@10']:.3f}   (plain BM25 {ref['ndcg@10']:.3f})")
    success_note = f"plain BM25 {ref['success@5']:.3f}, the dataset README's 'recall@5'"
    print(f"  success@5        {result['success@5']:.3f}   ({success_note})")
    share, capped = result["recall@5"], result["capped_recall@5"]
    print(f"  recall@5         {share:.3f}   (share of the relevant articles in the top 5)")
    print(f"  capped recall@5  {capped:.3f}   (relevant in the top 5 / min(5, relevant))")
    print(f"  MRR@10           {result['mrr@10']:.3f}   (plain BM25 {ref['mrr@10']:.3f})")
    print(f"  latency          p50 {result['p50_ms']:.1f} ms   p95 {result['p95_ms']:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="BEIR-style folder")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--embedder",
        choices=("none", "hashing", "pretrained"),
        default="none",
        help="vectors for hybrid retrieval (none: BM25 alone)",
    )
    parser.add_argument("--fusion", choices=("rrf", "minmax"), default="rrf")
    parser.add_argument(
        "--index", type=Path, help="keep the index (and its vectors) in this file between runs"
    )
    defaults = Bm25Params()
    parser.add_argument("--k1", type=float, default=defaults.k1)
    parser.add_argument("--b", type=float, default=defaults.b)
    parser.add_argument("--title-weight", type=float, default=defaults.title_weight)
    parser.add_argument("--idf-power", type=float, default=defaults.idf_power)
    parser.add_argument("--max-query-terms", type=int, default=defaults.max_query_terms)
    parser.add_argument("--dense-weight", type=float, default=1.0, help="weight of the vector list")
    args = parser.parse_args(argv)
    folder: Path = args.dataset
    if not all(
        (folder / name).is_file() for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv")
    ):
        print(f"kb_retrieval: dataset not found at {folder}; nothing to benchmark.")
        return 0
    hybrid = HybridConfig(fusion=args.fusion, dense_weight=args.dense_weight)
    bm25 = Bm25Params(
        k1=args.k1,
        b=args.b,
        title_weight=args.title_weight,
        idf_power=args.idf_power,
        max_query_terms=args.max_query_terms,
    )
    result = run(folder, make_embedder(args.embedder), hybrid, args.index, bm25)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    retriever = "BM25" if args.embedder == "none" else f"hybrid {args.embedder} {args.fusion}"
    print(
        f"kb_retrieval · {folder.name} · {retriever}: {result['documents']:.0f} documents, "
        f"{result['queries']:.0f} queries (indexed in {result['index_seconds']:.2f} s)"
    )
    print_metrics(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
