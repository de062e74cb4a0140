"""A conversation lease shared by every process on one machine, in a SQLite file.

The embedded profile's processes (the server, `tandem chat`, `tandem agent reply`) share
the data folder; this lease makes them take turns on a conversation the way
`DynamoDBLease` does across servers: a row per held conversation with its owner and
expiry, taken only when absent or expired, renewed and released only by its owner.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from config.private_files import private_file
from conversations.lease import process_owner_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS leases (
    conversation_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL
);
"""


class SqliteLease:
    """Leases in a SQLite table; a crashed holder blocks a conversation for `ttl_seconds`."""

    shared = True

    def __init__(self, path: str | Path, ttl_seconds: float = 30.0, owner: str = "") -> None:
        self.ttl_seconds = ttl_seconds
        self.owner = owner or process_owner_id()
        self._conn = sqlite3.connect(
            private_file(path), check_same_thread=False, isolation_level=None, timeout=5.0
        )
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)

    def _write(self, sql: str, *args: object) -> bool:
        with self._lock:
            return self._conn.execute(sql, args).rowcount > 0

    async def acquire(self, conversation_id: str) -> bool:
        """Take the lease when no one holds it or the holder's lease has expired."""
        now = time.time()
        return self._write(
            "INSERT INTO leases (conversation_id, owner, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(conversation_id) DO UPDATE SET owner = excluded.owner, "
            "expires_at = excluded.expires_at WHERE leases.expires_at < ?",
            conversation_id,
            self.owner,
            now + self.ttl_seconds,
            now,
        )

    async def renew(self, conversation_id: str) -> bool:
        """Extend this holder's lease; False when another holder has it now."""
        return self._write(
            "UPDATE leases SET expires_at = ? WHERE conversation_id = ? AND owner = ?",
            time.time() + self.ttl_seconds,
            conversation_id,
            self.owner,
        )

    async def release(self, conversation_id: str) -> None:
        """Give the lease up (nothing happens when this holder no longer has it)."""
        self._write(
            "DELETE FROM leases WHERE conversation_id = ? AND owner = ?",
            conversation_id,
            self.owner,
        )

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
