"""The crash-safety records of `DynamoDBServerStore`: event-number reservations, open turns.

A conversation's reservation is one item (`SK = SEQ`) under the conversation; raising it is
conditional on the new value being higher, so it never goes down. Open turns share one
partition (`PK = OPEN_TURNS`, `SK` the conversation id), so recovery lists them with one
Query; each item lives from a turn's start to its `done` or `error`.
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import ClientError

from conversations.server_table import OPEN_TURNS_PK, SEQ_SK, conversation_pk


class DynamoDBTurnRecords:
    """Mixin for `DynamoDBServerStore` (which provides `client`, `table` and `_key`)."""

    client: Any
    table: str

    def _seq_key(self, conversation_id: str) -> dict[str, Any]:
        return {"PK": {"S": conversation_pk(conversation_id)}, "SK": {"S": SEQ_SK}}

    def reserved_seq(self, conversation_id: str) -> int:
        """The highest sequence number a process reserved for the conversation (0 when none)."""
        item = self.client.get_item(
            TableName=self.table, Key=self._seq_key(conversation_id), ConsistentRead=True
        ).get("Item")
        return int(item["upto"]["N"]) if item else 0

    def reserve_seq(self, conversation_id: str, upto: int) -> None:
        """Record that numbers up to `upto` may be in use (never lowers the reservation)."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._seq_key(conversation_id),
                UpdateExpression="SET upto = :upto",
                ConditionExpression="attribute_not_exists(upto) OR upto < :upto",
                ExpressionAttributeValues={":upto": {"N": str(upto)}},
            )
        except ClientError as err:
            if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def open_turn(self, conversation_id: str, record: dict[str, Any]) -> None:
        """Record that a turn started on the conversation (what recovery needs to finish it)."""
        self.client.put_item(
            TableName=self.table,
            Item={
                "PK": {"S": OPEN_TURNS_PK},
                "SK": {"S": conversation_id},
                "record": {"S": json.dumps(record, default=str)},
                "started_at": {"N": f"{time.time():.6f}"},
            },
        )

    def close_turn(self, conversation_id: str) -> None:
        """Forget the conversation's turn record: its `done` or `error` was published."""
        self.client.delete_item(
            TableName=self.table,
            Key={"PK": {"S": OPEN_TURNS_PK}, "SK": {"S": conversation_id}},
        )

    def open_turns(self) -> list[dict[str, Any]]:
        """Every turn record not closed yet, oldest first (each with its `conversation_id`)."""
        params: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": OPEN_TURNS_PK}},
            "ConsistentRead": True,
        }
        items: list[dict[str, Any]] = []
        while True:
            response = self.client.query(**params)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        items.sort(key=lambda item: float(item["started_at"]["N"]))
        return [
            {**json.loads(item["record"]["S"]), "conversation_id": item["SK"]["S"]}
            for item in items
        ]

    def open_turn_record(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's turn record if its turn is not closed yet, else None."""
        item = self.client.get_item(
            TableName=self.table,
            Key={"PK": {"S": OPEN_TURNS_PK}, "SK": {"S": conversation_id}},
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        return {**json.loads(item["record"]["S"]), "conversation_id": conversation_id}
