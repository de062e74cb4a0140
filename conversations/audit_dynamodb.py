"""`AuditLog` on DynamoDB: items under one partition (`AUDIT`) of the server table.

The sort key is 26 digits: the time in nanoseconds (fixed width, so keys sort as times) and
a random suffix; items are written with `attribute_not_exists`, so an entry is never
overwritten (a clash of suffixes draws another), and this module
has no update or delete. Pages are read in key order, with the other filters applied by
DynamoDB (`FilterExpression`). To forbid changes at the IAM level too, grant the server
`dynamodb:PutItem` and `Query` on the `AUDIT` partition only (a `dynamodb:LeadingKeys`
condition).
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from botocore.exceptions import ClientError

from conversations.audit_log import AuditQuery, entry_values
from graphs.audit import AuditEntry

AUDIT_PK = "AUDIT"
"""Partition key of every audit item."""

_CURSOR = re.compile(r"^[0-9]{1,26}$")
_FILTERED = ("actor", "action", "conversation_id", "outcome")


def _time_key(at: float) -> str:
    """Fixed-width digits of a time (nanoseconds), so that keys sort as the times do."""
    return f"{round(at * 1e9):020d}"


class DynamoDBAuditLog:
    """The audit log in the server's DynamoDB table."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def append(self, entry: AuditEntry) -> None:
        """Record `entry` (a new item; an existing key is never overwritten)."""
        values = entry_values(entry)
        item: dict[str, Any] = {
            "PK": {"S": AUDIT_PK},
            "at": {"N": repr(float(entry.at))},
            "detail": {"S": json.dumps(values["detail"], default=str, sort_keys=True)},
        }
        for name in ("actor", "role", "action", "conversation_id", "outcome"):
            if values[name] is not None:
                item[name] = {"S": str(values[name])}
        for attempt in range(3):
            item["SK"] = {"S": f"{_time_key(entry.at)}{secrets.randbelow(10**6):06d}"}
            try:
                self.client.put_item(
                    TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(SK)"
                )
                return
            except ClientError as err:
                clash = err.response["Error"]["Code"] == "ConditionalCheckFailedException"
                if not clash or attempt == 2:
                    raise

    def page(
        self, query: AuditQuery, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` matching entries after `cursor` (a sort key), oldest first."""
        if cursor is not None and not _CURSOR.match(cursor):
            raise ValueError("the cursor is not one this log gave out")
        low = cursor or (_time_key(query.since) if query.since is not None else "0")
        until = _time_key(query.until) if query.until is not None else None
        params: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK > :low",
            "ExpressionAttributeValues": {":pk": {"S": AUDIT_PK}, ":low": {"S": low}},
            "ConsistentRead": True,
            "Limit": max(limit + 1, 100),
        }
        filters = [name for name in _FILTERED if getattr(query, name) is not None]
        if filters:
            params["FilterExpression"] = " AND ".join(f"#{n} = :{n}" for n in filters)
            params["ExpressionAttributeNames"] = {f"#{n}": n for n in filters}
            for name in filters:
                params["ExpressionAttributeValues"][f":{name}"] = {"S": getattr(query, name)}
        items: list[dict[str, Any]] = []
        while len(items) <= limit:
            response = self.client.query(**params)
            for item in response.get("Items", []):
                if until is not None and item["SK"]["S"] >= until:
                    return self._finish(items, limit, more=False)
                items.append(item)
            if "LastEvaluatedKey" not in response:
                return self._finish(items, limit, more=False)
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return self._finish(items, limit, more=True)

    @staticmethod
    def _finish(
        items: list[dict[str, Any]], limit: int, more: bool
    ) -> tuple[list[dict[str, Any]], str | None]:
        page = [_entry(item) for item in items[:limit]]
        more = more or len(items) > limit
        return page, (page[-1]["id"] if more and page else None)

    def close(self) -> None:
        """Nothing to release: the client belongs to the server store."""


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    """An audit item as an exported entry."""

    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    return {
        "id": item["SK"]["S"],
        "at": float(item["at"]["N"]),
        "actor": text("actor"),
        "role": text("role"),
        "action": text("action"),
        "conversation_id": text("conversation_id"),
        "outcome": text("outcome"),
        "detail": json.loads(item["detail"]["S"]),
    }
