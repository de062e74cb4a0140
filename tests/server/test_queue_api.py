"""The human handoff queue over HTTP: claim races, replies reaching the customer, SLA stamps."""

from __future__ import annotations

import threading

from tests.server.conftest import parse_sse


def _handed_off(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    events = api.say(conversation, "this is the third time I ask, get me a human", alex)
    assert any(e["type"] == "handoff" for e in events)
    assert events[-1]["waiting_for_human"] is True
    return alex, conversation


def test_queue_lists_handoff_with_reason_sentiment_and_sla(api):
    _, conversation = _handed_off(api)
    queue = api.client.get("/v1/queue", headers=api.agent()).json()
    entry = next(e for e in queue if e["conversation_id"] == conversation)
    assert entry["status"] == "waiting"
    assert entry["reason"] == "explicit_request"
    assert entry["sentiment_label"] in ("negative", "neutral", "positive")
    assert entry["customer_id"] == "alex_morgan_1001"
    assert entry["sla_state"] in ("ok", "at_risk") and entry["waiting_seconds"] >= 0
    assert entry["suggested_reply"]


def test_customers_cannot_see_the_queue(api):
    response = api.client.get("/v1/queue", headers=api.customer())
    assert response.status_code == 403 and response.json()["code"] == "forbidden_role"


def test_two_agents_claiming_at_once_exactly_one_wins(api):
    _, conversation = _handed_off(api)
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def claim(agent: str) -> None:
        barrier.wait()
        response = api.client.post(f"/v1/queue/{conversation}/claim", headers=api.agent(agent))
        statuses.append(response.status_code)

    threads = [threading.Thread(target=claim, args=(name,)) for name in ("dana", "eli")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]


def test_agent_reply_reaches_the_customer_stream_then_returns_to_bot(api):
    alex, conversation = _handed_off(api)
    dana = api.agent("dana")
    cursor = api.client.get(f"/v1/conversations/{conversation}", headers=alex).json()[
        "last_event_id"
    ]
    claim = api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    assert claim.json()["claimed_by"] == "dana"

    eli = api.agent("eli")
    stolen = api.client.post(f"/v1/queue/{conversation}/reply", json={"text": "hi"}, headers=eli)
    assert stolen.status_code == 403 and stolen.json()["code"] == "claimed_by_other"

    reply = api.client.post(
        f"/v1/queue/{conversation}/reply", json={"text": "Hi Alex, Dana here."}, headers=dana
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["first_response_at"] is not None

    with api.client.stream(
        "GET",
        f"/v1/conversations/{conversation}/events?after={cursor}&until_done=true",
        headers=alex,
    ) as response:
        live = parse_sse(response.iter_lines())
    agent_messages = [e for e in live if e["type"] == "agent_message"]
    assert agent_messages and agent_messages[0]["text"] == "Hi Alex, Dana here."

    # the customer's next message goes to the agent, not the bot
    events = api.say(conversation, "thanks Dana, it's order #W1234567", alex)
    assert not [e for e in events if e["type"] == "token"]
    transcript = api.client.get(f"/v1/queue/{conversation}/transcript", headers=dana).json()
    assert transcript["messages"][-1]["text"] == "thanks Dana, it's order #W1234567"
    assert transcript["queue"]["last_message"] == "thanks Dana, it's order #W1234567"

    back = api.client.post(
        f"/v1/queue/{conversation}/return", json={"text": "Back to our assistant."}, headers=dana
    )
    assert back.json()["status"] == "returned" and back.json()["resolved_at"] is not None
    events = api.say(conversation, "where is my order #W1234567?", alex)
    assert "pending" in events[-1]["reply"]


def test_transcript_carries_tool_calls(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "where is my order #W1234567?", alex)
    api.say(conversation, "get me a human", alex)
    transcript = api.client.get(f"/v1/queue/{conversation}/transcript", headers=api.agent()).json()
    tools = [e["data"]["name"] for e in transcript["events"] if e["type"] == "tool"]
    assert "get_order_details" in tools
    assert [m["role"] for m in transcript["messages"]][:2] == ["customer", "bot"]


def test_resolve_requires_a_claim_and_stamps_resolution(api):
    _, conversation = _handed_off(api)
    dana = api.agent("dana")
    early = api.client.post(f"/v1/queue/{conversation}/resolve", json={}, headers=dana)
    assert early.status_code == 409 and early.json()["code"] == "not_claimed"
    api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    done = api.client.post(
        f"/v1/queue/{conversation}/resolve", json={"text": "All sorted."}, headers=dana
    ).json()
    assert done["status"] == "resolved" and done["resolved_at"] >= done["created_at"]
    assert api.client.get("/v1/queue", headers=dana).json() == []
    resolved = api.client.get("/v1/queue?status=resolved", headers=dana).json()
    assert [e["conversation_id"] for e in resolved] == [conversation]


def _customer_events_after(api, conversation, cursor, headers):
    with api.client.stream(
        "GET",
        f"/v1/conversations/{conversation}/events?after={cursor}&until_done=true",
        headers=headers,
    ) as response:
        return parse_sse(response.iter_lines())


def _cursor(api, conversation, headers):
    return api.client.get(f"/v1/conversations/{conversation}", headers=headers).json()[
        "last_event_id"
    ]


def test_return_to_bot_answers_the_customers_open_question(api):
    alex, conversation = _handed_off(api)
    dana = api.agent("dana")
    api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    api.client.post(f"/v1/queue/{conversation}/reply", json={"text": "Dana here."}, headers=dana)
    asked = api.say(conversation, "where is my order #W1234567?", alex)
    assert not [e for e in asked if e["type"] == "token"]  # the agent has it, not the bot
    cursor = _cursor(api, conversation, alex)

    back = api.client.post(f"/v1/queue/{conversation}/return", json={}, headers=dana)
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "returned"

    live = _customer_events_after(api, conversation, cursor, alex)
    assert [e for e in live if e["type"] == "token"]
    assert "get_order_details" in [e.get("name") for e in live if e["type"] == "tool"]
    assert live[-1]["type"] == "done" and "pending" in live[-1]["reply"]
    assert live[-1]["handoff_status"] == "returned"
    transcript = api.client.get(f"/v1/queue/{conversation}/transcript", headers=dana).json()
    assert [m["role"] for m in transcript["messages"]][-2:] == ["customer", "bot"]
    assert transcript["queue"]["status"] == "returned"


def test_return_to_bot_after_the_agents_answer_stays_quiet(api):
    alex, conversation = _handed_off(api)
    dana = api.agent("dana")
    api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    api.say(conversation, "where is my order #W1234567?", alex)
    api.client.post(
        f"/v1/queue/{conversation}/reply", json={"text": "It is pending, Alex."}, headers=dana
    )
    cursor = _cursor(api, conversation, alex)

    back = api.client.post(f"/v1/queue/{conversation}/return", json={}, headers=dana)
    assert back.status_code == 200 and back.json()["status"] == "returned"

    live = _customer_events_after(api, conversation, cursor, alex)
    assert live[-1]["type"] == "done" and live[-1]["handoff_status"] == "returned"
    assert not [e for e in live if e["type"] in ("token", "tool")]
    transcript = api.client.get(f"/v1/queue/{conversation}/transcript", headers=dana).json()
    last = transcript["messages"][-1]
    assert (last["role"], last["text"]) == ("agent", "It is pending, Alex.")


def test_a_returned_question_that_asks_for_a_person_queues_again(api):
    alex, conversation = _handed_off(api)
    dana = api.agent("dana")
    api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    api.say(conversation, "no, I want a human, not the bot", alex)

    back = api.client.post(f"/v1/queue/{conversation}/return", json={}, headers=dana)
    assert back.status_code == 200, back.text

    entry = api.client.get("/v1/queue", headers=dana).json()
    assert [(e["conversation_id"], e["status"]) for e in entry] == [(conversation, "waiting")]
    assert entry[0]["claimed_by"] is None and entry[0]["first_response_at"] is None


def test_only_the_claiming_agent_can_show_typing_and_it_is_never_stored(api):
    alex, conversation = _handed_off(api)
    dana, eli = api.agent("dana"), api.agent("eli")
    unclaimed = api.client.post(f"/v1/queue/{conversation}/typing", headers=dana)
    assert unclaimed.status_code == 409 and unclaimed.json()["code"] == "not_claimed"
    api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    other = api.client.post(f"/v1/queue/{conversation}/typing", headers=eli)
    assert other.status_code == 403 and other.json()["code"] == "claimed_by_other"
    customer = api.client.post(f"/v1/queue/{conversation}/typing", headers=alex)
    assert customer.status_code == 403
    missing = api.client.post("/v1/queue/nope/typing", headers=dana)
    assert missing.status_code == 404
    cursor = _cursor(api, conversation, alex)

    assert api.client.post(f"/v1/queue/{conversation}/typing", headers=dana).status_code == 204
    api.client.post(f"/v1/queue/{conversation}/reply", json={"text": "Dana here."}, headers=dana)

    live = _customer_events_after(api, conversation, cursor, alex)
    assert [e["type"] for e in live[:2]] == ["agent_typing", "agent_message"]
    assert live[0]["agent"] == "dana" and live[0]["id"] == cursor + 1
    stored = api.client.app.state.runtime.store.events_after(conversation, 0)
    assert "agent_typing" not in [event["type"] for _, event in stored]
    assert "agent_message" in [event["type"] for _, event in stored]
