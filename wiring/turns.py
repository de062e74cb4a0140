"""The conversation runtime every entry point runs turns through: one `TurnRunner`.

`open_turns` assembles the graph (with the event loop's checkpointer and the long-term
customer memory), the server store,
the live event hub and queue feed, the lease, the fan-out between processes and the
runner itself, and the recovery of turns a crash interrupted (on start-up and then
periodically, which also takes over the turns of a server that died). The HTTP server
holds one for its lifetime; `tandem chat` and
`tandem agent reply` open their own on the same data, so a turn from the terminal takes
the same lease, updates the same queue and reaches the same live streams as one from the
web.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from langgraph.store.base import BaseStore

from conversations.hub import EventHub, QueueFeed
from conversations.recovery import recovering
from conversations.runner import TurnRunner
from conversations.store import ServerStore
from wiring.faults import event_hub
from wiring.root import Root


@dataclass
class Turns:
    """What running and following turns takes: graph, store, hub, feed and runner.

    `memory` is the long-term customer memory the graph was compiled with (read by the
    agent console's transcript).
    """

    graph: Any
    store: ServerStore
    hub: EventHub
    feed: QueueFeed
    runner: TurnRunner
    memory: BaseStore


def _innermost(store: ServerStore) -> ServerStore:
    """The store under the wrappers that publish its changes."""
    while hasattr(type(store), "__getattr__") and "store" in vars(store):
        store = vars(store)["store"]
    return store


@contextlib.asynccontextmanager
async def open_turns(root: Root) -> AsyncIterator[Turns]:
    """Assemble the conversation runtime on `root`'s settings; close it at the end."""
    async with contextlib.AsyncExitStack() as stack:
        saver = await stack.enter_async_context(root.open_async_checkpointer())
        memory = stack.enter_context(root.open_long_term_store())
        graph = root.graph(saver, memory)
        stack.callback(root.close_domain_events)
        store = root.server_store()
        stack.callback(store.close)
        lease = root.lease()
        close_lease = getattr(lease, "close", None)
        if close_lease is not None:
            stack.callback(close_lease)
        hub = event_hub(store, root.settings.fault_kill_at, root.settings.event_cache_bytes)
        feed = QueueFeed()
        fanout = await stack.enter_async_context(root.fanout(hub, feed))
        if fanout is None:
            from conversations.store_sqlite import SqliteServerStore

            sqlite_store = _innermost(store)
            if isinstance(sqlite_store, SqliteServerStore):
                from conversations.store_tail import tail_store

                await stack.enter_async_context(tail_store(sqlite_store, hub))
        runner = TurnRunner(
            graph, store, hub, feed, root.runner_policy(), lease,
            redact=root.services.redactor.redact, tracer=root.tracer,
        )  # fmt: skip
        await stack.enter_async_context(
            recovering(runner, root.services.orders, root.settings.turn_recovery_seconds)
        )
        try:
            yield Turns(graph=graph, store=store, hub=hub, feed=feed, runner=runner, memory=memory)
        finally:
            await runner.drain()
