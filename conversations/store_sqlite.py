"""`ServerStore` on SQLite, the embedded default (one file in the data folder).

Claims are conditional updates, so of two agents claiming at once exactly one wins.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from config.private_files import private_file
from conversations.sqlite_files import schema_lock
from conversations.store import QUEUE_OPEN
from conversations.store_sqlite_analytics import SqliteAnalyticsRecords
from conversations.workspace_sqlite import SqliteWorkspace, migrate_workspace
from memory.sqlite_compact import compact_sqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    customer_id TEXT,
    channel TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_customer ON conversations(customer_id, updated_at);
CREATE TABLE IF NOT EXISTS events (
    conversation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE IF NOT EXISTS handoffs (
    conversation_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    reason TEXT,
    intent TEXT,
    sentiment_label TEXT,
    sentiment_score REAL,
    summary TEXT,
    suggested_reply TEXT,
    customer_id TEXT,
    channel TEXT,
    last_message TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    claimed_by TEXT,
    claimed_at REAL,
    first_response_at REAL,
    resolved_at REAL
);
CREATE INDEX IF NOT EXISTS handoffs_status ON handoffs(status, created_at);
CREATE TABLE IF NOT EXISTS seq_reservations (
    conversation_id TEXT PRIMARY KEY,
    upto INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS open_turns (
    conversation_id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    started_at REAL NOT NULL
);
"""

ANALYTICS_SCHEMA = """
CREATE INDEX IF NOT EXISTS events_created ON events(created_at);
CREATE TABLE IF NOT EXISTS csat (
    conversation_id TEXT PRIMARY KEY,
    customer_id TEXT,
    score INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS csat_created ON csat(created_at);
"""


