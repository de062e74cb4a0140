"""Registered push tokens in the server's DynamoDB table (conversations/server_table.py).

Two items per token: the owner item ``PK = DEVICE#<token>``, ``SK = OWNER`` names the
customer the token belongs to (a token has one owner), and the customer's entry
``PK = DEVICES#<customer id>``, ``SK = <token>`` lets one Query list a customer's phones.
Registering writes both in one transaction, conditioned on the owner read just before, and
deletes the previous owner's entry in the same transaction: two servers registering one
phone for two customers at once leave it with exactly one of them.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from conversations.dynamodb_items import ServerTableItems, failed_condition
from conversations.push_devices import MAX_DEVICES, PushDevice
from conversations.server_table import DEVICE_OWNER_SK, customer_devices_pk, device_owner_pk

ATTEMPTS = 5
"""Registrations retried when another server moved the token between the read and the write."""


class DynamoDBPushDevices(ServerTableItems):
    """Push tokens in the server table (create it with `ensure_server_table`)."""

    @staticmethod
    def _owner_key(token: str) -> dict[str, Any]:
        return {"PK": {"S": device_owner_pk(token)}, "SK": {"S": DEVICE_OWNER_SK}}

    @staticmethod
    def _entry_key(customer_id: str, token: str) -> dict[str, Any]:
        return {"PK": {"S": customer_devices_pk(customer_id)}, "SK": {"S": token}}

    def _owner(self, token: str) -> str | None:
        item = self.client.get_item(
            TableName=self.table, Key=self._owner_key(token), ConsistentRead=True
        ).get("Item")
        return item["owner_id"]["S"] if item else None

    def register(self, customer_id: str, token: str, platform: str) -> PushDevice:
        """Register (or move, or refresh) `token` for `customer_id`."""
        for attempt in range(ATTEMPTS):
            device = PushDevice(token, customer_id, platform, time.time())
            try:
                self._write(device, self._owner(token))
                break
            except ClientError as err:
                code = err.response["Error"]["Code"]
                if code != "TransactionCanceledException" or attempt == ATTEMPTS - 1:
                    raise
        self._trim(customer_id)
        return device

    def _write(self, device: PushDevice, previous: str | None) -> None:
        fields = {
            "platform": {"S": device.platform},
            "registered_at": {"N": repr(device.updated_at)},
        }
        owner_put: dict[str, Any] = {
            "TableName": self.table,
            "Item": {
                **self._owner_key(device.token),
                "owner_id": {"S": device.customer_id},
                **fields,
            },
        }
        if previous is None:
            owner_put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            owner_put["ConditionExpression"] = "owner_id = :previous"
            owner_put["ExpressionAttributeValues"] = {":previous": {"S": previous}}
        entry = {**self._entry_key(device.customer_id, device.token), **fields}
        actions: list[dict[str, Any]] = [
            {"Put": owner_put},
            {"Put": {"TableName": self.table, "Item": entry}},
        ]
        if previous is not None and previous != device.customer_id:
            key = self._entry_key(previous, device.token)
            actions.append({"Delete": {"TableName": self.table, "Key": key}})
        self.client.transact_write_items(TransactItems=actions)

    def _trim(self, customer_id: str) -> None:
        for device in self.devices(customer_id)[MAX_DEVICES:]:
            self.unregister(customer_id, device.token)

    def unregister(self, customer_id: str, token: str) -> bool:
        """Delete the customer's `token`; False when they had no such token."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=self._entry_key(customer_id, token),
                ConditionExpression="attribute_exists(PK)",
            )
        except ClientError as err:
            if failed_condition(err):
                return False
            raise
        self._delete_owner(token, customer_id)
        return True

    def _delete_owner(self, token: str, customer_id: str) -> None:
        """Delete the owner item unless the token has moved to someone else meanwhile."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key=self._owner_key(token),
                ConditionExpression="owner_id = :customer",
                ExpressionAttributeValues={":customer": {"S": customer_id}},
            )
        except ClientError as err:
            if not failed_condition(err):
                raise

    def forget(self, token: str) -> None:
        """Delete a token the push service says is no longer valid."""
        owner = self._owner(token)
        if owner is not None:
            self.client.delete_item(TableName=self.table, Key=self._entry_key(owner, token))
            self._delete_owner(token, owner)

    def devices(self, customer_id: str) -> list[PushDevice]:
        """The customer's registered phones, most recently registered first."""
        params: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": customer_devices_pk(customer_id)}},
            "ConsistentRead": True,
        }
        found: list[PushDevice] = []
        while True:
            response = self.client.query(**params)
            found.extend(
                PushDevice(
                    item["SK"]["S"],
                    customer_id,
                    item["platform"]["S"],
                    float(item["registered_at"]["N"]),
                )
                for item in response.get("Items", [])
            )
            if "LastEvaluatedKey" not in response:
                break
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return sorted(found, key=lambda device: device.updated_at, reverse=True)
