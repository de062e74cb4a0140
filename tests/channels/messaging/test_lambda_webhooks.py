"""Webhooks as Lambda functions: signed API Gateway events → SQS (moto_server) → the server.

The server consumes the queue; the Lambda handler runs here with the server's settings, so
both check signatures with the same secrets, as a deployment configures them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from channels.aws_lambda.handler import SMS_PATH, WHATSAPP_PATH, ChannelWebhooks
from channels.aws_lambda.setup import webhooks_from_settings
from config.settings import Settings
from tests.channels.messaging.conftest import (
    ACCOUNT_SID,
    ALEX_PHONE,
    APP_SECRET,
    AUTH_TOKEN,
    PHONE_NUMBER_ID,
    TWILIO_NUMBER,
    VERIFY_TOKEN,
    Messaging,
)
from tests.channels.messaging.http_api import DOMAIN, http_api_event
from tests.channels.messaging.providers import (
    meta_signature,
    sms_webhook_form,
    text_message,
    twilio_signature,
    whatsapp_delivery,
)
from tests.integration.conftest import MOTO_REGION
from tools.orders.seed import DEMO_PENDING_ORDER_ID

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]

ALEX = ALEX_PHONE.lstrip("+")
MAX_RECEIVES = 2


@dataclass(frozen=True)
class Queues:
    """The inbound queue and its dead-letter queue."""

    sqs: Any
    url: str
    dead_letter_url: str

    def dead_letters(self, timeout: float = 30) -> list[str]:
        """Wait for messages in the dead-letter queue; return their bodies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sqs.receive_message(QueueUrl=self.dead_letter_url, WaitTimeSeconds=1)
            if found.get("Messages"):
                return [m["Body"] for m in found["Messages"]]
        raise AssertionError("nothing reached the dead-letter queue")


@pytest.fixture
def queues(moto_endpoint: str) -> Queues:
    sqs = boto3.client("sqs", region_name=MOTO_REGION, endpoint_url=moto_endpoint)
    name = f"inbound-{uuid.uuid4().hex[:8]}"
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)}
    url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": json.dumps(redrive)})[
        "QueueUrl"
    ]
    return Queues(sqs, url, dlq)


@pytest.fixture
def messaging_settings(settings: Settings, queues: Queues, moto_endpoint: str) -> Settings:
    settings.rate_limit_per_minute = 1000
    settings.email_enabled = False
    settings.aws_region = MOTO_REGION
    settings.inbound_queue_url = queues.url
    settings.sqs_endpoint_url = moto_endpoint
    settings.inbound_queue_wait_seconds = 1
    settings.inbound_queue_retry_seconds = 0
    return settings


@pytest.fixture
def webhooks(messaging: Messaging) -> Iterator[ChannelWebhooks]:
    """The Lambda function's webhooks, built as the function builds them."""
    hooks = webhooks_from_settings(messaging.settings)
    yield hooks
    if hooks.sms is not None:
        hooks.sms.opt_outs.close()


def invoke(hooks: ChannelWebhooks, event: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(hooks.handle(event))


def whatsapp_event(text: str, message_id: str | None = None, secret: str = APP_SECRET) -> Any:
    delivery = whatsapp_delivery(PHONE_NUMBER_ID, [text_message(ALEX, text, message_id)], ALEX)
    body = json.dumps(delivery).encode()
    headers = {
        "content-type": "application/json",
        "x-hub-signature-256": meta_signature(secret, body),
    }
    return http_api_event("POST", WHATSAPP_PATH, body, headers)


def sms_event(text: str, token: str = AUTH_TOKEN) -> dict[str, Any]:
    form = sms_webhook_form(ACCOUNT_SID, ALEX_PHONE, TWILIO_NUMBER, text)
    signature = twilio_signature(token, f"https://{DOMAIN}{SMS_PATH}", form)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature,
    }
    return http_api_event("POST", SMS_PATH, urlencode(form).encode(), headers, binary=True)


