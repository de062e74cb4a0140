"""The DynamoDB tables Tandem uses, read from the code that creates them with boto3.

`tandem aws bootstrap` and this app therefore agree on every name, key and index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.settings import Settings
from conversations import lease
from conversations.server_table import server_table_spec
from memory import dynamodb as checkpoints
from memory.dynamodb_tables import TableSpec
from tools.orders.dynamodb_schema import TABLE_DEFINITION as ORDERS
from wiring.aws_resources import MEMORY_TTL_ATTRIBUTE


@dataclass(frozen=True)
class TableDefinition:
    """One table: the setting naming it, its CreateTable keys and indexes, its TTL attribute."""

    setting: str
    name: str
    key_schema: list[dict[str, str]]
    attribute_types: dict[str, str]
    indexes: list[dict[str, Any]]
    ttl_attribute: str | None


def _from_create_table(
    setting: str, name: str, params: dict[str, Any], ttl: str | None
) -> TableDefinition:
    return TableDefinition(
        setting=setting,
        name=name,
        key_schema=params["KeySchema"],
        attribute_types={
            a["AttributeName"]: a["AttributeType"] for a in params["AttributeDefinitions"]
        },
        indexes=params.get("GlobalSecondaryIndexes", []),
        ttl_attribute=ttl,
    )


def _from_spec(setting: str, spec: TableSpec) -> TableDefinition:
    params = {
        "KeySchema": spec.key_schema(),
        "AttributeDefinitions": spec.attribute_definitions(),
        "GlobalSecondaryIndexes": [index.definition() for index in spec.indexes],
    }
    return _from_create_table(setting, spec.name, params, spec.ttl_attribute)


def table_definitions(settings: Settings) -> dict[str, TableDefinition]:
    """Checkpoints, server store, leases, orders and memory, keyed by a short role name."""
    lease_key = [{"AttributeName": lease.KEY, "KeyType": "HASH"}]
    return {
        "checkpoints": _from_create_table(
            "TANDEM_CHECKPOINT_TABLE",
            settings.checkpoint_table,
            {
                "KeySchema": checkpoints.KEY_SCHEMA,
                "AttributeDefinitions": checkpoints.ATTRIBUTE_DEFINITIONS,
            },
            checkpoints.TTL_ATTRIBUTE,
        ),
        "server": _from_spec("TANDEM_SERVER_TABLE", server_table_spec(settings.server_table)),
        "leases": _from_create_table(
            "TANDEM_LEASE_TABLE",
            settings.lease_table,
            {
                "KeySchema": lease_key,
                "AttributeDefinitions": [{"AttributeName": lease.KEY, "AttributeType": "S"}],
            },
            lease.TTL_ATTRIBUTE,
        ),
        "orders": _from_create_table("TANDEM_ORDERS_TABLE", settings.orders_table, ORDERS, None),
        "memory": _from_spec(
            "TANDEM_MEMORY_TABLE",
            TableSpec(settings.memory_table, ttl_attribute=MEMORY_TTL_ATTRIBUTE),
        ),
    }
