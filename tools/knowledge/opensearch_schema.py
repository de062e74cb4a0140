"""The OpenSearch index of knowledge-base articles: its mapping and an idempotent creator.

One index holds every tenant's articles. Ranking reads two fields written from the
embedded backend's own analysis (`tools.knowledge.text.stemmed_terms`), so both backends
see the same terms: `stems` holds the title's stems `title_weight` times and the body's
once (BM25F's pooled term counts, as `tools.knowledge.bm25.TermMatrix` pools them) and
`stem_count` the article's number of stems, title and body once each (BM25F's length).
`stems` is scored by a scripted similarity that returns the raw term count, which the
query saturates with the exact length (`tools.knowledge.opensearch_query`): Lucene's own
BM25 reads lengths from a one-byte norm that keeps four significant bits, and that rounding
alone cost nDCG@10 on kb_retrieval_banking. Title and body also stay `text` fields with the
`english` analyzer for ad-hoc queries. `embedding` is a `knn_vector` searched with HNSW on
the Lucene engine (cosine), which supports efficient filtering, so the tenant filter is
applied inside the k-NN search rather than after it. The Lucene engine is pure Java: it runs
on any node with the k-NN plugin, including one without the plugin's native libraries.
"""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError

from tools.knowledge.bm25 import Bm25Params
from tools.knowledge.text import stemmed_terms

SCHEMA_VERSION = 3
"""Version of the mapping and analysis below; stored in the index's `_meta`."""
TEXT_ANALYZER = "english"
VECTOR_FIELD = "embedding"
STEMS_FIELD = "stems"
LENGTH_FIELD = "stem_count"
TERM_FREQUENCY_SIMILARITY = "tandem_term_frequency"


class IndexMismatch(RuntimeError):
    """An existing index was built with another vector size or schema; the message says how."""


def title_repeats(params: Bm25Params) -> int:
    """Return how many times the title's stems are written into `stems` (the title weight).

    Raises ValueError unless the title weight is a positive whole number: the pooled counts
    are made by repetition.
    """
    weight = params.title_weight
    if weight < 1 or weight != int(weight):
        raise ValueError(
            f"the OpenSearch knowledge base needs a whole title weight, not {weight:g}"
        )
    return int(weight)


def stem_fields(title: str, text: str, repeats: int) -> dict[str, Any]:
    """Return the ranking fields of an article: pooled stems and its length in stems."""
    title_stems = stemmed_terms(title)
    body_stems = stemmed_terms(text)
    return {
        STEMS_FIELD: " ".join(title_stems * repeats + body_stems),
        LENGTH_FIELD: len(title_stems) + len(body_stems),
    }


def similarities() -> dict[str, Any]:
    """Return the index's similarity: a term's score is its raw count in the document."""
    return {
        TERM_FREQUENCY_SIMILARITY: {
            "type": "scripted",
            "script": {"source": "return query.boost * doc.freq;"},
        }
    }


def stem_properties() -> dict[str, Any]:
    """Return the mapping of the two ranking fields."""
    return {
        STEMS_FIELD: {
            "type": "text",
            "analyzer": "whitespace",
            "index_options": "freqs",
            "norms": False,
            "similarity": TERM_FREQUENCY_SIMILARITY,
        },
        LENGTH_FIELD: {"type": "integer"},
    }


def schema_meta(dimension: int, repeats: int) -> dict[str, Any]:
    """Return the index's `_meta`: schema version, vector size and title weight."""
    return {"schema_version": SCHEMA_VERSION, "dimension": dimension, "title_weight": repeats}


def index_body(dimension: int, params: Bm25Params | None = None) -> dict[str, Any]:
    """Return the settings and mappings of a knowledge-base index for `dimension`-long vectors."""
    repeats = title_repeats(params or Bm25Params())
    return {
        "settings": {
            "index": {
                "knn": True,
                "number_of_shards": 1,
                "auto_expand_replicas": "0-1",
                "refresh_interval": "1s",
                "similarity": similarities(),
            }
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": schema_meta(dimension, repeats),
            "properties": {
                "tenant": {"type": "keyword"},
                "source": {"type": "keyword"},
                "article_id": {"type": "keyword"},
                "title": {"type": "text", "analyzer": TEXT_ANALYZER},
                "text": {"type": "text", "analyzer": TEXT_ANALYZER},
                **stem_properties(),
                "content_hash": {"type": "keyword", "index": False},
                "embedder": {"type": "keyword"},
                "updated_at": {"type": "date", "format": "epoch_millis"},
                VECTOR_FIELD: {
                    "type": "knn_vector",
                    "dimension": dimension,
                    "method": {
                        "name": "hnsw",
                        "engine": "lucene",
                        "space_type": "cosinesimil",
                        "parameters": {"m": 16, "ef_construction": 128},
                    },
                },
            },
        },
    }


def ensure_index(
    client: OpenSearch, index_name: str, dimension: int, params: Bm25Params | None = None
) -> bool:
    """Create the knowledge-base index unless it exists; return True when it was created.

    Safe to run any number of times, also concurrently. Raises `IndexMismatch` when an index
    of that name exists with another vector dimension, title weight or schema version.
    """
    if not client.indices.exists(index=index_name):
        try:
            client.indices.create(index=index_name, body=index_body(dimension, params))
            return True
        except RequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
    check_index(client, index_name, dimension, params)
    return False


def index_meta(client: OpenSearch, index_name: str) -> dict[str, Any]:
    """Return the `_meta` of an existing index, plus its vector size as `stored_dimension`."""
    mapping = client.indices.get_mapping(index=index_name)
    mappings = next(iter(mapping.values()))["mappings"]
    vector = mappings.get("properties", {}).get(VECTOR_FIELD, {})
    return {**mappings.get("_meta", {}), "stored_dimension": vector.get("dimension")}


def check_index(
    client: OpenSearch, index_name: str, dimension: int, params: Bm25Params | None = None
) -> None:
    """Raise `IndexMismatch` unless `index_name` has this schema, vector size and title weight."""
    meta = index_meta(client, index_name)
    version, stored = meta.get("schema_version"), meta["stored_dimension"]
    if stored != dimension:
        raise IndexMismatch(
            f"OpenSearch index {index_name!r} holds {stored}-dimensional vectors; this "
            f"build expects {dimension} dimensions: delete the index (or choose another "
            "opensearch_index) and ingest the articles again"
        )
    if isinstance(version, int) and version < SCHEMA_VERSION:
        raise IndexMismatch(
            f"OpenSearch index {index_name!r} has schema {version}; this build ranks with "
            f"schema {SCHEMA_VERSION} (the embedded backend's stems, written beside each "
            "article): run `tandem kb migrate` to add them in place from the stored "
            "articles, or delete the index and ingest the articles again"
        )
    repeats = title_repeats(params or Bm25Params())
    if version != SCHEMA_VERSION or meta.get("title_weight") != repeats:
        raise IndexMismatch(
            f"OpenSearch index {index_name!r} has schema {version} with title weight "
            f"{meta.get('title_weight')}; this build expects schema {SCHEMA_VERSION} with "
            f"title weight {repeats}: delete the index (or choose another opensearch_index) "
            "and ingest the articles again"
        )
