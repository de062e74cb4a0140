"""Retrieval latency of the embedded knowledge base at 10,000 articles.

Builds (once, then reuses) a SQLite knowledge base of `--articles` help articles made from
the τ²-bench banking help centre in `../shared/datasets/kb_retrieval_banking`: each
article joins the paragraphs of two source articles, picked and shuffled with a fixed
seed, so term statistics stay realistic while the index grows to the target size. Vectors
are stored with the index when an embedder is chosen, so only the first run pays for
embedding.

The term matrix that BM25 ranks from is read from the index once, on the first search
after opening (or after a write); that one-off cost is printed on its own. Two query sets
are timed, each query once after a warm-up pass: short customer messages
(the Bitext customer-support instructions, when `../shared/datasets/bitext` is present, else
the first sentence of each banking query) and the 97 long banking scenarios (580 words on
average). The benchmark prints wall-clock p50 / p95 / max and the process's CPU time per
query (which a machine shared with other work does not inflate); run it with
`python -m bench.kb_latency [--embedder none|hashing|pretrained]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import time
from pathlib import Path

from bench.kb_retrieval import DEFAULT_DATASET, load_dataset, make_embedder, percentile
from tools.knowledge.base import Document
from tools.knowledge.sqlite_index import SqliteKnowledgeBase

REPO_ROOT = Path(__file__).resolve().parents[1]
BITEXT_FILE = REPO_ROOT.parent / "shared" / "datasets" / "bitext"
DEFAULT_CACHE = Path.home() / ".cache" / "tandem" / "bench"
TENANT = "bench"
SEED = 7
SHORT_QUERIES = 300


def synthetic_articles(corpus: list[Document], count: int, seed: int = SEED) -> list[Document]:
    """Return `count` articles, each the shuffled paragraphs of two source articles."""
    rng = random.Random(seed)
    paragraphs = [
        [part for part in re.split(r"\n\s*\n", doc.text) if part.strip()] or [doc.text]
        for doc in corpus
    ]
    articles: list[Document] = []
    for index in range(count):
        first, second = rng.randrange(len(corpus)), rng.randrange(len(corpus))
        parts = paragraphs[first] + rng.sample(
            paragraphs[second], k=min(2, len(paragraphs[second]))
        )
        rng.shuffle(parts)
        articles.append(
            Document(
                article_id=f"synthetic-{index:05d}",
                title=f"{corpus[first].title} ({index})",
                text="\n\n".join(parts),
                source=f"synthetic/{index:05d}",
                tenant=TENANT,
            )
        )
    return articles


def short_queries(banking_queries: list[str], limit: int = SHORT_QUERIES) -> list[str]:
    """Customer messages: Bitext instructions when present, else first query sentences."""
    path = BITEXT_FILE
    files = sorted(path.glob("*.csv")) if path.is_dir() else []
    if files:
        with files[0].open(encoding="utf-8", newline="") as handle:
            rows = [row["instruction"] for row in csv.DictReader(handle)]
        return random.Random(SEED).sample(rows, k=min(limit, len(rows)))
    return [re.split(r"(?<=[.!?])\s", query.strip())[0] for query in banking_queries][:limit]


def build_index(path: Path, articles: list[Document], embedder_name: str) -> SqliteKnowledgeBase:
    """Open the cached index at `path`, adding whatever articles or vectors it lacks."""
    kb = SqliteKnowledgeBase(path, default_tenant=TENANT, embedder=make_embedder(embedder_name))
    if kb.count(TENANT) != len(articles):
        kb.upsert_many(articles)
    return kb


def time_queries(kb: SqliteKnowledgeBase, queries: list[str], k: int = 10) -> dict[str, float]:
    """Run each query once after a warm-up pass; return latency percentiles in ms."""
    for query in queries[:20]:
        kb.search(query, k=k)
    latencies: list[float] = []
    cpu: list[float] = []
    for query in queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        kb.search(query, k=k)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "queries": float(len(queries)),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "max_ms": max(latencies),
        "cpu_p50_ms": percentile(cpu, 0.5),
        "cpu_p95_ms": percentile(cpu, 0.95),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="BEIR-style folder")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the index is kept")
    parser.add_argument(
        "--embedder",
        choices=("none", "hashing", "pretrained"),
        default="none",
        help="vectors for hybrid retrieval (none: BM25 alone)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not (args.dataset / "corpus.jsonl").is_file():
        print(f"kb_latency: dataset not found at {args.dataset}; nothing to benchmark.")
        return 0
    data = load_dataset(args.dataset)
    articles = synthetic_articles(data.corpus, args.articles)
    args.cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    kb = build_index(args.cache / f"kb_latency_{args.articles}.sqlite", articles, args.embedder)
    build_seconds = time.perf_counter() - started
    started, started_cpu = time.perf_counter(), time.process_time()
    kb.lexical.current()
    matrix_seconds = time.perf_counter() - started
    matrix_cpu_seconds = time.process_time() - started_cpu
    banking = list(data.queries.values())
    results = {
        "short": time_queries(kb, short_queries(banking)),
        "long": time_queries(kb, banking),
    }
    kb.close()
    if args.json:
        loading = {"matrix_seconds": matrix_seconds, "matrix_cpu_seconds": matrix_cpu_seconds}
        print(json.dumps({"build_seconds": build_seconds, **loading, **results}, indent=2))
        return 0
    print(
        f"kb_latency · {args.articles} articles · embedder {args.embedder} "
        f"(index ready in {build_seconds:.1f} s; term matrix read in {matrix_seconds:.2f} s, "
        f"CPU {matrix_cpu_seconds:.2f} s)"
    )
    for name, row in results.items():
        print(
            f"  {name:<5} queries ({row['queries']:.0f}): p50 {row['p50_ms']:.1f} ms   "
            f"p95 {row['p95_ms']:.1f} ms   max {row['max_ms']:.1f} ms   "
            f"(CPU time p50 {row['cpu_p50_ms']:.1f} ms, p95 {row['cpu_p95_ms']:.1f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
