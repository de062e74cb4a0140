"""Runs conversation turns in the background, one at a time per conversation.

A turn keeps running (and is checkpointed) when the client that started it disconnects;
its events go to the conversation's event hub, where any stream can follow them. The
single-writer rule: while a turn runs, another message on the same conversation is
rejected with 409 (`concurrent_turns="reject"`, the default) or waits its turn
(`"enqueue"`), so two messages never fork a conversation's checkpoints.

Across server processes the rule is a conversation lease (`conversations.lease`): a turn starts
only once this process holds it, renews it while the turn runs and gives it up at the
end. A turn whose lease was lost (renewals failed until it expired and another process
took it) is stopped, so it cannot write checkpoints beside the new holder.

Customers' turns pass an admission gate (`conversations.admission`): when the process is
saturated they wait in line, after their message has been taken and echoed, instead of
slowing every running turn and every new request down.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from langgraph.types import Command
from opentelemetry.trace import Tracer

from conversations import instruments
from conversations.admission import TurnGate
from conversations.coalesce import coalesce_tokens
from conversations.hub import EventHub, QueueFeed
from conversations.lease import ConversationLease, LocalLease
from conversations.store import ServerStore
from conversations.turn_telemetry import turn_span
from graphs.context import Context
from graphs.turns import astream_turn, customer_input

logger = logging.getLogger("tandem.server.turns")

BUSY_STATUS = "Many customers are writing right now; your answer will start in a moment."
"""Status sent when a message has to wait for the server to have room for its turn."""

LEASE_POLL_SECONDS = 0.25
"""How often a queued message (`enqueue` policy) retries a lease another process holds."""

LEASE_GRACE_SECONDS = 1.0
"""How long a message waits for a lease another process is about to give up before 409."""

LEASE_GRACE_POLL = 0.05
"""How often the lease is retried during that grace."""


@dataclass(frozen=True)
class RunnerPolicy:
    """How the runner treats concurrent messages and checkpoints (from settings)."""

    concurrent_turns: Literal["reject", "enqueue"] = "reject"
    """A message during a running turn: rejected (409) or made to wait its turn."""
    durability: Literal["sync", "async", "exit"] = "sync"
    """LangGraph checkpoint durability for turns."""
    admission_target_lag_ms: float = 5.0
    """Event-loop lag above which fewer customer turns run at once (0: no limit)."""
    token_window_ms: float = 25.0
    """Reply tokens arriving within this window are published as one event (0: each alone)."""
    busy_token_window_ms: float = 100.0
    """The window while the admission gate finds the process saturated (turns wait to start
    or the event loop runs late): fewer, larger pieces leave more CPU to the turns."""


def _offline_redact(text: str) -> str:
    """The offline detector, for runners built without the deployment's redactor."""
    from tools.pii import redact

    return redact(text)


class ConversationBusy(Exception):
    """A turn is already running on this conversation."""


