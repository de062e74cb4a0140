"""Malformed tokens, event ids, frames and bodies get a clear 4xx or close code, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from starlette.websockets import WebSocketDisconnect

from server.routes.streaming import MAX_EVENT_ID


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _token_with_header(api, header_changes: dict) -> str:
    """A validly signed token whose header carries `header_changes`."""
    good = api.issuer.issue("alex_morgan_1001", "customer", customer_id="alex_morgan_1001")
    header = json.loads(base64.urlsafe_b64decode(good.split(".")[0] + "=="))
    header.update(header_changes)
    _, claims, signature = good.split(".")
    return f"{_b64(header)}.{claims}.{signature}"


MALFORMED_HEADERS = [
    pytest.param({"kid": ["a", "b"]}, id="kid-list"),
    pytest.param({"kid": 7}, id="kid-number"),
    pytest.param({"kid": {"nested": 1}}, id="kid-object"),
    pytest.param({"crit": ["x-unknown"]}, id="crit-unknown"),
    pytest.param({"crit": "b64"}, id="crit-not-a-list"),
]


@pytest.mark.parametrize("changes", MALFORMED_HEADERS)
def test_malformed_jwt_headers_are_401_over_http(api, changes):
    token = _token_with_header(api, changes)
    response = api.client.get("/v1/conversations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "malformed_token"


@pytest.mark.parametrize("changes", MALFORMED_HEADERS)
def test_malformed_jwt_headers_close_the_websocket_with_4401(api, changes):
    conversation = api.new_conversation(api.customer())
    token = _token_with_header(api, changes)
    url = f"/v1/conversations/{conversation}/ws?access_token={token}"
    with pytest.raises(WebSocketDisconnect) as refused, api.client.websocket_connect(url):
        pass
    assert refused.value.code == 4401
    assert refused.value.reason == "malformed_token"


@pytest.mark.parametrize(
    "last_event_id",
    [
        b"9" * 5000,
        b"0xB2",
        "²".encode("latin-1"),
        "١٢".encode(),
        b"-1",
        b"1.5",
        str(MAX_EVENT_ID + 1).encode(),
    ],
)
def test_malformed_last_event_ids_are_400(api, last_event_id):
    headers = api.customer()
    conversation = api.new_conversation(headers)
    response = api.client.get(
        f"/v1/conversations/{conversation}/events",
        headers={**headers, "Last-Event-ID": last_event_id},
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "bad_last_event_id"


def test_an_after_id_beyond_int64_is_422_on_a_conversation_not_in_memory(api):
    headers = api.customer()
    conversation = api.new_conversation(headers)
    api.client.app.state.runtime.hub._logs.pop(conversation, None)
    response = api.client.get(
        f"/v1/conversations/{conversation}/events",
        params={"after": MAX_EVENT_ID + 1},
        headers=headers,
    )
    assert response.status_code == 422, response.text


def test_the_largest_event_id_is_accepted(api):
    headers = api.customer()
    conversation = api.new_conversation(headers)
    api.client.app.state.runtime.hub._logs.pop(conversation, None)
    with api.client.stream(
        "GET",
        f"/v1/conversations/{conversation}/events",
        headers={**headers, "Last-Event-ID": str(MAX_EVENT_ID)},
    ) as response:
        assert response.status_code == 200


@pytest.mark.parametrize("after", ["²", "0xB2", "9" * 40, "-3", ""])
def test_websocket_with_a_malformed_after_closes_with_4400(api, after):
    headers = api.customer()
    conversation = api.new_conversation(headers)
    token = headers["Authorization"].removeprefix("Bearer ")
    url = f"/v1/conversations/{conversation}/ws?access_token={token}&after={after}"
    with pytest.raises(WebSocketDisconnect) as refused, api.client.websocket_connect(url):
        pass
    assert refused.value.code == 4400
    assert refused.value.reason == "bad_after"


def _socket(api):
    headers = api.customer()
    conversation = api.new_conversation(headers)
    token = headers["Authorization"].removeprefix("Bearer ")
    return api.client.websocket_connect(f"/v1/conversations/{conversation}/ws?access_token={token}")


def test_invalid_json_on_the_websocket_closes_it_with_1007(api):
    with _socket(api) as socket:
        socket.send_text("{not json")
        closing = socket.receive()
    assert closing == {"type": "websocket.close", "code": 1007, "reason": "invalid_json"}


def test_a_binary_frame_on_the_websocket_closes_it_with_1003(api):
    with _socket(api) as socket:
        socket.send_bytes(b"\x00\x01")
        closing = socket.receive()
    assert closing == {"type": "websocket.close", "code": 1003, "reason": "text_frames_only"}


def test_a_chunked_body_over_the_limit_is_413(api, server_settings):
    headers = api.customer()
    limit = server_settings.max_body_bytes

    def chunks():
        text = "x" * 1024
        sent = 0
        while sent <= limit:
            yield text.encode()
            sent += len(text)

    response = api.client.post(
        "/v1/conversations",
        content=chunks(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "body_too_large"
