"""Sending replies: an SMTP relay (embedded profile) or Amazon SES `SendRawEmail` (AWS)."""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol


class MailSender(Protocol):
    """Hands a finished MIME message to the mail system."""

    async def send(self, mail: EmailMessage) -> str | None:
        """Send `mail`; return the provider's id of it when there is one."""
        ...


@dataclass
class SmtpRelay:
    """An SMTP relay (Postfix, a mail provider's submission port, a test server)."""

    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    def _send(self, mail: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)

    async def send(self, mail: EmailMessage) -> str | None:
        """Send through the relay (in a worker thread: smtplib blocks)."""
        await asyncio.to_thread(self._send, mail)
        return None


@dataclass
class SesSender:
    """Amazon SES `SendRawEmail` (a boto3 `ses` client)."""

    client: Any

    async def send(self, mail: EmailMessage) -> str | None:
        """Send the raw message; return SES's message id."""
        response = await asyncio.to_thread(
            self.client.send_raw_email,
            Source=str(mail["From"]),
            Destinations=[str(mail["To"])],
            RawMessage={"Data": mail.as_bytes()},
        )
        return str(response.get("MessageId") or "") or None
