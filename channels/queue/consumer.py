"""The consumer: takes queued inbound messages into the shared inbox, at least once.

A message is acknowledged only after the inbox took it (a turn started, or it was a
duplicate the inbox had already handled); anything else is handed back to its source to be
tried again, and a source gives up after its attempts (SQS moves the message to the
dead-letter queue by the queue's redrive policy). A second delivery of a message the inbox
already took is answered "duplicate" by the inbox's provider-message-id claim, so a
redelivery never starts a second turn. Messages of one sender on one channel are taken in
order; different senders are taken side by side.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

from channels.base import InboundMessage
from channels.inbox import Received
from channels.queue.envelope import EnvelopeError, decode

logger = logging.getLogger("tandem.channels.queue")

ERROR_PAUSE_SECONDS = 5.0
"""How long the consumer waits after its source failed to deliver (e.g. SQS unreachable)."""


@dataclass(frozen=True)
class QueuedMessage:
    """One delivery of a queue message."""

    body: str
    attempt: int
    """1 on the first delivery, counted by the source."""
    handle: Any = None
    """What the source needs to acknowledge or retry this delivery (an SQS receipt handle)."""


class MessageSource(Protocol):
    """Where queued inbound messages come from (the in-process queue, or SQS)."""

    async def next_batch(self) -> list[QueuedMessage]:
        """Wait for the next messages (an empty list when none came in a while)."""
        ...

    async def ack(self, delivery: QueuedMessage) -> None:
        """The message was handled: remove it from the queue."""
        ...

    async def retry(self, delivery: QueuedMessage) -> None:
        """The message was not handled: deliver it again later, or dead-letter it."""
        ...


class InboundSink(Protocol):
    """What takes an inbound message: the inbox itself, or a queue in front of it."""

    async def receive(self, message: InboundMessage) -> Received:
        """Take `message`; say what became of it."""
        ...


class QueueConsumer:
    """Moves messages from a source into the inbox until cancelled.

    Each message is taken in a task of its own, chained after the previous message of the
    same sender, so a conversation waiting for its previous turn holds up only its sender's
    later messages; at most `max_in_flight` messages are being taken at once.
    """

    def __init__(
        self, source: MessageSource, inbox: InboundSink, name: str, max_in_flight: int = 50
    ) -> None:
        self.source = source
        self.inbox = inbox
        self.name = name
        self.outcomes: dict[str, int] = defaultdict(int)
        """How many deliveries ended how (`started`, `duplicate`, `retried`, ...)."""
        self._slots = asyncio.Semaphore(max_in_flight)
        self._tails: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def run(self) -> None:
        """Consume forever (cancel the task to stop; messages being taken are cancelled)."""
        try:
            while True:
                try:
                    batch = await self.source.next_batch()
                except Exception:
                    logger.exception("%s queue: receiving failed", self.name)
                    await asyncio.sleep(ERROR_PAUSE_SECONDS)
                    continue
                await self.take_batch(batch)
        finally:
            for task in list(self._tails.values()):
                task.cancel()

    async def take_batch(self, batch: list[QueuedMessage]) -> None:
        """Start taking a batch: each sender's messages in order, senders side by side."""
        for delivery in batch:
            try:
                message = decode(delivery.body)
            except EnvelopeError as error:
                logger.error("%s queue: poison message (%s)", self.name, error)
                await self._retry(delivery, "poison")
                continue
            await self._slots.acquire()
            key = (message.channel, message.sender)
            task = asyncio.create_task(self._after(self._tails.get(key), delivery, message))
            self._tails[key] = task
            task.add_done_callback(functools.partial(self._finished, key))

    def _finished(self, key: tuple[str, str], task: asyncio.Task[None]) -> None:
        self._slots.release()
        if self._tails.get(key) is task:
            del self._tails[key]

    async def _after(
        self, previous: asyncio.Task[None] | None, delivery: QueuedMessage, message: InboundMessage
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await self.take(delivery, message)
        except Exception:  # acknowledging failed: the queue delivers it again, a duplicate
            logger.exception(
                "%s queue: message %s not acknowledged", self.name, message.provider_message_id
            )

    async def idle(self) -> None:
        """Wait until every message started so far was taken (or handed back)."""
        while self._tails:
            await asyncio.wait(list(self._tails.values()))

    async def take(self, delivery: QueuedMessage, message: InboundMessage) -> str:
        """Hand one message to the inbox; acknowledge it only when the inbox took it."""
        try:
            received = await self.inbox.receive(message)
        except Exception:
            logger.exception(
                "%s queue: message %s failed (attempt %d)",
                self.name,
                message.provider_message_id,
                delivery.attempt,
            )
            return await self._retry(delivery, "failed")
        if received.outcome == "busy":
            return await self._retry(delivery, "busy")
        await self.source.ack(delivery)
        self.outcomes[received.outcome] += 1
        return received.outcome

    async def _retry(self, delivery: QueuedMessage, why: str) -> str:
        self.outcomes[why] += 1
        try:
            await self.source.retry(delivery)
        except Exception:  # the queue redelivers it anyway when its visibility ends
            logger.exception("%s queue: could not hand a message back", self.name)
        return why
