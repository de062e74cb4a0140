"""Read a conversation's checkpointed state as API objects."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.store.base import BaseStore

from graphs.messages import message_text
from graphs.turns import attachment_note, turn_config
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


def transcript_messages(values: dict[str, Any]) -> list[Message]:
    """The customer, bot and agent messages of a state, in order."""
    items: list[Message] = []
    for index, message in enumerate(values.get("messages", [])):
        text = message_text(message)
        if isinstance(message, HumanMessage):
            items.append(customer_message(index, text, message.additional_kwargs))
        elif isinstance(message, AIMessage) and text:
            if message.additional_kwargs.get("author") == "human_agent":
                items.append(Message(index=index, role="agent", author=message.name, text=text))
            else:
                items.append(Message(index=index, role="bot", author="tandem", text=text))
    return items


def customer_message(index: int, text: str, extra: dict[str, Any]) -> Message:
    """A customer's message with its attachments (the line the model read about them cut)."""
    refs = [AttachmentInfo.model_validate(item) for item in extra.get("attachments") or []]
    if refs:
        note = attachment_note([ref.model_dump() for ref in refs])
        text = text.removesuffix(note).rstrip()
    return Message(index=index, role="customer", text=text, attachments=refs)


async def conversation_view(runtime: ServerRuntime, record: dict[str, Any]) -> Conversation:
    """A conversation's metadata joined with its checkpointed state."""
    values, waiting = await conversation_state(runtime, record["id"])
    return Conversation(
        id=record["id"],
        customer_id=record["customer_id"],
        channel=record["channel"],
        created_at=record["created_at"],
        updated_at=record["updated_at"],
        handoff_status=(values.get("handoff") or {}).get("status", "none"),
        waiting_for_human=waiting,
        intent=values.get("intent"),
        message_count=len(values.get("messages", [])),
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
