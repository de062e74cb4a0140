"""Opening the server's SQLite files: private, in WAL mode, waiting on each other's locks.

The server store, the channel records, the SMS opt-outs and the audit log are SQLite
files that several threads (and processes sharing the data folder) write; each opens its
connection the same way here.

Creating or migrating a file's schema is serialised across processes (`schema_lock`):
`tandem serve --workers N` starts its workers at the same moment on the same folder, and
a migration that adds a column is not idempotent, so two workers applying it together
would leave one of them unable to start.
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from config.private_files import IN_MEMORY, private_file

BUSY_SECONDS = 5.0
"""How long a write waits for another connection's lock before it fails."""


@contextlib.contextmanager
def schema_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive lock, shared by every process, while `path`'s schema is set up.

    The lock is an advisory `flock` on a `.schema-lock` file beside the database (none for
    an in-memory database); the operating system releases it if the holder dies.
    """
    if str(path) in IN_MEMORY or str(path).startswith("file:"):
        yield
        return
    with Path(private_file(f"{path}.schema-lock")).open("ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    with schema_lock(path):
        if str(path) not in IN_MEMORY:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(schema)
    return conn
