"""Optimistic read-modify-write over the DynamoDB order table.

`DynamoDBSession` hands records to `tools.orders.operations` (it implements their
`Documents` view) and remembers each record's revision token. `commit` then writes the
changed records, each conditional on the revision it read, plus a condition check on every
user or order it read without changing, in one `TransactWriteItems` call (a lone update
goes out as a conditional `UpdateItem`): if any of them changed meanwhile nothing is
written, so two concurrent changes to one order cannot both succeed.
"""

from __future__ import annotations

import json
from typing import Any

from tools.orders.dynamodb_schema import lookup_attributes, new_rev, record_key
from tools.orders.sqlite_docs import dumps
from tools.orders.store import JsonDict

_LOOKUP_NAMES = {"users": ("email_key", "name_zip_key"), "orders": ("user_id",)}
# Products are never written by the tools, so reading one needs no condition check.
_CHECKED_KINDS = frozenset(("users", "orders"))


class DynamoDBSession:
    """Records read for one write tool call, and the transaction that saves them."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._loaded: dict[tuple[str, str], tuple[str, str, JsonDict]] = {}

    def _get(self, kind: str, key: str) -> JsonDict | None:
        cached = self._loaded.get((kind, key))
        if cached is not None:
            return cached[2]
        response = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": record_key(kind, key)}},
            ConsistentRead=True,
            ProjectionExpression="doc, rev",
        )
        item = response.get("Item")
        if item is None:
            return None
        text, rev = item["doc"]["S"], item["rev"]["S"]
        doc: JsonDict = json.loads(text)
        self._loaded[(kind, key)] = (text, rev, doc)
        return doc

    def order(self, order_id: str) -> JsonDict | None:
        """Return the order record, or None."""
        return self._get("orders", order_id)

    def user(self, user_id: str) -> JsonDict | None:
        """Return the user record, or None."""
        return self._get("users", user_id)

    def product(self, product_id: str) -> JsonDict | None:
        """Return the product record, or None."""
        return self._get("products", product_id)

    def _update(self, kind: str, key: str, rev: str, doc: JsonDict) -> JsonDict:
        values: JsonDict = {":doc": {"S": dumps(doc)}, ":rev": {"S": rev}, ":new": {"S": new_rev()}}
        sets = ["doc = :doc", "rev = :new"]
        lookups = lookup_attributes(kind, doc)
        removes = [name for name in _LOOKUP_NAMES.get(kind, ()) if name not in lookups]
        for name, value in lookups.items():
            sets.append(f"{name} = :{name}")
            values[f":{name}"] = value
        expression = "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": record_key(kind, key)}},
                "UpdateExpression": expression,
                "ConditionExpression": "rev = :rev",
                "ExpressionAttributeValues": values,
            }
        }

    def _check(self, kind: str, key: str, rev: str) -> JsonDict:
        return {
            "ConditionCheck": {
                "TableName": self._table,
                "Key": {"pk": {"S": record_key(kind, key)}},
                "ConditionExpression": "rev = :rev",
                "ExpressionAttributeValues": {":rev": {"S": rev}},
            }
        }

    def transaction(self) -> list[JsonDict]:
        """Return the transaction items: conditional updates and condition checks."""
        updates, checks = [], []
        for (kind, key), (original, rev, doc) in self._loaded.items():
            if dumps(doc) != original:
                updates.append(self._update(kind, key, rev, doc))
            elif kind in _CHECKED_KINDS:
                checks.append(self._check(kind, key, rev))
        return updates + checks if updates else []

    def commit(self, extra: list[JsonDict] | None = None) -> None:
        """Write the changed records (and the `extra` transaction items) atomically.

        A lone conditional update goes out as `UpdateItem` (half the write cost of a
        transaction); anything more as one `TransactWriteItems`. Raises the client's
        ``ConditionalCheckFailedException`` or ``TransactionCanceledException`` when a
        record changed since it was read; nothing is written then.
        """
        items = self.transaction() + (extra or [])
        if len(items) == 1 and "Update" in items[0]:
            self._client.update_item(**items[0]["Update"])
        elif items:
            self._client.transact_write_items(TransactItems=items)
