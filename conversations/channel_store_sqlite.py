"""`ChannelStore` on SQLite (one file in the data folder), the embedded default.

Claims are `INSERT OR IGNORE` on a primary key, so of two deliveries of one message exactly
one claims it, also across processes sharing the file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from conversations.sqlite_files import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_claims (
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (channel, key)
);
CREATE TABLE IF NOT EXISTS channel_thread_keys (
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    PRIMARY KEY (channel, key)
);
CREATE TABLE IF NOT EXISTS channel_threads (
    conversation_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    state TEXT NOT NULL,
    delivered_seq INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS channel_threads_address
    ON channel_threads(channel, address, updated_at);
"""


class SqliteChannelStore:
    """Thread-safe SQLite `ChannelStore`."""

    def __init__(self, path: str | Path) -> None:
        self._conn = open_database(path, SCHEMA, rows=True)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def claim(self, channel: str, key: str) -> bool:
        """Record `key` once: True the first time, False for any later claim."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO channel_claims VALUES (?, ?, ?)",
                (channel, key, time.time()),
            )
        return cursor.rowcount == 1

    def release(self, channel: str, key: str) -> None:
        """Forget a claim so a retry may claim it again."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM channel_claims WHERE channel = ? AND key = ?", (channel, key)
            )

    def link(self, channel: str, keys: list[str], conversation_id: str) -> None:
        """Map thread keys to a conversation (a key already mapped keeps its conversation)."""
        with self._lock:
            self._conn.executemany(
                "INSERT OR IGNORE INTO channel_thread_keys VALUES (?, ?, ?)",
                [(channel, key, conversation_id) for key in keys],
            )

    def find(self, channel: str, keys: list[str]) -> str | None:
        """The conversation one of `keys` maps to (the first key found wins), or None."""
        with self._lock:
            for key in keys:
                row = self._conn.execute(
                    "SELECT conversation_id FROM channel_thread_keys WHERE channel = ? AND key = ?",
                    (channel, key),
                ).fetchone()
                if row:
                    return str(row[0])
        return None

    def save_thread(self, thread: dict[str, Any]) -> None:
        """Create or replace a thread; its delivery cursor is kept."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO channel_threads"
                " (conversation_id, channel, address, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(conversation_id) DO UPDATE SET"
                " address = excluded.address, state = excluded.state,"
                " updated_at = excluded.updated_at",
                (
                    thread["conversation_id"],
                    thread["channel"],
                    thread["address"],
                    json.dumps(thread.get("state") or {}),
                    time.time(),
                ),
            )

    def _thread(self, row: sqlite3.Row | None) -> dict[str, Any] | None:
        if row is None:
            return None
        thread = dict(row)
        thread["state"] = json.loads(thread["state"])
        return thread

    def get_thread(self, conversation_id: str) -> dict[str, Any] | None:
        """A conversation's thread, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM channel_threads WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return self._thread(row)

    def latest_thread(self, channel: str, address: str) -> dict[str, Any] | None:
        """The address's most recently active thread on the channel, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM channel_threads WHERE channel = ? AND address = ?"
                " ORDER BY updated_at DESC LIMIT 1",
                (channel, address),
            ).fetchone()
        return self._thread(row)

    def set_delivered(self, conversation_id: str, seq: int) -> None:
        """Move the delivery cursor forward to `seq`."""
        with self._lock:
            self._conn.execute(
                "UPDATE channel_threads SET delivered_seq = MAX(delivered_seq, ?)"
                " WHERE conversation_id = ?",
                (seq, conversation_id),
            )

    def forget(self, conversation_id: str) -> dict[str, Any] | None:
        """Erase a conversation's thread and its thread keys; return the thread it had."""
        thread = self.get_thread(conversation_id)
        with self._lock:
            self._conn.execute(
                "DELETE FROM channel_thread_keys WHERE conversation_id = ?", (conversation_id,)
            )
            self._conn.execute(
                "DELETE FROM channel_threads WHERE conversation_id = ?", (conversation_id,)
            )
        return thread

    def compact(self) -> None:
        """Rewrite the file so erased rows leave no trace on disk."""
        with self._lock:
            self._conn.execute("VACUUM")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
