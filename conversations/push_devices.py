"""The customers' phones to notify: push tokens registered by the mobile app.

The app registers its token after sign-in and deletes it on sign-out. A token belongs to
one customer at a time: registering it again (another customer signed in on that phone)
moves it, so a phone never receives the previous customer's notifications.

`PushDevices` is what the routes and the notifier use; `SqlitePushDevices` keeps the tokens
in a SQLite file (embedded profile), `DynamoDBPushDevices` in the server's DynamoDB table
(conversations/push_devices_dynamodb.py), so every server process sees the same phones.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from conversations.sqlite_files import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS push_devices (
    token TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS push_devices_customer ON push_devices(customer_id);
"""

MAX_DEVICES = 20
"""Tokens kept per customer; registering one more forgets the least recently registered."""


@dataclass(frozen=True)
class PushDevice:
    """A registered phone."""

    token: str
    customer_id: str
    platform: str
    updated_at: float


class PushDevices(Protocol):
    """Registered push tokens; safe to share between threads."""

    def register(self, customer_id: str, token: str, platform: str) -> PushDevice:
        """Register (or move, or refresh) `token` for `customer_id`."""

    def unregister(self, customer_id: str, token: str) -> bool:
        """Delete the customer's `token`; False when they had no such token."""

    def forget(self, token: str) -> None:
        """Delete a token the push service says is no longer valid."""

    def devices(self, customer_id: str) -> list[PushDevice]:
        """The customer's registered phones, most recently registered first."""

    def close(self) -> None:
        """Release connections."""


class SqlitePushDevices:
    """Registered push tokens in a SQLite file; thread-safe."""

    def __init__(self, path: str | Path) -> None:
        self._conn = open_database(path, SCHEMA)
        self._lock = threading.Lock()

    def register(self, customer_id: str, token: str, platform: str) -> PushDevice:
        """Register (or move, or refresh) `token` for `customer_id`."""
        device = PushDevice(token, customer_id, platform, time.time())
        with self._lock:
            self._conn.execute(
                "INSERT INTO push_devices VALUES (?, ?, ?, ?) ON CONFLICT(token) DO UPDATE SET"
                " customer_id = excluded.customer_id, platform = excluded.platform,"
                " updated_at = excluded.updated_at",
                (token, customer_id, platform, device.updated_at),
            )
            self._conn.execute(
                "DELETE FROM push_devices WHERE customer_id = ? AND token NOT IN (SELECT token"
                " FROM push_devices WHERE customer_id = ? ORDER BY updated_at DESC LIMIT ?)",
                (customer_id, customer_id, MAX_DEVICES),
            )
        return device

    def unregister(self, customer_id: str, token: str) -> bool:
        """Delete the customer's `token`; False when they had no such token."""
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM push_devices WHERE token = ? AND customer_id = ?",
                (token, customer_id),
            )
        return bool(cursor.rowcount)

    def forget(self, token: str) -> None:
        """Delete a token the push service says is no longer valid."""
        with self._lock:
            self._conn.execute("DELETE FROM push_devices WHERE token = ?", (token,))

    def devices(self, customer_id: str) -> list[PushDevice]:
        """The customer's registered phones, most recently registered first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT token, customer_id, platform, updated_at FROM push_devices"
                " WHERE customer_id = ? ORDER BY updated_at DESC",
                (customer_id,),
            ).fetchall()
        return [PushDevice(*row) for row in rows]

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