class SqliteServerStore(SqliteWorkspace, SqliteAnalyticsRecords):
    """Thread-safe SQLite store: conversations, events, handoffs, ratings, agent workspace."""

    def __init__(self, path: str | Path) -> None:
        self._conn = sqlite3.connect(
            private_file(path), check_same_thread=False, isolation_level=None
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock, schema_lock(path):
            if str(path) != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                # Each event is its own commit on the event loop's thread; in WAL mode NORMAL
                # skips the fsync per commit and still survives a process crash.
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
            migrate_workspace(self._conn)
            self._conn.executescript(ANALYTICS_SCHEMA)
        self._path = str(path)

    def data_version(self) -> int:
        """A counter that changes whenever another connection commits to the file."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # conversations -----------------------------------------------------------------

    def create_conversation(
        self, conversation_id: str, customer_id: str | None, channel: str
    ) -> dict[str, Any]:
        """Record a new conversation and return it."""
        now = time.time()
        with self._lock:
            self._conn.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                (conversation_id, customer_id, channel, now, now),
            )
        return {
            "id": conversation_id,
            "customer_id": customer_id,
            "channel": channel,
            "created_at": now,
            "updated_at": now,
        }

    def get_conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """Return a conversation's record, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        return dict(row) if row else None

    def list_conversations(
        self, customer_id: str | None, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        """Conversations newest first; only `customer_id`'s when given."""
        query = "SELECT * FROM conversations"
        args: tuple[Any, ...] = ()
        if customer_id is not None:
            query += " WHERE customer_id = ?"
            args = (customer_id,)
        query += " ORDER BY updated_at DESC LIMIT ? OFFSET ?"
        with self._lock:
            rows = self._conn.execute(query, (*args, limit, offset)).fetchall()
        return [dict(row) for row in rows]

    def touch(self, conversation_id: str) -> None:
        """Mark a conversation as updated now."""
        with self._lock:
            self._conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?",
                (time.time(), conversation_id),
            )

    def assign_customer(self, conversation_id: str, customer_id: str) -> bool:
        """Give a guest conversation to the customer it identified; False if it had one."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE conversations SET customer_id = ? WHERE id = ? AND customer_id IS NULL",
                (customer_id, conversation_id),
            )
        return cursor.rowcount == 1

    # events ------------------------------------------------------------------------

    def append_event(self, conversation_id: str, seq: int, event: dict[str, Any]) -> None:
        """Persist an event under its sequence number (streamed tokens are not persisted)."""
        payload = json.dumps(event, default=str)
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?)",
                (conversation_id, seq, event["type"], payload, time.time()),
            )

    def events_after(
        self,
        conversation_id: str,
        after: int,
        types: tuple[str, ...] | None = None,
        limit: int = 1000,
    ) -> list[tuple[int, dict[str, Any]]]:
        """Events with a sequence number above `after`, oldest first."""
        query = "SELECT seq, payload FROM events WHERE conversation_id = ? AND seq > ?"
        args: list[Any] = [conversation_id, after]
        if types:
            query += f" AND type IN ({','.join('?' * len(types))})"
            args.extend(types)
        query += " ORDER BY seq LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._conn.execute(query, args).fetchall()
        return [(int(row["seq"]), json.loads(row["payload"])) for row in rows]

    def last_seq(self, conversation_id: str) -> int:
        """The highest event sequence number of a conversation (0 when none)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM events WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
        return int(row[0])

    def latest_event_row(self) -> int:
        """The events table's highest row number (rows are numbered in insertion order)."""
        with self._lock:
            row = self._conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM events").fetchone()
        return int(row[0])

    def newest_events(self, after_row: int) -> tuple[int, dict[str, int]]:
        """The highest row number now, and the highest sequence number per conversation.

        Only rows above `after_row` count for the sequence numbers.
        """
        top = self.latest_event_row()  # first: a row added meanwhile is read again, not lost
        with self._lock:
            rows = self._conn.execute(
                "SELECT conversation_id, MAX(seq) FROM events WHERE rowid > ? "
                "GROUP BY conversation_id",
                (after_row,),
            ).fetchall()
        return top, {str(row[0]): int(row[1]) for row in rows}

    def reserved_seq(self, conversation_id: str) -> int:
        """The highest sequence number a process reserved for the conversation (0 when none)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT upto FROM seq_reservations WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return int(row[0]) if row else 0

    def reserve_seq(self, conversation_id: str, upto: int) -> None:
        """Record that numbers up to `upto` may be in use (never lowers the reservation)."""
        with self._lock:
            self._conn.execute(
                "INSERT INTO seq_reservations VALUES (?, ?) ON CONFLICT(conversation_id)"
                " DO UPDATE SET upto = MAX(upto, excluded.upto)",
                (conversation_id, upto),
            )

    # turns in progress -------------------------------------------------------------

    def open_turn(self, conversation_id: str, record: dict[str, Any]) -> None:
        """Record that a turn started on the conversation (what recovery needs to finish it)."""
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO open_turns VALUES (?, ?, ?)",
                (conversation_id, json.dumps(record, default=str), time.time()),
            )

    def close_turn(self, conversation_id: str) -> None:
        """Forget the conversation's turn record: its `done` or `error` was published."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM open_turns WHERE conversation_id = ?", (conversation_id,)
            )

    def open_turns(self) -> list[dict[str, Any]]:
        """Every turn record not closed yet, oldest first (each with its `conversation_id`)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT conversation_id, record FROM open_turns ORDER BY started_at"
            ).fetchall()
        return [{**json.loads(row[1]), "conversation_id": row[0]} for row in rows]

    def open_turn_record(self, conversation_id: str) -> dict[str, Any] | None:
        """The conversation's turn record if its turn is not closed yet, else None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT record FROM open_turns WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return None if row is None else {**json.loads(row[0]), "conversation_id": conversation_id}

    # handoff queue -----------------------------------------------------------------

    def upsert_handoff(
        self, conversation_id: str, payload: dict[str, Any], customer_id: str | None
    ) -> dict[str, Any]:
        """Open (or refresh) the queue entry of a conversation from a handoff payload."""
        now = time.time()
        sentiment = payload.get("sentiment") or {}
        with self._lock:
            existing = self._conn.execute(
                "SELECT status FROM handoffs WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
            if existing and existing["status"] in QUEUE_OPEN:
                self._conn.execute(
                    "UPDATE handoffs SET last_message = ?, sentiment_label = ?,"
                    " sentiment_score = ?, updated_at = ? WHERE conversation_id = ?",
                    (
                        payload.get("last_message"),
                        sentiment.get("label"),
                        sentiment.get("score"),
                        now,
                        conversation_id,
                    ),
                )
            else:
                self._conn.execute(
                    "INSERT OR REPLACE INTO handoffs (conversation_id, status, reason, intent,"
                    " sentiment_label, sentiment_score, summary, suggested_reply, customer_id,"
                    " channel, last_message, created_at, updated_at, order_id)"
                    " VALUES (?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id,
                        payload.get("reason"),
                        payload.get("intent"),
                        sentiment.get("label"),
                        sentiment.get("score"),
                        payload.get("summary"),
                        payload.get("suggested_reply"),
                        customer_id,
                        payload.get("channel"),
                        payload.get("last_message"),
                        now,
                        now,
                        payload.get("order_id"),
                    ),
                )
        entry = self.get_handoff(conversation_id)
        assert entry is not None
        return entry

    def get_handoff(self, conversation_id: str) -> dict[str, Any] | None:
        """The queue entry of a conversation, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM handoffs WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
        return dict(row) if row else None

    def list_handoffs(
        self, statuses: tuple[str, ...], reason: str | None = None
    ) -> list[dict[str, Any]]:
        """Queue entries with one of `statuses`, oldest (longest waiting) first."""
        query = f"SELECT * FROM handoffs WHERE status IN ({','.join('?' * len(statuses))})"
        args: list[Any] = list(statuses)
        if reason:
            query += " AND reason = ?"
            args.append(reason)
        query += " ORDER BY created_at"
        with self._lock:
            rows = self._conn.execute(query, args).fetchall()
        return [dict(row) for row in rows]

    def claim(self, conversation_id: str, agent: str) -> bool:
        """Atomically claim a waiting conversation for `agent`; False if someone else has it."""
        with self._lock:
            cursor = self._conn.execute(
                "UPDATE handoffs SET status = 'claimed', claimed_by = ?, claimed_at = ?,"
                " updated_at = ? WHERE conversation_id = ? AND status = 'waiting'",
                (agent, time.time(), time.time(), conversation_id),
            )
        return cursor.rowcount == 1

    def record_response(self, conversation_id: str) -> None:
        """Stamp the first human response time (kept if already set)."""
        now = time.time()
        with self._lock:
            self._conn.execute(
                "UPDATE handoffs SET first_response_at = COALESCE(first_response_at, ?),"
                " updated_at = ? WHERE conversation_id = ?",
                (now, now, conversation_id),
            )

    def close_handoff(self, conversation_id: str, status: str) -> None:
        """Mark the entry `resolved` or `returned` and stamp the resolution time."""
        now = time.time()
        with self._lock:
            self._conn.execute(
                "UPDATE handoffs SET status = ?, resolved_at = ?, updated_at = ?,"
                " first_response_at = COALESCE(first_response_at, ?) WHERE conversation_id = ?",
                (status, now, now, now, conversation_id),
            )

    def delete_conversation(self, conversation_id: str) -> int:
        """Delete a conversation's record, events and queue entry; return the events deleted."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                deleted = self._conn.execute(
                    "DELETE FROM events WHERE conversation_id = ?", (conversation_id,)
                ).rowcount
                self._conn.execute(
                    "DELETE FROM handoffs WHERE conversation_id = ?", (conversation_id,)
                )
                self.delete_notes(conversation_id)
                self._conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
                self._conn.execute("DELETE FROM csat WHERE conversation_id = ?", (conversation_id,))
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        return int(deleted)

    def compact(self) -> None:
        """Rewrite the file so deleted rows leave nothing behind in free pages or the WAL."""
        with self._lock:
            compact_sqlite(self._conn)
