"""Live events across server processes: a Redis pub/sub bridge for the event hub and queue feed.

Every event a process publishes (already numbered and persisted there) goes out on one
Redis channel with its conversation id and sequence number, and every queue change on
another; each process takes in what the others sent, so a customer's stream held by one
process sees the agent reply posted through another, and every agent's queue view stays
current. Messages carry the sender's id, so a process skips its own. Sending never blocks
a turn: messages wait in an outbox drained in order by one task; when Redis is down they
are dropped with a warning (persisted events stay readable from the store).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from conversations.hub import EventHub, QueueFeed

logger = logging.getLogger("tandem.conversations.fanout")

OUTBOX_SIZE = 10_000
"""Messages waiting to be sent; beyond this the newest are dropped (Redis is stuck)."""

RECONNECT_SECONDS = 1.0


class RedisFanout:
    """Relays hub events and queue changes through Redis pub/sub, and delivers the others'."""

    def __init__(
        self, url: str, hub: EventHub, feed: QueueFeed, prefix: str = "tandem", origin: str = ""
    ) -> None:
        self.url = url
        self.hub = hub
        self.feed = feed
        self.origin = origin or uuid.uuid4().hex
        self.events_channel = f"{prefix}:events"
        self.queue_channel = f"{prefix}:queue"
        self._client: aioredis.Redis | None = None
        self._outbox: asyncio.Queue[tuple[str, str]] = asyncio.Queue(maxsize=OUTBOX_SIZE)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Subscribe to both channels and attach the relays to the hub and the feed."""
        self._client = aioredis.from_url(self.url)
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.events_channel, self.queue_channel)
        self._tasks = [
            asyncio.create_task(self._listen(pubsub)),
            asyncio.create_task(self._send_outbox(self._client)),
        ]
        self.hub.relay = self._relay_event
        self.feed.relay = self._relay_change

    async def stop(self) -> None:
        """Detach the relays, send what is queued (briefly), and close the connections."""
        self.hub.relay = None
        self.feed.relay = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._outbox.join(), timeout=2)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def _enqueue(self, channel: str, message: dict[str, Any]) -> None:
        try:
            self._outbox.put_nowait((channel, json.dumps(message, default=str)))
        except asyncio.QueueFull:
            logger.warning("fan-out outbox full; dropping a %s message", channel)

    def _relay_event(self, conversation_id: str, seq: int, event: dict[str, Any]) -> None:
        self._enqueue(
            self.events_channel,
            {"origin": self.origin, "conversation_id": conversation_id, "seq": seq, "event": event},
        )

    def _relay_change(self, change: dict[str, Any]) -> None:
        self._enqueue(self.queue_channel, {"origin": self.origin, "change": change})

    async def _send_outbox(self, client: aioredis.Redis) -> None:
        while True:
            channel, data = await self._outbox.get()
            try:
                await client.publish(channel, data)
            except RedisError as error:
                logger.warning("fan-out publish failed on %s: %s", channel, error)
            finally:
                self._outbox.task_done()

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self._receive(message["channel"], message["data"])
            except RedisError as error:  # redis-py resubscribes when it reconnects
                logger.warning("fan-out subscription interrupted: %s", error)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _receive(self, channel: bytes | str, data: bytes | str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            logger.warning("fan-out message is not JSON; ignored")
            return
        if not isinstance(message, dict) or message.get("origin") == self.origin:
            return
        name = channel.decode() if isinstance(channel, bytes) else channel
        if name == self.events_channel:
            await self.hub.deliver(
                str(message["conversation_id"]), int(message["seq"]), message["event"]
            )
        elif name == self.queue_channel:
            self.feed.deliver(message["change"])
