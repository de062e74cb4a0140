"""CSAT through the API, and the dashboard's drill-down and CSV export of real conversations."""

from __future__ import annotations

import csv
import io


def test_a_customer_rates_their_conversation_and_the_dashboard_reports_it(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "Where is my order #W1234567?", alex)
    path = f"/v1/conversations/{conversation}/csat"
    assert api.client.get(path, headers=alex).json()["score"] is None
    assert api.client.put(path, json={"score": 2}, headers=alex).status_code == 200
    assert api.client.put(path, json={"score": 5}, headers=alex).status_code == 200
    assert api.client.get(path, headers=alex).json() == {
        "conversation_id": conversation,
        "score": 5,
    }
    csat = api.client.get("/v1/metrics/dashboard", headers=api.agent()).json()["csat"]
    assert csat["responses"] == 1 and csat["average"] == 5.0 and csat["satisfied_rate"] == 1.0


def test_only_the_owner_rates_and_only_1_to_5(api):
    conversation = api.new_conversation(api.customer())
    path = f"/v1/conversations/{conversation}/csat"
    other = api.client.put(path, json={"score": 4}, headers=api.customer("sofia_rossi_8776"))
    assert other.status_code == 404
    assert api.client.put(path, json={"score": 4}, headers=api.agent()).status_code == 403
    for bad in ({"score": 6}, {"score": 0}, {"score": "great"}, {}):
        response = api.client.put(path, json=bad, headers=api.customer())
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
    missing = api.client.put(
        "/v1/conversations/nope/csat", json={"score": 4}, headers=api.customer()
    )
    assert missing.status_code == 404


def test_drill_down_and_csv_list_the_conversations_behind_the_figures(api):
    alex = api.customer()
    contained = api.new_conversation(alex)
    api.say(contained, "Where is my order #W1234567?", alex)
    handed = api.new_conversation(alex)
    api.say(handed, "I am furious, get me a human now", alex)
    agent = api.agent()
    rows = api.client.get("/v1/metrics/conversations", headers=agent).json()["items"]
    assert {row["conversation_id"]: row["outcome"] for row in rows} == {
        contained: "contained",
        handed: "handed_off",
    }
    only = api.client.get(
        "/v1/metrics/conversations", params={"outcome": "handed_off"}, headers=agent
    ).json()["items"]
    assert [row["conversation_id"] for row in only] == [handed]
    exported = api.client.get("/v1/metrics/conversations", params={"format": "csv"}, headers=agent)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert {row["conversation_id"]: row["outcome"] for row in table} == {
        contained: "contained",
        handed: "handed_off",
    }
    assert table[0]["started_at"].endswith("+00:00")
    bad = api.client.get("/v1/metrics/conversations", params={"outcome": "lost"}, headers=agent)
    assert bad.status_code == 422
    assert api.client.get("/v1/metrics/conversations", headers=alex).status_code == 403
