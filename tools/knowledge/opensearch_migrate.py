"""Upgrade a knowledge-base index of an older schema in place (`tandem kb migrate`).

Schemas before 3 ranked with OpenSearch's own analysis and lack the pre-stemmed fields.
Everything they need is in the stored articles, so the upgrade adds the similarity (which
OpenSearch only accepts on a closed index: searches fail for the few seconds it is closed),
maps the two fields, writes them into every article from its stored title and body, and
only then records the new schema version, so an interrupted upgrade can be run again.
Vectors, tenants and content hashes are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from opensearchpy import OpenSearch, helpers

from tools.knowledge.bm25 import Bm25Params
from tools.knowledge.opensearch_index import OpenSearchWriteError
from tools.knowledge.opensearch_schema import (
    SCHEMA_VERSION,
    TERM_FREQUENCY_SIMILARITY,
    IndexMismatch,
    check_index,
    index_meta,
    schema_meta,
    similarities,
    stem_fields,
    stem_properties,
    title_repeats,
)

BATCH = 200


def migrate_index(
    client: OpenSearch,
    index_name: str,
    params: Bm25Params | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Bring `index_name` to the current schema; return how many articles were rewritten.

    An index already at the current schema is checked and left alone (0). `progress` is
    called with the running count of rewritten articles. Raises `IndexMismatch` for an
    index without a schema version or of a newer one.
    """
    params = params or Bm25Params()
    meta = index_meta(client, index_name)
    version, dimension = meta.get("schema_version"), meta["stored_dimension"]
    if version == SCHEMA_VERSION:
        check_index(client, index_name, int(dimension), params)
        return 0
    if not isinstance(version, int) or version > SCHEMA_VERSION or dimension is None:
        raise IndexMismatch(
            f"OpenSearch index {index_name!r} has schema {version}, which cannot be "
            f"upgraded to {SCHEMA_VERSION}: delete it and ingest the articles again"
        )
    repeats = title_repeats(params)
    _add_similarity(client, index_name)
    client.indices.put_mapping(index=index_name, body={"properties": stem_properties()})
    written = _rewrite_articles(client, index_name, repeats, progress)
    client.indices.put_mapping(index=index_name, body={"_meta": schema_meta(dimension, repeats)})
    return written


def _add_similarity(client: OpenSearch, index_name: str) -> None:
    settings = client.indices.get_settings(index=index_name)
    declared = next(iter(settings.values()))["settings"]["index"].get("similarity", {})
    if TERM_FREQUENCY_SIMILARITY in declared:
        return
    client.indices.close(index=index_name)
    try:
        client.indices.put_settings(
            index=index_name, body={"index": {"similarity": similarities()}}
        )
    finally:
        client.indices.open(index=index_name)
        client.cluster.health(index=index_name, wait_for_status="yellow")


def _rewrite_articles(
    client: OpenSearch,
    index_name: str,
    repeats: int,
    progress: Callable[[int], None] | None,
) -> int:
    def actions() -> Iterator[dict[str, Any]]:
        for hit in helpers.scan(
            client, index=index_name, query={"_source": ["title", "text"]}, size=BATCH
        ):
            source = hit["_source"]
            yield {
                "_op_type": "update",
                "_index": index_name,
                "_id": hit["_id"],
                "doc": stem_fields(source.get("title", ""), source.get("text", ""), repeats),
            }

    written = 0
    failures: list[str] = []
    for ok, item in helpers.streaming_bulk(
        client, actions(), chunk_size=BATCH, raise_on_error=False, max_retries=3
    ):
        if ok:
            written += 1
            if progress is not None:
                progress(written)
        else:
            failures.append(str(item)[:300])
    client.indices.refresh(index=index_name)
    if failures:
        raise OpenSearchWriteError(
            f"{len(failures)} article(s) could not be upgraded: " + "; ".join(failures[:3])
        )
    return written
