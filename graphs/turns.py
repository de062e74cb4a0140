"""Run one conversation turn and translate the graph's stream into typed events.

Every channel (terminal, SSE, WebSocket) renders the same event dicts:
`token` (a piece of the reply), `tool` (a tool starting or finishing), `status`,
`handoff` (the conversation now waits for a human), `agent_message`, and `done`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langgraph.types import Command

from graphs.context import Context
from graphs.messages import message_text

STREAM_MODES = ["messages", "updates", "custom", "values"]
"""`values` gives the state after every step: the last one builds `done` without a read."""


def new_conversation_id() -> str:
    """A fresh conversation (thread) id."""
    return uuid.uuid4().hex


def turn_config(conversation_id: str) -> dict[str, Any]:
    """The LangGraph config addressing one conversation's checkpoints."""
    return {"configurable": {"thread_id": conversation_id}}


def attachment_note(attachments: Sequence[Mapping[str, Any]]) -> str:
    """What the model reads of attached files: one line each, never their bytes or location."""
    return "\n".join(
        f"[customer attached {item['filename']} ({item['content_type']}, "
        f"{readable_size(int(item['size']))})]"
        for item in attachments
    )


def readable_size(size: int) -> str:
    """`532 bytes`, `120 KB`, `2.4 MB`."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def customer_input(
    text: str, channel: str, attachments: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The graph input for a customer's message (attachments: their `AttachmentRef` dicts)."""
    if not attachments:
        message = HumanMessage(content=text, id=uuid.uuid4().hex)
    else:
        content = f"{text}\n\n{attachment_note(attachments)}".strip()
        refs = [dict(item) for item in attachments]
        message = HumanMessage(
            content=content, id=uuid.uuid4().hex, additional_kwargs={"attachments": refs}
        )
    return {"messages": [message], "channel": channel, "customer_turns": 1}


class _Turn:
    """Translates one run's stream parts into events and remembers the reply it produced."""

    def __init__(self) -> None:
        self.reply = ""
        self.values: dict[str, Any] | None = None
        """The state after the run's latest step (None until a step ran)."""
        self.interrupted = False
        """Whether the run stopped at an interrupt (the conversation waits for a person)."""

    def translate(self, part: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The typed events of one v2 stream part."""
        kind, data = part["type"], part["data"]
        if kind == "values":
            self.values = data
        elif kind == "custom" and isinstance(data, dict) and "event" in data:
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
                    self.interrupted = True
                    for item in update:
                        yield {"type": "handoff", "payload": item.value}
                elif isinstance(update, dict):
                    yield from self._messages(update.get("messages") or [])

    def _messages(self, messages: list[Any]) -> Iterator[dict[str, Any]]:
        for message in messages:
            if not isinstance(message, AIMessage):
                continue
            self.reply = message_text(message)
            if message.additional_kwargs.get("author") == "human_agent":
                yield {"type": "agent_message", "agent": message.name, "text": self.reply}

    @property
    def streamed_state(self) -> bool:
        """Whether the stream carried the final state (else `done` needs the saved one)."""
        return self.values is not None

    def done(self, conversation_id: str, snapshot: Any = None) -> dict[str, Any]:
        """The closing event, from the reply and the state seen in the stream.

        `snapshot` (the saved state) is needed only when no step ran in this run. A run that
        resumed after its reply was saved (a turn finished after a crash) saw no reply in
        its stream: the saved one, when the conversation ends with it, is the reply.
        """
        if snapshot is not None:
            values, interrupted = snapshot.values, bool(snapshot.interrupts)
        else:
            values, interrupted = self.values or {}, self.interrupted
        reply = self.reply
        messages = values.get("messages") or []
        if not reply and messages and isinstance(messages[-1], AIMessage):
            reply = message_text(messages[-1])
        return {
            "type": "done",
            "conversation_id": conversation_id,
            "reply": reply,
            "waiting_for_human": interrupted,
            "handoff_status": (values.get("handoff") or {}).get("status", "none"),
            "planner": values.get("planner"),
            "usage": values.get("usage"),
            "customer_id": (values.get("customer") or {}).get("user_id"),
            "intent": values.get("intent"),
            "sources": _sources(values.get("passages")),
            "awaiting_confirmation": bool(values.get("pending_action")),
        }


def _sources(passages: list[dict[str, Any]] | None) -> list[dict[str, str]] | None:
    """The articles behind the turn's passages, once each, best first (None when none)."""
    titles: dict[str, str] = {}
    for passage in passages or []:
        article_id = str(passage.get("article_id") or "")
        if article_id and article_id not in titles:
            titles[article_id] = str(passage.get("title") or article_id)
    return [{"article_id": key, "title": title} for key, title in titles.items()] or None


async def astream_turn(
    graph: Any,
    conversation_id: str,
    graph_input: dict[str, Any] | Command,
    context: Context,
    durability: str = "sync",
    callbacks: list[Any] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Async twin of `stream_turn`, for servers running many conversations at once.

    `callbacks` (LangChain callback handlers, e.g. the tracer) see every run of the turn.
    """
    config: dict[str, Any] = turn_config(conversation_id)
    if callbacks:
        config["callbacks"] = callbacks
    turn = _Turn()
    async for part in graph.astream(
        graph_input,
        config,
        context=context,
        stream_mode=STREAM_MODES,
        version="v2",
        durability=durability,
    ):
        for event in turn.translate(part):
            yield event
    if turn.streamed_state:
        yield turn.done(conversation_id)
    else:
        yield turn.done(conversation_id, await graph.aget_state(config))


def stream_turn(
    graph: Any,
    conversation_id: str,
    graph_input: dict[str, Any] | Command,
    context: Context,
    durability: str = "sync",
) -> Iterator[dict[str, Any]]:
    """Run one turn (a customer message or an agent's resume) and yield typed events."""
    config = turn_config(conversation_id)
    turn = _Turn()
    for part in graph.stream(
        graph_input,
        config,
        context=context,
        stream_mode=STREAM_MODES,
        version="v2",
        durability=durability,
    ):
        yield from turn.translate(part)
    yield turn.done(conversation_id, None if turn.streamed_state else graph.get_state(config))
