"""Choose the BM25F parameters by k-fold cross-validation over the retrieval queries.

Scores every combination of a grid (k1, b, title weight, IDF power for long queries, query
term cap) on every query of `../shared/datasets/kb_retrieval_banking` with the same
`TermMatrix` the knowledge base ranks with, then estimates how well *choosing* parameters
this way generalises: the queries are split into `--folds` folds, the combination with the
best mean nDCG@10 on the other folds is applied to each held-out fold, and the held-out
metrics (nDCG@10, success@5, MRR@10) are averaged, repeated over `--repeats` shuffles.
The held-out figures are the honest ones; the in-sample nDCG@10 of single combinations is
printed beside them.
Run with `python -m bench.kb_tuning`.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.kb_retrieval import DEFAULT_DATASET, TENANT, Dataset, load_dataset, query_metrics
from tools.knowledge.bm25 import Bm25Params, DocumentTerms, TermMatrix, query_term_weights
from tools.knowledge.text import stemmed_terms

GRID: dict[str, tuple[float, ...]] = {
    "k1": (1.2, 2.0, 3.0, 4.0),
    "b": (0.6, 0.75, 0.9),
    "title_weight": (2.0, 3.0, 5.0, 8.0),
    "idf_power": (0.5, 0.75, 1.0),
}
TERM_CAPS = (64, 128, 512)
"""Grid of the query-term cap (`Bm25Params.max_query_terms`)."""
PREVIOUS = Bm25Params(k1=1.2, b=0.75, title_weight=2.0, idf_power=1.0, max_query_terms=64)
"""The parameters the knowledge base used before they were cross-validated."""

Config = tuple[float, float, float, float, int]
METRICS = ("ndcg@10", "success@5", "mrr@10")
"""Reported held out; the first one chooses the combination."""


def per_query_metrics(data: Dataset) -> tuple[list[str], dict[Config, np.ndarray]]:
    """Return the judged query ids and, per grid combination, a (queries, METRICS) array."""
    documents = [
        DocumentTerms(
            index,
            TENANT,
            " ".join(stemmed_terms(doc.title)),
            " ".join(stemmed_terms(doc.text)),
        )
        for index, doc in enumerate(data.corpus)
    ]
    article_ids = [doc.article_id for doc in data.corpus]
    qids = [qid for qid in data.queries if qid in data.qrels]
    table: dict[Config, np.ndarray] = {}
    for k1, b, title_weight in itertools.product(GRID["k1"], GRID["b"], GRID["title_weight"]):
        matrix_params = Bm25Params(k1=k1, b=b, title_weight=title_weight)
        matrix = TermMatrix(documents, matrix_params)
        for idf_power, cap in itertools.product(GRID["idf_power"], TERM_CAPS):
            matrix.params = replace(matrix_params, idf_power=idf_power, max_query_terms=cap)
            values = []
            for qid in qids:
                weights = query_term_weights(data.queries[qid], matrix.params)
                ranked = [article_ids[doc] for doc, _score in matrix.top(weights, 10)]
                metrics = query_metrics(ranked, data.qrels[qid])
                values.append([metrics[name] for name in METRICS])
            config = (float(k1), float(b), float(title_weight), float(idf_power), int(cap))
            table[config] = np.asarray(values)
    return qids, table


def cross_validate(
    table: dict[Config, np.ndarray], folds: int, repeats: int
) -> tuple[np.ndarray, Counter[Config]]:
    """Return the held-out METRICS of each repeat and how often each combination won a fold.

    The first array has one row per repeat; a fold is won by nDCG@10 on the other folds.
    """
    count = len(next(iter(table.values())))
    held_out = np.zeros((repeats, len(METRICS)))
    chosen: Counter[Config] = Counter()
    for repeat in range(repeats):
        fold_of = np.empty(count, dtype=int)
        fold_of[np.random.default_rng(repeat).permutation(count)] = np.arange(count) % folds
        scores = np.zeros((count, len(METRICS)))
        for fold in range(folds):
            train, test = fold_of != fold, fold_of == fold
            best = max(table, key=lambda config: float(table[config][train, 0].mean()))
            chosen[best] += 1
            scores[test] = table[best][test]
        held_out[repeat] = scores.mean(axis=0)
    return held_out, chosen


def _config(params: Bm25Params) -> Config:
    return (params.k1, params.b, params.title_weight, params.idf_power, params.max_query_terms)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET, help="BEIR-style folder")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    if not (args.dataset / "qrels.tsv").is_file():
        print(f"kb_tuning: dataset not found at {args.dataset}; nothing to tune.")
        return 0
    qids, table = per_query_metrics(load_dataset(args.dataset))
    held_out, chosen = cross_validate(table, args.folds, args.repeats)
    print(
        f"kb_tuning · {len(table)} combinations (k1, b, title weight, IDF power, term cap) "
        f"· {len(qids)} queries · {args.folds}-fold × {args.repeats}"
    )
    for column, name in enumerate(METRICS):
        print(
            f"  held-out {name:<10} {held_out[:, column].mean():.3f} "
            f"(± {held_out[:, column].std():.3f} over the shuffles)"
        )
    for config, wins in chosen.most_common(3):
        print(
            f"  chosen in {wins:>2} of {args.folds * args.repeats} folds: {config}, "
            f"in-sample nDCG@10 {table[config][:, 0].mean():.3f}"
        )
    for name, params in (("shipped default", Bm25Params()), ("previous default", PREVIOUS)):
        config = _config(params)
        if config in table:
            print(f"  {name} {config}: in-sample nDCG@10 {table[config][:, 0].mean():.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
