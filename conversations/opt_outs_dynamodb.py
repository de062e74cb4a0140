"""SMS opt-outs in the server's DynamoDB table (conversations/server_table.py).

One item per opted-out number, ``PK = SMS#OPTOUT#<digits>``, ``SK = OPTOUT``; opting back in
deletes it. Reads are strongly consistent, so a STOP taken by one server process stops the
replies another process is about to send.
"""

from __future__ import annotations

import time
from typing import Any

from conversations.dynamodb_items import ServerTableItems
from tools.orders.store import phone_digits

_SK = "OPTOUT"


class DynamoDBOptOuts(ServerTableItems):
    """Opt-outs in the server table (create it with `ensure_server_table`)."""

    @staticmethod
    def _key(number: str) -> dict[str, Any]:
        return {"PK": {"S": f"SMS#OPTOUT#{phone_digits(number)}"}, "SK": {"S": _SK}}

    def opt_out(self, number: str) -> None:
        """Stop sending to `number`."""
        item = {**self._key(number), "opted_out_at": {"N": repr(time.time())}}
        self.client.put_item(TableName=self.table, Item=item)

    def opt_in(self, number: str) -> None:
        """Allow messages to `number` again."""
        self.client.delete_item(TableName=self.table, Key=self._key(number))

    def is_opted_out(self, number: str) -> bool:
        """Whether `number` opted out."""
        response = self.client.get_item(
            TableName=self.table, Key=self._key(number), ConsistentRead=True
        )
        return "Item" in response
