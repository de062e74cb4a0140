"""Subscriptions over graphql-transport-ws: a conversation's events and the live queue."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

PROTOCOL = ["graphql-transport-ws"]
EVENTS = """
subscription ($id: ID!, $after: Int) {
  conversationEvents(conversationId: $id, after: $after) { id type data }
}
"""
QUEUE = "subscription { queue { type entry { conversationId status } } }"


def connect(socket: Any, headers: dict[str, str]) -> None:
    socket.send_json({"type": "connection_init", "payload": dict(headers)})
    assert socket.receive_json()["type"] == "connection_ack"


def subscribe(socket: Any, query: str, variables: dict[str, Any] | None = None) -> None:
    socket.send_json(
        {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
    )


def test_a_subscription_receives_the_events_of_a_turn_started_through_rest(gapi):
    alex = gapi.customer()
    created = gapi.client.post("/v1/conversations", json={"channel": "web"}, headers=alex)
    conversation, cursor = created.json()["id"], created.json()["last_event_id"]
    with gapi.client.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
        connect(socket, alex)
        subscribe(socket, EVENTS, {"id": conversation, "after": cursor})
        rest_events = gapi.say(conversation, "where is my order #W1234567?", alex)
        received = []
        while not received or received[-1]["type"] != "done":
            message = socket.receive_json()
            assert message["type"] == "next", message
            received.append(message["payload"]["data"]["conversationEvents"])
    assert [e["id"] for e in received] == [e["id"] for e in rest_events]
    assert received[0]["type"] == "customer_message"
    assert received[-1]["data"]["reply"] == rest_events[-1]["reply"]


def test_an_agent_follows_the_queue_live(gapi):
    with gapi.client.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
        connect(socket, gapi.agent())
        subscribe(socket, QUEUE)
        feed = gapi.client.app.state.runtime.feed
        for _ in range(500):  # the subscription registers with the feed on first iteration
            if feed._subscribers:
                break
            threading.Event().wait(0.01)
        alex = gapi.customer()
        conversation = gapi.new_conversation(alex)
        gapi.say(conversation, "I need a human agent", alex)
        change = socket.receive_json()["payload"]["data"]["queue"]
    assert change["type"] == "queue_update"
    assert change["entry"] == {"conversationId": conversation, "status": "waiting"}


def test_subscriptions_keep_the_rest_rules(gapi):
    alex, sam = gapi.customer(), gapi.customer("sam_lee_2002")
    conversation = gapi.new_conversation(alex)
    with gapi.client.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
        connect(socket, alex)
        subscribe(socket, QUEUE)
        refused = socket.receive_json()
    assert refused["payload"]["data"] is None
    assert refused["payload"]["errors"][0]["extensions"]["code"] == "forbidden_role"

    with gapi.client.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket:
        connect(socket, sam)
        subscribe(socket, EVENTS, {"id": conversation})
        hidden = socket.receive_json()
    assert hidden["payload"]["data"] is None
    assert hidden["payload"]["errors"][0]["extensions"]["code"] == "conversation_not_found"


def test_a_socket_without_a_valid_token_is_closed(gapi):
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        gapi.client.websocket_connect("/graphql", subprotocols=PROTOCOL) as socket,
    ):
        socket.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer x"}})
        socket.receive_json()
    assert closed.value.code == 4403
