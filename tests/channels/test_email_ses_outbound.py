"""Replies through Amazon SES `SendRawEmail` (moto_server), threaded like SMTP ones."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from email import message_from_string, policy
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.channels.conftest import SUPPORT, EmailApi, customer_mail

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


@pytest.fixture
def ses(moto_endpoint: str) -> Any:
    client = boto3.client("ses", region_name="us-east-1", endpoint_url=moto_endpoint)
    client.verify_email_identity(EmailAddress=SUPPORT)
    return client


@pytest.fixture
def ses_api(email_settings, services, moto_endpoint, ses) -> Iterator[EmailApi]:
    email_settings.email_outbound = "ses"
    email_settings.ses_endpoint_url = moto_endpoint
    with TestClient(create_app(email_settings, services)) as client:
        yield EmailApi(client, email_settings)


def _sent_replies_to(endpoint: str, message_id: str) -> list[Any]:
    """Raw messages moto_server's SES accepted that answer `message_id`."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    sent = [
        message_from_string(m["raw_data"], policy=policy.default) for m in data["ses"]["RawMessage"]
    ]
    return [m for m in sent if m["In-Reply-To"] == message_id]


def test_bot_reply_is_sent_with_ses(ses_api, relay, alex_email, moto_endpoint):
    mail = customer_mail(alex_email, "Where is my order #W1234567?")
    ses_api.send(mail)
    deadline = time.monotonic() + 60
    while not _sent_replies_to(moto_endpoint, mail["Message-ID"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    [reply] = _sent_replies_to(moto_endpoint, mail["Message-ID"])
    assert reply["To"] == alex_email and SUPPORT in reply["From"]
    assert reply["Subject"] == "Re: Order question"
    assert reply.get_body(preferencelist=("html",)) is not None
    assert relay.messages == []  # SES, not the SMTP relay, carried it
