"""Opening the server's SQLite files: private, in WAL mode, waiting on each other's locks.

The server store, the channel records, the SMS opt-outs and the audit log are SQLite
files that several threads (and processes sharing the data folder) write; each opens its
connection the same way here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from config.private_files import IN_MEMORY, private_file

BUSY_SECONDS = 5.0
"""How long a write waits for another connection's lock before it fails."""


def open_database(path: str | Path, schema: str, *, rows: bool = False) -> sqlite3.Connection:
    """A connection to `path` (0600 in a 0700 folder, WAL) shared between threads, `schema` applied.

    `rows`: return rows as `sqlite3.Row` (by column name). Autocommit: each statement is
    its own transaction unless the caller begins one.
    """
    conn = sqlite3.connect(
        private_file(path), check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
    )
    if rows:
        conn.row_factory = sqlite3.Row
    if str(path) not in IN_MEMORY:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(schema)
    return conn
