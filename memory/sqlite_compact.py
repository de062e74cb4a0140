"""Leave no trace of deleted rows in a SQLite file (after erasing a customer's data).

A DELETE only marks pages free: the old bytes stay in the file, and in the write-ahead log
until it is checkpointed. `compact_sqlite` rewrites the database (VACUUM) and empties the
log, so the data is gone from disk too.
"""

from __future__ import annotations

import sqlite3


def compact_sqlite(conn: sqlite3.Connection) -> None:
    """Rewrite the database of `conn` without its free pages and truncate its WAL."""
    if conn.in_transaction:
        conn.commit()
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
