"""WhatsApp end to end: signed Meta webhooks into the live server, replies on the Graph API."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.channels.messaging.conftest import ALEX_PHONE, PHONE_NUMBER_ID, VERIFY_TOKEN
from tests.channels.messaging.providers import button_reply, text_message, whatsapp_delivery
from tools.orders.seed import DEMO_PENDING_ORDER_ID, DEMO_USER_ID

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

ALEX = ALEX_PHONE.lstrip("+")


def say(messaging, text: str, wa_id: str = ALEX, message_id: str | None = None) -> None:
    delivery = whatsapp_delivery(PHONE_NUMBER_ID, [text_message(wa_id, text, message_id)], wa_id)
    response = messaging.post_whatsapp(delivery)
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 1}


def body_of(message: dict) -> str:
    if message["type"] == "text":
        return message["text"]["body"]
    return message["interactive"]["body"]["text"]


def test_a_signed_text_is_answered_through_the_graph_api(messaging):
    say(messaging, f"Where is my order {DEMO_PENDING_ORDER_ID}?")
    [reply] = messaging.graph.wait_for(1)
    assert reply["to"] == ALEX and reply["type"] == "text"
    assert DEMO_PENDING_ORDER_ID in reply["text"]["body"]
    assert "*pending*" in reply["text"]["body"]  # WhatsApp bold, not Markdown's **
    assert "**" not in reply["text"]["body"]
    # the number is Alex's in the order data: the conversation is Alex's, as on the web
    thread = messaging.thread("whatsapp", ALEX_PHONE)
    conversation = messaging.runtime.store.get_conversation(thread["conversation_id"])
    assert (conversation["customer_id"], conversation["channel"]) == (DEMO_USER_ID, "whatsapp")


def test_a_confirmation_has_yes_no_buttons_and_the_button_reply_confirms(messaging, services):
    say(messaging, f"Please cancel order {DEMO_PENDING_ORDER_ID}")
    asked_reason = messaging.graph.wait_for(1)[-1]
    assert asked_reason["type"] == "text"  # a question for the reason gets no yes/no buttons
    say(messaging, "I ordered it by mistake")
    confirm = messaging.graph.wait_for(2)[-1]
    assert confirm["type"] == "interactive"
    buttons = confirm["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("yes", "Yes"),
        ("no", "No"),
    ]
    assert DEMO_PENDING_ORDER_ID in confirm["interactive"]["body"]["text"]
    assert services.orders.get_order_details(DEMO_PENDING_ORDER_ID)["status"] == "pending"

    tap = button_reply(ALEX, "yes", "Yes", context_id="wamid.confirm")
    assert (
        messaging.post_whatsapp(whatsapp_delivery(PHONE_NUMBER_ID, [tap], ALEX)).status_code == 200
    )
    done = messaging.graph.wait_for(3)[-1]
    assert "cancel" in body_of(done).lower()
    assert services.orders.get_order_details(DEMO_PENDING_ORDER_ID)["status"] == "cancelled"


def test_a_bad_signature_is_refused_with_a_problem_and_starts_nothing(messaging):
    delivery = whatsapp_delivery(PHONE_NUMBER_ID, [text_message(ALEX, "hello")], ALEX)
    response = messaging.post_whatsapp(delivery, secret="not-the-app-secret")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "bad_signature"
    unsigned = httpx.post(f"{messaging.url}/v1/channels/whatsapp/webhook", json=delivery)
    assert unsigned.status_code == 401
    assert messaging.thread("whatsapp", ALEX_PHONE) is None


def test_a_signed_body_that_is_not_a_delivery_gets_400(messaging):
    response = messaging.post_whatsapp({"object": "page", "entry": []})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_payload"


def test_a_status_delivery_is_acknowledged_and_ignored(messaging):
    statuses = [{"id": "wamid.X", "status": "read", "timestamp": "1", "recipient_id": ALEX}]
    response = messaging.post_whatsapp(whatsapp_delivery(PHONE_NUMBER_ID, [], ALEX, statuses))
    assert response.status_code == 200 and response.json() == {"accepted": 0}


def test_a_duplicate_message_id_produces_one_turn(messaging):
    say(messaging, f"Where is my order {DEMO_PENDING_ORDER_ID}?", message_id="wamid.SAME")
    messaging.graph.wait_for(1)
    say(messaging, f"Where is my order {DEMO_PENDING_ORDER_ID}?", message_id="wamid.SAME")
    say(messaging, "thanks", message_id="wamid.NEXT")
    conversation_id = messaging.wait_turns("whatsapp", ALEX_PHONE, 2)
    assert messaging.customer_texts(conversation_id) == [
        f"Where is my order {DEMO_PENDING_ORDER_ID}?",
        "thanks",
    ]
    assert len(messaging.graph.sent) == 2


def test_the_subscription_handshake(messaging):
    url = f"{messaging.url}/v1/channels/whatsapp/webhook"
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8812"}
    ok = httpx.get(url, params=params)
    assert (ok.status_code, ok.text) == (200, "8812")
    refused = httpx.get(url, params={**params, "hub.verify_token": "guess"})
    assert refused.status_code == 403 and refused.json()["code"] == "bad_verify_token"


def test_an_agent_reply_from_the_queue_goes_back_over_whatsapp(messaging):
    say(messaging, "I want to talk to a human agent please")
    messaging.graph.wait_for(1)
    conversation_id = messaging.thread("whatsapp", ALEX_PHONE)["conversation_id"]
    headers = messaging.agent_headers("dana")
    queue = f"{messaging.url}/v1/queue/{conversation_id}"
    assert httpx.post(f"{queue}/claim", headers=headers).status_code == 200
    text = "Hi Alex, Dana here. I can look into this for you."
    reply = httpx.post(f"{queue}/reply", json={"text": text}, headers=headers, timeout=60)
    assert reply.status_code == 200, reply.text
    sent = messaging.graph.wait_for(2)[-1]
    assert sent["to"] == ALEX and text in body_of(sent)
    assert body_of(sent) == f"*Dana:* {text}"  # signed with the agent's name, in bold


def test_an_unknown_number_identifies_in_the_chat_and_keeps_that_identity(messaging):
    stranger = "15550001234"
    say(messaging, "Where is my order #W7654321?", wa_id=stranger)
    asked = body_of(messaging.graph.wait_for(1)[-1]).lower()
    assert "email" in asked  # not trusted: the number is in no customer's record
    conversation_id = messaging.thread("whatsapp", f"+{stranger}")["conversation_id"]
    assert messaging.runtime.store.get_conversation(conversation_id)["customer_id"] is None
    say(messaging, "my email is sam.lee@example.com", wa_id=stranger)
    messaging.graph.wait_for(2)
    say(messaging, "Where is my order #W7654321?", wa_id=stranger)
    answer = body_of(messaging.graph.wait_for(3)[-1])
    assert "#W7654321" in answer and "*pending*" in answer
    assert messaging.thread("whatsapp", f"+{stranger}")["conversation_id"] == conversation_id


def test_the_webhook_is_404_when_whatsapp_is_not_configured(messaging_settings, services):
    with TestClient(create_app(messaging_settings, services)) as client:
        response = client.post("/v1/channels/whatsapp/webhook", content=b"{}")
    assert response.status_code == 404
    assert response.json()["code"] == "channel_not_configured"
