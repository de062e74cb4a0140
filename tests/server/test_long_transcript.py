"""A conversation longer than the state's message window keeps its whole transcript."""

from __future__ import annotations

import pytest

import graphs.messages
from graphs.turns import turn_config

WINDOW = 6


@pytest.fixture
def small_window(monkeypatch):
    """Keep only the latest few messages in the graph state, so a short test runs past it."""
    monkeypatch.setattr(graphs.messages, "TRANSCRIPT_WINDOW", WINDOW)


def test_the_transcript_outlives_the_state_window(api, small_window):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    said = [f"what is your return policy? ({n})" for n in range(5)]
    replies = [api.say(conversation, text, alex)[-1]["reply"] for text in said]

    graph = api.client.app.state.runtime.graph
    state = api.client.portal.call(graph.aget_state, turn_config(conversation)).values
    assert len(state["messages"]) == WINDOW
    assert state["customer_turns"] == 5

    meta = api.client.get(f"/v1/conversations/{conversation}", headers=alex).json()
    assert meta["message_count"] == 10
    url = f"/v1/conversations/{conversation}/messages"
    first = api.client.get(f"{url}?limit=4", headers=alex).json()
    rest = api.client.get(f"{url}?cursor={first['next_cursor']}", headers=alex).json()
    items = first["items"] + rest["items"]
    assert [m["text"] for m in items if m["role"] == "customer"] == said
    assert [m["text"] for m in items if m["role"] == "bot"] == replies
    indexes = [m["index"] for m in items]
    assert indexes == sorted(set(indexes))


def test_the_handover_note_counts_every_customer_message(api, small_window):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    for n in range(4):
        api.say(conversation, f"what is your return policy? ({n})", alex)
    events = api.say(conversation, "I want to talk to a person", alex)
    handoff = next(e for e in events if e["type"] == "handoff")
    assert "after 5 messages" in handoff["payload"]["summary"]
