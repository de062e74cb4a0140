"""Live channels: the agents' queue feed and the conversation WebSocket."""

from __future__ import annotations

import json
import threading

import pytest
from starlette.websockets import WebSocketDisconnect


def test_agents_get_queue_updates_without_polling(api):
    received: list[dict] = []
    subscribed = threading.Event()

    def listen() -> None:
        with api.client.stream("GET", "/v1/queue/events", headers=api.agent()) as response:
            subscribed.set()
            for line in response.iter_lines():
                if line.startswith("data:"):
                    received.append(json.loads(line[5:]))
                    return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert subscribed.wait(10)
    feed = api.client.app.state.runtime.feed
    for _ in range(200):  # the generator registers its queue on first iteration
        if feed._subscribers:
            break
        threading.Event().wait(0.01)
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "I need a human agent", alex)
    thread.join(10)
    assert received and received[0]["type"] == "queue_update"
    assert received[0]["entry"]["conversation_id"] == conversation
    assert received[0]["entry"]["status"] == "waiting"


def test_websocket_carries_the_conversation_both_ways(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    token = alex["Authorization"].split()[1]
    url = f"/v1/conversations/{conversation}/ws?access_token={token}"
    with api.client.websocket_connect(url) as socket:
        socket.send_json({"type": "message", "text": "where is my order #W1234567?"})
        events = []
        while not events or events[-1]["type"] != "done":
            events.append(socket.receive_json())
        socket.send_json({"type": "message", "text": ""})
        problem = socket.receive_json()
    assert events[0]["type"] == "customer_message"
    assert "pending" in events[-1]["reply"]
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    assert problem["type"] == "error" and problem["code"] == "invalid_request"


def test_websocket_refuses_bad_tokens_and_strangers(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    base = f"/v1/conversations/{conversation}/ws?access_token="
    with pytest.raises(WebSocketDisconnect) as refused, api.client.websocket_connect(base + "x"):
        pass
    assert refused.value.code == 4401
    sam = api.customer("sam_lee_2002")["Authorization"].split()[1]
    with pytest.raises(WebSocketDisconnect) as hidden, api.client.websocket_connect(base + sam):
        pass
    assert hidden.value.code == 4404
