"""Numbers that texted an opt-out keyword: they get no message until they opt back in.

`OptOuts` is what the SMS channel asks; `SqliteOptOuts` keeps them in a small SQLite table
(embedded profile), `DynamoDBOptOuts` in the server's DynamoDB table, so every server process
sees an opt-out at once. Numbers are kept by their digits, so ``+1 415 555 0142`` and
``+14155550142`` are one number.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Protocol

from conversations.sqlite_files import open_database
from tools.orders.store import phone_digits

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sms_opt_outs (
    number TEXT PRIMARY KEY, opted_out_at REAL NOT NULL)
"""


class OptOuts(Protocol):
    """Opt-out state of phone numbers; safe to share between threads."""

    def close(self) -> None:
        """Release connections."""

    def opt_out(self, number: str) -> None:
        """Stop sending to `number`."""

    def opt_in(self, number: str) -> None:
        """Allow messages to `number` again."""

    def is_opted_out(self, number: str) -> bool:
        """Whether `number` opted out."""


class SqliteOptOuts:
    """Opt-outs in a SQLite file; safe to share between threads."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self._conn = open_database(path, _SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def opt_out(self, number: str) -> None:
        """Stop sending to `number`."""
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO sms_opt_outs VALUES (?, ?)",
                (phone_digits(number), time.time()),
            )

    def opt_in(self, number: str) -> None:
        """Allow messages to `number` again."""
        with self._lock:
            self._conn.execute("DELETE FROM sms_opt_outs WHERE number = ?", (phone_digits(number),))

    def is_opted_out(self, number: str) -> bool:
        """Whether `number` opted out."""
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM sms_opt_outs WHERE number = ?", (phone_digits(number),)
            ).fetchone()
        return row is not None
