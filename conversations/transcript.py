"""A conversation's transcript, read from its event log.

The event log keeps every message until the conversation is deleted, while the graph's
checkpointed state keeps only the latest ones (`graphs.messages.TRANSCRIPT_WINDOW`). Each
line's `index` is the sequence number of the event that carried it: it orders the lines and
serves as a page cursor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from conversations.store import ServerStore

TRANSCRIPT_EVENTS = ("customer_message", "agent_message", "done")
"""The event types that carry a transcript's messages."""

EVENT_PAGE = 1000
"""Events read from the store per call while assembling a transcript."""


@dataclass(frozen=True)
class TranscriptLine:
    """One customer, bot or human-agent message."""

    index: int
    role: Literal["customer", "bot", "agent"]
    text: str
    author: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)


def transcript_from_events(events: list[tuple[int, dict[str, Any]]]) -> list[TranscriptLine]:
    """The messages carried by a conversation's events, in order.

    A turn's `done` repeats the conversation's latest reply; when that was a human agent's
    message, already listed from its `agent_message` event, it is not listed twice.
    """
    lines: list[TranscriptLine] = []
    agent_said: set[str] = set()
    for seq, event in events:
        kind = event.get("type")
        if kind == "customer_message":
            text = str(event.get("text", ""))
            attached = [dict(item) for item in event.get("attachments") or []]
            lines.append(TranscriptLine(seq, "customer", text, None, attached))
            agent_said.clear()
        elif kind == "agent_message":
            text = str(event.get("text", ""))
            agent_said.add(text)
            lines.append(TranscriptLine(seq, "agent", text, event.get("agent")))
        elif kind == "done":
            reply = str(event.get("reply") or "")
            if reply and reply not in agent_said:
                lines.append(TranscriptLine(seq, "bot", reply, "tandem"))
                agent_said.clear()
    return lines


def all_events(
    store: ServerStore,
    conversation_id: str,
    types: tuple[str, ...] | None = None,
    page_size: int = EVENT_PAGE,
) -> list[tuple[int, dict[str, Any]]]:
    """Every persisted event of a conversation (of `types`, if given), oldest first.

    Read page by page (blocking: run in a thread).
    """
    events: list[tuple[int, dict[str, Any]]] = []
    after = 0
    while True:
        page = store.events_after(conversation_id, after, types, page_size)
        events.extend(page)
        if len(page) < page_size:
            return events
        after = page[-1][0]


def read_transcript(store: ServerStore, conversation_id: str) -> list[TranscriptLine]:
    """A conversation's whole transcript from its event log (blocking: run in a thread)."""
    return transcript_from_events(all_events(store, conversation_id, TRANSCRIPT_EVENTS))
