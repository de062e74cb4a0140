"""SQLite checkpointers for conversation state, synchronous and for an event loop.

The file lives in the data folder, so a conversation survives a restart of the process;
WAL mode lets readers (history, queue views) run beside the writer, and no fsync per
checkpoint is needed (a process crash still loses nothing committed). With `keep` set, only
that many checkpoints per conversation namespace are kept, and with `idle_seconds` set,
conversations idle that long are deleted (`memory.checkpoint_retention`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from memory.checkpoint_retention import (
    TRIM_EVERY,
    RetainingAsyncSqliteSaver,
    RetainingSqliteSaver,
)


def sqlite_saver(
    path: Path, *, keep: int = 0, idle_seconds: float = 0, trim_every: int = TRIM_EVERY
) -> RetainingSqliteSaver:
    """Open (creating if needed) a SQLite checkpointer at `path`.

    `keep`: checkpoints kept per conversation namespace (0: all), trimmed to that on the
    first and then every `trim_every`-th checkpoint of a namespace; `idle_seconds`: delete
    conversations with no checkpoint for that long (0: never), swept now and hourly.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = RetainingSqliteSaver(conn, keep=keep, idle_seconds=idle_seconds, trim_every=trim_every)
    saver.setup()
    saver.expire_idle()
    return saver


@asynccontextmanager
async def async_sqlite_saver(
    path: Path, *, keep: int = 0, idle_seconds: float = 0, trim_every: int = TRIM_EVERY
) -> AsyncIterator[RetainingAsyncSqliteSaver]:
    """Open the SQLite checkpointer at `path` for an event loop (aiosqlite); see `sqlite_saver`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(path)) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        saver = RetainingAsyncSqliteSaver(
            conn, keep=keep, idle_seconds=idle_seconds, trim_every=trim_every
        )
        await saver.setup()
        await saver.aexpire_idle()
        yield saver
