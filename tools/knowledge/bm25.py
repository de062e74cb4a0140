"""Okapi BM25F over an in-memory sparse matrix of the knowledge base's terms.

Every document contributes its title and body term counts. The title's counts are
multiplied by `title_weight` and added to the body's before saturation (BM25F), and the
length normalisation uses the document's whole length. The matrix holds, for each
`(term, document)` pair, the saturated term frequency ``tf (k1 + 1) / (tf + k1 (1 - b +
b len / avglen))``; a query's terms are weighted by their IDF, so ranking is one sparse
row-slice and one weighted sum. On `bench/kb_latency.py` (10,000 articles) that took long
pasted messages from p95 107 ms (FTS5's per-row `bm25()` picking candidates, then Python
re-scoring them) to 6 ms, and short questions from 45 ms to 1 ms.

Query terms are weighted by how often the message repeats them (BM25's k3 saturation), so
a long message that keeps naming a topic weighs it almost in proportion.

The parameters were chosen by 5-fold cross-validation over the queries of
`bench/kb_retrieval.py` (see `Bm25Params`). Long customer scenarios are full of words that
are rare in the help centre but say nothing about what it should return (names, places,
job titles); for long queries, damping IDF (`idf_power` 0.5) stops those from outweighing
the topic words the message repeats. A short question keeps the full IDF: each of its few
words is there for a reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from tools.knowledge.tenants import TenantMasks
from tools.knowledge.text import query_stems, stemmed_terms, strip_question_phrases


@dataclass(frozen=True)
class Bm25Params:
    """BM25F parameters.

    Defaults were chosen by cross-validation on kb_retrieval_banking (97 long customer
    scenarios): the fold-wise best of a grid over k1, b, title weight, IDF power and the
    query-term cap. They moved nDCG@10 from 0.428 (k1 1.2, b 0.75, title weight 2, full IDF,
    64 query terms) to 0.458 on the whole set.
    """

    k1: float = 3.0
    b: float = 0.75
    title_weight: float = 8.0
    idf_power: float = 0.5
    long_query_terms: int = 16
    """Queries with at least this many distinct terms get `idf_power`; shorter ones full IDF."""
    k3: float = 100.0
    """Saturation of repeated query terms: qtf 2 counts 1.98, a term said once counts 1.0."""
    max_query_terms: int = 512
    """Distinct query terms kept (the most repeated, then the earliest); bounds the cost of a
    pathological message, the longest benchmark scenario has 290."""


def bm25_idf(documents: int, frequency: Any) -> Any:
    """BM25's IDF of terms found in `frequency` of `documents` (a number or a numpy array)."""
    return np.log1p((documents - frequency + 0.5) / (frequency + 0.5))


def idf_exponent(distinct_terms: int, params: Bm25Params) -> float:
    """The power IDF is taken to for a query of `distinct_terms` stems (damped when long)."""
    return params.idf_power if distinct_terms >= params.long_query_terms else 1.0


def query_term_weights(query: str, params: Bm25Params) -> dict[str, float]:
    """Return the weight of each distinct query stem (k3-saturated repeat count).

    Interrogative phrases ("how long", "how much") are dropped first; a query without
    content words gives an empty dict.
    """
    terms = query_stems(query, params.max_query_terms)
    if not terms:
        return {}
    repeats = Counter(stemmed_terms(strip_question_phrases(query)))
    k3 = params.k3
    return {term: (k3 + 1) * repeats[term] / (k3 + repeats[term]) for term in terms}


@dataclass(frozen=True)
class DocumentTerms:
    """One document's row id, tenant and space-separated stemmed title and body terms."""

    document_id: int
    tenant: str
    title_terms: str
    body_terms: str


def count_terms(texts: Sequence[str]) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Counts of the whitespace-separated terms of each text, over a sorted vocabulary.

    The same matrix scikit-learn's `CountVectorizer(analyzer=str.split)` builds, without
    importing scikit-learn (seconds of start-up for a one-off search from the terminal).
    """
    rows = [text.split() for text in texts]
    vocabulary = {term: i for i, term in enumerate(sorted({t for row in rows for t in row}))}
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in rows], out=indptr[1:])
    indices = np.fromiter(
        (vocabulary[term] for row in rows for term in row), dtype=np.int64, count=int(indptr[-1])
    )
    counts = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), indices, indptr),
        shape=(len(rows), len(vocabulary)),
    )
    counts.sum_duplicates()
    return counts, vocabulary


class TermMatrix:
    """Per-term BM25F scores of a fixed set of documents, ready to rank queries."""

    def __init__(self, documents: Sequence[DocumentTerms], params: Bm25Params) -> None:
        """Build the matrix; term statistics span every given document (all tenants)."""
        self.params = params
        self.ids = np.asarray([doc.document_id for doc in documents], dtype=np.int64)
        self.tenants = np.asarray([doc.tenant for doc in documents], dtype=object)
        self._tenant_mask = TenantMasks(self.tenants)
        count = len(documents)
        if count == 0:
            self.vocabulary: dict[str, int] = {}
            self.idf = np.zeros(0, dtype=np.float32)
            self._saturated = sp.csr_matrix((0, 0), dtype=np.float32)
            return
        counts, self.vocabulary = count_terms(
            [doc.title_terms for doc in documents] + [doc.body_terms for doc in documents]
        )
        titles, bodies = counts[:count], counts[count:]
        lengths = np.asarray(titles.sum(axis=1)).ravel() + np.asarray(bodies.sum(axis=1)).ravel()
        average = max(1.0, float(lengths.mean()))
        k1, b = params.k1, params.b
        tf = (params.title_weight * titles + bodies).tocoo()
        norm = k1 * (1 - b + b * lengths / average)
        saturated = tf.data * (k1 + 1) / (tf.data + norm[tf.row])
        frequencies = np.bincount(tf.col, minlength=len(self.vocabulary))
        self.idf = bm25_idf(count, frequencies).astype(np.float32)
        # Terms as rows: a query reads only the rows of its own terms.
        self._saturated = sp.csr_matrix(
            (saturated.astype(np.float32), (tf.col, tf.row)),
            shape=(len(self.vocabulary), count),
            dtype=np.float32,
        )

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def top(
        self, weights: dict[str, float], k: int, tenant: str | None = None
    ) -> list[tuple[int, float]]:
        """Return up to `k` `(document_id, score)` pairs, best first, within `tenant`.

        `weights` maps query stems to their repeat weight (`query_term_weights`). Only
        documents that share at least one term with the query are returned; ties go
        to the older document (lower id).
        """
        columns = [(self.vocabulary[t], w) for t, w in weights.items() if t in self.vocabulary]
        if k <= 0 or not columns or len(self) == 0:
            return []
        rows = np.fromiter((index for index, _ in columns), dtype=np.int64, count=len(columns))
        query = np.fromiter((weight for _, weight in columns), dtype=np.float32, count=len(rows))
        query *= self.idf[rows] ** idf_exponent(len(weights), self.params)
        scores = np.asarray(self._saturated[rows].T @ query).ravel()
        matched = scores > 0
        if tenant is not None:
            matched &= self._tenant_mask(tenant)
        candidates = np.flatnonzero(matched)
        if candidates.size > k:
            best = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[best]
        order = np.lexsort((self.ids[candidates], -scores[candidates]))
        return [(int(self.ids[i]), float(scores[i])) for i in candidates[order]]
