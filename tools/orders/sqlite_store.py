"""`SqliteOrderStore`: the order store on one SQLite database (stdlib `sqlite3`).

Each user, order and product is one row holding the record as a JSON document, so the
τ-bench shape (including key order) survives a round trip exactly. Indexed lookup
columns derived from the document serve the finder tools. Rows keep their load order
(`seq`), which is also the order in which τ-bench scans for the first match.

One connection is shared behind a lock, so a store may be used from several threads;
file databases use WAL, and every write runs in a ``BEGIN IMMEDIATE`` transaction so
read-modify-write tools are atomic across processes too.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tools.orders.erasure import erased_order, new_pseudonym
from tools.orders.sqlite_docs import (
    SCHEMA,
    TABLES,
    DocumentSession,
    dumps,
    insert_records,
    order_keys,
)
from tools.orders.store import AppliedAction, JsonDict, OrderToolError, phone_digits
from tools.orders.write_tools import WriteTools

T = TypeVar("T")

_WRAPPED_ERRORS = (LookupError, TypeError, ValueError, AttributeError)


class SqliteOrderStore(WriteTools):
    """The τ-bench retail tools over a SQLite database (a file path or ``":memory:"``)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        if self.path not in (":memory:", ""):
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SqliteOrderStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def clone(self, path: str | Path = ":memory:") -> SqliteOrderStore:
        """Return a new store at `path` holding a copy of this one (SQLite backup API)."""
        copy = SqliteOrderStore(path)
        with self._lock, copy._lock:
            self._conn.backup(copy._conn)
        return copy

    @contextmanager
    def _transaction(self, mode: str = "") -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute(f"BEGIN {mode}")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _mutate(self, operation: Callable[..., T], *args: Any) -> T:
        with self._transaction("IMMEDIATE") as conn:
            session = DocumentSession(conn)
            try:
                result = operation(session, *args)
            except _WRAPPED_ERRORS as exc:
                raise OrderToolError(str(exc)) from exc
            session.flush()
        return result

    def _mutate_once(
        self, key: str, scope: str, tool: str, operation: Callable[..., JsonDict], args: JsonDict
    ) -> tuple[JsonDict, bool]:
        with self._transaction("IMMEDIATE") as conn:
            row = conn.execute("SELECT result FROM applied_actions WHERE key = ?", (key,))
            done = row.fetchone()
            if done is not None:
                return json.loads(done[0]), False
            session = DocumentSession(conn)
            try:
                result = operation(session, **args)
            except _WRAPPED_ERRORS as exc:
                raise OrderToolError(str(exc)) from exc
            session.flush()
            conn.execute(
                "INSERT INTO applied_actions VALUES (?, ?, ?, ?, ?, ?)",
                (key, scope, tool, json.dumps(args), json.dumps(result), time.time()),
            )
        return result, True

    def applied_action(self, key: str) -> AppliedAction | None:
        """The change recorded under an idempotency key, or None when it was never made."""
        with self._lock:
            row = self._conn.execute(
                "SELECT key, scope, tool, args, result, applied_at FROM applied_actions"
                " WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        return {
            "key": row[0],
            "scope": row[1],
            "tool": row[2],
            "args": json.loads(row[3]),
            "result": json.loads(row[4]),
            "applied_at": float(row[5]),
        }

    # -- bulk load and export --------------------------------------------------------

    def is_empty(self) -> bool:
        """Return True when the store holds no users, orders or products."""
        with self._transaction() as conn:
            return not any(
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES
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

        With `if_empty`, load only into an empty store (checked inside the write
        transaction, so concurrent seeders load once). Returns whether it loaded.
        """
        with self._transaction("IMMEDIATE") as conn:
            if if_empty and any(
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES
            ):
                return False
            insert_records(conn, users, orders, products)
        return True

    def export_documents(self) -> dict[str, dict[str, str]]:
        """Return every record as its stored JSON text: ``{table: {id: json}}``."""
        with self._transaction() as conn:
            return {
                table: dict(conn.execute(f"SELECT id, doc FROM {table} ORDER BY seq").fetchall())
                for table in TABLES
            }

    def export_tau(self) -> dict[str, dict[str, JsonDict]]:
        """Return ``{"users", "orders", "products"}`` in τ-bench's JSON shape and order."""
        return {
            table: {key: json.loads(text) for key, text in docs.items()}
            for table, docs in self.export_documents().items()
        }

    # -- read tools ------------------------------------------------------------------

    def _doc(self, table: str, key: str, missing: str) -> JsonDict:
        with self._lock:
            row = self._conn.execute(f"SELECT doc FROM {table} WHERE id = ?", (key,)).fetchone()
        if row is None:
            raise OrderToolError(missing)
        doc: JsonDict = json.loads(row[0])
        return doc

    def _first_user(self, where: str, params: tuple[str, ...]) -> str:
        with self._lock:
            row = self._conn.execute(
                f"SELECT id FROM users WHERE {where} ORDER BY seq LIMIT 1", params
            ).fetchone()
        if row is None:
            raise OrderToolError("user not found")
        return str(row[0])

    def find_user_id_by_email(self, email: str) -> str:
        """Return the id of the first user whose email matches (case-insensitive)."""
        return self._first_user("email_key = ?", (email.lower(),))

    def find_user_id_by_name_zip(self, first_name: str, last_name: str, zip: str) -> str:
        """Return the id of the first user with this name (case-insensitive) and zip."""
        return self._first_user(
            "first_key = ? AND last_key = ? AND zip = ?",
            (first_name.lower(), last_name.lower(), zip),
        )

    def find_user_id_by_phone(self, phone: str) -> str:
        """Return the id of the first user whose phone is `phone` (international form).

        Numbers compare by their digits, so ``+1 (415) 555-0142``, ``+14155550142`` and
        WhatsApp's ``14155550142`` are the same number.
        """
        wanted = phone_digits(phone)
        if not wanted:
            raise OrderToolError("user not found")
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, json_extract(doc, '$.phone') FROM users"
                " WHERE json_extract(doc, '$.phone') IS NOT NULL ORDER BY seq"
            ).fetchall()
        for user_id, stored in rows:
            if phone_digits(str(stored)) == wanted:
                return str(user_id)
        raise OrderToolError("user not found")

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
        with self._lock:
            rows = self._conn.execute("SELECT doc FROM products ORDER BY seq").fetchall()
        products = (json.loads(row[0]) for row in rows)
        names = {product["name"]: product["product_id"] for product in products}
        return dict(sorted(names.items()))

    def ping(self) -> None:
        """Read one row's worth of the products table; raise when the database does not answer."""
        with self._lock:
            self._conn.execute("SELECT 1 FROM products LIMIT 1").fetchall()

    def list_user_orders(self, user_id: str) -> list[JsonDict]:
        """Return the details of every order of the user.

        Orders come in the order of the user's ``orders`` list, followed by any other
        order recorded for the user, in load order.
        """
        with self._transaction() as conn:
            row = conn.execute("SELECT doc FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                raise OrderToolError("user not found")
            listed: list[str] = json.loads(row[0]).get("orders", [])
            marks = ", ".join("?" * len(listed))
            docs = dict(conn.execute(f"SELECT id, doc FROM orders WHERE id IN ({marks})", listed))
            docs.update(
                conn.execute(
                    "SELECT id, doc FROM orders WHERE user_id = ? ORDER BY seq", (user_id,)
                )
            )
        listed_set = set(listed)
        ordered = [oid for oid in listed if oid in docs]
        ordered += [oid for oid in docs if oid not in listed_set]
        return [json.loads(docs[oid]) for oid in ordered]

    def find_item(self, item_id: str) -> JsonDict | None:
        """Return a catalogue item (variant plus ``product_id`` and ``name``), or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT p.doc FROM items i JOIN products p ON p.id = i.product_id"
                " WHERE i.item_id = ? ORDER BY i.seq LIMIT 1",
                (item_id,),
            ).fetchone()
        if row is None:
            return None
        product = json.loads(row[0])
        variant = product["variants"].get(item_id)
        if variant is None:
            return None
        return {"product_id": product["product_id"], "name": product["name"], **variant}

    # -- erasure ---------------------------------------------------------------------

    def erase_customer(self, user_id: str) -> int:
        """Delete the customer's record and blank their orders' personal fields.

        The orders are kept under a random pseudonym (`tools.orders.erasure`); returns how
        many were kept. The records of writes made for them (idempotency keys with the
        written record) go too. The file is compacted afterwards so nothing lingers on disk.
        """
        pseudonym = new_pseudonym()
        with self._transaction("IMMEDIATE") as conn:
            rows = conn.execute("SELECT id, doc FROM orders WHERE user_id = ?", (user_id,))
            for order_id, doc in rows.fetchall():
                kept = erased_order(json.loads(doc), pseudonym)
                conn.execute(
                    "UPDATE orders SET doc = ?, user_id = ?, status = ? WHERE id = ?",
                    (dumps(kept), *order_keys(kept), order_id),
                )
            kept_orders = conn.execute(
                "SELECT COUNT(*) FROM orders WHERE user_id = ?", (pseudonym,)
            ).fetchone()[0]
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
            # The idempotency records hold the changed order or account as it was written.
            conn.execute(
                "DELETE FROM applied_actions WHERE json_extract(result, '$.user_id') = ?"
                " OR json_extract(args, '$.user_id') = ?",
                (user_id, user_id),
            )
        self.compact()
        return int(kept_orders)

    def compact(self) -> None:
        """Rewrite the file without free pages and empty its WAL (erased data leaves disk)."""
        with self._lock:
            self._conn.execute("VACUUM")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
