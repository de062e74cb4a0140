"""Outbound: every bot and human-agent reply of a channel conversation goes out on its channel.

`Delivery` follows the event hub of each channel conversation it watches. A human agent's
message (`agent_message`) is sent as it happens; a turn's finished reply (`done`) is sent
unless it is the agent message just sent. It keeps following while the conversation waits
for a person, so the agent's answers from the console reach the customer's mailbox or phone,
and stops after a turn that leaves the bot in charge (the next inbound message watches again).
Every send is claimed once in the channel store (`out:<conversation>:<seq>`), so two server
processes following one conversation send each reply once, and the delivery cursor is kept,
so a restart resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.base import ChannelAdapter, OutboundReply, Thread
from conversations.channel_store import ChannelStore
from conversations.hub import EventHub, QueueFeed
from conversations.store import QUEUE_OPEN, ServerStore
from graphs.turns import turn_config

logger = logging.getLogger("tandem.channels.delivery")

SEND_ATTEMPTS = 3
"""Attempts per payload before a send is given up (and logged)."""


class Delivery:
    """Sends replies of channel conversations with their channel's adapter."""

    def __init__(
        self,
        hub: EventHub,
        channels: ChannelStore,
        store: ServerStore,
        graph: Any = None,
        retry_seconds: float = 1.0,
    ) -> None:
        self.hub = hub
        self.channels = channels
        self.store = store
        self.graph = graph
        self.retry_seconds = retry_seconds
        self.adapters: dict[str, ChannelAdapter] = {}
        self._followers: dict[str, asyncio.Task[None]] = {}
        self._expected: dict[str, int] = {}
        """Turns started on a conversation whose end its follower has not seen yet."""
        self.sent = 0
        """Payloads sent since start (for health and tests)."""

    def add(self, adapter: ChannelAdapter) -> None:
        """Deliver replies of `adapter.name` conversations with `adapter`."""
        self.adapters[adapter.name] = adapter

    def watch(self, conversation_id: str, turn_starting: bool = False) -> None:
        """Follow the conversation (no-op when it is already followed).

        `turn_starting`: a turn is about to start, so the follower stays until it ends.
        """
        if turn_starting:
            self._expected[conversation_id] = self._expected.get(conversation_id, 0) + 1
        task = self._followers.get(conversation_id)
        if task is None or task.done():
            task = asyncio.create_task(self._follow(conversation_id))
            self._followers[conversation_id] = task

    def turn_seen(self, conversation_id: str) -> None:
        """A turn announced with `watch(turn_starting=True)` began (or will not start)."""
        expected = self._expected.get(conversation_id, 0)
        if expected:
            self._expected[conversation_id] = expected - 1

    async def resume(self) -> None:
        """Watch the channel conversations still waiting for a person (server start)."""
        rows = await asyncio.to_thread(self.store.list_handoffs, QUEUE_OPEN)
        for row in rows:
            if await asyncio.to_thread(self.channels.get_thread, row["conversation_id"]):
                self.watch(row["conversation_id"])

    async def watch_queue(self, feed: QueueFeed) -> None:
        """Watch channel conversations an agent acts on (claims, replies from any process)."""
        async for change in feed.subscribe():
            entry = change.get("entry") or {}
            conversation_id = entry.get("conversation_id")
            if (
                conversation_id
                and conversation_id not in self._followers
                and await asyncio.to_thread(self.channels.get_thread, conversation_id)
            ):
                self.watch(conversation_id)

    async def close(self) -> None:
        """Stop following (server shutdown)."""
        for task in self._followers.values():
            task.cancel()
        await asyncio.gather(*self._followers.values(), return_exceptions=True)

    async def _follow(self, conversation_id: str) -> None:
        thread = await asyncio.to_thread(self.channels.get_thread, conversation_id)
        if thread is None:
            return
        cursor = int(thread.get("delivered_seq") or 0)
        sent_this_turn: list[str] = []
        try:
            async for seq, event in self.hub.follow(conversation_id, cursor, until_done=False):
                kind = event["type"]
                if kind == "customer_message":
                    self.turn_seen(conversation_id)
                elif kind == "agent_message" and event["text"].strip():
                    reply = OutboundReply(event["text"], author="agent", agent=event["agent"])
                    await self._send(conversation_id, seq, reply)
                    sent_this_turn.append(event["text"])
                elif kind in ("done", "error"):
                    text = event.get("reply") or ""
                    if kind == "done" and text.strip() and text not in sent_this_turn:
                        await self._send(conversation_id, seq, await self._bot_reply(event))
                    sent_this_turn = []
                    await asyncio.to_thread(self.channels.set_delivered, conversation_id, seq)
                    expected = self._expected.get(conversation_id, 0)
                    if not event.get("waiting_for_human") and expected == 0:
                        return
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("delivery stopped conversation=%s", conversation_id)
        finally:
            if self._followers.get(conversation_id) is asyncio.current_task():
                del self._followers[conversation_id]
                self._expected.pop(conversation_id, None)

    async def _bot_reply(self, done: dict[str, Any]) -> OutboundReply:
        """The bot's reply with the confirmation choices and sources of the saved state."""
        values: dict[str, Any] = {}
        if self.graph is not None:
            snapshot = await self.graph.aget_state(turn_config(done["conversation_id"]))
            values = snapshot.values or {}
        pending = values.get("pending_action") or {}
        # yes / no only once the action is complete: before that the bot asks for what is missing
        choices = ("yes", "no") if pending and not pending.get("missing") else ()
        sources = tuple(
            {"title": p.get("title"), "url": p.get("url")}
            for p in values.get("passages") or []
            if isinstance(p, dict) and p.get("url")
        )
        return OutboundReply(done["reply"], choices=choices, sources=sources)

    async def _send(self, conversation_id: str, seq: int, reply: OutboundReply) -> None:
        thread_row = await asyncio.to_thread(self.channels.get_thread, conversation_id)
        if thread_row is None:
            return
        adapter = self.adapters.get(thread_row["channel"])
        if adapter is None:
            logger.error("no adapter for channel %s", thread_row["channel"])
            return
        claim = f"out:{conversation_id}:{seq}"
        if not await asyncio.to_thread(self.channels.claim, thread_row["channel"], claim):
            return  # another process sends this one
        thread = Thread(
            conversation_id, thread_row["channel"], thread_row["address"], thread_row["state"]
        )
        for payload in adapter.render(reply, thread):
            provider_id = await self._send_one(adapter, thread, payload)
            if provider_id:
                await asyncio.to_thread(
                    self.channels.link, thread.channel, [provider_id], conversation_id
                )
        await asyncio.to_thread(self.channels.set_delivered, conversation_id, seq)

    async def _send_one(self, adapter: ChannelAdapter, thread: Thread, payload: Any) -> str | None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                provider_id = await adapter.send(thread, payload)
                self.sent += 1
                return provider_id
            except Exception:
                logger.warning(
                    "send failed channel=%s attempt=%d", adapter.name, attempt, exc_info=True
                )
                if attempt < SEND_ATTEMPTS:
                    await asyncio.sleep(self.retry_seconds * attempt)
        logger.error("reply not delivered conversation=%s", thread.conversation_id)
        return None
