"""Pick the order store the ``orders_backend`` setting names.

``sqlite`` opens the embedded store under the data folder, seeded with the demo data on
first use; ``dynamodb`` talks to the ``orders_table`` table (created by
``tandem aws bootstrap``, filled by ``tandem aws load-orders``) at the configured
endpoint.
"""

from __future__ import annotations

from config.settings import Settings
from tools.orders.store import OrderStore


def open_order_store(settings: Settings) -> OrderStore:
    """Return the order store `settings.orders_backend` selects."""
    if settings.orders_backend == "dynamodb":
        from memory.aws_clients import aws_client
        from tools.orders.dynamodb_store import DynamoDBOrderStore

        client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
        return DynamoDBOrderStore(client, settings.orders_table)
    from tools.orders.seed import ensure_seeded

    return ensure_seeded(settings.orders_db)
