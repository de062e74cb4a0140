"""Bulk loading of τ-bench-shaped records into the DynamoDB order table (batch writes).

`load_records` writes every user, order and product (plus one pointer item per catalogue
item) with `BatchWriteItem`, 25 items a request, retrying unprocessed items with backoff.
Records are numbered in their given order (``seq``), which the finders rely on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tools.orders.dynamodb_schema import META_KEY, item_pointer, record_item
from tools.orders.store import JsonDict

BATCH_SIZE = 25
"""Most items one `BatchWriteItem` request may carry."""
MAX_BATCH_RETRIES = 8
"""How many times unprocessed items are resent before the load fails."""


def _chunks(requests: Iterable[JsonDict], size: int) -> Iterator[list[JsonDict]]:
    chunk: list[JsonDict] = []
    for request in requests:
        chunk.append(request)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def batch_write(client: Any, table_name: str, requests: Iterable[JsonDict]) -> int:
    """Send write requests (``{"PutRequest": …}`` / ``{"DeleteRequest": …}``) in batches.

    Unprocessed items (throttling) are resent with exponential backoff. Returns the number
    of requests written; raises RuntimeError when some stay unprocessed.
    """
    written = 0
    for chunk in _chunks(requests, BATCH_SIZE):
        pending: list[JsonDict] = chunk
        for attempt in range(MAX_BATCH_RETRIES + 1):
            response = client.batch_write_item(RequestItems={table_name: pending})
            pending = response.get("UnprocessedItems", {}).get(table_name, [])
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 2.0))
        if pending:
            raise RuntimeError(f"{len(pending)} items stayed unprocessed writing {table_name}")
        written += len(chunk)
    return written


def record_requests(
    users: Mapping[str, JsonDict],
    orders: Mapping[str, JsonDict],
    products: Mapping[str, JsonDict],
) -> Iterator[JsonDict]:
    """Yield a put request for every record and catalogue item, numbered in given order."""
    for kind, records in (("users", users), ("orders", orders), ("products", products)):
        for seq, (key, doc) in enumerate(records.items()):
            yield {"PutRequest": {"Item": record_item(kind, key, doc, seq)}}
    seen: set[str] = set()
    seq = 0
    for product_id, product in products.items():
        for item_id in product.get("variants", {}):
            # τ-bench resolves an item id to the first product listing it.
            if item_id not in seen:
                seen.add(item_id)
                yield {"PutRequest": {"Item": item_pointer(item_id, product_id, seq)}}
            seq += 1


def delete_all(client: Any, table_name: str) -> int:
    """Delete every item of the table (scan + batch deletes); return how many."""
    keys: list[JsonDict] = []
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(TableName=table_name, ProjectionExpression="pk"):
        keys.extend({"DeleteRequest": {"Key": {"pk": item["pk"]}}} for item in page["Items"])
    return batch_write(client, table_name, keys)


def claim_first_load(client: Any, table_name: str) -> bool:
    """Write the load marker unless it exists; True when this caller should load."""
    try:
        client.put_item(
            TableName=table_name,
            Item={"pk": {"S": META_KEY}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def load_records(
    client: Any,
    table_name: str,
    users: Mapping[str, JsonDict],
    orders: Mapping[str, JsonDict],
    products: Mapping[str, JsonDict],
    *,
    if_empty: bool = False,
) -> bool:
    """Load τ-bench-shaped records, replacing the table's contents.

    With `if_empty`, load only if no load was ever started on this table (a conditional
    marker write decides, so concurrent seeders load once). Returns whether it loaded.
    """
    if if_empty:
        if not claim_first_load(client, table_name):
            return False
    else:
        delete_all(client, table_name)
        client.put_item(TableName=table_name, Item={"pk": {"S": META_KEY}})
    batch_write(client, table_name, record_requests(users, orders, products))
    return True
