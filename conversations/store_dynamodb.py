"""`ServerStore` on DynamoDB: one table (memory/server_table.py), conditional writes.

A claim is an `UpdateItem` conditioned on the entry still `waiting`, so of two agents
claiming at once exactly one wins; the first response is stamped with `if_not_exists`,
so it is never moved later. The queue listing reads the `queue` index (eventually
consistent on AWS: an entry can show its previous status for a moment).
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import ClientError

from conversations.dynamodb_items import attr as _attr
from conversations.dynamodb_items import failed_condition as _failed_condition
from conversations.dynamodb_items import item as _item
from conversations.dynamodb_items import record as _record
from conversations.server_table import (
    BY_CUSTOMER,
    BY_RECENCY,
    CONVERSATION_KIND,
    CONVERSATION_SK,
    EVENT_PREFIX,
    HANDOFF_SK,
    QUEUE,
    REPORT_DAY,
    conversation_pk,
    event_sk,
    report_day,
)
from conversations.store import QUEUE_OPEN
from conversations.store_dynamodb_analytics import DynamoDBAnalyticsRecords
from conversations.store_dynamodb_turns import DynamoDBTurnRecords
from conversations.workspace_dynamodb import DynamoDBWorkspace
from server.metrics_facts import FACT_EVENT_TYPES

CONVERSATION_FIELDS = ("id", "customer_id", "channel", "created_at", "updated_at")
HANDOFF_FIELDS = (
    "conversation_id",
    "status",
    "reason",
    "intent",
    "sentiment_label",
    "sentiment_score",
    "summary",
    "suggested_reply",
    "customer_id",
    "channel",
    "last_message",
    "created_at",
    "updated_at",
    "claimed_by",
    "claimed_at",
    "first_response_at",
    "resolved_at",
    "tags",
    "priority",
    "order_id",
)
_LAST_EVENT = f"{EVENT_PREFIX}{'9' * 12}"


class DynamoDBServerStore(DynamoDBTurnRecords, DynamoDBWorkspace, DynamoDBAnalyticsRecords):
    """The server's records in one DynamoDB table (create it with `ensure_server_table`)."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    def _key(self, conversation_id: str, sort_key: str) -> dict[str, Any]:
        return {"PK": {"S": conversation_pk(conversation_id)}, "SK": {"S": sort_key}}

    def _get(self, conversation_id: str, sort_key: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.table, Key=self._key(conversation_id, sort_key), ConsistentRead=True
        )
        item: dict[str, Any] | None = response.get("Item")
        return item

    # conversations -----------------------------------------------------------------

    def create_conversation(
        self, conversation_id: str, customer_id: str | None, channel: str
    ) -> dict[str, Any]:
        """Record a new conversation and return it (an existing id is refused)."""
        now = time.time()
        record = {
            "id": conversation_id,
            "customer_id": customer_id,
            "channel": channel,
            "created_at": now,
            "updated_at": now,
        }
        self.client.put_item(
            TableName=self.table,
            Item={
                **self._key(conversation_id, CONVERSATION_SK),
                **_item({**record, "kind": CONVERSATION_KIND}),
            },
            ConditionExpression="attribute_not_exists(PK)",
        )
        return record

    def get_conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """Return a conversation's record, or None."""
        item = self._get(conversation_id, CONVERSATION_SK)
        return _record(item, CONVERSATION_FIELDS) if item else None

    def list_conversations(
        self, customer_id: str | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        """Conversations newest first; only `customer_id`'s when given."""
        if customer_id is None:
            index, name, value = BY_RECENCY, "kind", CONVERSATION_KIND
        else:
            index, name, value = BY_CUSTOMER, "customer_id", customer_id
        params: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": "#k = :v",
            # queue entries carry customer_id too: keep conversation records only
            "FilterExpression": "#kind = :kind",
            "ExpressionAttributeNames": {"#k": name, "#kind": "kind"},
            "ExpressionAttributeValues": {
                ":v": {"S": value},
                ":kind": {"S": CONVERSATION_KIND},
            },
            "ScanIndexForward": False,
            "Limit": limit + offset,
        }
        items: list[dict[str, Any]] = []
        while len(items) < limit + offset:
            response = self.client.query(**params)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return [_record(i, CONVERSATION_FIELDS) for i in items[offset : offset + limit]]

    def touch(self, conversation_id: str) -> None:
        """Mark a conversation as updated now (a missing one is left missing)."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(conversation_id, CONVERSATION_SK),
                UpdateExpression="SET updated_at = :now",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":now": _attr(time.time())},
            )
        except ClientError as err:
            if not _failed_condition(err):
                raise

    def assign_customer(self, conversation_id: str, customer_id: str) -> bool:
        """Give a guest conversation to the customer it identified; False if it had one."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(conversation_id, CONVERSATION_SK),
                UpdateExpression="SET customer_id = :customer",
                ConditionExpression="attribute_exists(PK) AND attribute_not_exists(customer_id)",
                ExpressionAttributeValues={":customer": _attr(customer_id)},
            )
        except ClientError as err:
            if not _failed_condition(err):
                raise
            return False
        return True

    # events ------------------------------------------------------------------------

    def append_event(self, conversation_id: str, seq: int, event: dict[str, Any]) -> None:
        """Persist an event under its sequence number (streamed tokens are not persisted).

        Events the dashboard reads carry `report_day`, which puts them in the `by_day` index.
        """
        now = time.time()
        self.client.put_item(
            TableName=self.table,
            Item={
                **self._key(conversation_id, event_sk(seq)),
                **_item(
                    {
                        "type": event["type"],
                        "payload": json.dumps(event, default=str),
                        "created_at": now,
                        REPORT_DAY: report_day(now) if event["type"] in FACT_EVENT_TYPES else None,
                    }
                ),
            },
        )

    def events_after(
        self,
        conversation_id: str,
        after: int,
        types: tuple[str, ...] | None = None,
        limit: int = 1000,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Events with a sequence number above `after`, oldest first."""
        values: dict[str, Any] = {
            ":pk": {"S": conversation_pk(conversation_id)},
            ":from": {"S": event_sk(after + 1)},
            ":to": {"S": _LAST_EVENT},
        }
        params: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :from AND :to",
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
        }
        if types:
            names = [f":t{n}" for n in range(len(types))]
            values.update({name: {"S": kind} for name, kind in zip(names, types, strict=True)})
            params["FilterExpression"] = f"#type IN ({', '.join(names)})"
            params["ExpressionAttributeNames"] = {"#type": "type"}
        found: list[tuple[int, dict[str, Any]]] = []
        while len(found) < limit:
            response = self.client.query(**params)
            for item in response.get("Items", []):
                seq = int(item["SK"]["S"].removeprefix(EVENT_PREFIX))
                found.append((seq, json.loads(item["payload"]["S"])))
            if "LastEvaluatedKey" not in response:
                break
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found[:limit]

    def last_seq(self, conversation_id: str) -> int:
        """The highest event sequence number of a conversation (0 when none)."""
        response = self.client.query(
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": conversation_pk(conversation_id)},
                ":prefix": {"S": EVENT_PREFIX},
            },
            ProjectionExpression="SK",
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return int(items[0]["SK"]["S"].removeprefix(EVENT_PREFIX)) if items else 0

    # handoff queue -----------------------------------------------------------------

    def upsert_handoff(
        self, conversation_id: str, payload: dict[str, Any], customer_id: str | None
    ) -> dict[str, Any]:
        """Open the queue entry of a conversation, or refresh it while it is still open."""
        sentiment = payload.get("sentiment") or {}
        for _attempt in range(3):
            now = time.time()
            if self._refresh_open(conversation_id, payload, sentiment, now):
                break
            entry = {
                "conversation_id": conversation_id,
                "status": "waiting",
                "reason": payload.get("reason"),
                "intent": payload.get("intent"),
                "sentiment_label": sentiment.get("label"),
                "sentiment_score": sentiment.get("score"),
                "summary": payload.get("summary"),
                "suggested_reply": payload.get("suggested_reply"),
                "customer_id": customer_id,
                "channel": payload.get("channel"),
                "last_message": payload.get("last_message"),
                "order_id": payload.get("order_id"),
                "created_at": now,
                "updated_at": now,
            }
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item={**self._key(conversation_id, HANDOFF_SK), **_item(entry)},
                    ConditionExpression="attribute_not_exists(PK) OR NOT (#s IN (:w, :c))",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues={":w": {"S": "waiting"}, ":c": {"S": "claimed"}},
                )
                break
            except ClientError as err:  # opened meanwhile by another turn: refresh it
                if not _failed_condition(err):
                    raise
        found = self.get_handoff(conversation_id)
        assert found is not None
        return found

    def _refresh_open(
        self, conversation_id: str, payload: dict[str, Any], sentiment: dict[str, Any], now: float
    ) -> bool:
        updates = {
            "last_message": payload.get("last_message"),
            "sentiment_label": sentiment.get("label"),
            "sentiment_score": sentiment.get("score"),
            "updated_at": now,
        }
        sets = [f"{name} = :{name}" for name, value in updates.items() if value is not None]
        removes = [name for name, value in updates.items() if value is None]
        expression = "SET " + ", ".join(sets) + (f" REMOVE {', '.join(removes)}" if removes else "")
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(conversation_id, HANDOFF_SK),
                UpdateExpression=expression,
                ConditionExpression="#s IN (:w, :c)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":w": {"S": QUEUE_OPEN[0]},
                    ":c": {"S": QUEUE_OPEN[1]},
                    **{f":{k}": _attr(v) for k, v in updates.items() if v is not None},
                },
            )
        except ClientError as err:
            if _failed_condition(err):
                return False
            raise
        return True

    def get_handoff(self, conversation_id: str) -> dict[str, Any] | None:
        """The queue entry of a conversation, or None."""
        item = self._get(conversation_id, HANDOFF_SK)
        return _record(item, HANDOFF_FIELDS) if item else None

    def list_handoffs(
        self, statuses: tuple[str, ...], reason: str | None = None
    ) -> list[dict[str, Any]]:
        """Queue entries with one of `statuses`, oldest (longest waiting) first."""
        entries: list[dict[str, Any]] = []
        for status in dict.fromkeys(statuses):
            params: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": QUEUE,
                "KeyConditionExpression": "#s = :s",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": {"S": status}},
            }
            if reason:
                params["FilterExpression"] = "#r = :r"
                params["ExpressionAttributeNames"]["#r"] = "reason"
                params["ExpressionAttributeValues"][":r"] = {"S": reason}
            while True:
                response = self.client.query(**params)
                entries.extend(_record(i, HANDOFF_FIELDS) for i in response.get("Items", []))
                if "LastEvaluatedKey" not in response:
                    break
                params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return sorted(entries, key=lambda entry: entry["created_at"])

    def claim(self, conversation_id: str, agent: str) -> bool:
        """Claim a waiting conversation for `agent`; False if it is not waiting any more."""
        now = _attr(time.time())
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(conversation_id, HANDOFF_SK),
                UpdateExpression="SET #s = :claimed, claimed_by = :agent, claimed_at = :now,"
                " updated_at = :now",
                ConditionExpression="#s = :waiting",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":claimed": {"S": "claimed"},
                    ":waiting": {"S": "waiting"},
                    ":agent": {"S": agent},
                    ":now": now,
                },
            )
        except ClientError as err:
            if _failed_condition(err):
                return False
            raise
        return True

    def record_response(self, conversation_id: str) -> None:
        """Stamp the first human response time (kept if already set)."""
        self._stamp(
            conversation_id,
            "SET first_response_at = if_not_exists(first_response_at, :now), updated_at = :now",
            {},
        )

    def close_handoff(self, conversation_id: str, status: str) -> None:
        """Mark the entry `resolved` or `returned` and stamp the resolution time."""
        self._stamp(
            conversation_id,
            "SET #s = :status, resolved_at = :now, updated_at = :now,"
            " first_response_at = if_not_exists(first_response_at, :now)",
            {":status": {"S": status}},
            names={"#s": "status"},
        )

    def _stamp(
        self,
        conversation_id: str,
        expression: str,
        values: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> None:
        params: dict[str, Any] = {
            "TableName": self.table,
            "Key": self._key(conversation_id, HANDOFF_SK),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeValues": {":now": _attr(time.time()), **values},
        }
        if names:
            params["ExpressionAttributeNames"] = names
        try:
            self.client.update_item(**params)
        except ClientError as err:
            if not _failed_condition(err):
                raise

    # erasure -----------------------------------------------------------------------

    def delete_conversation(self, conversation_id: str) -> int:
        """Delete every item of a conversation (record, events, queue entry).

        Returns the events deleted. Index entries go with their items.
        """
        keys: list[dict[str, Any]] = []
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": conversation_pk(conversation_id)}},
            ProjectionExpression="PK, SK",
            ConsistentRead=True,
        ):
            keys.extend(page["Items"])
        for start in range(0, len(keys), 25):
            requests = [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
            pending: dict[str, Any] = {self.table: requests}
            while pending:
                response = self.client.batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}
        return sum(1 for key in keys if key["SK"]["S"].startswith(EVENT_PREFIX))

    def compact(self) -> None:
        """Nothing to do: DynamoDB keeps no trace of deleted items to clean up."""
