"""SQLite checkpointers for conversation state, synchronous and for an event loop.

The file lives in the data folder, so a conversation survives a restart of the process;
WAL mode lets readers (history, queue views) run beside the writer, and no fsync per
checkpoint is needed (a process crash still loses nothing committed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from config.private_files import private_file


def sqlite_saver(path: Path) -> SqliteSaver:
    """Open (creating if needed) a SQLite checkpointer at `path`."""
    conn = sqlite3.connect(private_file(path), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn)
    saver.setup()
    return saver


@asynccontextmanager
async def async_sqlite_saver(path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    """Open the SQLite checkpointer at `path` for an event loop (aiosqlite)."""
    async with AsyncSqliteSaver.from_conn_string(private_file(path)) as saver:
        await saver.conn.execute("PRAGMA journal_mode=WAL")
        await saver.conn.execute("PRAGMA synchronous=NORMAL")
        yield saver
