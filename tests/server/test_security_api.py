"""Authentication and authorisation over HTTP: each rejection with the right status."""

from __future__ import annotations

import time

import jwt
import pytest


def test_requests_without_or_with_bad_tokens_are_401(api):
    assert api.client.get("/v1/conversations").status_code == 401
    bad = api.client.get("/v1/conversations", headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "Bearer" in bad.headers["www-authenticate"]


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda claims, headers: (claims, {**headers, "alg": "none"}), id="alg-none"),
        pytest.param(lambda c, h: ({**c, "exp": int(time.time()) - 3600}, h), id="expired"),
        pytest.param(lambda c, h: ({**c, "iss": "https://evil.example"}, h), id="wrong-issuer"),
        pytest.param(lambda c, h: ({**c, "token_use": "refresh"}, h), id="wrong-token-use"),
        pytest.param(lambda c, h: ({**c, "client_id": "someone-else"}, h), id="wrong-client"),
        pytest.param(lambda c, h: (c, {**h, "kid": "unknown-kid"}), id="wrong-kid"),
    ],
)
def test_tampered_tokens_are_rejected(api, mutate):
    good = api.issuer.issue("alex_morgan_1001", "customer", customer_id="alex_morgan_1001")
    headers = jwt.get_unverified_header(good)
    claims = jwt.decode(good, options={"verify_signature": False})
    claims, headers = mutate(claims, headers)
    if headers.get("alg") == "none":
        token = jwt.encode(claims, key=None, algorithm="none", headers=headers)
    else:
        key = api.issuer._private_key()  # re-sign with the real key: only the claim is wrong
        token = jwt.encode(claims, key, algorithm="RS256", headers=headers)
    response = api.client.get("/v1/conversations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text


def test_customer_cannot_read_another_customers_conversation_or_order(api):
    alex, sam = api.customer("alex_morgan_1001"), api.customer("sam_lee_2002")
    conversation = api.new_conversation(alex)
    api.say(conversation, "hello", alex)
    for path in ("", "/messages", "/events?until_done=true"):
        response = api.client.get(f"/v1/conversations/{conversation}{path}", headers=sam)
        assert response.status_code == 404, path
    posted = api.client.post(
        f"/v1/conversations/{conversation}/messages", json={"text": "hi"}, headers=sam
    )
    assert posted.status_code == 404
    assert api.client.get("/v1/orders/%23W1234567", headers=sam).status_code == 404
    assert api.client.get("/v1/orders/%23W7654321", headers=sam).status_code == 200
    assert api.client.get("/v1/customers/alex_morgan_1001/orders", headers=sam).status_code == 403
    own = api.client.get("/v1/customers/alex_morgan_1001/orders", headers=alex)
    assert {o["order_id"] for o in own.json()} >= {"#W1234567", "#W2345678"}


def test_agents_cannot_chat_as_customers_or_open_unhanded_conversations(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    agent = api.agent()
    response = api.client.get(f"/v1/conversations/{conversation}", headers=agent)
    assert response.status_code == 403 and response.json()["code"] == "not_handed_off"
    assert api.client.get("/v1/orders/%23W1234567", headers=agent).status_code == 200


def test_rate_limit_per_principal(api, server_settings):
    api.client.app.state.runtime.limiter.capacity = 3.0
    api.client.app.state.runtime.limiter.rate = 0.001
    sam = api.customer("sam_lee_2002")
    codes = [api.client.get("/v1/conversations", headers=sam).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = api.client.get("/v1/conversations", headers=sam)
    assert int(limited.headers["retry-after"]) >= 1
    assert api.client.get("/v1/conversations", headers=api.customer()).status_code == 200
