"""Create a DynamoDB table if it is missing, and check it if it is there.

`ensure_table` is safe to run again or from several processes at once: a table that
exists is checked for the expected key schema and secondary indexes (a missing index is
added), and Time to Live is switched on only if it is off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from cloud.encryption import ensure_table_encryption, table_sse


@dataclass(frozen=True)
class Index:
    """A global secondary index projecting every attribute, or only the keys and `include`."""

    name: str
    hash_key: tuple[str, str]
    range_key: tuple[str, str] | None = None
    include: tuple[str, ...] = ()

    def key_schema(self) -> list[dict[str, str]]:
        """The index's KeySchema."""
        schema = [{"AttributeName": self.hash_key[0], "KeyType": "HASH"}]
        if self.range_key:
            schema.append({"AttributeName": self.range_key[0], "KeyType": "RANGE"})
        return schema

    def definition(self) -> dict[str, Any]:
        """The index as CreateTable / UpdateTable expect it."""
        projection: dict[str, Any] = {"ProjectionType": "ALL"}
        if self.include:
            projection = {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.include)}
        return {"IndexName": self.name, "KeySchema": self.key_schema(), "Projection": projection}


@dataclass(frozen=True)
class TableSpec:
    """A table keyed by string `PK` (hash) and `SK` (range), on-demand billing."""

    name: str
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    keys: tuple[tuple[str, str], ...] = field(default=(("PK", "S"), ("SK", "S")))

    def attribute_definitions(self) -> list[dict[str, str]]:
        """Every key attribute of the table and its indexes, with its type."""
        types = dict(self.keys)
        for index in self.indexes:
            for key in (index.hash_key, index.range_key):
                if key:
                    types[key[0]] = key[1]
        return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]

    def key_schema(self) -> list[dict[str, str]]:
        """The table's KeySchema."""
        (hash_name, _), (range_name, _) = self.keys
        return [
            {"AttributeName": hash_name, "KeyType": "HASH"},
            {"AttributeName": range_name, "KeyType": "RANGE"},
        ]


def ensure_table(
    client: Any, spec: TableSpec, wait_seconds: int = 120, kms_key_id: str | None = None
) -> bool:
    """Create `spec`'s table (or check the one there); return True when this call made it.

    With `kms_key_id`, the table is encrypted with that KMS key (`cloud.encryption`).
    """
    params: dict[str, Any] = {
        "TableName": spec.name,
        "KeySchema": spec.key_schema(),
        "AttributeDefinitions": spec.attribute_definitions(),
        "BillingMode": "PAY_PER_REQUEST",
        **table_sse(kms_key_id),
    }
    if spec.indexes:
        params["GlobalSecondaryIndexes"] = [index.definition() for index in spec.indexes]
    created = True
    try:
        client.create_table(**params)
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceInUseException":
            raise
        created = False
    waiter = client.get_waiter("table_exists")
    waiter.wait(TableName=spec.name, WaiterConfig={"Delay": 1, "MaxAttempts": wait_seconds})
    described = client.describe_table(TableName=spec.name)["Table"]
    _check_keys(spec, described)
    if not created:
        _add_missing_indexes(client, spec, described)
        ensure_table_encryption(client, spec.name, kms_key_id)
    if spec.ttl_attribute:
        _enable_ttl(client, spec.name, spec.ttl_attribute)
    return created


def _check_keys(spec: TableSpec, described: dict[str, Any]) -> None:
    found = {(k["AttributeName"], k["KeyType"]) for k in described["KeySchema"]}
    expected = {(k["AttributeName"], k["KeyType"]) for k in spec.key_schema()}
    if found != expected:
        raise ValueError(
            f"table {spec.name!r} exists with key schema {sorted(found)}; "
            f"expected {sorted(expected)}"
        )


def _add_missing_indexes(client: Any, spec: TableSpec, described: dict[str, Any]) -> None:
    present = {i["IndexName"] for i in described.get("GlobalSecondaryIndexes", [])}
    for index in spec.indexes:
        if index.name in present:
            continue
        client.update_table(
            TableName=spec.name,
            AttributeDefinitions=spec.attribute_definitions(),
            GlobalSecondaryIndexUpdates=[{"Create": index.definition()}],
        )


def _enable_ttl(client: Any, table: str, attribute: str) -> None:
    current = client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        if current.get("AttributeName") != attribute:
            raise ValueError(
                f"table {table!r} expires items on {current.get('AttributeName')!r}; "
                f"expected {attribute!r}"
            )
        return
    client.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )
