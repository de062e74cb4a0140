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
    """Moves messages from a source into the inbox until cancelled."""

    def __init__(self, source: MessageSource, inbox: InboundSink, name: str) -> None:
        self.source = source
        self.inbox = inbox
        self.name = name
        self.outcomes: dict[str, int] = defaultdict(int)
        """How many deliveries ended how (`started`, `duplicate`, `retried`, ...)."""

    async def run(self) -> None:
        """Consume forever (cancel the task to stop)."""
        while True:
            try:
                batch = await self.source.next_batch()
            except Exception:
                logger.exception("%s queue: receiving failed", self.name)
                await asyncio.sleep(ERROR_PAUSE_SECONDS)
                continue
            await self.take_batch(batch)

    async def take_batch(self, batch: list[QueuedMessage]) -> None:
        """Take a batch: each sender's messages in order, different senders concurrently."""
        groups: dict[tuple[str, str], list[tuple[QueuedMessage, InboundMessage]]] = defaultdict(
            list
        )
        for delivery in batch:
            try:
                message = decode(delivery.body)
            except EnvelopeError as error:
                logger.error("%s queue: poison message (%s)", self.name, error)
                await self._retry(delivery, "poison")
                continue
            groups[(message.channel, message.sender)].append((delivery, message))
        await asyncio.gather(*(self._take_group(group) for group in groups.values()))

    async def _take_group(self, group: list[tuple[QueuedMessage, InboundMessage]]) -> None:
        for delivery, message in group:
            await self.take(delivery, message)

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
