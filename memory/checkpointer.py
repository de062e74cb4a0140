"""Checkpointers for conversation state: SQLite by default, in memory for tests, DynamoDB.

The SQLite file lives in the data folder, so a conversation survives a restart of the
process; WAL mode lets readers (history, queue views) run beside the writer. On AWS,
`DynamoDBSaver` keeps the checkpoints, wrapped in `StepFlushSaver` so that a turn's steps
are written in the background in batches (see memory/step_flush.py).
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
from memory.dynamodb import dynamodb_saver
from memory.step_flush import StepFlushSaver


def sqlite_saver(path: Path) -> SqliteSaver:
    """Open (creating if needed) a SQLite checkpointer at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    saver = SqliteSaver(conn)
    saver.setup()
    return saver


def dynamodb_checkpointer(settings: Settings) -> StepFlushSaver:
    """The DynamoDB checkpointer `settings` describe (table, TTL, offload bucket, endpoints).

    The table (and bucket) must exist: `memory.bootstrap_tables.ensure_dynamodb_resources`.
    """
    ttl = settings.checkpoint_ttl_days * 86_400 or None
    saver = dynamodb_saver(
        settings.checkpoint_table,
        settings.aws_region,
        settings.dynamodb_endpoint_url,
        ttl_seconds=ttl,
        s3_bucket=settings.offload_bucket,
        s3_endpoint_url=settings.s3_endpoint_url,
    )
    return StepFlushSaver(saver)


@contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver[str]]:
    """Yield the checkpointer `settings.checkpointer` selects, closing it afterwards."""
    if settings.checkpointer == "memory":
        yield InMemorySaver()
        return
    if settings.checkpointer == "dynamodb":
        flushing = dynamodb_checkpointer(settings)
        try:
            yield flushing
        finally:
            flushing.close()
        return
    saver = sqlite_saver(settings.checkpoint_db)
    try:
        yield saver
    finally:
        saver.conn.close()
