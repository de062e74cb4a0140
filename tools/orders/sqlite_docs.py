"""SQLite layout of the order store: schema, lookup keys and a write session.

Each record is one row holding its JSON document plus lookup columns derived from it;
`DocumentSession` hands the parsed records to `tools.orders.operations` inside a write
transaction and writes back the ones that changed, refreshing their lookup columns.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from tools.orders.store import JsonDict

TABLES = ("users", "orders", "products")
"""The record tables, in the order `export_tau` lists them."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, email_key TEXT NOT NULL,
    first_key TEXT NOT NULL, last_key TEXT NOT NULL, zip TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS users_email ON users(email_key);
CREATE INDEX IF NOT EXISTS users_name_zip ON users(first_key, last_key, zip);
CREATE TABLE IF NOT EXISTS orders (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
    status TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_user ON orders(user_id);
CREATE TABLE IF NOT EXISTS products (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY, item_id TEXT NOT NULL, product_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS items_item ON items(item_id);
CREATE TABLE IF NOT EXISTS applied_actions (
    key TEXT PRIMARY KEY, scope TEXT NOT NULL, tool TEXT NOT NULL, args TEXT NOT NULL,
    result TEXT NOT NULL, applied_at REAL NOT NULL);
"""


def dumps(doc: Any) -> str:
    """Serialise a record as stored (key order kept)."""
    return json.dumps(doc)


def user_keys(doc: JsonDict) -> tuple[str, str, str, str]:
    """Return a user's lookup columns: lower-cased email, first and last name; zip."""
    name = doc.get("name") or {}
    return (
        str(doc.get("email", "")).lower(),
        str(name.get("first_name", "")).lower(),
        str(name.get("last_name", "")).lower(),
        str((doc.get("address") or {}).get("zip", "")),
    )


def order_keys(doc: JsonDict) -> tuple[str, str]:
    """Return an order's lookup columns: user id and status."""
    return str(doc.get("user_id", "")), str(doc.get("status", ""))


class DocumentSession:
    """Records loaded inside one write transaction; `flush` writes back those that changed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._loaded: dict[tuple[str, str], tuple[str, JsonDict]] = {}

    def _get(self, table: str, key: str) -> JsonDict | None:
        cached = self._loaded.get((table, key))
        if cached is not None:
            return cached[1]
        row = self._conn.execute(f"SELECT doc FROM {table} WHERE id = ?", (key,)).fetchone()
        if row is None:
            return None
        doc: JsonDict = json.loads(row[0])
        self._loaded[(table, key)] = (row[0], doc)
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

    def flush(self) -> None:
        """Write every loaded record whose document changed."""
        for (table, key), (original, doc) in self._loaded.items():
            text = dumps(doc)
            if text == original:
                continue
            if table == "users":
                self._conn.execute(
                    "UPDATE users SET doc = ?, email_key = ?, first_key = ?, last_key = ?,"
                    " zip = ? WHERE id = ?",
                    (text, *user_keys(doc), key),
                )
            elif table == "orders":
                self._conn.execute(
                    "UPDATE orders SET doc = ?, user_id = ?, status = ? WHERE id = ?",
                    (text, *order_keys(doc), key),
                )
            else:
                self._conn.execute("UPDATE products SET doc = ? WHERE id = ?", (text, key))


def insert_records(
    conn: sqlite3.Connection,
    users: Mapping[str, JsonDict],
    orders: Mapping[str, JsonDict],
    products: Mapping[str, JsonDict],
) -> None:
    """Replace every table's rows with the given records, numbered in their given order."""
    for table in (*TABLES, "items"):
        conn.execute(f"DELETE FROM {table}")
    conn.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((i, k, *user_keys(d), dumps(d)) for i, (k, d) in enumerate(users.items())),
    )
    conn.executemany(
        "INSERT INTO orders VALUES (?, ?, ?, ?, ?)",
        ((i, k, *order_keys(d), dumps(d)) for i, (k, d) in enumerate(orders.items())),
    )
    conn.executemany(
        "INSERT INTO products VALUES (?, ?, ?, ?)",
        ((i, k, str(d.get("name", "")), dumps(d)) for i, (k, d) in enumerate(products.items())),
    )
    conn.executemany(
        "INSERT INTO items (item_id, product_id) VALUES (?, ?)",
        ((item_id, k) for k, d in products.items() for item_id in d.get("variants", {})),
    )
