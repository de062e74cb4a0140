"""Conversation leases: at most one server process runs a turn on a conversation at a time.

A turn writes the conversation's checkpoints; two turns at once would fork them. Inside one
process an `asyncio.Lock` per conversation is enough (`LocalLease`). Across processes the
lease is an item in DynamoDB (`DynamoDBLease`): taking it is a conditional write that
succeeds only when no item exists or the existing one has expired, so a crashed holder
blocks the conversation for at most the lease's time to live. The holder renews the
lease while its turn runs and deletes it at the end; both are conditional on still owning
it, so a holder that lost its lease never disturbs the next one.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from typing import Any, Protocol

from botocore.exceptions import ClientError

from cloud.encryption import ensure_table_encryption, table_sse

KEY = "conversation_id"
OWNER = "owner"
EXPIRES_AT = "expires_at"
TTL_ATTRIBUTE = "ttl"
"""Epoch seconds after which DynamoDB's Time to Live may delete a stale lease item."""

_CONDITION_FAILED = "ConditionalCheckFailedException"


def process_owner_id() -> str:
    """An owner id unique to this process: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class ConversationLease(Protocol):
    """Who may run a turn on a conversation right now."""

    ttl_seconds: float
    shared: bool
    """Held across processes: a new holder first catches up on the events other processes
    published, and renews the lease while its turn runs."""

    async def acquire(self, conversation_id: str) -> bool:
        """Take the conversation's lease; False when another holder has it."""
        ...

    async def renew(self, conversation_id: str) -> bool:
        """Extend the lease this holder has; False when it was lost (expired and taken)."""
        ...

    async def release(self, conversation_id: str) -> None:
        """Give the lease up (a no-op when this holder no longer has it)."""
        ...


class LocalLease:
    """Leases within one process (the embedded profile): a set of held conversations."""

    shared = False

    def __init__(self, ttl_seconds: float = 30.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._held: set[str] = set()

    async def acquire(self, conversation_id: str) -> bool:
        """Take the lease unless this process already holds it."""
        if conversation_id in self._held:
            return False
        self._held.add(conversation_id)
        return True

    async def renew(self, conversation_id: str) -> bool:
        """A local lease cannot be lost while held."""
        return conversation_id in self._held

    async def release(self, conversation_id: str) -> None:
        """Give the lease up."""
        self._held.discard(conversation_id)


class DynamoDBLease:
    """Leases shared by every process through conditional writes on one DynamoDB table.

    The boto3 client blocks, so each call runs in the default executor.
    """

    shared = True

    def __init__(self, client: Any, table: str, ttl_seconds: float, owner: str) -> None:
        self.client = client
        self.table = table
        self.ttl_seconds = ttl_seconds
        self.owner = owner

    def _expiry(self, now: float) -> dict[str, dict[str, str]]:
        expires = now + self.ttl_seconds
        return {
            ":expires": {"N": f"{expires:.3f}"},
            ":ttl": {"N": str(int(expires) + 3600)},
        }

    # Expressions name attributes through placeholders: `owner` and `ttl` are reserved words.

    def _acquire(self, conversation_id: str) -> bool:
        now = time.time()
        values = self._expiry(now)
        try:
            self.client.put_item(
                TableName=self.table,
                Item={
                    KEY: {"S": conversation_id},
                    OWNER: {"S": self.owner},
                    EXPIRES_AT: values[":expires"],
                    TTL_ATTRIBUTE: values[":ttl"],
                },
                ConditionExpression="attribute_not_exists(#key) OR #expires < :now",
                ExpressionAttributeNames={"#key": KEY, "#expires": EXPIRES_AT},
                ExpressionAttributeValues={":now": {"N": f"{now:.3f}"}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == _CONDITION_FAILED:
                return False
            raise
        return True

    def _renew(self, conversation_id: str) -> bool:
        try:
            self.client.update_item(
                TableName=self.table,
                Key={KEY: {"S": conversation_id}},
                UpdateExpression="SET #expires = :expires, #ttl = :ttl",
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={
                    "#owner": OWNER,
                    "#expires": EXPIRES_AT,
                    "#ttl": TTL_ATTRIBUTE,
                },
                ExpressionAttributeValues={
                    **self._expiry(time.time()),
                    ":owner": {"S": self.owner},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == _CONDITION_FAILED:
                return False
            raise
        return True

    def _release(self, conversation_id: str) -> None:
        try:
            self.client.delete_item(
                TableName=self.table,
                Key={KEY: {"S": conversation_id}},
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": OWNER},
                ExpressionAttributeValues={":owner": {"S": self.owner}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != _CONDITION_FAILED:
                raise

    async def acquire(self, conversation_id: str) -> bool:
        """Write the lease item if it is absent or expired."""
        return await asyncio.to_thread(self._acquire, conversation_id)

    async def renew(self, conversation_id: str) -> bool:
        """Push the expiry forward if this process still owns the item."""
        return await asyncio.to_thread(self._renew, conversation_id)

    async def release(self, conversation_id: str) -> None:
        """Delete the item if this process still owns it."""
        await asyncio.to_thread(self._release, conversation_id)


def ensure_lease_table(
    client: Any, name: str, wait_seconds: int = 120, kms_key_id: str | None = None
) -> bool:
    """Create the lease table (on-demand, TTL on `ttl`) unless it exists; True if created.

    Safe to run again or from several processes at once. With `kms_key_id`, the table is
    encrypted with that KMS key.
    """
    created = True
    try:
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": KEY, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": KEY, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            **table_sse(kms_key_id),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
        created = False
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": max(1, wait_seconds)}
    )
    if not created:
        ensure_table_encryption(client, name, kms_key_id)
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus", "DISABLED") not in ("ENABLED", "ENABLING"):
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
        )
    return created
