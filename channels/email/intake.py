"""One inbound email, from whichever receiver: parse, drop loops, store attachments, hand over.

The SMTP server and the SES notification route both call `EmailIntake.take` with the raw
message and the channel's verdict on the sender; everything after that is the same.
"""

from __future__ import annotations

import dataclasses
import logging

from channels.email.attachments import AttachmentStore
from channels.email.parse import parse_email
from channels.queue.consumer import InboundSink

logger = logging.getLogger("tandem.channels.email")


class EmailIntake:
    """Takes raw inbound mail into the shared inbox (or the queue in front of it)."""

    def __init__(self, inbox: InboundSink, attachments: AttachmentStore, own_address: str) -> None:
        self.inbox = inbox
        self.attachments = attachments
        self.own_address = own_address
        self.ignored: dict[str, int] = {}
        """Ignored messages by reason (auto_submitted, bulk, bounce, own_address)."""

    async def take(self, raw: bytes, verified: bool, envelope_from: str | None = None) -> str:
        """Handle one raw message; return what became of it (an inbox outcome or `ignored:*`)."""
        parsed = parse_email(raw, self.own_address, verified, envelope_from)
        if parsed.message is None:
            reason = parsed.ignored or "unknown"
            self.ignored[reason] = self.ignored.get(reason, 0) + 1
            logger.info("email ignored: %s", reason)
            return f"ignored:{reason}"
        message = parsed.message
        if parsed.attachments:
            stored = [
                await self.attachments.put(message.provider_message_id, raw_attachment)
                for raw_attachment in parsed.attachments
            ]
            message = dataclasses.replace(message, attachments=tuple(stored))
        if not message.text and not message.attachments:
            return "ignored:empty"
        received = await self.inbox.receive(message)
        return received.outcome
