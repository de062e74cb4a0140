"""The embedded profile's inbound mail: an `aiosmtpd` SMTP server on a loopback port.

It runs on the server's own event loop (not aiosmtpd's threaded `Controller`), accepts mail
only for the support mailbox, answers `250` as soon as the message is queued and handles it
in the background, so a slow turn never holds the sending mail server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.intake import EmailIntake

logger = logging.getLogger("tandem.channels.email.smtp")

MAX_MESSAGE_BYTES = 25 * 1024 * 1024


class InboundHandler:
    """aiosmtpd handler: RCPT for the support mailbox only; DATA handed to the intake."""

    def __init__(self, intake: EmailIntake, own_address: str, trust_senders: bool) -> None:
        self.intake = intake
        self.own_address = own_address.lower()
        self.trust_senders = trust_senders
        self._tasks: set[asyncio.Task[str]] = set()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Accept the support mailbox as recipient; refuse to relay anywhere else."""
        if address.lower() != self.own_address:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Queue the message for the intake and answer at once."""
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw).encode()
        task = asyncio.create_task(self._take(raw, envelope.mail_from))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return "250 Message accepted for delivery"

    async def _take(self, raw: bytes, mail_from: str | None) -> str:
        try:
            return await self.intake.take(raw, self.trust_senders, envelope_from=mail_from or "")
        except Exception:
            logger.exception("inbound email failed")
            return "failed"

    async def drain(self) -> None:
        """Wait for messages being handled (shutdown, tests)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


@contextlib.asynccontextmanager
async def serve_smtp(handler: InboundHandler, host: str, port: int) -> AsyncIterator[Any]:
    """Run the SMTP server on `host:port` (0: a free port) on this event loop; yield it."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            handler,
            hostname="tandem.localhost",
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
        ),
        host=host,
        port=port,
    )
    try:
        yield server
    finally:
        server.close()
        await server.wait_closed()
        await handler.drain()
