"""Knowledge base on OpenSearch: BM25 and k-NN retrieval fused on the client.

`search` sends two queries, both limited to the tenant by a filter: the embedded backend's
BM25F over the article's pre-stemmed terms (`tools.knowledge.opensearch_query`; it reads the
query stems' corpus statistics in a request of its own first), and a k-NN query on the
article's embedding. Each result list is min-max normalised and the two are combined with
weights (`tools.knowledge.fusion.min_max_fusion`). OpenSearch can do this server-side with a
`normalization-processor` search pipeline, but that needs the neural-search plugin; fusing
here works on any node with k-NN and keeps the SQLite and OpenSearch backends' ranking
logic the same. Without an embedder, search is BM25 alone.

Writes go through the bulk API (`helpers.streaming_bulk`). A document's id is derived from
`(tenant, source)`, so re-indexing a file replaces its document, and unchanged documents
(same content hash, article id and title) are not rewritten or re-embedded.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from opensearchpy import OpenSearch, helpers
from opensearchpy.exceptions import NotFoundError

from tools.embeddings.base import Embedder
from tools.knowledge.base import Document, Passage
from tools.knowledge.bm25 import Bm25Params, query_term_weights
from tools.knowledge.fusion import min_max_fusion
from tools.knowledge.opensearch_query import (
    bm25_query,
    read_statistics,
    statistics_query,
    stem_weights,
)
from tools.knowledge.opensearch_schema import (
    VECTOR_FIELD,
    ensure_index,
    stem_fields,
    title_repeats,
)

UpsertOutcome = Literal["added", "updated", "unchanged"]
BulkProgress = Callable[[int, int], None]
"""Called as `progress(written, total)` while documents are sent to the bulk API."""

EMBED_BATCH = 32
MAX_EMBED_CHARS = 2000
"""Characters of title and body that are embedded (the opening of an article)."""
MAX_QUERY_CHARS = 8000
"""Longer queries are cut (a message is at most `max_message_chars`, 4,000 by default)."""
_SOURCE_FIELDS = ["article_id", "title", "text", "source", "tenant"]


class OpenSearchWriteError(RuntimeError):
    """Some documents of a bulk write were refused; the message names the first failures."""


@dataclass(frozen=True)
class HybridWeights:
    """How the BM25 and k-NN lists are fused: weights of min-max-scaled scores, pool size."""

    bm25: float = 1.0
    vector: float = 0.3
    """On kb_retrieval_banking with the hashing embedder, 0.3 scored nDCG@10 0.434 and 0.1
    scored 0.450, against 0.458 for BM25 alone: on long scenarios the vectors add nothing."""
    pool: int = 50
    """Candidates taken from each query (at least `k`)."""


def document_id(tenant: str, source: str) -> str:
    """Return the OpenSearch `_id` of the document indexed from `source` for `tenant`."""
    # The tenant's length makes the key unambiguous whatever characters either part holds.
    return hashlib.sha256(f"{len(tenant)}:{tenant}\0{source}".encode()).hexdigest()


def embedding_text(title: str, text: str) -> str:
    """Return the text a document's vector is computed from: title, then the body's opening."""
    return f"{title}\n\n{text}"[:MAX_EMBED_CHARS]


class OpenSearchKnowledgeBase:
    """A tenant-aware knowledge base in one OpenSearch index.

    `default_tenant` is used by `search` and `get` when no tenant is given; when both are
    None, they span every tenant. The index is created (idempotently) on construction with
    the embedder's vector size. Writes are refreshed before they return, so a search right
    after an upsert sees it.
    """

    def __init__(
        self,
        client: OpenSearch,
        index_name: str,
        *,
        embedder: Embedder | None = None,
        dimension: int | None = None,
        default_tenant: str | None = None,
        bm25: Bm25Params | None = None,
        weights: HybridWeights | None = None,
    ) -> None:
        """Open (creating if needed) `index_name`; `dimension` defaults to the embedder's."""
        if dimension is None:
            if embedder is None:
                raise ValueError("give an embedder or the index's vector dimension")
            dimension = embedder.dimension
        if embedder is not None and embedder.dimension != dimension:
            raise ValueError(
                f"embedder {embedder.name} returns {embedder.dimension} dimensions, "
                f"the index holds {dimension}"
            )
        self.client = client
        self.index_name = index_name
        self.embedder = embedder
        self.dimension = dimension
        self.default_tenant = default_tenant
        self.bm25 = bm25 or Bm25Params()
        self._title_repeats = title_repeats(self.bm25)
        self.weights = weights or HybridWeights()
        ensure_index(client, index_name, dimension, self.bm25)

    def __enter__(self) -> OpenSearchKnowledgeBase:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()

    def search(self, query: str, k: int = 5, tenant: str | None = None) -> list[Passage]:
        """Return up to `k` passages for `query`, best first, limited to the tenant.

        With an embedder, the BM25 and k-NN rankings are fused (`score` is then the
        weighted sum of min-max-scaled scores); without one, `score` is the BM25 score.
        Blank queries return an empty list.
        """
        query = query.strip()[:MAX_QUERY_CHARS]
        if k <= 0 or not query:
            return []
        tenant = tenant if tenant is not None else self.default_tenant
        if self.embedder is None:
            return [passage for passage, _ in self._bm25(query, k, tenant)]
        pool = max(self.weights.pool, k)
        lexical = self._bm25(query, pool, tenant)
        dense = self._knn(query, pool, tenant)
        found: dict[tuple[str, str], Passage] = {}
        for passage, _score in [*lexical, *dense]:
            found.setdefault(_key(passage), passage)
        fused = min_max_fusion(
            [
                [(_key(passage), score) for passage, score in lexical],
                [(_key(passage), score) for passage, score in dense],
            ],
            [self.weights.bm25, self.weights.vector],
        )
        return [_with_score(found[key], score) for key, score in fused[:k]]

    def bm25_query(self, query: str, size: int, tenant: str | None) -> dict[str, Any] | None:
        """Return the BM25F request body, None when no article shares a stem with the query.

        Reads the corpus statistics of the query's stems from the index first.
        """
        weights = query_term_weights(query, self.bm25)
        if not weights:
            return None
        terms = list(weights)
        response = self.client.search(index=self.index_name, body=statistics_query(terms))
        statistics = read_statistics(terms, response)
        return bm25_query(
            stem_weights(weights, statistics, self.bm25),
            statistics.average_length,
            size,
            _tenant_filter(tenant),
            self.bm25,
            _SOURCE_FIELDS,
        )

    def knn_query(self, vector: Sequence[float], size: int, tenant: str | None) -> dict[str, Any]:
        """Return the k-NN request body, with the tenant filter applied during the search."""
        knn: dict[str, Any] = {"vector": list(vector), "k": size}
        if tenant is not None:
            knn["filter"] = {"term": {"tenant": tenant}}
        return {"size": size, "_source": _SOURCE_FIELDS, "query": {"knn": {VECTOR_FIELD: knn}}}

    def _bm25(self, query: str, size: int, tenant: str | None) -> list[tuple[Passage, float]]:
        body = self.bm25_query(query, size, tenant)
        return [] if body is None else self._hits(body)

    def _knn(self, query: str, size: int, tenant: str | None) -> list[tuple[Passage, float]]:
        assert self.embedder is not None
        vector = self.embedder.embed([query])[0]
        if not vector.any():
            return []
        return self._hits(self.knn_query(vector.tolist(), size, tenant))

    def _hits(self, body: dict[str, Any]) -> list[tuple[Passage, float]]:
        response = self.client.search(index=self.index_name, body=body)
        results = []
        for hit in response["hits"]["hits"]:
            score = float(hit.get("_score") or 0.0)
            results.append((_passage(hit["_source"], score), score))
        return results

    def get(self, article_id: str, tenant: str | None = None) -> Passage | None:
        """Return the article with this id (score 0.0), or None when absent."""
        tenant = tenant if tenant is not None else self.default_tenant
        filters = [{"term": {"article_id": article_id}}, *_tenant_filter(tenant)]
        response = self.client.search(
            index=self.index_name,
            body={
                "size": 1,
                "_source": _SOURCE_FIELDS,
                "query": {"bool": {"filter": filters}},
                "sort": [{"source": "asc"}],
            },
        )
        hits = response["hits"]["hits"]
        return _passage(hits[0]["_source"], 0.0) if hits else None

    def upsert(self, document: Document) -> UpsertOutcome:
        """Add the document, or replace the one with the same `(tenant, source)`."""
        counts = self.upsert_many([document])
        return next(outcome for outcome, count in counts.items() if count)

    def upsert_many(
        self, documents: Iterable[Document], progress: BulkProgress | None = None
    ) -> dict[UpsertOutcome, int]:
        """Write many documents with the bulk API; return how many had each outcome.

        Documents whose stored content hash, article id and title are the same are left
        alone ("unchanged"). The rest are embedded in batches and sent with
        `helpers.streaming_bulk`. Raises `OpenSearchWriteError` if any write was refused.
        """
        batch = {document_id(d.tenant, d.source): d for d in documents}
        counts: dict[UpsertOutcome, int] = {"added": 0, "updated": 0, "unchanged": 0}
        stored = self._stored_fingerprints(list(batch))
        changed: list[tuple[str, Document]] = []
        for doc_id, document in batch.items():
            fingerprint = (document.effective_hash(), document.article_id, document.title)
            if stored.get(doc_id) == fingerprint:
                counts["unchanged"] += 1
                continue
            counts["updated" if doc_id in stored else "added"] += 1
            changed.append((doc_id, document))
        if changed:
            self._bulk_write(changed, progress)
        return counts

    def _stored_fingerprints(self, ids: list[str]) -> dict[str, tuple[str, str, str]]:
        if not ids:
            return {}
        response = self.client.mget(
            index=self.index_name,
            body={"ids": ids},
            params={"_source_includes": "content_hash,article_id,title"},
        )
        return {
            doc["_id"]: (
                doc["_source"].get("content_hash", ""),
                doc["_source"].get("article_id", ""),
                doc["_source"].get("title", ""),
            )
            for doc in response["docs"]
            if doc.get("found")
        }

    def _actions(self, changed: list[tuple[str, Document]]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(changed), EMBED_BATCH):
            chunk = changed[start : start + EMBED_BATCH]
            vectors = None
            if self.embedder is not None:
                vectors = self.embedder.embed([embedding_text(d.title, d.text) for _, d in chunk])
            for position, (doc_id, document) in enumerate(chunk):
                source: dict[str, Any] = {
                    "tenant": document.tenant,
                    "source": document.source,
                    "article_id": document.article_id,
                    "title": document.title,
                    "text": document.text,
                    **stem_fields(document.title, document.text, self._title_repeats),
                    "content_hash": document.effective_hash(),
                    "updated_at": int(time.time() * 1000),
                }
                if vectors is not None and vectors[position].any():
                    source[VECTOR_FIELD] = vectors[position].tolist()
                    source["embedder"] = self.embedder.name if self.embedder else ""
                yield {"_index": self.index_name, "_id": doc_id, "_source": source}

    def _bulk_write(
        self, changed: list[tuple[str, Document]], progress: BulkProgress | None
    ) -> None:
        failures: list[str] = []
        for written, (ok, item) in enumerate(
            helpers.streaming_bulk(
                self.client,
                self._actions(changed),
                chunk_size=EMBED_BATCH,
                raise_on_error=False,
                max_retries=3,
            ),
            start=1,
        ):
            if not ok:
                failures.append(str(item)[:300])
            if progress is not None:
                progress(written, len(changed))
        self.client.indices.refresh(index=self.index_name)
        if failures:
            raise OpenSearchWriteError(
                f"{len(failures)} of {len(changed)} document(s) were refused: "
                + "; ".join(failures[:3])
            )

    def delete(self, source: str, tenant: str) -> bool:
        """Remove the document indexed from `source` for `tenant`; tell whether it existed."""
        try:
            self.client.delete(
                index=self.index_name, id=document_id(tenant, source), params={"refresh": "true"}
            )
        except NotFoundError:
            return False
        return True

    def source_hashes(self, tenant: str, under: str | None = None) -> dict[str, str]:
        """Map each source of `tenant` (optionally only those starting with `under`) to its hash."""
        filters: list[dict[str, Any]] = [{"term": {"tenant": tenant}}]
        if under is not None:
            filters.append({"prefix": {"source": under}})
        hits = helpers.scan(
            self.client,
            index=self.index_name,
            query={"query": {"bool": {"filter": filters}}, "_source": ["source", "content_hash"]},
            size=500,
        )
        return {hit["_source"]["source"]: hit["_source"]["content_hash"] for hit in hits}

    def count(self, tenant: str | None = None) -> int:
        """Return the number of documents, for one tenant or in total."""
        body = {"query": {"bool": {"filter": _tenant_filter(tenant)}}}
        return int(self.client.count(index=self.index_name, body=body)["count"])

    def tenants(self) -> list[str]:
        """Return the tenants that have at least one document, sorted."""
        response = self.client.search(
            index=self.index_name,
            body={"size": 0, "aggs": {"tenants": {"terms": {"field": "tenant", "size": 10000}}}},
        )
        return sorted(bucket["key"] for bucket in response["aggregations"]["tenants"]["buckets"])


def _tenant_filter(tenant: str | None) -> list[dict[str, Any]]:
    return [] if tenant is None else [{"term": {"tenant": tenant}}]


def _key(passage: Passage) -> tuple[str, str]:
    return (passage.tenant, passage.source)


def _passage(source: dict[str, Any], score: float) -> Passage:
    return Passage(
        article_id=source["article_id"],
        title=source["title"],
        text=source["text"],
        source=source["source"],
        score=round(score, 6),
        tenant=source["tenant"],
    )


def _with_score(passage: Passage, score: float) -> Passage:
    return Passage(
        passage.article_id,
        passage.title,
        passage.text,
        passage.source,
        round(score, 6),
        passage.tenant,
    )
