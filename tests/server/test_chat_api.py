"""Customer chat over HTTP: SSE turns, history, metadata, resume, bad input."""

from __future__ import annotations

from tests.server.conftest import parse_sse


def test_turn_streams_typed_events_and_is_saved(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    events = api.say(conversation, "where is my order #W1234567?", alex)
    types = [e["type"] for e in events]
    assert types[0] == "customer_message"
    assert "tool" in types and "token" in types
    assert types[-1] == "done"
    ids = [e["id"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    reply = "".join(e["text"] for e in events if e["type"] == "token")
    assert reply == events[-1]["reply"]
    assert "#W1234567" in reply and "pending" in reply

    history = api.client.get(f"/v1/conversations/{conversation}/messages", headers=alex).json()
    assert [m["role"] for m in history["items"]] == ["customer", "bot"]
    assert history["items"][1]["text"] == reply
    meta = api.client.get(f"/v1/conversations/{conversation}", headers=alex).json()
    assert meta["message_count"] == 2 and meta["intent"] == "track_order"
    assert meta["last_event_id"] == ids[-1]


def test_history_is_paginated(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    for text in ("hello", "what is your return policy?", "thanks"):
        api.say(conversation, text, alex)
    page = api.client.get(f"/v1/conversations/{conversation}/messages?limit=4", headers=alex).json()
    assert len(page["items"]) == 4 and page["next_cursor"] is not None
    rest = api.client.get(
        f"/v1/conversations/{conversation}/messages?cursor={page['next_cursor']}", headers=alex
    ).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None


def test_reconnect_with_last_event_id_gets_exactly_the_rest(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    events = api.say(conversation, "what is your return policy?", alex)
    middle = events[len(events) // 2]["id"]
    with api.client.stream(
        "GET",
        f"/v1/conversations/{conversation}/events?until_done=true",
        headers={**alex, "Last-Event-ID": str(middle)},
    ) as response:
        rest = parse_sse(response.iter_lines())
    assert [e["id"] for e in rest] == [e["id"] for e in events if e["id"] > middle]


def test_bad_input_gets_problem_json(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    url = f"/v1/conversations/{conversation}/messages"
    empty = api.client.post(url, json={"text": ""}, headers=alex)
    assert empty.status_code == 422
    assert empty.headers["content-type"].startswith("application/problem+json")
    assert empty.json()["code"] == "invalid_request" and "text" in empty.json()["detail"]
    assert api.client.post(url, json={"txt": "hi"}, headers=alex).status_code == 422
    assert (
        api.client.post(
            url, content=b"{not json", headers={**alex, "content-type": "application/json"}
        ).status_code
        == 422
    )
    huge = api.client.post(url, json={"text": "x" * 100_000}, headers=alex)
    assert huge.status_code == 413 and huge.json()["code"] == "body_too_large"
    missing = api.client.get("/v1/conversations/nope", headers=alex)
    assert missing.status_code == 404 and missing.json()["code"] == "conversation_not_found"
    # the conversation is intact after all that
    events = api.say(conversation, "hello", alex)
    assert events[-1]["type"] == "done"


def test_second_message_while_turn_runs_is_rejected(api, services):
    import threading

    alex = api.customer()
    conversation = api.new_conversation(alex)
    gate = _slow_kb(services)
    results: dict[str, object] = {}

    def first() -> None:
        results["first"] = api.say(conversation, "what is your return policy?", alex)

    thread = threading.Thread(target=first)
    thread.start()
    for _ in range(200):
        if api.client.get(f"/v1/conversations/{conversation}", headers=alex).json()["turn_running"]:
            break
        threading.Event().wait(0.02)
    second = api.client.post(
        f"/v1/conversations/{conversation}/messages", json={"text": "hello"}, headers=alex
    )
    gate.set()
    thread.join(20)
    assert second.status_code == 409 and second.json()["code"] == "turn_in_progress"
    history = api.client.get(f"/v1/conversations/{conversation}/messages", headers=alex).json()
    assert [m["role"] for m in history["items"]] == ["customer", "bot"]


def test_health_and_readiness(api):
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz").json()
    assert ready["status"] == "ready" and set(ready["checks"]) >= {"checkpointer", "orders"}
    turns = ready["turns"]
    assert (turns["running"], turns["waiting"]) == (0, 0) and turns["limit"] >= 8
    response = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_readiness_fails_clearly_when_the_order_store_does_not_answer(api, services):
    services.orders.close()
    response = api.client.get("/readyz")
    assert response.status_code == 503
    problem = response.json()
    assert problem["code"] == "not_ready" and "ProgrammingError" in problem["detail"]


def _slow_kb(services):
    import threading

    gate = threading.Event()
    original = services.kb.search

    def slow_search(*args, **kwargs):
        gate.wait(10)
        return original(*args, **kwargs)

    services.kb.search = slow_search  # type: ignore[method-assign]
    return gate


def test_disconnect_mid_turn_then_resume_receives_the_rest(api, services):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    gate = _slow_kb(services)
    with api.client.stream(
        "POST",
        f"/v1/conversations/{conversation}/messages",
        json={"text": "what is your return policy?"},
        headers=alex,
    ) as response:
        # the client goes away after two events, while the knowledge base is still searching
        seen = parse_sse(response.iter_lines(), limit=2)
    assert seen[0]["type"] == "customer_message"
    gate.set()
    with api.client.stream(
        "GET",
        f"/v1/conversations/{conversation}/events?until_done=true",
        headers={**alex, "Last-Event-ID": str(seen[-1]["id"])},
    ) as response:
        rest = parse_sse(response.iter_lines())
    assert rest[0]["id"] == seen[-1]["id"] + 1
    assert rest[-1]["type"] == "done" and "30 days" in rest[-1]["reply"]
    history = api.client.get(f"/v1/conversations/{conversation}/messages", headers=alex).json()
    assert history["items"][-1]["text"] == rest[-1]["reply"]


def test_enqueue_policy_runs_concurrent_messages_one_after_the_other(api, services):
    import threading
    from dataclasses import replace

    runner = api.client.app.state.runtime.runner
    runner.policy = replace(runner.policy, concurrent_turns="enqueue")
    alex = api.customer()
    conversation = api.new_conversation(alex)
    gate = _slow_kb(services)
    results: list[list[dict]] = []

    def send(text: str) -> None:
        results.append(api.say(conversation, text, alex))

    first = threading.Thread(target=send, args=("what is your return policy?",))
    first.start()
    for _ in range(200):
        if api.client.get(f"/v1/conversations/{conversation}", headers=alex).json()["turn_running"]:
            break
        threading.Event().wait(0.02)
    second = threading.Thread(target=send, args=("thanks",))
    second.start()
    gate.set()
    first.join(20)
    second.join(20)
    assert len(results) == 2
    history = api.client.get(f"/v1/conversations/{conversation}/messages", headers=alex).json()
    roles = [m["role"] for m in history["items"]]
    assert roles == ["customer", "bot", "customer", "bot"]
    assert history["items"][2]["text"] == "thanks"


def test_a_streamed_turn_says_how_long_the_server_took_to_start_it(api):
    from bench.load_targets import server_timing

    alex = api.customer()
    conversation = api.new_conversation(alex)
    with api.client.stream(
        "POST", f"/v1/conversations/{conversation}/messages", json={"text": "hi"}, headers=alex
    ) as response:
        spent = server_timing(response.headers.get("server-timing"))
        events = parse_sse(response.iter_lines())
    assert spent is not None and 0.0 <= spent < 60.0
    assert events[0]["type"] == "customer_message" and events[-1]["type"] == "done"
    assert server_timing("cache;desc=hit, app;dur=12.5") == 0.0125
    assert server_timing("app;desc=x") is None and server_timing(None) is None


def test_a_replayed_order_lookup_shows_the_order_as_it_was_then(api, services):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    api.say(conversation, "where is my order #W1234567?", alex)
    services.orders.cancel_pending_order("#W1234567", "no longer needed")
    assert api.client.get("/v1/orders/%23W1234567", headers=alex).json()["status"] == "cancelled"

    stored = api.client.app.state.runtime.store.events_after(conversation, 0)
    ends = [e for _, e in stored if e["type"] == "tool" and e["phase"] == "end"]
    lookup = next(e for e in ends if e["name"] == "get_order_details")
    assert lookup["order"]["order_id"] == "#W1234567"
    assert lookup["order"]["status"] == "pending"
    assert lookup["order"]["items"] and {"name", "price"} == set(lookup["order"]["items"][0])
    assert "user_id" not in lookup["order"] and "payment_history" not in lookup["order"]

    api.client.app.state.runtime.hub._logs.pop(conversation, None)  # a restarted server
    with api.client.stream(
        "GET", f"/v1/conversations/{conversation}/events?after=0&until_done=true", headers=alex
    ) as response:
        replayed = parse_sse(response.iter_lines())
    cards = [e["order"] for e in replayed if e["type"] == "tool" and e.get("order")]
    assert [(c["order_id"], c["status"]) for c in cards] == [("#W1234567", "pending")]
