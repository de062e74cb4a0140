"""Open the OpenSearch knowledge base that the settings describe (endpoint, index, embedder)."""

from __future__ import annotations

from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import TransportError

from config.settings import Settings
from tools.embeddings.factory import build_embedder
from tools.knowledge.opensearch_client import OpenSearchUnavailable, connect
from tools.knowledge.opensearch_index import OpenSearchKnowledgeBase


def open_opensearch_kb(
    settings: Settings, default_tenant: str | None = None
) -> OpenSearchKnowledgeBase:
    """Connect to `settings.opensearch_url` and open (creating if needed) the index.

    Raises `OpenSearchUnavailable` with the endpoint in the message when the node cannot
    be reached or refuses the index, `IndexMismatch` when the index holds vectors of
    another size, and ValueError for an unusable URL or embedder dimension.
    """
    embedder = build_embedder(settings)
    client = connect(settings.opensearch_url, settings.aws_region)
    try:
        return OpenSearchKnowledgeBase(
            client,
            settings.opensearch_index,
            embedder=embedder,
            default_tenant=default_tenant,
        )
    except OpenSearchConnectionError as exc:
        client.close()
        raise OpenSearchUnavailable(
            f"cannot reach OpenSearch at {settings.opensearch_url}: {exc.error}"
        ) from None
    except TransportError as exc:
        client.close()
        raise OpenSearchUnavailable(
            f"OpenSearch at {settings.opensearch_url} refused index "
            f"{settings.opensearch_index!r}: {exc.status_code} {exc.error}"
        ) from None
