"""Read a conversation's checkpointed state and its event log as API objects.

The transcript comes from the event log (`conversations.transcript`), which keeps every
message until the conversation is deleted; the checkpointed state keeps only the latest.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.store.base import BaseStore

from conversations.transcript import read_transcript
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


async def transcript_messages(runtime: ServerRuntime, conversation_id: str) -> list[Message]:
    """A conversation's whole transcript, oldest first."""
    lines = await asyncio.to_thread(read_transcript, runtime.store, conversation_id)
    return [
        Message(
            index=line.index,
            role=line.role,
            author=line.author,
            text=line.text,
            attachments=[AttachmentInfo.model_validate(item) for item in line.attachments],
        )
        for line in lines
    ]


async def conversation_view(runtime: ServerRuntime, record: dict[str, Any]) -> Conversation:
    """A conversation's metadata joined with its checkpointed state."""
    values, waiting = await conversation_state(runtime, record["id"])
    lines = await asyncio.to_thread(read_transcript, runtime.store, record["id"])
    return Conversation(
        id=record["id"],
        customer_id=record["customer_id"],
        channel=record["channel"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
        handoff_status=(values.get("handoff") or {}).get("status", "none"),
        waiting_for_human=waiting,
        intent=values.get("intent"),
        message_count=len(lines),
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
