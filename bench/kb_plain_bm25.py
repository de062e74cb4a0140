"""The dataset README's plain BM25 reference, recomputed, under every metric definition.

Ranks `../shared/datasets/kb_retrieval_banking` with bm25s (Lucene BM25, k1 1.5, b 0.75,
English stop words, no stemming) over title + text, as the README describes, and prints
the metrics of `bench.kb_retrieval`. It settles what the README's "recall@5" (0.784)
measures: success@5, the share of queries with a relevant article in the top 5. bm25s is a
development dependency; run with `python -m bench.kb_plain_bm25`.
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict

from bench.kb_retrieval import DEFAULT_DATASET, REFERENCE, load_dataset, query_metrics


def main() -> int:
    """Command-line entry point; returns the process exit code."""
    if not (DEFAULT_DATASET / "qrels.tsv").is_file():
        print(f"kb_plain_bm25: dataset not found at {DEFAULT_DATASET}; nothing to compute.")
        return 0
    try:
        import bm25s
    except ImportError:
        print("kb_plain_bm25: bm25s is not installed (pip install -e '.[dev]')")
        return 1
    data = load_dataset(DEFAULT_DATASET)
    article_ids = [doc.article_id for doc in data.corpus]
    corpus = [f"{doc.title} {doc.text}" for doc in data.corpus]
    retriever = bm25s.BM25()
    retriever.index(
        bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
    )
    qids = [qid for qid in data.queries if qid in data.qrels]
    tokens = bm25s.tokenize([data.queries[q] for q in qids], stopwords="en", show_progress=False)
    documents, _scores = retriever.retrieve(tokens, k=10, show_progress=False)
    values: dict[str, list[float]] = defaultdict(list)
    for row, qid in enumerate(qids):
        ranked = [article_ids[int(index)] for index in documents[row]]
        for name, value in query_metrics(ranked, data.qrels[qid]).items():
            values[name].append(value)
    print(f"kb_plain_bm25 · bm25s {bm25s.__version__} · {len(qids)} queries")
    for name, series in values.items():
        reference = REFERENCE.get(name)
        note = f"   (dataset README {reference:.3f})" if reference is not None else ""
        print(f"  {name:<16} {statistics.fmean(series):.3f}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
