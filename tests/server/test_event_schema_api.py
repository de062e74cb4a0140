"""Events on the wire (SSE, WebSocket, queue feed) match the typed event schema."""

from __future__ import annotations

import json
from typing import Any

from graphs.event_schema import validate_event, validate_queue_event
from tests.server.conftest import parse_sse


def _check(events: list[dict[str, Any]]) -> list[str]:
    """Validate streamed events without the `id` the transport adds; return their types."""
    for event in events:
        assert isinstance(event.pop("id"), int)
        validate_event(event)
    return [event["type"] for event in events]


def test_sse_events_of_a_conversation_validate(api):
    feed = api.client.app.state.runtime.feed
    changes: list[dict[str, Any]] = []
    publish = feed.publish
    feed.publish = lambda change: (changes.append(json.loads(json.dumps(change))), publish(change))

    alex, dana = api.customer(), api.agent("dana")
    conversation = api.new_conversation(alex)
    seen = set(_check(api.say(conversation, "where is my order #W1234567?", alex)))
    seen |= set(_check(api.say(conversation, "what is your return policy?", alex)))
    seen |= set(_check(api.say(conversation, "get me a human", alex)))

    cursor = api.client.get(f"/v1/conversations/{conversation}", headers=alex).json()
    api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    api.client.post(f"/v1/queue/{conversation}/reply", json={"text": "Dana here."}, headers=dana)
    with api.client.stream(
        "GET",
        f"/v1/conversations/{conversation}/events?after={cursor['last_event_id']}&until_done=true",
        headers=alex,
    ) as response:
        seen |= set(_check(parse_sse(response.iter_lines())))

    assert seen >= {"customer_message", "tool", "token", "handoff", "agent_message", "done"}
    assert {change["entry"]["status"] for change in changes} == {"waiting", "claimed"}
    for change in changes:
        validate_queue_event(change)


def test_websocket_events_validate(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    token = alex["Authorization"].split()[1]
    with api.client.websocket_connect(
        f"/v1/conversations/{conversation}/ws?access_token={token}"
    ) as socket:
        socket.send_json({"type": "message", "text": "where is my order #W1234567?"})
        events: list[dict[str, Any]] = []
        while not events or events[-1]["type"] != "done":
            events.append(socket.receive_json())
        socket.send_json({"type": "message", "text": ""})
        rejected = socket.receive_json()
    assert "done" in _check(events)
    assert validate_event(rejected)["code"] == "invalid_request"
