"""The OpenSearch index of knowledge-base articles: its mapping and an idempotent creator.

One index holds every tenant's articles. Title and body are `text` fields with the
`english` analyzer (stop words, possessives, Porter stems), ranked with BM25 at the
embedded backend's k1 and b (`Bm25Params`). Each also has a `damped` sub-field whose
scripted similarity is the same BM25 with IDF taken to `idf_power`, which long messages
are matched against (`tools.knowledge.opensearch_query`). `embedding` is a
`knn_vector` searched with HNSW on the Lucene engine (cosine), which supports efficient
filtering, so the tenant filter is applied inside the k-NN search rather than after it.
The Lucene engine is pure Java: it runs on any node with the k-NN plugin, including one
without the plugin's native libraries.
"""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import RequestError

from tools.knowledge.bm25 import Bm25Params

SCHEMA_VERSION = 2
"""Version of the mapping and analysis below; stored in the index's `_meta`."""
TEXT_ANALYZER = "english"
VECTOR_FIELD = "embedding"


class IndexMismatch(RuntimeError):
    """An existing index was built with another vector size or schema; the message says how."""


DAMPED_BM25_SCRIPT = """
double tf = doc.freq;
double average = field.sumTotalTermFreq / (double) field.docCount;
double norm = {k1} * (1 - {b} + {b} * doc.length / average);
return weight * tf * ({k1} + 1) / (tf + norm);
"""
DAMPED_IDF_SCRIPT = """
double idf = Math.log(1 + (field.docCount - term.docFreq + 0.5) / (term.docFreq + 0.5));
return query.boost * Math.pow(idf, {power});
"""


def similarities(params: Bm25Params) -> dict[str, Any]:
    """Return the index's two similarities: BM25, and BM25 with IDF to `idf_power`."""
    constants = {"k1": float(params.k1), "b": float(params.b), "power": float(params.idf_power)}
    return {
        "tandem_bm25": {"type": "BM25", "k1": params.k1, "b": params.b},
        "tandem_bm25_damped": {
            "type": "scripted",
            "weight_script": {"source": DAMPED_IDF_SCRIPT.format(**constants)},
            "script": {"source": DAMPED_BM25_SCRIPT.format(**constants)},
        },
    }


def _text_field() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": TEXT_ANALYZER,
        "similarity": "tandem_bm25",
        "fields": {
            "damped": {
                "type": "text",
                "analyzer": TEXT_ANALYZER,
                "similarity": "tandem_bm25_damped",
            }
        },
    }


def index_body(dimension: int, params: Bm25Params | None = None) -> dict[str, Any]:
    """Return the settings and mappings of a knowledge-base index for `dimension`-long vectors."""
    return {
        "settings": {
            "index": {
                "knn": True,
                "number_of_shards": 1,
                "auto_expand_replicas": "0-1",
                "refresh_interval": "1s",
                "similarity": similarities(params or Bm25Params()),
            }
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"schema_version": SCHEMA_VERSION, "dimension": dimension},
            "properties": {
                "tenant": {"type": "keyword"},
                "source": {"type": "keyword"},
                "article_id": {"type": "keyword"},
                "title": _text_field(),
                "text": _text_field(),
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
    of that name exists with another vector dimension or schema version (re-create it and
    ingest again, or pick another `opensearch_index`).
    """
    if not client.indices.exists(index=index_name):
        try:
            client.indices.create(index=index_name, body=index_body(dimension, params))
            return True
        except RequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
    check_index(client, index_name, dimension)
    return False


def check_index(client: OpenSearch, index_name: str, dimension: int) -> None:
    """Raise `IndexMismatch` unless `index_name` has this schema version and vector size."""
    mapping = client.indices.get_mapping(index=index_name)
    mappings = next(iter(mapping.values()))["mappings"]
    meta = mappings.get("_meta", {})
    stored = mappings.get("properties", {}).get(VECTOR_FIELD, {}).get("dimension")
    if meta.get("schema_version") != SCHEMA_VERSION or stored != dimension:
        raise IndexMismatch(
            f"OpenSearch index {index_name!r} has schema {meta.get('schema_version')} with "
            f"{stored}-dimensional vectors; this build expects schema {SCHEMA_VERSION} with "
            f"{dimension} dimensions: delete the index (or choose another opensearch_index) "
            "and ingest the articles again"
        )
