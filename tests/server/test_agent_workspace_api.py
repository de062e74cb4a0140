"""The agent workspace over HTTP on both server stores (SQLite, DynamoDB on moto_server):
views and search, unclaim, reassign, admin take-over, the claim timeout, internal notes,
tags and priority, and canned responses filled in for a conversation."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from tests.fakes import scripted
from tests.integration.test_dynamodb_server_store import aws_settings
from tests.server.conftest import Api
from wiring.aws_resources import ensure_dynamodb_resources

STORES = [
    "sqlite",
    pytest.param("dynamodb", marks=[pytest.mark.integration, pytest.mark.enable_socket]),
]


@pytest.fixture(params=STORES)
def ws(request, tmp_path: Path, services: Services) -> Iterator[Api]:
    """The app on the SQLite or the DynamoDB server store, claims timing out after 1 s."""
    knobs = {"model": "", "rate_limit_per_minute": 1000, "claim_timeout_seconds": 1}
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp_path / "data", checkpointer="memory", **knobs)
    else:
        settings = aws_settings(request.getfixturevalue("moto_endpoint"), tmp_path, **knobs)
        ensure_dynamodb_resources(settings)
    with TestClient(create_app(settings, services)) as client:
        yield Api(client, settings)


def _handed_off(api: Api, text: str = "get me a human now") -> str:
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "where is my order #W1234567?", alex)
    events = api.say(conversation, text, alex)
    assert events[-1]["waiting_for_human"] is True
    return conversation


def _ids(api: Api, headers: dict[str, str], **params: str) -> list[str]:
    response = api.client.get("/v1/queue", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [entry["conversation_id"] for entry in response.json()]


def test_views_and_search(ws: Api) -> None:
    first, second = _handed_off(ws), _handed_off(ws)
    dana, eli = ws.agent("dana"), ws.agent("eli")
    assert ws.client.post(f"/v1/queue/{first}/claim", headers=dana).status_code == 200
    assert _ids(ws, dana, view="mine") == [first]
    assert _ids(ws, eli, view="mine") == []
    assert _ids(ws, dana, view="unassigned") == [second]
    assert set(_ids(ws, dana, view="open")) == {first, second}
    assert _ids(ws, dana, q="W1234567") and _ids(ws, dana, q="alex_MORGAN") != []
    assert _ids(ws, dana, q="no such text anywhere") == []
    ws.client.post(f"/v1/queue/{first}/resolve", json={"text": "Done."}, headers=dana)
    assert _ids(ws, dana, view="resolved") == [first]
    assert _ids(ws, dana, view="open") == [second]
    bad = ws.client.get("/v1/queue", params={"view": "everything"}, headers=dana)
    assert bad.status_code == 422


def test_unclaim_reassign_and_admin_takeover(ws: Api) -> None:
    conversation = _handed_off(ws)
    dana, eli, root = ws.agent("dana"), ws.agent("eli"), ws.token("admin", "root")
    url = f"/v1/queue/{conversation}"
    early = ws.client.post(f"{url}/unclaim", headers=dana)
    assert early.status_code == 409 and early.json()["code"] == "not_claimed"
    ws.client.post(f"{url}/claim", headers=dana)
    stolen = ws.client.post(f"{url}/reassign", json={"agent": "fay"}, headers=eli)
    assert stolen.status_code == 409 and stolen.json()["code"] == "claimed_by_other"
    moved = ws.client.post(f"{url}/reassign", json={"agent": "eli"}, headers=dana)
    assert moved.status_code == 200 and moved.json()["claimed_by"] == "eli"
    replied = ws.client.post(f"{url}/reply", json={"text": "Eli here."}, headers=eli)
    assert replied.status_code == 200, replied.text
    assert ws.client.post(f"{url}/takeover", headers=eli).status_code == 403
    taken = ws.client.post(f"{url}/takeover", headers=root)
    assert taken.status_code == 200 and taken.json()["claimed_by"] == "root"
    released = ws.client.post(f"{url}/unclaim", headers=root)
    assert released.json()["status"] == "waiting" and released.json()["claimed_by"] is None
    bad = ws.client.post(f"{url}/reassign", json={"agent": "x y"}, headers=root)
    assert bad.status_code == 422
    audit = ws.client.get("/v1/admin/audit", headers=root).json()["items"]
    actions = [(e["action"], e["outcome"]) for e in audit]
    assert ("queue.reassign", "refused") in actions and ("queue.takeover", "ok") in actions


def test_an_unanswered_claim_returns_to_the_queue_after_the_timeout(ws: Api) -> None:
    stale, answered = _handed_off(ws), _handed_off(ws)
    dana = ws.agent("dana")
    for conversation in (stale, answered):
        ws.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    ws.client.post(f"/v1/queue/{answered}/reply", json={"text": "On it."}, headers=dana)
    time.sleep(1.3)
    queue = {e["conversation_id"]: e for e in ws.client.get("/v1/queue", headers=dana).json()}
    assert queue[stale]["status"] == "waiting" and queue[stale]["claimed_by"] is None
    assert queue[answered]["status"] == "claimed"
    audit = ws.client.get("/v1/admin/audit", headers=ws.token("admin", "root")).json()["items"]
    requeues = [e for e in audit if e["action"] == "queue.requeue"]
    assert [e["conversation_id"] for e in requeues] == [stale]
    assert requeues[0]["detail"]["agent"] == "dana"


def test_internal_notes_stay_with_agents(ws: Api) -> None:
    conversation = _handed_off(ws)
    dana, alex = ws.agent("dana"), ws.customer()
    url = f"/v1/queue/{conversation}/notes"
    created = ws.client.post(url, json={"text": "Third contact this week"}, headers=dana)
    assert created.status_code == 201 and created.json()["author"] == "dana"
    assert [n["text"] for n in ws.client.get(url, headers=dana).json()] == [
        "Third contact this week"
    ]
    assert ws.client.get(url, headers=alex).status_code == 403
    assert ws.client.post(url, json={"text": ""}, headers=dana).status_code == 422
    messages = ws.client.get(f"/v1/conversations/{conversation}/messages", headers=alex).json()
    assert all("Third contact" not in m["text"] for m in messages["items"])


def test_tags_and_priority(ws: Api) -> None:
    conversation = _handed_off(ws)
    dana = ws.agent("dana")
    url = f"/v1/queue/{conversation}/labels"
    entry = ws.client.patch(url, json={"tags": ["Refund", "vip", "refund"]}, headers=dana).json()
    assert entry["tags"] == ["refund", "vip"] and entry["priority"] == "normal"
    entry = ws.client.patch(url, json={"priority": "urgent"}, headers=dana).json()
    assert entry["tags"] == ["refund", "vip"] and entry["priority"] == "urgent"
    assert ws.client.patch(url, json={"priority": "asap"}, headers=dana).status_code == 422
    assert ws.client.patch(url, json={"tags": ["<script>"]}, headers=dana).status_code == 422
    assert _ids(ws, dana, q="vip") == [conversation]


def test_macros_are_managed_by_admins_and_filled_in_for_a_conversation(ws: Api) -> None:
    conversation = _handed_off(ws)
    dana, root = ws.agent("dana"), ws.token("admin", "root")
    body = {"title": "Order update", "body": "Hi {first_name}, about {order_id}: {eta}"}
    assert ws.client.put("/v1/macros/order-update", json=body, headers=dana).status_code == 403
    stored = ws.client.put("/v1/macros/order-update", json=body, headers=root)
    assert stored.status_code == 200 and stored.json()["updated_by"] == "root"
    assert ws.client.put("/v1/macros/Bad Id", json=body, headers=root).status_code == 422
    assert [m["id"] for m in ws.client.get("/v1/macros", headers=dana).json()] == ["order-update"]
    rendered = ws.client.post(f"/v1/queue/{conversation}/macros/order-update", headers=dana)
    assert rendered.json() == {
        "macro_id": "order-update",
        "text": "Hi Alex, about #W1234567: {eta}",
        "missing": ["eta"],
    }
    assert ws.client.delete("/v1/macros/order-update", headers=root).status_code == 204
    gone = ws.client.post(f"/v1/queue/{conversation}/macros/order-update", headers=dana)
    assert gone.status_code == 404 and gone.json()["code"] == "macro_not_found"


def test_handover_is_written_by_the_model_when_one_is_configured(
    ws: Api, services: Services
) -> None:
    conversation = _handed_off(ws)
    dana = ws.agent("dana")
    url = f"/v1/queue/{conversation}/handover"
    offline = ws.client.post(url, headers=dana).json()
    assert offline["source"] == "facts" and "Alex Morgan" in offline["summary"]

    written = {
        "summary": "Alex asked about order #W1234567 three times and wants a person.",
        "reply": "Hi Alex, I'm sorry for the runaround; I'm checking #W1234567 now.",
    }
    services.chat_model = scripted(json.dumps(written))
    answer = ws.client.post(url, headers=dana).json()
    assert answer == {
        "summary": written["summary"],
        "suggested_reply": written["reply"],
        "source": "model",
    }
    prompt = str(services.chat_model.seen[0][-1].content)
    assert "where is my order #W1234567?" in prompt, "grounded in the transcript"

    invented = {"summary": "Wants a refund.", "reply": "Your order #W7654321 is refunded."}
    services.chat_model = scripted(json.dumps(invented))
    assert ws.client.post(url, headers=dana).json() == offline, "an invented order is refused"
    services.chat_model = scripted("I cannot answer in JSON, sorry.")
    assert ws.client.post(url, headers=dana).json()["source"] == "facts"
    assert ws.client.post(url, headers=ws.customer()).status_code == 403
