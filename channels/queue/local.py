"""The in-process queue of the embedded profile: the same path as SQS, inside the server.

Webhook routes put verified, normalised messages here and answer; the consumer takes them
into the inbox. A message that keeps failing is tried `max_attempts` times, then kept in
`dead_letters` (and logged), as SQS moves it to the dead-letter queue.
"""

from __future__ import annotations

import asyncio
import logging

from channels.base import InboundMessage
from channels.inbox import Received
from channels.queue.consumer import QueuedMessage
from channels.queue.envelope import encode

logger = logging.getLogger("tandem.channels.queue")


class LocalQueue:
    """An asyncio queue that is both the webhooks' sink and the consumer's source."""

    def __init__(self, max_attempts: int = 5, retry_delay_seconds: float = 1.0) -> None:
        self.max_attempts = max_attempts
        self.retry_delay_seconds = retry_delay_seconds
        self.dead_letters: list[str] = []
        """Bodies of messages given up on (the in-process dead-letter queue)."""
        self._queue: asyncio.Queue[QueuedMessage] = asyncio.Queue()
        self._pending: set[asyncio.Task[None]] = set()

    async def receive(self, message: InboundMessage) -> Received:
        """Queue `message` for the consumer."""
        self.put_body(encode(message))
        return Received("queued")

    def put_body(self, body: str, attempt: int = 1) -> None:
        """Queue a raw body (what a delivery of `attempt` carries)."""
        self._queue.put_nowait(QueuedMessage(body, attempt))

    async def next_batch(self) -> list[QueuedMessage]:
        """The next message, and any others already waiting."""
        batch = [await self._queue.get()]
        while not self._queue.empty():
            batch.append(self._queue.get_nowait())
        return batch

    async def ack(self, delivery: QueuedMessage) -> None:
        """Nothing to do: a taken message is already off the queue."""

    async def retry(self, delivery: QueuedMessage) -> None:
        """Queue the message again after a growing delay, or dead-letter it."""
        if delivery.attempt >= self.max_attempts:
            logger.error("in-process queue: message dead-lettered after %d tries", delivery.attempt)
            self.dead_letters.append(delivery.body)
            return
        delay = self.retry_delay_seconds * 2 ** (delivery.attempt - 1)
        task = asyncio.create_task(self._requeue(delay, delivery.body, delivery.attempt + 1))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _requeue(self, delay: float, body: str, attempt: int) -> None:
        await asyncio.sleep(delay)
        self.put_body(body, attempt)

    def close(self) -> None:
        """Drop the scheduled retries."""
        for task in list(self._pending):
            task.cancel()
