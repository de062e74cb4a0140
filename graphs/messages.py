"""Small helpers for reading the transcript."""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_core.messages import AnyMessage, HumanMessage

_ATTACHMENT_NOTE = re.compile(r"(?:\n*\[customer attached [^\]\n]*\])+\s*$")
"""The lines `customer_input` appends for attached files, at the end of the message."""


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


def customer_words(message: AnyMessage) -> str:
    """What the customer wrote, without the lines naming attached files.

    Classifying and searching on the words keeps a file name from steering either; a message
    that is only attachments keeps its lines, so it is not taken for an empty one.
    """
    text = message_text(message)
    words = _ATTACHMENT_NOTE.sub("", text).strip()
    return words or text
