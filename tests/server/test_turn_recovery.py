"""Turns a crash left open are closed for the customer, never left hanging or overwritten.

A crash is simulated by the record a turn leaves while it runs: written to the server store
from outside the app, for a turn the graph never took in (the resume from a checkpoint runs
in `tests/integration/test_crash_recovery.py`, against killed server processes).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from conversations.recovery import NOT_PROCESSED
from conversations.store_sqlite import SqliteServerStore
from graphs.services import Services
from server.app import create_app
from tests.server.conftest import Api, parse_sse


def _interrupt(settings: Settings, conversation_id: str) -> None:
    """Leave the record of a turn that started and whose process then died."""
    store = SqliteServerStore(settings.queue_db)
    cursor = store.last_seq(conversation_id)
    record = {"kind": "customer", "cursor": cursor, "started_at": time.time(), "context": {}}
    store.open_turn(conversation_id, record)
    store.close()


def _events(settings: Settings, conversation_id: str) -> list[dict]:
    store = SqliteServerStore(settings.queue_db)
    try:
        return [event for _, event in store.events_after(conversation_id, 0)]
    finally:
        store.close()


@pytest.fixture
def recovering_api(server_settings: Settings, services: Services) -> Iterator[Api]:
    server_settings.turn_recovery_seconds = 0.1
    with TestClient(create_app(server_settings, services)) as client:
        yield Api(client, server_settings)


@pytest.fixture
def api_without_sweeps(server_settings: Settings, services: Services) -> Iterator[Api]:
    server_settings.turn_recovery_seconds = 0
    with TestClient(create_app(server_settings, services)) as client:
        yield Api(client, server_settings)


def test_recovery_closes_an_interrupted_turn_with_an_error(
    recovering_api: Api, server_settings: Settings
) -> None:
    headers = recovering_api.customer()
    conversation = recovering_api.new_conversation(headers)
    first = recovering_api.say(conversation, "hi", headers)
    assert first[-1]["type"] == "done"
    _interrupt(server_settings, conversation)

    url = f"/v1/conversations/{conversation}/events?until_done=true"
    stream_headers = {**headers, "Last-Event-ID": str(first[-1]["id"])}
    with recovering_api.client.stream("GET", url, headers=stream_headers) as response:
        (error,) = parse_sse(response.iter_lines())
    assert error["type"] == "error" and error["id"] > first[-1]["id"]
    assert error["detail"].startswith(NOT_PROCESSED) and "Nothing was changed" in error["detail"]
    store = SqliteServerStore(server_settings.queue_db)
    assert store.open_turns() == []
    store.close()


def test_a_new_message_first_closes_the_interrupted_turn(
    api_without_sweeps: Api, server_settings: Settings
) -> None:
    api = api_without_sweeps
    headers = api.customer()
    conversation = api.new_conversation(headers)
    assert api.say(conversation, "hi", headers)[-1]["type"] == "done"
    _interrupt(server_settings, conversation)

    events = api.say(conversation, "where is my order?", headers)
    assert events[0]["type"] == "customer_message" and events[-1]["type"] == "done"
    types = [event["type"] for event in _events(server_settings, conversation)]
    assert types[0] == "customer_message"
    assert types[types.index("done") + 1 :][:2] == ["error", "customer_message"]
    assert types[-1] == "done"
