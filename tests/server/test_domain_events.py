"""Domain events from real conversations through the API, and their Parquet export."""

from __future__ import annotations

import time

import pytest

duckdb = pytest.importorskip("duckdb")  # the analytics extra (in the dev install)

from conversations.analytics_export import export_parquet  # noqa: E402
from conversations.domain_events import read_event_log  # noqa: E402
from conversations.store_sqlite import SqliteServerStore  # noqa: E402
from server.metrics import Window, dashboard_metrics  # noqa: E402


def _events(settings):
    return list(read_event_log(settings.event_log))


def _run_fixture(api):
    """Two used conversations (one contained, one handed off and resolved), one unused."""
    alex = api.customer()
    contained = api.new_conversation(alex)
    api.say(contained, "Where is my order #W1234567?", alex)
    handed = api.new_conversation(alex)
    api.say(handed, "I am furious, get me a human now", alex)
    dana = api.agent("dana")
    assert api.client.post(f"/v1/queue/{handed}/claim", headers=dana).status_code == 200
    reply = api.client.post(f"/v1/queue/{handed}/reply", json={"text": "On it."}, headers=dana)
    assert reply.status_code == 200
    api.client.post(f"/v1/queue/{handed}/resolve", json={"text": ""}, headers=dana)
    rated = api.client.put(f"/v1/conversations/{handed}/csat", json={"score": 4}, headers=alex)
    assert rated.status_code in (200, 204), rated.text
    api.new_conversation(alex)
    return contained, handed


def test_a_conversation_publishes_its_domain_events_without_text(api, server_settings):
    contained, handed = _run_fixture(api)
    events = _events(server_settings)
    by_conversation = {}
    for event in events:
        by_conversation.setdefault(event["conversation_id"], []).append(event["type"])
    assert by_conversation[contained][:2] == ["conversation.started", "message.received"]
    assert "tool.executed" in by_conversation[contained]
    assert by_conversation[contained][-1] == "turn.completed"
    handed_types = by_conversation[handed]
    for kind in (
        "handoff.opened",
        "handoff.claimed",
        "agent.replied",
        "conversation.resolved",
    ):
        assert kind in handed_types
    assert handed_types.index("handoff.opened") < handed_types.index("handoff.claimed")
    assert handed_types.index("handoff.claimed") < handed_types.index("conversation.resolved")
    opened = next(e for e in events if e["type"] == "handoff.opened")
    assert opened["data"]["reason"] == "explicit_request"
    claimed = next(e for e in events if e["type"] == "handoff.claimed")
    assert claimed["data"]["agent"] == "dana" and claimed["data"]["wait_seconds"] >= 0
    rating = next(e for e in events if e["type"] == "csat.recorded")
    assert rating["conversation_id"] == handed and rating["data"]["score"] == 4
    raw = server_settings.event_log.read_text()
    assert "alex" not in raw  # no customer id: erasing the customer leaves the log anonymous
    assert "furious" not in raw and "W1234567" not in raw and "On it." not in raw
    assert len({e["id"] for e in events}) == len(events)


def test_exported_events_recompute_the_dashboard(api, server_settings, tmp_path):
    started = time.time() - 1
    _run_fixture(api)
    output = tmp_path / "out" / "events.parquet"
    count = export_parquet(server_settings.event_log, started, output)
    assert count == len(_events(server_settings)) > 0
    store = SqliteServerStore(server_settings.queue_db)
    try:
        dashboard = dashboard_metrics(
            store,
            Window(started, time.time() + 1),
            server_settings.sla_first_response_seconds,
            server_settings.sla_resolution_seconds,
            lambda text: 0.0,
            time.time(),
        )
    finally:
        store.close()
    totals = dashboard["totals"]
    with duckdb.connect() as db:
        db.execute(f"CREATE VIEW e AS SELECT * FROM read_parquet('{output}')")
        conversations, handed_off, messages = db.execute(
            "SELECT count(DISTINCT conversation_id) FILTER (WHERE type = 'message.received'),"
            " count(DISTINCT conversation_id) FILTER (WHERE type = 'handoff.opened'),"
            " count(*) FILTER (WHERE type = 'message.received') FROM e"
        ).fetchone()
        reasons = db.execute(
            "SELECT json_extract_string(data, '$.reason') AS reason, count(*) FROM e"
            " WHERE type = 'handoff.opened' GROUP BY reason ORDER BY 2 DESC"
        ).fetchall()
    assert conversations == totals["conversations"] == 2
    assert messages == totals["messages"]
    assert handed_off == totals["handed_off"]
    assert conversations - handed_off == totals["contained"]
    assert [{"reason": r, "count": c} for r, c in reasons] == dashboard["handoff_reasons"]


def test_export_since_a_later_time_leaves_earlier_events_out(api, server_settings, tmp_path):
    _run_fixture(api)
    output = tmp_path / "later.parquet"
    assert export_parquet(server_settings.event_log, time.time() + 60, output) == 0
    assert duckdb.connect().execute(f"SELECT count(*) FROM '{output}'").fetchone() == (0,)


def test_a_missing_log_exports_an_empty_file(tmp_path):
    output = tmp_path / "events.parquet"
    assert export_parquet(tmp_path / "none.jsonl", 0, output) == 0
    assert output.exists()


@pytest.fixture
def no_events(server_settings):
    server_settings.events_backend = "none"
    return server_settings


def test_events_can_be_turned_off(no_events, services):
    from fastapi.testclient import TestClient

    from server.app import create_app
    from tests.server.conftest import Api

    with TestClient(create_app(no_events, services)) as client:
        api = Api(client, no_events)
        alex = api.customer()
        api.say(api.new_conversation(alex), "hello", alex)
    assert not no_events.event_log.exists()
