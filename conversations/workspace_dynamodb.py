"""The agent workspace part of the DynamoDB server store: assignment, labels, notes, macros.

A mixin of `DynamoDBServerStore`. Claim changes are `UpdateItem`s conditioned on the
entry's current holder, so a release racing a claim or a reply has one winner. Notes are
items of their conversation (`NOTE#<time>#<id>`, erased with it); canned responses are
items of one partition (`MACROS`).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from conversations.dynamodb_items import attr, failed_condition, item, record
from conversations.server_table import HANDOFF_SK, MACROS_PK, NOTE_PREFIX, conversation_pk

NOTE_FIELDS = ("id", "conversation_id", "author", "text", "created_at")
MACRO_FIELDS = ("id", "title", "body", "updated_by", "updated_at")


def _claimed_by(holder: str | None) -> tuple[str, dict[str, Any]]:
    """The condition "claimed (by `holder` when given)" and its values, with `:now`."""
    values: dict[str, Any] = {":claimed": "claimed", ":now": time.time()}
    if holder is None:
        return "#s = :claimed", values
    values[":holder"] = holder
    return "#s = :claimed AND claimed_by = :holder", values


class DynamoDBWorkspace:
    """Assignment, labels, internal notes and canned responses in the server table."""

    client: Any
    table: str

    def _conditional_update(
        self,
        conversation_id: str,
        expression: str,
        condition: str,
        values: dict[str, Any],
    ) -> bool:
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"PK": {"S": conversation_pk(conversation_id)}, "SK": {"S": HANDOFF_SK}},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={k: attr(v) for k, v in values.items()},
            )
        except ClientError as err:
            if failed_condition(err):
                return False
            raise
        return True

    def release_claim(
        self, conversation_id: str, holder: str | None, claimed_before: float | None = None
    ) -> bool:
        """Put a claimed entry back to `waiting`; False if the condition no longer holds."""
        condition, values = _claimed_by(holder)
        values[":waiting"] = "waiting"
        if claimed_before is not None:
            condition += " AND attribute_not_exists(first_response_at) AND claimed_at < :before"
            values[":before"] = claimed_before
        return self._conditional_update(
            conversation_id,
            "SET #s = :waiting, updated_at = :now REMOVE claimed_by, claimed_at",
            condition,
            values,
        )

    def reassign(self, conversation_id: str, holder: str | None, agent: str) -> bool:
        """Hand a claimed entry to `agent` (from `holder` when given); False if it moved."""
        condition, values = _claimed_by(holder)
        values[":agent"] = agent
        return self._conditional_update(
            conversation_id,
            "SET claimed_by = :agent, claimed_at = :now, updated_at = :now",
            condition,
            values,
        )

    def set_labels(
        self, conversation_id: str, tags: list[str] | None, priority: str | None
    ) -> bool:
        """Replace the entry's tags and/or priority (None leaves one as is); False if absent."""
        sets = ["updated_at = :now"]
        values: dict[str, Any] = {":now": time.time()}
        if tags is not None:
            sets.append("tags = :tags")
            values[":tags"] = json.dumps(tags)
        if priority is not None:
            sets.append("priority = :priority")
            values[":priority"] = priority
        return self._conditional_update(
            conversation_id, "SET " + ", ".join(sets), "attribute_exists(#s)", values
        )

    def add_note(self, conversation_id: str, author: str, text: str) -> dict[str, Any]:
        """Append an internal note (agents only; never sent to the customer or the model)."""
        now = time.time()
        note: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "conversation_id": conversation_id,
            "author": author,
            "text": text,
            "created_at": now,
        }
        sort_key = f"{NOTE_PREFIX}{int(now * 1e6):020d}#{note['id']}"
        self.client.put_item(
            TableName=self.table,
            Item={
                "PK": {"S": conversation_pk(conversation_id)},
                "SK": {"S": sort_key},
                **item(note),
            },
        )
        return note

    def list_notes(self, conversation_id: str) -> list[dict[str, Any]]:
        """The conversation's internal notes, oldest first."""
        paginator = self.client.get_paginator("query")
        notes: list[dict[str, Any]] = []
        for page in paginator.paginate(
            TableName=self.table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": conversation_pk(conversation_id)},
                ":prefix": {"S": NOTE_PREFIX},
            },
            ConsistentRead=True,
        ):
            notes.extend(record(raw, NOTE_FIELDS) for raw in page["Items"])
        return notes

    def put_macro(self, macro: dict[str, Any]) -> None:
        """Create or replace a canned response (`id`, `title`, `body`, `updated_by`)."""
        values = {**{k: macro.get(k) for k in MACRO_FIELDS}, "updated_at": time.time()}
        self.client.put_item(
            TableName=self.table,
            Item={"PK": {"S": MACROS_PK}, "SK": {"S": macro["id"]}, **item(values)},
        )

    def list_macros(self) -> list[dict[str, Any]]:
        """Every canned response, by title."""
        paginator = self.client.get_paginator("query")
        macros: list[dict[str, Any]] = []
        for page in paginator.paginate(
            TableName=self.table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": MACROS_PK}},
            ConsistentRead=True,
        ):
            macros.extend(record(raw, MACRO_FIELDS) for raw in page["Items"])
        return sorted(macros, key=lambda macro: (macro["title"], macro["id"]))

    def delete_macro(self, macro_id: str) -> bool:
        """Delete a canned response; False if there was none."""
        response = self.client.delete_item(
            TableName=self.table,
            Key={"PK": {"S": MACROS_PK}, "SK": {"S": macro_id}},
            ReturnValues="ALL_OLD",
        )
        return bool(response.get("Attributes"))
