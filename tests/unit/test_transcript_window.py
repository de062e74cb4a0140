"""The graph state's bounded message window and the transcript read from events."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage

from conversations.transcript import transcript_from_events
from graphs.messages import TRANSCRIPT_WINDOW, add_recent_messages


def _human(n: int) -> HumanMessage:
    return HumanMessage(content=f"message {n}", id=f"h{n}")


def test_the_window_keeps_the_latest_messages():
    messages = add_recent_messages([], [_human(n) for n in range(TRANSCRIPT_WINDOW)])
    messages = add_recent_messages(messages, [_human(TRANSCRIPT_WINDOW), AIMessage("reply")])
    assert len(messages) == TRANSCRIPT_WINDOW
    assert messages[0].id == "h2" and messages[-1].content == "reply"


def test_a_message_with_a_known_id_is_replaced_in_place():
    messages = add_recent_messages([], [_human(1), _human(2)])
    cleaned = HumanMessage(content="[EMAIL] please", id="h2")
    assert [m.content for m in add_recent_messages(messages, [cleaned])] == [
        "message 1",
        "[EMAIL] please",
    ]


def test_events_become_messages_with_their_sequence_numbers():
    events: list[tuple[int, dict[str, Any]]] = [
        (1, {"type": "customer_message", "text": "hi"}),
        (4, {"type": "done", "reply": "Hello!"}),
        (5, {"type": "customer_message", "text": "a person please", "attachments": []}),
        (9, {"type": "done", "reply": "Connecting you."}),
        (12, {"type": "agent_message", "agent": "Dana", "text": "Dana here."}),
        (13, {"type": "done", "reply": "Dana here."}),
        (15, {"type": "done", "reply": "Dana here."}),
        (16, {"type": "customer_message", "text": "thanks"}),
        (18, {"type": "done", "reply": ""}),
    ]
    listed = [(m.index, m.role, m.text) for m in transcript_from_events(events)]
    assert listed == [
        (1, "customer", "hi"),
        (4, "bot", "Hello!"),
        (5, "customer", "a person please"),
        (9, "bot", "Connecting you."),
        (12, "agent", "Dana here."),
        (16, "customer", "thanks"),
    ]


def test_a_bot_answer_after_the_agent_hands_back_is_listed():
    events: list[tuple[int, dict[str, Any]]] = [
        (1, {"type": "agent_message", "agent": "Dana", "text": "Back to the assistant."}),
        (2, {"type": "done", "reply": "Your order #W1 is pending."}),
    ]
    roles = [m.role for m in transcript_from_events(events)]
    assert roles == ["agent", "bot"]
