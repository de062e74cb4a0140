"""The channels a server runs: one registry entry per channel, assembled on the runtime.

A channel registers a factory under its name (`register`). `open_channels` builds the shared
`Inbox` and `Delivery` on the server's turn runtime, then asks every factory for its
adapter: a factory reads its configuration from the `Root` (which reads the settings),
starts whatever inbound server it needs with the inbox, and returns its adapter, or None
when the channel is not configured. Adding a channel is one adapter, its settings and one
`register` call.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from channels.base import ChannelAdapter
from channels.delivery import Delivery
from channels.inbox import Inbox
from channels.limits import SenderLimit
from wiring.root import Root
from wiring.turns import Turns


@dataclass
class Channels:
    """The running channels: shared inbox and delivery, and the adapters by name."""

    inbox: Inbox
    delivery: Delivery
    adapters: dict[str, ChannelAdapter] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    """What channels expose beyond their adapter (e.g. the SMTP server's address)."""

    def adapter(self, name: str) -> ChannelAdapter | None:
        """The running adapter of channel `name`, or None when it is not configured."""
        return self.adapters.get(name)


ChannelFactory = Callable[[Root, Channels], contextlib.AbstractAsyncContextManager[Any]]
"""Builds a channel: `(root, channels)` → an async context yielding its adapter or None."""

FACTORIES: dict[str, ChannelFactory] = {}


def register(name: str, factory: ChannelFactory) -> None:
    """Make a channel available to every server (its settings decide whether it runs)."""
    FACTORIES[name] = factory


BUILTIN: tuple[str, ...] = (
    "channels.email.factory",
    "channels.whatsapp.factory",
    "channels.sms.factory",
)
"""Modules of the channels that ship with Tandem; each calls `register` when imported."""


def _load_builtin() -> None:
    """Register the channels that ship with Tandem."""
    for module in BUILTIN:
        importlib.import_module(module)


@contextlib.asynccontextmanager
async def open_channels(root: Root, turns: Turns) -> AsyncIterator[Channels]:
    """Start the configured channels on the turn runtime; stop them at the end."""
    _load_builtin()
    config = root.channel_runtime()
    async with contextlib.AsyncExitStack() as stack:
        store = root.channel_store()
        stack.callback(store.close)
        delivery = Delivery(turns.hub, store, turns.store, turns.graph)
        stack.push_async_callback(delivery.close)
        inbox = Inbox(
            turns.runner,
            turns.store,
            store,
            root.services.orders,
            delivery,
            SenderLimit(config.sender_messages_per_hour),
        )
        channels = Channels(inbox=inbox, delivery=delivery)
        for name, factory in FACTORIES.items():
            adapter = await stack.enter_async_context(factory(root, channels))
            if adapter is not None:
                delivery.add(adapter)
                channels.adapters[name] = adapter
        await delivery.resume()
        watcher = asyncio.create_task(delivery.watch_queue(turns.feed))
        stack.callback(watcher.cancel)
        yield channels
