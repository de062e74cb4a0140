"""Run one conversation turn and translate the graph's stream into typed events.

Every channel (terminal, SSE, WebSocket) renders the same event dicts:
`token` (a piece of the reply), `tool` (a tool starting or finishing), `status`,
`handoff` (the conversation now waits for a human), `agent_message`, and `done`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langgraph.types import Command

from graphs.context import Context
from graphs.messages import message_text

STREAM_MODES = ["messages", "updates", "custom"]


def new_conversation_id() -> str:
    """A fresh conversation (thread) id."""
    return uuid.uuid4().hex


def turn_config(conversation_id: str) -> dict[str, Any]:
    """The LangGraph config addressing one conversation's checkpoints."""
    return {"configurable": {"thread_id": conversation_id}}


def customer_input(text: str, channel: str) -> dict[str, Any]:
    """The graph input for a customer's message."""
    return {"messages": [HumanMessage(content=text, id=uuid.uuid4().hex)], "channel": channel}


def _translate(part: dict[str, Any]) -> Iterator[dict[str, Any]]:
    kind, data = part["type"], part["data"]
    if kind == "custom" and isinstance(data, dict) and "event" in data:
        event = dict(data)
        yield {"type": event.pop("event"), **event}
    elif kind == "messages":
        chunk, _metadata = data
        if isinstance(chunk, AIMessageChunk):
            text = message_text(chunk)
            if text:
                yield {"type": "token", "text": text}
    elif kind == "updates":
        for node, update in data.items():
            if node == "__interrupt__":
                for item in update:
                    yield {"type": "handoff", "payload": item.value}
            elif isinstance(update, dict):
                for message in update.get("messages", []) or []:
                    if (
                        isinstance(message, AIMessage)
                        and message.additional_kwargs.get("author") == "human_agent"
                    ):
                        yield {
                            "type": "agent_message",
                            "agent": message.name,
                            "text": message_text(message),
                        }


def _done_event(
    conversation_id: str, values: dict[str, Any], seen: int, waiting: bool
) -> dict[str, Any]:
    new = values.get("messages", [])[seen:]
    last = next((m for m in reversed(new) if isinstance(m, AIMessage)), None)
    return {
        "type": "done",
        "conversation_id": conversation_id,
        "reply": message_text(last) if last else "",
        "waiting_for_human": waiting,
        "handoff_status": (values.get("handoff") or {}).get("status", "none"),
    }


async def astream_turn(
    graph: Any,
    conversation_id: str,
    graph_input: dict[str, Any] | Command,
    context: Context,
    durability: str = "sync",
) -> AsyncIterator[dict[str, Any]]:
    """Async twin of `stream_turn`, for servers running many conversations at once."""
    config = turn_config(conversation_id)
    seen = len((await graph.aget_state(config)).values.get("messages", []))
    async for part in graph.astream(
        graph_input,
        config,
        context=context,
        stream_mode=STREAM_MODES,
        version="v2",
        durability=durability,
    ):
        for event in _translate(part):
            yield event
    state = await graph.aget_state(config)
    yield _done_event(conversation_id, state.values, seen, bool(state.interrupts))


def stream_turn(
    graph: Any,
    conversation_id: str,
    graph_input: dict[str, Any] | Command,
    context: Context,
    durability: str = "sync",
) -> Iterator[dict[str, Any]]:
    """Run one turn (a customer message or an agent's resume) and yield typed events."""
    config = turn_config(conversation_id)
    seen = len(graph.get_state(config).values.get("messages", []))
    for part in graph.stream(
        graph_input,
        config,
        context=context,
        stream_mode=STREAM_MODES,
        version="v2",
        durability=durability,
    ):
        yield from _translate(part)
    state = graph.get_state(config)
    yield _done_event(conversation_id, state.values, seen, bool(state.interrupts))
