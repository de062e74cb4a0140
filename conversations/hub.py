"""Live events: a numbered, resumable event log per conversation and the agents' queue feed.

Every event of a conversation (reply tokens, tool activity, handoff, agent messages, done)
gets the conversation's next sequence number. Recent events are kept in memory so a client
that reconnects with `Last-Event-ID` receives exactly what it missed; all but the live-only
ones (reply tokens, an agent's typing indicator) are also persisted, so transcripts and late
reconnects survive a restart. The memory they take is bounded in bytes
(`conversations.event_window`): past it, idle conversations are dropped first, then the
oldest events of the others (a stream further back than memory reads the persisted events).

Numbers are never used twice, even across a crash: before numbering past its reservation a
process persists a new one `SEQ_BLOCK` higher, and a process that opens a conversation (or
takes its lease over from another) numbers after everything reserved. Streamed tokens of a
crashed process are then skipped numbers, never numbers reused for other events.

With several server processes, each event also goes to a relay (`conversations.fanout`, Redis
pub/sub) once numbered and persisted; the other processes take it in with `deliver`,
which keeps their copies of the log in step without persisting it again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any

from conversations.event_window import ByteBudget, EventWindow
from conversations.store import ServerStore
from graphs.event_schema import validate_event

MEMORY_EVENTS = 4000
"""Events of a conversation kept in memory for resuming streams."""

TRANSIENT = ("token", "agent_typing")
"""Event types that are streamed live but not persisted."""

UNCHECKED = ("token",)
"""Event types published without the schema check (built from it, and the bulk of traffic)."""

SEQ_BLOCK = 1000
"""Event numbers reserved (persisted) at a time, ahead of the ones published."""

MEMORY_CONVERSATIONS = 2000
"""Conversations whose recent events stay in memory; idle ones beyond this are dropped
(their persisted events remain, and their numbering continues from the store)."""

DEFAULT_CACHE_BYTES = 8 * 1024 * 1024
"""Memory all conversations' kept events may take together, unless the hub is told otherwise."""

_TURN_END = ("done", "error")

EventRelay = Callable[[str, int, dict[str, Any]], None]
"""Sends a numbered conversation event to the other server processes."""

QueueRelay = Callable[[dict[str, Any]], None]
"""Sends a queue change to the other server processes."""


class ConversationLog:
    """The numbered events of one conversation and the streams waiting on it."""

    def __init__(self, first_seq: int, budget: ByteBudget, floor: int | None = None) -> None:
        self.seq = first_seq
        """The number of the latest event this process has seen (its followers' cursor)."""
        self.floor = first_seq if floor is None else max(first_seq, floor)
        """Numbers up to here may have gone to events never persisted (another process's or
        a crashed one's tokens): this process numbers its own events after it."""
        self.reserved = self.floor
        """The highest number this process knows to be reserved (by itself or another)."""
        self.events = EventWindow(budget, MEMORY_EVENTS)
        self.changed = asyncio.Condition()
        self.followers = 0

    @property
    def idle(self) -> bool:
        """No stream follows it and its last turn has ended (its last event is persisted)."""
        return self.followers == 0 and (not self.events or self.events[-1][1]["type"] in _TURN_END)


