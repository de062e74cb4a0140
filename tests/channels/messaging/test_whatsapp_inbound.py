"""WhatsApp webhooks: Meta's signature and handshake, and the delivery payloads."""

from __future__ import annotations

import json

import pytest

from channels.whatsapp.payload import PayloadError, parse_delivery
from channels.whatsapp.signature import subscription_challenge, verify_signature
from tests.channels.messaging.providers import (
    button_reply,
    meta_signature,
    text_message,
    whatsapp_delivery,
)

SECRET = "app-secret-1"


def test_signature_of_the_raw_body_verifies_and_any_change_fails():
    body = json.dumps(whatsapp_delivery("111", [text_message("14155550142", "hi")], "14155550142"))
    raw = body.encode()
    header = meta_signature(SECRET, raw)
    assert verify_signature(SECRET, raw, header)
    assert not verify_signature(SECRET, raw + b" ", header)
    assert not verify_signature("other-secret", raw, header)
    assert not verify_signature(SECRET, raw, header.replace("sha256=", "sha1="))
    assert not verify_signature(SECRET, raw, None)
    assert not verify_signature("", raw, meta_signature("", raw))


def test_subscription_handshake_echoes_the_challenge_only_for_the_right_token():
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert subscription_challenge(params, "tok") == "1158201444"
    assert subscription_challenge({**params, "hub.verify_token": "nope"}, "tok") is None
    assert subscription_challenge({**params, "hub.mode": "unsubscribe"}, "tok") is None
    assert subscription_challenge(params, "") is None


def test_text_and_button_replies_are_parsed_and_statuses_skipped():
    wa = "14155550142"
    delivery = whatsapp_delivery(
        "111",
        [
            text_message(wa, "Where is my order?", "wamid.A"),
            button_reply(wa, "yes", "Yes", "wamid.Q"),
        ],
        wa,
        statuses=[{"id": "wamid.OUT", "status": "delivered", "timestamp": "1", "recipient_id": wa}],
    )
    first, second = parse_delivery(delivery)
    assert (first.message_id, first.sender, first.text, first.reply_id) == (
        "wamid.A",
        wa,
        "Where is my order?",
        None,
    )
    assert first.profile_name == "Alex" and first.phone_number_id == "111"
    assert (second.text, second.reply_id) == ("Yes", "yes")


def test_a_status_only_delivery_has_no_messages():
    wa = "14155550142"
    statuses = [{"id": "wamid.OUT", "status": "read", "timestamp": "1", "recipient_id": wa}]
    assert parse_delivery(whatsapp_delivery("111", [], wa, statuses=statuses)) == []


def test_unsupported_message_types_are_skipped():
    wa = "14155550142"
    image = {
        "from": wa,
        "id": "wamid.I",
        "timestamp": "1",
        "type": "image",
        "image": {"id": "media-1", "mime_type": "image/jpeg"},
    }
    assert parse_delivery(whatsapp_delivery("111", [image], wa)) == []


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages"}]}]},
        ["not", "an", "object"],
    ],
)
def test_a_body_that_is_not_a_whatsapp_delivery_is_refused(data):
    with pytest.raises(PayloadError):
        parse_delivery(data)
