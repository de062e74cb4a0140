"""`DynamoDBOrderStore`: the order store on one DynamoDB table.

The same τ-bench tool semantics as `SqliteOrderStore`: the write tools run the shared
functions of `tools.orders.operations` inside an optimistic `DynamoDBSession`, which
commits with conditional writes and is retried from a fresh read when a record changed
meanwhile; so of two concurrent changes to one order only one succeeds, and the other
is re-validated against the new state (e.g. a second cancellation is refused as
"non-pending"). Records are read with strongly consistent reads; the finders query
sparse global secondary indexes (see `tools.orders.dynamodb_schema` for the layout).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from tools.orders.dynamodb_load import load_records
from tools.orders.dynamodb_schema import (
    BY_EMAIL,
    BY_KIND,
    BY_NAME_ZIP,
    BY_USER,
    ITEM_KIND,
    KINDS,
    lookup_attributes,
    name_zip_key,
    new_rev,
    record_id,
    record_key,
)
from tools.orders.dynamodb_session import DynamoDBSession
from tools.orders.erasure import erased_order, new_pseudonym
from tools.orders.store import AppliedAction, JsonDict, OrderToolError
from tools.orders.write_tools import WriteTools

T = TypeVar("T")

logger = logging.getLogger(__name__)

_WRAPPED_ERRORS = (LookupError, TypeError, ValueError, AttributeError)
_RETRYABLE_CANCELLATIONS = frozenset(("ConditionalCheckFailed", "TransactionConflict"))
ACTION_KIND = "action"
"""Key prefix of the items recording write tool calls by idempotency key (in no index)."""
PING_KEY = "__readiness_probe__"
"""A product key no record has: readiness probes read it."""
CONFLICT_MESSAGE = "the record changed while it was being updated; please try again"
"""Error text when a write lost the race to concurrent writes on every attempt."""


class DynamoDBOrderStore(WriteTools):
    """The τ-bench retail tools over a DynamoDB table (create it with `create_orders_table`).

    `client` is a low-level boto3 DynamoDB client (see `cloud.aws.aws_client`).
    A write that loses a race is retried up to `max_attempts` times in all.
    """

    def __init__(self, client: Any, table_name: str, *, max_attempts: int = 5) -> None:
        self._client = client
        self.table_name = table_name
        self.max_attempts = max_attempts

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()

    def __enter__(self) -> DynamoDBOrderStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ---------------------------------------------------------------------

    def _query(self, **params: Any) -> Iterator[JsonDict]:
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table_name, **params):
            yield from page["Items"]

    def _index_query(self, index: str, attribute: str, value: str, **params: Any) -> Any:
        return self._query(
            IndexName=index,
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": attribute},
            ExpressionAttributeValues={":v": {"S": value}},
            **params,
        )

    def _text(self, kind: str, key: str) -> str | None:
        item = self._client.get_item(
            TableName=self.table_name,
            Key={"pk": {"S": record_key(kind, key)}},
            ConsistentRead=True,
            ProjectionExpression="doc",
        ).get("Item")
        return None if item is None else str(item["doc"]["S"])

    def _doc(self, kind: str, key: str, missing: str) -> JsonDict:
        text = self._text(kind, key)
        if text is None:
            raise OrderToolError(missing)
        doc: JsonDict = json.loads(text)
        return doc

    def _batch_texts(self, kind: str, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 100):
            request: JsonDict = {
                self.table_name: {
                    "Keys": [
                        {"pk": {"S": record_key(kind, k)}} for k in unique[start : start + 100]
                    ],
                    "ConsistentRead": True,
                    "ProjectionExpression": "pk, doc",
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table_name, []):
                    found[record_id(item["pk"]["S"])] = item["doc"]["S"]
                request = response.get("UnprocessedKeys") or {}
        return found

    def _first_user(self, index: str, attribute: str, value: str) -> str:
        # Index keys cannot be empty strings, so an empty value matches no user.
        for item in self._index_query(index, attribute, value, Limit=1) if value else ():
            return record_id(item["pk"]["S"])
        raise OrderToolError("user not found")

    def _mutate(self, operation: Callable[..., T], *args: Any) -> T:
        errors = self._client.exceptions
        for attempt in range(1, self.max_attempts + 1):
            session = DynamoDBSession(self._client, self.table_name)
            try:
                result = operation(session, *args)
            except _WRAPPED_ERRORS as exc:
                raise OrderToolError(str(exc)) from exc
            try:
                session.commit()
            except errors.TransactionCanceledException as exc:
                reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
                if not reasons & _RETRYABLE_CANCELLATIONS:
                    raise
            except errors.ConditionalCheckFailedException:
                pass
            else:
                return result
            logger.info("write conflict on attempt %d of %s", attempt, operation.__name__)
        raise OrderToolError(CONFLICT_MESSAGE)

    def _mutate_once(
        self, key: str, scope: str, tool: str, operation: Callable[..., JsonDict], args: JsonDict
    ) -> tuple[JsonDict, bool]:
        errors = self._client.exceptions
        for attempt in range(1, self.max_attempts + 1):
            done = self.applied_action(key)
            if done is not None:
                return done["result"], False
            session = DynamoDBSession(self._client, self.table_name)
            try:
                result = operation(session, **args)
            except _WRAPPED_ERRORS as exc:
                raise OrderToolError(str(exc)) from exc
            record = {
                "Put": {
                    "TableName": self.table_name,
                    "Item": {
                        "pk": {"S": record_key(ACTION_KIND, key)},
                        "scope": {"S": scope},
                        "tool": {"S": tool},
                        "args": {"S": json.dumps(args)},
                        "result": {"S": json.dumps(result)},
                        "applied_at": {"N": f"{time.time():.3f}"},
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            try:
                session.commit(extra=[record])
            except errors.TransactionCanceledException as exc:
                reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
                if not reasons & _RETRYABLE_CANCELLATIONS:
                    raise
            else:
                return result, True
            logger.info("write conflict on attempt %d of %s", attempt, tool)
        raise OrderToolError(CONFLICT_MESSAGE)

    def applied_action(self, key: str) -> AppliedAction | None:
        """The change recorded under an idempotency key, or None when it was never made."""
        item = self._client.get_item(
            TableName=self.table_name,
            Key={"pk": {"S": record_key(ACTION_KIND, key)}},
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        return {
            "key": key,
            "scope": item["scope"]["S"],
            "tool": item["tool"]["S"],
            "args": json.loads(item["args"]["S"]),
            "result": json.loads(item["result"]["S"]),
            "applied_at": float(item["applied_at"]["N"]),
        }

    # -- bulk load and export --------------------------------------------------------

    def is_empty(self) -> bool:
        """Return True when the store holds no users, orders or products."""
        return not any(
            next(iter(self._index_query(BY_KIND, "kind", kind, Limit=1)), None) for kind in KINDS
        )

    def load_tau(
        self,
        users: Mapping[str, JsonDict],
        orders: Mapping[str, JsonDict],
        products: Mapping[str, JsonDict],
        *,
        if_empty: bool = False,
    ) -> bool:
        """Replace the contents with τ-bench-shaped records, keeping their order.

        With `if_empty`, load only into a table never loaded before (decided by a
        conditional write, so concurrent seeders load once). Returns whether it loaded.
        """
        return load_records(
            self._client, self.table_name, users, orders, products, if_empty=if_empty
        )

    def export_documents(self) -> dict[str, dict[str, str]]:
        """Return every record as its stored JSON text: ``{kind: {id: json}}``, load order.

        A strongly consistent scan; it fetches only the key, order and document of each
        record (the response size is what an emulator spends its time on).
        """
        rows: dict[str, list[tuple[int, str, str]]] = {kind: [] for kind in KINDS}
        paginator = self._client.get_paginator("scan")
        pages = paginator.paginate(
            TableName=self.table_name,
            ConsistentRead=True,
            ProjectionExpression="pk, seq, doc",
            FilterExpression="attribute_exists(doc)",
        )
        for page in pages:
            for item in page["Items"]:
                kind, key = item["pk"]["S"].split("#", 1)
                if kind in rows:
                    rows[kind].append((int(item["seq"]["N"]), key, item["doc"]["S"]))
        return {kind: {key: text for _, key, text in sorted(rows[kind])} for kind in KINDS}

    def export_tau(self) -> dict[str, dict[str, JsonDict]]:
        """Return ``{"users", "orders", "products"}`` in τ-bench's JSON shape and order."""
        return {
            kind: {key: json.loads(text) for key, text in docs.items()}
            for kind, docs in self.export_documents().items()
        }

    def restore_documents(self, documents: Mapping[str, Mapping[str, str]]) -> None:
        """Overwrite existing records with the given JSON texts (``{kind: {id: json}}``).

        For putting records back after a test or a replay; each record keeps its place
        in the load order and gets a new revision, so writes that read it before fail.
        """
        for kind, records in documents.items():
            for key, text in records.items():
                values: JsonDict = {":doc": {"S": text}, ":rev": {"S": new_rev()}}
                sets = ["doc = :doc", "rev = :rev"]
                for name, value in lookup_attributes(kind, json.loads(text)).items():
                    sets.append(f"{name} = :{name}")
                    values[f":{name}"] = value
                self._client.update_item(
                    TableName=self.table_name,
                    Key={"pk": {"S": record_key(kind, key)}},
                    UpdateExpression="SET " + ", ".join(sets),
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues=values,
                )

    # -- read tools ------------------------------------------------------------------

    def find_user_id_by_email(self, email: str) -> str:
        """Return the id of the first user whose email matches (case-insensitive)."""
        return self._first_user(BY_EMAIL, "email_key", email.lower())

    def find_user_id_by_name_zip(self, first_name: str, last_name: str, zip: str) -> str:
        """Return the id of the first user with this name (case-insensitive) and zip."""
        return self._first_user(
            BY_NAME_ZIP, "name_zip_key", name_zip_key(first_name, last_name, zip)
        )

    def get_user_details(self, user_id: str) -> JsonDict:
        """Return the user's profile: name, address, email, payment methods, order ids."""
        return self._doc("users", user_id, "user not found")

    def get_order_details(self, order_id: str) -> JsonDict:
        """Return the order record."""
        return self._doc("orders", order_id, "order not found")

    def get_product_details(self, product_id: str) -> JsonDict:
        """Return the product with all its variants."""
        return self._doc("products", product_id, "product not found")

    def list_all_product_types(self) -> dict[str, str]:
        """Return product name -> product id, sorted by name."""
        items = self._index_query(BY_KIND, "kind", "products", ProjectionExpression="doc")
        products = (json.loads(item["doc"]["S"]) for item in items)
        names = {product["name"]: product["product_id"] for product in products}
        return dict(sorted(names.items()))

    def ping(self) -> None:
        """Read a key no record has; raise when the table does not answer.

        One `GetItem` (half a read unit), where listing products queries every product.
        """
        self._text("products", PING_KEY)

    def list_user_orders(self, user_id: str) -> list[JsonDict]:
        """Return the details of every order of the user.

        Orders come in the order of the user's ``orders`` list, followed by any other
        order recorded for the user, in load order.
        """
        listed: list[str] = self._doc("users", user_id, "user not found").get("orders", [])
        indexed = [
            record_id(item["pk"]["S"]) for item in self._index_query(BY_USER, "user_id", user_id)
        ]
        texts = self._batch_texts("orders", listed + indexed)
        listed_set = set(listed)
        ordered = [oid for oid in listed if oid in texts]
        ordered += [oid for oid in indexed if oid not in listed_set and oid in texts]
        return [json.loads(texts[oid]) for oid in dict.fromkeys(ordered)]

    def find_item(self, item_id: str) -> JsonDict | None:
        """Return a catalogue item (variant plus ``product_id`` and ``name``), or None."""
        pointer = self._client.get_item(
            TableName=self.table_name,
            Key={"pk": {"S": record_key(ITEM_KIND, item_id)}},
            ProjectionExpression="product_id",
        ).get("Item")
        if pointer is None:
            return None
        text = self._text("products", pointer["product_id"]["S"])
        if text is None:
            return None
        product = json.loads(text)
        variant = product["variants"].get(item_id)
        if variant is None:
            return None
        return {"product_id": product["product_id"], "name": product["name"], **variant}

    # -- erasure ---------------------------------------------------------------------

    def erase_customer(self, user_id: str) -> int:
        """Delete the customer's record and blank their orders' personal fields.

        The orders are kept under a random pseudonym (`tools.orders.erasure`), in one
        transaction; returns how many were kept.
        """
        try:
            listed: list[str] = self._doc("users", user_id, "user not found").get("orders", [])
        except OrderToolError:
            listed = []
        indexed = [
            record_id(item["pk"]["S"]) for item in self._index_query(BY_USER, "user_id", user_id)
        ]
        order_ids = list(dict.fromkeys(listed + indexed))
        pseudonym = new_pseudonym()

        def erase(session: DynamoDBSession, ids: list[str]) -> int:
            kept = 0
            for order_id in ids:
                doc = session.order(order_id)
                if doc is None or doc.get("user_id") != user_id:
                    continue
                blanked = erased_order(doc, pseudonym)
                doc.clear()
                doc.update(blanked)
                kept += 1
            return kept

        kept = self._mutate(erase, order_ids) if order_ids else 0
        self._client.delete_item(
            TableName=self.table_name, Key={"pk": {"S": record_key("users", user_id)}}
        )
        return kept

    def compact(self) -> None:
        """Nothing to do: DynamoDB keeps no trace of deleted items to clean up."""
