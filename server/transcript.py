"""Read a conversation's checkpointed state as API objects."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from graphs.messages import message_text
from graphs.turns import turn_config
from server.runtime import ServerRuntime
from server.schemas import Conversation, Message


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
            items.append(Message(index=index, role="customer", text=text))
        elif isinstance(message, AIMessage) and text:
            if message.additional_kwargs.get("author") == "human_agent":
                items.append(Message(index=index, role="agent", author=message.name, text=text))
            else:
                items.append(Message(index=index, role="bot", author="tandem", text=text))
    return items


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
    )
