"""The channels a server runs: one registry entry per channel, assembled on the runtime.

A channel registers a factory under its name (`register`). `open_channels` builds the shared
`Inbox` and `Delivery` on the server's turn runtime, then asks every factory for its
adapter: a factory reads its configuration from the `Root` (which reads the settings),
starts whatever inbound server it needs with the inbox, and returns its adapter, or None
when the channel is not configured. Adding a channel is one adapter, its settings and one
`register` call.

Webhooks hand what they verified to `Channels.intake`, the in-process queue, and answer; its
consumer takes the messages into the inbox. With an SQS queue configured (the Lambda
webhooks fill it) a second consumer takes that queue the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config

from channels.base import ChannelAdapter
from channels.delivery import Delivery
from channels.inbox import Inbox
from channels.limits import SenderLimit
from channels.queue.consumer import QueueConsumer
from channels.queue.local import LocalQueue
from wiring.channels import ChannelRuntime
from wiring.root import Root
from wiring.turns import Turns
from wiring.uploads import uploads_from_settings

SQS_POLL = Config(read_timeout=30)
"""Long polls wait up to 10 seconds; the client waits longer than that for the answer."""


@dataclass
class Channels:
    """The running channels: shared inbox and delivery, and the adapters by name."""

    inbox: Inbox
    delivery: Delivery
    intake: LocalQueue = field(default_factory=LocalQueue)
    """Where webhooks put verified inbound messages; its consumer feeds the inbox."""
    consumers: list[QueueConsumer] = field(default_factory=list)
    """The running queue consumers (in-process, and SQS when configured)."""
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
            uploads=uploads_from_settings(root.settings),
        )
        intake = LocalQueue(config.queue_max_attempts, config.queue_retry_seconds)
        stack.callback(intake.close)
        channels = Channels(inbox=inbox, delivery=delivery, intake=intake)
        for name, factory in FACTORIES.items():
            adapter = await stack.enter_async_context(factory(root, channels))
            if adapter is not None:
                delivery.add(adapter)
                channels.adapters[name] = adapter
        await delivery.resume()
        watcher = asyncio.create_task(delivery.watch_queue(turns.feed))
        stack.callback(watcher.cancel)
        for consumer in _consumers(config, channels):
            channels.consumers.append(consumer)
            task = asyncio.create_task(consumer.run())
            stack.callback(task.cancel)
        yield channels


def _consumers(config: ChannelRuntime, channels: Channels) -> list[QueueConsumer]:
    """The in-process queue's consumer, and the SQS queue's when one is configured."""
    consumers = [QueueConsumer(channels.intake, channels.inbox, "in-process")]
    if config.sqs_queue_url:
        from channels.queue.sqs import SqsSource
        from cloud.aws import aws_client

        client = aws_client("sqs", config.region, config.sqs_endpoint_url, config=SQS_POLL)
        source = SqsSource(
            client, config.sqs_queue_url, config.sqs_wait_seconds, config.queue_retry_seconds
        )
        consumers.append(QueueConsumer(source, channels.inbox, "sqs"))
    return consumers
