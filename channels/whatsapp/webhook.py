"""The inbound side of WhatsApp: check a webhook request and turn it into inbound messages."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass

from channels.base import InboundMessage
from channels.whatsapp.adapter import LAST_INBOUND
from channels.whatsapp.payload import PayloadError, WhatsAppMessage, parse_delivery
from channels.whatsapp.signature import subscription_challenge, verify_signature


@dataclass(frozen=True)
class WhatsAppWebhook:
    """Meta's webhook for one business number: signature, handshake, messages."""

    app_secret: str
    verify_token: str
    phone_number_id: str

    def verified(self, body: bytes, signature: str | None) -> bool:
        """Whether the raw `body` carries Meta's signature with this app's secret."""
        return verify_signature(self.app_secret, body, signature)

    def challenge(self, params: Mapping[str, str]) -> str | None:
        """The challenge to echo for Meta's subscription request, or None to refuse it."""
        return subscription_challenge(params, self.verify_token)

    def messages(self, body: bytes) -> list[InboundMessage]:
        """The customer messages of a (verified) delivery to this business number.

        Raises `PayloadError` for a body that is not a WhatsApp delivery.
        """
        try:
            data = json.loads(body)
        except ValueError:
            raise PayloadError("the body is not JSON") from None
        return [
            inbound(message)
            for message in parse_delivery(data)
            if message.phone_number_id in ("", self.phone_number_id)
        ]


def inbound(message: WhatsAppMessage) -> InboundMessage:
    """A WhatsApp message as the shared inbox takes it; Meta vouches for the number."""
    received = time.time()
    return InboundMessage(
        channel="whatsapp",
        provider_message_id=message.message_id,
        sender=f"+{message.sender.lstrip('+')}",
        text=message.text,
        verified=True,
        received_at=received,
        reply_state={LAST_INBOUND: min(message.timestamp or received, received)},
        display_name=message.profile_name or None,
    )
