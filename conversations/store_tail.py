"""Events other processes wrote to the shared SQLite store, delivered to this one's streams.

On the embedded profile several processes share the data folder: the server, and
`tandem chat` or `tandem agent reply` run from a terminal. Each persists its conversation
events to the same SQLite file. `StoreTail` watches that file's change counter
(`PRAGMA data_version`, which moves only when another connection commits) and, when it
moves, lets every followed conversation catch up on the events persisted elsewhere, so
an agent's reply posted from the terminal reaches the customer's open stream (and the
other way round). Streamed tokens are not persisted and so stay with their process.
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
        while True:
            await asyncio.sleep(self.interval)
            try:
                version = self.store.data_version()
                if version == seen:
                    continue
                seen = version
                for conversation_id in self.hub.followed():
                    await self.hub.catch_up(conversation_id)
            except Exception:  # a locked or closing database: try again on the next tick
                logger.warning("reading other processes' events failed", exc_info=True)


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
