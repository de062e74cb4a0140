"""Small helpers for reading the transcript, and the reducer that keeps it bounded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import cast

from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.graph.message import Messages, add_messages

TRANSCRIPT_WINDOW = 48
"""Messages the graph state keeps: the latest 24 exchanges.

Every checkpoint serialises the state, and a turn writes several, so a state holding the
whole transcript makes each turn cost more the longer a conversation runs. The nodes read
at most the last dozen or so messages; the complete transcript is the conversation's event
log (`conversations/transcript.py` reads it from there).
"""

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


def only_attachments(message: AnyMessage) -> bool:
    """Whether the customer sent files without writing anything."""
    if not message.additional_kwargs.get("attachments"):
        return False
    return not _ATTACHMENT_NOTE.sub("", message_text(message)).strip()


def customer_words(message: AnyMessage) -> str:
    """What the customer wrote, without the lines naming attached files.

    Classifying and searching on the words keeps a file name from steering either; a message
    that is only attachments keeps its lines, so it is not taken for an empty one.
    """
    text = message_text(message)
    words = _ATTACHMENT_NOTE.sub("", text).strip()
    return words or text


def add_recent_messages(left: Messages, right: Messages) -> list[AnyMessage]:
    """`add_messages` (merge by id, append the new), then keep the latest `TRANSCRIPT_WINDOW`."""
    merged = cast(list[AnyMessage], add_messages(left, right))
    return merged[-TRANSCRIPT_WINDOW:] if len(merged) > TRANSCRIPT_WINDOW else merged
