"""`EmailAdapter`: the email channel's outbound side (render + send)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from channels.base import OutboundReply, Thread
from channels.email.outbound import MailSender
from channels.email.render import render_email


class EmailAdapter:
    """Renders replies as threaded MIME messages and sends them with a `MailSender`."""

    name = "email"

    def __init__(self, sender: MailSender, address: str, display_name: str) -> None:
        self.sender = sender
        self.address = address
        self.display_name = display_name

    def render(self, reply: OutboundReply, thread: Thread) -> list[Any]:
        """One MIME message per reply (email has no length limit to split for)."""
        return [render_email(reply, thread, self.address, self.display_name)]

    async def send(self, thread: Thread, payload: Any) -> str | None:
        """Send the message; return its Message-ID (the id replies to it will quote)."""
        assert isinstance(payload, EmailMessage)
        await self.sender.send(payload)
        return str(payload["Message-ID"])
