"""The DynamoDB server store's reports: events and queue entries over a time range, CSAT.

Queue entries come from the `queue` index (status, created_at), one range Query per status.
Events and satisfaction answers come from the sparse `by_day` index (report_day,
created_at), one paginated Query per UTC day of the range (`conversations.report_days`), so a
report reads only the items created in its range that it uses; the conversations' customers
are read with BatchGetItem. A satisfaction answer is one item under its conversation
(`SK = CSAT`), so erasing the conversation erases it.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from conversations.report_days import customers_of, query_days
from conversations.server_table import (
    CSAT_SK,
    EVENT_PREFIX,
    QUEUE,
    REPORT_DAY,
    conversation_pk,
    report_day,
)

HANDOFF_STATUSES = ("waiting", "claimed", "resolved", "returned")
_DESERIALIZER = TypeDeserializer()


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A low-level item as Python values, numbers as floats."""
    values = {name: _DESERIALIZER.deserialize(value) for name, value in item.items()}
    return {
        name: float(value) if isinstance(value, Decimal) else value
        for name, value in values.items()
    }


def _conversation_id(item: dict[str, Any]) -> str:
    return str(item["PK"]).removeprefix(conversation_pk(""))


class DynamoDBAnalyticsRecords:
    """Mixin for `DynamoDBServerStore` (which provides `client` and `table`)."""

    client: Any
    table: str

    def _report_items(self, start: float, end: float) -> list[dict[str, Any]]:
        return [_plain(item) for item in query_days(self.client, self.table, start, end)]

    def events_between(
        self, start: float, end: float, types: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """Events of `types` stored in [start, end), with their conversation's customer."""
        items = [
            item
            for item in self._report_items(start, end)
            if str(item["SK"]).startswith(EVENT_PREFIX) and item.get("type") in types
        ]
        customers = customers_of(self.client, self.table, map(_conversation_id, items))
        rows = [
            {
                "conversation_id": _conversation_id(item),
                "customer_id": customers.get(_conversation_id(item)),
                "seq": int(str(item["SK"]).removeprefix(EVENT_PREFIX)),
                "type": item["type"],
                "created_at": item["created_at"],
                "event": json.loads(item["payload"]),
            }
            for item in items
        ]
        return sorted(rows, key=lambda row: (row["conversation_id"], row["seq"]))

    def handoffs_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Queue entries opened in [start, end), whatever their status, oldest first."""
        entries: list[dict[str, Any]] = []
        for status in HANDOFF_STATUSES:
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table,
                IndexName=QUEUE,
                KeyConditionExpression="#s = :s AND created_at BETWEEN :start AND :end",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":s": {"S": status},
                    ":start": {"N": repr(float(start))},
                    ":end": {"N": repr(float(end))},
                },
            )
            for page in pages:
                entries.extend(_plain(item) for item in page.get("Items", []))
        found = [
            {key: value for key, value in entry.items() if key not in ("PK", "SK")}
            for entry in entries
            if entry["created_at"] < end
        ]
        return sorted(found, key=lambda entry: entry["created_at"])

    def record_csat(self, conversation_id: str, score: int, customer_id: str | None) -> None:
        """Store (or replace) the customer's satisfaction score (1-5) for a conversation."""
        now = time.time()
        item: dict[str, Any] = {
            "PK": {"S": conversation_pk(conversation_id)},
            "SK": {"S": CSAT_SK},
            "score": {"N": str(int(score))},
            "created_at": {"N": repr(now)},
            REPORT_DAY: {"S": report_day(now)},
        }
        if customer_id is not None:
            item["csat_customer"] = {"S": customer_id}
        self.client.put_item(TableName=self.table, Item=item)

    def get_csat(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's satisfaction answer (`score`, `created_at`), or None."""
        item = self.client.get_item(
            TableName=self.table,
            Key={"PK": {"S": conversation_pk(conversation_id)}, "SK": {"S": CSAT_SK}},
            ConsistentRead=True,
        ).get("Item")
        return _csat_row(_plain(item)) if item else None

    def csat_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Satisfaction answers given in [start, end)."""
        items = [item for item in self._report_items(start, end) if item["SK"] == CSAT_SK]
        return sorted((_csat_row(item) for item in items), key=lambda row: row["created_at"])


def _csat_row(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "conversation_id": _conversation_id(item),
        "score": int(item["score"]),
        "created_at": item["created_at"],
    }
