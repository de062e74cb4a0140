"""Email conversations across a server restart, and the per-sender limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from tests.channels.conftest import EmailApi, customer_mail

pytestmark = [pytest.mark.integration, pytest.mark.enable_socket]


def test_agent_reply_after_a_restart_is_still_emailed(email_settings, services, relay, alex_email):
    email_settings.checkpointer = "sqlite"
    first = customer_mail(alex_email, "this is the third time I ask, get me a human")
    with TestClient(create_app(email_settings, services)) as client:
        api = EmailApi(client, email_settings)
        api.send(first)
        relay.wait_for(1)
        [conversation] = api.email_conversations()
    with TestClient(create_app(email_settings, services)) as client:
        api = EmailApi(client, email_settings)
        dana = api.agent("dana")
        assert client.post(f"/v1/queue/{conversation}/claim", headers=dana).is_success
        response = client.post(
            f"/v1/queue/{conversation}/reply", json={"text": "Dana here, on it."}, headers=dana
        )
        assert response.status_code == 200, response.text
        agent_mail = relay.wait_for(2)[1]
        assert "Dana here, on it." in agent_mail.get_body(preferencelist=("plain",)).get_content()
        assert agent_mail["In-Reply-To"] == first["Message-ID"]


def test_a_sender_over_the_hourly_limit_is_not_answered(email_settings, services, relay):
    email_settings.channel_sender_messages_per_hour = 1
    with TestClient(create_app(email_settings, services)) as client:
        api = EmailApi(client, email_settings)
        api.send(customer_mail("flood@elsewhere.example", "What is your return policy?"))
        api.send(customer_mail("flood@elsewhere.example", "What is your return policy??"))
        api.send(customer_mail("calm@elsewhere.example", "Do you ship to Canada?"))
        relay.wait_for(2)
        assert len(api.email_conversations()) == 2
        assert sorted(m["To"] for m in relay.messages) == [
            "calm@elsewhere.example",
            "flood@elsewhere.example",
        ]
