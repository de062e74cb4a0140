"""Exactly-once customer messages: each client message id is accepted once per conversation.

An app that lost its connection while sending cannot know whether the server got the
message, so it sends it again with the same id. `claim` records the id before the turn
starts and answers False for an id seen before; `release` forgets it again when the turn
could not start (the conversation was busy), so that a later retry is accepted.

`ClientMessages` is what the routes use; `SqliteClientMessages` keeps the ids in a SQLite
file (embedded profile), `DynamoDBClientMessages` in the server's DynamoDB table
(conversations/client_messages_dynamodb.py), so a retry reaching another server process
is still refused.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Protocol

from conversations.sqlite_files import open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS client_messages (
    conversation_id TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (conversation_id, client_message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS client_messages_at ON client_messages(at);
"""

KEEP_SECONDS = 30 * 24 * 3600.0
"""How long an id is remembered (an app retries within minutes or days, not months)."""


class ClientMessages(Protocol):
    """The accepted client message ids; safe to share between threads."""

    def claim(self, conversation_id: str, client_message_id: str) -> bool:
        """Record the id; False when this conversation already accepted it."""

    def release(self, conversation_id: str, client_message_id: str) -> None:
        """Forget a claimed id whose message was not taken after all."""

    def close(self) -> None:
        """Release connections."""


class SqliteClientMessages:
    """The accepted client message ids, in a SQLite file; thread-safe."""

    def __init__(self, path: str | Path, keep_seconds: float = KEEP_SECONDS) -> None:
        self._conn = open_database(path, SCHEMA)
        self._lock = threading.Lock()
        self._keep = keep_seconds

    def claim(self, conversation_id: str, client_message_id: str) -> bool:
        """Record the id; False when this conversation already accepted it."""
        now = time.time()
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO client_messages VALUES (?, ?, ?)",
                (conversation_id, client_message_id, now),
            )
            if cursor.rowcount:
                self._conn.execute("DELETE FROM client_messages WHERE at < ?", (now - self._keep,))
            return bool(cursor.rowcount)

    def release(self, conversation_id: str, client_message_id: str) -> None:
        """Forget a claimed id whose message was not taken after all."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM client_messages WHERE conversation_id = ? AND client_message_id = ?",
                (conversation_id, client_message_id),
            )

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
