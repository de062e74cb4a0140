"""The one inbound path every channel shares: dedup, identity, conversation, turn.

`Inbox.receive` is what a channel's webhook or server calls (after answering the provider)
with an `InboundMessage`. A provider message id is handled once; the sender becomes a
customer only as far as the channel proves it; the message continues the conversation its
thread keys name (when the same sender owns it), else the sender's latest thread on a
channel without threads, else a new conversation; then the turn starts through the shared
`TurnRunner` and `Delivery` sends the answers back on the channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from channels.base import Attachment, InboundMessage
from channels.delivery import Delivery
from channels.identity import UserDirectory, customer_for
from channels.limits import SenderLimit
from channels.uploads import Uploads
from conversations.channel_store import ChannelStore
from conversations.runner import ConversationBusy, TurnRunner
from conversations.store import ServerStore
from graphs.context import Context
from graphs.turns import new_conversation_id

logger = logging.getLogger("tandem.channels.inbox")

BUSY_RETRY_SECONDS = 0.5
"""How long a message waits before retrying a conversation whose previous turn still runs."""

Outcome = Literal["started", "duplicate", "rate_limited", "busy", "queued"]
"""`queued`: a queue in front of the inbox took the message (see `channels.queue`)."""


@dataclass(frozen=True)
class Received:
    """What became of an inbound message."""

    outcome: Outcome
    conversation_id: str | None = None


def attachment_lines(attachments: Sequence[Attachment]) -> str:
    """Lines naming attachments that are not served (not stored, or no attachment store)."""
    return "\n".join(
        f"[attachment: {a.filename} ({a.content_type}, {a.size} bytes)"
        f"{', not stored: too large' if a.location.startswith('not stored') else ''}]"
        for a in attachments
    )


class Inbox:
    """Takes normalised inbound messages from every channel into conversations."""

    def __init__(
        self,
        runner: TurnRunner,
        store: ServerStore,
        channels: ChannelStore,
        users: UserDirectory,
        delivery: Delivery,
        limit: SenderLimit,
        busy_timeout_seconds: float = 120.0,
        uploads: Uploads | None = None,
    ) -> None:
        self.runner = runner
        self.store = store
        self.channels = channels
        self.users = users
        self.delivery = delivery
        self.limit = limit
        self.busy_timeout_seconds = busy_timeout_seconds
        self.uploads = uploads
        """Where stored attachments are recorded, so agents open them like uploaded files."""

    async def receive(self, message: InboundMessage) -> Received:
        """Handle one inbound message: at most one turn per provider message id."""
        claim = f"in:{message.provider_message_id}"
        if not await asyncio.to_thread(self.channels.claim, message.channel, claim):
            logger.info("duplicate %s message %s", message.channel, message.provider_message_id)
            return Received("duplicate")
        if not self.limit.allow(message.channel, message.sender):
            logger.warning("rate limit: dropped %s message from a sender", message.channel)
            return Received("rate_limited")
        watched: str | None = None
        try:
            conversation_id, customer_id = await asyncio.to_thread(self._conversation, message)
            text, refs = await self._attachments(conversation_id, customer_id, message)
            self.delivery.watch(conversation_id, turn_starting=True)
            watched = conversation_id
            started = await self._start(conversation_id, text, message.channel, customer_id, refs)
        except BaseException:
            if watched is not None:
                self.delivery.turn_seen(watched)
            await asyncio.to_thread(self.channels.release, message.channel, claim)
            raise
        if not started:
            self.delivery.turn_seen(conversation_id)
            await asyncio.to_thread(self.channels.release, message.channel, claim)
            return Received("busy", conversation_id)
        return Received("started", conversation_id)

    def _conversation(self, message: InboundMessage) -> tuple[str, str | None]:
        """Find or create the message's conversation; record its thread keys and state."""
        keys = list(message.thread_keys)
        thread = None
        if keys:
            found = self.channels.find(message.channel, keys)
            thread = self.channels.get_thread(found) if found else None
        else:
            thread = self.channels.latest_thread(message.channel, message.sender)
        if thread is not None and thread["address"].lower() != message.sender.lower():
            thread = None  # someone else writing into a thread gets a conversation of their own
        if thread is None:
            customer_id = customer_for(message, self.users)
            conversation_id = new_conversation_id()
            self.store.create_conversation(conversation_id, customer_id, message.channel)
            state = dict(message.reply_state)
        else:
            conversation_id = thread["conversation_id"]
            record = self.store.get_conversation(conversation_id) or {}
            customer_id = record.get("customer_id")
            state = {**thread["state"], **message.reply_state}
        self.channels.link(message.channel, [*keys, *message.own_keys], conversation_id)
        self.channels.save_thread(
            {
                "conversation_id": conversation_id,
                "channel": message.channel,
                "address": message.sender,
                "state": state,
            }
        )
        return conversation_id, customer_id

    async def _attachments(
        self, conversation_id: str, customer_id: str | None, message: InboundMessage
    ) -> tuple[str, list[dict[str, Any]]]:
        """The message's text and the refs of its stored attachments (recorded as uploads).

        Attachments that cannot be served are named in the text instead, without location.
        """
        refs: list[dict[str, Any]] = []
        unserved: list[Attachment] = []
        for attachment in message.attachments:
            if self.uploads is None or attachment.location.startswith("not stored"):
                unserved.append(attachment)
                continue
            upload = await self.uploads.register(conversation_id, customer_id, attachment)
            refs.append(upload.ref())
        text = message.text
        if unserved:
            text = f"{text}\n\n{attachment_lines(unserved)}".strip()
        return text, refs

    async def _start(
        self,
        conversation_id: str,
        text: str,
        channel: str,
        customer_id: str | None,
        attachments: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Start the turn, waiting while the conversation's previous turn still runs."""
        context = Context(customer_id=customer_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.busy_timeout_seconds
        while True:
            try:
                await self.runner.start_customer_turn(
                    conversation_id, text, channel, context, attachments
                )
                return True
            except ConversationBusy:
                if loop.time() >= deadline:
                    logger.error("conversation %s stayed busy; message dropped", conversation_id)
                    return False
                await asyncio.sleep(BUSY_RETRY_SECONDS)
