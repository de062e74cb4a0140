"""Layout of the server's DynamoDB table: conversations, their event log, the handoff queue.

One table, string keys `PK` / `SK`, every item of a conversation under `CONV#<id>`:

| item | SK | indexed by |
|---|---|---|
| conversation | `META` | `by_customer` (customer_id, updated_at), `by_recency` (kind, updated_at) |
| event | `EVT#<seq, 12 digits>` | `by_day` (report_day, created_at) for the dashboard's types |
| handoff | `HANDOFF` | `queue` (status, created_at): the queue by status, oldest first |
| event-number reservation | `SEQ` | — |
| open turn | `PK = OPEN_TURNS`, `SK` = conversation id | — (one Query lists them) |
| internal note | `NOTE#<microseconds, 20 digits>#<id>` | — (a Query on the conversation) |
| canned response | `PK = MACROS`, `SK` = macro id | — (one Query lists them) |
| accepted client message id | `MSGID#<client message id>` (under the conversation) | — |
| satisfaction answer | `CSAT` | `by_day` (report_day, created_at) |
| finished migration | `PK = MIGRATIONS`, `SK` = its name | — |
| phone's owner | `PK = DEVICE#<push token>`, `SK = OWNER` | — |
| customer's phone | `PK = DEVICES#<customer id>`, `SK` = push token | — (one Query lists them) |

The indexes are sparse: only conversation items carry `customer_id` and `kind`, only
handoff items carry `status`. Items with a `ttl` attribute (epoch seconds) are deleted by
DynamoDB's Time to Live some time after it passes; readers treat them as gone at once.
"""

from __future__ import annotations

import time

from memory.dynamodb_tables import Index, TableSpec

CONVERSATION_SK = "META"
HANDOFF_SK = "HANDOFF"
SEQ_SK = "SEQ"
OPEN_TURNS_PK = "OPEN_TURNS"
EVENT_PREFIX = "EVT#"
NOTE_PREFIX = "NOTE#"
MACROS_PK = "MACROS"
CLIENT_MESSAGE_PREFIX = "MSGID#"
DEVICE_OWNER_SK = "OWNER"
TTL_ATTRIBUTE = "ttl"
CONVERSATION_KIND = "conversation"
BY_CUSTOMER = "by_customer"
BY_RECENCY = "by_recency"
QUEUE = "queue"
BY_DAY = "by_day"
REPORT_DAY = "report_day"
CSAT_SK = "CSAT"
MIGRATIONS_PK = "MIGRATIONS"


def report_day(created_at: float) -> str:
    """The `by_day` partition of an item created at `created_at` (epoch seconds): its UTC day."""
    return time.strftime("%Y-%m-%d", time.gmtime(created_at))


def conversation_pk(conversation_id: str) -> str:
    """Partition key of every item of a conversation."""
    return f"CONV#{conversation_id}"


def event_sk(seq: int) -> str:
    """Sort key of an event; zero-padded so keys sort as numbers."""
    return f"{EVENT_PREFIX}{seq:012d}"


def device_owner_pk(token: str) -> str:
    """Partition key of the item naming the customer a push token belongs to."""
    return f"DEVICE#{token}"


def customer_devices_pk(customer_id: str) -> str:
    """Partition key of a customer's registered phones."""
    return f"DEVICES#{customer_id}"


def server_table_spec(name: str) -> TableSpec:
    """The server table named `name`, with its four indexes and Time to Live on `ttl`."""
    return TableSpec(
        name=name,
        ttl_attribute=TTL_ATTRIBUTE,
        indexes=(
            Index(BY_CUSTOMER, ("customer_id", "S"), ("updated_at", "N")),
            Index(BY_RECENCY, ("kind", "S"), ("updated_at", "N")),
            Index(QUEUE, ("status", "S"), ("created_at", "N")),
            Index(
                BY_DAY,
                (REPORT_DAY, "S"),
                ("created_at", "N"),
                include=("type", "payload", "score"),
            ),
        ),
    )
