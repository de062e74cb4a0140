"""A live Tandem server with the WhatsApp and SMS channels on loopback provider APIs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from server.auth.local_issuer import issuer_from_settings
from tests.channels.messaging.loopback_server import serve
from tests.channels.messaging.providers import (
    GraphApi,
    TwilioApi,
    meta_signature,
    sms_webhook_form,
    twilio_signature,
)

APP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "verify-me"
GRAPH_TOKEN = "EAAG-test-token"
PHONE_NUMBER_ID = "106540352242922"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-auth-token"
TWILIO_NUMBER = "+15005550006"
ALEX_PHONE = "+14155550142"


@dataclass
class Messaging:
    """The running server and the provider fakes it talks to."""

    url: str
    app: Any
    graph: GraphApi
    twilio: TwilioApi
    settings: Settings

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    def post_whatsapp(self, delivery: dict[str, Any], secret: str = APP_SECRET) -> httpx.Response:
        body = json.dumps(delivery).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": meta_signature(secret, body),
        }
        return httpx.post(f"{self.url}/v1/channels/whatsapp/webhook", content=body, headers=headers)

    def post_sms(
        self, sender: str, body: str, token: str = AUTH_TOKEN, message_sid: str | None = None
    ) -> httpx.Response:
        url = f"{self.url}/v1/channels/sms/webhook"
        form = sms_webhook_form(ACCOUNT_SID, sender, TWILIO_NUMBER, body, message_sid)
        headers = {"X-Twilio-Signature": twilio_signature(token, url, form)}
        return httpx.post(url, data=form, headers=headers)

    def agent_headers(self, sub: str = "dana") -> dict[str, str]:
        token = issuer_from_settings(self.settings).issue(sub, "agent", name=sub.title())
        return {"Authorization": f"Bearer {token}"}

    def thread(self, channel: str, address: str) -> dict[str, Any] | None:
        return self.runtime.channels.inbox.channels.latest_thread(channel, address)

    def wait_turns(self, channel: str, address: str, turns: int, timeout: float = 60) -> str:
        """Wait until `turns` turns of the address's conversation were answered and their
        replies delivered; return the conversation id."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            thread = self.thread(channel, address)
            if thread is not None:
                done = self.runtime.store.events_after(
                    thread["conversation_id"], 0, types=("done",)
                )
                if len(done) >= turns and int(thread.get("delivered_seq") or 0) >= done[-1][0]:
                    return str(thread["conversation_id"])
            time.sleep(0.05)
        raise AssertionError(f"{turns} turn(s) on {channel} {address} not delivered in time")

    def customer_texts(self, conversation_id: str) -> list[str]:
        events = self.runtime.store.events_after(conversation_id, 0, types=("customer_message",))
        return [event["text"] for _, event in events]


@pytest.fixture
def messaging_settings(settings: Settings) -> Settings:
    settings.rate_limit_per_minute = 1000
    settings.email_enabled = False
    return settings


@pytest.fixture
def messaging(
    request: pytest.FixtureRequest, messaging_settings: Settings, services: Services
) -> Iterator[Messaging]:
    """The server with both channels on; parametrise indirectly with extra settings."""
    extra: dict[str, Any] = getattr(request, "param", {})
    graph = GraphApi(token=GRAPH_TOKEN, phone_number_id=PHONE_NUMBER_ID)
    twilio = TwilioApi(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN)
    with serve(graph.app()) as graph_url, serve(twilio.app()) as twilio_url:
        settings = messaging_settings.model_copy(
            update={
                "whatsapp_app_secret": SecretStr(APP_SECRET),
                "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
                "whatsapp_token": SecretStr(GRAPH_TOKEN),
                "whatsapp_phone_number_id": PHONE_NUMBER_ID,
                "whatsapp_api_base": graph_url,
                "twilio_account_sid": ACCOUNT_SID,
                "twilio_auth_token": SecretStr(AUTH_TOKEN),
                "twilio_from": TWILIO_NUMBER,
                "twilio_api_base": twilio_url,
                **extra,
            }
        )
        app = create_app(settings, services)
        with serve(app) as url:
            yield Messaging(url=url, app=app, graph=graph, twilio=twilio, settings=settings)
