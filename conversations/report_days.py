"""The server table's `by_day` index: reading a report's days, and filling it for old items.

A report over [start, end) runs one paginated Query per UTC day of the range on `by_day`
(partition `report_day`, sort `created_at`), so it reads only the items created in the
range that a report uses. The conversations' customers come from a BatchGetItem of their
records. Items written before the index existed have no `report_day`:
`backfill_report_days` gives it to them once, and `ensure_report_days` runs it when the
bootstrap finds a table that has not been through it (a marker item records that it did).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from typing import Any

from conversations.server_table import (
    BY_DAY,
    CONVERSATION_SK,
    CSAT_SK,
    EVENT_PREFIX,
    MIGRATIONS_PK,
    REPORT_DAY,
    conversation_pk,
    report_day,
)

DAY_SECONDS = 86_400
BATCH_GET_LIMIT = 100
"""Keys per BatchGetItem request (DynamoDB's limit)."""
BATCH_RETRIES = 8
BACKFILL_MIGRATION = "report_day"


def days_between(start: float, end: float) -> list[str]:
    """Every `report_day` with an instant in [start, end), oldest first."""
    if end <= start:
        return []
    first = int(start // DAY_SECONDS) * DAY_SECONDS
    return [report_day(day) for day in range(first, int(end - 1e-6) + 1, DAY_SECONDS)]


def query_days(client: Any, table: str, start: float, end: float) -> Iterator[dict[str, Any]]:
    """The low-level `by_day` items created in [start, end), one Query per day."""
    for day in days_between(start, end):
        pages = client.get_paginator("query").paginate(
            TableName=table,
            IndexName=BY_DAY,
            KeyConditionExpression="#day = :day AND created_at BETWEEN :start AND :end",
            ExpressionAttributeNames={"#day": REPORT_DAY},
            ExpressionAttributeValues={
                ":day": {"S": day},
                ":start": {"N": repr(float(start))},
                ":end": {"N": repr(float(end))},
            },
        )
        for page in pages:
            for item in page.get("Items", []):
                if float(item["created_at"]["N"]) < end:
                    yield item


def customers_of(client: Any, table: str, conversation_ids: Iterable[str]) -> dict[str, Any]:
    """Each conversation's `customer_id` (None when it has none or its record is gone)."""
    ids = sorted(set(conversation_ids))
    found: dict[str, Any] = dict.fromkeys(ids)
    for offset in range(0, len(ids), BATCH_GET_LIMIT):
        keys = [
            {"PK": {"S": conversation_pk(cid)}, "SK": {"S": CONVERSATION_SK}}
            for cid in ids[offset : offset + BATCH_GET_LIMIT]
        ]
        for item in _batch_get(client, table, keys):
            customer = item.get("customer_id", {}).get("S")
            found[item["PK"]["S"].removeprefix(conversation_pk(""))] = customer
    return found


def _batch_get(client: Any, table: str, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items at `keys`, asking again for the unprocessed ones with a growing pause."""
    items: list[dict[str, Any]] = []
    request = {table: {"Keys": keys, "ProjectionExpression": "PK, customer_id"}}
    for attempt in range(BATCH_RETRIES + 1):
        answer = client.batch_get_item(RequestItems=request)
        items.extend(answer.get("Responses", {}).get(table, []))
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return items
        if attempt < BATCH_RETRIES:
            time.sleep(min(0.05 * 2**attempt, 2.0))
    raise RuntimeError(f"DynamoDB left {len(request[table]['Keys'])} keys of {table} unread")


def backfill_report_days(client: Any, table: str, event_types: Iterable[str]) -> int:
    """Give `report_day` to every event of `event_types` and CSAT item lacking it; the count."""
    types = list(event_types)
    names = [f":t{n}" for n in range(len(types))]
    pages = client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression=f"attribute_not_exists({REPORT_DAY}) AND attribute_exists(created_at)"
        f" AND (SK = :csat OR (begins_with(SK, :evt) AND #type IN ({', '.join(names)})))",
        ProjectionExpression="PK, SK, created_at",
        ExpressionAttributeNames={"#type": "type"},
        ExpressionAttributeValues={
            ":csat": {"S": CSAT_SK},
            ":evt": {"S": EVENT_PREFIX},
            **{name: {"S": kind} for name, kind in zip(names, types, strict=True)},
        },
    )
    updated = 0
    for page in pages:
        for item in page.get("Items", []):
            _set_report_day(client, table, item)
            updated += 1
    return updated


def _set_report_day(client: Any, table: str, item: dict[str, Any]) -> None:
    """Stamp one item's day, unless it was deleted since the Scan read it."""
    with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
        client.update_item(
            TableName=table,
            Key={"PK": item["PK"], "SK": item["SK"]},
            UpdateExpression="SET #day = :day",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeNames={"#day": REPORT_DAY},
            ExpressionAttributeValues={":day": {"S": report_day(float(item["created_at"]["N"]))}},
        )


def ensure_report_days(client: Any, table: str, event_types: Iterable[str]) -> int | None:
    """Backfill `table` once (the marker item says it was); the items updated, or None."""
    marker = {"PK": {"S": MIGRATIONS_PK}, "SK": {"S": BACKFILL_MIGRATION}}
    if client.get_item(TableName=table, Key=marker, ConsistentRead=True).get("Item"):
        return None
    updated = backfill_report_days(client, table, event_types)
    client.put_item(TableName=table, Item={**marker, "done_at": {"N": repr(time.time())}})
    return updated
