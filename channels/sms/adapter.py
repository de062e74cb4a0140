"""The SMS channel adapter: plain-text replies in segment-bounded messages through Twilio.

A confirmation question ends with "Reply YES or NO." (SMS has no buttons). Nothing is sent
to a number that opted out, whoever writes the reply.
"""

from __future__ import annotations

import asyncio
import logging

from channels.base import OutboundReply, Thread
from channels.sms.render import render_sms
from channels.sms.twilio_api import TwilioSender
from conversations.opt_outs import OptOuts

logger = logging.getLogger("tandem.channels.sms")

DEFAULT_MAX_SEGMENTS = 4
"""Segments per SMS before a reply is split into several messages."""


class SmsAdapter:
    """Renders replies as SMS bodies and sends them from one Twilio number."""

    name = "sms"

    def __init__(
        self, sender: TwilioSender, opt_outs: OptOuts, max_segments: int = DEFAULT_MAX_SEGMENTS
    ) -> None:
        self.sender = sender
        self.opt_outs = opt_outs
        self.max_segments = max_segments

    def render(self, reply: OutboundReply, thread: Thread) -> list[str]:
        """The SMS bodies for `reply`."""
        text = reply.text if reply.author == "bot" else f"{reply.agent or 'Support'}: {reply.text}"
        if reply.choices:
            answers = " or ".join(choice.upper() for choice in reply.choices)
            text = f"{text.rstrip()}\n\nReply {answers}."
        return render_sms(text, self.max_segments)

    async def send(self, thread: Thread, payload: str) -> str | None:
        """Send one SMS to the thread's number (none to an opted-out number)."""
        if await asyncio.to_thread(self.opt_outs.is_opted_out, thread.address):
            logger.info("not sent: the number opted out conversation=%s", thread.conversation_id)
            return None
        return await self.sender.send(thread.address, payload)
