"""Build the stores that keep conversations: checkpointers, long-term memory, server records.

Checkpointers come in a synchronous flavour (terminal chat, evaluation runs, benchmarks)
and an asynchronous one (the server's event loop); both read the same data.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, TypeVar

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.base import BaseStore

from config.private_files import private_file
from config.settings import Settings
from conversations.audit_log import AuditLog
from conversations.fanout import RedisFanout
from conversations.hub import EventHub, QueueFeed
from conversations.lease import ConversationLease, LocalLease
from conversations.runner import RunnerPolicy
from conversations.sqlite_files import schema_lock
from conversations.store import ServerStore

SaverT = TypeVar("SaverT", bound=BaseCheckpointSaver[Any])


def redacting(saver: SaverT) -> SaverT:
    """`saver`, made to write customers' messages redacted (`RedactingSerializer`)."""
    from memory.redacting_serde import RedactingSerializer
    from tools.pii import redact

    saver.serde = RedactingSerializer(saver.serde, redact)
    return saver


def dynamodb_checkpointer(settings: Settings) -> BaseCheckpointSaver[str]:
    """The DynamoDB checkpointer the settings describe (table, TTL, offload bucket).

    The table (and bucket) must exist: `wiring.aws_resources.ensure_dynamodb_resources`.
    """
    from memory.dynamodb import dynamodb_saver
    from memory.step_flush import StepFlushSaver

    ttl = settings.checkpoint_ttl_days * 86_400 or None
    saver = dynamodb_saver(
        settings.checkpoint_table,
        settings.aws_region,
        settings.dynamodb_endpoint_url,
        ttl_seconds=ttl,
        s3_bucket=settings.offload_bucket,
        s3_endpoint_url=settings.s3_endpoint_url,
    )
    return StepFlushSaver(redacting(saver))


@contextlib.contextmanager
def open_checkpointer(settings: Settings) -> Iterator[BaseCheckpointSaver[str]]:
    """Yield the synchronous checkpointer `checkpointer` selects, closing it afterwards."""
    if settings.checkpointer == "memory":
        yield redacting(InMemorySaver())
        return
    if settings.checkpointer == "dynamodb":
        flushing = dynamodb_checkpointer(settings)
        try:
            yield flushing
        finally:
            flushing.close()  # type: ignore[attr-defined]
        return
    from memory.checkpointer import sqlite_saver

    saver = redacting(
        sqlite_saver(
            Path(private_file(settings.checkpoint_db)),
            keep=settings.checkpoint_keep,
            idle_seconds=settings.checkpoint_ttl_days * 86_400,
        )
    )
    try:
        yield saver
    finally:
        saver.conn.close()


@contextlib.asynccontextmanager
async def open_async_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[str]]:
    """Yield the checkpointer for an event loop: SQLite through aiosqlite, else the sync one.

    The DynamoDB saver writes in the background and is safe from the loop as it is.
    """
    if settings.checkpointer != "sqlite":
        with open_checkpointer(settings) as saver:
            yield saver
        return
    from memory.checkpointer import async_sqlite_saver

    async with async_sqlite_saver(
        Path(private_file(settings.checkpoint_db)),
        keep=settings.checkpoint_keep,
        idle_seconds=settings.checkpoint_ttl_days * 86_400,
    ) as saver:
        yield redacting(saver)