def consumer(messaging: Messaging, name: str = "sqs") -> Any:
    return next(c for c in messaging.runtime.channels.consumers if c.name == name)


def wait_outcome(messaging: Messaging, outcome: str, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while consumer(messaging).outcomes[outcome] < count:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{outcome} not seen {count} time(s): {consumer(messaging).outcomes}"
            )
        time.sleep(0.05)


def test_a_signed_whatsapp_delivery_is_queued_and_answered_by_the_server(messaging, webhooks):
    answer = invoke(webhooks, whatsapp_event(f"Where is my order {DEMO_PENDING_ORDER_ID}?"))
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == {"accepted": 1}
    [reply] = messaging.graph.wait_for(1)
    assert reply["to"] == ALEX and DEMO_PENDING_ORDER_ID in reply["text"]["body"]
    assert consumer(messaging).outcomes["started"] == 1


def test_a_duplicate_delivery_makes_one_turn(messaging, webhooks):
    event = whatsapp_event(f"Where is my order {DEMO_PENDING_ORDER_ID}?", "wamid.same-message")
    assert invoke(webhooks, event)["statusCode"] == 200
    assert invoke(webhooks, event)["statusCode"] == 200  # Meta retried the delivery
    wait_outcome(messaging, "duplicate", 1)
    conversation = messaging.wait_turns("whatsapp", ALEX_PHONE, 1)
    assert messaging.customer_texts(conversation) == [f"Where is my order {DEMO_PENDING_ORDER_ID}?"]
    assert consumer(messaging).outcomes["started"] == 1
    assert len(messaging.graph.wait_for(1)) == 1


def test_a_wrong_signature_is_refused_and_nothing_is_queued(messaging, webhooks, queues):
    answer = invoke(webhooks, whatsapp_event("hello", secret="not-the-app-secret"))
    assert answer["statusCode"] == 401
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert json.loads(answer["body"])["code"] == "bad_signature"
    forged = sms_event("hello", token="not-the-auth-token")
    assert invoke(webhooks, forged)["statusCode"] == 401
    attributes = queues.sqs.get_queue_attributes(
        QueueUrl=queues.url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert dict(consumer(messaging).outcomes) == {}


def test_an_sms_is_answered_in_twiml_queued_and_replied_to(messaging, webhooks):
    answer = invoke(webhooks, sms_event(f"Where is my order {DEMO_PENDING_ORDER_ID}?"))
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/xml"
    assert answer["body"].startswith("<?xml") and "<Response" in answer["body"]
    [reply] = messaging.twilio.wait_for(1)
    assert reply["To"] == ALEX_PHONE and DEMO_PENDING_ORDER_ID in reply["Body"]


def test_the_subscription_handshake_and_bad_requests(webhooks):
    query = urlencode(
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    )
    answer = invoke(webhooks, http_api_event("GET", WHATSAPP_PATH, query=query))
    assert (answer["statusCode"], answer["body"]) == (200, "1158201444")
    wrong = query.replace(VERIFY_TOKEN, "guess")
    assert invoke(webhooks, http_api_event("GET", WHATSAPP_PATH, query=wrong))["statusCode"] == 403
    assert invoke(webhooks, http_api_event("POST", "/elsewhere"))["statusCode"] == 404
    assert invoke(webhooks, {"version": "1.0"})["statusCode"] == 400
    body = b"{not json"
    headers = {"x-hub-signature-256": meta_signature(APP_SECRET, body)}
    garbled = invoke(webhooks, http_api_event("POST", WHATSAPP_PATH, body, headers))
    assert (garbled["statusCode"], json.loads(garbled["body"])["code"]) == (400, "invalid_payload")


def test_a_poison_message_ends_in_the_dead_letter_queue(messaging, queues):
    queues.sqs.send_message(QueueUrl=queues.url, MessageBody='{"channel": "whatsapp"}')
    assert queues.dead_letters() == ['{"channel": "whatsapp"}']
    assert consumer(messaging).outcomes["poison"] >= MAX_RECEIVES
    assert consumer(messaging).outcomes["started"] == 0
