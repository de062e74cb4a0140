"""The audit log over HTTP: order and agent actions recorded, read and exported by admins."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest


def _audit(api, **params):
    response = api.client.get("/v1/admin/audit", params=params, headers=api.token("admin", "root"))
    assert response.status_code == 200, response.text
    return response


def _handed_off(api) -> str:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    events = api.say(conversation, "this is the third time I ask, get me a human", alex)
    assert events[-1]["waiting_for_human"] is True
    return conversation


def test_a_confirmed_order_action_is_audited_by_the_customer(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "please cancel order #W1234567, I ordered it by mistake", alex)
    assert _audit(api, conversation_id=conversation).json()["items"] == []  # only proposed
    api.say(conversation, "yes", alex)
    [entry] = _audit(api, conversation_id=conversation).json()["items"]
    assert entry["actor"] == "alex_morgan_1001" and entry["role"] == "customer"
    assert entry["action"] == "order.cancel_pending_order"
    assert entry["outcome"] == "ok"
    assert entry["detail"]["args"]["order_id"] == "#W1234567"


def test_agent_actions_are_audited_with_refusals(api):
    conversation = _handed_off(api)
    dana, eli = api.agent("dana"), api.agent("eli")
    assert api.client.post(f"/v1/queue/{conversation}/claim", headers=dana).status_code == 200
    assert api.client.post(f"/v1/queue/{conversation}/claim", headers=eli).status_code == 409
    sent = api.client.post(
        f"/v1/queue/{conversation}/reply", json={"text": "Hi, Dana here."}, headers=dana
    )
    assert sent.status_code == 200, sent.text
    intruder = api.client.post(f"/v1/queue/{conversation}/resolve", json={}, headers=eli)
    assert intruder.status_code == 403
    closed = api.client.post(f"/v1/queue/{conversation}/resolve", json={}, headers=dana)
    assert closed.status_code == 200, closed.text
    items = _audit(api, conversation_id=conversation).json()["items"]
    assert [(i["actor"], i["action"], i["outcome"]) for i in items] == [
        ("dana", "queue.claim", "ok"),
        ("eli", "queue.claim", "refused"),
        ("dana", "queue.reply", "ok"),
        ("eli", "queue.resolve", "refused"),
        ("dana", "queue.resolve", "ok"),
    ]
    assert items[3]["detail"]["code"] == "claimed_by_other"
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)


@pytest.mark.parametrize("role", ["customer", "agent"])
def test_only_admins_read_the_audit_log(api, role):
    response = api.client.get("/v1/admin/audit", headers=api.token(role, "someone", "someone"))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden_role"


def test_pages_follow_the_cursor_and_filters_apply(api):
    conversation = _handed_off(api)
    for agent in ("a1", "a2", "a3", "a4", "a5"):
        api.client.post(f"/v1/queue/{conversation}/claim", headers=api.agent(agent))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = _audit(api, **params).json()
        assert len(page["items"]) <= 2
        seen.extend(item["actor"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["a1", "a2", "a3", "a4", "a5"]
    refused = _audit(api, outcome="refused").json()["items"]
    assert [i["actor"] for i in refused] == ["a2", "a3", "a4", "a5"]
    assert [i["actor"] for i in _audit(api, actor="a3").json()["items"]] == ["a3"]
    first_at = _audit(api, actor="a1").json()["items"][0]["at"]
    assert _audit(api, until=first_at).json()["items"] == []
    assert len(_audit(api, since=first_at).json()["items"]) == 5


def test_a_malformed_cursor_is_422(api):
    response = api.client.get(
        "/v1/admin/audit", params={"cursor": "x' OR 1=1"}, headers=api.token("admin", "root")
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def test_the_log_exports_as_csv_and_json_lines(api):
    conversation = _handed_off(api)
    for agent in ("a1", "a2", "a3"):
        api.client.post(f"/v1/queue/{conversation}/claim", headers=api.agent(agent))
    as_csv = _audit(api, format="csv", limit=1)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["actor"] for r in rows] == ["a1", "a2", "a3"]  # the export is not one page
    assert json.loads(rows[1]["detail"]) == {"code": "already_claimed"}
    lines = _audit(api, format="jsonl").text.splitlines()
    assert [json.loads(line)["action"] for line in lines] == ["queue.claim"] * 3


def test_the_stored_log_rejects_updates_and_deletes(api, server_settings):
    _handed_off(api)
    api.client.post(f"/v1/queue/{_handed_off(api)}/claim", headers=api.agent("dana"))
    connection = sqlite3.connect(server_settings.queue_db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("UPDATE audit_log SET outcome = 'refused'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            connection.execute("DELETE FROM audit_log")
        assert connection.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 1
    finally:
        connection.close()
