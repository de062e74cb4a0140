"""Open the OpenSearch knowledge base at an endpoint and index, with a given embedder."""

from __future__ import annotations

from opensearchpy.exceptions import ConnectionError as OpenSearchConnectionError
from opensearchpy.exceptions import TransportError

from tools.embeddings.base import Embedder
from tools.knowledge.opensearch_client import OpenSearchUnavailable, connect
from tools.knowledge.opensearch_index import OpenSearchKnowledgeBase


def open_opensearch_kb(
    url: str,
    index: str,
    region: str,
    embedder: Embedder,
    default_tenant: str | None = None,
) -> OpenSearchKnowledgeBase:
    """Connect to `url` and open (creating if needed) `index`.

    Raises `OpenSearchUnavailable` with the endpoint in the message when the node cannot
    be reached or refuses the index, `IndexMismatch` when the index holds vectors of
    another size or has an older schema, and ValueError for an unusable URL.
    """
    client = connect(url, region)
    try:
        return OpenSearchKnowledgeBase(
            client, index, embedder=embedder, default_tenant=default_tenant
        )
    except OpenSearchConnectionError as exc:
        client.close()
        raise OpenSearchUnavailable(f"cannot reach OpenSearch at {url}: {exc.error}") from None
    except TransportError as exc:
        client.close()
        raise OpenSearchUnavailable(
            f"OpenSearch at {url} refused index {index!r}: {exc.status_code} {exc.error}"
        ) from None
