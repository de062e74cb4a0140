"""DynamoDB layout of the order store: one table, its indexes, and item construction.

Every record is one item keyed by ``pk`` = ``<kind>#<id>`` (``users#…``, ``orders#…``,
``products#…``) holding the record as JSON text in ``doc``, so the τ-bench shape (key
order, ``9.0`` versus ``9``) survives a round trip exactly. ``seq`` is the load order, the
order in which τ-bench scans for a first match; ``rev`` is a random token replaced on every
write, which conditional writes compare so two concurrent changes to one record cannot
both succeed. A catalogue item (``items#<item_id>``) points at its product.

Sparse global secondary indexes, each sorted by ``seq``, serve the finders: ``by_email``
and ``by_name_zip`` (users), ``by_user`` (orders) and ``by_kind`` (every record, for the
product list).
"""

from __future__ import annotations

import uuid
from typing import Any

from botocore.exceptions import ClientError

from cloud.encryption import ensure_table_encryption, table_sse
from tools.orders.sqlite_docs import dumps, order_keys, user_keys
from tools.orders.store import JsonDict

KINDS = ("users", "orders", "products")
"""The record kinds, in the order `export_tau` lists them."""
ITEM_KIND = "items"
"""Catalogue item pointers (item id -> product id); not part of the exported data."""
META_KEY = "meta#loaded"
"""Marker item written before the first load, so concurrent seeders load once."""

BY_KIND = "by_kind"
BY_EMAIL = "by_email"
BY_NAME_ZIP = "by_name_zip"
BY_USER = "by_user"

_INDEXES = (
    (BY_KIND, "kind", "ALL"),
    (BY_EMAIL, "email_key", "KEYS_ONLY"),
    (BY_NAME_ZIP, "name_zip_key", "KEYS_ONLY"),
    (BY_USER, "user_id", "KEYS_ONLY"),
)

TABLE_DEFINITION: dict[str, Any] = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "seq", "AttributeType": "N"},
        *({"AttributeName": key, "AttributeType": "S"} for _, key, _ in _INDEXES),
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": key, "KeyType": "HASH"},
                {"AttributeName": "seq", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": projection},
        }
        for name, key, projection in _INDEXES
    ],
    "BillingMode": "PAY_PER_REQUEST",
}
"""`CreateTable` arguments (besides the name): keys, indexes, on-demand billing."""


def record_key(kind: str, record_id: str) -> str:
    """Return the partition key of a record."""
    return f"{kind}#{record_id}"


def record_id(key: str) -> str:
    """Return the record id from a partition key."""
    return key.split("#", 1)[1]


def name_zip_key(first_name: str, last_name: str, zip: str) -> str:
    """Return the ``by_name_zip`` lookup value: lower-cased names and the zip."""
    return "\x1f".join((first_name.lower(), last_name.lower(), zip))


def new_rev() -> str:
    """Return a fresh revision token."""
    return uuid.uuid4().hex


def record_item(kind: str, key: str, doc: JsonDict, seq: int, text: str | None = None) -> JsonDict:
    """Return the DynamoDB item (low-level attribute values) for one record."""
    item: JsonDict = {
        "pk": {"S": record_key(kind, key)},
        "kind": {"S": kind},
        "seq": {"N": str(seq)},
        "doc": {"S": dumps(doc) if text is None else text},
        "rev": {"S": new_rev()},
    }
    item.update(lookup_attributes(kind, doc))
    return item


def lookup_attributes(kind: str, doc: JsonDict) -> JsonDict:
    """Return the index attributes derived from a record (empty values are left out)."""
    attributes: dict[str, str] = {}
    if kind == "users":
        email, first, last, zip_code = user_keys(doc)
        attributes = {"email_key": email, "name_zip_key": name_zip_key(first, last, zip_code)}
    elif kind == "orders":
        attributes = {"user_id": order_keys(doc)[0]}
    return {name: {"S": value} for name, value in attributes.items() if value}


def item_pointer(item_id: str, product_id: str, seq: int) -> JsonDict:
    """Return the item that maps a catalogue item id to its product."""
    return {
        "pk": {"S": record_key(ITEM_KIND, item_id)},
        "product_id": {"S": product_id},
        "seq": {"N": str(seq)},
    }


def create_orders_table(
    client: Any, table_name: str, *, wait_seconds: int = 120, kms_key_id: str | None = None
) -> bool:
    """Create the order table unless it exists; wait until it is active.

    Safe to run again or concurrently: an existing table is left as it is (its key schema
    is checked, its encryption switched to `kms_key_id` when one is named). Returns True
    when this call created the table.
    """
    created = True
    try:
        client.create_table(TableName=table_name, **TABLE_DEFINITION, **table_sse(kms_key_id))
    except ClientError as err:
        if err.response["Error"]["Code"] != "ResourceInUseException":
            raise
        created = False
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": max(1, wait_seconds)}
    )
    table = client.describe_table(TableName=table_name)["Table"]
    keys = [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]]
    if keys != [("pk", "HASH")]:
        raise ValueError(f"table {table_name!r} exists with key schema {keys}; expected pk (HASH)")
    if not created:
        ensure_table_encryption(client, table_name, kms_key_id)
    return created
