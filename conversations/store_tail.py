"""Events other processes wrote to the shared SQLite store, delivered to this one's streams.

On the embedded profile several processes share the data folder: the server, and
`tandem chat` or `tandem agent reply` run from a terminal. Each persists its conversation
events to the same SQLite file. `StoreTail` watches that file's change counter
(`PRAGMA data_version`, which moves only when another connection commits) and, when it
moves, reads which conversations got events since its last look (one query over the rows
added since) and lets those this process follows catch up, so an agent's reply posted from
the terminal reaches the customer's open stream (and the other way round). Streamed tokens
are not persisted and so stay with their process.

Under load the other workers commit on every tick, so the cost of a tick must not grow
with the streams this process holds open: only conversations with new events are read.
Rows are numbered in insertion order, but a deleted conversation's rows can free the
highest numbers for reuse; every `FULL_CHECK_TICKS` ticks, and whenever the highest row
went down, every followed conversation catches up as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from conversations.hub import EventHub
from conversations.store_sqlite import SqliteServerStore

logger = logging.getLogger("tandem.conversations.tail")

POLL_SECONDS = 0.2
"""How often the change counter is read (one cheap pragma; nothing else when unchanged)."""

FULL_CHECK_TICKS = 25
"""Every this many ticks with changes, every followed conversation catches up (see above)."""


class StoreTail:
    """Delivers events other processes persisted to this process's followers."""

    def __init__(
        self, store: SqliteServerStore, hub: EventHub, interval: float = POLL_SECONDS
    ) -> None:
        self.store = store
        self.hub = hub
        self.interval = interval

    async def run(self) -> None:
        """Watch the store until cancelled."""
        seen = self.store.data_version()
        row = self.store.latest_event_row()
        ticks = 0
        while True:
            await asyncio.sleep(self.interval)
            try:
                version = self.store.data_version()
                if version == seen:
                    continue
                seen = version
                ticks += 1
                top, newest = self.store.newest_events(after_row=row)
                full = top < row or ticks % FULL_CHECK_TICKS == 0
                row = top
                await self._catch_up(newest, full)
            except Exception:  # a locked or closing database: try again on the next tick
                logger.warning("reading other processes' events failed", exc_info=True)

    async def _catch_up(self, newest: dict[str, int], full: bool) -> None:
        """Let followed conversations with events beyond this process's read them."""
        for conversation_id in self.hub.followed():
            if full or newest.get(conversation_id, 0) > self.hub.cursor(conversation_id):
                await self.hub.catch_up(conversation_id)


@contextlib.asynccontextmanager
async def tail_store(store: SqliteServerStore, hub: EventHub) -> AsyncIterator[StoreTail]:
    """Run a `StoreTail` for the block's lifetime."""
    tail = StoreTail(store, hub)
    task = asyncio.create_task(tail.run())
    try:
        yield tail
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
