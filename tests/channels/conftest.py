"""Email channel fixtures: a capturing SMTP relay on loopback and a Tandem app with email on."""

from __future__ import annotations

import smtplib
import threading
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient

from config.settings import Settings
from graphs.services import Services
from server.app import create_app
from tests.loopback import free_port
from tests.server.conftest import Api

SUPPORT = "support@shop.example"


class CaptureHandler:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, EmailMessage]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        mail = BytesParser(policy=policy.default).parsebytes(raw)
        with self.arrived:
            self.messages.append((envelope, mail))  # type: ignore[arg-type]
            self.arrived.notify_all()
        return "250 OK"


class Relay:
    """A real SMTP server on loopback that captures the replies Tandem sends."""

    def __init__(self) -> None:
        self.handler = CaptureHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return [mail for _, mail in self.handler.messages]

    def wait_for(self, count: int, timeout: float = 60) -> list[EmailMessage]:
        """The first `count` captured messages; fail if they do not arrive in `timeout`."""
        deadline = time.monotonic() + timeout
        with self.handler.arrived:
            while len(self.handler.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"{count} replies expected, {len(self.handler.messages)} came")
                self.handler.arrived.wait(left)
        return self.messages[:count]


class EmailApi(Api):
    """The app's HTTP client plus its inbound SMTP address and the channel internals."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        super().__init__(client, settings)
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        self.runtime = runtime
        self.channels = runtime.channels
        self.smtp_address = self.channels.extras["email_smtp_address"]

    def send(self, mail: EmailMessage) -> None:
        """Deliver `mail` to Tandem's inbound SMTP server and wait until it is handled."""
        host, port = self.smtp_address
        with smtplib.SMTP(host, port, timeout=30) as smtp:
            smtp.send_message(mail)
        self.drain()

    def drain(self) -> None:
        """Wait until the inbound messages received so far are handed to the inbox."""
        handler = self.channels.extras["email_smtp"]
        self.client.portal.call(handler.drain)  # type: ignore[union-attr]

    def customer_messages(self, conversation_id: str) -> list[dict[str, Any]]:
        events = self.runtime.store.events_after(conversation_id, 0, types=("customer_message",))
        return [event for _, event in events]

    def email_conversations(self) -> list[str]:
        records = self.runtime.store.list_conversations(None, 100, 0)
        return [r["id"] for r in records if r["channel"] == "email"]


def customer_mail(
    sender: str,
    text: str,
    subject: str = "Order question",
    reply_to: EmailMessage | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A customer's email to the support mailbox, optionally answering `reply_to`."""
    mail = EmailMessage()
    mail["From"] = f"Customer <{sender}>"
    mail["To"] = SUPPORT
    mail["Subject"] = f"Re: {subject}" if reply_to is not None else subject
    mail["Message-ID"] = message_id or f"<{time.monotonic_ns()}@client.example>"
    if reply_to is not None:
        mail["In-Reply-To"] = reply_to["Message-ID"]
        mail["References"] = " ".join(
            [*str(reply_to.get("References", "")).split(), reply_to["Message-ID"]]
        )
    mail.set_content(text)
    return mail


@pytest.fixture
def relay() -> Iterator[Relay]:
    server = Relay()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


@pytest.fixture
def email_settings(settings: Settings, relay: Relay) -> Settings:
    settings.rate_limit_per_minute = 1000
    settings.email_address = SUPPORT
    settings.email_smtp_port = 0
    settings.email_relay_port = relay.port
    return settings


@pytest.fixture
def email_api(email_settings: Settings, services: Services) -> Iterator[EmailApi]:
    app = create_app(email_settings, services)
    with TestClient(app) as client:
        yield EmailApi(client, email_settings)


@pytest.fixture
def alex_email(services: Services) -> str:
    return str(services.orders.get_user_details("alex_morgan_1001")["email"])
