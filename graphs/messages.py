"""Small helpers for reading the transcript."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AnyMessage, HumanMessage


def message_text(message: AnyMessage) -> str:
    """Return a message's text whether its content is a string or content blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def last_customer_message(messages: Sequence[AnyMessage]) -> HumanMessage | None:
    """Return the latest message written by the customer, if any."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message
    return None