class EventHub:
    """Publishes conversation events and lets streams follow them from any cursor."""

    def __init__(self, store: ServerStore, cache_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self._store = store
        self._logs: OrderedDict[str, ConversationLog] = OrderedDict()
        self._budget = ByteBudget(cache_bytes)
        self.relay: EventRelay | None = None
        self.observers: list[EventRelay] = []
        """Called with every event this process publishes (push notifications)."""

    @property
    def cached_bytes(self) -> int:
        """Estimated memory the kept events take now."""
        return self._budget.used

    def _log(self, conversation_id: str) -> ConversationLog:
        log = self._logs.get(conversation_id)
        if log is None:
            log = ConversationLog(
                self._store.last_seq(conversation_id),
                self._budget,
                floor=self._store.reserved_seq(conversation_id),
            )
            self._logs[conversation_id] = log
            self._evict()
        else:
            self._logs.move_to_end(conversation_id)
        return log

    def _evict(self) -> None:
        """Drop the least recently used idle logs beyond `MEMORY_CONVERSATIONS`."""
        excess = len(self._logs) - MEMORY_CONVERSATIONS
        for conversation_id in list(self._logs):
            if excess <= 0:
                break
            if self._logs[conversation_id].idle:
                self._logs.pop(conversation_id).events.clear()
                excess -= 1

    def _shrink(self) -> None:
        """Once the byte budget is exceeded, free memory down to its low-water mark.

        Least recently used conversations first: idle ones go whole; then the oldest
        events of the rest (each keeps its newest event, so a running turn is still seen
        as running).
        """
        budget = self._budget
        if not budget.exceeded:
            return
        for conversation_id in list(self._logs):
            if not budget.above_low_water:
                return
            if self._logs[conversation_id].idle:
                self._logs.pop(conversation_id).events.clear()
        for log in list(self._logs.values()):
            while budget.above_low_water and log.events.drop_oldest():
                pass
            if not budget.above_low_water:
                return

    def forget(self, conversation_id: str) -> None:
        """Drop a conversation's events from memory (its data was erased)."""
        log = self._logs.pop(conversation_id, None)
        if log is not None:
            log.events.clear()

    def followed(self) -> list[str]:
        """The conversations at least one stream of this process follows now."""
        return [cid for cid, log in self._logs.items() if log.followers]

    def cursor(self, conversation_id: str) -> int:
        """The sequence number of the conversation's latest event."""
        return self._log(conversation_id).seq

    async def publish(self, conversation_id: str, event: dict[str, Any]) -> int:
        """Number, keep and (unless transient) persist an event; wake the followers.

        Events are checked against the event schema first (tokens, the bulk of the traffic,
        are built from it by the graph and skip the check).
        """
        if event["type"] not in UNCHECKED:
            validate_event(event)
        log = self._log(conversation_id)
        log.seq = seq = max(log.seq, log.floor) + 1
        if seq > log.reserved:
            log.reserved = seq + SEQ_BLOCK - 1
            self._store.reserve_seq(conversation_id, log.reserved)
        log.events.append((seq, event))
        if event["type"] not in TRANSIENT:
            self._store.append_event(conversation_id, seq, event)
        self._shrink()
        if self.relay is not None:
            self.relay(conversation_id, seq, event)
        for observer in self.observers:
            observer(conversation_id, seq, event)
        async with log.changed:
            log.changed.notify_all()
        return seq

    def _fill_from_store(
        self, conversation_id: str, log: ConversationLog, below: int | None
    ) -> None:
        """Append the persisted events between the log's last number and `below`."""
        for seq, event in self._store.events_after(conversation_id, log.seq):
            if below is not None and seq >= below:
                break
            log.events.append((seq, event))
            log.seq = seq
        self._shrink()

    async def catch_up(self, conversation_id: str) -> None:
        """Continue numbering after events other processes persisted (missed or not relayed)."""
        log = self._log(conversation_id)
        before = log.seq
        self._fill_from_store(conversation_id, log, below=None)
        if log.seq != before:
            async with log.changed:
                log.changed.notify_all()

    def take_over(self, conversation_id: str) -> None:
        """Number after every number another process reserved (this one now holds the lease).

        Called once caught up: the previous holder may have streamed tokens (never
        persisted) up to its reservation; they must keep their numbers.
        """
        log = self._log(conversation_id)
        reserved = self._store.reserved_seq(conversation_id)
        if reserved > log.reserved:
            log.seq = max(log.seq, reserved)
            log.reserved = log.floor = reserved

    async def deliver(self, conversation_id: str, seq: int, event: dict[str, Any]) -> None:
        """Take in an event another process numbered and persisted; ignore ones already here.

        Only conversations this process has a log for are updated; a log made later starts
        from the store. A gap (events published before this process saw the conversation)
        is filled with the persisted events; streamed tokens in it are lost.
        """
        log = self._logs.get(conversation_id)
        if log is None or seq <= log.seq:
            return
        if seq > log.seq + 1:
            self._fill_from_store(conversation_id, log, below=seq)
        log.seq = seq
        log.events.append((seq, event))
        self._shrink()
        async with log.changed:
            log.changed.notify_all()

    def _after(self, conversation_id: str, cursor: int) -> list[tuple[int, dict[str, Any]]]:
        log = self._log(conversation_id)
        events = log.events
        if events and events[0][0] <= cursor + 1:
            # Followers are rarely far behind: walk back from the newest event.
            pending: list[tuple[int, dict[str, Any]]] = []
            for item in reversed(events):
                if item[0] <= cursor:
                    break
                pending.append(item)
            pending.reverse()
            return pending
        stored = self._store.events_after(conversation_id, cursor)
        if not events:
            return stored
        # Older than memory: the persisted events, then the kept ones (tokens included).
        first = events[0][0]
        return [item for item in stored if item[0] < first] + list(events)

    async def follow_batches(
        self, conversation_id: str, cursor: int, until_done: bool
    ) -> AsyncIterator[list[tuple[int, dict[str, Any]]]]:
        """Yield the events after `cursor` in batches: all that arrived since the last one.

        A stream sends a batch in one write, so a busy server sends fewer, larger writes
        instead of falling behind event by event. With `until_done`, the batch holding the
        turn's `done` (or `error`) is cut after it and is the last.
        """
        log = self._log(conversation_id)
        if not log.followers:
            # Unfollowed, the log may have missed what other processes persisted meanwhile
            # (the store tail catches up followed conversations only).
            self._fill_from_store(conversation_id, log, below=None)
        log.followers += 1
        try:
            while True:
                async with log.changed:
                    pending = self._after(conversation_id, cursor)
                    if not pending:
                        await log.changed.wait()
                        continue
                if until_done:
                    end = next(
                        (i for i, (_, e) in enumerate(pending) if e["type"] in _TURN_END), None
                    )
                    if end is not None:
                        yield pending[: end + 1]
                        return
                cursor = pending[-1][0]
                yield pending
        finally:
            log.followers -= 1

    async def follow(
        self, conversation_id: str, cursor: int, until_done: bool
    ) -> AsyncIterator[tuple[int, dict[str, Any]]]:
        """Yield events after `cursor` one by one as they arrive (see `follow_batches`)."""
        async for batch in self.follow_batches(conversation_id, cursor, until_done):
            for item in batch:
                yield item


class QueueFeed:
    """Fan-out of handoff-queue changes to every connected agent."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self.relay: QueueRelay | None = None

    def publish(self, change: dict[str, Any]) -> None:
        """Send a queue change to every subscriber here and to the other processes."""
        self.deliver(change)
        if self.relay is not None:
            self.relay(change)

    def deliver(self, change: dict[str, Any]) -> None:
        """Send a queue change to this process's subscribers (slow ones drop old changes)."""
        for queue in list(self._subscribers):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(change)

    async def subscribe(self) -> AsyncIterator[dict[str, Any]]:
        """Yield queue changes until the subscriber goes away."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=256)
        self._subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers.discard(queue)
