"""Plain values to DynamoDB's low-level attribute maps and back (the server table's items)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError


def attr(value: Any) -> dict[str, Any]:
    """One attribute: numbers as `N`, booleans as `BOOL`, everything else as `S`."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | float | Decimal):
        return {"N": repr(float(value)) if isinstance(value, float) else str(value)}
    return {"S": str(value)}


def item(values: dict[str, Any]) -> dict[str, Any]:
    """A low-level item; None values are left out (sparse indexes need that)."""
    return {name: attr(value) for name, value in values.items() if value is not None}


def value(attribute: dict[str, Any]) -> Any:
    """The plain value of one attribute (numbers come back as floats)."""
    if "N" in attribute:
        return float(attribute["N"])
    if "BOOL" in attribute:
        return attribute["BOOL"]
    return attribute.get("S")


def record(raw: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of an item as plain values (None where absent)."""
    return {name: value(raw[name]) if name in raw else None for name in fields}


def failed_condition(err: ClientError) -> bool:
    """Whether a write was refused by its condition expression."""
    return err.response["Error"]["Code"] == "ConditionalCheckFailedException"


class ServerTableItems:
    """Base of the records kept as items of the server table: its client and table name."""

    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()
