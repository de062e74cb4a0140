"""Read a conversation's checkpointed state and its event log as API objects.

The transcript comes from the event log, which keeps every message until the conversation
is deleted; the checkpointed state keeps only the latest messages (see
`graphs.messages.TRANSCRIPT_WINDOW`). A message's `index` is the sequence number of the
event that carried it, so it orders messages and serves as a page cursor.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.store.base import BaseStore

from conversations.store import ServerStore
from graphs.turns import turn_config
from memory.long_term import CustomerMemory
from server.runtime import ServerRuntime
from server.schemas import (
    AttachmentInfo,
    Conversation,
    CustomerProfile,
    EarlierConversation,
    Message,
    TranscriptCustomer,
)

EARLIER_CONVERSATIONS = 10


async def conversation_state(
    runtime: ServerRuntime, conversation_id: str
) -> tuple[dict[str, Any], bool]:
    """The conversation's latest state values and whether it waits for a human."""
    snapshot = await runtime.graph.aget_state(turn_config(conversation_id))
    return dict(snapshot.values or {}), bool(snapshot.interrupts)


TRANSCRIPT_EVENTS = ("customer_message", "agent_message", "done")
"""The event types that carry a transcript's messages."""

EVENT_PAGE = 1000
"""Events read from the store per call while assembling a transcript."""


def transcript_from_events(events: list[tuple[int, dict[str, Any]]]) -> list[Message]:
    """The customer, bot and agent messages carried by a conversation's events, in order.

    A turn's `done` repeats the conversation's latest reply; when that was a human agent's
    message, already listed from its `agent_message` event, it is not listed twice.
    """
    items: list[Message] = []
    agent_said: set[str] = set()
    for seq, event in events:
        kind = event.get("type")
        if kind == "customer_message":
            refs = [AttachmentInfo.model_validate(a) for a in event.get("attachments") or []]
            items.append(
                Message(index=seq, role="customer", text=event.get("text", ""), attachments=refs)
            )
            agent_said.clear()
        elif kind == "agent_message":
            text = str(event.get("text", ""))
            agent_said.add(text)
            items.append(Message(index=seq, role="agent", author=event.get("agent"), text=text))
        elif kind == "done":
            reply = str(event.get("reply") or "")
            if reply and reply not in agent_said:
                items.append(Message(index=seq, role="bot", author="tandem", text=reply))
                agent_said.clear()
    return items


def read_transcript(store: ServerStore, conversation_id: str) -> list[Message]:
    """A conversation's whole transcript from its event log (blocking: run in a thread)."""
    events: list[tuple[int, dict[str, Any]]] = []
    after = 0
    while True:
        page = store.events_after(conversation_id, after, TRANSCRIPT_EVENTS, EVENT_PAGE)
        events.extend(page)
        if len(page) < EVENT_PAGE:
            return transcript_from_events(events)
        after = page[-1][0]


async def transcript_messages(runtime: ServerRuntime, conversation_id: str) -> list[Message]:
    """A conversation's whole transcript, oldest first."""
    return await asyncio.to_thread(read_transcript, runtime.store, conversation_id)


async def conversation_view(runtime: ServerRuntime, record: dict[str, Any]) -> Conversation:
    """A conversation's metadata joined with its checkpointed state."""
    values, waiting = await conversation_state(runtime, record["id"])
    messages = await transcript_messages(runtime, record["id"])
    return Conversation(
        id=record["id"],
        customer_id=record["customer_id"],
        channel=record["channel"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
        handoff_status=(values.get("handoff") or {}).get("status", "none"),
        waiting_for_human=waiting,
        intent=values.get("intent"),
        message_count=len(messages),
        turn_running=runtime.runner.busy(record["id"]),
        last_event_id=runtime.hub.cursor(record["id"]),
        awaiting_confirmation=bool(values.get("pending_action")),
    )


def customer_view(
    store: BaseStore, tenant: str, customer_id: str, conversation_id: str
) -> TranscriptCustomer:
    """The customer's remembered profile and other conversations (blocking: run in a thread)."""
    memory = CustomerMemory(store, tenant)
    profile = memory.profile(customer_id)
    summaries = memory.conversation_summaries(customer_id, limit=EARLIER_CONVERSATIONS + 1)
    earlier = [item for item in summaries if item["conversation_id"] != conversation_id]
    return TranscriptCustomer(
        user_id=customer_id,
        profile=CustomerProfile(
            name=profile.get("name"),
            email=profile.get("email"),
            verified_by=profile.get("verified_by"),
            last_seen=profile.get("last_seen"),
        )
        if profile
        else None,
        earlier_conversations=[
            EarlierConversation(
                conversation_id=item["conversation_id"],
                summary=str(item.get("summary", "")),
                when=int(item.get("remembered_at", 0)) / 1e9,
                outcome=item.get("outcome"),
                intent=item.get("intent"),
            )
            for item in earlier[:EARLIER_CONVERSATIONS]
        ],
    )
