"""OpenSearch client and embedder selection that need no server."""

from __future__ import annotations

import pytest

from config.settings import Settings
from tools.embeddings.base import HashingEmbedder
from tools.knowledge.opensearch_client import aws_service_for, connect
from tools.knowledge.opensearch_index import document_id, embedding_text
from tools.knowledge.opensearch_schema import index_body
from wiring.backends import build_embedder


def test_aws_domains_are_signed_and_local_nodes_are_not() -> None:
    assert aws_service_for("https://search-kb-abc.eu-west-1.es.amazonaws.com") == "es"
    assert aws_service_for("https://abc123.us-east-1.aoss.amazonaws.com") == "aoss"
    assert aws_service_for("http://127.0.0.1:9200") is None


@pytest.mark.parametrize("url", ["127.0.0.1:9200", "ftp://host", "http://"])
def test_connect_refuses_urls_that_are_not_http(url: str) -> None:
    with pytest.raises(ValueError, match="http"):
        connect(url)


def test_document_ids_are_stable_per_tenant_and_source() -> None:
    assert document_id("acme", "a.md") == document_id("acme", "a.md")
    assert document_id("acme", "a.md") != document_id("globex", "a.md")
    assert document_id("acme", "a\0b.md") != document_id("acme\0a", "b.md")
    assert len(embedding_text("Title", "x" * 10_000)) == 2000


def test_index_body_declares_the_vector_size_and_filters_by_tenant_keyword() -> None:
    body = index_body(256)
    properties = body["mappings"]["properties"]
    assert properties["embedding"]["dimension"] == 256
    assert properties["embedding"]["method"]["engine"] == "lucene"
    assert properties["tenant"]["type"] == "keyword"
    assert body["settings"]["index"]["knn"] is True


def test_embedder_setting_picks_the_hashing_embedder_and_its_dimension() -> None:
    embedder = build_embedder(Settings(embedder="hashing", embedding_dimension=128))
    assert isinstance(embedder, HashingEmbedder) and embedder.dimension == 128
    assert build_embedder(Settings()).dimension == 384
