"""SMS end to end: signed Twilio webhooks into the live server, replies on the Messages API."""

from __future__ import annotations

import httpx
import pytest

from channels.sms.render import segments, to_plain_text
from tests.channels.messaging.conftest import ACCOUNT_SID, ALEX_PHONE, TWILIO_NUMBER
from tests.channels.messaging.providers import sms_webhook_form, twilio_signature
from tools.orders.seed import DEMO_PENDING_ORDER_ID, DEMO_PROCESSED_ORDER_ID, DEMO_USER_ID

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


def text(messaging, body: str, sender: str = ALEX_PHONE, **kwargs) -> httpx.Response:
    response = messaging.post_sms(sender, body, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return response


def test_a_signed_sms_is_answered_through_the_messages_api(messaging):
    response = text(messaging, f"Where is my order {DEMO_PROCESSED_ORDER_ID}?")
    assert response.text == EMPTY_TWIML  # the answer comes by REST, after the webhook returned
    [sms] = messaging.twilio.wait_for(1)
    assert (sms["To"], sms["From"]) == (ALEX_PHONE, TWILIO_NUMBER)
    assert DEMO_PROCESSED_ORDER_ID in sms["Body"]
    assert "*" not in sms["Body"]  # plain text
    thread = messaging.thread("sms", ALEX_PHONE)
    conversation = messaging.runtime.store.get_conversation(thread["conversation_id"])
    assert (conversation["customer_id"], conversation["channel"]) == (DEMO_USER_ID, "sms")


@pytest.mark.parametrize("messaging", [{"sms_max_segments": 1}], indirect=True)
def test_a_long_reply_is_split_into_single_segment_messages(messaging):
    text(messaging, f"Where is my order {DEMO_PENDING_ORDER_ID}?")
    conversation_id = messaging.wait_turns("sms", ALEX_PHONE, 1)
    [(_, done)] = messaging.runtime.store.events_after(conversation_id, 0, types=("done",))
    parts = [sms["Body"] for sms in messaging.twilio.sent]
    assert len(parts) >= 3
    assert all(segments(part).count == 1 for part in parts)
    assert all(segments(part).encoding == "GSM-7" for part in parts)  # dashes made GSM-7
    assert " ".join(parts).split() == to_plain_text(done["reply"]).split()


def test_stop_opts_out_until_start(messaging):
    assert text(messaging, "STOP").text == EMPTY_TWIML
    text(messaging, f"Where is my order {DEMO_PROCESSED_ORDER_ID}?")  # opted out: no turn
    help_answer = text(messaging, "HELP").text
    assert "Reply STOP to opt out" in help_answer and "<Message>" in help_answer
    assert text(messaging, "START").text == EMPTY_TWIML
    text(messaging, f"Where is my order {DEMO_PENDING_ORDER_ID}?")
    conversation_id = messaging.wait_turns("sms", ALEX_PHONE, 1)
    assert messaging.customer_texts(conversation_id) == [
        f"Where is my order {DEMO_PENDING_ORDER_ID}?"
    ]
    [(_, done)] = messaging.runtime.store.events_after(conversation_id, 0, types=("done",))
    sent = " ".join(sms["Body"] for sms in messaging.twilio.sent)
    assert DEMO_PENDING_ORDER_ID in sent
    assert sent.split() == to_plain_text(done["reply"]).split()  # nothing else was sent


def test_an_agent_reply_to_an_opted_out_number_is_not_sent(messaging):
    text(messaging, "I want to talk to a human agent please")
    conversation_id = messaging.wait_turns("sms", ALEX_PHONE, 1)
    before = len(messaging.twilio.sent)
    text(messaging, "stop")
    headers = messaging.agent_headers("dana")
    queue = f"{messaging.url}/v1/queue/{conversation_id}"
    assert httpx.post(f"{queue}/claim", headers=headers).status_code == 200
    first = httpx.post(f"{queue}/reply", json={"text": "Still there?"}, headers=headers, timeout=60)
    assert first.status_code == 200
    text(messaging, "start")
    again = httpx.post(
        f"{queue}/reply", json={"text": "Welcome back."}, headers=headers, timeout=60
    )
    assert again.status_code == 200
    sent = messaging.twilio.wait_for(before + 1)  # replies go out in order: "Still there?" first
    assert [m["Body"] for m in sent[before:]] == ["Dana: Welcome back."]


def test_bad_signatures_are_refused_with_a_problem(messaging):
    wrong_token = messaging.post_sms(ALEX_PHONE, "hello", token="not-the-auth-token")
    assert wrong_token.status_code == 401
    assert wrong_token.headers["content-type"].startswith("application/problem+json")
    assert wrong_token.json()["code"] == "bad_signature"
    url = f"{messaging.url}/v1/channels/sms/webhook"
    form = sms_webhook_form(ACCOUNT_SID, ALEX_PHONE, TWILIO_NUMBER, "hello")
    signed_for_other_url = twilio_signature("twilio-auth-token", url + "?x=1", form)
    response = httpx.post(url, data=form, headers={"X-Twilio-Signature": signed_for_other_url})
    assert response.status_code == 401
    tampered = twilio_signature("twilio-auth-token", url, form)
    response = httpx.post(
        url, data={**form, "Body": "changed"}, headers={"X-Twilio-Signature": tampered}
    )
    assert response.status_code == 401
    assert messaging.thread("sms", ALEX_PHONE) is None


def test_a_signed_form_without_twilio_fields_gets_400(messaging):
    url = f"{messaging.url}/v1/channels/sms/webhook"
    form = {"Body": "hello"}
    headers = {"X-Twilio-Signature": twilio_signature("twilio-auth-token", url, form)}
    response = httpx.post(url, data=form, headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "invalid_payload"
    as_json = httpx.post(url, json=form, headers=headers)
    assert as_json.status_code == 400 and as_json.json()["code"] == "invalid_payload"


def test_a_duplicate_message_sid_produces_one_turn(messaging):
    text(messaging, f"Where is my order {DEMO_PROCESSED_ORDER_ID}?", message_sid="SM" + "1" * 32)
    messaging.twilio.wait_for(1)
    text(messaging, f"Where is my order {DEMO_PROCESSED_ORDER_ID}?", message_sid="SM" + "1" * 32)
    text(messaging, "thanks", message_sid="SM" + "2" * 32)
    conversation_id = messaging.wait_turns("sms", ALEX_PHONE, 2)
    assert messaging.customer_texts(conversation_id) == [
        f"Where is my order {DEMO_PROCESSED_ORDER_ID}?",
        "thanks",
    ]
