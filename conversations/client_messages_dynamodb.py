"""Accepted client message ids in the server's DynamoDB table (conversations/server_table.py).

One item per id under its conversation, ``PK = CONV#<id>``, ``SK = MSGID#<client message
id>``, written with a conditional put: of two server processes taking the same message at
once, exactly one put succeeds, so exactly one starts a turn. Items carry a `ttl`, so
DynamoDB deletes them after the keep period; an expired item not deleted yet is overwritten
as if it were gone. Erasing a conversation deletes its ids with its other items.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from conversations.client_messages import KEEP_SECONDS
from conversations.dynamodb_items import ServerTableItems, failed_condition
from conversations.server_table import CLIENT_MESSAGE_PREFIX, TTL_ATTRIBUTE, conversation_pk


class DynamoDBClientMessages(ServerTableItems):
    """Client message ids in the server table (create it with `ensure_server_table`)."""

    def __init__(self, client: Any, table: str, keep_seconds: float = KEEP_SECONDS) -> None:
        super().__init__(client, table)
        self._keep = keep_seconds

    @staticmethod
    def _key(conversation_id: str, client_message_id: str) -> dict[str, Any]:
        return {
            "PK": {"S": conversation_pk(conversation_id)},
            "SK": {"S": f"{CLIENT_MESSAGE_PREFIX}{client_message_id}"},
        }

    def claim(self, conversation_id: str, client_message_id: str) -> bool:
        """Record the id; False when this conversation already accepted it."""
        now = time.time()
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    **self._key(conversation_id, client_message_id),
                    "accepted_at": {"N": repr(now)},
                    TTL_ATTRIBUTE: {"N": str(int(now + self._keep))},
                },
                # `ttl` is a reserved word: it is named through a placeholder.
                ConditionExpression="attribute_not_exists(PK) OR #ttl < :now",
                ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                ExpressionAttributeValues={":now": {"N": str(int(now))}},
            )
        except ClientError as err:
            if failed_condition(err):
                return False
            raise
        return True

    def release(self, conversation_id: str, client_message_id: str) -> None:
        """Forget a claimed id whose message was not taken after all."""
        self.client.delete_item(
            TableName=self.table, Key=self._key(conversation_id, client_message_id)
        )
