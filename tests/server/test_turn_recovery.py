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
from conversations.recovery import MAX_RESUMES, NOT_FINISHED, NOT_PROCESSED
from conversations.store_sqlite import SqliteServerStore
from graphs.services import Services
from server.app import create_app
from tests.server.conftest import Api, parse_sse


def _interrupt(
    settings: Settings, conversation_id: str, cursor: int | None = None, **record: object
) -> None:
    """Leave the record of a turn that started and whose process then died."""
    store = SqliteServerStore(settings.queue_db)
    cursor = store.last_seq(conversation_id) if cursor is None else cursor
    started = {"kind": "customer", "cursor": cursor, "started_at": time.time(), "context": {}}
    store.open_turn(conversation_id, {**started, **record})
    store.close()


def _follow(api: Api, conversation: str, after: int) -> list[dict]:
    url = f"/v1/conversations/{conversation}/events?until_done=true"
    headers = {**api.customer(), "Last-Event-ID": str(after)}
    with api.client.stream("GET", url, headers=headers) as response:
        return parse_sse(response.iter_lines())


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


def test_a_turn_whose_graph_finished_is_closed_with_its_saved_reply(
    recovering_api: Api, server_settings: Settings
) -> None:
    headers = recovering_api.customer()
    conversation = recovering_api.new_conversation(headers)
    first = recovering_api.say(conversation, "hi", headers)
    echo = first[0]["id"]
    # The process died after the graph's last checkpoint, before `done` was published.
    store = SqliteServerStore(server_settings.queue_db)
    with store._lock:
        store._conn.execute("DELETE FROM events WHERE seq = ?", (first[-1]["id"],))
    store.close()
    _interrupt(server_settings, conversation, cursor=echo - 1, started_at=0)

    rest = _follow(recovering_api, conversation, first[-1]["id"])
    assert [e["type"] for e in rest] == ["status", "done"]
    assert rest[-1]["reply"] == first[-1]["reply"] and rest[-1]["reply"]


def test_a_turn_whose_resumption_keeps_failing_is_closed_with_an_error(
    recovering_api: Api, server_settings: Settings
) -> None:
    headers = recovering_api.customer()
    conversation = recovering_api.new_conversation(headers)
    first = recovering_api.say(conversation, "hi", headers)
    _interrupt(server_settings, conversation, started_at=0, resumes=MAX_RESUMES)

    (error,) = _follow(recovering_api, conversation, first[-1]["id"])
    assert error["type"] == "error" and error["detail"].startswith(NOT_FINISHED)