class TurnRunner:
    """Starts turns as background tasks and records their side effects on the queue."""

    def __init__(
        self,
        graph: Any,
        store: ServerStore,
        hub: EventHub,
        feed: QueueFeed,
        policy: RunnerPolicy | None = None,
        lease: ConversationLease | None = None,
        gate: TurnGate | None = None,
        redact: Callable[[str], str] | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        self.graph = graph
        self.store = store
        self.hub = hub
        self.feed = feed
        self.policy = policy or RunnerPolicy()
        self.lease = lease or LocalLease()
        self.gate = gate or TurnGate(target_lag=self.policy.admission_target_lag_ms / 1000)
        self.redact = redact or _offline_redact
        """Masks personal data in the echoed customer message (the graph's redactor)."""
        self.tracer = tracer
        """An OpenTelemetry `Tracer` each turn is traced with; None: tracing is off."""
        # A lock lives while a turn holds or awaits it; idle conversations leave no entry.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.recovery: Any = None
        """Finishes turns a crash left open (`conversations.recovery.TurnRecovery`)."""
        self._tasks: set[asyncio.Task[None]] = set()

    def _lock(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = self._locks[conversation_id] = asyncio.Lock()
        return lock

    def busy(self, conversation_id: str) -> bool:
        """Whether a turn is running on the conversation."""
        return self._lock(conversation_id).locked()

    async def _acquire(self, conversation_id: str) -> asyncio.Lock:
        lock = self._lock(conversation_id)
        if lock.locked() and self.policy.concurrent_turns == "reject":
            raise ConversationBusy(conversation_id)
        await lock.acquire()
        try:
            # A turn that just ended elsewhere may not have given its lease back yet (its
            # client can have the `done` first): even the reject policy waits that long.
            grace = asyncio.get_running_loop().time() + LEASE_GRACE_SECONDS
            while not await self.lease.acquire(conversation_id):
                rejecting = self.policy.concurrent_turns == "reject"
                if rejecting and asyncio.get_running_loop().time() >= grace:
                    raise ConversationBusy(conversation_id)
                await asyncio.sleep(LEASE_GRACE_POLL if rejecting else LEASE_POLL_SECONDS)
            if self.lease.shared:
                # Another process may have run the previous turn: number after its events.
                await self.hub.catch_up(conversation_id)
                self.hub.take_over(conversation_id)
        except BaseException:
            lock.release()
            raise
        return lock

    async def _keep_lease(
        self, conversation_id: str, turn: asyncio.Task[Any], lost: list[bool]
    ) -> None:
        """Renew the lease while the turn runs; stop the turn if the lease was lost."""
        while True:
            await asyncio.sleep(self.lease.ttl_seconds / 3)
            try:
                renewed = await self.lease.renew(conversation_id)
            except Exception:  # a transient store error; the lease may still be valid
                logger.warning(
                    "lease renewal failed conversation=%s", conversation_id, exc_info=True
                )
                continue
            if not renewed:
                logger.error("lease lost conversation=%s; stopping its turn", conversation_id)
                lost.append(True)
                turn.cancel()
                return

    async def _give_up(self, conversation_id: str, lock: asyncio.Lock) -> None:
        try:
            await self.lease.release(conversation_id)
        except Exception:  # the lease then lapses on its own after its time to live
            logger.warning("lease release failed conversation=%s", conversation_id, exc_info=True)
        finally:
            lock.release()

    async def start_customer_turn(
        self,
        conversation_id: str,
        text: str,
        channel: str,
        context: Context,
        attachments: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """Start a turn for the customer's message; return the cursor its events follow.

        `attachments` are the message's stored files as `AttachmentRef` dicts.
        """
        lock = await self._acquire(conversation_id)
        try:
            await self._finish_interrupted(conversation_id)
            cursor = self.hub.cursor(conversation_id)
            self._open_turn(conversation_id, "customer", context, cursor)
            echo: dict[str, Any] = {
                "type": "customer_message",
                "text": await asyncio.to_thread(self.redact, text),
            }
            if attachments:
                echo["attachments"] = [dict(item) for item in attachments]
            await self.hub.publish(conversation_id, echo)
            if not self.gate.has_room():
                await self.hub.publish(conversation_id, {"type": "status", "text": BUSY_STATUS})
        except BaseException:
            await self._give_up(conversation_id, lock)
            raise
        graph_input = customer_input(text, channel, attachments)
        self._spawn(self._run(conversation_id, graph_input, context, lock, agent=None))
        return cursor

    async def resume_with_agent(
        self, conversation_id: str, action: str, message: str, agent: str, context: Context
    ) -> dict[str, Any]:
        """Resume a handed-off conversation with an agent's reply/resolution; wait for it."""
        lock = await self._acquire(conversation_id)
        try:
            await self._finish_interrupted(conversation_id)
            cursor = self.hub.cursor(conversation_id)
            self._open_turn(conversation_id, "agent", context, cursor, agent)
        except BaseException:
            await self._give_up(conversation_id, lock)
            raise
        answer = {"action": action, "message": message, "agent": agent}
        resume: Command[None] = Command(resume=answer)
        return await self._run(conversation_id, resume, context, lock, agent=agent)

    def _open_turn(
        self,
        conversation_id: str,
        kind: str,
        context: Context,
        cursor: int,
        agent: str | None = None,
    ) -> None:
        """Record the turn until its end is published, so a crash cannot leave it open."""
        record = {
            "kind": kind,
            "agent": agent,
            "cursor": cursor,
            "started_at": time.time(),
            "context": dataclasses.asdict(context),
        }
        self.store.open_turn(conversation_id, record)

    async def _finish_interrupted(self, conversation_id: str) -> None:
        """Close a turn a crash left open before a new one starts (recovery had no chance)."""
        if self.recovery is not None:
            await self.recovery.close_open_turn(conversation_id)

    async def claim(self, conversation_id: str) -> asyncio.Lock | None:
        """Take the conversation (lock and lease) when free now; None when someone has it."""
        lock = self._lock(conversation_id)
        if lock.locked():
            return None
        await lock.acquire()
        try:
            if not await self.lease.acquire(conversation_id):
                lock.release()
                return None
            if self.lease.shared:
                await self.hub.catch_up(conversation_id)
                self.hub.take_over(conversation_id)
        except BaseException:
            await self._give_up(conversation_id, lock)
            raise
        return lock

    async def release(self, conversation_id: str, lock: asyncio.Lock) -> None:
        """Give a claimed conversation back (lease and lock)."""
        await self._give_up(conversation_id, lock)

    async def resume(
        self, conversation_id: str, record: dict[str, Any], lock: asyncio.Lock, failure: str
    ) -> dict[str, Any]:
        """Finish an interrupted turn from its last checkpoint (a claimed conversation)."""
        context = Context(**record.get("context", {}))
        return await self._run(
            conversation_id, None, context, lock, agent=record.get("agent"), failure=failure
        )

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
        failure: str = "The turn could not be completed.",
    ) -> dict[str, Any]:
        """Run one turn to its `done` or `error` (`failure` is the error's text)."""
        done: dict[str, Any] = {}
        lost: list[bool] = []
        stack = contextlib.ExitStack()
        turn = asyncio.current_task()
        assert turn is not None
        keeper = (
            asyncio.create_task(self._keep_lease(conversation_id, turn, lost))
            if self.lease.shared
            else None
        )
        trace = stack.enter_context(
            turn_span(self.tracer, conversation_id, "customer" if agent is None else "agent")
        )
        try:
            # Agents' actions skip the line: a person is waiting on each of them.
            async with self.gate.slot() if agent is None else contextlib.nullcontext():
                if agent is None:  # only customer turns pass the gate
                    trace.admitted(self.gate.stats())
                events = astream_turn(
                    self.graph, conversation_id, graph_input, context, self.policy.durability,
                    trace.callbacks,
                )  # fmt: skip
                async for event in coalesce_tokens(events, self._token_window):
                    if event["type"] == "handoff":
                        self._record_handoff(conversation_id, event["payload"], context, agent)
                    if event["type"] == "done":
                        done = event
                        self._record_identity(conversation_id, event, context)
                        self._record_agent_action(conversation_id, event, agent)
                    await self.hub.publish(conversation_id, event)
        except Exception as error:  # the client gets an error event; the checkpoint survives
            logger.exception("turn failed conversation=%s", conversation_id)
            done = {"type": "error", "detail": failure, "retryable": True}
            await self.hub.publish(conversation_id, {**done, "error": type(error).__name__})
        except asyncio.CancelledError:
            if not lost:
                raise
            done = {"type": "error", "detail": "The turn was interrupted.", "retryable": True}
            await self.hub.publish(conversation_id, {**done, "error": "LeaseLost"})
        finally:
            trace.finish(done, self.gate.stats())
            stack.close()
            if keeper is not None:
                keeper.cancel()
            if done and not lost:  # an interrupted turn stays open for recovery to finish
                self.store.close_turn(conversation_id)
            self.store.touch(conversation_id)
            await self._give_up(conversation_id, lock)
        return done

    def _token_window(self) -> float:
        """Seconds the next run of reply tokens may be held: longer while saturated."""
        policy = self.policy
        if self.gate.saturated:
            return max(policy.token_window_ms, policy.busy_token_window_ms) / 1000
        return policy.token_window_ms / 1000

    def _record_handoff(
        self, conversation_id: str, payload: dict[str, Any], context: Context, agent: str | None
    ) -> None:
        if payload.get("type") == "awaiting_agent":
            return  # the agent's own reply paused the graph again: nothing new for the queue
        if payload.get("type") == "handoff":
            instruments.HANDOFFS.labels(str(payload.get("reason") or "unknown")).inc()
            if agent is not None:
                # The bot's answer after a return handed off again: the returned entry
                # closes and a new one waits in the queue.
                self.store.close_handoff(conversation_id, "returned")
        customer = context.customer_id or (payload.get("customer") or {}).get("user_id")
        entry = self.store.upsert_handoff(conversation_id, payload, customer)
        self.feed.publish({"type": "queue_update", "entry": entry})

    def _record_identity(
        self, conversation_id: str, done: dict[str, Any], context: Context
    ) -> None:
        """A guest who identified in the conversation (email, name and zip) now owns it.

        Channels create a conversation without a customer when they cannot prove one (an
        unknown phone number or sender); once the graph has identified the customer, the
        conversation is listed among theirs, whichever channel it came from.
        """
        identified = done.get("customer_id")
        owned = context.customer_id is not None
        if identified and not owned and self.store.assign_customer(conversation_id, identified):
            logger.info("conversation=%s identified its customer", conversation_id)

    def _record_agent_action(
        self, conversation_id: str, done: dict[str, Any], agent: str | None
    ) -> None:
        if agent is None:
            return
        status = done.get("handoff_status")
        if status in ("resolved", "returned"):
            self.store.close_handoff(conversation_id, status)
        elif status == "human":
            self.store.record_response(conversation_id)
        entry = self.store.get_handoff(conversation_id)
        if entry:
            self.feed.publish({"type": "queue_update", "entry": entry})

    async def drain(self) -> None:
        """Wait for running turns to finish (server shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
