"""Bounded SQLite checkpoints: keep the last few per conversation, expire idle conversations.

Every checkpoint holds the whole conversation state, so keeping them all makes a
conversation's storage grow with the square of its length. Resuming a conversation (after a
crash mid-turn, or at a handoff interrupt) only ever reads the newest checkpoint of each
namespace and its pending writes; older ones serve time travel alone. The savers here trim
each namespace to its `keep` newest checkpoints (and their writes), and delete whole
conversations whose newest checkpoint is older than `idle_seconds`.

A turn writes a checkpoint per graph step, and trimming after each of them cost more than
the write itself; so a namespace is trimmed on the first checkpoint this saver writes to it
and then on every `trim_every`-th (8 by default): it holds at most `keep + trim_every - 1`
checkpoints, and exactly `keep` after each trim.

Checkpoint ids are UUIDv6 (time-ordered), so "newest" is the highest id and an id carries
the time it was made.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

_UUID_EPOCH_OFFSET = 0x01B21DD213814000
"""100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch."""

TRIM_EVERY = 8
"""Checkpoints a saver writes to a namespace between two trims of it."""

SCHEDULED_NAMESPACES = 10_000
"""Namespaces whose count of checkpoints since their last trim is remembered; one
forgotten is trimmed again on its next checkpoint, so the bound holds regardless."""

EXPIRY_SWEEP_SECONDS = 3600.0
"""How often a saver looks for idle conversations to expire (besides when it opens)."""

_CUTOFF = (
    "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
    "ORDER BY checkpoint_id DESC LIMIT 1 OFFSET ?"
)
TRIM_STATEMENTS = tuple(
    f"DELETE FROM {table} WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ({_CUTOFF})"
    for table in ("writes", "checkpoints")
)
"""Delete the writes, then the checkpoints, older than a namespace's `keep` newest."""

NAMESPACES = "SELECT DISTINCT checkpoint_ns FROM checkpoints WHERE thread_id = ?"
NEWEST_PER_THREAD = "SELECT thread_id, MAX(checkpoint_id) FROM checkpoints GROUP BY thread_id"
DELETE_THREAD = tuple(
    f"DELETE FROM {table} WHERE thread_id = ?" for table in ("checkpoints", "writes")
)


def checkpoint_time(checkpoint_id: str) -> float | None:
    """The Unix time a UUIDv6 checkpoint id was made (None for an id of another kind)."""
    try:
        value = uuid.UUID(checkpoint_id)
    except ValueError:
        return None
    if value.version != 6:
        return None
    bits = value.int
    timestamp = (((bits >> 80) & 0xFFFFFFFFFFFF) << 12) | ((bits >> 64) & 0x0FFF)
    return (timestamp - _UUID_EPOCH_OFFSET) / 10_000_000


def trim_parameters(thread_id: str, checkpoint_ns: str, keep: int) -> tuple[Any, ...]:
    """The parameters of `TRIM_STATEMENTS` keeping a namespace's `keep` newest checkpoints."""
    return (thread_id, checkpoint_ns, thread_id, checkpoint_ns, keep - 1)


def idle_threads(newest: Iterable[tuple[str, str]], idle_seconds: float, now: float) -> list[str]:
    """The threads (from `NEWEST_PER_THREAD` rows) whose newest checkpoint is too old."""
    limit = now - idle_seconds
    found = []
    for thread_id, checkpoint_id in newest:
        made = checkpoint_time(checkpoint_id)
        if made is not None and made < limit:
            found.append(thread_id)
    return found


class TrimSchedule:
    """Says which checkpoints of a namespace are followed by a trim (the first, then every nth)."""

    def __init__(self, every: int = TRIM_EVERY, remembered: int = SCHEDULED_NAMESPACES) -> None:
        if every < 1:
            raise ValueError("trim_every must be at least 1")
        self.every = every
        self._remembered = remembered
        self._since_trim: OrderedDict[tuple[str, str], int] = OrderedDict()

    def due(self, thread_id: str, checkpoint_ns: str) -> bool:
        """Count one checkpoint written to the namespace; whether to trim it now."""
        key = (thread_id, checkpoint_ns)
        count = self._since_trim.pop(key, None)
        count = 0 if count is None else count + 1
        self._since_trim[key] = count % self.every
        while len(self._since_trim) > self._remembered:
            self._since_trim.popitem(last=False)
        return count % self.every == 0

    def forget(self, thread_ids: Iterable[str]) -> None:
        """Drop the counts of deleted or pruned threads (their next checkpoint trims)."""
        gone = set(thread_ids)
        for key in [key for key in self._since_trim if key[0] in gone]:
            del self._since_trim[key]


def due_trim(schedule: TrimSchedule, keep: int, stored: RunnableConfig) -> tuple[str, str] | None:
    """The namespace (thread, ns) of the checkpoint just `stored` when it is due a trim."""
    if not keep:
        return None
    configurable = stored["configurable"]
    thread_id, namespace = str(configurable["thread_id"]), configurable["checkpoint_ns"]
    return (thread_id, namespace) if schedule.due(thread_id, namespace) else None


