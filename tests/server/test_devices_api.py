"""The mobile app's server side: phones registered per customer, push notifications sent in
Expo's wire format to a loopback server, and messages taken once per client message id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from tests.expo_push_stub import ExpoPushStub, expo_push_stub
from tests.server.conftest import Api, parse_sse

PHONE = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"
OTHER_PHONE = "ExponentPushToken[yyyyyyyyyyyyyyyyyyyyyy]"


@pytest.fixture
def expo() -> Iterator[ExpoPushStub]:
    with expo_push_stub() as stub:
        yield stub


@pytest.fixture
def push_api(server_settings: Settings, services: Services, expo: ExpoPushStub) -> Iterator[Api]:
    server_settings.push_provider = "expo"
    server_settings.expo_push_url = expo.url
    with TestClient(create_app(server_settings, services)) as client:
        yield Api(client, server_settings)


def _register(api: Api, headers: dict[str, str], token: str = PHONE) -> None:
    response = api.client.post(
        "/v1/devices", json={"token": token, "platform": "ios"}, headers=headers
    )
    assert response.status_code == 201, response.text


def test_a_customer_registers_lists_and_deletes_their_phone(api):
    alex, sam = api.customer(), api.customer("sam_chen_2002")
    _register(api, alex)
    listed = api.client.get("/v1/devices", headers=alex).json()
    assert [d["token"] for d in listed] == [PHONE]
    assert api.client.get("/v1/devices", headers=sam).json() == []

    foreign = api.client.delete(f"/v1/devices/{PHONE}", headers=sam)
    assert foreign.status_code == 404 and foreign.json()["code"] == "device_not_found"
    assert api.client.delete(f"/v1/devices/{PHONE}", headers=alex).status_code == 204
    assert api.client.get("/v1/devices", headers=alex).json() == []


def test_a_phone_moves_to_the_customer_who_signed_in_last(api):
    alex, sam = api.customer(), api.customer("sam_chen_2002")
    _register(api, alex)
    _register(api, sam)
    assert api.client.get("/v1/devices", headers=alex).json() == []
    assert [d["token"] for d in api.client.get("/v1/devices", headers=sam).json()] == [PHONE]


@pytest.mark.parametrize(
    "body",
    [
        {"token": "short", "platform": "ios"},
        {"token": PHONE, "platform": "blackberry"},
        {"token": "<script>alert(1)</script>xx", "platform": "ios"},
        {"token": PHONE, "platform": "ios", "extra": 1},
    ],
)
def test_a_bad_registration_is_a_422_problem(api, body):
    response = api.client.post("/v1/devices", json=body, headers=api.customer())
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_agents_register_no_phones(api):
    response = api.client.post(
        "/v1/devices", json={"token": PHONE, "platform": "ios"}, headers=api.agent()
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden_role"


@pytest.mark.integration
@pytest.mark.enable_socket
def test_an_agent_reply_is_pushed_to_the_customers_phones_only(push_api, expo):
    alex, sam = push_api.customer(), push_api.customer("sam_chen_2002")
    _register(push_api, alex)
    _register(push_api, sam, OTHER_PHONE)
    conversation = push_api.new_conversation(alex)
    push_api.say(conversation, "this is the third time I ask, get me a human", alex)
    dana = push_api.agent("dana")
    push_api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    reply = push_api.client.post(
        f"/v1/queue/{conversation}/reply", json={"text": "Hi Alex, Dana here."}, headers=dana
    )
    assert reply.status_code == 200, reply.text

    messages = expo.wait_for(1)
    assert [m["to"] for m in messages] == [PHONE]
    assert messages[0]["title"] == "dana replied"
    assert messages[0]["body"] == "Hi Alex, Dana here."
    assert messages[0]["data"] == {"conversation_id": conversation}


@pytest.mark.integration
@pytest.mark.enable_socket
def test_a_reply_asking_to_confirm_is_pushed_and_a_dead_token_forgotten(push_api, expo):
    alex = push_api.customer()
    _register(push_api, alex)
    _register(push_api, alex, OTHER_PHONE)
    expo.unregistered.add(OTHER_PHONE)
    conversation = push_api.new_conversation(alex)
    events = push_api.say(
        conversation, "please cancel order #W1234567, I ordered it by mistake", alex
    )
    assert events[-1]["awaiting_confirmation"] is True
    opened = push_api.client.get(f"/v1/conversations/{conversation}", headers=alex).json()
    assert opened["awaiting_confirmation"] is True

    messages = expo.wait_for(2)
    assert {m["to"] for m in messages} == {PHONE, OTHER_PHONE}
    assert all(m["title"] == "Please confirm" and "#W1234567" in m["body"] for m in messages)
    push_api.client.app.state.runtime.devices.notifier.drain()
    assert [d["token"] for d in push_api.client.get("/v1/devices", headers=alex).json()] == [PHONE]


def _post(api: Api, conversation: str, text: str, message_id: str, headers: dict[str, str]):
    with api.client.stream(
        "POST",
        f"/v1/conversations/{conversation}/messages",
        json={"text": text, "client_message_id": message_id},
        headers=headers,
    ) as response:
        if response.status_code != 200:
            response.read()
            return response.status_code, response.json()
        return 200, parse_sse(response.iter_lines())


def test_a_message_sent_again_with_its_id_is_taken_once(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    status, events = _post(api, conversation, "where is my order #W1234567?", "m-0001-abcd", alex)
    assert status == 200 and events[-1]["type"] == "done"

    status, problem = _post(api, conversation, "where is my order #W1234567?", "m-0001-abcd", alex)
    assert status == 409 and problem["code"] == "duplicate_message"
    messages = api.client.get(f"/v1/conversations/{conversation}/messages", headers=alex).json()
    customer = [m for m in messages["items"] if m["role"] == "customer"]
    assert len(customer) == 1

    status, _ = _post(api, conversation, "thanks", "m-0002-abcd", alex)
    assert status == 200


def test_a_duplicate_over_the_websocket_is_refused(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    token = alex["Authorization"].split()[1]
    status, _ = _post(api, conversation, "hello there", "ws-dup-0001", alex)
    assert status == 200
    with api.client.websocket_connect(
        f"/v1/conversations/{conversation}/ws?access_token={token}"
    ) as socket:
        socket.send_json(
            {"type": "message", "text": "hello there", "client_message_id": "ws-dup-0001"}
        )
        assert socket.receive_json() == {"type": "error", "code": "duplicate_message"}


def test_a_malformed_client_message_id_is_a_422_problem(api):
    alex = api.customer()
    conversation = api.new_conversation(alex)
    status, problem = _post(api, conversation, "hi", "bad id with spaces", alex)
    assert status == 422 and problem["code"] == "invalid_request"


IOS_TOKEN = "a1" * 32
ANDROID_TOKEN = "fcm-token_1:APA91b" + "x" * 40


def _published(moto: str) -> dict[str, list[dict[str, Any]]]:
    """The messages moto's SNS endpoints received, by token (moto's model data API)."""
    endpoints = httpx.get(f"{moto}/moto-api/data.json").json()["sns"]["PlatformEndpoint"]
    return {e["token"]: [json.loads(m) for m in e["messages"].values()] for e in endpoints}


@pytest.fixture
def sns_api(
    server_settings: Settings, services: Services, moto_endpoint: str
) -> Iterator[tuple[Api, Any]]:
    sns = boto3.client("sns", region_name="us-east-1", endpoint_url=moto_endpoint)
    applications = {
        platform: sns.create_platform_application(
            Name=f"tandem-{platform}", Platform=kind, Attributes={"PlatformCredential": "key"}
        )["PlatformApplicationArn"]
        for platform, kind in (("ios", "APNS"), ("android", "GCM"))
    }
    server_settings.push_provider = "sns"
    server_settings.sns_platform_applications = applications  # type: ignore[assignment]
    server_settings.sns_endpoint_url = moto_endpoint
    server_settings.aws_region = "us-east-1"
    with TestClient(create_app(server_settings, services)) as client:
        yield Api(client, server_settings), sns


def _agent_reply(api: Api, conversation: str, text: str) -> None:
    dana = api.agent("dana")
    api.client.post(f"/v1/queue/{conversation}/claim", headers=dana)
    reply = api.client.post(f"/v1/queue/{conversation}/reply", json={"text": text}, headers=dana)
    assert reply.status_code == 200, reply.text
    api.client.app.state.runtime.devices.notifier.drain()  # type: ignore[attr-defined]


@pytest.mark.integration
@pytest.mark.enable_socket
def test_sns_mobile_push_reaches_ios_and_android_phones(sns_api, moto_endpoint):
    api, sns = sns_api
    alex = api.customer()
    api.client.post("/v1/devices", json={"token": IOS_TOKEN, "platform": "ios"}, headers=alex)
    api.client.post(
        "/v1/devices", json={"token": ANDROID_TOKEN, "platform": "android"}, headers=alex
    )
    conversation = api.new_conversation(alex)
    api.say(conversation, "this is the third time I ask, get me a human", alex)
    _agent_reply(api, conversation, "Hi Alex, Dana here.")

    published = _published(moto_endpoint)
    [to_ios], [to_android] = published[IOS_TOKEN], published[ANDROID_TOKEN]
    apns = json.loads(to_ios["APNS"])
    assert apns["aps"]["alert"] == {"title": "dana replied", "body": "Hi Alex, Dana here."}
    assert apns["conversation_id"] == conversation
    fcm = json.loads(to_android["GCM"])
    assert fcm["notification"]["title"] == "dana replied"
    assert fcm["data"] == {"conversation_id": conversation}
    assert to_ios["default"] == "Hi Alex, Dana here."

    # The push service rejected the Android token: SNS disables its endpoint.
    [endpoint] = [
        e["EndpointArn"]
        for app in sns.list_platform_applications()["PlatformApplications"]
        for e in sns.list_endpoints_by_platform_application(
            PlatformApplicationArn=app["PlatformApplicationArn"]
        )["Endpoints"]
        if e["Attributes"]["Token"] == ANDROID_TOKEN
    ]
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    _agent_reply(api, conversation, "One more thing.")
    listed = api.client.get("/v1/devices", headers=alex).json()
    assert [d["token"] for d in listed] == [IOS_TOKEN]
    assert len(_published(moto_endpoint)[IOS_TOKEN]) == 2