@contextlib.contextmanager
def open_long_term_store(settings: Settings) -> Iterator[BaseStore]:
    """Yield the long-term customer memory `store_backend` selects, closing it afterwards.

    The graph's synchronous nodes use it from worker threads: the SQLite store's one
    connection is opened with `check_same_thread=False` and every statement holds the
    store's lock; the DynamoDB client and the in-memory store are thread-safe as they are.
    Only the synchronous API is used (nodes run in threads; the server reads it through
    `asyncio.to_thread`), so one store serves sync and async runs alike.
    """
    if settings.store_backend == "memory":
        from langgraph.store.memory import InMemoryStore

        yield InMemoryStore()
    elif settings.store_backend == "dynamodb":
        from langgraph_checkpoint_aws import DynamoDBStore

        yield DynamoDBStore(
            settings.memory_table,
            region_name=settings.aws_region,
            endpoint_url=settings.dynamodb_endpoint_url,
        )
    else:
        from langgraph.store.sqlite import SqliteStore

        path = private_file(settings.memory_db)
        with SqliteStore.from_conn_string(path) as store:
            # As the other SQLite files: a commit appends to the write-ahead log instead of
            # syncing a rollback journal and the database file (two fsyncs per profile save).
            store.conn.execute("PRAGMA synchronous=NORMAL")
            with schema_lock(path):  # its migrations add columns: one process at a time
                store.conn.execute("PRAGMA journal_mode=WAL")
                store.setup()
            yield store


def open_server_store(settings: Settings) -> ServerStore:
    """The conversations, event log and handoff queue `server_store_backend` selects.

    With `sns_topic_arn` set, queue changes are also published to that topic.
    """
    store: ServerStore
    if settings.server_store_backend == "dynamodb":
        from cloud.aws import aws_client
        from conversations.store_dynamodb import DynamoDBServerStore

        client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
        store = DynamoDBServerStore(client, settings.server_table)
    else:
        from conversations.store_sqlite import SqliteServerStore

        store = SqliteServerStore(settings.queue_db)
    if settings.sns_topic_arn:
        from cloud.aws import aws_client
        from conversations.events_publisher import PublishingServerStore, SnsEventPublisher

        sns = aws_client("sns", settings.aws_region, settings.sns_endpoint_url)
        store = PublishingServerStore(store, SnsEventPublisher(sns, settings.sns_topic_arn))
    return store


def open_audit_log(settings: Settings) -> AuditLog:
    """The append-only audit log, beside the server store `server_store_backend` selects."""
    if settings.server_store_backend == "dynamodb":
        from cloud.aws import aws_client
        from conversations.audit_dynamodb import DynamoDBAuditLog

        client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
        return DynamoDBAuditLog(client, settings.server_table)
    from conversations.audit_sqlite import SqliteAuditLog

    return SqliteAuditLog(settings.queue_db)


def open_lease(settings: Settings) -> ConversationLease:
    """The single-writer lease `lease_backend` selects."""
    if settings.lease_backend == "local":
        return LocalLease(settings.lease_ttl_seconds)
    if settings.lease_backend == "sqlite":
        from conversations.lease_sqlite import SqliteLease

        return SqliteLease(settings.lease_db, settings.lease_ttl_seconds)
    from cloud.aws import aws_client
    from conversations.lease import DynamoDBLease, process_owner_id

    client = aws_client("dynamodb", settings.aws_region, settings.dynamodb_endpoint_url)
    return DynamoDBLease(
        client, settings.lease_table, settings.lease_ttl_seconds, process_owner_id()
    )


@contextlib.asynccontextmanager
async def run_fanout(
    settings: Settings, hub: EventHub, feed: QueueFeed
) -> AsyncIterator[RedisFanout | None]:
    """Run a Redis fan-out for the block's lifetime when `redis_url` is set."""
    if not settings.redis_url:
        yield None
        return
    fanout = RedisFanout(settings.redis_url, hub, feed, prefix=f"tandem:{settings.tenant}")
    await fanout.start()
    try:
        yield fanout
    finally:
        await fanout.stop()


def runner_policy(settings: Settings) -> RunnerPolicy:
    """How turns treat concurrent messages and checkpoints."""
    return RunnerPolicy(
        concurrent_turns=settings.concurrent_turns,
        durability=settings.durability,
        admission_target_lag_ms=settings.admission_target_lag_ms,
        token_window_ms=settings.token_window_ms,
        busy_token_window_ms=settings.busy_token_window_ms,
    )
