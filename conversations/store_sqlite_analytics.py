"""The SQLite server store's reports: events and queue entries over a time range, CSAT.

Reports read through a read-only connection of their own, so a dashboard query never holds
the lock that live turns write through.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any


class SqliteAnalyticsRecords:
    """Range reads and satisfaction answers of `SqliteServerStore` (tables in its schema)."""

    _conn: sqlite3.Connection
    _lock: threading.Lock
    _path: str

    @contextlib.contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection of its own, so a report never holds the writers' lock."""
        if self._path == ":memory:":
            with self._lock:
                yield self._conn
            return
        conn = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    def events_between(
        self, start: float, end: float, types: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """Events of `types` stored in [start, end), with their conversation's customer."""
        marks = ",".join("?" * len(types))
        with self._reader() as conn:
            rows = conn.execute(
                "SELECT e.conversation_id, c.customer_id, e.seq, e.type, e.created_at, e.payload"
                " FROM events e LEFT JOIN conversations c ON c.id = e.conversation_id"
                f" WHERE e.created_at >= ? AND e.created_at < ? AND e.type IN ({marks})"
                " ORDER BY e.conversation_id, e.seq",
                (start, end, *types),
            ).fetchall()
        return [
            {
                "conversation_id": row["conversation_id"],
                "customer_id": row["customer_id"],
                "seq": row["seq"],
                "type": row["type"],
                "created_at": row["created_at"],
                "event": json.loads(row["payload"]),
            }
            for row in rows
        ]

    def handoffs_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Queue entries opened in [start, end), whatever their status, oldest first."""
        with self._reader() as conn:
            rows = conn.execute(
                "SELECT * FROM handoffs WHERE created_at >= ? AND created_at < ?"
                " ORDER BY created_at",
                (start, end),
            ).fetchall()
        return [dict(row) for row in rows]

    def record_csat(self, conversation_id: str, score: int, customer_id: str | None) -> None:
        """Store (or replace) the customer's satisfaction score (1-5) for a conversation."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO csat VALUES (?, ?, ?, ?)",
                (conversation_id, customer_id, score, time.time()),
            )

    def get_csat(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's satisfaction answer (`score`, `created_at`), or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT conversation_id, score, created_at FROM csat WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
        return dict(row) if row else None

    def csat_between(self, start: float, end: float) -> list[dict[str, Any]]:
        """Satisfaction answers given in [start, end)."""
        with self._reader() as conn:
            rows = conn.execute(
                "SELECT conversation_id, score, created_at FROM csat"
                " WHERE created_at >= ? AND created_at < ? ORDER BY created_at",
                (start, end),
            ).fetchall()
        return [dict(row) for row in rows]