def _check_strategy(strategy: str) -> None:
    if strategy not in ("keep_latest", "delete"):
        raise ValueError(f"unknown prune strategy {strategy!r}: 'keep_latest' or 'delete'")


class RetainingSqliteSaver(SqliteSaver):
    """`SqliteSaver` with retention.

    Keeps `keep` checkpoints per namespace (0: all) and expires conversations idle for
    `idle_seconds` (0: never).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        keep: int = 0,
        idle_seconds: float = 0,
        trim_every: int = TRIM_EVERY,
    ) -> None:
        super().__init__(conn)
        self.keep = keep
        self.idle_seconds = idle_seconds
        self.schedule = TrimSchedule(trim_every)
        self._next_sweep = 0.0

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store the checkpoint, then, when due, trim its namespace to the newest `keep`."""
        stored = super().put(config, checkpoint, metadata, new_versions)
        if trim := due_trim(self.schedule, self.keep, stored):
            with self.cursor() as cur:
                for statement in TRIM_STATEMENTS:
                    cur.execute(statement, trim_parameters(*trim, self.keep))
        if self.idle_seconds and time.monotonic() >= self._next_sweep:
            self.expire_idle()
        return stored

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep only each namespace's newest checkpoint (`keep_latest`) or delete all."""
        _check_strategy(strategy)
        self.schedule.forget(map(str, thread_ids))
        with self.cursor() as cur:
            for thread_id in map(str, thread_ids):
                if strategy == "delete":
                    for statement in DELETE_THREAD:
                        cur.execute(statement, (thread_id,))
                    continue
                for (namespace,) in cur.execute(NAMESPACES, (thread_id,)).fetchall():
                    for statement in TRIM_STATEMENTS:
                        cur.execute(statement, trim_parameters(thread_id, namespace, 1))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """`prune`, for callers on an event loop."""
        self.prune(thread_ids, strategy=strategy)

    def expire_idle(self, now: float | None = None) -> list[str]:
        """Delete the conversations idle longer than `idle_seconds`; return their ids."""
        self._next_sweep = time.monotonic() + EXPIRY_SWEEP_SECONDS
        if not self.idle_seconds:
            return []
        with self.cursor() as cur:
            rows = cur.execute(NEWEST_PER_THREAD).fetchall()
            expired = idle_threads(rows, self.idle_seconds, time.time() if now is None else now)
            for thread_id in expired:
                for statement in DELETE_THREAD:
                    cur.execute(statement, (thread_id,))
        self.schedule.forget(expired)
        return expired


class RetainingAsyncSqliteSaver(AsyncSqliteSaver):
    """`AsyncSqliteSaver` with the retention of `RetainingSqliteSaver`."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        *,
        keep: int = 0,
        idle_seconds: float = 0,
        trim_every: int = TRIM_EVERY,
    ) -> None:
        super().__init__(conn)
        self.keep = keep
        self.idle_seconds = idle_seconds
        self.schedule = TrimSchedule(trim_every)
        self._next_sweep = 0.0

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store the checkpoint, then, when due, trim its namespace to the newest `keep`."""
        stored = await super().aput(config, checkpoint, metadata, new_versions)
        if trim := due_trim(self.schedule, self.keep, stored):
            params = trim_parameters(*trim, self.keep)
            async with self.lock:
                for statement in TRIM_STATEMENTS:
                    await self.conn.execute(statement, params)
                await self.conn.commit()
        if self.idle_seconds and time.monotonic() >= self._next_sweep:
            await self.aexpire_idle()
        return stored

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep only each namespace's newest checkpoint (`keep_latest`) or delete all."""
        _check_strategy(strategy)
        self.schedule.forget(map(str, thread_ids))
        await self.setup()
        async with self.lock:
            for thread_id in map(str, thread_ids):
                if strategy == "delete":
                    for statement in DELETE_THREAD:
                        await self.conn.execute(statement, (thread_id,))
                    continue
                async with self.conn.execute(NAMESPACES, (thread_id,)) as cur:
                    namespaces = [row[0] for row in await cur.fetchall()]
                for namespace in namespaces:
                    for statement in TRIM_STATEMENTS:
                        await self.conn.execute(statement, trim_parameters(thread_id, namespace, 1))
            await self.conn.commit()

    async def aexpire_idle(self, now: float | None = None) -> list[str]:
        """Delete the conversations idle longer than `idle_seconds`; return their ids."""
        self._next_sweep = time.monotonic() + EXPIRY_SWEEP_SECONDS
        if not self.idle_seconds:
            return []
        await self.setup()
        async with self.lock:
            async with self.conn.execute(NEWEST_PER_THREAD) as cur:
                rows = [(str(a), str(b)) for a, b in await cur.fetchall()]
            expired = idle_threads(rows, self.idle_seconds, time.time() if now is None else now)
            for thread_id in expired:
                for statement in DELETE_THREAD:
                    await self.conn.execute(statement, (thread_id,))
            await self.conn.commit()
        self.schedule.forget(expired)
        return expired
