"""Checkpointers for conversation state: SQLite on disk by default, in-memory for tests.

The SQLite file lives in the data folder, so a conversation survives a restart of the
process; WAL mode lets readers (history, queue views) run beside the writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver

from config.settings import Settings


def sqlite_saver(path: Path) -> SqliteSaver:
    """Open (creating if needed) a SQLite checkpointer at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn)
    saver.setup()
    return saver


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver[str]]:
    """Yield the checkpointer `settings.checkpointer` selects, closing it afterwards."""
    if settings.checkpointer == "memory":
        yield InMemorySaver()
        return
    saver = sqlite_saver(settings.checkpoint_db)
    try:
        yield saver
    finally:
        saver.conn.close()
