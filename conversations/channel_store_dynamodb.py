"""`ChannelStore` in the server's DynamoDB table (conversations/server_table.py).

Items beside the conversations' own, none of them indexed:

| item | PK | SK |
|---|---|---|
| claim (seen message, sent reply) | `CHAN#<channel>#CLAIM#<key>` | `CLAIM` |
| thread key → conversation | `CHAN#<channel>#KEY#<key>` | `KEY` |
| a sender's latest thread | `CHAN#<channel>#ADDR#<address>` | `LATEST` |
| a conversation's thread | `CONV#<id>` | `THREAD` |

A claim is a `PutItem` conditioned on the item not existing, so of two deliveries of one
message exactly one claims it, across every server process; the delivery cursor only moves
forward (a conditional `UpdateItem`).
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import ClientError

from conversations.dynamodb_items import ServerTableItems
from conversations.server_table import conversation_pk

THREAD_SK = "THREAD"


def _conditional(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


class DynamoDBChannelStore(ServerTableItems):
    """Channel records in the server table (create it with `ensure_server_table`)."""

    @staticmethod
    def _key(pk: str, sk: str) -> dict[str, Any]:
        return {"PK": {"S": pk}, "SK": {"S": sk}}

    def claim(self, channel: str, key: str) -> bool:
        """Record `key` once (conditional put): True the first time only."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    **self._key(f"CHAN#{channel}#CLAIM#{key}", "CLAIM"),
                    "created_at": {"N": repr(time.time())},
                },
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if _conditional(error):
                return False
            raise
        return True

    def release(self, channel: str, key: str) -> None:
        """Forget a claim so a retry may claim it again."""
        self.client.delete_item(
            TableName=self.table, Key=self._key(f"CHAN#{channel}#CLAIM#{key}", "CLAIM")
        )

    def link(self, channel: str, keys: list[str], conversation_id: str) -> None:
        """Map thread keys to a conversation (a key already mapped keeps its conversation)."""
        for key in keys:
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item={
                        **self._key(f"CHAN#{channel}#KEY#{key}", "KEY"),
                        "conversation_id": {"S": conversation_id},
                    },
                    ConditionExpression="attribute_not_exists(PK)",
                )
            except ClientError as error:
                if not _conditional(error):
                    raise

    def find(self, channel: str, keys: list[str]) -> str | None:
        """The conversation one of `keys` maps to (the first key found wins), or None."""
        for key in keys:
            item = self.client.get_item(
                TableName=self.table,
                Key=self._key(f"CHAN#{channel}#KEY#{key}", "KEY"),
                ConsistentRead=True,
            ).get("Item")
            if item:
                return str(item["conversation_id"]["S"])
        return None

    def save_thread(self, thread: dict[str, Any]) -> None:
        """Create or update a thread (its delivery cursor is kept) and the sender's latest."""
        now = repr(time.time())
        self.client.update_item(
            TableName=self.table,
            Key=self._key(conversation_pk(thread["conversation_id"]), THREAD_SK),
            UpdateExpression="SET channel = :c, address = :a, thread_state = :s, "
            "thread_updated_at = :t, delivered_seq = if_not_exists(delivered_seq, :zero)",
            ExpressionAttributeValues={
                ":c": {"S": thread["channel"]},
                ":a": {"S": thread["address"]},
                ":s": {"S": json.dumps(thread.get("state") or {})},
                ":t": {"N": now},
                ":zero": {"N": "0"},
            },
        )
        self.client.put_item(
            TableName=self.table,
            Item={
                **self._key(f"CHAN#{thread['channel']}#ADDR#{thread['address']}", "LATEST"),
                "conversation_id": {"S": thread["conversation_id"]},
            },
        )

    def get_thread(self, conversation_id: str) -> dict[str, Any] | None:
        """A conversation's thread, or None."""
        item = self.client.get_item(
            TableName=self.table,
            Key=self._key(conversation_pk(conversation_id), THREAD_SK),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return None
        return {
            "conversation_id": conversation_id,
            "channel": item["channel"]["S"],
            "address": item["address"]["S"],
            "state": json.loads(item["thread_state"]["S"]),
            "delivered_seq": int(float(item["delivered_seq"]["N"])),
            "updated_at": float(item["thread_updated_at"]["N"]),
        }

    def latest_thread(self, channel: str, address: str) -> dict[str, Any] | None:
        """The address's most recently active thread on the channel, or None."""
        item = self.client.get_item(
            TableName=self.table,
            Key=self._key(f"CHAN#{channel}#ADDR#{address}", "LATEST"),
            ConsistentRead=True,
        ).get("Item")
        return self.get_thread(item["conversation_id"]["S"]) if item else None

    def set_delivered(self, conversation_id: str, seq: int) -> None:
        """Move the delivery cursor forward to `seq` (never backwards)."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(conversation_pk(conversation_id), THREAD_SK),
                UpdateExpression="SET delivered_seq = :s",
                ConditionExpression="attribute_exists(PK) AND delivered_seq < :s",
                ExpressionAttributeValues={":s": {"N": str(seq)}},
            )
        except ClientError as error:
            if not _conditional(error):
                raise

    def forget(self, conversation_id: str) -> dict[str, Any] | None:
        """Erase a conversation's thread and the sender's latest-thread pointer to it.

        Thread keys are not indexed by conversation; they hold message ids, not the sender.
        """
        thread = self.get_thread(conversation_id)
        if thread is None:
            return None
        latest = self._key(f"CHAN#{thread['channel']}#ADDR#{thread['address']}", "LATEST")
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=latest,
                ConditionExpression="conversation_id = :c",
                ExpressionAttributeValues={":c": {"S": conversation_id}},
            )
        except ClientError as error:
            if not _conditional(error):
                raise
        self.client.delete_item(
            TableName=self.table, Key=self._key(conversation_pk(conversation_id), THREAD_SK)
        )
        return thread
