"""Runs conversation turns in the background, one at a time per conversation.

A turn keeps running (and is checkpointed) when the client that started it disconnects;
its events go to the conversation's event hub, where any stream can follow them. The
single-writer rule: while a turn runs, another message on the same conversation is
rejected with 409 (`concurrent_turns="reject"`, the default) or waits its turn
(`"enqueue"`), so two messages never fork a conversation's checkpoints.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from langgraph.types import Command

from config.settings import Settings
from graphs.context import Context
from graphs.turns import astream_turn, customer_input
from server.hub import EventHub, QueueFeed
from server.store import ServerStore

logger = logging.getLogger("tandem.server.turns")


class ConversationBusy(Exception):
    """A turn is already running on this conversation."""


class TurnRunner:
    """Starts turns as background tasks and records their side effects on the queue."""

    def __init__(
        self, graph: Any, store: ServerStore, hub: EventHub, feed: QueueFeed, settings: Settings
    ) -> None:
        self.graph = graph
        self.store = store
        self.hub = hub
        self.feed = feed
        self.settings = settings
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _lock(self, conversation_id: str) -> asyncio.Lock:
        return self._locks.setdefault(conversation_id, asyncio.Lock())

    def busy(self, conversation_id: str) -> bool:
        """Whether a turn is running on the conversation."""
        return self._lock(conversation_id).locked()

    async def _acquire(self, conversation_id: str) -> asyncio.Lock:
        lock = self._lock(conversation_id)
        if lock.locked() and self.settings.concurrent_turns == "reject":
            raise ConversationBusy(conversation_id)
        await lock.acquire()
        return lock

    async def start_customer_turn(
        self, conversation_id: str, text: str, channel: str, context: Context
    ) -> int:
        """Start a turn for the customer's message; return the cursor its events follow."""
        lock = await self._acquire(conversation_id)
        cursor = self.hub.cursor(conversation_id)
        await self.hub.publish(conversation_id, {"type": "customer_message", "text": text})
        graph_input = customer_input(text, channel)
        self._spawn(self._run(conversation_id, graph_input, context, lock, agent=None))
        return cursor

    async def resume_with_agent(
        self, conversation_id: str, action: str, message: str, agent: str, context: Context
    ) -> dict[str, Any]:
        """Resume a handed-off conversation with an agent's reply/resolution; wait for it."""
        lock = await self._acquire(conversation_id)
        answer = {"action": action, "message": message, "agent": agent}
        resume: Command[None] = Command(resume=answer)
        return await self._run(conversation_id, resume, context, lock, agent=agent)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(
        self,
        conversation_id: str,
        graph_input: Any,
        context: Context,
        lock: asyncio.Lock,
        agent: str | None,
    ) -> dict[str, Any]:
        done: dict[str, Any] = {}
        try:
            async for event in astream_turn(
                self.graph, conversation_id, graph_input, context, self.settings.durability
            ):
                if event["type"] == "handoff":
                    self._record_handoff(conversation_id, event["payload"], context)
                if event["type"] == "done":
                    done = event
                    self._record_agent_action(conversation_id, event, agent)
                await self.hub.publish(conversation_id, event)
        except Exception as error:  # the client gets an error event; the checkpoint survives
            logger.exception("turn failed conversation=%s", conversation_id)
            done = {
                "type": "error",
                "detail": "The turn could not be completed.",
                "retryable": True,
            }
            await self.hub.publish(conversation_id, {**done, "error": type(error).__name__})
        finally:
            self.store.touch(conversation_id)
            lock.release()
        return done

    def _record_handoff(
        self, conversation_id: str, payload: dict[str, Any], context: Context
    ) -> None:
        entry = self.store.upsert_handoff(conversation_id, payload, context.customer_id)
        self.feed.publish({"type": "queue_update", "entry": entry})

    def _record_agent_action(
        self, conversation_id: str, done: dict[str, Any], agent: str | None
    ) -> None:
        if agent is None:
            return
        status = done.get("handoff_status")
        if status in ("resolved", "returned"):
            self.store.close_handoff(conversation_id, status)
        else:
            self.store.record_response(conversation_id)
        entry = self.store.get_handoff(conversation_id)
        if entry:
            self.feed.publish({"type": "queue_update", "entry": entry})

    async def drain(self) -> None:
        """Wait for running turns to finish (server shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
